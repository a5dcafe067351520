//! The CPU block circuit: K rows per fold step, as a [`StepCircuit`] of canopy-folding
//! (docs/cpu-circuit.md §1, §4, §5; the memory argument: [`crate::memcheck`]).
//!
//! The state z it reads and writes is laid out in [`crate::state`].
//!
//! # One block
//!
//! 1. Open the registers: witness `x1..x31` and `salt_in`, enforce `H24(x, salt_in) = reg_hash`
//!    ([`RegHasher`](crate::registers::RegHasher), width-25 Poseidon over 32 inputs: 2
//!    permutations).
//! 2. K rows ([`synthesize_row`]); per row two accesses of the memory argument
//!    ([`MemCtx::access`]): the fetch, a pure read of `word + 2^32·W + 2^33` (the X tag is the
//!    constant 1: fetch only from executable words) at the pc; then the data access, a read of
//!    `old + tags` and a write of `new + tags` (tags preserved) with `data_write ⇒ W`. Each
//!    row's accesses are packed into one element ([`crate::memcheck::binding::pack_row`]).
//! 3. Close the registers with a fresh `salt_out` (a prover witness); `ts' = ts + 2K`, `S'`
//!    the sum plus the block's terms, `IC'` the chain over the K packed rows.
//! 4. Scrub (§5): if the block ends halted, `priv_eof` of z' is 0, and `pc`, `reg_hash`,
//!    `ts` and the mailbox's `arg0`, `arg1`, `ret` of z' are fresh prover witnesses (one
//!    select each), so the final state leaks no registers and no access count.
//! 5. The next fold program counter is `φ' = called·(1 − done)·call + halted·A`: 0 (the CPU
//!    again) unless a row posted a coprocessor call (that coprocessor's circuit index) or the
//!    block ends halted (the audit circuit's index A, [`crate::audit`]).
//!
//! Witnesses come from [`BlockWitnessGen`], which re-chunks the VM's streaming trace records
//! into rows (an I/O `ecall` becomes several rows; a `custom-0` becomes row A, idle padding,
//! the coprocessor step and row B), keeps the native [`OfflineMemory`], pads the block that
//! holds the exit with idle rows, and then emits the audit steps. Memory use is one block of
//! rows plus the touched words.
//!
//! Limitations: z is not packed (29 slots, see the `state` module), and an I/O `ecall` moves
//! one byte per row.
//!
//! Constraint counts are pinned in tests/block_circuit.rs (no coprocessor registered).

use canopy_folding::{StepCircuit, F1};
use ff::Field;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};
use std::collections::VecDeque;

use crate::audit::AuditWitness;
use crate::coprocessor::Region;
use crate::error::BlockError;
use crate::handoff::CoprocessorWitness;
use crate::memcheck::binding::{pack_access, pack_nums, pack_row};
use crate::memcheck::gadget::MemCtx;
use crate::memcheck::sets::page_cells;
use crate::memcheck::{
    AccessRecord, Challenges, OfflineMemory, Tuple, ADDR_BITS, GAP_BITS, VALUE_BITS,
};
use crate::memory::gadgets::pack_bits;
use crate::memory::Leaf;
use crate::params::BlockParams;
use crate::registers::NREGS;
use crate::row::{
    call_rows, rows_for_step, synthesize_row, FingerprintHasher, RowError, RowState, RowVars,
    RowWitness, StreamHasher, ROW_STATE_LEN,
};
use crate::state::{
    stream_ivs, z_of, MemFields, Z_ALPHA, Z_ARG0, Z_ARG1, Z_CALL, Z_CALLED, Z_CHAIN, Z_CLOCK,
    Z_DONE, Z_GAMMA, Z_HALTED, Z_LEN, Z_NEXT_PAGE, Z_PAGES, Z_PRIV_EOF, Z_REG_HASH, Z_RET, Z_SUM,
};
use canopy_vm::elf_loader::Program;
use canopy_vm::trace::{StepEvent, StepRecord};

/// The z slots replaced by fresh values in a block that ends halted (§5).
const SCRUBBED: [usize; 6] = [0, Z_REG_HASH, Z_CLOCK, Z_ARG0, Z_ARG1, Z_RET];
/// The z slots set to 0 in a block that ends halted: whether the guest read its private input
/// to the end (`priv_eof`), which the statement does not claim and which would otherwise tell
/// a compact proof's reader something about the private input. (The mailbox's `called`,
/// `done` and `call` need no such step: row B clears them, and a guest cannot halt with a
/// call posted.)
const ZEROED_AT_HALT: [usize; 1] = [Z_PRIV_EOF];
/// Tag of the chain's salt (`IC_0 = H(salt seed, tag)`).
const CHAIN_SALT_TAG: u64 = 0x4943_5341; // "ICSA"

/// One row's witness together with its two memory accesses.
#[derive(Debug, Clone)]
pub struct RowData {
    /// The row circuit's witness.
    pub row: RowWitness<F1>,
    /// The fetch (a pure read of the word at pc).
    pub fetch: AccessRecord,
    /// The data access.
    pub data: AccessRecord,
    /// The LogUp sum after the row.
    pub sum_after: F1,
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
    /// Fresh values output for `pc`, `reg_hash`, `ts` and the mailbox's `arg0`, `arg1`,
    /// `ret` when the block ends halted (the scrub of §5); unused otherwise.
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

/// A pure read of a word that no one touched, for shapes.
fn dummy_access(addr: u32, time: u64) -> AccessRecord {
    AccessRecord {
        addr,
        old: Leaf::EMPTY,
        new: Leaf::EMPTY,
        read_time: 0,
        time,
    }
}

impl BlockCircuit<'_> {
    fn dummy_row(&self) -> RowData {
        let state = RowState::new(0, F1::ZERO, F1::ZERO);
        RowData {
            row: RowWitness::idle(&state, 0),
            fetch: dummy_access(0, 1),
            data: dummy_access(0, 2),
            sum_after: F1::ZERO,
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
        fields.extend(z[Z_HALTED..Z_GAMMA].iter().cloned());
        let mut state = RowVars::from_fields(fields)?;
        let mut mem = MemCtx::new(
            cs.namespace(|| "memory"),
            &z[Z_GAMMA],
            &z[Z_ALPHA],
            Some(&z[Z_CLOCK]),
        )?;
        let mut packed = Vec::with_capacity(p.k);
        let io = FingerprintHasher::circuit(&z[Z_GAMMA]);

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
                &io,
                &state,
                &word,
                &data_old,
                r,
            )?;
            // fetch: X = 1, a pure read at the pc's word
            let fw = alloc_bit(cs.namespace(|| "fetch W"), Some(d.fetch.old.writable))?;
            let fetch_leaf = leaf_num::<CS>(&word.clone().into(), &fw, &Boolean::constant(true));
            let fetch_addr = pack_bits::<F1, CS>(&out.fetch_addr, 2);
            let fetch_gap = mem.access(
                cs.namespace(|| "fetch"),
                &fetch_addr,
                &fetch_leaf,
                None,
                wit.map(|_| d.fetch.gap()),
            )?;
            // data: tags preserved, data_write ⇒ W
            let dw = alloc_bit(cs.namespace(|| "data W"), Some(d.data.old.writable))?;
            let dx = alloc_bit(cs.namespace(|| "data X"), Some(d.data.old.executable))?;
            let old_leaf = leaf_num::<CS>(&data_old.clone().into(), &dw, &dx);
            let new_leaf = leaf_num::<CS>(&out.data_new.clone().into(), &dw, &dx);
            cs.enforce(
                || "store needs W",
                |lc| lc + out.data_write.get_variable(),
                |_| dw.not().lc(CS::one(), F1::ONE),
                |lc| lc,
            );
            let data_addr = pack_bits::<F1, CS>(&out.data_addr, 2);
            let data_gap = mem.access(
                cs.namespace(|| "data"),
                &data_addr,
                &old_leaf,
                Some(&new_leaf),
                wit.map(|_| d.data.gap()),
            )?;
            // the row's packed element (memcheck::binding::pack_row)
            let row_packed = pack_nums(vec![
                (fetch_addr, ADDR_BITS),
                (fetch_leaf, VALUE_BITS),
                (fetch_gap, GAP_BITS),
                (data_addr, ADDR_BITS),
                (old_leaf, VALUE_BITS),
                (new_leaf, VALUE_BITS),
                (data_gap, GAP_BITS),
            ]);
            packed.push(row_packed);
            state = out.next;
        }

        // 3. Close the registers and the memory argument's step.
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
        let clock = mem.clock_out(cs.namespace(|| "clock"), &z[Z_CLOCK])?;
        let sum = mem.sum_out(cs.namespace(|| "sum"), &z[Z_SUM])?;
        let chain = p
            .chain
            .link_gadget(cs.namespace(|| "chain"), 0, &z[Z_CHAIN], packed)?;

        // 4. Scrub at halt: a halted block outputs fresh pc, reg_hash, ts and mailbox
        //    arguments, so the final state leaks neither registers nor the access count.
        //    Halted is absorbing (idle rows), and the audit that follows uses none of them.
        let f = state.fields();
        let mut z_out = vec![f[0].clone(), reg_hash, clock];
        z_out.extend(f[32..].iter().cloned());
        z_out.extend([
            z[Z_GAMMA].clone(),
            z[Z_ALPHA].clone(),
            sum,
            chain,
            z[Z_NEXT_PAGE].clone(),
            z[Z_PAGES].clone(),
        ]);
        if z_out.len() != Z_LEN {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "block z' has {} elements, expected {Z_LEN}",
                z_out.len()
            )));
        }
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
        // φ' = pending·call + halted·A with pending = called·(1 − done): a posted, unanswered
        // call hands over to its coprocessor, a halted block to the audit.
        let (called, done, call) = (&z_out[Z_CALLED], &z_out[Z_DONE], &z_out[Z_CALL]);
        let halted = &z_out[Z_HALTED];
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
        let to_call = pending.mul(cs.namespace(|| "pending call"), call)?;
        let a = F1::from(self.params.audit_index() as u64);
        let pc_next = AllocatedNum::alloc(cs.namespace(|| "phi next"), || {
            Ok(to_call
                .get_value()
                .ok_or(SynthesisError::AssignmentMissing)?
                + a * halted
                    .get_value()
                    .ok_or(SynthesisError::AssignmentMissing)?)
        })?;
        cs.enforce(
            || "phi next = pending·call + halted·A",
            |lc| lc + to_call.get_variable() + (a, halted.get_variable()),
            |lc| lc + CS::one(),
            |lc| lc + pc_next.get_variable(),
        );
        Ok((pc_next, z_out))
    }
}

/// The witness of one fold step: a CPU block, a coprocessor step or an audit step.
#[derive(Debug, Clone)]
pub enum StepWitness {
    /// A CPU block (circuit 0).
    Block(Box<BlockWitness>),
    /// A coprocessor step (circuit j ≥ 1).
    Coprocessor(CoprocessorWitness),
    /// An audit step (circuit A, after the coprocessors).
    Audit(Box<AuditWitness>),
}

impl StepWitness {
    /// The step circuit's index φ.
    pub fn circuit_index(&self) -> u32 {
        match self {
            StepWitness::Block(_) => 0,
            StepWitness::Coprocessor(c) => c.index,
            StepWitness::Audit(a) => a.index,
        }
    }

    /// z before the step.
    pub fn z_in(&self) -> &[F1] {
        match self {
            StepWitness::Block(b) => &b.z_in,
            StepWitness::Coprocessor(c) => &c.z_in,
            StepWitness::Audit(a) => &a.z_in,
        }
    }

    /// z after the step.
    pub fn z_out(&self) -> &[F1] {
        match self {
            StepWitness::Block(b) => &b.z_out,
            StepWitness::Coprocessor(c) => &c.z_out,
            StepWitness::Audit(a) => &a.z_out,
        }
    }
}

/// Builds step witnesses from trace records, streaming: feed records with
/// [`BlockWitnessGen::push_record`], pull finished steps with [`BlockWitnessGen::next_step`],
/// and after the exit call [`BlockWitnessGen::finish`] (which pads the last block and queues
/// the audit steps) and pull again. A `custom-0` record becomes row A, idle padding to the
/// end of its block, the coprocessor's step (its memory accesses made in the circuit's
/// order) and row B at the start of the next block.
///
/// Built without challenges (`None`) it is phase 1 of the prover: every tuple and the chain
/// are computed, the sums are not (z's `γ`, `α` and `S` stay 0); with challenges it is phase
/// 2 and its steps are provable.
#[derive(Debug)]
pub struct BlockWitnessGen<'a> {
    params: &'a BlockParams,
    mem: OfflineMemory,
    state: RowState<F1>,
    rows: VecDeque<RowData>,
    ready: VecDeque<StepWitness>,
    salt_seed: F1,
    blocks: u64,
    salt: F1,
    /// The memory argument's fields after the last step taken (the clock and the sum run
    /// ahead in `mem` and `sum` while rows are queued).
    fields: MemFields,
    /// The LogUp sum over every access made so far.
    sum: F1,
    z: Vec<F1>,
    audited: bool,
    /// The I/O streams' fingerprint (`γ`, or 0 in phase 1: phase 1's digests are not used).
    io: FingerprintHasher<F1>,
}

impl<'a> BlockWitnessGen<'a> {
    /// Starts at `program`'s initial state. Register salts and the chain's salt are derived
    /// from `salt_seed` (which should be secret randomness of the prover, the same in both
    /// phases); `challenges` is `None` in phase 1.
    pub fn new(
        params: &'a BlockParams,
        program: &Program,
        salt_seed: F1,
        challenges: Option<Challenges>,
    ) -> Result<Self, BlockError> {
        let mem = OfflineMemory::new(program, params.memory_size())?;
        let (iv_in, iv_out) = stream_ivs();
        let state = RowState::new(program.entry, iv_in, iv_out);
        let fields = MemFields {
            challenges,
            chain: params.stream.hash(salt_seed, F1::from(CHAIN_SALT_TAG)),
            ..MemFields::default()
        };
        let z = z_of(&state, params.regs.hash(&state.regs, F1::ZERO), &fields);
        Ok(BlockWitnessGen {
            params,
            mem,
            state,
            rows: VecDeque::new(),
            ready: VecDeque::new(),
            salt_seed,
            blocks: 0,
            salt: F1::ZERO,
            fields,
            sum: F1::ZERO,
            z,
            audited: false,
            io: FingerprintHasher::native(challenges.map_or(F1::ZERO, |c| c.gamma)),
        })
    }

    /// The current z (z_0 before any step was taken).
    pub fn z(&self) -> &[F1] {
        &self.z
    }

    /// The native memory.
    pub fn memory(&self) -> &OfflineMemory {
        &self.mem
    }

    /// The chain's current link (its end once every step was taken).
    pub fn chain(&self) -> F1 {
        self.fields.chain
    }

    /// Adds the LogUp terms of `a` to the running sum (phase 2 only).
    fn add_terms(&mut self, a: &AccessRecord) -> Result<(), BlockError> {
        if let Some(c) = self.fields.challenges {
            self.sum += c.term(&a.write_tuple())? - c.term(&a.read_tuple())?;
        }
        Ok(())
    }

    fn push_row(&mut self, row: RowWitness<F1>) -> Result<(), BlockError> {
        let bad = |what: String| BlockError::Inconsistent {
            pc: row.pre.pc,
            what,
        };
        let (fetched, _) = self.mem.peek(row.pre.pc & !3)?;
        if fetched.word != row.word || !fetched.executable {
            return Err(bad(format!(
                "fetched {:?}, the row executes {:#x}",
                fetched, row.word
            )));
        }
        let fetch = self.mem.access(row.pre.pc & !3, None)?;
        let addr = row.data_addr & !3;
        let (old, _) = self.mem.peek(addr)?;
        if old.word != row.data_old {
            return Err(bad(format!(
                "data word at {addr:#x} is {:#x}, the row says {:#x}",
                old.word, row.data_old
            )));
        }
        let data = self.mem.access(addr, Some(row.data_new))?;
        self.add_terms(&fetch)?;
        self.add_terms(&data)?;
        self.state = row.post.clone();
        self.rows.push_back(RowData {
            row,
            fetch,
            data,
            sum_after: self.sum,
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
            let (leaf, _) = self.mem.peek(self.state.pc & !3)?;
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
            let mem = &self.mem;
            let rows = rows_for_step(&self.io, &self.state, rec, &mut |a| {
                mem.peek(a).ok().map(|(l, _)| l.word)
            })?;
            for r in rows {
                self.push_row(r)?;
            }
        }
        self.take_full_blocks();
        Ok(())
    }

    /// The coprocessor step answering the posted call: reads its input regions and writes its
    /// output regions (values from the VM's event), sets `done` and `ret`.
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
        for a in in_addrs.iter().chain(&out_addrs) {
            if a & 3 != 0 {
                return Err(bad(format!("{}: unaligned word {a:#x}", circuit.name())));
            }
        }
        let mut reads = Vec::with_capacity(in_addrs.len());
        for a in in_addrs {
            let r = self.mem.access(a, None)?;
            self.add_terms(&r)?;
            reads.push(r);
        }
        let mut writes = Vec::with_capacity(out_addrs.len());
        for a in out_addrs {
            let (old, _) = self.mem.peek(a)?;
            if !old.writable || old.executable {
                return Err(bad(format!(
                    "{} writes {a:#x}: coprocessors may write only writable, non-executable memory",
                    circuit.name()
                )));
            }
            let new = written.get(&a).copied().unwrap_or(old.word);
            let w = self.mem.access(a, Some(new))?;
            self.add_terms(&w)?;
            writes.push(w);
        }
        self.state.mbox.done = true;
        self.state.mbox.ret = ev.status;
        let packed: Vec<F1> = reads.iter().chain(&writes).map(pack_access).collect();
        self.fields.chain = self.params.chain.link(j, self.fields.chain, &packed);
        self.fields.clock = self.mem.clock();
        self.fields.sum = self.sum;
        let z_in = self.z.clone();
        let z_out = z_of(&self.state, z_in[Z_REG_HASH], &self.fields);
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
        // the state and memory after the block's last row (later rows may be queued)
        let last = &rows[rows.len() - 1];
        let post = &last.row.post;
        let packed: Vec<F1> = rows.iter().map(|r| pack_row(&r.fetch, &r.data)).collect();
        self.fields.chain = self.params.chain.link(0, self.fields.chain, &packed);
        self.fields.clock = last.data.time;
        self.fields.sum = last.sum_after;
        let z_in = std::mem::take(&mut self.z);
        let mut z_out = z_of(
            post,
            self.params.regs.hash(&post.regs, salt_out),
            &self.fields,
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
    /// until `None` so that at most one block of rows is held.
    pub fn next_step(&mut self) -> Option<StepWitness> {
        self.ready.pop_front()
    }

    /// After the exit: pads the queued rows with idle rows to a full block, then queues one
    /// audit step per page ([`OfflineMemory::pages`]); [`Self::next_step`] returns them.
    pub fn finish(&mut self) -> Result<(), BlockError> {
        if !self.state.halted {
            if self.rows.is_empty() {
                return Ok(());
            }
            return Err(BlockError::Inconsistent {
                pc: self.state.pc,
                what: "padding before the guest halted".into(),
            });
        }
        self.pad()?;
        if !self.audited {
            self.audited = true;
            self.audit()?;
        }
        Ok(())
    }

    /// The page list the audit covers (every touched page and every image page).
    pub fn pages(&self) -> Result<Vec<u64>, BlockError> {
        Ok(self.mem.pages()?.pages().to_vec())
    }

    /// Queues the audit steps: per page, every word's final leaf and last write time.
    fn audit(&mut self) -> Result<(), BlockError> {
        let index = self.params.audit_index();
        for page in self.pages()? {
            let mut cells = Vec::with_capacity(crate::memcheck::PAGE_WORDS as usize);
            let mut packed = vec![F1::from(page)];
            for addr in page_cells(page) {
                let (leaf, time) = self.mem.peek(addr as u32)?;
                if let Some(c) = self.fields.challenges {
                    self.sum -= c.term(&Tuple {
                        cell: addr,
                        value: leaf.to_u64(),
                        time,
                    })?;
                }
                packed.push(F1::from(leaf.to_u64()));
                packed.push(F1::from(time));
                cells.push((leaf.to_u64(), time));
            }
            self.fields.chain = self.params.chain.link(index, self.fields.chain, &packed);
            self.fields.sum = self.sum;
            self.fields.next_page = page + 1;
            self.fields.pages = self.params.chain.page_link(self.fields.pages, page);
            let z_in = std::mem::take(&mut self.z);
            let mut z_out = z_in.clone();
            z_out[Z_SUM] = self.fields.sum;
            z_out[Z_CHAIN] = self.fields.chain;
            z_out[Z_NEXT_PAGE] = F1::from(self.fields.next_page);
            z_out[Z_PAGES] = self.fields.pages;
            self.z = z_out.clone();
            self.ready
                .push_back(StepWitness::Audit(Box::new(AuditWitness {
                    index,
                    page,
                    cells,
                    z_in,
                    z_out,
                })));
        }
        Ok(())
    }
}
