//! The initial and final multisets IS and FS, and the touched-page list.
//!
//! Two forms, with the same sum (untouched cells contribute the same tuple to both sets):
//! * **touched cells** ([`touched_initial_set`], [`touched_final_set`]): each touched cell once;
//! * **pages** ([`initial_set`], [`final_set`]): the 32 registers and every word of every
//!   listed 4 KiB page, in order. This is what the audit circuit will enumerate and what the
//!   verifier can compute for IS from the ELF image and the page list alone. The page list
//!   must be strictly increasing ([`PageList::new`]), so that each cell appears exactly once;
//!   the functions over raw page slices do not check it (they model what a cheating prover
//!   could feed an audit that forgot the check).

use std::collections::HashMap;

use canopy_vm::elf_loader::Program;

use super::error::MemCheckError;
use super::{Cell, Tuple, NUM_REGS, PAGE_BYTES, PAGE_WORDS, REG_BASE};
use crate::memory::image::image_leaves;
use crate::memory::{Leaf, TreeGeometry};

/// A touched cell's current value and the time of its last write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellState {
    /// The value.
    pub value: u64,
    /// The time of its last write (0: never written).
    pub time: u64,
}

/// The initial memory as the verifier sees it: the program's image words with their tags
/// (words outside every segment are [`Leaf::EMPTY`], a writable zero), registers 0.
#[derive(Debug, Clone)]
pub struct InitialImage {
    memory_size: u64,
    leaves: HashMap<u32, Leaf>,
}

impl InitialImage {
    /// The image of `program` in a memory of `memory_size` bytes.
    pub fn new(program: &Program, memory_size: u64) -> Result<Self, MemCheckError> {
        let geometry = TreeGeometry::new(memory_size)?;
        let leaves = image_leaves(program, &geometry)?
            .into_iter()
            .map(|(w, l)| ((w << 2) as u32, l))
            .collect();
        Ok(InitialImage {
            memory_size,
            leaves,
        })
    }

    /// The memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.memory_size
    }

    /// The initial value of `cell` (the tagged leaf of a guest word, 0 for a register).
    /// Fails for an unaligned or out-of-memory guest address or a register number ≥ 32.
    pub fn initial_value(&self, cell: Cell) -> Result<u64, MemCheckError> {
        if cell >= REG_BASE {
            if cell < REG_BASE + NUM_REGS {
                return Ok(0);
            }
        } else if cell < self.memory_size && cell & 3 == 0 {
            let leaf = self
                .leaves
                .get(&(cell as u32))
                .copied()
                .unwrap_or(Leaf::EMPTY);
            return Ok(leaf.to_u64());
        }
        Err(MemCheckError::Pages(format!(
            "cell {cell:#x} is not a register or an aligned word of memory"
        )))
    }

    /// The pages holding a word of the image that is not [`Leaf::EMPTY`], increasing.
    pub fn image_pages(&self) -> Vec<u64> {
        let mut pages: Vec<u64> = self.leaves.keys().map(|a| *a as u64 / PAGE_BYTES).collect();
        pages.sort_unstable();
        pages.dedup();
        pages
    }
}

/// A validated touched-page list: strictly increasing page numbers (`addr / 4096`) inside
/// memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageList(Vec<u64>);

impl PageList {
    /// Checks that `pages` is strictly increasing and inside a memory of `memory_size` bytes.
    pub fn new(pages: Vec<u64>, memory_size: u64) -> Result<Self, MemCheckError> {
        let limit = memory_size.div_ceil(PAGE_BYTES);
        for (i, p) in pages.iter().enumerate() {
            if *p >= limit {
                return Err(MemCheckError::Pages(format!(
                    "page {p} is outside memory ({limit} pages)"
                )));
            }
            if i > 0 && pages[i - 1] >= *p {
                return Err(MemCheckError::Pages(format!(
                    "page {p} follows page {}: not strictly increasing",
                    pages[i - 1]
                )));
            }
        }
        Ok(PageList(pages))
    }

    /// The pages of the guest cells among `cells` (registers are not paged).
    pub fn of_cells<'a>(
        cells: impl IntoIterator<Item = &'a Cell>,
        memory_size: u64,
    ) -> Result<Self, MemCheckError> {
        let mut pages: Vec<u64> = cells
            .into_iter()
            .filter(|c| **c < REG_BASE)
            .map(|c| c / PAGE_BYTES)
            .collect();
        pages.sort_unstable();
        pages.dedup();
        PageList::new(pages, memory_size)
    }

    /// The page numbers.
    pub fn pages(&self) -> &[u64] {
        &self.0
    }
}

/// The cells of the page form, in order: the 32 registers, then every word of every page.
fn page_cells(pages: &[u64]) -> impl Iterator<Item = Cell> + '_ {
    (REG_BASE..REG_BASE + NUM_REGS).chain(
        pages
            .iter()
            .flat_map(|p| (0..PAGE_WORDS).map(move |w| p * PAGE_BYTES + 4 * w)),
    )
}

/// IS in page form: registers and every word of `pages` at their initial value, time 0.
pub fn initial_set(image: &InitialImage, pages: &[u64]) -> Result<Vec<Tuple>, MemCheckError> {
    page_cells(pages)
        .map(|cell| {
            Ok(Tuple {
                cell,
                value: image.initial_value(cell)?,
                time: 0,
            })
        })
        .collect()
}

/// FS in page form: registers and every word of `pages` at their final value and last time
/// (untouched cells: initial value, time 0), from the prover's final cells.
pub fn final_set(
    image: &InitialImage,
    pages: &[u64],
    cells: &HashMap<Cell, CellState>,
) -> Result<Vec<Tuple>, MemCheckError> {
    page_cells(pages)
        .map(|cell| {
            let s = match cells.get(&cell) {
                Some(s) => *s,
                None => CellState {
                    value: image.initial_value(cell)?,
                    time: 0,
                },
            };
            Ok(Tuple {
                cell,
                value: s.value,
                time: s.time,
            })
        })
        .collect()
}

/// IS over the touched cells only (sorted by cell).
pub fn touched_initial_set(
    image: &InitialImage,
    cells: &HashMap<Cell, CellState>,
) -> Result<Vec<Tuple>, MemCheckError> {
    let mut keys: Vec<Cell> = cells.keys().copied().collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|cell| {
            Ok(Tuple {
                cell,
                value: image.initial_value(cell)?,
                time: 0,
            })
        })
        .collect()
}

/// FS over the touched cells only (sorted by cell).
pub fn touched_final_set(cells: &HashMap<Cell, CellState>) -> Vec<Tuple> {
    let mut out: Vec<Tuple> = cells
        .iter()
        .map(|(cell, s)| Tuple {
            cell: *cell,
            value: s.value,
            time: s.time,
        })
        .collect();
    out.sort_unstable();
    out
}
