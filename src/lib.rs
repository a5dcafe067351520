//! Canopy: a folding zkVM for RISC-V programs.
//!
//! This crate is the public API that ties Canopy's layers together: the virtual machine
//! ([`vm`], the `canopy-vm` crate), its CPU block circuit (feature `circuit` of `canopy-vm`,
//! always on here) and the folding engine (`canopy-folding`).
//!
//! * [`Program`]: a loaded ELF guest and its digest (SHA-256 over the memory size, the entry
//!   point and the initial memory root of the image; see [`Program`]).
//! * [`Params`]: the public parameters for a block size K (instructions per fold step) and a
//!   memory size; [`Params::setup`], [`Params::to_bytes`] / [`Params::from_bytes`] (the loader
//!   re-checks the digest).
//! * [`CoprocessorSet`]: the coprocessors a guest may call (native function + circuit each);
//!   [`Params::setup_with_coprocessors`] adds one step circuit per coprocessor.
//! * [`Prover`]: proves a program on [`Inputs`] with non-uniform IVC over the CPU block
//!   circuit and the coprocessor step circuits, as one sequential chain or, with
//!   [`Prover::with_tree`] ([`TreeOptions`]), as a proof-carrying-data tree with parallel
//!   leaves and checkpoints; reports [`Progress`].
//! * [`Proof`] = [`Statement`] + the folding accumulator; a versioned file format
//!   ([`Proof::to_bytes`], [`Proof::from_bytes`]). `Proof::compress` runs the decider and
//!   gives the small, blinded `CompactProofFile`, checked by `verify_compact` with a verifier
//!   key.
//! * [`verify`]: checks a proof against the verifier's own program, public input and
//!   parameters; the list of checks and the public-input rule are in its documentation.
//!
//! ```no_run
//! use canopy::{verify, Inputs, Params, Program, Prover};
//! let elf = std::fs::read("guest/examples/fib.elf").unwrap();
//! let program = Program::from_elf(&elf).unwrap();
//! let params = Params::setup(4, program.memory_size()).unwrap();
//! let proof = Prover::new(&params).prove(&program, &Inputs::public(*b"5")).unwrap();
//! let statement = verify(&proof, &program, b"5", &params).unwrap();
//! assert_eq!(statement.public_output, b"5\n");
//! ```
//!
//! # The statement and the public-input rule
//! A [`Statement`] names the program digest, the memory size, K, the parameters digest, the
//! coprocessor set, the public input the guest read (length, SHA-256, whether it read to the end), the public
//! output bytes, the exit code, the instruction count and the number of fold steps.
//! [`verify`] recomputes the initial state z_0 from the verifier's own program and checks the
//! final state z_n against every claimed field. The proof binds the **prefix of the public
//! input that the guest read**, and the whole input when the guest read to its end (a short
//! read sets the circuit's `in_eof`); bytes it never read could not influence the run and are
//! not bound. The private input is never bound. A witness-carrying [`Proof`] does not hide it
//! (it carries the folded witnesses); a compact proof does (the decider's SNARK is
//! zero-knowledge).
//!
//! # Measured (2 shared cores, `cargo test` profile: dependencies optimised)
//! | run | K | instructions | fold steps | setup | proving | proof file |
//! |---|---|---|---|---|---|---|
//! | echo guest (tests/common) on "hi" | 4 | 12 | 4 | 6.3 s | 8–10 s | 4.9 MiB |
//! | `fib` n = 5 | 4 | 264 | 67 | 5.9 s | 43–55 s (≈0.7 s / step) | 4.9 MiB |
//! | `sort` n = 3 | 16 | 2,249 | 146 | 17.3 s | 241 s (1.65 s / step, 9.3 instr/s; 0.74 GB RSS) | 12.8 MiB |
//! | `sha256` of "ab" | 16 | 6,550 | 414 | (cached) | 1,258 s (5.2 instr/s; machine shared with a CI run; 0.76 GB RSS) | 12.8 MiB |
//!
//! The proof file holds the accumulator *with its witnesses*, so its size depends on K, not
//! on the length of the run. Verification (the folding engine's native check) takes ≈1–2.5 s;
//! `canopy verify` spends most of its time loading the cached parameters (≈15 s at K = 16).
//! Commands: `cargo test -p canopy -p canopy-cli --test prove_verify -- --nocapture` and
//! `canopy prove guest/examples/fib.elf --input N --block-size 4`.
//!
//! # Compact proofs and verifier keys
//! [`Proof::compress`] gives a [`CompactProofFile`] (tens of KiB, blinded); [`verify_compact`]
//! checks it with a [`CompactVerifierKey`], derived from the small [`VerifierKeyFile`] that
//! `canopy setup` writes (a recipe: K, memory size, coprocessors, parameters digest; see
//! the `verifier_key` module for why).
//!
//! # What is not here yet
//! HyperKZG commitments with a powers-of-tau file (only IPA is built), one batched SNARK per
//! curve instead of one per used circuit, and verification in milliseconds (it takes
//! ≈0.45–1.15 s idle; docs/decider-roadmap.md has the plan).
#![deny(missing_docs)]

pub use canopy_decider as decider;
pub use canopy_vm as vm;

mod compact;
mod coprocessors;
/// Distributed proving across MPI ranks (feature `mpi`): [`distributed::DistributedProver`].
#[cfg(feature = "mpi")]
pub mod distributed;
mod error;
mod field;
mod framing;
mod params;
mod program;
mod proof;
mod prover;
mod state;
mod verifier_key;
mod verify;

pub use compact::{
    decider_key, verify_compact, CompactProofFile, CompactProverKey, CompactVerifyError,
    CompressError, DeciderVerifierKey, COMPACT_PROOF_FORMAT_VERSION, COMPACT_PROOF_MAGIC,
};
pub use coprocessors::{CoprocessorInfo, CoprocessorSet, CoprocessorSetError, ProvableCoprocessor};
pub use error::{ParamsError, ProgramError, ProofFormatError, ProveError, VerifyError};
pub use params::{hex, Params, DEFAULT_BLOCK_SIZE, PARAMS_FORMAT_VERSION, PARAMS_MAGIC};
pub use program::{ExecuteError, Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
pub use proof::{Proof, Statement, PROOF_FORMAT_VERSION, PROOF_MAGIC};
pub use prover::{Progress, Prover, TreeOptions};
pub use verifier_key::{
    CompactVerifierKey, VerifierKeyError, VerifierKeyFile, DECIDER_SCHEME, KZG_DECIDER_SCHEME,
    VERIFIER_KEY_FORMAT_VERSION, VERIFIER_KEY_MAGIC,
};
pub use verify::{initial_state, verify};
