//! The prover of [`super::BatchSpartan`] (steps 1–4 of the module docs).

use super::opening::{self, OpenClaim};
use super::segment::{Layout, SegmentedInstance};
use super::sumcheck::{self, Claim};
use super::{check_segments, check_slots, start_transcript, BatchSpartan, ProverKey};
use canopy_folding::CommitmentKey;
use ff::Field;
use nova_snark::{
    errors::NovaError,
    r1cs::{R1CSShape, RelaxedR1CSWitness},
    spartan::{
        compute_eval_table_sparse,
        polys::{eq::EqPolynomial, multilinear::MultilinearPolynomial},
    },
    traits::{evaluation::EvaluationEngineTrait, Engine, TranscriptEngineTrait},
};
use rayon::prelude::*;

/// log2 of a padded shape's size (constraints = variables, a power of two).
pub(crate) fn log_size<E: Engine>(s: &R1CSShape<E>) -> Result<usize, NovaError> {
    let n = s.num_cons();
    if !n.is_power_of_two() || s.num_vars() != n || s.num_io() >= n {
        return Err(NovaError::InvalidInputLength);
    }
    Ok(n.trailing_zeros() as usize)
}

/// The support claims' points, one per split instance: `(0^{n_i − a}, ρ)` with ρ ∈ F^a
/// squeezed after the witness evaluations (see [`super::segment`]).
pub(crate) fn support_points<E: Engine>(
    layouts: &[Layout],
    nv: &[usize],
    tr: &mut E::TE,
) -> Result<Vec<Option<Vec<E::Scalar>>>, NovaError> {
    layouts
        .iter()
        .zip(nv)
        .map(|(l, &n)| match l {
            Layout::Whole => Ok(None),
            Layout::Split { log_prefix } => {
                let mut p = vec![E::Scalar::ZERO; n - log_prefix];
                for _ in 0..*log_prefix {
                    p.push(tr.squeeze(b"sup")?);
                }
                Ok(Some(p))
            }
        })
        .collect()
}

/// Each instance's segment tables, or `None` for the ones its layout cuts from W.
pub(crate) type SegmentTables<F> = Option<Vec<Vec<Vec<F>>>>;

pub(crate) fn prove<E: Engine, EE: EvaluationEngineTrait<E>>(
    ck: &CommitmentKey<E>,
    pk: &ProverKey<E, EE>,
    shapes: &[&R1CSShape<E>],
    slots: &[usize],
    us: &[SegmentedInstance<E>],
    ws: &[RelaxedR1CSWitness<E>],
    given: SegmentTables<E::Scalar>,
) -> Result<BatchSpartan<E, EE>, NovaError> {
    let started = std::time::Instant::now();
    check_slots(slots, shapes.len(), us.len())?;
    check_segments(&pk.layouts, slots, us)?;
    let layouts: Vec<Layout> = slots.iter().map(|&s| pk.layouts[s]).collect();
    if ws.len() != us.len() {
        return Err(NovaError::InvalidInputLength);
    }
    let k = slots.len();
    let padded: Vec<R1CSShape<E>> = slots.par_iter().map(|&s| shapes[s].pad()).collect();
    let nv = padded.iter().map(log_size).collect::<Result<Vec<_>, _>>()?;
    let n = nv.iter().copied().max().unwrap_or(0);
    let wp: Vec<RelaxedR1CSWitness<E>> = ws.iter().zip(&padded).map(|(w, s)| w.pad(s)).collect();

    let (mut tr, tau, alpha) = start_transcript::<E>(&pk.digest, slots, us, n)?;

    // outer zero-check
    let mut outer_claims = Vec::with_capacity(k);
    let mut cz_tables = Vec::with_capacity(k);
    for i in 0..k {
        let (u, w) = (&us[i], &wp[i]);
        if u.x.len() != padded[i].num_io() || w.W().len() != 1 << nv[i] || !layouts[i].fits(nv[i]) {
            return Err(NovaError::InvalidInputLength);
        }
        let z = [w.W(), &[u.u], &u.x].concat();
        // plain sparse products: the shape's own `multiply_vec` would first build its SpMV
        // accelerators, which for a freshly padded 2^18 shape cost seconds
        let s = &padded[i];
        if [s.A(), s.B(), s.C()].iter().any(|m| m.cols != z.len()) {
            return Err(NovaError::InvalidWitnessLength);
        }
        let (az, (bz, cz)) = rayon::join(
            || s.A().multiply_vec(&z),
            || rayon::join(|| s.B().multiply_vec(&z), || s.C().multiply_vec(&z)),
        );
        let ucz_e: Vec<E::Scalar> = cz
            .par_iter()
            .zip(w.E().par_iter())
            .map(|(c, e)| u.u * c + e)
            .collect();
        let eq = EqPolynomial::evals_from_points(&tau[n - nv[i]..]);
        outer_claims.push(Claim {
            polys: [eq, az, bz, ucz_e],
            claim: E::Scalar::ZERO,
            weight: alpha[i],
        });
        cz_tables.push(cz);
    }
    let (outer, r_x, finals) =
        sumcheck::prove::<E, 4>(outer_claims, 3, |p| p[0] * (p[1] * p[2] - p[3]), &mut tr)?;
    let claims_outer: Vec<[E::Scalar; 4]> = (0..k)
        .map(|i| {
            let rx = &r_x[n - nv[i]..];
            let cz = MultilinearPolynomial::evaluate_with(&cz_tables[i], rx);
            let e = MultilinearPolynomial::evaluate_with(wp[i].E(), rx);
            [finals[i][1], finals[i][2], cz, e]
        })
        .collect();
    drop(cz_tables);
    let flat: Vec<E::Scalar> = claims_outer.iter().flatten().copied().collect();
    tr.absorb(b"claims_outer", &flat.as_slice());

    // inner sum-check
    let r = tr.squeeze(b"r")?;
    let beta = (0..k)
        .map(|_| tr.squeeze(b"b"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut inner_claims = Vec::with_capacity(k);
    for i in 0..k {
        let evals_rx = EqPolynomial::evals_from_points(&r_x[n - nv[i]..]);
        let (a, b, c) = compute_eval_table_sparse(&padded[i], &evals_rx);
        let r2 = r * r;
        let m: Vec<E::Scalar> = a
            .par_iter()
            .zip(b.par_iter())
            .zip(c.par_iter())
            .map(|((a, b), c)| *a + r * b + r2 * c)
            .collect();
        let mut z = [wp[i].W(), &[us[i].u], &us[i].x].concat();
        z.resize(2 << nv[i], E::Scalar::ZERO);
        let [az, bz, cz, _] = claims_outer[i];
        inner_claims.push(Claim {
            polys: [m, z],
            claim: az + r * bz + r2 * cz,
            weight: beta[i],
        });
    }
    let (inner, r_y, _) = sumcheck::prove::<E, 2>(inner_claims, 2, |p| p[0] * p[1], &mut tr)?;
    let ny = n + 1;
    // the witness's segments at W's point r_y,i[1..]
    let mut evals_w = Vec::new();
    let mut seg_tables = Vec::with_capacity(k);
    for i in 0..k {
        let point = &r_y[ny - nv[i]..];
        let tables = match &given {
            Some(g) => g.get(i).cloned().ok_or(NovaError::InvalidInputLength)?,
            None => layouts[i].tables(wp[i].W()),
        };
        for (t, p) in tables.iter().zip(layouts[i].points(point)) {
            evals_w.push(MultilinearPolynomial::evaluate_with(t, &p));
        }
        seg_tables.push(tables);
    }
    tr.absorb(b"w", &evals_w.as_slice());
    let support = support_points::<E>(&layouts, &nv, &mut tr)?;

    // one opening: every segment of W_i at its point, E_i at r_x,i, the support claims
    let mut claims = Vec::with_capacity(3 * k);
    let mut tables = Vec::with_capacity(3 * k);
    let mut next = evals_w.iter();
    for (i, (w, segs)) in wp.into_iter().zip(seg_tables).enumerate() {
        let points = layouts[i].points(&r_y[ny - nv[i]..]);
        for ((c, p), t) in us[i].comm_w.iter().zip(points).zip(segs) {
            let eval = *next.next().ok_or(NovaError::InvalidInputLength)?;
            claims.push(OpenClaim {
                comm: *c,
                point: p,
                eval,
            });
            tables.push(t);
        }
        claims.push(OpenClaim {
            comm: us[i].comm_e,
            point: r_x[n - nv[i]..].to_vec(),
            eval: claims_outer[i][3],
        });
        tables.push(w.into_W_E().1);
        if let Some(p) = &support[i] {
            let aux = tables[tables.len() - 2].clone();
            claims.push(OpenClaim {
                comm: us[i].comm_w[1],
                point: p.clone(),
                eval: E::Scalar::ZERO,
            });
            tables.push(aux);
        }
    }
    let sumcheck_secs = started.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let (opening, evals_open, arg) =
        opening::prove::<E, EE>(ck, &pk.pk_ee, &claims, tables, &mut tr)?;
    tracing::debug!(
        sizes = ?nv,
        sumcheck_secs,
        opening_secs = t.elapsed().as_secs_f64(),
        "batched Spartan"
    );
    Ok(BatchSpartan {
        outer,
        claims_outer,
        inner,
        evals_w,
        opening,
        evals_open,
        arg,
    })
}
