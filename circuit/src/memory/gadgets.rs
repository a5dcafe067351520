//! Address and leaf decompositions used around the memory argument.

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::num::Num;
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};

use super::leaf::{W_SHIFT, X_SHIFT};

/// The low 64 bits of a field element's canonical value.
pub fn low_u64<F: PrimeFieldBits>(f: &F) -> u64 {
    f.to_le_bits()
        .iter()
        .take(64)
        .enumerate()
        .fold(0u64, |acc, (i, b)| acc | (*b as u64) << i)
}

/// Allocates `n` bits of `value` (little-endian), each with a booleanity constraint.
pub fn alloc_bits<F: PrimeField, CS: ConstraintSystem<F>>(
    mut cs: CS,
    value: Option<u64>,
    n: usize,
) -> Result<Vec<Boolean>, SynthesisError> {
    (0..n)
        .map(|i| {
            let bit = value.map(|v| i < 64 && (v >> i) & 1 == 1);
            Ok(Boolean::from(AllocatedBit::alloc(
                cs.namespace(|| format!("bit {i}")),
                bit,
            )?))
        })
        .collect()
}

/// `Σ 2^(shift+i) · bits[i]` as a linear combination.
pub fn pack_bits<F: PrimeField, CS: ConstraintSystem<F>>(bits: &[Boolean], shift: u32) -> Num<F> {
    let mut coeff = F::from(2).pow_vartime([shift as u64]);
    let mut n = Num::zero();
    for b in bits {
        n = n.add_bool_with_coeff(CS::one(), b, coeff);
        coeff = coeff.double();
    }
    n
}

/// A word address inside the tree: the word-index bits, least significant first, exactly
/// `word_bits` of them ([`super::TreeGeometry::word_bits`]).
///
/// Taking bits rather than a number makes the caller's decomposition the bounds check (an
/// address that does not fit in `word_bits` bits has no decomposition) and lets the row
/// circuit reuse the bits it needs anyway (byte offsets, alignment, pc checks).
/// [`WordAddr::from_byte_addr`] does that decomposition for callers that hold a number.
#[derive(Debug, Clone)]
pub struct WordAddr {
    bits: Vec<Boolean>,
}

impl WordAddr {
    /// Wraps already constrained bits (least significant first).
    pub fn from_bits(bits: Vec<Boolean>) -> Self {
        WordAddr { bits }
    }

    /// The bits, least significant first.
    pub fn bits(&self) -> &[Boolean] {
        &self.bits
    }

    /// Allocates the `word_bits` bits of a word index (witness; `word_bits` constraints).
    pub fn alloc<F: PrimeField, CS: ConstraintSystem<F>>(
        cs: CS,
        word_index: Option<u64>,
        word_bits: usize,
    ) -> Result<Self, SynthesisError> {
        Ok(WordAddr {
            bits: alloc_bits(cs, word_index, word_bits)?,
        })
    }

    /// Decomposes a byte address into 2 offset bits and a `word_bits`-bit word address and
    /// enforces `addr = offset + 4·word` (`word_bits + 3` constraints). This is also the bounds
    /// check `addr < 2^(word_bits+2)`: a larger value (or a field element that is no small
    /// integer) makes the system unsatisfiable. Returns the word address and the offset bits.
    pub fn from_byte_addr<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
        mut cs: CS,
        addr: &Num<F>,
        word_bits: usize,
    ) -> Result<(Self, [Boolean; 2]), SynthesisError> {
        let v = addr.get_value().map(|f| low_u64(&f));
        let bits = alloc_bits(cs.namespace(|| "address bits"), v, word_bits + 2)?;
        let packed = pack_bits::<F, CS>(&bits, 0);
        cs.enforce(
            || "address decomposition",
            |_| packed.lc(F::ONE),
            |lc| lc + CS::one(),
            |_| addr.lc(F::ONE),
        );
        let offset = [bits[0].clone(), bits[1].clone()];
        Ok((
            WordAddr {
                bits: bits[2..].to_vec(),
            },
            offset,
        ))
    }
}

/// A leaf decomposed into its 32 word bits and the W and X tags.
#[derive(Debug, Clone)]
pub struct LeafBits {
    /// The word's bits, least significant first.
    pub word: Vec<Boolean>,
    /// The writable tag.
    pub writable: Boolean,
    /// The executable tag.
    pub executable: Boolean,
}

impl LeafBits {
    /// Decomposes `leaf` (35 constraints: 34 booleanity, 1 sum). Unsatisfiable unless the
    /// leaf is an integer below 2^34, i.e. a well-formed leaf.
    pub fn decompose<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
        mut cs: CS,
        leaf: &Num<F>,
    ) -> Result<Self, SynthesisError> {
        let v = leaf.get_value().map(|f| low_u64(&f));
        let mut bits = alloc_bits(cs.namespace(|| "leaf bits"), v, 34)?;
        let executable = bits.pop().ok_or(SynthesisError::AssignmentMissing)?;
        let writable = bits.pop().ok_or(SynthesisError::AssignmentMissing)?;
        let out = LeafBits {
            word: bits,
            writable,
            executable,
        };
        let packed = out.leaf_with_word::<F, CS>(&out.word_num::<F, CS>());
        cs.enforce(
            || "leaf decomposition",
            |_| packed.lc(F::ONE),
            |lc| lc + CS::one(),
            |_| leaf.lc(F::ONE),
        );
        Ok(out)
    }

    /// The word as a linear combination of its bits.
    pub fn word_num<F: PrimeField, CS: ConstraintSystem<F>>(&self) -> Num<F> {
        pack_bits::<F, CS>(&self.word, 0)
    }

    /// `word + 2^32·W + 2^33·X` with this leaf's tags: the leaf a store of `word` produces
    /// (tags preserved). `word` must be range-checked by the caller.
    pub fn leaf_with_word<F: PrimeField, CS: ConstraintSystem<F>>(&self, word: &Num<F>) -> Num<F> {
        word.clone()
            .add(&pack_bits::<F, CS>(
                std::slice::from_ref(&self.writable),
                W_SHIFT,
            ))
            .add(&pack_bits::<F, CS>(
                std::slice::from_ref(&self.executable),
                X_SHIFT,
            ))
    }

    /// Enforces `is_store ⇒ W` (one constraint): stores only into writable words.
    pub fn enforce_writable_if<F: PrimeField, CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        is_store: &Boolean,
    ) {
        cs.enforce(
            || "store needs W",
            |_| is_store.lc(CS::one(), F::ONE),
            |_| self.writable.not().lc(CS::one(), F::ONE),
            |lc| lc,
        );
    }

    /// Enforces `X` (one constraint): instruction fetch only from executable words.
    pub fn enforce_executable<F: PrimeField, CS: ConstraintSystem<F>>(&self, mut cs: CS) {
        cs.enforce(
            || "fetch needs X",
            |_| self.executable.lc(CS::one(), F::ONE),
            |lc| lc + CS::one(),
            |lc| lc + CS::one(),
        );
    }
}
