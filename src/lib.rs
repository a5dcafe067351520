//! Canopy: a folding zkVM for RISC-V programs.
//!
//! This crate is the public API that ties Canopy's layers together: the virtual machine
//! ([`vm`], the `canopy-vm` crate), the step circuits ([`circuit`], `canopy-circuit`), the
//! folding engine (`canopy-folding`) and the decider ([`decider`], `canopy-decider`).
//!
//! * [`Program`]: a loaded ELF guest and its digest (SHA-256 over the memory size, the entry
//!   point and the initial memory root of the image; see [`Program`]).
//! * [`Params`]: the public parameters for a block size K (instructions per fold step) and a
//!   memory size; [`Params::setup`], [`Params::to_bytes`] / [`Params::from_bytes`] (a
//!   checksummed file, refused when stale); [`ParamsCache`] keeps them on disk per
//!   [`ParamsKey`] (load or generate, atomic writes).
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
//! (it carries the folded witnesses); a compact proof does (the decider's SNARKs see only
//! blinded witnesses). The running instances a compact proof reveals do not tell how often
//! each circuit ran either: the prover starts the first leaf's slots at random instances, so
//! each revealed slot's u and X are uniform and its commitments hiding (docs/protocol.md §3.7,
//! §4 says precisely what is public).
//!
//! # Figures
//! Proving, verification and parameter-loading times, and proof sizes, are measured in
//! `BENCHMARKS.md` (run with `bash bench/report.sh`); the code quotes none.
//!
//! # Compact proofs and verifier keys
//! [`Proof::compress`] gives a [`CompactProofFile`] (tens of KiB, blinded); [`verify_compact`]
//! checks it with a [`CompactVerifierKey`], derived from the small [`VerifierKeyFile`] that
//! `canopy setup` writes (a recipe: K, memory size, coprocessors, parameters digest; see
//! the `keys` module for why).
//!

pub use canopy_circuit as circuit;
pub use canopy_decider as decider;
pub use canopy_vm as vm;

/// Files: the one atomic write of the workspace ([`fs::write_atomic`]).
pub mod fs {
    pub use canopy_folding::fs::write_atomic;
}

mod compact;
mod coprocessors;
/// Distributed proving across MPI ranks (feature `mpi`): [`distributed::DistributedProver`].
#[cfg(feature = "mpi")]
pub mod distributed;
mod error;
mod field;
pub mod guest_io;
mod keys;
mod params;
mod params_cache;
mod pipeline;
mod program;
mod proof;
mod prover;
mod state;
mod verify;

pub use compact::{
    verify_compact, CompactProofFile, CompactVerifyError, CompressError,
    COMPACT_PROOF_FORMAT_VERSION, COMPACT_PROOF_MAGIC,
};
pub use coprocessors::{CoprocessorInfo, CoprocessorSet, CoprocessorSetError, ProvableCoprocessor};
pub use error::{ParamsError, ProgramError, ProofFormatError, ProveError, VerifyError};
pub use keys::{
    decider_key, CompactProverKey, CompactVerifierKey, DeciderVerifierKey, VerifierKeyError,
    VerifierKeyFile, DECIDER_SCHEME, KZG_DECIDER_SCHEME, VERIFIER_KEY_FORMAT_VERSION,
    VERIFIER_KEY_MAGIC,
};
pub use params::{hex, Params, DEFAULT_BLOCK_SIZE, PARAMS_FORMAT_VERSION, PARAMS_MAGIC};
pub use params_cache::{CacheEvent, ParamsCache, ParamsKey};
pub use program::{ExecuteError, Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
pub use proof::{Proof, Statement, PROOF_FORMAT_VERSION, PROOF_MAGIC};
pub use prover::{Progress, Prover, TreeOptions};
pub use verify::{initial_state, verify};
