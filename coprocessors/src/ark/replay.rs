//! Replaying an ark constraint system into the frontend's constraint system.
//!
//! Every ark column gets one frontend variable: column 0 is `CS::one()`, a column bound to an
//! input word *is* that word's variable (substitution, no constraint), a column bound to an
//! output word is a fresh `AllocatedNum` (the output), and every other column that occurs in a
//! constraint is a fresh auxiliary variable. Then each ark constraint ⟨a,z⟩·⟨b,z⟩ = ⟨c,z⟩ is
//! enforced over those variables. So the frontend system has exactly the ark constraints plus
//! one equality per repeated binding, and its variables are the used ark variables minus the
//! bound inputs. Which columns get variables depends only on the shape, never on values.

use canopy_circuit::coprocessor::InputWord;
use canopy_folding::F1;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, LinearCombination, SynthesisError, Variable};

use super::run::{ArkShape, Row};

/// Enforces `a = b`.
fn enforce_eq<CS: ConstraintSystem<F1>>(cs: &mut CS, name: String, a: Variable, b: Variable) {
    cs.enforce(|| name, |lc| lc + a, |lc| lc + CS::one(), |lc| lc + b);
}

/// Replays `shape` into `cs` with the input columns substituted by `inputs` and returns the
/// output words. `values` is the full ark assignment (None for shapes).
pub(crate) fn replay<CS: ConstraintSystem<F1>>(
    cs: &mut CS,
    shape: &ArkShape,
    values: Option<&[F1]>,
    inputs: &[InputWord],
    in_cols: &[usize],
    out_cols: &[usize],
) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
    let value = |c: usize| -> Result<F1, SynthesisError> {
        values
            .and_then(|v| v.get(c).copied())
            .ok_or(SynthesisError::AssignmentMissing)
    };
    let mut var: Vec<Option<Variable>> = vec![None; shape.num_columns()];
    let slot = |var: &[Option<Variable>], c: usize| -> Result<Option<Variable>, SynthesisError> {
        var.get(c).copied().ok_or_else(|| {
            SynthesisError::IncompatibleLengthVector(format!("ark column {c} out of range"))
        })
    };
    if let Some(first) = var.first_mut() {
        *first = Some(CS::one());
    }

    for (k, (&c, w)) in in_cols.iter().zip(inputs).enumerate() {
        match slot(&var, c)? {
            None => var[c] = Some(w.value.get_variable()),
            Some(v) => enforce_eq(
                cs,
                format!("ark in {k} repeated"),
                v,
                w.value.get_variable(),
            ),
        }
    }

    let mut outputs = Vec::with_capacity(out_cols.len());
    for (k, &c) in out_cols.iter().enumerate() {
        let o = AllocatedNum::alloc(cs.namespace(|| format!("ark out {k}")), || value(c))?;
        match slot(&var, c)? {
            None => var[c] = Some(o.get_variable()),
            Some(v) => enforce_eq(cs, format!("ark out {k} repeated"), v, o.get_variable()),
        }
        outputs.push(o);
    }

    for (c, v) in var.iter_mut().enumerate() {
        if v.is_none() && shape.is_used(c) {
            *v = Some(cs.alloc(|| format!("ark z{c}"), || value(c))?);
        }
    }

    let lc = |row: &Row| -> Result<LinearCombination<F1>, SynthesisError> {
        row.iter()
            .try_fold(LinearCombination::zero(), |lc, (coeff, c)| {
                let v = var.get(*c).copied().flatten().ok_or_else(|| {
                    SynthesisError::IncompatibleLengthVector(format!(
                        "ark column {c} has no variable"
                    ))
                })?;
                Ok(lc + (*coeff, v))
            })
    };
    for (i, [a, b, c]) in shape.rows().iter().enumerate() {
        let (a, b, c) = (lc(a)?, lc(b)?, lc(c)?);
        cs.enforce(|| format!("ark c{i}"), |_| a, |_| b, |_| c);
    }
    Ok(outputs)
}
