//! Test support shared by the circuit crate's integration tests: a guest that calls two toy
//! coprocessors (`AddCarry`, `Not`: both halves each) and its program.
// Each test file uses a subset of these items.
#![allow(dead_code)]

use std::sync::Arc;

use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory, Instruction, Program, Segment, SegmentFlags};
use ff::{Field, PrimeField};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

/// Memory size of the guest.
pub const MEM: u64 = 1 << 20;
/// Address of its code.
pub const CODE: u32 = 0x1_0000;
/// Address of its data.
pub const DATA: u32 = 0x2_0000;

/// `[rs2] = [rs1] + [rs1 + 4] mod 2^32`; status = the carry.
pub struct AddCarry;
/// `[rs1] = ![rs1]`; status = 0.
pub struct Not;

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

pub fn custom0(rd: u8, rs1: u8, rs2: u8, funct3: u8) -> Instruction {
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
pub fn program() -> Program {
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

/// Both coprocessors' circuits, in circuit-index order.
pub fn circuits() -> Vec<Arc<dyn CoprocessorCircuit>> {
    vec![Arc::new(AddCarry), Arc::new(Not)]
}

/// The challenges the circuit tests use (a proof derives its own).
pub fn test_challenges() -> canopy_circuit::memcheck::Challenges {
    canopy_circuit::memcheck::Challenges::from_seed(42)
}

/// Synthesizes one step circuit on `z_in`; returns (satisfied, φ', z').
pub fn run_step_circuit(
    params: &canopy_circuit::BlockParams,
    s: &canopy_circuit::block::StepWitness,
    z_in: &[F1],
) -> (bool, F1, Vec<F1>) {
    use canopy_circuit::step::CanopyStep;
    use canopy_folding::StepCircuit;
    use nova_snark::frontend::test_cs::TestConstraintSystem;
    let c = CanopyStep::of_witness(params, s).unwrap();
    let mut cs = TestConstraintSystem::<F1>::new();
    let z: Vec<AllocatedNum<F1>> = z_in
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(*v)).unwrap())
        .collect();
    let phi_in = F1::from(s.circuit_index() as u64);
    let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(phi_in)).unwrap();
    let (phi_next, z_out) = c.synthesize(&mut cs, &phi, &z).unwrap();
    (
        cs.is_satisfied(),
        phi_next.get_value().unwrap(),
        z_out.iter().map(|v| v.get_value().unwrap()).collect(),
    )
}

/// Runs every step's circuit on the previous circuit's z' (from the first step's z_in);
/// returns the final z, or `Err(i)` if step i is unsatisfied.
pub fn run_chain(
    params: &canopy_circuit::BlockParams,
    steps: &[canopy_circuit::block::StepWitness],
) -> Result<Vec<F1>, usize> {
    let mut z = steps[0].z_in().to_vec();
    for (i, s) in steps.iter().enumerate() {
        let (ok, _, z_out) = run_step_circuit(params, s, &z);
        if !ok {
            return Err(i);
        }
        z = z_out;
    }
    Ok(z)
}

/// What the memory argument says of a run: every step's circuit is run on the previous
/// circuit's z' (from the first step's z_in, as folding would); `Err(i)` if step i is
/// unsatisfied, else whether the LogUp total closes: `S_n + Σ_IS(pages) = 0` with the pages
/// the audit folded (the verifier's check, without the challenge derivation).
pub fn memory_closes(
    params: &canopy_circuit::BlockParams,
    program: &Program,
    steps: &[canopy_circuit::block::StepWitness],
    pages: &[u64],
) -> Result<bool, usize> {
    use canopy_circuit::memcheck::sets::initial_set;
    use canopy_circuit::memcheck::InitialImage;
    use canopy_circuit::state::{Z_ALPHA, Z_GAMMA, Z_SUM};
    let z = run_chain(params, steps)?;
    let c = canopy_circuit::memcheck::Challenges {
        gamma: z[Z_GAMMA],
        alpha: z[Z_ALPHA],
    };
    let image = InitialImage::new(program, params.memory_size()).unwrap();
    let is = initial_set(&image, pages).unwrap();
    Ok(c.set_sum(&is).unwrap() + z[Z_SUM] == F1::ZERO)
}
