//! The row circuit: one RV32IM instruction of the CPU step circuit as R1CS over the primary
//! field, written with nova-snark's bellpepper-style frontend.
//!
//! # Interface (the contract with the block circuit)
//!
//! A row maps a [`RowVars`] (allocated row state) to the next one. It does **not** call the
//! memory argument. The block circuit:
//! 1. allocates the fetched instruction `word` (a u32: the row range-checks it) and proves
//!    `mem[fetch_addr] == word` (plus the X tag) with the memory argument;
//! 2. allocates `data_old` (a u32: the row range-checks it) and proves
//!    `mem[data_addr]: data_old -> data_new` as one read-modify-write. It requires the W tag
//!    when [`RowOutput::data_write`] is 1 (stores and `read` bytes). Rows that do not store output
//!    `data_new == data_old`; rows that do not access data memory leave `data_addr` to the
//!    prover ([`RowWitness`] uses the pc's word, so `data_old == word`);
//! 3. passes [`RowOutput::next`] as the next row's state.
//!
//! Entry points: [`RowConfig`], [`RowVars::alloc`], [`synthesize_row`], and for the prover
//! [`RowWitness`] built by [`rows_for_step`] (one [`StepRecord`](canopy_vm::StepRecord) may need several
//! rows) or [`RowWitness::idle`] (padding after halt). The I/O digests use a caller-supplied
//! [`StreamHasher`] ([`FingerprintHasher`] in production, keyed by the memory argument's `γ`).
//!
//! Row state ([`RowState`], [`ROW_STATE_LEN`] field elements in [`RowState::fields`] order):
//! `pc`, `x1..x31` (u32 by induction: every rd write is range-checked), `halted`, `exit_code`
//! (full a0), `steps` (instructions retired, as the VM counts them), `cursor` (bytes already
//! moved by the I/O `ecall` in progress), `in_eof`, `priv_eof`, and for the public input (fd 0)
//! and output (fd 1) streams `(digest, words, off, pending)`.
//!
//! Soundness assumptions the block circuit must meet: the initial state is well formed (registers
//! u32, flags boolean, `off < 4`, `pending < 256^off`, cursor 0) and every row's `pc` is checked
//! by the row that consumes it (each row decomposes its own pc: aligned and `< memory size`), so
//! the last row's next pc is checked by the first row of the next block. Idle rows check their
//! pc too: at halt pc stays at the exit `ecall`. A read from fd 0 may finish short only by
//! setting `in_eof`, so the verifier must check `in_eof ⇒ the whole public input was consumed`
//! (plan §5); the stream digests are compared with the verifier's native recomputation
//! ([`StreamState::of_bytes`]).
//!
//! # Design (docs/cpu-circuit.md §2, and the deviations)
//!
//! One universal row: every unit is computed in every row and results are combined by kind
//! flags. Units: [`decode`] (48 kind flags, `f_k·(key_k(bits) - match_k) = 0`), registers
//! (one-hot selectors, 32-constraint reads, 31-constraint write), operands (`B = rs2`, or the
//! I-immediate for OP-IMM), bitwise AND/OR/XOR, a comparator (SUB, SLT*, branches), a shared
//! multiplier (MUL*, shifts as multiplication by `2^s` or `2^(32-s)`), a divider (quotient and
//! remainder witnesses with sign, zero and overflow rules), loads/stores inside the data word,
//! next pc with a wrap carry, and the `ecall` unit.
//!
//! Deviations from the plan:
//! - **I/O moves one byte per row** (the plan: up to 4 bytes inside one memory word and one
//!   stream word). Much simpler (it reuses the load/store byte selection), at the cost of more
//!   rows for I/O-heavy guests. The stream state is `(digest, words, off, pending)` rather than
//!   `len·2^32 + pending`; `len = 4·words + off`. The block may pack it as it likes.
//! - **The stream hash is a parameter** ([`StreamHasher`]); [`FingerprintHasher`] is the
//!   production one since the memory argument (`d·γ + w`, 1 constraint, sound because `γ` is
//!   derived after the streams are fixed); [`PoseidonStreamHasher`] (Poseidon width 3, domain
//!   separator [`STREAM_DOMAIN`], 238 constraints) was, and still derives the block's salts.
//!   Tests also use a toy hash to keep the I/O tests readable.
//! - **custom-0** (docs/cpu-circuit.md §4, built): a `Custom0` kind (mask `0x7f`, match
//!   `0x0b`). The row one-hot-selects `funct7·8 + funct3` among the coprocessor selectors of
//!   [`RowConfig::with_coprocessors`] (unregistered selectors are unsatisfiable, as the VM
//!   faults). Row A (`called = 0`) posts `call = j`, `arg0 = rs1`, `arg1 = rs2`, keeps its pc
//!   and does not retire; `pending = called·(1 − done)` makes every later row idle
//!   (`f_idle = halted + pending`) until the coprocessor's step sets `done` and `ret`. Row B
//!   (the same word, `called = 1`, `done = 1`) checks that the word selects the posted `call`,
//!   writes `ret` to rd through the rd mux (range-checked like any rd), clears `called`,
//!   `done` and `call`, moves pc on and retires. `arg0`, `arg1` and `ret` keep their last
//!   values (the block scrubs them at halt). Mailbox state: [`Mailbox`].
//! - The leaf's W/X tags are not seen by the row: the block checks X on fetch and W when
//!   [`RowOutput::data_write`] is set.
//! - The rd write uses a one-hot of `rd_eff = we·rd + 10·ecall_ret` (ecalls write a0).
//! - Unsupported corner case: a `read` whose buffer overwrites its own `ecall` word (the VM
//!   re-fetches after the whole read; the row re-fetches after each byte).
//!
//! # Constraint counts
//!
//! Measured by `cargo bench -p canopy --bench cpu -- counts` (one row of the K = 2 block minus
//! the K = 1 block, 16 MiB memory; the shape is the same for every instruction, so every
//! instruction costs the whole row). `tests/row_circuit.rs::constraint_counts` prints the
//! same units for the row alone; `tests/block_circuit.rs` pins the block.
//!
//! | unit | constraints |
//! |---|---|
//! | memory argument: fetch access, data access (LogUp, 32-bit time gaps) | 36 + 37 |
//! | leaf tags, W check | 4 |
//! | fetch address (pc = 4·index) | 23 |
//! | decode: 32 bits, idle is a bit, 49 kind keys, one sum (flags need no bit checks, see [`decode`]) | 84 |
//! | register reads: two 31-constraint selection trees over rs1's and rs2's bits | 62 |
//! | register write (x1'..x31') | 31 |
//! | rd: result mux (19 products), carry, range, rd one-hot | 90 |
//! | operands (rs1 bits, `B` select and bits) | 67 |
//! | bitwise AND/OR/XOR | 32 |
//! | comparator | 38 |
//! | multiplier + shifts | 77 |
//! | divider | 118 |
//! | data address, byte/half selection | 66 |
//! | memory: alignment, address equalities, store merge | 14 |
//! | next pc | 9 |
//! | ecall dispatch + I/O + stream fingerprints | 122 |
//! | control (halted, exit code, steps) | 3 |
//! | custom-0 and mailbox (no coprocessor registered) | 14 |
//! | **row total** | **927** |

mod alu;
mod bits;
pub mod decode;
mod ecall;
mod fingerprint;
mod loadstore;
mod muldiv;
mod regs;
mod stream_hash;
mod witness;

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{num::AllocatedNum, Boolean, ConstraintSystem, SynthesisError};

use bits::{
    alloc_bit, alloc_num, decompose, enforce_eq, enforce_mul, enforce_zero_product, mul, pack,
    pow2, select, Expr,
};
pub use decode::Kind;
pub use fingerprint::FingerprintHasher;
pub use stream_hash::{PoseidonStreamHasher, STREAM_DOMAIN};
pub use witness::{call_rows, rows_for_step, CallRows, RowError};

/// A 2-to-1 hash used for the I/O stream digests, with its native twin. It must be
/// collision-resistant (the block passes Poseidon); tests may use a toy function.
pub trait StreamHasher<F: PrimeField> {
    /// `H(digest, word)` natively.
    fn hash(&self, digest: F, word: F) -> F;
    /// `H(digest, word)` in the circuit.
    fn hash_gadget<CS: ConstraintSystem<F>>(
        &self,
        cs: CS,
        digest: &AllocatedNum<F>,
        word: &AllocatedNum<F>,
    ) -> Result<AllocatedNum<F>, SynthesisError>;
}

/// Static parameters of the row circuit: the memory size and the table of registered
/// coprocessor selectors (`funct7·8 + funct3`; entry i is circuit index i + 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowConfig {
    mem_bits: u32,
    selectors: Vec<u16>,
}

impl RowConfig {
    /// For a memory of `memory_size` bytes (a power of two in `[4 KiB, 4 GiB]`, as the VM).
    pub fn new(memory_size: u64) -> Result<RowConfig, RowError> {
        canopy_vm::memory::validate_memory_size(memory_size)
            .map_err(|_| RowError::MemorySize(memory_size))?;
        Ok(RowConfig {
            mem_bits: memory_size.trailing_zeros(),
            selectors: Vec::new(),
        })
    }

    /// The same configuration with coprocessors: `functs[i] = (funct7, funct3)` of the
    /// coprocessor whose step circuit has index i + 1. Selectors must be distinct and in
    /// range (funct7 < 128, funct3 < 8).
    pub fn with_coprocessors(mut self, functs: &[(u8, u8)]) -> Result<RowConfig, RowError> {
        let mut sel = Vec::with_capacity(functs.len());
        for &(f7, f3) in functs {
            let s = selector(f7, f3).ok_or(RowError::Selector(f7, f3))?;
            if sel.contains(&s) {
                return Err(RowError::Selector(f7, f3));
            }
            sel.push(s);
        }
        self.selectors = sel;
        Ok(self)
    }

    /// The coprocessor selectors (`funct7·8 + funct3`), in circuit-index order from 1.
    pub fn selectors(&self) -> &[u16] {
        &self.selectors
    }

    /// The circuit index (≥ 1) of the coprocessor selected by `(funct7, funct3)`.
    pub fn coprocessor_index(&self, funct7: u8, funct3: u8) -> Option<u32> {
        let s = selector(funct7, funct3)?;
        self.selectors
            .iter()
            .position(|x| *x == s)
            .map(|i| i as u32 + 1)
    }

    /// The memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        1u64 << self.mem_bits
    }

    /// `log2` of the memory size.
    pub fn mem_bits(&self) -> u32 {
        self.mem_bits
    }

    /// Bits of a word index (`mem_bits - 2`): the length of the address bit vectors.
    pub fn word_index_bits(&self) -> u32 {
        self.mem_bits - 2
    }
}

/// The native state of one I/O stream. `len = 4·words + off` bytes so far; `pending` holds
/// the `off` bytes of the incomplete word (little-endian), `digest` chains the complete words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamState<F: PrimeField> {
    /// `H(...H(H(iv, w_0), w_1)..., w_{words-1})`.
    pub digest: F,
    /// Complete 4-byte words hashed.
    pub words: u64,
    /// Bytes in `pending` (0..4).
    pub off: u32,
    /// The partial word.
    pub pending: u32,
}

impl<F: PrimeField> StreamState<F> {
    /// An empty stream with initial digest `iv`.
    pub fn new(iv: F) -> Self {
        StreamState {
            digest: iv,
            words: 0,
            off: 0,
            pending: 0,
        }
    }

    /// Appends one byte natively.
    pub fn push<H: StreamHasher<F>>(&mut self, hasher: &H, byte: u8) {
        self.pending |= (byte as u32) << (8 * self.off);
        self.off += 1;
        if self.off == 4 {
            self.digest = hasher.hash(self.digest, F::from(self.pending as u64));
            self.words += 1;
            self.off = 0;
            self.pending = 0;
        }
    }

    /// The stream state after `bytes` from an empty stream with digest `iv`.
    pub fn of_bytes<H: StreamHasher<F>>(hasher: &H, iv: F, bytes: &[u8]) -> Self {
        let mut s = StreamState::new(iv);
        for b in bytes {
            s.push(hasher, *b);
        }
        s
    }
}

/// The native row state (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowState<F: PrimeField> {
    /// The pc of the next instruction.
    pub pc: u32,
    /// x0..x31 (`regs[0]` is always 0 and not part of the circuit state).
    pub regs: [u32; 32],
    /// The guest has exited; rows are idle.
    pub halted: bool,
    /// The full a0 passed to exit (0 before).
    pub exit_code: u32,
    /// Instructions retired.
    pub steps: u64,
    /// Bytes moved so far by the I/O `ecall` in progress (0 otherwise).
    pub cursor: u32,
    /// A read from fd 0 returned short: the public input is exhausted.
    pub in_eof: bool,
    /// A read from fd 3 returned short.
    pub priv_eof: bool,
    /// Public input consumed (fd 0).
    pub input: StreamState<F>,
    /// Public output written (fd 1).
    pub output: StreamState<F>,
    /// The coprocessor mailbox.
    pub mbox: Mailbox,
}

/// The coprocessor mailbox (docs/cpu-circuit.md §4): row A of a `custom-0` posts a call,
/// the coprocessor step answers it, row B writes the answer to rd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// A call is posted (row A ran, row B has not).
    pub called: bool,
    /// The coprocessor has answered.
    pub done: bool,
    /// The called coprocessor's circuit index j ≥ 1 (0 when idle).
    pub call: u32,
    /// rs1's value at row A.
    pub arg0: u32,
    /// rs2's value at row A.
    pub arg1: u32,
    /// The coprocessor's status, written to rd by row B.
    pub ret: u32,
}

impl Mailbox {
    /// A call is waiting for its coprocessor: rows are idle and the block hands over.
    pub fn pending(&self) -> bool {
        self.called && !self.done
    }
}

/// Number of field elements of a row state.
pub const ROW_STATE_LEN: usize = 52;

impl<F: PrimeField> RowState<F> {
    /// The initial state: pc at `entry`, everything else zero, streams empty with the given
    /// initial digests.
    pub fn new(entry: u32, in_iv: F, out_iv: F) -> Self {
        RowState {
            pc: entry,
            regs: [0; 32],
            halted: false,
            exit_code: 0,
            steps: 0,
            cursor: 0,
            in_eof: false,
            priv_eof: false,
            input: StreamState::new(in_iv),
            output: StreamState::new(out_iv),
            mbox: Mailbox::default(),
        }
    }

    /// The state as field elements: `pc, x1..x31, halted, exit_code, steps, cursor, in_eof,
    /// priv_eof, in.(digest, words, off, pending), out.(digest, words, off, pending),
    /// mbox.(called, done, call, arg0, arg1, ret)`.
    pub fn fields(&self) -> Vec<F> {
        let u = |v: u64| F::from(v);
        let mut out = vec![u(self.pc as u64)];
        out.extend(self.regs[1..].iter().map(|r| u(*r as u64)));
        out.extend([
            u(self.halted as u64),
            u(self.exit_code as u64),
            u(self.steps),
            u(self.cursor as u64),
            u(self.in_eof as u64),
            u(self.priv_eof as u64),
        ]);
        for s in [&self.input, &self.output] {
            out.extend([s.digest, u(s.words), u(s.off as u64), u(s.pending as u64)]);
        }
        let m = &self.mbox;
        out.extend([
            u(m.called as u64),
            u(m.done as u64),
            u(m.call as u64),
            u(m.arg0 as u64),
            u(m.arg1 as u64),
            u(m.ret as u64),
        ]);
        out
    }
}

/// The allocated row state; fields as in [`RowState`].
#[derive(Debug, Clone)]
pub struct RowVars<F: PrimeField> {
    /// pc.
    pub pc: AllocatedNum<F>,
    /// x1..x31 (index 0 is x1).
    pub regs: Vec<AllocatedNum<F>>,
    /// halted (boolean).
    pub halted: AllocatedNum<F>,
    /// exit code.
    pub exit_code: AllocatedNum<F>,
    /// instructions retired.
    pub steps: AllocatedNum<F>,
    /// I/O cursor.
    pub cursor: AllocatedNum<F>,
    /// public input eof (boolean).
    pub in_eof: AllocatedNum<F>,
    /// private input eof (boolean).
    pub priv_eof: AllocatedNum<F>,
    /// input stream `[digest, words, off, pending]`.
    pub input: [AllocatedNum<F>; 4],
    /// output stream `[digest, words, off, pending]`.
    pub output: [AllocatedNum<F>; 4],
    /// mailbox `[called, done, call, arg0, arg1, ret]`.
    pub mbox: [AllocatedNum<F>; 6],
}

impl<F: PrimeField> RowVars<F> {
    /// Allocates a state with the values of `s` (no constraints), e.g. for tests or for the
    /// first row of a block (which the block then ties to z).
    pub fn alloc<CS: ConstraintSystem<F>>(
        cs: &mut CS,
        s: &RowState<F>,
    ) -> Result<Self, SynthesisError> {
        let v = s.fields();
        let mut nums = Vec::with_capacity(ROW_STATE_LEN);
        for (i, x) in v.iter().enumerate() {
            nums.push(AllocatedNum::alloc(
                cs.namespace(|| format!("state{i}")),
                || Ok(*x),
            )?);
        }
        Self::from_fields(nums)
    }

    /// Builds the state from [`ROW_STATE_LEN`] numbers in [`RowState::fields`] order.
    pub fn from_fields(v: Vec<AllocatedNum<F>>) -> Result<Self, SynthesisError> {
        if v.len() != ROW_STATE_LEN {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "row state has {} fields, expected {ROW_STATE_LEN}",
                v.len()
            )));
        }
        let g = |i: usize| v[i].clone();
        Ok(RowVars {
            pc: g(0),
            regs: v[1..32].to_vec(),
            halted: g(32),
            exit_code: g(33),
            steps: g(34),
            cursor: g(35),
            in_eof: g(36),
            priv_eof: g(37),
            input: [g(38), g(39), g(40), g(41)],
            output: [g(42), g(43), g(44), g(45)],
            mbox: [g(46), g(47), g(48), g(49), g(50), g(51)],
        })
    }

    /// The fields in [`RowState::fields`] order.
    pub fn fields(&self) -> Vec<AllocatedNum<F>> {
        let mut out = vec![self.pc.clone()];
        out.extend(self.regs.iter().cloned());
        out.extend([
            self.halted.clone(),
            self.exit_code.clone(),
            self.steps.clone(),
            self.cursor.clone(),
            self.in_eof.clone(),
            self.priv_eof.clone(),
        ]);
        out.extend(self.input.iter().cloned());
        out.extend(self.output.iter().cloned());
        out.extend(self.mbox.iter().cloned());
        out
    }
}

/// The prover's witness for one row: the state before and the claimed state after, the
/// fetched word and the data slot. Internal hints (bits, carries, quotients, flags) are derived
/// from these by the circuit code; every claimed value is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWitness<F: PrimeField> {
    /// State before the row.
    pub pre: RowState<F>,
    /// Claimed state after the row.
    pub post: RowState<F>,
    /// The instruction word at `pre.pc`.
    pub word: u32,
    /// The byte address of the data access (loads/stores: the accessed address; I/O steps:
    /// `a1 + cursor`; other rows: any address, by convention `pre.pc`).
    pub data_addr: u32,
    /// The data word at `data_addr & !3` before the row.
    pub data_old: u32,
    /// The data word after the row (`data_old` unless the row stores).
    pub data_new: u32,
}

/// What a row hands to the block circuit.
#[derive(Debug, Clone)]
pub struct RowOutput<F: PrimeField> {
    /// The next row state.
    pub next: RowVars<F>,
    /// Word index of the fetch (`pc / 4`), little-endian bits ([`RowConfig::word_index_bits`]).
    pub fetch_addr: Vec<Boolean>,
    /// Word index of the data access, little-endian bits.
    pub data_addr: Vec<Boolean>,
    /// The new data word.
    pub data_new: AllocatedNum<F>,
    /// 1 if the row writes data memory (the leaf must be writable), else 0.
    pub data_write: AllocatedNum<F>,
}

/// `funct7·8 + funct3`, if both are in range.
fn selector(funct7: u8, funct3: u8) -> Option<u16> {
    (funct7 < 128 && funct3 < 8).then_some(funct7 as u16 * 8 + funct3 as u16)
}

fn fu<F: PrimeField>(v: u64) -> F {
    F::from(v)
}

fn fb<F: PrimeField>(v: bool) -> F {
    if v {
        F::ONE
    } else {
        F::ZERO
    }
}

/// Synthesises one row. `word` and `data_old` are the block's allocated fetch and data words;
/// `wit` supplies every value (its `pre` must match `state`, `word` and `data_old`, else the
/// constraints fail). The constraint structure depends only on `cfg` and the hasher.
pub fn synthesize_row<F, CS, H>(
    cs: &mut CS,
    cfg: &RowConfig,
    hasher: &H,
    state: &RowVars<F>,
    word: &AllocatedNum<F>,
    data_old: &AllocatedNum<F>,
    wit: &RowWitness<F>,
) -> Result<RowOutput<F>, SynthesisError>
where
    F: PrimeField + PrimeFieldBits,
    CS: ConstraintSystem<F>,
    H: StreamHasher<F>,
{
    use Kind::*;
    if state.regs.len() != 31 {
        return Err(SynthesisError::IncompatibleLengthVector(
            "row state needs 31 registers".into(),
        ));
    }
    let (pre, post) = (&wit.pre, &wit.post);
    let pc = Expr::num(&state.pc, fu(pre.pc as u64));
    let mut regs = vec![Expr::zero()];
    for i in 1..32 {
        regs.push(Expr::num(&state.regs[i - 1], fu(pre.regs[i] as u64)));
    }
    let halted = Expr::num(&state.halted, fb(pre.halted));
    let exit_code = Expr::num(&state.exit_code, fu(pre.exit_code as u64));
    let steps = Expr::num(&state.steps, fu(pre.steps));
    let cursor = Expr::num(&state.cursor, fu(pre.cursor as u64));
    let in_eof = Expr::num(&state.in_eof, fb(pre.in_eof));
    let priv_eof = Expr::num(&state.priv_eof, fb(pre.priv_eof));
    let pm = &pre.mbox;
    let m_called = Expr::num(&state.mbox[0], fb(pm.called));
    let m_done = Expr::num(&state.mbox[1], fb(pm.done));
    let m_call = Expr::num(&state.mbox[2], fu(pm.call as u64));
    let m_arg0 = Expr::num(&state.mbox[3], fu(pm.arg0 as u64));
    let m_arg1 = Expr::num(&state.mbox[4], fu(pm.arg1 as u64));
    let m_ret = Expr::num(&state.mbox[5], fu(pm.ret as u64));
    let stream = |v: &[AllocatedNum<F>; 4], s: &StreamState<F>| ecall::StreamExprs {
        digest: Expr::num(&v[0], s.digest),
        words: Expr::num(&v[1], fu(s.words)),
        off: Expr::num(&v[2], fu(s.off as u64)),
        pending: Expr::num(&v[3], fu(s.pending as u64)),
    };
    let word_e = Expr::num(word, fu(wit.word as u64));
    let old = Expr::num(data_old, fu(wit.data_old as u64));

    // Fetch address and decode.
    let fetch_addr = loadstore::fetch_address(&mut cs.namespace(|| "fetch"), cfg.mem_bits, &pc)?;
    // A posted, unanswered coprocessor call idles the row like a halt (the two never meet:
    // only an active row can halt or post a call).
    let pending = mul(
        &mut cs.namespace(|| "mbox pending"),
        "pending",
        &m_called,
        &m_done.not(),
    )?;
    let idle = halted.clone() + &pending;
    let kind = if pre.halted || pm.pending() {
        None
    } else {
        Kind::of_word(wit.word)
    };
    let dec = decode::decode(&mut cs.namespace(|| "decode"), &word_e, &idle, kind)?;
    let copro = coprocessor_call(
        &mut cs.namespace(|| "custom-0"),
        cfg,
        &dec,
        kind == Some(Custom0),
        &m_called,
        &m_call,
    )?;

    // Registers and operands.
    let (a, v2) = {
        let cs = &mut cs.namespace(|| "regs read");
        (
            regs::read(cs, "a", &dec.rs1_bits, &regs)?,
            regs::read(cs, "v2", &dec.rs2_bits, &regs)?,
        )
    };
    let opimm = dec.any(&[Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai]);
    let (a_bits, b, b_bits) = {
        let cs = &mut cs.namespace(|| "operands");
        let a_bits = decompose(cs, "a", &a, 32)?;
        let b = select(cs, "B", &opimm, &v2, &dec.imm_i)?;
        let b_bits = decompose(cs, "B", &b, 32)?;
        (a_bits, b, b_bits)
    };
    let (a31, b31) = (&a_bits[31], &b_bits[31]);

    // ALU units.
    let bw = alu::bitwise(&mut cs.namespace(|| "bitwise"), &a, &a_bits, &b, &b_bits)?;
    let cmp = alu::compare(&mut cs.namespace(|| "compare"), &a, a31, &b, b31)?;
    let ops = muldiv::MulOps {
        sll: dec.any(&[Sll, Slli]),
        sr: dec.any(&[Srl, Srli, Sra, Srai]),
        sa: dec.any(&[Mulh, Mulhsu, Sra, Srai]),
        sb: dec.f(Mulh).clone(),
    };
    let prod = muldiv::multiply(
        &mut cs.namespace(|| "multiplier"),
        &ops,
        &a,
        a31,
        &b,
        &b_bits,
    )?;
    let quo = muldiv::divide(
        &mut cs.namespace(|| "divider"),
        &dec.any(&[Div, Divu, Rem, Remu]),
        &dec.any(&[Div, Rem]),
        &a,
        a31,
        &b,
        b31,
    )?;

    // Data slot and ecall.
    let slot = loadstore::data_slot(
        &mut cs.namespace(|| "data"),
        cfg.mem_bits,
        wit.data_addr as u64,
        &old,
    )?;
    let read_byte = (wit.data_new >> (8 * (wit.data_addr & 3))) as u8;
    let ec = ecall::ecall(
        &mut cs.namespace(|| "ecall"),
        hasher,
        ecall::EcallIn {
            f_ecall: dec.f(Ecall),
            a0: &regs[10],
            a1: &regs[11],
            a2: &regs[12],
            a7: &regs[17],
            cursor: &cursor,
            in_eof: &in_eof,
            priv_eof: &priv_eof,
            input: stream(&state.input, &pre.input),
            output: stream(&state.output, &pre.output),
            old_byte: &slot.byte,
            read_byte,
            memory_size: cfg.memory_size(),
            post,
        },
    )?;

    // rd value: Σ f_k·res_k + ecall return, reduced mod 2^32 by a carry, range-checked.
    let lb = slot.byte.clone() + &slot.byte_sign.scale(fu(0xffff_ff00));
    let lh = slot.half.clone() + &slot.half_sign.scale(fu(0xffff_0000));
    let terms: Vec<(&str, Expr<F>, Expr<F>)> = vec![
        ("lui", dec.f(Lui).clone(), dec.imm_u.clone()),
        ("auipc", dec.f(Auipc).clone(), pc.clone() + &dec.imm_u),
        ("link", dec.any(&[Jal, Jalr]), pc.add_const(fu(4))),
        ("add", dec.any(&[Add, Addi]), a.clone() + &b),
        ("sub", dec.f(Sub).clone(), cmp.sub.clone()),
        ("slt", dec.any(&[Slt, Slti]), cmp.lt.clone()),
        ("sltu", dec.any(&[Sltu, Sltiu]), cmp.ltu.clone()),
        ("xor", dec.any(&[Xor, Xori]), bw.xor.clone()),
        ("or", dec.any(&[Or, Ori]), bw.or.clone()),
        ("and", dec.any(&[And, Andi]), bw.and.clone()),
        ("lo", dec.any(&[Mul, Sll, Slli]), prod.lo.clone()),
        (
            "hi",
            dec.any(&[Mulh, Mulhsu, Mulhu, Srl, Srli, Sra, Srai]),
            prod.hi.clone(),
        ),
        ("quot", dec.any(&[Div, Divu]), quo.q.clone()),
        ("rem", dec.any(&[Rem, Remu]), quo.r.clone()),
        ("lb", dec.f(Lb).clone(), lb),
        ("lbu", dec.f(Lbu).clone(), slot.byte.clone()),
        ("lh", dec.f(Lh).clone(), lh),
        ("lhu", dec.f(Lhu).clone(), slot.half.clone()),
        ("lw", dec.f(Lw).clone(), old.clone()),
        ("ret", copro.row_b.clone(), m_ret.clone()),
    ];
    let (rd_val, e_rd) = {
        let cs = &mut cs.namespace(|| "rd");
        let mut rd_pre = ec.ret.clone();
        for (name, flag, value) in &terms {
            rd_pre = rd_pre + &mul(cs, &format!("rd:{name}"), flag, value)?;
        }
        let pre_val = rd_pre.int();
        let rd_val = bits::alloc(cs, "rd", fu((pre_val & 0xffff_ffff) as u64))?;
        let rd_carry = alloc_bit(cs, "rd:carry", pre_val >> 32 != 0)?;
        enforce_eq(
            cs,
            "rd:reduce",
            &(rd_val.clone() + &rd_carry.scale(pow2(32))),
            &rd_pre,
        );
        decompose(cs, "rd:range", &rd_val, 32)?;
        let writes = dec.any(&[
            Lui, Auipc, Jal, Jalr, Lb, Lh, Lw, Lbu, Lhu, Addi, Slti, Sltiu, Xori, Ori, Andi, Slli,
            Srli, Srai, Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu,
            Div, Divu, Rem, Remu,
        ]) + &copro.row_b;
        let rd_eff = mul(cs, "rd:eff", &writes, &dec.rd)? + &ec.ret_flag.scale(fu(10));
        let e_rd = regs::onehot32(cs, "rd:sel", &rd_eff)?;
        (rd_val, e_rd)
    };
    let next_regs = regs::write(
        &mut cs.namespace(|| "regs write"),
        &e_rd,
        &regs,
        &rd_val,
        &post.regs,
    )?;

    // Next pc.
    let next_pc = {
        let cs = &mut cs.namespace(|| "next pc");
        let stay = dec.idle.clone() + &ec.exit + &ec.step + &copro.row_a;
        let jalr_raw = a.clone() + &dec.imm_i;
        let bit0 = alloc_bit(cs, "jalr:bit0", jalr_raw.int() & 1 == 1)?;
        let eq_t = mul(cs, "br:eq", &(dec.f(Beq).clone() - dec.f(Bne)), &cmp.eq)?;
        let lt_t = mul(cs, "br:lt", &(dec.f(Blt).clone() - dec.f(Bge)), &cmp.lt)?;
        let ltu_t = mul(cs, "br:ltu", &(dec.f(Bltu).clone() - dec.f(Bgeu)), &cmp.ltu)?;
        let taken = eq_t + &lt_t + &ltu_t + dec.f(Bne) + dec.f(Bge) + dec.f(Bgeu);
        let p_jal = mul(cs, "pc:jal", dec.f(Jal), &dec.imm_j.add_const(-fu::<F>(4)))?;
        let p_jalr = mul(
            cs,
            "pc:jalr",
            dec.f(Jalr),
            &(jalr_raw - &bit0 - &pc).add_const(-fu::<F>(4)),
        )?;
        let p_br = mul(cs, "pc:branch", &taken, &dec.imm_b.add_const(-fu::<F>(4)))?;
        let target = pc.add_const(fu(4)) + &p_jal + &p_jalr + &p_br - &stay.scale(fu(4));
        let (next_pc, next_pc_e) = alloc_num(cs, "pc'", fu(post.pc as u64))?;
        let pc_carry = alloc_bit(cs, "pc:carry", target.int() >> 32 != 0)?;
        enforce_eq(
            cs,
            "pc':eq",
            &(next_pc_e + &pc_carry.scale(pow2(32))),
            &target,
        );
        next_pc
    };

    // Data address, alignment, store merge.
    let (data_new, data_write) = {
        let cs = &mut cs.namespace(|| "memory");
        let is_store = dec.any(&[Sb, Sh, Sw]);
        let is_mem = dec.any(&[Lb, Lh, Lw, Lbu, Lhu]) + &is_store;
        let imm_ls = select(cs, "imm_ls", &is_store, &dec.imm_i, &dec.imm_s)?;
        let eff = a.clone() + &imm_ls;
        let addr_carry = alloc_bit(cs, "addr:carry", eff.int() >> 32 != 0)?;
        enforce_zero_product(
            cs,
            "addr:mem",
            &is_mem,
            &(eff - &addr_carry.scale(pow2(32)) - &slot.addr),
        );
        enforce_zero_product(
            cs,
            "addr:io",
            &ec.step,
            &(regs[11].clone() + &cursor - &slot.addr),
        );
        enforce_zero_product(cs, "align:half", &dec.any(&[Lh, Lhu, Sh]), &slot.o0);
        enforce_zero_product(
            cs,
            "align:word",
            &dec.any(&[Lw, Sw]),
            &(slot.o0.clone() + &slot.o1),
        );
        let b_byte = pack(&b_bits[0..8]);
        let b_half = pack(&b_bits[0..16]);
        let u_sb = mul(cs, "st:sb", dec.f(Sb), &(b_byte - &slot.byte))?;
        let u_io = mul(cs, "st:io", &ec.step_store, &(ec.byte.clone() - &slot.byte))?;
        let t_byte = mul(cs, "st:byte", &slot.byte_pos, &(u_sb + &u_io))?;
        let u_sh = mul(cs, "st:sh", dec.f(Sh), &(b_half - &slot.half))?;
        let t_half = mul(cs, "st:half", &slot.half_pos, &u_sh)?;
        let t_word = mul(cs, "st:sw", dec.f(Sw), &(b.clone() - &old))?;
        let (data_new, data_new_e) = alloc_num(cs, "data_new", fu(wit.data_new as u64))?;
        enforce_eq(
            cs,
            "data_new:eq",
            &data_new_e,
            &(old.clone() + &t_byte + &t_half + &t_word),
        );
        let write_flag = is_store + &ec.step_store;
        let (data_write, dw) = alloc_num(cs, "data_write", write_flag.val)?;
        enforce_eq(cs, "data_write:eq", &dw, &write_flag);
        (data_new, data_write)
    };

    // Halting, exit code, step counter.
    let (halted_n, exit_n, steps_n) = {
        let cs = &mut cs.namespace(|| "control");
        let (halted_n, he) = alloc_num(cs, "halted'", fb(post.halted))?;
        enforce_eq(cs, "halted':eq", &he, &(halted.clone() + &ec.exit));
        let (exit_n, ee) = alloc_num(cs, "exit'", fu(post.exit_code as u64))?;
        enforce_mul(
            cs,
            "exit':eq",
            &ec.exit,
            &(regs[10].clone() - &exit_code),
            &(ee - &exit_code),
        );
        let (steps_n, se) = alloc_num(cs, "steps'", fu(post.steps))?;
        let retire = dec.idle.not() - &ec.step - &copro.row_a;
        enforce_eq(cs, "steps':eq", &se, &(steps + &retire));
        (halted_n, exit_n, steps_n)
    };

    // Mailbox: row A posts (called, call = j, args); row B clears called/done/call.
    let mbox = {
        let cs = &mut cs.namespace(|| "mailbox");
        let pa = &post.mbox;
        let call_d = mul(
            cs,
            "call'",
            &(copro.row_a.clone() - &copro.row_b),
            &copro.index,
        )?;
        let arg0_d = mul(cs, "arg0'", &copro.row_a, &(a.clone() - &m_arg0))?;
        let arg1_d = mul(cs, "arg1'", &copro.row_a, &(v2.clone() - &m_arg1))?;
        let next: [(F, Expr<F>); 6] = [
            (fb(pa.called), m_called + &copro.row_a - &copro.row_b),
            (fb(pa.done), m_done - &copro.row_b),
            (fu(pa.call as u64), m_call + &call_d),
            (fu(pa.arg0 as u64), m_arg0 + &arg0_d),
            (fu(pa.arg1 as u64), m_arg1 + &arg1_d),
            (fu(pa.ret as u64), m_ret),
        ];
        let mut out = Vec::with_capacity(6);
        for (i, (v, e)) in next.into_iter().enumerate() {
            let (n, ne) = alloc_num(cs, &format!("mbox{i}'"), v)?;
            enforce_eq(cs, &format!("mbox{i}':eq"), &ne, &e);
            out.push(n);
        }
        out
    };

    let next = RowVars {
        pc: next_pc,
        regs: next_regs,
        halted: halted_n,
        exit_code: exit_n,
        steps: steps_n,
        cursor: ec.cursor,
        in_eof: ec.in_eof,
        priv_eof: ec.priv_eof,
        input: [
            ec.input.digest,
            ec.input.words,
            ec.input.off,
            ec.input.pending,
        ],
        output: [
            ec.output.digest,
            ec.output.words,
            ec.output.off,
            ec.output.pending,
        ],
        mbox: [
            mbox[0].clone(),
            mbox[1].clone(),
            mbox[2].clone(),
            mbox[3].clone(),
            mbox[4].clone(),
            mbox[5].clone(),
        ],
    };
    Ok(RowOutput {
        next,
        fetch_addr,
        data_addr: slot.word_index,
        data_new,
        data_write,
    })
}

/// The `custom-0` part of a row: which half of the call it is and which coprocessor.
struct CoprocessorCall<F: PrimeField> {
    /// Row A: posts the call (`f_custom·(1 − called)`).
    row_a: Expr<F>,
    /// Row B: writes the answer (`f_custom·called`).
    row_b: Expr<F>,
    /// The selected circuit index `j` (0 unless the row is a `custom-0`).
    index: Expr<F>,
}

/// One-hot selection of the word's `funct7·8 + funct3` among the registered selectors
/// (unsatisfiable for an unregistered one, as the VM faults), the split into rows A and B,
/// and row B's check that it answers the call that was posted. Cost: one boolean per
/// registered coprocessor + 4.
fn coprocessor_call<F, CS>(
    cs: &mut CS,
    cfg: &RowConfig,
    dec: &decode::Decoded<F>,
    is_custom: bool,
    called: &Expr<F>,
    call: &Expr<F>,
) -> Result<CoprocessorCall<F>, SynthesisError>
where
    F: PrimeField + PrimeFieldBits,
    CS: ConstraintSystem<F>,
{
    let f_c = dec.f(Kind::Custom0);
    let sel_val = dec.selector.int();
    let mut count = Expr::zero();
    let mut weighted = Expr::zero();
    let mut index = Expr::zero();
    for (i, s) in cfg.selectors.iter().enumerate() {
        let e = alloc_bit(cs, &format!("sel{i}"), is_custom && sel_val == *s as u128)?;
        count = count + &e;
        weighted = weighted + &e.scale(fu(*s as u64));
        index = index + &e.scale(fu(i as u64 + 1));
    }
    enforce_eq(cs, "one coprocessor", &count, f_c);
    enforce_mul(cs, "selector matches", f_c, &dec.selector, &weighted);
    let row_b = mul(cs, "row B", f_c, called)?;
    let row_a = f_c.clone() - &row_b;
    enforce_zero_product(
        cs,
        "row B answers its call",
        &row_b,
        &(index.clone() - call),
    );
    Ok(CoprocessorCall {
        row_a,
        row_b,
        index,
    })
}
