//! The shared multiplier (MUL, MULH, MULHSU, MULHU and the shifts) and the divider (DIV, DIVU,
//! REM, REMU).

use ff::PrimeFieldBits;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use super::bits::{
    alloc, alloc_bit, decompose, enforce_mul, enforce_zero_product, is_zero, mul, pow2, to_i128,
    Expr,
};

/// The multiplier's inputs: which operation the row performs.
pub(crate) struct MulOps<F: PrimeFieldBits> {
    /// SLL, SLLI: `y = 2^s`, result `lo`.
    pub sll: Expr<F>,
    /// SRL, SRLI, SRA, SRAI: `y = 2^(32 - s)`, result `hi`.
    pub sr: Expr<F>,
    /// `a` is signed: MULH, MULHSU, SRA, SRAI.
    pub sa: Expr<F>,
    /// `b` is signed: MULH.
    pub sb: Expr<F>,
}

/// The 64-bit product `lo + 2^32·hi` (two's complement for signed products).
pub(crate) struct Product<F: PrimeFieldBits> {
    pub lo: Expr<F>,
    pub hi: Expr<F>,
}

/// `x_s · y_s = lo + 2^32·hi - 2^64·hs` with `x_s`, `y_s` the signed or unsigned views of `a`
/// and `y`, where `y = b` for multiplications and a power of two for shifts (≈77 constraints).
/// The representation is unique because the product lies in `(-2^64, 2^64)`.
pub(crate) fn multiply<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    ops: &MulOps<F>,
    a: &Expr<F>,
    a31: &Expr<F>,
    b: &Expr<F>,
    b_bits: &[Expr<F>],
) -> Result<Product<F>, SynthesisError> {
    // pow = 2^s for the shift amount s = b & 31.
    let mut pow: Option<Expr<F>> = None;
    for (i, s) in b_bits.iter().take(5).enumerate() {
        let factor = s.scale(pow2::<F>(1 << i) - F::ONE).add_const(F::ONE);
        pow = Some(match pow {
            None => factor,
            Some(p) => mul(cs, &format!("mul:pow{i}"), &p, &factor)?,
        });
    }
    let pow = pow.unwrap_or_else(|| Expr::from_u64(1));
    let inv = Option::<F>::from(pow.val.invert()).unwrap_or(F::ZERO);
    let pow_r = alloc(cs, "mul:pow'", pow2::<F>(32) * inv)?;
    enforce_mul(cs, "mul:pow*pow'", &pow, &pow_r, &Expr::constant(pow2(32)));
    let shift = ops.sll.clone() + &ops.sr;
    let p = pow.clone() + &mul(cs, "mul:sr*", &ops.sr, &(pow_r - &pow))?;
    let y = b.clone() + &mul(cs, "mul:y", &shift, &(p - b))?;
    let xs = a.clone() - &mul(cs, "mul:sa*a31", &ops.sa, a31)?.scale(pow2(32));
    let ys = y - &mul(cs, "mul:sb*b31", &ops.sb, &b_bits[31])?.scale(pow2(32));
    let prod = xs.val * ys.val;
    let p = to_i128(prod).unwrap_or(0);
    let (u, neg) = if p < 0 {
        (p + (1i128 << 64), true)
    } else {
        (p, false)
    };
    let u = u as u128;
    let lo = alloc(cs, "mul:lo", F::from((u & 0xffff_ffff) as u64))?;
    let hi = alloc(cs, "mul:hi", F::from(((u >> 32) & 0xffff_ffff) as u64))?;
    decompose(cs, "mul:lo", &lo, 32)?;
    decompose(cs, "mul:hi", &hi, 32)?;
    let hs = alloc_bit(cs, "mul:hs", neg)?;
    let rhs = lo.clone() + &hi.scale(pow2(32)) - &hs.scale(F::from_u128(1u128 << 64));
    enforce_mul(cs, "mul:product", &xs, &ys, &rhs);
    Ok(Product { lo, hi })
}

/// The divider's results.
pub(crate) struct Quotient<F: PrimeFieldBits> {
    pub q: Expr<F>,
    pub r: Expr<F>,
}

/// Native RISC-V division: `(q, r, overflow)` for signed or unsigned operands.
pub(crate) fn div_native(a: u32, b: u32, signed: bool) -> (u32, u32, bool) {
    if b == 0 {
        return (u32::MAX, a, false);
    }
    if signed {
        let (x, y) = (a as i32, b as i32);
        if x == i32::MIN && y == -1 {
            return (a, 0, true);
        }
        ((x / y) as u32, (x % y) as u32, false)
    } else {
        (a / b, a % b, false)
    }
}

/// `q_s·b_s + r_s = a_s + 2^32·ovf` (gated by `any`), with `|r| < |b|` unless `b = 0`,
/// `r` taking the dividend's sign, `q = -1` when `b = 0` and `ovf` only for `INT_MIN / -1`
/// (≈118 constraints).
pub(crate) fn divide<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    any: &Expr<F>,
    signed: &Expr<F>,
    a: &Expr<F>,
    a31: &Expr<F>,
    b: &Expr<F>,
    b31: &Expr<F>,
) -> Result<Quotient<F>, SynthesisError> {
    let (qv, rv, ovfv) = div_native(a.int() as u32, b.int() as u32, signed.is_set());
    let q = alloc(cs, "div:q", F::from(qv as u64))?;
    let r = alloc(cs, "div:r", F::from(rv as u64))?;
    let q_bits = decompose(cs, "div:q", &q, 32)?;
    let r_bits = decompose(cs, "div:r", &r, 32)?;
    let aneg = mul(cs, "div:aneg", signed, a31)?;
    let bneg = mul(cs, "div:bneg", signed, b31)?;
    let qneg = mul(cs, "div:qneg", signed, &q_bits[31])?;
    let rneg = mul(cs, "div:rneg", signed, &r_bits[31])?;
    let two32 = pow2::<F>(32);
    let a_s = a.clone() - &aneg.scale(two32);
    let b_s = b.clone() - &bneg.scale(two32);
    let q_s = q.clone() - &qneg.scale(two32);
    let r_s = r.clone() - &rneg.scale(two32);
    let m = mul(cs, "div:q*b", &q_s, &b_s)?;
    let ovf = alloc_bit(cs, "div:ovf", ovfv)?;
    let eqn = m + &r_s - &a_s - &ovf.scale(two32);
    enforce_zero_product(cs, "div:eqn", any, &eqn);
    enforce_zero_product(
        cs,
        "div:ovf a",
        &ovf,
        &a.add_const(-F::from(0x8000_0000u64)),
    );
    enforce_zero_product(
        cs,
        "div:ovf b",
        &ovf,
        &b.add_const(-F::from(0xffff_ffffu64)),
    );
    enforce_zero_product(cs, "div:ovf signed", &ovf, &signed.not());
    let bz = is_zero(cs, "div:bz", b)?;
    enforce_zero_product(
        cs,
        "div:by zero",
        &bz,
        &q.add_const(-F::from(0xffff_ffffu64)),
    );
    // |b| - |r| - 1 >= 0 unless b = 0.
    let abs_b = b.clone()
        + &mul(
            cs,
            "div:|b|",
            &bneg,
            &(Expr::constant(two32) - &b.scale(F::from(2))),
        )?;
    let abs_r = r.clone()
        + &mul(
            cs,
            "div:|r|",
            &rneg,
            &(Expr::constant(two32) - &r.scale(F::from(2))),
        )?;
    let gap = mul(
        cs,
        "div:gap",
        &bz.not(),
        &(abs_b - &abs_r).add_const(-F::ONE),
    )?;
    decompose(cs, "div:gap", &gap, 32)?;
    // r < 0 => a < 0; (a < 0 and r != 0) => r < 0.
    enforce_zero_product(cs, "div:rneg=>aneg", &rneg, &aneg.not());
    let pa = mul(cs, "div:aneg&!rneg", &aneg, &rneg.not())?;
    enforce_zero_product(cs, "div:sign", &pa, &r);
    Ok(Quotient { q, r })
}
