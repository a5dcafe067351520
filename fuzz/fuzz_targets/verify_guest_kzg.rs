//! `verify_guest` over HyperKZG: fuzzes `canopy::verify_compact` on a real guest's compact
//! proof whose BN254 SNARK is Spartan over HyperKZG.
//!
//! The parameters are `canopy::Params::setup_with_ptau(4, 256 KiB, no coprocessors, PTAU)`:
//! their BN254 commitment generators are the G1 powers of a powers-of-tau file, so
//! `canopy::CompactVerifierKey::derive` gives a HyperKZG verifier key (checked at start-up)
//! and `canopy::decider_key` a HyperKZG decider key (used only to make the seed).
//!
//! PTAU: a fuzz run takes no arguments, so the file is named by the environment variable
//! `CANOPY_FUZZ_PTAU` (2^16 G1 powers or more). Without it, the harness writes its own
//! **insecure** test file of 2^16 powers (`write_insecure_test_ptau`) with a fixed τ drawn
//! from a constant-seeded generator into the temp dir at start-up, loads it and deletes it:
//! the same file in every process, so a corpus made without the variable stays valid for
//! later runs without it. A seed made with one file is useless with another (other
//! generators, another parameters digest): keep a corpus with the file it was made with.
//!
//! Input and checks: exactly as `verify_guest` (the fixture and the three claims are shared,
//! `shared/guest.rs`): a decoded `CANOPYCP` file must not be accepted for the echo guest on
//! `b"ho"` or for `echo_elf(1)` on `b"hi"`, and an acceptance for the echo guest on `b"hi"`
//! must return the honest run's statement; any panic is a crash.
//!
//! Seeds: with `CANOPY_FUZZ_SEED_DIR=DIR` set, start-up also compresses the honest proof with
//! the HyperKZG decider key, checks it against the three claims and writes
//! `DIR/echo-kzg.canopycp` (see fuzz/README.md).
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "shared/guest.rs"]
mod guest;

use canopy::{CoprocessorSet, Params, KZG_DECIDER_SCHEME};
use guest::{Fixture, K, MEM};
use libfuzzer_sys::fuzz_target;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

/// G1 powers of the harness's own test file: the K = 4 CPU circuit needs 2^16.
const POWER: u32 = 16;
/// The seed of the harness's own (insecure, fixed-τ) test file.
const TEST_TAU_SEED: u64 = 0x6361_6e6f_7079_6b7a; // "canopykz"

/// SplitMix64: a constant-seeded generator, so that the harness's test file is the same in
/// every process (never for anything but this test file).
struct SplitMix64(u64);

impl rand_core::RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Writes the harness's own insecure test file into the temp dir and returns its path.
fn write_test_ptau() -> PathBuf {
    let t = std::time::Instant::now();
    let path = std::env::temp_dir().join(format!(
        "canopy-fuzz-kzg-{}-{POWER}.ptau",
        std::process::id()
    ));
    let file = std::fs::File::create(&path).expect("create the test ptau file");
    let mut w = BufWriter::new(file);
    canopy::decider::kzg::write_insecure_test_ptau(&mut w, POWER, SplitMix64(TEST_TAU_SEED))
        .expect("write the test ptau file");
    w.flush().expect("write the test ptau file");
    eprintln!(
        "verify_guest_kzg: CANOPY_FUZZ_PTAU unset: wrote an INSECURE test file of 2^{POWER} \
         powers (fixed τ) to {} in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    path
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (ptau, own) = match std::env::var_os("CANOPY_FUZZ_PTAU") {
            Some(p) => (PathBuf::from(p), false),
            None => (write_test_ptau(), true),
        };
        let t = std::time::Instant::now();
        let params = Params::setup_with_ptau(K, MEM, CoprocessorSet::new(), &ptau);
        if own {
            // the parameters keep the SRS in memory; the file is not read again
            let _ = std::fs::remove_file(&ptau);
        }
        let params = params.expect("parameters setup from the powers-of-tau file");
        assert!(params.uses_powers_of_tau());
        eprintln!(
            "verify_guest_kzg: parameters (K = {K}, memory {MEM}) from {} in {:.1} s",
            ptau.display(),
            t.elapsed().as_secs_f64()
        );
        let f = Fixture::new("verify_guest_kzg", &params, "echo-kzg.canopycp");
        assert_eq!(
            f.scheme(),
            KZG_DECIDER_SCHEME,
            "not a HyperKZG verifier key"
        );
        f
    })
}

fuzz_target!(|data: &[u8]| fixture().run(data));
