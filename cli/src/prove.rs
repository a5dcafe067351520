//! `canopy prove`: run, fold (a chain or a tree of leaves) and write the proof — the
//! decider's compact proof by default, the witness-carrying accumulator with `--full`. The
//! `--mpi` path is [`crate::mpi`], which reuses [`load_run`] and [`write_proof`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use canopy::vm::{ExecutionError, DEFAULT_MEMORY_SIZE};
use canopy::{
    CoprocessorSet, Inputs, Params, Program, Proof, ProveError, Prover, TreeOptions,
    DEFAULT_BLOCK_SIZE, DEFAULT_PROVE_MAX_STEPS,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::common::{
    coprocessor_set, finish, human_bytes, load_program, params, print_json, read_file,
    statement_json, Failure, MAX_BLOCK_SIZE,
};
use crate::coprocessors::CoprocessorChoice;
use crate::{parse_size, EXIT_GUEST_FAULT, EXIT_REJECTED, EXIT_STEP_LIMIT};

/// Arguments of `canopy prove`.
#[derive(clap::Args, Debug)]
pub struct ProveArgs {
    /// The guest program: a statically linked RV32IM ELF executable.
    pub(crate) program: PathBuf,
    /// File whose bytes the guest reads as public input (fd 0); bound by the proof.
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// File whose bytes the guest reads as private input (fd 3); not part of the statement.
    /// The default compact proof hides it; a `--full` proof file carries the folded witnesses
    /// and does not.
    #[arg(long, value_name = "FILE")]
    pub(crate) private_input: Option<PathBuf>,
    /// Where to write the proof [default: <program name>.proof in the current directory].
    #[arg(short = 'o', long = "output", value_name = "PROOF")]
    pub(crate) output: Option<PathBuf>,
    /// Instructions (rows) per fold step K. Larger K amortises the folding overhead better
    /// but makes parameter setup slower and the proof larger.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_BLOCK_SIZE)]
    pub(crate) block_size: usize,
    /// Directory of the parameters cache [default: $CANOPY_PARAMS_DIR, else the user's
    /// cache directory]/canopy/params.
    #[arg(long, value_name = "DIR")]
    pub(crate) params_dir: Option<PathBuf>,
    /// Stop with an error if the guest runs more than this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROVE_MAX_STEPS)]
    pub(crate) max_steps: u64,
    /// Guest memory size in bytes (a power of two; the guest SDK links for 16 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MEMORY_SIZE, value_parser = parse_size)]
    pub(crate) memory_size: u64,
    /// Fold steps per leaf of the proof tree. Leaves are proven separately and merged (a
    /// merge costs about three fold steps); memory holds one window of leaves plus
    /// O(log n) accumulators whatever the run's length.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub(crate) leaf_steps: u64,
    /// Leaves proven in parallel (one thread each).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) threads: usize,
    /// Directory where the proof tree's state is saved (atomically) after every merge.
    #[arg(long, value_name = "DIR")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// Resume an interrupted run from `--checkpoint DIR` (same program, inputs, block size,
    /// leaf size and parameters; anything else is refused).
    #[arg(long, requires = "checkpoint")]
    pub(crate) resume: bool,
    /// Write the full folding accumulator with its witnesses (magic CANOPYPF: MiBs, verified
    /// natively, NOT zero-knowledge: it reveals the private input) instead of the default
    /// compact proof (magic CANOPYCP: the decider's batched Spartan SNARKs of the proof tree's
    /// root, about 13–15 KiB; it hides the private input, the witnesses and how often each
    /// circuit ran; verifiable with only a verifier key from
    /// `canopy setup`, the program and the public input). Skips the decider (seconds to tens of
    /// seconds, BENCHMARKS.md); for tests and debugging.
    #[arg(long)]
    pub(crate) full: bool,
    /// The default; kept so that older scripts still run.
    #[arg(long, hide = true, conflicts_with = "full")]
    pub(crate) compact: bool,
    /// Coprocessors the guest may call: `none`, or `builtins` (every built-in of
    /// canopy-coprocessors). Part of the parameters: verify with the same option.
    #[arg(long, value_name = "SET", value_enum, default_value_t = CoprocessorChoice::None)]
    pub(crate) coprocessors: CoprocessorChoice,
    /// Print one JSON object on stdout: the statement, the coprocessor set, the proof file's
    /// path, kind and size, and timings.
    #[arg(long)]
    pub(crate) json: bool,
    /// A powers-of-tau file (snarkjs `.ptau` format, from a public ceremony): the BN254
    /// commitment generators are its G1 powers and the compact proof's BN254 SNARKs use
    /// HyperKZG instead of IPA (smaller, faster to verify; trusts the ceremony). Part of the
    /// parameters: `canopy setup` and `canopy verify` need the same file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ptau: Option<PathBuf>,
    /// Prove across MPI ranks: start every rank with the same command under `mpirun` or
    /// `srun`; rank 0 writes the proof file (needs a build with `--features mpi`).
    #[arg(long)]
    pub(crate) mpi: bool,
}

fn execution_code(e: &ExecutionError) -> u8 {
    match e {
        ExecutionError::StepLimit { .. } => EXIT_STEP_LIMIT,
        _ => EXIT_GUEST_FAULT,
    }
}

/// `canopy prove`.
pub fn prove(args: ProveArgs) -> ExitCode {
    finish(prove_inner(&args))
}

/// Checks `canopy prove`'s sizes and reads what it proves: the coprocessor set, the program
/// and the inputs (shared by the single-process and the `--mpi` paths).
pub(crate) fn load_run(args: &ProveArgs) -> Result<(CoprocessorSet, Program, Inputs), Failure> {
    if args.block_size == 0 || args.block_size > MAX_BLOCK_SIZE {
        return Err(Failure::load(anyhow::anyhow!(
            "--block-size must be between 1 and {MAX_BLOCK_SIZE}"
        )));
    }
    if args.leaf_steps == 0 || args.threads == 0 {
        return Err(Failure::load(anyhow::anyhow!(
            "--leaf-steps and --threads must be at least 1"
        )));
    }
    let coprocessors = coprocessor_set(args.coprocessors)?;
    let program = load_program(&args.program, args.memory_size)?;
    let public = match &args.input {
        Some(p) => read_file(p, "input")?,
        None => Vec::new(),
    };
    let private = match &args.private_input {
        Some(p) => read_file(p, "private input")?,
        None => Vec::new(),
    };
    Ok((coprocessors, program, Inputs::new(public, private)))
}

fn prove_inner(args: &ProveArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let (coprocessors, program, inputs) = load_run(args)?;
    let out_path = output_path(args);

    // The native pre-run: fails early on a fault and gives the length of the progress bar.
    let t = Instant::now();
    let native = program
        .execute_with(&inputs, args.max_steps, &coprocessors)
        .map_err(|e| match e {
            canopy::ExecuteError::Execution(x) => Failure {
                code: execution_code(&x),
                error: anyhow::anyhow!("the guest did not exit: {x}"),
            },
            other => Failure::load(other.into()),
        })?;
    let execute_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "canopy: the guest runs {} instructions natively ({execute_secs:.3} s), exit code {}",
        native.instructions, native.exit_code
    );

    let t = Instant::now();
    let params = params(
        args.params_dir.as_deref(),
        args.ptau.as_deref(),
        args.block_size,
        args.memory_size,
        &coprocessors,
    )?;
    let params_secs = t.elapsed().as_secs_f64();
    let prover = Prover::new(&params)
        .with_max_steps(args.max_steps)
        .with_tree(TreeOptions {
            leaf_steps: args.leaf_steps,
            threads: args.threads,
            checkpoint: args.checkpoint.clone(),
            resume: args.resume,
        });

    let bar = ProgressBar::with_draw_target(
        Some(native.instructions),
        ProgressDrawTarget::stderr_with_hz(4),
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} proving [{elapsed_precise}] {wide_bar} {pos}/{len} instructions \
             ({per_sec}, ETA {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    let t = Instant::now();
    let result = prover.prove_execution(&program, &inputs, &native, |p| {
        bar.set_position(p.instructions_done);
        bar.set_message(format!("{} fold steps", p.fold_steps));
    });
    bar.finish_and_clear();
    let proof = result.map_err(|e| match e {
        ProveError::Execution(x) => Failure {
            code: execution_code(&x),
            error: anyhow::anyhow!("the guest did not exit: {x}"),
        },
        ProveError::Program(p) => Failure::load(p.into()),
        other => Failure {
            code: EXIT_REJECTED,
            error: anyhow::Error::from(other).context("proving failed"),
        },
    })?;
    let secs = t.elapsed().as_secs_f64();

    let s = &proof.statement;
    let proved = format!(
        "canopy: proved {} instructions in {} fold steps of K = {} in {secs:.1} s \
         ({:.2} instructions/s)",
        s.instructions,
        s.fold_steps,
        s.block_size,
        s.instructions as f64 / secs.max(1e-9)
    );
    let timings = serde_json::json!({
        "execute_seconds": execute_secs,
        "params_seconds": params_secs,
        "prove_seconds": secs,
    });
    let written = Written {
        out_path: &out_path,
        params: &params,
        started,
    };
    write_proof(args, &proof, &written, &proved, timings)
}

/// Where `canopy prove` writes its proof: `-o`, else `<program name>.proof` here.
pub(crate) fn output_path(args: &ProveArgs) -> PathBuf {
    match &args.output {
        Some(p) => p.clone(),
        None => {
            let stem = args
                .program
                .file_stem()
                .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
            PathBuf::from(format!("{stem}.proof"))
        }
    }
}

/// What [`write_proof`] needs besides the proof: where, with which parameters, and when
/// the command started.
pub(crate) struct Written<'a> {
    pub(crate) out_path: &'a Path,
    pub(crate) params: &'a Params,
    pub(crate) started: Instant,
}

/// Encodes `proof` as the flags ask (`--full`, else compact), writes it atomically, reports on
/// stderr (`proved` is the first line) and, with `--json`, prints the statement, the file and
/// `timings` (plus the decider's and the total) on stdout. Shared by `prove` and `prove --mpi`.
pub(crate) fn write_proof(
    args: &ProveArgs,
    proof: &Proof,
    w: &Written<'_>,
    proved: &str,
    mut timings: serde_json::Value,
) -> Result<(), Failure> {
    let (kind, bytes, compressed) = if args.full {
        let bytes = proof
            .to_bytes()
            .context("cannot encode the proof")
            .map_err(Failure::load)?;
        ("witness-carrying", bytes, None)
    } else {
        let c = compress(proof, w.params)?;
        ("compact", c.bytes.clone(), Some(c))
    };
    canopy::fs::write_atomic(w.out_path, &bytes)
        .with_context(|| format!("cannot write {}", w.out_path.display()))
        .map_err(Failure::load)?;
    let s = &proof.statement;
    eprintln!("{proved}");
    eprintln!(
        "canopy: exit code {}, {} bytes of public output, {} bytes of public input read",
        s.exit_code,
        s.public_output.len(),
        s.public_input_len
    );
    eprintln!(
        "canopy: {kind} proof written to {} ({})",
        w.out_path.display(),
        human_bytes(bytes.len())
    );
    if args.json {
        let mut v = statement_json(s);
        v["proof_path"] = serde_json::json!(w.out_path.display().to_string());
        v["kind"] = serde_json::json!(kind);
        // The CPU fold step's primary constraints (the augmented circuit, wrapper included)
        // and their share per row: the figure the memory argument is about.
        let cpu = w.params.folding().sizes().primary[0].0;
        v["fold_step_constraints"] = serde_json::json!(cpu);
        v["constraints_per_instruction"] =
            serde_json::json!(cpu as f64 / w.params.block_size().max(1) as f64);
        v["file_bytes"] = serde_json::json!(bytes.len());
        if let Some(c) = &compressed {
            v["snark_bytes"] = serde_json::json!(c.snark_bytes);
            timings["decider_key_seconds"] = serde_json::json!(c.key_secs);
            timings["decider_seconds"] = serde_json::json!(c.prove_secs);
        }
        timings["total_seconds"] = serde_json::json!(w.started.elapsed().as_secs_f64());
        v["timings"] = timings;
        print_json(&v)?;
    }
    Ok(())
}

/// A compact proof file made by [`compress`], with its timings.
pub(crate) struct Compressed {
    /// The encoded file.
    pub(crate) bytes: Vec<u8>,
    /// Size of the SNARK inside it.
    pub(crate) snark_bytes: usize,
    /// Seconds of decider key setup.
    pub(crate) key_secs: f64,
    /// Seconds of decider proving.
    pub(crate) prove_secs: f64,
}

/// Compresses a freshly made proof: decider key setup, decider proof, encoding.
pub(crate) fn compress(proof: &Proof, params: &Params) -> Result<Compressed, Failure> {
    let failed = |e: anyhow::Error| Failure {
        code: EXIT_REJECTED,
        error: e,
    };
    let t = Instant::now();
    let dk = canopy::decider_key(params)
        .context("decider key setup failed")
        .map_err(failed)?;
    let key_secs = t.elapsed().as_secs_f64();
    eprintln!("canopy: decider key set up in {key_secs:.1} s");
    let t = Instant::now();
    let file = proof
        .compress(params, &dk)
        .context("the decider failed")
        .map_err(failed)?;
    let prove_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "canopy: compact proof made in {prove_secs:.1} s (SNARK {})",
        human_bytes(file.snark.len())
    );
    let bytes = file
        .to_bytes()
        .context("cannot encode the compact proof")
        .map_err(Failure::load)?;
    Ok(Compressed {
        bytes,
        snark_bytes: file.snark.len(),
        key_secs,
        prove_secs,
    })
}
