//! [`Prover`]: proves a guest run with sequential non-uniform IVC over the CPU block circuit.

use canopy_folding::{Accumulator, SlotStart, F1};
use ff::Field;
use rand_core::OsRng;
use sha2::{Digest, Sha256};

use crate::error::ProveError;
use crate::params::Params;
use crate::pipeline::{self, step_circuits, steps_of, LeafBatcher, Traced, Window};
use crate::program::{ExecuteError, Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
use crate::proof::Proof;
use canopy_circuit::memcheck::Challenges;

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
/// limit and to learn the run's length (a caller that already ran it passes that run to
/// [`Prover::prove_execution`]), then runs it on the tracing path through the proving
/// pipeline (the `pipeline` module: step witnesses, streaming: one block of rows and the memory
/// tree are held) and folds one block per step (`canopy_folding::Accumulator` over
/// `canopy_circuit::step::CanopyStep`: F_0 = the CPU block circuit, F_j = the parameters'
/// coprocessors, [`Params::coprocessors`]) as one chain or as the leaves of a tree. The run
/// ends with the block that holds the exit (padded with idle rows); there are no padding
/// steps.
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

    /// Proves `program` on `inputs` (runs it natively first: [`Self::execute`]).
    pub fn prove(&self, program: &Program, inputs: &Inputs) -> Result<Proof, ProveError> {
        self.prove_with_progress(program, inputs, |_| ())
    }

    /// Proves `program` on `inputs`, calling `progress` after every fold step (a chain) or
    /// window of leaves (a tree). Runs the guest natively first ([`Self::execute`]); a caller
    /// that already has that run passes it to [`Self::prove_execution`] instead.
    pub fn prove_with_progress(
        &self,
        program: &Program,
        inputs: &Inputs,
        progress: impl FnMut(&Progress),
    ) -> Result<Proof, ProveError> {
        pipeline::check_memory_size(self.params, program)?;
        let native = self.execute(program, inputs)?;
        self.prove_execution(program, inputs, &native, progress)
    }

    /// Proves the run `native` of `program` on `inputs` (what [`Self::execute`] returned for
    /// them; the traced run must end the same way). The native run is not repeated.
    pub fn prove_execution(
        &self,
        program: &Program,
        inputs: &Inputs,
        native: &Execution,
        mut progress: impl FnMut(&Progress),
    ) -> Result<Proof, ProveError> {
        let p = self.params;
        pipeline::check_memory_size(self.params, program)?;
        let _span = tracing::info_span!(
            "prove",
            k = p.block_size(),
            instructions = native.instructions
        )
        .entered();
        let mut report = |done: u64, folds: u64, circuit: Option<u32>| {
            progress(&Progress {
                instructions_done: done,
                instructions_total: native.instructions,
                fold_steps: folds,
                circuit,
            })
        };
        let seed = match self
            .tree
            .as_ref()
            .and_then(|t| t.checkpoint.as_ref().map(|d| (d, t)))
        {
            Some((dir, t)) => checkpoint_seed(dir, t.resume)?,
            None => F1::random(OsRng),
        };
        let challenges = pipeline::challenges(p, program, inputs, self.max_steps, seed)?;
        let traced = match &self.tree {
            None => self.fold_chain(program, inputs, seed, challenges, &mut report)?,
            Some(t) => TreeSink::new(p, t, program, inputs)?.run(
                program,
                inputs,
                self.max_steps,
                (seed, challenges),
                &mut report,
            )?,
        };
        let (acc, Traced { run, pages, .. }) = traced;
        if &run != native {
            return Err(ProveError::Internal(format!(
                "the traced run ({run:?}) differs from the native run ({native:?})"
            )));
        }
        pipeline::conclude(p, program, inputs, &run, pages, acc, self.self_check)
    }

    /// One sequential chain: every step folded into one accumulator.
    fn fold_chain(
        &self,
        program: &Program,
        inputs: &Inputs,
        seed: F1,
        challenges: Challenges,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(Accumulator, Traced), ProveError> {
        let p = self.params;
        let mut acc: Option<Accumulator> = None;
        let c = Some(challenges);
        let run = pipeline::trace_steps(p, program, inputs, self.max_steps, seed, c, |w| {
            let circuits = step_circuits(p, &w)?;
            match &mut acc {
                None => {
                    // random slot starts: the root must not tell how often each circuit
                    // ran (docs/protocol.md §3.7); a chain is never merged
                    acc = Some(Accumulator::new_with_start(
                        p.folding(),
                        &circuits,
                        F1::from(w.circuit_index() as u64),
                        w.z_in().to_vec(),
                        SlotStart::Random { merge_slots: false },
                    )?)
                }
                Some(a) => a.prove_step(p.folding(), &circuits)?,
            }
            report(
                steps_of(&w),
                acc.as_ref().map_or(0, |a| a.num_steps()),
                Some(w.circuit_index()),
            );
            Ok(true)
        })?
        .ok_or_else(|| ProveError::Internal("the traced run stopped early".into()))?;
        let acc = acc.ok_or_else(|| ProveError::Internal("no block was folded".into()))?;
        Ok((acc, run))
    }
}

/// The run's secret seed (hiding salts, the chain's salt) when proving with a checkpoint
/// directory: a resumed run must regenerate exactly the witnesses of the leaves it already
/// proved, so the seed is kept in `<dir>/seed` (written atomically before any leaf; the
/// directory already holds witness-derived accumulators and must stay private).
fn checkpoint_seed(dir: &std::path::Path, resume: bool) -> Result<F1, ProveError> {
    let path = dir.join("seed");
    let bad = |what: String| ProveError::Checkpoint(format!("{}: {what}", path.display()));
    if resume {
        if !path.exists() {
            return Err(ProveError::Checkpoint(format!(
                "no checkpoint in {} (no seed file)",
                dir.display()
            )));
        }
        let bytes = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| bad(format!("{} bytes, expected 32", bytes.len())))?;
        let repr = <F1 as ff::PrimeField>::Repr::from(arr);
        return Option::from(<F1 as ff::PrimeField>::from_repr(repr))
            .ok_or_else(|| bad("not a field element".into()));
    }
    let seed = F1::random(OsRng);
    std::fs::create_dir_all(dir).map_err(|e| bad(e.to_string()))?;
    crate::fs::write_atomic(&path, &crate::field::to_bytes(&seed))
        .map_err(|e| bad(e.to_string()))?;
    Ok(seed)
}

/// The tree prover: the leaf batcher, the reducer and its checkpoints.
struct TreeSink<'a> {
    params: &'a Params,
    checkpoint: Option<std::path::PathBuf>,
    context: Vec<u8>,
    pool: rayon::ThreadPool,
    reducer: canopy_pcd::Reducer<'a>,
    leaves: LeafBatcher,
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
        let leaves = LeafBatcher::new(opts.leaf_steps, opts.threads, skip)?;
        tracing::info!(
            leaf_steps = opts.leaf_steps,
            threads = opts.threads,
            resumed_leaves = skip,
            "tree proving"
        );
        Ok(TreeSink {
            params: p,
            checkpoint: opts.checkpoint.clone(),
            context,
            pool: pipeline::leaf_pool(opts.threads)?,
            reducer,
            leaves,
            steps_done: 0,
            folds_done: 0,
        })
    }

    /// Traces the run, proves its leaves window by window and reduces them to the root.
    fn run(
        mut self,
        program: &Program,
        inputs: &Inputs,
        max_steps: u64,
        (seed, challenges): (F1, Challenges),
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(Accumulator, Traced), ProveError> {
        let p = self.params;
        let c = Some(challenges);
        let run = pipeline::trace_steps(p, program, inputs, max_steps, seed, c, |w| {
            if let Some(window) = self.leaves.push(w) {
                self.prove(window, report)?;
            }
            Ok(true)
        })?
        .ok_or_else(|| ProveError::Internal("the traced run stopped early".into()))?;
        if let Some(window) = self.leaves.finish() {
            self.prove(window, report)?;
        }
        Ok((self.reducer.finish()?, run))
    }

    fn prove(
        &mut self,
        window: Window,
        report: &mut impl FnMut(u64, u64, Option<u32>),
    ) -> Result<(), ProveError> {
        let (dir, pp, ctx) = (&self.checkpoint, self.params.folding(), &self.context);
        pipeline::prove_window(
            self.params,
            &self.pool,
            &mut self.reducer,
            &window,
            |r| match dir {
                Some(d) => canopy_pcd::checkpoint::save(d, pp, ctx, r),
                None => Ok(()),
            },
        )?;
        self.folds_done += window.iter().map(|l| l.len() as u64).sum::<u64>();
        if let Some(last) = window.last().and_then(|l| l.last()) {
            self.steps_done = steps_of(last);
        }
        report(self.steps_done, self.folds_done, None);
        Ok(())
    }
}
