//! The prover's sparse 4-ary Poseidon Merkle tree over guest words.
//!
//! Storage: one hash map per height holding only the nodes that differ from the empty subtree
//! of that height (`empty[h]`, precomputed once: `empty[0]` = [`Leaf::EMPTY`],
//! `empty[h+1] = H_h(empty[h] ×4)`). Memory is proportional to the touched words. The initial
//! tree is built bottom-up from the sorted non-empty leaves of the program image (about
//! `4/3 · N` hashes for `N` such words, plus the spine), and every write recomputes one path
//! (`levels` hashes).

use std::collections::HashMap;

use ff::PrimeField;

use super::error::MemoryArgError;
use super::hash::{NodeHasher, ARITY};
use super::image::image_leaves;
use super::leaf::{Leaf, TreeGeometry};
use super::NativeMemory;
use canopy_vm::elf_loader::Program;

/// The prover hint of one access: the three siblings of the path's node at every level,
/// leaves' level first, in position order with the path's own position left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath<F: PrimeField> {
    /// `siblings[h]`: the other children of the path's node's parent at height `h`.
    pub siblings: Vec<[F; ARITY - 1]>,
}

/// A sparse Poseidon Merkle tree holding the whole guest memory; see the module docs.
#[derive(Debug, Clone)]
pub struct SparseTree<F: PrimeField> {
    geometry: TreeGeometry,
    hasher: NodeHasher<F>,
    /// `empty[h]`: the root of an empty subtree of height `h` (`0..=levels`).
    empty: Vec<F>,
    leaves: HashMap<u64, Leaf>,
    /// `nodes[h]` for heights `1..=levels` (`nodes[0]` is unused).
    nodes: Vec<HashMap<u64, F>>,
}

/// The empty-subtree hashes of every height `0..=levels` for `geometry`.
pub fn empty_hashes<F: PrimeField>(hasher: &NodeHasher<F>) -> Vec<F> {
    let mut empty = Vec::with_capacity(hasher.levels() + 1);
    let mut cur: F = Leaf::EMPTY.encode();
    empty.push(cur);
    for h in 0..hasher.levels() {
        cur = hasher.hash(h, &[cur; ARITY]);
        empty.push(cur);
    }
    empty
}

impl<F: PrimeField> SparseTree<F> {
    /// An empty memory (every word [`Leaf::EMPTY`]) of `memory_size` bytes.
    pub fn empty(memory_size: u64) -> Result<Self, MemoryArgError> {
        let geometry = TreeGeometry::new(memory_size)?;
        let hasher = NodeHasher::new(geometry.levels());
        Ok(Self::with_hasher(geometry, hasher))
    }

    fn with_hasher(geometry: TreeGeometry, hasher: NodeHasher<F>) -> Self {
        let empty = empty_hashes(&hasher);
        SparseTree {
            geometry,
            hasher,
            empty,
            leaves: HashMap::new(),
            nodes: vec![HashMap::new(); geometry.levels() + 1],
        }
    }

    /// A tree holding `leaves` (word index, leaf), built bottom-up. Indices must be below
    /// `geometry.words()`; later duplicates win.
    pub fn from_leaves(memory_size: u64, leaves: &[(u64, Leaf)]) -> Result<Self, MemoryArgError> {
        let mut tree = Self::empty(memory_size)?;
        let words = tree.geometry.words();
        if let Some((w, _)) = leaves.iter().find(|(w, _)| *w >= words) {
            return Err(MemoryArgError::OutOfBounds {
                addr: (*w << 2) as u32,
                memory_size,
            });
        }
        let mut level: Vec<(u64, F)> = {
            let mut sorted: Vec<(u64, Leaf)> = leaves.to_vec();
            sorted.sort_by_key(|(w, _)| *w);
            // keep the last of equal indices
            sorted.reverse();
            sorted.dedup_by_key(|(w, _)| *w);
            sorted.reverse();
            for (w, l) in &sorted {
                if *l != Leaf::EMPTY {
                    tree.leaves.insert(*w, *l);
                }
            }
            sorted
                .into_iter()
                .filter(|(_, l)| *l != Leaf::EMPTY)
                .map(|(w, l)| (w, l.encode()))
                .collect()
        };
        for h in 0..tree.geometry.levels() {
            let mut next: Vec<(u64, F)> = Vec::with_capacity(level.len() / ARITY + 1);
            let mut i = 0;
            while i < level.len() {
                let parent = level[i].0 >> 2;
                let mut children = [tree.empty[h]; ARITY];
                while i < level.len() && level[i].0 >> 2 == parent {
                    children[(level[i].0 & 3) as usize] = level[i].1;
                    i += 1;
                }
                let v = tree.hasher.hash(h, &children);
                if v != tree.empty[h + 1] {
                    tree.nodes[h + 1].insert(parent, v);
                    next.push((parent, v));
                }
            }
            level = next;
        }
        Ok(tree)
    }

    /// The tree's geometry.
    pub fn geometry(&self) -> &TreeGeometry {
        &self.geometry
    }

    /// The root (the memory commitment).
    pub fn root(&self) -> F {
        self.node(self.geometry.levels(), 0)
    }

    /// The empty-subtree hashes `empty[0..=levels]`.
    pub fn empty_subtrees(&self) -> &[F] {
        &self.empty
    }

    /// The leaf at word index `w` (no bounds check: out-of-range indices read as empty).
    pub fn leaf(&self, w: u64) -> Leaf {
        self.leaves.get(&w).copied().unwrap_or(Leaf::EMPTY)
    }

    /// Number of stored (non-empty) leaves.
    pub fn stored_leaves(&self) -> usize {
        self.leaves.len()
    }

    fn node(&self, h: usize, index: u64) -> F {
        if h == 0 {
            self.leaves
                .get(&index)
                .map(|l| l.encode())
                .unwrap_or(self.empty[0])
        } else {
            self.nodes[h].get(&index).copied().unwrap_or(self.empty[h])
        }
    }

    fn path(&self, w: u64) -> MerklePath<F> {
        let siblings = (0..self.geometry.levels())
            .map(|h| {
                let idx = w >> (2 * h);
                let pos = idx & 3;
                let base = idx & !3;
                let mut s = [F::ZERO; ARITY - 1];
                let mut k = 0;
                for j in 0..ARITY as u64 {
                    if j != pos {
                        s[k] = self.node(h, base + j);
                        k += 1;
                    }
                }
                s
            })
            .collect();
        MerklePath { siblings }
    }

    /// Writes `leaf` at word index `w` (in range) and recomputes its path.
    fn set(&mut self, w: u64, leaf: Leaf, path: &MerklePath<F>) {
        if leaf == Leaf::EMPTY {
            self.leaves.remove(&w);
        } else {
            self.leaves.insert(w, leaf);
        }
        let mut cur: F = leaf.encode();
        for (h, sib) in path.siblings.iter().enumerate() {
            let idx = w >> (2 * h);
            cur = self.hasher.hash(h, &place(cur, (idx & 3) as usize, sib));
            let parent = idx >> 2;
            if cur == self.empty[h + 1] {
                self.nodes[h + 1].remove(&parent);
            } else {
                self.nodes[h + 1].insert(parent, cur);
            }
        }
    }
}

/// The children array with `cur` at `pos` and `siblings` around it.
pub fn place<F: PrimeField>(cur: F, pos: usize, siblings: &[F; ARITY - 1]) -> [F; ARITY] {
    let mut out = [F::ZERO; ARITY];
    let mut k = 0;
    for (j, o) in out.iter_mut().enumerate() {
        if j == pos {
            *o = cur;
        } else {
            *o = siblings[k];
            k += 1;
        }
    }
    out
}

/// Recomputes the root from a leaf, its word index and a path (what the gadget proves).
pub fn root_from_path<F: PrimeField>(
    hasher: &NodeHasher<F>,
    w: u64,
    leaf: F,
    path: &MerklePath<F>,
) -> F {
    let mut cur = leaf;
    for (h, sib) in path.siblings.iter().enumerate() {
        cur = hasher.hash(h, &place(cur, ((w >> (2 * h)) & 3) as usize, sib));
    }
    cur
}

impl<F: PrimeField> NativeMemory<F> for SparseTree<F> {
    type Hint = MerklePath<F>;

    fn from_program(memory_size: u64, program: &Program) -> Result<Self, MemoryArgError> {
        let geometry = TreeGeometry::new(memory_size)?;
        let leaves = image_leaves(program, &geometry)?;
        Self::from_leaves(memory_size, &leaves)
    }

    fn state(&self) -> Vec<F> {
        vec![self.root()]
    }

    fn read(&self, addr: u32) -> Result<(Leaf, MerklePath<F>), MemoryArgError> {
        let w = self.geometry.word_index(addr)?;
        Ok((self.leaf(w), self.path(w)))
    }

    fn rmw(&mut self, addr: u32, new: Leaf) -> Result<(Leaf, MerklePath<F>), MemoryArgError> {
        let w = self.geometry.word_index(addr)?;
        let old = self.leaf(w);
        let path = self.path(w);
        self.set(w, new, &path);
        Ok((old, path))
    }
}

/// The memory commitment of `program`'s initial image in a memory of `memory_size` bytes:
/// the root of its [`SparseTree`]. This is the `mem_root` of `z_0`, bound to the program
/// digest.
pub fn initial_root<F: PrimeField>(
    program: &Program,
    memory_size: u64,
) -> Result<F, MemoryArgError> {
    Ok(SparseTree::<F>::from_program(memory_size, program)?.root())
}
