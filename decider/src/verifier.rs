//! The decider's verifier (docs/protocol.md §4, verifier steps 1–4).

use crate::error::DeciderError;
use crate::keys::{SlotKey, VerifierKey};
use crate::proof::{CompactProof, SlotProof};
use crate::prover::secondary_u_ok;
use crate::slot::is_default;
use crate::statement::{primary_hash, secondary_hash, Statement};
use crate::wellformed::{self, WellFormed};
use canopy_folding::{
    encoding::{switch_field, to_int},
    E1, E2, F2,
};
use nova_snark::{
    r1cs::RelaxedR1CSInstance,
    traits::{
        commitment::CommitmentEngineTrait, snark::RelaxedR1CSSNARKTrait, Engine, ROConstants,
    },
};

fn reject<T>(why: impl Into<String>) -> Result<T, DeciderError> {
    Err(DeciderError::Rejected(why.into()))
}

/// Checks one slot: a default slot without proof, or the relaxed fold with the revealed
/// random instance, derandomised with the revealed blinds, against the slot's SNARK key.
#[allow(clippy::too_many_arguments)]
fn verify_slot<E: Engine, S: RelaxedR1CSSNARKTrait<E> + WellFormed>(
    name: &str,
    key: &SlotKey<S::VerifierKey>,
    dk: &<E::CE as CommitmentEngineTrait<E>>::DerandKey,
    ro: &ROConstants<E>,
    digest: &E::Scalar,
    u: &RelaxedR1CSInstance<E>,
    proof: &Option<SlotProof<E, S>>,
    accept: impl Fn(&RelaxedR1CSInstance<E>) -> bool,
) -> Result<(), DeciderError> {
    let Some(p) = proof else {
        return if is_default(u) {
            Ok(())
        } else {
            reject(format!(
                "{name}: no SNARK for a non-default running instance"
            ))
        };
    };
    if p.random.X().len() != key.num_io {
        return reject(format!("{name}: random instance has the wrong IO length"));
    }
    if !accept(&p.random) {
        return reject(format!("{name}: random instance out of range"));
    }
    wellformed::check(name, &p.snark)?;
    let t = std::time::Instant::now();
    let folded = p.nifs.verify(ro, digest, u, &p.random)?;
    let derandomised = folded.derandomize(dk, &p.blind_w, &p.blind_e);
    let fold_secs = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let r = p
        .snark
        .verify(&key.vk, &derandomised)
        .map_err(|e| DeciderError::Rejected(format!("{name}: SNARK: {e}")));
    tracing::debug!(
        slot = name,
        fold_secs,
        snark_secs = t.elapsed().as_secs_f64(),
        accepted = r.is_ok(),
        "verified a slot"
    );
    r
}

/// Verifies a compact proof of `statement` under the verifier key.
///
/// Checks, in order: n ≥ 1 and the arities; the number of slots and every IO length
/// against the key; κ names a secondary slot; `u'.X = (h, g)` as integers, with h and g
/// recomputed from the statement, the revealed instances, the blinds and the key's pp (so
/// u'.X < 2^250); the NIFS fold of u' into U'[κ] (computed here, never taken from the
/// proof); for each slot, either it is exactly the default instance and has no SNARK, or
/// the fold with the revealed random instance, derandomised, passes the slot's SNARK
/// (after the structural checks of [`WellFormed`], which keep nova-snark's verifier from
/// panicking on the malformed SNARKs found so far). Any other panic inside nova-snark on
/// malformed input is caught and reported as a rejection.
pub fn verify<S1, S2>(
    vk: &VerifierKey<S1, S2>,
    statement: &Statement,
    proof: &CompactProof<S1, S2>,
) -> Result<(), DeciderError>
where
    S1: RelaxedR1CSSNARKTrait<E1> + WellFormed,
    S2: RelaxedR1CSSNARKTrait<E2> + WellFormed,
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
    S1: RelaxedR1CSSNARKTrait<E1> + WellFormed,
    S2: RelaxedR1CSSNARKTrait<E2> + WellFormed,
{
    // 1. shapes of the statement and of the proof
    if st.num_steps == 0 {
        return reject("n = 0");
    }
    if st.z0.len() != vk.arity || st.z.len() != vk.arity {
        return reject("arity of z0 or z");
    }
    if proof.primary.len() != vk.primary.len() || proof.primary_proofs.len() != vk.primary.len() {
        return reject("number of primary running instances");
    }
    if proof.secondary.len() != vk.secondary.len()
        || proof.secondary_proofs.len() != vk.secondary.len()
    {
        return reject("number of secondary running instances");
    }
    for (u, k) in proof.primary.iter().zip(&vk.primary) {
        if u.X().len() != k.num_io {
            return reject("IO length of a primary running instance");
        }
    }
    for (u, k) in proof.secondary.iter().zip(&vk.secondary) {
        if u.X().len() != k.num_io {
            return reject("IO length of a secondary running instance");
        }
    }
    let kappa = proof.kappa as usize;
    if kappa >= vk.secondary.len() {
        return reject("κ names no secondary slot");
    }
    if proof.last.X().len() != 2 || vk.secondary[kappa].num_io != 2 {
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

    // 4. every slot
    let ro1: &ROConstants<E1> = &vk.consts.ro2;
    for (j, ((u, k), p)) in proof
        .primary
        .iter()
        .zip(&vk.primary)
        .zip(&proof.primary_proofs)
        .enumerate()
    {
        verify_slot::<E1, S1>(
            &format!("U[{j}]"),
            k,
            &vk.dk1,
            ro1,
            &vk.digest,
            u,
            p,
            |_| true,
        )?;
    }
    for (t, ((u, k), p)) in secondary
        .iter()
        .zip(&vk.secondary)
        .zip(&proof.secondary_proofs)
        .enumerate()
    {
        verify_slot::<E2, S2>(
            &format!("U'[{t}]"),
            k,
            &vk.dk2,
            ro2,
            &digest2,
            u,
            p,
            secondary_u_ok,
        )?;
    }
    Ok(())
}
