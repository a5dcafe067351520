//! Canopy's built-in coprocessors.
//!
//! Each built-in is one struct that implements both halves of a coprocessor:
//! [`canopy_vm::Coprocessor`] (the native function the VM runs on a `custom-0` instruction)
//! and [`canopy_vm::circuit::coprocessor::CoprocessorCircuit`] (its step circuit, wrapped by
//! the VM's `CoprocessorStep`, which does all memory and mailbox handling). Both halves read
//! exactly the declared input [`Region`](canopy_vm::circuit::coprocessor::Region)s and write
//! exactly the declared output regions, so the prover's memory argument sees the same words.
//!
//! | built-in | funct7 | funct3 | id | rs1 | rs2 |
//! |---|---|---|---|---|---|
//! | [`Sha256Compress`] | 1 | 0 | [`SHA256_ID`] | state, 8 words (in/out) | block, 16 words (in) |
//! | [`PoseidonHash`] | 1 | 1 | [`POSEIDON_ID`] | two field elements, 16 words (in) | digest, 8 words (out) |
//! | [`ModMul256`] | 1 | 2 | [`MODMUL_ID`] | a, b, m: 24 words (in) | a·b mod m, 8 words (out) |
//!
//! All built-ins return status 0 in `rd` on success. Invalid arguments (a non-canonical field
//! element for Poseidon, m = 0 for the modular multiplication) make the native function fail
//! with [`canopy_vm::error::CoprocessorError::InvalidArguments`], so the VM faults; their
//! circuits are unsatisfiable on such inputs, so no proof of such a call exists.
//!
//! Multi-word integers and field elements are little-endian sequences of little-endian u32
//! words (word 0 holds bits 0..32), i.e. the natural in-memory layout of a little-endian
//! 256-bit integer on RV32.

pub mod modmul;
pub mod poseidon;
pub mod sha256;
mod util;

use std::sync::Arc;

use canopy_vm::circuit::coprocessor::CoprocessorCircuit;
use canopy_vm::Coprocessor;

pub use modmul::ModMul256;
pub use poseidon::PoseidonHash;
pub use sha256::Sha256Compress;

/// funct7 shared by all built-ins (user coprocessors should pick another funct7).
pub const BUILTIN_FUNCT7: u8 = 1;
/// Stable id of [`Sha256Compress`].
pub const SHA256_ID: u32 = 0x0001_0000;
/// Stable id of [`PoseidonHash`].
pub const POSEIDON_ID: u32 = 0x0001_0001;
/// Stable id of [`ModMul256`].
pub const MODMUL_ID: u32 = 0x0001_0002;

/// A built-in: both halves on one object, for registering with the VM (native) and with the
/// block parameters (circuit) from one list.
pub trait BuiltinCoprocessor: Coprocessor + CoprocessorCircuit {}
impl<T: Coprocessor + CoprocessorCircuit> BuiltinCoprocessor for T {}

/// Every built-in, in funct3 order (the order in which they are conventionally registered).
/// Poseidon's constants are generated here (a few milliseconds).
pub fn builtins() -> Vec<Arc<dyn BuiltinCoprocessor>> {
    vec![
        Arc::new(Sha256Compress),
        Arc::new(PoseidonHash::new()),
        Arc::new(ModMul256),
    ]
}
