//! Errors of the decider.

use thiserror::Error;

/// Everything that can go wrong while building keys, proving, verifying or decoding.
#[derive(Debug, Error)]
pub enum DeciderError {
    /// The bytes are not a file of the expected kind: wrong magic, unknown format version,
    /// truncated or trailing data, or an undecodable field.
    #[error("format: {0}")]
    Format(String),
    /// The proof does not verify; the string says which check failed.
    #[error("proof rejected: {0}")]
    Rejected(String),
    /// The accumulator, statement or parameters do not fit the key (arity, number of slots,
    /// parameter digest).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// An error reported by nova-snark (setup, folding, SNARK proving).
    #[error("nova-snark: {0}")]
    Nova(#[from] nova_snark::errors::NovaError),
    /// An error reported by canopy-folding.
    #[error("folding: {0}")]
    Folding(#[from] canopy_folding::FoldingError),
    /// I/O while reading or writing a file.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl From<canopy_folding::framing::FramingError> for DeciderError {
    fn from(e: canopy_folding::framing::FramingError) -> Self {
        DeciderError::Format(e.to_string())
    }
}
