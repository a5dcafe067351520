//! The fingerprint `h(a, v, t) = a + γ·v + γ²·t` and the LogUp sums, natively.
//!
//! What each check catches:
//! * the **sum** `Σ_WS 1/(α−h) − Σ_RS 1/(α−h) + Σ_IS 1/(α−h) − Σ_FS 1/(α−h) = 0` catches every
//!   multiset difference: a value never written, a stale value, a lying register read, a
//!   store not reflected later, a duplicated or missing IS/FS cell, a missing page;
//! * the **time order** `t_r < ts` ([`check_time_order`]) catches reorderings that keep the
//!   multisets equal, such as a read that consumes a write made *later* (a balanced forgery
//!   swaps two accesses' places in a cell's history: the sum stays 0).

use canopy_folding::F1;
use ff::Field;

use super::error::MemCheckError;
use super::{Access, Tuple};

/// The challenges of the fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenges {
    /// `γ`: combines the tuple's components.
    pub gamma: F1,
    /// `α`: the LogUp pole.
    pub alpha: F1,
}

impl Challenges {
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

    /// The read/write part `Σ_WS 1/(α−h) − Σ_RS 1/(α−h)` of `accesses` (additive: the sum
    /// over a concatenation is the sum of the sums).
    pub fn rw_sum(&self, accesses: &[Access]) -> Result<F1, MemCheckError> {
        let mut terms = Vec::with_capacity(2 * accesses.len());
        for a in accesses {
            terms.push((a.write_tuple(), true));
            terms.push((a.read_tuple(), false));
        }
        self.signed_sum(&terms)
    }

    /// The complete sum `rw + Σ_IS − Σ_FS`; memory was consistent iff it is 0 (w.h.p.).
    pub fn total(
        &self,
        rw: F1,
        initial: &[Tuple],
        final_set: &[Tuple],
    ) -> Result<F1, MemCheckError> {
        Ok(rw + self.set_sum(initial)? - self.set_sum(final_set)?)
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

/// The time-order predicate of every access: `read_time < time`. The index in the error is
/// the position in `accesses`.
pub fn check_time_order(accesses: &[Access]) -> Result<(), MemCheckError> {
    for (index, a) in accesses.iter().enumerate() {
        if a.read_time >= a.time {
            return Err(MemCheckError::TimeOrder {
                index,
                cell: a.cell,
                read_time: a.read_time,
                time: a.time,
            });
        }
    }
    Ok(())
}
