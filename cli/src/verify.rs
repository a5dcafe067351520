//! `canopy verify`: either kind of proof file (recognised by its magic), for the verifier's
//! program, public input, memory size and parameters (or verifier key).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use canopy::vm::DEFAULT_MEMORY_SIZE;
use canopy::{CompactProofFile, CompactVerifierKey, CoprocessorSet, Proof, VerifierKeyFile};
use clap::ValueEnum;

use crate::common::{
    check_memory_size, checked_block_size, coprocessor_set, finish, load_program, params,
    params_mismatch_hint, read_file, rejected, report_verified, Failure, MAX_BLOCK_SIZE,
};
use crate::coprocessors::CoprocessorChoice;
use crate::{parse_size, EXIT_REJECTED};

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
    /// The key file is a small recipe; the parameters are loaded from the cache or generated,
    /// and the decider's key is derived from them (times in BENCHMARKS.md, "Decider").
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
        return verify_compact(args, &bytes);
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

/// Reads a verifier-key file (a recipe) and derives the key: the parameters it names are
/// loaded from the cache (or generated), their digest must be the file's, then the decider's
/// key setup runs. The coprocessor set is the one the key names (it must be one this CLI has).
fn load_vk(
    path: &Path,
    params_dir: Option<&Path>,
    ptau: Option<&Path>,
) -> Result<(CompactVerifierKey, CoprocessorSet), Failure> {
    let t = Instant::now();
    let bytes = read_file(path, "verifier key")?;
    let file = VerifierKeyFile::from_bytes(&bytes)
        .with_context(|| format!("cannot read verifier key {}", path.display()))
        .map_err(Failure::load)?;
    let mut coprocessors = None;
    for choice in CoprocessorChoice::value_variants() {
        let set = coprocessor_set(*choice)?;
        if set.describe() == file.coprocessors {
            coprocessors = Some(set);
            break;
        }
    }
    let coprocessors = coprocessors.ok_or_else(|| {
        Failure::load(anyhow::anyhow!(
            "the verifier key {} names coprocessors ({}) that this build of canopy does not have",
            path.display(),
            crate::coprocessors::names(&file.coprocessors)
        ))
    })?;
    let block_size = usize::try_from(file.block_size)
        .ok()
        .filter(|k| (1..=MAX_BLOCK_SIZE).contains(k))
        .ok_or_else(|| {
            Failure::load(anyhow::anyhow!(
                "the verifier key {} names K = {}, outside 1..={MAX_BLOCK_SIZE}",
                path.display(),
                file.block_size
            ))
        })?;
    // the key's scheme decides whether the parameters come from a powers-of-tau file
    let ptau = match (file.uses_powers_of_tau(), ptau) {
        (true, None) => {
            return Err(Failure::load(anyhow::anyhow!(
                "the verifier key {} is a HyperKZG key: pass --ptau FILE, the powers-of-tau file \
                 its parameters were made from",
                path.display()
            )))
        }
        (false, Some(f)) => {
            eprintln!(
                "canopy: the verifier key {} is transparent (IPA): --ptau {} is not used",
                path.display(),
                f.display()
            );
            None
        }
        (_, p) => p,
    };
    let params = params(
        params_dir,
        ptau,
        block_size,
        file.memory_size,
        &coprocessors,
    )?;
    let vk = file
        .derive(&params)
        .with_context(|| format!("cannot derive verifier key {}", path.display()))
        .map_err(Failure::load)?;
    eprintln!(
        "canopy: verifier key derived from {} in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    Ok((vk, coprocessors))
}

/// The compact branch of `canopy verify` (`bytes` start with the compact magic).
pub(crate) fn verify_compact(args: &VerifyArgs, bytes: &[u8]) -> Result<(), Failure> {
    let file = CompactProofFile::from_bytes(bytes)
        .with_context(|| format!("cannot read proof {}", args.proof.display()))
        .map_err(Failure::load)?;
    let s = &file.statement;
    let input = match &args.input {
        Some(p) => read_file(p, "input")?,
        None => Vec::new(),
    };
    // without --vk the key is derived from the parameters the statement names under the
    // --coprocessors choice
    let (vk, coprocessors) = match &args.vk {
        Some(p) => {
            let (vk, coprocessors) = load_vk(p, args.params_dir.as_deref(), args.ptau.as_deref())?;
            let key_memory = vk.file().memory_size;
            if args.memory_size.is_some_and(|m| m != key_memory) {
                return Err(Failure::load(anyhow::anyhow!(
                    "--memory-size disagrees with the verifier key's memory size ({key_memory} \
                     bytes)"
                )));
            }
            check_memory_size(s, key_memory)?;
            (vk, coprocessors)
        }
        None => {
            let memory_size =
                check_memory_size(s, args.memory_size.unwrap_or(DEFAULT_MEMORY_SIZE))?;
            let block_size = checked_block_size(s)?;
            let coprocessors = coprocessor_set(args.coprocessors)?;
            let params = params(
                args.params_dir.as_deref(),
                args.ptau.as_deref(),
                block_size,
                memory_size,
                &coprocessors,
            )?;
            let t = Instant::now();
            let vk = CompactVerifierKey::derive(&params)
                .context("decider key setup failed")
                .map_err(Failure::load)?;
            eprintln!(
                "canopy: verifier key derived from the cached parameters in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            (vk, coprocessors)
        }
    };
    let program = load_program(&args.program, vk.file().memory_size)?;
    let t = Instant::now();
    let statement = canopy::verify_compact(&file, &program, &input, &vk)
        .map_err(|e| rejected(e, args.coprocessors, &coprocessors))?;
    let secs = t.elapsed().as_secs_f64();
    report_verified(&statement, secs, args.json, "compact", &coprocessors)
}
