//! The streaming binary-counter reducer: leaves arrive in program order; two subtrees of
//! equal level are merged as soon as both exist, so after k leaves the stack holds one
//! accumulator per set bit of k (at most ⌊log2 k⌋ + 1), whatever the program's length.

use crate::error::PcdError;
use crate::leaf::{prove_leaf_with, Segment};
use canopy_folding::{Accumulator, PublicParams, SlotStart};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One entry of the stack: a subtree root and its level (a level-ℓ entry covers 2^ℓ
/// leaves, except after [`Reducer::finish`]-style merges of unequal levels).
#[derive(Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Level of the subtree (0 = a leaf).
    pub level: u32,
    /// Number of leaves covered.
    pub leaves: u64,
    /// The subtree's accumulator.
    pub acc: Accumulator,
}

/// The stack of subtree roots (see the module docs).
pub struct Reducer<'a> {
    pp: &'a PublicParams,
    stack: Vec<Entry>,
    leaves: u64,
    merges: u64,
}

impl<'a> Reducer<'a> {
    /// An empty reducer under `pp`.
    pub fn new(pp: &'a PublicParams) -> Self {
        Self {
            pp,
            stack: Vec::new(),
            leaves: 0,
            merges: 0,
        }
    }

    /// Restores a reducer from a stack (e.g. a checkpoint); the entries must be in program
    /// order with strictly decreasing levels.
    pub fn from_stack(pp: &'a PublicParams, stack: Vec<Entry>) -> Result<Self, PcdError> {
        if stack.windows(2).any(|w| w[0].level <= w[1].level) {
            return Err(PcdError::InvalidInput("stack levels must decrease".into()));
        }
        let leaves = stack.iter().map(|e| e.leaves).sum();
        Ok(Self {
            pp,
            stack,
            leaves,
            merges: 0,
        })
    }

    /// The stack (program order: the first entry covers the earliest leaves).
    pub fn stack(&self) -> &[Entry] {
        &self.stack
    }

    /// Number of leaves pushed so far (including those of a restored stack).
    pub fn leaves(&self) -> u64 {
        self.leaves
    }

    /// Number of merges done by this reducer.
    pub fn merges(&self) -> u64 {
        self.merges
    }

    /// Pushes the next leaf (in program order) and merges equal-level subtrees.
    /// Fails if the leaf does not start where the previous one ended.
    pub fn push(&mut self, leaf: Accumulator) -> Result<(), PcdError> {
        self.push_with(leaf, |_| Ok(()))
    }

    /// [`Self::push`] with a callback run after every merge (e.g. to write a checkpoint).
    pub fn push_with(
        &mut self,
        leaf: Accumulator,
        after_merge: impl FnMut(&Self) -> Result<(), PcdError>,
    ) -> Result<(), PcdError> {
        self.push_entry(
            Entry {
                level: 0,
                leaves: 1,
                acc: leaf,
            },
            after_merge,
        )
    }

    /// Pushes a complete subtree (level ℓ covering 2^ℓ leaves) and merges equal levels.
    fn push_entry(
        &mut self,
        entry: Entry,
        mut after_merge: impl FnMut(&Self) -> Result<(), PcdError>,
    ) -> Result<(), PcdError> {
        if let Some(top) = self.stack.last() {
            if top.acc.state().0 != entry.acc.start().0 || top.acc.state().1 != entry.acc.start().1
            {
                return Err(canopy_folding::FoldingError::NotAdjacent(
                    "the leaf does not start where the previous one ended".into(),
                )
                .into());
            }
        }
        self.leaves += entry.leaves;
        self.stack.push(entry);
        while self.stack.len() >= 2
            && self.stack[self.stack.len() - 1].level == self.stack[self.stack.len() - 2].level
        {
            self.merge_top()?;
            after_merge(self)?;
        }
        Ok(())
    }

    fn merge_top(&mut self) -> Result<(), PcdError> {
        let (r, l) = match (self.stack.pop(), self.stack.pop()) {
            (Some(r), Some(l)) => (r, l),
            _ => return Err(PcdError::InvalidInput("nothing to merge".into())),
        };
        let acc = Accumulator::merge(self.pp, &l.acc, &r.acc)?;
        self.merges += 1;
        self.stack.push(Entry {
            level: l.level.max(r.level) + 1,
            leaves: l.leaves + r.leaves,
            acc,
        });
        Ok(())
    }

    /// Proves a window of segments in parallel (rayon) and pushes the leaves in order.
    /// The segments must be consecutive. When the window is a power of two W and the
    /// leaves pushed so far are a multiple of W, the window is a complete subtree: its
    /// merges run in parallel, level by level, before it is pushed.
    pub fn prove_window<S: Segment + Sync>(&mut self, segments: &[S]) -> Result<(), PcdError> {
        self.prove_window_with(segments, |_| Ok(()))
    }

    /// [`Self::prove_window`] with a callback after every merge.
    pub fn prove_window_with<S: Segment + Sync>(
        &mut self,
        segments: &[S],
        mut after_merge: impl FnMut(&Self) -> Result<(), PcdError>,
    ) -> Result<(), PcdError> {
        let pp = self.pp;
        // the first leaf of this reducer starts its slots (merge slots included) at random
        // instances, so that the root reveals no per-circuit fold counts (protocol §3.7)
        let first = self.leaves == 0;
        let leaves: Vec<Result<Accumulator, PcdError>> = segments
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                let start = if first && i == 0 {
                    SlotStart::Random { merge_slots: true }
                } else {
                    SlotStart::Default
                };
                prove_leaf_with(pp, s, start)
            })
            .collect();
        let leaves = leaves.into_iter().collect::<Result<Vec<_>, _>>()?;
        let w = leaves.len() as u64;
        if w >= 2 && w.is_power_of_two() && self.leaves.is_multiple_of(w) {
            // the window is a complete subtree of the binary counter: merge it level by
            // level, the merges of one level in parallel
            let mut level: Vec<Accumulator> = leaves;
            let mut height = 0u32;
            while level.len() > 1 {
                level = level
                    .par_chunks(2)
                    .map(|p| match p {
                        [l, r] => Accumulator::merge(pp, l, r).map_err(PcdError::from),
                        _ => Err(PcdError::InvalidInput("odd window".into())),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                self.merges += level.len() as u64;
                height += 1;
            }
            let acc = level
                .pop()
                .ok_or_else(|| PcdError::InvalidInput("empty window".into()))?;
            self.push_entry(
                Entry {
                    level: height,
                    leaves: w,
                    acc,
                },
                &mut after_merge,
            )?;
            return after_merge(self);
        }
        for leaf in leaves {
            self.push_with(leaf, &mut after_merge)?;
        }
        Ok(())
    }

    /// Merges the remaining subtrees (right to left) into the root accumulator.
    pub fn finish(mut self) -> Result<Accumulator, PcdError> {
        while self.stack.len() >= 2 {
            self.merge_top()?;
        }
        self.stack
            .pop()
            .map(|e| e.acc)
            .ok_or_else(|| PcdError::InvalidInput("no leaf was pushed".into()))
    }
}
