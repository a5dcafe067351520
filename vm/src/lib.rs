//! `canopy-vm`: Canopy's RV32IM virtual machine.
//!
//! This crate owns everything about running a RISC-V guest natively: loading RV32 ELF
//! executables ([`Program`]), decoding and disassembling instructions ([`Instruction`]), guest
//! memory ([`Memory`]), execution ([`Vm`]) on a fast path ([`Vm::run`]) and a streaming tracing
//! path ([`Vm::trace`], blocks of K [`StepRecord`]s for the CPU step circuit), the guest I/O ABI
//! (Linux-numbered `ecall`s, see [`ecall`]) and dispatch of `custom-0` instructions to
//! [`Coprocessor`]s. It knows nothing of proofs, trees or MPI.
//!
//! ```no_run
//! use canopy_vm::{Vm, VmConfig};
//! let elf = std::fs::read("guest/examples/hello.elf").unwrap();
//! let mut vm = Vm::from_elf(&elf, VmConfig::default()).unwrap();
//! vm.set_public_input(b"world".to_vec());
//! let exit = vm.run().unwrap();
//! print!("{}", String::from_utf8_lossy(vm.public_output()));
//! std::process::exit(exit.status() as i32);
//! ```

pub mod coprocessor;
pub mod decode;
pub mod ecall;
pub mod elf_loader;
pub mod error;
pub mod execute;
mod guest_io;
pub mod memory;
pub mod memory_size;
mod op;
pub mod trace;
mod trace_blocks;

pub use coprocessor::{Coprocessor, CoprocessorRegistry};
pub use decode::Instruction;
pub use elf_loader::{Program, Segment, SegmentFlags};
pub use error::{
    At, ConfigError, CoprocessorError, ExecutionError, LoadError, MemoryError, RegistryError,
};
pub use execute::{Exit, Vm, VmConfig, DEFAULT_MAX_STEPS, DEFAULT_MEMORY_SIZE};
pub use memory::{GuestMemory, Memory};
pub use trace::{
    AccessKind, Block, CoprocessorEvent, EcallEvent, EcallKind, MemoryAccess, MemoryWord,
    MemoryWrite, StepEvent, StepRecord,
};
pub use trace_blocks::TraceBlocks;
