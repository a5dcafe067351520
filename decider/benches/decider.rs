//! Decider figures: prove time, verify time, proof size, verifier-key size and load time,
//! for a tiny two-circuit computation and (with `CANOPY_BENCH_LARGE=1`) one whose first
//! circuit has about 2^17 constraints.
//!
//! `CARGO_TARGET_DIR=/work/target-api cargo bench -p canopy-decider --bench decider`

use canopy_decider::{prove, verify, DeciderKey, Statement, VerifierKey};
use canopy_folding::{Accumulator, PublicParams, StepCircuit, F1};
use criterion::{criterion_main, Criterion};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};
use std::time::{Duration, Instant};

/// x ← x^3 + x + 5 (`extra` more squarings of x^2 on the side), pc ← `next_pc`.
#[derive(Clone)]
struct Toy {
    extra: usize,
    next_pc: u64,
    add: u64,
}

impl StepCircuit<F1> for Toy {
    fn arity(&self) -> usize {
        1
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let x = &z[0];
        let x2 = x.square(cs.namespace(|| "x2"))?;
        let x3 = x2.mul(cs.namespace(|| "x3"), x)?;
        let mut d = x2.clone();
        for k in 0..self.extra {
            d = d.square(cs.namespace(|| format!("extra {k}")))?;
        }
        let add = F1::from(self.add);
        let out = AllocatedNum::alloc(cs.namespace(|| "out"), || {
            Ok(x3.get_value().ok_or(SynthesisError::AssignmentMissing)?
                + x.get_value().ok_or(SynthesisError::AssignmentMissing)?
                + add)
        })?;
        cs.enforce(
            || "out",
            |lc| lc + x3.get_variable() + x.get_variable() + (add, CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + out.get_variable(),
        );
        let next = F1::from(self.next_pc);
        let pc_next = AllocatedNum::alloc(cs.namespace(|| "pc_next"), || Ok(next))?;
        cs.enforce(
            || "pc_next",
            |lc| lc + pc_next.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + (next, CS::one()),
        );
        Ok((pc_next, vec![out]))
    }
}

fn statement(acc: &Accumulator) -> Statement {
    let (pc0, z0) = acc.start();
    let (pc, z) = acc.state();
    Statement {
        num_steps: acc.num_steps(),
        pc0,
        z0: z0.to_vec(),
        pc,
        z: z.to_vec(),
    }
}

fn figures(c: &mut Criterion, name: &str, extra: usize) {
    let circuits = vec![
        Toy {
            extra,
            next_pc: 1,
            add: 5,
        },
        Toy {
            extra: 0,
            next_pc: 0,
            add: 7,
        },
    ];
    let t = Instant::now();
    let pp = PublicParams::setup(&circuits).expect("setup");
    let t_pp = t.elapsed();
    let t = Instant::now();
    let dk: DeciderKey = DeciderKey::setup(&pp).expect("decider setup");
    let t_dk = t.elapsed();
    let mut acc = Accumulator::new(&pp, &circuits, F1::from(0u64), vec![F1::from(2u64)]).unwrap();
    let t = Instant::now();
    for _ in 1..4 {
        acc.prove_step(&pp, &circuits).unwrap();
    }
    let t_step = t.elapsed() / 3;
    let t = Instant::now();
    let proof = prove(&pp, &dk, &acc).expect("prove");
    let t_prove = t.elapsed();
    let bytes = proof.to_bytes().unwrap();
    let vk = dk.verifier_key();
    let vk_bytes = vk.to_bytes().unwrap();
    let t = Instant::now();
    let vk2: VerifierKey = VerifierKey::from_bytes(&vk_bytes).unwrap();
    let t_vk = t.elapsed();
    let st = statement(&acc);
    verify(&vk2, &st, &proof).expect("verify");
    let shapes: Vec<String> = pp
        .primary_shapes()
        .iter()
        .chain([pp.primary_merge_shape()])
        .map(|s| format!("{}x{}", s.num_cons(), s.num_vars()))
        .collect();
    println!(
        "[{name}] primary shapes (cons x vars) {:?}, S' {}x{}, SM {}x{}",
        shapes,
        pp.secondary_shape().num_cons(),
        pp.secondary_shape().num_vars(),
        pp.secondary_merge_shape().num_cons(),
        pp.secondary_merge_shape().num_vars()
    );
    println!(
        "[{name}] folding setup {t_pp:?}, decider setup {t_dk:?}, prove_step {t_step:?}, \
         decider prove {t_prove:?}, proof {} B, vk file {} B (load {t_vk:?}), SNARKs for primary slots {:?}",
        bytes.len(),
        vk_bytes.len(),
        proof.proven_primary_slots()
    );
    let mut g = c.benchmark_group(format!("decider-{name}"));
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("verify", |b| b.iter(|| verify(&vk2, &st, &proof).unwrap()));
    g.finish();
}

fn bench(c: &mut Criterion) {
    figures(c, "tiny", 0);
    if std::env::var("CANOPY_BENCH_LARGE").is_ok() {
        figures(c, "2^17", 120_000);
    }
}

// criterion_group! defines a public function it cannot document.
#[allow(missing_docs)]
mod group {
    use super::bench;
    criterion::criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
