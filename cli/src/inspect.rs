//! `canopy inspect`: print a proof file's statement without verifying it.

use std::path::PathBuf;

use anyhow::Context;
use canopy::{CompactProofFile, Proof};

use crate::common::{finish, read_file, statement_json, Failure};

/// Arguments of `canopy inspect`.
#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// A proof file of either kind (witness-carrying or compact). Nothing is verified.
    proof: PathBuf,
    /// Print the statement as JSON.
    #[arg(long)]
    json: bool,
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
