//! Leaves: a contiguous segment of steps proven with sequential non-uniform IVC.

use crate::error::PcdError;
use canopy_folding::{Accumulator, PublicParams, SlotStart, StepCircuit, F1};

/// A contiguous segment of steps: where it starts and, for each of its steps, the step
/// circuits F_0..F_{m−1} to use (circuits may carry the witness of their step, e.g. the
/// instructions of a block; the folding engine picks F_pc).
pub trait Segment {
    /// The step circuit type (an enum for heterogeneous circuits).
    type Circuit: StepCircuit<F1>;
    /// The start state (pc_0, z_0) of the segment.
    fn start(&self) -> (F1, Vec<F1>);
    /// Number of steps (≥ 1).
    fn num_steps(&self) -> u64;
    /// The circuits for step `i` of the segment (0-based).
    fn circuits(&self, i: u64) -> Result<Vec<Self::Circuit>, PcdError>;
}

/// A segment whose circuits carry no per-step witness: every step uses the same circuits.
#[derive(Clone, Debug)]
pub struct UniformSegment<C> {
    /// The step circuits F_0..F_{m−1}.
    pub circuits: Vec<C>,
    /// Start program counter.
    pub pc0: F1,
    /// Start state.
    pub z0: Vec<F1>,
    /// Number of steps.
    pub steps: u64,
}

impl<C: StepCircuit<F1> + Clone> Segment for UniformSegment<C> {
    type Circuit = C;
    fn start(&self) -> (F1, Vec<F1>) {
        (self.pc0, self.z0.clone())
    }
    fn num_steps(&self) -> u64 {
        self.steps
    }
    fn circuits(&self, _i: u64) -> Result<Vec<C>, PcdError> {
        Ok(self.circuits.clone())
    }
}

/// Proves a segment: the base step on its start state, then its remaining steps. Its slots
/// start at DEFAULT (right for every leaf but the first of a run; see [`prove_leaf_with`]).
pub fn prove_leaf<S: Segment>(pp: &PublicParams, seg: &S) -> Result<Accumulator, PcdError> {
    prove_leaf_with(pp, seg, SlotStart::Default)
}

/// [`prove_leaf`] with the slots starting as `start` says: the first leaf of a run starts
/// with [`SlotStart::Random`], so that the root's running instances (which the compact proof
/// reveals) do not tell how often each circuit ran.
pub fn prove_leaf_with<S: Segment>(
    pp: &PublicParams,
    seg: &S,
    start: SlotStart,
) -> Result<Accumulator, PcdError> {
    let n = seg.num_steps();
    if n == 0 {
        return Err(PcdError::InvalidInput(
            "a leaf needs at least one step".into(),
        ));
    }
    let (pc0, z0) = seg.start();
    let _span = tracing::debug_span!("leaf", steps = n).entered();
    let mut acc = Accumulator::new_with_start(pp, &seg.circuits(0)?, pc0, z0, start)?;
    for i in 1..n {
        acc.prove_step(pp, &seg.circuits(i)?)?;
    }
    Ok(acc)
}

/// A segment whose per-step circuits were built in advance (e.g. from a streaming witness
/// generator that produced the blocks of this segment).
#[derive(Clone, Debug)]
pub struct VecSegment<C> {
    /// Start program counter.
    pub pc0: F1,
    /// Start state.
    pub z0: Vec<F1>,
    /// The circuits of each step (one vector F_0..F_{m−1} per step).
    pub steps: Vec<Vec<C>>,
}

impl<C: StepCircuit<F1> + Clone> Segment for VecSegment<C> {
    type Circuit = C;
    fn start(&self) -> (F1, Vec<F1>) {
        (self.pc0, self.z0.clone())
    }
    fn num_steps(&self) -> u64 {
        self.steps.len() as u64
    }
    fn circuits(&self, i: u64) -> Result<Vec<C>, PcdError> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.steps.get(i))
            .cloned()
            .ok_or_else(|| PcdError::InvalidInput(format!("segment has no step {i}")))
    }
}
