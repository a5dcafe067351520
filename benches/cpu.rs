//! CPU circuit benchmark: constraints per instruction by unit and per fold step,
//! time per fold step, proven instructions per second and peak memory.
//!
//! ```sh
//! cargo bench -p canopy -p canopy-cli --bench cpu -- counts            # constraint tables (K = 1 … 128)
//! cargo bench -p canopy -p canopy-cli --bench cpu -- prove 16 [N]      # prove fib(N) (default 5) at K = 16
//! cargo bench -p canopy -p canopy-cli --bench cpu -- nova 88959        # nova-snark's IVC, same size (K = 64), same engines
//! cargo bench -p canopy -p canopy-cli --bench cpu -- load 16           # time of loading cached parameters, split
//! cargo bench -p canopy -p canopy-cli --bench cpu -- sizes 112 128     # F' sizes and the decider's padded size per K
//! bash bench/cpu.sh                                                    # both, one process per K
//! ```
//!
//! `prove K` sets up (or loads from `$CANOPY_BENCH_PARAMS`, default
//! `$CARGO_TARGET_TMPDIR/canopy-bench-params`) the parameters for K, proves `guest/examples/fib.elf` on
//! input N with [`canopy::Prover`], timestamps every fold step through the progress callback
//! and prints the median step time (the base step excluded), instructions per second over
//! the whole proof, the peak resident memory of the process (`VmHWM`) and, as a yardstick
//! of the machine's speed under its current load, the median time of one Pedersen MSM of
//! the primary witness's length over random scalars (the prover does about two per step:
//! the witness and the cross term). The circuit has one uniform row, so every instruction
//! costs the whole row whatever its class; `counts` lists what each unit contributes.
//! Not a criterion bench: a step takes a large fraction of a second and a setup tens of seconds, so the
//! bench takes one sample per step of a real proof and reports medians.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use canopy::circuit::block::BlockCircuit;
use canopy::circuit::params::BlockParams;
use canopy::circuit::state::Z_LEN;
use canopy::circuit::step::CanopyStep;
use canopy::{CacheEvent, Inputs, Params, ParamsCache, ParamsKey, Program, Prover};
use canopy_folding::{PublicParams, StepCircuit, E1, F1};
use ff::Field;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, Index, LinearCombination, SynthesisError, Variable};
use nova_snark::traits::commitment::CommitmentEngineTrait;
use nova_snark::traits::Engine;
use rand_core::OsRng;

const MEMORY: u64 = 16 << 20;

/// Counts constraints and variables per namespace path (truncated to a depth).
#[derive(Default)]
struct Counter {
    stack: Vec<String>,
    counts: BTreeMap<String, usize>,
    aux: usize,
    inputs: usize,
}

impl Counter {
    /// The unit a constraint belongs to: `block/...` for the block's own pieces,
    /// `row/<unit>` for the row circuit's units, `memory/<fetch|data>` and `row-glue`.
    fn key(&self) -> String {
        // stack: ["cpu block", "row 0", "row", "<unit>", ...] or ["cpu block", "open", ...]
        let s: Vec<&str> = self.stack.iter().map(String::as_str).collect();
        match s.as_slice() {
            [_, r, "row", unit, ..] if r.starts_with("row ") => format!("row/{unit}"),
            [_, r, "row"] if r.starts_with("row ") => "row/(top)".into(),
            [_, r, m, ..] if r.starts_with("row ") && (*m == "fetch" || *m == "data") => {
                format!("memory/{m}")
            }
            [_, r, ..] if r.starts_with("row ") => "row-glue (leaf tags, W check)".into(),
            [_, b, ..] => format!("block/{b}"),
            _ => "block/(top)".into(),
        }
    }
}

impl ConstraintSystem<F1> for Counter {
    type Root = Self;

    fn alloc<Fn_, A, AR>(&mut self, _: A, _: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.aux += 1;
        Ok(Variable::new_unchecked(Index::Aux(self.aux - 1)))
    }

    fn alloc_input<Fn_, A, AR>(&mut self, _: A, _: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.inputs += 1;
        Ok(Variable::new_unchecked(Index::Input(self.inputs)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, _: A, _: LA, _: LB, _: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LB: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LC: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
    {
        *self.counts.entry(self.key()).or_default() += 1;
    }

    fn push_namespace<NR, N>(&mut self, name: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        self.stack.push(name().into());
    }

    fn pop_namespace(&mut self) {
        self.stack.pop();
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

fn block_counts(k: usize) -> Result<Counter, String> {
    let bp = BlockParams::new(k, MEMORY).map_err(|e| e.to_string())?;
    let mut cs = Counter::default();
    let pc =
        AllocatedNum::alloc(cs.namespace(|| "pc"), || Ok(F1::ZERO)).map_err(|e| e.to_string())?;
    let z = (0..Z_LEN)
        .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(F1::ZERO)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    BlockCircuit::shape(&bp)
        .synthesize(&mut cs, &pc, &z)
        .map_err(|e| e.to_string())?;
    Ok(cs)
}

fn counts() -> Result<(), String> {
    let one = block_counts(1)?;
    let two = block_counts(2)?;
    let total = |c: &Counter| c.counts.values().sum::<usize>();
    let (t1, t2) = (total(&one), total(&two));
    let row = t2 - t1;
    println!("## Constraints per row (one instruction), 16 MiB memory");
    println!("| unit | constraints | share of the row |");
    println!("|---|---|---|");
    let mut cpu = 0;
    for (unit, n) in &one.counts {
        if unit.starts_with("block/") {
            continue;
        }
        if unit.starts_with("row") {
            cpu += n;
        }
        println!("| {unit} | {n} | {:.1}% |", 100.0 * *n as f64 / row as f64);
    }
    println!(
        "| **CPU logic (row/*, glue)** | **{cpu}** | {:.1}% |",
        100.0 * cpu as f64 / row as f64
    );
    println!("| **row total** (= K=2 − K=1 block) | **{row}** | 100% |");
    let block: usize = one
        .counts
        .iter()
        .filter(|(u, _)| u.starts_with("block/"))
        .map(|(_, n)| n)
        .sum();
    println!("\nPer block (not per row): {block} constraints (");
    for (unit, n) in one.counts.iter().filter(|(u, _)| u.starts_with("block/")) {
        println!("  {unit}: {n}");
    }
    println!(")\nBlock circuit F: K = 1: {t1}, K = 2: {t2}");

    println!(
        "\n## Constraints per fold step (augmented F' = F + folding wrapper; S' secondary; \
         the CPU, no coprocessor, and the memory argument's audit: m = 2 circuits)"
    );
    println!("| K | F (block) | F' CPU | F' audit (one page) | S' | vars F' CPU | F' CPU per instruction | (F' + S') per instruction |");
    println!("|---|---|---|---|---|---|---|---|");
    for k in [1usize, 4, 16, 32, 64, 128] {
        let bp = BlockParams::new(k, MEMORY).map_err(|e| e.to_string())?;
        let f = total(&block_counts(k)?);
        let s =
            PublicParams::augmented_sizes(&CanopyStep::shapes(&bp)).map_err(|e| e.to_string())?;
        let (pc, pv) = s.primary[0];
        let audit = s.primary[s.primary.len() - 1].0;
        println!(
            "| {k} | {f} | {pc} | {audit} | {} | {pv} | {} | {} |",
            s.secondary.0,
            pc / k,
            (pc + s.secondary.0) / k
        );
    }
    // what the per-block units (register hash, binding chain, clock, sum) cost at the default K
    let k = canopy::DEFAULT_BLOCK_SIZE;
    let big = block_counts(k)?;
    println!("\nPer-block units at K = {k} (whole block, then per instruction):");
    for (unit, n) in big.counts.iter().filter(|(u, _)| u.starts_with("block/")) {
        println!(
            "  {unit}: {n} ({:.1} per instruction)",
            *n as f64 / k as f64
        );
    }

    // option B of issue 18, projected: F' without the binding chain, S' with the gadgets
    // option B adds (counted, not built)
    let delta = option_b_secondary_delta(2)?;
    println!(
        "\n## Option A (built) against option B (commitment-carrying, projected: F' − block/chain, \
         S' + {delta} counted gadgets), per fold step, m = 2"
    );
    println!("| K | A: F' + S' | A per instruction | block/chain | B: F' + S' (projected) | B per instruction | B − A |");
    println!("|---|---|---|---|---|---|---|");
    for k in [16usize, 64, 112, 128] {
        let bp = BlockParams::new(k, MEMORY).map_err(|e| e.to_string())?;
        let s =
            PublicParams::augmented_sizes(&CanopyStep::shapes(&bp)).map_err(|e| e.to_string())?;
        let a = s.primary[0].0 + s.secondary.0;
        let chain = block_counts(k)?
            .counts
            .get("block/chain")
            .copied()
            .unwrap_or(0);
        let b = a - chain + delta;
        println!(
            "| {k} | {a} | {:.1} | {chain} | {b} | {:.1} | {:+} ({:+.2}%) |",
            a as f64 / k as f64,
            b as f64 / k as f64,
            b as i64 - a as i64,
            100.0 * (b as f64 - a as f64) / a as f64
        );
    }
    Ok(())
}

/// What option B of issue 18 (commitment-carrying folding, not built) would add to S' per
/// fold step, counted from the gadgets it would need, synthesized here: the strict instance's
/// second commitment C_ω (allocated, on the curve), its fold `U.C_ω + [r]u.C_ω` (a 128-bit
/// `scalar_mul` and an `add`), the three more elements that C_ω adds to each hash of a
/// relaxed instance (d(U[k]) and d(V)) and to the challenge r's transcript, the chain's
/// digest IC in g_in and g_out, and the chain step IC' = H(IC, C_ω).
fn option_b_secondary_delta(m: usize) -> Result<usize, String> {
    use canopy_folding::gadgets::hash::hash_full_gadget;
    use canopy_folding::gadgets::instance::{
        alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge,
    };
    use canopy_folding::{E2, F2};
    use nova_snark::frontend::{shape_cs::ShapeCS, AllocatedBit};
    let e = |e: SynthesisError| e.to_string();
    let consts = canopy_folding::hash::ro_constants2();
    // constraints of hashing n elements (tag included by the gadget)
    let hash = |n: usize| -> Result<usize, String> {
        let mut cs = ShapeCS::<E2>::new();
        let elems = (0..n)
            .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("e{i}")), || Ok(F2::ZERO)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(e)?;
        let before = cs.num_constraints();
        hash_full_gadget(cs.namespace(|| "h"), &consts, 1, &elems).map_err(e)?;
        Ok(cs.num_constraints() - before)
    };
    let grow = |n: usize, d: usize| -> Result<usize, String> { Ok(hash(n + d)? - hash(n)?) };
    let mut cs = ShapeCS::<E2>::new();
    let bits = (0..canopy_folding::CHALLENGE_BITS)
        .map(|i| AllocatedBit::alloc(cs.namespace(|| format!("r{i}")), Some(false)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(e)?;
    let r = Challenge::<F2>::from_bits(bits);
    let before = cs.num_constraints();
    let big = alloc_point::<E1, _>(cs.namespace(|| "U.C_w"), None, false).map_err(e)?;
    let small = alloc_point::<E1, _>(cs.namespace(|| "u.C_w"), None, true).map_err(e)?;
    let r_small = small
        .scalar_mul(cs.namespace(|| "r*u.C_w"), &r.bits)
        .map_err(e)?;
    big.add(cs.namespace(|| "U.C_w + r*u.C_w"), &r_small)
        .map_err(e)?;
    let fold = cs.num_constraints() - before;
    // element counts of today's S' hashes (folding/src/circuit/secondary.rs), from the
    // instance gadgets S' absorbs: d(U[k]) and d(V) hash a relaxed primary instance (2 IO
    // values); r absorbs pp, k, d_sel, the strict u and T (3); g absorbs pp, m + 1 digests and
    // a blind
    let relaxed = AllocatedRelaxed::<E1>::alloc(cs.namespace(|| "U"), None, 2)
        .and_then(|u| u.elems(cs.namespace(|| "U elems")))
        .map_err(e)?
        .len();
    let strict = AllocatedStrict::<E1>::alloc(cs.namespace(|| "u"), None, 2)
        .map_err(e)?
        .elems()
        .len();
    let r_elems = 3 + strict + 3;
    let g_elems = 2 + m + 1;
    Ok(fold + 2 * grow(relaxed, 3)? + grow(r_elems, 3)? + 2 * grow(g_elems, 1)? + hash(4)?)
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut v: Vec<Duration>) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[v.len() / 2]
}

fn params_cache() -> ParamsCache {
    ParamsCache::new(
        std::env::var_os("CANOPY_BENCH_PARAMS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-bench-params")
            }),
    )
}

fn params_for(k: usize) -> Result<(Params, Duration, bool), String> {
    let t = Instant::now();
    let mut cached = true;
    let p = params_cache()
        .load_or_setup_with(&ParamsKey::new(k, MEMORY), |e| {
            if matches!(e, CacheEvent::Generating { .. }) {
                cached = false;
            }
        })
        .map_err(|e| e.to_string())?;
    Ok((p, t.elapsed(), cached))
}

fn prove(k: usize, n: &str) -> Result<(), String> {
    let elf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/guest/examples/fib.elf"
    ))
    .map_err(|e| e.to_string())?;
    let program = Program::from_elf(&elf).map_err(|e| e.to_string())?;
    let (params, setup, cached) = params_for(k)?;
    let prover = Prover::new(&params);
    let inputs = Inputs::public(n.as_bytes().to_vec());
    let mut stamps = Vec::new();
    let start = Instant::now();
    let proof = prover
        .prove_with_progress(&program, &inputs, |_| stamps.push(Instant::now()))
        .map_err(|e| e.to_string())?;
    let total = start.elapsed();
    let steps: Vec<Duration> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
    let instr = proof.statement.instructions;
    let fs = proof.statement.fold_steps;
    let (prim, nvars) = params.folding().sizes().primary[0];
    // yardstick: a Pedersen MSM of the primary witness length over random scalars
    let ck = params.folding().ck_primary();
    let scalars: Vec<F1> = (0..nvars).map(|_| F1::random(OsRng)).collect();
    let msm: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = <E1 as Engine>::CE::commit(ck, &scalars, &F1::ZERO);
            t.elapsed()
        })
        .collect();
    println!(
        "| {k} | fib({n}) | {instr} | {fs} | {prim} | {:.2} s | {:.2} s | {:.1} | {:.2} s | {:.0} MiB | {} {:.1} s |",
        median(steps.clone()).as_secs_f64(),
        steps.iter().max().copied().unwrap_or_default().as_secs_f64(),
        instr as f64 / total.as_secs_f64(),
        median(msm).as_secs_f64(),
        vm_hwm_kib().unwrap_or(0) as f64 / 1024.0,
        if cached { "load" } else { "setup" },
        setup.as_secs_f64()
    );
    Ok(())
}

/// nova-snark's own IVC on a repeated-squaring step circuit (`x ← x²`, one constraint each),
/// the baseline Canopy's step time is compared with (BENCHMARKS.md, "CPU circuit"), with the
/// same engines as Canopy.
#[derive(Clone)]
struct Squares(usize);

impl nova_snark::traits::circuit::StepCircuit<F1> for Squares {
    fn arity(&self) -> usize {
        1
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<F1>],
    ) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
        let mut x = z
            .first()
            .cloned()
            .ok_or(SynthesisError::AssignmentMissing)?;
        for i in 0..self.0 {
            x = x.square(cs.namespace(|| format!("sq {i}")))?;
        }
        Ok(vec![x])
    }
}

fn nova(n: usize) -> Result<(), String> {
    use nova_snark::nova::{PublicParams as NovaPP, RecursiveSNARK};
    use nova_snark::traits::snark::default_ck_hint;
    type E2 = canopy_folding::E2;
    let c = Squares(n);
    let t = Instant::now();
    let pp = NovaPP::<E1, E2, Squares>::setup(&c, &*default_ck_hint(), &*default_ck_hint())
        .map_err(|e| e.to_string())?;
    let setup = t.elapsed();
    let z0 = [F1::from(3u64)];
    let mut rs = RecursiveSNARK::new(&pp, &c, &z0).map_err(|e| e.to_string())?;
    let mut steps = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        rs.prove_step(&pp, &c).map_err(|e| e.to_string())?;
        steps.push(t.elapsed());
    }
    steps.remove(0); // the first call only marks the base step as done
    println!(
        "| nova-snark squares({n}) | {} / {} | {:.2} s | {:.1} s |",
        pp.num_constraints().0,
        pp.num_constraints().1,
        median(steps).as_secs_f64(),
        setup.as_secs_f64()
    );
    Ok(())
}

/// Times loading cached parameters (`Params::from_bytes`, median of 3), split into the
/// folding engine's decoding of the parameters file (checksum, parallel decode) and the
/// rest (this build's circuit fingerprint, synthesized in parallel with the decoding).
fn load(k: usize) -> Result<(), String> {
    let (params, _, _) = params_for(k)?;
    let bytes = params.to_bytes().map_err(|e| e.to_string())?;
    drop(params);
    let mut all = Vec::new();
    let mut folding = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let p = Params::from_bytes(&bytes).map_err(|e| e.to_string())?;
        all.push(t.elapsed());
        drop(p);
        let t = Instant::now();
        let f = PublicParams::from_file_bytes(&bytes[28..]).map_err(|e| e.to_string())?;
        folding.push(t.elapsed());
        drop(f);
    }
    println!(
        "| {k} | {:.0} MiB | {:.2} s | {:.2} s |",
        bytes.len() as f64 / (1 << 20) as f64,
        median(all).as_secs_f64(),
        median(folding).as_secs_f64(),
    );
    Ok(())
}

fn main() {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let res = match args.first().map(String::as_str) {
        Some("counts") | None => counts(),
        Some("prove") => {
            let k = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(16);
            let n = args.get(2).cloned().unwrap_or_else(|| "5".into());
            println!("| K | run | instructions | fold steps | F' constraints | step (median) | step (max) | instr/s | MSM of |W| | peak RSS | params |");
            println!("|---|---|---|---|---|---|---|---|---|---|---|");
            prove(k, &n)
        }
        Some("sizes") => {
            println!("| K | F' CPU constraints | F' CPU variables | padded (decider) | per instruction |");
            println!("|---|---|---|---|---|");
            args[1..].iter().try_for_each(|a| {
                let k: usize = a.parse().map_err(|_| format!("not a block size: {a}"))?;
                let bp = BlockParams::new(k, MEMORY).map_err(|e| e.to_string())?;
                let s = PublicParams::augmented_sizes(&CanopyStep::shapes(&bp))
                    .map_err(|e| e.to_string())?;
                let (c, v) = s.primary[0];
                println!(
                    "| {k} | {c} | {v} | 2^{} | {:.0} |",
                    c.max(v).next_power_of_two().trailing_zeros(),
                    c as f64 / k as f64
                );
                Ok(())
            })
        }
        Some("load") => {
            let k = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(16);
            println!("| K | file | Params::from_bytes | PublicParams::from_file_bytes alone |");
            println!("|---|---|---|---|");
            load(k)
        }
        Some("nova") => {
            let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1 << 17);
            println!(
                "| circuit | primary / secondary constraints | prove_step (median of 6) | setup |"
            );
            println!("|---|---|---|---|");
            nova(n)
        }
        Some(other) => Err(format!(
            "unknown mode {other}: use counts | prove K [N] | nova N | load K | sizes K..."
        )),
    };
    if let Err(e) = res {
        eprintln!("cpu bench: {e}");
        std::process::exit(1);
    }
}
