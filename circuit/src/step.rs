//! [`CanopyStep`]: the m step circuits of one proof as one type for canopy-folding.

use canopy_folding::{StepCircuit, F1};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use crate::audit::AuditStep;
use crate::block::{BlockCircuit, StepWitness};
use crate::handoff::CoprocessorStep;
use crate::params::BlockParams;
use crate::state::Z_LEN;

/// The CPU block circuit, a coprocessor step or the audit: the m + 2 circuits of one proof,
/// as one type for canopy-folding (index 0 is the CPU, index j in 1..=m is coprocessor j,
/// index m + 1 the audit).
#[derive(Debug, Clone)]
pub enum CanopyStep<'a> {
    /// The CPU block circuit F_0.
    Cpu(BlockCircuit<'a>),
    /// Coprocessor step F_j.
    Coprocessor(CoprocessorStep<'a>),
    /// The audit step F_A (A = m + 1 for m coprocessors).
    Audit(AuditStep<'a>),
}

impl<'a> CanopyStep<'a> {
    /// All m + 2 circuits for shapes (no witness).
    pub fn shapes(params: &'a BlockParams) -> Vec<CanopyStep<'a>> {
        let mut v = vec![CanopyStep::Cpu(BlockCircuit::shape(params))];
        for j in 1..=params.coprocessors().len() as u32 {
            v.push(CanopyStep::Coprocessor(CoprocessorStep {
                params,
                index: j,
                witness: None,
            }));
        }
        v.push(CanopyStep::Audit(AuditStep::new(params, None)));
        v
    }

    /// The circuit that proves the step witness `w` (its circuit index is
    /// [`StepWitness::circuit_index`]).
    pub fn of_witness(
        params: &'a BlockParams,
        w: &'a StepWitness,
    ) -> Result<CanopyStep<'a>, SynthesisError> {
        Ok(match w {
            StepWitness::Block(b) => CanopyStep::Cpu(BlockCircuit::new(params, b)),
            StepWitness::Coprocessor(c) => {
                CanopyStep::Coprocessor(CoprocessorStep::new(params, c.index, Some(c))?)
            }
            StepWitness::Audit(a) => CanopyStep::Audit(AuditStep::new(params, Some(a))),
        })
    }
}

impl StepCircuit<F1> for CanopyStep<'_> {
    fn arity(&self) -> usize {
        Z_LEN
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        match self {
            CanopyStep::Cpu(c) => c.synthesize(cs, pc, z),
            CanopyStep::Coprocessor(c) => c.synthesize(cs, pc, z),
            CanopyStep::Audit(c) => c.synthesize(cs, pc, z),
        }
    }
}
