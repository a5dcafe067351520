//! The fingerprint `h(a, v, t) = a + γ·v + γ²·t` and the LogUp sums, natively.
//!
//! The sum `Σ_WS 1/(α−h) − Σ_RS 1/(α−h) + Σ_IS 1/(α−h) − Σ_FS 1/(α−h) = 0` catches every
//! multiset difference (a value never written, a stale value, a store not reflected later, a
//! duplicated or missing cell); the time order `t_r < ts` (the gap's range check) catches
//! reorderings that keep the multisets equal.

use canopy_folding::F1;
use ff::Field;

use super::error::MemCheckError;
use super::Tuple;

/// The challenges of the fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenges {
    /// `γ`: combines the tuple's components.
    pub gamma: F1,
    /// `α`: the LogUp pole.
    pub alpha: F1,
}

impl Challenges {
    /// Pseudo-random challenges from a seed, for tests and benchmarks of single steps. A
    /// proof's challenges come from [`super::derive_challenges`] (the verifier derives them).
    pub fn from_seed(seed: u64) -> Challenges {
        let st = super::ChallengeStatement {
            params_digest: [0; 32],
            program_digest: [0; 32],
            input_digest: [0; 32],
            output_digest: [0; 32],
        };
        super::derive_challenges(&st, F1::from(seed))
    }

    /// `h(a, v, t) = a + γ·v + γ²·t`.
    pub fn fingerprint(&self, t: &Tuple) -> F1 {
        let g = self.gamma;
        F1::from(t.cell) + g * (F1::from(t.value) + g * F1::from(t.time))
    }

    /// `Σ sign_i / (α − h(tuple_i))` over `(tuple, sign)` pairs, with one inversion per call
    /// (Montgomery's trick). Fails with [`MemCheckError::Pole`] if some `α = h`.
    pub fn signed_sum(&self, terms: &[(Tuple, bool)]) -> Result<F1, MemCheckError> {
        let mut den: Vec<F1> = terms
            .iter()
            .map(|(t, _)| self.alpha - self.fingerprint(t))
            .collect();
        batch_invert(&mut den)?;
        Ok(den.iter().zip(terms).fold(
            F1::ZERO,
            |acc, (inv, (_, plus))| {
                if *plus {
                    acc + inv
                } else {
                    acc - inv
                }
            },
        ))
    }

    /// `Σ_{t ∈ set} 1/(α − h(t))`.
    pub fn set_sum(&self, set: &[Tuple]) -> Result<F1, MemCheckError> {
        let terms: Vec<(Tuple, bool)> = set.iter().map(|t| (*t, true)).collect();
        self.signed_sum(&terms)
    }

    /// The inverse of `α − h(t)`; fails with [`MemCheckError::Pole`] if it is 0.
    pub fn term(&self, t: &Tuple) -> Result<F1, MemCheckError> {
        Option::from((self.alpha - self.fingerprint(t)).invert()).ok_or(MemCheckError::Pole)
    }
}

/// Inverts every element in place; fails if one is zero.
fn batch_invert(v: &mut [F1]) -> Result<(), MemCheckError> {
    let mut prefix = Vec::with_capacity(v.len());
    let mut acc = F1::ONE;
    for x in v.iter() {
        prefix.push(acc);
        acc *= x;
    }
    let mut inv = Option::<F1>::from(acc.invert()).ok_or(MemCheckError::Pole)?;
    for (x, p) in v.iter_mut().zip(prefix).rev() {
        let xi = inv * p;
        inv *= *x;
        *x = xi;
    }
    Ok(())
}
