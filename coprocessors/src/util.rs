//! Small helpers shared by the built-ins: native word access and circuit bit packing.

use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::GuestMemory;
use ff::{Field, PrimeField};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{
    AllocatedBit, Boolean, ConstraintSystem, LinearCombination, SynthesisError, Variable,
};

/// Reads `n` consecutive words at `base + 4·offset` (fails on overflow or a memory fault).
pub(crate) fn read_words(
    memory: &mut dyn GuestMemory,
    base: u32,
    offset: u32,
    n: u32,
) -> Result<Vec<u32>, CoprocessorError> {
    (0..n)
        .map(|i| {
            let addr = word_addr(base, offset + i)?;
            Ok(memory.read_word(addr)?)
        })
        .collect()
}

/// Writes `words` at `base + 4·offset`, ….
pub(crate) fn write_words(
    memory: &mut dyn GuestMemory,
    base: u32,
    offset: u32,
    words: &[u32],
) -> Result<(), CoprocessorError> {
    for (i, w) in words.iter().enumerate() {
        let addr = word_addr(base, offset + i as u32)?;
        memory.write_word(addr, *w)?;
    }
    Ok(())
}

fn word_addr(base: u32, index: u32) -> Result<u32, CoprocessorError> {
    (base as u64)
        .checked_add(4 * index as u64)
        .and_then(|a| u32::try_from(a).ok())
        .ok_or_else(|| {
            CoprocessorError::InvalidArguments(format!(
                "region at {base:#x} + 4·{index} overflows the address space"
            ))
        })
}

/// The linear combination Σ bits[i]·2^(i + shift).
pub(crate) fn bits_lc(one: Variable, bits: &[Boolean], shift: usize) -> LinearCombination<F1> {
    let mut lc = LinearCombination::zero();
    let mut coeff = F1::from(2u64).pow_vartime([shift as u64]);
    for b in bits {
        lc = lc + &b.lc(one, coeff);
        coeff = coeff.double();
    }
    lc
}

/// The value Σ bits[i]·2^i (None if a bit is unknown).
pub(crate) fn bits_value(bits: &[Boolean]) -> Option<F1> {
    let mut acc = F1::ZERO;
    let mut coeff = F1::ONE;
    for b in bits {
        if b.get_value()? {
            acc += coeff;
        }
        coeff = coeff.double();
    }
    Some(acc)
}

/// A fresh number equal to Σ bits[i]·2^i (1 constraint).
pub(crate) fn pack<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    bits: &[Boolean],
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let value = bits_value(bits);
    let n = AllocatedNum::alloc(cs.namespace(|| "packed"), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    let lc = bits_lc(CS::one(), bits, 0);
    cs.enforce(
        || "pack",
        |_| lc,
        |l| l + CS::one(),
        |l| l + n.get_variable(),
    );
    Ok(n)
}

/// Allocates `n` bits of `value` (least significant first; `None` for shapes): n constraints.
pub(crate) fn alloc_bits<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    value: Option<&[bool]>,
    n: usize,
) -> Result<Vec<Boolean>, SynthesisError> {
    (0..n)
        .map(|i| {
            let v = value.map(|v| v.get(i).copied().unwrap_or(false));
            Ok(Boolean::Is(AllocatedBit::alloc(
                cs.namespace(|| format!("bit {i}")),
                v,
            )?))
        })
        .collect()
}

/// The status 0 (a fresh variable constrained to zero: 1 constraint).
pub(crate) fn zero_status<CS: ConstraintSystem<F1>>(
    mut cs: CS,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let z = AllocatedNum::alloc(cs.namespace(|| "status"), || Ok(F1::ZERO))?;
    cs.enforce(
        || "status = 0",
        |l| l + z.get_variable(),
        |l| l + CS::one(),
        |l| l,
    );
    Ok(z)
}

/// Enforces that the little-endian `bits` encode an integer ≤ the constant `c` (given by its
/// little-endian bits, same length): at most one constraint per bit.
///
/// Walking from the most significant bit, `eq` is "x equals c on the bits so far" (as far as
/// the 1-bits of c go; on 0-bits of c the constraint below forces x's bit to 0 while `eq`).
/// Where c has a 0 and x a 1 while `eq`, x > c: forbidden.
pub(crate) fn enforce_le_const<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    bits: &[Boolean],
    c: &[bool],
) -> Result<(), SynthesisError> {
    if bits.len() != c.len() {
        return Err(SynthesisError::IncompatibleLengthVector(
            "enforce_le_const".into(),
        ));
    }
    let mut eq = Boolean::constant(true);
    for i in (0..bits.len()).rev() {
        if c[i] {
            eq = Boolean::and(cs.namespace(|| format!("eq {i}")), &eq, &bits[i])?;
        } else {
            let (e, b) = (eq.lc(CS::one(), F1::ONE), bits[i].lc(CS::one(), F1::ONE));
            cs.enforce(|| format!("x{i} = 0 while equal"), |_| e, |_| b, |l| l);
        }
    }
    Ok(())
}

/// The u32 in the low 32 bits of a field element's canonical representation.
pub(crate) fn low_u32(f: F1) -> u32 {
    let r = f.to_repr();
    let b = r.as_ref();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
