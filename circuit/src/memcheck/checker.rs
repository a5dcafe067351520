//! [`MemoryChecker`]: the streaming oracle. It consumes the VM's [`StepRecord`]s, re-chunks
//! them into rows and steps exactly as [`crate::block::BlockWitnessGen`] does, and emits each
//! fold step's accesses ([`StepAccesses`]) in the schedule of the module documentation,
//! keeping only the current `(value, last time)` of every touched cell and one block of
//! accesses.

use std::collections::{HashMap, VecDeque};

use canopy_folding::F1;
use canopy_vm::elf_loader::Program;
use canopy_vm::trace::{CoprocessorEvent, StepEvent, StepRecord};

use super::error::MemCheckError;
use super::sets::{CellState, InitialImage, PageList};
use super::{
    reg_cell, Access, Cell, StepAccesses, StepKind, ECALL_REG_A, ECALL_REG_B, ECALL_REG_D,
    ECALL_REG_DATA, ECALL_WORD,
};
use crate::coprocessor::Region;
use crate::memory::Leaf;
use crate::params::BlockParams;
use crate::row::{call_rows, rows_for_step, RowError, RowState, RowWitness};
use crate::state::stream_ivs;

/// The register slots `(A, B, D)` of a row executing `word` (module docs: the rs1, rs2 and
/// rd fields, or a7, a1, a0 for `ecall`).
pub fn register_slots(word: u32) -> (u8, u8, u8) {
    if word == ECALL_WORD {
        (ECALL_REG_A, ECALL_REG_B, ECALL_REG_D)
    } else {
        (
            (word >> 15 & 31) as u8,
            (word >> 20 & 31) as u8,
            (word >> 7 & 31) as u8,
        )
    }
}

/// The streaming oracle. Feed records with [`Self::push_record`], pull finished steps with
/// [`Self::next_step`] after each, call [`Self::finish`] after the exit (it pads the last
/// block) and pull again; then [`Self::cells`] is the final set and [`Self::touched_pages`]
/// the page list.
#[derive(Debug)]
pub struct MemoryChecker<'a> {
    params: &'a BlockParams,
    image: InitialImage,
    cells: HashMap<Cell, CellState>,
    clock: u64,
    state: RowState<F1>,
    rows: usize,
    block: Vec<Access>,
    block_start: u64,
    ready: VecDeque<StepAccesses>,
}

impl<'a> MemoryChecker<'a> {
    /// Starts at `program`'s initial state (clock 1: the initial set has time 0).
    pub fn new(params: &'a BlockParams, program: &Program) -> Result<Self, MemCheckError> {
        let image = InitialImage::new(program, params.memory_size())?;
        let (iv_in, iv_out) = stream_ivs(&params.stream);
        Ok(MemoryChecker {
            params,
            image,
            cells: HashMap::new(),
            clock: 1,
            state: RowState::new(program.entry, iv_in, iv_out),
            rows: 0,
            block: Vec::with_capacity(super::ROW_ACCESSES * params.k),
            block_start: 1,
            ready: VecDeque::new(),
        })
    }

    /// The initial image (what the verifier computes IS from).
    pub fn image(&self) -> &InitialImage {
        &self.image
    }

    /// Every touched cell's current value and last write time (after [`Self::finish`]: FS).
    pub fn cells(&self) -> &HashMap<Cell, CellState> {
        &self.cells
    }

    /// The clock of the next access (accesses made so far + 1).
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The row state after the last row.
    pub fn state(&self) -> &RowState<F1> {
        &self.state
    }

    /// The pages of the touched guest cells, strictly increasing.
    pub fn touched_pages(&self) -> Result<PageList, MemCheckError> {
        PageList::of_cells(self.cells.keys(), self.image.memory_size())
    }

    fn current(&self, cell: Cell) -> Result<CellState, MemCheckError> {
        match self.cells.get(&cell) {
            Some(s) => Ok(*s),
            None => Ok(CellState {
                value: self.image.initial_value(cell)?,
                time: 0,
            }),
        }
    }

    /// Reads `cell` (whose current state is `cur`) and writes `value` at the clock.
    fn touch(&mut self, cell: Cell, cur: CellState, value: u64) {
        self.block.push(Access {
            cell,
            read_value: cur.value,
            read_time: cur.time,
            write_value: value,
            time: self.clock,
        });
        self.cells.insert(
            cell,
            CellState {
                value,
                time: self.clock,
            },
        );
        self.clock += 1;
    }

    /// A register access: checks the value against `pre`, writes `new`.
    fn register(&mut self, r: u8, pre: u32, new: u32, pc: u32) -> Result<(), MemCheckError> {
        let cell = reg_cell(r);
        let cur = self.current(cell)?;
        if cur.value != pre as u64 {
            return Err(MemCheckError::Inconsistent {
                pc,
                what: format!("x{r} holds {:#x}, the row reads {pre:#x}", cur.value),
            });
        }
        self.touch(cell, cur, new as u64);
        Ok(())
    }

    /// The leaf at an aligned guest address.
    fn leaf(&self, addr: u32) -> Result<(CellState, Leaf), MemCheckError> {
        let cur = self.current(addr as Cell)?;
        let leaf = Leaf::from_u64(cur.value).ok_or(MemCheckError::Range {
            what: "a guest word's value",
            value: cur.value,
            bits: super::VALUE_BITS,
        })?;
        Ok((cur, leaf))
    }

    /// The five accesses of one row.
    fn push_row(&mut self, row: RowWitness<F1>) -> Result<(), MemCheckError> {
        let pc = row.pre.pc;
        let bad = |what: String| MemCheckError::Inconsistent { pc, what };
        if pc & 3 != 0 {
            return Err(bad("unaligned pc".into()));
        }
        // 1. fetch (X required)
        let (cur, leaf) = self.leaf(pc)?;
        if leaf.word != row.word || !leaf.executable {
            return Err(bad(format!(
                "fetched {leaf:?}, the row executes {:#x}",
                row.word
            )));
        }
        self.touch(pc as Cell, cur, cur.value);
        // 2, 3. registers A and B (pure reads)
        let (ra, rb, rd) = register_slots(row.word);
        for r in [ra, rb] {
            let v = row.pre.regs[r as usize];
            self.register(r, v, v, pc)?;
        }
        // 4. data
        if row.word == ECALL_WORD && row.post.cursor == 0 {
            if row.data_new != row.data_old {
                return Err(bad("an ecall row that moves no byte stores".into()));
            }
            let v = row.pre.regs[ECALL_REG_DATA as usize];
            self.register(ECALL_REG_DATA, v, v, pc)?;
        } else {
            let addr = row.data_addr & !3;
            let (cur, leaf) = self.leaf(addr)?;
            if leaf.word != row.data_old {
                return Err(bad(format!(
                    "data word at {addr:#x} is {:#x}, the row says {:#x}",
                    leaf.word, row.data_old
                )));
            }
            if row.data_new != row.data_old && !leaf.writable {
                return Err(bad(format!("store to the read-only word {addr:#x}")));
            }
            self.touch(addr as Cell, cur, leaf.with_word(row.data_new).to_u64());
        }
        // 5. register D: its value after the row (the old one if the row writes none)
        for i in 0..32 {
            if i != rd as usize && row.post.regs[i] != row.pre.regs[i] {
                return Err(bad(format!("the row writes x{i}, not its D slot x{rd}")));
            }
        }
        if row.post.regs[0] != 0 {
            return Err(bad("x0 is not 0".into()));
        }
        self.register(
            rd,
            row.pre.regs[rd as usize],
            row.post.regs[rd as usize],
            pc,
        )?;
        self.state = row.post;
        self.rows += 1;
        if self.rows == self.params.k {
            self.emit(StepKind::Block);
            self.rows = 0;
        }
        Ok(())
    }

    /// Moves the accesses made since the last step into a finished step of kind `kind`.
    fn emit(&mut self, kind: StepKind) {
        let accesses = std::mem::replace(
            &mut self.block,
            Vec::with_capacity(super::ROW_ACCESSES * self.params.k),
        );
        self.ready.push_back(StepAccesses {
            kind,
            ts_start: self.block_start,
            accesses,
        });
        self.block_start = self.clock;
    }

    /// Pads the current block with idle rows (nothing if it is empty).
    fn pad(&mut self) -> Result<(), MemCheckError> {
        while self.rows != 0 {
            let (_, leaf) = self.leaf(self.state.pc & !3)?;
            let idle = RowWitness::idle(&self.state, leaf.word);
            self.push_row(idle)?;
        }
        Ok(())
    }

    /// Turns one executed instruction into rows (and, for a `custom-0`, row A, padding, the
    /// coprocessor step and row B), making their accesses.
    pub fn push_record(&mut self, rec: &StepRecord) -> Result<(), MemCheckError> {
        if let Some(StepEvent::Coprocessor(ev)) = rec.event.as_deref() {
            let call = call_rows(&self.params.cfg, &self.state, rec)?;
            self.push_row(call.row_a.clone())?;
            self.pad()?;
            self.coprocessor_step(call.index, ev)?;
            let b = call.row_b(&self.state);
            self.push_row(b)?;
        } else {
            let (cells, image) = (&self.cells, &self.image);
            let mut read_word = |a: u32| -> Option<u32> {
                let v = match cells.get(&(a as Cell)) {
                    Some(s) => s.value,
                    None => image.initial_value(a as Cell).ok()?,
                };
                Some(v as u32)
            };
            let rows = rows_for_step(&self.params.stream, &self.state, rec, &mut read_word)?;
            for r in rows {
                self.push_row(r)?;
            }
        }
        Ok(())
    }

    /// The coprocessor step answering the posted call: pure reads of its input words, then a
    /// read-modify-write of each output word (W and not X required), as one step.
    fn coprocessor_step(&mut self, j: u32, ev: &CoprocessorEvent) -> Result<(), MemCheckError> {
        let circuit = self
            .params
            .coprocessors
            .get((j as usize).wrapping_sub(1))
            .ok_or(RowError::Selector(ev.funct7, ev.funct3))?
            .clone();
        let pc = self.state.pc;
        let bad = |what: String| MemCheckError::Inconsistent { pc, what };
        let args = [self.state.mbox.arg0, self.state.mbox.arg1];
        let addresses = |regions: Vec<Region>| -> Result<Vec<u32>, MemCheckError> {
            let mut out = Vec::new();
            for r in regions {
                out.extend(r.addresses(args).ok_or_else(|| {
                    bad(format!("{}: a region's address overflows", circuit.name()))
                })?);
            }
            if let Some(a) = out.iter().find(|a| *a & 3 != 0) {
                return Err(bad(format!("{}: unaligned word {a:#x}", circuit.name())));
            }
            Ok(out)
        };
        let (in_addrs, out_addrs) = (addresses(circuit.inputs())?, addresses(circuit.outputs())?);
        let mut written = HashMap::new();
        for w in &ev.writes {
            if !out_addrs.contains(&w.addr) {
                return Err(bad(format!(
                    "{} wrote {:#x}, outside its declared output regions",
                    circuit.name(),
                    w.addr
                )));
            }
            written.insert(w.addr, w.new);
        }
        let mut reported = HashMap::new();
        for r in &ev.reads {
            reported.entry(r.addr).or_insert(r.value);
        }
        for a in in_addrs {
            let (cur, leaf) = self.leaf(a)?;
            if reported.get(&a).is_some_and(|v| *v != leaf.word) {
                return Err(bad(format!(
                    "{} read {a:#x} as another value than memory holds",
                    circuit.name()
                )));
            }
            self.touch(a as Cell, cur, cur.value);
        }
        for a in out_addrs {
            let (cur, leaf) = self.leaf(a)?;
            if !leaf.writable || leaf.executable {
                return Err(bad(format!(
                    "{} writes {a:#x}: coprocessors may write only writable, non-executable memory",
                    circuit.name()
                )));
            }
            let new = written.get(&a).copied().unwrap_or(leaf.word);
            self.touch(a as Cell, cur, leaf.with_word(new).to_u64());
        }
        self.emit(StepKind::Coprocessor(j));
        self.state.mbox.done = true;
        self.state.mbox.ret = ev.status;
        Ok(())
    }

    /// The next finished step, in proving order.
    pub fn next_step(&mut self) -> Option<StepAccesses> {
        self.ready.pop_front()
    }

    /// After the exit: pads the last block with idle rows (then [`Self::next_step`] returns
    /// it). Fails if the guest has not halted and a block is partly filled.
    pub fn finish(&mut self) -> Result<(), MemCheckError> {
        if self.rows != 0 && !self.state.halted {
            return Err(MemCheckError::Unfinished(format!(
                "pc {:#x} has not halted",
                self.state.pc
            )));
        }
        self.pad()
    }
}
