//! `canopy setup`: build (or load) the cached parameters and write the verifier-key file.

use std::path::PathBuf;

use anyhow::Context;
use canopy::vm::DEFAULT_MEMORY_SIZE;
use canopy::{VerifierKeyFile, DEFAULT_BLOCK_SIZE};

use crate::common::{coprocessor_set, finish, human_bytes, params, Failure, MAX_BLOCK_SIZE};
use crate::coprocessors::CoprocessorChoice;
use crate::parse_size;

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
    canopy::fs::write_atomic(&args.vk_out, &bytes)
        .with_context(|| format!("cannot write {}", args.vk_out.display()))
        .map_err(Failure::load)?;
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
