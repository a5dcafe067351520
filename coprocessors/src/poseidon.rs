//! Poseidon over BN254's scalar field: the 2-to-1 hash of two field elements.
//!
//! Call: `custom-0` with funct7 = 1, funct3 = 1; rs1 = address of the inputs x, y (16 words:
//! x at words 0..8, y at words 8..16), rs2 = address of the digest (8 words, written);
//! rd = 0. rs2 may equal rs1 (the inputs are read before the digest is written).
//!
//! Encoding: a field element is its canonical integer (< p, the BN254 scalar modulus) as 8
//! little-endian u32 words. A non-canonical input (≥ p) is an error: natively
//! [`CoprocessorError::InvalidArguments`] (the VM faults), in circuit unsatisfiable (each
//! input's 256 bits are checked ≤ p − 1). The digest is written canonically.
//!
//! The hash: nova-snark's Poseidon sponge (`Sponge`/`SpongeCircuit`, the neptune
//! construction) with arity 2 (width 3), `Strength::Standard` (R_F = 8, R_P = 55, x^5),
//! IO pattern `[Absorb(2), Squeeze(1)]`, domain separator [`DOMAIN`]: the state starts as
//! [tag, 0, 0] with tag = `IOPattern::value(DOMAIN)`, x and y go to state[1] and state[2], one
//! permutation, and the digest is state[1]. It is nova-snark's Poseidon, the hash Canopy
//! already uses for its memory tree and folding transcripts (one Poseidon in the whole
//! system), with neptune's constants (Grain LFSR round constants, Cauchy MDS matrix).
//!
//! Checked against an independent implementation: the native function equals arkworks'
//! Poseidon permutation (`ark_crypto_primitives::sponge::poseidon::PoseidonSponge`, which
//! takes any round constants and MDS) run with neptune's constants and the framing above -
//! on the whole permutation and on the coprocessor's digests, with negative controls for a
//! changed constant, tag or position (`tests/poseidon_ark.rs`). It is not arkworks' Poseidon
//! with arkworks' *default* parameters (`find_poseidon_ark_and_mds` seeds its Grain LFSR
//! differently and derives a different MDS), so digests differ from a guest using those.
//! Circuit == native: native and circuit use the same `PoseidonConstants`, and
//! `tests/poseidon.rs` checks agreement on random inputs and that non-canonical inputs, a
//! wrong output word and a wrong memory read are rejected.

use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory};
use ff::PrimeField;
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp,
    SpongeTrait, Strength,
};
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use typenum::U2;

use crate::util::{enforce_le_const, pack, read_words, write_words, zero_status};
use crate::{BUILTIN_FUNCT7, POSEIDON_ID};

/// Words per field element.
pub const ELEMENT_WORDS: u32 = 8;

/// The sponge's domain separator ("PH" · 2: a Poseidon hash of 2 elements).
pub const DOMAIN: u32 = 0x5048_0002;

fn pattern() -> IOPattern {
    IOPattern(vec![SpongeOp::Absorb(2), SpongeOp::Squeeze(1)])
}

/// The Poseidon 2-to-1 coprocessor (see the module docs).
#[derive(Debug, Clone)]
pub struct PoseidonHash {
    constants: PoseidonConstants<F1, U2>,
}

impl Default for PoseidonHash {
    fn default() -> Self {
        Self::new()
    }
}

/// A field element from 8 little-endian words, if canonical.
pub fn element_from_words(words: &[u32]) -> Option<F1> {
    if words.len() != ELEMENT_WORDS as usize {
        return None;
    }
    let mut repr = <F1 as PrimeField>::Repr::default();
    for (chunk, w) in repr.as_mut().chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Option::from(F1::from_repr(repr))
}

/// The 8 little-endian words of a field element's canonical integer.
pub fn element_to_words(f: F1) -> [u32; 8] {
    let repr = f.to_repr();
    let mut out = [0u32; 8];
    for (o, chunk) in out.iter_mut().zip(repr.as_ref().chunks_exact(4)) {
        *o = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    out
}

impl PoseidonHash {
    /// Generates the constants (a few milliseconds).
    pub fn new() -> Self {
        PoseidonHash {
            constants: Sponge::<F1, U2>::api_constants(Strength::Standard),
        }
    }

    /// The native hash of two field elements.
    pub fn hash(&self, x: F1, y: F1) -> F1 {
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern(), Some(DOMAIN), acc);
        SpongeAPI::absorb(&mut sponge, 2, &[x, y], acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        // `finish` fails only on an IO-pattern mismatch, which the fixed pattern rules out.
        let _ = sponge.finish(acc);
        out[0]
    }

    /// The in-circuit hash of two field elements.
    pub fn hash_gadget<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        x: Elt<F1>,
        y: Elt<F1>,
    ) -> Result<Elt<F1>, SynthesisError> {
        let mut ns = cs.namespace(|| "poseidon");
        let mut sponge = SpongeCircuit::new_with_constants(&self.constants, Simplex);
        let acc = &mut ns;
        sponge.start(pattern(), Some(DOMAIN), acc);
        SpongeAPI::absorb(&mut sponge, 2, &[x, y], acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        sponge
            .finish(acc)
            .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
        out.into_iter()
            .next()
            .ok_or(SynthesisError::AssignmentMissing)
    }
}

impl Coprocessor for PoseidonHash {
    fn id(&self) -> u32 {
        POSEIDON_ID
    }

    fn name(&self) -> &str {
        "poseidon-bn254-2"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 1)
    }

    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let words = read_words(memory, rs1, 0, 2 * ELEMENT_WORDS)?;
        let (xw, yw) = words.split_at(ELEMENT_WORDS as usize);
        let non_canonical = |which: &str| {
            CoprocessorError::InvalidArguments(format!(
                "poseidon: {which} is not a canonical BN254 scalar (≥ p)"
            ))
        };
        let x = element_from_words(xw).ok_or_else(|| non_canonical("x"))?;
        let y = element_from_words(yw).ok_or_else(|| non_canonical("y"))?;
        write_words(memory, rs2, 0, &element_to_words(self.hash(x, y)))?;
        Ok(0)
    }
}

/// The little-endian bits of p − 1 (256 of them).
fn p_minus_one_bits() -> Vec<bool> {
    let repr = (-F1::from(1u64)).to_repr();
    repr.as_ref()
        .iter()
        .flat_map(|byte| (0..8).map(move |i| byte >> i & 1 == 1))
        .collect()
}

impl CoprocessorCircuit for PoseidonHash {
    fn name(&self) -> &str {
        "poseidon-bn254-2"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 1)
    }

    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: 2 * ELEMENT_WORDS,
        }]
    }

    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: ELEMENT_WORDS,
        }]
    }

    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        if inputs.len() != 2 * ELEMENT_WORDS as usize || inputs.iter().any(|w| w.bits.len() != 32) {
            return Err(SynthesisError::IncompatibleLengthVector(
                "poseidon takes 16 words of 32 bits".into(),
            ));
        }
        let bound = p_minus_one_bits();
        let mut elts = Vec::with_capacity(2);
        for (e, words) in inputs.chunks(ELEMENT_WORDS as usize).enumerate() {
            let bits: Vec<_> = words.iter().flat_map(|w| w.bits.iter().cloned()).collect();
            enforce_le_const(cs.namespace(|| format!("canonical {e}")), &bits, &bound)?;
            // Σ bits·2^i as a linear combination (no constraint); canonical, so it is the
            // field element the guest meant.
            let mut num = Num::zero();
            let mut coeff = F1::from(1u64);
            for b in &bits {
                num = num.add_bool_with_coeff(DynCs::one(), b, coeff);
                coeff = coeff.double();
            }
            elts.push(Elt::Num(num));
        }
        let y = elts.pop().ok_or(SynthesisError::AssignmentMissing)?;
        let x = elts.pop().ok_or(SynthesisError::AssignmentMissing)?;
        let h = self.hash_gadget(cs, x, y)?;
        let h = h.ensure_allocated(&mut cs.namespace(|| "digest"))?;
        let bits = h.to_bits_le_strict(cs.namespace(|| "digest bits"))?;
        let mut words = Vec::with_capacity(ELEMENT_WORDS as usize);
        for (i, chunk) in bits.chunks(32).enumerate() {
            words.push(pack(cs.namespace(|| format!("out {i}")), chunk)?);
        }
        while words.len() < ELEMENT_WORDS as usize {
            // 254-bit field: the top words are zero (cannot happen for BN254's 254 bits in 8
            // chunks of 32, kept for generality).
            words.push(zero_status(
                cs.namespace(|| format!("zero word {}", words.len())),
            )?);
        }
        let status = zero_status(cs.namespace(|| "status"))?;
        Ok(CoprocessorOutput { words, status })
    }
}
