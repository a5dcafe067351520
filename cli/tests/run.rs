//! End-to-end tests of `canopy run`: outputs, exit codes, errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use canopy::vm::Instruction::{self, *};

fn canopy() -> Command {
    Command::new(env!("CARGO_BIN_EXE_canopy"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/examples")
}

/// A one-segment (RX at 0x10000) ELF32 RISC-V executable.
fn tiny_elf(code: &[Instruction]) -> Vec<u8> {
    let text: Vec<u8> = code.iter().flat_map(|i| i.encode().to_le_bytes()).collect();
    let mut out = vec![0u8; 0x1000];
    out[0..4].copy_from_slice(b"\x7fELF");
    out[4] = 1;
    out[5] = 1;
    out[6] = 1;
    let put16 =
        |o: &mut Vec<u8>, at: usize, v: u16| o[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |o: &mut Vec<u8>, at: usize, v: u32| o[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut out, 16, 2);
    put16(&mut out, 18, 243);
    put32(&mut out, 20, 1);
    put32(&mut out, 24, 0x10000);
    put32(&mut out, 28, 52);
    put16(&mut out, 40, 52);
    put16(&mut out, 42, 32);
    put16(&mut out, 44, 1);
    put16(&mut out, 46, 40);
    let ph = 52;
    put32(&mut out, ph, 1);
    put32(&mut out, ph + 4, 0x1000);
    put32(&mut out, ph + 8, 0x10000);
    put32(&mut out, ph + 12, 0x10000);
    put32(&mut out, ph + 16, text.len() as u32);
    put32(&mut out, ph + 20, text.len() as u32);
    put32(&mut out, ph + 24, 5);
    put32(&mut out, ph + 28, 0x1000);
    out.extend(text);
    out
}

fn run_elf(dir: &Path, name: &str, elf: &[u8], args: &[&str]) -> Output {
    let path = dir.join(name);
    std::fs::write(&path, elf).unwrap();
    canopy().arg("run").arg(&path).args(args).output().unwrap()
}

#[test]
fn runs_examples_with_expected_output() {
    for name in ["hello", "fib", "sort"] {
        let elf = examples().join(format!("{name}.elf"));
        if !elf.exists() {
            eprintln!("note: {} missing", elf.display());
            continue;
        }
        let out = canopy()
            .arg("run")
            .arg(&elf)
            .arg("--input")
            .arg(examples().join(format!("{name}.in")))
            .output()
            .unwrap();
        let expected = std::fs::read(examples().join(format!("{name}.out"))).unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
    }
}

#[test]
fn guest_exit_code_and_debug_log() {
    let dir = tempfile::tempdir().unwrap();
    // write(2, 0x10000, 4); exit(0x12a) -> status 0x2a.
    let elf = tiny_elf(&[
        Addi {
            rd: 10,
            rs1: 0,
            imm: 2,
        },
        Lui {
            rd: 11,
            imm: 0x10000,
        },
        Addi {
            rd: 12,
            rs1: 0,
            imm: 4,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 64,
        },
        Ecall,
        Addi {
            rd: 10,
            rs1: 0,
            imm: 0x12a,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ]);
    let out = run_elf(dir.path(), "exit.elf", &elf, &["--stats"]);
    assert_eq!(out.status.code(), Some(0x2a));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("instructions"), "{stderr}");
    assert!(out.stderr.starts_with(&elf[0x1000..0x1004]), "{stderr}");
}

#[test]
fn guest_fault_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let elf = tiny_elf(&[
        Addi {
            rd: 1,
            rs1: 0,
            imm: 1,
        },
        Ebreak,
    ]);
    let out = run_elf(dir.path(), "fault.elf", &elf, &[]);
    assert_eq!(out.status.code(), Some(134));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0x00010004") && stderr.contains("ebreak"),
        "{stderr}"
    );
}

#[test]
fn step_limit_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let elf = tiny_elf(&[Jal { rd: 0, imm: 0 }]);
    let out = run_elf(dir.path(), "spin.elf", &elf, &["--max-steps", "1000"]);
    assert_eq!(out.status.code(), Some(124));
    assert!(String::from_utf8_lossy(&out.stderr).contains("step limit of 1000"));
}

#[test]
fn load_errors_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_elf(dir.path(), "garbage.elf", b"not an elf", &[]);
    assert_eq!(out.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&out.stderr).contains("malformed ELF"));
    let elf = tiny_elf(&[Ecall]);
    let out = run_elf(dir.path(), "ok.elf", &elf, &["--memory-size", "5000"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&out.stderr).contains("power of two"));
    let out = canopy()
        .args(["run", "/nonexistent/x.elf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    let out = canopy().args(["run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
