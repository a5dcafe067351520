//! Test helpers: a map-backed guest memory, direct synthesis of a coprocessor circuit over a
//! TestConstraintSystem (optionally with one allocation's value altered, i.e. a lying prover),
//! and a full VM run that produces the wrapper's `CoprocessorStep` witness.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::coprocessor::{u32_bits, CoprocessorCircuit, DynCs, InputWord};
use canopy_circuit::handoff::CoprocessorStep;
use canopy_circuit::memcheck::Challenges;
use canopy_circuit::params::BlockParams;
use canopy_circuit::ProvableCoprocessor;
use canopy_folding::{StepCircuit, F1};
use canopy_vm::error::MemoryError;
use canopy_vm::{
    Coprocessor, GuestMemory, Instruction, Program, Segment, SegmentFlags, Vm, VmConfig,
};
use ff::{Field, PrimeField};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::test_cs::TestConstraintSystem;
use nova_snark::frontend::{ConstraintSystem, LinearCombination, SynthesisError, Variable};

/// A sparse guest memory of 4 GiB, zero-initialised.
#[derive(Default)]
pub struct MapMem(pub HashMap<u32, u32>);

impl GuestMemory for MapMem {
    fn size(&self) -> u64 {
        1 << 32
    }
    fn read_word(&mut self, addr: u32) -> Result<u32, MemoryError> {
        Ok(self.0.get(&addr).copied().unwrap_or(0))
    }
    fn write_word(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        self.0.insert(addr, value);
        Ok(())
    }
}

impl MapMem {
    pub fn put(&mut self, addr: u32, words: &[u32]) {
        for (i, w) in words.iter().enumerate() {
            self.0.insert(addr + 4 * i as u32, *w);
        }
    }
    pub fn get(&self, addr: u32, n: usize) -> Vec<u32> {
        (0..n)
            .map(|i| self.0.get(&(addr + 4 * i as u32)).copied().unwrap_or(0))
            .collect()
    }
}

/// What [`Tamper`] does to a matching allocation.
enum Edit {
    /// Adds 1 to the honest value.
    AddOne,
    /// Replaces the value (a prover choosing the witness).
    Set(F1),
}

/// A constraint system that forwards to a TestConstraintSystem and edits the value of every
/// allocation whose namespace path contains one of its targets (a lying prover).
pub struct Tamper {
    pub inner: TestConstraintSystem<F1>,
    stack: Vec<String>,
    edits: Vec<(String, Edit)>,
    /// Allocations edited so far.
    pub hits: usize,
}

impl Tamper {
    /// Adds 1 to the allocation inside the namespace path `target` (none: an honest system).
    pub fn new(target: Option<&str>) -> Self {
        Self::with_edits(
            target
                .map(|t| (t.to_string(), Edit::AddOne))
                .into_iter()
                .collect(),
        )
    }

    /// Sets the allocations inside each path to the given value.
    pub fn with_values(values: &[(&str, F1)]) -> Self {
        Self::with_edits(
            values
                .iter()
                .map(|(t, x)| (t.to_string(), Edit::Set(*x)))
                .collect(),
        )
    }

    fn with_edits(edits: Vec<(String, Edit)>) -> Self {
        Tamper {
            inner: TestConstraintSystem::new(),
            stack: Vec::new(),
            edits,
            hits: 0,
        }
    }
}

impl ConstraintSystem<F1> for Tamper {
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        let name: String = annotation().into();
        let path = format!("{}/{name}", self.stack.join("/"));
        let mut v = f();
        for (t, edit) in &self.edits {
            if path.contains(&format!("{t}/")) {
                self.hits += 1;
                v = match edit {
                    Edit::AddOne => v.map(|x| x + F1::ONE),
                    Edit::Set(x) => Ok(*x),
                };
            }
        }
        self.inner.alloc(|| name, || v)
    }

    fn alloc_input<F, A, AR>(&mut self, annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.inner.alloc_input(annotation, f)
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, annotation: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LB: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LC: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
    {
        self.inner.enforce(annotation, a, b, c)
    }

    fn push_namespace<NR, N>(&mut self, name_fn: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        let n: String = name_fn().into();
        self.stack.push(n.clone());
        self.inner.push_namespace(|| n)
    }

    fn pop_namespace(&mut self) {
        self.stack.pop();
        self.inner.pop_namespace()
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

/// The result of synthesizing a coprocessor circuit directly.
pub struct Direct {
    pub satisfied: bool,
    pub outputs: Vec<u32>,
    pub status: u32,
    pub constraints: usize,
}

fn low_u32(f: F1) -> u32 {
    let r = f.to_repr();
    u32::from_le_bytes(r.as_ref()[..4].try_into().unwrap())
}

/// Synthesizes `c` on the given input words (each range-checked as the wrapper does; those
/// 33 constraints per word are counted separately) with `tamper` altering one allocation.
pub fn synth(c: &dyn CoprocessorCircuit, words: &[u32], tamper: Option<&str>) -> Direct {
    let mut cs = Tamper::new(tamper);
    let d = synth_in(c, words, &mut cs);
    if tamper.is_some() {
        assert!(cs.hits > 0, "the tampered variable {tamper:?} exists");
    }
    d
}

/// [`synth`] over a given (possibly editing) constraint system.
pub fn synth_in(c: &dyn CoprocessorCircuit, words: &[u32], cs: &mut Tamper) -> Direct {
    let args: Vec<AllocatedNum<F1>> = (0..2)
        .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("arg{i}")), || Ok(F1::ZERO)).unwrap())
        .collect();
    let inputs: Vec<InputWord> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let value = AllocatedNum::alloc(cs.namespace(|| format!("in{i}")), || {
                Ok(F1::from(*w as u64))
            })
            .unwrap();
            let bits = u32_bits(cs.namespace(|| format!("in{i} bits")), &value).unwrap();
            InputWord { value, bits }
        })
        .collect();
    let before = cs.inner.num_constraints();
    let out = {
        let mut dcs = DynCs::new(cs);
        c.synthesize(&mut dcs, [&args[0], &args[1]], &inputs)
            .unwrap()
    };
    Direct {
        satisfied: cs.inner.is_satisfied(),
        outputs: out
            .words
            .iter()
            .map(|w| low_u32(w.get_value().unwrap()))
            .collect(),
        status: low_u32(out.status.get_value().unwrap()),
        constraints: cs.inner.num_constraints() - before,
    }
}

pub const MEM: u64 = 1 << 20;
pub const CODE: u32 = 0x1_0000;
pub const DATA: u32 = 0x2_0000;
/// rs1 = DATA, rs2 = DATA + RS2_OFFSET.
pub const RS2_OFFSET: u32 = 128;
pub const K: usize = 2;

/// A guest that calls the coprocessor once with rs1 = DATA, rs2 = DATA + 128 (data = the
/// 256-byte data segment), then exits with the status.
pub fn program(funct7: u8, funct3: u8, data: &[u32]) -> Program {
    use Instruction::*;
    let insns = [
        Lui { rd: 10, imm: DATA },
        Addi {
            rd: 11,
            rs1: 10,
            imm: RS2_OFFSET as i32,
        },
        Custom0 {
            rd: 12,
            rs1: 10,
            rs2: 11,
            funct3,
            funct7,
        },
        Addi {
            rd: 10,
            rs1: 12,
            imm: 0,
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
    let mut bytes: Vec<u8> = data.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.resize(256, 0);
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
                mem_size: 256,
                data: bytes,
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    execute: false,
                },
            },
        ],
    }
}

/// Runs the guest with the coprocessor registered; returns the block parameters and all
/// step witnesses (CPU blocks and the one coprocessor step).
pub fn trace_steps(
    copro: Arc<dyn ProvableCoprocessor>,
    data: &[u32],
) -> (BlockParams, Vec<StepWitness>) {
    let (f7, f3) = Coprocessor::funct(&*copro);
    let program = program(f7, f3, data);
    let mut vm = Vm::new(
        &program,
        VmConfig {
            memory_size: MEM,
            ..VmConfig::default()
        },
    )
    .unwrap();
    let native: Arc<dyn Coprocessor> = copro.clone();
    vm.register_coprocessor(native).unwrap();
    let mut recs = Vec::new();
    for b in vm.trace(K) {
        recs.extend(b.unwrap().records);
    }
    assert_eq!(vm.exit().unwrap().code, 0, "status 0");
    let circuit: Arc<dyn CoprocessorCircuit> = copro;
    let params = BlockParams::new(K, MEM)
        .unwrap()
        .with_coprocessors(vec![circuit])
        .unwrap();
    let mut gen = BlockWitnessGen::new(
        &params,
        &program,
        F1::from(7u64),
        Some(Challenges::from_seed(7)),
    )
    .unwrap();
    let mut steps = Vec::new();
    for r in &recs {
        gen.push_record(r).unwrap();
        while let Some(s) = gen.next_step() {
            steps.push(s);
        }
    }
    gen.finish().unwrap();
    while let Some(s) = gen.next_step() {
        steps.push(s);
    }
    (params, steps)
}

/// Synthesizes the coprocessor step (the wrapper with memory argument) on its own z_in;
/// returns (satisfied, constraints, whether z' equals the witness generator's z').
pub fn run_step(params: &BlockParams, s: &StepWitness) -> (bool, usize, bool) {
    let StepWitness::Coprocessor(w) = s else {
        panic!("not a coprocessor step")
    };
    let mut cs = TestConstraintSystem::<F1>::new();
    let z: Vec<AllocatedNum<F1>> = s
        .z_in()
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(*v)).unwrap())
        .collect();
    let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(F1::from(w.index as u64))).unwrap();
    let step = CoprocessorStep::new(params, w.index, Some(w)).unwrap();
    let (_, z_out) = step.synthesize(&mut cs, &phi, &z).unwrap();
    let z_vals: Vec<F1> = z_out.iter().map(|v| v.get_value().unwrap()).collect();
    (cs.is_satisfied(), cs.num_constraints(), z_vals == s.z_out())
}

/// The coprocessor step among the steps.
pub fn coprocessor_step(steps: &[StepWitness]) -> usize {
    steps
        .iter()
        .position(|s| s.circuit_index() != 0)
        .expect("a coprocessor step")
}

/// Deterministic pseudo-random words (xorshift), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
    pub fn words<const N: usize>(&mut self) -> [u32; N] {
        std::array::from_fn(|_| self.next_u32())
    }
}
