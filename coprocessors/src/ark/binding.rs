//! Which ark variables carry the coprocessor's input and output words.

use ark_relations::r1cs::Variable;
use nova_snark::frontend::SynthesisError;

/// The ark variables bound to guest memory words: `inputs[k]` holds input word k (in the
/// order of the coprocessor's input regions), `outputs[k]` output word k.
///
/// Each must be a concrete ark variable (`Variable::Instance(i)` with i ≥ 1 or
/// `Variable::Witness(i)`), allocated by the synthesizer. The adapter equates a bound input
/// variable with the wrapper's (range-checked) input word, and hands a bound output variable
/// to the wrapper as the output word (which range-checks it to 32 bits). An ark variable may be
/// bound more than once; the adapter then adds an equality constraint per repetition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// One variable per input word.
    pub inputs: Vec<Variable>,
    /// One variable per output word.
    pub outputs: Vec<Variable>,
}

impl Binding {
    /// The common arkworks convention: the circuit's public inputs, in allocation order, are
    /// the `inputs` input words followed by the `outputs` output words.
    pub fn public_inputs(inputs: usize, outputs: usize) -> Binding {
        Binding {
            inputs: (1..=inputs).map(Variable::Instance).collect(),
            outputs: (inputs + 1..=inputs + outputs)
                .map(Variable::Instance)
                .collect(),
        }
    }

    /// The matrix columns of the bound variables (inputs, outputs), checked against the
    /// circuit's variable counts.
    pub(crate) fn columns(
        &self,
        name: &str,
        num_instance: usize,
        num_witness: usize,
    ) -> Result<(Vec<usize>, Vec<usize>), SynthesisError> {
        let column = |v: &Variable| -> Result<usize, SynthesisError> {
            let c = match *v {
                Variable::Instance(i) if i >= 1 && i < num_instance => Some(i),
                Variable::Witness(i) if i < num_witness => Some(num_instance + i),
                _ => None,
            };
            c.ok_or_else(|| {
                SynthesisError::IncompatibleLengthVector(format!(
                    "ark circuit {name}: bound variable {v:?} is not one of its {} instance \
                     and {num_witness} witness variables",
                    num_instance.saturating_sub(1)
                ))
            })
        };
        Ok((
            self.inputs.iter().map(column).collect::<Result<_, _>>()?,
            self.outputs.iter().map(column).collect::<Result<_, _>>()?,
        ))
    }
}
