//! [`ArkSha256`]: SHA-256 of one 64-byte block with `ark-crypto-primitives`' SHA-256 gadget.
//!
//! The gadget (`ark_crypto_primitives::crh::sha256::constraints::Sha256Gadget`) exposes
//! only the whole hash: its chaining state is private and always starts at the standard IV,
//! and `finalize` always appends the padding. The compression function of the built-in
//! [`Sha256Compress`](crate::Sha256Compress) (arbitrary state in, state out) is therefore not
//! reachable through its public API. The closest honest function is the digest of exactly one
//! 64-byte block:
//!
//! `digest = SHA-256(block) = compress(compress(IV, block), PAD)`, with PAD the constant
//! padding block of a 512-bit message (0x80, zeros, length 512).
//!
//! Call: `custom-0` with funct7 = 1, funct3 = 4; rs1 = address of the digest (8 words,
//! written), rs2 = address of the block (16 words, read, the same layout as the built-in's
//! block: the 64 message bytes in memory order); rd = 0. The digest words are H0..H7 as native
//! u32 words, the same layout as the built-in's state, so the digest bytes are the big-endian
//! bytes of H0..H7. Guest code that hashes a message of exactly one block with the built-in
//! (state = IV, compress the block, compress the padding block) gets the same 8 words from
//! one call of this coprocessor.
//!
//! The ark circuit's public inputs are the 16 block words followed by the 8 digest words
//! ([`Binding::public_inputs`]); each block word is decomposed into 32 bits in the ark circuit
//! (the wrapper's range check is not visible to it), and each digest word is recomposed from
//! the gadget's output bytes and equated with its public input.

use ark_bn254::Fr;
use ark_crypto_primitives::crh::sha256::constraints::Sha256Gadget;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::convert::ToBytesGadget;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::uint32::UInt32;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use canopy_circuit::coprocessor::{Arg, Region};
use canopy_vm::error::CoprocessorError;
use sha2::{Digest, Sha256};

use super::adapter::{ArkAdapter, ArkCircuit};
use super::binding::Binding;
use super::ARK_SHA256_ID;
use crate::BUILTIN_FUNCT7;

/// funct3 of [`ArkSha256`].
pub const ARK_SHA256_FUNCT3: u8 = 4;
/// Words of the block read.
pub const BLOCK_WORDS: u32 = 16;
/// Words of the digest written.
pub const DIGEST_WORDS: u32 = 8;

/// SHA-256 of one 64-byte block through `ark-crypto-primitives` (see the module docs).
pub type ArkSha256 = ArkAdapter<Sha256BlockCircuit>;

/// The [`ArkCircuit`] behind [`ArkSha256`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha256BlockCircuit;

/// The arkworks synthesizer of [`Sha256BlockCircuit`]: the block words, or none for shapes.
#[derive(Debug, Clone)]
pub struct Sha256BlockSynthesizer {
    block: Option<Vec<u32>>,
}

/// Native: the digest words H0..H7 of the 64 bytes held by 16 little-endian memory words.
pub fn digest_block(block: &[u32]) -> Result<[u32; 8], CoprocessorError> {
    if block.len() != BLOCK_WORDS as usize {
        return Err(CoprocessorError::InvalidArguments(format!(
            "ark-sha256 takes {BLOCK_WORDS} words, got {}",
            block.len()
        )));
    }
    let bytes: Vec<u8> = block.iter().flat_map(|w| w.to_le_bytes()).collect();
    let d = Sha256::digest(&bytes);
    let mut out = [0u32; 8];
    for (o, c) in out.iter_mut().zip(d.chunks_exact(4)) {
        *o = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
    }
    Ok(out)
}

impl ConstraintSynthesizer<Fr> for Sha256BlockSynthesizer {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let block = self.block;
        if block
            .as_ref()
            .is_some_and(|b| b.len() != BLOCK_WORDS as usize)
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut bytes = Vec::with_capacity(64);
        for i in 0..BLOCK_WORDS as usize {
            let word = FpVar::new_input(cs.clone(), || {
                block
                    .as_ref()
                    .and_then(|b| b.get(i))
                    .map(|w| Fr::from(*w))
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            // 32 bits (and the rest enforced zero): the word is a u32 in the ark circuit too.
            let (bits, _) = UInt32::from_fp(&word)?;
            // Memory words are little-endian: byte j of the message is byte j % 4 of word j / 4.
            bytes.extend(bits.to_bytes_le()?);
        }
        let digest = Sha256Gadget::digest(&bytes)?;
        for j in 0..DIGEST_WORDS as usize {
            let h = UInt32::from_bytes_be(&digest.0[4 * j..4 * j + 4])?.to_fp()?;
            let out = FpVar::new_input(cs.clone(), || h.value())?;
            out.enforce_equal(&h)?;
        }
        Ok(())
    }
}

impl ArkCircuit for Sha256BlockCircuit {
    type Synthesizer = Sha256BlockSynthesizer;

    fn id(&self) -> u32 {
        ARK_SHA256_ID
    }

    fn name(&self) -> &str {
        "ark-sha256-block"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, ARK_SHA256_FUNCT3)
    }

    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: BLOCK_WORDS,
        }]
    }

    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: DIGEST_WORDS,
        }]
    }

    fn binding(&self) -> Binding {
        Binding::public_inputs(BLOCK_WORDS as usize, DIGEST_WORDS as usize)
    }

    fn synthesizer(&self, inputs: Option<&[u32]>) -> Sha256BlockSynthesizer {
        Sha256BlockSynthesizer {
            block: inputs.map(<[u32]>::to_vec),
        }
    }

    /// `sha2` directly (the tests check it equals [`super::evaluate`] of the ark circuit).
    fn native(&self, inputs: &[u32]) -> Result<Vec<u32>, CoprocessorError> {
        Ok(digest_block(inputs)?.to_vec())
    }
}
