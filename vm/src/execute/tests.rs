//! Per-instruction unit tests. Each instruction runs on both paths (fast and tracing) from the
//! same state; the results must agree.

use super::*;
use crate::decode::Instruction::{self, *};
use crate::elf_loader::{Segment, SegmentFlags};
use crate::trace::{Block, EcallKind, StepRecord};

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;

fn program(insns: &[Instruction]) -> Program {
    let mut code: Vec<u8> = insns
        .iter()
        .flat_map(|i| i.encode().to_le_bytes())
        .collect();
    // Pad so that jumps a little forward stay inside the executable segment.
    code.extend(std::iter::repeat_n(0x13u8, 0).chain([0x13, 0, 0, 0].repeat(64)));
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
                mem_size: 0x1000,
                data: (0..16u8).map(|i| 0xf0 | i).collect(),
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    execute: false,
                },
            },
        ],
    }
}

fn vm(insns: &[Instruction], regs: &[(usize, u32)]) -> Vm {
    let mut vm = Vm::new(&program(insns), VmConfig::default()).unwrap();
    for &(i, v) in regs {
        vm.set_register(i, v);
    }
    vm
}

/// Executes the first instruction on both paths, checks they agree, returns the traced VM
/// and the record.
fn step(insn: Instruction, regs: &[(usize, u32)]) -> (Vm, StepRecord) {
    let mut fast = vm(&[insn], regs);
    fast.config.max_steps = 1;
    let fast_result = fast.run();
    let mut traced = vm(&[insn], regs);
    let block = traced.trace(1).next().unwrap().unwrap();
    assert_eq!(block.records.len(), 1);
    match fast_result {
        Err(ExecutionError::StepLimit { .. }) | Ok(_) => {}
        Err(e) => panic!("fast path failed: {e}"),
    }
    assert_eq!(fast.regs, traced.regs, "{insn}");
    assert_eq!(fast.pc, traced.pc, "{insn}");
    assert_eq!(fast.memory.as_bytes(), traced.memory.as_bytes());
    let rec = block.records[0].clone();
    assert_eq!(rec.next_pc, traced.pc);
    (traced, rec)
}

fn result(insn: Instruction, regs: &[(usize, u32)], rd: usize) -> u32 {
    step(insn, regs).0.regs[rd]
}

fn fault(insns: &[Instruction], regs: &[(usize, u32)]) -> ExecutionError {
    let mut v = vm(insns, regs);
    let e = v.run().unwrap_err();
    let mut t = vm(insns, regs);
    let traced_err = t.trace(4).find_map(|b| b.err()).unwrap();
    assert_eq!(e, traced_err);
    e
}

#[test]
fn x0_writes_are_ignored() {
    let (vm, rec) = step(
        Addi {
            rd: 0,
            rs1: 0,
            imm: 5,
        },
        &[],
    );
    assert_eq!(vm.regs[0], 0);
    assert_eq!((rec.rd, rec.rd_value), (0, 0));
    assert_eq!(
        result(
            Lui {
                rd: 0,
                imm: 0x12345000
            },
            &[],
            0
        ),
        0
    );
    let (vm, _) = step(Jal { rd: 0, imm: 8 }, &[]);
    assert_eq!(vm.regs[0], 0);
    assert_eq!(vm.pc, CODE + 8);
}

#[test]
fn lui_auipc() {
    assert_eq!(
        result(
            Lui {
                rd: 5,
                imm: 0xfffff000
            },
            &[],
            5
        ),
        0xfffff000
    );
    assert_eq!(result(Auipc { rd: 5, imm: 0x1000 }, &[], 5), CODE + 0x1000);
    assert_eq!(
        result(
            Auipc {
                rd: 5,
                imm: 0xfffff000
            },
            &[],
            5
        ),
        CODE.wrapping_sub(0x1000)
    );
}

#[test]
fn jal_jalr() {
    let (vm, rec) = step(Jal { rd: 1, imm: 12 }, &[]);
    assert_eq!((vm.pc, vm.regs[1]), (CODE + 12, CODE + 4));
    assert_eq!((rec.rd, rec.rd_value), (1, CODE + 4));
    // JALR clears bit 0 of the target.
    let (vm, _) = step(
        Jalr {
            rd: 1,
            rs1: 5,
            imm: 5,
        },
        &[(5, CODE + 8)],
    );
    assert_eq!((vm.pc, vm.regs[1]), (CODE + 12, CODE + 4));
    // rd == rs1: the target uses the old value.
    let (vm, _) = step(
        Jalr {
            rd: 5,
            rs1: 5,
            imm: -4,
        },
        &[(5, CODE + 8)],
    );
    assert_eq!((vm.pc, vm.regs[5]), (CODE + 4, CODE + 4));
    // Backwards JAL out of the program.
    let e = fault(&[Jal { rd: 0, imm: -8 }], &[]);
    assert!(
        matches!(e, ExecutionError::PcOutOfProgram { target, at } if target == CODE - 8 && at.pc == CODE)
    );
    // Misaligned target (bit 1 set).
    let e = fault(
        &[Jalr {
            rd: 0,
            rs1: 5,
            imm: 2,
        }],
        &[(5, CODE)],
    );
    assert!(matches!(e, ExecutionError::MisalignedPc { target, .. } if target == CODE + 2));
}

#[test]
fn branches_signed_and_unsigned_at_boundaries() {
    let taken = |insn: Instruction, a: u32, b: u32| -> bool {
        step(insn, &[(5, a), (6, b)]).0.pc == CODE + 16
    };
    let (rs1, rs2, imm) = (5, 6, 16);
    let max = 0x7fff_ffff;
    let min = 0x8000_0000;
    assert!(taken(Blt { rs1, rs2, imm }, min, max));
    assert!(!taken(Bltu { rs1, rs2, imm }, min, max));
    assert!(taken(Bge { rs1, rs2, imm }, max, min));
    assert!(!taken(Bgeu { rs1, rs2, imm }, max, min));
    assert!(taken(Bltu { rs1, rs2, imm }, max, min));
    assert!(taken(Bgeu { rs1, rs2, imm }, min, max));
    assert!(taken(Bge { rs1, rs2, imm }, 7, 7));
    assert!(taken(Bgeu { rs1, rs2, imm }, 7, 7));
    assert!(!taken(Blt { rs1, rs2, imm }, 7, 7));
    assert!(taken(Blt { rs1, rs2, imm }, u32::MAX, 0));
    assert!(!taken(Bltu { rs1, rs2, imm }, u32::MAX, 0));
    assert!(taken(Beq { rs1, rs2, imm }, min, min));
    assert!(!taken(Bne { rs1, rs2, imm }, min, min));
    assert!(taken(Bne { rs1, rs2, imm }, min, max));
    // Not taken falls through to pc + 4.
    assert_eq!(step(Beq { rs1, rs2, imm }, &[(5, 1)]).0.pc, CODE + 4);
}

#[test]
fn immediates_are_sign_extended() {
    let r = |insn| result(insn, &[(5, 0x10)], 7);
    assert_eq!(
        r(Addi {
            rd: 7,
            rs1: 5,
            imm: -1
        }),
        0xf
    );
    assert_eq!(
        r(Xori {
            rd: 7,
            rs1: 5,
            imm: -1
        }),
        !0x10
    );
    assert_eq!(
        r(Andi {
            rd: 7,
            rs1: 5,
            imm: -2048
        }),
        0
    );
    assert_eq!(
        r(Ori {
            rd: 7,
            rs1: 5,
            imm: -2048
        }),
        0xffff_f810
    );
    // SLTIU compares with the sign-extended immediate as unsigned: x < 0xffffffff.
    assert_eq!(
        r(Sltiu {
            rd: 7,
            rs1: 5,
            imm: -1
        }),
        1
    );
    assert_eq!(
        r(Slti {
            rd: 7,
            rs1: 5,
            imm: -1
        }),
        0
    );
    assert_eq!(
        result(
            Slti {
                rd: 7,
                rs1: 5,
                imm: 0
            },
            &[(5, 0x8000_0000)],
            7
        ),
        1
    );
    // The decoder sign-extends a 12-bit immediate.
    assert_eq!(
        Instruction::decode(0x80028393),
        Addi {
            rd: 7,
            rs1: 5,
            imm: -2048
        }
    );
}

#[test]
fn shifts_are_masked_to_five_bits() {
    let r = |insn, a, b| result(insn, &[(5, a), (6, b)], 7);
    let (rd, rs1, rs2) = (7, 5, 6);
    assert_eq!(r(Sll { rd, rs1, rs2 }, 1, 33), 2);
    assert_eq!(r(Sll { rd, rs1, rs2 }, 1, 32), 1);
    assert_eq!(r(Srl { rd, rs1, rs2 }, 0x8000_0000, 63), 1);
    assert_eq!(r(Sra { rd, rs1, rs2 }, 0x8000_0000, 63), u32::MAX);
    assert_eq!(r(Sra { rd, rs1, rs2 }, 0x8000_0000, 4), 0xf800_0000);
    assert_eq!(r(Srl { rd, rs1, rs2 }, 0x8000_0000, 4), 0x0800_0000);
    assert_eq!(r(Srai { rd, rs1, shamt: 31 }, 0x8000_0000, 0), u32::MAX);
    assert_eq!(r(Srli { rd, rs1, shamt: 31 }, 0x8000_0000, 0), 1);
    assert_eq!(r(Slli { rd, rs1, shamt: 31 }, 3, 0), 0x8000_0000);
}

#[test]
fn alu_register_ops() {
    let r = |insn, a, b| result(insn, &[(5, a), (6, b)], 7);
    let (rd, rs1, rs2) = (7, 5, 6);
    assert_eq!(r(Add { rd, rs1, rs2 }, u32::MAX, 2), 1);
    assert_eq!(r(Sub { rd, rs1, rs2 }, 1, 2), u32::MAX);
    assert_eq!(r(Slt { rd, rs1, rs2 }, 0x8000_0000, 0x7fff_ffff), 1);
    assert_eq!(r(Sltu { rd, rs1, rs2 }, 0x8000_0000, 0x7fff_ffff), 0);
    assert_eq!(r(Xor { rd, rs1, rs2 }, 0xff00, 0x0ff0), 0xf0f0);
    assert_eq!(r(Or { rd, rs1, rs2 }, 0xff00, 0x0ff0), 0xfff0);
    assert_eq!(r(And { rd, rs1, rs2 }, 0xff00, 0x0ff0), 0x0f00);
    // Same register as both operands.
    assert_eq!(
        result(
            Sub {
                rd: 5,
                rs1: 5,
                rs2: 5
            },
            &[(5, 9)],
            5
        ),
        0
    );
}

#[test]
fn multiplication_signs() {
    let r = |insn, a, b| result(insn, &[(5, a), (6, b)], 7);
    let (rd, rs1, rs2) = (7, 5, 6);
    let m1 = u32::MAX; // -1
    assert_eq!(r(Mul { rd, rs1, rs2 }, m1, m1), 1);
    assert_eq!(r(Mul { rd, rs1, rs2 }, 0x10000, 0x10000), 0);
    assert_eq!(r(Mulh { rd, rs1, rs2 }, m1, m1), 0); // (-1)(-1) = 1
    assert_eq!(r(Mulhu { rd, rs1, rs2 }, m1, m1), 0xffff_fffe);
    assert_eq!(r(Mulhsu { rd, rs1, rs2 }, m1, m1), m1); // -1 * (2^32-1) = -(2^32-1)
    assert_eq!(r(Mulhsu { rd, rs1, rs2 }, 1, m1), 0);
    assert_eq!(
        r(Mulh { rd, rs1, rs2 }, 0x8000_0000, 0x8000_0000),
        0x4000_0000
    );
    assert_eq!(
        r(Mulhu { rd, rs1, rs2 }, 0x8000_0000, 0x8000_0000),
        0x4000_0000
    );
    assert_eq!(
        r(Mulhsu { rd, rs1, rs2 }, 0x8000_0000, 0x8000_0000),
        0xc000_0000
    );
    assert_eq!(r(Mulh { rd, rs1, rs2 }, 0x8000_0000, 1), m1);
    assert_eq!(r(Mulhu { rd, rs1, rs2 }, 0x8000_0000, 1), 0);
}

#[test]
fn division_by_zero_and_overflow() {
    let r = |insn, a, b| result(insn, &[(5, a), (6, b)], 7);
    let (rd, rs1, rs2) = (7, 5, 6);
    let min = 0x8000_0000;
    let m1 = u32::MAX;
    assert_eq!(r(Div { rd, rs1, rs2 }, 7, 0), m1);
    assert_eq!(r(Divu { rd, rs1, rs2 }, 7, 0), 0xffff_ffff);
    assert_eq!(r(Rem { rd, rs1, rs2 }, 7, 0), 7);
    assert_eq!(r(Rem { rd, rs1, rs2 }, (-7i32) as u32, 0), (-7i32) as u32);
    assert_eq!(r(Remu { rd, rs1, rs2 }, 7, 0), 7);
    assert_eq!(r(Div { rd, rs1, rs2 }, min, m1), min);
    assert_eq!(r(Rem { rd, rs1, rs2 }, min, m1), 0);
    assert_eq!(r(Div { rd, rs1, rs2 }, (-7i32) as u32, 2), (-3i32) as u32);
    assert_eq!(r(Rem { rd, rs1, rs2 }, (-7i32) as u32, 2), m1);
    assert_eq!(r(Divu { rd, rs1, rs2 }, (-7i32) as u32, 2), 0x7fff_fffc);
    assert_eq!(r(Remu { rd, rs1, rs2 }, (-7i32) as u32, 2), 1);
}

#[test]
fn loads_sign_and_zero_extend() {
    // DATA holds f0 f1 f2 f3 f4 ...
    let r = |insn| result(insn, &[(5, DATA)], 7);
    let (rd, rs1) = (7, 5);
    assert_eq!(r(Lb { rd, rs1, imm: 1 }), 0xffff_fff1);
    assert_eq!(r(Lbu { rd, rs1, imm: 1 }), 0xf1);
    assert_eq!(r(Lh { rd, rs1, imm: 2 }), 0xffff_f3f2);
    assert_eq!(r(Lhu { rd, rs1, imm: 2 }), 0xf3f2);
    assert_eq!(r(Lw { rd, rs1, imm: 4 }), 0xf7f6_f5f4);
    assert_eq!(r(Lb { rd, rs1, imm: 16 }), 0);
    let (_, rec) = step(Lbu { rd, rs1, imm: 6 }, &[(5, DATA)]);
    let m = rec.memory.unwrap();
    assert_eq!(
        (m.kind, m.width, m.addr, m.word_addr, m.old, m.new),
        (
            AccessKind::Load,
            1,
            DATA + 6,
            DATA + 4,
            0xf7f6_f5f4,
            0xf7f6_f5f4
        )
    );
    // Negative offset.
    assert_eq!(result(Lbu { rd, rs1, imm: -1 }, &[(5, DATA + 1)], 7), 0xf0);
}

#[test]
fn stores_and_trace_words() {
    let (vm, rec) = step(
        Sb {
            rs1: 5,
            rs2: 6,
            imm: 5,
        },
        &[(5, DATA), (6, 0x1234_56aa)],
    );
    assert_eq!(vm.memory.load_u32(DATA + 4).unwrap(), 0xf7f6_aaf4);
    let m = rec.memory.unwrap();
    assert_eq!(
        (m.kind, m.word_addr, m.old, m.new),
        (AccessKind::Store, DATA + 4, 0xf7f6_f5f4, 0xf7f6_aaf4)
    );
    assert_eq!(
        (rec.rs1, rec.rs1_value, rec.rs2, rec.rs2_value),
        (5, DATA, 6, 0x1234_56aa)
    );
    assert_eq!(rec.rd, 0);
    let (vm, _) = step(
        Sh {
            rs1: 5,
            rs2: 6,
            imm: 2,
        },
        &[(5, DATA), (6, 0x1234_5678)],
    );
    assert_eq!(vm.memory.load_u32(DATA).unwrap(), 0x5678_f1f0);
    let (vm, _) = step(
        Sw {
            rs1: 5,
            rs2: 6,
            imm: -4,
        },
        &[(5, DATA + 8), (6, 0xdead_beef)],
    );
    assert_eq!(vm.memory.load_u32(DATA + 4).unwrap(), 0xdead_beef);
}

#[test]
fn memory_faults() {
    let e = fault(
        &[Lw {
            rd: 1,
            rs1: 5,
            imm: 2,
        }],
        &[(5, DATA)],
    );
    assert!(
        matches!(e, ExecutionError::Memory { at, source: MemoryError::Misaligned { addr, width: 4 } } if at.pc == CODE && addr == DATA + 2)
    );
    let e = fault(
        &[Sh {
            rs1: 5,
            rs2: 0,
            imm: 1,
        }],
        &[(5, DATA)],
    );
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::Misaligned { .. },
            ..
        }
    ));
    let e = fault(
        &[Lw {
            rd: 1,
            rs1: 5,
            imm: 0,
        }],
        &[(5, 1 << 24)],
    );
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::OutOfBounds { .. },
            ..
        }
    ));
    let e = fault(
        &[Sw {
            rs1: 5,
            rs2: 0,
            imm: -4,
        }],
        &[(5, 0)],
    );
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::OutOfBounds { .. },
            ..
        }
    ));
    // Stores into the (read+execute) text segment.
    let e = fault(
        &[Sw {
            rs1: 5,
            rs2: 0,
            imm: 0,
        }],
        &[(5, CODE)],
    );
    assert!(matches!(
        e,
        ExecutionError::Memory {
            source: MemoryError::ReadOnly { .. },
            ..
        }
    ));
    let msg = e.to_string();
    assert!(
        msg.contains("0x00010000") && msg.contains("sw zero, 0(t0)"),
        "{msg}"
    );
}

#[test]
fn illegal_and_unsupported_instructions() {
    let e = fault(&[Illegal { word: 0xffff_ffff }], &[]);
    assert!(matches!(e, ExecutionError::IllegalInstruction { at } if at.word == 0xffff_ffff));
    let e = fault(&[Ebreak], &[]);
    assert!(matches!(e, ExecutionError::UnsupportedInstruction { .. }));
    assert!(e.to_string().contains("ebreak"), "{e}");
    let e = fault(
        &[Csr {
            op: crate::decode::CsrOp::Rs,
            rd: 10,
            rs1: 0,
            csr: 0xc00,
        }],
        &[],
    );
    assert!(matches!(e, ExecutionError::UnsupportedInstruction { .. }));
    // FENCE and FENCE.I are no-ops.
    assert_eq!(step(Fence { pred: 15, succ: 15 }, &[]).0.pc, CODE + 4);
    assert_eq!(step(FenceI, &[]).0.pc, CODE + 4);
}

#[test]
fn falling_off_the_end_of_the_text() {
    let mut p = program(&[Addi {
        rd: 1,
        rs1: 0,
        imm: 1,
    }]);
    p.segments[0].data.truncate(4);
    p.segments[0].mem_size = 4;
    let mut v = Vm::new(&p, VmConfig::default()).unwrap();
    let e = v.run().unwrap_err();
    assert!(
        matches!(e, ExecutionError::PcOutOfProgram { at, target } if at.pc == CODE && target == CODE + 4)
    );
    assert_eq!(v.steps(), 1);
}

#[test]
fn step_limit() {
    let mut v = vm(&[Jal { rd: 0, imm: 0 }], &[]);
    v.config.max_steps = 1000;
    let e = v.run().unwrap_err();
    assert_eq!(
        e,
        ExecutionError::StepLimit {
            max_steps: 1000,
            pc: CODE
        }
    );
    assert_eq!(v.steps(), 1000);
    let mut v = vm(&[Jal { rd: 0, imm: 0 }], &[]);
    v.config.max_steps = 10;
    let blocks: Vec<_> = v.trace(4).collect();
    assert_eq!(blocks.len(), 4);
    assert_eq!(blocks[2].as_ref().unwrap().records.len(), 2);
    assert!(matches!(blocks[3], Err(ExecutionError::StepLimit { .. })));
}

fn exit_program(prefix: &[Instruction]) -> Vec<Instruction> {
    let mut v = prefix.to_vec();
    v.extend([
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ]);
    v
}

#[test]
fn ecalls() {
    // write(1, DATA, 3); write(2, DATA+3, 2); write(5, ..) -> EBADF; unknown -> ENOSYS;
    // read(0, DATA+16, 10) twice; read(3, ..); exit(0x1ff).
    let li = |rd: u8, imm: i32| Addi { rd, rs1: 0, imm };
    let prog = exit_program(&[
        li(10, 1),
        Lui { rd: 11, imm: DATA },
        li(12, 3),
        li(17, 64),
        Ecall,
        li(10, 2),
        Addi {
            rd: 11,
            rs1: 11,
            imm: 3,
        },
        li(12, 2),
        Ecall,
        Addi {
            rd: 20,
            rs1: 10,
            imm: 0,
        },
        li(10, 5),
        Ecall,
        Addi {
            rd: 21,
            rs1: 10,
            imm: 0,
        },
        li(17, 1000),
        Ecall,
        Addi {
            rd: 22,
            rs1: 10,
            imm: 0,
        },
        li(17, 63),
        li(10, 0),
        Lui { rd: 11, imm: DATA },
        Addi {
            rd: 11,
            rs1: 11,
            imm: 17,
        },
        li(12, 4),
        Ecall,
        Addi {
            rd: 23,
            rs1: 10,
            imm: 0,
        },
        li(10, 0),
        Ecall,
        Addi {
            rd: 24,
            rs1: 10,
            imm: 0,
        },
        li(10, 3),
        Ecall,
        Addi {
            rd: 25,
            rs1: 10,
            imm: 0,
        },
        li(10, 0),
        Ecall,
        Addi {
            rd: 26,
            rs1: 10,
            imm: 0,
        },
        li(10, 0x1ff),
    ]);
    let run = |trace: bool| {
        let mut v = vm(&prog, &[]);
        v.set_public_input(b"abcdef".to_vec());
        v.set_private_input(b"Z".to_vec());
        let mut events = Vec::new();
        let exit = if trace {
            for b in v.trace(7) {
                for r in b.unwrap().records {
                    if let Some(e) = r.event {
                        events.push((r.rd, r.rd_value, *e));
                    }
                }
            }
            v.exit().unwrap()
        } else {
            v.run().unwrap()
        };
        (v, exit, events)
    };
    let (fast, exit, _) = run(false);
    let (traced, exit2, events) = run(true);
    assert_eq!(exit, exit2);
    assert_eq!(fast.regs, traced.regs);
    assert_eq!(exit.code, 0x1ff);
    assert_eq!(exit.status(), 0xff);
    assert_eq!(fast.public_output(), &[0xf0, 0xf1, 0xf2]);
    assert_eq!(fast.debug_output(), &[0xf3, 0xf4]);
    let r = &fast.regs;
    assert_eq!(r[20], 2);
    assert_eq!(r[21], crate::ecall::EBADF);
    assert_eq!(r[22], crate::ecall::ENOSYS);
    assert_eq!((r[23], r[24], r[25], r[26]), (4, 2, 1, 0));
    assert_eq!(fast.memory.slice(DATA + 16, 8).unwrap(), b"\0Zfcd\0\0\0");
    assert_eq!(events.len(), 9);
    let StepEvent::Ecall(read) = &events[4].2 else {
        panic!()
    };
    assert_eq!(events[4].0, 10);
    match &read.kind {
        EcallKind::Read { fd, data, words } => {
            assert_eq!((*fd, data.as_slice()), (0, &b"abcd"[..]));
            assert_eq!(words.len(), 2);
            assert_eq!(words[0].addr, DATA + 16);
            assert_eq!(words[0].new, u32::from_le_bytes(*b"\0abc"));
        }
        k => panic!("{k:?}"),
    }
    let StepEvent::Ecall(exit_ev) = &events[8].2 else {
        panic!()
    };
    assert_eq!(exit_ev.kind, EcallKind::Exit { code: 0x1ff });
    // Running again after exit returns the same exit.
    let mut again = fast.clone();
    assert_eq!(again.run().unwrap(), exit);
}

#[test]
fn ecall_buffer_out_of_bounds() {
    let prog = exit_program(&[
        Addi {
            rd: 10,
            rs1: 0,
            imm: 1,
        },
        Lui {
            rd: 11,
            imm: 0x00fff000,
        },
        Lui {
            rd: 12,
            imm: 0x2000,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 64,
        },
        Ecall,
    ]);
    let e = fault(&prog, &[]);
    assert!(
        matches!(e, ExecutionError::Memory { source: MemoryError::OutOfBounds { .. }, at } if at.word == 0x73)
    );
    // A read into the text segment.
    let prog = exit_program(&[
        Lui { rd: 11, imm: CODE },
        Addi {
            rd: 12,
            rs1: 0,
            imm: 4,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 63,
        },
        Ecall,
    ]);
    let mut v = vm(&prog, &[]);
    v.set_public_input(vec![1, 2, 3]);
    assert!(matches!(
        v.run(),
        Err(ExecutionError::Memory {
            source: MemoryError::ReadOnly { .. },
            ..
        })
    ));
}

struct Adder;

impl Coprocessor for Adder {
    fn id(&self) -> u32 {
        7
    }
    fn name(&self) -> &str {
        "adder"
    }
    fn funct(&self) -> (u8, u8) {
        (3, 1)
    }
    /// mem[rs2] = mem[rs1] + mem[rs1 + 4]; returns 1.
    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn crate::GuestMemory,
    ) -> Result<u32, crate::CoprocessorError> {
        let a = memory.read_word(rs1)?;
        let b = memory.read_word(rs1.wrapping_add(4))?;
        memory.write_word(rs2, a.wrapping_add(b))?;
        Ok(1)
    }
}

#[test]
fn coprocessors() {
    let call = Custom0 {
        rd: 7,
        rs1: 5,
        rs2: 6,
        funct3: 1,
        funct7: 3,
    };
    let e = fault(&[call], &[]);
    assert!(matches!(
        e,
        ExecutionError::UnknownCoprocessor {
            funct7: 3,
            funct3: 1,
            ..
        }
    ));
    assert!(e.to_string().contains("funct7=0x3"));

    let mut v = vm(&[call], &[(5, DATA), (6, DATA + 8)]);
    v.register_coprocessor(Arc::new(Adder)).unwrap();
    assert!(matches!(
        v.register_coprocessor(Arc::new(Adder)),
        Err(RegistryError::SelectorTaken { .. })
    ));
    let mut fast = v.clone();
    fast.config.max_steps = 1;
    let _ = fast.run();
    let rec = v.trace(1).next().unwrap().unwrap().records.remove(0);
    assert_eq!(fast.regs, v.regs);
    assert_eq!(v.regs[7], 1);
    let sum = 0xf3f2_f1f0u32.wrapping_add(0xf7f6_f5f4);
    assert_eq!(v.memory.load_u32(DATA + 8).unwrap(), sum);
    assert_eq!(fast.memory.load_u32(DATA + 8).unwrap(), sum);
    let Some(ev) = rec.event.as_deref() else {
        panic!("no event")
    };
    let StepEvent::Coprocessor(ev) = ev else {
        panic!("{ev:?}")
    };
    assert_eq!((ev.id, ev.name.as_str(), ev.status), (7, "adder", 1));
    assert_eq!(ev.reads.len(), 2);
    assert_eq!(ev.writes[0].new, sum);
    assert_eq!(ev.writes[0].old, 0xfbfa_f9f8);

    // A coprocessor fault (writing into the text) is an error naming it.
    let mut v = vm(&[call], &[(5, DATA), (6, CODE)]);
    v.register_coprocessor(Arc::new(Adder)).unwrap();
    let e = v.run().unwrap_err();
    assert!(matches!(e, ExecutionError::Coprocessor { ref name, .. } if name == "adder"));
}

#[test]
fn trace_blocks_cover_execution() {
    let mut insns: Vec<Instruction> = (0..10)
        .map(|i| Addi {
            rd: 5,
            rs1: 5,
            imm: i,
        })
        .collect();
    insns = exit_program(&insns);
    let mut v = vm(&insns, &[]);
    let blocks: Vec<Block> = v.trace(4).map(|b| b.unwrap()).collect();
    let sizes: Vec<usize> = blocks.iter().map(|b| b.records.len()).collect();
    assert_eq!(sizes, vec![4, 4, 4]);
    let all: Vec<&StepRecord> = blocks.iter().flat_map(|b| &b.records).collect();
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.step, i as u64);
        assert_eq!(r.pc, CODE + 4 * i as u32);
    }
    assert_eq!(all[11].next_pc, all[11].pc);
    assert_eq!(v.exit().unwrap().steps, 12);
    assert_eq!(v.regs[5], 45);
    assert!(v.trace(4).next().is_none());
}

#[test]
fn run_for_in_slices_and_take_output() {
    let li = |rd: u8, imm: i32| Addi { rd, rs1: 0, imm };
    let prog = exit_program(&[
        li(10, 1),
        Lui { rd: 11, imm: DATA },
        li(12, 2),
        li(17, 64),
        Ecall,
        Ecall,
        li(10, 0),
    ]);
    let mut v = vm(&prog, &[]);
    let mut slices = 0;
    let mut out = Vec::new();
    let exit = loop {
        slices += 1;
        let r = v.run_for(3).unwrap();
        out.extend(v.take_public_output());
        if let Some(exit) = r {
            break exit;
        }
    };
    assert_eq!(slices, 3);
    assert_eq!(exit.steps, 9);
    // The second write goes to fd 2: a0 holds the first write's return value (2).
    assert_eq!(out, [0xf0, 0xf1]);
    assert!(v.public_output().is_empty());
    assert_eq!(v.take_debug_output(), [0xf0, 0xf1]);
}

#[test]
fn vm_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Vm>();
    assert_send_sync::<crate::Program>();
}

#[test]
fn faulting_instruction_is_not_in_the_trace() {
    let mut v = vm(
        &[
            Addi {
                rd: 1,
                rs1: 0,
                imm: 1,
            },
            Illegal { word: 0 },
        ],
        &[],
    );
    let items: Vec<_> = v.trace(16).collect();
    assert_eq!(items.len(), 2);
    let block = items[0].as_ref().unwrap();
    assert_eq!(block.records.len(), 1);
    assert_eq!(block.records[0].pc, CODE);
    assert!(matches!(
        items[1],
        Err(ExecutionError::IllegalInstruction { .. })
    ));
    assert_eq!(v.steps(), 1);
}
