//! Native H1 / H2 (docs/protocol.md §1.4): Poseidon (`ROMode::Wide`, nova-snark's default
//! constants), a fresh sponge per call, absorb the whole list, squeeze one element and keep
//! its low k bits. nova-snark's native squeeze reads the canonical representation of the
//! squeezed element and its circuit squeeze uses `to_bits_le_strict`, so both sides decompose
//! strictly (P1) and agree bit for bit.

use crate::{CHALLENGE_BITS, F1, F2, HASH_BITS};
use ff::{PrimeField, PrimeFieldBits};
use nova_snark::{
    provider::poseidon::{PoseidonConstantsCircuit, PoseidonRO},
    traits::ROTrait,
};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// H1's Poseidon constants (nova-snark's defaults), generated once per process: each set
/// takes ≈ 0.13 s, and a process used to generate them several times (parameters, their
/// fingerprint, the decider's statement).
pub fn ro_constants1() -> PoseidonConstantsCircuit<F1> {
    static RO1: OnceLock<PoseidonConstantsCircuit<F1>> = OnceLock::new();
    RO1.get_or_init(PoseidonConstantsCircuit::default).clone()
}

/// H2's Poseidon constants, generated once per process (see [`ro_constants1`]).
pub fn ro_constants2() -> PoseidonConstantsCircuit<F2> {
    static RO2: OnceLock<PoseidonConstantsCircuit<F2>> = OnceLock::new();
    RO2.get_or_init(PoseidonConstantsCircuit::default).clone()
}

/// Domain tag of the primary state hash h (σ).
pub const T_SIG: u64 = 1;
/// Domain tag of the secondary state hash g (τ).
pub const T_TAU: u64 = 2;
/// Domain tag of the challenge of F'_j (folding u' into U'[0]).
pub const T_RS1: u64 = 3;
/// Domain tag of the challenge of S' (folding u into U[k]).
pub const T_RS2: u64 = 4;
/// Domain tag of PM's first challenge r1 (folding the children's u'_c; docs/protocol.md §3.4).
pub const T_PM1: u64 = 5;
/// Domain tag of PM's second challenge r2 (merging the secondary slots).
pub const T_PM2: u64 = 6;
/// Domain tag of SM's first challenge r1 (merging the primary slots; docs/protocol.md §3.5).
pub const T_SM1: u64 = 7;
/// Domain tag of SM's second challenge r2 (folding u_PM into slot m).
pub const T_SM2: u64 = 8;

/// Domain tag of a slot digest d(U) = H2(T_SLOT, rel(U)) (this crate's addition, see the
/// crate docs: g hashes slot digests instead of whole slots).
pub const T_SLOT: u64 = 9;

/// Hashes `tag ‖ elems` and returns the whole squeezed element (no truncation: used only for
/// values that never leave their field, the slot digests).
pub fn hash_full<F>(consts: &PoseidonConstantsCircuit<F>, tag: u64, elems: &[F]) -> F
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
{
    hash_bits(consts, tag, elems, F::NUM_BITS as usize)
}

/// Hashes `tag ‖ elems` and returns the low `bits` bits of the squeezed element.
pub fn hash_bits<F>(consts: &PoseidonConstantsCircuit<F>, tag: u64, elems: &[F], bits: usize) -> F
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
{
    let mut ro = PoseidonRO::<F>::new(consts.clone());
    ro.absorb(F::from(tag));
    for e in elems {
        ro.absorb(*e);
    }
    ro.squeeze(bits, false)
}

/// H^250: a state hash.
pub fn state_hash<F>(consts: &PoseidonConstantsCircuit<F>, tag: u64, elems: &[F]) -> F
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
{
    hash_bits(consts, tag, elems, HASH_BITS)
}

/// H^128: a folding challenge.
pub fn challenge<F>(consts: &PoseidonConstantsCircuit<F>, tag: u64, elems: &[F]) -> F
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
{
    hash_bits(consts, tag, elems, CHALLENGE_BITS)
}
