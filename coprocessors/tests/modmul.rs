//! 256-bit modular multiplication: native == big-integer reference, circuit == native,
//! m = 0 rejected, lies rejected.
mod common;

use std::sync::Arc;

use canopy_circuit::block::StepWitness;
use canopy_coprocessors::modmul::{mod_mul, ModMul256};
use canopy_vm::error::CoprocessorError;
use canopy_vm::Coprocessor;
use common::*;
use num_bigint::BigUint;
use proptest::prelude::*;

fn words_of(x: u128) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (i, o) in w.iter_mut().take(4).enumerate() {
        *o = (x >> (32 * i)) as u32;
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn native_matches_u128_for_64_bit_operands(a: u64, b: u64, m in 1u64..) {
        let want = (a as u128 * b as u128) % m as u128;
        let got = mod_mul(&words_of(a as u128), &words_of(b as u128), &words_of(m as u128)).unwrap();
        prop_assert_eq!(got, words_of(want));
    }

    #[test]
    fn native_matches_bigint_identity(a: [u32; 8], b: [u32; 8], m: [u32; 8]) {
        prop_assume!(m.iter().any(|&w| w != 0));
        let r = mod_mul(&a, &b, &m).unwrap();
        let (a, b, m, r) = (
            BigUint::from_slice(&a), BigUint::from_slice(&b),
            BigUint::from_slice(&m), BigUint::from_slice(&r),
        );
        // r < m and m | a·b − r
        prop_assert!(r < m);
        prop_assert_eq!((a * b - &r) % &m, BigUint::ZERO);
    }
}

fn cases() -> Vec<[u32; 24]> {
    let mut rng = Rng(21);
    let mut out = Vec::new();
    for _ in 0..3 {
        out.push(rng.words::<24>());
    }
    // small modulus (q uses all 512 bits), m = 1, a = b = m − 1 = 2^256 − 2, m = 2^256 − 1
    let mut small = rng.words::<24>();
    small[16..24].copy_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0]);
    out.push(small);
    let mut one = rng.words::<24>();
    one[16..24].copy_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
    out.push(one);
    let mut max = [u32::MAX; 24];
    max[0] = u32::MAX - 1;
    max[8] = u32::MAX - 1;
    out.push(max);
    out
}

fn split(w: &[u32; 24]) -> ([u32; 8], [u32; 8], [u32; 8]) {
    let f = |k: usize| -> [u32; 8] { w[8 * k..8 * k + 8].try_into().unwrap() };
    (f(0), f(1), f(2))
}

#[test]
fn native_execute_and_zero_modulus() {
    for c in cases() {
        let (a, b, m) = split(&c);
        let mut mem = MapMem::default();
        mem.put(0x100, &c);
        assert_eq!(ModMul256.execute(0x100, 0x400, &mut mem).unwrap(), 0);
        assert_eq!(mem.get(0x400, 8), mod_mul(&a, &b, &m).unwrap());
    }
    let mut mem = MapMem::default();
    mem.put(0x100, &[5; 16]);
    let err = ModMul256.execute(0x100, 0x400, &mut mem).unwrap_err();
    assert!(
        matches!(err, CoprocessorError::InvalidArguments(_)),
        "{err}"
    );
    assert!(mem.get(0x400, 8).iter().all(|&w| w == 0), "nothing written");
}

#[test]
fn circuit_matches_native() {
    for c in cases() {
        let (a, b, m) = split(&c);
        let d = synth(&ModMul256, &c, None);
        assert!(d.satisfied, "{c:x?}");
        assert_eq!(d.outputs, mod_mul(&a, &b, &m).unwrap());
        assert_eq!(d.status, 0);
        println!("modmul-256 user circuit: {} constraints", d.constraints);
    }
}

#[test]
fn circuit_rejects_zero_modulus() {
    let mut c = cases()[0];
    c[16..24].copy_from_slice(&[0; 8]);
    assert!(!synth(&ModMul256, &c, None).satisfied);
}

#[test]
fn a_wrong_output_or_hint_is_unsatisfiable() {
    let c = cases()[0];
    // an output word, r's bits (a different remainder), q's bits, a carry, the status
    for target in [
        "out 0/packed",
        "out 7/packed",
        "r/bit 3",
        "q/bit 0",
        "carry 4/bit 0",
        "status/status",
    ] {
        assert!(!synth(&ModMul256, &c, Some(target)).satisfied, "{target}");
    }
}

#[test]
fn wrapper_step_satisfies_and_rejects_a_read_memory_does_not_hold() {
    let c = cases()[0];
    let mut data = vec![0u32; 64];
    data[..24].copy_from_slice(&c);
    let (params, steps) = trace_steps(Arc::new(ModMul256), &data);
    let i = coprocessor_step(&steps);
    let (ok, n, same) = run_step(&params, &steps[i]);
    assert!(ok && same);
    println!("modmul-256 step with wrapper (1 MiB memory): {n} constraints");
    for k in [0usize, 10, 23] {
        let mut s = steps[i].clone();
        if let StepWitness::Coprocessor(w) = &mut s {
            w.reads[k].old.word ^= 1 << 7;
        }
        // the memory argument rejects globally: the step stays satisfiable but its sum (and
        // chain) leave the honest run's, so the run's LogUp total cannot close
        let (ok, _, same) = run_step(&params, &s);
        assert!(!(ok && same), "tampered read {k}");
    }
}

#[test]
fn the_vm_faults_on_a_zero_modulus() {
    let mut data = vec![0u32; 64];
    data[0] = 5;
    data[8] = 7; // m = 0
    let program = program(1, 2, &data);
    let mut vm = canopy_vm::Vm::new(
        &program,
        canopy_vm::VmConfig {
            memory_size: MEM,
            ..canopy_vm::VmConfig::default()
        },
    )
    .unwrap();
    vm.register_coprocessor(Arc::new(ModMul256)).unwrap();
    let err = vm.trace(K).find_map(|b| b.err()).expect("the call faults");
    assert!(
        matches!(err, canopy_vm::ExecutionError::Coprocessor { .. }),
        "{err}"
    );
}
