//! A user-defined coprocessor, registered through [`CoprocessorSet`] beside a built-in
//! (`canopy_coprocessors::PoseidonHash`), proven end to end: a guest calls two instances of the
//! user's coprocessor and the built-in in a data-dependent order; the proof verifies and states
//! the native run's exit code; parameters made with another set reject it; an unregistered call
//! is a clear run-time error.

mod common;

use std::sync::Arc;

use canopy::circuit::coprocessor::{
    u32_bits, Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy::vm::error::CoprocessorError;
use canopy::vm::{Coprocessor, GuestMemory, Instruction};
use canopy::{
    verify, CoprocessorSet, Inputs, Params, Program, ProvableCoprocessor, ProveError, Prover,
    VerifyError,
};
use canopy_folding::F1;
use ff::PrimeField;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

const K: usize = 4;

/// `[rs1] ← (a·[rs1] + b) mod 2^32`; status = the carry-out `⌊(a·x + b) / 2^32⌋`.
struct Affine {
    a: u32,
    b: u32,
    funct3: u8,
}

impl Coprocessor for Affine {
    fn id(&self) -> u32 {
        0xaff0 + self.funct3 as u32
    }
    fn name(&self) -> &str {
        if self.funct3 == 1 {
            "affine-1"
        } else {
            "affine-2"
        }
    }
    fn funct(&self) -> (u8, u8) {
        (5, self.funct3)
    }
    fn execute(
        &self,
        rs1: u32,
        _rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let x = memory.read_word(rs1)? as u64;
        let y = self.a as u64 * x + self.b as u64;
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
        let x = &inputs[0].value;
        let y = x.get_value().map(|v| {
            let lo = u64::from_le_bytes(v.to_repr().as_ref()[..8].try_into().unwrap_or([0; 8]));
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

fn double() -> Arc<dyn ProvableCoprocessor> {
    Arc::new(Affine {
        a: 2,
        b: 0,
        funct3: 1,
    })
}

fn inc() -> Arc<dyn ProvableCoprocessor> {
    Arc::new(Affine {
        a: 1,
        b: 1,
        funct3: 2,
    })
}

fn call(funct3: u8) -> Instruction {
    Instruction::Custom0 {
        rd: 12,
        rs1: 10,
        rs2: 0,
        funct3,
        funct7: 5,
    }
}

/// x = 0xFFFFFFF0 at DATA; flags (1, 2, 1) at DATA + 128; for each flag: double x if bit 0 is
/// set, else increment it; then, if bit 1 is set, hash the two (zero) field elements at
/// DATA + 256 with the Poseidon built-in into DATA + 512. Exit with x + the last affine status
/// + the digest's word 0: ((2·0xFFFFFFF0 + 1)·2 mod 2^32) + 1 + d0 = 0xFFFFFFC3 + d0.
fn guest() -> Vec<u8> {
    use Instruction::*;
    common::elf(&[
        Lui {
            rd: 10,
            imm: 0x2_0000,
        },
        Addi {
            rd: 13,
            rs1: 0,
            imm: -16,
        },
        Sw {
            rs1: 10,
            rs2: 13,
            imm: 0,
        },
        Addi {
            rd: 14,
            rs1: 0,
            imm: 1,
        },
        Sw {
            rs1: 10,
            rs2: 14,
            imm: 128,
        },
        Sw {
            rs1: 10,
            rs2: 14,
            imm: 136,
        },
        Addi {
            rd: 16,
            rs1: 0,
            imm: 2,
        },
        Sw {
            rs1: 10,
            rs2: 16,
            imm: 132,
        },
        Addi {
            rd: 29,
            rs1: 10,
            imm: 256,
        },
        Addi {
            rd: 30,
            rs1: 10,
            imm: 512,
        },
        Addi {
            rd: 5,
            rs1: 0,
            imm: 3,
        },
        Addi {
            rd: 6,
            rs1: 10,
            imm: 128,
        },
        // loop:
        Lw {
            rd: 7,
            rs1: 6,
            imm: 0,
        },
        Andi {
            rd: 28,
            rs1: 7,
            imm: 1,
        },
        Beq {
            rs1: 28,
            rs2: 0,
            imm: 12,
        },
        call(1),
        Jal { rd: 0, imm: 8 },
        call(2),
        Andi {
            rd: 28,
            rs1: 7,
            imm: 2,
        },
        Beq {
            rs1: 28,
            rs2: 0,
            imm: 8,
        },
        // Poseidon built-in: funct7 1, funct3 1; in = 16 words at rs1, out = 8 words at rs2.
        Custom0 {
            rd: 11,
            rs1: 29,
            rs2: 30,
            funct3: 1,
            funct7: 1,
        },
        Addi {
            rd: 6,
            rs1: 6,
            imm: 4,
        },
        Addi {
            rd: 5,
            rs1: 5,
            imm: -1,
        },
        Bne {
            rs1: 5,
            rs2: 0,
            imm: -44,
        },
        Lw {
            rd: 15,
            rs1: 10,
            imm: 0,
        },
        Lw {
            rd: 16,
            rs1: 30,
            imm: 0,
        },
        Add {
            rd: 10,
            rs1: 15,
            rs2: 12,
        },
        Add {
            rd: 10,
            rs1: 10,
            rs2: 16,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ])
}

fn poseidon() -> Arc<dyn ProvableCoprocessor> {
    Arc::new(canopy_coprocessors::PoseidonHash::new())
}

#[test]
fn a_user_coprocessor_is_proven_and_bound_to_its_set() {
    let set = CoprocessorSet::of([double(), inc(), poseidon()]).unwrap();
    let program = Program::from_elf(&guest()).unwrap();
    // The native run (the built-in's native function) fixes the digest word d0.
    let native = program
        .execute_with(&Inputs::default(), 1 << 20, &set)
        .unwrap();
    let d0 = native.exit_code.wrapping_sub(0xFFFF_FFC3);
    assert_ne!(d0, 0, "the Poseidon digest reached the exit code");
    let params = Params::setup_with_coprocessors(K, canopy::vm::DEFAULT_MEMORY_SIZE, set).unwrap();
    let proof = Prover::new(&params)
        .prove(&program, &Inputs::default())
        .unwrap();
    assert_eq!(proof.statement.exit_code, native.exit_code);
    let st = verify(&proof, &program, &[], &params).unwrap();
    assert_eq!(st.exit_code, native.exit_code);

    // The same coprocessors in another order are other parameters.
    let swapped = CoprocessorSet::of([inc(), double(), poseidon()]).unwrap();
    let other =
        Params::setup_with_coprocessors(K, canopy::vm::DEFAULT_MEMORY_SIZE, swapped).unwrap();
    assert_ne!(other.digest(), params.digest());
    let err = verify(&proof, &program, &[], &other).unwrap_err();
    assert!(matches!(err, VerifyError::WrongParams(_)), "{err}");

    // Parameters without coprocessors cannot prove the guest: a clear run-time error.
    let plain = Params::setup(K, canopy::vm::DEFAULT_MEMORY_SIZE).unwrap();
    let err = Prover::new(&plain)
        .prove(&program, &Inputs::default())
        .unwrap_err();
    assert!(matches!(err, ProveError::Execution(_)), "{err}");
    assert!(err.to_string().contains("funct7"), "{err}");
}

#[test]
fn a_set_refuses_inconsistent_coprocessors() {
    let mut set = CoprocessorSet::new();
    set.register(double()).unwrap();
    assert!(
        set.register(double()).is_err(),
        "same id and selector twice"
    );
    assert_eq!(set.len(), 1);
}
