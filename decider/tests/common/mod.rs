//! Tiny step circuits for the decider tests.
#![allow(dead_code)]

use canopy_folding::{Accumulator, PublicParams, StepCircuit, F1};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

/// x ← x^3 + x + add (or x^2 + add when `cube` is false), then pc ← `next_pc`.
#[derive(Clone, Debug)]
pub struct Toy {
    pub cube: bool,
    pub add: u64,
    pub next_pc: u64,
}

impl StepCircuit<F1> for Toy {
    fn arity(&self) -> usize {
        1
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let x = &z[0];
        let x2 = x.square(cs.namespace(|| "x2"))?;
        let y = if self.cube {
            x2.mul(cs.namespace(|| "x3"), x)?
        } else {
            x2
        };
        let add = F1::from(self.add);
        let cube = self.cube;
        let out = AllocatedNum::alloc(cs.namespace(|| "out"), || {
            let yv = y.get_value().ok_or(SynthesisError::AssignmentMissing)?;
            let xv = x.get_value().ok_or(SynthesisError::AssignmentMissing)?;
            Ok(if cube { yv + xv + add } else { yv + add })
        })?;
        cs.enforce(
            || "out = y (+ x) + add",
            |lc| {
                let lc = lc + y.get_variable() + (add, CS::one());
                if cube {
                    lc + x.get_variable()
                } else {
                    lc
                }
            },
            |lc| lc + CS::one(),
            |lc| lc + out.get_variable(),
        );
        let next = F1::from(self.next_pc);
        let pc_next = AllocatedNum::alloc(cs.namespace(|| "pc_next"), || Ok(next))?;
        cs.enforce(
            || "pc_next constant",
            |lc| lc + pc_next.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + (next, CS::one()),
        );
        Ok((pc_next, vec![out]))
    }
}

/// Two circuits that alternate: F_0 (cubic, + `add`) then F_1 (square + 7), then F_0, ...
pub fn alternating(add: u64) -> Vec<Toy> {
    vec![
        Toy {
            cube: true,
            add,
            next_pc: 1,
        },
        Toy {
            cube: false,
            add: 7,
            next_pc: 0,
        },
    ]
}

/// Runs `steps` steps from (pc0, [x0]).
pub fn run(pp: &PublicParams, circuits: &[Toy], pc0: u64, x0: u64, steps: u64) -> Accumulator {
    let mut acc = Accumulator::new(pp, circuits, F1::from(pc0), vec![F1::from(x0)]).unwrap();
    for _ in 1..steps {
        acc.prove_step(pp, circuits).unwrap();
    }
    acc
}

/// The public statement of an accumulator.
pub fn statement(acc: &Accumulator) -> canopy_decider::Statement {
    let (pc0, z0) = acc.start();
    let (pc, z) = acc.state();
    canopy_decider::Statement {
        num_steps: acc.num_steps(),
        pc0,
        z0: z0.to_vec(),
        pc,
        z: z.to_vec(),
    }
}
