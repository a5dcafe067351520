//! Compact proofs in the CLI: the decider step of `canopy prove` (the default; `--full` skips
//! it), the compact branch of `canopy verify`,
//! `canopy setup` (parameters + verifier key) and `canopy inspect`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use canopy::vm::DEFAULT_MEMORY_SIZE;
use canopy::{
    CompactProofFile, CompactVerifierKey, CoprocessorSet, Params, Proof, Statement,
    VerifierKeyFile, DEFAULT_BLOCK_SIZE,
};
use clap::ValueEnum;

use crate::coprocessors::CoprocessorChoice;
use crate::params::write_atomically;
use crate::prove::{
    check_memory_size, checked_block_size, coprocessor_set, finish, human_bytes, load_program,
    params, read_file, rejected, report_verified, Failure, VerifyArgs, MAX_BLOCK_SIZE,
};
use crate::{parse_size, EXIT_REJECTED};

/// Arguments of `canopy setup`.
#[derive(clap::Args, Debug)]
pub struct SetupArgs {
    /// Instructions (rows) per fold step K (as for `canopy prove`).
    #[arg(long, value_name = "K", default_value_t = DEFAULT_BLOCK_SIZE)]
    block_size: usize,
    /// Guest memory size in bytes (as for `canopy prove`).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MEMORY_SIZE, value_parser = parse_size)]
    memory_size: u64,
    /// Directory of the parameters cache (as for `canopy prove`).
    #[arg(long, value_name = "DIR")]
    params_dir: Option<PathBuf>,
    /// The coprocessors (as for `canopy prove`): the parameters and the key are those of this
    /// set.
    #[arg(long, value_name = "SET", value_enum, default_value_t = CoprocessorChoice::None)]
    coprocessors: CoprocessorChoice,
    /// Where to write the verifier key of these parameters (for `canopy verify --vk`).
    #[arg(long, value_name = "FILE")]
    vk_out: PathBuf,
    /// A powers-of-tau file (as for `canopy prove`): the parameters' BN254 generators are its
    /// G1 powers and the key is a HyperKZG key (verifying with it needs the same file).
    #[arg(long, value_name = "FILE")]
    ptau: Option<PathBuf>,
}

/// Arguments of `canopy inspect`.
#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// A proof file of either kind (witness-carrying or compact). Nothing is verified.
    proof: PathBuf,
    /// Print the statement as JSON.
    #[arg(long)]
    json: bool,
}

/// The statement as a JSON object (digests and bytes in lowercase hexadecimal; the public
/// output also as lossy UTF-8).
pub(crate) fn statement_json(s: &Statement) -> serde_json::Value {
    serde_json::json!({
        "program_digest": s.program_digest_hex(),
        "memory_size": s.memory_size,
        "block_size": s.block_size,
        "params_digest": s.params_digest_hex(),
        "coprocessors": crate::coprocessors::infos_json(&s.coprocessors),
        "public_input_len": s.public_input_len,
        "public_input_sha256": s.public_input_digest_hex(),
        "public_input_eof": s.public_input_eof,
        "public_output_hex": canopy::hex(&s.public_output),
        "public_output_utf8": String::from_utf8_lossy(&s.public_output),
        "exit_code": s.exit_code,
        "exit_status": s.exit_status(),
        "instructions": s.instructions,
        "fold_steps": s.fold_steps,
    })
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

/// `canopy setup`.
pub fn setup(args: SetupArgs) -> std::process::ExitCode {
    finish(setup_inner(&args))
}

fn setup_inner(args: &SetupArgs) -> Result<(), Failure> {
    if args.ptau.is_some() {
        crate::quiet::silence();
    }
    if args.block_size == 0 || args.block_size > MAX_BLOCK_SIZE {
        return Err(Failure::load(anyhow::anyhow!(
            "--block-size must be between 1 and {MAX_BLOCK_SIZE}"
        )));
    }
    let coprocessors = coprocessor_set(args.coprocessors)?;
    let params = params(
        args.params_dir.as_deref(),
        args.ptau.as_deref(),
        args.block_size,
        args.memory_size,
        &coprocessors,
    )?;
    let bytes = VerifierKeyFile::of(&params)
        .to_bytes()
        .context("cannot encode the verifier key")
        .map_err(Failure::load)?;
    write_atomically(&args.vk_out, &bytes).map_err(Failure::load)?;
    eprintln!(
        "canopy: parameters {} (K = {}, memory {} bytes, coprocessors: {})",
        canopy::hex(&params.digest()),
        params.block_size(),
        params.memory_size(),
        crate::coprocessors::describe(&coprocessors)
    );
    if params.uses_powers_of_tau() {
        eprintln!(
            "canopy: the BN254 generators are the powers of tau of {}: compact proofs use \
             HyperKZG, and `canopy verify --vk` needs `--ptau` with the same file",
            args.ptau
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    eprintln!(
        "canopy: verifier key written to {} ({}; `canopy verify --vk` derives the decider's key \
         from it and the parameters it names)",
        args.vk_out.display(),
        human_bytes(bytes.len())
    );
    Ok(())
}

/// `canopy inspect`.
pub fn inspect(args: InspectArgs) -> std::process::ExitCode {
    finish(inspect_inner(&args))
}

fn inspect_inner(args: &InspectArgs) -> Result<(), Failure> {
    let bytes = read_file(&args.proof, "proof")?;
    let (kind, statement, extra) = if bytes.starts_with(canopy::COMPACT_PROOF_MAGIC) {
        let f = CompactProofFile::from_bytes(&bytes)
            .with_context(|| format!("cannot read proof {}", args.proof.display()))
            .map_err(Failure::load)?;
        let snark = f.snark.len();
        ("compact", f.statement, Some(snark))
    } else {
        let p = Proof::from_bytes(&bytes)
            .with_context(|| format!("cannot read proof {}", args.proof.display()))
            .map_err(Failure::load)?;
        ("witness-carrying", p.statement, None)
    };
    if args.json {
        let mut v = statement_json(&statement);
        v["kind"] = serde_json::Value::String(kind.into());
        v["file_bytes"] = serde_json::json!(bytes.len());
        if let Some(n) = extra {
            v["snark_bytes"] = serde_json::json!(n);
        }
        let text = serde_json::to_string_pretty(&v)
            .context("cannot encode JSON")
            .map_err(Failure::load)?;
        println!("{text}");
        return Ok(());
    }
    let s = &statement;
    println!("kind:              {kind} ({} bytes)", bytes.len());
    println!("program digest:    {}", s.program_digest_hex());
    println!("memory size:       {} bytes", s.memory_size);
    println!("block size K:      {}", s.block_size);
    println!("params digest:     {}", s.params_digest_hex());
    println!(
        "coprocessors:      {}",
        crate::coprocessors::names(&s.coprocessors)
    );
    println!(
        "public input:      {} bytes read, SHA-256 {}, {}",
        s.public_input_len,
        s.public_input_digest_hex(),
        if s.public_input_eof {
            "read to its end (the whole input is bound)"
        } else {
            "a prefix (later bytes are not bound)"
        }
    );
    println!(
        "public output:     {} bytes: {:?}",
        s.public_output.len(),
        String::from_utf8_lossy(&s.public_output)
    );
    println!(
        "exit code:         {} (status {})",
        s.exit_code,
        s.exit_status()
    );
    println!("instructions:      {}", s.instructions);
    println!("fold steps:        {}", s.fold_steps);
    if let Some(n) = extra {
        println!("SNARK:             {n} bytes");
    }
    println!("(not verified: use `canopy verify`)");
    Ok(())
}
