//! [`Statement`], [`Proof`] and the proof file format.

use canopy_folding::Accumulator;
use serde::{Deserialize, Serialize};

use crate::coprocessors::CoprocessorInfo;
use canopy_folding::framing;

use crate::error::ProofFormatError;
use crate::params::hex;

/// Magic at the start of a proof file.
pub const PROOF_MAGIC: &[u8; 8] = b"CANOPYPF";
/// Version of the proof file format (header + body layout, statement fields).
pub const PROOF_FORMAT_VERSION: u32 = 3;
/// Largest body the decoder accepts (a bound on what a corrupt length prefix can claim).
const MAX_BODY: usize = 1 << 32;

/// What a proof claims. [`crate::verify`] checks every field against the proven accumulator
/// and the verifier's own program, public input and parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The program digest ([`crate::Program::digest`]).
    pub program_digest: [u8; 32],
    /// Memory size in bytes.
    pub memory_size: u64,
    /// Rows per fold step (K) of the parameters.
    pub block_size: u64,
    /// The parameters digest ([`crate::Params::digest`]).
    pub params_digest: [u8; 32],
    /// The coprocessors of the parameters, in circuit order (entry i is step circuit i + 1):
    /// the calls the guest could make. Their circuits are bound by the parameters digest; the
    /// verifier also requires this list to be exactly its own set.
    pub coprocessors: Vec<CoprocessorInfo>,
    /// Number of public-input bytes the guest read (the bound prefix).
    pub public_input_len: u64,
    /// SHA-256 of the public-input bytes the guest read (`input[..public_input_len]`).
    pub public_input_digest: [u8; 32],
    /// Whether the guest saw the end of the public input (a short read); then the proof binds
    /// the whole input, not only a prefix.
    pub public_input_eof: bool,
    /// The public output (every byte written to fd 1).
    pub public_output: Vec<u8>,
    /// The full a0 passed to `exit` (a process would report `exit_code & 0xff`).
    pub exit_code: u32,
    /// RISC-V instructions executed, including the exit `ecall` (as `canopy run --stats`).
    pub instructions: u64,
    /// Number of fold steps (CPU blocks of K rows, coprocessor steps and audit steps).
    pub fold_steps: u64,
    /// The pages of the memory argument's audit (`addr / 1024`, strictly increasing): every
    /// page the run touched and every page of the program image. Public: the verifier
    /// computes the initial memory of these pages. This reveals the run's memory footprint at
    /// the granularity of 1 KiB pages.
    pub pages: Vec<u64>,
}

impl Statement {
    /// The process exit status the guest reports: `exit_code & 0xff`.
    pub fn exit_status(&self) -> u8 {
        (self.exit_code & 0xff) as u8
    }

    /// The program digest in hexadecimal.
    pub fn program_digest_hex(&self) -> String {
        hex(&self.program_digest)
    }

    /// The parameters digest in hexadecimal.
    pub fn params_digest_hex(&self) -> String {
        hex(&self.params_digest)
    }

    /// The public input digest in hexadecimal.
    pub fn public_input_digest_hex(&self) -> String {
        hex(&self.public_input_digest)
    }
}

/// A proof: the statement and the folding accumulator that proves it.
///
/// For now the accumulator is the leaf accumulator of sequential non-uniform IVC (verified by
/// `canopy_folding`'s native, non-succinct check); the decider's compressed SNARK will
/// replace it in a later format version.
///
/// # File format ([`Proof::to_bytes`])
///
/// | bytes | content |
/// |---|---|
/// | 0..8 | magic `"CANOPYPF"` |
/// | 8..12 | format version, u32 little-endian ([`PROOF_FORMAT_VERSION`]) |
/// | 12.. | bincode 2 (standard configuration, through serde) of `(Statement, Accumulator)` |
///
/// [`Proof::from_bytes`] reports a short header or body as [`ProofFormatError::Truncated`],
/// another magic as [`ProofFormatError::BadMagic`], another version as
/// [`ProofFormatError::UnsupportedVersion`], and undecodable or trailing bytes as
/// [`ProofFormatError::Corrupt`]. Decoding never panics; a decoded proof is trusted only
/// after [`crate::verify`].
#[derive(Clone, Serialize, Deserialize)]
pub struct Proof {
    /// What is claimed.
    pub statement: Statement,
    /// The accumulator.
    pub accumulator: Accumulator,
}

impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proof")
            .field("statement", &self.statement)
            .finish_non_exhaustive()
    }
}

impl Proof {
    /// Encodes the proof as a file (header + body).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProofFormatError> {
        Ok(framing::encode(
            PROOF_MAGIC,
            PROOF_FORMAT_VERSION,
            self,
            "proof",
        )?)
    }

    /// Decodes a proof file (see the type's documentation).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofFormatError> {
        Ok(framing::decode::<Self, MAX_BODY>(
            bytes,
            PROOF_MAGIC,
            PROOF_FORMAT_VERSION,
            "proof",
        )?)
    }
}
