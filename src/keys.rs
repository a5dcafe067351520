//! The decider's keys: the prover key [`CompactProverKey`] ([`decider_key`]), the verifier
//! key [`DeciderVerifierKey`], the small [`VerifierKeyFile`] that `canopy setup` writes, and
//! the [`CompactVerifierKey`] that [`crate::verify_compact`] uses.
//!
//! # Why the file is a recipe
//! The decider's Spartan verifier key (non-preprocessing, over IPA) holds the padded R1CS
//! matrices of every circuit shape: 99 MB at K = 4 (`canopy_decider::VerifierKey::to_bytes`).
//! Everything in it is a deterministic function of the parameters, and the parameters are a
//! deterministic function of (K, memory size, coprocessor set). So the file stores exactly
//! that, plus the parameters digest it must lead to and the decider's scheme, and a reader
//! derives the key: [`VerifierKeyFile::derive`] rebuilds (or loads) the parameters, requires
//! their digest to be the file's, and runs the decider's key setup (figures in
//! BENCHMARKS.md, "Decider": far less than reading the decider's own key file of ≈ 100 MB,
//! and the file is a few hundred bytes).
//!
//! The digest check makes the file self-verifying: a file whose K, memory size or coprocessor
//! list was edited derives other parameters and is rejected
//! ([`VerifierKeyError::WrongParams`]). The verifier still chooses which file to trust: the
//! digest in it is what a proof must have been made under.
//!
//! # File format ([`VerifierKeyFile::to_bytes`])
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `"CANOPYVK"` ([`VERIFIER_KEY_MAGIC`]) |
//! | 8..12 | format version, u32 little-endian ([`VERIFIER_KEY_FORMAT_VERSION`]) |
//! | 12.. | bincode 2 (standard configuration, through serde) of [`VerifierKeyFile`] |

use canopy_circuit::params::BlockParams;
use canopy_decider::{DeciderError, DeciderKey, KzgDeciderKey, KzgVerifierKey, VerifierKey};
use canopy_folding::F1;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::coprocessors::CoprocessorInfo;
use canopy_folding::framing;

use crate::error::ProofFormatError;
use crate::field;
use crate::params::{hex, Params};
use crate::proof::Statement;

/// The decider's prover key, for one of the two schemes of the BN254 slots.
// Both variants are large keys of about the same size (one made once per process), so
// boxing one would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum CompactProverKey {
    /// Spartan over IPA (transparent parameters).
    Ipa(DeciderKey),
    /// Spartan over HyperKZG (parameters made from a powers-of-tau file).
    Kzg(KzgDeciderKey),
}

/// The decider's verifier key, for one of the two schemes of the BN254 slots.
pub enum DeciderVerifierKey {
    /// Spartan over IPA (transparent parameters).
    Ipa(VerifierKey),
    /// Spartan over HyperKZG (parameters made from a powers-of-tau file).
    Kzg(KzgVerifierKey),
}

impl CompactProverKey {
    /// The parameter digest the key was derived from.
    pub fn digest(&self) -> F1 {
        match self {
            Self::Ipa(k) => k.verifier_key().digest(),
            Self::Kzg(k) => k.verifier_key().digest(),
        }
    }

    /// The decider's own verifier-key file (`canopy_decider::VerifierKey::to_bytes`: the
    /// Spartan keys with the padded matrices; tens of MB), for comparison with the recipe.
    pub fn verifier_key_bytes(&self) -> Result<Vec<u8>, DeciderError> {
        match self {
            Self::Ipa(k) => k.verifier_key().to_bytes(),
            Self::Kzg(k) => k.verifier_key().to_bytes(),
        }
    }

    /// The verifier key, dropping the prover's keys.
    pub fn into_verifier_key(self) -> DeciderVerifierKey {
        match self {
            Self::Ipa(k) => DeciderVerifierKey::Ipa(k.into_verifier_key()),
            Self::Kzg(k) => DeciderVerifierKey::Kzg(k.into_verifier_key()),
        }
    }
}

impl DeciderVerifierKey {
    /// The parameter digest the key was derived from.
    pub fn digest(&self) -> F1 {
        match self {
            Self::Ipa(k) => k.digest(),
            Self::Kzg(k) => k.digest(),
        }
    }

    /// The scheme name ([`crate::DECIDER_SCHEME`] or [`crate::KZG_DECIDER_SCHEME`]).
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::Ipa(_) => crate::DECIDER_SCHEME,
            Self::Kzg(_) => crate::KZG_DECIDER_SCHEME,
        }
    }
}

/// The decider key for `params` (deterministic; pads every slot's shape and sets up one
/// batched Spartan per curve, under a second with loaded parameters): over HyperKZG when the parameters carry a
/// powers-of-tau file's SRS ([`Params::setup_with_ptau`], [`Params::attach_ptau`]), over IPA
/// when their generators are transparent. Parameters made from powers of tau without the
/// file attached are refused.
pub fn decider_key(params: &Params) -> Result<CompactProverKey, DeciderError> {
    match params.srs() {
        Some(srs) => Ok(CompactProverKey::Kzg(KzgDeciderKey::setup_kzg(
            params.folding(),
            srs,
        )?)),
        None if params.uses_powers_of_tau() => Err(DeciderError::InvalidInput(
            "the parameters were made from a powers-of-tau file: attach it (--ptau FILE) for \
             the HyperKZG decider"
                .into(),
        )),
        None => Ok(CompactProverKey::Ipa(DeciderKey::setup(params.folding())?)),
    }
}

/// Magic at the start of a verifier-key file.
pub const VERIFIER_KEY_MAGIC: &[u8; 8] = b"CANOPYVK";
/// Version of the verifier-key file format.
pub const VERIFIER_KEY_FORMAT_VERSION: u32 = 1;
/// The transparent decider scheme (recorded in every key file, so a key for another scheme
/// is a clear error rather than a failed verification).
pub const DECIDER_SCHEME: &str = "spartan+ipa/bn254, spartan+ipa/grumpkin";
/// The decider scheme of parameters made from a powers-of-tau file
/// ([`Params::setup_with_ptau`]): HyperKZG for the BN254 slots, IPA for the Grumpkin ones.
pub const KZG_DECIDER_SCHEME: &str = "spartan+hyperkzg/bn254, spartan+ipa/grumpkin";
/// The schemes this build reads, for messages.
const SCHEMES: &str =
    "`spartan+ipa/bn254, spartan+ipa/grumpkin` or `spartan+hyperkzg/bn254, spartan+ipa/grumpkin`";
/// Largest body the decoder accepts (a key file is a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// What a verifier key is derived from: the parameters' recipe and the digest it must give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifierKeyFile {
    /// Rows per fold step K.
    pub block_size: u64,
    /// Guest memory size in bytes.
    pub memory_size: u64,
    /// The coprocessors, in circuit order.
    pub coprocessors: Vec<CoprocessorInfo>,
    /// The parameters digest ([`Params::digest`]) the recipe must lead to.
    pub params_digest: [u8; 32],
    /// The decider scheme ([`DECIDER_SCHEME`] when written by this build).
    pub scheme: String,
}

/// Why a verifier key could not be read or derived.
#[derive(Debug, Error)]
pub enum VerifierKeyError {
    /// The file is not a verifier key of this format (magic, version, truncation, corruption).
    #[error("verifier key file: {0}")]
    Format(#[from] ProofFormatError),
    /// The key is for another decider scheme than this build's.
    #[error("the verifier key is for the decider scheme `{found}`; this build uses {expected}")]
    OtherScheme {
        /// Scheme in the file.
        found: String,
        /// The schemes this build reads ([`DECIDER_SCHEME`], [`KZG_DECIDER_SCHEME`]).
        expected: &'static str,
    },
    /// The key is for HyperKZG and the powers-of-tau file was not given.
    #[error("the verifier key is for HyperKZG: it needs the powers-of-tau file the parameters were made from")]
    NeedsPtau,
    /// The given parameters are not the ones the key names.
    #[error("the parameters do not match the verifier key: {0}")]
    WrongParams(String),
    /// The decider's key setup failed.
    #[error("decider key setup: {0}")]
    Decider(#[from] DeciderError),
}

impl VerifierKeyFile {
    /// The recipe of `params` (scheme [`KZG_DECIDER_SCHEME`] for parameters made from a
    /// powers-of-tau file, else [`DECIDER_SCHEME`]).
    pub fn of(params: &Params) -> Self {
        let scheme = if params.uses_powers_of_tau() {
            KZG_DECIDER_SCHEME
        } else {
            DECIDER_SCHEME
        };
        Self {
            block_size: params.block_size() as u64,
            memory_size: params.memory_size(),
            coprocessors: params.coprocessors().describe(),
            params_digest: params.digest(),
            scheme: scheme.to_string(),
        }
    }

    /// Whether the key is for the HyperKZG scheme (it then needs the powers-of-tau file).
    pub fn uses_powers_of_tau(&self) -> bool {
        self.scheme == KZG_DECIDER_SCHEME
    }

    /// Encodes the file (header + body).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProofFormatError> {
        Ok(framing::encode(
            VERIFIER_KEY_MAGIC,
            VERIFIER_KEY_FORMAT_VERSION,
            self,
            "verifier key",
        )?)
    }

    /// Decodes a key file; never panics. A key for another decider scheme is
    /// [`VerifierKeyError::OtherScheme`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifierKeyError> {
        let file: Self = framing::decode::<Self, MAX_BODY>(
            bytes,
            VERIFIER_KEY_MAGIC,
            VERIFIER_KEY_FORMAT_VERSION,
            "verifier key",
        )
        .map_err(ProofFormatError::from)?;
        if file.scheme != DECIDER_SCHEME && file.scheme != KZG_DECIDER_SCHEME {
            return Err(VerifierKeyError::OtherScheme {
                found: file.scheme,
                expected: SCHEMES,
            });
        }
        Ok(file)
    }

    /// The parameters a proof's statement names, as a recipe (the scheme is not compared:
    /// the digest covers the generators).
    pub(crate) fn of_statement(s: &Statement) -> Self {
        Self {
            block_size: s.block_size,
            memory_size: s.memory_size,
            coprocessors: s.coprocessors.clone(),
            params_digest: s.params_digest,
            scheme: DECIDER_SCHEME.to_string(),
        }
    }

    /// The first of K, memory size, coprocessor list and parameters digest in which `self`
    /// (named `mine` in the message) and `other` (named `theirs`) differ, as a sentence; `None`
    /// when they name the same parameters. The one comparison behind [`Self::check`],
    /// [`crate::verify`] and [`crate::verify_compact`].
    pub(crate) fn mismatch(&self, mine: &str, other: &Self, theirs: &str) -> Option<String> {
        if self.block_size != other.block_size {
            return Some(format!(
                "K = {} in {mine}, {} in {theirs}",
                self.block_size, other.block_size
            ));
        }
        if self.memory_size != other.memory_size {
            return Some(format!(
                "memory size {} in {mine}, {} in {theirs}",
                self.memory_size, other.memory_size
            ));
        }
        if self.coprocessors != other.coprocessors {
            return Some(format!(
                "coprocessors [{}] in {mine}, [{}] in {theirs}",
                list(&self.coprocessors),
                list(&other.coprocessors)
            ));
        }
        if self.params_digest != other.params_digest {
            return Some(format!(
                "parameters digest {} in {mine}, {} in {theirs}",
                hex(&self.params_digest),
                hex(&other.params_digest)
            ));
        }
        None
    }

    /// Checks that `params` are the parameters this file names: K, memory size, coprocessor
    /// list and digest.
    pub fn check(&self, params: &Params) -> Result<(), VerifierKeyError> {
        let theirs = Self::of(params);
        if let Some(m) = self.mismatch("the key", &theirs, "the parameters") {
            return Err(VerifierKeyError::WrongParams(m));
        }
        if self.scheme != theirs.scheme {
            return Err(VerifierKeyError::WrongParams(format!(
                "scheme `{}` in the key, `{}` for the parameters",
                self.scheme, theirs.scheme
            )));
        }
        Ok(())
    }

    /// Derives the verifier key from `params` (built from this file's recipe, e.g. by
    /// [`Params::setup_with_coprocessors`] or a cache): checks them with [`Self::check`], then
    /// runs the decider's key setup (seconds). A HyperKZG key needs parameters that carry
    /// their powers-of-tau file ([`Params::setup_with_ptau`], [`Params::attach_ptau`]).
    pub fn derive(&self, params: &Params) -> Result<CompactVerifierKey, VerifierKeyError> {
        self.check(params)?;
        if self.uses_powers_of_tau() && params.srs().is_none() {
            return Err(VerifierKeyError::NeedsPtau);
        }
        CompactVerifierKey::derive(params)
    }
}

/// `name (id …), …` of a coprocessor list.
fn list(infos: &[CoprocessorInfo]) -> String {
    infos
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A verifier key of compact proofs: the recipe ([`VerifierKeyFile`]), the decider's
/// verifier key derived from it (whose digest is the recipe's), and the block circuit's
/// parameters that the initial state z_0 is recomputed under (built once here: building them
/// costs ≈0.27 s, more than a third of a verification).
pub struct CompactVerifierKey {
    file: VerifierKeyFile,
    decider: DeciderVerifierKey,
    block: BlockParams,
}

impl CompactVerifierKey {
    /// Derives the key of `params` (the decider's key setup: seconds).
    pub fn derive(params: &Params) -> Result<Self, VerifierKeyError> {
        let decider = decider_key(params)?.into_verifier_key();
        Ok(Self {
            file: VerifierKeyFile::of(params),
            decider,
            block: params.block().clone(),
        })
    }

    /// A key from a recipe and a decider verifier key obtained elsewhere (e.g. the decider's
    /// own 99 MB key file, `canopy_decider::VerifierKey::load`): their digests and schemes
    /// must agree.
    /// The recipe's K, memory size and coprocessor list are trusted as given (the decider key
    /// does not record them); [`VerifierKeyFile::derive`] checks them too.
    pub fn from_parts(
        file: VerifierKeyFile,
        decider: DeciderVerifierKey,
    ) -> Result<Self, VerifierKeyError> {
        if decider.scheme() != file.scheme {
            return Err(VerifierKeyError::WrongParams(format!(
                "the decider key is for `{}`, the recipe names `{}`",
                decider.scheme(),
                file.scheme
            )));
        }
        let digest = field::to_bytes(&decider.digest());
        if digest != file.params_digest {
            return Err(VerifierKeyError::WrongParams(format!(
                "the decider key is for parameters {}, the recipe names {}",
                hex(&digest),
                hex(&file.params_digest)
            )));
        }
        let block = usize::try_from(file.block_size)
            .map_err(|_| format!("K = {} out of range", file.block_size))
            .and_then(|k| BlockParams::new(k, file.memory_size).map_err(|e| e.to_string()))
            .map_err(|e| VerifierKeyError::WrongParams(format!("invalid block parameters: {e}")))?;
        Ok(Self {
            file,
            decider,
            block,
        })
    }

    /// The recipe (what `canopy setup --vk-out` writes).
    pub fn file(&self) -> &VerifierKeyFile {
        &self.file
    }

    /// The decider's verifier key.
    pub fn decider(&self) -> &DeciderVerifierKey {
        &self.decider
    }

    /// The block circuit's parameters of the key (K and the memory size of the recipe).
    pub(crate) fn block(&self) -> &BlockParams {
        &self.block
    }
}
