//! Benchmarks of the non-uniform folding engine, all in one process:
//! * setup, parameter save / load;
//! * `prove_step` for step circuits of ~10, ~1,000 and ~30,000 constraints (m = 3), against
//!   `nova_snark::nova::RecursiveSNARK::prove_step` on a uniform circuit of the same size
//!   (same engines: Bn256EngineIPA / GrumpkinEngine), and the ratio;
//! * `verify`;
//! * constraint counts of F'_j and S' for m = 1, 2, 4, 8, 16 beside Nova's 9,986 / 10,538.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-folding cargo bench -p canopy-folding --bench folding`.

use canopy_folding::{Accumulator, PublicParams, StepCircuit, E1, E2, F1};
use criterion::Criterion;
use nova_snark::{
    frontend::{num::AllocatedNum, shape_cs::ShapeCS, ConstraintSystem, SynthesisError},
    nova::{PublicParams as NovaPP, RecursiveSNARK},
    traits::{circuit::StepCircuit as NovaStep, snark::default_ck_hint},
};
use std::time::{Duration, Instant};

/// x ← x^(2^n) + c; the second state element is the pc of the next step (kept constant).
#[derive(Clone, Debug)]
struct BenchSq {
    squarings: usize,
    add: u64,
}

impl BenchSq {
    fn body<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        x: &AllocatedNum<F1>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let mut y = x.clone();
        for k in 0..self.squarings {
            y = y.square(cs.namespace(|| format!("sq {k}")))?;
        }
        let add = F1::from(self.add);
        let out = AllocatedNum::alloc(cs.namespace(|| "out"), || {
            y.get_value()
                .map(|v| v + add)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "out = y + c",
            |lc| lc + y.get_variable() + (add, CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + out.get_variable(),
        );
        Ok(out)
    }
}

impl StepCircuit<F1> for BenchSq {
    fn arity(&self) -> usize {
        2
    }
    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let x = self.body(cs, &z[0])?;
        Ok((z[1].clone(), vec![x, z[1].clone()]))
    }
}

impl NovaStep<F1> for BenchSq {
    fn arity(&self) -> usize {
        2
    }
    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<F1>],
    ) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
        let x = self.body(cs, &z[0])?;
        Ok(vec![x, z[1].clone()])
    }
}

const SIZES: [(&str, usize); 3] = [("small", 10), ("medium", 1_000), ("large", 30_000)];

fn circuits() -> Vec<BenchSq> {
    SIZES
        .iter()
        .enumerate()
        .map(|(j, (_, n))| BenchSq {
            squarings: *n,
            add: j as u64 + 1,
        })
        .collect()
}

fn step_constraints(c: &BenchSq) -> usize {
    let mut cs = ShapeCS::<E1>::new();
    let x = AllocatedNum::alloc(cs.namespace(|| "x"), || Ok(F1::from(2u64))).expect("alloc");
    c.body(&mut cs, &x).expect("synthesize");
    cs.num_constraints()
}

fn time_steps(steps: usize, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..steps {
        f();
    }
    t.elapsed() / steps as u32
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

type Nova = RecursiveSNARK<E1, E2, BenchSq>;

fn nova_setup(c: &BenchSq) -> (NovaPP<E1, E2, BenchSq>, Nova) {
    let pp = NovaPP::<E1, E2, BenchSq>::setup(c, &*default_ck_hint(), &*default_ck_hint())
        .expect("nova setup");
    let z0 = [F1::from(2u64), F1::from(0u64)];
    let mut rs = Nova::new(&pp, c, &z0).expect("nova new");
    rs.prove_step(&pp, c).expect("nova first step");
    (pp, rs)
}

fn report() {
    println!("== constraint counts (F_j = 1 squaring; Nova augmented: 9,986 primary / 10,538 secondary) ==");
    for m in [1usize, 2, 4, 8, 16] {
        let cs: Vec<BenchSq> = (0..m)
            .map(|j| BenchSq {
                squarings: 1,
                add: j as u64,
            })
            .collect();
        let s = PublicParams::augmented_sizes(&cs).expect("sizes");
        println!(
            "m = {m:2}: F'_j = {} (wrapper {} + |F_j| 2), S' = {}",
            s.primary[0].0,
            s.primary[0].0 - 2,
            s.secondary.0
        );
    }

    let c = circuits();
    let t = Instant::now();
    let pp = PublicParams::setup(&c).expect("setup");
    let setup = t.elapsed();
    let path = std::env::temp_dir().join(format!("canopy-folding-bench-{}.pp", std::process::id()));
    let t = Instant::now();
    pp.save(&path).expect("save");
    let save = t.elapsed();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let loaded = PublicParams::load(&path).expect("load");
    let load = t.elapsed();
    let raw = std::fs::read(&path).expect("read");
    let t = Instant::now();
    let decoded: (PublicParams, usize) =
        bincode::serde::decode_from_slice(&raw, bincode::config::standard()).expect("decode");
    let decode = t.elapsed();
    drop(decoded);
    let _ = std::fs::remove_file(&path);
    assert_eq!(loaded.digest(), pp.digest());
    println!("== setup (m = 3, F sizes 10 / 1,000 / 30,000) ==");
    println!(
        "setup {setup:.2?}; save {save:.2?} ({:.1} MB); load {load:.2?} (bincode decoding alone {decode:.2?}; the rest is the digest check)",
        bytes as f64 / 1e6
    );
    let sizes = pp.sizes();
    println!(
        "== prove_step per circuit (median of interleaved runs), against Nova on a uniform circuit of the same F =="
    );
    for (j, (name, _)) in SIZES.iter().enumerate() {
        let f = step_constraints(&c[j]);
        let mut acc = Accumulator::new(
            &pp,
            &c,
            F1::from(j as u64),
            vec![F1::from(2u64), F1::from(j as u64)],
        )
        .expect("new");
        acc.prove_step(&pp, &c).expect("warm-up");
        let (npp, mut rs) = nova_setup(&c[j]);
        // interleave the two provers so that both see the same machine load; take medians
        let rounds = if j == 2 { 5 } else { 9 };
        let (mut ts_ours, mut ts_nova) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ts_ours.push(time_steps(1, || acc.prove_step(&pp, &c).expect("step")));
            ts_nova.push(time_steps(1, || {
                rs.prove_step(&npp, &c[j]).expect("nova step")
            }));
        }
        let (ours, nova) = (median(ts_ours), median(ts_nova));
        let t = Instant::now();
        acc.verify(&pp).expect("verify");
        let verify = t.elapsed();
        println!(
            "{name:6} |F| = {f:6}: ours {ours:9.2?} (F'_j {} + S' {} constraints) | Nova {nova:9.2?} ({} + 10,538) | ratio {:.2} | our verify {verify:.2?}",
            sizes.primary[j].0,
            sizes.secondary.0,
            9_986 + f - 2,
            ours.as_secs_f64() / nova.as_secs_f64()
        );
    }
}

fn bench(c: &mut Criterion) {
    let cs = circuits();
    let pp = PublicParams::setup(&cs).expect("setup");
    let mut g = c.benchmark_group("prove_step");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(5));
    for (j, (name, _)) in SIZES.iter().enumerate() {
        let mut acc = Accumulator::new(
            &pp,
            &cs,
            F1::from(j as u64),
            vec![F1::from(2u64), F1::from(j as u64)],
        )
        .expect("new");
        g.bench_function(format!("canopy/{name}"), |b| {
            b.iter(|| acc.prove_step(&pp, &cs).expect("step"))
        });
        let (npp, mut rs) = nova_setup(&cs[j]);
        g.bench_function(format!("nova/{name}"), |b| {
            b.iter(|| rs.prove_step(&npp, &cs[j]).expect("step"))
        });
    }
    g.finish();
}

fn main() {
    report();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
