//! FoldRS (docs/protocol.md §1.6): the relaxed–strict Nova NIFS verifier in circuit.
//!
//! `W ← U.W + [r]u.W; E ← U.E + [r]T; u ← (U.u + r) mod s; X_j ← (U.X_j + r·conv250(u.X_j)) mod s`.
//! Native twin: `RelaxedR1CSInstance::fold` with the cross term of `R1CSShape::commit_T`.

use super::instance::{AllocatedRelaxed, AllocatedStrict, Challenge};
use crate::encoding::{LIMB_WIDTH, N_LIMBS};
use nova_snark::{
    frontend::{ConstraintSystem, SynthesisError},
    gadgets::{ecc::AllocatedPoint, nonnative::bignat::BigNat, utils::alloc_bignat_constant},
    traits::{Engine, Group},
};

/// The order of `E`'s group (the foreign modulus s) as a constant BigNat.
pub fn foreign_modulus<E: Engine, CS: ConstraintSystem<E::Base>>(
    cs: CS,
) -> Result<BigNat<E::Base>, SynthesisError> {
    alloc_bignat_constant(cs, &E::GE::group_params().2, LIMB_WIDTH, N_LIMBS)
}

/// Folds the strict instance `u` into `U` with cross term `t` and challenge `r`.
/// The caller derives `r` from a transcript that binds `u`, `t` (and `U` through a hash check).
pub fn fold_rs<E: Engine, CS: ConstraintSystem<E::Base>>(
    mut cs: CS,
    big_u: &AllocatedRelaxed<E>,
    u: &AllocatedStrict<E>,
    t: &AllocatedPoint<E>,
    r: &Challenge<E::Base>,
) -> Result<AllocatedRelaxed<E>, SynthesisError> {
    if big_u.x.len() != u.x_bn.len() {
        return Err(SynthesisError::IncompatibleLengthVector("FoldRS X".into()));
    }
    let r_w = u.w.scalar_mul(cs.namespace(|| "r*u.W"), &r.bits)?;
    let w = big_u.w.add(cs.namespace(|| "U.W + r*u.W"), &r_w)?;
    let r_t = t.scalar_mul(cs.namespace(|| "r*T"), &r.bits)?;
    let e = big_u.e.add(cs.namespace(|| "U.E + r*T"), &r_t)?;

    let m = foreign_modulus::<E, _>(cs.namespace(|| "modulus"))?;
    let u_sum = big_u.u.add(&r.bn)?;
    let u_new = u_sum.red_mod(cs.namespace(|| "u mod s"), &m)?;
    let mut x = Vec::with_capacity(big_u.x.len());
    for (j, (xu, xs)) in big_u.x.iter().zip(&u.x_bn).enumerate() {
        let (_, rx) = xs.mult_mod(cs.namespace(|| format!("r*x{j}")), &r.bn, &m)?;
        let sum = xu.add(&rx)?;
        x.push(sum.red_mod(cs.namespace(|| format!("X{j} mod s")), &m)?);
    }
    Ok(AllocatedRelaxed { w, e, u: u_new, x })
}
