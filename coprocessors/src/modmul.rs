//! 256-bit modular multiplication: r = a·b mod m for unsigned 256-bit a, b, m.
//!
//! Call: `custom-0` with funct7 = 1, funct3 = 2; rs1 = address of the operands (24 words: a at
//! words 0..8, b at 8..16, m at 16..24), rs2 = address of the result (8 words, written);
//! rd = 0. Integers are 8 little-endian u32 words. a and b need not be reduced. rs2 may
//! overlap the operands (all are read before the result is written).
//!
//! m = 0 is an error: natively [`CoprocessorError::InvalidArguments`] (the VM faults); the
//! circuit is unsatisfiable (it proves r ≤ m − 1, impossible for m = 0).
//!
//! Circuit (64-bit limbs, X = 2^64): the prover supplies q (512 bits: a·b < 2^512, so q needs
//! them when m is small) and r (256 bits), bit-decomposed. With limb products a_i·b_j
//! (16 constraints) and q_i·m_j (32), the column sums E_k = Σ a_i b_j − Σ q_i m_j − r_k
//! (k = 0..=10) are linear; a·b = q·m + r as integers iff there are carries c_k with
//! E_0 = c_0·X, E_k + c_{k−1} = c_k·X, E_10 + c_9 = 0. Every |E_k| < 2^131 and |c_k| < 2^68,
//! so these field equations hold as integer equations (p > 2^253). Each carry is range-checked
//! as c_k + 2^68 ∈ [0, 2^69). Finally r ≤ m − 1 by a limb-wise subtraction d = m − 1 − r with
//! borrow bits, the last borrow fixed to 0 and d's limbs range-checked to 64 bits.

use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory};
use ff::Field;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{Boolean, ConstraintSystem, LinearCombination, SynthesisError};
use num_bigint::{BigInt, BigUint};

use crate::util::{alloc_bits, bits_lc, low_u32, pack, read_words, write_words, zero_status};
use crate::{BUILTIN_FUNCT7, MODMUL_ID};

/// Words per 256-bit integer.
pub const INT_WORDS: u32 = 8;
const LIMBS: usize = 4;
const Q_LIMBS: usize = 8;
const CARRY_BITS: usize = 69;
const CARRY_OFFSET_LOG: u32 = 68;

/// The 256-bit modular multiplication coprocessor (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct ModMul256;

/// Native a·b mod m on little-endian words; `None` when m = 0.
pub fn mod_mul(a: &[u32; 8], b: &[u32; 8], m: &[u32; 8]) -> Option<[u32; 8]> {
    let m = BigUint::from_slice(m);
    if m == BigUint::ZERO {
        return None;
    }
    let r = BigUint::from_slice(a) * BigUint::from_slice(b) % m;
    Some(to_words(&r))
}

fn to_words(x: &BigUint) -> [u32; 8] {
    let mut out = [0u32; 8];
    for (o, d) in out.iter_mut().zip(x.to_u32_digits()) {
        *o = d;
    }
    out
}

fn bits_of(x: &BigUint, n: usize) -> Vec<bool> {
    (0..n).map(|i| x.bit(i as u64)).collect()
}

fn limb(x: &BigUint, i: usize) -> u64 {
    x.iter_u64_digits().nth(i).unwrap_or(0)
}

impl Coprocessor for ModMul256 {
    fn id(&self) -> u32 {
        MODMUL_ID
    }

    fn name(&self) -> &str {
        "modmul-256"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 2)
    }

    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let w = read_words(memory, rs1, 0, 3 * INT_WORDS)?;
        let mut ops = [[0u32; 8]; 3];
        for (o, chunk) in ops.iter_mut().zip(w.chunks_exact(INT_WORDS as usize)) {
            o.copy_from_slice(chunk);
        }
        let r = mod_mul(&ops[0], &ops[1], &ops[2]).ok_or_else(|| {
            CoprocessorError::InvalidArguments("modmul-256: modulus is zero".into())
        })?;
        write_words(memory, rs2, 0, &r)?;
        Ok(0)
    }
}

/// The witness values the circuit needs (None for shapes).
struct Hint {
    q: BigUint,
    r: BigUint,
    d: BigUint,
    borrows: [bool; LIMBS],
    carries: Vec<BigInt>,
}

fn hint(a: &BigUint, b: &BigUint, m: &BigUint) -> Hint {
    let (q, r) = if *m == BigUint::ZERO {
        // No valid witness exists; any values make the circuit unsatisfied (r ≤ m − 1 fails).
        (BigUint::ZERO, BigUint::ZERO)
    } else {
        (a * b / m, a * b % m)
    };
    hint_from(a, b, m, q, r)
}

/// The hint for a claimed quotient and remainder (honest or not).
fn hint_from(a: &BigUint, b: &BigUint, m: &BigUint, q: BigUint, r: BigUint) -> Hint {
    // d = m − 1 − r limb by limb with borrows (mod 2^256 when m = 0).
    let mut borrows = [false; LIMBS];
    let mut d_limbs = [0u64; LIMBS];
    let mut borrow = 0i128;
    for k in 0..LIMBS {
        let v = limb(m, k) as i128 - limb(&r, k) as i128 - i128::from(k == 0) - borrow;
        let (dk, bk) = if v < 0 {
            (v + (1i128 << 64), 1)
        } else {
            (v, 0)
        };
        d_limbs[k] = dk as u64;
        borrows[k] = bk == 1;
        borrow = bk;
    }
    let d = BigUint::from_slice(
        &d_limbs
            .iter()
            .flat_map(|l| [*l as u32, (*l >> 32) as u32])
            .collect::<Vec<_>>(),
    );
    // Column sums and carries.
    let lim = |x: &BigUint, n: usize| -> Vec<BigInt> {
        (0..n).map(|i| BigInt::from(limb(x, i))).collect()
    };
    let (al, bl, ml, ql, rl) = (
        lim(a, LIMBS),
        lim(b, LIMBS),
        lim(m, LIMBS),
        lim(&q, Q_LIMBS),
        lim(&r, LIMBS),
    );
    let mut carries = Vec::with_capacity(10);
    let mut c = BigInt::ZERO;
    for k in 0..10 {
        let e = column(&al, &bl, &ql, &ml, &rl, k);
        c = (e + &c) >> 64;
        carries.push(c.clone());
    }
    Hint {
        q,
        r,
        d,
        borrows,
        carries,
    }
}

fn column(
    a: &[BigInt],
    b: &[BigInt],
    q: &[BigInt],
    m: &[BigInt],
    r: &[BigInt],
    k: usize,
) -> BigInt {
    let mut e = BigInt::ZERO;
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            if i + j == k {
                e += ai * bj;
            }
        }
    }
    for (i, qi) in q.iter().enumerate() {
        for (j, mj) in m.iter().enumerate() {
            if i + j == k {
                e -= qi * mj;
            }
        }
    }
    if k < LIMBS {
        e -= &r[k];
    }
    e
}

/// A 64-bit limb: its linear combination and value.
#[derive(Clone)]
struct Limb {
    lc: LinearCombination<F1>,
    value: Option<F1>,
}

fn limbs_of_bits(bits: &[Boolean]) -> Vec<Limb> {
    bits.chunks(64)
        .map(|c| Limb {
            lc: bits_lc(DynCs::one(), c, 0),
            value: crate::util::bits_value(c),
        })
        .collect()
}

/// The product of two limbs as a fresh variable (1 constraint).
fn mul(
    cs: &mut DynCs<'_>,
    name: String,
    x: &Limb,
    y: &Limb,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let v = x.value.zip(y.value).map(|(a, b)| a * b);
    let p = AllocatedNum::alloc(cs.namespace(|| name.clone()), || {
        v.ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || format!("{name} product"),
        |_| x.lc.clone(),
        |_| y.lc.clone(),
        |l| l + p.get_variable(),
    );
    Ok(p)
}

impl CoprocessorCircuit for ModMul256 {
    fn name(&self) -> &str {
        "modmul-256"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 2)
    }

    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: 3 * INT_WORDS,
        }]
    }

    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: INT_WORDS,
        }]
    }

    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        if inputs.len() != 3 * INT_WORDS as usize || inputs.iter().any(|w| w.bits.len() != 32) {
            return Err(SynthesisError::IncompatibleLengthVector(
                "modmul-256 takes 24 words of 32 bits".into(),
            ));
        }
        let big = |k: usize| -> Option<BigUint> {
            let words: Option<Vec<u32>> = inputs[8 * k..8 * k + 8]
                .iter()
                .map(|w| w.value.get_value().map(low_u32))
                .collect();
            words.map(|w| BigUint::from_slice(&w))
        };
        let hint = match (big(0), big(1), big(2)) {
            (Some(a), Some(b), Some(m)) => Some(hint(&a, &b, &m)),
            _ => None,
        };
        synthesize_with_hint(cs, inputs, hint)
    }
}

/// The circuit with the prover's hint (q, r, d, borrows, carries) given.
fn synthesize_with_hint(
    cs: &mut DynCs<'_>,
    inputs: &[InputWord],
    hint: Option<Hint>,
) -> Result<CoprocessorOutput, SynthesisError> {
    let operand = |k: usize| -> Vec<Boolean> {
        inputs[8 * k..8 * k + 8]
            .iter()
            .flat_map(|w| w.bits.iter().cloned())
            .collect()
    };
    let (a_bits, b_bits, m_bits) = (operand(0), operand(1), operand(2));
    // Witness integers, bit-decomposed (range checks).
    let q_bits = alloc_bits(
        cs.namespace(|| "q"),
        hint.as_ref()
            .map(|h| bits_of(&h.q, 64 * Q_LIMBS))
            .as_deref(),
        64 * Q_LIMBS,
    )?;
    let r_bits = alloc_bits(
        cs.namespace(|| "r"),
        hint.as_ref().map(|h| bits_of(&h.r, 64 * LIMBS)).as_deref(),
        64 * LIMBS,
    )?;
    let (a, b, m) = (
        limbs_of_bits(&a_bits),
        limbs_of_bits(&b_bits),
        limbs_of_bits(&m_bits),
    );
    let (q, r) = (limbs_of_bits(&q_bits), limbs_of_bits(&r_bits));

    // Column sums E_k.
    let mut cols: Vec<LinearCombination<F1>> = vec![LinearCombination::zero(); 11];
    for i in 0..LIMBS {
        for j in 0..LIMBS {
            let p = mul(cs, format!("a{i}b{j}"), &a[i], &b[j])?;
            cols[i + j] = cols[i + j].clone() + p.get_variable();
        }
    }
    for i in 0..Q_LIMBS {
        for j in 0..LIMBS {
            let p = mul(cs, format!("q{i}m{j}"), &q[i], &m[j])?;
            cols[i + j] = cols[i + j].clone() - p.get_variable();
        }
    }
    for (k, rk) in r.iter().enumerate() {
        cols[k] = cols[k].clone() - &rk.lc;
    }

    // Carry chain.
    let x = F1::from(2u64).pow_vartime([64u64]);
    let offset = F1::from(2u64).pow_vartime([CARRY_OFFSET_LOG as u64]);
    let mut prev: Option<LinearCombination<F1>> = None;
    for (k, col) in cols.iter().enumerate() {
        let mut lhs = col.clone();
        if let Some(p) = &prev {
            lhs = lhs + p;
        }
        if k < 10 {
            let shifted = hint.as_ref().map(|h| {
                let u = &h.carries[k] + (BigInt::from(1u8) << CARRY_OFFSET_LOG);
                let (_, u) = u.into_parts();
                bits_of(&u, CARRY_BITS)
            });
            let ubits = alloc_bits(
                cs.namespace(|| format!("carry {k}")),
                shifted.as_deref(),
                CARRY_BITS,
            )?;
            // c_k = u_k − 2^68
            let c = bits_lc(DynCs::one(), &ubits, 0) - (offset, DynCs::one());
            let rhs = LinearCombination::zero() + (x, &c);
            cs.enforce(
                || format!("column {k}"),
                |_| lhs - &rhs,
                |l| l + DynCs::one(),
                |l| l,
            );
            prev = Some(c);
        } else {
            cs.enforce(
                || format!("column {k}"),
                |_| lhs,
                |l| l + DynCs::one(),
                |l| l,
            );
        }
    }

    // r ≤ m − 1: d = m − 1 − r with borrows, last borrow 0, d limbs 64 bits.
    let d_bits = alloc_bits(
        cs.namespace(|| "d"),
        hint.as_ref().map(|h| bits_of(&h.d, 64 * LIMBS)).as_deref(),
        64 * LIMBS,
    )?;
    let d = limbs_of_bits(&d_bits);
    let borrows = alloc_bits(
        cs.namespace(|| "borrows"),
        hint.as_ref()
            .map(|h| h.borrows[..LIMBS - 1].to_vec())
            .as_deref(),
        LIMBS - 1,
    )?;
    for k in 0..LIMBS {
        let mut lhs = m[k].lc.clone() - &r[k].lc - &d[k].lc;
        if k == 0 {
            lhs = lhs - (F1::ONE, DynCs::one());
        } else {
            lhs = lhs - &borrows[k - 1].lc(DynCs::one(), F1::ONE);
        }
        if k < LIMBS - 1 {
            lhs = lhs + &borrows[k].lc(DynCs::one(), x);
        }
        cs.enforce(
            || format!("d limb {k}"),
            |_| lhs,
            |l| l + DynCs::one(),
            |l| l,
        );
    }

    let mut words = Vec::with_capacity(INT_WORDS as usize);
    for (i, chunk) in r_bits.chunks(32).enumerate() {
        words.push(pack(cs.namespace(|| format!("out {i}")), chunk)?);
    }
    let status = zero_status(cs.namespace(|| "status"))?;
    Ok(CoprocessorOutput { words, status })
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_circuit::coprocessor::u32_bits;
    use nova_snark::frontend::test_cs::TestConstraintSystem;

    fn inputs(cs: &mut TestConstraintSystem<F1>, words: &[u32]) -> Vec<InputWord> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let value = AllocatedNum::alloc(cs.namespace(|| format!("in{i}")), || {
                    Ok(F1::from(*w as u64))
                })
                .unwrap();
                let bits = u32_bits(cs.namespace(|| format!("bits{i}")), &value).unwrap();
                InputWord { value, bits }
            })
            .collect()
    }

    fn satisfied(words: &[u32], q: BigUint, r: BigUint) -> bool {
        let big = |k: usize| BigUint::from_slice(&words[8 * k..8 * k + 8]);
        let (a, b, m) = (big(0), big(1), big(2));
        let mut cs = TestConstraintSystem::<F1>::new();
        let ins = inputs(&mut cs, words);
        let h = hint_from(&a, &b, &m, q, r);
        let mut dcs = DynCs::new(&mut cs);
        synthesize_with_hint(&mut dcs, &ins, Some(h)).unwrap();
        cs.is_satisfied()
    }

    #[test]
    fn only_the_reduced_remainder_is_accepted() {
        // a·b = q·m + r also holds for (q − 1, r + m): the circuit must insist on r < m.
        let mut words = [0u32; 24];
        words[0] = 5;
        words[8] = 7;
        words[16] = 10;
        let q = BigUint::from(3u8);
        let r = BigUint::from(5u8);
        assert!(satisfied(&words, q.clone(), r.clone()));
        assert!(!satisfied(&words, q - 1u8, r + 10u8));
        // a wrong quotient with the right remainder breaks the product equation
        assert!(!satisfied(&words, BigUint::from(4u8), BigUint::from(5u8)));
    }

    #[test]
    fn m_zero_has_no_witness() {
        // a·b = q·0 + r forces r = a·b, but r ≤ m − 1 = −1 fails for every r.
        let mut words = [0u32; 24];
        words[0] = 5;
        words[8] = 7;
        assert!(!satisfied(&words, BigUint::ZERO, BigUint::from(35u8)));
    }
}
