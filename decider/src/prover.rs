//! The decider's prover (docs/protocol.md §4, prover steps 1–3).

use crate::error::DeciderError;
use crate::keys::{slot_shapes, DeciderKey};
use crate::proof::{CompactProof, SlotBlind};
use crate::slot::is_default;
use crate::spartan::BatchSnark;
use canopy_folding::{encoding::to_int, Accumulator, CommitmentKey, PublicParams, E1, E2, F1};
use ff::Field;
use nova_snark::{
    nova::nifs::{NIFSRelaxed, NIFS},
    r1cs::{R1CSShape, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::{commitment::CommitmentEngineTrait, Engine, ROConstants},
};

/// How often a random secondary instance with u ≥ p is redrawn (probability ≈ 2^−127 each).
const MAX_REDRAWS: usize = 8;

/// The public data one slot's blinding needs.
struct SlotCtx<'a, E: Engine> {
    ck: &'a CommitmentKey<E>,
    shape: &'a R1CSShape<E>,
    ro: &'a ROConstants<E>,
    digest: E::Scalar,
}

/// A blinded, derandomised slot: its blinding and the pair the SNARK proves.
type Blinded<E> = (SlotBlind<E>, RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>);

/// Blinds (U, W) by a relaxed fold with a fresh random satisfying pair and removes the
/// commitment blinds of the folded witness.
fn blind_slot<E: Engine>(
    c: &SlotCtx<'_, E>,
    u: &RelaxedR1CSInstance<E>,
    w: &RelaxedR1CSWitness<E>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool,
) -> Result<Blinded<E>, DeciderError> {
    let mut drawn = c.shape.sample_random_instance_witness(c.ck)?;
    for _ in 0..MAX_REDRAWS {
        if accept(&drawn.0) {
            break;
        }
        drawn = c.shape.sample_random_instance_witness(c.ck)?;
    }
    let (ur, wr) = drawn;
    if !accept(&ur) {
        return Err(DeciderError::InvalidInput(
            "no acceptable random instance".into(),
        ));
    }
    let (nifs, (un, wn)) = NIFSRelaxed::prove(c.ck, c.ro, &c.digest, c.shape, u, w, &ur, &wr)?;
    let (wd, blind_w, blind_e) = wn.derandomize();
    let ud = un.derandomize(&E::CE::derand_key(c.ck), &blind_w, &blind_e);
    let blind = SlotBlind {
        random: ur,
        nifs,
        blind_w,
        blind_e,
    };
    Ok((blind, ud, wd))
}

/// Blinds every non-default slot but `unproven` and proves the blinded ones with one batched
/// SNARK.
#[allow(clippy::type_complexity)]
fn prove_curve<E: Engine, S: BatchSnark<E>>(
    c: (&CommitmentKey<E>, &ROConstants<E>, E::Scalar),
    shapes: &[&R1CSShape<E>],
    snark: (&CommitmentKey<E>, &S::ProverKey),
    slots: &[(RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>)],
    unproven: Option<usize>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool + Copy,
) -> Result<(Vec<Option<SlotBlind<E>>>, Option<S>), DeciderError> {
    let t = std::time::Instant::now();
    let mut blinds = Vec::with_capacity(slots.len());
    let (mut idx, mut us, mut ws) = (Vec::new(), Vec::new(), Vec::new());
    for (j, (u, w)) in slots.iter().enumerate() {
        if is_default(u) || unproven == Some(j) {
            blinds.push(None);
            continue;
        }
        let ctx = SlotCtx {
            ck: c.0,
            shape: shapes[j],
            ro: c.1,
            digest: c.2,
        };
        let (b, ud, wd) = blind_slot(&ctx, u, w, accept)?;
        blinds.push(Some(b));
        idx.push(j);
        us.push(ud);
        ws.push(wd);
    }
    let blind_secs = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let snark = if idx.is_empty() {
        None
    } else {
        Some(S::prove(snark.0, snark.1, shapes, &idx, &us, &ws)?)
    };
    tracing::info!(
        slots = ?idx,
        blind_secs,
        snark_secs = t.elapsed().as_secs_f64(),
        "proved a curve's slots"
    );
    Ok((blinds, snark))
}

/// A secondary random instance must have u < p, so that nova-snark's transcript (which
/// absorbs u reduced into F1) binds it exactly; see the crate docs.
pub(crate) fn secondary_u_ok(u: &RelaxedR1CSInstance<E2>) -> bool {
    let p = to_int(&-F1::ONE) + 1u32;
    to_int(&u.u()) < p
}

/// Compresses a root accumulator into a [`CompactProof`].
///
/// Steps: fold u' into U'[κ] (NIFS); for every slot that is not exactly the default
/// instance, fold it with a random satisfying instance (NIFSRelaxed) and derandomise it;
/// prove all of a curve's derandomised slots with one batched Spartan. The accumulator is not re-verified here (call
/// [`Accumulator::verify`] first if it comes from an untrusted source: a false accumulator
/// only yields a proof that does not verify).
pub fn prove<S1, S2>(
    pp: &PublicParams,
    dk: &DeciderKey<S1, S2>,
    acc: &Accumulator,
) -> Result<CompactProof<S1, S2>, DeciderError>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    let _span = tracing::info_span!("decider_prove", n = acc.num_steps()).entered();
    if pp.digest() != dk.vk.digest || acc.digest() != dk.vk.digest {
        return Err(DeciderError::InvalidInput(
            "accumulator, parameters and decider key disagree on the parameter digest".into(),
        ));
    }
    // Slots: U[0..m) and U[m] (PM), U'[0] (S') and U'[1] (SM); a leaf has DEFAULT merge
    // slots, which need no SNARK.
    let (shapes1, shapes2) = slot_shapes(pp);
    let m = pp.num_circuits();
    let mut primary = acc.running_instances().to_vec();
    let mut primary_w = acc.running_witnesses().to_vec();
    primary.push(
        acc.merge_instance()
            .cloned()
            .unwrap_or_else(|| RelaxedR1CSInstance::default(pp.ck_primary(), shapes1[m])),
    );
    primary_w.push(
        acc.merge_witness()
            .cloned()
            .unwrap_or_else(|| RelaxedR1CSWitness::default(shapes1[m])),
    );
    let secondary = vec![
        acc.secondary_running_instance().clone(),
        acc.secondary_merge_instance()
            .cloned()
            .unwrap_or_else(|| RelaxedR1CSInstance::default(pp.ck_secondary(), shapes2[1])),
    ];
    let secondary_w = [
        acc.secondary_running_witness().clone(),
        acc.secondary_merge_witness()
            .cloned()
            .unwrap_or_else(|| RelaxedR1CSWitness::default(shapes2[1])),
    ];
    let kappa = usize::from(acc.last_kind());
    if primary.len() != dk.vk.primary_io.len()
        || secondary.len() != dk.vk.secondary_io.len()
        || kappa > 1
    {
        return Err(DeciderError::InvalidInput(
            "number of running instances differs from the decider key".into(),
        ));
    }

    // 1. fold u' into U'[κ]
    let ro2 = ROConstants::<E2>::default();
    let (nifs, (uf, wf)) = NIFS::prove(
        pp.ck_secondary(),
        &ro2,
        &pp.digest_secondary(),
        shapes2[kappa],
        &secondary[kappa],
        &secondary_w[kappa],
        acc.last_instance(),
        acc.last_witness(),
    )?;
    let mut folded: Vec<(RelaxedR1CSInstance<E2>, RelaxedR1CSWitness<E2>)> =
        secondary.iter().cloned().zip(secondary_w).collect();
    folded[kappa] = (uf, wf);

    // 2–3. blind every non-default slot (but a leaf's merge slots: a leaf only carries them,
    // so its statement does not depend on them, docs/protocol.md §4); one batched SNARK per
    // curve
    let merge_slot = |j: usize| (kappa == 0).then_some(j);
    let ro1 = ROConstants::<E1>::default();
    let primary_pairs: Vec<_> = primary.iter().cloned().zip(primary_w).collect();
    let (primary_blinds, primary_snark) = {
        let _s = tracing::debug_span!("primary_slots").entered();
        prove_curve::<E1, S1>(
            (pp.ck_primary(), &ro1, pp.digest()),
            &shapes1,
            (&dk.ck1, &dk.pk1),
            &primary_pairs,
            merge_slot(m),
            |_| true,
        )?
    };
    let (secondary_blinds, secondary_snark) = {
        let _s = tracing::debug_span!("secondary_slots").entered();
        prove_curve::<E2, S2>(
            (pp.ck_secondary(), &ro2, pp.digest_secondary()),
            &shapes2,
            (&dk.ck2, &dk.pk2),
            &folded,
            merge_slot(1),
            secondary_u_ok,
        )?
    };
    let (rho1, rho2) = acc.blinds();
    Ok(CompactProof {
        primary,
        secondary,
        kappa: kappa as u8,
        last: acc.last_instance().clone(),
        rho1,
        rho2,
        nifs,
        primary_blinds,
        secondary_blinds,
        primary_snark,
        secondary_snark,
    })
}
