//! The batched sum-check: several claims of different sizes proven in one run.
//!
//! Claim i is `Σ_{x ∈ {0,1}^{v_i}} f(P_1(x), …, P_Q(x)) = c_i` over multilinear tables
//! `P_q` of `2^{v_i}` entries. With `n = max v_i` the run proves the single claim
//! `Σ_{x ∈ {0,1}^n} Σ_i w_i·f_i(x[n − v_i..]) = Σ_i w_i·2^{n − v_i}·c_i`: claim i is a
//! function of the **last** `v_i` variables only, so it takes part in the last `v_i`
//! rounds and is never padded to the largest size. Before it joins, its part of the
//! round polynomial is the constant `2^{rem − 1 − v_i}·c_i` (`rem` = variables left,
//! this round's included). Variables are bound top (most significant) first, as in
//! nova-snark's `MultilinearPolynomial::bind_poly_var_top`, so the point of claim i is
//! `r[n − v_i..]` in nova-snark's evaluation order.
//!
//! On the wire a round polynomial of degree d is `[c_0, c_2, …, c_d]`; the verifier
//! recovers `c_1` from the running claim (`s(0) + s(1) = e`), so a round cannot disagree
//! with the claim. The transcript absorbs the full coefficient vector.

use ff::Field;
use nova_snark::{
    errors::NovaError,
    spartan::polys::univariate::UniPoly,
    traits::{Engine, TranscriptEngineTrait},
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The round polynomials of one sum-check, each without its linear coefficient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Rounds<E: Engine>(pub(crate) Vec<Vec<E::Scalar>>);

/// One claim for the prover: Q tables of equal power-of-two length, the claimed sum and
/// the claim's weight in the batch.
pub(crate) struct Claim<F, const Q: usize> {
    pub polys: [Vec<F>; Q],
    pub claim: F,
    pub weight: F,
}

/// `2^e` in the field.
pub(crate) fn pow2<F: Field>(e: usize) -> F {
    (0..e).fold(F::ONE, |a, _| a.double())
}

/// The number of variables of a table of `len` entries (a power of two).
fn vars(len: usize) -> usize {
    len.trailing_zeros() as usize
}

/// The evaluations at t = 0..=degree of `Σ_j f(P(t, j))`, where `P(t, j)` binds the top
/// variable of every table to t.
fn round_evals<F: Field, const Q: usize>(
    polys: &[Vec<F>; Q],
    degree: usize,
    f: &(impl Fn(&[F; Q]) -> F + Sync),
) -> Vec<F> {
    let half = polys[0].len() / 2;
    (0..half)
        .into_par_iter()
        .fold(
            || vec![F::ZERO; degree + 1],
            |mut acc, j| {
                let mut cur: [F; Q] = std::array::from_fn(|q| polys[q][j]);
                let diff: [F; Q] = std::array::from_fn(|q| polys[q][j + half] - polys[q][j]);
                acc[0] += f(&cur);
                for a in acc.iter_mut().skip(1) {
                    for q in 0..Q {
                        cur[q] += diff[q];
                    }
                    *a += f(&cur);
                }
                acc
            },
        )
        .reduce(
            || vec![F::ZERO; degree + 1],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Binds the top variable of a table to r (the table halves).
fn bind_top<F: Field>(p: &mut Vec<F>, r: F) {
    let half = p.len() / 2;
    let (lo, hi) = p.split_at_mut(half);
    lo.par_iter_mut()
        .zip(hi.par_iter())
        .for_each(|(a, b)| *a += r * (*b - *a));
    p.truncate(half);
}

/// The initial claim of a batch: `Σ_i w_i·2^{n − v_i}·c_i` for claims `(w_i, v_i, c_i)`.
pub(crate) fn batched_claim<F: Field>(claims: impl Iterator<Item = (F, usize, F)>, n: usize) -> F {
    claims.map(|(w, v, c)| w * pow2::<F>(n - v) * c).sum()
}

/// What a batched sum-check proof ends with: the rounds, the challenges and, per claim,
/// its tables' values at its point.
pub(crate) type Proven<E, const Q: usize> = (
    Rounds<E>,
    Vec<<E as Engine>::Scalar>,
    Vec<[<E as Engine>::Scalar; Q]>,
);

/// Proves a batch of claims of degree `degree` in f. Returns the rounds, the challenges
/// `r` (length `n = max v_i`) and, per claim, its tables' values at `r[n − v_i..]`.
pub(crate) fn prove<E: Engine, const Q: usize>(
    mut claims: Vec<Claim<E::Scalar, Q>>,
    degree: usize,
    f: impl Fn(&[E::Scalar; Q]) -> E::Scalar + Sync,
    tr: &mut E::TE,
) -> Result<Proven<E, Q>, NovaError> {
    let v: Vec<usize> = claims.iter().map(|c| vars(c.polys[0].len())).collect();
    let n = v.iter().copied().max().unwrap_or(0);
    let mut rounds = Vec::with_capacity(n);
    let mut r = Vec::with_capacity(n);
    for k in 0..n {
        let rem = n - k;
        let parts: Vec<Vec<E::Scalar>> = claims
            .par_iter()
            .zip(&v)
            .map(|(c, &vi)| {
                if vi >= rem {
                    round_evals(&c.polys, degree, &f)
                } else {
                    vec![pow2::<E::Scalar>(rem - 1 - vi) * c.claim; degree + 1]
                }
            })
            .collect();
        let mut evals = vec![E::Scalar::ZERO; degree + 1];
        for (c, s) in claims.iter().zip(parts) {
            for (e, x) in evals.iter_mut().zip(s) {
                *e += c.weight * x;
            }
        }
        let mut coeffs = UniPoly::from_evals(&evals).coeffs().to_vec();
        coeffs.resize(degree + 1, E::Scalar::ZERO);
        tr.absorb(b"p", &coeffs.as_slice());
        let x = tr.squeeze(b"c")?;
        let mut wire = vec![coeffs[0]];
        wire.extend_from_slice(&coeffs[2..]);
        rounds.push(wire);
        r.push(x);
        claims
            .par_iter_mut()
            .zip(&v)
            .filter(|(_, &vi)| vi >= rem)
            .for_each(|(c, _)| {
                for p in c.polys.iter_mut() {
                    bind_top(p, x);
                }
            });
    }
    let finals = claims
        .iter()
        .map(|c| std::array::from_fn(|q| c.polys[q][0]))
        .collect();
    Ok((Rounds(rounds), r, finals))
}

/// Verifies `n` rounds of degree `degree` from the claim `e`. Returns the final claim and
/// the challenges. A round of the wrong length, or the wrong number of rounds, is an error
/// (never a panic).
pub(crate) fn verify<E: Engine>(
    claim: E::Scalar,
    n: usize,
    degree: usize,
    rounds: &Rounds<E>,
    tr: &mut E::TE,
) -> Result<(E::Scalar, Vec<E::Scalar>), NovaError> {
    if rounds.0.len() != n || degree == 0 {
        return Err(NovaError::InvalidSumcheckProof);
    }
    let mut e = claim;
    let mut r = Vec::with_capacity(n);
    for p in &rounds.0 {
        if p.len() != degree {
            return Err(NovaError::InvalidSumcheckProof);
        }
        let c0 = p[0];
        let high: E::Scalar = p[1..].iter().copied().sum();
        let c1 = e - c0.double() - high;
        let mut coeffs = Vec::with_capacity(degree + 1);
        coeffs.push(c0);
        coeffs.push(c1);
        coeffs.extend_from_slice(&p[1..]);
        tr.absorb(b"p", &coeffs.as_slice());
        let x = tr.squeeze(b"c")?;
        e = coeffs
            .iter()
            .rev()
            .fold(E::Scalar::ZERO, |acc, c| acc * x + c);
        r.push(x);
    }
    Ok((e, r))
}
