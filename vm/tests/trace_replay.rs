//! The trace is complete: replaying only the records (register writes, memory word writes,
//! ecall and coprocessor events) on a shadow register file and shadow memory reproduces the
//! VM's final state, and every value a record claims to have read matches the shadow state.

mod common;

use std::sync::Arc;

use canopy_vm::{
    Coprocessor, CoprocessorError, EcallKind, GuestMemory, Instruction, StepEvent, Vm, VmConfig,
};
use common::*;

struct Shadow {
    regs: [u32; 32],
    mem: Vec<u8>,
    pc: u32,
    steps: u64,
}

impl Shadow {
    fn word(&self, addr: u32) -> u32 {
        let a = addr as usize;
        u32::from_le_bytes(self.mem[a..a + 4].try_into().unwrap())
    }
    fn set_word(&mut self, addr: u32, old: u32, new: u32) {
        assert_eq!(addr % 4, 0);
        assert_eq!(self.word(addr), old, "old value of word {addr:#x}");
        self.mem[addr as usize..addr as usize + 4].copy_from_slice(&new.to_le_bytes());
    }
}

/// Traces `vm` with blocks of `k`, replays the records, and compares with the final state.
fn replay(mut vm: Vm, k: usize) -> u64 {
    let mut s = Shadow {
        regs: *vm.registers(),
        mem: vm.memory().as_bytes().to_vec(),
        pc: vm.pc(),
        steps: 0,
    };
    let mut blocks = 0;
    for block in vm.trace(k) {
        let block = block.expect("guest runs");
        blocks += 1;
        assert!(block.records.len() <= k);
        for r in &block.records {
            assert_eq!(r.step, s.steps);
            assert_eq!(r.pc, s.pc, "step {}", r.step);
            assert_eq!(r.word, s.word(r.pc), "step {}", r.step);
            let insn = Instruction::decode(r.word);
            assert_eq!(insn.source_registers(), (r.rs1, r.rs2));
            assert_eq!(
                r.rs1_value, s.regs[r.rs1 as usize],
                "step {} {insn}",
                r.step
            );
            assert_eq!(
                r.rs2_value, s.regs[r.rs2 as usize],
                "step {} {insn}",
                r.step
            );
            if let Some(m) = r.memory {
                assert_eq!(m.word_addr, m.addr & !3);
                s.set_word(m.word_addr, m.old, m.new);
            }
            match r.event.as_deref() {
                Some(StepEvent::Ecall(e)) => {
                    assert_eq!(e.syscall, s.regs[17]);
                    assert_eq!(e.args, [s.regs[10], s.regs[11], s.regs[12]]);
                    if let EcallKind::Read { words, .. } = &e.kind {
                        for w in words {
                            s.set_word(w.addr, w.old, w.new);
                        }
                    }
                }
                Some(StepEvent::Coprocessor(c)) => {
                    for w in &c.reads {
                        assert_eq!(s.word(w.addr), w.value);
                    }
                    for w in &c.writes {
                        s.set_word(w.addr, w.old, w.new);
                    }
                }
                None => {}
            }
            if r.rd != 0 {
                s.regs[r.rd as usize] = r.rd_value;
            } else {
                assert_eq!(r.rd_value, 0);
            }
            s.pc = r.next_pc;
            s.steps += 1;
        }
    }
    let exit = vm.exit().expect("guest exited");
    assert_eq!(exit.steps, s.steps);
    assert_eq!(&s.regs, vm.registers());
    assert_eq!(s.pc, vm.pc());
    assert!(s.mem == vm.memory().as_bytes(), "shadow memory differs");
    assert_eq!(blocks as u64, s.steps.div_ceil(k as u64));
    s.steps
}

#[test]
fn examples_replay_exactly() {
    let dir = examples_dir();
    let mut any = false;
    for name in ["hello", "fib", "sort", "sha256", "loop"] {
        let Ok(elf) = std::fs::read(dir.join(format!("{name}.elf"))) else {
            continue;
        };
        any = true;
        let input = std::fs::read(dir.join(format!("{name}.in"))).unwrap_or_default();
        for k in [1, 7, 16] {
            let mut vm = Vm::from_elf(&elf, VmConfig::default()).unwrap();
            vm.set_public_input(input.clone());
            let steps = replay(vm, k);
            eprintln!("{name}: {steps} steps replayed with K={k}");
        }
    }
    if !any {
        eprintln!("note: no example ELFs found");
    }
}

/// `mem[rs2..rs2+8] = mem[rs1..rs1+8] with bytes reversed`; returns 8.
struct Reverse8;

impl Coprocessor for Reverse8 {
    fn id(&self) -> u32 {
        1
    }
    fn name(&self) -> &str {
        "reverse8"
    }
    fn funct(&self) -> (u8, u8) {
        (0, 0)
    }
    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        m: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let mut buf = [0u8; 8];
        m.read_bytes(rs1, &mut buf)?;
        buf.reverse();
        m.write_bytes(rs2, &buf)?;
        Ok(8)
    }
}

#[test]
fn coprocessor_and_read_events_replay_exactly() {
    use Instruction::*;
    let data = 0x20000u32;
    let code = [
        // read(0, data + 1, 6)
        Addi {
            rd: 10,
            rs1: 0,
            imm: 0,
        },
        Lui { rd: 11, imm: data },
        Addi {
            rd: 11,
            rs1: 11,
            imm: 1,
        },
        Addi {
            rd: 12,
            rs1: 0,
            imm: 6,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 63,
        },
        Ecall,
        // reverse8(data, data + 10) -> t0
        Lui { rd: 6, imm: data },
        Addi {
            rd: 7,
            rs1: 6,
            imm: 10,
        },
        Custom0 {
            rd: 5,
            rs1: 6,
            rs2: 7,
            funct3: 0,
            funct7: 0,
        },
        Addi {
            rd: 10,
            rs1: 5,
            imm: 0,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ];
    let words: Vec<u32> = code.iter().map(|i| i.encode()).collect();
    let elf = ElfSpec::rv32(&words, data, vec![0xaa; 32], 64).to_bytes();
    let mut vm = Vm::from_elf(&elf, VmConfig::default()).unwrap();
    vm.set_public_input(b"abcdefgh".to_vec());
    vm.register_coprocessor(Arc::new(Reverse8)).unwrap();
    let mut check = vm.clone();
    assert_eq!(replay(vm, 5), 12);
    assert_eq!(check.run().unwrap().code, 8);
    assert_eq!(
        check.memory().slice(data + 10, 8).unwrap(),
        b"\xaafedcba\xaa"
    );
}
