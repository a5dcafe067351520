//! The decider's verifier (docs/protocol.md §4, verifier steps 1–4).

use crate::error::DeciderError;
use crate::keys::VerifierKey;
use crate::proof::{CompactProof, SlotBlind};
use crate::prover::secondary_u_ok;
use crate::slot::is_default;
use crate::spartan::BatchSnark;
use crate::statement::{primary_hash, secondary_hash, Statement};
use canopy_folding::{
    encoding::{switch_field, to_int},
    E1, E2, F2,
};
use nova_snark::{
    r1cs::RelaxedR1CSInstance,
    traits::{commitment::CommitmentEngineTrait, Engine, ROConstants},
};

fn reject<T>(why: impl Into<String>) -> Result<T, DeciderError> {
    Err(DeciderError::Rejected(why.into()))
}

/// Checks one slot's blinding: a default slot without blinding gives nothing to prove;
/// otherwise the relaxed fold with the revealed random instance, derandomised with the
/// revealed blinds, is the instance the batched SNARK must prove.
fn unblind_slot<E: Engine>(
    name: &str,
    num_io: usize,
    dk: &<E::CE as CommitmentEngineTrait<E>>::DerandKey,
    (ro, digest): (&ROConstants<E>, &E::Scalar),
    u: &RelaxedR1CSInstance<E>,
    blind: &Option<SlotBlind<E>>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool,
) -> Result<Option<RelaxedR1CSInstance<E>>, DeciderError> {
    let Some(p) = blind else {
        return if is_default(u) {
            Ok(None)
        } else {
            reject(format!(
                "{name}: no SNARK for a non-default running instance"
            ))
        };
    };
    if p.random.X().len() != num_io {
        return reject(format!("{name}: random instance has the wrong IO length"));
    }
    if !accept(&p.random) {
        return reject(format!("{name}: random instance out of range"));
    }
    let folded = p.nifs.verify(ro, digest, u, &p.random)?;
    Ok(Some(folded.derandomize(dk, &p.blind_w, &p.blind_e)))
}

/// Unblinds a curve's slots and verifies its batched SNARK over the proven ones.
#[allow(clippy::too_many_arguments)]
fn verify_curve<E: Engine, S: BatchSnark<E>>(
    curve: &str,
    io: &[usize],
    vk: &S::VerifierKey,
    dk: &<E::CE as CommitmentEngineTrait<E>>::DerandKey,
    ro: (&ROConstants<E>, &E::Scalar),
    slots: &[RelaxedR1CSInstance<E>],
    blinds: &[Option<SlotBlind<E>>],
    snark: &Option<S>,
    unproven: Option<usize>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool + Copy,
) -> Result<(), DeciderError> {
    let (mut idx, mut us) = (Vec::new(), Vec::new());
    for (j, ((u, b), n)) in slots.iter().zip(blinds).zip(io).enumerate() {
        if unproven == Some(j) && b.is_none() {
            continue; // a leaf root's merge slot, whatever it holds
        }
        if let Some(d) = unblind_slot(&format!("{curve}[{j}]"), *n, dk, ro, u, b, accept)? {
            idx.push(j);
            us.push(d);
        }
    }
    let t = std::time::Instant::now();
    let r = match (snark, idx.is_empty()) {
        (None, true) => Ok(()),
        (Some(p), false) => p
            .verify(vk, &idx, &us)
            .map_err(|e| DeciderError::Rejected(format!("{curve}: SNARK: {e}"))),
        (None, false) => reject(format!("{curve}: proven slots but no SNARK")),
        (Some(_), true) => reject(format!("{curve}: a SNARK but no proven slot")),
    };
    tracing::debug!(
        curve,
        slots = idx.len(),
        snark_secs = t.elapsed().as_secs_f64(),
        accepted = r.is_ok(),
        "verified a curve's batch"
    );
    r
}

/// Verifies a compact proof of `statement` under the verifier key.
///
/// Checks, in order: n ≥ 1 and the arities; the number of slots and every IO length
/// against the key; κ names a secondary slot; `u'.X = (h, g)` as integers, with h and g
/// recomputed from the statement, the revealed instances, the blinds and the key's pp (so
/// u'.X < 2^250); the NIFS fold of u' into U'[κ] (computed here, never taken from the
/// proof); for each slot, either it is exactly the default instance and has no blinding,
/// or its fold with the revealed random instance, derandomised, is one of the instances
/// the curve's batched SNARK proves. The SNARK checks every length against the key before
/// using it; a panic inside nova-snark on malformed input (an evaluation argument) is
/// caught and reported as a rejection.
pub fn verify<S1, S2>(
    vk: &VerifierKey<S1, S2>,
    statement: &Statement,
    proof: &CompactProof<S1, S2>,
) -> Result<(), DeciderError>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    let _span = tracing::info_span!("decider_verify").entered();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        verify_inner(vk, statement, proof)
    })) {
        Ok(r) => r,
        Err(_) => reject("malformed proof (the SNARK verifier panicked)"),
    }
}

fn verify_inner<S1, S2>(
    vk: &VerifierKey<S1, S2>,
    st: &Statement,
    proof: &CompactProof<S1, S2>,
) -> Result<(), DeciderError>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    // 1. shapes of the statement and of the proof
    if st.num_steps == 0 {
        return reject("n = 0");
    }
    if st.z0.len() != vk.arity || st.z.len() != vk.arity {
        return reject("arity of z0 or z");
    }
    if proof.primary.len() != vk.primary_io.len()
        || proof.primary_blinds.len() != vk.primary_io.len()
    {
        return reject("number of primary running instances");
    }
    if proof.secondary.len() != vk.secondary_io.len()
        || proof.secondary_blinds.len() != vk.secondary_io.len()
    {
        return reject("number of secondary running instances");
    }
    for (u, n) in proof.primary.iter().zip(&vk.primary_io) {
        if u.X().len() != *n {
            return reject("IO length of a primary running instance");
        }
    }
    for (u, n) in proof.secondary.iter().zip(&vk.secondary_io) {
        if u.X().len() != *n {
            return reject("IO length of a secondary running instance");
        }
    }
    let kappa = proof.kappa as usize;
    if kappa >= vk.secondary_io.len() {
        return reject("κ names no secondary slot");
    }
    if proof.last.X().len() != 2 || vk.secondary_io[kappa] != 2 {
        return reject("u' must have two public values");
    }

    // 2. u'.X = (h, g)
    let digest2: F2 = switch_field(&vk.digest)?;
    let h = primary_hash(&vk.consts, vk.digest, st, &proof.secondary, proof.rho1);
    let g = secondary_hash(&vk.consts, digest2, vk.m, &proof.primary, proof.rho2);
    if to_int(&proof.last.X()[0]) != to_int(&h) {
        return reject("u'.X0 is not the state hash h of the statement");
    }
    if to_int(&proof.last.X()[1]) != to_int(&g) {
        return reject("u'.X1 is not the state hash g of the running instances");
    }

    // 3. fold u' into U'[κ]
    let ro2: &ROConstants<E2> = &vk.consts.ro1;
    let mut secondary = proof.secondary.clone();
    secondary[kappa] = proof
        .nifs
        .verify(ro2, &digest2, &proof.secondary[kappa], &proof.last)?;

    // 4. every slot, one batched SNARK per curve. A leaf root's (κ = 0) merge slots U[m] and
    //    U'[1] need no proof: the leaf circuits only carry them, so a leaf's statement does
    //    not depend on them (docs/protocol.md §4, §5); they are still bound by h and g.
    let merge_slot = |j: usize| (kappa == 0).then_some(j);
    let ro1: &ROConstants<E1> = &vk.consts.ro2;
    verify_curve::<E1, S1>(
        "U",
        &vk.primary_io,
        &vk.vk1,
        &vk.dk1,
        (ro1, &vk.digest),
        &proof.primary,
        &proof.primary_blinds,
        &proof.primary_snark,
        merge_slot(vk.m),
        |_| true,
    )?;
    verify_curve::<E2, S2>(
        "U'",
        &vk.secondary_io,
        &vk.vk2,
        &vk.dk2,
        (ro2, &digest2),
        &secondary,
        &proof.secondary_blinds,
        &proof.secondary_snark,
        merge_slot(1),
        secondary_u_ok,
    )
}
