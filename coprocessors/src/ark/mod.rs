//! The arkworks adapter: an `ark_relations::r1cs::ConstraintSynthesizer<ark_bn254::Fr>` (for
//! example built from `ark-crypto-primitives` gadgets) as a Canopy coprocessor.
//!
//! Implement [`ArkCircuit`] (selector, memory regions, a synthesizer built from the input
//! words, and a [`Binding`] saying which ark variables are the input and output words) and
//! wrap it in [`ArkAdapter`], which implements both [`canopy_vm::Coprocessor`] (native: by
//! default [`evaluate`], which runs the ark circuit and reads the bound outputs) and
//! [`canopy_circuit::coprocessor::CoprocessorCircuit`], so the VM's `CoprocessorStep`
//! wrapper reads the inputs from and writes the outputs to guest memory through the memory
//! argument, exactly as for the built-ins.
//!
//! How the circuit is built (per synthesis):
//! 1. The ark synthesizer runs into an ark `ConstraintSystem` with
//!    `OptimizationGoal::Constraints`, then `finalize()` inlines every symbolic linear
//!    combination (no outlining variables). The setup-mode run (no values) is the shape,
//!    computed once per adapter ([`ArkAdapter::shape`]).
//! 2. When the input words have values (proving), the synthesizer runs again in prove mode
//!    with matrices; if its matrices differ from the shape's in any entry, synthesis fails
//!    with `SynthesisError::Unsatisfiable` ("its constraints depend on the witness"): a
//!    circuit whose structure depends on its input cannot be folded.
//! 3. Every ark constraint (A, B, C rows) is replayed into the frontend constraint system:
//!    the constant column is `CS::one()`, bound input columns are the wrapper's range-checked
//!    input word variables (substituted, so no extra constraint), bound output columns become
//!    the output words (the wrapper range-checks them to 32 bits), all other used columns are
//!    fresh variables carrying the ark assignment. Field elements are converted through
//!    their canonical little-endian bytes (`ark_bn254::Fr` and `F1` are the same field).
//! 4. The status is the constant 0 (1 constraint), as for the built-ins.
//!
//! Errors from ark (`ark_relations::r1cs::SynthesisError`) become the frontend's
//! `SynthesisError` (same variant where one exists; `Unsatisfiable`/`MissingCS` carry the
//! circuit name). A prover whose ark witness does not satisfy the ark constraints produces an
//! unsatisfied frontend system (the replayed constraints are the same).
//!
//! Cost: exactly the finalized ark constraints + 1 (status) + one per repeated binding; the
//! ark circuit pays for its own view of the inputs (e.g. a 32-bit decomposition of each input
//! word that the wrapper has already range-checked).
//!
//! ## [`ArkSha256`]
//!
//! SHA-256 of one 64-byte block (`sha256` module docs: the gadget does not expose the
//! compression function, so this is two compressions, the second with a constant block),
//! funct7 = 1, funct3 = 4, id [`ARK_SHA256_ID`]; not in [`crate::builtins`].
//!
//! | circuit | function | user circuit | step with wrapper, 1 MiB memory |
//! |---|---|---|---|
//! | [`crate::Sha256Compress`] (nova gadget) | 1 compression, state + block in (24 words in, 8 out) | 26,201 | 134,239 |
//! | [`ArkSha256`] (ark-crypto-primitives) | SHA-256 of one block = 2 compressions (16 words in, 8 out) | 74,295 | 160,653 |
//!
//! The ark circuit is 74,294 constraints (25 instance, 73,695 witness variables, 358,991
//! non-zeros after inlining) + 1 for the status. For scale, the ark gadget spends 40,078
//! constraints on one compression from its constant IV (the built-in: 26,201 with a variable
//! state), so per compression the ark gadget costs ≈ 1.5× the built-in; the second
//! compression (constant padding block, variable state) and the ark circuit's own 32-bit
//! decomposition of the 16 input words (16 × 33) make up the rest. The wrapper adds the
//! memory argument per word (here ≈ 86k for 24 words, ≈ 108k for the built-in's 32).
//!
//! (Figures printed by `cargo test -p canopy-coprocessors --test ark -- --nocapture` and, for
//! the built-in's step, `--test sha256 wrapper -- --nocapture`.)

mod adapter;
mod binding;
pub mod field;
mod replay;
mod run;
pub mod sha256;

pub use adapter::{evaluate, ArkAdapter, ArkCircuit};
pub use binding::Binding;
pub use run::ArkShape;
pub use sha256::{ArkSha256, Sha256BlockCircuit, Sha256BlockSynthesizer};

/// Stable id of [`ArkSha256`].
pub const ARK_SHA256_ID: u32 = 0x0001_0004;
