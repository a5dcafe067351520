//! The memory argument in circuit: one access (read and write tuples, their LogUp terms and
//! the time-order gap) and one final-set tuple, against the challenges in z.
//!
//! Costs per access: [`GAP_BITS`] + 4 constraints for a pure read (the gap's bits, `γ·v`,
//! `γ²·d`, two inverses), one more for a write of another value (`γ·v_w`); per final tuple 3
//! (`γ·v`, `γ²·t`, the inverse); per step 2 (`γ²`, `γ²·ts`) and one for the sum's output.

use canopy_folding::F1;
use ff::Field;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};

use super::GAP_BITS;

/// `a·b` for an allocated `a` and a linear combination `b` (one constraint).
pub fn mul_num<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    a: &AllocatedNum<F1>,
    b: &Num<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let out = AllocatedNum::alloc(cs.namespace(|| "product"), || {
        Ok(a.get_value().ok_or(SynthesisError::AssignmentMissing)?
            * b.get_value().ok_or(SynthesisError::AssignmentMissing)?)
    })?;
    cs.enforce(
        || "a·b = out",
        |lc| lc + a.get_variable(),
        |_| b.lc(F1::ONE),
        |lc| lc + out.get_variable(),
    );
    Ok(out)
}

/// `1/x` (one constraint `inv·x = 1`; unsatisfiable when `x = 0`).
fn inverse<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    x: &Num<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let inv = AllocatedNum::alloc(cs.namespace(|| "inverse"), || {
        let v = x.get_value().ok_or(SynthesisError::AssignmentMissing)?;
        Option::from(v.invert()).ok_or(SynthesisError::Unsatisfiable(
            "α equals a fingerprint".into(),
        ))
    })?;
    cs.enforce(
        || "inv·x = 1",
        |lc| lc + inv.get_variable(),
        |_| x.lc(F1::ONE),
        |lc| lc + CS::one(),
    );
    Ok(inv)
}

/// `n` bits allocated from `value` (little-endian) and their packed sum (n constraints).
pub fn bits_num<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    value: Option<u64>,
    n: u32,
) -> Result<Num<F1>, SynthesisError> {
    let mut num = Num::zero();
    let mut coeff = F1::ONE;
    for i in 0..n {
        let b = AllocatedBit::alloc(
            cs.namespace(|| format!("b{i}")),
            value.map(|v| v >> i & 1 == 1),
        )?;
        num = num.add_bool_with_coeff(CS::one(), &Boolean::Is(b), coeff);
        coeff = coeff.double();
    }
    Ok(num)
}

/// The constant `c` as a linear combination.
pub fn constant<CS: ConstraintSystem<F1>>(c: F1) -> Num<F1> {
    Num::zero().add_bool_with_coeff(CS::one(), &Boolean::constant(true), c)
}

/// The memory argument of one fold step: the challenges, the clock at the step's start and
/// the running LogUp sum of the step's terms.
#[derive(Debug, Clone)]
pub struct MemCtx {
    gamma: AllocatedNum<F1>,
    alpha: AllocatedNum<F1>,
    gamma2: AllocatedNum<F1>,
    /// `γ²·ts` at the step's start (`None` for the audit, which makes no accesses).
    g_ts: Option<AllocatedNum<F1>>,
    sum: Num<F1>,
    pos: u64,
}

impl MemCtx {
    /// The argument of a step with the challenges `gamma`, `alpha` and the clock `ts` from
    /// z (`None`: a step that only adds final tuples).
    pub fn new<CS: ConstraintSystem<F1>>(
        mut cs: CS,
        gamma: &AllocatedNum<F1>,
        alpha: &AllocatedNum<F1>,
        ts: Option<&AllocatedNum<F1>>,
    ) -> Result<Self, SynthesisError> {
        let gamma2 = gamma.square(cs.namespace(|| "γ²"))?;
        let g_ts = match ts {
            Some(ts) => Some(gamma2.mul(cs.namespace(|| "γ²·ts"), ts)?),
            None => None,
        };
        Ok(MemCtx {
            gamma: gamma.clone(),
            alpha: alpha.clone(),
            gamma2,
            g_ts,
            sum: Num::zero(),
            pos: 0,
        })
    }

    /// Number of accesses made so far in this step.
    pub fn accesses(&self) -> u64 {
        self.pos
    }

    /// `h = a + γv + γ²t` given the products, then `1/(α − h)`.
    fn term<CS: ConstraintSystem<F1>>(
        &self,
        cs: CS,
        h: Num<F1>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let x = Num::from(self.alpha.clone()).add(&h.scale(-F1::ONE));
        inverse(cs, &x)
    }

    /// One access of cell `a` (an address already range-checked by the caller): reads `v_r`
    /// and writes `v_w` (`None`: a pure read). `gap` is the witness `d = ts + j − t_r`; its
    /// bits are allocated here. Returns `d` for the caller's packing.
    pub fn access<CS: ConstraintSystem<F1>>(
        &mut self,
        mut cs: CS,
        a: &Num<F1>,
        v_r: &Num<F1>,
        v_w: Option<&Num<F1>>,
        gap: Option<u64>,
    ) -> Result<Num<F1>, SynthesisError> {
        let g_ts = self.g_ts.clone().ok_or_else(|| {
            SynthesisError::Unsatisfiable("an access in a step without a clock".into())
        })?;
        let j = F1::from(self.pos);
        let d = bits_num(cs.namespace(|| "gap"), gap, GAP_BITS)?;
        let gv_r = mul_num(cs.namespace(|| "γ·v_r"), &self.gamma, v_r)?;
        let gd = mul_num(cs.namespace(|| "γ²·d"), &self.gamma2, &d)?;
        // t_r = ts + j − d
        let g2 = Num::from(self.gamma2.clone());
        let h_r = a
            .clone()
            .add(&gv_r.clone().into())
            .add(&g_ts.clone().into())
            .add(&g2.clone().scale(j))
            .add(&Num::from(gd).scale(-F1::ONE));
        let inv_r = self.term(cs.namespace(|| "read term"), h_r)?;
        let gv_w = match v_w {
            Some(v) => mul_num(cs.namespace(|| "γ·v_w"), &self.gamma, v)?,
            None => gv_r,
        };
        // t_w = ts + j + 1
        let h_w = a
            .clone()
            .add(&gv_w.into())
            .add(&g_ts.into())
            .add(&g2.scale(j + F1::ONE));
        let inv_w = self.term(cs.namespace(|| "write term"), h_w)?;
        self.sum = self
            .sum
            .clone()
            .add(&inv_w.into())
            .add(&Num::from(inv_r).scale(-F1::ONE));
        self.pos += 1;
        Ok(d)
    }

    /// Subtracts the final-set tuple `(a, v, t)` from the sum.
    pub fn final_tuple<CS: ConstraintSystem<F1>>(
        &mut self,
        mut cs: CS,
        a: &Num<F1>,
        v: &AllocatedNum<F1>,
        t: &AllocatedNum<F1>,
    ) -> Result<(), SynthesisError> {
        let gv = self.gamma.mul(cs.namespace(|| "γ·v"), v)?;
        let g2t = self.gamma2.mul(cs.namespace(|| "γ²·t"), t)?;
        let h = a.clone().add(&gv.into()).add(&g2t.into());
        let inv = self.term(cs.namespace(|| "final term"), h)?;
        self.sum = self.sum.clone().add(&Num::from(inv).scale(-F1::ONE));
        Ok(())
    }

    /// `S' = S + (this step's terms)`, allocated (one constraint).
    pub fn sum_out<CS: ConstraintSystem<F1>>(
        &self,
        mut cs: CS,
        s_in: &AllocatedNum<F1>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let total = Num::from(s_in.clone()).add(&self.sum);
        let out = AllocatedNum::alloc(cs.namespace(|| "S'"), || {
            total.get_value().ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "S' = S + terms",
            |_| total.lc(F1::ONE),
            |lc| lc + CS::one(),
            |lc| lc + out.get_variable(),
        );
        Ok(out)
    }

    /// `ts' = ts + (this step's accesses)`, allocated (one constraint).
    pub fn clock_out<CS: ConstraintSystem<F1>>(
        &self,
        mut cs: CS,
        ts: &AllocatedNum<F1>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let n = F1::from(self.pos);
        let out = AllocatedNum::alloc(cs.namespace(|| "ts'"), || {
            Ok(ts.get_value().ok_or(SynthesisError::AssignmentMissing)? + n)
        })?;
        cs.enforce(
            || "ts' = ts + n",
            |lc| lc + ts.get_variable() + (n, CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + out.get_variable(),
        );
        Ok(out)
    }
}
