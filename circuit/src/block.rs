//! The CPU block circuit: K rows per fold step, as a [`StepCircuit`] of canopy-folding
//! (docs/cpu-circuit.md §1, §3, §4, §5).
//!
//! The state z it reads and writes is laid out in [`crate::state`].
//!
//! # One block
//!
//! 1. Open the registers: witness `x1..x31` and `salt_in`, enforce `H24(x, salt_in) = reg_hash`
//!    ([`RegHasher`], width-25 Poseidon over 32 inputs: 2 permutations).
//! 2. K rows ([`synthesize_row`]); per row, against the memory argument, only through
//!    [`MemoryArgument`]: the fetch is a read of `word + 2^32·W + 2^33` (the X tag is the
//!    constant 1: fetch only from executable words) at the row's fetch address; then the data
//!    slot is one read-modify-write `old + tags → new + tags` (tags preserved) with
//!    `data_write ⇒ W`.
//! 3. Close the registers with a fresh `salt_out` (a prover witness) and output z'.
//! 4. Scrub (§5): if the block ends halted, `priv_eof` of z' is 0, and `pc`, `reg_hash`,
//!    `mem_root` and the mailbox's
//!    `arg0`, `arg1`, `ret` of z' are fresh prover witnesses (one select each), so the final
//!    state leaks no memory or registers.
//! 5. The next fold program counter is `φ' = called·(1 − done)·call`: 0 (the CPU again)
//!    unless a row posted a coprocessor call, then that coprocessor's circuit index.
//!
//! Witnesses come from [`BlockWitnessGen`], which re-chunks the VM's streaming trace records
//! into rows (an I/O `ecall` becomes several rows; a `custom-0` becomes row A, idle padding,
//! the coprocessor step and row B), keeps the native [`SparseTree`] and pads the block that
//! holds the exit with idle rows. Memory use is one block of rows plus the tree.
//!
//! Limitations: z is not packed to the plan's 13 slots (it has 23, see the `state` module), and an
//! I/O `ecall` moves one byte per row.
//!
//! Measured (tests/block_circuit.rs, 16 MiB, pinned, no coprocessor registered): 14,033
//! constraints for K = 1 and 24,947 for K = 2, i.e. ≈10.9k per row (memory argument 9,705 +
//! tag bits and the W check 4 + row ≈1.2k) and ≈3.1k per block (register hash open and close,
//! scrub, φ'). Native witness generation: ≈0.6 ms per row on a loaded 2-core machine (three
//! path look-ups and one 11-hash path update).

use canopy_folding::{StepCircuit, F1};
use ff::Field;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};
use std::collections::VecDeque;

use crate::coprocessor::Region;
use crate::error::BlockError;
use crate::handoff::CoprocessorWitness;
use crate::memory::gadgets::pack_bits;
use crate::memory::{
    Leaf, MemoryArgError, MemoryArgument, MerklePath, NativeMemory, SparseTree, WordAddr,
};
use crate::params::BlockParams;
use crate::registers::NREGS;
use crate::row::{
    call_rows, rows_for_step, synthesize_row, RowError, RowState, RowVars, RowWitness,
    StreamHasher, ROW_STATE_LEN,
};
use crate::state::{
    stream_ivs, z_of, Z_ARG0, Z_ARG1, Z_CALL, Z_CALLED, Z_DONE, Z_LEN, Z_MEM_ROOT, Z_PRIV_EOF,
    Z_REG_HASH, Z_RET,
};
use canopy_vm::elf_loader::Program;
use canopy_vm::trace::{StepEvent, StepRecord};

/// The z slots replaced by fresh values in a block that ends halted (§5).
const SCRUBBED: [usize; 6] = [0, Z_REG_HASH, Z_MEM_ROOT, Z_ARG0, Z_ARG1, Z_RET];
/// The z slots set to 0 in a block that ends halted: whether the guest read its private input
/// to the end (`priv_eof`), which the statement does not claim and which would otherwise tell
/// a compact proof's reader something about the private input. (The mailbox's `called`,
/// `done` and `call` need no such step: row B clears them, and a guest cannot halt with a
/// call posted.)
const ZEROED_AT_HALT: [usize; 1] = [Z_PRIV_EOF];

/// One row's witness together with the memory hints.
#[derive(Debug, Clone)]
pub struct RowData {
    /// The row circuit's witness.
    pub row: RowWitness<F1>,
    /// The W tag of the fetched word (its X tag is 1).
    pub fetch_writable: bool,
    /// Siblings of the fetch path.
    pub fetch_path: MerklePath<F1>,
    /// The data word's leaf before the row.
    pub data_leaf: Leaf,
    /// Siblings of the data path.
    pub data_path: MerklePath<F1>,
    /// The memory root after the row.
    pub root_after: F1,
}

/// The prover's witness of one block.
#[derive(Debug, Clone)]
pub struct BlockWitness {
    /// The K rows.
    pub rows: Vec<RowData>,
    /// The salt of the incoming register hash.
    pub salt_in: F1,
    /// The salt of the outgoing register hash.
    pub salt_out: F1,
    /// Fresh values output for `pc`, `reg_hash`, `mem_root` and the mailbox's `arg0`,
    /// `arg1`, `ret` when the block ends halted (the scrub of §5); unused otherwise.
    pub scrub: [F1; 6],
    /// z before the block.
    pub z_in: Vec<F1>,
    /// z after the block.
    pub z_out: Vec<F1>,
}

/// The CPU block circuit F_0: K rows; `witness` is `None` for shape synthesis.
#[derive(Debug, Clone)]
pub struct BlockCircuit<'a> {
    params: &'a BlockParams,
    witness: Option<&'a BlockWitness>,
}

impl<'a> BlockCircuit<'a> {
    /// The circuit for shapes (no witness).
    pub fn shape(params: &'a BlockParams) -> Self {
        BlockCircuit {
            params,
            witness: None,
        }
    }

    /// The circuit of one proven block.
    pub fn new(params: &'a BlockParams, witness: &'a BlockWitness) -> Self {
        BlockCircuit {
            params,
            witness: Some(witness),
        }
    }
}

fn alloc<CS: ConstraintSystem<F1>>(
    cs: CS,
    v: Option<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    AllocatedNum::alloc(cs, || v.ok_or(SynthesisError::AssignmentMissing))
}

fn alloc_bit<CS: ConstraintSystem<F1>>(cs: CS, v: Option<bool>) -> Result<Boolean, SynthesisError> {
    Ok(Boolean::from(AllocatedBit::alloc(cs, v)?))
}

/// `c ? a : b` for a boolean `c` (one constraint).
fn select_if<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    c: &AllocatedNum<F1>,
    a: &AllocatedNum<F1>,
    b: &AllocatedNum<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let out = AllocatedNum::alloc(cs.namespace(|| "select"), || {
        let cv = c.get_value().ok_or(SynthesisError::AssignmentMissing)?;
        let (av, bv) = (a.get_value(), b.get_value());
        if cv == F1::ZERO { bv } else { av }.ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "select constraint",
        |lc| lc + c.get_variable(),
        |lc| lc + a.get_variable() - b.get_variable(),
        |lc| lc + out.get_variable() - b.get_variable(),
    );
    Ok(out)
}

/// `(1 − c)·a` for a boolean `c` (one constraint: `c · a = a − out`).
fn zero_if<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    c: &AllocatedNum<F1>,
    a: &AllocatedNum<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let out = AllocatedNum::alloc(cs.namespace(|| "zeroed"), || {
        let cv = c.get_value().ok_or(SynthesisError::AssignmentMissing)?;
        let av = a.get_value().ok_or(SynthesisError::AssignmentMissing)?;
        Ok(if cv == F1::ZERO { av } else { F1::ZERO })
    })?;
    cs.enforce(
        || "zero constraint",
        |lc| lc + c.get_variable(),
        |lc| lc + a.get_variable(),
        |lc| lc + a.get_variable() - out.get_variable(),
    );
    Ok(out)
}

/// `word + 2^32·W + 2^33·X` in circuit.
fn leaf_num<CS: ConstraintSystem<F1>>(word: &Num<F1>, w: &Boolean, x: &Boolean) -> Num<F1> {
    word.clone()
        .add(&pack_bits::<F1, CS>(std::slice::from_ref(w), 32))
        .add(&pack_bits::<F1, CS>(std::slice::from_ref(x), 33))
}

impl BlockCircuit<'_> {
    fn dummy_row(&self) -> RowData {
        let state = RowState::new(0, F1::ZERO, F1::ZERO);
        RowData {
            row: RowWitness::idle(&state, 0),
            fetch_writable: false,
            fetch_path: MerklePath { siblings: vec![] },
            data_leaf: Leaf::EMPTY,
            data_path: MerklePath { siblings: vec![] },
            root_after: F1::ZERO,
        }
    }

    fn synthesize_block<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<F1>],
    ) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
        let p = self.params;
        if z.len() != Z_LEN {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "block z has {} elements, expected {Z_LEN}",
                z.len()
            )));
        }
        let wit = self.witness;
        if let Some(w) = wit {
            if w.rows.len() != p.k {
                return Err(SynthesisError::IncompatibleLengthVector(format!(
                    "block witness has {} rows, K = {}",
                    w.rows.len(),
                    p.k
                )));
            }
        }
        let dummy = self.dummy_row();
        let row_at = |i: usize| wit.map(|w| &w.rows[i]).unwrap_or(&dummy);

        // 1. Open the registers.
        let first = &row_at(0).row.pre;
        let mut regs = Vec::with_capacity(NREGS);
        for i in 1..=NREGS {
            regs.push(alloc(
                cs.namespace(|| format!("x{i} in")),
                Some(F1::from(first.regs[i] as u64)),
            )?);
        }
        let salt_in = alloc(cs.namespace(|| "salt in"), wit.map(|w| w.salt_in))?;
        let h_in = p
            .regs
            .hash_gadget(&mut cs.namespace(|| "open"), &regs, &salt_in)?;
        cs.enforce(
            || "reg_hash opens",
            |_| h_in.lc(F1::ONE),
            |lc| lc + CS::one(),
            |lc| lc + z[Z_REG_HASH].get_variable(),
        );
        let mut fields = Vec::with_capacity(ROW_STATE_LEN);
        fields.push(z[0].clone());
        fields.extend(regs);
        fields.extend(z[3..].iter().cloned());
        let mut state = RowVars::from_fields(fields)?;
        let mut mem = p.mem.state_from_z(&z[Z_MEM_ROOT..Z_MEM_ROOT + 1])?;

        // 2. K rows.
        for i in 0..p.k {
            let d = row_at(i);
            let r = &d.row;
            let cs = &mut cs.namespace(|| format!("row {i}"));
            let word = alloc(cs.namespace(|| "word"), Some(F1::from(r.word as u64)))?;
            let data_old = alloc(
                cs.namespace(|| "data old"),
                Some(F1::from(r.data_old as u64)),
            )?;
            let out = synthesize_row(
                &mut cs.namespace(|| "row"),
                &p.cfg,
                &p.stream,
                &state,
                &word,
                &data_old,
                r,
            )?;
            // fetch: X = 1
            let fw = alloc_bit(cs.namespace(|| "fetch W"), Some(d.fetch_writable))?;
            let fetch_leaf = leaf_num::<CS>(&word.clone().into(), &fw, &Boolean::constant(true));
            p.mem.read(
                cs.namespace(|| "fetch"),
                &mem,
                &WordAddr::from_bits(out.fetch_addr.clone()),
                &fetch_leaf,
                wit.map(|_| &d.fetch_path),
            )?;
            // data: tags preserved, data_write ⇒ W
            let dw = alloc_bit(cs.namespace(|| "data W"), Some(d.data_leaf.writable))?;
            let dx = alloc_bit(cs.namespace(|| "data X"), Some(d.data_leaf.executable))?;
            let old_leaf = leaf_num::<CS>(&data_old.clone().into(), &dw, &dx);
            let new_leaf = leaf_num::<CS>(&out.data_new.clone().into(), &dw, &dx);
            cs.enforce(
                || "store needs W",
                |lc| lc + out.data_write.get_variable(),
                |_| dw.not().lc(CS::one(), F1::ONE),
                |lc| lc,
            );
            p.mem.rmw(
                cs.namespace(|| "data"),
                &mut mem,
                &WordAddr::from_bits(out.data_addr.clone()),
                &old_leaf,
                &new_leaf,
                wit.map(|_| &d.data_path),
            )?;
            state = out.next;
        }

        // 3. Close the registers.
        let salt_out = alloc(cs.namespace(|| "salt out"), wit.map(|w| w.salt_out))?;
        let h_out = p
            .regs
            .hash_gadget(&mut cs.namespace(|| "close"), &state.regs, &salt_out)?;
        let reg_hash = alloc(cs.namespace(|| "reg_hash out"), h_out.get_value())?;
        cs.enforce(
            || "reg_hash closes",
            |_| h_out.lc(F1::ONE),
            |lc| lc + CS::one(),
            |lc| lc + reg_hash.get_variable(),
        );
        // 4. Scrub at halt: a halted block outputs fresh pc, reg_hash, mem_root and mailbox
        //    arguments, so the final state leaks neither registers nor memory. Halted is
        //    absorbing (idle rows), so no later block could use them.
        let f = state.fields();
        let mut z_out = vec![f[0].clone(), reg_hash];
        z_out.extend(p.mem.state_to_z(&mem));
        z_out.extend(f[32..].iter().cloned());
        for (j, &slot) in SCRUBBED.iter().enumerate() {
            let fresh = alloc(
                cs.namespace(|| format!("scrub {j}")),
                wit.map(|w| w.scrub[j]),
            )?;
            z_out[slot] = select_if(
                cs.namespace(|| format!("scrub select {j}")),
                &state.halted,
                &fresh,
                &z_out[slot],
            )?;
        }
        for (j, &slot) in ZEROED_AT_HALT.iter().enumerate() {
            z_out[slot] = zero_if(
                cs.namespace(|| format!("zero at halt {j}")),
                &state.halted,
                &z_out[slot],
            )?;
        }
        Ok(z_out)
    }
}

impl StepCircuit<F1> for BlockCircuit<'_> {
    fn arity(&self) -> usize {
        Z_LEN
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let z_out = self.synthesize_block(&mut cs.namespace(|| "cpu block"), z)?;
        // φ' = pending · call with pending = called·(1 − done): a posted, unanswered call
        // hands over to its coprocessor.
        let (called, done, call) = (&z_out[Z_CALLED], &z_out[Z_DONE], &z_out[Z_CALL]);
        let pending = AllocatedNum::alloc(cs.namespace(|| "pending"), || {
            match (called.get_value(), done.get_value()) {
                (Some(c), Some(d)) => Ok(c * (F1::ONE - d)),
                _ => Err(SynthesisError::AssignmentMissing),
            }
        })?;
        cs.enforce(
            || "pending = called·(1 − done)",
            |lc| lc + called.get_variable(),
            |lc| lc + CS::one() - done.get_variable(),
            |lc| lc + pending.get_variable(),
        );
        let pc_next = pending.mul(cs.namespace(|| "phi next"), call)?;
        Ok((pc_next, z_out))
    }
}

/// The witness of one fold step: a CPU block or a coprocessor step.
#[derive(Debug, Clone)]
pub enum StepWitness {
    /// A CPU block (circuit 0).
    Block(Box<BlockWitness>),
    /// A coprocessor step (circuit j ≥ 1).
    Coprocessor(CoprocessorWitness),
}

impl StepWitness {
    /// The step circuit's index φ.
    pub fn circuit_index(&self) -> u32 {
        match self {
            StepWitness::Block(_) => 0,
            StepWitness::Coprocessor(c) => c.index,
        }
    }

    /// z before the step.
    pub fn z_in(&self) -> &[F1] {
        match self {
            StepWitness::Block(b) => &b.z_in,
            StepWitness::Coprocessor(c) => &c.z_in,
        }
    }

    /// z after the step.
    pub fn z_out(&self) -> &[F1] {
        match self {
            StepWitness::Block(b) => &b.z_out,
            StepWitness::Coprocessor(c) => &c.z_out,
        }
    }
}

/// Builds step witnesses from trace records, streaming: feed records with
/// [`BlockWitnessGen::push_record`], pull finished steps with [`BlockWitnessGen::next_step`],
/// and after the exit call [`BlockWitnessGen::finish`] (which pads the last block) and pull
/// again. A `custom-0` record becomes row A, idle padding to the end of its block, the
/// coprocessor's step (its memory accesses applied to the tree in the circuit's order) and
/// row B at the start of the next block.
#[derive(Debug)]
pub struct BlockWitnessGen<'a> {
    params: &'a BlockParams,
    tree: SparseTree<F1>,
    state: RowState<F1>,
    rows: VecDeque<RowData>,
    ready: VecDeque<StepWitness>,
    salt_seed: F1,
    blocks: u64,
    salt: F1,
    z: Vec<F1>,
}

impl<'a> BlockWitnessGen<'a> {
    /// Starts at `program`'s initial state. Register salts are derived from `salt_seed`
    /// (which should be secret randomness of the prover).
    pub fn new(
        params: &'a BlockParams,
        program: &Program,
        salt_seed: F1,
    ) -> Result<Self, BlockError> {
        let tree = SparseTree::from_program(params.memory_size(), program)?;
        let (iv_in, iv_out) = stream_ivs(&params.stream);
        let state = RowState::new(program.entry, iv_in, iv_out);
        let z = z_of(&state, params.regs.hash(&state.regs, F1::ZERO), tree.root());
        Ok(BlockWitnessGen {
            params,
            tree,
            state,
            rows: VecDeque::new(),
            ready: VecDeque::new(),
            salt_seed,
            blocks: 0,
            salt: F1::ZERO,
            z,
        })
    }

    /// The current z (z_0 before any block was taken).
    pub fn z(&self) -> &[F1] {
        &self.z
    }

    /// The native memory.
    pub fn tree(&self) -> &SparseTree<F1> {
        &self.tree
    }

    fn push_row(&mut self, row: RowWitness<F1>) -> Result<(), BlockError> {
        let bad = |what: String| BlockError::Inconsistent {
            pc: row.pre.pc,
            what,
        };
        let (fetch, fetch_path) = self.tree.read(row.pre.pc & !3)?;
        if fetch.word != row.word || !fetch.executable {
            return Err(bad(format!(
                "fetched {:?}, the row executes {:#x}",
                fetch, row.word
            )));
        }
        let addr = row.data_addr & !3;
        let (old, _) = self.tree.read(addr)?;
        if old.word != row.data_old {
            return Err(bad(format!(
                "data word at {addr:#x} is {:#x}, the row says {:#x}",
                old.word, row.data_old
            )));
        }
        if row.data_new != row.data_old && !old.writable {
            return Err(MemoryArgError::ReadOnly(addr).into());
        }
        let (data_leaf, data_path) = self.tree.rmw(addr, old.with_word(row.data_new))?;
        self.state = row.post.clone();
        self.rows.push_back(RowData {
            row,
            fetch_writable: fetch.writable,
            fetch_path,
            data_leaf,
            data_path,
            root_after: self.tree.root(),
        });
        Ok(())
    }

    /// Moves every full block of queued rows to the ready steps.
    fn take_full_blocks(&mut self) {
        while self.rows.len() >= self.params.k {
            let b = self.take();
            self.ready.push_back(StepWitness::Block(Box::new(b)));
        }
    }

    /// Pads the queued rows with idle rows to a full block (nothing if none is queued).
    fn pad(&mut self) -> Result<(), BlockError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        while self.rows.len() < self.params.k {
            let (leaf, _) = self.tree.read(self.state.pc & !3)?;
            self.push_row(RowWitness::idle(&self.state, leaf.word))?;
        }
        self.take_full_blocks();
        Ok(())
    }

    /// Turns one executed instruction into rows (and, for a `custom-0`, a coprocessor step).
    pub fn push_record(&mut self, rec: &StepRecord) -> Result<(), BlockError> {
        if let Some(StepEvent::Coprocessor(ev)) = rec.event.as_deref() {
            let call = call_rows(&self.params.cfg, &self.state, rec)?;
            self.push_row(call.row_a.clone())?;
            self.take_full_blocks();
            self.pad()?;
            let w = self.coprocessor_step(call.index, ev)?;
            self.ready.push_back(StepWitness::Coprocessor(w));
            let b = call.row_b(&self.state);
            self.push_row(b)?;
        } else {
            let tree = &self.tree;
            let rows = rows_for_step(&self.params.stream, &self.state, rec, &mut |a| {
                tree.read(a).ok().map(|(l, _)| l.word)
            })?;
            for r in rows {
                self.push_row(r)?;
            }
        }
        self.take_full_blocks();
        Ok(())
    }

    /// The coprocessor step answering the posted call: reads its input regions and writes its
    /// output regions (values from the VM's event) in the tree, sets `done` and `ret`.
    fn coprocessor_step(
        &mut self,
        j: u32,
        ev: &canopy_vm::trace::CoprocessorEvent,
    ) -> Result<CoprocessorWitness, BlockError> {
        let circuit = self
            .params
            .coprocessors
            .get(j as usize - 1)
            .ok_or(RowError::Selector(ev.funct7, ev.funct3))?
            .clone();
        let pc = self.state.pc;
        let bad = |what: String| BlockError::Inconsistent { pc, what };
        let args = [self.state.mbox.arg0, self.state.mbox.arg1];
        let addresses = |regions: Vec<Region>| -> Result<Vec<u32>, BlockError> {
            let mut out = Vec::new();
            for r in regions {
                out.extend(r.addresses(args).ok_or_else(|| {
                    bad(format!("{}: a region's address overflows", circuit.name()))
                })?);
            }
            Ok(out)
        };
        let (in_addrs, out_addrs) = (addresses(circuit.inputs())?, addresses(circuit.outputs())?);
        let mut written = std::collections::HashMap::new();
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
        let mut reads = Vec::with_capacity(in_addrs.len());
        for a in in_addrs {
            if a & 3 != 0 {
                return Err(bad(format!(
                    "{}: unaligned input word {a:#x}",
                    circuit.name()
                )));
            }
            reads.push(self.tree.read(a)?);
        }
        let mut writes = Vec::with_capacity(out_addrs.len());
        for a in out_addrs {
            if a & 3 != 0 {
                return Err(bad(format!(
                    "{}: unaligned output word {a:#x}",
                    circuit.name()
                )));
            }
            let (old, _) = self.tree.read(a)?;
            if !old.writable || old.executable {
                return Err(bad(format!(
                    "{} writes {a:#x}: coprocessors may write only writable, non-executable memory",
                    circuit.name()
                )));
            }
            let new = written.get(&a).copied().unwrap_or(old.word);
            writes.push(self.tree.rmw(a, old.with_word(new))?);
        }
        self.state.mbox.done = true;
        self.state.mbox.ret = ev.status;
        let z_in = self.z.clone();
        let z_out = z_of(&self.state, z_in[Z_REG_HASH], self.tree.root());
        self.z = z_out.clone();
        Ok(CoprocessorWitness {
            index: j,
            args,
            reads,
            writes,
            z_in,
            z_out,
        })
    }

    fn salt_for(&self, block: u64) -> F1 {
        self.params
            .stream
            .hash(self.salt_seed, F1::from(block.wrapping_add(1)))
    }

    fn take(&mut self) -> BlockWitness {
        let rows: Vec<RowData> = self.rows.drain(..self.params.k).collect();
        let salt_in = self.salt;
        let salt_out = self.salt_for(self.blocks);
        self.salt = salt_out;
        // the state and memory root after the block's last row (later rows may be queued)
        let last = &rows[rows.len() - 1];
        let post = &last.row.post;
        let z_in = std::mem::take(&mut self.z);
        let mut z_out = z_of(
            post,
            self.params.regs.hash(&post.regs, salt_out),
            last.root_after,
        );
        let scrub: [F1; 6] = std::array::from_fn(|j| {
            self.params
                .stream
                .hash(self.salt_seed, -F1::from(6 * self.blocks + j as u64 + 1))
        });
        if post.halted {
            for (j, &slot) in SCRUBBED.iter().enumerate() {
                z_out[slot] = scrub[j];
            }
            for slot in ZEROED_AT_HALT {
                z_out[slot] = F1::ZERO;
            }
        }
        self.blocks += 1;
        self.z = z_out.clone();
        BlockWitness {
            rows,
            salt_in,
            salt_out,
            scrub,
            z_in,
            z_out,
        }
    }

    /// The next finished step, in proving order. Call after every [`Self::push_record`]
    /// until `None` so that at most one block of rows is held (the native tree is updated row
    /// by row).
    pub fn next_step(&mut self) -> Option<StepWitness> {
        self.ready.pop_front()
    }

    /// After the exit: pads the queued rows with idle rows to a full block, which
    /// [`Self::next_step`] then returns.
    pub fn finish(&mut self) -> Result<(), BlockError> {
        if !self.rows.is_empty() && !self.state.halted {
            return Err(BlockError::Inconsistent {
                pc: self.state.pc,
                what: "padding before the guest halted".into(),
            });
        }
        self.pad()
    }
}
