//! The guest SDK's SHA-256 coprocessor call: `guest/copro/sha256_copro.elf` (the software
//! `sha256` example's driver with `canopy_sha256_compress` doing the blocks) prints the same
//! digest as the software example and as the `sha2` crate, in far fewer instructions; without
//! the built-ins registered it stops with a clear error.

use std::sync::Arc;

use canopy_coprocessors::builtins;
use canopy_vm::{Coprocessor, Program, Vm, VmConfig};
use sha2::{Digest, Sha256};

fn guest(path: &str) -> Program {
    let p = format!("{}/../guest/{path}", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    Program::from_elf(&elf, 1 << 24).unwrap()
}

/// Runs `program` on `input`; returns (stdout, instructions).
fn run(program: &Program, input: &[u8], with_builtins: bool) -> Result<(Vec<u8>, u64), String> {
    let mut vm = Vm::new(program, VmConfig::default()).map_err(|e| e.to_string())?;
    if with_builtins {
        for c in builtins() {
            let c: Arc<dyn Coprocessor> = c;
            vm.register_coprocessor(c).map_err(|e| e.to_string())?;
        }
    }
    vm.set_public_input(input.to_vec());
    let exit = vm.run().map_err(|e| e.to_string())?;
    assert_eq!(exit.code, 0);
    Ok((vm.public_output().to_vec(), exit.steps))
}

fn hex_digest(input: &[u8]) -> Vec<u8> {
    let d = Sha256::digest(input);
    let mut s: String = d.iter().map(|b| format!("{b:02x}")).collect();
    s.push('\n');
    s.into_bytes()
}

#[test]
fn sha256_copro_prints_the_software_digest() {
    let copro = guest("copro/sha256_copro.elf");
    let soft = guest("examples/sha256.elf");
    let dir = format!("{}/../guest/examples", env!("CARGO_MANIFEST_DIR"));
    let input = std::fs::read(format!("{dir}/sha256.in")).unwrap();
    let expected = std::fs::read(format!("{dir}/sha256.out")).unwrap();
    let (out, n_copro) = run(&copro, &input, true).unwrap();
    assert_eq!(out, expected);
    let (_, n_soft) = run(&soft, &input, false).unwrap();
    println!(
        "sha256 of {} bytes: {n_soft} instructions in software, {n_copro} with the coprocessor",
        input.len()
    );
    assert!(n_copro * 4 < n_soft, "{n_copro} vs {n_soft}");
    // padding edge cases and several blocks
    for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 5000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
        let (out, _) = run(&copro, &data, true).unwrap();
        assert_eq!(out, hex_digest(&data), "length {len}");
    }
}

#[test]
fn sha256_copro_needs_the_builtins() {
    let copro = guest("copro/sha256_copro.elf");
    let err = run(&copro, b"abc", false).unwrap_err();
    assert!(err.contains("funct7=0x1"), "{err}");
}
