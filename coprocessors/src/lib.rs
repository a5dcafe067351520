//! Canopy's built-in coprocessors.
//!
//! Each built-in is one struct that implements both halves of a coprocessor:
//! [`canopy_vm::Coprocessor`] (the native function the VM runs on a `custom-0` instruction)
//! and [`canopy_circuit::coprocessor::CoprocessorCircuit`] (its step circuit, wrapped by
//! the VM's `CoprocessorStep`, which does all memory and mailbox handling). Both halves read
//! exactly the declared input [`Region`](canopy_circuit::coprocessor::Region)s and write
//! exactly the declared output regions, so the prover's memory argument sees the same words.
//!
//! | built-in | funct7 | funct3 | id | rs1 | rs2 |
//! |---|---|---|---|---|---|
//! | [`Sha256Compress`] | 1 | 0 | [`SHA256_ID`] | state, 8 words (in/out) | block, 16 words (in) |
//! | [`PoseidonHash`] | 1 | 1 | [`POSEIDON_ID`] | two field elements, 16 words (in) | digest, 8 words (out) |
//! | [`ModMul256`] | 1 | 2 | [`MODMUL_ID`] | a, b, m: 24 words (in) | a·b mod m, 8 words (out) |
//! | [`SchnorrVerify`] | 1 | 3 | [`SCHNORR_ID`] | P, R, s, m: 32 words (in) | 1 = valid / 0 = invalid, 1 word (out) |
//!
//! All built-ins return status 0 in `rd` on success. Invalid arguments (a non-canonical field
//! element for Poseidon, m = 0 for the modular multiplication, a malformed point or scalar
//! for Schnorr; a well-formed but wrong signature is no error, its result word is 0) make
//! the native function fail with [`canopy_vm::error::CoprocessorError::InvalidArguments`], so the VM faults; their
//! circuits are unsatisfiable on such inputs, so no proof of such a call exists.
//!
//! Multi-word integers and field elements are little-endian sequences of little-endian u32
//! words (word 0 holds bits 0..32), i.e. the natural in-memory layout of a little-endian
//! 256-bit integer on RV32.
//!
//! Every pointer must be 4-byte aligned and every region inside guest memory (else the VM
//! faults with a memory error and the step circuit is unsatisfiable); output regions must be
//! writable, non-executable memory. Inputs are read before outputs are written, so an output
//! may overlap an input (the SHA-256 state is updated in place).
//!
//! Guest calling convention (C, GNU assembler's `.insn` for the R-type `custom-0` opcode
//! 0x0b; `.insn r opcode, funct3, funct7, rd, rs1, rs2`):
//!
//! ```c
//! static inline uint32_t canopy_sha256_compress(uint32_t state[8], const uint8_t block[64]) {
//!     uint32_t st;
//!     __asm__ volatile(".insn r 0x0b, 0, 1, %0, %1, %2"
//!                      : "=r"(st) : "r"(state), "r"(block) : "memory");
//!     return st;
//! }
//! /* out = Poseidon(in[0], in[1]); in: 2 x 8 words, out: 8 words, canonical (< p) */
//! static inline uint32_t canopy_poseidon2(const uint32_t in[16], uint32_t out[8]) {
//!     uint32_t st;
//!     __asm__ volatile(".insn r 0x0b, 1, 1, %0, %1, %2"
//!                      : "=r"(st) : "r"(in), "r"(out) : "memory");
//!     return st;
//! }
//! /* out = ops[0..8] * ops[8..16] mod ops[16..24]; modulus != 0 */
//! static inline uint32_t canopy_modmul256(const uint32_t ops[24], uint32_t out[8]) {
//!     uint32_t st;
//!     __asm__ volatile(".insn r 0x0b, 2, 1, %0, %1, %2"
//!                      : "=r"(st) : "r"(ops), "r"(out) : "memory");
//!     return st;
//! }
//! /* out[0] = 1 if (P, R, s, m) = in[0..8], in[8..16], in[16..24], in[24..32] is a valid
//!    Schnorr signature on Grumpkin (see the schnorr module), else 0 */
//! static inline uint32_t canopy_schnorr_verify(const uint32_t in[32], uint32_t out[1]) {
//!     uint32_t st;
//!     __asm__ volatile(".insn r 0x0b, 3, 1, %0, %1, %2"
//!                      : "=r"(st) : "r"(in), "r"(out) : "memory");
//!     return st;
//! }
//! ```
//! The status is 0 whenever the call returns (errors fault the VM instead of returning).

pub mod ark;
pub mod modmul;
pub mod poseidon;
pub mod schnorr;
pub mod sha256;
mod util;

use std::sync::Arc;

use canopy_circuit::ProvableCoprocessor;

pub use modmul::ModMul256;
pub use poseidon::PoseidonHash;
pub use schnorr::SchnorrVerify;
pub use sha256::Sha256Compress;

/// funct7 shared by all built-ins (user coprocessors should pick another funct7).
pub const BUILTIN_FUNCT7: u8 = 1;
/// Stable id of [`Sha256Compress`].
pub const SHA256_ID: u32 = 0x0001_0000;
/// Stable id of [`PoseidonHash`].
pub const POSEIDON_ID: u32 = 0x0001_0001;
/// Stable id of [`ModMul256`].
pub const MODMUL_ID: u32 = 0x0001_0002;
/// Stable id of [`SchnorrVerify`].
pub const SCHNORR_ID: u32 = 0x0001_0003;

/// Every built-in, in funct3 order (the order in which they are conventionally registered).
/// Poseidon's constants (and Schnorr's table of multiples of G) are generated here (a few
/// milliseconds).
pub fn builtins() -> Vec<Arc<dyn ProvableCoprocessor>> {
    vec![
        Arc::new(Sha256Compress),
        Arc::new(PoseidonHash::new()),
        Arc::new(ModMul256),
        Arc::new(SchnorrVerify::new()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_circuit::CoprocessorCircuit;
    use canopy_vm::{Coprocessor, CoprocessorRegistry};

    #[test]
    fn builtins_register_together_with_consistent_selectors() {
        let mut registry = CoprocessorRegistry::new();
        let mut circuits: Vec<Arc<dyn CoprocessorCircuit>> = Vec::new();
        let mut ids = Vec::new();
        for (k, b) in builtins().into_iter().enumerate() {
            let native: Arc<dyn Coprocessor> = b.clone();
            assert_eq!(native.funct(), (BUILTIN_FUNCT7, k as u8));
            assert_eq!(CoprocessorCircuit::funct(&*b), native.funct());
            assert_eq!(CoprocessorCircuit::name(&*b), native.name());
            ids.push(native.id());
            registry.register(native).unwrap();
            circuits.push(b);
        }
        assert_eq!(registry.len(), 4);
        assert_eq!(ids, [SHA256_ID, POSEIDON_ID, MODMUL_ID, SCHNORR_ID]);
        canopy_circuit::params::BlockParams::new(2, 1 << 20)
            .unwrap()
            .with_coprocessors(circuits)
            .unwrap();
    }
}
