//! The proving pipeline shared by the sequential chain and the tree ([`crate::Prover`]) and
//! by the MPI prover (`crate::distributed`), each piece once:
//!
//! 1. [`challenges`] (phase 1 of the memory argument, `canopy_circuit::memcheck`): the guest
//!    traced once with every step witness computed and dropped, to fix every memory tuple and
//!    the binding chain's end, from which the challenges `(γ, α)` are derived.
//!    [`trace_steps`] (phase 2): the guest traced again, its trace turned into step witnesses
//!    (`BlockWitnessGen`: a CPU block of K rows, a coprocessor step, or after halt an audit
//!    step), with the challenges in every z, handed on in order.
//! 2. [`LeafBatcher`]: cuts the stream of step witnesses into leaves of `leaf_steps` fold
//!    steps and the leaves into windows of `threads`, the unit proven in parallel;
//!    [`prove_window`] proves one window and pushes it into the PCD reducer.
//! 3. [`conclude`]: checks the accumulator's final state against the run and builds the
//!    [`Statement`] (and verifies the proof when asked).

use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::memcheck::{derive_challenges, ChallengeStatement, Challenges};
use canopy_circuit::step::CanopyStep;
use canopy_folding::{Accumulator, F1};
use sha2::{Digest, Sha256};

use crate::error::ProveError;
use crate::params::Params;
use crate::program::{Execution, Inputs, Program};
use crate::proof::{Proof, Statement};
use crate::state::{self, Z_STEPS};
use crate::{field, verify};

/// Refuses a program loaded for another memory size than the parameters'.
pub(crate) fn check_memory_size(p: &Params, program: &Program) -> Result<(), ProveError> {
    if p.memory_size() != program.memory_size() {
        return Err(ProveError::MemorySize {
            params: p.memory_size(),
            program: program.memory_size(),
        });
    }
    Ok(())
}

/// Refuses leaves of 0 steps or windows of 0 threads.
pub(crate) fn check_leaf_options(leaf_steps: u64, threads: usize) -> Result<(), ProveError> {
    if leaf_steps == 0 || threads == 0 {
        return Err(ProveError::Internal(
            "leaf steps and threads must be at least 1".into(),
        ));
    }
    Ok(())
}

/// A traced run: its outcome, the audited pages and the binding chain's end.
#[derive(Debug, Clone)]
pub(crate) struct Traced {
    /// The run's outcome.
    pub run: Execution,
    /// The page list of the audit.
    pub pages: Vec<u64>,
    /// The chain's end `IC_end`.
    pub chain_end: F1,
}

/// The challenges' statement of a run that read `consumed` bytes of public input and wrote
/// `output`.
pub(crate) fn challenge_statement(
    p: &Params,
    program: &Program,
    inputs: &Inputs,
    consumed: u64,
    output: &[u8],
) -> Result<ChallengeStatement, ProveError> {
    let prefix = usize::try_from(consumed)
        .ok()
        .and_then(|n| inputs.public.get(..n))
        .ok_or_else(|| {
            ProveError::Internal("the guest read more input than it was given".into())
        })?;
    Ok(ChallengeStatement {
        params_digest: p.digest(),
        program_digest: program.digest(),
        input_digest: Sha256::digest(prefix).into(),
        output_digest: Sha256::digest(output).into(),
    })
}

/// Phase 1: traces the run with every step witness computed and dropped, and derives the
/// memory argument's challenges from the statement and the chain's end. `seed` must be the
/// one phase 2 uses (it salts the chain).
pub(crate) fn challenges(
    p: &Params,
    program: &Program,
    inputs: &Inputs,
    max_steps: u64,
    seed: F1,
) -> Result<Challenges, ProveError> {
    let _span = tracing::info_span!("phase 1").entered();
    let t = trace_steps(p, program, inputs, max_steps, seed, None, |_| Ok(true))?
        .ok_or_else(|| ProveError::Internal("phase 1 stopped early".into()))?;
    let st = challenge_statement(
        p,
        program,
        inputs,
        t.run.public_input_consumed,
        &t.run.public_output,
    )?;
    Ok(derive_challenges(&st, t.chain_end))
}

/// Runs `program` on `inputs` on the tracing path and hands each step witness, in proving
/// order, to `step`, which returns whether it wants more. Returns the run's outcome once the
/// guest has exited, or `None` when `step` stopped early. `seed` derives the block circuit's
/// hiding salts and the chain's salt (a fresh random one for a proof; every pass of one proof
/// must use the same); `challenges` is `None` in phase 1 (witnesses not provable).
pub(crate) fn trace_steps(
    p: &Params,
    program: &Program,
    inputs: &Inputs,
    max_steps: u64,
    seed: F1,
    challenges: Option<Challenges>,
    mut step: impl FnMut(StepWitness) -> Result<bool, ProveError>,
) -> Result<Option<Traced>, ProveError> {
    let mut vm = program.vm(inputs, max_steps, p.coprocessors())?;
    let mut gen = BlockWitnessGen::new(p.block(), program.vm_program(), seed, challenges)?;
    for block in vm.trace(p.block_size()) {
        for rec in &block?.records {
            gen.push_record(rec)?;
            while let Some(w) = gen.next_step() {
                if !step(w)? {
                    return Ok(None);
                }
            }
        }
    }
    gen.finish()?;
    while let Some(w) = gen.next_step() {
        if !step(w)? {
            return Ok(None);
        }
    }
    let exit = vm
        .exit()
        .ok_or_else(|| ProveError::Internal("the traced run did not exit".into()))?;
    Ok(Some(Traced {
        run: Execution {
            exit_code: exit.code,
            instructions: exit.steps,
            public_output: vm.public_output().to_vec(),
            public_input_consumed: vm.public_input_consumed() as u64,
        },
        pages: gen.pages()?,
        chain_end: gen.chain(),
    }))
}

/// The circuits of one step: the shapes, with the step's own circuit carrying its witness.
pub(crate) fn step_circuits<'a>(
    p: &'a Params,
    w: &'a StepWitness,
) -> Result<Vec<CanopyStep<'a>>, ProveError> {
    let mut circuits = CanopyStep::shapes(p.block());
    let j = w.circuit_index() as usize;
    let c =
        CanopyStep::of_witness(p.block(), w).map_err(|e| ProveError::Internal(e.to_string()))?;
    *circuits
        .get_mut(j)
        .ok_or_else(|| ProveError::Internal(format!("no step circuit {j}")))? = c;
    Ok(circuits)
}

/// The instructions retired once step `w` is done (its output state's step counter).
pub(crate) fn steps_of(w: &StepWitness) -> u64 {
    w.z_out()
        .get(Z_STEPS)
        .and_then(field::to_u64)
        .unwrap_or_default()
}

/// A window of leaves, each a list of consecutive step witnesses.
pub(crate) type Window<T = StepWitness> = Vec<Vec<T>>;

/// Cuts the run's step witnesses into leaves of `leaf_steps` fold steps and the leaves into
/// windows of `threads` leaves. The first `skip` leaves are dropped (already proven: a
/// resumed checkpoint); their witnesses were only regenerated.
#[derive(Debug)]
pub(crate) struct LeafBatcher<T = StepWitness> {
    leaf_steps: u64,
    threads: usize,
    skip: u64,
    leaves: u64,
    current: Vec<T>,
    window: Window<T>,
}

impl<T> LeafBatcher<T> {
    /// A batcher; `leaf_steps` and `threads` must be at least 1.
    pub(crate) fn new(leaf_steps: u64, threads: usize, skip: u64) -> Result<Self, ProveError> {
        check_leaf_options(leaf_steps, threads)?;
        Ok(LeafBatcher {
            leaf_steps,
            threads,
            skip,
            leaves: 0,
            current: Vec::new(),
            window: Vec::new(),
        })
    }

    /// Takes the next step; returns a full window when this step completes one.
    pub(crate) fn push(&mut self, w: T) -> Option<Window<T>> {
        self.current.push(w);
        if self.current.len() as u64 == self.leaf_steps {
            self.end_leaf();
        }
        (self.window.len() >= self.threads).then(|| std::mem::take(&mut self.window))
    }

    /// Ends the run: the last (possibly short) leaf and the last (possibly short) window.
    pub(crate) fn finish(&mut self) -> Option<Window<T>> {
        if !self.current.is_empty() {
            self.end_leaf();
        }
        (!self.window.is_empty()).then(|| std::mem::take(&mut self.window))
    }

    fn end_leaf(&mut self) {
        let leaf = std::mem::take(&mut self.current);
        self.leaves += 1;
        if self.leaves > self.skip {
            self.window.push(leaf);
        }
    }
}

/// Proves a window of leaves in parallel on `pool` and pushes them into `reducer`, calling
/// `after_merge` after every merge (e.g. to write a checkpoint).
pub(crate) fn prove_window<'a>(
    p: &'a Params,
    pool: &rayon::ThreadPool,
    reducer: &mut canopy_pcd::Reducer<'a>,
    window: &[Vec<StepWitness>],
    after_merge: impl FnMut(&canopy_pcd::Reducer<'a>) -> Result<(), canopy_pcd::PcdError> + Send,
) -> Result<(), ProveError> {
    let mut segments = Vec::with_capacity(window.len());
    for leaf in window {
        let first = leaf
            .first()
            .ok_or_else(|| ProveError::Internal("empty leaf".into()))?;
        segments.push(canopy_pcd::VecSegment {
            pc0: F1::from(first.circuit_index() as u64),
            z0: first.z_in().to_vec(),
            steps: leaf
                .iter()
                .map(|w| step_circuits(p, w))
                .collect::<Result<Vec<_>, _>>()?,
        });
    }
    pool.install(|| reducer.prove_window_with(&segments, after_merge))?;
    Ok(())
}

/// A thread pool of `threads` threads for the leaves of a window.
pub(crate) fn leaf_pool(threads: usize) -> Result<rayon::ThreadPool, ProveError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ProveError::Internal(format!("thread pool: {e}")))
}

/// The proof of `run` from its accumulator: checks that the accumulator's final state is
/// the run's end (halted, exit code, instruction count, input bytes read), builds the
/// statement, and verifies the proof when `self_check` is set.
pub(crate) fn conclude(
    p: &Params,
    program: &Program,
    inputs: &Inputs,
    run: &Execution,
    pages: Vec<u64>,
    acc: Accumulator,
    self_check: bool,
) -> Result<Proof, ProveError> {
    let (_, z_n) = acc.state();
    let fin = state::decode(z_n).map_err(ProveError::Internal)?;
    let consumed = run.public_input_consumed;
    let in_len = state::stream_len(&fin.input)
        .ok_or_else(|| ProveError::Internal("input length overflows".into()))?;
    if !fin.halted
        || fin.exit_code != run.exit_code
        || fin.steps != run.instructions
        || in_len != consumed
    {
        return Err(ProveError::Internal(format!(
            "the proven final state {fin:?} ({} fold steps) disagrees with the run ({run:?})",
            acc.num_steps(),
        )));
    }
    let prefix = usize::try_from(consumed)
        .ok()
        .and_then(|n| inputs.public.get(..n))
        .ok_or_else(|| {
            ProveError::Internal("the guest read more input than it was given".into())
        })?;
    let statement = Statement {
        program_digest: program.digest(),
        memory_size: program.memory_size(),
        block_size: p.block_size() as u64,
        params_digest: p.digest(),
        coprocessors: p.coprocessors().describe(),
        public_input_len: consumed,
        public_input_digest: Sha256::digest(prefix).into(),
        public_input_eof: fin.in_eof,
        public_output: run.public_output.clone(),
        exit_code: run.exit_code,
        instructions: run.instructions,
        fold_steps: acc.num_steps(),
        pages,
    };
    let proof = Proof {
        statement,
        accumulator: acc,
    };
    if self_check {
        verify(&proof, program, &inputs.public, p)
            .map_err(|e| ProveError::Internal(format!("the new proof does not verify: {e}")))?;
    }
    Ok(proof)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes steps 0..n and returns every window the batcher hands out, in order.
    fn windows(n: u32, leaf_steps: u64, threads: usize, skip: u64) -> Vec<Window<u32>> {
        let mut b = LeafBatcher::new(leaf_steps, threads, skip).unwrap();
        let mut out: Vec<Window<u32>> = (0..n).filter_map(|i| b.push(i)).collect();
        out.extend(b.finish());
        out
    }

    #[test]
    fn leaves_and_windows_cover_the_run_in_order() {
        // 10 steps, leaves of 3, windows of 2: [[0,1,2],[3,4,5]], [[6,7,8],[9]]
        let w = windows(10, 3, 2, 0);
        assert_eq!(
            w,
            vec![
                vec![vec![0, 1, 2], vec![3, 4, 5]],
                vec![vec![6, 7, 8], vec![9]]
            ]
        );
        // an exact multiple ends with no empty leaf or window
        assert_eq!(windows(6, 3, 2, 0).len(), 1);
        assert!(windows(0, 3, 2, 0).is_empty());
        // resumed: the first two leaves are dropped, the rest keep their positions
        assert_eq!(windows(10, 3, 2, 2), vec![vec![vec![6, 7, 8], vec![9]]]);
        // one thread: one leaf per window
        assert_eq!(windows(5, 2, 1, 0).len(), 3);
        assert!(LeafBatcher::<u32>::new(0, 1, 0).is_err());
        assert!(LeafBatcher::<u32>::new(1, 0, 0).is_err());
    }
}
