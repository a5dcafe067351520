//! Decider and verifier keys, derived deterministically from [`PublicParams`].
//!
//! One batched Spartan key pair per curve ([`crate::spartan`]): the primary shapes
//! S_0..S_{m−1}, S_PM and the secondary shapes S', SM. The commitment keys are Pedersen keys
//! from nova-snark's label `b"ck"`; when the largest padded shape needs more generators
//! than the folding parameters hold, the key is regenerated longer from the same label,
//! whose generators are a prefix-stable stream (checked at setup), so the accumulator's
//! commitments stay valid.
//!
//! # Small verifier-key file
//! A Spartan verifier key over IPA embeds the whole commitment key (the IPA verifier needs
//! every generator). The file stores the key's length instead and regenerates the
//! generators from the label when it is read: [`VerifierKey::to_bytes`] cuts the encoding
//! of the commitment key out of each curve's encoded SNARK verifier key (recording where) and
//! [`VerifierKey::from_bytes`] splices the regenerated key back in before decoding.

use crate::error::DeciderError;
use crate::kzg::{KzgSnark, Srs};
use crate::spartan::{ipa::FastIpa, BatchSnark, BatchSpartan};
use crate::statement::HashConsts;
use crate::DECODE_LIMIT;
use canopy_folding::framing;
use canopy_folding::{encoding::switch_field, CommitmentKey, PublicParams, E1, E2, F1};
use nova_snark::{
    r1cs::R1CSShape,
    traits::{
        commitment::{CommitmentEngineTrait, Len},
        Engine,
    },
};
use serde::{Deserialize, Serialize};

/// The default primary SNARK: Canopy's batched Spartan over IPA on BN254 (nova-snark's
/// argument and verifier, Canopy's faster prover [`FastIpa`]).
pub type DefaultS1 = BatchSpartan<E1, FastIpa<E1>>;
/// The default secondary SNARK: Canopy's batched Spartan over IPA on Grumpkin.
pub type DefaultS2 = BatchSpartan<E2, FastIpa<E2>>;
/// The derandomisation key (blinding generator) of engine `E`.
pub type DerandKey<E> = <<E as Engine>::CE as CommitmentEngineTrait<E>>::DerandKey;

/// Magic bytes of a verifier-key file.
pub const VK_MAGIC: [u8; 8] = *b"CNPY-VK\0";
/// Format version of a verifier-key file (2: one batched SNARK key per curve).
pub const VK_VERSION: u32 = 2;
/// The largest commitment key a verifier-key file may ask to regenerate (2^23 generators):
/// a forged file cannot make the reader spend more than that.
pub const MAX_CK_LEN: usize = 1 << 23;
/// Label of nova-snark's commitment keys (`R1CSShape::commitment_key`).
const CK_LABEL: &[u8] = b"ck";

/// The verifier key: the parameter digest pp, the number of step circuits m, the arity,
/// the number of public values of every slot's shape, one batched SNARK verifier key per
/// curve, and the derandomisation keys of both curves.
pub struct VerifierKey<S1 = DefaultS1, S2 = DefaultS2>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    pub(crate) digest: F1,
    pub(crate) m: usize,
    pub(crate) arity: usize,
    pub(crate) primary_io: Vec<usize>,
    pub(crate) secondary_io: Vec<usize>,
    pub(crate) vk1: S1::VerifierKey,
    pub(crate) vk2: S2::VerifierKey,
    pub(crate) dk1: DerandKey<E1>,
    pub(crate) dk2: DerandKey<E2>,
    pub(crate) ck_len: (usize, usize),
    /// bincode encodings of the two commitment keys (cut out of the file, see the module docs)
    pub(crate) ck_enc: (Vec<u8>, Vec<u8>),
    pub(crate) consts: HashConsts,
}

/// The prover's key: the verifier key, the SNARK prover keys and the commitment keys the
/// SNARKs use.
pub struct DeciderKey<S1 = DefaultS1, S2 = DefaultS2>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    pub(crate) vk: VerifierKey<S1, S2>,
    pub(crate) pk1: S1::ProverKey,
    pub(crate) pk2: S2::ProverKey,
    pub(crate) ck1: CommitmentKey<E1>,
    pub(crate) ck2: CommitmentKey<E2>,
}

/// The shapes of the slots, in slot order: primary S_0..S_{m−1}, S_PM (slot m); secondary
/// S' (slot 0), SM (slot 1).
pub(crate) fn slot_shapes(pp: &PublicParams) -> (Vec<&R1CSShape<E1>>, Vec<&R1CSShape<E2>>) {
    let mut shapes1: Vec<&R1CSShape<E1>> = pp.primary_shapes().iter().collect();
    shapes1.push(pp.primary_merge_shape());
    (
        shapes1,
        vec![pp.secondary_shape(), pp.secondary_merge_shape()],
    )
}

/// The padded size of a shape (nova-snark's `R1CSShape::pad`).
fn padded_len<E: Engine>(s: &R1CSShape<E>) -> usize {
    s.num_cons()
        .max(s.num_vars())
        .max(s.num_io())
        .next_power_of_two()
}

/// A commitment key with a generator for every entry of the largest padded shape,
/// extending `base` (nova-snark's label key, whose generators are a prefix-stable stream).
fn extend_ck<E>(
    base: &CommitmentKey<E>,
    shapes: &[&R1CSShape<E>],
) -> Result<CommitmentKey<E>, DeciderError>
where
    E: Engine<CE = nova_snark::provider::pedersen::CommitmentEngine<E>>,
    E::GE: nova_snark::provider::traits::DlogGroupExt,
{
    let need = shapes.iter().map(|s| padded_len(s)).max().unwrap_or(0);
    if need <= base.length() {
        return Ok(base.clone());
    }
    let ck = E::CE::setup(CK_LABEL, need)?;
    let same_prefix = ck.generators()[..base.length()] == *base.generators()
        && E::CE::derand_key(&ck) == E::CE::derand_key(base);
    if !same_prefix {
        return Err(DeciderError::InvalidInput(
            "the folding commitment key is not nova-snark's label key".into(),
        ));
    }
    Ok(ck)
}

impl<S2: BatchSnark<E2>> DeciderKey<KzgSnark, S2> {
    /// Derives the keys of the HyperKZG decider from parameters whose primary generators are
    /// `srs`'s G1 powers (`PublicParams::setup_with_primary_key` with [`Srs::primary_key`]);
    /// parameters with other generators are refused. Deterministic in (pp, srs).
    pub fn setup_kzg(pp: &PublicParams, srs: &Srs) -> Result<Self, DeciderError> {
        Self::setup_with(pp, |ck, s, d| KzgSnark::setup_with(ck, srs, s, d))
    }
}

impl<S1, S2> DeciderKey<S1, S2>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    /// Derives the keys from the folding parameters (deterministic: the same parameters
    /// always give the same keys): pads every shape and sets up the evaluation engines.
    pub fn setup(pp: &PublicParams) -> Result<Self, DeciderError> {
        Self::setup_with(pp, |ck, s, d| Ok(S1::setup(ck, s, d)?))
    }

    /// [`Self::setup`] with `setup1` making the primary SNARK keys.
    fn setup_with(
        pp: &PublicParams,
        setup1: impl Fn(
            &CommitmentKey<E1>,
            &[&R1CSShape<E1>],
            F1,
        ) -> Result<(S1::ProverKey, S1::VerifierKey), DeciderError>,
    ) -> Result<Self, DeciderError> {
        let _span = tracing::info_span!("decider_setup").entered();
        let (shapes1, shapes2) = slot_shapes(pp);
        let ck1 = extend_ck::<E1>(pp.ck_primary(), &shapes1)?;
        let ck2 = extend_ck::<E2>(pp.ck_secondary(), &shapes2)?;
        let (pk1, vk1) = setup1(&ck1, &shapes1, pp.digest())?;
        let (pk2, vk2) = S2::setup(&ck2, &shapes2, switch_field(&pp.digest())?)?;
        let vk = VerifierKey {
            digest: pp.digest(),
            m: pp.num_circuits(),
            arity: pp.arity(),
            primary_io: shapes1.iter().map(|s| s.num_io()).collect(),
            secondary_io: shapes2.iter().map(|s| s.num_io()).collect(),
            vk1,
            vk2,
            dk1: <E1 as Engine>::CE::derand_key(&ck1),
            dk2: <E2 as Engine>::CE::derand_key(&ck2),
            ck_len: (ck1.length(), ck2.length()),
            ck_enc: (bincode_bytes(&ck1)?, bincode_bytes(&ck2)?),
            consts: HashConsts::new(),
        };
        Ok(Self {
            vk,
            pk1,
            pk2,
            ck1,
            ck2,
        })
    }

    /// The verifier key.
    pub fn verifier_key(&self) -> &VerifierKey<S1, S2> {
        &self.vk
    }

    /// The verifier key, dropping the prover's keys.
    pub fn into_verifier_key(self) -> VerifierKey<S1, S2> {
        self.vk
    }
}

/// A SNARK verifier key in a file: its encoding with the commitment key cut out at
/// `ck_at` (`u64::MAX`: nothing was cut).
#[derive(Serialize, Deserialize)]
struct StrippedKey {
    ck_at: u64,
    bytes: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct VkFile {
    digest: F1,
    m: u64,
    arity: u64,
    ck_len1: u64,
    ck_len2: u64,
    primary_io: Vec<u64>,
    secondary_io: Vec<u64>,
    primary: StrippedKey,
    secondary: StrippedKey,
}

fn bincode_bytes<T: Serialize>(v: &T) -> Result<Vec<u8>, DeciderError> {
    bincode::serde::encode_to_vec(v, bincode::config::standard())
        .map_err(|e| DeciderError::Format(format!("encoding failed: {e}")))
}

fn strip<V: Serialize>(vk: &V, ck: &[u8]) -> Result<StrippedKey, DeciderError> {
    let mut bytes = bincode_bytes(vk)?;
    let at = if ck.is_empty() || bytes.len() < ck.len() {
        None
    } else {
        bytes.windows(ck.len()).position(|w| w == ck)
    };
    let ck_at = match at {
        Some(i) => {
            bytes.drain(i..i + ck.len());
            i as u64
        }
        None => u64::MAX,
    };
    Ok(StrippedKey { ck_at, bytes })
}

fn unstrip<V: for<'de> Deserialize<'de>>(k: &StrippedKey, ck: &[u8]) -> Result<V, DeciderError> {
    let bad = |s: &str| DeciderError::Format(format!("verifier key: {s}"));
    let bytes = if k.ck_at == u64::MAX {
        k.bytes.clone()
    } else {
        let at = usize::try_from(k.ck_at)
            .ok()
            .filter(|&a| a <= k.bytes.len())
            .ok_or_else(|| bad("commitment-key position out of range"))?;
        let mut b = Vec::with_capacity(k.bytes.len() + ck.len());
        b.extend_from_slice(&k.bytes[..at]);
        b.extend_from_slice(ck);
        b.extend_from_slice(&k.bytes[at..]);
        b
    };
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    let (vk, used) = bincode::serde::decode_from_slice(&bytes, config)
        .map_err(|e| bad(&format!("SNARK key undecodable: {e}")))?;
    if used != bytes.len() {
        return Err(bad("trailing bytes in a SNARK key"));
    }
    Ok(vk)
}

fn io_lens(v: &[u64]) -> Result<Vec<usize>, DeciderError> {
    v.iter()
        .map(|&n| {
            usize::try_from(n).map_err(|_| DeciderError::Format("verifier key: num_io".into()))
        })
        .collect()
}

fn ck_len(n: u64) -> Result<usize, DeciderError> {
    match usize::try_from(n) {
        Ok(n) if n.is_power_of_two() && n <= MAX_CK_LEN => Ok(n),
        _ => Err(DeciderError::Format(format!(
            "verifier key: commitment-key length {n} is not a power of two ≤ 2^23"
        ))),
    }
}

impl<S1, S2> VerifierKey<S1, S2>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    /// The parameter digest pp these keys belong to.
    pub fn digest(&self) -> F1 {
        self.digest
    }

    /// Number of step circuits m.
    pub fn num_circuits(&self) -> usize {
        self.m
    }

    /// Arity of the state z.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// Serialises the key: magic, version, bincode body without the commitment generators.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DeciderError> {
        let (ck1, ck2) = &self.ck_enc;
        let file = VkFile {
            digest: self.digest,
            m: self.m as u64,
            arity: self.arity as u64,
            ck_len1: self.ck_len.0 as u64,
            ck_len2: self.ck_len.1 as u64,
            primary_io: self.primary_io.iter().map(|&n| n as u64).collect(),
            secondary_io: self.secondary_io.iter().map(|&n| n as u64).collect(),
            primary: strip(&self.vk1, ck1)?,
            secondary: strip(&self.vk2, ck2)?,
        };
        Ok(framing::encode(
            &VK_MAGIC,
            VK_VERSION,
            &file,
            "verifier key",
        )?)
    }

    /// Reads a key written by [`Self::to_bytes`]; regenerates the commitment generators
    /// (the dominant cost of reading a key).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DeciderError> {
        let file: VkFile =
            framing::decode::<_, DECODE_LIMIT>(bytes, &VK_MAGIC, VK_VERSION, "verifier key")?;
        let bad = |s: &str| DeciderError::Format(format!("verifier key: {s}"));
        let n1 = ck_len(file.ck_len1)?;
        let n2 = ck_len(file.ck_len2)?;
        let m = usize::try_from(file.m).map_err(|_| bad("m"))?;
        let arity = usize::try_from(file.arity).map_err(|_| bad("arity"))?;
        if m == 0 || file.primary_io.len() != m + 1 {
            return Err(bad("number of primary slots"));
        }
        if file.secondary_io.len() != 2 {
            return Err(bad("number of secondary slots"));
        }
        let ck1 = <E1 as Engine>::CE::setup(CK_LABEL, n1)?;
        let ck2 = <E2 as Engine>::CE::setup(CK_LABEL, n2)?;
        let ck1b = bincode_bytes(&ck1)?;
        let ck2b = bincode_bytes(&ck2)?;
        Ok(Self {
            digest: file.digest,
            m,
            arity,
            primary_io: io_lens(&file.primary_io)?,
            secondary_io: io_lens(&file.secondary_io)?,
            vk1: unstrip(&file.primary, &ck1b)?,
            vk2: unstrip(&file.secondary, &ck2b)?,
            dk1: <E1 as Engine>::CE::derand_key(&ck1),
            dk2: <E2 as Engine>::CE::derand_key(&ck2),
            ck_len: (n1, n2),
            ck_enc: (ck1b, ck2b),
            consts: HashConsts::new(),
        })
    }

    /// Writes the key to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), DeciderError> {
        std::fs::write(path, self.to_bytes()?)?;
        Ok(())
    }

    /// Reads a key from `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, DeciderError> {
        Self::from_bytes(&std::fs::read(path)?)
    }
}
