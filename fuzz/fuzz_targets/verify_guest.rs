//! Fuzzes `canopy::verify_compact` on a real guest's compact proof.
//!
//! Unlike `verify_compact` (tiny toy step circuits), the verifier key here is the
//! `canopy::CompactVerifierKey` of the real CPU block circuit, derived from
//! `canopy::Params::setup(4, 256 KiB)`, the parameters the seed proof is made under. The
//! guest is the echo guest of `tests/common` (`echo_elf(8)`: reads up to 8 bytes of public
//! input, writes them to the output, exits with `40 + bytes read`), run on the public input
//! `b"hi"`. The statement names no coprocessors (the parameters have none).
//!
//! Input: a `CANOPYCP` file (`canopy::CompactProofFile::from_bytes`; anything else is
//! rejected by the decoder). A decoded file is verified three times:
//! 1. **True claim** (the echo guest, `b"hi"`): rejection is fine; acceptance must return
//!    exactly the statement of the honest run (output `hi`, exit 42, the instruction and
//!    fold-step counts, digests), which the harness proves once at start-up. An accepted
//!    statement that differs is a forgery.
//! 2. **False claim, other input** (the echo guest, `b"ho"`): must be rejected.
//! 3. **False claim, other program** (`echo_elf(1)`, which reads one byte; `b"hi"`): must be
//!    rejected.
//!
//! Claims 2 and 3 could only be accepted with a SNARK of a different run (another final
//! state, or another initial memory root z_0); byte mutations of the honest proof cannot
//! produce one, so an acceptance means the decider or the statement checks do not bind what
//! they should: a forgery, reported as a crash.
//!
//! Panics: libfuzzer-sys aborts on every panic, so any panic in decoding or verification is
//! a crash too.
//!
//! Seeds: with `CANOPY_FUZZ_SEED_DIR=DIR` set, start-up also compresses the honest proof
//! (`Proof::compress`), checks that it verifies for the true claim and is rejected for both
//! false ones, and writes it to `DIR/echo.canopycp` (see fuzz/README.md).
//!
//! The fixture and the checks are shared with `verify_guest_kzg` (`shared/guest.rs`).
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "shared/guest.rs"]
mod guest;

use canopy::{Params, DECIDER_SCHEME};
use guest::{Fixture, K, MEM};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let t = std::time::Instant::now();
        let params = Params::setup(K, MEM).expect("parameters setup");
        eprintln!(
            "verify_guest: parameters (K = {K}, memory {MEM}) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let f = Fixture::new("verify_guest", &params, "echo.canopycp");
        assert_eq!(f.scheme(), DECIDER_SCHEME, "not an IPA verifier key");
        f
    })
}

fuzz_target!(|data: &[u8]| fixture().run(data));
