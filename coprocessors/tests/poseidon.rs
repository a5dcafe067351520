//! Poseidon 2-to-1: native == nova-snark's sponge, circuit == native, non-canonical inputs
//! and lies rejected.
mod common;

use std::sync::Arc;

use canopy_circuit::block::StepWitness;
use canopy_coprocessors::poseidon::{element_from_words, element_to_words, PoseidonHash};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::Coprocessor;
use common::*;
use ff::{Field, PrimeField};
use nova_snark::frontend::gadgets::poseidon::{
    IOPattern, Simplex, Sponge, SpongeAPI, SpongeOp, SpongeTrait, Strength,
};
use typenum::U2;

fn random_element(rng: &mut Rng) -> F1 {
    // reduce 512 random bits mod p
    let mut acc = F1::ZERO;
    for _ in 0..16 {
        acc = acc * F1::from(1u64 << 32) + F1::from(rng.next_u32() as u64);
    }
    acc
}

/// The reference: nova-snark's sponge API used directly with fresh constants.
fn reference(x: F1, y: F1) -> F1 {
    let constants = Sponge::<F1, U2>::api_constants(Strength::Standard);
    let mut sponge = Sponge::new_with_constants(&constants, Simplex);
    let acc = &mut ();
    let pattern = IOPattern(vec![SpongeOp::Absorb(2), SpongeOp::Squeeze(1)]);
    sponge.start(pattern, Some(canopy_coprocessors::poseidon::DOMAIN), acc);
    SpongeAPI::absorb(&mut sponge, 2, &[x, y], acc);
    let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
    sponge.finish(acc).unwrap();
    out[0]
}

fn p_words() -> [u32; 8] {
    // p = (p − 1) + 1 as an integer
    let mut w = element_to_words(-F1::ONE);
    let mut carry = 1u64;
    for x in &mut w {
        let s = *x as u64 + carry;
        *x = s as u32;
        carry = s >> 32;
    }
    w
}

#[test]
fn native_matches_reference_and_encoding() {
    let h = PoseidonHash::new();
    let mut rng = Rng(11);
    for _ in 0..8 {
        let (x, y) = (random_element(&mut rng), random_element(&mut rng));
        let mut mem = MapMem::default();
        mem.put(0x100, &element_to_words(x));
        mem.put(0x120, &element_to_words(y));
        assert_eq!(h.execute(0x100, 0x400, &mut mem).unwrap(), 0);
        let out = element_from_words(&mem.get(0x400, 8)).unwrap();
        assert_eq!(out, reference(x, y));
        assert_eq!(out, h.hash(x, y));
        assert_ne!(h.hash(x, y), h.hash(y, x));
    }
    // in place: rs2 = rs1
    let mut mem = MapMem::default();
    mem.put(0x100, &element_to_words(F1::from(1u64)));
    mem.put(0x120, &element_to_words(F1::from(2u64)));
    h.execute(0x100, 0x100, &mut mem).unwrap();
    assert_eq!(
        element_from_words(&mem.get(0x100, 8)).unwrap(),
        reference(F1::from(1u64), F1::from(2u64))
    );
}

#[test]
fn native_rejects_non_canonical_inputs() {
    let h = PoseidonHash::new();
    for bad in [p_words(), [u32::MAX; 8]] {
        for at in [0x100u32, 0x120] {
            let mut mem = MapMem::default();
            mem.put(at, &bad);
            let err = h.execute(0x100, 0x400, &mut mem).unwrap_err();
            assert!(
                matches!(err, CoprocessorError::InvalidArguments(_)),
                "{err}"
            );
            assert!(mem.get(0x400, 8).iter().all(|&w| w == 0), "nothing written");
        }
    }
}

#[test]
fn circuit_matches_native_on_random_inputs() {
    let h = PoseidonHash::new();
    let mut rng = Rng(12);
    let mut cases: Vec<(F1, F1)> = (0..3)
        .map(|_| (random_element(&mut rng), random_element(&mut rng)))
        .collect();
    cases.push((-F1::ONE, F1::ZERO)); // p − 1 is canonical
    for (x, y) in cases {
        let words: Vec<u32> = element_to_words(x)
            .into_iter()
            .chain(element_to_words(y))
            .collect();
        let d = synth(&h, &words, None);
        assert!(d.satisfied);
        assert_eq!(d.outputs, element_to_words(h.hash(x, y)));
        assert_eq!(d.status, 0);
        println!("poseidon user circuit: {} constraints", d.constraints);
    }
}

#[test]
fn circuit_rejects_non_canonical_inputs() {
    let h = PoseidonHash::new();
    let mut rng = Rng(13);
    let ok = element_to_words(random_element(&mut rng));
    for bad in [p_words(), [u32::MAX; 8]] {
        for words in [
            bad.iter().chain(ok.iter()).copied().collect::<Vec<u32>>(),
            ok.iter().chain(bad.iter()).copied().collect(),
        ] {
            assert!(!synth(&h, &words, None).satisfied);
        }
    }
}

#[test]
fn a_wrong_output_word_is_unsatisfiable() {
    let h = PoseidonHash::new();
    let mut rng = Rng(14);
    let words: Vec<u32> = element_to_words(random_element(&mut rng))
        .into_iter()
        .chain(element_to_words(random_element(&mut rng)))
        .collect();
    for target in ["out 0/packed", "out 7/packed", "status/status"] {
        assert!(!synth(&h, &words, Some(target)).satisfied, "{target}");
    }
}

#[test]
fn wrapper_step_satisfies_and_rejects_a_read_memory_does_not_hold() {
    let mut rng = Rng(15);
    let mut data = vec![0u32; 64];
    data[..8].copy_from_slice(&element_to_words(random_element(&mut rng)));
    data[8..16].copy_from_slice(&element_to_words(random_element(&mut rng)));
    let (params, steps) = trace_steps(Arc::new(PoseidonHash::new()), &data);
    let i = coprocessor_step(&steps);
    let (ok, n, same) = run_step(&params, &steps[i]);
    assert!(ok && same);
    println!("poseidon step with wrapper (1 MiB memory): {n} constraints");
    for k in [0usize, 9, 15] {
        let mut s = steps[i].clone();
        if let StepWitness::Coprocessor(c) = &mut s {
            c.reads[k].old.word ^= 1;
        }
        // the memory argument rejects globally: the step stays satisfiable but its sum (and
        // chain) leave the honest run's, so the run's LogUp total cannot close
        let (ok, _, same) = run_step(&params, &s);
        assert!(!(ok && same), "tampered read {k}");
    }
    let _ = F1::from_u128(0);
}
