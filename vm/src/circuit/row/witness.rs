//! Row witnesses from the VM's trace: one [`StepRecord`] becomes one row, or for an I/O
//! `ecall` one row per byte plus a final row; padding rows after halt change nothing.

use std::collections::HashMap;

use ff::PrimeField;

use super::{RowState, RowWitness, StreamHasher};
use crate::ecall::{FD_PRIVATE_INPUT, FD_PUBLIC_INPUT, FD_PUBLIC_OUTPUT};
use crate::trace::{EcallKind, MemoryWrite, StepEvent, StepRecord};

/// Why a record cannot be turned into rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// The memory size is not a power of two in `[4 KiB, 4 GiB]`.
    #[error("invalid memory size {0}")]
    MemorySize(u64),
    /// The record does not continue the given state, or memory disagrees with it.
    #[error("step {step} at pc {pc:#x}: {what}")]
    Inconsistent {
        /// Step index.
        step: u64,
        /// Its pc.
        pc: u32,
        /// What disagrees.
        what: String,
    },
    /// `custom-0` coprocessor calls have no row yet (the mailbox hand-off is not built).
    #[error("step {step} at pc {pc:#x}: coprocessor calls cannot be proven yet")]
    Coprocessor {
        /// Step index.
        step: u64,
        /// Its pc.
        pc: u32,
    },
}

impl<F: PrimeField> RowWitness<F> {
    /// A padding row after halt (or any row that must change nothing): `word` is the word at
    /// `state.pc`, also used as the data slot.
    pub fn idle(state: &RowState<F>, word: u32) -> Self {
        RowWitness {
            pre: state.clone(),
            post: state.clone(),
            word,
            data_addr: state.pc,
            data_old: word,
            data_new: word,
        }
    }
}

/// Which stream an I/O call moves bytes through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Io {
    Out,
    In,
    Priv,
}

/// The rows that execute `rec` from state `pre`, in order; the last row's `post` is the state
/// after the instruction. `read_word(addr)` returns the memory word at an aligned address as it
/// was before the instruction (used for the bytes of a `write` to fd 1).
pub fn rows_for_step<F: PrimeField, H: StreamHasher<F>>(
    hasher: &H,
    pre: &RowState<F>,
    rec: &StepRecord,
    read_word: &mut dyn FnMut(u32) -> Option<u32>,
) -> Result<Vec<RowWitness<F>>, RowError> {
    let bad = |what: String| RowError::Inconsistent {
        step: rec.step,
        pc: rec.pc,
        what,
    };
    if pre.pc != rec.pc || pre.halted || pre.cursor != 0 {
        return Err(bad(format!(
            "state (pc {:#x}, halted {}, cursor {}) does not continue",
            pre.pc, pre.halted, pre.cursor
        )));
    }
    if pre.regs[rec.rs1 as usize & 31] != rec.rs1_value
        || pre.regs[rec.rs2 as usize & 31] != rec.rs2_value
    {
        return Err(bad("source register values differ from the state".into()));
    }
    let mut post = pre.clone();
    post.pc = rec.next_pc;
    post.steps += 1;
    if rec.rd != 0 {
        post.regs[rec.rd as usize & 31] = rec.rd_value;
    }
    let mut row = RowWitness {
        pre: pre.clone(),
        post,
        word: rec.word,
        data_addr: rec.pc,
        data_old: rec.word,
        data_new: rec.word,
    };
    let event = match rec.event.as_deref() {
        None => {
            if let Some(m) = rec.memory {
                row.data_addr = m.addr;
                row.data_old = m.old;
                row.data_new = m.new;
            }
            return Ok(vec![row]);
        }
        Some(StepEvent::Coprocessor(_)) => {
            return Err(RowError::Coprocessor {
                step: rec.step,
                pc: rec.pc,
            })
        }
        Some(StepEvent::Ecall(e)) => e,
    };
    let [_, buf, len] = event.args;
    match &event.kind {
        EcallKind::Exit { code } => {
            row.post.halted = true;
            row.post.exit_code = *code;
            Ok(vec![row])
        }
        EcallKind::Write { fd, data } if *fd == FD_PUBLIC_OUTPUT => {
            io_rows(hasher, row, Io::Out, buf, len, data, &[], read_word)
        }
        EcallKind::Read { fd, data, words }
            if *fd == FD_PUBLIC_INPUT || *fd == FD_PRIVATE_INPUT =>
        {
            let io = if *fd == FD_PUBLIC_INPUT {
                Io::In
            } else {
                Io::Priv
            };
            io_rows(hasher, row, io, buf, len, data, words, read_word)
        }
        _ => Ok(vec![row]),
    }
}

/// One row per byte, then the final row (`row` is the single-row form of the step: its `post`
/// is the state after the call, except for the I/O fields, which are filled in here).
#[allow(clippy::too_many_arguments)]
fn io_rows<F: PrimeField, H: StreamHasher<F>>(
    hasher: &H,
    row: RowWitness<F>,
    io: Io,
    buf: u32,
    len: u32,
    bytes: &[u8],
    words: &[MemoryWrite],
    read_word: &mut dyn FnMut(u32) -> Option<u32>,
) -> Result<Vec<RowWitness<F>>, RowError> {
    let bad = |what: String| RowError::Inconsistent {
        step: row.pre.steps,
        pc: row.pre.pc,
        what,
    };
    let mut memory: HashMap<u32, u32> = words.iter().map(|w| (w.addr, w.old)).collect();
    let mut cur = row.pre.clone();
    let mut rows = Vec::with_capacity(bytes.len() + 1);
    for (c, &byte) in bytes.iter().enumerate() {
        let addr = buf.wrapping_add(c as u32);
        let waddr = addr & !3;
        let shift = 8 * (addr & 3);
        let old = match io {
            Io::Out => read_word(waddr),
            Io::In | Io::Priv => memory.get(&waddr).copied(),
        }
        .ok_or_else(|| bad(format!("no memory word at {waddr:#x}")))?;
        let new = match io {
            Io::Out => {
                if (old >> shift) as u8 != byte {
                    return Err(bad(format!("output byte {c} differs from memory")));
                }
                old
            }
            Io::In | Io::Priv => (old & !(0xff << shift)) | ((byte as u32) << shift),
        };
        memory.insert(waddr, new);
        let mut next = cur.clone();
        next.cursor += 1;
        match io {
            Io::Out => next.output.push(hasher, byte),
            Io::In => next.input.push(hasher, byte),
            Io::Priv => {}
        }
        rows.push(RowWitness {
            pre: cur,
            post: next.clone(),
            word: row.word,
            data_addr: addr,
            data_old: old,
            data_new: new,
        });
        cur = next;
    }
    for w in words {
        if memory.get(&w.addr) != Some(&w.new) {
            return Err(bad(format!("read result differs at {:#x}", w.addr)));
        }
    }
    let mut post = row.post.clone();
    post.cursor = 0;
    post.input = cur.input;
    post.output = cur.output;
    post.in_eof = cur.in_eof;
    post.priv_eof = cur.priv_eof;
    if (bytes.len() as u64) < len as u64 {
        match io {
            Io::In => post.in_eof = true,
            Io::Priv => post.priv_eof = true,
            Io::Out => return Err(bad("short write".into())),
        }
    }
    rows.push(RowWitness {
        pre: cur,
        post,
        word: row.word,
        data_addr: row.pre.pc,
        data_old: row.word,
        data_new: row.word,
    });
    Ok(rows)
}
