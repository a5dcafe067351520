//! PCD tree benchmark: merge circuit sizes beside the leaf step overhead, leaf and
//! merge times, verification time and proof size for trees of different leaf counts, the
//! speed-up of parallel leaves, and the wall-time model for R ranks.
//!
//! ```sh
//! cargo bench -p canopy --bench tree -- sizes 4                 # PM / SM vs the CPU step overhead at K = 4
//! cargo bench -p canopy --bench tree -- prove 4 5 4 1,2         # fib(5), K = 4, 4 steps per leaf, 1 then 2 threads
//! cargo bench -p canopy --bench tree -- prove 4 5 17,5,1 1      # trees of 4, 14 and 67 leaves: verify time and size
//! bash bench/tree.sh                                            # all of it, plus peak memory and MPI (bench/results/tree.md)
//! ```
//!
//! `prove K N L[,L..] T[,T..]` proves `guest/examples/fib.elf` on input N with
//! `canopy::Prover::with_tree` for every (L, T). With one thread the prover reports progress
//! after each leaf and the merges it triggers (leaf i, counted from 1, triggers
//! trailing_zeros(i) merges of the binary counter), so the interval before report i is
//! `leaf + trailing_zeros(i) · merge`: the leaf time is the median interval of odd i ≥ 3 and the
//! merge time the median of `(interval − leaf) / trailing_zeros(i)` over even i (the first and
//! the last, partial, leaf are left out). Not a criterion bench: a merge takes seconds, so one
//! sample per leaf/merge of a real proof is taken and medians reported.

mod util;

use std::time::{Duration, Instant};

use canopy::circuit::block::BlockCircuit;
use canopy::circuit::state::Z_LEN;
use canopy::{CoprocessorSet, Inputs, Prover, TreeOptions};
use canopy_folding::{PublicParams, StepCircuit, E1, F1};
use ff::Field;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::shape_cs::ShapeCS;
use nova_snark::frontend::ConstraintSystem;
use util::{median, peak_rss_mib};

/// Leaf step overhead of a trivial circuit (F' + S' with F of one constraint), from
/// `canopy-folding`'s merge_sizes_report (quoted there): the yardstick of the merge-cost aim
/// (PM + SM below 1.5× the step overhead).
const TOY_LEAF_OVERHEAD: usize = 23_903;

fn block_constraints(k: usize) -> Result<usize, String> {
    let bp =
        canopy::circuit::params::BlockParams::new(k, util::MEMORY).map_err(|e| e.to_string())?;
    let mut cs = ShapeCS::<E1>::new();
    let pc =
        AllocatedNum::alloc(cs.namespace(|| "pc"), || Ok(F1::ZERO)).map_err(|e| e.to_string())?;
    let z = (0..Z_LEN)
        .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(F1::ZERO)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    BlockCircuit::shape(&bp)
        .synthesize(&mut cs, &pc, &z)
        .map_err(|e| e.to_string())?;
    Ok(cs.num_constraints())
}

fn sizes(k: usize) -> Result<(), String> {
    let bp =
        canopy::circuit::params::BlockParams::new(k, util::MEMORY).map_err(|e| e.to_string())?;
    let f = block_constraints(k)?;
    let aug =
        PublicParams::augmented_sizes(&[BlockCircuit::shape(&bp)]).map_err(|e| e.to_string())?;
    let fp = aug.primary[0].0;
    let sp = aug.secondary.0;
    let overhead = fp - f + sp;
    let m = canopy_folding::params::merge_circuit_sizes(1, Z_LEN).map_err(|e| e.to_string())?;
    let (pm, sm) = (m.pm.0, m.sm.0);
    println!("| K | F (CPU block) | F' | S' | step overhead F'−F+S' | PM | SM | PM + SM | (PM+SM) / overhead | (PM+SM) / toy overhead {TOY_LEAF_OVERHEAD} |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {k} | {f} | {fp} | {sp} | {overhead} | {pm} | {sm} | {} | {:.2} | {:.2} |",
        pm + sm,
        (pm + sm) as f64 / overhead as f64,
        (pm + sm) as f64 / TOY_LEAF_OVERHEAD as f64
    );
    Ok(())
}

/// Leaf and merge time from the per-leaf progress intervals of a one-thread run.
fn regress(intervals: &[Duration], leaves: usize) -> Option<(Duration, Duration)> {
    // the last leaf may be partial; the first includes the start-up (a few ms)
    let full = leaves.saturating_sub(1).min(intervals.len());
    let odd: Vec<Duration> = (3..=full).step_by(2).map(|i| intervals[i - 1]).collect();
    let leaf = if odd.is_empty() {
        *intervals.first()?
    } else {
        median(odd)
    };
    let merges: Vec<Duration> = (2..=full)
        .step_by(2)
        .filter_map(|i| Some(intervals[i - 1].checked_sub(leaf)? / i.trailing_zeros()))
        .collect();
    if merges.is_empty() {
        return None;
    }
    Some((leaf, median(merges)))
}

/// Expected wall time for R ranks and `leaves` leaves (see the printed model).
fn model(leaf: f64, merge: f64, leaves: u64) {
    println!(
        "\nModel, {leaves} leaves of this size on R ranks (one core each): each rank proves \
         ⌈{leaves}/R⌉ leaves and merges them (⌈{leaves}/R⌉ − 1 merges), then ⌈log2 R⌉ rounds of \
         one merge each; T(R) = ⌈n/R⌉·leaf + (⌈n/R⌉ − 1 + ⌈log2 R⌉)·merge, with leaf = {leaf:.2} s \
         and merge = {merge:.2} s measured above. Ignored: sending accumulators between ranks \
         (MiBs each, once per round), the native pre-run every rank repeats, parameter loading."
    );
    println!("| ranks R | leaves per rank | merges on the critical path | expected wall time | speed-up |");
    println!("|---|---|---|---|---|");
    let t1 = leaves as f64 * leaf + (leaves - 1) as f64 * merge;
    let mut r = 1u64;
    while r <= 1024 {
        let per = leaves.div_ceil(r);
        let rounds = 64 - (r - 1).leading_zeros() as u64; // ⌈log2 r⌉
        let merges = per - 1 + rounds;
        let t = per as f64 * leaf + merges as f64 * merge;
        println!("| {r} | {per} | {merges} | {} | {:.1}× |", human(t), t1 / t);
        r *= 2;
    }
}

fn human(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s >= 120.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

fn prove(k: usize, n: &str, leaf_steps: &[u64], threads: &[usize]) -> Result<(), String> {
    let (params, setup, cached) = util::params(k, CoprocessorSet::new())?;
    eprintln!(
        "tree bench: parameters for K = {k} {} in {:.1} s",
        if cached { "loaded" } else { "set up" },
        setup.as_secs_f64()
    );
    let program = util::guest("examples/fib.elf")?;
    let inputs = Inputs::public(n.as_bytes().to_vec());
    println!("| K | run | fold steps | steps per leaf | leaves | threads | proving | leaf (median) | merge (median) | verify | proof file | peak RSS so far | load (1/5/15 min) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut for_model = None;
    for &l in leaf_steps {
        for &t in threads {
            let mut stamps = Vec::new();
            let start = Instant::now();
            let proof = Prover::new(&params)
                .with_tree(TreeOptions {
                    leaf_steps: l,
                    threads: t,
                    checkpoint: None,
                    resume: false,
                })
                .prove_with_progress(&program, &inputs, |_| stamps.push(Instant::now()))
                .map_err(|e| e.to_string())?;
            let total = start.elapsed();
            let fs = proof.statement.fold_steps;
            let leaves = fs.div_ceil(l);
            let mut prev = start;
            let intervals: Vec<Duration> = stamps
                .iter()
                .map(|s| {
                    let d = *s - prev;
                    prev = *s;
                    d
                })
                .collect();
            let lm = if t == 1 {
                regress(&intervals, leaves as usize)
            } else {
                None
            };
            let tv = Instant::now();
            canopy::verify(&proof, &program, n.as_bytes(), &params).map_err(|e| e.to_string())?;
            let verify = tv.elapsed();
            let bytes = proof.to_bytes().map_err(|e| e.to_string())?.len();
            let (leaf, merge) = match lm {
                Some((a, b)) => (
                    format!(
                        "{:.2} s ({:.2} s/step)",
                        a.as_secs_f64(),
                        a.as_secs_f64() / l as f64
                    ),
                    format!("{:.2} s", b.as_secs_f64()),
                ),
                None => ("–".into(), "–".into()),
            };
            println!(
                "| {k} | fib({n}) | {fs} | {l} | {leaves} | {t} | {:.1} s | {leaf} | {merge} | {:.2} s | {bytes} B | {:.0} MiB | {} |",
                total.as_secs_f64(),
                verify.as_secs_f64(),
                peak_rss_mib(),
                util::load()
            );
            if for_model.is_none() {
                for_model = lm.map(|(a, b)| (a.as_secs_f64(), b.as_secs_f64(), l));
            }
        }
    }
    if let Some((leaf, merge, l)) = for_model {
        model(leaf, merge, 1024);
        println!(
            "(leaves of {l} fold steps at K = {k}: 1,024 leaves = {} fold steps)",
            1024 * l
        );
    }
    Ok(())
}

fn main() {
    let args = util::args();
    let res = (|| -> Result<(), String> {
        match args.first().map(String::as_str) {
            Some("sizes") | None => {
                for k in util::list(&args, 1, &[4usize])? {
                    sizes(k)?;
                }
                Ok(())
            }
            Some("prove") => {
                let k = util::arg(&args, 1, 4usize)?;
                let n = args.get(2).cloned().unwrap_or_else(|| "5".into());
                let ls = util::list(&args, 3, &[4u64])?;
                let ts = util::list(&args, 4, &[1usize, 2])?;
                if ls.contains(&0) || ts.contains(&0) {
                    return Err("steps per leaf and threads must be at least 1".into());
                }
                prove(k, &n, &ls, &ts)
            }
            Some(other) => Err(format!(
                "unknown mode {other}: use sizes K[,K..] | prove K N L[,L..] T[,T..]"
            )),
        }
    })();
    if let Err(e) = res {
        eprintln!("tree bench: {e}");
        std::process::exit(1);
    }
}
