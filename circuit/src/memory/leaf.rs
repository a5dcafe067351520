//! Leaves (a word and its permission tags) and the tree's geometry.

use ff::PrimeField;

use super::error::MemoryArgError;
use canopy_vm::memory::validate_memory_size;

/// Bit position of the writable tag in a leaf.
pub const W_SHIFT: u32 = 32;
/// Bit position of the executable tag in a leaf.
pub const X_SHIFT: u32 = 33;

/// One memory word with its permission tags, encoded as the field element
/// `word + 2^32·W + 2^33·X` (see [`Leaf::encode`]).
///
/// Tag rules (they reproduce `canopy_vm::memory`'s checks word by word):
/// - `W` (stores allowed): no byte of the word lies in a segment without `PF_W`. Memory outside
///   every segment is writable. A word that mixes a writable byte with a read-only one (only
///   possible when a segment ends or starts inside a word) is tagged read-only: the circuit
///   then rejects a byte store into its writable part that the VM would accept. The guest
///   linker script aligns segments to 4 KiB pages, so this never happens for SDK programs.
/// - `X` (fetch allowed): the word lies entirely inside an executable segment (the VM decodes
///   `mem_size / 4` words from the segment's aligned start).
/// - Loads ignore the tags. Stores must preserve both tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Leaf {
    /// The 32-bit little-endian word.
    pub word: u32,
    /// Stores allowed.
    pub writable: bool,
    /// Instruction fetch allowed.
    pub executable: bool,
}

impl Leaf {
    /// The leaf of memory that no segment covers (and of untouched `.bss`): a writable zero.
    pub const EMPTY: Leaf = Leaf {
        word: 0,
        writable: true,
        executable: false,
    };

    /// The integer encoding `word + 2^32·W + 2^33·X` (< 2^34).
    pub fn to_u64(self) -> u64 {
        self.word as u64 | (self.writable as u64) << W_SHIFT | (self.executable as u64) << X_SHIFT
    }

    /// Decodes [`Leaf::to_u64`]; `None` if `v >= 2^34`.
    pub fn from_u64(v: u64) -> Option<Leaf> {
        (v >> 34 == 0).then_some(Leaf {
            word: v as u32,
            writable: v >> W_SHIFT & 1 == 1,
            executable: v >> X_SHIFT & 1 == 1,
        })
    }

    /// The field encoding of the leaf.
    pub fn encode<F: PrimeField>(self) -> F {
        F::from(self.to_u64())
    }

    /// The same tags with another word (what a store produces).
    pub fn with_word(self, word: u32) -> Leaf {
        Leaf { word, ..self }
    }
}

/// Geometry of the tree for one memory size.
///
/// `word_bits = log2(memory_size / 4)` address bits select a word; the tree has
/// `levels = ceil(word_bits / 2)` levels of 4-ary nodes. When `word_bits` is odd, the top
/// level's second address bit is the constant 0: the root has two populated children and two
/// empty ones (this deviates from the plan's binary top level: one arity keeps one gadget,
/// and it costs 51 constraints per path only for odd `word_bits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TreeGeometry {
    memory_size: u64,
    word_bits: usize,
    levels: usize,
}

impl TreeGeometry {
    /// The geometry for `memory_size` bytes (a power of two in `[4 KiB, 4 GiB]`, as the VM
    /// requires).
    pub fn new(memory_size: u64) -> Result<TreeGeometry, MemoryArgError> {
        validate_memory_size(memory_size)
            .map_err(|_| MemoryArgError::InvalidMemorySize(memory_size))?;
        let word_bits = (memory_size.trailing_zeros() - 2) as usize;
        Ok(TreeGeometry {
            memory_size,
            word_bits,
            levels: word_bits.div_ceil(2),
        })
    }

    /// The memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.memory_size
    }

    /// Number of word-address bits (the length of a [`super::WordAddr`]).
    pub fn word_bits(&self) -> usize {
        self.word_bits
    }

    /// Number of 4-ary levels (hashes per path).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Number of words in memory.
    pub fn words(&self) -> u64 {
        1u64 << self.word_bits
    }

    /// The word index of the aligned byte address `addr`, checking alignment and bounds.
    pub fn word_index(&self, addr: u32) -> Result<u64, MemoryArgError> {
        if addr & 3 != 0 {
            return Err(MemoryArgError::Misaligned(addr));
        }
        if addr as u64 >= self.memory_size {
            return Err(MemoryArgError::OutOfBounds {
                addr,
                memory_size: self.memory_size,
            });
        }
        Ok(addr as u64 >> 2)
    }
}
