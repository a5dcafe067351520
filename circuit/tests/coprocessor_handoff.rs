//! The `custom-0` mailbox hand-off (docs/cpu-circuit.md §4): a guest calls two test
//! coprocessors; the witness generator turns the trace into CPU blocks and coprocessor steps;
//! every step satisfies its circuit and chains; the run folds and verifies with
//! canopy-folding (m = 3 circuits); lies about a coprocessor's input, output or status, an
//! unregistered selector and a coprocessor step without a posted call are rejected.

mod common;

use std::sync::Arc;

use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::params::BlockParams;
use canopy_circuit::state::{Z_CALL, Z_CALLED, Z_DONE, Z_LEN, Z_SUM};
use canopy_circuit::step::CanopyStep;
use canopy_folding::{Accumulator, PublicParams, F1};
use canopy_vm::trace::StepEvent;
use canopy_vm::{StepRecord, Vm, VmConfig};
use common::{
    circuits, memory_closes, program, run_step_circuit, test_challenges, AddCarry, Not, MEM,
};
use ff::Field;

const K: usize = 2;

fn params() -> BlockParams {
    BlockParams::new(K, MEM)
        .unwrap()
        .with_coprocessors(circuits())
        .unwrap()
}

/// The run's trace records (the VM runs the native coprocessors).
fn records() -> (Vec<StepRecord>, u32) {
    let program = program();
    let mut vm = Vm::new(
        &program,
        VmConfig {
            memory_size: MEM,
            ..VmConfig::default()
        },
    )
    .unwrap();
    vm.register_coprocessor(Arc::new(AddCarry)).unwrap();
    vm.register_coprocessor(Arc::new(Not)).unwrap();
    let mut recs = Vec::new();
    for b in vm.trace(K) {
        recs.extend(b.unwrap().records);
    }
    (recs, vm.exit().unwrap().code)
}

/// All steps of the run from the given records.
fn steps_of(params: &BlockParams, recs: &[StepRecord]) -> (Vec<StepWitness>, Vec<F1>) {
    steps_and_pages(params, recs).0
}

/// All steps of the run, z_0 and the audited pages.
fn steps_and_pages(
    params: &BlockParams,
    recs: &[StepRecord],
) -> ((Vec<StepWitness>, Vec<F1>), Vec<u64>) {
    steps_with(params, recs, test_challenges())
}

/// All steps of the run under `challenges`, z_0 and the audited pages.
fn steps_with(
    params: &BlockParams,
    recs: &[StepRecord],
    challenges: canopy_circuit::memcheck::Challenges,
) -> ((Vec<StepWitness>, Vec<F1>), Vec<u64>) {
    let program = program();
    let mut gen =
        BlockWitnessGen::new(params, &program, F1::from(99u64), Some(challenges)).unwrap();
    let z0 = gen.z().to_vec();
    let mut out = Vec::new();
    for r in recs {
        gen.push_record(r).unwrap();
        while let Some(s) = gen.next_step() {
            out.push(s);
        }
    }
    gen.finish().unwrap();
    while let Some(s) = gen.next_step() {
        out.push(s);
    }
    let pages = gen.pages().unwrap();
    ((out, z0), pages)
}

fn circuit_of<'a>(params: &'a BlockParams, s: &'a StepWitness) -> CanopyStep<'a> {
    CanopyStep::of_witness(params, s).unwrap()
}

/// Synthesizes one step on z_in; returns (satisfied, φ', z').
fn run(params: &BlockParams, s: &StepWitness, z_in: &[F1]) -> (bool, F1, Vec<F1>) {
    run_step_circuit(params, s, z_in)
}

fn coprocessor_positions(steps: &[StepWitness]) -> Vec<usize> {
    (0..steps.len())
        .filter(|&i| matches!(steps[i], StepWitness::Coprocessor(_)))
        .collect()
}

#[test]
fn every_step_satisfies_and_hands_over() {
    let params = params();
    let (recs, exit) = records();
    assert_eq!(exit, !0x15u32 + 1, "the guest computed !(x + y) + carry");
    let (steps, z0) = steps_of(&params, &recs);
    let order: Vec<u32> = steps.iter().map(|s| s.circuit_index()).collect();
    assert_eq!(order.iter().filter(|&&j| j == 1).count(), 1, "{order:?}");
    assert_eq!(order.iter().filter(|&&j| j == 2).count(), 1, "{order:?}");
    assert_eq!(steps[0].z_in(), &z0[..]);
    for (i, s) in steps.iter().enumerate() {
        let (ok, phi, z_out) = run(&params, s, s.z_in());
        assert!(ok, "step {i} (circuit {})", s.circuit_index());
        assert_eq!(z_out, s.z_out(), "step {i}: circuit z' equals native z'");
        let next = steps
            .get(i + 1)
            .map_or(params.audit_index(), |n| n.circuit_index());
        assert_eq!(
            phi,
            F1::from(next as u64),
            "step {i}: φ' names the next circuit"
        );
        if let Some(n) = steps.get(i + 1) {
            assert_eq!(s.z_out(), n.z_in(), "steps chain");
        }
    }
}

#[test]
fn the_run_folds_and_verifies() {
    let params = params();
    let (recs, _) = records();
    let (steps, z0) = steps_of(&params, &recs);
    let pp = public_params();
    assert_eq!(pp.num_circuits(), 4);
    let mut acc: Option<Accumulator> = None;
    for s in &steps {
        let mut cs = CanopyStep::shapes(&params);
        cs[s.circuit_index() as usize] = circuit_of(&params, s);
        match &mut acc {
            None => acc = Some(Accumulator::new(pp, &cs, F1::ZERO, z0.clone()).unwrap()),
            Some(a) => a.prove_step(pp, &cs).unwrap(),
        }
    }
    let acc = acc.unwrap();
    acc.verify(pp).unwrap();
    assert_eq!(acc.num_steps(), steps.len() as u64);
    let (pc, z) = acc.state();
    assert_eq!(pc, F1::from(params.audit_index() as u64));
    assert_eq!(z, steps.last().unwrap().z_out());
    assert_eq!(z.len(), Z_LEN);
}

/// The parameters of the test's circuits (CPU, two coprocessors, audit), set up once.
fn public_params() -> &'static PublicParams {
    static PP: std::sync::OnceLock<PublicParams> = std::sync::OnceLock::new();
    PP.get_or_init(|| PublicParams::setup(&CanopyStep::shapes(&params())).unwrap())
}

/// One leaf: `steps` folded from the first one's z_in.
fn leaf(params: &BlockParams, steps: &[StepWitness]) -> Accumulator {
    let pp = public_params();
    let mut acc: Option<Accumulator> = None;
    for s in steps {
        let mut cs = CanopyStep::shapes(params);
        cs[s.circuit_index() as usize] = circuit_of(params, s);
        match &mut acc {
            None => {
                let pc0 = F1::from(s.circuit_index() as u64);
                acc = Some(Accumulator::new(pp, &cs, pc0, s.z_in().to_vec()).unwrap())
            }
            Some(a) => a.prove_step(pp, &cs).unwrap(),
        }
    }
    acc.unwrap()
}

/// Two leaves proven under different challenges cannot be merged: `γ` and `α` are in every
/// z, and a merge requires the left leaf's final z to be the right leaf's initial z. (Under
/// MPI, a rank that derived other challenges fails the same way.)
#[test]
fn leaves_with_different_challenges_do_not_merge() {
    let params = params();
    let (recs, _) = records();
    let ((a, _), _) = steps_with(&params, &recs, test_challenges());
    let other = canopy_circuit::memcheck::Challenges::from_seed(7);
    let ((b, _), _) = steps_with(&params, &recs, other);
    assert_eq!(a.len(), b.len());
    let half = a.len() / 2;
    let left = leaf(&params, &a[..half]);
    let pp = public_params();
    // control: the same run's halves merge
    let right = leaf(&params, &a[half..]);
    let root = Accumulator::merge(pp, &left, &right).unwrap();
    root.verify(pp).unwrap();
    // the other challenges' second half does not
    let right = leaf(&params, &b[half..]);
    assert!(Accumulator::merge(pp, &left, &right).is_err());
}

#[test]
fn a_read_that_memory_does_not_hold_is_rejected() {
    let params = params();
    let (recs, _) = records();
    let ((mut steps, _), pages) = steps_and_pages(&params, &recs);
    let program = program();
    assert_eq!(memory_closes(&params, &program, &steps, &pages), Ok(true));
    let i = coprocessor_positions(&steps)[0];
    if let StepWitness::Coprocessor(c) = &mut steps[i] {
        c.reads[1].old.word ^= 1;
        c.reads[1].new.word ^= 1;
    }
    // the step itself is satisfiable (the memory argument is global) but the run's sum
    // does not close
    assert_ne!(memory_closes(&params, &program, &steps, &pages), Ok(true));
}

#[test]
fn an_output_word_that_is_not_the_result_is_rejected() {
    // The native side claims another sum (a lying coprocessor, or a tampered trace): the
    // coprocessor step's circuit writes the true sum, so the next block's load of the lie
    // reads a tuple that no write made: a store not reflected by a later load.
    let params = params();
    let (mut recs, _) = records();
    let call = recs
        .iter()
        .position(|r| matches!(r.event.as_deref(), Some(StepEvent::Coprocessor(_))))
        .unwrap();
    let Some(StepEvent::Coprocessor(ev)) = recs[call].event.as_deref_mut() else {
        unreachable!()
    };
    ev.writes[0].new ^= 4;
    let lie = ev.writes[0].new;
    let load = &mut recs[call + 1];
    load.rd_value = lie;
    if let Some(m) = &mut load.memory {
        m.old = lie;
        m.new = lie;
    }
    let ((steps, _), pages) = steps_and_pages(&params, &recs);
    let i = coprocessor_positions(&steps)[0];
    let (ok, _, z_true) = run(&params, &steps[i], steps[i].z_in());
    assert!(ok, "the coprocessor step itself computes the true result");
    assert_ne!(z_true[Z_SUM], steps[i].z_out()[Z_SUM]);
    assert_ne!(
        memory_closes(&params, &program(), &steps, &pages),
        Ok(true),
        "the next block's load of the lie makes the memory argument fail"
    );
}

#[test]
fn a_wrong_status_in_rd_is_rejected() {
    let params = params();
    let (mut recs, _) = records();
    let call = recs
        .iter()
        .position(|r| matches!(r.event.as_deref(), Some(StepEvent::Coprocessor(_))))
        .unwrap();
    // the status (carry) was 1; claim 0 in rd and keep the trace consistent afterwards
    assert_eq!(recs[call].rd_value, 1);
    recs[call].rd_value = 0;
    for r in recs.iter_mut().skip(call + 1) {
        if r.rs2 == 12 {
            r.rs2_value = 0;
        }
        if r.rs1 == 12 {
            r.rs1_value = 0;
        }
    }
    let (steps, _) = steps_of(&params, &recs);
    let i = coprocessor_positions(&steps)[0];
    let (ok, _, _) = run(&params, &steps[i + 1], steps[i + 1].z_in());
    assert!(!ok, "row B must write the coprocessor's status");
}

#[test]
fn an_unregistered_selector_is_unsatisfiable() {
    // Witnesses made with both coprocessors registered; a CPU circuit whose table has only the
    // first one cannot post a call to the second.
    let params = params();
    let (recs, _) = records();
    let (steps, _) = steps_of(&params, &recs);
    let only_first = BlockParams::new(K, MEM)
        .unwrap()
        .with_coprocessors(vec![Arc::new(AddCarry)])
        .unwrap();
    let i = coprocessor_positions(&steps)[1];
    assert_eq!(steps[i].circuit_index(), 2);
    let (ok, _, _) = run(&only_first, &steps[i - 1], steps[i - 1].z_in());
    assert!(!ok, "the block posting the call to coprocessor 2");
    let (ok, _, _) = run(&params, &steps[i - 1], steps[i - 1].z_in());
    assert!(ok);
    // and the witness generator refuses it with a clear error
    let program = program();
    let mut gen =
        BlockWitnessGen::new(&only_first, &program, F1::ONE, Some(test_challenges())).unwrap();
    let err = recs
        .iter()
        .find_map(|r| gen.push_record(r).err())
        .expect("an error");
    assert!(err.to_string().contains("not registered"), "{err}");
}

#[test]
fn a_coprocessor_step_needs_a_posted_call() {
    let params = params();
    let (recs, _) = records();
    let (steps, _) = steps_of(&params, &recs);
    let i = coprocessor_positions(&steps)[0];
    for (slot, value) in [
        (Z_CALLED, F1::ZERO),
        (Z_DONE, F1::ONE),
        (Z_CALL, F1::from(2u64)),
    ] {
        let mut z = steps[i].z_in().to_vec();
        z[slot] = value;
        assert!(!run(&params, &steps[i], &z).0, "z[{slot}] = {value:?}");
    }
}
