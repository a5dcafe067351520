//! SHA-256 compression: one 64-byte block into an 8-word state, in place.
//!
//! Call: `custom-0` with funct7 = 1, funct3 = 0; rs1 = address of the state (8 words, read and
//! overwritten), rs2 = address of the block (16 words, read); rd = 0.
//!
//! Layout: the state is 8 native u32 words H0..H7 (as in FIPS 180-4 and `sha2::compress256`,
//! so a guest initialises it with the standard IV as `uint32_t[8]` and reads the digest as
//! the big-endian bytes of H0..H7). The block is the 64 message bytes in order, as they lie in
//! memory; since memory words are little-endian, the circuit's big-endian message word t is
//! the byte swap of memory word t, which costs nothing in R1CS (a permutation of given bits).
//! Padding is the guest's job (one call per 64-byte block).
//!
//! Native: `sha2::compress256`. Circuit: nova-snark's `sha256_compression_function` gadget.

use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory};
use nova_snark::frontend::gadgets::sha256::sha256_compression_function;
use nova_snark::frontend::gadgets::uint32::UInt32;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{Boolean, ConstraintSystem, SynthesisError};
use sha2::digest::generic_array::GenericArray;

use crate::util::{pack, read_words, write_words, zero_status};
use crate::{BUILTIN_FUNCT7, SHA256_ID};

/// Words of state.
pub const STATE_WORDS: u32 = 8;
/// Words of one block.
pub const BLOCK_WORDS: u32 = 16;

/// The SHA-256 compression coprocessor (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha256Compress;

/// Native SHA-256 compression of one block (64 bytes) given as 16 little-endian memory words.
pub fn compress(state: &mut [u32; 8], block: &[u32; 16]) {
    let mut bytes = [0u8; 64];
    for (chunk, w) in bytes.chunks_exact_mut(4).zip(block) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    sha2::compress256(state, &[GenericArray::clone_from_slice(&bytes)]);
}

impl Coprocessor for Sha256Compress {
    fn id(&self) -> u32 {
        SHA256_ID
    }

    fn name(&self) -> &str {
        "sha256-compress"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 0)
    }

    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let s = read_words(memory, rs1, 0, STATE_WORDS)?;
        let b = read_words(memory, rs2, 0, BLOCK_WORDS)?;
        let mut state = [0u32; 8];
        state.copy_from_slice(&s);
        let mut block = [0u32; 16];
        block.copy_from_slice(&b);
        compress(&mut state, &block);
        write_words(memory, rs1, 0, &state)?;
        Ok(0)
    }
}

impl CoprocessorCircuit for Sha256Compress {
    fn name(&self) -> &str {
        "sha256-compress"
    }

    fn funct(&self) -> (u8, u8) {
        (BUILTIN_FUNCT7, 0)
    }

    fn inputs(&self) -> Vec<Region> {
        vec![
            Region {
                base: Arg::Rs1,
                offset: 0,
                words: STATE_WORDS,
            },
            Region {
                base: Arg::Rs2,
                offset: 0,
                words: BLOCK_WORDS,
            },
        ]
    }

    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: STATE_WORDS,
        }]
    }

    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        let n = (STATE_WORDS + BLOCK_WORDS) as usize;
        if inputs.len() != n || inputs.iter().any(|w| w.bits.len() != 32) {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "sha256-compress takes {n} words of 32 bits"
            )));
        }
        let (state_in, block_in) = inputs.split_at(STATE_WORDS as usize);
        // State words are the SHA words themselves: big-endian bits = reversed LE bits.
        let state: Vec<UInt32> = state_in
            .iter()
            .map(|w| {
                let be: Vec<Boolean> = w.bits.iter().rev().cloned().collect();
                UInt32::from_bits_be(&be)
            })
            .collect();
        // The message: bytes in memory order, each byte most significant bit first.
        let mut message = Vec::with_capacity(512);
        for w in block_in {
            for byte in 0..4 {
                for bit in (0..8).rev() {
                    message.push(w.bits[8 * byte + bit].clone());
                }
            }
        }
        let out = sha256_compression_function(cs.namespace(|| "compress"), &message, &state)?;
        let mut words = Vec::with_capacity(STATE_WORDS as usize);
        for (i, u) in out.into_iter().enumerate() {
            let mut le = u.into_bits_be();
            le.reverse();
            words.push(pack(cs.namespace(|| format!("out {i}")), &le)?);
        }
        let status = zero_status(cs.namespace(|| "status"))?;
        Ok(CoprocessorOutput { words, status })
    }
}
