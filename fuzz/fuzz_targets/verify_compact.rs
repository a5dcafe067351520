//! Fuzzes compact-proof parsing and verification.
//!
//! Input: a file. If it starts with `CANOPYCP` it is read as a root-crate
//! [`canopy::CompactProofFile`] and its embedded decider proof is used; otherwise the
//! whole input is read as a decider proof file (`CNPY-CP\0`). A decoded proof is verified
//! with [`canopy_decider::verify`] against one fixed verifier key and two statements:
//! the true one (any result is fine, but no panic) and a false one (z + 1), which must
//! be rejected (an acceptance would be a forgery).
//!
//! The verifier key is built once at start-up from **small test parameters**: the two tiny
//! alternating step circuits of `decider/tests/common` (m = 2, arity 1), so that one
//! verification takes a fraction of a second. This is a fuzzing harness, not a setup
//! anyone proves under; the decider code paths (decoding, hash checks, NIFS, Spartan over
//! IPA on both curves) are the same as for the CPU circuit, only the shapes are smaller.
//!
//! Panics: libfuzzer-sys aborts on every panic, also on one `canopy_decider::verify`
//! would catch and turn into a rejection, so a panic anywhere is reported as a crash.
//!
//! Seeds: with `CANOPY_FUZZ_SEED_DIR=DIR` set, the harness proves the fixed statement once
//! at start-up and writes a valid decider proof (`toy.cnpy-cp`) and the same proof wrapped
//! in a `CANOPYCP` file (`toy.canopycp`) into DIR (see fuzz/README.md).
#![no_main]

#[path = "../../decider/tests/common/mod.rs"]
mod toy;

use canopy_decider::{verify, CompactProof, DeciderKey, Statement};
use canopy_folding::{PublicParams, F1};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Fixture {
    dk: DeciderKey,
    good: Statement,
    bad: Statement,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let circuits = toy::alternating(5);
        let pp = PublicParams::setup(&circuits).expect("folding setup");
        let dk: DeciderKey = DeciderKey::setup(&pp).expect("decider setup");
        // 3 steps from x = 2 (both circuits used), the statement of the seed proofs
        let acc = toy::run(&pp, &circuits, 0, 2, 3);
        let good = toy::statement(&acc);
        let mut bad = good.clone();
        bad.z[0] += F1::from(1u64);
        if let Some(dir) = std::env::var_os("CANOPY_FUZZ_SEED_DIR") {
            write_seeds(std::path::Path::new(&dir), &pp, &dk, &acc, &good);
        }
        Fixture { dk, good, bad }
    })
}

fn write_seeds(
    dir: &std::path::Path,
    pp: &PublicParams,
    dk: &DeciderKey,
    acc: &canopy_folding::Accumulator,
    st: &Statement,
) {
    let proof = canopy_decider::prove(pp, dk, acc).expect("prove");
    verify(dk.verifier_key(), st, &proof).expect("the seed proof verifies");
    let bytes = proof.to_bytes().expect("encode");
    std::fs::create_dir_all(dir).expect("seed dir");
    std::fs::write(dir.join("toy.cnpy-cp"), &bytes).expect("write seed");
    // The statement of a CANOPYCP file is not checked here (no guest program); any
    // well-formed one exercises the root parser.
    let file = canopy::CompactProofFile {
        statement: canopy::Statement {
            program_digest: [1; 32],
            memory_size: 1 << 20,
            block_size: 4,
            params_digest: [2; 32],
            coprocessors: Vec::new(),
            public_input_len: 2,
            public_input_digest: [3; 32],
            public_input_eof: true,
            public_output: b"hi".to_vec(),
            exit_code: 0,
            instructions: 12,
            fold_steps: st.num_steps,
            pages: vec![0],
        },
        final_pc: st.pc,
        final_z: st.z.clone(),
        initial_chain: F1::from(4u64),
        snark: bytes,
    };
    std::fs::write(
        dir.join("toy.canopycp"),
        file.to_bytes().expect("encode root file"),
    )
    .expect("write seed");
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let root;
    let inner: &[u8] = if data.starts_with(b"CANOPYCP") {
        match canopy::CompactProofFile::from_bytes(data) {
            Ok(file) => {
                root = file;
                &root.snark
            }
            Err(_) => return,
        }
    } else {
        data
    };
    let Ok(proof) = CompactProof::from_bytes(inner) else {
        return;
    };
    let vk = f.dk.verifier_key();
    let _ = verify(vk, &f.good, &proof);
    assert!(
        verify(vk, &f.bad, &proof).is_err(),
        "a proof of a false statement was accepted"
    );
});
