//! Errors of the public API.

use canopy_circuit::error::BlockError;
use canopy_circuit::memory::MemoryArgError;
use canopy_folding::FoldingError;
use canopy_vm::{ExecutionError, LoadError};
use thiserror::Error;

/// A program could not be loaded.
#[derive(Debug, Error)]
pub enum ProgramError {
    /// The ELF file is invalid or does not fit the memory.
    #[error("cannot load the program: {0}")]
    Load(#[from] LoadError),
    /// The initial memory commitment could not be built.
    #[error("cannot commit to the program's memory: {0}")]
    Memory(#[from] MemoryArgError),
}

/// Parameters could not be built, read or written.
#[derive(Debug, Error)]
pub enum ParamsError {
    /// Invalid block size or memory size.
    #[error("invalid parameters: {0}")]
    Invalid(#[from] BlockError),
    /// The folding engine failed (setup, or a digest that does not match a loaded file).
    #[error("folding parameters: {0}")]
    Folding(#[from] FoldingError),
    /// A parameters file is not one, is truncated, or has another version.
    #[error("parameters file: {0}")]
    Format(String),
    /// A parameters file was produced for another circuit (e.g. by an older version).
    #[error("parameters file is stale: {0}")]
    Stale(String),
    /// A powers-of-tau file is unreadable, too short, or not the one the parameters were
    /// made from.
    #[error("powers-of-tau file: {0}")]
    Srs(String),
    /// Reading or writing a parameters file failed.
    #[error("parameters file: {0}")]
    Io(#[from] std::io::Error),
}

/// Proving failed.
#[derive(Debug, Error)]
pub enum ProveError {
    /// The program could not be loaded into a VM.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The guest faulted or reached the step limit (found by the native pre-run).
    #[error("the guest did not exit: {0}")]
    Execution(#[from] ExecutionError),
    /// The parameters were made for another memory size than the program's.
    #[error("the parameters are for a memory of {params} bytes, the program for {program}")]
    MemorySize {
        /// Memory size of the parameters.
        params: u64,
        /// Memory size of the program.
        program: u64,
    },
    /// A step of the trace could not be turned into circuit rows (e.g. a coprocessor the
    /// parameters do not have a circuit for).
    #[error("witness generation: {0}")]
    Witness(#[from] BlockError),
    /// The proof-carrying-data tree failed (a leaf, a merge, a checkpoint).
    #[error("tree: {0}")]
    Tree(#[from] canopy_pcd::PcdError),
    /// A checkpoint cannot be used (missing, or of another run).
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// The folding engine failed.
    #[error("folding: {0}")]
    Folding(#[from] FoldingError),
    /// The proven final state disagrees with the native run (a bug, never a user error).
    #[error("internal error: {0}")]
    Internal(String),
}

/// A proof file could not be decoded.
#[derive(Debug, Error)]
pub enum ProofFormatError {
    /// The bytes end before the header or the body is complete.
    #[error("truncated proof file ({0})")]
    Truncated(String),
    /// The bytes do not start with the proof magic.
    #[error("not a Canopy proof file (bad magic)")]
    BadMagic,
    /// The file has another format version.
    #[error("unsupported proof format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads and writes.
        supported: u32,
    },
    /// The body does not decode, or bytes follow it.
    #[error("corrupt proof file: {0}")]
    Corrupt(String),
    /// Encoding failed.
    #[error("cannot encode the proof: {0}")]
    Encode(String),
}

impl From<canopy_folding::framing::FramingError> for ProofFormatError {
    fn from(e: canopy_folding::framing::FramingError) -> Self {
        use canopy_folding::framing::FramingError as F;
        match e {
            F::Truncated { detail, .. } => ProofFormatError::Truncated(detail),
            F::BadMagic { .. } => ProofFormatError::BadMagic,
            F::UnsupportedVersion {
                found, supported, ..
            } => ProofFormatError::UnsupportedVersion { found, supported },
            F::Corrupt { detail, .. } => ProofFormatError::Corrupt(detail),
            F::Encode { detail, .. } => ProofFormatError::Encode(detail),
        }
    }
}

/// Why a proof was rejected. Every variant says which check failed.
#[derive(Debug, Error)]
pub enum VerifyError {
    /// The proof is for another program (its program digest, or its initial state, is not the
    /// given program's).
    #[error("the proof is for another program: {0}")]
    WrongProgram(String),
    /// The proof was made with other parameters (block size, memory size or parameter
    /// digest).
    #[error("the proof was made with other parameters: {0}")]
    WrongParams(String),
    /// The public input given to the verifier is not the one the guest read.
    #[error("public input mismatch: {0}")]
    WrongInput(String),
    /// The claimed public output is not what the guest wrote.
    #[error("public output mismatch: {0}")]
    WrongOutput(String),
    /// The claimed exit code is not the proven one, or the guest did not exit.
    #[error("exit mismatch: {0}")]
    WrongExit(String),
    /// The claimed step counts are not the proven ones.
    #[error("step count mismatch: {0}")]
    WrongSteps(String),
    /// The proven state is malformed (e.g. a field out of range).
    #[error("malformed proven state: {0}")]
    Malformed(String),
    /// The memory argument does not close: the challenges are not the chain's, the page list
    /// is invalid or not the audited one, or the LogUp sum with the initial memory is not 0.
    #[error("memory argument: {0}")]
    Memory(String),
    /// The accumulator does not verify (folding engine's check).
    #[error("the accumulator does not verify: {0}")]
    Accumulator(#[from] FoldingError),
    /// The verifier could not rebuild the program's initial state.
    #[error("cannot rebuild the initial state: {0}")]
    InitialState(String),
}
