//! The layout of the CPU's IVC state z, shared by the block circuit and the coprocessor step
//! circuits.
//!
//! z has [`Z_LEN`] = 23 elements:
//!
//! `[pc, reg_hash, mem_root, halted, exit_code, steps, cursor, in_eof, priv_eof,
//!   in.digest, in.words, in.off, in.pending, out.digest, out.words, out.off, out.pending,
//!   called, done, call, arg0, arg1, ret]`:
//! the row state ([`RowState::fields`]) with the 31 registers replaced by
//! `reg_hash = H24(x1..x31, salt)` ([`crate::registers::RegHasher`]) and the memory
//! argument's state (`mem_root`) inserted; the last six are the coprocessor mailbox
//! ([`crate::row::Mailbox`]). Nothing is packed (the row keeps `(digest, words, off, pending)`
//! per stream, separate flags and the mailbox), which costs the augmented circuit one more
//! width-24 permutation in its state hash than a packed layout would.

use canopy_folding::F1;
use ff::Field;

use crate::row::{PoseidonStreamHasher, RowState, StreamHasher};

/// Length of the IVC state z.
pub const Z_LEN: usize = 23;
/// Index of `priv_eof` in z (the guest hit the end of its private input; 0 once halted).
pub const Z_PRIV_EOF: usize = 8;
/// Index of the mailbox's `called` flag in z.
pub const Z_CALLED: usize = 17;
/// Index of the mailbox's `done` flag in z.
pub const Z_DONE: usize = 18;
/// Index of the mailbox's called circuit index in z.
pub const Z_CALL: usize = 19;
/// Index of the mailbox's first argument (rs1) in z.
pub const Z_ARG0: usize = 20;
/// Index of the mailbox's second argument (rs2) in z.
pub const Z_ARG1: usize = 21;
/// Index of the mailbox's answer (rd) in z.
pub const Z_RET: usize = 22;
/// Index of the register hash in z.
pub const Z_REG_HASH: usize = 1;
/// Index of the memory root in z.
pub const Z_MEM_ROOT: usize = 2;
/// Tag hashed into the initial digest of the public input stream.
pub const IV_IN_TAG: u64 = 0x4956_494e; // "IVIN"
/// Tag hashed into the initial digest of the public output stream.
pub const IV_OUT_TAG: u64 = 0x4956_4f55; // "IVOU"

/// The initial digests `(IV_in, IV_out)` of the public input and output streams.
pub fn stream_ivs(hasher: &PoseidonStreamHasher<F1>) -> (F1, F1) {
    (
        hasher.hash(F1::from(IV_IN_TAG), F1::ZERO),
        hasher.hash(F1::from(IV_OUT_TAG), F1::ZERO),
    )
}

/// z for a row state, register salt and memory root.
pub fn z_of(state: &RowState<F1>, reg_hash: F1, mem_root: F1) -> Vec<F1> {
    let f = state.fields();
    let mut z = vec![f[0], reg_hash, mem_root];
    z.extend_from_slice(&f[32..]);
    z
}
