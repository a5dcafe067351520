//! The verifier of [`super::BatchSpartan`] (steps 1–4 of the module docs).

use super::opening::{self, OpenClaim};
use super::prove::{log_size, support_points};
use super::segment::{Layout, SegmentedInstance};
use super::sumcheck::{self, batched_claim};
use super::{check_segments, check_slots, start_transcript, BatchSpartan, VerifierKey};
use ff::Field;
use nova_snark::{
    errors::NovaError,
    r1cs::{R1CSShape, SparseMatrix},
    spartan::polys::{eq::EqPolynomial, multilinear::SparsePolynomial},
    traits::{evaluation::EvaluationEngineTrait, Engine, TranscriptEngineTrait},
};
use rayon::prelude::*;

/// `Σ_{(row, col, v) ∈ M} tx[row]·ty[col]·v`, or `None` if an entry lies outside the
/// tables (a malformed key).
fn eval_matrix<F: ff::PrimeField>(m: &SparseMatrix<F>, tx: &[F], ty: &[F]) -> Option<F> {
    if m.indptr.len() != tx.len() + 1 {
        return None;
    }
    m.indptr
        .par_windows(2)
        .enumerate()
        .map(|(row, w)| {
            let (lo, hi) = (w[0], w[1]);
            let vals = m.data.get(lo..hi)?;
            let cols = m.indices.get(lo..hi)?;
            let mut s = F::ZERO;
            for (v, c) in vals.iter().zip(cols) {
                s += *ty.get(*c)? * v;
            }
            Some(s * tx[row])
        })
        .sum()
}

/// `(A + r·B + r²·C)(rx, ry)` of a padded shape.
fn eval_abc<E: Engine>(
    s: &R1CSShape<E>,
    rx: &[E::Scalar],
    ry: &[E::Scalar],
    r: E::Scalar,
) -> Option<E::Scalar> {
    let (tx, ty) = rayon::join(
        || EqPolynomial::evals_from_points(rx),
        || EqPolynomial::evals_from_points(ry),
    );
    let a = eval_matrix(s.A(), &tx, &ty)?;
    let b = eval_matrix(s.B(), &tx, &ty)?;
    let c = eval_matrix(s.C(), &tx, &ty)?;
    Some(a + r * b + r * r * c)
}

pub(crate) fn verify<E: Engine, EE: EvaluationEngineTrait<E>>(
    proof: &BatchSpartan<E, EE>,
    vk: &VerifierKey<E, EE>,
    slots: &[usize],
    us: &[SegmentedInstance<E>],
) -> Result<(), NovaError> {
    check_slots(slots, vk.shapes.len(), us.len())?;
    check_segments(&vk.layouts, slots, us)?;
    let k = slots.len();
    let layouts: Vec<Layout> = slots.iter().map(|&s| vk.layouts[s]).collect();
    let num_w: usize = layouts.iter().map(|l| l.segments()).sum();
    // (the opening checks that it has one value per claim)
    if proof.claims_outer.len() != k || proof.evals_w.len() != num_w {
        return Err(NovaError::InvalidInputLength);
    }
    let shapes: Vec<&R1CSShape<E>> = slots.iter().map(|&s| &vk.shapes[s]).collect();
    let nv = shapes
        .iter()
        .map(|s| log_size(s))
        .collect::<Result<Vec<_>, _>>()?;
    for ((u, s), (l, n)) in us.iter().zip(&shapes).zip(layouts.iter().zip(&nv)) {
        // (u, X) must fit in the lower half of z's second half (the public part's evaluation)
        if u.x.len() != s.num_io() || 2 * (s.num_io() + 1) > s.num_vars() || !l.fits(*n) {
            return Err(NovaError::InvalidInputLength);
        }
    }
    let n = nv.iter().copied().max().unwrap_or(0);

    let (mut tr, tau, alpha) = start_transcript::<E>(&vk.digest, slots, us, n)?;

    // outer zero-check
    let (e, r_x) = sumcheck::verify::<E>(E::Scalar::ZERO, n, 3, &proof.outer, &mut tr)?;
    let expected: E::Scalar = (0..k)
        .map(|i| {
            let [az, bz, cz, ev] = proof.claims_outer[i];
            let eq = EqPolynomial::new(tau[n - nv[i]..].to_vec()).evaluate(&r_x[n - nv[i]..]);
            alpha[i] * eq * (az * bz - us[i].u * cz - ev)
        })
        .sum();
    if e != expected {
        return Err(NovaError::InvalidSumcheckProof);
    }
    let flat: Vec<E::Scalar> = proof.claims_outer.iter().flatten().copied().collect();
    tr.absorb(b"claims_outer", &flat.as_slice());

    // inner sum-check
    let r = tr.squeeze(b"r")?;
    let beta = (0..k)
        .map(|_| tr.squeeze(b"b"))
        .collect::<Result<Vec<_>, _>>()?;
    let ny = n + 1;
    let start = batched_claim(
        (0..k).map(|i| {
            let [az, bz, cz, _] = proof.claims_outer[i];
            (beta[i], nv[i] + 1, az + r * bz + r * r * cz)
        }),
        ny,
    );
    let (e, r_y) = sumcheck::verify::<E>(start, ny, 2, &proof.inner, &mut tr)?;
    // each instance's segment values, in order
    let mut seg_evals = Vec::with_capacity(k);
    let mut at = 0;
    for l in &layouts {
        seg_evals.push(&proof.evals_w[at..at + l.segments()]);
        at += l.segments();
    }
    let mut expected = E::Scalar::ZERO;
    for i in 0..k {
        let ry = &r_y[ny - nv[i] - 1..];
        let rx = &r_x[n - nv[i]..];
        let io: Vec<E::Scalar> = std::iter::once(us[i].u)
            .chain(us[i].x.iter().copied())
            .collect();
        let eval_io = SparsePolynomial::new(nv[i], io).evaluate(&ry[1..]);
        let eval_w = layouts[i].combine(&ry[1..], seg_evals[i]);
        let z = (E::Scalar::ONE - ry[0]) * eval_w + ry[0] * eval_io;
        let m = eval_abc(shapes[i], rx, ry, r).ok_or(NovaError::InvalidInputLength)?;
        expected += beta[i] * m * z;
    }
    if e != expected {
        return Err(NovaError::InvalidSumcheckProof);
    }
    tr.absorb(b"w", &proof.evals_w.as_slice());
    let support = support_points::<E>(&layouts, &nv, &mut tr)?;

    // the opening
    let mut claims: Vec<OpenClaim<E>> = Vec::with_capacity(num_w + 2 * k);
    for i in 0..k {
        let points = layouts[i].points(&r_y[ny - nv[i]..]);
        for ((c, p), v) in us[i].comm_w.iter().zip(points).zip(seg_evals[i]) {
            claims.push(OpenClaim {
                comm: *c,
                point: p,
                eval: *v,
            });
        }
        claims.push(OpenClaim {
            comm: us[i].comm_e,
            point: r_x[n - nv[i]..].to_vec(),
            eval: proof.claims_outer[i][3],
        });
        if let Some(p) = &support[i] {
            claims.push(OpenClaim {
                comm: us[i].comm_w[1],
                point: p.clone(),
                eval: E::Scalar::ZERO,
            });
        }
    }
    opening::verify::<E, EE>(
        &vk.vk_ee,
        &claims,
        &proof.opening,
        &proof.evals_open,
        &proof.arg,
        &mut tr,
    )
}
