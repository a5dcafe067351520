//! Allocated foreign instances and their absorb encoders (docs/protocol.md §1.2–1.3).

use super::conv::{bits_to_bignat, conv250};
use crate::encoding::{to_int, LIMB_WIDTH, N_LIMBS};
use ff::{Field, PrimeField};
use nova_snark::{
    frontend::{num::AllocatedNum, AllocatedBit, Boolean, ConstraintSystem, SynthesisError},
    gadgets::{ecc::AllocatedPoint, nonnative::bignat::BigNat, utils::conditionally_select_bignat},
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::{commitment::CommitmentTrait, Engine},
};

/// Constrains a point to the canonical identity encoding: `x·inf = 0` and `y·inf = 0`
/// (P8; `inf` is already boolean from `AllocatedPoint::alloc`).
pub fn enforce_canonical<E: Engine, CS: ConstraintSystem<E::Base>>(
    mut cs: CS,
    p: &AllocatedPoint<E>,
) -> Result<(), SynthesisError> {
    cs.enforce(
        || "x * inf = 0",
        |lc| lc + p.x.get_variable(),
        |lc| lc + p.is_infinity.get_variable(),
        |lc| lc,
    );
    cs.enforce(
        || "y * inf = 0",
        |lc| lc + p.y.get_variable(),
        |lc| lc + p.is_infinity.get_variable(),
        |lc| lc,
    );
    Ok(())
}

/// Allocates a point from witness coordinates (`None` = identity), always canonical, and on
/// the curve when `on_curve` (points not bound by an in-circuit hash check, P8).
pub fn alloc_point<E: Engine, CS: ConstraintSystem<E::Base>>(
    mut cs: CS,
    coords: Option<(E::Base, E::Base, bool)>,
    on_curve: bool,
) -> Result<AllocatedPoint<E>, SynthesisError> {
    let p = AllocatedPoint::<E>::alloc(cs.namespace(|| "point"), coords)?;
    enforce_canonical(cs.namespace(|| "canonical"), &p)?;
    if on_curve {
        p.check_on_curve(cs.namespace(|| "on curve"))?;
    }
    Ok(p)
}

fn limbs_to_nums<F: PrimeField, CS: ConstraintSystem<F>>(
    mut cs: CS,
    bn: &BigNat<F>,
) -> Result<Vec<AllocatedNum<F>>, SynthesisError> {
    bn.as_limbs()
        .iter()
        .enumerate()
        .map(|(i, l)| l.as_allocated_num(cs.namespace(|| format!("limb {i}"))))
        .collect()
}

fn pt_elems<E: Engine>(p: &AllocatedPoint<E>) -> [AllocatedNum<E::Base>; 3] {
    [p.x.clone(), p.y.clone(), p.is_infinity.clone()]
}

/// An allocated relaxed instance of engine `E`: points native, `u` and `X` foreign BigNats
/// (u is a BigNat, never one native element: P3).
#[derive(Clone)]
pub struct AllocatedRelaxed<E: Engine> {
    /// Commitment to W.
    pub w: AllocatedPoint<E>,
    /// Commitment to E.
    pub e: AllocatedPoint<E>,
    /// The relaxation scalar u (foreign).
    pub u: BigNat<E::Base>,
    /// The public IO X (foreign).
    pub x: Vec<BigNat<E::Base>>,
}

impl<E: Engine> AllocatedRelaxed<E> {
    /// Allocates a relaxed instance with `ell` IO values from the witness (`None` = DEFAULT
    /// values). Points are canonical; limbs are not range-checked (P5): callers bind the
    /// instance by a hash check before relying on it.
    pub fn alloc<CS: ConstraintSystem<E::Base>>(
        cs: CS,
        inst: Option<&RelaxedR1CSInstance<E>>,
        ell: usize,
    ) -> Result<Self, SynthesisError> {
        Self::alloc_inner(cs, inst, ell, false)
    }

    /// Allocates a relaxed instance that no earlier circuit has checked (a random slot start,
    /// docs/protocol.md §3.7): both points on the curve and every limb of u and X in
    /// [0, 2^64), so that FoldRS / FoldRR compute on it exactly as on an instance that left a
    /// previous circuit through `red_mod`. Costs 2 on-curve checks and 4(1 + ℓ) 64-bit range
    /// checks.
    pub fn alloc_checked<CS: ConstraintSystem<E::Base>>(
        cs: CS,
        inst: Option<&RelaxedR1CSInstance<E>>,
        ell: usize,
    ) -> Result<Self, SynthesisError> {
        Self::alloc_inner(cs, inst, ell, true)
    }

    fn alloc_inner<CS: ConstraintSystem<E::Base>>(
        mut cs: CS,
        inst: Option<&RelaxedR1CSInstance<E>>,
        ell: usize,
        checked: bool,
    ) -> Result<Self, SynthesisError> {
        let w = alloc_point(
            cs.namespace(|| "W"),
            inst.map(|i| i.comm_W().to_coordinates()),
            checked,
        )?;
        let e = alloc_point(
            cs.namespace(|| "E"),
            inst.map(|i| i.comm_E().to_coordinates()),
            checked,
        )?;
        let alloc_bn = |cs: &mut CS, name: String, v: Option<E::Scalar>| {
            BigNat::alloc_from_nat(
                cs.namespace(|| name),
                || Ok(to_int(&v.unwrap_or(E::Scalar::ZERO))),
                LIMB_WIDTH,
                N_LIMBS,
            )
        };
        let u = alloc_bn(&mut cs, "u".into(), inst.map(|i| i.u()))?;
        let mut x = Vec::with_capacity(ell);
        for j in 0..ell {
            x.push(alloc_bn(
                &mut cs,
                format!("X{j}"),
                inst.and_then(|i| i.X().get(j).copied()),
            )?);
        }
        if checked {
            u.assert_well_formed(cs.namespace(|| "u limbs"))?;
            for (j, xj) in x.iter().enumerate() {
                xj.assert_well_formed(cs.namespace(|| format!("X{j} limbs")))?;
            }
        }
        Ok(Self { w, e, u, x })
    }

    /// `rel(U)` as a list of variables to absorb.
    pub fn elems<CS: ConstraintSystem<E::Base>>(
        &self,
        mut cs: CS,
    ) -> Result<Vec<AllocatedNum<E::Base>>, SynthesisError> {
        let mut out = Vec::with_capacity(10 + 4 * self.x.len());
        out.extend(pt_elems(&self.w));
        out.extend(pt_elems(&self.e));
        out.extend(limbs_to_nums(cs.namespace(|| "u"), &self.u)?);
        for (j, x) in self.x.iter().enumerate() {
            out.extend(limbs_to_nums(cs.namespace(|| format!("X{j}")), x)?);
        }
        Ok(out)
    }

    /// `cond ? a : b`, element-wise.
    pub fn select<CS: ConstraintSystem<E::Base>>(
        mut cs: CS,
        cond: &Boolean,
        a: &Self,
        b: &Self,
    ) -> Result<Self, SynthesisError> {
        if a.x.len() != b.x.len() {
            return Err(SynthesisError::IncompatibleLengthVector("select X".into()));
        }
        let w = AllocatedPoint::conditionally_select(cs.namespace(|| "W"), &a.w, &b.w, cond)?;
        let e = AllocatedPoint::conditionally_select(cs.namespace(|| "E"), &a.e, &b.e, cond)?;
        let u = conditionally_select_bignat(cs.namespace(|| "u"), &a.u, &b.u, cond)?;
        let x =
            a.x.iter()
                .zip(&b.x)
                .enumerate()
                .map(|(j, (xa, xb))| {
                    conditionally_select_bignat(cs.namespace(|| format!("X{j}")), xa, xb, cond)
                })
                .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { w, e, u, x })
    }
}

/// An allocated strict instance of engine `E`: W on the curve and canonical, each X value a
/// native element together with its `conv250` BigNat (so X < 2^250 is enforced).
#[derive(Clone)]
pub struct AllocatedStrict<E: Engine> {
    /// Commitment to W.
    pub w: AllocatedPoint<E>,
    /// X values as native elements (`emb`).
    pub x: Vec<AllocatedNum<E::Base>>,
    /// The same X values as canonical foreign BigNats (conv250).
    pub x_bn: Vec<BigNat<E::Base>>,
    /// The 250 bits of each X value.
    pub x_bits: Vec<Vec<AllocatedBit>>,
}

impl<E: Engine> AllocatedStrict<E> {
    /// Allocates a strict instance with `ell` IO values from the witness (`None` = identity, 0).
    pub fn alloc<CS: ConstraintSystem<E::Base>>(
        mut cs: CS,
        inst: Option<&R1CSInstance<E>>,
        ell: usize,
    ) -> Result<Self, SynthesisError> {
        let w = alloc_point(
            cs.namespace(|| "W"),
            inst.map(|i| i.comm_W().to_coordinates()),
            true,
        )?;
        let mut x = Vec::with_capacity(ell);
        let mut x_bn = Vec::with_capacity(ell);
        let mut x_bits = Vec::with_capacity(ell);
        for j in 0..ell {
            let v = AllocatedNum::alloc(cs.namespace(|| format!("X{j}")), || {
                let s = inst
                    .and_then(|i| i.X().get(j).copied())
                    .unwrap_or(E::Scalar::ZERO);
                // X values of strict instances are < 2^250 < |E::Base|; a larger value is
                // truncated here and then rejected by conv250.
                Ok(crate::encoding::from_int::<E::Base>(&to_int(&s)).unwrap_or(E::Base::ZERO))
            })?;
            let (bits, bn) = conv250(cs.namespace(|| format!("conv X{j}")), &v)?;
            x.push(v);
            x_bn.push(bn);
            x_bits.push(bits);
        }
        Ok(Self { w, x, x_bn, x_bits })
    }

    /// `str(u)` as a list of variables to absorb.
    pub fn elems(&self) -> Vec<AllocatedNum<E::Base>> {
        let mut out = pt_elems(&self.w).to_vec();
        out.extend(self.x.iter().cloned());
        out
    }
}

/// A challenge r: its 128 bits (for `scalar_mul`) and the foreign BigNat of the same bits.
pub struct Challenge<F: PrimeField> {
    /// Little-endian bits.
    pub bits: Vec<AllocatedBit>,
    /// The same integer as a BigNat (limbs 0 and 1 from the bits, limbs 2 and 3 zero).
    pub bn: BigNat<F>,
}

impl<F: PrimeField> Challenge<F> {
    /// Builds the challenge from its bits.
    pub fn from_bits(bits: Vec<AllocatedBit>) -> Self {
        let bn = bits_to_bignat(&bits);
        Self { bits, bn }
    }
}
