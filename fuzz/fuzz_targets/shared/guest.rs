//! The real-guest fixture shared by `verify_guest` (IPA) and `verify_guest_kzg` (HyperKZG):
//! the echo guest of `tests/common` proven on `b"hi"` under the given parameters, the compact
//! verifier key derived from them, and the three claims every decoded input is checked
//! against. Included by both targets with `#[path]`; each target declares `mod common` (the
//! root crate's `tests/common`) before it.

use crate::common;
use canopy::{CompactProofFile, CompactVerifierKey, Inputs, Params, Program, Statement};

/// Rows per fold step.
pub const K: usize = 4;
/// Memory size: the smallest power of two above the echo guest's data page (0x20000..0x21000).
pub const MEM: u64 = 1 << 18;
/// The true public input.
pub const INPUT: &[u8] = b"hi";
/// The false public input.
pub const OTHER_INPUT: &[u8] = b"ho";

/// What every input is checked against.
pub struct Fixture {
    vk: CompactVerifierKey,
    program: Program,
    other_program: Program,
    expected: Statement,
}

impl Fixture {
    /// Derives the verifier key from `params`, proves the honest run and, with
    /// `CANOPY_FUZZ_SEED_DIR` set, compresses it with `canopy::decider_key(params)`, checks the
    /// compressed proof against the three claims and writes it to `DIR/seed_name`. `target`
    /// names the fuzz target in the start-up messages. Panics on any failure (start-up only).
    pub fn new(target: &str, params: &Params, seed_name: &str) -> Fixture {
        let t = std::time::Instant::now();
        let vk = CompactVerifierKey::derive(params).expect("verifier key");
        eprintln!(
            "{target}: verifier key ({}) in {:.1} s",
            vk.decider().scheme(),
            t.elapsed().as_secs_f64()
        );
        let program =
            Program::from_elf_with_memory(&common::echo_elf(8), MEM).expect("echo program");
        let other_program =
            Program::from_elf_with_memory(&common::echo_elf(1), MEM).expect("other program");
        assert_ne!(program.digest(), other_program.digest());

        let t = std::time::Instant::now();
        let proof = canopy::Prover::new(params)
            .prove(&program, &Inputs::public(INPUT))
            .expect("prove the echo guest");
        let expected =
            canopy::verify(&proof, &program, INPUT, params).expect("the honest proof verifies");
        assert_eq!(expected.public_output, INPUT);
        assert_eq!(expected.exit_code, 40 + INPUT.len() as u32);
        eprintln!(
            "{target}: honest run proven in {:.1} s ({} instructions, {} fold steps)",
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
            let dk = canopy::decider_key(params).expect("decider key");
            let file = proof.compress(params, &dk).expect("compress");
            let bytes = file.to_bytes().expect("encode");
            let back = CompactProofFile::from_bytes(&bytes).expect("decode the seed");
            f.check(&back);
            let accepted = canopy::verify_compact(&back, &f.program, INPUT, &f.vk)
                .expect("the seed verifies for the true claim");
            assert_eq!(accepted, f.expected);
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).expect("seed dir");
            std::fs::write(dir.join(seed_name), &bytes).expect("write seed");
            eprintln!(
                "{target}: seed {seed_name} ({} bytes) compressed and checked in {:.1} s",
                bytes.len(),
                t.elapsed().as_secs_f64()
            );
        }
        f
    }

    /// Verifies `file` for the true claim and both false ones; panics on a forgery.
    pub fn check(&self, file: &CompactProofFile) {
        let vk = &self.vk;
        if let Ok(s) = canopy::verify_compact(file, &self.program, INPUT, vk) {
            assert_eq!(
                s, self.expected,
                "forgery: a statement other than the honest run's was accepted for the true claim"
            );
        }
        assert!(
            canopy::verify_compact(file, &self.program, OTHER_INPUT, vk).is_err(),
            "forgery: accepted for the echo guest on another public input"
        );
        assert!(
            canopy::verify_compact(file, &self.other_program, INPUT, vk).is_err(),
            "forgery: accepted for another program"
        );
    }

    /// The decider scheme of the verifier key.
    pub fn scheme(&self) -> &'static str {
        self.vk.decider().scheme()
    }

    /// One fuzz input: decodes it as a `CANOPYCP` file and checks the three claims.
    pub fn run(&self, data: &[u8]) {
        let Ok(file) = CompactProofFile::from_bytes(data) else {
            return;
        };
        self.check(&file);
    }
}
