//! Coprocessor benchmark: SHA-256 with the built-in coprocessor against the
//! software `sha256` guest, and the cost per fold step of registered but uncalled
//! coprocessors (the non-uniform promise).
//!
//! ```sh
//! cargo bench -p canopy --bench copro -- counts                 # instructions / calls, 1 KiB and 64 KiB, native
//! cargo bench -p canopy --bench copro -- steps 16 64            # prove sha256_copro on 64 bytes at K = 16: time per CPU / SHA-256 step, projections
//! cargo bench -p canopy --bench copro -- uniform 4 5            # fib(5) at K = 4: none registered vs five registered
//! bash bench/copro.sh                                           # all three (bench/results/copro.md)
//! ```
//!
//! `steps K LEN` proves `guest/copro/sha256_copro.elf` (built-ins registered) on LEN bytes and
//! times every fold step through the progress callback; a step that retires no instruction is
//! a coprocessor step (the SHA-256 compression circuit), the others are CPU blocks. It then
//! projects the proving time of 1 KiB and 64 KiB for both guests from the instruction and call
//! counts of a native run: CPU steps ≈ ⌈instructions / K⌉ + calls (a call ends its block),
//! coprocessor steps = calls. Projected figures are labelled as such.
//!
//! `uniform K N` proves `fib(N)` with no coprocessor registered and with five registered
//! (the three built-ins and two toy coprocessors defined here), none called, and compares
//! the median time per fold step (each run is repeated REPS times, alternating, default 1).

mod util;

use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy::circuit::coprocessor::{
    u32_bits, Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy::vm::error::CoprocessorError;
use canopy::vm::{Coprocessor, GuestMemory};
use canopy::{CoprocessorSet, Inputs, Params, ProvableCoprocessor, Prover};
use canopy_coprocessors::{ModMul256, PoseidonHash, Sha256Compress, SHA256_ID};
use canopy_folding::F1;
use ff::PrimeField;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use util::median;

/// Input sizes of the SHA-256 comparison (1 KiB and 64 KiB).
const SIZES: [usize; 2] = [1024, 65536];

/// A toy user coprocessor: `[rs1] ← (a·[rs1] + b) mod 2^32`, status = the carry-out.
struct Affine {
    a: u32,
    b: u32,
    funct3: u8,
}

impl Coprocessor for Affine {
    fn id(&self) -> u32 {
        0xbe00 + self.funct3 as u32
    }
    fn name(&self) -> &str {
        if self.funct3 == 0 {
            "bench-affine-0"
        } else {
            "bench-affine-1"
        }
    }
    fn funct(&self) -> (u8, u8) {
        (6, self.funct3)
    }
    fn execute(
        &self,
        rs1: u32,
        _rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let y = self.a as u64 * memory.read_word(rs1)? as u64 + self.b as u64;
        memory.write_word(rs1, y as u32)?;
        Ok((y >> 32) as u32)
    }
}

impl CoprocessorCircuit for Affine {
    fn name(&self) -> &str {
        Coprocessor::name(self)
    }
    fn funct(&self) -> (u8, u8) {
        Coprocessor::funct(self)
    }
    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: 1,
        }]
    }
    fn outputs(&self) -> Vec<Region> {
        self.inputs()
    }
    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        let x = &inputs
            .first()
            .ok_or(SynthesisError::AssignmentMissing)?
            .value;
        let y = x.get_value().map(|v| {
            let r = v.to_repr();
            let lo = u64::from_le_bytes(r.as_ref()[..8].try_into().unwrap_or([0; 8]));
            self.a as u64 * lo + self.b as u64
        });
        let out = AllocatedNum::alloc(cs.namespace(|| "out"), || {
            y.map(|y| F1::from(y & 0xffff_ffff))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let hi = AllocatedNum::alloc(cs.namespace(|| "hi"), || {
            y.map(|y| F1::from(y >> 32))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        u32_bits(cs.namespace(|| "hi range"), &hi)?;
        cs.enforce(
            || "a·x + b = out + 2^32·hi",
            |lc| {
                lc + (F1::from(self.a as u64), x.get_variable())
                    + (F1::from(self.b as u64), DynCs::one())
            },
            |lc| lc + DynCs::one(),
            |lc| lc + out.get_variable() + (F1::from(1u64 << 32), hi.get_variable()),
        );
        Ok(CoprocessorOutput {
            words: vec![out],
            status: hi,
        })
    }
}

fn builtins() -> Result<CoprocessorSet, String> {
    let list: Vec<Arc<dyn ProvableCoprocessor>> = vec![
        Arc::new(Sha256Compress),
        Arc::new(PoseidonHash::new()),
        Arc::new(ModMul256),
    ];
    CoprocessorSet::of(list).map_err(|e| e.to_string())
}

fn five() -> Result<CoprocessorSet, String> {
    let mut s = builtins()?;
    for c in [
        Affine {
            a: 2,
            b: 0,
            funct3: 0,
        },
        Affine {
            a: 1,
            b: 1,
            funct3: 1,
        },
    ] {
        s.register(Arc::new(c)).map_err(|e| e.to_string())?;
    }
    Ok(s)
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + 7) as u8).collect()
}

/// SHA-256 blocks (= compression calls) for a message of `len` bytes.
fn blocks(len: usize) -> u64 {
    (len as u64 + 9).div_ceil(64)
}

/// (software instructions, coprocessor-guest instructions, bytes moved by input/output calls)
/// of native runs on `len` bytes. The CPU circuit spends one row per byte read or written, on
/// top of one row per instruction, so the bytes count like instructions in the step model.
fn counts_of(len: usize, set: &CoprocessorSet) -> Result<(u64, u64, u64), String> {
    let soft = util::guest("examples/sha256.elf")?;
    let copro = util::guest("copro/sha256_copro.elf")?;
    let inputs = Inputs::public(data(len));
    let max = u64::MAX / 2;
    let s = soft
        .execute(&inputs, max)
        .map_err(|e| format!("sha256.elf: {e}"))?;
    let c = copro
        .execute_with(&inputs, max, set)
        .map_err(|e| format!("sha256_copro.elf: {e}"))?;
    if s.public_output != c.public_output || s.exit_code != 0 {
        return Err("the two guests disagree".into());
    }
    Ok((
        s.instructions,
        c.instructions,
        (len + s.public_output.len()) as u64,
    ))
}

fn counts() -> Result<(), String> {
    let set = builtins()?;
    println!("| input | SHA-256 blocks (= coprocessor calls) | software sha256.elf instructions | per block | sha256_copro.elf instructions | per block | ratio |");
    println!("|---|---|---|---|---|---|---|");
    for len in SIZES {
        let (s, c, _) = counts_of(len, &set)?;
        let b = blocks(len);
        println!(
            "| {} KiB | {b} | {s} | {:.0} | {c} | {:.0} | {:.1}× |",
            len / 1024,
            s as f64 / b as f64,
            c as f64 / b as f64,
            s as f64 / c as f64
        );
    }
    Ok(())
}

fn human(s: f64) -> String {
    if s >= 86400.0 {
        format!("{:.1} days", s / 86400.0)
    } else if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s >= 120.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

fn steps(k: usize, len: usize) -> Result<(), String> {
    let set = builtins()?;
    let (params, setup, cached) = util::params(k, set.clone())?;
    eprintln!(
        "copro bench: parameters (K = {k}, 3 built-ins) {} in {:.1} s",
        if cached { "loaded" } else { "set up" },
        setup.as_secs_f64()
    );
    let program = util::guest("copro/sha256_copro.elf")?;
    let inputs = Inputs::public(data(len));
    let mut stamps: Vec<(Instant, Option<u32>)> = Vec::new();
    let start = Instant::now();
    let proof = Prover::new(&params)
        .prove_with_progress(&program, &inputs, |p| {
            stamps.push((Instant::now(), p.circuit))
        })
        .map_err(|e| e.to_string())?;
    let total = start.elapsed();
    canopy::verify(&proof, &program, &inputs.public, &params).map_err(|e| e.to_string())?;
    let (mut cpu, mut sha) = (Vec::new(), Vec::new());
    // Classified by the circuit each step ran (not by the instruction counter: a CPU block of
    // input/output rows retires no instruction either).
    let sha_index = set
        .describe()
        .iter()
        .position(|c| c.id == SHA256_ID)
        .ok_or("the built-ins lack SHA-256 compression")?
        + 1;
    for w in stamps.windows(2) {
        let d = w[1].0 - w[0].0;
        match w[1].1 {
            Some(0) => cpu.push(d),
            Some(j) if j as usize == sha_index => sha.push(d),
            other => return Err(format!("unexpected circuit {other:?} in a SHA-256 run")),
        }
    }
    let (n_cpu, n_sha) = (cpu.len() + 1, sha.len()); // + the base step (a CPU block)
    let (t_cpu, t_sha) = (median(cpu).as_secs_f64(), median(sha).as_secs_f64());
    let s = &proof.statement;
    println!("Measured: `sha256_copro.elf` on {len} bytes, K = {k}, proven and verified in one run (load {}):\n", util::load());
    println!("| K | input | instructions | fold steps | CPU steps | SHA-256 steps | CPU step (median) | SHA-256 step (median) | proving total | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {k} | {len} B | {} | {} | {n_cpu} | {n_sha} | {t_cpu:.2} s | {t_sha:.2} s | {:.1} s | {:.0} MiB |",
        s.instructions,
        s.fold_steps,
        total.as_secs_f64(),
        util::peak_rss_mib()
    );
    let (_, c_small, io_small) = counts_of(len, &set)?;
    let est = (c_small + io_small).div_ceil(k as u64) + blocks(len);
    println!(
        "\nStep-count model check on this run: ⌈({c_small} instructions + {io_small} input/output \
         bytes, one row each)/{k}⌉ + {} calls (a call ends its block) = {est} CPU steps \
         predicted, {n_cpu} measured.\n",
        blocks(len)
    );
    println!("Projected (**not measured**): steps from the native instruction, input/output byte and call counts (the model above), × the median step times above.\n");
    println!("| input | guest | instructions | I/O bytes | CPU steps | SHA-256 steps | projected proving time | ratio software / coprocessor |");
    println!("|---|---|---|---|---|---|---|---|");
    for len in SIZES {
        let (s_instr, c_instr, io) = counts_of(len, &set)?;
        let b = blocks(len);
        let soft_steps = (s_instr + io).div_ceil(k as u64);
        let copro_cpu = (c_instr + io).div_ceil(k as u64) + b;
        let soft_t = soft_steps as f64 * t_cpu;
        let copro_t = copro_cpu as f64 * t_cpu + b as f64 * t_sha;
        println!(
            "| {} KiB | sha256.elf (software) | {s_instr} | {io} | {soft_steps} | 0 | {} | |",
            len / 1024,
            human(soft_t)
        );
        println!(
            "| {} KiB | sha256_copro.elf | {c_instr} | {io} | {copro_cpu} | {b} | {} | {:.0}× |",
            len / 1024,
            human(copro_t),
            soft_t / copro_t
        );
    }
    println!("\n(The software guest would be proven under parameters without coprocessors, whose CPU step is slightly cheaper: see `uniform`.)");
    Ok(())
}

fn fold_step_times(params: &Params, n: &str) -> Result<(Vec<Duration>, u64), String> {
    let program = util::guest("examples/fib.elf")?;
    let mut stamps = Vec::new();
    let proof = Prover::new(params)
        .prove_with_progress(&program, &Inputs::public(n.as_bytes().to_vec()), |_| {
            stamps.push(Instant::now())
        })
        .map_err(|e| e.to_string())?;
    Ok((
        stamps.windows(2).map(|w| w[1] - w[0]).collect(),
        proof.statement.fold_steps,
    ))
}

fn uniform(k: usize, n: &str, reps: usize) -> Result<(), String> {
    let (none, ..) = util::params(k, CoprocessorSet::new())?;
    let (with5, ..) = util::params(k, five()?)?;
    let sizes = |p: &Params| {
        let s = p.folding().sizes();
        (s.primary[0].0, s.secondary.0)
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut fs = 0;
    for _ in 0..reps.max(1) {
        let (t, f) = fold_step_times(&none, n)?;
        a.extend(t);
        let (t, _) = fold_step_times(&with5, n)?;
        b.extend(t);
        fs = f;
    }
    let (ma, mb) = (median(a).as_secs_f64(), median(b).as_secs_f64());
    println!("| K | run | coprocessors registered (none called) | F'_0 constraints | S' constraints | fold step (median of {} steps) |", fs.saturating_sub(1) as usize * reps.max(1));
    println!("|---|---|---|---|---|---|");
    let (pa, sa) = sizes(&none);
    let (pb, sb) = sizes(&with5);
    println!("| {k} | fib({n}) | none | {pa} | {sa} | {ma:.3} s |");
    println!("| {k} | fib({n}) | five (SHA-256, Poseidon, modmul-256, 2 toy) | {pb} | {sb} | {mb:.3} s |");
    println!(
        "\nRatio five / none: {:.3}× time per step, {:.3}× F'_0 constraints (load {}).",
        mb / ma,
        pb as f64 / pa as f64,
        util::load()
    );
    Ok(())
}

fn main() {
    let args = util::args();
    let res = (|| -> Result<(), String> {
        match args.first().map(String::as_str) {
            Some("counts") | None => counts(),
            Some("steps") => steps(util::arg(&args, 1, 16usize)?, util::arg(&args, 2, 64usize)?),
            Some("uniform") => {
                let k = util::arg(&args, 1, 4usize)?;
                let n = args.get(2).cloned().unwrap_or_else(|| "5".into());
                uniform(k, &n, util::arg(&args, 3, 1usize)?)
            }
            Some(other) => Err(format!(
                "unknown mode {other}: use counts | steps K LEN | uniform K N [REPS]"
            )),
        }
    })();
    if let Err(e) = res {
        eprintln!("copro bench: {e}");
        std::process::exit(1);
    }
}
