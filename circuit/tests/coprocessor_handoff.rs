//! The `custom-0` mailbox hand-off (docs/cpu-circuit.md §4): a guest calls two test
//! coprocessors; the witness generator turns the trace into CPU blocks and coprocessor steps;
//! every step satisfies its circuit and chains; the run folds and verifies with
//! canopy-folding (m = 3 circuits); lies about a coprocessor's input, output or status, an
//! unregistered selector and a coprocessor step without a posted call are rejected.

use std::sync::Arc;

use canopy_circuit::block::{BlockCircuit, BlockWitnessGen, StepWitness};
use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_circuit::handoff::CoprocessorStep;
use canopy_circuit::params::BlockParams;
use canopy_circuit::state::{Z_CALL, Z_CALLED, Z_DONE, Z_LEN, Z_MEM_ROOT};
use canopy_circuit::step::CanopyStep;
use canopy_folding::{Accumulator, PublicParams, StepCircuit, F1};
use canopy_vm::error::CoprocessorError;
use canopy_vm::trace::StepEvent;
use canopy_vm::{
    Coprocessor, GuestMemory, Instruction, Program, Segment, SegmentFlags, StepRecord, Vm, VmConfig,
};
use ff::{Field, PrimeField};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::test_cs::TestConstraintSystem;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

const MEM: u64 = 1 << 20;
const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
const K: usize = 2;

/// `[rs2] = [rs1] + [rs1 + 4] mod 2^32`; status = the carry.
struct AddCarry;
/// `[rs1] = ![rs1]`; status = 0.
struct Not;

impl Coprocessor for AddCarry {
    fn id(&self) -> u32 {
        0xadd
    }
    fn name(&self) -> &str {
        "add-carry"
    }
    fn funct(&self) -> (u8, u8) {
        (2, 1)
    }
    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let x = memory.read_word(rs1)?;
        let y = memory.read_word(rs1.wrapping_add(4))?;
        let (s, carry) = x.overflowing_add(y);
        memory.write_word(rs2, s)?;
        Ok(carry as u32)
    }
}

impl CoprocessorCircuit for AddCarry {
    fn name(&self) -> &str {
        "add-carry"
    }
    fn funct(&self) -> (u8, u8) {
        (2, 1)
    }
    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: 2,
        }]
    }
    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: 1,
        }]
    }
    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        let (x, y) = (&inputs[0].value, &inputs[1].value);
        let total = x.get_value().zip(y.get_value()).map(|(a, b)| {
            let v = |f: F1| u64::from_le_bytes(f.to_repr().as_ref()[..8].try_into().unwrap());
            v(a) + v(b)
        });
        let sum = AllocatedNum::alloc(cs.namespace(|| "sum"), || {
            total
                .map(|t| F1::from(t & 0xffff_ffff))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let carry = AllocatedNum::alloc(cs.namespace(|| "carry"), || {
            total
                .map(|t| F1::from(t >> 32))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "carry is a bit",
            |lc| lc + carry.get_variable(),
            |lc| lc + DynCs::one() - carry.get_variable(),
            |lc| lc,
        );
        cs.enforce(
            || "x + y = sum + 2^32 carry",
            |lc| lc + x.get_variable() + y.get_variable(),
            |lc| lc + DynCs::one(),
            |lc| lc + sum.get_variable() + (F1::from(1u64 << 32), carry.get_variable()),
        );
        Ok(CoprocessorOutput {
            words: vec![sum],
            status: carry,
        })
    }
}

impl Coprocessor for Not {
    fn id(&self) -> u32 {
        0x407
    }
    fn name(&self) -> &str {
        "not"
    }
    fn funct(&self) -> (u8, u8) {
        (2, 2)
    }
    fn execute(
        &self,
        rs1: u32,
        _rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let x = memory.read_word(rs1)?;
        memory.write_word(rs1, !x)?;
        Ok(0)
    }
}

impl CoprocessorCircuit for Not {
    fn name(&self) -> &str {
        "not"
    }
    fn funct(&self) -> (u8, u8) {
        (2, 2)
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
        let x = &inputs[0].value;
        let max = F1::from(0xffff_ffffu64);
        let out = AllocatedNum::alloc(cs.namespace(|| "not"), || {
            x.get_value()
                .map(|v| max - v)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "out = 2^32 - 1 - x",
            |lc| lc + out.get_variable() + x.get_variable(),
            |lc| lc + DynCs::one(),
            |lc| lc + (max, DynCs::one()),
        );
        let zero = AllocatedNum::alloc(cs.namespace(|| "zero"), || Ok(F1::ZERO))?;
        cs.enforce(
            || "status 0",
            |lc| lc + zero.get_variable(),
            |lc| lc + DynCs::one(),
            |lc| lc,
        );
        Ok(CoprocessorOutput {
            words: vec![out],
            status: zero,
        })
    }
}

fn custom0(rd: u8, rs1: u8, rs2: u8, funct3: u8) -> Instruction {
    Instruction::Custom0 {
        rd,
        rs1,
        rs2,
        funct3,
        funct7: 2,
    }
}

/// The guest: sum = x + y (coprocessor 1, carry in x12), load it, not it in place
/// (coprocessor 2), load it, exit with `!sum + carry`.
fn program() -> Program {
    use Instruction::*;
    let insns = [
        Lui { rd: 10, imm: DATA },
        Addi {
            rd: 11,
            rs1: 10,
            imm: 16,
        },
        custom0(12, 10, 11, 1),
        Lw {
            rd: 13,
            rs1: 11,
            imm: 0,
        },
        custom0(0, 11, 0, 2),
        Lw {
            rd: 14,
            rs1: 11,
            imm: 0,
        },
        Add {
            rd: 10,
            rs1: 14,
            rs2: 12,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ];
    let code: Vec<u8> = insns
        .iter()
        .flat_map(|i| i.encode().to_le_bytes())
        .collect();
    let mut data = Vec::new();
    data.extend(0xffff_fff0u32.to_le_bytes());
    data.extend(0x25u32.to_le_bytes());
    data.resize(64, 0);
    Program {
        entry: CODE,
        segments: vec![
            Segment {
                vaddr: CODE,
                mem_size: code.len() as u32,
                data: code,
                flags: SegmentFlags {
                    read: true,
                    write: false,
                    execute: true,
                },
            },
            Segment {
                vaddr: DATA,
                mem_size: 64,
                data,
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    execute: false,
                },
            },
        ],
    }
}

fn circuits() -> Vec<Arc<dyn CoprocessorCircuit>> {
    vec![Arc::new(AddCarry), Arc::new(Not)]
}

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
    let program = program();
    let mut gen = BlockWitnessGen::new(params, &program, F1::from(99u64)).unwrap();
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
    (out, z0)
}

fn circuit_of<'a>(params: &'a BlockParams, s: &'a StepWitness) -> CanopyStep<'a> {
    match s {
        StepWitness::Block(b) => CanopyStep::Cpu(BlockCircuit::new(params, b)),
        StepWitness::Coprocessor(c) => {
            CanopyStep::Coprocessor(CoprocessorStep::new(params, c.index, Some(c)).unwrap())
        }
    }
}

/// Synthesizes one step on z_in; returns (satisfied, φ', z').
fn run(params: &BlockParams, s: &StepWitness, z_in: &[F1]) -> (bool, F1, Vec<F1>) {
    let mut cs = TestConstraintSystem::<F1>::new();
    let z: Vec<AllocatedNum<F1>> = z_in
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(*v)).unwrap())
        .collect();
    let phi_in = F1::from(s.circuit_index() as u64);
    let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(phi_in)).unwrap();
    let (phi_next, z_out) = circuit_of(params, s).synthesize(&mut cs, &phi, &z).unwrap();
    (
        cs.is_satisfied(),
        phi_next.get_value().unwrap(),
        z_out.iter().map(|v| v.get_value().unwrap()).collect(),
    )
}

fn coprocessor_positions(steps: &[StepWitness]) -> Vec<usize> {
    (0..steps.len())
        .filter(|&i| steps[i].circuit_index() != 0)
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
        let next = steps.get(i + 1).map_or(0, |n| n.circuit_index());
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
    let pp = PublicParams::setup(&CanopyStep::shapes(&params)).unwrap();
    assert_eq!(pp.num_circuits(), 3);
    let mut acc: Option<Accumulator> = None;
    for s in &steps {
        let mut cs = CanopyStep::shapes(&params);
        cs[s.circuit_index() as usize] = circuit_of(&params, s);
        match &mut acc {
            None => acc = Some(Accumulator::new(&pp, &cs, F1::ZERO, z0.clone()).unwrap()),
            Some(a) => a.prove_step(&pp, &cs).unwrap(),
        }
    }
    let acc = acc.unwrap();
    acc.verify(&pp).unwrap();
    assert_eq!(acc.num_steps(), steps.len() as u64);
    let (pc, z) = acc.state();
    assert_eq!(pc, F1::ZERO);
    assert_eq!(z, steps.last().unwrap().z_out());
    assert_eq!(z.len(), Z_LEN);
}

#[test]
fn a_read_that_memory_does_not_hold_is_rejected() {
    let params = params();
    let (recs, _) = records();
    let (mut steps, _) = steps_of(&params, &recs);
    let i = coprocessor_positions(&steps)[0];
    let z_in = steps[i].z_in().to_vec();
    if let StepWitness::Coprocessor(c) = &mut steps[i] {
        c.reads[1].0.word ^= 1;
    }
    assert!(!run(&params, &steps[i], &z_in).0);
}

#[test]
fn an_output_word_that_is_not_the_result_is_rejected() {
    // The native side claims another sum (a lying coprocessor, or a tampered trace): the
    // coprocessor step's circuit computes the true sum into mem_root, so the next block's
    // load of the lie does not open against it.
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
    let (steps, _) = steps_of(&params, &recs);
    let i = coprocessor_positions(&steps)[0];
    let (ok, _, z_true) = run(&params, &steps[i], steps[i].z_in());
    assert!(ok, "the coprocessor step itself computes the true result");
    assert_ne!(z_true[Z_MEM_ROOT], steps[i].z_out()[Z_MEM_ROOT]);
    assert!(
        !run(&params, &steps[i + 1], &z_true).0,
        "the next block cannot continue from the true memory with the lie"
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
    let mut gen = BlockWitnessGen::new(&only_first, &program, F1::ONE).unwrap();
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
