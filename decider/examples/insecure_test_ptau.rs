//! Writes an **insecure** powers-of-tau file (τ is drawn here and could be kept) for trying
//! `canopy --ptau` and for benchmarks. Never use its proofs for anything: whoever knows τ can
//! forge them. Real deployments use the file of a public ceremony.
//!
//! `cargo run -p canopy-decider --features insecure-test-srs --example insecure_test_ptau -- POWER FILE`

use rand_core::OsRng;
use std::io::{BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: insecure_test_ptau POWER FILE   (2^POWER G1 powers)".into());
    }
    let power: u32 = args[1].parse()?;
    if !(1..=24).contains(&power) {
        return Err("POWER must be between 1 and 24".into());
    }
    let file = std::fs::File::create(&args[2])?;
    let mut w = BufWriter::new(file);
    canopy_decider::kzg::write_insecure_test_ptau(&mut w, power, OsRng)?;
    w.flush()?;
    eprintln!(
        "wrote {} (2^{power} G1 powers; INSECURE: for tests only)",
        args[2]
    );
    Ok(())
}
