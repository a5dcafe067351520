//! Test step circuits: x ← x^(2^n) + c, and a data-dependent pc: with z = (x, s),
//! pc_next = s mod m, s_next = s div m (the schedule is data in z).

use crate::encoding::{from_int, to_int};
use crate::step::StepCircuit;
use crate::{PublicParams, F1};
use ff::Field;
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};
use num_bigint::BigInt;
use std::sync::OnceLock;

/// `n` squarings of x plus a constant, pc from the schedule digit.
#[derive(Clone, Debug)]
pub struct Sq {
    pub squarings: usize,
    pub add: u64,
    pub m: u64,
}

impl StepCircuit<F1> for Sq {
    fn arity(&self) -> usize {
        2
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let mut y = z[0].clone();
        for k in 0..self.squarings {
            y = y.square(cs.namespace(|| format!("sq {k}")))?;
        }
        let add = F1::from(self.add);
        let x_next = AllocatedNum::alloc(cs.namespace(|| "x_next"), || {
            y.get_value()
                .map(|v| v + add)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "x_next = y + c",
            |lc| lc + y.get_variable() + (add, CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + x_next.get_variable(),
        );
        let m = self.m;
        let split = || -> Option<(F1, F1)> {
            let s = to_int(&z[1].get_value()?);
            let mb = BigInt::from(m);
            Some((from_int(&(&s % &mb))?, from_int(&(&s / &mb))?))
        };
        let pc_next = AllocatedNum::alloc(cs.namespace(|| "pc_next"), || {
            split()
                .map(|v| v.0)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let s_next = AllocatedNum::alloc(cs.namespace(|| "s_next"), || {
            split()
                .map(|v| v.1)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "s = m * s_next + pc_next",
            |lc| lc + (F1::from(m), s_next.get_variable()) + pc_next.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + z[1].get_variable(),
        );
        // pc_next in [0, m): prod (pc_next - t) = 0
        if m == 1 {
            cs.enforce(
                || "pc_next = 0",
                |lc| lc + pc_next.get_variable(),
                |lc| lc + CS::one(),
                |lc| lc,
            );
        } else {
            let mut acc = pc_next.clone();
            for t in 1..m - 1 {
                let tv = F1::from(t);
                let prod = AllocatedNum::alloc(cs.namespace(|| format!("prod {t}")), || {
                    match (acc.get_value(), pc_next.get_value()) {
                        (Some(a), Some(p)) => Ok(a * (p - tv)),
                        _ => Err(SynthesisError::AssignmentMissing),
                    }
                })?;
                cs.enforce(
                    || format!("enforce prod {t}"),
                    |lc| lc + acc.get_variable(),
                    |lc| lc + pc_next.get_variable() - (tv, CS::one()),
                    |lc| lc + prod.get_variable(),
                );
                acc = prod;
            }
            let last = F1::from(m - 1);
            cs.enforce(
                || "range",
                |lc| lc + acc.get_variable(),
                |lc| lc + pc_next.get_variable() - (last, CS::one()),
                |lc| lc,
            );
        }
        Ok((pc_next, vec![x_next, s_next]))
    }
}

/// Native twin of `Sq` (for checking final states).
pub fn native_step(c: &Sq, z: &[F1]) -> (u64, Vec<F1>) {
    let mut y = z[0];
    for _ in 0..c.squarings {
        y = y.square();
    }
    let s = to_int(&z[1]);
    let mb = BigInt::from(c.m);
    let pc = u64::try_from(&s % &mb).unwrap_or(0);
    let s_next = from_int(&(&s / &mb)).unwrap_or(F1::ZERO);
    (pc, vec![y + F1::from(c.add), s_next])
}

/// Encodes a schedule of circuit indices (base m, little-endian).
pub fn schedule(pcs: &[u64], m: u64) -> F1 {
    pcs.iter()
        .rev()
        .fold(F1::ZERO, |acc, p| acc * F1::from(m) + F1::from(*p))
}

/// Three circuits of very different sizes: ~10, ~1,000 and ~30,000 constraints of F.
pub fn three() -> Vec<Sq> {
    vec![
        Sq {
            squarings: 1,
            add: 1,
            m: 3,
        },
        Sq {
            squarings: 1_000,
            add: 2,
            m: 3,
        },
        Sq {
            squarings: 30_000,
            add: 3,
            m: 3,
        },
    ]
}

/// One tiny circuit (m = 1).
pub fn one() -> Vec<Sq> {
    vec![Sq {
        squarings: 3,
        add: 5,
        m: 1,
    }]
}

/// Shared parameters for `three()` (setup once per test binary).
pub fn pp_three() -> &'static (Vec<Sq>, PublicParams) {
    static PP: OnceLock<(Vec<Sq>, PublicParams)> = OnceLock::new();
    PP.get_or_init(|| {
        let c = three();
        let pp = PublicParams::setup(&c).expect("setup");
        (c, pp)
    })
}

/// Shared parameters for `one()`.
pub fn pp_one() -> &'static (Vec<Sq>, PublicParams) {
    static PP: OnceLock<(Vec<Sq>, PublicParams)> = OnceLock::new();
    PP.get_or_init(|| {
        let c = one();
        let pp = PublicParams::setup(&c).expect("setup");
        (c, pp)
    })
}
