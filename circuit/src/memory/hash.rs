//! The tree's node hash, natively and in circuit: one Poseidon permutation of width 5
//! (nova-snark's `Sponge`/`SpongeCircuit` over `U4`, `Strength::Standard`: R_F = 8, R_P = 56),
//! absorbing the 4 children and squeezing one element.
//!
//! Domain separation: the sponge's capacity element is initialised from the IO pattern
//! `[Absorb(4), Squeeze(1)]` and a 32-bit domain separator (nova-snark's `SpongeAPI::start`). We
//! use `domain(levels, height) = 0x4d54_0000 + 256·levels + height` ("MT", the tree's number of
//! levels, the height of the children). The capacity element is a constant of the circuit, so
//! the separation costs no constraint. Consequences:
//! - a node at one height can never be reinterpreted as a node (or leaf) at another height,
//!   and a leaf (a value below 2^34) is never hashed with a node tag: no second-preimage game
//!   across levels, even if a future variant (e.g. a variable-depth path for coprocessors)
//!   stops fixing the position of every hash in the path;
//! - trees of different depths (memory sizes) have unrelated roots;
//! - the tree's hashes are separated from every other U4 sponge in the project that uses the
//!   default separator 0.
//!
//! A fixed-depth path already forbids leaf/node confusion by position alone; the tags make
//! this hold by construction rather than by an argument about the gadget's shape.

use ff::PrimeField;
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp,
    SpongeTrait, Strength,
};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use typenum::U4;

/// Tree arity (children per node).
pub const ARITY: usize = 4;

/// Base of the per-level domain separators ("MT" in the high half).
pub const DOMAIN_BASE: u32 = 0x4d54_0000;

/// The domain separator of the hash that combines children at `height` (0 = leaves) in a
/// tree of `levels` levels.
pub fn domain(levels: usize, height: usize) -> u32 {
    // levels <= 15 and height < 15 (memory <= 4 GiB): no overflow, and the map is injective.
    DOMAIN_BASE + 256 * levels as u32 + height as u32
}

fn pattern() -> IOPattern {
    IOPattern(vec![SpongeOp::Absorb(ARITY as u32), SpongeOp::Squeeze(1)])
}

/// Poseidon constants of the node hash (width 5), shared by the native tree and the gadget.
#[derive(Clone)]
pub struct NodeHasher<F: PrimeField> {
    constants: PoseidonConstants<F, U4>,
    levels: usize,
}

impl<F: PrimeField> std::fmt::Debug for NodeHasher<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeHasher")
            .field("levels", &self.levels)
            .finish_non_exhaustive()
    }
}

impl<F: PrimeField> NodeHasher<F> {
    /// Generates the constants for a tree of `levels` levels (a few milliseconds).
    pub fn new(levels: usize) -> Self {
        NodeHasher {
            constants: Sponge::<F, U4>::api_constants(Strength::Standard),
            levels,
        }
    }

    /// Number of levels of the tree this hasher serves.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Native hash of four children at `height`.
    pub fn hash(&self, height: usize, children: &[F; ARITY]) -> F {
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern(), Some(domain(self.levels, height)), acc);
        SpongeAPI::absorb(&mut sponge, ARITY as u32, children, acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        // `finish` only fails on an IO-pattern mismatch, which the fixed pattern above rules out.
        let _ = sponge.finish(acc);
        out[0]
    }

    /// In-circuit hash of four children at `height`: 288 constraints. The result is a linear
    /// combination of the permutation's last S-box outputs (not a fresh variable).
    pub fn hash_gadget<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        height: usize,
        children: &[Elt<F>; ARITY],
    ) -> Result<Elt<F>, SynthesisError> {
        let mut ns = cs.namespace(|| format!("node hash at height {height}"));
        let out = {
            let mut sponge = SpongeCircuit::new_with_constants(&self.constants, Simplex);
            let acc = &mut ns;
            sponge.start(pattern(), Some(domain(self.levels, height)), acc);
            SpongeAPI::absorb(&mut sponge, ARITY as u32, children, acc);
            let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
            sponge
                .finish(acc)
                .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
            out
        };
        out.into_iter()
            .next()
            .ok_or(SynthesisError::AssignmentMissing)
    }
}
