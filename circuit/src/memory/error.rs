//! Errors of the native memory argument.

use thiserror::Error;

/// An error of the prover-side memory argument (building the initial tree, accessing it).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MemoryArgError {
    /// The memory size is not a power of two in `[4 KiB, 4 GiB]`.
    #[error("invalid memory size {0:#x}: must be a power of two between 4 KiB and 4 GiB")]
    InvalidMemorySize(u64),
    /// A word address is not 4-byte aligned.
    #[error("word address {0:#010x} is not 4-byte aligned")]
    Misaligned(u32),
    /// A word address lies outside memory.
    #[error("address {addr:#010x} is outside a memory of {memory_size:#x} bytes")]
    OutOfBounds {
        /// The address.
        addr: u32,
        /// The memory size in bytes.
        memory_size: u64,
    },
    /// A store into a word whose writable tag is clear.
    #[error("store into read-only word {0:#010x}")]
    ReadOnly(u32),
    /// A segment of the program does not fit in memory, or is inconsistent.
    #[error("segment at {vaddr:#010x}: {reason}")]
    BadSegment {
        /// The segment's start address.
        vaddr: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// Two segments of the program overlap.
    #[error("segments at {a:#010x} and {b:#010x} overlap")]
    OverlappingSegments {
        /// Start of the first segment.
        a: u32,
        /// Start of the second segment.
        b: u32,
    },
}
