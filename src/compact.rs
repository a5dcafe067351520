//! [`CompactProofFile`]: a [`Statement`] proven by the decider's compact SNARK, and
//! [`verify_compact`], which checks it with only a verifier key, the program and the public
//! input (no parameters, no witnesses).
//!
//! [`Proof::compress`] turns a witness-carrying [`Proof`] into a compact one: it runs
//! `canopy_decider::prove` on the proof's accumulator (a leaf or a PCD-tree root) and keeps the
//! statement and the accumulator's public final state (pc_n, z_n). The start state is never
//! stored: the verifier recomputes (φ_0 = 0, z_0) from its own program.
//!
//! # File format ([`CompactProofFile::to_bytes`])
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `"CANOPYCP"` ([`COMPACT_PROOF_MAGIC`]) |
//! | 8..12 | format version, u32 little-endian ([`COMPACT_PROOF_FORMAT_VERSION`]) |
//! | 12.. | bincode 2 (standard configuration, through serde) of `(Statement, pc_n, z_n, snark)` where `snark` is the decider's own file (`canopy_decider::CompactProof::to_bytes`: magic `"CNPY-CP\0"`, its version, its body) |
//!
//! Decoding errors are [`ProofFormatError`]s (truncated, bad magic, unsupported version,
//! corrupt or trailing bytes); decoding never panics.

use canopy_decider::{CompactProof, DeciderError, KzgCompactProof};
use canopy_folding::F1;
use ff::Field;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use canopy_folding::framing;

use crate::error::{ProofFormatError, VerifyError};
use crate::keys::{CompactProverKey, CompactVerifierKey, DeciderVerifierKey, VerifierKeyFile};
use crate::params::{hex, Params};
use crate::program::Program;
use crate::proof::{Proof, Statement};
use crate::verify::{challenges_of, check_statement, initial_state_of_block, ProvenRun};
use canopy_circuit::state::{Z_ALPHA, Z_CHAIN, Z_GAMMA};

/// Magic at the start of a compact proof file.
pub const COMPACT_PROOF_MAGIC: &[u8; 8] = b"CANOPYCP";
/// Version of the compact proof file format.
pub const COMPACT_PROOF_FORMAT_VERSION: u32 = 3;
/// Largest body the decoder accepts (a compact proof is tens of KiB; this bounds what a
/// corrupt length prefix can make the decoder allocate).
const MAX_BODY: usize = 1 << 28;

/// A compact proof: the statement, the proven final state and the decider's SNARK.
///
/// The SNARK proves that `statement.fold_steps` steps of the circuits whose parameters digest
/// is `statement.params_digest` lead from the program's initial state (recomputed by the
/// verifier) to `(final_pc, final_z)`; [`verify_compact`] checks the statement's claims
/// against that final state exactly as [`crate::verify`] does against an accumulator.
#[derive(Clone, Serialize, Deserialize)]
pub struct CompactProofFile {
    /// What is claimed (the same statement as a witness-carrying [`Proof`]).
    pub statement: Statement,
    /// The final circuit index φ_n (0: the CPU circuit).
    pub final_pc: F1,
    /// The final IVC state z_n: public. Its scrubbed fields (pc, register hash, the memory
    /// clock, the mailbox's arguments and answer) are fresh prover randomness; `priv_eof`
    /// (whether the guest read its private input to the end) is 0; the memory argument's
    /// fields are the derived challenges, the LogUp sum (a function of the public initial
    /// memory and the challenges: it must cancel Σ_IS), the chain's end (a hash of the
    /// salted chain) and the page digest and next page (functions of the statement's page
    /// list); every other field is what the statement claims (halted, exit code, instruction
    /// count, the I/O streams' positions and fingerprints) or 0 at halt (the mailbox's flags).
    pub final_z: Vec<F1>,
    /// The memory argument's chain start `IC_0` (z_0's only slot the verifier cannot
    /// recompute: a random salt of the prover's).
    pub initial_chain: F1,
    /// The decider's proof, in its own file format (`canopy_decider::CompactProof::to_bytes`).
    pub snark: Vec<u8>,
}

impl std::fmt::Debug for CompactProofFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompactProofFile")
            .field("statement", &self.statement)
            .field("snark_bytes", &self.snark.len())
            .finish_non_exhaustive()
    }
}

/// Compressing a proof failed.
#[derive(Debug, Error)]
pub enum CompressError {
    /// The proof's accumulator was made under other parameters than the ones given.
    #[error("the proof was made with other parameters: {0}")]
    WrongParams(String),
    /// The decider failed (key mismatch, SNARK proving, encoding).
    #[error("decider: {0}")]
    Decider(#[from] DeciderError),
}

/// Why a compact proof was rejected.
#[derive(Debug, Error)]
pub enum CompactVerifyError {
    /// A statement check failed (the same checks, and messages, as [`crate::verify`]).
    #[error(transparent)]
    Statement(#[from] VerifyError),
    /// The SNARK is undecodable or does not verify for the statement under the verifier key.
    #[error("the compact SNARK does not verify: {0}")]
    Snark(DeciderError),
}

impl Proof {
    /// Compresses the proof with the decider: a [`CompactProofFile`] with the same statement,
    /// the accumulator's final state and a SNARK (about 13–15 KiB, zero-knowledge with respect
    /// to the private input, the witnesses and how often each circuit ran, when the proof's
    /// first leaf started its slots at random, as [`Prover`] does; docs/protocol.md §3.7). `dk`
    /// must be [`decider_key`] of `params`.
    ///
    /// The accumulator is not re-verified here: compress only proofs you produced or
    /// [`crate::verify`]'d (a false accumulator yields a compact proof that does not verify).
    pub fn compress(
        &self,
        params: &Params,
        dk: &CompactProverKey,
    ) -> Result<CompactProofFile, CompressError> {
        let acc = &self.accumulator;
        if acc.digest() != params.folding().digest()
            || self.statement.params_digest != params.digest()
        {
            return Err(CompressError::WrongParams(format!(
                "the proof names parameters {}, the given ones are {}",
                hex(&self.statement.params_digest),
                hex(&params.digest())
            )));
        }
        if dk.digest() != params.folding().digest() {
            return Err(CompressError::WrongParams(
                "the decider key was derived from other parameters".into(),
            ));
        }
        let snark = match dk {
            CompactProverKey::Ipa(k) => {
                canopy_decider::prove(params.folding(), k, acc)?.to_bytes()?
            }
            CompactProverKey::Kzg(k) => {
                canopy_decider::prove(params.folding(), k, acc)?.to_bytes()?
            }
        };
        let (final_pc, final_z) = acc.state();
        let initial_chain = acc.start().1.get(Z_CHAIN).copied().ok_or_else(|| {
            CompressError::WrongParams("the accumulator's state is too short".into())
        })?;
        Ok(CompactProofFile {
            statement: self.statement.clone(),
            initial_chain,
            final_pc,
            final_z: final_z.to_vec(),
            snark,
        })
    }
}

impl CompactProofFile {
    /// Encodes the file (header + body).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProofFormatError> {
        Ok(framing::encode(
            COMPACT_PROOF_MAGIC,
            COMPACT_PROOF_FORMAT_VERSION,
            self,
            "compact proof",
        )?)
    }

    /// Decodes a compact proof file (see the module documentation); never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofFormatError> {
        Ok(framing::decode::<Self, MAX_BODY>(
            bytes,
            COMPACT_PROOF_MAGIC,
            COMPACT_PROOF_FORMAT_VERSION,
            "compact proof",
        )?)
    }
}

/// Verifies a compact proof for `program` and the public input `public_input` under the
/// verifier key `vk`; returns the verified statement.
///
/// Checks, cheapest first:
/// 1. **Parameters**: the statement's parameters digest, K, memory size and coprocessor list
///    are the key's (the key, which the verifier chose, fixes the circuits).
/// 2. **Statement** (items 2–6 of [`crate::verify`]): program digest, initial state
///    recomputed from `program`, final state halted with the claimed exit code and
///    instruction count, output stream, the public-input prefix rule, fold steps, against the
///    file's final state and the recomputed start state.
/// 3. **SNARK**: `canopy_decider::verify` of the statement
///    `(n = fold_steps, (0, z_0), (final_pc, final_z))` under the key's decider key.
pub fn verify_compact(
    file: &CompactProofFile,
    program: &Program,
    public_input: &[u8],
    vk: &CompactVerifierKey,
) -> Result<Statement, CompactVerifyError> {
    let s = &file.statement;

    // 1. parameters
    if let Some(m) =
        VerifierKeyFile::of_statement(s).mismatch("the proof", vk.file(), "the verifier key")
    {
        return Err(VerifyError::WrongParams(m).into());
    }

    // 2.–6. the statement (the program's memory size first: z_0 is computed under it)
    if program.memory_size() != s.memory_size {
        return Err(VerifyError::WrongProgram(format!(
            "the program was loaded for a memory of {} bytes, the proof is for {}",
            program.memory_size(),
            s.memory_size
        ))
        .into());
    }
    let t = std::time::Instant::now();
    let mut z0 = initial_state_of_block(program, vk.block())?;
    let chain_end = file
        .final_z
        .get(Z_CHAIN)
        .copied()
        .ok_or_else(|| VerifyError::Malformed("the final state is too short".into()))?;
    let c = challenges_of(s, chain_end);
    z0[Z_GAMMA] = c.gamma;
    z0[Z_ALPHA] = c.alpha;
    z0[Z_CHAIN] = file.initial_chain;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "recomputed z_0");
    check_statement(
        s,
        program,
        public_input,
        vk.block(),
        || Ok(z0.clone()),
        ProvenRun {
            pc0: F1::ZERO,
            z0: &z0,
            pc: file.final_pc,
            z: &file.final_z,
            num_steps: s.fold_steps,
        },
    )?;

    // 7. the SNARK
    let statement = canopy_decider::Statement {
        num_steps: s.fold_steps,
        pc0: F1::ZERO,
        z0,
        pc: file.final_pc,
        z: file.final_z.clone(),
    };
    let t = std::time::Instant::now();
    let r = match vk.decider() {
        DeciderVerifierKey::Ipa(k) => CompactProof::from_bytes(&file.snark)
            .and_then(|p| canopy_decider::verify(k, &statement, &p)),
        DeciderVerifierKey::Kzg(k) => KzgCompactProof::from_bytes(&file.snark)
            .and_then(|p| canopy_decider::verify(k, &statement, &p)),
    };
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        accepted = r.is_ok(),
        scheme = vk.decider().scheme(),
        "decoded the SNARK and ran the decider's verifier"
    );
    r.map_err(CompactVerifyError::Snark)?;
    Ok(s.clone())
}
