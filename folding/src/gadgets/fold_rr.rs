//! FoldRR (docs/protocol.md §1.6): the relaxed–relaxed folding verifier in circuit, for the PCD
//! merge circuits (leaves do not use it).
//!
//! `W ← U1.W + [r]U2.W; E ← U1.E + [r](T + [r]U2.E)` (Horner: r² never appears as a scalar,
//! P2); `u ← (U1.u + r·U2.u) mod s; X_j ← (U1.X_j + r·U2.X_j) mod s`.
//! Native twin: `RelaxedR1CSInstance::fold_relaxed` (E1 + r·T + r²·E2, the same point) with
//! the cross term of `R1CSShape::commit_T_relaxed`.
//!
//! Soundness caveat for callers (Sonobe audit #262): both inputs must be bound (hash-checked
//! or absorbed) before `r` is derived, and `T` must be on the curve (use
//! [`alloc_point`](super::instance::alloc_point) with `on_curve = true`).

use super::fold_rs::foreign_modulus;
use super::instance::{AllocatedRelaxed, Challenge};
use nova_snark::{
    frontend::{ConstraintSystem, SynthesisError},
    gadgets::ecc::AllocatedPoint,
    traits::Engine,
};

/// Folds `u2` into `u1` with cross term `t` and challenge `r`.
pub fn fold_rr<E: Engine, CS: ConstraintSystem<E::Base>>(
    mut cs: CS,
    u1: &AllocatedRelaxed<E>,
    u2: &AllocatedRelaxed<E>,
    t: &AllocatedPoint<E>,
    r: &Challenge<E::Base>,
) -> Result<AllocatedRelaxed<E>, SynthesisError> {
    if u1.x.len() != u2.x.len() {
        return Err(SynthesisError::IncompatibleLengthVector("FoldRR X".into()));
    }
    let r_w = u2.w.scalar_mul(cs.namespace(|| "r*U2.W"), &r.bits)?;
    let w = u1.w.add(cs.namespace(|| "U1.W + r*U2.W"), &r_w)?;
    let r_e2 = u2.e.scalar_mul(cs.namespace(|| "r*U2.E"), &r.bits)?;
    let inner = t.add(cs.namespace(|| "T + r*U2.E"), &r_e2)?;
    let r_inner = inner.scalar_mul(cs.namespace(|| "r*(T + r*U2.E)"), &r.bits)?;
    let e = u1.e.add(cs.namespace(|| "U1.E + r*(...)"), &r_inner)?;

    let m = foreign_modulus::<E, _>(cs.namespace(|| "modulus"))?;
    let (_, ru) = u2.u.mult_mod(cs.namespace(|| "r*U2.u"), &r.bn, &m)?;
    let u = u1.u.add(&ru)?.red_mod(cs.namespace(|| "u mod s"), &m)?;
    let mut x = Vec::with_capacity(u1.x.len());
    for (j, (x1, x2)) in u1.x.iter().zip(&u2.x).enumerate() {
        let (_, rx) = x2.mult_mod(cs.namespace(|| format!("r*X2_{j}")), &r.bn, &m)?;
        x.push(
            x1.add(&rx)?
                .red_mod(cs.namespace(|| format!("X{j} mod s")), &m)?,
        );
    }
    Ok(AllocatedRelaxed { w, e, u, x })
}
