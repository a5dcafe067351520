//! The guest SDK's Schnorr call: `guest/copro/schnorr.elf` reads (P, R, s, m) as 128 bytes of
//! public input, calls the Schnorr built-in and prints `valid` or `invalid`; the coprocessor
//! step of each run satisfies its circuit. Also the generator of the example input
//! `guest/copro/schnorr.in` (rewrite it with `CANOPY_WRITE_VECTORS=1`).
mod common;

use std::sync::Arc;

use ark_ff::PrimeField;
use ark_grumpkin::{Fq, Fr};
use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::coprocessor::CoprocessorCircuit;
use canopy_circuit::params::BlockParams;
use canopy_circuit::ProvableCoprocessor;
use canopy_coprocessors::builtins;
use canopy_coprocessors::schnorr::{SchnorrInput, SchnorrVerify};
use canopy_folding::F1;
use canopy_vm::{Coprocessor, Program, Vm, VmConfig};
use common::run_step;

/// Guest memory: the guest's image and stack fit in 1 MiB, which keeps the memory argument
/// (and so the step circuit) small.
const MEM: u64 = 1 << 20;

fn guest() -> Program {
    let p = format!("{}/../guest/copro/schnorr.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    Program::from_elf(&elf, MEM).unwrap()
}

fn input_path() -> String {
    format!("{}/../guest/copro/schnorr.in", env!("CARGO_MANIFEST_DIR"))
}

/// The example: fixed secret key, nonce and message digest derived from labels (no RNG, so
/// the bytes never change with a dependency).
fn example() -> SchnorrInput {
    let secret = Fr::from_le_bytes_mod_order(b"canopy schnorr example secret key");
    let nonce = Fr::from_le_bytes_mod_order(b"canopy schnorr example nonce (never reuse)");
    let message = Fq::from_le_bytes_mod_order(b"canopy schnorr example message digest");
    SchnorrVerify::new()
        .sign(secret, nonce, message)
        .expect("nonzero secret and nonce")
}

fn vm(input: &[u8], with_builtins: bool) -> Result<Vm, String> {
    let mut vm = Vm::new(
        &guest(),
        VmConfig {
            memory_size: MEM,
            ..VmConfig::default()
        },
    )
    .map_err(|e| e.to_string())?;
    if with_builtins {
        for c in builtins() {
            let c: Arc<dyn Coprocessor> = c;
            vm.register_coprocessor(c).map_err(|e| e.to_string())?;
        }
    }
    vm.set_public_input(input.to_vec());
    Ok(vm)
}

/// Runs the guest; returns (stdout, exit code).
fn run(input: &[u8], with_builtins: bool) -> Result<(String, u32), String> {
    let mut vm = vm(input, with_builtins)?;
    let exit = vm.run().map_err(|e| e.to_string())?;
    let out = String::from_utf8(vm.public_output().to_vec()).map_err(|e| e.to_string())?;
    Ok((out, exit.code))
}

/// The tampered example: m + 1 (still canonical), so the signature is wrong.
fn tampered() -> Vec<u8> {
    let mut bad = example();
    bad.message += Fq::from(1u64);
    bad.to_bytes().unwrap().to_vec()
}

#[test]
fn example_input_file_is_the_generated_vector() {
    let bytes = example().to_bytes().unwrap();
    if std::env::var("CANOPY_WRITE_VECTORS").as_deref() == Ok("1") {
        std::fs::write(input_path(), bytes).unwrap();
    }
    let file = std::fs::read(input_path()).unwrap();
    assert_eq!(file, bytes, "regenerate with CANOPY_WRITE_VECTORS=1");
    assert!(SchnorrVerify::new().verify(&example()));
}

#[test]
fn guest_prints_valid_and_invalid() {
    let good = std::fs::read(input_path()).unwrap();
    assert_eq!(run(&good, true).unwrap(), ("valid\n".into(), 0));
    assert_eq!(run(&tampered(), true).unwrap(), ("invalid\n".into(), 0));
    // a malformed input (P.x = 2^254 − 1 ≥ p) faults the VM
    let mut malformed = good.clone();
    malformed[..32].fill(0xff);
    malformed[31] = 0x3f;
    let err = run(&malformed, true).unwrap_err();
    assert!(err.contains("schnorr"), "{err}");
    // the wrong length is the guest's own error
    assert_eq!(run(&good[..100], true).unwrap().1, 1);
    // without the built-ins the call is a clear error
    let err = run(&good, false).unwrap_err();
    assert!(err.contains("funct7=0x1"), "{err}");
}

#[test]
fn guest_coprocessor_step_satisfies_its_circuit() {
    let circuits: Vec<Arc<dyn CoprocessorCircuit>> = builtins()
        .into_iter()
        .map(|b: Arc<dyn ProvableCoprocessor>| b as Arc<dyn CoprocessorCircuit>)
        .collect();
    let params = BlockParams::new(common::K, MEM)
        .unwrap()
        .with_coprocessors(circuits)
        .unwrap();
    let program = guest();
    for (input, expected) in [
        (example().to_bytes().unwrap().to_vec(), "valid\n"),
        (tampered(), "invalid\n"),
    ] {
        let mut vm = vm(&input, true).unwrap();
        let mut gen = BlockWitnessGen::new(
            &params,
            &program,
            F1::from(7u64),
            Some(canopy_circuit::memcheck::Challenges::from_seed(7)),
        )
        .unwrap();
        let mut copro = Vec::new();
        let mut keep = |s: StepWitness| {
            if matches!(s, StepWitness::Coprocessor(_)) {
                copro.push(s);
            }
        };
        for b in vm.trace(common::K) {
            for r in &b.unwrap().records {
                gen.push_record(r).unwrap();
                while let Some(s) = gen.next_step() {
                    keep(s);
                }
            }
        }
        gen.finish().unwrap();
        while let Some(s) = gen.next_step() {
            keep(s);
        }
        assert_eq!(String::from_utf8_lossy(vm.public_output()), expected);
        assert_eq!(copro.len(), 1, "one coprocessor call");
        let (ok, n, same) = run_step(&params, &copro[0]);
        assert!(ok && same, "{expected}");
        println!("schnorr guest step (1 MiB memory): {n} constraints");
    }
}
