//! Decider benchmark (issue 7): decider key setup, decider (compression) time, compact proof
//! size, verifier-key size and read time, and verification time, for a one-leaf proof (the
//! sequential chain) and for a merged tree root, both of `fib(N)` at K.
//!
//! ```sh
//! cargo bench -p canopy --bench compact -- 4 5 17      # K = 4, fib(5), tree with 17 steps per leaf
//! bash bench/decider.sh                                # the same, saved in bench/results/decider.md
//! ```
//!
//! Every figure is one sample (the decider takes tens of seconds); the script runs it once
//! and records the machine load beside it.

mod util;

use std::time::Instant;

use canopy::decider::VerifierKey;
use canopy::{
    decider_key, verify_compact, CompactProofFile, CoprocessorSet, Inputs, Prover, TreeOptions,
};

fn run(k: usize, n: &str, leaf_steps: u64) -> Result<(), String> {
    let (params, setup, cached) = util::params(k, "", CoprocessorSet::new())?;
    eprintln!(
        "compact bench: parameters for K = {k} {} in {:.1} s",
        if cached { "loaded" } else { "set up" },
        setup.as_secs_f64()
    );
    let program = util::guest("examples/fib.elf")?;
    let inputs = Inputs::public(n.as_bytes().to_vec());

    let t = Instant::now();
    let dk = decider_key(&params).map_err(|e| e.to_string())?;
    let dk_setup = t.elapsed();
    let vk_bytes = dk.verifier_key().to_bytes().map_err(|e| e.to_string())?;
    let t = Instant::now();
    let _read: VerifierKey = VerifierKey::from_bytes(&vk_bytes).map_err(|e| e.to_string())?;
    let vk_read = t.elapsed();
    println!(
        "Decider key setup {:.1} s; verifier key {} B, read (`VerifierKey::from_bytes`, regenerates the commitment generators) in {:.1} s; load {}.\n",
        dk_setup.as_secs_f64(),
        vk_bytes.len(),
        vk_read.as_secs_f64(),
        util::load()
    );
    println!("| K | run | proof | fold steps | folding proof (witness-carrying) | folding proof file | decider (compress) | compact file | of which SNARK | verify_compact: first with a freshly read key / again (median of 3) | load |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (what, tree) in [
        ("one leaf (sequential chain)", None),
        (
            "tree root",
            Some(TreeOptions {
                leaf_steps,
                threads: 1,
                checkpoint: None,
                resume: false,
            }),
        ),
    ] {
        let mut prover = Prover::new(&params);
        let label = match tree {
            Some(t) => {
                let l = t.leaf_steps;
                prover = prover.with_tree(t);
                format!("{what}, {l} steps per leaf")
            }
            None => what.to_string(),
        };
        let t = Instant::now();
        let proof = prover.prove(&program, &inputs).map_err(|e| e.to_string())?;
        let prove = t.elapsed();
        let full = proof.to_bytes().map_err(|e| e.to_string())?.len();
        let t = Instant::now();
        let file = proof.compress(&params, &dk).map_err(|e| e.to_string())?;
        let compress = t.elapsed();
        let bytes = file.to_bytes().map_err(|e| e.to_string())?;
        let back = CompactProofFile::from_bytes(&bytes).map_err(|e| e.to_string())?;
        // A freshly read key: its SNARK verifier keys' digests are computed on first use, so
        // the first verification pays for hashing the keys; the next ones do not.
        let fresh: VerifierKey = VerifierKey::from_bytes(&vk_bytes).map_err(|e| e.to_string())?;
        let mut verify = Vec::new();
        for _ in 0..4 {
            let t = Instant::now();
            verify_compact(&back, &program, n.as_bytes(), &fresh).map_err(|e| e.to_string())?;
            verify.push(t.elapsed().as_secs_f64());
        }
        let first = verify[0];
        let mut again = verify[1..].to_vec();
        again.sort_by(f64::total_cmp);
        println!(
            "| {k} | fib({n}) | {label} | {} | {:.1} s | {full} B | {:.1} s | {} B | {} B | {first:.2} s / {:.2} s | {} |",
            proof.statement.fold_steps,
            prove.as_secs_f64(),
            compress.as_secs_f64(),
            bytes.len(),
            back.snark.len(),
            again[1],
            util::load()
        );
    }
    println!(
        "\nPeak RSS of the process: {:.0} MiB.",
        util::peak_rss_mib()
    );
    Ok(())
}

fn main() {
    let args = util::args();
    let res = (|| -> Result<(), String> {
        let k = util::arg(&args, 0, 4usize)?;
        let n = args.get(1).cloned().unwrap_or_else(|| "5".into());
        let l = util::arg(&args, 2, 17u64)?;
        if l == 0 {
            return Err("steps per leaf must be at least 1".into());
        }
        run(k, &n, l)
    })();
    if let Err(e) = res {
        eprintln!("compact bench: {e}");
        std::process::exit(1);
    }
}
