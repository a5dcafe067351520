//! Running an arkworks synthesizer into an arkworks `ConstraintSystem`: once in setup mode for
//! the shape ([`ArkShape`]), and once per call in prove mode for the assignment.
//!
//! Both runs use [`OptimizationGoal::Constraints`] and `finalize()`, which inlines every
//! symbolic linear combination into the constraints that use it (no outlining variables and
//! no extra constraints; rows get more non-zero entries, which nova pays only in the sparse
//! matrix–vector products). The matrices are therefore over concrete variables only: column
//! 0 is the constant one, columns `1..num_instance` are ark's public inputs, the rest its
//! witnesses.

use ark_bn254::Fr;
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef,
    OptimizationGoal, SynthesisError as ArkError, SynthesisMode,
};
use canopy_folding::F1;
use nova_snark::frontend::SynthesisError;

use super::field::ark_to_f1;

/// One row of a converted matrix: (coefficient, column).
pub(crate) type Row = Vec<(F1, usize)>;

/// The constraint structure of an ark circuit, from a setup-mode run, with its coefficients
/// converted to the circuit field.
#[derive(Debug, Clone)]
pub struct ArkShape {
    matrices: ConstraintMatrices<Fr>,
    rows: Vec<[Row; 3]>,
    used: Vec<bool>,
}

impl ArkShape {
    /// Constraints of the (finalized) ark circuit.
    pub fn num_constraints(&self) -> usize {
        self.matrices.num_constraints
    }

    /// Ark instance variables, including the constant one.
    pub fn num_instance_variables(&self) -> usize {
        self.matrices.num_instance_variables
    }

    /// Ark witness variables.
    pub fn num_witness_variables(&self) -> usize {
        self.matrices.num_witness_variables
    }

    /// Non-zero entries of A, B and C together.
    pub fn num_non_zero(&self) -> usize {
        self.matrices.a_num_non_zero + self.matrices.b_num_non_zero + self.matrices.c_num_non_zero
    }

    /// Columns (instance then witness variables, column 0 = one).
    pub(crate) fn num_columns(&self) -> usize {
        self.used.len()
    }

    /// The converted (A, B, C) rows.
    pub(crate) fn rows(&self) -> &[[Row; 3]] {
        &self.rows
    }

    /// Whether column `c` occurs in some constraint.
    pub(crate) fn is_used(&self, c: usize) -> bool {
        self.used.get(c).copied().unwrap_or(false)
    }

    /// Whether a prove-mode run produced exactly these constraints.
    pub(crate) fn same_as(&self, other: &ConstraintMatrices<Fr>) -> bool {
        &self.matrices == other
    }

    fn from_matrices(matrices: ConstraintMatrices<Fr>) -> Result<ArkShape, SynthesisError> {
        let ncols = matrices.num_instance_variables + matrices.num_witness_variables;
        let mut used = vec![false; ncols];
        let convert = |m: &[(Fr, usize)], used: &mut Vec<bool>| -> Result<Row, SynthesisError> {
            m.iter()
                .map(|(coeff, col)| {
                    let slot = used.get_mut(*col).ok_or_else(|| {
                        SynthesisError::Unsatisfiable(format!(
                            "ark matrix column {col} out of range ({ncols} columns)"
                        ))
                    })?;
                    *slot = true;
                    Ok((ark_to_f1(coeff)?, *col))
                })
                .collect()
        };
        let mut rows = Vec::with_capacity(matrices.num_constraints);
        for i in 0..matrices.num_constraints {
            let (a, b, c) = match (matrices.a.get(i), matrices.b.get(i), matrices.c.get(i)) {
                (Some(a), Some(b), Some(c)) => (a, b, c),
                _ => {
                    return Err(SynthesisError::Unsatisfiable(
                        "ark matrices shorter than the constraint count".into(),
                    ))
                }
            };
            rows.push([
                convert(a, &mut used)?,
                convert(b, &mut used)?,
                convert(c, &mut used)?,
            ]);
        }
        Ok(ArkShape {
            matrices,
            rows,
            used,
        })
    }
}

/// The result of a prove-mode run: its matrices (to compare with the shape) and the full
/// assignment, column by column (one, instance, witness), converted to `F1`.
pub(crate) struct ArkAssignment {
    pub matrices: ConstraintMatrices<Fr>,
    pub values: Vec<F1>,
}

/// An ark error as the frontend's error, naming the circuit.
pub(crate) fn from_ark(name: &str, e: ArkError) -> SynthesisError {
    match e {
        ArkError::AssignmentMissing => SynthesisError::AssignmentMissing,
        ArkError::DivisionByZero => SynthesisError::DivisionByZero,
        ArkError::PolynomialDegreeTooLarge => SynthesisError::PolynomialDegreeTooLarge,
        ArkError::UnexpectedIdentity => SynthesisError::UnexpectedIdentity,
        ArkError::MalformedVerifyingKey => SynthesisError::MalformedVerifyingKey,
        ArkError::UnconstrainedVariable => SynthesisError::UnconstrainedVariable,
        ArkError::MissingCS | ArkError::Unsatisfiable => {
            SynthesisError::Unsatisfiable(format!("ark circuit {name}: {e}"))
        }
    }
}

fn new_cs(mode: SynthesisMode) -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(mode);
    cs
}

fn matrices(
    name: &str,
    cs: &ConstraintSystemRef<Fr>,
) -> Result<ConstraintMatrices<Fr>, SynthesisError> {
    cs.finalize();
    cs.to_matrices().ok_or_else(|| {
        SynthesisError::Unsatisfiable(format!("ark circuit {name}: no constraint matrices"))
    })
}

/// Runs `synth` in setup mode and returns its shape.
pub(crate) fn setup<S: ConstraintSynthesizer<Fr>>(
    name: &str,
    synth: S,
) -> Result<ArkShape, SynthesisError> {
    let cs = new_cs(SynthesisMode::Setup);
    synth
        .generate_constraints(cs.clone())
        .map_err(|e| from_ark(name, e))?;
    ArkShape::from_matrices(matrices(name, &cs)?)
}

/// Runs `synth` in prove mode (with matrices, to check the shape) and returns the assignment.
pub(crate) fn prove<S: ConstraintSynthesizer<Fr>>(
    name: &str,
    synth: S,
) -> Result<ArkAssignment, SynthesisError> {
    let cs = new_cs(SynthesisMode::Prove {
        construct_matrices: true,
    });
    synth
        .generate_constraints(cs.clone())
        .map_err(|e| from_ark(name, e))?;
    let matrices = matrices(name, &cs)?;
    let inner = cs.borrow().ok_or_else(|| {
        SynthesisError::Unsatisfiable(format!("ark circuit {name}: no constraint system"))
    })?;
    let ncols = matrices.num_instance_variables + matrices.num_witness_variables;
    if inner.instance_assignment.len() + inner.witness_assignment.len() != ncols {
        return Err(SynthesisError::AssignmentMissing);
    }
    let values = inner
        .instance_assignment
        .iter()
        .chain(&inner.witness_assignment)
        .map(ark_to_f1)
        .collect::<Result<Vec<_>, _>>()?;
    drop(inner);
    Ok(ArkAssignment { matrices, values })
}
