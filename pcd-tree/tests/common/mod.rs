//! A tiny non-uniform pair of step circuits for the tree tests: z = (x, s);
//! circuit 0: x ← x² + 1, circuit 1: x ← x³ + 2; both: pc_next = s mod 2, s ← s div 2
//! (the schedule of circuits is data in z).

#![allow(dead_code)]

use canopy_pcd::{PublicParams, StepCircuit, UniformSegment, F1};
use ff::{Field, PrimeField};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};
use std::sync::OnceLock;

/// Circuit `id` of the pair.
#[derive(Clone, Debug)]
pub struct Toy {
    pub id: u64,
}

fn low_bit(v: &F1) -> bool {
    v.to_repr().as_ref()[0] & 1 == 1
}

impl StepCircuit<F1> for Toy {
    fn arity(&self) -> usize {
        2
    }
    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let x2 = z[0].square(cs.namespace(|| "x^2"))?;
        let y = if self.id == 1 {
            x2.mul(cs.namespace(|| "x^3"), &z[0])?
        } else {
            x2
        };
        let c = F1::from(self.id + 1);
        let x_next = AllocatedNum::alloc(cs.namespace(|| "x_next"), || {
            y.get_value()
                .map(|v| v + c)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "x_next = y + c",
            |lc| lc + y.get_variable() + (c, CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + x_next.get_variable(),
        );
        let bit = z[1].get_value().map(|s| low_bit(&s));
        let pc = AllocatedNum::alloc(cs.namespace(|| "pc_next"), || {
            bit.map(|b| if b { F1::ONE } else { F1::ZERO })
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "pc boolean",
            |lc| lc + pc.get_variable(),
            |lc| lc + pc.get_variable() - CS::one(),
            |lc| lc,
        );
        let half = F1::from(2u64).invert().unwrap_or(F1::ZERO);
        let s_next = AllocatedNum::alloc(cs.namespace(|| "s_next"), || {
            match (z[1].get_value(), pc.get_value()) {
                (Some(s), Some(p)) => Ok((s - p) * half),
                _ => Err(SynthesisError::AssignmentMissing),
            }
        })?;
        cs.enforce(
            || "s = 2 s_next + pc",
            |lc| lc + (F1::from(2u64), s_next.get_variable()) + pc.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + z[1].get_variable(),
        );
        Ok((pc, vec![x_next, s_next]))
    }
}

/// Native twin: one step of circuit `pc` on z.
pub fn native_step(pc: u64, z: &[F1]) -> (u64, Vec<F1>) {
    let x = z[0];
    let y = if pc == 1 { x * x * x } else { x * x };
    let b = low_bit(&z[1]);
    let half = F1::from(2u64).invert().unwrap_or(F1::ZERO);
    let p = if b { 1 } else { 0 };
    (p, vec![y + F1::from(pc + 1), (z[1] - F1::from(p)) * half])
}

/// The two circuits.
pub fn circuits() -> Vec<Toy> {
    vec![Toy { id: 0 }, Toy { id: 1 }]
}

/// Shared parameters (setup once per test binary).
pub fn pp() -> &'static PublicParams {
    static PP: OnceLock<PublicParams> = OnceLock::new();
    PP.get_or_init(|| PublicParams::setup(&circuits()).expect("setup"))
}

/// The start state of the test program: x = 3 and a schedule of circuits (bits of s).
pub fn start() -> (u64, Vec<F1>) {
    (
        0,
        vec![F1::from(3u64), F1::from(0b1011_0110_1101_0011_1001u64)],
    )
}

/// `count` consecutive segments of `len` steps each from `start`, with their end state.
pub fn segments(
    start: (u64, Vec<F1>),
    count: usize,
    len: u64,
) -> (Vec<UniformSegment<Toy>>, (u64, Vec<F1>)) {
    let (mut pc, mut z) = start;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(UniformSegment {
            circuits: circuits(),
            pc0: F1::from(pc),
            z0: z.clone(),
            steps: len,
        });
        for _ in 0..len {
            let (p, zn) = native_step(pc, &z);
            pc = p;
            z = zn;
        }
    }
    (out, (pc, z))
}
