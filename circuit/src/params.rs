//! The parameters shared by the CPU block circuit and the coprocessor step circuits.

use std::sync::Arc;

use canopy_folding::F1;

use crate::coprocessor::CoprocessorCircuit;
use crate::error::BlockError;
use crate::memcheck::{ChainHasher, PAGE_BYTES};
use crate::registers::RegHasher;
use crate::row::{PoseidonStreamHasher, RowConfig};

/// Shared parameters of the block circuit and of the coprocessor step circuits.
#[derive(Debug, Clone)]
pub struct BlockParams {
    pub(crate) k: usize,
    pub(crate) cfg: RowConfig,
    pub(crate) chain: ChainHasher,
    pub(crate) stream: PoseidonStreamHasher<F1>,
    pub(crate) regs: RegHasher,
    pub(crate) coprocessors: Vec<Arc<dyn CoprocessorCircuit>>,
}

impl BlockParams {
    /// Parameters for K rows per block and a memory of `memory_size` bytes.
    pub fn new(k: usize, memory_size: u64) -> Result<Self, BlockError> {
        if k == 0 {
            return Err(BlockError::Params("K must be at least 1".into()));
        }
        Ok(BlockParams {
            k,
            cfg: RowConfig::new(memory_size)?,
            chain: ChainHasher::new(),
            stream: PoseidonStreamHasher::new(),
            regs: RegHasher::new(),
            coprocessors: Vec::new(),
        })
    }

    /// The same parameters for `k` rows per block (cheaper than [`Self::new`]: the hashers'
    /// constants are kept).
    pub fn with_block_size(mut self, k: usize) -> Result<Self, BlockError> {
        if k == 0 {
            return Err(BlockError::Params("K must be at least 1".into()));
        }
        self.k = k;
        Ok(self)
    }

    /// The same parameters with coprocessors: `coprocessors[i]` is step circuit i + 1 and is
    /// called by its `(funct7, funct3)`; selectors must be distinct.
    pub fn with_coprocessors(
        mut self,
        coprocessors: Vec<Arc<dyn CoprocessorCircuit>>,
    ) -> Result<Self, BlockError> {
        let functs: Vec<(u8, u8)> = coprocessors.iter().map(|c| c.funct()).collect();
        self.cfg = self.cfg.clone().with_coprocessors(&functs)?;
        self.coprocessors = coprocessors;
        Ok(self)
    }

    /// The registered coprocessor circuits (index i is step circuit i + 1).
    pub fn coprocessors(&self) -> &[Arc<dyn CoprocessorCircuit>] {
        &self.coprocessors
    }

    /// The sponge of the memory argument's binding chain.
    pub fn chain(&self) -> &ChainHasher {
        &self.chain
    }

    /// The step circuit index of the audit (after the CPU, 0, and the coprocessors).
    pub fn audit_index(&self) -> u32 {
        self.coprocessors.len() as u32 + 1
    }

    /// Number of word-index bits of an address (`log2(memory size / 4)`).
    pub fn word_bits(&self) -> usize {
        self.cfg.word_index_bits() as usize
    }

    /// Number of bits of a page number (`log2(memory size / PAGE_BYTES)`, at least 0).
    pub fn page_bits(&self) -> u32 {
        (self.memory_size() / PAGE_BYTES).max(1).trailing_zeros()
    }

    /// Rows per block.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.cfg.memory_size()
    }
}
