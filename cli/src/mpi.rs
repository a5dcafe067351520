//! `canopy prove --mpi`: distributed proving under `mpirun` / `srun` (cargo feature `mpi`).
//!
//! Every rank is started with the same command line. Every rank loads the program, the
//! inputs and the parameters (from the shared cache directory) and runs
//! [`canopy::distributed::DistributedProver`]: the ranks agree on the program, inputs,
//! parameters and leaf count, prove contiguous ranges of leaves and merge them pairwise; rank 0
//! gets the root, writes the proof file in the format the flags ask for (compact by default,
//! `--full` for the accumulator), prints the progress and the result (and `--json`), and tells
//! the other ranks whether it succeeded. The other ranks print nothing unless the job fails.
//!
//! On a failure on any rank (a missing input, a guest fault, another input than rank 0's,
//! a failed leaf, merge or write) every rank prints `canopy: error (rank r of N): distributed
//! proving failed: rank R failed: REASON` and exits 1 ([`crate::EXIT_REJECTED`]), and no proof file is written. A rank that
//! is killed makes `mpirun` abort the whole job. `--checkpoint` / `--resume` are refused with
//! `--mpi` (the distributed reducer keeps no checkpoints).
//!
//! It shares the run's loading ([`crate::prove::load_run`]) and the proof's writing
//! ([`crate::prove::write_proof`]) with the single-process path.

/// `canopy prove --mpi` in a build without the `mpi` feature: a clear error.
#[cfg(not(feature = "mpi"))]
pub(crate) fn prove(_args: &crate::prove::ProveArgs) -> std::process::ExitCode {
    crate::common::finish(Err(crate::common::Failure::load(anyhow::anyhow!(
        "this canopy was built without MPI support: rebuild it with `cargo build --release \
         -p canopy-cli --features mpi` (needs OpenMPI: Debian's libopenmpi-dev, and \
         libclang-dev) and start it under mpirun or srun"
    ))))
}

#[cfg(feature = "mpi")]
pub(crate) use with_mpi::prove;

#[cfg(feature = "mpi")]
mod with_mpi {
    use std::process::ExitCode;
    use std::time::Instant;

    use canopy::distributed::mpi::traits::{Communicator, CommunicatorCollectives};
    use canopy::distributed::{self, DistributedProver};
    use canopy::{Inputs, Params, Program};

    use crate::common::{finish, params, Failure};
    use crate::prove::{load_run, output_path, write_proof, ProveArgs, Written};
    use crate::EXIT_REJECTED;

    /// What every rank loads before the distributed run.
    struct Loaded {
        program: Program,
        inputs: Inputs,
        params: Params,
    }

    /// `canopy prove --mpi`.
    pub(crate) fn prove(args: &ProveArgs) -> ExitCode {
        let Some((universe, _)) = canopy::distributed::mpi::initialize_with_threading(
            canopy::distributed::mpi::Threading::Funneled,
        ) else {
            return finish(Err(failed(anyhow::anyhow!(
                "MPI could not be initialised (is this process started by mpirun or srun?)"
            ))));
        };
        let world = universe.world();
        let rank = world.rank();
        let result = run(args, &world);
        // every rank reports a failure (it names the failing rank); only rank 0 a success
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(f) => {
                // one write, so that mpirun does not interleave the ranks' lines
                let line = format!(
                    "canopy: error (rank {rank} of {}): {:#}\n",
                    world.size(),
                    f.error
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
                // every rank fails together: wait until all have printed, because mpirun
                // kills the other ranks as soon as one exits non-zero
                world.barrier();
                ExitCode::from(f.code)
            }
        }
    }

    fn failed(error: anyhow::Error) -> Failure {
        Failure {
            code: EXIT_REJECTED,
            error,
        }
    }

    fn run(args: &ProveArgs, world: &impl Communicator) -> Result<(), Failure> {
        let rank = world.rank();
        let started = Instant::now();
        let loaded = load(args);
        let l = match loaded {
            Ok(l) => l,
            Err(f) => {
                // take part in the agreement with the failure, so that no rank waits for us
                let e = distributed::abort(world, format!("{:#}", f.error));
                return Err(failed(
                    anyhow::Error::from(e).context("distributed proving failed"),
                ));
            }
        };
        let prover = DistributedProver::new(&l.params)
            .with_max_steps(args.max_steps)
            .with_leaf_steps(args.leaf_steps)
            .with_threads(args.threads);
        if rank == 0 {
            eprintln!(
                "canopy: proving on {} MPI ranks ({} thread(s) each), leaves of {} fold steps",
                world.size(),
                args.threads,
                args.leaf_steps
            );
        }
        let t = Instant::now();
        let mut last = 0u64;
        let result = prover.prove_with_progress(world, &l.program, &l.inputs, |p| {
            // rank 0's own share (the first leaves); progress every ~10% of the run
            if rank == 0 && p.instructions_done * 10 >= last * 10 + p.instructions_total {
                last = p.instructions_done;
                eprintln!(
                    "canopy: rank 0: {}/{} instructions of its leaves proven ({} fold steps, \
                     {:.1} s)",
                    p.instructions_done,
                    p.instructions_total,
                    p.fold_steps,
                    t.elapsed().as_secs_f64()
                );
            }
        });
        let proof = result
            .map_err(|e| failed(anyhow::Error::from(e).context("distributed proving failed")))?;
        let prove_secs = t.elapsed().as_secs_f64();
        let Some(proof) = proof else {
            // not rank 0: wait for rank 0 to write the file
            return distributed::conclude(world, Ok(()))
                .map_err(|e| failed(anyhow::Error::from(e).context("distributed proving failed")));
        };
        let written = write(args, &l, &proof, prove_secs, started);
        let outcome = written
            .as_ref()
            .map(|_| ())
            .map_err(|f| format!("rank 0: {:#}", f.error));
        distributed::conclude(world, outcome)
            .map_err(|e| failed(anyhow::Error::from(e).context("distributed proving failed")))?;
        written
    }

    /// Everything a rank reads before proving (as single-process `canopy prove`).
    fn load(args: &ProveArgs) -> Result<Loaded, Failure> {
        if args.checkpoint.is_some() || args.resume {
            return Err(Failure::load(anyhow::anyhow!(
                "--checkpoint and --resume are not supported with --mpi"
            )));
        }
        let (coprocessors, program, inputs) = load_run(args)?;
        let params = params(
            args.params_dir.as_deref(),
            args.ptau.as_deref(),
            args.block_size,
            args.memory_size,
            &coprocessors,
        )?;
        Ok(Loaded {
            program,
            inputs,
            params,
        })
    }

    /// Rank 0: encodes the proof in the requested format, writes it, reports.
    fn write(
        args: &ProveArgs,
        l: &Loaded,
        proof: &canopy::Proof,
        prove_secs: f64,
        started: Instant,
    ) -> Result<(), Failure> {
        let s = &proof.statement;
        let proved = format!(
            "canopy: proved {} instructions in {} fold steps of K = {} in {prove_secs:.1} s on \
             MPI ranks",
            s.instructions, s.fold_steps, s.block_size
        );
        let out_path = output_path(args);
        let written = Written {
            out_path: &out_path,
            params: &l.params,
            started,
        };
        let timings = serde_json::json!({ "prove_seconds": prove_secs });
        write_proof(args, proof, &written, &proved, timings)
    }
}
