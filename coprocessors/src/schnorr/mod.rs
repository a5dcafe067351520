//! Schnorr signature verification on Grumpkin.
//!
//! Call: `custom-0` with funct7 = 1, funct3 = 3; rs1 = address of the input (32 words:
//! P at words 0..8, R at 8..16, s at 16..24, m at 24..32), rs2 = address of the result
//! (1 word, written: 1 = valid, 0 = invalid); rd = 0. rs2 may point into the input (the
//! input is read before the result is written). A guest therefore learns about a bad
//! signature from the result word; only malformed inputs (below) fault.
//!
//! # The scheme
//!
//! - Curve: Grumpkin, `y² = x³ − 17` over F_p, where p is BN254's scalar modulus (so the
//!   coordinates are native in the circuit field). Its group has prime order q (BN254's base
//!   modulus; p < q), cofactor 1.
//! - Generator G: `ark_grumpkin`'s affine generator, (1, √−16) with the root fixed there.
//! - Keys: secret x ∈ [1, q), public key P = x·G.
//! - Challenge: e = H(R.x, R.y, P.x, P.y, m) with m one element of F_p (the message digest).
//!   H is nova-snark's Poseidon sponge (the neptune construction) with the permutation and
//!   constants of the [`PoseidonHash`](crate::PoseidonHash) built-in (arity 2, width 3,
//!   `Strength::Standard`: R_F = 8, R_P = 55, x^5), IO pattern `[Absorb(5), Squeeze(1)]`
//!   (three permutations) and domain separator [`DOMAIN`]; native ([`Sponge`]) and circuit
//!   ([`SpongeCircuit`]) share one `PoseidonConstants`. e < p < q, so e's canonical integer
//!   is directly a Grumpkin scalar (no reduction).
//! - Signing (nonce k ∈ [1, q)): R = k·G, s = k + e·x mod q ([`SchnorrVerify::sign`]).
//! - Verification: valid iff s·G = R + e·P (as group elements).
//!
//! # Encoding (little-endian 8-word values, as the other built-ins use)
//!
//! - A point is compressed: words 0..8 hold x's canonical integer in bits 0..254 (bit 254
//!   must be 0) and, in bit 255 (the top bit of word 7), the parity of y's canonical integer
//!   (1 = odd). The y with that parity and y² = x³ − 17 is the point's y-coordinate.
//! - s is its integer, which must be < q; m is its integer, which must be < p.
//!
//! So the 32 input words are 128 bytes: P, R, s, m, each 32 bytes little-endian.
//!
//! # Faults (malformed input)
//!
//! The native function fails with [`CoprocessorError::InvalidArguments`] (the VM faults,
//! nothing is written) and the circuit is unsatisfiable when:
//! - a point's x (bits 0..255 of its words) is ≥ p (non-canonical, including bit 254 set);
//! - no point has that x (x³ − 17 is not a square in F_p: the point is not on the curve);
//! - s ≥ q, or m ≥ p.
//!
//! The point at infinity has no encoding (every encoding names an affine point or is
//! rejected), so neither P nor R can be the identity. Every other input is well-formed, and
//! the result word says whether the signature is valid.
//!
//! # Circuit
//!
//! Decompression: x from its bits (checked ≤ p − 1), y a witness with y² = x³ − 17 and a
//! strict (unique, < p) bit decomposition whose bit 0 equals the sign bit. s's bits are the
//! input bits (checked ≤ q − 1), e's bits a strict decomposition of the in-circuit Poseidon
//! output. Then one accumulator A, starting at R, collects
//! A = R + Σ e_i·(2^i·P) + Σ s_i·(−2^i·G) over i < 254, using the complete mixed addition of
//! Renes–Costello–Batina (2016, Algorithm 8 for a = 0) in projective coordinates (A may be
//! any point including the identity; the added point is affine and never the identity) and
//! a select per bit. 2^i·P comes from affine doubling with a slope witness λ, 2y·λ = 3x²,
//! which fixes λ because y ≠ 0 for every point of the odd-order group; −2^i·G are
//! constants. The signature is valid iff A is the identity, i.e. A's Z = 0; the result bit
//! r is proven with an inverse witness (Z·inv = 1 − r, Z·r = 0), so r = 1 exactly when
//! valid and r = 0 exactly when not: a prover can claim neither. Every other witness
//! (products, selects, λ, y) is fixed by its constraints, so the result is a function of
//! the input words.
//!
//! Costs: see [`SchnorrVerify`]'s `CoprocessorCircuit` implementation and the tests
//! (`tests/schnorr.rs` prints the counts).

mod circuit;
pub mod encoding;
mod gadget;
mod native;

use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory};
use nova_snark::frontend::gadgets::poseidon::{PoseidonConstants, Sponge, SpongeTrait, Strength};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::SynthesisError;
use typenum::U2;

#[cfg(doc)]
use nova_snark::frontend::gadgets::poseidon::SpongeCircuit;

use crate::util::{read_words, write_words};
use crate::{BUILTIN_FUNCT7, SCHNORR_ID};

pub use encoding::SchnorrInput;

/// The challenge sponge's domain separator ("SC" · 5: Schnorr challenge of 5 elements).
pub const DOMAIN: u32 = 0x5343_0005;

/// Input words (P, R, s, m: 8 words each).
pub const INPUT_WORDS: u32 = 32;

/// Output words (the result: 1 = valid, 0 = invalid).
pub const OUTPUT_WORDS: u32 = 1;

/// Bits of the scalars s and e in the circuit (q < 2^254 and p < 2^254).
pub(crate) const SCALAR_BITS: usize = 254;

const NAME: &str = "schnorr-grumpkin";

/// The Schnorr-on-Grumpkin verification coprocessor (see the module docs).
#[derive(Debug, Clone)]
pub struct SchnorrVerify {
    constants: PoseidonConstants<F1, U2>,
    /// −2^i·G for i < [`SCALAR_BITS`], affine, as circuit-field coordinates.
    neg_g_table: Vec<(F1, F1)>,
}

impl Default for SchnorrVerify {
    fn default() -> Self {
        Self::new()
    }
}

impl SchnorrVerify {
    /// Generates the Poseidon constants and the table of multiples of G (a few milliseconds).
    pub fn new() -> Self {
        SchnorrVerify {
            constants: Sponge::<F1, U2>::api_constants(Strength::Standard),
            neg_g_table: native::neg_generator_table(SCALAR_BITS),
        }
    }
}

impl Coprocessor for SchnorrVerify {
    fn id(&self) -> u32 {
        SCHNORR_ID
    }

    fn name(&self) -> &str {
        NAME
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 3)
    }

    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let words = read_words(memory, rs1, 0, INPUT_WORDS)?;
        let input = SchnorrInput::from_words(&words)
            .map_err(|e| CoprocessorError::InvalidArguments(format!("schnorr: {e}")))?;
        let valid = self.verify(&input);
        write_words(memory, rs2, 0, &[valid as u32])?;
        Ok(0)
    }
}

impl CoprocessorCircuit for SchnorrVerify {
    fn name(&self) -> &str {
        NAME
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 3)
    }

    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: INPUT_WORDS,
        }]
    }

    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: OUTPUT_WORDS,
        }]
    }

    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        circuit::synthesize(self, cs, inputs)
    }
}
