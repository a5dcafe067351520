//! Coprocessor calls: the `custom-0` instruction dispatched to registered [`Coprocessor`]s.
//!
//! An R-type `custom-0` instruction (`opcode = 0b0001011`) selects a coprocessor by its
//! `(funct7, funct3)` pair, passes the values of `rs1` and `rs2` (usually pointers into guest
//! memory), and writes the coprocessor's status word into `rd`. A coprocessor reads and writes
//! guest memory only through [`GuestMemory`], so the VM can record every word it touched in the
//! trace ([`crate::trace::CoprocessorEvent`]). With no coprocessor registered for a selector the
//! instruction fails with [`crate::ExecutionError::UnknownCoprocessor`].
//!
//! The full coprocessor interface (circuits, memory footprints) lives in a later crate; this
//! trait is the native-execution part that the VM needs.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{CoprocessorError, MemoryError, RegistryError};
use crate::memory::GuestMemory;
use crate::trace::{MemoryWord, MemoryWrite};

/// A native coprocessor callable from the guest with a `custom-0` instruction.
pub trait Coprocessor: Send + Sync {
    /// A stable numeric identifier (bound by proofs).
    fn id(&self) -> u32;
    /// A human-readable name, used in errors and logs.
    fn name(&self) -> &str;
    /// The `(funct7, funct3)` selector of the instructions that call this coprocessor
    /// (`funct7 < 128`, `funct3 < 8`).
    fn funct(&self) -> (u8, u8);
    /// Runs the coprocessor on the values of `rs1` and `rs2`, with access to guest memory.
    /// Returns the status written to `rd`.
    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError>;
}

/// The coprocessors available to a VM, keyed by their `(funct7, funct3)` selector.
#[derive(Clone, Default)]
pub struct CoprocessorRegistry {
    by_selector: HashMap<(u8, u8), Arc<dyn Coprocessor>>,
}

impl fmt::Debug for CoprocessorRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self
            .by_selector
            .iter()
            .map(|(k, c)| (*k, c.name().to_string()))
            .collect();
        names.sort();
        f.debug_struct("CoprocessorRegistry")
            .field("coprocessors", &names)
            .finish()
    }
}

impl CoprocessorRegistry {
    /// An empty registry.
    pub fn new() -> CoprocessorRegistry {
        CoprocessorRegistry::default()
    }

    /// Registers a coprocessor under its selector. Fails if the selector is out of range or
    /// already taken.
    pub fn register(&mut self, coprocessor: Arc<dyn Coprocessor>) -> Result<(), RegistryError> {
        let (funct7, funct3) = coprocessor.funct();
        if funct7 >= 128 || funct3 >= 8 {
            return Err(RegistryError::SelectorOutOfRange {
                name: coprocessor.name().to_string(),
                funct7,
                funct3,
            });
        }
        if let Some(existing) = self.by_selector.get(&(funct7, funct3)) {
            return Err(RegistryError::SelectorTaken {
                funct7,
                funct3,
                existing: existing.name().to_string(),
                new: coprocessor.name().to_string(),
            });
        }
        tracing::debug!(
            name = coprocessor.name(),
            id = coprocessor.id(),
            funct7,
            funct3,
            "registered coprocessor"
        );
        self.by_selector.insert((funct7, funct3), coprocessor);
        Ok(())
    }

    /// The coprocessor registered for `(funct7, funct3)`, if any.
    pub fn get(&self, funct7: u8, funct3: u8) -> Option<&Arc<dyn Coprocessor>> {
        self.by_selector.get(&(funct7, funct3))
    }

    /// Number of registered coprocessors.
    pub fn len(&self) -> usize {
        self.by_selector.len()
    }

    /// Whether no coprocessor is registered.
    pub fn is_empty(&self) -> bool {
        self.by_selector.is_empty()
    }
}

/// A [`GuestMemory`] wrapper that records every word read and written, for the trace.
pub(crate) struct RecordingMemory<'a, M: GuestMemory + ?Sized> {
    pub(crate) inner: &'a mut M,
    pub(crate) reads: Vec<MemoryWord>,
    pub(crate) writes: Vec<MemoryWrite>,
}

impl<M: GuestMemory + ?Sized> GuestMemory for RecordingMemory<'_, M> {
    fn size(&self) -> u64 {
        self.inner.size()
    }

    fn read_word(&mut self, addr: u32) -> Result<u32, MemoryError> {
        let value = self.inner.read_word(addr)?;
        self.reads.push(MemoryWord { addr, value });
        Ok(value)
    }

    fn write_word(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        let old = self.inner.read_word(addr)?;
        self.inner.write_word(addr, value)?;
        self.writes.push(MemoryWrite {
            addr,
            old,
            new: value,
        });
        Ok(())
    }
}
