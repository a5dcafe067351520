//! The executor: the [`Vm`] and the RV32IM semantics.
//!
//! The private `Vm::exec` is the single implementation of every instruction's semantics, over
//! the instruction cache's compact pre-decoded form (the crate-private `Op`). It is
//! generic over an observer (a private trait): the fast path ([`Vm::run`]) uses one whose hooks
//! are empty and compile to nothing, and the tracing path ([`Vm::trace`]) uses a recorder. Both
//! go through the same loop (`Vm::run_observed`), so they cannot drift apart.
//!
//! Initial state: all registers zero, pc at the ELF entry point (guests set up `sp` and `gp`
//! themselves in `_start`). A faulting instruction does not count as a step and leaves the
//! machine at that instruction.

use std::sync::Arc;

use crate::coprocessor::{Coprocessor, CoprocessorRegistry, RecordingMemory};
use crate::elf_loader::Program;
use crate::error::{At, ExecutionError, LoadError, MemoryError, RegistryError};
use crate::guest_io::GuestIo;
use crate::memory::Memory;
use crate::op::{Op, OpKind};
use crate::trace::{AccessKind, CoprocessorEvent, MemoryAccess, NoTrace, Observer, StepEvent};

/// Default memory size: 16 MiB.
pub const DEFAULT_MEMORY_SIZE: u64 = 1 << 24;
/// Default step limit: 2^32 instructions.
pub const DEFAULT_MAX_STEPS: u64 = 1 << 32;

/// Configuration of a [`Vm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VmConfig {
    /// Memory size in bytes: a power of two in `[4 KiB, 4 GiB]`. Addresses are `[0, size)`.
    pub memory_size: u64,
    /// The guest is stopped with [`ExecutionError::StepLimit`] after this many instructions.
    pub max_steps: u64,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            memory_size: DEFAULT_MEMORY_SIZE,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

/// How a guest exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exit {
    /// The full value of a0 passed to `exit`.
    pub code: u32,
    /// Number of instructions executed, including the exit `ecall`.
    pub steps: u64,
}

impl Exit {
    /// The process exit status, as a Linux process would report it: `code & 0xff`.
    pub fn status(&self) -> u8 {
        (self.code & 0xff) as u8
    }
}

/// Why [`Vm::exec`] did not continue to a next pc.
pub(crate) enum Stop {
    /// The guest called exit with this a0.
    Exit(u32),
    /// The guest faulted.
    Fault(ExecutionError),
}

/// An RV32IM machine with a loaded program.
#[derive(Debug, Clone)]
pub struct Vm {
    pub(crate) regs: [u32; 32],
    pc: u32,
    /// pc of the last instruction that executed, for errors on the following fetch.
    last_pc: Option<u32>,
    steps: u64,
    pub(crate) memory: Memory,
    pub(crate) io: GuestIo,
    coprocessors: CoprocessorRegistry,
    config: VmConfig,
    exit: Option<Exit>,
}

impl Vm {
    /// Creates a VM with `program` loaded. Fails if the configuration is invalid or the program
    /// does not fit in the configured memory.
    pub fn new(program: &Program, config: VmConfig) -> Result<Vm, LoadError> {
        let memory = Memory::new(config.memory_size, program)?;
        if !memory.is_executable(program.entry) {
            return Err(LoadError::BadEntryPoint {
                entry: program.entry as u64,
            });
        }
        Ok(Vm {
            regs: [0; 32],
            pc: program.entry,
            last_pc: None,
            steps: 0,
            memory,
            io: GuestIo::default(),
            coprocessors: CoprocessorRegistry::new(),
            config,
            exit: None,
        })
    }

    /// Parses an ELF file and creates a VM with it loaded.
    pub fn from_elf(elf: &[u8], config: VmConfig) -> Result<Vm, LoadError> {
        let program = Program::from_elf(elf, config.memory_size)?;
        Vm::new(&program, config)
    }

    /// Sets the public input, read by the guest from fd 0.
    pub fn set_public_input(&mut self, input: Vec<u8>) {
        self.io.set_public_input(input);
    }

    /// Sets the private input, read by the guest from fd 3.
    pub fn set_private_input(&mut self, input: Vec<u8>) {
        self.io.set_private_input(input);
    }

    /// Registers a coprocessor for `custom-0` instructions with its `(funct7, funct3)`.
    pub fn register_coprocessor(
        &mut self,
        coprocessor: Arc<dyn Coprocessor>,
    ) -> Result<(), RegistryError> {
        self.coprocessors.register(coprocessor)
    }

    /// Replaces the coprocessor registry.
    pub fn set_coprocessors(&mut self, registry: CoprocessorRegistry) {
        self.coprocessors = registry;
    }

    /// Runs the guest to completion on the fast path (no trace).
    ///
    /// Returns how it exited, or the fault that stopped it (including
    /// [`ExecutionError::StepLimit`]). Calling it again after an exit returns the same exit.
    pub fn run(&mut self) -> Result<Exit, ExecutionError> {
        let start_steps = self.steps;
        let result = self.run_observed(u64::MAX, &mut NoTrace);
        tracing::debug!(
            steps = self.steps - start_steps,
            ok = result.is_ok(),
            "run ended"
        );
        match result {
            Ok(Some(exit)) => Ok(exit),
            Ok(None) => Err(self.step_limit_error()),
            Err(e) => Err(e),
        }
    }

    /// Runs at most `budget` more instructions on the fast path: `Ok(Some(exit))` if the guest
    /// exited, `Ok(None)` if the budget ran out first (call again to continue). Lets a caller
    /// stream the guest's output or show progress during a long run.
    pub fn run_for(&mut self, budget: u64) -> Result<Option<Exit>, ExecutionError> {
        self.run_observed(budget, &mut NoTrace)
    }

    /// Sets register `index` (0..32) to `value`, e.g. to start a test from a chosen state.
    /// Writes to x0 and out-of-range indices are ignored.
    pub fn set_register(&mut self, index: usize, value: u32) {
        if (1..32).contains(&index) {
            self.regs[index] = value;
        }
    }

    /// The configuration.
    pub fn config(&self) -> &VmConfig {
        &self.config
    }

    /// The current pc (of the next instruction to execute, or of the exit ecall).
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// The registers x0..x31.
    pub fn registers(&self) -> &[u32; 32] {
        &self.regs
    }

    /// The guest memory.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Number of instructions executed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// How the guest exited, if it has.
    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// Bytes the guest wrote to fd 1 (public output) so far.
    pub fn public_output(&self) -> &[u8] {
        &self.io.public_output
    }

    /// Bytes the guest wrote to fd 2 (debug log) so far.
    pub fn debug_output(&self) -> &[u8] {
        &self.io.debug_output
    }

    /// Removes and returns the public-output bytes collected so far (for streaming them;
    /// [`Vm::public_output`] then holds only what the guest writes afterwards).
    pub fn take_public_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.io.public_output)
    }

    /// Removes and returns the debug-log bytes collected so far.
    pub fn take_debug_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.io.debug_output)
    }

    /// Number of public-input bytes the guest has read so far.
    pub fn public_input_consumed(&self) -> usize {
        self.io.public_input_pos
    }

    fn step_limit_error(&self) -> ExecutionError {
        ExecutionError::StepLimit {
            max_steps: self.config.max_steps,
            pc: self.pc,
        }
    }

    /// The location of the instruction at `pc`, with its word read from memory.
    pub(crate) fn at(&self, pc: u32) -> At {
        At {
            pc,
            word: self.memory.load_u32(pc).unwrap_or(0),
        }
    }

    #[cold]
    #[inline(never)]
    fn memory_fault(&self, pc: u32, source: MemoryError) -> Stop {
        Stop::Fault(ExecutionError::Memory {
            at: self.at(pc),
            source,
        })
    }

    #[cold]
    #[inline(never)]
    fn fetch_error(&self, pc: u32) -> ExecutionError {
        let at = match self.last_pc {
            Some(last) => self.at(last),
            None => At { pc, word: 0 },
        };
        if pc & 3 != 0 {
            ExecutionError::MisalignedPc { at, target: pc }
        } else {
            ExecutionError::PcOutOfProgram { at, target: pc }
        }
    }

    /// Executes up to `budget` instructions (and never beyond `max_steps` in total), reporting
    /// each to `obs`. Returns `Ok(Some(exit))` if the guest exited, `Ok(None)` if the budget ran
    /// out, and the step-limit error if `max_steps` was reached without an exit.
    pub(crate) fn run_observed<O: Observer>(
        &mut self,
        budget: u64,
        obs: &mut O,
    ) -> Result<Option<Exit>, ExecutionError> {
        if let Some(exit) = self.exit {
            return Ok(Some(exit));
        }
        let max_steps = self.config.max_steps;
        let stop_at = self.steps.saturating_add(budget).min(max_steps);
        let mut pc = self.pc;
        let mut steps = self.steps;
        let mut last_pc = self.last_pc;
        let result = loop {
            if steps >= stop_at {
                break Ok(None);
            }
            let op = self.memory.fetch_or_no_fetch(pc);
            if op.kind == OpKind::NoFetch {
                self.last_pc = last_pc;
                break Err(self.fetch_error(pc));
            }
            if O::ENABLED {
                let word = self.memory.containing_word(pc);
                obs.begin(steps, pc, word, &op, &self.regs);
            }
            match self.exec(pc, op, obs) {
                Ok(next) => {
                    if O::ENABLED {
                        obs.end(next);
                    }
                    steps += 1;
                    last_pc = Some(pc);
                    pc = next;
                }
                Err(Stop::Exit(code)) => {
                    if O::ENABLED {
                        obs.end(pc);
                    }
                    steps += 1;
                    last_pc = Some(pc);
                    let exit = Exit { code, steps };
                    self.exit = Some(exit);
                    tracing::debug!(code, steps, "guest exited");
                    break Ok(Some(exit));
                }
                Err(Stop::Fault(e)) => {
                    if O::ENABLED {
                        obs.abort();
                    }
                    break Err(e);
                }
            }
        };
        self.pc = pc;
        self.steps = steps;
        self.last_pc = last_pc;
        match result {
            Ok(None) if steps >= max_steps => Err(self.step_limit_error()),
            r => r,
        }
    }

    /// Executes one decoded instruction at `pc`: the ISA semantics, in one place.
    #[inline(always)]
    fn exec<O: Observer>(&mut self, pc: u32, op: Op, obs: &mut O) -> Result<u32, Stop> {
        use OpKind as K;
        let next = pc.wrapping_add(4);
        macro_rules! r {
            ($i:expr) => {
                self.regs[($i & 31) as usize]
            };
        }
        macro_rules! w {
            ($rd:expr, $v:expr) => {{
                let v: u32 = $v;
                let rd = ($rd & 31) as usize;
                if O::ENABLED {
                    obs.write_rd(rd as u8, v);
                }
                self.regs[rd] = v;
                self.regs[0] = 0;
            }};
        }
        macro_rules! branch {
            ($cond:expr, $imm:expr) => {
                if $cond {
                    return Ok(pc.wrapping_add($imm));
                }
            };
        }
        macro_rules! load {
            ($rd:expr, $rs1:expr, $imm:expr, $width:expr, $f:ident, $ext:expr) => {{
                let addr = r!($rs1).wrapping_add($imm);
                let v = match self.memory.$f(addr) {
                    Ok(v) => $ext(v),
                    Err(e) => return Err(self.memory_fault(pc, e)),
                };
                if O::ENABLED {
                    let word = self.memory.containing_word(addr);
                    obs.memory(MemoryAccess {
                        kind: AccessKind::Load,
                        width: $width,
                        addr,
                        word_addr: addr & !3,
                        old: word,
                        new: word,
                    });
                }
                w!($rd, v);
            }};
        }
        macro_rules! store {
            ($rs1:expr, $rs2:expr, $imm:expr, $width:expr, $f:ident, $conv:ty) => {{
                let addr = r!($rs1).wrapping_add($imm);
                let old = if O::ENABLED {
                    self.memory.containing_word(addr)
                } else {
                    0
                };
                if let Err(e) = self.memory.$f(addr, r!($rs2) as $conv) {
                    return Err(self.memory_fault(pc, e));
                }
                if O::ENABLED {
                    obs.memory(MemoryAccess {
                        kind: AccessKind::Store,
                        width: $width,
                        addr,
                        word_addr: addr & !3,
                        old,
                        new: self.memory.containing_word(addr),
                    });
                }
            }};
        }
        let Op {
            kind,
            rd,
            rs1,
            rs2,
            imm,
        } = op;
        match kind {
            K::Lui => w!(rd, imm),
            K::Auipc => w!(rd, pc.wrapping_add(imm)),
            K::Jal => {
                w!(rd, next);
                return Ok(pc.wrapping_add(imm));
            }
            K::Jalr => {
                let target = r!(rs1).wrapping_add(imm) & !1;
                w!(rd, next);
                return Ok(target);
            }
            K::Beq => branch!(r!(rs1) == r!(rs2), imm),
            K::Bne => branch!(r!(rs1) != r!(rs2), imm),
            K::Blt => branch!((r!(rs1) as i32) < (r!(rs2) as i32), imm),
            K::Bge => branch!((r!(rs1) as i32) >= (r!(rs2) as i32), imm),
            K::Bltu => branch!(r!(rs1) < r!(rs2), imm),
            K::Bgeu => branch!(r!(rs1) >= r!(rs2), imm),
            K::Lb => load!(rd, rs1, imm, 1, load_u8, |v: u8| v as i8 as u32),
            K::Lh => load!(rd, rs1, imm, 2, load_u16, |v: u16| v as i16 as u32),
            K::Lw => load!(rd, rs1, imm, 4, load_u32, |v: u32| v),
            K::Lbu => load!(rd, rs1, imm, 1, load_u8, |v: u8| v as u32),
            K::Lhu => load!(rd, rs1, imm, 2, load_u16, |v: u16| v as u32),
            K::Sb => store!(rs1, rs2, imm, 1, store_u8, u8),
            K::Sh => store!(rs1, rs2, imm, 2, store_u16, u16),
            K::Sw => store!(rs1, rs2, imm, 4, store_u32, u32),
            K::Addi => w!(rd, r!(rs1).wrapping_add(imm)),
            K::Slti => w!(rd, ((r!(rs1) as i32) < imm as i32) as u32),
            K::Sltiu => w!(rd, (r!(rs1) < imm) as u32),
            K::Xori => w!(rd, r!(rs1) ^ imm),
            K::Ori => w!(rd, r!(rs1) | imm),
            K::Andi => w!(rd, r!(rs1) & imm),
            K::Slli => w!(rd, r!(rs1) << (imm & 31)),
            K::Srli => w!(rd, r!(rs1) >> (imm & 31)),
            K::Srai => w!(rd, ((r!(rs1) as i32) >> (imm & 31)) as u32),
            K::Add => w!(rd, r!(rs1).wrapping_add(r!(rs2))),
            K::Sub => w!(rd, r!(rs1).wrapping_sub(r!(rs2))),
            K::Sll => w!(rd, r!(rs1) << (r!(rs2) & 31)),
            K::Slt => w!(rd, ((r!(rs1) as i32) < (r!(rs2) as i32)) as u32),
            K::Sltu => w!(rd, (r!(rs1) < r!(rs2)) as u32),
            K::Xor => w!(rd, r!(rs1) ^ r!(rs2)),
            K::Srl => w!(rd, r!(rs1) >> (r!(rs2) & 31)),
            K::Sra => w!(rd, ((r!(rs1) as i32) >> (r!(rs2) & 31)) as u32),
            K::Or => w!(rd, r!(rs1) | r!(rs2)),
            K::And => w!(rd, r!(rs1) & r!(rs2)),
            K::Mul => w!(rd, r!(rs1).wrapping_mul(r!(rs2))),
            K::Mulh => w!(
                rd,
                (((r!(rs1) as i32 as i64) * (r!(rs2) as i32 as i64)) >> 32) as u32
            ),
            K::Mulhsu => w!(
                rd,
                (((r!(rs1) as i32 as i64) * (r!(rs2) as u64 as i64)) >> 32) as u32
            ),
            K::Mulhu => w!(rd, (((r!(rs1) as u64) * (r!(rs2) as u64)) >> 32) as u32),
            K::Div => {
                let (a, b) = (r!(rs1) as i32, r!(rs2) as i32);
                // Division by zero gives -1; INT_MIN / -1 overflows to INT_MIN.
                w!(
                    rd,
                    if b == 0 {
                        u32::MAX
                    } else {
                        a.wrapping_div(b) as u32
                    }
                )
            }
            K::Divu => {
                let (a, b) = (r!(rs1), r!(rs2));
                w!(rd, a.checked_div(b).unwrap_or(u32::MAX))
            }
            K::Rem => {
                let (a, b) = (r!(rs1) as i32, r!(rs2) as i32);
                // Remainder by zero gives the dividend; INT_MIN % -1 gives 0.
                w!(
                    rd,
                    if b == 0 {
                        a as u32
                    } else {
                        a.wrapping_rem(b) as u32
                    }
                )
            }
            K::Remu => {
                let (a, b) = (r!(rs1), r!(rs2));
                w!(rd, a.checked_rem(b).unwrap_or(a))
            }
            K::Nop => {}
            K::Ecall => {
                let ret = self.ecall(self.at(pc), obs)?;
                w!(10u8, ret);
            }
            K::Unsupported => {
                return Err(Stop::Fault(ExecutionError::UnsupportedInstruction {
                    at: self.at(pc),
                }))
            }
            K::Custom0 => {
                let (funct3, funct7) = ((imm & 7) as u8, (imm >> 8) as u8);
                let status =
                    self.coprocessor_call(self.at(pc), funct7, funct3, r!(rs1), r!(rs2), obs)?;
                w!(rd, status);
            }
            // Never reached: the loop checks fetches before executing.
            K::NoFetch => return Err(Stop::Fault(self.fetch_error(pc))),
            K::Illegal => {
                return Err(Stop::Fault(ExecutionError::IllegalInstruction {
                    at: self.at(pc),
                }))
            }
        }
        Ok(next)
    }

    #[inline(never)]
    fn coprocessor_call<O: Observer>(
        &mut self,
        at: At,
        funct7: u8,
        funct3: u8,
        rs1: u32,
        rs2: u32,
        obs: &mut O,
    ) -> Result<u32, Stop> {
        let Some(cop) = self.coprocessors.get(funct7, funct3).cloned() else {
            return Err(Stop::Fault(ExecutionError::UnknownCoprocessor {
                at,
                funct7,
                funct3,
            }));
        };
        let fail = |source| {
            Stop::Fault(ExecutionError::Coprocessor {
                at,
                name: cop.name().to_string(),
                source,
            })
        };
        if O::ENABLED {
            let mut rec = RecordingMemory {
                inner: &mut self.memory,
                reads: Vec::new(),
                writes: Vec::new(),
            };
            let status = cop.execute(rs1, rs2, &mut rec).map_err(fail)?;
            obs.event(StepEvent::Coprocessor(CoprocessorEvent {
                id: cop.id(),
                name: cop.name().to_string(),
                funct7,
                funct3,
                reads: rec.reads,
                writes: rec.writes,
                status,
            }));
            Ok(status)
        } else {
            cop.execute(rs1, rs2, &mut self.memory).map_err(fail)
        }
    }
}

#[cfg(test)]
mod tests;
