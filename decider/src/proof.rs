//! The compact proof and its file format.

use crate::error::DeciderError;
use crate::keys::{DefaultS1, DefaultS2};
use crate::spartan::BatchSnark;
use crate::DECODE_LIMIT;
use canopy_folding::framing;
use canopy_folding::{E1, E2, F1, F2};
use nova_snark::{
    nova::nifs::{NIFSRelaxed, NIFS},
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::Engine,
};
use serde::{Deserialize, Serialize};

/// Magic bytes of a compact-proof file.
pub const PROOF_MAGIC: [u8; 8] = *b"CNPY-CP\0";
/// Format version of a compact-proof file (2: one batched SNARK per curve).
pub const PROOF_VERSION: u32 = 2;

/// The blinding of one running instance U: a random satisfying instance R, the relaxed
/// fold of U with R, and the blinds of the folded witness commitments (revealed so the
/// verifier can remove them). The batched SNARK proves the derandomised fold.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SlotBlind<E: Engine> {
    pub(crate) random: RelaxedR1CSInstance<E>,
    pub(crate) nifs: NIFSRelaxed<E>,
    pub(crate) blind_w: E::Scalar,
    pub(crate) blind_e: E::Scalar,
}

/// A compact proof of a root accumulator (docs/protocol.md §4).
///
/// Holds the running instances (never their witnesses): the primary slots U[0..m) and
/// PM's slot U[m], the secondary slots U'[0] (S') and U'[1] (SM), the last strict secondary
/// instance u' with its kind κ, the blinds ρ1, ρ2 of the state hashes, the NIFS fold of u'
/// into U'[κ], one [`SlotBlind`] per proven slot (`None` only for a slot that is exactly the
/// default instance, which the verifier checks) and one batched SNARK per curve for all
/// proven slots of that curve.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "S1: BatchSnark<E1>, S2: BatchSnark<E2>")]
pub struct CompactProof<S1 = DefaultS1, S2 = DefaultS2> {
    pub(crate) primary: Vec<RelaxedR1CSInstance<E1>>,
    pub(crate) secondary: Vec<RelaxedR1CSInstance<E2>>,
    pub(crate) kappa: u8,
    pub(crate) last: R1CSInstance<E2>,
    pub(crate) rho1: F1,
    pub(crate) rho2: F2,
    pub(crate) nifs: NIFS<E2>,
    pub(crate) primary_blinds: Vec<Option<SlotBlind<E1>>>,
    pub(crate) secondary_blinds: Vec<Option<SlotBlind<E2>>>,
    pub(crate) primary_snark: Option<S1>,
    pub(crate) secondary_snark: Option<S2>,
}

impl<S1, S2> CompactProof<S1, S2>
where
    S1: BatchSnark<E1>,
    S2: BatchSnark<E2>,
{
    /// The running instances the proof reveals (the verifier recomputes the state hashes from
    /// them): the primary slots U[0..m] and the secondary slots U'[0], U'[1]. With random slot
    /// starts (docs/protocol.md §3.7) their u and X are uniform and their commitments hiding,
    /// whatever ran.
    pub fn revealed_instances(&self) -> (&[RelaxedR1CSInstance<E1>], &[RelaxedR1CSInstance<E2>]) {
        (&self.primary, &self.secondary)
    }

    /// Serialises the proof: 8 magic bytes, format version, bincode 2 body.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DeciderError> {
        Ok(framing::encode(
            &PROOF_MAGIC,
            PROOF_VERSION,
            self,
            "compact proof",
        )?)
    }

    /// Reads a proof; wrong magic, another version, truncation or trailing bytes are
    /// [`DeciderError::Format`] errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DeciderError> {
        Ok(framing::decode::<_, DECODE_LIMIT>(
            bytes,
            &PROOF_MAGIC,
            PROOF_VERSION,
            "compact proof",
        )?)
    }

    /// Which primary slots are proven. The others are default instances (a circuit that never
    /// ran in a root whose first leaf started at DEFAULT) or, in a leaf root (κ = 0), the merge
    /// slot U[m], which a leaf only carries. With random slot starts (what `canopy` does) every
    /// slot but a leaf root's merge slot is proven, so this reveals nothing about the run.
    pub fn proven_primary_slots(&self) -> Vec<usize> {
        proven(&self.primary_blinds)
    }
}

/// The indices of the `Some` entries.
pub(crate) fn proven<T>(blinds: &[Option<T>]) -> Vec<usize> {
    (0..blinds.len()).filter(|&j| blinds[j].is_some()).collect()
}

impl<S1, S2> CompactProof<S1, S2> {
    /// Test hook: removes the blinding of primary slot `j` (a forged "unused slot" claim).
    #[doc(hidden)]
    pub fn drop_slot_proof_for_tests(&mut self, j: usize) {
        if let Some(p) = self.primary_blinds.get_mut(j) {
            *p = None;
        }
    }
}
