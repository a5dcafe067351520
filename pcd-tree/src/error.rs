//! Errors of the PCD tree.

use thiserror::Error;

/// Everything that can go wrong while proving or reducing a tree.
#[derive(Debug, Error)]
pub enum PcdError {
    /// An error of the folding engine (a step, a merge, a verification).
    #[error(transparent)]
    Folding(#[from] canopy_folding::FoldingError),
    /// A segment or a reduction was given bad input (an empty segment, no leaf at all).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A checkpoint could not be used (other parameters, other program, corrupt file).
    #[error("checkpoint refused: {0}")]
    Checkpoint(String),
    /// A rank of a distributed run failed (the message names the rank and the reason).
    #[error("distributed run failed: {0}")]
    Rank(String),
    /// I/O while writing or reading a checkpoint.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
