//! [`Params`]: the public parameters of the CPU circuit for one block size K and memory size.

use canopy_circuit::params::BlockParams;
use canopy_circuit::state::Z_LEN;
use canopy_circuit::step::CanopyStep;
use canopy_decider::Srs;
use canopy_folding::{FoldingError, PublicParams};
use std::path::Path;

use crate::coprocessors::CoprocessorSet;
use crate::error::ParamsError;
use crate::field;

/// Default rows (instructions) per fold step. Larger K amortises the fixed cost of a step
/// (register hash, chain, folding wrapper, secondary circuit) over more rows, but the decider
/// pads the CPU step to a power of two: K = 112 is the largest round K whose step (128,235
/// constraints, 123,383 variables) fits 2^17, while K = 128 (143,844) pads to 2^18 and doubles
/// the decider's opening and the verifier's MSM. K = 128 folds a few percent faster, so it
/// wins only on long runs; the measured trade-off is in BENCHMARKS.md, "Folding".
/// `tests/block_size.rs` keeps the default within 2^17.
pub const DEFAULT_BLOCK_SIZE: usize = 112;

/// Magic of a serialised parameters file.
pub const PARAMS_MAGIC: &[u8; 8] = b"CANOPYPP";
/// Version of the parameters file layout.
pub const PARAMS_FORMAT_VERSION: u32 = 2;
/// Bytes of the plain header: magic, version, K, memory size.
const HEADER_LEN: usize = 28;

/// Public parameters of a proof: the CPU block circuit (K rows per fold step, a memory of
/// `memory_size` bytes) and the folding engine's parameters for it (m = 1 circuit for now).
///
/// Serialised form ([`Params::to_bytes`]): `"CANOPYPP"`, the format version (u32 LE), K
/// (u64 LE), the memory size (u64 LE), then a folding parameters file
/// (`canopy_folding::params_file`: raw layout, uncompressed generators, one SHA-256 checksum)
/// whose checksummed context repeats K and the memory size and adds the coprocessors (id and
/// selector each) and this build's circuit fingerprint. [`Params::from_bytes`] refuses a
/// corrupt, truncated or modified file (the checksum; never a panic) and a file made for
/// other parameters or by a build with other circuits: the context must equal the one this
/// build computes, whose fingerprint covers the augmented CPU circuit at K = 1 and K = 2,
/// each coprocessor's, the secondary and merge circuits, the Poseidon constants and the
/// first label-derived generators (`PublicParams::circuit_fingerprint`; the module
/// documentation of `canopy_folding::params_file` says what is checked and what is trusted).
/// The digest is not recomputed on load: the checksummed bytes are exactly what was
/// written from parameters whose digest setup computed.
///
/// # Transparent or powers-of-tau generators
/// [`Params::setup_with_coprocessors`] makes the BN254 commitment generators from nova-snark's
/// label (transparent; the decider then uses IPA). [`Params::setup_with_ptau`] takes them from
/// a powers-of-tau file instead, so that the decider can use HyperKZG (`canopy_decider::kzg`).
/// The generators are covered by the digest, so the two kinds of parameters never verify
/// each other's proofs. Parameters of the second kind carry the file's [`Srs`] when they were
/// made or [attached](Params::attach_ptau) with it; the HyperKZG decider key needs it.
pub struct Params {
    block: BlockParams,
    folding: PublicParams,
    coprocessors: CoprocessorSet,
    srs: Option<Srs>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params")
            .field("block_size", &self.block.k())
            .field("memory_size", &self.block.memory_size())
            .field("digest", &hex(&self.digest()))
            .finish_non_exhaustive()
    }
}

/// Lowercase hexadecimal of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Params {
    /// Generates parameters for K = `block_size` and a memory of `memory_size` bytes: shapes,
    /// commitment keys, digest. Takes seconds to minutes depending on K.
    pub fn setup(block_size: usize, memory_size: u64) -> Result<Self, ParamsError> {
        Self::setup_with_coprocessors(block_size, memory_size, CoprocessorSet::new())
    }

    /// [`Self::setup`] with coprocessors: one more step circuit per coprocessor (index i + 1
    /// for entry i of the set), and the CPU circuit accepts exactly their selectors.
    pub fn setup_with_coprocessors(
        block_size: usize,
        memory_size: u64,
        coprocessors: CoprocessorSet,
    ) -> Result<Self, ParamsError> {
        Self::setup_from(block_size, memory_size, coprocessors, |shapes| {
            Ok((PublicParams::setup(shapes)?, None))
        })
    }

    /// [`Self::setup_with_coprocessors`] with the BN254 commitment generators read from the
    /// powers-of-tau file `ptau` (snarkjs format; as many G1 powers as the largest circuit
    /// needs, rounded up to a power of two). The parameters carry the file's [`Srs`].
    pub fn setup_with_ptau(
        block_size: usize,
        memory_size: u64,
        coprocessors: CoprocessorSet,
        ptau: &Path,
    ) -> Result<Self, ParamsError> {
        Self::setup_from(block_size, memory_size, coprocessors, |shapes| {
            // the file's own error, kept apart from the folding setup's
            let mut srs_error = None;
            let mut srs = None;
            let folding = PublicParams::setup_with_primary_key(shapes, |n| {
                match Srs::load(ptau, n).and_then(|s| Ok((s.primary_key()?, s))) {
                    Ok((ck, s)) => {
                        srs = Some(s);
                        Ok(ck)
                    }
                    Err(e) => {
                        let m = ptau_error(ptau, e);
                        srs_error = Some(m.clone());
                        Err(FoldingError::InvalidInput(m))
                    }
                }
            });
            match (folding, srs_error) {
                (_, Some(m)) => Err(ParamsError::Srs(m)),
                (folding, None) => Ok((folding?, srs)),
            }
        })
    }

    /// The block circuit of (K, memory size, coprocessors), then the folding parameters of its
    /// step circuits from `folding` (with the powers-of-tau file's SRS, if any).
    fn setup_from(
        block_size: usize,
        memory_size: u64,
        coprocessors: CoprocessorSet,
        folding: impl FnOnce(&[CanopyStep]) -> Result<(PublicParams, Option<Srs>), ParamsError>,
    ) -> Result<Self, ParamsError> {
        let block = BlockParams::new(block_size, memory_size)?
            .with_coprocessors(coprocessors.circuits())?;
        let _span = tracing::info_span!(
            "params_setup",
            k = block_size,
            memory_size,
            coprocessors = coprocessors.len()
        )
        .entered();
        let (folding, srs) = folding(&CanopyStep::shapes(&block))?;
        Ok(Params {
            block,
            folding,
            coprocessors,
            srs,
        })
    }

    /// Attaches the powers-of-tau file these parameters were made from (e.g. after loading
    /// them from a cache): reads as many G1 powers as the parameters hold and refuses a file
    /// whose powers are not the parameters' generators.
    pub fn attach_ptau(mut self, ptau: &Path) -> Result<Self, ParamsError> {
        let ck = self.folding.ck_primary();
        let srs = Srs::load(ptau, canopy_decider::kzg::key_len(ck))
            .map_err(|e| ParamsError::Srs(ptau_error(ptau, e)))?;
        if !srs.matches(ck) {
            return Err(ParamsError::Srs(format!(
                "{}: its G1 powers are not these parameters' generators (another file, or \
                 parameters made without --ptau)",
                ptau.display()
            )));
        }
        self.srs = Some(srs);
        Ok(self)
    }

    /// Whether the BN254 generators are powers of tau (made by [`Self::setup_with_ptau`]): the
    /// first one is then the group generator [τ⁰]G1, which a label-derived key's is not.
    pub fn uses_powers_of_tau(&self) -> bool {
        canopy_decider::kzg::is_powers_of_tau(self.folding.ck_primary())
    }

    /// The powers-of-tau file's SRS, when the parameters were made or attached with one.
    pub fn srs(&self) -> Option<&Srs> {
        self.srs.as_ref()
    }

    /// The coprocessors (empty unless made by [`Self::setup_with_coprocessors`]).
    pub fn coprocessors(&self) -> &CoprocessorSet {
        &self.coprocessors
    }

    /// Rows per fold step (K).
    pub fn block_size(&self) -> usize {
        self.block.k()
    }

    /// Memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.block.memory_size()
    }

    /// The parameters digest: the folding engine's pp (SHA3-256 over the shapes, keys and
    /// hash constants, 250 bits) as 32 bytes little-endian. K and the memory size are part of
    /// the shapes.
    pub fn digest(&self) -> [u8; 32] {
        field::to_bytes(&self.folding.digest())
    }

    /// The block circuit's parameters.
    pub fn block(&self) -> &BlockParams {
        &self.block
    }

    /// The folding engine's parameters.
    pub fn folding(&self) -> &PublicParams {
        &self.folding
    }

    /// Serialises the parameters (see the type's documentation). Synthesizes the small
    /// circuits of the fingerprint (about as long as loading).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ParamsError> {
        let context = FileContext {
            block_size: self.block.k() as u64,
            memory_size: self.block.memory_size(),
            coprocessors: coprocessor_ids(&self.coprocessors),
            fingerprint: circuit_fingerprint(&self.block)?,
        };
        let body = self.folding.to_file_bytes(&context.to_bytes())?;
        let mut out = Vec::with_capacity(body.len() + HEADER_LEN);
        out.extend_from_slice(PARAMS_MAGIC);
        out.extend_from_slice(&PARAMS_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(self.block.k() as u64).to_le_bytes());
        out.extend_from_slice(&self.block.memory_size().to_le_bytes());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Reads the header of a serialised parameters file: `(K, memory size)` (not checked
    /// against the contents: [`Self::from_bytes`] does that).
    pub fn peek_header(bytes: &[u8]) -> Result<(usize, u64), ParamsError> {
        let fmt = |s: &str| ParamsError::Format(s.to_string());
        if bytes.len() < HEADER_LEN {
            return Err(fmt("truncated header"));
        }
        if &bytes[..8] != PARAMS_MAGIC {
            return Err(fmt("not a Canopy parameters file (bad magic)"));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != PARAMS_FORMAT_VERSION {
            return Err(ParamsError::Format(format!(
                "version {version}, this build reads version {PARAMS_FORMAT_VERSION}"
            )));
        }
        let mut k = [0u8; 8];
        k.copy_from_slice(&bytes[12..20]);
        let mut m = [0u8; 8];
        m.copy_from_slice(&bytes[20..28]);
        let k = usize::try_from(u64::from_le_bytes(k)).map_err(|_| fmt("block size too large"))?;
        Ok((k, u64::from_le_bytes(m)))
    }

    /// Deserialises parameters made without coprocessors, checking them as the type's
    /// documentation says.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParamsError> {
        Self::from_bytes_with_coprocessors(bytes, CoprocessorSet::new())
    }

    /// [`Self::from_bytes`] for parameters made with `coprocessors` (the same set in the same
    /// order; another set is refused as stale). Decodes the file and synthesizes the
    /// fingerprint's circuits in parallel.
    pub fn from_bytes_with_coprocessors(
        bytes: &[u8],
        coprocessors: CoprocessorSet,
    ) -> Result<Self, ParamsError> {
        let (k, memory_size) = Self::peek_header(bytes)?;
        let circuits = coprocessors.circuits();
        let (folding, ours) = rayon::join(
            || PublicParams::from_file_bytes(&bytes[HEADER_LEN..]),
            || -> Result<_, ParamsError> {
                let block = BlockParams::new(k, memory_size)?.with_coprocessors(circuits)?;
                let fingerprint = circuit_fingerprint(&block)?;
                Ok((block, fingerprint))
            },
        );
        let (folding, context) = folding?;
        let (block, fingerprint) = ours?;
        let found = FileContext::from_bytes(&context)?;
        if (found.block_size, found.memory_size) != (k as u64, memory_size) {
            return Err(ParamsError::Format(format!(
                "the header says K = {k}, memory {memory_size}; the contents are for K = {}, \
                 memory {}",
                found.block_size, found.memory_size
            )));
        }
        let ids = coprocessor_ids(&coprocessors);
        if found.coprocessors != ids {
            return Err(ParamsError::Stale(format!(
                "made for the coprocessors {:?} (id, funct7, funct3), expected {ids:?}",
                found.coprocessors
            )));
        }
        if found.fingerprint != fingerprint {
            return Err(ParamsError::Stale(
                "made by a build with other circuits (the circuit fingerprint differs)".into(),
            ));
        }
        // the CPU, the coprocessors and the audit
        let m = 2 + coprocessors.len();
        if folding.num_circuits() != m || folding.arity() != Z_LEN {
            return Err(ParamsError::Stale(format!(
                "{} circuits of arity {}, expected {m} of arity {Z_LEN}",
                folding.num_circuits(),
                folding.arity(),
            )));
        }
        Ok(Params {
            block,
            folding,
            coprocessors,
            srs: None,
        })
    }
}

/// The checksummed context of a parameters file: what the parameters were made for.
#[derive(Debug, PartialEq, Eq)]
struct FileContext {
    block_size: u64,
    memory_size: u64,
    /// (id, funct7, funct3) of each coprocessor, in order.
    coprocessors: Vec<(u32, u8, u8)>,
    /// [`circuit_fingerprint`] of the build that wrote the file.
    fingerprint: [u8; 32],
}

impl FileContext {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(52 + 6 * self.coprocessors.len());
        out.extend_from_slice(&self.block_size.to_le_bytes());
        out.extend_from_slice(&self.memory_size.to_le_bytes());
        out.extend_from_slice(&(self.coprocessors.len() as u32).to_le_bytes());
        for (id, f7, f3) in &self.coprocessors {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&[*f7, *f3]);
        }
        out.extend_from_slice(&self.fingerprint);
        out
    }

    fn from_bytes(b: &[u8]) -> Result<Self, ParamsError> {
        let bad = || ParamsError::Format("malformed file context".into());
        let u64_at = |at: usize| -> Result<u64, ParamsError> {
            let s = b.get(at..at + 8).ok_or_else(bad)?;
            Ok(u64::from_le_bytes(s.try_into().map_err(|_| bad())?))
        };
        let n = b.get(16..20).ok_or_else(bad)?;
        let n = u32::from_le_bytes(n.try_into().map_err(|_| bad())?) as usize;
        if b.len()
            != 20usize
                .saturating_add(n.saturating_mul(6))
                .saturating_add(32)
        {
            return Err(bad());
        }
        let coprocessors = b[20..20 + 6 * n]
            .chunks_exact(6)
            .map(|c| (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), c[4], c[5]))
            .collect();
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(&b[b.len() - 32..]);
        Ok(FileContext {
            block_size: u64_at(0)?,
            memory_size: u64_at(8)?,
            coprocessors,
            fingerprint,
        })
    }
}

fn coprocessor_ids(set: &CoprocessorSet) -> Vec<(u32, u8, u8)> {
    set.describe()
        .iter()
        .map(|c| (c.id, c.funct7, c.funct3))
        .collect()
}

/// This build's circuit fingerprint for the memory size and coprocessors of `block` (its K
/// is not used): the augmented CPU circuit at K = 1 and K = 2 and each coprocessor's step
/// circuit, with the folding engine's
/// own circuits (`PublicParams::circuit_fingerprint`). Independent of K: the K-row circuit is
/// K copies of the row circuit chained as at K = 2.
fn circuit_fingerprint(b1: &BlockParams) -> Result<[u8; 32], ParamsError> {
    let b1 = b1.clone().with_block_size(1)?;
    let b2 = b1.clone().with_block_size(2)?;
    let (s1, s2) = (CanopyStep::shapes(&b1), CanopyStep::shapes(&b2));
    let mut probes: Vec<(usize, &CanopyStep)> = s1.iter().enumerate().collect();
    probes.insert(1, (0, &s2[0]));
    Ok(PublicParams::circuit_fingerprint(s1.len(), Z_LEN, &probes)?)
}

/// A powers-of-tau reading error, naming the file.
fn ptau_error(ptau: &Path, e: canopy_decider::DeciderError) -> String {
    format!("{}: {e}", ptau.display())
}
