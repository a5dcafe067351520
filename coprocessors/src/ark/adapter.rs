//! [`ArkAdapter`]: an arkworks circuit ([`ArkCircuit`]) as a Canopy coprocessor, both halves.

use std::fmt;
use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use canopy_circuit::coprocessor::{
    Arg, CoprocessorCircuit, CoprocessorOutput, DynCs, InputWord, Region,
};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::{Coprocessor, GuestMemory};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem as _, SynthesisError};

use super::binding::Binding;
use super::field::ark_to_u32;
use super::replay::replay;
use super::run::{self, ArkShape};
use crate::util::{low_u32, read_words, write_words, zero_status};

/// A coprocessor defined by an arkworks `ConstraintSynthesizer<ark_bn254::Fr>`.
///
/// Implement this and wrap it in [`ArkAdapter`] to get a [`CoprocessorCircuit`] and a
/// [`Coprocessor`]. The synthesizer is built from the input words (or without values, for the
/// shape); its constraint structure must not depend on them (the adapter checks this on every
/// proven call).
pub trait ArkCircuit: Send + Sync {
    /// The arkworks circuit.
    type Synthesizer: ConstraintSynthesizer<Fr>;
    /// Stable coprocessor id.
    fn id(&self) -> u32;
    /// Short name (errors, parameter listings).
    fn name(&self) -> &str;
    /// `(funct7, funct3)` of the `custom-0` instruction that calls it.
    fn funct(&self) -> (u8, u8);
    /// The words it reads, in binding order.
    fn inputs(&self) -> Vec<Region>;
    /// The words it writes, in binding order.
    fn outputs(&self) -> Vec<Region>;
    /// Which ark variables are the input and output words.
    fn binding(&self) -> Binding;
    /// The synthesizer for these input words (`None`: for the shape, no values).
    fn synthesizer(&self, inputs: Option<&[u32]>) -> Self::Synthesizer;
    /// The native function: the output words for these input words. The default runs the
    /// ark circuit ([`evaluate`]); override it with a faster equivalent if there is one.
    fn native(&self, inputs: &[u32]) -> Result<Vec<u32>, CoprocessorError> {
        evaluate(self, inputs)
    }
}

fn total_words(regions: &[Region]) -> usize {
    regions.iter().map(|r| r.words as usize).sum()
}

fn invalid(name: &str, msg: impl fmt::Display) -> CoprocessorError {
    CoprocessorError::InvalidArguments(format!("{name}: {msg}"))
}

/// Runs the ark circuit on `inputs` (prove mode, no inlining) and reads the output words from
/// the bound variables: the native-side helper. Fails if the synthesizer fails, if the ark
/// constraints are not satisfied, if a bound input variable does not hold its input word, or
/// if an output is not below 2^32.
pub fn evaluate<C: ArkCircuit + ?Sized>(
    circuit: &C,
    inputs: &[u32],
) -> Result<Vec<u32>, CoprocessorError> {
    let name = circuit.name();
    let cs = ConstraintSystem::<Fr>::new_ref();
    // With matrices: ark records constraints only then, and checking satisfaction needs them.
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
    });
    circuit
        .synthesizer(Some(inputs))
        .generate_constraints(cs.clone())
        .map_err(|e| invalid(name, e))?;
    match cs.which_is_unsatisfied().map_err(|e| invalid(name, e))? {
        None => {}
        Some(at) => return Err(invalid(name, format!("ark constraint {at} not satisfied"))),
    }
    let binding = circuit.binding();
    if binding.inputs.len() != inputs.len() {
        return Err(invalid(name, "binding and input regions differ in length"));
    }
    let value = |v| {
        cs.assigned_value(v)
            .ok_or_else(|| invalid(name, format!("bound variable {v:?} has no value")))
    };
    for (k, (v, w)) in binding.inputs.iter().zip(inputs).enumerate() {
        if value(*v)? != Fr::from(*w) {
            return Err(invalid(
                name,
                format!("bound variable of input word {k} differs from it"),
            ));
        }
    }
    binding
        .outputs
        .iter()
        .enumerate()
        .map(|(k, v)| {
            ark_to_u32(&value(*v)?)
                .ok_or_else(|| invalid(name, format!("output word {k} is not a 32-bit value")))
        })
        .collect()
}

/// An [`ArkCircuit`] as a coprocessor: implements [`CoprocessorCircuit`] by replaying the
/// ark constraints into the frontend (see the module docs) and [`Coprocessor`] with
/// [`ArkCircuit::native`].
pub struct ArkAdapter<C> {
    circuit: C,
    shape: OnceLock<Result<ArkShape, SynthesisError>>,
}

impl<C: ArkCircuit + Default> Default for ArkAdapter<C> {
    fn default() -> Self {
        ArkAdapter::new(C::default())
    }
}

impl<C: ArkCircuit> fmt::Debug for ArkAdapter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArkAdapter")
            .field("name", &self.circuit.name())
            .field("funct", &self.circuit.funct())
            .finish()
    }
}

impl<C: ArkCircuit> ArkAdapter<C> {
    /// Wraps `circuit` (its shape is computed on first use).
    pub fn new(circuit: C) -> Self {
        ArkAdapter {
            circuit,
            shape: OnceLock::new(),
        }
    }

    /// The wrapped circuit.
    pub fn circuit(&self) -> &C {
        &self.circuit
    }

    /// The ark circuit's shape (setup-mode run, computed once).
    pub fn shape(&self) -> Result<&ArkShape, SynthesisError> {
        self.shape
            .get_or_init(|| run::setup(self.circuit.name(), self.circuit.synthesizer(None)))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn check_lengths(&self, binding: &Binding, inputs: &[InputWord]) -> Result<(), SynthesisError> {
        let name = self.circuit.name();
        let (n_in, n_out) = (
            total_words(&self.circuit.inputs()),
            total_words(&self.circuit.outputs()),
        );
        if inputs.len() != n_in || binding.inputs.len() != n_in || binding.outputs.len() != n_out {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "ark circuit {name}: {} input words and {} bound input variables for {n_in} \
                 declared; {} bound output variables for {n_out} declared",
                inputs.len(),
                binding.inputs.len(),
                binding.outputs.len()
            )));
        }
        Ok(())
    }
}

impl<C: ArkCircuit> CoprocessorCircuit for ArkAdapter<C> {
    fn name(&self) -> &str {
        self.circuit.name()
    }

    fn funct(&self) -> (u8, u8) {
        self.circuit.funct()
    }

    fn inputs(&self) -> Vec<Region> {
        self.circuit.inputs()
    }

    fn outputs(&self) -> Vec<Region> {
        self.circuit.outputs()
    }

    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        _args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError> {
        let name = self.circuit.name();
        let shape = self.shape()?;
        let binding = self.circuit.binding();
        self.check_lengths(&binding, inputs)?;
        let (in_cols, out_cols) = binding.columns(
            name,
            shape.num_instance_variables(),
            shape.num_witness_variables(),
        )?;
        // With every input value known this is a proving run, else a shape run.
        let words: Option<Vec<u32>> = inputs
            .iter()
            .map(|w| w.value.get_value().map(low_u32))
            .collect();
        let assignment = match &words {
            Some(words) => {
                let a = run::prove(name, self.circuit.synthesizer(Some(words)))?;
                if !shape.same_as(&a.matrices) {
                    return Err(SynthesisError::Unsatisfiable(format!(
                        "ark circuit {name}: its constraints depend on the witness ({} \
                         constraints and {} witness variables in setup, {} and {} on this input)",
                        shape.num_constraints(),
                        shape.num_witness_variables(),
                        a.matrices.num_constraints,
                        a.matrices.num_witness_variables,
                    )));
                }
                Some(a.values)
            }
            None => None,
        };
        let words = replay(
            &mut cs.namespace(|| "ark"),
            shape,
            assignment.as_deref(),
            inputs,
            &in_cols,
            &out_cols,
        )?;
        let status = zero_status(cs.namespace(|| "status"))?;
        Ok(CoprocessorOutput { words, status })
    }
}

impl<C: ArkCircuit> Coprocessor for ArkAdapter<C> {
    fn id(&self) -> u32 {
        self.circuit.id()
    }

    fn name(&self) -> &str {
        self.circuit.name()
    }

    fn funct(&self) -> (u8, u8) {
        self.circuit.funct()
    }

    fn execute(
        &self,
        rs1: u32,
        rs2: u32,
        memory: &mut dyn GuestMemory,
    ) -> Result<u32, CoprocessorError> {
        let base = |r: &Region| match r.base {
            Arg::Rs1 => rs1,
            Arg::Rs2 => rs2,
        };
        let mut words = Vec::new();
        for r in self.circuit.inputs() {
            words.extend(read_words(memory, base(&r), r.offset, r.words)?);
        }
        let out = self.circuit.native(&words)?;
        let outputs = self.circuit.outputs();
        if out.len() != total_words(&outputs) {
            return Err(invalid(
                self.circuit.name(),
                "native function returned the wrong number of words",
            ));
        }
        let mut rest = out.as_slice();
        for r in &outputs {
            let (now, later) = rest.split_at(r.words as usize);
            write_words(memory, base(r), r.offset, now)?;
            rest = later;
        }
        Ok(0)
    }
}
