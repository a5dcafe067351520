//! Error types of the VM: configuration, ELF loading, memory accesses, execution faults and
//! coprocessors. Every failure a guest can provoke is one of these values; the host never panics
//! on guest input.

use std::fmt;

use crate::decode::Instruction;

/// An invalid [`crate::VmConfig`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The memory size is not a power of two in `[4 KiB, 4 GiB]`.
    #[error(
        "memory size {0} bytes is invalid: it must be a power of two between 4096 and 2^32 bytes"
    )]
    InvalidMemorySize(u64),
}

/// Why an ELF file could not be loaded as a Canopy program.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The configuration used for loading is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The file is not a well-formed ELF file (truncated, garbage, or inconsistent headers).
    #[error("malformed ELF file: {0}")]
    Malformed(String),
    /// The file is a 64-bit ELF; Canopy runs RV32 programs only.
    #[error("64-bit ELF file: Canopy runs 32-bit RISC-V (RV32IM) programs only")]
    Not32Bit,
    /// The file is big-endian; RISC-V is little-endian.
    #[error("big-endian ELF file: RISC-V programs are little-endian")]
    BigEndian,
    /// The file is for another machine.
    #[error("ELF machine is {0} ({name}), not RISC-V (243)", name = machine_name(*.0))]
    NotRiscV(u16),
    /// The file is not an executable (`ET_EXEC`), e.g. a relocatable object or a PIE.
    #[error("ELF type {0} is not a static executable (ET_EXEC = 2)")]
    NotExecutable(u16),
    /// The ELF header says the program uses the compressed (RVC) extension.
    #[error(
        "the program uses compressed instructions (e_flags & EF_RISCV_RVC): build it with -march=rv32im"
    )]
    CompressedIsa,
    /// The file has no loadable segment.
    #[error("the ELF file has no loadable (PT_LOAD) segment")]
    NoLoadableSegments,
    /// A segment's file size exceeds its memory size.
    #[error("segment at {vaddr:#010x} has file size {filesz} larger than its memory size {memsz}")]
    FileSizeExceedsMemSize {
        /// Virtual address of the segment.
        vaddr: u64,
        /// Bytes in the file.
        filesz: u64,
        /// Bytes in memory.
        memsz: u64,
    },
    /// A segment is larger than the whole configured memory.
    #[error("segment at {vaddr:#010x} of {memsz} bytes is larger than the configured memory ({memory_size} bytes; see --memory-size)")]
    SegmentTooLarge {
        /// Virtual address of the segment.
        vaddr: u64,
        /// Bytes in memory.
        memsz: u64,
        /// The configured memory size.
        memory_size: u64,
    },
    /// A segment does not fit in `[0, memory_size)`.
    #[error("segment [{vaddr:#010x}, {end:#x}) lies outside the configured memory [0, {memory_size:#x})")]
    SegmentOutOfRange {
        /// Virtual address of the segment.
        vaddr: u64,
        /// One past the segment's last byte.
        end: u64,
        /// The configured memory size.
        memory_size: u64,
    },
    /// Two loadable segments overlap.
    #[error("segments [{a_start:#010x}, {a_end:#x}) and [{b_start:#010x}, {b_end:#x}) overlap")]
    OverlappingSegments {
        /// Start of the first segment.
        a_start: u64,
        /// End of the first segment.
        a_end: u64,
        /// Start of the second segment.
        b_start: u64,
        /// End of the second segment.
        b_end: u64,
    },
    /// An executable segment does not start on a 4-byte boundary.
    #[error("executable segment at {vaddr:#010x} is not 4-byte aligned")]
    MisalignedCodeSegment {
        /// Virtual address of the segment.
        vaddr: u64,
    },
    /// The entry point is not a 4-byte aligned address inside an executable segment.
    #[error("entry point {entry:#010x} is not an aligned address inside an executable segment")]
    BadEntryPoint {
        /// The ELF entry point.
        entry: u64,
    },
}

fn machine_name(m: u16) -> &'static str {
    match m {
        3 => "x86",
        8 => "MIPS",
        20 => "PowerPC",
        40 => "ARM",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        _ => "unknown",
    }
}

/// A faulting guest memory access.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    /// The address is not a multiple of the access width.
    #[error("misaligned {width}-byte access at address {addr:#010x}")]
    Misaligned {
        /// The faulting address.
        addr: u32,
        /// Access width in bytes.
        width: u32,
    },
    /// The access reaches outside `[0, memory_size)`.
    #[error("{len}-byte access at address {addr:#010x} is outside the configured memory [0, {memory_size:#x})")]
    OutOfBounds {
        /// First byte of the access.
        addr: u32,
        /// Length of the access in bytes.
        len: u64,
        /// The configured memory size.
        memory_size: u64,
    },
    /// A store into a segment that is not writable (e.g. the program's text).
    #[error("write to address {addr:#010x} in a non-writable segment [{segment_start:#010x}, {segment_end:#x})")]
    ReadOnly {
        /// The faulting address.
        addr: u32,
        /// Start of the segment.
        segment_start: u32,
        /// End of the segment.
        segment_end: u64,
    },
}

/// The location of a faulting instruction: its pc and word, displayed with its disassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Program counter of the instruction.
    pub pc: u32,
    /// The instruction word.
    pub word: u32,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pc {:#010x} (instruction {:#010x}: {})",
            self.pc,
            self.word,
            Instruction::decode(self.word)
        )
    }
}

/// An error raised by a coprocessor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoprocessorError {
    /// The coprocessor accessed guest memory it may not access.
    #[error("memory access fault: {0}")]
    Memory(#[from] MemoryError),
    /// The coprocessor rejected its arguments.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
}

/// Why a coprocessor could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Another coprocessor already uses this `(funct7, funct3)` selector.
    #[error("coprocessor {new} cannot use funct7={funct7:#x}, funct3={funct3:#x}: already taken by {existing}")]
    SelectorTaken {
        /// funct7 of the selector.
        funct7: u8,
        /// funct3 of the selector.
        funct3: u8,
        /// Name of the registered coprocessor.
        existing: String,
        /// Name of the rejected coprocessor.
        new: String,
    },
    /// The selector does not fit the R-type fields (funct7 < 128, funct3 < 8).
    #[error("coprocessor {name}: selector funct7={funct7:#x}, funct3={funct3:#x} out of range")]
    SelectorOutOfRange {
        /// Name of the rejected coprocessor.
        name: String,
        /// funct7 of the selector.
        funct7: u8,
        /// funct3 of the selector.
        funct3: u8,
    },
}

/// A fault that stops the guest. Each variant names the faulting instruction where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// The word at pc is not a valid RV32IM instruction.
    #[error("illegal instruction at {at}")]
    IllegalInstruction {
        /// The instruction.
        at: At,
    },
    /// A valid RISC-V instruction that Canopy does not support (EBREAK, CSR instructions).
    #[error("unsupported instruction at {at}: Canopy guests run without privileged state (no EBREAK or CSR access)")]
    UnsupportedInstruction {
        /// The instruction.
        at: At,
    },
    /// A load, store or ecall buffer access faulted.
    #[error("memory fault at {at}: {source}")]
    Memory {
        /// The instruction.
        at: At,
        /// What went wrong.
        #[source]
        source: MemoryError,
    },
    /// Control reached an address outside every executable segment.
    #[error("jump to {target:#010x}, outside the program's executable segments, by {at}")]
    PcOutOfProgram {
        /// The instruction that transferred control (or the last one before falling off a segment).
        at: At,
        /// The target pc.
        target: u32,
    },
    /// Control reached an address that is not a multiple of 4.
    #[error("jump to misaligned address {target:#010x} by {at}")]
    MisalignedPc {
        /// The instruction that transferred control.
        at: At,
        /// The target pc.
        target: u32,
    },
    /// The guest ran `max_steps` instructions without exiting.
    #[error(
        "step limit of {max_steps} instructions reached at pc {pc:#010x} without the guest exiting"
    )]
    StepLimit {
        /// The limit.
        max_steps: u64,
        /// pc of the next instruction.
        pc: u32,
    },
    /// A `custom-0` instruction selected no registered coprocessor.
    #[error("unknown coprocessor funct7={funct7:#x}, funct3={funct3:#x} called at {at}")]
    UnknownCoprocessor {
        /// The instruction.
        at: At,
        /// funct7 of the instruction.
        funct7: u8,
        /// funct3 of the instruction.
        funct3: u8,
    },
    /// A coprocessor failed.
    #[error("coprocessor {name} failed at {at}: {source}")]
    Coprocessor {
        /// The instruction.
        at: At,
        /// The coprocessor's name.
        name: String,
        /// What went wrong.
        #[source]
        source: CoprocessorError,
    },
}

impl ExecutionError {
    /// The pc at which the error occurred (for jumps: the jumping instruction's pc).
    pub fn pc(&self) -> u32 {
        match self {
            ExecutionError::IllegalInstruction { at }
            | ExecutionError::UnsupportedInstruction { at }
            | ExecutionError::Memory { at, .. }
            | ExecutionError::PcOutOfProgram { at, .. }
            | ExecutionError::MisalignedPc { at, .. }
            | ExecutionError::UnknownCoprocessor { at, .. }
            | ExecutionError::Coprocessor { at, .. } => at.pc,
            ExecutionError::StepLimit { pc, .. } => *pc,
        }
    }
}
