//! The production [`StreamHasher`] of the I/O streams: the polynomial fingerprint
//! `H(d, w) = d·γ + w` under the memory argument's challenge `γ` (one constraint per row,
//! instead of a Poseidon permutation).
//!
//! A stream of n words `w_0..w_{n−1}` from the initial digest `iv` ends at
//! `iv·γ^n + Σ w_i·γ^{n−1−i}`. The verifier recomputes it from the claimed bytes with the
//! derived `γ` and compares the word count, offset and pending word exactly, so two different
//! streams of the same length give the same digest only if `γ` is a root of their difference, a
//! polynomial of degree ≤ n: probability ≤ n/p **provided `γ` is drawn after both streams are
//! fixed**. It is: the stream words are functions of the memory tuples (a `write` outputs the
//! byte it reads from memory, a `read` stores its byte in memory), which the binding chain fixes
//! before the challenges, and the challenges also absorb the digests of the claimed public
//! input and output ([`crate::memcheck::ChallengeStatement`]).

use ff::PrimeField;
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

use super::StreamHasher;

/// `H(d, w) = d·γ + w`, natively (`gamma`) and in circuit (`var`, the allocated `γ` of z).
#[derive(Clone, Debug)]
pub struct FingerprintHasher<F: PrimeField> {
    gamma: F,
    var: Option<AllocatedNum<F>>,
}

impl<F: PrimeField> FingerprintHasher<F> {
    /// The native hasher for the challenge `gamma`.
    pub fn native(gamma: F) -> Self {
        FingerprintHasher { gamma, var: None }
    }

    /// The hasher of a circuit whose z holds `γ` in `gamma` (its value, when known, is also
    /// used for the native twin).
    pub fn circuit(gamma: &AllocatedNum<F>) -> Self {
        FingerprintHasher {
            gamma: gamma.get_value().unwrap_or(F::ZERO),
            var: Some(gamma.clone()),
        }
    }
}

impl<F: PrimeField> StreamHasher<F> for FingerprintHasher<F> {
    fn hash(&self, digest: F, word: F) -> F {
        digest * self.gamma + word
    }

    fn hash_gadget<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        digest: &AllocatedNum<F>,
        word: &AllocatedNum<F>,
    ) -> Result<AllocatedNum<F>, SynthesisError> {
        let g = self.var.as_ref().ok_or_else(|| {
            SynthesisError::Unsatisfiable("the stream fingerprint needs γ in circuit".into())
        })?;
        let out = AllocatedNum::alloc(cs.namespace(|| "d·γ + w"), || {
            Ok(digest
                .get_value()
                .ok_or(SynthesisError::AssignmentMissing)?
                * g.get_value().ok_or(SynthesisError::AssignmentMissing)?
                + word.get_value().ok_or(SynthesisError::AssignmentMissing)?)
        })?;
        cs.enforce(
            || "d·γ = out − w",
            |lc| lc + digest.get_variable(),
            |lc| lc + g.get_variable(),
            |lc| lc + out.get_variable() - word.get_variable(),
        );
        Ok(out)
    }
}
