//! Errors of the memory-checking oracle.

use crate::memory::MemoryArgError;
use crate::row::RowError;

/// Why the oracle refused a record, a set or a chain input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemCheckError {
    /// A trace record could not be turned into rows.
    #[error(transparent)]
    Row(#[from] RowError),
    /// The program's image is invalid or an address is outside memory.
    #[error(transparent)]
    Memory(#[from] MemoryArgError),
    /// The trace disagrees with the memory the oracle keeps, or breaks a permission rule.
    #[error("at pc {pc:#x}: {what}")]
    Inconsistent {
        /// The pc of the row (or of the coprocessor call).
        pc: u32,
        /// What disagrees.
        what: String,
    },
    /// A read's time is not before the access's clock (`t_r ≥ ts`).
    #[error("access {index} of cell {cell:#x}: read time {read_time} is not before {time}")]
    TimeOrder {
        /// Index of the access in the checked slice.
        index: usize,
        /// The cell.
        cell: u64,
        /// The read time.
        read_time: u64,
        /// The access's clock.
        time: u64,
    },
    /// `α` equals a tuple's fingerprint (probability negligible for a random `α`).
    #[error("the challenge α hits a fingerprint (choose other challenges)")]
    Pole,
    /// A packed component does not fit its bit range.
    #[error("{what} = {value:#x} does not fit in {bits} bits")]
    Range {
        /// Which component.
        what: &'static str,
        /// Its value.
        value: u64,
        /// Its range.
        bits: u32,
    },
    /// The page list is not strictly increasing or names a page outside memory.
    #[error("invalid page list: {0}")]
    Pages(String),
    /// Padding was requested before the guest halted.
    #[error("the run is not finished: {0}")]
    Unfinished(String),
}
