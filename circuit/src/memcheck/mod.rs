//! Offline memory checking (MEMORY.md §1–§2, option A): the memory argument of the CPU block,
//! the coprocessor steps and the audit step.
//!
//! # The argument
//!
//! * **Cells** are guest words, named by their **byte address** (aligned, `< memory size ≤
//!   2^32`). A cell's value is its tagged leaf `word + 2^32·W + 2^33·X`
//!   ([`crate::memory::Leaf`]): fetches need X, stores need W, tags never change.
//! * **Clock**: z carries `ts`, the number of accesses made so far. The access at position `j`
//!   of a step that starts at clock `ts` reads `(a, v_r, t_r)` and writes `(a, v_w, ts + j + 1)`;
//!   a pure read writes back `v_r`. The time order `t_r < ts + j + 1` is the range check
//!   `d = ts + j − t_r ∈ [0, 2^`[`GAP_BITS`]`)`: the circuit allocates the bits of the gap `d`
//!   and derives `t_r` from it, so `t_r` needs no range check of its own (a read with an
//!   "negative" `t_r` matches no write or initial tuple, whose times are small integers).
//! * **Multisets** IS (every word of every listed page at its initial value, time 0), RS, WS,
//!   FS (every word of every listed page at its final value and last write time). Memory was
//!   consistent iff `IS ⊎ WS = RS ⊎ FS`, checked by the LogUp sum of the fingerprint
//!   `h(a, v, t) = a + γ·v + γ²·t` ([`logup`]): z carries `S = Σ_WS 1/(α−h) − Σ_RS 1/(α−h)`;
//!   the audit steps subtract `Σ_FS`; the verifier adds `Σ_IS`, which it computes from the
//!   program image and the page list, and requires 0.
//! * **Pages** of [`PAGE_BYTES`] bytes ([`PAGE_WORDS`] words): the audit step circuit
//!   ([`crate::audit`]) adds one page of FS per fold step, pages strictly increasing (z
//!   carries the next allowed page), and folds each page number into a digest in z that the
//!   verifier recomputes from the statement's page list. The page list must contain every
//!   page of the program image (the verifier's rule), so IS is exactly the image plus zeroed
//!   pages, each cell once.
//! * **Binding** ([`binding`], option A): every fold step hashes its packed accesses into the
//!   chain `IC' = H(IC, p_1, …, p_n)` in circuit (width-25 Poseidon sponge, domain separator
//!   per circuit index), and the challenges are `(γ, α) = H(statement, IC_end)`. The prover
//!   runs twice (two phases): phase 1 fixes every tuple and the chain's end, phase 2 proves
//!   with `(γ, α)` in `z_0`, which every step copies, so that the folding layer's state
//!   continuity makes them common to every leaf and merge.
//!
//! # Packing (what makes the chain bind every fingerprinted value)
//!
//! A CPU row makes two accesses, the fetch (pure read of the word at pc) and the data access
//! (read-modify-write of the word at the data address; a pure read for rows that store
//! nothing), packed into **one** field element ([`binding::pack_row`]):
//! `a_f + 2^32·v_f + 2^66·d_f + 2^98·a_d + 2^130·v_r + 2^164·v_w + 2^198·d_d` (230 bits, every
//! component range-checked: addresses from the row's pc and data-address bits, values from
//! the row's u32 words and tag bits, gaps from their bits). Coprocessor accesses pack one
//! per element ([`binding::pack_access`]). The audit absorbs the page number and each word's
//! final value and time as separate elements (no packing, so no range checks).
//!
//! # Deviations from MEMORY.md (and why)
//!
//! * **Registers stay in the per-block register hash** (z's `reg_hash`), not in the
//!   argument. The row's register file costs ≈ 200 constraints (one-hot selects) and the hash
//!   ≈ 3.1k per block, i.e. ≈ 50 per instruction at K = 64; three register accesses would
//!   cost ≈ 3·(32 + 5) plus their share of the chain, more than that.
//! * **I/O is not routed through tapes**: the public streams keep their per-row state
//!   `(digest, words, off, pending)`, but the digest is now the polynomial fingerprint
//!   `d·γ + word` under this argument's `γ` ([`crate::row::FingerprintHasher`], 1 constraint
//!   instead of a 238-constraint Poseidon permutation per row). Sound because every stream
//!   byte is a function of chain-bound tuples (a `write` outputs a byte it reads from memory,
//!   a `read` stores its byte in memory) and the challenges absorb the digests of the claimed
//!   input and output. Tapes would also move several bytes per row; not built.
//! * The chain starts at a **random salt** `IC_0` chosen by the prover (not checked by the
//!   verifier), so that `IC_end`, which the verifier must see, is not a deterministic
//!   function of the private input.
//! * Pages are 1 KiB (one audit step each), not 4 KiB: a smaller audit circuit.
//! * The challenge derivation absorbs the statement's digests and `IC_end`; the page list
//!   is bound through the chain (each audit step absorbs its page number).

pub mod binding;
pub mod error;
pub mod gadget;
pub mod logup;
pub mod native;
pub mod sets;

pub use binding::{derive_challenges, page_digest, ChainHasher, ChallengeStatement};
pub use error::MemCheckError;
pub use logup::Challenges;
pub use native::{AccessRecord, OfflineMemory};
pub use sets::{InitialImage, PageList};

/// A cell: a guest word's byte address.
pub type Cell = u64;

/// Bytes per page of the page list (one audit step each).
pub const PAGE_BYTES: u64 = 1024;
/// Words per page.
pub const PAGE_WORDS: u64 = PAGE_BYTES / 4;
/// Bits of the time-order gap `d = ts + j − t_r` (a read may consume a write at most
/// `2^32 − 1` accesses old).
pub const GAP_BITS: u32 = 32;
/// Bits of a packed address.
pub const ADDR_BITS: u32 = 32;
/// Bits of a packed value (a tagged leaf).
pub const VALUE_BITS: u32 = 34;

/// One tuple of a multiset: `(a, v, t)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple {
    /// The cell.
    pub cell: Cell,
    /// Its value (`< 2^34`).
    pub value: u64,
    /// The time.
    pub time: u64,
}
