//! Addresses and the data word: the fetch address check, the data address decomposition, byte
//! and halfword selection inside the old data word (loads, `write` output bytes), and the merge
//! of stored bytes into the new data word (stores, `read` input bytes).

use ff::PrimeFieldBits;
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};

use super::bits::{decompose, enforce_eq, mul, pack, pow2, Expr};

/// Allocates `n` bits of `value` as nova bits (one constraint each) and returns them both as
/// [`Boolean`]s (for the block circuit) and as expressions.
pub(crate) fn address_bits<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    value: u64,
    n: u32,
) -> Result<(Vec<Boolean>, Vec<Expr<F>>), SynthesisError> {
    let mut bools = Vec::with_capacity(n as usize);
    let mut exprs = Vec::with_capacity(n as usize);
    for i in 0..n {
        let bit = (value >> i) & 1 == 1;
        let b = AllocatedBit::alloc(cs.namespace(|| format!("{name}.{i}")), Some(bit))?;
        exprs.push(Expr::var(
            b.get_variable(),
            if bit { F::ONE } else { F::ZERO },
        ));
        bools.push(Boolean::Is(b));
    }
    Ok((bools, exprs))
}

/// Checks `pc = 4·index` with `index < 2^(mem_bits - 2)` (aligned and inside memory) and
/// returns the word index bits (`mem_bits - 2` + 1 constraints).
pub(crate) fn fetch_address<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    mem_bits: u32,
    pc: &Expr<F>,
) -> Result<Vec<Boolean>, SynthesisError> {
    let (bools, bits) = address_bits(cs, "fetch", (pc.int() >> 2) as u64, mem_bits - 2)?;
    enforce_eq(cs, "fetch:pc", &pack(&bits).scale(F::from(4)), pc);
    Ok(bools)
}

/// The data word and the byte address inside it.
pub(crate) struct DataSlot<F: PrimeFieldBits> {
    /// Word index bits (`mem_bits - 2`).
    pub word_index: Vec<Boolean>,
    /// The byte address (`< 2^mem_bits`).
    pub addr: Expr<F>,
    /// Byte offset bits inside the word.
    pub o0: Expr<F>,
    pub o1: Expr<F>,
    /// `256^offset`.
    pub byte_pos: Expr<F>,
    /// `65536^o1`.
    pub half_pos: Expr<F>,
    /// The old byte at the offset and its bit 7.
    pub byte: Expr<F>,
    pub byte_sign: Expr<F>,
    /// The old halfword at offset `2·o1` and its bit 15.
    pub half: Expr<F>,
    pub half_sign: Expr<F>,
}

/// Decomposes the data address and the old data word and selects the addressed byte and
/// halfword (≈ mem_bits + 43 constraints).
pub(crate) fn data_slot<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    mem_bits: u32,
    addr_value: u64,
    old: &Expr<F>,
) -> Result<DataSlot<F>, SynthesisError> {
    let (bools, bits) = address_bits(cs, "daddr", addr_value, mem_bits)?;
    let addr = pack(&bits);
    let (o0, o1) = (bits[0].clone(), bits[1].clone());
    let old_bits = decompose(cs, "old", old, 32)?;
    let byte_of = |k: usize| pack(&old_bits[8 * k..8 * k + 8]);
    let bytes: Vec<Expr<F>> = (0..4).map(byte_of).collect();
    let e3 = mul(cs, "o0*o1", &o0, &o1)?;
    // one-hot of the offset: e0 = 1 - o0 - o1 + e3, e1 = o0 - e3, e2 = o1 - e3.
    let e1 = o0.clone() - &e3;
    let e2 = o1.clone() - &e3;
    let e0 = Expr::from_u64(1) - &o0 - &o1 + &e3;
    let byte_pos = e0 + &e1.scale(pow2(8)) + &e2.scale(pow2(16)) + &e3.scale(pow2(24));
    let half_pos = o1.scale(pow2::<F>(16) - F::ONE).add_const(F::ONE);
    // Σ e_k·v_k = v0 + o0·(v1 - v0) + o1·(v2 - v0) + e3·(v3 - v2 - v1 + v0).
    let pick = |cs: &mut CS, name: &str, v: &[Expr<F>]| -> Result<Expr<F>, SynthesisError> {
        let t1 = mul(cs, &format!("{name}:1"), &o0, &(v[1].clone() - &v[0]))?;
        let t2 = mul(cs, &format!("{name}:2"), &o1, &(v[2].clone() - &v[0]))?;
        let t3 = mul(
            cs,
            &format!("{name}:3"),
            &e3,
            &(v[3].clone() - &v[2] - &v[1] + &v[0]),
        )?;
        Ok(v[0].clone() + &t1 + &t2 + &t3)
    };
    let byte = pick(cs, "byte", &bytes)?;
    let signs: Vec<Expr<F>> = (0..4).map(|k| old_bits[8 * k + 7].clone()).collect();
    let byte_sign = pick(cs, "byte sign", &signs)?;
    let h0 = pack(&old_bits[0..16]);
    let h1 = pack(&old_bits[16..32]);
    let half = h0.clone() + &mul(cs, "half", &o1, &(h1 - &h0))?;
    let half_sign = old_bits[15].clone()
        + &mul(
            cs,
            "half sign",
            &o1,
            &(old_bits[31].clone() - &old_bits[15]),
        )?;
    Ok(DataSlot {
        word_index: bools[2..].to_vec(),
        addr,
        o0,
        o1,
        byte_pos,
        half_pos,
        byte,
        byte_sign,
        half,
        half_sign,
    })
}
