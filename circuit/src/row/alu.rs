//! Bitwise logic and the comparator, on the operands `a` (rs1) and `b` (rs2 or the I-immediate).

use ff::PrimeFieldBits;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use super::bits::{decompose, is_zero, mul, pack, pow2, Expr};

/// AND, OR and XOR of two decomposed u32s (32 constraints: one product per bit).
pub(crate) struct Bitwise<F: PrimeFieldBits> {
    pub and: Expr<F>,
    pub or: Expr<F>,
    pub xor: Expr<F>,
}

pub(crate) fn bitwise<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    a: &Expr<F>,
    a_bits: &[Expr<F>],
    b: &Expr<F>,
    b_bits: &[Expr<F>],
) -> Result<Bitwise<F>, SynthesisError> {
    let mut and_bits = Vec::with_capacity(32);
    for i in 0..32 {
        and_bits.push(mul(cs, &format!("and.{i}"), &a_bits[i], &b_bits[i])?);
    }
    let and = pack(&and_bits);
    let sum = a.clone() + b;
    Ok(Bitwise {
        or: sum.clone() - &and,
        xor: sum - &and.scale(F::from(2)),
        and,
    })
}

/// Comparison results of `a` and `b`.
pub(crate) struct Compare<F: PrimeFieldBits> {
    /// `a - b mod 2^32`.
    pub sub: Expr<F>,
    /// `a == b`.
    pub eq: Expr<F>,
    /// `a < b` unsigned.
    pub ltu: Expr<F>,
    /// `a < b` signed.
    pub lt: Expr<F>,
}

/// `a - b + 2^32` decomposed into 33 bits gives the difference and `ltu`; the signed order
/// follows from the sign bits (≈38 constraints).
pub(crate) fn compare<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    a: &Expr<F>,
    a31: &Expr<F>,
    b: &Expr<F>,
    b31: &Expr<F>,
) -> Result<Compare<F>, SynthesisError> {
    let diff = a.clone() - b;
    let shifted = diff.add_const(pow2(32));
    let bits = decompose(cs, "cmp", &shifted, 33)?;
    let sub = pack(&bits[..32]);
    let ltu = bits[32].not();
    let eq = is_zero(cs, "cmp:eq", &diff)?;
    // lt = ltu if the signs agree, else a31.
    let both = mul(cs, "cmp:a31*b31", a31, b31)?;
    let differ = a31.clone() + b31 - &both.scale(F::from(2));
    let adj = mul(cs, "cmp:lt", &differ, &(a31.clone() - &ltu))?;
    let lt = ltu.clone() + &adj;
    Ok(Compare { sub, eq, ltu, lt })
}
