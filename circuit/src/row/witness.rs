//! Row witnesses from the VM's trace: one [`StepRecord`] becomes one row, or for an I/O
//! `ecall` one row per byte plus a final row; padding rows after halt change nothing.

use std::collections::HashMap;

use ff::PrimeField;

use super::{RowState, RowWitness, StreamHasher};
use canopy_vm::ecall::{FD_PRIVATE_INPUT, FD_PUBLIC_INPUT, FD_PUBLIC_OUTPUT};
use canopy_vm::trace::{EcallKind, MemoryWrite, StepEvent, StepRecord};

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
    /// A `custom-0` record given to [`rows_for_step`]: its rows come from [`call_rows`],
    /// around the coprocessor's own step.
    #[error("step {step} at pc {pc:#x}: a coprocessor call is not a single-step record")]
    Coprocessor {
        /// Step index.
        step: u64,
        /// Its pc.
        pc: u32,
    },
    /// The coprocessor selected by `(funct7, funct3)` is not in the circuit's table.
    #[error("coprocessor selector funct7 {0:#x} funct3 {1} is out of range, duplicated or not registered with the circuit")]
    Selector(u8, u8),
}

/// Rows A and B of a `custom-0` call (docs/cpu-circuit.md §4), from [`call_rows`].
#[derive(Debug, Clone)]
pub struct CallRows<F: PrimeField> {
    /// Row A: posts the call (pc and steps unchanged; every later row of the block is idle).
    pub row_a: RowWitness<F>,
    /// The called coprocessor's step circuit index j ≥ 1.
    pub index: u32,
    rec_rd: u8,
    rec_rd_value: u32,
    rec_next_pc: u32,
}

impl<F: PrimeField> CallRows<F> {
    /// Row B, which runs after the coprocessor step has set `done` and `ret` (`answered` is
    /// the state it left): writes `ret` to rd, clears the mailbox flags, moves pc on, retires.
    pub fn row_b(&self, answered: &RowState<F>) -> RowWitness<F> {
        let mut post = answered.clone();
        post.pc = self.rec_next_pc;
        post.steps += 1;
        if self.rec_rd != 0 {
            post.regs[self.rec_rd as usize & 31] = self.rec_rd_value;
        }
        post.mbox.called = false;
        post.mbox.done = false;
        post.mbox.call = 0;
        RowWitness {
            pre: answered.clone(),
            post,
            word: self.row_a.word,
            data_addr: self.row_a.pre.pc,
            data_old: self.row_a.word,
            data_new: self.row_a.word,
        }
    }
}

/// Row A of a `custom-0` record from state `pre`, and what row B needs.
pub fn call_rows<F: PrimeField>(
    cfg: &super::RowConfig,
    pre: &RowState<F>,
    rec: &StepRecord,
) -> Result<CallRows<F>, RowError> {
    let bad = |what: String| RowError::Inconsistent {
        step: rec.step,
        pc: rec.pc,
        what,
    };
    let Some(StepEvent::Coprocessor(ev)) = rec.event.as_deref() else {
        return Err(bad("not a coprocessor call".into()));
    };
    if pre.pc != rec.pc || pre.halted || pre.cursor != 0 || pre.mbox.called {
        return Err(bad(
            "state does not continue or a call is already posted".into()
        ));
    }
    if pre.regs[rec.rs1 as usize & 31] != rec.rs1_value
        || pre.regs[rec.rs2 as usize & 31] != rec.rs2_value
    {
        return Err(bad("source register values differ from the state".into()));
    }
    let j = cfg
        .coprocessor_index(ev.funct7, ev.funct3)
        .ok_or(RowError::Selector(ev.funct7, ev.funct3))?;
    let mut a_post = pre.clone();
    a_post.mbox = super::Mailbox {
        called: true,
        done: false,
        call: j,
        arg0: rec.rs1_value,
        arg1: rec.rs2_value,
        ret: pre.mbox.ret,
    };
    Ok(CallRows {
        row_a: RowWitness {
            pre: pre.clone(),
            post: a_post,
            word: rec.word,
            data_addr: rec.pc,
            data_old: rec.word,
            data_new: rec.word,
        },
        index: j,
        rec_rd: rec.rd,
        rec_rd_value: rec.rd_value,
        rec_next_pc: rec.next_pc,
    })
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
