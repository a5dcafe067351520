//! The prover's memory under offline memory checking: every word's current leaf and the time
//! of its last write, the clock, and the record of each access.

use std::collections::HashMap;

use canopy_vm::elf_loader::Program;

use super::error::MemCheckError;
use super::sets::{InitialImage, PageList};
use super::{Tuple, GAP_BITS, PAGE_BYTES};
use crate::memory::{Leaf, MemoryArgError};

/// One access as the circuits see it: the read `(addr, old, read_time)` and the write
/// `(addr, new, time)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessRecord {
    /// The word's byte address.
    pub addr: u32,
    /// The leaf read.
    pub old: Leaf,
    /// The leaf written back (`old` for a pure read).
    pub new: Leaf,
    /// The time of the write the read consumes (0: the initial set).
    pub read_time: u64,
    /// The clock of this access: the time of its write.
    pub time: u64,
}

impl AccessRecord {
    /// The time-order gap `d = time − 1 − read_time` (range-checked to [`GAP_BITS`] bits in
    /// circuit).
    /// Wraps (never panics) for a `read_time` not before `time`, which no honest access has.
    pub fn gap(&self) -> u64 {
        self.time.wrapping_sub(1).wrapping_sub(self.read_time)
    }

    /// The tuple this access puts in RS.
    pub fn read_tuple(&self) -> Tuple {
        Tuple {
            cell: self.addr as u64,
            value: self.old.to_u64(),
            time: self.read_time,
        }
    }

    /// The tuple this access puts in WS.
    pub fn write_tuple(&self) -> Tuple {
        Tuple {
            cell: self.addr as u64,
            value: self.new.to_u64(),
            time: self.time,
        }
    }
}

/// Guest memory as the argument sees it. Memory use is proportional to the touched words.
#[derive(Debug, Clone)]
pub struct OfflineMemory {
    image: InitialImage,
    /// Touched words: the current leaf and the time of its last write.
    cells: HashMap<u32, (Leaf, u64)>,
    clock: u64,
}

impl OfflineMemory {
    /// The initial memory of `program` in `memory_size` bytes, clock 0.
    pub fn new(program: &Program, memory_size: u64) -> Result<Self, MemCheckError> {
        Ok(OfflineMemory {
            image: InitialImage::new(program, memory_size)?,
            cells: HashMap::new(),
            clock: 0,
        })
    }

    /// The initial image.
    pub fn image(&self) -> &InitialImage {
        &self.image
    }

    /// The number of accesses made so far (z's `ts`).
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The current leaf and last write time of the word at `addr`, without an access.
    pub fn peek(&self, addr: u32) -> Result<(Leaf, u64), MemCheckError> {
        match self.cells.get(&addr) {
            Some(c) => Ok(*c),
            None => Ok((self.image.leaf(addr as u64)?, 0)),
        }
    }

    /// One access of the word at `addr`: reads it and writes `new` (keep the word for a
    /// pure read). Tags are preserved; changing the word of a leaf without W fails with
    /// [`MemoryArgError::ReadOnly`], changing nothing.
    pub fn access(&mut self, addr: u32, new: Option<u32>) -> Result<AccessRecord, MemCheckError> {
        let (old, read_time) = self.peek(addr)?;
        let new = match new {
            Some(w) if w != old.word => {
                if !old.writable {
                    return Err(MemoryArgError::ReadOnly(addr).into());
                }
                old.with_word(w)
            }
            _ => old,
        };
        let time = self.clock + 1;
        if (time - 1 - read_time) >> GAP_BITS != 0 {
            return Err(MemCheckError::Range {
                what: "time-order gap",
                value: time - 1 - read_time,
                bits: GAP_BITS,
            });
        }
        self.clock = time;
        self.cells.insert(addr, (new, time));
        Ok(AccessRecord {
            addr,
            old,
            new,
            read_time,
            time,
        })
    }

    /// The pages to audit: every touched page and every page of the image.
    pub fn pages(&self) -> Result<PageList, MemCheckError> {
        let mut pages = self.image.image_pages();
        pages.extend(self.cells.keys().map(|a| *a as u64 / PAGE_BYTES));
        pages.sort_unstable();
        pages.dedup();
        PageList::new(pages, self.image.memory_size())
    }
}
