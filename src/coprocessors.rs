//! [`CoprocessorSet`]: the coprocessors a proof may call, shared by the VM (native functions),
//! the parameters (one step circuit each) and the prover.
//!
//! A coprocessor is one value implementing both the VM's native [`Coprocessor`] and the
//! circuit [`CoprocessorCircuit`] ([`ProvableCoprocessor`]). The set's order fixes the circuit
//! indices (entry i is step circuit i + 1); the parameters' digest covers every shape, so a
//! proof made with one set never verifies under parameters made with another.

use std::sync::Arc;

use canopy_circuit::CoprocessorCircuit;
pub use canopy_circuit::ProvableCoprocessor;
use canopy_vm::{Coprocessor, CoprocessorRegistry};
use serde::{Deserialize, Serialize};

/// One coprocessor of a set as a proof's statement and a verifier key name it: its id, name
/// and custom-instruction selector. The circuits themselves are bound through the parameters
/// digest; this names them, so a reader of a proof sees which coprocessors it may have called
/// and a verifier can compare the set with the one it expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoprocessorInfo {
    /// The coprocessor's id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// funct7 of its custom-0 instruction.
    pub funct7: u8,
    /// funct3 of its custom-0 instruction.
    pub funct3: u8,
}

impl std::fmt::Display for CoprocessorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (id {:#x}, funct7 {:#x}, funct3 {})",
            self.name, self.id, self.funct7, self.funct3
        )
    }
}

/// Why a coprocessor cannot join a set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoprocessorSetError {
    /// The native function and the circuit disagree on the selector.
    #[error(
        "coprocessor {name}: native selector {native:?} differs from the circuit's {circuit:?}"
    )]
    SelectorMismatch {
        /// The coprocessor's name.
        name: String,
        /// `(funct7, funct3)` of the native function.
        native: (u8, u8),
        /// `(funct7, funct3)` of the circuit.
        circuit: (u8, u8),
    },
    /// The VM's registry refused it (selector out of range or taken).
    #[error(transparent)]
    Registry(#[from] canopy_vm::error::RegistryError),
    /// Another coprocessor of the set has the same id.
    #[error("coprocessor id {0:#x} is registered twice")]
    DuplicateId(u32),
}

/// An ordered set of coprocessors (see the module documentation).
#[derive(Clone, Default)]
pub struct CoprocessorSet {
    list: Vec<Arc<dyn ProvableCoprocessor>>,
    registry: CoprocessorRegistry,
}

impl std::fmt::Debug for CoprocessorSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.describe().iter().map(ToString::to_string))
            .finish()
    }
}

impl CoprocessorSet {
    /// The empty set (programs that call no coprocessor).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a coprocessor as step circuit `len() + 1`.
    pub fn register(
        &mut self,
        coprocessor: Arc<dyn ProvableCoprocessor>,
    ) -> Result<(), CoprocessorSetError> {
        let native = Coprocessor::funct(&*coprocessor);
        let circuit = CoprocessorCircuit::funct(&*coprocessor);
        if native != circuit {
            return Err(CoprocessorSetError::SelectorMismatch {
                name: Coprocessor::name(&*coprocessor).to_string(),
                native,
                circuit,
            });
        }
        let id = coprocessor.id();
        if self.list.iter().any(|c| c.id() == id) {
            return Err(CoprocessorSetError::DuplicateId(id));
        }
        let as_native: Arc<dyn Coprocessor> = coprocessor.clone();
        self.registry.register(as_native)?;
        self.list.push(coprocessor);
        Ok(())
    }

    /// The set with these coprocessors, in order.
    pub fn of(
        coprocessors: impl IntoIterator<Item = Arc<dyn ProvableCoprocessor>>,
    ) -> Result<Self, CoprocessorSetError> {
        let mut s = Self::new();
        for c in coprocessors {
            s.register(c)?;
        }
        Ok(s)
    }

    /// Number of coprocessors.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// No coprocessor.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The VM's registry of the native functions.
    pub fn registry(&self) -> &CoprocessorRegistry {
        &self.registry
    }

    /// The circuits, in circuit-index order from 1.
    pub fn circuits(&self) -> Vec<Arc<dyn CoprocessorCircuit>> {
        self.list
            .iter()
            .map(|c| {
                let c: Arc<dyn CoprocessorCircuit> = c.clone();
                c
            })
            .collect()
    }

    /// Each coprocessor's id, name and selector, in order (what a statement records).
    pub fn describe(&self) -> Vec<CoprocessorInfo> {
        self.list
            .iter()
            .map(|c| {
                let (funct7, funct3) = Coprocessor::funct(&**c);
                CoprocessorInfo {
                    id: c.id(),
                    name: Coprocessor::name(&**c).to_string(),
                    funct7,
                    funct3,
                }
            })
            .collect()
    }
}
