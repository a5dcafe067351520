//! Structural checks of a SNARK before nova-snark's verifier sees it.
//!
//! nova-snark 0.76's Spartan verifier trusts two lengths inside the proof and panics when
//! they are wrong (`decider/tests/mutation` exercises both):
//! a sum-check round polynomial with no coefficient (`CompressedUniPoly::decompress` indexes
//! `coeffs_except_linear_term[0]`) and a batch of evaluations that is not exactly one per
//! claim (`batch_eval_verify` asserts `evals_batch.len() == 2`). Both decode fine from a
//! crafted file. [`crate::verify`] catches panics, but a panic still prints to stderr,
//! aborts a `panic = "abort"` build and stops a fuzzer, so the decider rejects such proofs
//! before calling nova-snark.
//!
//! The SNARK's fields are private to nova-snark; the check re-encodes the SNARK with
//! bincode and decodes it as a mirror of `spartan::snark::RelaxedR1CSSNARK`'s serde layout
//! (sum-check proofs are lists of coefficient lists, the IPA argument is decoded as
//! itself). A layout change in nova-snark makes the mirror fail to decode, which rejects
//! every proof: the decider tests would catch that at once.

use crate::error::DeciderError;
use nova_snark::{
    spartan::{ppsnark, snark},
    traits::{evaluation::EvaluationEngineTrait, Engine},
};
use serde::Deserialize;

/// Number of claims Spartan's batched evaluation argument opens (W and E).
const BATCHED_CLAIMS: usize = 2;

/// A SNARK whose structure the decider checks before verifying it.
pub trait WellFormed {
    /// `Ok` when nova-snark's verifier can run on the proof without panicking; the string
    /// says what is malformed.
    fn check_well_formed(&self) -> Result<(), String>;
}

/// Mirror of `spartan::sumcheck::SumcheckProof`: one `CompressedUniPoly` (a list of
/// coefficients without the linear term) per round.
#[derive(Deserialize)]
#[serde(bound = "")]
struct SumcheckMirror<E: Engine> {
    polys: Vec<Vec<E::Scalar>>,
}

impl<E: Engine> SumcheckMirror<E> {
    fn check(&self, what: &str) -> Result<(), String> {
        match self.polys.iter().position(|p| p.is_empty()) {
            Some(i) => Err(format!("{what} sum-check round {i} has no coefficient")),
            None => Ok(()),
        }
    }
}

/// Mirror of `spartan::snark::RelaxedR1CSSNARK`'s serde layout (field order matters).
#[derive(Deserialize)]
#[serde(bound = "A: serde::de::DeserializeOwned")]
#[allow(dead_code)] // the scalars are only decoded, to reach the fields after them
struct SpartanMirror<E: Engine, A> {
    sc_proof_outer: SumcheckMirror<E>,
    claims_outer: (E::Scalar, E::Scalar, E::Scalar),
    eval_e: E::Scalar,
    sc_proof_inner: SumcheckMirror<E>,
    eval_w: E::Scalar,
    sc_proof_batch: SumcheckMirror<E>,
    evals_batch: Vec<E::Scalar>,
    eval_arg: A,
}

impl<E, EE> WellFormed for snark::RelaxedR1CSSNARK<E, EE>
where
    E: Engine,
    EE: EvaluationEngineTrait<E>,
{
    fn check_well_formed(&self) -> Result<(), String> {
        let config = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(self, config)
            .map_err(|e| format!("SNARK not encodable: {e}"))?;
        let (m, used): (SpartanMirror<E, EE::EvaluationArgument>, usize) =
            bincode::serde::decode_from_slice(&bytes, config)
                .map_err(|e| format!("SNARK layout not understood: {e}"))?;
        if used != bytes.len() {
            return Err("SNARK layout not understood: trailing bytes".into());
        }
        m.sc_proof_outer.check("outer")?;
        m.sc_proof_inner.check("inner")?;
        m.sc_proof_batch.check("batch")?;
        if m.evals_batch.len() != BATCHED_CLAIMS {
            return Err(format!(
                "{} batched evaluations, Spartan opens {BATCHED_CLAIMS}",
                m.evals_batch.len()
            ));
        }
        Ok(())
    }
}

/// **Not checked**: the preprocessing SNARK is not the default and has no structural
/// mirror; a panic in its verifier is still caught by [`crate::verify`] and reported
/// as a rejection.
impl<E, EE> WellFormed for ppsnark::RelaxedR1CSSNARK<E, EE>
where
    E: Engine,
    EE: EvaluationEngineTrait<E>,
{
    fn check_well_formed(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The HyperKZG SNARK is Spartan's non-preprocessing SNARK over another engine: the same
/// checks (HyperKZG's own verifier checks the lengths of its evaluation argument).
impl WellFormed for crate::kzg::KzgSnark {
    fn check_well_formed(&self) -> Result<(), String> {
        self.inner().check_well_formed()
    }
}

/// [`WellFormed::check_well_formed`] as a decider rejection naming the slot.
pub(crate) fn check<S: WellFormed>(name: &str, snark: &S) -> Result<(), DeciderError> {
    snark
        .check_well_formed()
        .map_err(|e| DeciderError::Rejected(format!("{name}: malformed SNARK: {e}")))
}
