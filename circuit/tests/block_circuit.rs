//! Tests of the CPU block circuit (`canopy_circuit::block`): blocks built from the VM's
//! streaming trace satisfy the circuit and their outputs equal the native z; tampered
//! witnesses are rejected; constraint counts per block.

use canopy_circuit::block::{BlockCircuit, BlockWitness, BlockWitnessGen, StepWitness};
use canopy_circuit::memcheck::Challenges;
use canopy_circuit::params::BlockParams;
use canopy_circuit::state::{
    Z_CALL, Z_CALLED, Z_DONE, Z_HALTED, Z_LEN, Z_PRIV_EOF, Z_REG_HASH, Z_SUM,
};
use canopy_folding::{Accumulator, PublicParams, StepCircuit, F1};
use canopy_vm::{Program, Vm, VmConfig};
use ff::Field;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::shape_cs::ShapeCS;
use nova_snark::frontend::test_cs::TestConstraintSystem;
use nova_snark::frontend::ConstraintSystem;
use nova_snark::provider::Bn256EngineIPA as E;

const MIB16: u64 = 1 << 24;

fn example(name: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = format!("{}/../guest/examples", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(format!("{dir}/{name}.elf")).unwrap();
    let input = std::fs::read(format!("{dir}/{name}.in")).unwrap_or_default();
    (elf, input)
}

/// Moves the finished steps (all CPU blocks: these guests call no coprocessor) to `out`.
fn drain(gen: &mut BlockWitnessGen<'_>, out: &mut Vec<BlockWitness>) {
    while let Some(s) = gen.next_step() {
        match s {
            StepWitness::Block(b) => out.push(*b),
            StepWitness::Coprocessor(_) => panic!("unexpected coprocessor step"),
            // the audit steps after halt are tested in tests/memory_argument.rs
            StepWitness::Audit(_) => {}
        }
    }
}

/// All block witnesses of a guest's run (natively; cheap).
fn blocks(name: &str, params: &BlockParams) -> (Vec<BlockWitness>, Vec<F1>) {
    let (elf, input) = example(name);
    let program = Program::from_elf(&elf, MIB16).unwrap();
    let mut vm = Vm::new(&program, VmConfig::default()).unwrap();
    vm.set_public_input(input);
    let mut gen = BlockWitnessGen::new(
        params,
        &program,
        F1::from(12345u64),
        Some(Challenges::from_seed(1)),
    )
    .unwrap();
    let z0 = gen.z().to_vec();
    let mut out = Vec::new();
    for block in vm.trace(params.k()) {
        for rec in &block.unwrap().records {
            gen.push_record(rec).unwrap();
            drain(&mut gen, &mut out);
        }
    }
    gen.finish().unwrap();
    drain(&mut gen, &mut out);
    (out, z0)
}

/// Synthesizes one block on TestConstraintSystem; returns (satisfied, z_out values).
fn run_block(params: &BlockParams, w: &BlockWitness, z_in: &[F1]) -> (bool, Vec<F1>) {
    let mut cs = TestConstraintSystem::<F1>::new();
    let z: Vec<AllocatedNum<F1>> = z_in
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(*v)).unwrap())
        .collect();
    let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(F1::ZERO)).unwrap();
    let (phi_next, z_out) = BlockCircuit::new(params, w)
        .synthesize(&mut cs, &phi, &z)
        .unwrap();
    // φ' = 0, or the audit (index 1: no coprocessor) once halted
    let halted = z_out[Z_HALTED].get_value() == Some(F1::ONE);
    let expect = if halted {
        params.audit_index() as u64
    } else {
        0
    };
    assert_eq!(phi_next.get_value(), Some(F1::from(expect)));
    (
        cs.is_satisfied(),
        z_out.iter().map(|v| v.get_value().unwrap()).collect(),
    )
}

#[test]
fn hello_blocks_satisfy_the_circuit() {
    let params = BlockParams::new(2, MIB16).unwrap();
    let (bs, z0) = blocks("hello", &params);
    assert!(bs.len() > 3);
    assert_eq!(bs[0].z_in, z0);
    for pair in bs.windows(2) {
        assert_eq!(pair[0].z_out, pair[1].z_in, "blocks chain");
    }
    let last = bs.len() - 1;
    for i in [0, 1, last] {
        let (ok, z_out) = run_block(&params, &bs[i], &bs[i].z_in);
        assert!(ok, "block {i}");
        assert_eq!(z_out, bs[i].z_out, "block {i}: circuit z' equals native z'");
        assert_eq!(z_out.len(), Z_LEN);
    }
    // the last block halted (z[3] = halted) and scrubbed pc, reg_hash and the clock
    assert_eq!(bs[last].z_out[3], F1::ONE);
    assert_ne!(bs[last].z_out[..3], bs[last].z_in[..3]);
}

#[test]
fn tampered_block_witnesses_are_rejected() {
    let params = BlockParams::new(1, MIB16).unwrap();
    let (bs, _) = blocks("hello", &params);
    let w = &bs[1];
    assert!(run_block(&params, w, &w.z_in).0);
    // wrong incoming salt: the register hash does not open
    let mut bad = w.clone();
    bad.salt_in += F1::ONE;
    assert!(!run_block(&params, &bad, &w.z_in).0);
    // a wrong register hash in z
    let mut z = w.z_in.clone();
    z[Z_REG_HASH] += F1::ONE;
    assert!(!run_block(&params, w, &z).0);
    // a time-order gap that does not fit in 32 bits: its bits cannot represent it, so the
    // circuit reads at another time than the witness claims and its sum leaves the native one
    let mut bad = w.clone();
    bad.rows[0].data.read_time = bad.rows[0].data.time + 5;
    let (ok, z_out) = run_block(&params, &bad, &w.z_in);
    assert!(!ok || z_out[Z_SUM] != w.z_out[Z_SUM]);
    // (lies about memory values, tags and times are caught by the run's LogUp total:
    // tests/memory_argument.rs)
}

/// A halted block's output hides whether the guest read its private input to the end:
/// `priv_eof` is 0 in z' whatever it was, while a block that does not halt passes it through.
/// The mailbox's `called`, `done`, `call` are already 0 at halt (row B clears them).
#[test]
fn halted_blocks_zero_priv_eof() {
    let params = BlockParams::new(1, MIB16).unwrap();
    let (bs, _) = blocks("hello", &params);
    let last = bs.len() - 1;
    for i in [Z_PRIV_EOF, Z_CALLED, Z_DONE, Z_CALL] {
        assert_eq!(bs[last].z_out[i], F1::ZERO, "native z'[{i}] at halt");
    }
    // priv_eof = 1 on entry (a guest that read its private input to the end): the halted
    // block outputs 0, a running block keeps 1
    for (i, expect) in [(last, F1::ZERO), (1, F1::ONE)] {
        let mut w = bs[i].clone();
        for r in &mut w.rows {
            r.row.pre.priv_eof = true;
            r.row.post.priv_eof = true;
        }
        let mut z = w.z_in.clone();
        z[Z_PRIV_EOF] = F1::ONE;
        let (ok, z_out) = run_block(&params, &w, &z);
        assert!(ok, "block {i}");
        assert_eq!(z_out[Z_PRIV_EOF], expect, "block {i}");
    }
}

#[test]
fn block_constraint_counts() {
    let mut counts = Vec::new();
    for k in [1usize, 2] {
        let params = BlockParams::new(k, MIB16).unwrap();
        let mut cs = ShapeCS::<E>::new();
        let z: Vec<AllocatedNum<F1>> = (0..Z_LEN)
            .map(|i| {
                AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(F1::ZERO)).unwrap()
            })
            .collect();
        let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(F1::ZERO)).unwrap();
        BlockCircuit::shape(&params)
            .synthesize(&mut cs, &phi, &z)
            .unwrap();
        println!(
            "CPU block, K = {k}, 16 MiB: {} constraints",
            cs.num_constraints()
        );
        counts.push(cs.num_constraints());
    }
    // Pinned (regression): update block.rs's docs when these change.
    assert_eq!(counts, vec![4829, 5756]);
}

#[test]
fn hello_blocks_fold_through_canopy_folding() {
    let params = BlockParams::new(1, MIB16).unwrap();
    let (bs, z0) = blocks("hello", &params);
    let t = std::time::Instant::now();
    let pp = PublicParams::setup(&[BlockCircuit::shape(&params)]).unwrap();
    println!("setup (K = 1): {:.1} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut acc =
        Accumulator::new(&pp, &[BlockCircuit::new(&params, &bs[0])], F1::ZERO, z0).unwrap();
    for w in &bs[1..3] {
        acc.prove_step(&pp, &[BlockCircuit::new(&params, w)])
            .unwrap();
    }
    println!(
        "3 fold steps (K = 1): {:.1} s; the run has {} blocks",
        t.elapsed().as_secs_f64(),
        bs.len()
    );
    acc.verify(&pp).unwrap();
    assert_eq!(acc.state().1, &bs[2].z_out[..]);
}

#[test]
fn every_example_generates_chained_blocks_that_satisfy_the_circuit() {
    // At most this many instructions per guest (loop.elf runs far longer).
    const MAX_STEPS: usize = 3000;
    let params = BlockParams::new(4, MIB16).unwrap();
    for name in ["fib", "sha256", "sort", "loop"] {
        let t = std::time::Instant::now();
        let (elf, input) = example(name);
        let program = Program::from_elf(&elf, MIB16).unwrap();
        let mut vm = Vm::new(&program, VmConfig::default()).unwrap();
        vm.set_public_input(input);
        let mut gen = BlockWitnessGen::new(
            &params,
            &program,
            F1::from(7u64),
            Some(Challenges::from_seed(1)),
        )
        .unwrap();
        let z0 = gen.z().to_vec();
        let mut bs = Vec::new();
        let mut steps = 0;
        for block in vm.trace(params.k()) {
            for rec in &block.unwrap().records {
                gen.push_record(rec).unwrap();
                steps += 1;
                drain(&mut gen, &mut bs);
            }
            if steps >= MAX_STEPS {
                break;
            }
        }
        let halted = steps < MAX_STEPS;
        if halted {
            gen.finish().unwrap();
            drain(&mut gen, &mut bs);
        }
        println!(
            "{name}: {steps} instructions, {} blocks of K = 4 rows, witnesses in {:.2} s",
            bs.len(),
            t.elapsed().as_secs_f64()
        );
        assert_eq!(bs[0].z_in, z0);
        for pair in bs.windows(2) {
            assert_eq!(pair[0].z_out, pair[1].z_in, "{name}: blocks chain");
        }
        let last = bs.len() - 1;
        for i in [0, last / 2, last] {
            let (ok, z_out) = run_block(&params, &bs[i], &bs[i].z_in);
            assert!(ok, "{name}: block {i}");
            assert_eq!(z_out, bs[i].z_out, "{name}: block {i}");
        }
        if halted {
            assert_eq!(bs[last].z_out[3], F1::ONE, "{name} halted");
        }
    }
}
