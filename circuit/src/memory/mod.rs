//! Leaves, the program image, and the former Merkle memory argument (docs/cpu-circuit.md §3).
//!
//! **No step circuit uses the Merkle memory any more**: offline memory checking
//! ([`crate::memcheck`]) replaced it (issue 15). What the circuits still use from here is
//! [`Leaf`] (a word and its tags), [`TreeGeometry`] and the image ([`image`]); the program
//! digest still includes the image's Merkle root ([`initial_root`]). The Merkle gadget and its
//! tests are kept as the baseline the memory argument is measured against (BENCHMARKS.md).
//!
//! Two traits form the interface, so that the Merkle tree can later be replaced by offline
//! memory checking (plan O3) without touching the block circuit, which must only talk to them:
//! - [`MemoryArgument`] (circuit side): the allocated state (`STATE_LEN` IVC slots), a
//!   read-only access (instruction fetch, coprocessor reads) and a read-modify-write of one
//!   word (verifies `old` at the address against the state and moves the state to one holding
//!   `new`).
//! - [`NativeMemory`] (prover side): the same memory natively, built from a loaded
//!   [`Program`]; every access returns the leaf and the hint the circuit needs.
//!
//! Both take a **word address**: the circuit a [`WordAddr`] (bits, see its docs: the
//! caller's decomposition is the bounds check; [`WordAddr::from_byte_addr`] decomposes a
//! number), the native side an aligned byte address. Values are **leaves**
//! `word + 2^32·W + 2^33·X` ([`Leaf`]): permission tags travel with the word, the memory
//! argument only proves membership, and the caller enforces the permissions with
//! [`LeafBits`] (`X` on fetch, `W` on store, tags preserved by stores).
//!
//! The Merkle implementation ([`MerkleMemory`], [`SparseTree`]): a sparse 4-ary Poseidon tree
//! over the `memory_size / 4` words, `ceil(log2(memory_size/4) / 2)` levels (11 for 16 MiB),
//! node hash = one width-5 Poseidon permutation with a per-level domain tag ([`hash`]).
//! The state is the root (one slot of z).
//!
//! # Constraint counts (measured, `tests/memory_circuit.rs::constraint_counts`)
//!
//! | memory | levels | read (fetch) | read-modify-write | plan §3.2 |
//! |---|---|---|---|---|
//! | 4 KiB | 5 | 1,476 | 2,937 | — |
//! | 8 KiB (odd bits) | 6 | 1,766 | 3,517 | — |
//! | 16 MiB | 11 | 3,246 | 6,459 | 3,256 / 6,512 |
//!
//! Per level: 288 (permutation) + 7 (placement: 1 for `b0·b1`, 2 sibling differences, 4
//! products with the current node) for a read, 2·288 + 11 for a read-modify-write (siblings
//! and the 3 node-free products are shared), plus one equality with the root (and for a
//! read-modify-write one allocation of the new root). The plan's figures allocate every
//! node (`+1` per level) and do not share products between the two paths.
//!
//! # Deviations from the plan
//!
//! - Odd `log2(memory_size/4)`: the top level is a 4-ary node whose second address bit is the
//!   constant 0 (two empty children), not a binary node: one hash arity, one gadget; the cost
//!   is a 4-ary permutation (288) instead of a binary one (237) on such sizes only.
//! - Per-level domain tags (the plan relies on the fixed depth only). They are free; see
//!   [`hash`] for the argument.
//! - Methods take `&self` (the gadget owns its parameters) instead of a `Params` argument;
//!   hints are `Option`s (`None` while synthesizing shapes). `read_line`/`rmw_line` (4-word
//!   lines for coprocessors) are not built.
//! - Words that mix writable and read-only bytes are tagged read-only (see [`Leaf`]).

pub mod error;
pub mod gadgets;
pub mod hash;
pub mod image;
pub mod leaf;
pub mod merkle;
pub mod native;

use ff::PrimeField;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use canopy_vm::elf_loader::Program;

pub use error::MemoryArgError;
pub use gadgets::{LeafBits, WordAddr};
pub use leaf::{Leaf, TreeGeometry};
pub use merkle::{MerkleMemory, MerkleState};
pub use native::{initial_root, MerklePath, SparseTree};

/// The circuit side of a memory argument. See the module documentation.
pub trait MemoryArgument<F: PrimeField> {
    /// Number of IVC state elements (z slots) the argument owns (Merkle: 1, the root).
    const STATE_LEN: usize;
    /// The prover's hint for one access (Merkle: the siblings of the path).
    type Hint;
    /// The allocated state.
    type State: Clone;

    /// Number of bits a [`WordAddr`] must have.
    fn word_bits(&self) -> usize;

    /// The state held in `z` (exactly `STATE_LEN` elements).
    fn state_from_z(&self, z: &[AllocatedNum<F>]) -> Result<Self::State, SynthesisError>;

    /// The state as `STATE_LEN` elements of z.
    fn state_to_z(&self, st: &Self::State) -> Vec<AllocatedNum<F>>;

    /// Proves that `leaf` is the value at `addr` in the memory that `st` commits to.
    /// `hint` is `None` only when no witness is available (shape synthesis).
    fn read<CS: ConstraintSystem<F>>(
        &self,
        cs: CS,
        st: &Self::State,
        addr: &WordAddr,
        leaf: &Num<F>,
        hint: Option<&Self::Hint>,
    ) -> Result<(), SynthesisError>;

    /// Proves that `old` is the value at `addr` in the memory that `st` commits to, and
    /// replaces `st` by the commitment to the same memory with `new` at `addr`.
    /// `new = old` is a valid no-op access.
    fn rmw<CS: ConstraintSystem<F>>(
        &self,
        cs: CS,
        st: &mut Self::State,
        addr: &WordAddr,
        old: &Num<F>,
        new: &Num<F>,
        hint: Option<&Self::Hint>,
    ) -> Result<(), SynthesisError>;
}

/// The prover side of a memory argument: the native twin of a [`MemoryArgument`].
pub trait NativeMemory<F: PrimeField> {
    /// The hint of one access, as the circuit's [`MemoryArgument::Hint`].
    type Hint;

    /// The initial memory of `program` in a memory of `memory_size` bytes.
    fn from_program(memory_size: u64, program: &Program) -> Result<Self, MemoryArgError>
    where
        Self: Sized;

    /// The current state (what `z` holds), `STATE_LEN` elements.
    fn state(&self) -> Vec<F>;

    /// Reads the leaf at the aligned byte address `addr`, with the hint of that access.
    fn read(&self, addr: u32) -> Result<(Leaf, Self::Hint), MemoryArgError>;

    /// Replaces the leaf at `addr` by `new`; returns the old leaf and the hint of that access
    /// (for the Merkle tree: the siblings, valid for both the old and the new path).
    fn rmw(&mut self, addr: u32, new: Leaf) -> Result<(Leaf, Self::Hint), MemoryArgError>;

    /// A guest store of the whole word `word` at `addr`: keeps the tags and fails with
    /// [`MemoryArgError::ReadOnly`] (changing nothing) if the word is not writable.
    fn store_word(&mut self, addr: u32, word: u32) -> Result<(Leaf, Self::Hint), MemoryArgError> {
        let (old, _) = self.read(addr)?;
        if !old.writable {
            return Err(MemoryArgError::ReadOnly(addr));
        }
        self.rmw(addr, old.with_word(word))
    }
}
