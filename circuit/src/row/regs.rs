//! The register file inside a row: one-hot register selectors, reads and the rd write.
//!
//! x0 is the constant 0 and is not part of the state; x1..x31 are row-state variables.

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

use super::bits::{alloc_bit, alloc_num, enforce_eq, enforce_mul, select, Expr};

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

/// Reads the register whose index has the little-endian bits `idx` (5 booleans, constrained
/// by the caller) from `regs` (x0..x31, x0 = constant 0): a tree of 2:1 selections, bit 0 at
/// the leaves (31 constraints; a one-hot selector and a product per register cost 66).
pub(crate) fn read<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    idx: &[Expr<F>],
    regs: &[Expr<F>],
) -> Result<Expr<F>, SynthesisError> {
    if regs.len() != 1 << idx.len() {
        return Err(SynthesisError::Unsatisfiable(format!(
            "{name}: {} registers for {} index bits",
            regs.len(),
            idx.len()
        )));
    }
    let mut level = regs.to_vec();
    for (l, bit) in idx.iter().enumerate() {
        level = level
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| select(cs, &format!("{name}:{l}.{i}"), bit, &pair[0], &pair[1]))
            .collect::<Result<_, _>>()?;
    }
    level
        .pop()
        .ok_or_else(|| SynthesisError::Unsatisfiable(format!("{name}: no registers")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use ff::Field;
    use nova_snark::frontend::test_cs::TestConstraintSystem;
    use nova_snark::provider::bn256_grumpkin::bn256::Scalar as F;

    /// Reads register `idx` from x0..x31 (x0 the constant 0), `lie` giving register `i` a
    /// value other than its variable's. Returns the system, the constraints the read added,
    /// the output and the registers' true values.
    fn build(idx: usize, lie: Option<usize>) -> (TestConstraintSystem<F>, usize, Expr<F>, Vec<F>) {
        let mut cs = TestConstraintSystem::<F>::new();
        let mut regs = vec![Expr::zero()];
        let mut vals = vec![F::ZERO];
        for i in 1..32u64 {
            let v = F::from(0x9e37_79b9u64.wrapping_mul(i) & 0xffff_ffff);
            let mut e = alloc_num(&mut cs, &format!("x{i}"), v).unwrap().1;
            if lie == Some(i as usize) {
                e.val += F::ONE;
            }
            regs.push(e);
            vals.push(v);
        }
        let bits: Vec<Expr<F>> = (0..5)
            .map(|b| alloc_bit(&mut cs, &format!("b{b}"), (idx >> b) & 1 == 1).unwrap())
            .collect();
        let before = cs.num_constraints();
        let v = read(&mut cs, "v", &bits, &regs).unwrap();
        let added = cs.num_constraints() - before;
        (cs, added, v, vals)
    }

    #[test]
    fn read_selects_the_indexed_register_with_31_constraints() {
        for idx in 0..32 {
            let (mut cs, added, v, vals) = build(idx, None);
            assert_eq!(added, 31);
            assert!(cs.is_satisfied(), "idx {idx}");
            assert_eq!(v.val, vals[idx], "idx {idx}");
            // under the witness the output's variables give the register too: pinning them
            // to it holds, pinning them to any other value does not
            enforce_eq(&mut cs, "pin", &v, &Expr::constant(vals[idx]));
            assert!(cs.is_satisfied(), "idx {idx}");
            let (mut wrong, _, v, _) = build(idx, None);
            enforce_eq(&mut wrong, "pin", &v, &Expr::constant(vals[idx] + F::ONE));
            assert!(!wrong.is_satisfied(), "idx {idx}");
        }
    }

    #[test]
    fn read_rejects_a_lie_about_the_selected_register() {
        for idx in 1..32 {
            let (cs, _, _, _) = build(idx, Some(idx));
            assert!(!cs.is_satisfied(), "idx {idx}");
        }
    }
}
