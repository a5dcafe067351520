//! The initial image (what IS is made of) and the page list.

use std::collections::HashMap;

use canopy_vm::elf_loader::Program;

use super::error::MemCheckError;
use super::{Cell, Tuple, PAGE_BYTES, PAGE_WORDS};
use crate::memory::image::image_leaves;
use crate::memory::{Leaf, TreeGeometry};

/// The initial memory as the verifier sees it: the program's image words with their tags
/// (words outside every segment are [`Leaf::EMPTY`], a writable zero).
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

    /// The initial leaf of the word at `addr`. Fails for an unaligned or out-of-memory
    /// address.
    pub fn leaf(&self, addr: u64) -> Result<Leaf, MemCheckError> {
        if addr >= self.memory_size || addr & 3 != 0 {
            return Err(MemCheckError::Pages(format!(
                "{addr:#x} is not an aligned word of memory"
            )));
        }
        Ok(self
            .leaves
            .get(&(addr as u32))
            .copied()
            .unwrap_or(Leaf::EMPTY))
    }

    /// The pages holding a word of the image that is not [`Leaf::EMPTY`], increasing.
    pub fn image_pages(&self) -> Vec<u64> {
        let mut pages: Vec<u64> = self.leaves.keys().map(|a| *a as u64 / PAGE_BYTES).collect();
        pages.sort_unstable();
        pages.dedup();
        pages
    }
}

/// A validated page list: strictly increasing page numbers (`addr / PAGE_BYTES`) inside
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

    /// Checks that every page of `image` is listed.
    pub fn covers(&self, image: &InitialImage) -> Result<(), MemCheckError> {
        for p in image.image_pages() {
            if self.0.binary_search(&p).is_err() {
                return Err(MemCheckError::Pages(format!(
                    "image page {p} (address {:#x}) is not listed",
                    p * PAGE_BYTES
                )));
            }
        }
        Ok(())
    }

    /// The page numbers.
    pub fn pages(&self) -> &[u64] {
        &self.0
    }
}

/// The word addresses of page `p`, in order.
pub fn page_cells(p: u64) -> impl Iterator<Item = Cell> {
    (0..PAGE_WORDS).map(move |w| p * PAGE_BYTES + 4 * w)
}

/// IS over `pages`: every word at its initial value, time 0, page by page.
pub fn initial_set(image: &InitialImage, pages: &[u64]) -> Result<Vec<Tuple>, MemCheckError> {
    pages
        .iter()
        .flat_map(|p| page_cells(*p))
        .map(|cell| {
            Ok(Tuple {
                cell,
                value: image.leaf(cell)?.to_u64(),
                time: 0,
            })
        })
        .collect()
}
