//! Canopy's batched Spartan: one proof for several relaxed R1CS instances of different
//! shapes over one curve, with one sum-check per phase and one polynomial opening.
//!
//! # The protocol (per curve; k instances, instance i of padded shape S_i with
//! `N_i = 2^{n_i}` constraints = variables, `n = max n_i`)
//! 1. Transcript (`E::TE`, label `CanopyBatchSpartan`): the key's digest, k, and per
//!    instance its slot index and instance `(C_W, C_E, u, X)`: every commitment before any
//!    challenge.
//! 2. **Outer zero-check.** τ ∈ Fⁿ and α ∈ Fᵏ. One batched sum-check (degree 3) of
//!    `Σ_i α_i·Σ_x eq(τ[n−n_i..], x)·(Az_i·Bz_i − (u_i·Cz_i + E_i))(x) = 0`, instance i
//!    in its last n_i rounds ([`sumcheck`]). The proof gives `Az_i, Bz_i, Cz_i, E_i` at
//!    `r_x,i = r_x[n − n_i..]`; the verifier checks the final value.
//! 3. **Inner sum-check.** r and β ∈ Fᵏ. One batched sum-check (degree 2) of
//!    `Σ_i β_i·Σ_y M_i(y)·z_i(y)` with `M_i = (A + rB + r²C)(r_x,i, ·)` and
//!    `z_i = (W_i, u_i, X_i)` over `n_i + 1` variables, against the claims
//!    `Az_i + r·Bz_i + r²·Cz_i`. The proof gives `W_i(r_y,i[1..])`; the verifier evaluates
//!    the three matrices itself (O(non-zeros), from its key) and the public part of z.
//! 4. **One opening** ([`opening`]): the 2k claims on `W_i` and `E_i`, each against its
//!    own commitment, are reduced to one claim and opened with the evaluation engine
//!    (IPA or HyperKZG) once.
//!
//! The proof size is `O(k + n)` field elements plus one evaluation argument for 2ⁿ
//! entries; it does not depend on the instances' contents. The prover's work is
//! `Σ_i N_i` per sum-check (no padding to the largest instance) plus one opening.
//!
//! # Segments (for commitment-carrying folding)
//! A shape's witness may be committed in segments ([`segment::Layout`]): a prefix ω and the
//! rest, each with its own commitment. Each segment gets its own opening claim (never only
//! their sum), the verifier rebuilds `W_i(r)` from the segments' values, and a support claim
//! keeps the rest from reaching into the prefix ([`segment`]). The decider's slots use
//! [`segment::Layout::Whole`] today; [`BatchSpartan::prove_segmented`] and
//! [`BatchSpartan::verify_segmented`] take split witnesses (tested on synthetic shapes).
//!
//! Not zero knowledge by itself: the decider blinds every instance first (a relaxed fold
//! with a random satisfying instance), see the crate docs.

pub mod segment;
pub mod sumcheck;

pub mod ipa;
mod opening;
mod prove;
mod verify;

use canopy_folding::CommitmentKey;
use nova_snark::{
    errors::NovaError,
    r1cs::{R1CSShape, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::{evaluation::EvaluationEngineTrait, Engine},
};
use segment::{Layout, SegmentedInstance};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::marker::PhantomData;
use sumcheck::Rounds;

/// A SNARK for a batch of relaxed R1CS instances, each of one of the key's shapes.
pub trait BatchSnark<E: Engine>: Sized + Clone + Serialize + DeserializeOwned {
    /// The prover's key.
    type ProverKey: Send + Sync;
    /// The verifier's key.
    type VerifierKey: Send + Sync + Serialize + DeserializeOwned;

    /// Keys for the shapes `shapes` (slot j has shape `shapes[j]`); `digest` names them
    /// and is absorbed first by every proof.
    fn setup(
        ck: &CommitmentKey<E>,
        shapes: &[&R1CSShape<E>],
        digest: E::Scalar,
    ) -> Result<(Self::ProverKey, Self::VerifierKey), NovaError>;

    /// Proves that instance `us[i]` of shape `shapes[slots[i]]` is satisfied by `ws[i]`.
    /// The instances must have blind-free commitments (`derandomize`). `slots` is strictly
    /// increasing and not empty.
    fn prove(
        ck: &CommitmentKey<E>,
        pk: &Self::ProverKey,
        shapes: &[&R1CSShape<E>],
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E>],
        ws: &[RelaxedR1CSWitness<E>],
    ) -> Result<Self, NovaError>;

    /// Verifies the proof for the instances `us` of the slots `slots`.
    fn verify(
        &self,
        vk: &Self::VerifierKey,
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E>],
    ) -> Result<(), NovaError>;
}

/// The batched Spartan proof (see the module docs).
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct BatchSpartan<E: Engine, EE: EvaluationEngineTrait<E>> {
    pub(crate) outer: Rounds<E>,
    pub(crate) claims_outer: Vec<[E::Scalar; 4]>,
    pub(crate) inner: Rounds<E>,
    pub(crate) evals_w: Vec<E::Scalar>,
    pub(crate) opening: Rounds<E>,
    pub(crate) evals_open: Vec<E::Scalar>,
    pub(crate) arg: EE::EvaluationArgument,
}

/// The prover's and the verifier's key of [`BatchSpartan`].
pub type Keys<E, EE> = (ProverKey<E, EE>, VerifierKey<E, EE>);

/// The prover's key of [`BatchSpartan`].
pub struct ProverKey<E: Engine, EE: EvaluationEngineTrait<E>> {
    pub(crate) pk_ee: EE::ProverKey,
    pub(crate) digest: E::Scalar,
    pub(crate) layouts: Vec<Layout>,
}

/// The verifier's key of [`BatchSpartan`]: the padded shapes (the verifier evaluates their
/// matrices), the evaluation engine's key and the digest.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct VerifierKey<E: Engine, EE: EvaluationEngineTrait<E>> {
    pub(crate) vk_ee: EE::VerifierKey,
    pub(crate) shapes: Vec<R1CSShape<E>>,
    pub(crate) layouts: Vec<Layout>,
    pub(crate) digest: E::Scalar,
    #[serde(skip)]
    _e: PhantomData<EE>,
}

impl<E: Engine, EE: EvaluationEngineTrait<E>> BatchSnark<E> for BatchSpartan<E, EE> {
    type ProverKey = ProverKey<E, EE>;
    type VerifierKey = VerifierKey<E, EE>;

    fn setup(
        ck: &CommitmentKey<E>,
        shapes: &[&R1CSShape<E>],
        digest: E::Scalar,
    ) -> Result<(Self::ProverKey, Self::VerifierKey), NovaError> {
        Self::setup_with_layouts(ck, shapes, &vec![Layout::Whole; shapes.len()], digest)
    }

    fn prove(
        ck: &CommitmentKey<E>,
        pk: &Self::ProverKey,
        shapes: &[&R1CSShape<E>],
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E>],
        ws: &[RelaxedR1CSWitness<E>],
    ) -> Result<Self, NovaError> {
        let us: Vec<SegmentedInstance<E>> = us.iter().map(SegmentedInstance::whole).collect();
        Self::prove_segmented(ck, pk, shapes, slots, &us, ws)
    }

    fn verify(
        &self,
        vk: &Self::VerifierKey,
        slots: &[usize],
        us: &[RelaxedR1CSInstance<E>],
    ) -> Result<(), NovaError> {
        let us: Vec<SegmentedInstance<E>> = us.iter().map(SegmentedInstance::whole).collect();
        self.verify_segmented(vk, slots, &us)
    }
}

impl<E: Engine, EE: EvaluationEngineTrait<E>> BatchSpartan<E, EE> {
    /// [`BatchSnark::setup`] with the witness layout of every shape.
    pub fn setup_with_layouts(
        ck: &CommitmentKey<E>,
        shapes: &[&R1CSShape<E>],
        layouts: &[Layout],
        digest: E::Scalar,
    ) -> Result<Keys<E, EE>, NovaError> {
        let padded: Vec<R1CSShape<E>> = shapes.iter().map(|s| s.pad()).collect();
        let fits = padded
            .iter()
            .zip(layouts)
            .all(|(s, l)| l.fits(s.num_vars().trailing_zeros() as usize));
        if layouts.len() != shapes.len() || !fits {
            return Err(NovaError::InvalidInputLength);
        }
        let (pk_ee, vk_ee) = EE::setup(ck)?;
        Ok((
            ProverKey {
                pk_ee,
                digest,
                layouts: layouts.to_vec(),
            },
            VerifierKey {
                vk_ee,
                shapes: padded,
                layouts: layouts.to_vec(),
                digest,
                _e: PhantomData,
            },
        ))
    }

    /// [`BatchSnark::prove`] for instances committed in segments (one commitment per
    /// segment of the slot's layout; blind-free).
    pub fn prove_segmented(
        ck: &CommitmentKey<E>,
        pk: &ProverKey<E, EE>,
        shapes: &[&R1CSShape<E>],
        slots: &[usize],
        us: &[SegmentedInstance<E>],
        ws: &[RelaxedR1CSWitness<E>],
    ) -> Result<Self, NovaError> {
        if shapes.len() != pk.layouts.len() {
            return Err(NovaError::InvalidInputLength);
        }
        prove::prove::<E, EE>(ck, pk, shapes, slots, us, ws, None)
    }

    /// Test hook: [`Self::prove_segmented`] with the segments' tables given (a prover that
    /// opens its commitments to tables of its choice, e.g. mass moved between segments).
    #[cfg(test)]
    pub(crate) fn prove_with_tables(
        ck: &CommitmentKey<E>,
        pk: &ProverKey<E, EE>,
        shapes: &[&R1CSShape<E>],
        slots: &[usize],
        us: &[SegmentedInstance<E>],
        ws: &[RelaxedR1CSWitness<E>],
        tables: Vec<Vec<Vec<E::Scalar>>>,
    ) -> Result<Self, NovaError> {
        prove::prove::<E, EE>(ck, pk, shapes, slots, us, ws, Some(tables))
    }

    /// [`BatchSnark::verify`] for instances committed in segments.
    pub fn verify_segmented(
        &self,
        vk: &VerifierKey<E, EE>,
        slots: &[usize],
        us: &[SegmentedInstance<E>],
    ) -> Result<(), NovaError> {
        verify::verify::<E, EE>(self, vk, slots, us)
    }
}

/// Checks a batch's slot list against `num_shapes` and the number of instances.
fn check_slots(slots: &[usize], num_shapes: usize, k: usize) -> Result<(), NovaError> {
    let increasing = slots.windows(2).all(|w| w[0] < w[1]);
    let in_range = slots.last().is_some_and(|&s| s < num_shapes);
    if slots.is_empty() || !increasing || !in_range || slots.len() != k {
        return Err(NovaError::InvalidInputLength);
    }
    Ok(())
}

/// Checks each instance's number of segments against its slot's layout.
fn check_segments<E: Engine>(
    layouts: &[Layout],
    slots: &[usize],
    us: &[SegmentedInstance<E>],
) -> Result<(), NovaError> {
    let ok = slots.iter().zip(us).all(|(&s, u)| {
        layouts
            .get(s)
            .is_some_and(|l| l.segments() == u.comm_w.len())
    });
    if !ok {
        return Err(NovaError::InvalidInputLength);
    }
    Ok(())
}

/// A transcript with the outer challenges τ and α drawn.
type Started<E> = (
    <E as Engine>::TE,
    Vec<<E as Engine>::Scalar>,
    Vec<<E as Engine>::Scalar>,
);

/// The transcript after step 1 and the outer challenges τ (n of them) and α (one per
/// instance): the one start the prover and the verifier share.
fn start_transcript<E: Engine>(
    digest: &E::Scalar,
    slots: &[usize],
    us: &[SegmentedInstance<E>],
    n: usize,
) -> Result<Started<E>, NovaError> {
    use nova_snark::traits::TranscriptEngineTrait;
    let mut tr = E::TE::new(b"CanopyBatchSpartan");
    absorb_statement::<E>(&mut tr, digest, slots, us);
    let tau = (0..n)
        .map(|_| tr.squeeze(b"t"))
        .collect::<Result<Vec<_>, _>>()?;
    let alpha = (0..slots.len())
        .map(|_| tr.squeeze(b"a"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((tr, tau, alpha))
}

/// Absorbs the key's digest and the instances (step 1 of the module docs).
fn absorb_statement<E: Engine>(
    tr: &mut E::TE,
    digest: &E::Scalar,
    slots: &[usize],
    us: &[SegmentedInstance<E>],
) {
    use nova_snark::traits::TranscriptEngineTrait;
    tr.absorb(b"vk", digest);
    tr.absorb(b"k", &E::Scalar::from(slots.len() as u64));
    for (s, u) in slots.iter().zip(us) {
        tr.absorb(b"slot", &E::Scalar::from(*s as u64));
        for c in &u.comm_w {
            tr.absorb(b"W", c);
        }
        tr.absorb(b"E", &u.comm_e);
        tr.absorb(b"u", &u.u);
        tr.absorb(b"X", &u.x.as_slice());
    }
}

#[cfg(test)]
mod tests;
