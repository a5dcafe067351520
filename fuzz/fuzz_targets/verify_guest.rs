//! Fuzzes `canopy::verify_compact` on a real guest's compact proof (issue 7).
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
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use canopy::{CompactProofFile, CompactVerifierKey, Inputs, Params, Program, Statement};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Rows per fold step.
const K: usize = 4;
/// Memory size: the smallest power of two above the echo guest's data page (0x20000..0x21000).
const MEM: u64 = 1 << 18;
/// The true public input.
const INPUT: &[u8] = b"hi";
/// The false public input.
const OTHER_INPUT: &[u8] = b"ho";

struct Fixture {
    vk: CompactVerifierKey,
    program: Program,
    other_program: Program,
    expected: Statement,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let t = std::time::Instant::now();
        let params = Params::setup(K, MEM).expect("parameters setup");
        let vk = CompactVerifierKey::derive(&params).expect("verifier key");
        eprintln!(
            "verify_guest: parameters and verifier key (K = {K}, memory {MEM}) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let program =
            Program::from_elf_with_memory(&common::echo_elf(8), MEM).expect("echo program");
        let other_program =
            Program::from_elf_with_memory(&common::echo_elf(1), MEM).expect("other program");
        assert_ne!(program.digest(), other_program.digest());

        let t = std::time::Instant::now();
        let proof = canopy::Prover::new(&params)
            .prove(&program, &Inputs::public(INPUT))
            .expect("prove the echo guest");
        let expected =
            canopy::verify(&proof, &program, INPUT, &params).expect("the honest proof verifies");
        assert_eq!(expected.public_output, INPUT);
        assert_eq!(expected.exit_code, 40 + INPUT.len() as u32);
        eprintln!(
            "verify_guest: honest run proven in {:.1} s ({} instructions, {} fold steps)",
            t.elapsed().as_secs_f64(),
            expected.instructions,
            expected.fold_steps
        );

        let f = Fixture {
            vk,
            program,
            other_program,
            expected,
        };
        if let Some(dir) = std::env::var_os("CANOPY_FUZZ_SEED_DIR") {
            let t = std::time::Instant::now();
            // the prover's decider key (the fixture keeps only the verifier key)
            let dk = canopy::decider_key(&params).expect("decider key");
            let file = proof.compress(&params, &dk).expect("compress");
            let bytes = file.to_bytes().expect("encode");
            let back = CompactProofFile::from_bytes(&bytes).expect("decode the seed");
            check(&f, &back);
            let accepted = canopy::verify_compact(&back, &f.program, INPUT, &f.vk)
                .expect("the seed verifies for the true claim");
            assert_eq!(accepted, f.expected);
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).expect("seed dir");
            std::fs::write(dir.join("echo.canopycp"), &bytes).expect("write seed");
            eprintln!(
                "verify_guest: seed echo.canopycp ({} bytes) compressed and checked in {:.1} s",
                bytes.len(),
                t.elapsed().as_secs_f64()
            );
        }
        f
    })
}

/// Verifies `file` for the true claim and both false ones; panics on a forgery.
fn check(f: &Fixture, file: &CompactProofFile) {
    let vk = &f.vk;
    if let Ok(s) = canopy::verify_compact(file, &f.program, INPUT, vk) {
        assert_eq!(
            s, f.expected,
            "forgery: a statement other than the honest run's was accepted for the true claim"
        );
    }
    assert!(
        canopy::verify_compact(file, &f.program, OTHER_INPUT, vk).is_err(),
        "forgery: accepted for the echo guest on another public input"
    );
    assert!(
        canopy::verify_compact(file, &f.other_program, INPUT, vk).is_err(),
        "forgery: accepted for another program"
    );
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Ok(file) = CompactProofFile::from_bytes(data) else {
        return;
    };
    check(f, &file);
});
