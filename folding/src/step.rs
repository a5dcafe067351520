//! The step-circuit API: the user's circuits F_0..F_{m-1}.

use ff::PrimeField;
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

/// One step circuit F_j of a non-uniform computation over the primary field.
///
/// A computation is a slice of circuits of one type (use an enum to mix different circuits);
/// the circuit at position j of the slice is F_j. Every circuit has the same `arity` (length
/// of the state z). The wrapper (the augmented circuit F'_j) enforces that the incoming `pc`
/// equals j before calling `synthesize` (P13): a step circuit need not, and must not be
/// trusted to, check it. The returned `pc_next` selects the circuit of the next step; it is
/// not range-checked (an out-of-range value can simply not be continued).
pub trait StepCircuit<F: PrimeField>: Send + Sync {
    /// Length of the state vector z.
    fn arity(&self) -> usize;

    /// Synthesizes one step: from `(pc, z)` to `(pc_next, z_next)`; `z_next` must have
    /// `arity()` elements.
    fn synthesize<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        pc: &AllocatedNum<F>,
        z: &[AllocatedNum<F>],
    ) -> Result<(AllocatedNum<F>, Vec<AllocatedNum<F>>), SynthesisError>;
}
