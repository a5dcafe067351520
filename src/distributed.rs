//! Distributed proving across MPI ranks (cargo feature `mpi`): [`DistributedProver`].
//!
//! Every rank is started by `mpirun` / `srun` with the same program, inputs and parameters
//! and calls [`DistributedProver::prove`] on the same communicator. The job runs in phases,
//! each ending in a collective operation that every rank reaches, whatever happened to it
//! (a failing rank keeps taking part and carries its failure instead of a result), so no
//! rank blocks and **every rank returns the same error**:
//!
//! 1. **Count.** Every rank runs the guest on the tracing path and builds its step witnesses
//!    without proving them (the same pipeline as [`crate::Prover`]:
//!    `pipeline::trace_steps`), which fixes the number of fold steps n and of leaves
//!    L = ⌈n / leaf_steps⌉.
//! 2. **Agree.** Every rank sends rank 0 a [`RunDigest`] (program digest, public and private
//!    input digests, parameters digest, K, memory size, step limit, leaf size, fold steps,
//!    instructions, leaves) or the reason it failed. Rank 0 compares them with its own and
//!    broadcasts either the register-salt seed of the run (its own secret randomness: the
//!    witnesses of every rank must use the same salts) or the first failure / disagreement
//!    in rank order: a rank given another input makes the job fail here, before any proving.
//! 3. **Prove.** Every rank with leaves runs phase 1 of the memory argument
//!    (`pipeline::challenges`: the whole run traced once more to fix the binding chain's end
//!    and derive `(γ, α)`; the chain is sequential, so every rank computes it in full, in
//!    parallel with the others). Rank r of R proves the contiguous leaves
//!    `canopy_pcd::distributed::leaf_range(r, R, L)` with the streaming reducer (windows of
//!    `threads` leaves in parallel); it re-runs the guest and regenerates the witnesses of
//!    the earlier leaves (cheap next to proving) and stops after its last leaf. The ranks'
//!    subtree roots are merged pairwise in ⌈log2 R⌉ rounds
//!    (`canopy_pcd::distributed::merge_rounds`; any R, ranks without leaves when R > L send
//!    nothing to merge).
//! 4. **Conclude.** Rank 0 checks the root's final state against the run, builds the
//!    [`crate::Statement`] (`pipeline::conclude`, as a single-process [`crate::Prover`] does)
//!    and, by default, verifies the proof ([`crate::verify`]); then it broadcasts the outcome.
//!    Rank 0 returns `Some(proof)`, the others `None`.
//!
//! A caller that does more on rank 0 (writing the proof file) ends with [`conclude`], which
//! broadcasts rank 0's outcome so that the other ranks fail too when rank 0 could not write.
//! A rank that dies outright (a signal, `abort`) makes `mpirun` abort the whole job.
//!
//! The ranks are trusted to run the same build: the agreement phase catches another program,
//! input, parameters or option, and rank 0 verifies the root before returning it, so a
//! rank with a wrong build makes the job fail instead of producing a bad proof.

use canopy_folding::{Accumulator, F1};
use canopy_pcd::distributed::mpi::traits::{Communicator, Destination, Root, Source};
use canopy_pcd::distributed::{leaf_range, merge_rounds, Partial};
use ff::{Field, PrimeField};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::error::ProveError;
use crate::field;
use crate::params::Params;
use crate::pipeline::{self, steps_of, LeafBatcher, Window};
use crate::program::{Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
use crate::proof::Proof;
use crate::prover::Progress;

pub use canopy_pcd::distributed::mpi;

/// A distributed proof failed. Every rank of the job returns the same error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("rank {rank} failed: {reason}")]
pub struct DistributedError {
    /// The rank that failed (or, for a disagreement, the rank that disagreed with rank 0).
    pub rank: i32,
    /// Why.
    pub reason: String,
}

/// What every rank must agree on before proving (phase 2 of the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDigest {
    /// [`Program::digest`].
    pub program_digest: [u8; 32],
    /// SHA-256 of the whole public input.
    pub public_input_digest: [u8; 32],
    /// SHA-256 of the whole private input.
    pub private_input_digest: [u8; 32],
    /// [`Params::digest`].
    pub params_digest: [u8; 32],
    /// K.
    pub block_size: u64,
    /// Memory size in bytes.
    pub memory_size: u64,
    /// Step limit of the guest.
    pub max_steps: u64,
    /// Fold steps per leaf.
    pub leaf_steps: u64,
    /// Fold steps of the run (from the counting pass).
    pub fold_steps: u64,
    /// Instructions of the run.
    pub instructions: u64,
    /// Leaves: ⌈fold_steps / leaf_steps⌉.
    pub leaves: u64,
}

impl RunDigest {
    /// The names of the fields in which `self` and `other` differ.
    fn differences(&self, other: &RunDigest) -> Vec<&'static str> {
        let mut d = Vec::new();
        let mut check = |same: bool, name: &'static str| {
            if !same {
                d.push(name)
            }
        };
        check(
            self.program_digest == other.program_digest,
            "program digest",
        );
        check(
            self.public_input_digest == other.public_input_digest,
            "public input digest",
        );
        check(
            self.private_input_digest == other.private_input_digest,
            "private input digest",
        );
        check(
            self.params_digest == other.params_digest,
            "parameters digest",
        );
        check(self.block_size == other.block_size, "block size");
        check(self.memory_size == other.memory_size, "memory size");
        check(self.max_steps == other.max_steps, "step limit");
        check(self.leaf_steps == other.leaf_steps, "leaf steps");
        check(self.fold_steps == other.fold_steps, "fold steps");
        check(self.instructions == other.instructions, "instructions");
        check(self.leaves == other.leaves, "leaf count");
        d
    }
}

/// What the counting pass learns about the run (phase 1).
struct RunFacts {
    digest: RunDigest,
    run: Execution,
    pages: Vec<u64>,
}

/// Proves a guest run across the ranks of an MPI communicator (see the module docs).
#[derive(Debug, Clone)]
pub struct DistributedProver<'a> {
    params: &'a Params,
    max_steps: u64,
    leaf_steps: u64,
    threads: usize,
    self_check: bool,
}

impl<'a> DistributedProver<'a> {
    /// A distributed prover: the default step limit, leaves of 64 fold steps, one thread per
    /// rank, and rank 0 verifying the root before returning it.
    pub fn new(params: &'a Params) -> Self {
        DistributedProver {
            params,
            max_steps: DEFAULT_PROVE_MAX_STEPS,
            leaf_steps: 64,
            threads: 1,
            self_check: true,
        }
    }

    /// Sets the step limit of the guest (instructions); every rank must use the same.
    pub fn with_max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Sets the fold steps per leaf (≥ 1); every rank must use the same.
    pub fn with_leaf_steps(mut self, leaf_steps: u64) -> Self {
        self.leaf_steps = leaf_steps;
        self
    }

    /// Sets the leaves proven in parallel on each rank (≥ 1; may differ between ranks).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Whether rank 0 verifies the root before returning it (default: on; ≈1–3 s).
    pub fn with_self_check(mut self, on: bool) -> Self {
        self.self_check = on;
        self
    }

    /// Proves `program` on `inputs` on every rank of `comm`; rank 0 returns the proof.
    pub fn prove<C: Communicator>(
        &self,
        comm: &C,
        program: &Program,
        inputs: &Inputs,
    ) -> Result<Option<Proof>, DistributedError> {
        self.prove_with_progress(comm, program, inputs, |_| ())
    }

    /// [`Self::prove`], calling `progress` on each rank after every window of its own leaves
    /// (`instructions_done` is the position in the whole run, `fold_steps` this rank's).
    pub fn prove_with_progress<C: Communicator>(
        &self,
        comm: &C,
        program: &Program,
        inputs: &Inputs,
        mut progress: impl FnMut(&Progress),
    ) -> Result<Option<Proof>, DistributedError> {
        let rank = comm.rank();
        let size = comm.size();
        let _span = tracing::info_span!("distributed", rank, size).entered();

        // 1. count
        let facts = self
            .count(program, inputs)
            .map_err(|e| format!("rank {rank}: {e}"));
        // 2. agree, and share rank 0's salt seed
        let mine: Result<RunDigest, String> = match &facts {
            Ok(f) => Ok(f.digest.clone()),
            Err(e) => Err(e.clone()),
        };
        let seed = agree(comm, mine)?;
        let facts = facts.map_err(|reason| DistributedError { rank, reason })?;
        tracing::info!(
            leaves = facts.digest.leaves,
            fold_steps = facts.digest.fold_steps,
            "all ranks agree"
        );

        // 3. prove this rank's leaves, then the rounds
        let range = leaf_range(rank as u64, size as u64, facts.digest.leaves);
        let local: Partial = self
            .prove_range(program, inputs, seed, &facts, range, &mut progress)
            .map_err(|e| format!("rank {rank}: {e}"));
        let root = merge_rounds(comm, self.params.folding(), local);

        // 4. conclude
        let outcome: Result<Option<Proof>, String> = if rank == 0 {
            match root {
                Ok(Some(acc)) => self
                    .finish(program, inputs, &facts, acc)
                    .map(Some)
                    .map_err(|e| format!("rank 0: {e}")),
                Ok(None) => Err("rank 0: no leaf was proven".into()),
                Err(canopy_pcd::PcdError::Rank(reason)) => Err(reason),
                Err(e) => Err(format!("rank 0: {e}")),
            }
        } else {
            Ok(None)
        };
        let status = outcome.as_ref().map(|_| ()).map_err(Clone::clone);
        conclude(comm, status)?;
        outcome.map_err(|reason| rank_error(rank, reason))
    }

    /// Phase 1: the traced run and the witnesses, not proven, to count the fold steps.
    fn count(&self, program: &Program, inputs: &Inputs) -> Result<RunFacts, ProveError> {
        let p = self.params;
        pipeline::check_memory_size(p, program)?;
        pipeline::check_leaf_options(self.leaf_steps, self.threads)?;
        let mut fold_steps = 0u64;
        let traced =
            pipeline::trace_steps(p, program, inputs, self.max_steps, F1::ZERO, None, |_| {
                fold_steps += 1;
                Ok(true)
            })?
            .ok_or_else(|| ProveError::Internal("the counting run stopped early".into()))?;
        let run = traced.run;
        Ok(RunFacts {
            digest: RunDigest {
                program_digest: program.digest(),
                public_input_digest: Sha256::digest(&inputs.public).into(),
                private_input_digest: Sha256::digest(&inputs.private).into(),
                params_digest: p.digest(),
                block_size: p.block_size() as u64,
                memory_size: program.memory_size(),
                max_steps: self.max_steps,
                leaf_steps: self.leaf_steps,
                fold_steps,
                instructions: run.instructions,
                leaves: fold_steps.div_ceil(self.leaf_steps),
            },
            run,
            pages: traced.pages,
        })
    }

    /// Phase 3 on one rank: proves the leaves `range` and reduces them to one accumulator.
    fn prove_range(
        &self,
        program: &Program,
        inputs: &Inputs,
        seed: F1,
        facts: &RunFacts,
        range: std::ops::Range<u64>,
        progress: &mut impl FnMut(&Progress),
    ) -> Result<Option<Accumulator>, ProveError> {
        if range.is_empty() {
            return Ok(None);
        }
        let p = self.params;
        let ls = self.leaf_steps;
        // this rank's steps: [first, end) of the run's fold steps
        let first = range.start.saturating_mul(ls);
        let end = range.end.saturating_mul(ls).min(facts.digest.fold_steps);
        let pool = pipeline::leaf_pool(self.threads)?;
        let mut reducer = canopy_pcd::Reducer::new(p.folding());
        let mut leaves = LeafBatcher::new(ls, self.threads, 0)?;
        let mut folds = 0u64;
        let mut prove = |window: Window, reducer: &mut canopy_pcd::Reducer<'a>| {
            pipeline::prove_window(p, &pool, reducer, &window, |_| Ok(()))?;
            folds += window.iter().map(|l| l.len() as u64).sum::<u64>();
            progress(&Progress {
                instructions_done: window.last().and_then(|l| l.last()).map_or(0, steps_of),
                instructions_total: facts.digest.instructions,
                fold_steps: folds,
                circuit: None,
            });
            Ok::<(), ProveError>(())
        };
        // Phase 1 of the memory argument, on every rank with leaves: the binding chain is
        // sequential, so each rank traces the whole run itself rather than waiting for a
        // hand-off (ranks run it in parallel). Ranks that disagree on the challenges cannot
        // merge: γ and α are in every z, and the merges check z continuity.
        let challenges = pipeline::challenges(p, program, inputs, self.max_steps, seed)?;
        let mut index = 0u64;
        let c = Some(challenges);
        pipeline::trace_steps(p, program, inputs, self.max_steps, seed, c, |w| {
            let i = index;
            index += 1;
            if i < first {
                return Ok(true); // an earlier rank's step: only regenerated
            }
            if let Some(window) = leaves.push(w) {
                prove(window, &mut reducer)?;
            }
            Ok(index < end)
        })?;
        if let Some(window) = leaves.finish() {
            prove(window, &mut reducer)?;
        }
        if reducer.leaves() != range.end - range.start {
            return Err(ProveError::Internal(format!(
                "proved {} leaves, expected {} (the run changed between the passes)",
                reducer.leaves(),
                range.end - range.start
            )));
        }
        Ok(Some(reducer.finish()?))
    }

    /// Phase 4 on rank 0: the statement of the root, checked against the run.
    fn finish(
        &self,
        program: &Program,
        inputs: &Inputs,
        facts: &RunFacts,
        acc: Accumulator,
    ) -> Result<Proof, ProveError> {
        if acc.num_steps() != facts.digest.fold_steps {
            return Err(ProveError::Internal(format!(
                "the root has {} fold steps, the run {}",
                acc.num_steps(),
                facts.digest.fold_steps
            )));
        }
        pipeline::conclude(
            self.params,
            program,
            inputs,
            &facts.run,
            facts.pages.clone(),
            acc,
            self.self_check,
        )
    }
}

/// Broadcasts rank 0's outcome to every rank of `comm`: rank 0 passes its own (e.g. whether
/// it wrote the proof file), the other ranks' `outcome` is ignored. Every rank returns rank
/// 0's outcome, so a failure on rank 0 fails the whole job. Every rank must call it.
pub fn conclude<C: Communicator>(
    comm: &C,
    outcome: Result<(), String>,
) -> Result<(), DistributedError> {
    let rank = comm.rank();
    let bytes = if rank == 0 {
        encode(&outcome)
    } else {
        Vec::new()
    };
    let shared: Result<(), String> = decode(&broadcast(comm, bytes))
        .unwrap_or_else(|e| Err(format!("rank {rank}: bad message from rank 0: {e}")));
    shared.map_err(|reason| rank_error(0, reason))
}

/// Takes part in a distributed proof as a rank that failed before it could call
/// [`DistributedProver::prove`] (e.g. it could not read its input): it joins the agreement
/// phase with `reason`, so that the other ranks fail at once instead of waiting. Returns the
/// job's error (which names the first failing rank). Call it instead of `prove`, on the same
/// communicator.
pub fn abort<C: Communicator>(comm: &C, reason: String) -> DistributedError {
    let rank = comm.rank();
    match agree(comm, Err(format!("rank {rank}: {reason}"))) {
        Err(e) => e,
        // unreachable: rank 0 never accepts a failed rank
        Ok(_) => DistributedError { rank, reason },
    }
}

/// Phase 2: rank 0 gathers every rank's digest, compares, and broadcasts the seed or the
/// first failure.
fn agree<C: Communicator>(
    comm: &C,
    mine: Result<RunDigest, String>,
) -> Result<F1, DistributedError> {
    let rank = comm.rank();
    let root = comm.process_at_rank(0);
    let decision: Vec<u8> = if rank == 0 {
        let mut verdict: Result<(), String> = mine.as_ref().map(|_| ()).map_err(Clone::clone);
        for r in 1..comm.size() {
            let (bytes, _) = comm.process_at_rank(r).receive_vec::<u8>();
            if verdict.is_err() {
                continue; // keep receiving so that no rank blocks
            }
            let theirs: Result<RunDigest, String> =
                decode(&bytes).unwrap_or_else(|e| Err(format!("rank {r}: bad message: {e}")));
            verdict = match (&mine, theirs) {
                (_, Err(e)) => Err(e),
                (Ok(own), Ok(d)) => {
                    let diff = own.differences(&d);
                    if diff.is_empty() {
                        Ok(())
                    } else {
                        Err(format!(
                            "rank {r}: disagrees with rank 0 on the {} (another program, \
                             input, parameters or option)",
                            diff.join(", ")
                        ))
                    }
                }
                (Err(e), _) => Err(e.clone()),
            };
        }
        let seed: Result<[u8; 32], String> = verdict.map(|()| field::to_bytes(&F1::random(OsRng)));
        encode(&seed)
    } else {
        root.send(&encode(&mine)[..]);
        Vec::new()
    };
    let shared: Result<[u8; 32], String> = decode(&broadcast(comm, decision))
        .unwrap_or_else(|e| Err(format!("rank {rank}: bad message from rank 0: {e}")));
    let bytes = shared.map_err(|reason| rank_error(rank, reason))?;
    Option::from(F1::from_repr(bytes.into())).ok_or_else(|| DistributedError {
        rank: 0,
        reason: "the shared seed is not a field element".into(),
    })
}

/// Broadcasts rank 0's `bytes` (ignored elsewhere) to every rank.
fn broadcast<C: Communicator>(comm: &C, bytes: Vec<u8>) -> Vec<u8> {
    let root = comm.process_at_rank(0);
    let mut len = bytes.len() as u64;
    root.broadcast_into(&mut len);
    let mut buf = if comm.rank() == 0 {
        bytes
    } else {
        // the length comes from rank 0 of the same job (a trusted peer)
        vec![0u8; usize::try_from(len).unwrap_or(0)]
    };
    root.broadcast_into(&mut buf[..]);
    buf
}

fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(v, bincode::config::standard()).unwrap_or_default()
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    bincode::serde::decode_from_slice(bytes, bincode::config::standard())
        .map(|(v, _)| v)
        .map_err(|e| e.to_string())
}

/// Splits a `rank r: reason` message into its rank and reason (`fallback` if it has none).
fn rank_error(fallback: i32, message: String) -> DistributedError {
    if let Some(rest) = message.strip_prefix("rank ") {
        if let Some((n, reason)) = rest.split_once(": ") {
            if let Ok(rank) = n.parse() {
                return DistributedError {
                    rank,
                    reason: reason.to_string(),
                };
            }
        }
    }
    DistributedError {
        rank: fallback,
        reason: message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_errors_are_split() {
        assert_eq!(
            rank_error(0, "rank 2: the guest did not exit".into()),
            DistributedError {
                rank: 2,
                reason: "the guest did not exit".into()
            }
        );
        assert_eq!(
            rank_error(1, "no rank here".into()),
            DistributedError {
                rank: 1,
                reason: "no rank here".into()
            }
        );
    }

    #[test]
    fn digests_name_their_differences() {
        let a = RunDigest {
            program_digest: [1; 32],
            public_input_digest: [2; 32],
            private_input_digest: [3; 32],
            params_digest: [4; 32],
            block_size: 4,
            memory_size: 1 << 24,
            max_steps: 100,
            leaf_steps: 8,
            fold_steps: 67,
            instructions: 264,
            leaves: 9,
        };
        assert!(a.differences(&a.clone()).is_empty());
        let mut b = a.clone();
        b.public_input_digest = [9; 32];
        b.leaves = 10;
        assert_eq!(a.differences(&b), ["public input digest", "leaf count"]);
    }
}
