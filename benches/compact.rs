//! Decider benchmark: decider key setup, decider (compression) time, compact proof
//! size, verifier-key file size and derivation time, and verification time, for a one-leaf proof (the
//! sequential chain) and for merged tree roots of about L leaves for each L of a list, all of
//! `fib(N)` at K.
//!
//! ```sh
//! cargo bench -p canopy --bench compact -- 16 70 4,16,64      # K = 16, fib(70), roots of ≥ 4, 16, 64 leaves
//! cargo bench -p canopy --bench compact -- 16 70 4,16,64 FILE # the same over HyperKZG, FILE a .ptau
//! bash bench/decider.sh                                       # both, saved in bench/results/decider.md
//! ```
//!
//! A root "of L leaves" uses `⌊steps / L⌋` fold steps per leaf (at least 1), so it has at least L
//! leaves; the table gives the number it had.
//!
//! With a powers-of-tau file the parameters are set up from it every time (not cached).
//!
//! Every figure is one sample (the decider takes tens of seconds); the script runs it once
//! and records the machine load beside it.

mod util;

use std::time::Instant;

use std::path::Path;

use canopy::{
    decider_key, verify_compact, CompactProofFile, CoprocessorSet, Inputs, Params, Prover,
    TreeOptions, VerifierKeyFile,
};

fn run(k: usize, n: &str, leaves: &[u64], ptau: Option<&Path>) -> Result<(), String> {
    let (params, setup, cached) = match ptau {
        None => util::params(k, CoprocessorSet::new())?,
        Some(f) => {
            let t = Instant::now();
            let p = Params::setup_with_ptau(k, util::MEMORY, CoprocessorSet::new(), f)
                .map_err(|e| e.to_string())?;
            (p, t.elapsed(), false)
        }
    };
    println!(
        "Scheme: {} ({}).\n",
        VerifierKeyFile::of(&params).scheme,
        if ptau.is_some() {
            "BN254 generators from a powers-of-tau file"
        } else {
            "transparent generators"
        }
    );
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
    let full_vk = dk.verifier_key_bytes().map_err(|e| e.to_string())?.len();
    let vk_bytes = VerifierKeyFile::of(&params)
        .to_bytes()
        .map_err(|e| e.to_string())?;
    // what `canopy verify --vk` does once it has the parameters: read the recipe, check the
    // parameters against it, run the decider's key setup
    let derive = || -> Result<_, String> {
        VerifierKeyFile::from_bytes(&vk_bytes)
            .map_err(|e| e.to_string())?
            .derive(&params)
            .map_err(|e| e.to_string())
    };
    let t = Instant::now();
    drop(derive()?);
    let vk_derive = t.elapsed();
    println!(
        "Parameters {} in {:.1} s; decider key setup {:.1} s; verifier-key file (`canopy setup --vk-out`, a recipe) {} B, key derived from it and the parameters in {:.1} s (the decider's own full key would be {full_vk} B); load {}.\n",
        if cached { "loaded" } else { "set up" },
        setup.as_secs_f64(),
        dk_setup.as_secs_f64(),
        vk_bytes.len(),
        vk_derive.as_secs_f64(),
        util::load()
    );
    println!("| K | run | proof | fold steps | folding proof (witness-carrying) | folding proof file | decider (compress) | compact file | of which SNARK | verify_compact: first with a freshly derived key / again (median of 3) | load |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut steps = 0u64;
    for want in std::iter::once(None).chain(leaves.iter().copied().map(Some)) {
        let mut prover = Prover::new(&params);
        let label = match want {
            Some(l) => {
                let leaf_steps = (steps / l).max(1);
                prover = prover.with_tree(TreeOptions {
                    leaf_steps,
                    threads: 1,
                    checkpoint: None,
                    resume: false,
                });
                format!(
                    "tree root of {} leaves ({leaf_steps} steps per leaf)",
                    steps.div_ceil(leaf_steps)
                )
            }
            None => "one leaf (sequential chain)".to_string(),
        };
        let t = Instant::now();
        let proof = prover.prove(&program, &inputs).map_err(|e| e.to_string())?;
        let prove = t.elapsed();
        steps = proof.statement.fold_steps;
        let full = proof.to_bytes().map_err(|e| e.to_string())?.len();
        let t = Instant::now();
        let file = proof.compress(&params, &dk).map_err(|e| e.to_string())?;
        let compress = t.elapsed();
        let bytes = file.to_bytes().map_err(|e| e.to_string())?;
        let back = CompactProofFile::from_bytes(&bytes).map_err(|e| e.to_string())?;
        // A freshly derived key (its SNARK keys' digests are computed during the derivation).
        let fresh = derive()?;
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
        let leaves = args
            .get(2)
            .map(|s| s.as_str())
            .unwrap_or("4")
            .split(',')
            .map(|x| match x.trim().parse::<u64>() {
                Ok(l) if l >= 1 => Ok(l),
                _ => Err(format!("leaf counts: {x:?} is not a number ≥ 1")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ptau = args.get(3).map(std::path::PathBuf::from);
        run(k, &n, &leaves, ptau.as_deref())
    })();
    if let Err(e) = res {
        eprintln!("compact bench: {e}");
        std::process::exit(1);
    }
}
