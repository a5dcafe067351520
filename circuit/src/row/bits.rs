//! Small gadgets shared by the row's units: linear expressions that carry their value, bits,
//! products, zero tests and selections.
//!
//! Every function here takes the value of each allocated variable from the expressions it is
//! given (never from the constraint system), so the same code runs under a shape-only
//! constraint system (values ignored), the test constraint system and the prover's solver.
//! Nothing branches on a value: the constraint structure depends only on the configuration.

use std::ops::{Add, Sub};

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{
    num::AllocatedNum, ConstraintSystem, Index, LinearCombination, SynthesisError, Variable,
};

/// The constant-one variable of every constraint system.
pub(crate) fn one_var() -> Variable {
    Variable::new_unchecked(Index::Input(0))
}

/// `2^k` in the field.
pub(crate) fn pow2<F: PrimeField>(k: u32) -> F {
    F::from_u128(1u128 << k)
}

/// The integer value of a field element, if it is below 2^128.
pub(crate) fn to_u128<F: PrimeFieldBits>(v: F) -> Option<u128> {
    let bits = v.to_le_bits();
    let mut out = 0u128;
    for (i, b) in bits.iter().enumerate() {
        if *b {
            if i >= 128 {
                return None;
            }
            out |= 1u128 << i;
        }
    }
    Some(out)
}

/// The value of a field element seen as a signed integer in `(-2^127, 2^127)`, if it is one.
pub(crate) fn to_i128<F: PrimeFieldBits>(v: F) -> Option<i128> {
    if let Some(u) = to_u128(v) {
        return i128::try_from(u).ok();
    }
    to_u128(-v).and_then(|u| i128::try_from(u).ok()).map(|u| -u)
}

/// A linear combination of variables together with its value under the witness.
#[derive(Clone, Debug)]
pub struct Expr<F: PrimeField> {
    pub(crate) lc: LinearCombination<F>,
    pub(crate) val: F,
}

impl<F: PrimeField> Expr<F> {
    /// The constant 0.
    pub(crate) fn zero() -> Self {
        Expr {
            lc: LinearCombination::zero(),
            val: F::ZERO,
        }
    }

    /// A constant.
    pub(crate) fn constant(c: F) -> Self {
        Expr {
            lc: LinearCombination::zero() + (c, one_var()),
            val: c,
        }
    }

    /// A constant given as an integer.
    pub(crate) fn from_u64(c: u64) -> Self {
        Self::constant(F::from(c))
    }

    /// A single variable with its value.
    pub(crate) fn var(v: Variable, val: F) -> Self {
        Expr {
            lc: LinearCombination::zero() + v,
            val,
        }
    }

    /// An allocated number, valued with `val` (the witness's value for it).
    pub(crate) fn num(n: &AllocatedNum<F>, val: F) -> Self {
        Self::var(n.get_variable(), val)
    }

    /// Multiplies by a constant.
    pub(crate) fn scale(&self, c: F) -> Self {
        let mut lc = LinearCombination::zero();
        for (v, k) in self.lc.iter() {
            lc = lc + (*k * c, v);
        }
        Expr {
            lc,
            val: self.val * c,
        }
    }

    /// Adds a constant.
    pub(crate) fn add_const(&self, c: F) -> Self {
        self.clone() + &Self::constant(c)
    }

    /// `1 - self`.
    pub(crate) fn not(&self) -> Self {
        Self::constant(F::ONE) - self
    }

    /// The sum of expressions.
    pub(crate) fn sum<'a>(items: impl IntoIterator<Item = &'a Expr<F>>) -> Self
    where
        F: 'a,
    {
        items.into_iter().fold(Self::zero(), |acc, e| acc + e)
    }
}

impl<F: PrimeFieldBits> Expr<F> {
    /// The value as an integer below 2^128, if it is one.
    pub(crate) fn u128(&self) -> Option<u128> {
        to_u128(self.val)
    }

    /// The value as an integer, or 0 if it is not a small integer (a dishonest witness: the
    /// constraints that use the result then fail).
    pub(crate) fn int(&self) -> u128 {
        self.u128().unwrap_or(0)
    }

    /// The value as a boolean (`val != 0`).
    pub(crate) fn is_set(&self) -> bool {
        self.val != F::ZERO
    }
}

impl<F: PrimeField> Add<&Expr<F>> for Expr<F> {
    type Output = Expr<F>;
    fn add(self, o: &Expr<F>) -> Expr<F> {
        Expr {
            lc: self.lc + &o.lc,
            val: self.val + o.val,
        }
    }
}

impl<F: PrimeField> Add<Expr<F>> for Expr<F> {
    type Output = Expr<F>;
    fn add(self, o: Expr<F>) -> Expr<F> {
        self + &o
    }
}

impl<F: PrimeField> Sub<&Expr<F>> for Expr<F> {
    type Output = Expr<F>;
    fn sub(self, o: &Expr<F>) -> Expr<F> {
        Expr {
            lc: self.lc - &o.lc,
            val: self.val - o.val,
        }
    }
}

impl<F: PrimeField> Sub<Expr<F>> for Expr<F> {
    type Output = Expr<F>;
    fn sub(self, o: Expr<F>) -> Expr<F> {
        self - &o
    }
}

/// Allocates a variable with value `val` (no constraint).
pub(crate) fn alloc<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    val: F,
) -> Result<Expr<F>, SynthesisError> {
    let v = cs.alloc(|| name, || Ok(val))?;
    Ok(Expr::var(v, val))
}

/// Allocates a variable and returns it as an [`AllocatedNum`] with its expression.
pub(crate) fn alloc_num<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    val: F,
) -> Result<(AllocatedNum<F>, Expr<F>), SynthesisError> {
    let n = AllocatedNum::alloc(cs.namespace(|| name), || Ok(val))?;
    let e = Expr::num(&n, val);
    Ok((n, e))
}

/// Enforces `a * b = c`.
pub(crate) fn enforce_mul<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    a: &Expr<F>,
    b: &Expr<F>,
    c: &Expr<F>,
) {
    cs.enforce(|| name, |lc| lc + &a.lc, |lc| lc + &b.lc, |lc| lc + &c.lc);
}

/// Enforces `a = b` (one constraint).
pub(crate) fn enforce_eq<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    a: &Expr<F>,
    b: &Expr<F>,
) {
    cs.enforce(
        || name,
        |lc| lc + &a.lc - &b.lc,
        |lc| lc + one_var(),
        |lc| lc,
    );
}

/// Enforces `a * b = 0`.
pub(crate) fn enforce_zero_product<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    a: &Expr<F>,
    b: &Expr<F>,
) {
    enforce_mul(cs, name, a, b, &Expr::zero());
}

/// Allocates `a * b` (one constraint).
pub(crate) fn mul<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    a: &Expr<F>,
    b: &Expr<F>,
) -> Result<Expr<F>, SynthesisError> {
    let p = alloc(cs, name, a.val * b.val)?;
    enforce_mul(cs, &format!("{name}="), a, b, &p);
    Ok(p)
}

/// `a + cond * (b - a)`, i.e. `cond ? b : a` for a boolean `cond` (one constraint).
pub(crate) fn select<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    cond: &Expr<F>,
    a: &Expr<F>,
    b: &Expr<F>,
) -> Result<Expr<F>, SynthesisError> {
    let d = mul(cs, name, cond, &(b.clone() - a))?;
    Ok(a.clone() + &d)
}

/// Allocates a bit with value `b` and enforces that it is boolean (one constraint).
pub(crate) fn alloc_bit<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    b: bool,
) -> Result<Expr<F>, SynthesisError> {
    let e = alloc(cs, name, if b { F::ONE } else { F::ZERO })?;
    enforce_zero_product(cs, &format!("{name}:bool"), &e, &e.not());
    Ok(e)
}

/// Allocates the `n` low bits of `e`'s value and enforces `e = Σ 2^i b_i`, which also proves
/// `0 <= e < 2^n` (n + 1 constraints; `n <= 128`).
pub(crate) fn decompose<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    e: &Expr<F>,
    n: u32,
) -> Result<Vec<Expr<F>>, SynthesisError> {
    let v = e.int();
    let mut bits = Vec::with_capacity(n as usize);
    for i in 0..n {
        bits.push(alloc_bit(cs, &format!("{name}.{i}"), (v >> i) & 1 == 1)?);
    }
    enforce_eq(cs, &format!("{name}:pack"), &pack(&bits), e);
    Ok(bits)
}

/// `Σ 2^i b_i` over little-endian bits.
pub(crate) fn pack<F: PrimeField>(bits: &[Expr<F>]) -> Expr<F> {
    let mut acc = Expr::zero();
    for (i, b) in bits.iter().enumerate() {
        acc = acc + &b.scale(pow2(i as u32));
    }
    acc
}

/// Returns `z = (a == 0)` as a boolean expression (two constraints).
pub(crate) fn is_zero<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    a: &Expr<F>,
) -> Result<Expr<F>, SynthesisError> {
    let inv_val = Option::<F>::from(a.val.invert()).unwrap_or(F::ZERO);
    let inv = alloc(cs, &format!("{name}:inv"), inv_val)?;
    let z = alloc(cs, name, if a.val == F::ZERO { F::ONE } else { F::ZERO })?;
    // a * inv = 1 - z, and a * z = 0: z is 1 iff a is 0.
    enforce_mul(cs, &format!("{name}:a*inv"), a, &inv, &z.not());
    enforce_zero_product(cs, &format!("{name}:a*z"), a, &z);
    Ok(z)
}

/// Enforces `cond => (a != 0)` with a prover-supplied inverse: `a * inv = cond` (one
/// constraint). When `cond` is 0 the inverse is 0.
pub(crate) fn enforce_nonzero_if<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    cond: &Expr<F>,
    a: &Expr<F>,
) -> Result<(), SynthesisError> {
    let inv_val = if cond.val == F::ZERO {
        F::ZERO
    } else {
        Option::<F>::from(a.val.invert()).unwrap_or(F::ZERO)
    };
    let inv = alloc(cs, &format!("{name}:inv"), inv_val)?;
    enforce_mul(cs, name, a, &inv, cond);
    Ok(())
}
