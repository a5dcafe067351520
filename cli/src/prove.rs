//! `canopy prove` and `canopy verify`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use canopy::vm::{ExecutionError, DEFAULT_MEMORY_SIZE};
use canopy::{
    CoprocessorSet, Inputs, Params, Program, Proof, ProveError, Prover, Statement, TreeOptions,
    VerifyError, DEFAULT_BLOCK_SIZE, DEFAULT_PROVE_MAX_STEPS,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::coprocessors::CoprocessorChoice;
use crate::params::{cache_dir, load_or_setup, write_atomically};
use crate::{parse_size, EXIT_GUEST_FAULT, EXIT_LOAD_ERROR, EXIT_REJECTED, EXIT_STEP_LIMIT};

// `canopy prove --mpi` (cli/src/mpi.rs; a child module, so that it reads `ProveArgs`).
#[path = "mpi.rs"]
mod mpi;

/// Largest block size the CLI accepts (a bound on the setup a forged proof file can trigger
/// in `canopy verify`; K = 1024 is already ≈11M constraints per step).
pub(crate) const MAX_BLOCK_SIZE: usize = 1024;

/// Arguments of `canopy prove`.
#[derive(clap::Args, Debug)]
pub struct ProveArgs {
    /// The guest program: a statically linked RV32IM ELF executable.
    program: PathBuf,
    /// File whose bytes the guest reads as public input (fd 0); bound by the proof.
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// File whose bytes the guest reads as private input (fd 3); not part of the statement.
    /// The default compact proof hides it; a `--full` proof file carries the folded witnesses
    /// and does not.
    #[arg(long, value_name = "FILE")]
    private_input: Option<PathBuf>,
    /// Where to write the proof [default: <program name>.proof in the current directory].
    #[arg(short = 'o', long = "output", value_name = "PROOF")]
    output: Option<PathBuf>,
    /// Instructions (rows) per fold step K. Larger K amortises the folding overhead better
    /// but makes parameter setup slower and the proof larger.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_BLOCK_SIZE)]
    block_size: usize,
    /// Directory of the parameters cache [default: $CANOPY_PARAMS_DIR, else the user's
    /// cache directory]/canopy/params.
    #[arg(long, value_name = "DIR")]
    params_dir: Option<PathBuf>,
    /// Stop with an error if the guest runs more than this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROVE_MAX_STEPS)]
    max_steps: u64,
    /// Guest memory size in bytes (a power of two; the guest SDK links for 16 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MEMORY_SIZE, value_parser = parse_size)]
    memory_size: u64,
    /// Fold steps per leaf of the proof tree. Leaves are proven separately and merged (a
    /// merge costs about three fold steps); memory holds one window of leaves plus
    /// O(log n) accumulators whatever the run's length.
    #[arg(long, value_name = "N", default_value_t = 64)]
    leaf_steps: u64,
    /// Leaves proven in parallel (one thread each).
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads: usize,
    /// Directory where the proof tree's state is saved (atomically) after every merge.
    #[arg(long, value_name = "DIR")]
    checkpoint: Option<PathBuf>,
    /// Resume an interrupted run from `--checkpoint DIR` (same program, inputs, block size,
    /// leaf size and parameters; anything else is refused).
    #[arg(long, requires = "checkpoint")]
    resume: bool,
    /// Write the full folding accumulator with its witnesses (magic CANOPYPF: MiBs, verified
    /// natively, NOT zero-knowledge: it reveals the private input) instead of the default
    /// compact proof (magic CANOPYCP: the decider's Spartan SNARK of the proof tree's root,
    /// tens of KiB, zero-knowledge, verifiable with only a verifier key from `canopy setup`,
    /// the program and the public input). Skips the decider, whose key setup and proof add
    /// ≈35 s (one leaf) to ≈105 s (a merged tree root) at K = 4; for tests and debugging.
    #[arg(long)]
    full: bool,
    /// The default; kept so that older scripts still run.
    #[arg(long, hide = true, conflicts_with = "full")]
    compact: bool,
    /// Coprocessors the guest may call: `none`, or `builtins` (every built-in of
    /// canopy-coprocessors). Part of the parameters: verify with the same option.
    #[arg(long, value_name = "SET", value_enum, default_value_t = CoprocessorChoice::None)]
    coprocessors: CoprocessorChoice,
    /// Print one JSON object on stdout: the statement, the coprocessor set, the proof file's
    /// path, kind and size, and timings.
    #[arg(long)]
    json: bool,
    /// A powers-of-tau file (snarkjs `.ptau` format, from a public ceremony): the BN254
    /// commitment generators are its G1 powers and the compact proof's BN254 SNARKs use
    /// HyperKZG instead of IPA (smaller, faster to verify; trusts the ceremony). Part of the
    /// parameters: `canopy setup` and `canopy verify` need the same file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ptau: Option<PathBuf>,
    /// Prove across MPI ranks: start every rank with the same command under `mpirun` or
    /// `srun`; rank 0 writes the proof file (needs a build with `--features mpi`).
    #[arg(long)]
    mpi: bool,
}

/// Arguments of `canopy verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The proof file: a witness-carrying proof (CANOPYPF) or a compact proof (CANOPYCP),
    /// recognised by its magic bytes.
    pub(crate) proof: PathBuf,
    /// The guest program the proof is claimed to be about.
    #[arg(long, value_name = "PROGRAM.elf")]
    pub(crate) program: PathBuf,
    /// The public input (fd 0) the run is claimed to have read [default: empty].
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// Verifier key (from `canopy setup --vk-out`) for a compact proof: the proof must be for
    /// the parameters it names (K, memory size, coprocessors, digest), whatever the proof's
    /// statement says [default: the parameters the statement names, with --coprocessors].
    /// The key file is a small recipe; the parameters are loaded from the cache or generated
    /// (≈8 s at K = 4) and the decider's key is derived from them (≈1.5 s at K = 4).
    #[arg(long, value_name = "FILE")]
    pub(crate) vk: Option<PathBuf>,
    /// Directory of the parameters cache (as for `canopy prove`).
    #[arg(long, value_name = "DIR")]
    pub(crate) params_dir: Option<PathBuf>,
    /// Guest memory size in bytes the run must have had (as for `canopy prove`; the memory
    /// size changes what a program does, so the verifier chooses it, never the proof). A proof
    /// for another memory size is refused [default: 16 MiB; with --vk: the key's].
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub(crate) memory_size: Option<u64>,
    /// The powers-of-tau file the proof's parameters were made from (as for `canopy prove`):
    /// needed by a HyperKZG verifier key and by proofs made with `--ptau`.
    #[arg(long, value_name = "FILE")]
    pub(crate) ptau: Option<PathBuf>,
    /// The coprocessors the proof was made with (as for `canopy prove`); another set is
    /// other parameters, and the proof is refused. With --vk the key's own set is used.
    #[arg(long, value_name = "SET", value_enum, default_value_t = CoprocessorChoice::None)]
    pub(crate) coprocessors: CoprocessorChoice,
    /// Print the verified statement as JSON on stdout (instead of the public output).
    #[arg(long)]
    pub(crate) json: bool,
}

/// An error with the exit code it maps to.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) error: anyhow::Error,
}

impl Failure {
    /// A file could not be read, loaded or written: exit code 125.
    pub(crate) fn load(error: anyhow::Error) -> Self {
        Failure {
            code: EXIT_LOAD_ERROR,
            error,
        }
    }
}

pub(crate) fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .with_context(|| format!("cannot read {what} {}", path.display()))
        .map_err(Failure::load)
}

pub(crate) fn load_program(path: &Path, memory_size: u64) -> Result<Program, Failure> {
    let elf = read_file(path, "program")?;
    Program::from_elf_with_memory(&elf, memory_size)
        .with_context(|| format!("cannot load program {}", path.display()))
        .map_err(Failure::load)
}

pub(crate) fn params(
    dir: Option<&Path>,
    ptau: Option<&Path>,
    block_size: usize,
    memory_size: u64,
    coprocessors: &CoprocessorSet,
) -> Result<Params, Failure> {
    cache_dir(dir)
        .and_then(|d| load_or_setup(&d, block_size, memory_size, coprocessors, ptau))
        .map_err(Failure::load)
}

/// The coprocessor set of a `--coprocessors` choice (a registration failure is a bug in the
/// built-ins, reported as a load error).
pub(crate) fn coprocessor_set(choice: CoprocessorChoice) -> Result<CoprocessorSet, Failure> {
    choice.set().map_err(Failure::load)
}

/// What to add to a "made with other parameters" rejection: the set used here and the rule.
pub(crate) fn params_mismatch_hint(choice: CoprocessorChoice, set: &CoprocessorSet) -> String {
    format!(
        "verified with coprocessors `{}` ({}); the coprocessor set is part of the parameters, \
         so a proof made with `--coprocessors builtins` verifies only with \
         `--coprocessors builtins`, and one made without it only without it (the same holds \
         for `--ptau FILE`)",
        choice.as_str(),
        crate::coprocessors::describe(set)
    )
}

pub(crate) fn finish(result: Result<(), Failure>) -> ExitCode {
    crate::quiet::restore();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("canopy: error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

fn execution_code(e: &ExecutionError) -> u8 {
    match e {
        ExecutionError::StepLimit { .. } => EXIT_STEP_LIMIT,
        _ => EXIT_GUEST_FAULT,
    }
}

pub(crate) fn human_bytes(n: usize) -> String {
    let n = n as f64;
    if n >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", n / (1u64 << 20) as f64)
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// `canopy prove`.
pub fn prove(args: ProveArgs) -> ExitCode {
    if args.ptau.is_some() {
        crate::quiet::silence();
    }
    if args.mpi {
        return mpi::prove(&args);
    }
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
    let result = prover.prove_with_progress(&program, &inputs, |p| {
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
        let c = crate::compact::compress(proof, w.params)?;
        ("compact", c.bytes.clone(), Some(c))
    };
    write_atomically(w.out_path, &bytes).map_err(Failure::load)?;
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
        let mut v = crate::compact::statement_json(s);
        v["proof_path"] = serde_json::json!(w.out_path.display().to_string());
        v["kind"] = serde_json::json!(kind);
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

/// Writes a JSON value (pretty, one object, a final newline) to stdout.
pub(crate) fn print_json(v: &serde_json::Value) -> Result<(), Failure> {
    let mut text = serde_json::to_vec_pretty(v)
        .context("cannot encode JSON")
        .map_err(Failure::load)?;
    text.push(b'\n');
    crate::quiet::restore();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&text)
        .and_then(|_| stdout.flush())
        .context("cannot write to stdout")
        .map_err(Failure::load)
}

/// `canopy verify`.
pub fn verify(args: VerifyArgs) -> ExitCode {
    finish(verify_inner(&args))
}

fn verify_inner(args: &VerifyArgs) -> Result<(), Failure> {
    if args.ptau.is_some() {
        crate::quiet::silence();
    }
    let bytes = read_file(&args.proof, "proof")?;
    if bytes.starts_with(canopy::COMPACT_PROOF_MAGIC) {
        return crate::compact::verify_compact(args, &bytes);
    }
    let proof = Proof::from_bytes(&bytes)
        .with_context(|| format!("cannot read proof {}", args.proof.display()))
        .map_err(Failure::load)?;
    let s = &proof.statement;
    let block_size = checked_block_size(s)?;
    let coprocessors = coprocessor_set(args.coprocessors)?;
    // The statement names the coprocessor set: refuse a proof of another set before loading
    // or generating parameters (verify checks it again, with the parameters digest).
    if s.coprocessors != coprocessors.describe() {
        return Err(Failure {
            code: EXIT_REJECTED,
            error: anyhow::anyhow!(
                "the proof was made with other parameters: its coprocessors are `{}`; {}",
                crate::coprocessors::names(&s.coprocessors),
                params_mismatch_hint(args.coprocessors, &coprocessors)
            )
            .context("the proof does not verify"),
        });
    }
    let memory_size = check_memory_size(s, args.memory_size.unwrap_or(DEFAULT_MEMORY_SIZE))?;
    let program = load_program(&args.program, memory_size)?;
    let input = match &args.input {
        Some(p) => read_file(p, "input")?,
        None => Vec::new(),
    };
    let params = params(
        args.params_dir.as_deref(),
        args.ptau.as_deref(),
        block_size,
        memory_size,
        &coprocessors,
    )?;
    let t = Instant::now();
    let statement = canopy::verify(&proof, &program, &input, &params)
        .map_err(|e| rejected(e, args.coprocessors, &coprocessors))?;
    let secs = t.elapsed().as_secs_f64();
    report_verified(
        &statement,
        secs,
        args.json,
        "witness-carrying",
        &coprocessors,
    )
}

/// The memory size the verifier chose, or a rejection (exit code 1) when the proof's statement
/// names another one: the proof must not choose the memory its program runs in.
pub(crate) fn check_memory_size(s: &Statement, memory_size: u64) -> Result<u64, Failure> {
    if s.memory_size == memory_size {
        return Ok(memory_size);
    }
    Err(Failure {
        code: EXIT_REJECTED,
        error: anyhow::anyhow!(
            "the proof is for a guest memory of {} bytes, not {memory_size}; verify with \
             --memory-size {} if that is the memory size you mean",
            s.memory_size,
            s.memory_size
        )
        .context("the proof does not verify"),
    })
}

/// A verification failure as exit code 1, with the coprocessor hint when the parameters differ.
pub(crate) fn rejected(
    e: impl Into<anyhow::Error>,
    choice: CoprocessorChoice,
    set: &CoprocessorSet,
) -> Failure {
    let e: anyhow::Error = e.into();
    let wrong_params = matches!(
        e.downcast_ref::<VerifyError>(),
        Some(VerifyError::WrongParams(_))
    ) || matches!(
        e.downcast_ref::<canopy::CompactVerifyError>(),
        Some(canopy::CompactVerifyError::Statement(
            VerifyError::WrongParams(_)
        ))
    );
    let e = if wrong_params {
        anyhow::anyhow!("{e:#}; {}", params_mismatch_hint(choice, set))
    } else {
        e
    };
    Failure {
        code: EXIT_REJECTED,
        error: e.context("the proof does not verify"),
    }
}

/// The statement's block size, refused unless 1..=[`MAX_BLOCK_SIZE`] (a bound on the setup a
/// forged proof file can trigger).
pub(crate) fn checked_block_size(s: &Statement) -> Result<usize, Failure> {
    usize::try_from(s.block_size)
        .ok()
        .filter(|k| (1..=MAX_BLOCK_SIZE).contains(k))
        .ok_or_else(|| {
            Failure::load(anyhow::anyhow!(
                "the proof names an invalid block size {} (1 to {MAX_BLOCK_SIZE})",
                s.block_size
            ))
        })
}

/// Prints a verified statement: the public output on stdout and a summary on stderr, or the
/// statement as JSON on stdout.
pub(crate) fn report_verified(
    statement: &Statement,
    secs: f64,
    json: bool,
    kind: &str,
    coprocessors: &CoprocessorSet,
) -> Result<(), Failure> {
    crate::quiet::restore();
    let mut stdout = std::io::stdout().lock();
    let out = if json {
        let mut v = crate::compact::statement_json(statement);
        v["verified"] = serde_json::Value::Bool(true);
        v["kind"] = serde_json::Value::String(kind.into());
        v["verify_seconds"] = serde_json::json!(secs);
        let mut text = serde_json::to_vec_pretty(&v)
            .context("cannot encode JSON")
            .map_err(Failure::load)?;
        text.push(b'\n');
        text
    } else {
        statement.public_output.clone()
    };
    stdout
        .write_all(&out)
        .and_then(|_| stdout.flush())
        .context("cannot write the public output")
        .map_err(Failure::load)?;
    eprintln!(
        "canopy: {kind} proof verified in {secs:.2} s (coprocessors: {})",
        crate::coprocessors::describe(coprocessors)
    );
    eprintln!(
        "canopy: program {}: exit code {} (status {}), {} instructions, {} fold steps of K = {}",
        statement.program_digest_hex(),
        statement.exit_code,
        statement.exit_status(),
        statement.instructions,
        statement.fold_steps,
        statement.block_size
    );
    let bound = if statement.public_input_eof {
        "the whole public input (the guest read to its end)".to_string()
    } else {
        format!(
            "the first {} bytes of the public input (bytes after them are not bound)",
            statement.public_input_len
        )
    };
    eprintln!("canopy: the proof binds {bound}");
    eprintln!(
        "canopy: public output: {} bytes (on stdout)",
        statement.public_output.len()
    );
    Ok(())
}
