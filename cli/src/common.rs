//! What the commands share: the failure type and its exit codes, reading files, loading
//! programs and parameters, the coprocessor set, rejections and the report of a verified
//! statement.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use canopy::{CoprocessorSet, Params, Program, Statement, VerifyError};

use crate::coprocessors::CoprocessorChoice;
use crate::params::{cache_dir, load_or_setup};
use crate::{EXIT_LOAD_ERROR, EXIT_REJECTED};

/// Largest block size the CLI accepts (a bound on the setup a forged proof file can trigger
/// in `canopy verify`; K = 1024 is already ≈11M constraints per step).
pub(crate) const MAX_BLOCK_SIZE: usize = 1024;

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
        let mut v = statement_json(statement);
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
