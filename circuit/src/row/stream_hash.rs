//! The production [`StreamHasher`]: one Poseidon permutation of width 3 (nova-snark's
//! `Sponge`/`SpongeCircuit` over `U2`, `Strength::Standard`), absorbing `(digest, word)` and
//! squeezing one element, with its own domain separator so that stream hashes can never be
//! confused with the memory tree's node hashes or with other sponges of the project.

use ff::PrimeField;
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp,
    SpongeTrait, Strength,
};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};
use typenum::U2;

use super::StreamHasher;

/// Domain separator of the I/O stream hash (`"IO"` in the high half).
pub const STREAM_DOMAIN: u32 = 0x494f_0000;

fn pattern() -> IOPattern {
    IOPattern(vec![SpongeOp::Absorb(2), SpongeOp::Squeeze(1)])
}

/// Poseidon-based `H(digest, word)` for the I/O stream digests.
#[derive(Clone)]
pub struct PoseidonStreamHasher<F: PrimeField> {
    constants: PoseidonConstants<F, U2>,
}

impl<F: PrimeField> std::fmt::Debug for PoseidonStreamHasher<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoseidonStreamHasher")
            .finish_non_exhaustive()
    }
}

impl<F: PrimeField> Default for PoseidonStreamHasher<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: PrimeField> PoseidonStreamHasher<F> {
    /// Generates the constants (a few milliseconds).
    pub fn new() -> Self {
        PoseidonStreamHasher {
            constants: Sponge::<F, U2>::api_constants(Strength::Standard),
        }
    }
}

impl<F: PrimeField> StreamHasher<F> for PoseidonStreamHasher<F> {
    fn hash(&self, digest: F, word: F) -> F {
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern(), Some(STREAM_DOMAIN), acc);
        SpongeAPI::absorb(&mut sponge, 2, &[digest, word], acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        // `finish` only fails on an IO-pattern mismatch, which the fixed pattern rules out.
        let _ = sponge.finish(acc);
        out[0]
    }

    fn hash_gadget<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        digest: &AllocatedNum<F>,
        word: &AllocatedNum<F>,
    ) -> Result<AllocatedNum<F>, SynthesisError> {
        let out = {
            let mut sponge = SpongeCircuit::new_with_constants(&self.constants, Simplex);
            let acc = &mut cs.namespace(|| "poseidon");
            sponge.start(pattern(), Some(STREAM_DOMAIN), acc);
            SpongeAPI::absorb(
                &mut sponge,
                2,
                &[Elt::Allocated(digest.clone()), Elt::Allocated(word.clone())],
                acc,
            );
            let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
            sponge
                .finish(acc)
                .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
            out
        };
        let first = out
            .into_iter()
            .next()
            .ok_or(SynthesisError::AssignmentMissing)?;
        first.ensure_allocated(&mut cs.namespace(|| "out"))
    }
}
