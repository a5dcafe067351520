//! Helpers shared by the root crate's integration tests and the CLI's tests (included with
//! `#[path]`): tiny hand-assembled guests that run in a few dozen rows, so that proving them
//! takes seconds, and the paths of the SDK's examples.
#![allow(dead_code)]

use std::path::PathBuf;

use canopy::vm::Instruction::{self, *};

/// `guest/examples/<name>.elf`.
pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(if env!("CARGO_MANIFEST_DIR").ends_with("cli") {
            "../guest/examples"
        } else {
            "guest/examples"
        })
        .join(format!("{name}.elf"))
}

/// Base of the code segment (R+X).
const TEXT: u32 = 0x1_0000;
/// Base of the data segment (R+W, zero-filled, 4 KiB).
const DATA: u32 = 0x2_0000;

/// An ELF32 RISC-V executable with the code at 0x10000 (R+X) and a 4 KiB zero-filled
/// writable page at 0x20000 (R+W).
pub fn elf(code: &[Instruction]) -> Vec<u8> {
    let text: Vec<u8> = code.iter().flat_map(|i| i.encode().to_le_bytes()).collect();
    let mut out = vec![0u8; 0x1000];
    let put16 = |o: &mut [u8], at: usize, v: u16| o[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |o: &mut [u8], at: usize, v: u32| o[at..at + 4].copy_from_slice(&v.to_le_bytes());
    out[0..4].copy_from_slice(b"\x7fELF");
    out[4] = 1; // ELFCLASS32
    out[5] = 1; // little-endian
    out[6] = 1; // version
    put16(&mut out, 16, 2); // ET_EXEC
    put16(&mut out, 18, 243); // EM_RISCV
    put32(&mut out, 20, 1);
    put32(&mut out, 24, TEXT); // entry
    put32(&mut out, 28, 52); // phoff
    put16(&mut out, 40, 52); // ehsize
    put16(&mut out, 42, 32); // phentsize
    put16(&mut out, 44, 2); // phnum
    put16(&mut out, 46, 40); // shentsize
                             // code: PT_LOAD, offset 0x1000, R+X
    let ph = 52;
    put32(&mut out, ph, 1);
    put32(&mut out, ph + 4, 0x1000);
    put32(&mut out, ph + 8, TEXT);
    put32(&mut out, ph + 12, TEXT);
    put32(&mut out, ph + 16, text.len() as u32);
    put32(&mut out, ph + 20, text.len() as u32);
    put32(&mut out, ph + 24, 5);
    put32(&mut out, ph + 28, 0x1000);
    // data: PT_LOAD, no file bytes, 4 KiB, R+W
    let ph = 52 + 32;
    put32(&mut out, ph, 1);
    put32(&mut out, ph + 4, 0x1000);
    put32(&mut out, ph + 8, DATA);
    put32(&mut out, ph + 12, DATA);
    put32(&mut out, ph + 16, 0);
    put32(&mut out, ph + 20, 0x1000);
    put32(&mut out, ph + 24, 6);
    put32(&mut out, ph + 28, 0x1000);
    out.extend(text);
    out
}

/// A guest that reads up to `read_len` bytes of public input into its data page, writes what
/// it read to the public output, and exits with `40 + bytes read`. About 12 instructions plus
/// one row per byte moved.
pub fn echo_elf(read_len: i32) -> Vec<u8> {
    const A0: u8 = 10;
    const A1: u8 = 11;
    const A2: u8 = 12;
    const A7: u8 = 17;
    elf(&[
        Lui { rd: A1, imm: DATA },
        Addi {
            rd: A0,
            rs1: 0,
            imm: 0,
        },
        Addi {
            rd: A2,
            rs1: 0,
            imm: read_len,
        },
        Addi {
            rd: A7,
            rs1: 0,
            imm: 63,
        },
        Ecall, // a0 = read(0, buf, read_len)
        Addi {
            rd: A2,
            rs1: A0,
            imm: 0,
        },
        Addi {
            rd: A0,
            rs1: 0,
            imm: 1,
        },
        Addi {
            rd: A7,
            rs1: 0,
            imm: 64,
        },
        Ecall, // write(1, buf, n)
        Addi {
            rd: A0,
            rs1: A2,
            imm: 40,
        },
        Addi {
            rd: A7,
            rs1: 0,
            imm: 93,
        },
        Ecall, // exit(40 + n)
    ])
}
