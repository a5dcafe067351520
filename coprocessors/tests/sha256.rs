//! SHA-256 compression: native == `sha2`, circuit == native, lies rejected.
mod common;

use std::sync::Arc;

use canopy_circuit::block::StepWitness;
use canopy_coprocessors::sha256::{compress, Sha256Compress};
use canopy_vm::Coprocessor;
use common::*;
use sha2::{Digest, Sha256};

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 of `msg` computed by calling the native coprocessor once per padded block, with
/// the guest's memory layout (state as u32 words, block as raw bytes).
fn sha256_via_coprocessor(msg: &[u8]) -> [u8; 32] {
    let mut padded = msg.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend((msg.len() as u64 * 8).to_be_bytes());
    let mut mem = MapMem::default();
    let (state_at, block_at) = (0x1000u32, 0x2000u32);
    mem.put(state_at, &IV);
    for block in padded.chunks(64) {
        let words: Vec<u32> = block
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        mem.put(block_at, &words);
        assert_eq!(
            Sha256Compress
                .execute(state_at, block_at, &mut mem)
                .unwrap(),
            0
        );
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_mut(4).zip(mem.get(state_at, 8)) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[test]
fn native_matches_sha2_on_messages() {
    let mut rng = Rng(0x5eed);
    for len in [0usize, 3, 55, 56, 63, 64, 65, 119, 200, 1000] {
        let msg: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
        let want: [u8; 32] = Sha256::digest(&msg).into();
        assert_eq!(sha256_via_coprocessor(&msg), want, "len {len}");
    }
    // FIPS 180-4 "abc"
    assert_eq!(
        sha256_via_coprocessor(b"abc")[..4],
        [0xba, 0x78, 0x16, 0xbf]
    );
}

#[test]
fn circuit_matches_native_on_random_inputs() {
    let mut rng = Rng(1);
    for _ in 0..3 {
        let mut state: [u32; 8] = rng.words();
        let block: [u32; 16] = rng.words();
        let words: Vec<u32> = state.iter().chain(block.iter()).copied().collect();
        let d = synth(&Sha256Compress, &words, None);
        compress(&mut state, &block);
        assert!(d.satisfied);
        assert_eq!(d.outputs, state);
        assert_eq!(d.status, 0);
        println!(
            "sha256-compress user circuit: {} constraints",
            d.constraints
        );
    }
}

#[test]
fn a_wrong_output_word_is_unsatisfiable() {
    let mut rng = Rng(2);
    let words: Vec<u32> = (0..24).map(|_| rng.next_u32()).collect();
    for target in ["out 0/packed", "out 5/packed", "status/status"] {
        let d = synth(&Sha256Compress, &words, Some(target));
        assert!(!d.satisfied, "{target}");
    }
}

#[test]
fn wrapper_step_satisfies_and_rejects_a_read_memory_does_not_hold() {
    let mut rng = Rng(3);
    let mut data = vec![0u32; 64];
    data[..8].copy_from_slice(&IV);
    for w in &mut data[32..48] {
        *w = rng.next_u32();
    }
    let (params, steps) = trace_steps(Arc::new(Sha256Compress), &data);
    let i = coprocessor_step(&steps);
    let (ok, n, same) = run_step(&params, &steps[i]);
    assert!(ok && same);
    println!("sha256-compress step with wrapper (1 MiB memory): {n} constraints");
    for k in [0usize, 12, 23] {
        let mut s = steps[i].clone();
        if let StepWitness::Coprocessor(c) = &mut s {
            c.reads[k].old.word ^= 1 << (k % 32);
        }
        // the memory argument rejects globally: the step stays satisfiable but its sum (and
        // chain) leave the honest run's, so the run's LogUp total cannot close
        let (ok, _, same) = run_step(&params, &s);
        assert!(!(ok && same), "tampered read {k}");
    }
}
