//! Errors of the block witness generator and of the block parameters.

use crate::memory::MemoryArgError;
use crate::row::RowError;

/// An error while building block witnesses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// A trace record could not be turned into rows.
    #[error(transparent)]
    Row(#[from] RowError),
    /// The native memory refused an access.
    #[error(transparent)]
    Memory(#[from] MemoryArgError),
    /// The memory argument refused an access or a page list.
    #[error(transparent)]
    MemCheck(#[from] crate::memcheck::MemCheckError),
    /// The trace disagrees with the native memory.
    #[error("row at pc {pc:#x}: {what}")]
    Inconsistent {
        /// The row's pc.
        pc: u32,
        /// What disagrees.
        what: String,
    },
    /// Invalid parameters (K = 0).
    #[error("invalid block parameters: {0}")]
    Params(String),
}
