//! The register file inside a row: one-hot register selectors, reads and the rd write.
//!
//! x0 is the constant 0 and is not part of the state; x1..x31 are row-state variables.

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

use super::bits::{alloc, alloc_bit, alloc_num, enforce_eq, enforce_mul, Expr};

/// A one-hot vector `e_0..e_31` with `Σ e_i = 1` and `Σ i·e_i = index` (34 constraints).
pub(crate) fn onehot32<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    index: &Expr<F>,
) -> Result<Vec<Expr<F>>, SynthesisError> {
    let idx = index.int();
    let mut e = Vec::with_capacity(32);
    for i in 0..32u128 {
        e.push(alloc_bit(cs, &format!("{name}.{i}"), idx == i)?);
    }
    enforce_eq(
        cs,
        &format!("{name}:sum"),
        &Expr::sum(e.iter()),
        &Expr::from_u64(1),
    );
    let mut weighted = Expr::zero();
    for (i, b) in e.iter().enumerate() {
        weighted = weighted + &b.scale(F::from(i as u64));
    }
    enforce_eq(cs, &format!("{name}:index"), &weighted, index);
    Ok(e)
}

/// Reads the register selected by `sel` from `regs` (x0..x31, x0 = constant 0): allocates the
/// value and enforces `e_i·(x_i - v) = 0` for every i (32 constraints).
pub(crate) fn read<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    sel: &[Expr<F>],
    regs: &[Expr<F>],
) -> Result<Expr<F>, SynthesisError> {
    let val = sel
        .iter()
        .zip(regs)
        .map(|(e, x)| e.val * x.val)
        .fold(F::ZERO, |a, b| a + b);
    let v = alloc(cs, name, val)?;
    for (i, (e, x)) in sel.iter().zip(regs).enumerate() {
        let zero = Expr::zero();
        enforce_mul(cs, &format!("{name}:{i}"), e, &(x.clone() - &v), &zero);
    }
    Ok(v)
}

/// Writes `value` into the register selected by the one-hot `sel` (index 0 = no write):
/// allocates x1'..x31' from `claimed` and enforces `x_i' - x_i = e_i·(value - x_i)`
/// (31 constraints).
pub(crate) fn write<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    sel: &[Expr<F>],
    regs: &[Expr<F>],
    value: &Expr<F>,
    claimed: &[u32; 32],
) -> Result<Vec<AllocatedNum<F>>, SynthesisError> {
    let mut out = Vec::with_capacity(31);
    for i in 1..32 {
        let (n, e) = alloc_num(cs, &format!("x{i}'"), F::from(claimed[i] as u64))?;
        enforce_mul(
            cs,
            &format!("x{i}':write"),
            &sel[i],
            &(value.clone() - &regs[i]),
            &(e - &regs[i]),
        );
        out.push(n);
    }
    Ok(out)
}
