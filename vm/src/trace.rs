//! Streaming execution traces.
//!
//! [`crate::Vm::trace`] returns a [`crate::TraceBlocks`] iterator that executes the guest lazily, K
//! instructions per pulled [`Block`]: the whole trace is never held in memory. Each executed
//! instruction is one [`StepRecord`] carrying what the CPU step circuit needs to re-check it.
//! The last block may be shorter than K; the iterator ends after the block that contains the
//! exit `ecall`. If the guest faults, the records executed before the fault are yielded as a
//! (short) block and the next item is the error; the iterator ends after it.
//!
//! Record conventions:
//! - `rs1`/`rs2` are the register numbers the instruction's format reads (0 where it has none),
//!   with their values before execution. `ecall` lists its arguments in its [`EcallEvent`].
//! - `rd`/`rd_value`: the register written and its new value; `rd == 0` means no register was
//!   written (writes to x0 are discarded). `ecall`s other than exit write their return value
//!   to a0 (`rd == 10`).
//! - `memory`: for loads and stores, the access and the containing aligned word before and after
//!   (equal for loads). Sub-word accesses report the containing word.
//! - `next_pc`: the pc of the next instruction; for the exit `ecall` it is the ecall's own pc
//!   (the machine halts there).

use crate::op::Op;

/// An aligned guest memory word and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryWord {
    /// Word-aligned address.
    pub addr: u32,
    /// The word's value.
    pub value: u32,
}

/// A write of an aligned guest memory word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryWrite {
    /// Word-aligned address.
    pub addr: u32,
    /// The word before the write.
    pub old: u32,
    /// The word after the write.
    pub new: u32,
}

/// Whether a memory access reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A load (LB, LH, LW, LBU, LHU).
    Load,
    /// A store (SB, SH, SW).
    Store,
}

/// The memory access of a load or store instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryAccess {
    /// Load or store.
    pub kind: AccessKind,
    /// Access width in bytes (1, 2 or 4).
    pub width: u8,
    /// The byte address accessed.
    pub addr: u32,
    /// The containing aligned word's address (`addr & !3`).
    pub word_addr: u32,
    /// The containing word before the access.
    pub old: u32,
    /// The containing word after the access (equal to `old` for loads).
    pub new: u32,
}

/// What an `ecall` did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EcallKind {
    /// `exit` (a7 = 93, or 94 `exit_group`): the guest halted with this full a0 value.
    Exit {
        /// The full a0 value (the process exit status is its low byte).
        code: u32,
    },
    /// `write` (a7 = 64) to fd 1 (public output) or fd 2 (debug log).
    Write {
        /// The file descriptor.
        fd: u32,
        /// The bytes written.
        data: Vec<u8>,
    },
    /// `read` (a7 = 63) from fd 0 (public input) or fd 3 (private input).
    Read {
        /// The file descriptor.
        fd: u32,
        /// The bytes consumed from the input (empty at end of input).
        data: Vec<u8>,
        /// The guest memory words the read modified.
        words: Vec<MemoryWrite>,
    },
    /// `read` or `write` on an unsupported fd: returned -EBADF (-9).
    BadFd {
        /// The file descriptor.
        fd: u32,
    },
    /// An unknown system call: returned -ENOSYS (-38).
    Unknown,
}

/// The I/O event of an `ecall`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EcallEvent {
    /// The system call number (a7).
    pub syscall: u32,
    /// The arguments a0, a1, a2 before the call.
    pub args: [u32; 3],
    /// What happened.
    pub kind: EcallKind,
    /// The value returned in a0, if the call returned (`None` for exit).
    pub ret: Option<u32>,
}

/// A coprocessor call made by a `custom-0` instruction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CoprocessorEvent {
    /// The coprocessor's id.
    pub id: u32,
    /// The coprocessor's name.
    pub name: String,
    /// funct7 of the instruction.
    pub funct7: u8,
    /// funct3 of the instruction.
    pub funct3: u8,
    /// Words the coprocessor read, in order.
    pub reads: Vec<MemoryWord>,
    /// Words the coprocessor wrote, in order.
    pub writes: Vec<MemoryWrite>,
    /// The status written to rd.
    pub status: u32,
}

/// An event attached to a step: an `ecall`'s I/O or a coprocessor call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StepEvent {
    /// An `ecall`.
    Ecall(EcallEvent),
    /// A `custom-0` coprocessor call.
    Coprocessor(CoprocessorEvent),
}

/// One executed instruction. See the module documentation for the conventions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepRecord {
    /// Index of the instruction in the execution (0 for the first).
    pub step: u64,
    /// Its pc.
    pub pc: u32,
    /// Its word.
    pub word: u32,
    /// First source register number (0 if none).
    pub rs1: u8,
    /// Value of `rs1` before execution.
    pub rs1_value: u32,
    /// Second source register number (0 if none).
    pub rs2: u8,
    /// Value of `rs2` before execution.
    pub rs2_value: u32,
    /// Destination register number (0: nothing written).
    pub rd: u8,
    /// New value of `rd` (0 if nothing written).
    pub rd_value: u32,
    /// The load or store access, if any.
    pub memory: Option<MemoryAccess>,
    /// The pc of the next instruction.
    pub next_pc: u32,
    /// An ecall or coprocessor event, if any (boxed: rare, and keeps records small).
    pub event: Option<Box<StepEvent>>,
}

/// K consecutive executed instructions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// The step index of the first record.
    pub first_step: u64,
    /// The records, in execution order (at most K; fewer only in the last block).
    pub records: Vec<StepRecord>,
}

/// Hooks through which the executor reports what one instruction did.
///
/// The executor is generic over an observer so that the fast path ([`NoTrace`], whose hooks
/// are empty and whose `ENABLED` is false, so they compile away) and the tracing path
/// ([`Recorder`]) share one implementation of the ISA semantics.
pub(crate) trait Observer {
    /// Whether hooks do anything; when false, the executor skips work done only for them.
    const ENABLED: bool;
    /// An instruction is about to execute.
    fn begin(&mut self, step: u64, pc: u32, word: u32, op: &Op, regs: &[u32; 32]);
    /// The instruction wrote `value` to register `rd` (called also for `rd == 0`).
    fn write_rd(&mut self, rd: u8, value: u32);
    /// The instruction accessed memory.
    fn memory(&mut self, access: MemoryAccess);
    /// The instruction caused an event.
    fn event(&mut self, event: StepEvent);
    /// The instruction completed; the next pc is `next_pc`.
    fn end(&mut self, next_pc: u32);
    /// The instruction faulted: forget it (it is not a step).
    fn abort(&mut self);
}

/// The observer of the fast path: records nothing.
pub(crate) struct NoTrace;

impl Observer for NoTrace {
    const ENABLED: bool = false;
    #[inline(always)]
    fn begin(&mut self, _: u64, _: u32, _: u32, _: &Op, _: &[u32; 32]) {}
    #[inline(always)]
    fn write_rd(&mut self, _: u8, _: u32) {}
    #[inline(always)]
    fn memory(&mut self, _: MemoryAccess) {}
    #[inline(always)]
    fn event(&mut self, _: StepEvent) {}
    #[inline(always)]
    fn end(&mut self, _: u32) {}
    #[inline(always)]
    fn abort(&mut self) {}
}

/// The observer of the tracing path: builds one [`StepRecord`] per instruction, in place at
/// the end of the block's vector (no intermediate copies).
pub(crate) struct Recorder {
    pub(crate) records: Vec<StepRecord>,
}

impl Recorder {
    pub(crate) fn with_capacity(k: usize) -> Recorder {
        Recorder {
            records: Vec::with_capacity(k),
        }
    }
}

impl Observer for Recorder {
    const ENABLED: bool = true;

    #[inline(always)]
    fn begin(&mut self, step: u64, pc: u32, word: u32, op: &Op, regs: &[u32; 32]) {
        let (rs1, rs2) = (op.rs1, op.rs2);
        self.records.push(StepRecord {
            step,
            pc,
            word,
            rs1,
            rs1_value: regs[(rs1 & 31) as usize],
            rs2,
            rs2_value: regs[(rs2 & 31) as usize],
            rd: 0,
            rd_value: 0,
            memory: None,
            next_pc: pc,
            event: None,
        });
    }

    #[inline(always)]
    fn write_rd(&mut self, rd: u8, value: u32) {
        if let Some(r) = self.records.last_mut() {
            if rd != 0 {
                r.rd = rd;
                r.rd_value = value;
            }
        }
    }

    #[inline(always)]
    fn memory(&mut self, access: MemoryAccess) {
        if let Some(r) = self.records.last_mut() {
            r.memory = Some(access);
        }
    }

    fn event(&mut self, event: StepEvent) {
        if let Some(r) = self.records.last_mut() {
            r.event = Some(Box::new(event));
        }
    }

    #[inline(always)]
    fn end(&mut self, next_pc: u32) {
        if let Some(r) = self.records.last_mut() {
            r.next_pc = next_pc;
        }
    }

    fn abort(&mut self) {
        self.records.pop();
    }
}
