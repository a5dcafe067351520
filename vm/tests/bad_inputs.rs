//! Bad ELF files and misbehaving guests: each gives a specific error, never a panic.

mod common;

use canopy_vm::{
    ExecutionError, Instruction, Instruction::*, LoadError, MemoryError, Program, Vm, VmConfig,
};
use common::*;
use proptest::prelude::*;

const DATA: u32 = 0x20000;

fn exit0() -> Vec<Instruction> {
    vec![
        Addi {
            rd: 10,
            rs1: 0,
            imm: 0,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ]
}

fn words(insns: &[Instruction]) -> Vec<u32> {
    insns.iter().map(|i| i.encode()).collect()
}

fn valid_spec() -> ElfSpec {
    ElfSpec::rv32(&words(&exit0()), DATA, vec![1, 2, 3, 4], 0x100)
}

fn load(spec: &ElfSpec) -> Result<Program, LoadError> {
    Program::from_elf(&spec.to_bytes(), 1 << 24)
}

fn run(insns: &[Instruction]) -> ExecutionError {
    let elf = ElfSpec::rv32(&words(insns), DATA, vec![0; 16], 0x1000).to_bytes();
    let mut vm = Vm::from_elf(
        &elf,
        VmConfig {
            max_steps: 10_000,
            ..VmConfig::default()
        },
    )
    .unwrap();
    let err = vm.run().unwrap_err();
    // The message names the pc and the instruction (except for the step limit).
    let msg = err.to_string();
    assert!(
        msg.contains("0x000100") || msg.contains("step limit"),
        "{msg}"
    );
    err
}

#[test]
fn valid_elf_loads_and_runs() {
    let p = load(&valid_spec()).unwrap();
    assert_eq!(p.entry, 0x10000);
    assert_eq!(p.segments.len(), 2);
    assert_eq!(p.segments[1].mem_size, 0x100);
    let mut vm = Vm::new(&p, VmConfig::default()).unwrap();
    assert_eq!(vm.run().unwrap().code, 0);
    // bss is zero-filled.
    assert_eq!(vm.memory().load_u32(DATA + 4).unwrap(), 0);
    assert_eq!(vm.memory().load_u32(DATA).unwrap(), 0x04030201);
}

#[test]
fn truncated_and_garbage_files() {
    let bytes = valid_spec().to_bytes();
    for len in [0, 3, 4, 16, 51, 52, 60, 84, 115, 0x1000, 0x1005] {
        let r = Program::from_elf(&bytes[..len.min(bytes.len())], 1 << 24);
        assert!(
            matches!(r, Err(LoadError::Malformed(_))),
            "len {len}: {r:?}"
        );
    }
    let garbage: Vec<u8> = (0..1000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(matches!(
        Program::from_elf(&garbage, 1 << 24),
        Err(LoadError::Malformed(_))
    ));
}

#[test]
fn wrong_class_endianness_machine_type_and_flags() {
    let mut s = valid_spec();
    s.class = 2;
    assert_eq!(load(&s), Err(LoadError::Not32Bit));
    let mut s = valid_spec();
    s.data_encoding = 2;
    assert_eq!(load(&s), Err(LoadError::BigEndian));
    let mut s = valid_spec();
    s.machine = 62;
    assert_eq!(load(&s), Err(LoadError::NotRiscV(62)));
    assert!(load(&s).unwrap_err().to_string().contains("x86-64"));
    let mut s = valid_spec();
    s.flags = 0x1; // EF_RISCV_RVC
    assert_eq!(load(&s), Err(LoadError::CompressedIsa));
    let mut s = valid_spec();
    s.flags = 0x4; // float ABI bits only: fine
    assert!(load(&s).is_ok());
    let mut s = valid_spec();
    s.e_type = 3; // ET_DYN
    assert_eq!(load(&s), Err(LoadError::NotExecutable(3)));
}

#[test]
fn segment_problems() {
    // Larger than the memory.
    let mut s = valid_spec();
    s.segments[1].memsz = (1 << 24) + 4;
    assert!(matches!(load(&s), Err(LoadError::SegmentTooLarge { .. })));
    // Fits in size but not in place.
    let mut s = valid_spec();
    s.segments[1].vaddr = (1 << 24) - 0x80;
    assert!(matches!(load(&s), Err(LoadError::SegmentOutOfRange { .. })));
    // A smaller configured memory rejects what the default accepts.
    assert!(matches!(
        Program::from_elf(&valid_spec().to_bytes(), 1 << 16),
        Err(LoadError::SegmentOutOfRange { .. })
    ));
    // Overlapping.
    let mut s = valid_spec();
    s.segments[1].vaddr = 0x10008;
    assert!(matches!(
        load(&s),
        Err(LoadError::OverlappingSegments { .. })
    ));
    // filesz > memsz.
    let mut s = valid_spec();
    s.segments[1].memsz = 2;
    assert!(matches!(
        load(&s),
        Err(LoadError::FileSizeExceedsMemSize { .. })
    ));
    // No PT_LOAD.
    let mut s = valid_spec();
    for seg in &mut s.segments {
        seg.p_type = 4; // PT_NOTE
    }
    assert_eq!(load(&s), Err(LoadError::NoLoadableSegments));
    // Misaligned executable segment.
    let mut s = valid_spec();
    s.segments[0].vaddr = 0x10002;
    s.entry = 0x10002;
    assert!(matches!(
        load(&s),
        Err(LoadError::MisalignedCodeSegment { .. })
    ));
}

#[test]
fn bad_entry_points() {
    for entry in [0x20000, 0x10002, 0x1000c, 0x0, 0xffff_fffc] {
        let mut s = valid_spec();
        s.entry = entry;
        assert_eq!(
            load(&s),
            Err(LoadError::BadEntryPoint {
                entry: entry as u64
            }),
            "{entry:#x}"
        );
    }
}

#[test]
fn invalid_memory_sizes() {
    for size in [0, 1000, 2048, 3 << 20, 1 << 33] {
        assert!(matches!(
            Program::from_elf(&valid_spec().to_bytes(), size),
            Err(LoadError::Config(_))
        ));
    }
}

#[test]
fn out_of_bounds_access() {
    let e = run(&[
        Lui {
            rd: 5,
            imm: 0x0100_0000,
        },
        Lw {
            rd: 6,
            rs1: 5,
            imm: 0,
        },
    ]);
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::OutOfBounds {
                addr: 0x0100_0000,
                ..
            },
            ..
        }
    ));
}

#[test]
fn misaligned_access() {
    let e = run(&[
        Lui { rd: 5, imm: DATA },
        Sw {
            rs1: 5,
            rs2: 0,
            imm: 2,
        },
    ]);
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::Misaligned { width: 4, .. },
            ..
        }
    ));
    let e = run(&[
        Lui { rd: 5, imm: DATA },
        Lhu {
            rd: 6,
            rs1: 5,
            imm: 1,
        },
    ]);
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::Misaligned { width: 2, .. },
            ..
        }
    ));
}

#[test]
fn store_into_text() {
    let e = run(&[
        Lui {
            rd: 5,
            imm: 0x10000,
        },
        Sb {
            rs1: 5,
            rs2: 0,
            imm: 1,
        },
    ]);
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::ReadOnly { .. },
            ..
        }
    ));
}

#[test]
fn illegal_instruction() {
    let e = run(&[
        Addi {
            rd: 1,
            rs1: 0,
            imm: 1,
        },
        Illegal { word: 0 },
    ]);
    assert!(
        matches!(e, ExecutionError::IllegalInstruction { at } if at.pc == 0x10004 && at.word == 0)
    );
    assert!(e.to_string().contains("0x00010004"), "{e}");
}

#[test]
fn jump_outside_program() {
    // Into the data segment (not executable).
    let e = run(&[
        Lui { rd: 5, imm: DATA },
        Jalr {
            rd: 0,
            rs1: 5,
            imm: 0,
        },
    ]);
    assert!(matches!(e, ExecutionError::PcOutOfProgram { target: DATA, at } if at.pc == 0x10004));
    let msg = e.to_string();
    assert!(msg.contains("jalr zero, 0(t0)"), "{msg}");
    // Beyond memory.
    let e = run(&[
        Lui {
            rd: 5,
            imm: 0xfff0_0000,
        },
        Jalr {
            rd: 0,
            rs1: 5,
            imm: 0,
        },
    ]);
    assert!(matches!(e, ExecutionError::PcOutOfProgram { .. }));
    // Falling off the end of the text.
    let e = run(&[Addi {
        rd: 1,
        rs1: 0,
        imm: 1,
    }]);
    assert!(matches!(
        e,
        ExecutionError::PcOutOfProgram {
            target: 0x10004,
            ..
        }
    ));
}

#[test]
fn step_limit() {
    let e = run(&[Jal { rd: 0, imm: 0 }]);
    assert_eq!(
        e,
        ExecutionError::StepLimit {
            max_steps: 10_000,
            pc: 0x10000
        }
    );
}

#[test]
fn unknown_coprocessor() {
    let e = run(&[Custom0 {
        rd: 10,
        rs1: 11,
        rs2: 12,
        funct3: 2,
        funct7: 5,
    }]);
    assert!(matches!(
        e,
        ExecutionError::UnknownCoprocessor {
            funct7: 5,
            funct3: 2,
            at
        } if at.pc == 0x10000
    ));
}

/// Loads and runs arbitrary bytes with a small step limit; must not panic.
fn load_and_run(bytes: &[u8]) {
    let config = VmConfig {
        memory_size: 1 << 24,
        max_steps: 20_000,
    };
    if let Ok(mut vm) = Vm::from_elf(bytes, config) {
        vm.set_public_input(b"12345".to_vec());
        let _ = vm.run();
        if let Ok(mut vm) = Vm::from_elf(bytes, config) {
            vm.set_public_input(b"12345".to_vec());
            for block in vm.trace(8) {
                if block.is_err() {
                    break;
                }
            }
        }
    }
}

fn seed_elfs() -> Vec<Vec<u8>> {
    let mut v = vec![valid_spec().to_bytes()];
    if let Ok(b) = std::fs::read(examples_dir().join("hello.elf")) {
        v.push(b);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        load_and_run(&bytes);
    }

    #[test]
    fn mutated_elfs_never_panic(
        which in 0usize..2,
        mutations in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..16),
        truncate in proptest::option::of(any::<u16>()),
    ) {
        let seeds = seed_elfs();
        let mut bytes = seeds[which % seeds.len()].clone();
        for (pos, val) in mutations {
            // Mostly the headers, sometimes anywhere.
            let limit = if pos % 4 == 0 { bytes.len() } else { 160.min(bytes.len()) };
            if limit > 0 {
                let i = pos as usize % limit;
                bytes[i] = val;
            }
        }
        if let Some(t) = truncate {
            bytes.truncate(t as usize);
        }
        load_and_run(&bytes);
    }

    #[test]
    fn random_code_never_panics(code in proptest::collection::vec(any::<u32>(), 1..64)) {
        // Random words as code (RWX, so stores into the code are allowed too).
        let mut spec = ElfSpec::rv32(&code, DATA, vec![0; 64], 0x1000);
        spec.segments[0].flags |= PF_W;
        load_and_run(&spec.to_bytes());
    }
}
