//! `conv250` (docs/protocol.md §1.3) and bits-to-BigNat packing.

use crate::encoding::{LIMB_WIDTH, N_LIMBS};
use crate::HASH_BITS;
use ff::{PrimeField, PrimeFieldBits};
use nova_snark::{
    frontend::{
        num::AllocatedNum, AllocatedBit, ConstraintSystem, LinearCombination, SynthesisError,
    },
    gadgets::nonnative::bignat::{BigNat, BigNatParams},
};
use num_bigint::BigInt;

/// Packs little-endian bits into a 4-limb, 64-bit-limb BigNat (limbs past the bits are the
/// constant 0). The limbs are linear combinations of the bits: no constraint is added, and
/// the BigNat is canonical because each bit is boolean.
pub fn bits_to_bignat<F: PrimeField>(bits: &[AllocatedBit]) -> BigNat<F> {
    let mut limbs = Vec::with_capacity(N_LIMBS);
    let mut limb_values = Some(Vec::with_capacity(N_LIMBS));
    for k in 0..N_LIMBS {
        let mut lc = LinearCombination::zero();
        let mut val = Some(F::ZERO);
        let mut coeff = F::ONE;
        for b in bits.iter().skip(k * LIMB_WIDTH).take(LIMB_WIDTH) {
            lc = lc + (coeff, b.get_variable());
            val = match (val, b.get_value()) {
                (Some(v), Some(true)) => Some(v + coeff),
                (Some(v), Some(false)) => Some(v),
                _ => None,
            };
            coeff = coeff.double();
        }
        limbs.push(lc);
        limb_values = match (limb_values, val) {
            (Some(mut vs), Some(v)) => {
                vs.push(v);
                Some(vs)
            }
            _ => None,
        };
    }
    let value = bits.iter().rev().try_fold(BigInt::from(0u8), |acc, b| {
        b.get_value().map(|v| (acc << 1) + BigInt::from(v as u8))
    });
    BigNat {
        limbs,
        limb_values,
        value,
        params: BigNatParams::new(LIMB_WIDTH, N_LIMBS),
    }
}

/// `conv250(x)`: decomposes `x` into 250 booleans with `x = Σ b_i 2^i` and packs them into
/// 4 limbs. Since 2^250 is below both moduli the decomposition is unique (strict, P1), and an
/// `x ≥ 2^250` has none: the circuit is then unsatisfiable. This is the only way a strict
/// X value becomes a foreign BigNat (P4).
pub fn conv250<F, CS>(
    mut cs: CS,
    x: &AllocatedNum<F>,
) -> Result<(Vec<AllocatedBit>, BigNat<F>), SynthesisError>
where
    F: PrimeField + PrimeFieldBits,
    CS: ConstraintSystem<F>,
{
    let vals: Option<Vec<bool>> = x
        .get_value()
        .map(|v| v.to_le_bits().iter().take(HASH_BITS).map(|b| *b).collect());
    let mut bits = Vec::with_capacity(HASH_BITS);
    for i in 0..HASH_BITS {
        bits.push(AllocatedBit::alloc(
            cs.namespace(|| format!("bit {i}")),
            vals.as_ref().map(|v| v[i]),
        )?);
    }
    let mut lc = LinearCombination::zero();
    let mut coeff = F::ONE;
    for b in &bits {
        lc = lc + (coeff, b.get_variable());
        coeff = coeff.double();
    }
    cs.enforce(
        || "x = sum of bits",
        |l| l + &lc,
        |l| l + CS::one(),
        |l| l + x.get_variable(),
    );
    let bn = bits_to_bignat(&bits);
    Ok((bits, bn))
}
