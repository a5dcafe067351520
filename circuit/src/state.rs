//! The layout of the CPU's IVC state z, shared by the block circuit, the coprocessor step
//! circuits and the audit step circuit.
//!
//! z has [`Z_LEN`] = 29 elements:
//!
//! `[pc, reg_hash, ts, halted, exit_code, steps, cursor, in_eof, priv_eof,
//!   in.digest, in.words, in.off, in.pending, out.digest, out.words, out.off, out.pending,
//!   called, done, call, arg0, arg1, ret, γ, α, S, IC, next_page, pages]`:
//! the row state ([`RowState::fields`]) with the 31 registers replaced by
//! `reg_hash = H24(x1..x31, salt)` ([`crate::registers::RegHasher`]) and the memory clock
//! `ts` inserted; the six after the streams are the coprocessor mailbox
//! ([`crate::row::Mailbox`]); the last six are the memory argument's ([`MemFields`],
//! [`crate::memcheck`]).

use canopy_folding::F1;
use ff::Field;

use crate::memcheck::Challenges;
use crate::row::RowState;

/// Length of the IVC state z.
pub const Z_LEN: usize = 29;
/// Index of the register hash in z.
pub const Z_REG_HASH: usize = 1;
/// Index of the memory clock `ts` (accesses made so far) in z.
pub const Z_CLOCK: usize = 2;
/// Index of `halted` in z.
pub const Z_HALTED: usize = 3;
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
/// Index of the challenge `γ` in z.
pub const Z_GAMMA: usize = 23;
/// Index of the challenge `α` in z.
pub const Z_ALPHA: usize = 24;
/// Index of the LogUp sum `S` in z.
pub const Z_SUM: usize = 25;
/// Index of the binding chain `IC` in z.
pub const Z_CHAIN: usize = 26;
/// Index of the next page the audit may add (pages strictly increase) in z.
pub const Z_NEXT_PAGE: usize = 27;
/// Index of the digest of the audited pages in z.
pub const Z_PAGES: usize = 28;
/// Tag hashed into the initial digest of the public input stream.
pub const IV_IN_TAG: u64 = 0x4956_494e; // "IVIN"
/// Tag hashed into the initial digest of the public output stream.
pub const IV_OUT_TAG: u64 = 0x4956_4f55; // "IVOU"

/// The initial digests `(IV_in, IV_out)` of the public input and output streams: the tags
/// themselves (the streams' fingerprints, [`crate::row::FingerprintHasher`], start there).
pub fn stream_ivs() -> (F1, F1) {
    (F1::from(IV_IN_TAG), F1::from(IV_OUT_TAG))
}

/// The memory argument's part of z, natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemFields {
    /// The clock `ts`.
    pub clock: u64,
    /// The challenges (zero in phase 1, before they are known).
    pub challenges: Option<Challenges>,
    /// The LogUp sum `S`.
    pub sum: F1,
    /// The binding chain `IC`.
    pub chain: F1,
    /// The next page the audit may add.
    pub next_page: u64,
    /// The digest of the audited pages.
    pub pages: F1,
}

/// z for a row state, register hash and memory fields.
pub fn z_of(state: &RowState<F1>, reg_hash: F1, mem: &MemFields) -> Vec<F1> {
    let f = state.fields();
    let mut z = vec![f[0], reg_hash, F1::from(mem.clock)];
    z.extend_from_slice(&f[32..]);
    let (gamma, alpha) = mem
        .challenges
        .map_or((F1::ZERO, F1::ZERO), |c| (c.gamma, c.alpha));
    z.extend([
        gamma,
        alpha,
        mem.sum,
        mem.chain,
        F1::from(mem.next_page),
        mem.pages,
    ]);
    debug_assert_eq!(z.len(), Z_LEN);
    z
}
