//! [`Prover`]: proves a guest run with sequential non-uniform IVC over the CPU block circuit.

use canopy_circuit::block::{BlockCircuit, BlockWitnessGen, StepWitness};
use canopy_circuit::handoff::CoprocessorStep;
use canopy_circuit::step::CanopyStep;
use canopy_folding::{Accumulator, F1};
use ff::Field;
use rand_core::OsRng;
use sha2::{Digest, Sha256};

use crate::error::ProveError;
use crate::params::Params;
use crate::program::{ExecuteError, Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
use crate::proof::{Proof, Statement};
use crate::state::{self, Z_STEPS};
use crate::{field, verify};

/// Progress of a proof, reported after every fold step (sequential chain) or after every
/// window of leaves (proof tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Instructions proven so far (retired by the folded blocks).
    pub instructions_done: u64,
    /// Instructions of the whole run (known from the native pre-run).
    pub instructions_total: u64,
    /// Fold steps done.
    pub fold_steps: u64,
    /// The circuit of the fold step just done (0 = a CPU block, j ≥ 1 = the parameters'
    /// coprocessor j), when the report is about one step; `None` when it covers a window of
    /// tree leaves.
    pub circuit: Option<u32>,
}

/// Proves guest programs under one set of [`Params`].
///
/// `prove` first runs the guest natively (fast path) to fail early on a fault or the step
/// limit and to learn the run's length, then runs it again on the tracing path, turns the
/// trace into blocks of K rows (`canopy_circuit::block::BlockWitnessGen`, streaming: one
/// block of rows and the memory tree are held) and folds one block per step
/// (`canopy_folding::Accumulator` over `canopy_circuit::step::CanopyStep`: F_0 = the
/// CPU block circuit, F_j = the parameters' coprocessors, [`Params::coprocessors`]). The run ends
/// with the block that holds the exit (padded with idle rows); there are no padding steps.
#[derive(Debug)]
pub struct Prover<'a> {
    params: &'a Params,
    max_steps: u64,
    self_check: bool,
    tree: Option<TreeOptions>,
}

/// How [`Prover`] builds a proof-carrying-data tree (canopy-pcd) instead of one sequential
/// chain: consecutive segments of `leaf_steps` fold steps are leaves, proven `threads` at a
/// time in parallel and merged by the binary-counter reducer, so memory holds a window of leaf
/// witnesses and O(log n) accumulators whatever the run's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeOptions {
    /// Fold steps per leaf (≥ 1).
    pub leaf_steps: u64,
    /// Leaves proven in parallel (≥ 1), on a thread pool of this size.
    pub threads: usize,
    /// Directory for the reducer's checkpoint, written atomically after every merge.
    pub checkpoint: Option<std::path::PathBuf>,
    /// Resume from the checkpoint in `checkpoint` (its leaves are not proven again; the VM
    /// re-runs them natively). A checkpoint of another program, input, K or parameters is
    /// refused.
    pub resume: bool,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            leaf_steps: 64,
            threads: 1,
            checkpoint: None,
            resume: false,
        }
    }
}

impl<'a> Prover<'a> {
    /// A prover with the default step limit ([`DEFAULT_PROVE_MAX_STEPS`]).
    pub fn new(params: &'a Params) -> Self {
        Prover {
            params,
            max_steps: DEFAULT_PROVE_MAX_STEPS,
            self_check: false,
            tree: None,
        }
    }

    /// Proves with a PCD tree ([`TreeOptions`]) instead of one sequential chain.
    pub fn with_tree(mut self, tree: TreeOptions) -> Self {
        self.tree = Some(tree);
        self
    }

    /// Sets the step limit of the guest (instructions).
    pub fn with_max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Verifies every proof before returning it (costs one verification, ≈1–3 s).
    pub fn with_self_check(mut self, on: bool) -> Self {
        self.self_check = on;
        self
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        self.params
    }

    /// Runs the guest natively (the pre-run of [`Self::prove`]).
    pub fn execute(&self, program: &Program, inputs: &Inputs) -> Result<Execution, ProveError> {
        program
            .execute_with(inputs, self.max_steps, self.params.coprocessors())
            .map_err(|e| match e {
                ExecuteError::Program(p) => ProveError::Program(p),
                ExecuteError::Execution(x) => ProveError::Execution(x),
            })
    }

    /// Proves `program` on `inputs`.
    pub fn prove(&self, program: &Program, inputs: &Inputs) -> Result<Proof, ProveError> {
        self.prove_with_progress(program, inputs, |_| ())
    }

    /// Proves `program` on `inputs`, calling `progress` after every fold step.
    pub fn prove_with_progress(
        &self,
        program: &Program,
        inputs: &Inputs,
        mut progress: impl FnMut(&Progress),
    ) -> Result<Proof, ProveError> {
        let p = self.params;
        if p.memory_size() != program.memory_size() {
            return Err(ProveError::MemorySize {
                params: p.memory_size(),
                program: program.memory_size(),
            });
        }
        let native = self.execute(program, inputs)?;
        let _span = tracing::info_span!(
            "prove",
            k = p.block_size(),
            instructions = native.instructions
        )
        .entered();

        let mut vm = program.vm(inputs, self.max_steps, p.coprocessors())?;
        let seed = F1::random(OsRng);
        let mut gen = BlockWitnessGen::new(p.block(), program.vm_program(), seed)?;
        let z0 = gen.z().to_vec();
        let mut sink = match &self.tree {
            None => Sink::Chain(None),
            Some(t) => Sink::Tree(TreeSink::new(p, t, program, inputs)?),
        };
        let mut report = |done: u64, folds: u64, circuit: Option<u32>| {
            progress(&Progress {
                instructions_done: done,
                instructions_total: native.instructions,
                fold_steps: folds,
                circuit,
            })
        };
        for block in vm.trace(p.block_size()) {
            let block = block?;
            for rec in &block.records {
                gen.push_record(rec)?;
                while let Some(w) = gen.next_step() {
                    sink.push(p, &z0, w, &mut report)?;
                }
            }
        }
        gen.finish()?;
        while let Some(w) = gen.next_step() {
            sink.push(p, &z0, w, &mut report)?;
        }
        let acc = sink.finish(p, &mut report)?;

        let exit = vm
            .exit()
            .ok_or_else(|| ProveError::Internal("the traced run did not exit".into()))?;
        let output = vm.public_output().to_vec();
        let consumed = vm.public_input_consumed();
        let (_, z_n) = acc.state();
        let fin = state::decode(z_n).map_err(ProveError::Internal)?;
        let in_len = state::stream_len(&fin.input)
            .ok_or_else(|| ProveError::Internal("input length overflows".into()))?;
        if !fin.halted
            || fin.exit_code != exit.code
            || fin.steps != exit.steps
            || in_len != consumed as u64
            || output != native.public_output
        {
            return Err(ProveError::Internal(format!(
                "the proven final state {fin:?} disagrees with the run ({exit:?}, {consumed} \
                 input bytes read)"
            )));
        }
        let prefix = inputs.public.get(..consumed).ok_or_else(|| {
            ProveError::Internal("the guest read more input than it was given".into())
        })?;
        let statement = Statement {
            program_digest: program.digest(),
            memory_size: program.memory_size(),
            block_size: p.block_size() as u64,
            params_digest: p.digest(),
            coprocessors: p.coprocessors().describe(),
            public_input_len: consumed as u64,
            public_input_digest: Sha256::digest(prefix).into(),
            public_input_eof: fin.in_eof,
            public_output: output,
            exit_code: exit.code,
            instructions: exit.steps,
            fold_steps: acc.num_steps(),
        };
        let proof = Proof {
            statement,
            accumulator: acc,
        };
        if self.self_check {
            verify(&proof, program, &inputs.public, p)
                .map_err(|e| ProveError::Internal(format!("the new proof does not verify: {e}")))?;
        }
        Ok(proof)
    }
}

/// The circuits of one step: the shapes, with the step's own circuit carrying its witness.
pub(crate) fn step_circuits<'a>(
    p: &'a Params,
    w: &'a StepWitness,
) -> Result<Vec<CanopyStep<'a>>, ProveError> {
    let mut circuits = CanopyStep::shapes(p.block());
    let j = w.circuit_index() as usize;
    let c = match w {
        StepWitness::Block(b) => CanopyStep::Cpu(BlockCircuit::new(p.block(), b)),
        StepWitness::Coprocessor(c) => CanopyStep::Coprocessor(
            CoprocessorStep::new(p.block(), c.index, Some(c))
                .map_err(|e| ProveError::Internal(e.to_string()))?,
        ),
    };
    *circuits
        .get_mut(j)
        .ok_or_else(|| ProveError::Internal(format!("no step circuit {j}")))? = c;
    Ok(circuits)
}

pub(crate) fn steps_of(w: &StepWitness) -> u64 {
    w.z_out()
        .get(Z_STEPS)
        .and_then(field::to_u64)
        .unwrap_or_default()
}

/// Where step witnesses go: one sequential chain, or the leaves of a PCD tree.
enum Sink<'a> {
    Chain(Option<Box<Accumulator>>),
    Tree(TreeSink<'a>),
}

impl<'a> Sink<'a> {
    fn push(
        &mut self,
        p: &'a Params,
        z0: &[F1],
        w: StepWitness,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(), ProveError> {
        match self {
            Sink::Chain(acc) => {
                let circuits = step_circuits(p, &w)?;
                match acc {
                    None => {
                        *acc = Some(Box::new(Accumulator::new(
                            p.folding(),
                            &circuits,
                            F1::ZERO,
                            z0.to_vec(),
                        )?))
                    }
                    Some(a) => a.prove_step(p.folding(), &circuits)?,
                }
                report(
                    steps_of(&w),
                    acc.as_ref().map_or(0, |a| a.num_steps()),
                    Some(w.circuit_index()),
                );
                Ok(())
            }
            Sink::Tree(t) => t.push(p, w, report),
        }
    }

    fn finish(
        self,
        p: &'a Params,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<Accumulator, ProveError> {
        match self {
            Sink::Chain(acc) => acc
                .map(|a| *a)
                .ok_or_else(|| ProveError::Internal("no block was folded".into())),
            Sink::Tree(t) => t.finish(p, report),
        }
    }
}

/// The tree prover's state: the leaf being filled, the window of full leaves, the reducer.
struct TreeSink<'a> {
    opts: TreeOptions,
    context: Vec<u8>,
    pool: rayon::ThreadPool,
    reducer: canopy_pcd::Reducer<'a>,
    /// Leaves already in the reducer when the run started (resumed from a checkpoint).
    skip: u64,
    /// Leaves completed so far (skipped ones included).
    leaves_done: u64,
    current: Vec<StepWitness>,
    window: Vec<Vec<StepWitness>>,
    steps_done: u64,
    folds_done: u64,
}

impl<'a> TreeSink<'a> {
    fn new(
        p: &'a Params,
        opts: &TreeOptions,
        program: &Program,
        inputs: &Inputs,
    ) -> Result<Self, ProveError> {
        if opts.leaf_steps == 0 || opts.threads == 0 {
            return Err(ProveError::Internal(
                "leaf steps and threads must be at least 1".into(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| ProveError::Internal(format!("thread pool: {e}")))?;
        // A checkpoint belongs to one program, input, K, leaf size and parameter set.
        let mut h = Sha256::new();
        h.update(b"canopy/tree-checkpoint/v1\0");
        h.update(program.digest());
        h.update(Sha256::digest(&inputs.public));
        h.update(Sha256::digest(&inputs.private));
        h.update((p.block_size() as u64).to_le_bytes());
        h.update(opts.leaf_steps.to_le_bytes());
        let context = h.finalize().to_vec();
        let (reducer, skip) = match (&opts.checkpoint, opts.resume) {
            (Some(dir), true) => match canopy_pcd::checkpoint::load(dir, p.folding(), &context)? {
                Some(cp) => canopy_pcd::checkpoint::resume(p.folding(), cp)?,
                None => {
                    return Err(ProveError::Checkpoint(format!(
                        "no checkpoint in {}",
                        dir.display()
                    )))
                }
            },
            (None, true) => {
                return Err(ProveError::Checkpoint(
                    "resume needs a checkpoint directory".into(),
                ))
            }
            _ => (canopy_pcd::Reducer::new(p.folding()), 0),
        };
        tracing::info!(
            leaf_steps = opts.leaf_steps,
            threads = opts.threads,
            resumed_leaves = skip,
            "tree proving"
        );
        Ok(TreeSink {
            opts: opts.clone(),
            context,
            pool,
            reducer,
            skip,
            leaves_done: 0,
            current: Vec::new(),
            window: Vec::new(),
            steps_done: 0,
            folds_done: 0,
        })
    }

    fn push(
        &mut self,
        p: &'a Params,
        w: StepWitness,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(), ProveError> {
        self.current.push(w);
        if self.current.len() as u64 == self.opts.leaf_steps {
            self.end_leaf(p, report)?;
        }
        Ok(())
    }

    fn end_leaf(
        &mut self,
        p: &'a Params,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(), ProveError> {
        let leaf = std::mem::take(&mut self.current);
        self.leaves_done += 1;
        if self.leaves_done <= self.skip {
            // already in the resumed reducer: its witnesses were only regenerated
            return Ok(());
        }
        self.window.push(leaf);
        if self.window.len() >= self.opts.threads {
            self.flush(p, report)?;
        }
        Ok(())
    }

    fn flush(
        &mut self,
        p: &'a Params,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(), ProveError> {
        if self.window.is_empty() {
            return Ok(());
        }
        let window = std::mem::take(&mut self.window);
        let mut segments = Vec::with_capacity(window.len());
        for leaf in &window {
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
        let (dir, pp, ctx) = (self.opts.checkpoint.clone(), p.folding(), &self.context);
        let reducer = &mut self.reducer;
        self.pool.install(|| {
            reducer.prove_window_with(&segments, |r| match &dir {
                Some(d) => canopy_pcd::checkpoint::save(d, pp, ctx, r),
                None => Ok(()),
            })
        })?;
        self.folds_done += window.iter().map(|l| l.len() as u64).sum::<u64>();
        if let Some(last) = window.last().and_then(|l| l.last()) {
            self.steps_done = steps_of(last);
        }
        report(self.steps_done, self.folds_done, None);
        Ok(())
    }

    fn finish(
        mut self,
        p: &'a Params,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<Accumulator, ProveError> {
        if !self.current.is_empty() {
            self.end_leaf(p, report)?;
        }
        self.flush(p, report)?;
        Ok(self.reducer.finish()?)
    }
}
