//! The native reference ("oracle") of the offline memory-checking argument of issue 15.
//!
//! **Not yet wired into the circuits (issue 15 continues).** Nothing in the block circuit,
//! the coprocessor steps, the prover or the verifier uses this module yet; it fixes the
//! access schedule, the multisets, the fingerprint, the binding chain and the challenge
//! derivation that the circuits will be checked against.
//!
//! # The argument (`../shared/MEMORY.md` §1)
//!
//! * **Address space** ([`Cell`]): a guest word is the cell whose number is its **byte
//!   address** (word aligned, `< memory size ≤ 2^32`); register `x_r` is the cell
//!   [`REG_BASE`]` + r = 2^32 + r`. Byte addresses rather than word indices: the circuit already
//!   holds pc and the data address as numbers (pc bits, `addr & !3`), so no division by 4 is
//!   needed. Future I/O tapes fit in `[2^33, 2^34)` ([`CELL_BITS`] = 34).
//! * **Values**: a guest word's value keeps today's permission tags,
//!   `word + 2^32·W + 2^33·X` ([`crate::memory::Leaf::to_u64`]); fetches require X, stores
//!   (value changes) require W, tags never change; coprocessors may write only words that
//!   are W and not X (as today). A register's value is its u32 (no tags). x0 is an ordinary
//!   cell whose initial value is 0 and whose every write writes back the value read (writes
//!   to x0 are dropped), so it reads 0 forever without a special case.
//! * **Clock**: the n-th access of the run (0-based) has time `ts = n + 1`; the initial set
//!   has time 0. An [`Access`] of a cell is a read of `(a, v_r, t_r)` followed by a write of
//!   `(a, v_w, ts)`; a pure read writes back `v_r`. `t_r < ts` is checked separately
//!   ([`logup::check_time_order`]).
//! * **Schedule** (what phase 2's circuits will do, access for access; see
//!   [`checker::MemoryChecker`]): steps are exactly those of [`crate::block::BlockWitnessGen`]
//!   (K rows per CPU block, I/O `ecall`s one row per byte plus a final row, `custom-0` as row
//!   A, idle padding, the coprocessor step and row B, idle padding after halt). Every CPU row
//!   makes **exactly 5 accesses**, in this order ([`ROW_ACCESSES`]):
//!   1. *fetch*: the word at pc, pure read, X required;
//!   2. *A*: register `word[19:15]` (rs1 field), pure read;
//!   3. *B*: register `word[24:20]` (rs2 field), pure read;
//!   4. *data*: the word `data_addr & !3` (loads: pure read; stores and `read` bytes: write of
//!      the new word, W required if it changes; rows without memory access: pure read of the
//!      pc's word, as today's convention);
//!   5. *D*: register `word[11:7]` (rd field), read then write of its value after the row
//!      (the old value when the row writes no register: branches, stores, x0).
//!
//!   Fields are taken from the word whatever its format: a slot the instruction does not use
//!   is a pure read of whatever register its bits name (harmless: a pure read is consistent
//!   by construction), so the row never selects a slot count. **`ecall` rows** (word
//!   `0x00000073`, whose fields are all 0) use A = a7 (x17), B = a1 (x11), D = a0 (x10; read
//!   for the fd or exit code, written with the return value on the final row), and on every
//!   row that moves no byte (final rows, exit, debug write, bad fd, unknown call, idle rows
//!   at the exit) the data slot is a pure read of **a2 (x12)**, the length: so every ecall row
//!   sees a7, a0, a1 and the final row also a2 (byte rows need not see a2: the final row's
//!   `cursor ≤ a2` bounds every earlier byte row, as the cursor only grows).
//!   A **coprocessor step** of circuit j makes one pure read per word of its input regions,
//!   then one read-modify-write per word of its output regions, in declaration order (the
//!   order of today's `BlockWitnessGen::coprocessor_step`): a fixed count per circuit.
//! * **Multisets** ([`sets`]): IS (each cell once, initial value, time 0), RS (reads), WS
//!   (writes), FS (each cell once, final value, last time); consistent iff
//!   `IS ⊎ WS = RS ⊎ FS`. Natively both forms exist: over the touched cells only, and over the
//!   **page list** (every word of every touched 4 KiB page, strictly increasing, plus the 32
//!   registers always), which is what the audit circuit will enumerate. Untouched words of a
//!   listed page contribute the same tuple to IS and FS, so both forms give the same sum.
//! * **Fingerprint** ([`logup`]): `h(a, v, t) = a + γ·v + γ²·t`, LogUp sum
//!   `S = Σ_WS 1/(α−h) − Σ_RS 1/(α−h)` (additive over any split of the run), completed by
//!   `Σ_IS − Σ_FS`; memory was consistent iff the total is 0 (with overwhelming probability
//!   over `(γ, α)`; a pole `α = h` is reported as an error).
//! * **Binding** ([`binding`], MEMORY.md §2 option A): `IC_i = H(IC_{i−1}, header_i,
//!   packed accesses of step i)` with nova-snark's Poseidon sponge, and
//!   `(γ, α) = H(tag, params digest, program digest, input digest, page list, IC_end)`, behind
//!   the [`binding::ChallengeBinding`] trait so that option B can replace it.
//!
//! # Deviations from MEMORY.md (and why)
//!
//! * Cells are byte addresses (MEMORY.md allows either): no division in circuit.
//! * Registers need no special x0 handling beyond "D writes the row's post value": x0's post
//!   value is 0, so writes to it are dropped by construction.
//! * `ecall` rows read a7/a1 through the A/B slots and a2 through the otherwise unused data
//!   slot, rather than adding register slots: 5 accesses per row for every row.
//! * The page list covers guest memory only; the 32 registers are always in IS and FS (one
//!   fixed "register page"), so the verifier needs no flag for them.
//! * The write time is not packed into the chain: it is the step's `ts_start` (in the
//!   step's header) plus the access's position, which the circuit knows.
//! * **I/O is not routed through the argument yet**: the bytes a `read` writes into guest
//!   memory (public and private input) are ordinary data-slot writes (so private input is
//!   bound by the chain, as §2 asks), but the public input and output streams keep today's
//!   per-row Poseidon digests in the row state. Input/output tapes are left to the wiring.
//! * IC starts at 0 ([`binding::PoseidonChain::start`]); the statement (program, input,
//!   parameters) enters only the challenge derivation.
//!
//! # Measured (`tests/memcheck.rs::figures`, K = 16, 2 shared cores, not asserted)
//!
//! 5.00–5.33 accesses per instruction (exactly 5 per row; I/O bytes, `custom-0` and padding
//! add rows). Native time per instruction: schedule (records to accesses, the cell map)
//! 0.3–1 µs; LogUp sums with IS and FS 2–9 µs; the Poseidon chain 60–120 µs (a width-25
//! permutation per 24 packed accesses), which dominates phase 1: ≈ 1 minute per million
//! instructions on one core.
//!
//! # What the wiring must keep (notes for the circuit side)
//!
//! * The circuit makes the same accesses in the same order, including the data slot of rows
//!   without memory access (a pure read of the pc's word; the circuit may leave that address
//!   free, a pure read is harmless, but phase 1 and phase 2 must agree) and the `ecall`
//!   slot rule (a7, a1, a2 via data, a0).
//! * Range checks: every packed component to its width ([`binding`]), and
//!   `ts − t_r − 1 ∈ [0, 2^48)` for the time order.
//! * The chain is sequential over steps; phase 1 under MPI can only be split if the chain is
//!   (e.g. per-step digests hashed in parallel, then a cheap sequential chain of digests: one
//!   small permutation per step). Not done here.

pub mod binding;
pub mod checker;
pub mod error;
pub mod logup;
pub mod sets;

pub use binding::{ChallengeBinding, PoseidonChain, Statement};
pub use checker::MemoryChecker;
pub use error::MemCheckError;
pub use logup::{check_time_order, Challenges};
pub use sets::{InitialImage, PageList};

/// A cell of the address space: a guest word's byte address (`< 2^32`, aligned) or
/// [`REG_BASE`]` + r` for register `x_r`.
pub type Cell = u64;

/// The first register cell: register `x_r` is cell `2^32 + r`.
pub const REG_BASE: Cell = 1 << 32;
/// Number of registers (x0..x31), all in IS and FS.
pub const NUM_REGS: u64 = 32;
/// Bytes per page of the touched-page list.
pub const PAGE_BYTES: u64 = 4096;
/// Words per page.
pub const PAGE_WORDS: u64 = PAGE_BYTES / 4;
/// Accesses per CPU row (fetch, A, B, data, D).
pub const ROW_ACCESSES: usize = 5;
/// The `ecall` instruction word.
pub const ECALL_WORD: u32 = 0x0000_0073;
/// Register cell of the `ecall` A slot (a7).
pub const ECALL_REG_A: u8 = 17;
/// Register cell of the `ecall` B slot (a1).
pub const ECALL_REG_B: u8 = 11;
/// Register cell of the `ecall` D slot (a0).
pub const ECALL_REG_D: u8 = 10;
/// Register read through the data slot of `ecall` rows that move no byte (a2).
pub const ECALL_REG_DATA: u8 = 12;

/// Bits of a packed cell number (cells are `< 2^34`).
pub const CELL_BITS: u32 = 34;
/// Bits of a packed value (`word + 2^32·W + 2^33·X < 2^34`; registers `< 2^32`).
pub const VALUE_BITS: u32 = 34;
/// Bits of a packed time (the run makes fewer than `2^48` accesses).
pub const TIME_BITS: u32 = 48;

/// The cell of register `x_r`.
pub fn reg_cell(r: u8) -> Cell {
    REG_BASE + (r & 31) as u64
}

/// One tuple of a multiset: `(a, v, t)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple {
    /// The cell.
    pub cell: Cell,
    /// Its value (`< 2^34`).
    pub value: u64,
    /// The time (`< 2^48`).
    pub time: u64,
}

/// One access: a read of `(cell, read_value, read_time)`, then a write of
/// `(cell, write_value, time)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Access {
    /// The cell.
    pub cell: Cell,
    /// The value read.
    pub read_value: u64,
    /// The time of the write that the read consumes (0: the initial set).
    pub read_time: u64,
    /// The value written back (equal to `read_value` for a pure read).
    pub write_value: u64,
    /// The clock of this access (`ts`), the time of its write.
    pub time: u64,
}

impl Access {
    /// The tuple this access puts in RS.
    pub fn read_tuple(&self) -> Tuple {
        Tuple {
            cell: self.cell,
            value: self.read_value,
            time: self.read_time,
        }
    }

    /// The tuple this access puts in WS.
    pub fn write_tuple(&self) -> Tuple {
        Tuple {
            cell: self.cell,
            value: self.write_value,
            time: self.time,
        }
    }
}

/// Which fold step a group of accesses belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// A CPU block of K rows (circuit 0): `5·K` accesses.
    Block,
    /// The step of coprocessor circuit `j ≥ 1`.
    Coprocessor(u32),
}

/// The accesses of one fold step, in schedule order; access i has time `ts_start + i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAccesses {
    /// CPU block or coprocessor step.
    pub kind: StepKind,
    /// The clock of the step's first access.
    pub ts_start: u64,
    /// The accesses.
    pub accesses: Vec<Access>,
}
