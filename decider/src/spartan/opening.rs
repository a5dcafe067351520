//! One opening for many evaluation claims: a batched sum-check reduces claims
//! `P_j(x_j) = e_j` (tables of different sizes, each committed on its own) to one claim of
//! a random combination of the tables at one point, which the evaluation engine opens.
//!
//! A table of `2^ν` entries is committed with the first `2^ν` generators, so as a table of
//! `2^n` entries (zeros appended) it has the same commitment, and its value at a point
//! `(r_hi, r_lo)` is `L0(r_hi)·P(r_lo)` with `L0 = Π(1 − r_hi,k)`. The sum-check proves
//! `Σ_j ρ^j·Σ_x eq(x_j, x)·P_j(x) = Σ_j ρ^j·e_j` (claim j in its last ν_j rounds, see
//! [`super::sumcheck`]) and ends with the values `P_j(r[n − ν_j..])`, which the proof
//! gives; then with a fresh `c`, `C = Σ c^j·C_j` opens at `r` to `Σ c^j·L0_j·P_j(..)`.

use super::sumcheck::{self, batched_claim, Claim, Rounds};
use canopy_folding::{Commitment, CommitmentKey};
use ff::Field;
use nova_snark::{
    errors::NovaError,
    spartan::polys::eq::EqPolynomial,
    traits::{evaluation::EvaluationEngineTrait, Engine, TranscriptEngineTrait},
};
use rayon::prelude::*;

/// A claim `P(point) = eval` about the table committed in `comm`.
pub(crate) struct OpenClaim<E: Engine> {
    pub comm: Commitment<E>,
    pub point: Vec<E::Scalar>,
    pub eval: E::Scalar,
}

/// The powers 1, x, x², … (n of them).
pub(crate) fn powers<F: Field>(x: F, n: usize) -> Vec<F> {
    std::iter::successors(Some(F::ONE), |p| Some(*p * x))
        .take(n)
        .collect()
}

/// `Π_k (1 − r_k)`: the value at r of the table that is 1 at index 0 only.
fn l0<F: Field>(r: &[F]) -> F {
    r.iter().map(|x| F::ONE - x).product()
}

/// The joint commitment and value of the final claim at `r` (length n).
fn joint<E: Engine>(
    claims: &[OpenClaim<E>],
    evals: &[E::Scalar],
    c: E::Scalar,
    r: &[E::Scalar],
) -> (Commitment<E>, E::Scalar) {
    let n = r.len();
    let cs = powers(c, claims.len());
    let mut comm = Commitment::<E>::default();
    let mut value = E::Scalar::ZERO;
    for ((cl, e), cj) in claims.iter().zip(evals).zip(&cs) {
        comm = comm + cl.comm * *cj;
        value += *cj * l0(&r[..n - cl.point.len()]) * e;
    }
    (comm, value)
}

/// The opening's proof: the rounds, the tables' values at the end, the evaluation argument.
type Opening<E, EE> = (
    Rounds<E>,
    Vec<<E as Engine>::Scalar>,
    <EE as EvaluationEngineTrait<E>>::EvaluationArgument,
);

/// Proves the claims (with their tables `polys`, each of `2^{|point|}` entries).
/// Returns the rounds, the tables' values at the end, and the evaluation argument.
pub(crate) fn prove<E: Engine, EE: EvaluationEngineTrait<E>>(
    ck: &CommitmentKey<E>,
    pk: &EE::ProverKey,
    claims: &[OpenClaim<E>],
    polys: Vec<Vec<E::Scalar>>,
    tr: &mut E::TE,
) -> Result<Opening<E, EE>, NovaError> {
    let rho = tr.squeeze(b"rho")?;
    let weights = powers(rho, claims.len());
    let n = claims.iter().map(|c| c.point.len()).max().unwrap_or(0);
    let batch: Vec<Claim<E::Scalar, 2>> = claims
        .iter()
        .zip(&polys)
        .zip(&weights)
        .map(|((c, p), w)| Claim {
            polys: [EqPolynomial::evals_from_points(&c.point), p.clone()],
            claim: c.eval,
            weight: *w,
        })
        .collect();
    let (rounds, r, finals) = sumcheck::prove::<E, 2>(batch, 2, |p| p[0] * p[1], tr)?;
    let evals: Vec<E::Scalar> = finals.iter().map(|f| f[1]).collect();
    tr.absorb(b"l", &evals.as_slice());
    let c = tr.squeeze(b"cj")?;
    let (comm, value) = joint(claims, &evals, c, &r);
    let cs = powers(c, claims.len());
    let mut poly = vec![E::Scalar::ZERO; 1 << n];
    for (t, cj) in polys.iter().zip(&cs) {
        poly[..t.len()]
            .par_iter_mut()
            .zip(t.par_iter())
            .for_each(|(a, b)| *a += *cj * b);
    }
    let arg = EE::prove(ck, pk, tr, &comm, &poly, &r, &value)?;
    Ok((rounds, evals, arg))
}

/// Verifies the reduction and the evaluation argument for `claims`.
pub(crate) fn verify<E: Engine, EE: EvaluationEngineTrait<E>>(
    vk: &EE::VerifierKey,
    claims: &[OpenClaim<E>],
    rounds: &Rounds<E>,
    evals: &[E::Scalar],
    arg: &EE::EvaluationArgument,
    tr: &mut E::TE,
) -> Result<(), NovaError> {
    if evals.len() != claims.len() || claims.is_empty() {
        return Err(NovaError::InvalidInputLength);
    }
    let rho = tr.squeeze(b"rho")?;
    let weights = powers(rho, claims.len());
    let n = claims.iter().map(|c| c.point.len()).max().unwrap_or(0);
    let start = batched_claim(
        claims
            .iter()
            .zip(&weights)
            .map(|(c, w)| (*w, c.point.len(), c.eval)),
        n,
    );
    let (e, r) = sumcheck::verify::<E>(start, n, 2, rounds, tr)?;
    let expected: E::Scalar = claims
        .iter()
        .zip(evals)
        .zip(&weights)
        .map(|((c, v), w)| {
            let at = &r[n - c.point.len()..];
            *w * EqPolynomial::new(c.point.clone()).evaluate(at) * v
        })
        .sum();
    if e != expected {
        return Err(NovaError::InvalidSumcheckProof);
    }
    tr.absorb(b"l", &evals);
    let c = tr.squeeze(b"cj")?;
    let (comm, value) = joint(claims, evals, c, &r);
    EE::verify(vk, tr, &comm, &r, &value, arg)
}
