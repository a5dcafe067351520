//! The in-circuit twin of [`crate::hash`]: tag ‖ elements through nova-snark's
//! `PoseidonROCircuit` (Wide), strict decomposition of the squeezed element, low k bits.

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::{
    frontend::{num::AllocatedNum, AllocatedBit, ConstraintSystem, SynthesisError},
    gadgets::utils::{alloc_constant, le_bits_to_num},
    provider::poseidon::{PoseidonConstantsCircuit, PoseidonROCircuit},
    traits::ROCircuitTrait,
};
use serde::{Deserialize, Serialize};

/// Hashes `tag ‖ elems` in circuit and returns the low `bits` bits (strictly decomposed).
pub fn hash_bits_gadget<F, CS>(
    mut cs: CS,
    consts: &PoseidonConstantsCircuit<F>,
    tag: u64,
    elems: &[AllocatedNum<F>],
    bits: usize,
) -> Result<Vec<AllocatedBit>, SynthesisError>
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
    CS: ConstraintSystem<F>,
{
    let tag = alloc_constant(cs.namespace(|| "tag"), &F::from(tag))?;
    let mut ro = PoseidonROCircuit::<F>::new(consts.clone());
    ro.absorb(&tag);
    for e in elems {
        ro.absorb(e);
    }
    ro.squeeze(cs.namespace(|| "squeeze"), bits, false)
}

/// Hashes and returns the truncated value as one element (a state hash).
pub fn hash_num_gadget<F, CS>(
    mut cs: CS,
    consts: &PoseidonConstantsCircuit<F>,
    tag: u64,
    elems: &[AllocatedNum<F>],
    bits: usize,
) -> Result<AllocatedNum<F>, SynthesisError>
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
    CS: ConstraintSystem<F>,
{
    let b = hash_bits_gadget(cs.namespace(|| "hash"), consts, tag, elems, bits)?;
    le_bits_to_num(cs.namespace(|| "to num"), &b)
}

/// Hashes and returns the whole squeezed element (no bit decomposition; twin of
/// [`crate::hash::hash_full`]).
pub fn hash_full_gadget<F, CS>(
    mut cs: CS,
    consts: &PoseidonConstantsCircuit<F>,
    tag: u64,
    elems: &[AllocatedNum<F>],
) -> Result<AllocatedNum<F>, SynthesisError>
where
    F: PrimeField + PrimeFieldBits + Serialize + for<'de> Deserialize<'de>,
    CS: ConstraintSystem<F>,
{
    let tag = alloc_constant(cs.namespace(|| "tag"), &F::from(tag))?;
    let mut ro = PoseidonROCircuit::<F>::new(consts.clone());
    ro.absorb(&tag);
    for e in elems {
        ro.absorb(e);
    }
    ro.squeeze_scalar(cs.namespace(|| "squeeze"))
}
