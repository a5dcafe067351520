//! The public statement and the recomputation of the two state hashes h and g from public
//! data only (the verifier has no [`canopy_folding::PublicParams`], only the digest pp).
//!
//! The layouts mirror `canopy_folding::{primary_state_hash, secondary_state_hash}` (docs/protocol.md
//! §2 with the slot digests of canopy-folding); a test checks that both agree.

use canopy_folding::{
    encoding::{rel, rel_default},
    hash::{hash_full, state_hash, T_SIG, T_SLOT, T_TAU},
    E1, E2, F1, F2,
};
use nova_snark::{provider::poseidon::PoseidonConstantsCircuit, r1cs::RelaxedR1CSInstance};
use serde::{Deserialize, Serialize};

/// What a compact proof claims: n ≥ 1 steps of the folded computation lead from the start
/// state (pc_0, z_0) to the final state (pc, z).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Number of primary steps n (≥ 1).
    pub num_steps: u64,
    /// Start program counter pc_0 (selects the first circuit).
    pub pc0: F1,
    /// Start state z_0.
    pub z0: Vec<F1>,
    /// Final program counter pc.
    pub pc: F1,
    /// Final state z.
    pub z: Vec<F1>,
}

/// Poseidon constants of H1 and H2 (nova-snark's defaults, as canopy-folding uses them).
pub(crate) struct HashConsts {
    pub ro1: PoseidonConstantsCircuit<F1>,
    pub ro2: PoseidonConstantsCircuit<F2>,
}

impl HashConsts {
    pub fn new() -> Self {
        Self {
            ro1: canopy_folding::hash::ro_constants1(),
            ro2: canopy_folding::hash::ro_constants2(),
        }
    }
}

/// `h = H1^250(T_SIG, pp, n, pc_0, z_0, pc, z, rel(U'[0]), rel(U'[1]), ρ1)`; a missing U'[1]
/// (a leaf) is `rel(DEFAULT_2)`.
pub(crate) fn primary_hash(
    c: &HashConsts,
    pp: F1,
    st: &Statement,
    sec: &[RelaxedR1CSInstance<E2>],
    rho1: F1,
) -> F1 {
    let mut e = vec![pp, F1::from(st.num_steps), st.pc0];
    e.extend_from_slice(&st.z0);
    e.push(st.pc);
    e.extend_from_slice(&st.z);
    for t in 0..2 {
        match sec.get(t) {
            Some(u) => e.extend(rel::<E2>(u)),
            None => e.extend(rel_default::<F1>(2)),
        }
    }
    e.push(rho1);
    state_hash(&c.ro1, T_SIG, &e)
}

/// `g = H2^250(T_TAU, pp, d(U[0]), …, d(U[m−1]), d(U[m]), ρ2)` with slot digests
/// `d(U) = H2(T_SLOT, rel(U))`; a missing U[m] (a leaf) is `d(DEFAULT_3)`.
pub(crate) fn secondary_hash(
    c: &HashConsts,
    pp: F2,
    m: usize,
    primary: &[RelaxedR1CSInstance<E1>],
    rho2: F2,
) -> F2 {
    let mut e = vec![pp];
    for u in primary.iter().take(m) {
        e.push(hash_full(&c.ro2, T_SLOT, &rel::<E1>(u)));
    }
    e.push(match primary.get(m) {
        Some(u) => hash_full(&c.ro2, T_SLOT, &rel::<E1>(u)),
        None => hash_full(&c.ro2, T_SLOT, &rel_default::<F2>(3)),
    });
    e.push(rho2);
    state_hash(&c.ro2, T_TAU, &e)
}
