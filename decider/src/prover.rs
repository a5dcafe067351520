//! The decider's prover (docs/protocol.md §4, prover steps 1–3).

use crate::error::DeciderError;
use crate::keys::{slot_shapes, DeciderKey};
use crate::proof::{CompactProof, SlotProof};
use crate::slot::is_default;
use canopy_folding::{encoding::to_int, Accumulator, CommitmentKey, PublicParams, E1, E2, F1};
use ff::Field;
use nova_snark::{
    nova::nifs::{NIFSRelaxed, NIFS},
    r1cs::{R1CSShape, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::{
        commitment::CommitmentEngineTrait, snark::RelaxedR1CSSNARKTrait, Engine, ROConstants,
    },
};

/// How often a random secondary instance with u ≥ p is redrawn (probability ≈ 2^−127 each).
const MAX_REDRAWS: usize = 8;

/// The public data one SNARK needs: keys, shape, transcript constants.
struct SlotCtx<'a, E: Engine, S: RelaxedR1CSSNARKTrait<E>> {
    ck: &'a CommitmentKey<E>,
    ck_snark: &'a CommitmentKey<E>,
    pk: &'a S::ProverKey,
    shape: &'a R1CSShape<E>,
    ro: &'a ROConstants<E>,
    digest: E::Scalar,
}

/// Blinds (U, W) by a relaxed fold with a fresh random satisfying pair, removes the
/// commitment blinds of the folded witness and proves the result with the SNARK.
fn prove_slot<E: Engine, S: RelaxedR1CSSNARKTrait<E>>(
    c: &SlotCtx<'_, E, S>,
    u: &RelaxedR1CSInstance<E>,
    w: &RelaxedR1CSWitness<E>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool,
) -> Result<SlotProof<E, S>, DeciderError> {
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
    let snark = S::prove(c.ck_snark, c.pk, c.shape, &ud, &wd)?;
    Ok(SlotProof {
        random: ur,
        nifs,
        blind_w,
        blind_e,
        snark,
    })
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
/// instance, fold it with a random satisfying instance (NIFSRelaxed), derandomise and prove
/// it with Spartan. The accumulator is not re-verified here (call
/// [`Accumulator::verify`] first if it comes from an untrusted source: a false accumulator
/// only yields a proof that does not verify).
pub fn prove<S1, S2>(
    pp: &PublicParams,
    dk: &DeciderKey<S1, S2>,
    acc: &Accumulator,
) -> Result<CompactProof<S1, S2>, DeciderError>
where
    S1: RelaxedR1CSSNARKTrait<E1>,
    S2: RelaxedR1CSSNARKTrait<E2>,
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
    if primary.len() != dk.pk1.len() || secondary.len() != dk.pk2.len() || kappa > 1 {
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

    // 2–3. blind and prove every non-default slot
    let ro1 = ROConstants::<E1>::default();
    let mut primary_proofs = Vec::with_capacity(primary.len());
    for (j, (u, w)) in primary.iter().zip(&primary_w).enumerate() {
        if is_default(u) {
            primary_proofs.push(None);
            continue;
        }
        let _s = tracing::debug_span!("slot", primary = j).entered();
        let c = SlotCtx::<E1, S1> {
            ck: pp.ck_primary(),
            ck_snark: &dk.ck1,
            pk: &dk.pk1[j],
            shape: shapes1[j],
            ro: &ro1,
            digest: pp.digest(),
        };
        primary_proofs.push(Some(prove_slot(&c, u, w, |_| true)?));
    }
    let mut secondary_proofs = Vec::with_capacity(folded.len());
    for (t, (u, w)) in folded.iter().enumerate() {
        if is_default(u) {
            secondary_proofs.push(None);
            continue;
        }
        let _s = tracing::debug_span!("slot", secondary = t).entered();
        let c = SlotCtx::<E2, S2> {
            ck: pp.ck_secondary(),
            ck_snark: &dk.ck2,
            pk: &dk.pk2[t],
            shape: shapes2[t],
            ro: &ro2,
            digest: pp.digest_secondary(),
        };
        secondary_proofs.push(Some(prove_slot(&c, u, w, secondary_u_ok)?));
    }
    let (rho1, rho2) = acc.blinds();
    Ok(CompactProof {
        primary,
        secondary,
        kappa: kappa as u8,
        last: acc.last_instance().clone(),
        rho1,
        rho2,
        nifs,
        primary_proofs,
        secondary_proofs,
    })
}
