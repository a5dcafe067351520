//! `canopy`: the command-line tool of the Canopy zkVM.
//!
//! Commands:
//! - `canopy run PROGRAM.elf [--input FILE] [--private-input FILE] [--max-steps N]
//!   [--memory-size BYTES] [--coprocessors SET] [--stats]`: runs a guest natively. Its public output (fd 1) goes to
//!   stdout and its debug log (fd 2) to stderr, streamed while the guest runs (flushed every
//!   2^20 instructions). The process
//!   exits with the guest's exit status (`a0 & 0xff`), like `qemu-riscv32`.
//! - `canopy prove PROGRAM.elf [--input FILE] [--private-input FILE] [-o PROOF]
//!   [--block-size K] [--params-dir DIR] [--max-steps N] [--coprocessors SET] [--full]
//!   [--json]`: runs the guest natively (to fail early and learn the run's length), then
//!   proves it with a progress bar on stderr (instructions proven, instructions/s, ETA) and
//!   writes the proof file (default: `<program name>.proof` in the current directory). Exits
//!   0 when the proof is written. The file is the decider's compact proof
//!   (`canopy::CompactProofFile`, magic `CANOPYCP`: small; it hides the private input, the
//!   witnesses and how often each circuit ran, see docs/protocol.md §3.7 and §4); `--full` writes the witness-carrying folding accumulator
//!   (`CANOPYPF`: MiBs, not zero-knowledge) and skips the decider (seconds to tens of
//!   seconds, BENCHMARKS.md). `--json` prints the statement, the coprocessor set, the file's path,
//!   kind and size, and timings as one JSON object on stdout.
//! - `canopy verify PROOF --program PROGRAM.elf [--input FILE] [--vk FILE] [--params-dir DIR]
//!   [--coprocessors SET] [--json]`: recognises the proof kind by its magic and verifies it for that program and
//!   public input, prints the proven public output to stdout (or the statement as JSON with
//!   `--json`) and a summary to stderr, and exits 0 only if the proof verifies. A compact
//!   proof is checked with the verifier key `--vk`, else with one derived from the cached
//!   parameters.
//! - `canopy setup [--block-size K] [--memory-size BYTES] [--params-dir DIR]
//!   [--coprocessors SET] --vk-out FILE`:
//!   builds (or loads) the cached parameters and writes the verifier key of compact proofs.
//! - `canopy inspect PROOF [--json]`: prints the statement of a proof file of either kind,
//!   without verifying it.
//! - `canopy new NAME` ([`new`]): scaffolds a Rust guest project; `canopy build [DIR]`
//!   ([`build`]): builds one with Debian's Rust toolchain (`rustc-web`, `cargo-web`,
//!   `rust-web-src`) and prints the ELF paths (exit 125 if the toolchain is missing, 1 if the
//!   build fails).
//!
//! `--coprocessors SET` ([`coprocessors`]): `none` (default) or `builtins`, every built-in of
//! `canopy_coprocessors::builtins()`. The set is part of the parameters: a proof verifies only
//! with the set it was made with, and anything else is refused.
//!
//! Parameters (see [`params`]) are cached on disk, keyed by K, the memory size and the
//! coprocessor set, in
//! `--params-dir`, else `$CANOPY_PARAMS_DIR`, else `<user cache dir>/canopy/params`
//! (`$XDG_CACHE_HOME/canopy/params` or `~/.cache/canopy/params` on Linux). A missing or
//! unusable cache file (corrupt, truncated, stale) is regenerated ([`canopy::ParamsCache`]).
//!
//! Exit codes other than the guest's own (a guest can use any of 0..=255, so these can collide
//! with a guest that exits with the same value; they are chosen to be unusual and to match
//! conventions: 2 is what clap uses for usage errors):
//! - 2: bad command line (from clap).
//! - [`EXIT_LOAD_ERROR`] (125): the program, an input, a proof or a parameters file could not
//!   be read, loaded or written (bad ELF, bad `--memory-size`, truncated proof file, ...),
//!   like `env`/`timeout` use 125 for their own failures.
//! - [`EXIT_GUEST_FAULT`] (134): the guest faulted (illegal instruction, memory fault, bad jump,
//!   coprocessor error); 134 = 128 + SIGABRT, close to how a crashing process is reported.
//! - [`EXIT_STEP_LIMIT`] (124): the step limit was reached; 124 is what `timeout` uses.
//! - [`EXIT_REJECTED`] (1): `canopy verify`: the proof does not verify; `canopy prove`:
//!   proving failed for another reason than the above.
//!
//! Logs go to stderr through `tracing`; set `RUST_LOG` (e.g. `RUST_LOG=debug`) to see them.

mod build;
mod common;
mod coprocessors;
mod inspect;
mod mpi;
mod new;
mod params;
mod prove;
mod quiet;
mod setup;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use canopy::vm::{ExecutionError, Vm, VmConfig, DEFAULT_MAX_STEPS, DEFAULT_MEMORY_SIZE};
use clap::{Parser, Subcommand};

use crate::coprocessors::CoprocessorChoice;

/// Exit code when the program or an input cannot be read or loaded.
const EXIT_LOAD_ERROR: u8 = 125;
/// Exit code when the guest faults.
const EXIT_GUEST_FAULT: u8 = 134;
/// Exit code when the step limit is reached.
const EXIT_STEP_LIMIT: u8 = 124;
/// Exit code when a proof does not verify, or proving fails otherwise.
const EXIT_REJECTED: u8 = 1;
/// Instructions run between two flushes of the guest's output (a few ms of execution).
const STREAM_SLICE: u64 = 1 << 20;

#[derive(Parser, Debug)]
#[command(
    name = "canopy",
    version,
    about = "Canopy: a folding zkVM for RISC-V (RV32IM) programs",
    after_help = "Exit codes of `canopy run`: the guest's exit status (0-255) when it exits; \
                  125 if the program or an input cannot be loaded; 134 if the guest faults; \
                  124 if the step limit is reached; 2 for a bad command line. \
                  `canopy prove` and `canopy verify` exit 0 on success, 1 if proving fails or \
                  the proof does not verify, 125 if a file cannot be read, loaded or written \
                  (also a truncated, wrong-version or non-proof file), and `prove` 134 / 124 \
                  if the guest faults / reaches the step limit. `canopy prove` writes the \
                  decider's compact proof (about 13–15 KiB; it hides the private input, the \
                  witnesses and how often each circuit ran; verifiable with `--vk` \
                  from `canopy setup`); `--full` writes the witness-carrying accumulator \
                  instead (MiBs, not zero-knowledge) and skips the decider. `--coprocessors builtins` registers \
                  the built-in coprocessors; a proof verifies only with the set it was made with."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a guest program natively, without proving.
    Run(RunArgs),
    /// Prove a run of a guest program and write a proof file.
    Prove(prove::ProveArgs),
    /// Verify a proof file (either kind) for a program and public input; print the public
    /// output.
    Verify(verify::VerifyArgs),
    /// Build (or load) the cached parameters for K and write the verifier key of compact
    /// proofs.
    Setup(setup::SetupArgs),
    /// Print the statement of a proof file (either kind) without verifying it.
    Inspect(inspect::InspectArgs),
    /// Create a Rust guest project (Cargo.toml, .cargo/config.toml, link.ld, src/main.rs).
    New(new::NewArgs),
    /// Build a Rust guest project with Debian's Rust toolchain; print the ELF paths.
    Build(build::BuildArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The guest program: a statically linked RV32IM ELF executable.
    program: PathBuf,
    /// File whose bytes the guest reads as public input (fd 0).
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// File whose bytes the guest reads as private input (fd 3).
    #[arg(long, value_name = "FILE")]
    private_input: Option<PathBuf>,
    /// Stop the guest with an error after this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STEPS)]
    max_steps: u64,
    /// Guest memory size in bytes: a power of two from 4096 to 2^32. Accepts decimal, 0x-hex,
    /// and binary suffixes K/KiB, M/MiB, G/GiB (e.g. 16MiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MEMORY_SIZE, value_parser = parse_size)]
    memory_size: u64,
    /// Coprocessors the guest may call: `none`, or `builtins` (every built-in of
    /// canopy-coprocessors).
    #[arg(long, value_name = "SET", value_enum, default_value_t = CoprocessorChoice::None)]
    coprocessors: CoprocessorChoice,
    /// Print the number of instructions executed, the wall time and instructions/s to stderr.
    #[arg(long)]
    stats: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Prove(args) => {
            // a powers-of-tau file makes a dependency print on stdout (see `quiet`)
            if args.ptau.is_some() {
                quiet::silence();
            }
            if args.mpi {
                mpi::prove(&args)
            } else {
                prove::prove(args)
            }
        }
        Command::Verify(args) => verify::verify(args),
        Command::Setup(args) => setup::setup(args),
        Command::Inspect(args) => inspect::inspect(args),
        Command::New(args) => new::new(args),
        Command::Build(args) => build::build(args),
    }
}

fn run(args: RunArgs) -> ExitCode {
    let mut vm = match load(&args) {
        Ok(vm) => vm,
        Err(e) => {
            eprintln!("canopy: error: {e:#}");
            return ExitCode::from(EXIT_LOAD_ERROR);
        }
    };
    let start = Instant::now();
    let mut stdout = std::io::stdout().lock();
    let mut stdout_ok = true;
    // Run in slices so that the guest's output is streamed while it runs.
    let result = loop {
        let step = vm.run_for(STREAM_SLICE);
        let out = vm.take_public_output();
        if stdout_ok && !out.is_empty() {
            if let Err(e) = stdout.write_all(&out).and_then(|_| stdout.flush()) {
                // E.g. a closed pipe: report it, keep running, exit with the guest's status.
                tracing::warn!("cannot write the guest's output to stdout: {e}");
                stdout_ok = false;
            }
        }
        let log = vm.take_debug_output();
        if !log.is_empty() {
            let _ = std::io::stderr().write_all(&log);
        }
        match step {
            Ok(Some(exit)) => break Ok(exit),
            Ok(None) => continue,
            Err(e) => break Err(e),
        }
    };
    let elapsed = start.elapsed();
    if args.stats {
        let steps = vm.steps();
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 { steps as f64 / secs } else { 0.0 };
        eprintln!(
            "canopy: {steps} instructions in {:.3} s ({:.1} M instructions/s)",
            secs,
            rate / 1e6
        );
    }
    match result {
        Ok(exit) => ExitCode::from(exit.status()),
        Err(e) => {
            eprintln!("canopy: error: guest stopped: {e}");
            match e {
                ExecutionError::StepLimit { .. } => ExitCode::from(EXIT_STEP_LIMIT),
                _ => ExitCode::from(EXIT_GUEST_FAULT),
            }
        }
    }
}

/// Parses a byte count: decimal, `0x` hexadecimal, or a number with a binary suffix.
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = [
        ("KiB", 1u64 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("K", 1 << 10),
        ("M", 1 << 20),
        ("G", 1 << 30),
    ]
    .iter()
    .find_map(|(suf, m)| t.strip_suffix(suf).map(|n| (n.trim(), *m)))
    .unwrap_or((t, 1));
    let value = match num.strip_prefix("0x").or_else(|| num.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => num.parse::<u64>(),
    }
    .map_err(|e| format!("invalid size {s:?}: {e}"))?;
    value
        .checked_mul(mult)
        .ok_or_else(|| format!("size {s:?} is too large"))
}

fn load(args: &RunArgs) -> anyhow::Result<Vm> {
    let elf = std::fs::read(&args.program)
        .with_context(|| format!("cannot read program {}", args.program.display()))?;
    let config = VmConfig {
        memory_size: args.memory_size,
        max_steps: args.max_steps,
    };
    let mut vm = Vm::from_elf(&elf, config)
        .with_context(|| format!("cannot load program {}", args.program.display()))?;
    vm.set_coprocessors(args.coprocessors.set()?.registry().clone());
    if let Some(path) = &args.input {
        let input =
            std::fs::read(path).with_context(|| format!("cannot read input {}", path.display()))?;
        vm.set_public_input(input);
    }
    if let Some(path) = &args.private_input {
        let input = std::fs::read(path)
            .with_context(|| format!("cannot read private input {}", path.display()))?;
        vm.set_private_input(input);
    }
    Ok(vm)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("0x1000000"), Ok(1 << 24));
        assert_eq!(parse_size("16MiB"), Ok(1 << 24));
        assert_eq!(parse_size("64K"), Ok(1 << 16));
        assert_eq!(parse_size("4G"), Ok(1 << 32));
        assert!(parse_size("12x").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
