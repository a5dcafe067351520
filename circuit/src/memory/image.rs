//! The initial memory image as leaves: every word of a loaded [`Program`] whose leaf differs
//! from [`Leaf::EMPTY`], with the tags of [`Leaf`]'s rules.

use super::error::MemoryArgError;
use super::leaf::{Leaf, TreeGeometry};
use canopy_vm::elf_loader::{Program, Segment};

/// Validates the segments (fit in memory, `data.len() <= mem_size`, no overlap) and returns
/// them sorted by address. [`Program::from_elf`] guarantees all of this, but `Program`'s fields
/// are public.
fn sorted_segments<'p>(
    program: &'p Program,
    geometry: &TreeGeometry,
) -> Result<Vec<&'p Segment>, MemoryArgError> {
    let mut segs: Vec<&Segment> = program.segments.iter().collect();
    segs.sort_by_key(|s| s.vaddr);
    for s in &segs {
        if s.end() > geometry.memory_size() {
            return Err(MemoryArgError::BadSegment {
                vaddr: s.vaddr,
                reason: "does not fit in memory",
            });
        }
        if s.data.len() as u64 > s.mem_size as u64 {
            return Err(MemoryArgError::BadSegment {
                vaddr: s.vaddr,
                reason: "more file bytes than memory bytes",
            });
        }
    }
    for pair in segs.windows(2) {
        if pair[0].end() > pair[1].vaddr as u64 {
            return Err(MemoryArgError::OverlappingSegments {
                a: pair[0].vaddr,
                b: pair[1].vaddr,
            });
        }
    }
    Ok(segs)
}

/// The leaf of the word at byte address `addr` (aligned), given segments sorted by address.
fn leaf_at(segs: &[&Segment], addr: u64) -> Leaf {
    let mut bytes = [0u8; 4];
    let mut writable = true;
    let mut executable = false;
    let first = segs.partition_point(|s| s.end() <= addr);
    for s in segs[first..]
        .iter()
        .take_while(|s| (s.vaddr as u64) < addr + 4)
    {
        if s.flags.execute && s.vaddr as u64 <= addr && addr + 4 <= s.end() {
            executable = true;
        }
        for (k, byte) in bytes.iter_mut().enumerate() {
            let a = addr + k as u64;
            if a < s.vaddr as u64 || a >= s.end() {
                continue;
            }
            if !s.flags.write {
                writable = false;
            }
            if let Some(b) = s.data.get((a - s.vaddr as u64) as usize) {
                *byte = *b;
            }
        }
    }
    Leaf {
        word: u32::from_le_bytes(bytes),
        writable,
        executable,
    }
}

/// Word indices whose leaf may differ from [`Leaf::EMPTY`]: every word of a protected
/// (non-writable or executable) segment, and the words holding file bytes of a writable one
/// (its zero-filled rest is empty leaves).
fn candidate_words(segs: &[&Segment]) -> Vec<u64> {
    let mut out = Vec::new();
    for s in segs {
        let start = s.vaddr as u64 & !3;
        let end = if !s.flags.write || s.flags.execute {
            s.end()
        } else {
            s.vaddr as u64 + s.data.len() as u64
        };
        let mut a = start;
        while a < end {
            out.push(a >> 2);
            a += 4;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The non-empty leaves of `program`'s image in a memory of `geometry`, sorted by word index.
pub fn image_leaves(
    program: &Program,
    geometry: &TreeGeometry,
) -> Result<Vec<(u64, Leaf)>, MemoryArgError> {
    let segs = sorted_segments(program, geometry)?;
    Ok(candidate_words(&segs)
        .into_iter()
        .map(|w| (w, leaf_at(&segs, w << 2)))
        .filter(|(_, l)| *l != Leaf::EMPTY)
        .collect())
}
