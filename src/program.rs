//! [`Program`]: a loaded guest with its digest, and the native pre-run.

use canopy_circuit::memory::initial_root;
use canopy_folding::F1;
use canopy_vm::{ExecutionError, Vm, VmConfig, DEFAULT_MAX_STEPS, DEFAULT_MEMORY_SIZE};
use sha2::{Digest, Sha256};

use crate::coprocessors::CoprocessorSet;
use crate::error::ProgramError;
use crate::field;

/// Domain tag of the program digest (version 1).
const PROGRAM_DIGEST_TAG: &[u8] = b"canopy/program-digest/v1\0";

/// A guest program loaded for a memory of a given size, with its digest.
///
/// The **program digest** is
/// `SHA-256("canopy/program-digest/v1\0" ‖ memory_size as u64 LE ‖ entry as u32 LE ‖ root_0)`,
/// where `root_0` is the 32-byte little-endian encoding of the root of the sparse Poseidon
/// Merkle tree over every word of the loaded image, with its write/execute tags
/// (`canopy_circuit::memory::initial_root`; the former memory argument's initial root, kept as
/// a digest of the image). It is therefore a digest of the *loaded image* and entry point, not
/// of the ELF file: two ELF files that load the same words with the same permissions at the
/// same entry have the same digest. The proof binds the image through the memory argument:
/// the verifier computes the initial set from its own program, and the challenges absorb
/// this digest.
#[derive(Debug, Clone)]
pub struct Program {
    inner: canopy_vm::Program,
    memory_size: u64,
    root: F1,
    digest: [u8; 32],
}

/// What a native run of a guest produced (the pre-run before proving).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// The full a0 passed to `exit`.
    pub exit_code: u32,
    /// Instructions executed, including the exit `ecall`.
    pub instructions: u64,
    /// Bytes written to fd 1.
    pub public_output: Vec<u8>,
    /// Bytes of the public input the guest read.
    pub public_input_consumed: u64,
}

impl Program {
    /// Loads an RV32IM ELF executable for the default memory size (16 MiB, what the guest SDK's
    /// linker script assumes).
    pub fn from_elf(elf: &[u8]) -> Result<Self, ProgramError> {
        Self::from_elf_with_memory(elf, DEFAULT_MEMORY_SIZE)
    }

    /// Loads an ELF executable for a memory of `memory_size` bytes (a power of two in
    /// `[4 KiB, 4 GiB]`).
    pub fn from_elf_with_memory(elf: &[u8], memory_size: u64) -> Result<Self, ProgramError> {
        let inner = canopy_vm::Program::from_elf(elf, memory_size)?;
        Self::from_vm_program(inner, memory_size)
    }

    /// Wraps an already loaded VM program.
    pub fn from_vm_program(
        inner: canopy_vm::Program,
        memory_size: u64,
    ) -> Result<Self, ProgramError> {
        let root: F1 = initial_root(&inner, memory_size)?;
        let mut h = Sha256::new();
        h.update(PROGRAM_DIGEST_TAG);
        h.update(memory_size.to_le_bytes());
        h.update(inner.entry.to_le_bytes());
        h.update(field::to_bytes(&root));
        let digest = h.finalize().into();
        Ok(Program {
            inner,
            memory_size,
            root,
            digest,
        })
    }

    /// The program digest (see the type's documentation).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The memory size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.memory_size
    }

    /// The entry point.
    pub fn entry(&self) -> u32 {
        self.inner.entry
    }

    /// The Merkle root of the loaded image (part of the program digest).
    pub fn initial_root(&self) -> F1 {
        self.root
    }

    /// The VM's program (segments and entry).
    pub fn vm_program(&self) -> &canopy_vm::Program {
        &self.inner
    }

    /// A fresh VM with this program loaded, the inputs set and the coprocessors registered.
    pub(crate) fn vm(
        &self,
        inputs: &Inputs,
        max_steps: u64,
        coprocessors: &CoprocessorSet,
    ) -> Result<Vm, ProgramError> {
        let mut vm = Vm::new(
            &self.inner,
            VmConfig {
                memory_size: self.memory_size,
                max_steps,
            },
        )?;
        vm.set_public_input(inputs.public.clone());
        vm.set_private_input(inputs.private.clone());
        vm.set_coprocessors(coprocessors.registry().clone());
        Ok(vm)
    }

    /// Runs the guest natively on the fast path (no trace, no proof): how it exits, how many
    /// instructions it takes, what it outputs. Cheap (tens of millions of instructions per
    /// second); the prover uses it to fail early and to know the length of the run.
    pub fn execute(&self, inputs: &Inputs, max_steps: u64) -> Result<Execution, ExecuteError> {
        self.execute_with(inputs, max_steps, &CoprocessorSet::new())
    }

    /// [`Self::execute`] with coprocessors the guest may call.
    pub fn execute_with(
        &self,
        inputs: &Inputs,
        max_steps: u64,
        coprocessors: &CoprocessorSet,
    ) -> Result<Execution, ExecuteError> {
        let mut vm = self.vm(inputs, max_steps, coprocessors)?;
        let exit = vm.run()?;
        Ok(Execution {
            exit_code: exit.code,
            instructions: exit.steps,
            public_output: vm.public_output().to_vec(),
            public_input_consumed: vm.public_input_consumed() as u64,
        })
    }
}

/// The inputs of a run: public input (fd 0, bound by the proof) and private input (fd 3,
/// witness only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Bytes the guest reads from fd 0.
    pub public: Vec<u8>,
    /// Bytes the guest reads from fd 3.
    pub private: Vec<u8>,
}

impl Inputs {
    /// Only a public input.
    pub fn public(bytes: impl Into<Vec<u8>>) -> Self {
        Inputs {
            public: bytes.into(),
            private: Vec::new(),
        }
    }

    /// Public and private inputs.
    pub fn new(public: impl Into<Vec<u8>>, private: impl Into<Vec<u8>>) -> Self {
        Inputs {
            public: public.into(),
            private: private.into(),
        }
    }
}

/// Why a native run failed.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The VM could not be created for the program.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The guest faulted or ran out of steps.
    #[error("the guest stopped: {0}")]
    Execution(#[from] ExecutionError),
}

/// The default step limit of a proven run (as `canopy run`).
pub const DEFAULT_PROVE_MAX_STEPS: u64 = DEFAULT_MAX_STEPS;
