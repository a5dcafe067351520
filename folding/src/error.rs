//! Errors returned by the folding engine.

use thiserror::Error;

/// Everything that can go wrong while setting up, proving or verifying.
#[derive(Debug, Error)]
pub enum FoldingError {
    /// An error reported by nova-snark (shape, commitment, satisfiability).
    #[error("nova-snark: {0}")]
    Nova(#[from] nova_snark::errors::NovaError),
    /// Circuit synthesis failed (a step circuit or an augmented circuit).
    #[error("synthesis: {0}")]
    Synthesis(#[from] nova_snark::frontend::SynthesisError),
    /// The parameters or inputs are malformed (wrong arity, no circuit, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The program counter does not name a circuit of the parameters.
    #[error("program counter {0} does not select one of the {1} circuits")]
    PcOutOfRange(String, usize),
    /// The accumulator was produced under other public parameters.
    #[error("parameter digest mismatch")]
    DigestMismatch,
    /// The accumulator does not verify; the string says which check failed.
    #[error("accumulator rejected: {0}")]
    Rejected(String),
    /// Two accumulators given to a merge do not describe adjacent segments
    /// (left.state_out != right.state_in), or cannot be merged for another reason.
    #[error("cannot merge: {0}")]
    NotAdjacent(String),
    /// (De)serialisation failed.
    #[error("serialisation: {0}")]
    Serde(String),
    /// A parameters file is malformed: another version, a failed checksum (corrupt,
    /// truncated or modified), or content that does not decode.
    #[error("parameters file: {0}")]
    ParamsFile(String),
    /// I/O while reading or writing a cached file.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
