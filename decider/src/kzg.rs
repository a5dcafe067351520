//! HyperKZG on BN254 for the primary SNARKs, from a powers-of-tau file.
//!
//! # How the accumulator's commitments become KZG commitments
//! canopy-folding folds over nova-snark's `Bn256EngineIPA`, whose commitments are Pedersen
//! commitments `Σ wᵢ·Gᵢ + r·h`. nova-snark's HyperKZG commits with exactly the same formula,
//! with `Gᵢ = [τⁱ]G1`. So when the folding parameters are built with the powers of tau as
//! their primary generators ([`Srs::primary_key`],
//! `PublicParams::setup_with_primary_key`), every primary commitment of the accumulator is
//! a KZG commitment, and the decider can prove the primary slots with its batched Spartan
//! over HyperKZG ([`KzgSnark`]) instead of IPA. Instances and witnesses move between the two engines by a
//! serde round trip: both engines share the scalar field and the group, and both commitment
//! types serialise the same point the same way (checked by the tests, which verify the
//! moved instances). The secondary curve (Grumpkin, no pairing) keeps IPA.
//!
//! The generator list is covered by the parameter digest, so parameters built from one
//! powers-of-tau file never verify a proof made under another (or under IPA). The G2 element
//! `[τ]G2` is not part of the parameters: the prover's and the verifier's decider keys read it
//! from the same file ([`Srs`]), and a key with another `[τ]G2` rejects every proof.
//!
//! # Trust
//! A powers-of-tau file is a trusted setup: whoever knows τ can forge proofs. Use the file of
//! a public ceremony (snarkjs `.ptau` format, read by nova-snark's `read_ptau`, which checks
//! every point is on the curve and every G2 point is in the prime-order subgroup). The
//! generator of test files ([`write_insecure_test_ptau`]) exists only with the
//! `insecure-test-srs` feature, for tests.

use crate::error::DeciderError;
use crate::recast::{bytes, recast};
use crate::spartan::{BatchSnark, BatchSpartan};
use canopy_folding::{CommitmentKey, E1, F1};
use nova_snark::{
    errors::NovaError,
    provider::{
        hyperkzg::{self, EvaluationEngine},
        ptau::PtauFileError,
        traits::{DlogGroup, PairingGroup},
        Bn256EngineKZG,
    },
    r1cs::{R1CSShape, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::{
        commitment::{CommitmentEngineTrait, Len},
        Engine,
    },
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::io::{Read, Seek};
use std::path::Path;

/// The engine of the HyperKZG SNARK: BN254 with KZG commitments.
pub type EK = Bn256EngineKZG;
/// The batched Spartan over HyperKZG that [`KzgSnark`] wraps.
type Inner = BatchSpartan<EK, EvaluationEngine<EK>>;
/// An affine G1 point of BN254.
type G1A = <<E1 as Engine>::GE as DlogGroup>::AffineGroupElement;
/// An affine G2 point of BN254.
type G2A = <<<E1 as Engine>::GE as PairingGroup>::G2 as DlogGroup>::AffineGroupElement;

/// The label nova-snark derives the blinding generator h from (the same label as the
/// transparent key, so h is the same point in both schemes).
const LABEL: &[u8] = b"ck";

/// A structured reference string read from a powers-of-tau file: the first n G1 powers
/// `[τⁱ]G1`, the blinding generator h (from nova-snark's label, as in the transparent key)
/// and `[τ]G2`.
#[derive(Clone, Debug)]
pub struct Srs {
    key: hyperkzg::CommitmentKey<EK>,
}

impl Srs {
    /// Reads the first `n` (rounded up to a power of two) G1 powers and `[τ]G2` from a
    /// powers-of-tau file in snarkjs format. A file of too small a power, another curve, or
    /// with a point off the curve (or a G2 point outside the prime-order subgroup) is an
    /// error.
    pub fn read(reader: &mut (impl Read + Seek), n: usize) -> Result<Self, DeciderError> {
        let need = n.max(1).next_power_of_two();
        let key = <EK as Engine>::CE::load_setup(reader, LABEL, need).map_err(|e| match e {
            PtauFileError::InsufficientPowerForG1 { power, .. } => {
                DeciderError::InvalidInput(format!(
                    "the powers-of-tau file has power {power}; the circuits need {need} G1 \
                     powers, a file of power ≥ {}",
                    need.trailing_zeros()
                ))
            }
            other => DeciderError::Format(format!("powers-of-tau file: {other} ({other:?})")),
        })?;
        Ok(Self { key })
    }

    /// Reads [`Self::read`] from the file at `path`.
    pub fn load(path: &Path, n: usize) -> Result<Self, DeciderError> {
        let mut f = std::fs::File::open(path)?;
        Self::read(&mut f, n)
    }

    /// The G1 powers as canopy-folding's primary commitment key (same points, same h), to
    /// pass to `PublicParams::setup_with_primary_key`.
    pub fn primary_key(&self) -> Result<CommitmentKey<E1>, DeciderError> {
        // nova-snark's Pedersen key is the pair (generators, h) and has no public
        // constructor; its serde form is that pair.
        recast(&(self.key.ck(), self.key.h()))
            .map_err(|e| DeciderError::InvalidInput(format!("commitment key: {e}")))
    }

    /// Whether `ck` (a folding commitment key) is exactly this SRS's G1 powers and h.
    pub fn matches(&self, ck: &CommitmentKey<E1>) -> bool {
        let h = <E1 as Engine>::CE::derand_key(ck);
        ck.generators() == self.key.ck() && serde_eq(&h, &<EK as Engine>::CE::derand_key(&self.key))
    }

    /// The KZG commitment key (G1 powers, h, `[τ]G2`).
    #[cfg(test)]
    pub(crate) fn key(&self) -> &hyperkzg::CommitmentKey<EK> {
        &self.key
    }

    /// `[τ]G2`.
    fn tau_h(&self) -> G2A {
        *self.key.tau_H()
    }
}

/// Whether a folding commitment key's first generator is the group generator [τ⁰]G1, as in
/// a key made from powers of tau (a label-derived key's first generator is a hash-to-curve
/// point, equal to the generator with negligible probability).
pub fn is_powers_of_tau(ck: &CommitmentKey<E1>) -> bool {
    let g = <E1 as Engine>::GE::gen().affine();
    ck.generators().first() == Some(&g)
}

/// Number of generators in a folding commitment key.
pub fn key_len(ck: &CommitmentKey<E1>) -> usize {
    ck.length()
}

fn serde_eq<A: Serialize, B: Serialize>(a: &A, b: &B) -> bool {
    matches!((bytes(a), bytes(b)), (Ok(x), Ok(y)) if x == y)
}

fn nova_err(what: &str, e: String) -> NovaError {
    NovaError::SetupError(format!("HyperKZG: moving the {what} between engines: {e}"))
}

/// Canopy's batched Spartan over HyperKZG for the primary slots, presented as a SNARK over
/// canopy-folding's primary engine (see the module docs). Its keys come from
/// [`crate::DeciderKey::setup_kzg`]: the plain `setup` of the trait has no `[τ]G2` and
/// returns an error.
#[derive(Clone, Serialize, Deserialize)]
pub struct KzgSnark(Inner);

/// The prover key of a [`KzgSnark`]: Spartan's key, the shapes moved to the KZG engine, and
/// h and `[τ]G2` to rebuild the KZG commitment key from the folding generators.
pub struct KzgProverKey {
    inner: <Inner as BatchSnark<EK>>::ProverKey,
    shapes: Vec<R1CSShape<EK>>,
    h: G1A,
    tau_h: G2A,
}

/// The verifier key of a [`KzgSnark`]: Spartan's (the padded shapes, and `G`, `H`, `[τ]G2`).
#[derive(Serialize, Deserialize)]
pub struct KzgVerifierKey(<Inner as BatchSnark<EK>>::VerifierKey);

impl KzgSnark {
    /// The keys of the primary shapes: `ck` must be `srs`'s G1 powers (the folding key).
    pub(crate) fn setup_with(
        ck: &CommitmentKey<E1>,
        srs: &Srs,
        shapes: &[&R1CSShape<E1>],
        digest: F1,
    ) -> Result<(KzgProverKey, KzgVerifierKey), DeciderError> {
        if !srs.matches(ck) {
            return Err(DeciderError::InvalidInput(
                "the parameters' primary generators are not this powers-of-tau file's".into(),
            ));
        }
        let moved: Vec<R1CSShape<EK>> = shapes
            .iter()
            .map(|s| recast(*s).map_err(|e| nova_err("shape", e)))
            .collect::<Result<_, _>>()?;
        let refs: Vec<&R1CSShape<EK>> = moved.iter().collect();
        let d: <EK as Engine>::Scalar = recast(&digest).map_err(|e| nova_err("digest", e))?;
        let (inner, vk) = Inner::setup(&srs.key, &refs, d)?;
        Ok((
            KzgProverKey {
                inner,
                shapes: moved,
                h: *srs.key.h(),
                tau_h: srs.tau_h(),
            },
            KzgVerifierKey(vk),
        ))
    }
}

fn recast_all<A: Serialize, B: DeserializeOwned>(v: &[A], what: &str) -> Result<Vec<B>, NovaError> {
    v.iter()
        .map(|a| recast(a).map_err(|e| nova_err(what, e)))
        .collect()
}

impl BatchSnark<E1> for KzgSnark {
    type ProverKey = KzgProverKey;
    type VerifierKey = KzgVerifierKey;

    fn setup(
        _ck: &CommitmentKey<E1>,
        _shapes: &[&R1CSShape<E1>],
        _digest: F1,
    ) -> Result<(Self::ProverKey, Self::VerifierKey), NovaError> {
        Err(NovaError::SetupError(
            "HyperKZG keys need [τ]G2 from the powers-of-tau file: use DeciderKey::setup_kzg"
                .into(),
        ))
    }

    fn prove(
        ck: &CommitmentKey<E1>,
        pk: &Self::ProverKey,
        _shapes: &[&R1CSShape<E1>],
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E1>],
        ws: &[RelaxedR1CSWitness<E1>],
    ) -> Result<Self, NovaError> {
        let key = hyperkzg::CommitmentKey::<EK>::new(ck.generators().to_vec(), pk.h, pk.tau_h)?;
        let refs: Vec<&R1CSShape<EK>> = pk.shapes.iter().collect();
        let us: Vec<RelaxedR1CSInstance<EK>> = recast_all(us, "instance")?;
        let ws: Vec<RelaxedR1CSWitness<EK>> = recast_all(ws, "witness")?;
        Ok(Self(Inner::prove(&key, &pk.inner, &refs, slots, &us, &ws)?))
    }

    fn verify(
        &self,
        vk: &Self::VerifierKey,
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E1>],
    ) -> Result<(), NovaError> {
        let us: Vec<RelaxedR1CSInstance<EK>> = recast_all(us, "instance")?;
        self.0.verify(&vk.0, slots, &us)
    }
}

/// Writes a powers-of-tau file of `2^power` G1 powers for a τ drawn from `rng`, in the
/// format [`Srs::read`] reads. **Insecure**: the caller's randomness knows τ. For tests only
/// (feature `insecure-test-srs`).
#[cfg(any(test, feature = "insecure-test-srs"))]
pub fn write_insecure_test_ptau(
    writer: &mut (impl std::io::Write + Seek),
    power: u32,
    rng: impl rand_core::RngCore,
) -> Result<(), DeciderError> {
    use ff::{Field, PrimeField};
    type G = <E1 as Engine>::GE;
    type G2 = <G as PairingGroup>::G2;
    let tau = F1::random(rng);
    // fixed-base table: window w (4 bits) holds d·16^w·G for d < 16, so [t]G is 64 additions
    let mut table = Vec::with_capacity(64);
    let mut base = G::gen();
    for _ in 0..64 {
        let mut row = Vec::with_capacity(16);
        let mut acc = G::zero();
        for _ in 0..16 {
            row.push(acc);
            acc += base;
        }
        base = acc; // 16 · base
        table.push(row);
    }
    let mut t = F1::ONE;
    let mut g1 = Vec::with_capacity(1 << power);
    for _ in 0..1usize << power {
        let repr = t.to_repr();
        let mut p = G::zero();
        for (w, byte) in repr.as_ref().iter().enumerate() {
            p += table[2 * w][usize::from(byte & 15)];
            p += table[2 * w + 1][usize::from(byte >> 4)];
        }
        g1.push(p.affine());
        t *= tau;
    }
    let g2 = vec![G2::gen().affine(), (G2::gen() * tau).affine()];
    nova_snark::provider::write_ptau(writer, g1, g2, power)
        .map_err(|e| DeciderError::Format(format!("writing a powers-of-tau file: {e:?}")))
}
