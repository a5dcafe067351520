//! Circuit pieces for Grumpkin arithmetic over its native base field (the circuit field):
//! linear expressions with values, products, selects, the complete mixed addition, affine
//! doubling and a zero test.

use canopy_folding::F1;
use ff::Field;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{Boolean, ConstraintSystem, LinearCombination, SynthesisError};

/// 3·b for Grumpkin's b = −17.
fn b3() -> F1 {
    -F1::from(51u64)
}

/// A linear combination with its value (`None` when synthesizing a shape) and, if it is a
/// constant, that constant (products with constants need no constraint).
#[derive(Clone)]
pub(super) struct Expr {
    lc: LinearCombination<F1>,
    value: Option<F1>,
    constant: Option<F1>,
}

impl Expr {
    /// The constant c.
    pub(super) fn constant<CS: ConstraintSystem<F1>>(c: F1) -> Self {
        Expr {
            lc: LinearCombination::zero() + (c, CS::one()),
            value: Some(c),
            constant: Some(c),
        }
    }

    /// An allocated number.
    pub(super) fn num(n: &AllocatedNum<F1>) -> Self {
        Expr {
            lc: LinearCombination::zero() + n.get_variable(),
            value: n.get_value(),
            constant: None,
        }
    }

    /// A linear combination with value.
    pub(super) fn from_num(n: &Num<F1>) -> Self {
        Expr {
            lc: n.lc(F1::ONE),
            value: n.get_value(),
            constant: None,
        }
    }

    /// The value (`None` for shapes).
    #[cfg(test)]
    pub(super) fn value(&self) -> Option<F1> {
        self.value
    }

    pub(super) fn add(&self, o: &Expr) -> Expr {
        Expr {
            lc: self.lc.clone() + &o.lc,
            value: self.value.zip(o.value).map(|(a, b)| a + b),
            constant: self.constant.zip(o.constant).map(|(a, b)| a + b),
        }
    }

    pub(super) fn sub(&self, o: &Expr) -> Expr {
        Expr {
            lc: self.lc.clone() - &o.lc,
            value: self.value.zip(o.value).map(|(a, b)| a - b),
            constant: self.constant.zip(o.constant).map(|(a, b)| a - b),
        }
    }

    pub(super) fn scale(&self, c: F1) -> Expr {
        Expr {
            lc: LinearCombination::zero() + (c, &self.lc),
            value: self.value.map(|v| v * c),
            constant: self.constant.map(|v| v * c),
        }
    }
}

fn alloc<CS: ConstraintSystem<F1>>(
    cs: CS,
    v: Option<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    AllocatedNum::alloc(cs, || v.ok_or(SynthesisError::AssignmentMissing))
}

/// a·b: one constraint, or none if either factor is a constant.
pub(super) fn mul<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    a: &Expr,
    b: &Expr,
) -> Result<Expr, SynthesisError> {
    if let Some(c) = a.constant {
        return Ok(b.scale(c));
    }
    if let Some(c) = b.constant {
        return Ok(a.scale(c));
    }
    let p = alloc(
        cs.namespace(|| "product"),
        a.value.zip(b.value).map(|(x, y)| x * y),
    )?;
    cs.enforce(
        || "a * b",
        |_| a.lc.clone(),
        |_| b.lc.clone(),
        |l| l + p.get_variable(),
    );
    Ok(Expr::num(&p))
}

/// `bit ? t : f` as a fresh variable (one constraint: bit·(t − f) = r − f).
pub(super) fn select<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    bit: &Boolean,
    t: &Expr,
    f: &Expr,
) -> Result<Expr, SynthesisError> {
    let v = match (bit.get_value(), t.value, f.value) {
        (Some(b), Some(t), Some(f)) => Some(if b { t } else { f }),
        _ => None,
    };
    let r = alloc(cs.namespace(|| "selected"), v)?;
    let d = t.lc.clone() - &f.lc;
    cs.enforce(
        || "bit * (t - f) = r - f",
        |_| bit.lc(CS::one(), F1::ONE),
        |_| d,
        |l| l + r.get_variable() - &f.lc,
    );
    Ok(Expr::num(&r))
}

/// A point in projective coordinates (X : Y : Z) on y²z = x³ − 17z³; the identity is
/// (0 : Y : 0).
#[derive(Clone)]
pub(super) struct Proj {
    pub(super) x: Expr,
    pub(super) y: Expr,
    pub(super) z: Expr,
}

/// An affine point that is never the identity.
#[derive(Clone)]
pub(super) struct Aff {
    pub(super) x: Expr,
    pub(super) y: Expr,
}

impl Proj {
    /// The affine point (x, y) as (x : y : 1).
    pub(super) fn from_affine<CS: ConstraintSystem<F1>>(a: &Aff) -> Proj {
        Proj {
            x: a.x.clone(),
            y: a.y.clone(),
            z: Expr::constant::<CS>(F1::ONE),
        }
    }
}

/// `bit ? t : f` coordinate-wise (3 constraints).
pub(super) fn select_point<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    bit: &Boolean,
    t: &Proj,
    f: &Proj,
) -> Result<Proj, SynthesisError> {
    Ok(Proj {
        x: select(cs.namespace(|| "x"), bit, &t.x, &f.x)?,
        y: select(cs.namespace(|| "y"), bit, &t.y, &f.y)?,
        z: select(cs.namespace(|| "z"), bit, &t.z, &f.z)?,
    })
}

/// p + q for any projective p (including the identity) and an affine q that is not the
/// identity: Renes–Costello–Batina 2016, Algorithm 8 (a = 0), complete on prime-order
/// curves. 11 constraints; 6 if q is a constant.
pub(super) fn mixed_add<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    p: &Proj,
    q: &Aff,
) -> Result<Proj, SynthesisError> {
    let (x1, y1, z1) = (&p.x, &p.y, &p.z);
    let (x2, y2) = (&q.x, &q.y);
    let t0 = mul(cs.namespace(|| "x1 x2"), x1, x2)?;
    let t1 = mul(cs.namespace(|| "y1 y2"), y1, y2)?;
    let k = mul(cs.namespace(|| "(x1+y1)(x2+y2)"), &x1.add(y1), &x2.add(y2))?;
    let t3 = k.sub(&t0).sub(&t1); // x1 y2 + x2 y1
    let t4 = mul(cs.namespace(|| "y2 z1"), y2, z1)?.add(y1); // y1 + y2 z1
    let u = mul(cs.namespace(|| "x2 z1"), x2, z1)?.add(x1); // x1 + x2 z1
    let t0_3 = t0.scale(F1::from(3u64));
    let b3z1 = z1.scale(b3());
    let z3p = t1.add(&b3z1);
    let t1p = t1.sub(&b3z1);
    let y3p = u.scale(b3());
    let p1 = mul(cs.namespace(|| "t3 t1'"), &t3, &t1p)?;
    let p2 = mul(cs.namespace(|| "t4 y3'"), &t4, &y3p)?;
    let p3 = mul(cs.namespace(|| "t1' z3'"), &t1p, &z3p)?;
    let p4 = mul(cs.namespace(|| "y3' 3t0"), &y3p, &t0_3)?;
    let p5 = mul(cs.namespace(|| "z3' t4"), &z3p, &t4)?;
    let p6 = mul(cs.namespace(|| "3t0 t3"), &t0_3, &t3)?;
    Ok(Proj {
        x: p1.sub(&p2),
        y: p3.add(&p4),
        z: p5.add(&p6),
    })
}

/// 2·a for an affine point a of the curve that is not the identity (4 constraints). The
/// slope λ with 2y·λ = 3x² is unique because y ≠ 0 on the odd-order group (y = 0 would
/// force x = 0, and (0, 0) is not on the curve).
pub(super) fn double_affine<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    a: &Aff,
) -> Result<Aff, SynthesisError> {
    let xx = mul(cs.namespace(|| "x x"), &a.x, &a.x)?;
    let lambda_v = a.x.value.zip(a.y.value).map(|(x, y)| {
        let inv: Option<F1> = y.double().invert().into();
        x.square() * F1::from(3u64) * inv.unwrap_or(F1::ZERO)
    });
    let lambda = alloc(cs.namespace(|| "lambda"), lambda_v)?;
    let x3_v = lambda_v
        .zip(a.x.value)
        .map(|(l, x)| l.square() - x.double());
    let x3 = alloc(cs.namespace(|| "x3"), x3_v)?;
    let y3_v = lambda_v
        .zip(a.x.value)
        .zip(a.y.value)
        .zip(x3_v)
        .map(|(((l, x), y), x3)| l * (x - x3) - y);
    let y3 = alloc(cs.namespace(|| "y3"), y3_v)?;
    let two_y = a.y.scale(F1::from(2u64));
    let three_xx = xx.scale(F1::from(3u64));
    cs.enforce(
        || "2y lambda = 3xx",
        |l| l + lambda.get_variable(),
        |_| two_y.lc.clone(),
        |_| three_xx.lc.clone(),
    );
    let two_x = a.x.scale(F1::from(2u64));
    cs.enforce(
        || "lambda^2 = x3 + 2x",
        |l| l + lambda.get_variable(),
        |l| l + lambda.get_variable(),
        |l| l + x3.get_variable() + &two_x.lc,
    );
    let dx = a.x.lc.clone() - x3.get_variable();
    cs.enforce(
        || "lambda (x - x3) = y3 + y",
        |l| l + lambda.get_variable(),
        |_| dx,
        |l| l + y3.get_variable() + &a.y.lc,
    );
    Ok(Aff {
        x: Expr::num(&x3),
        y: Expr::num(&y3),
    })
}

/// Enforces y² = x³ − 17 (3 constraints).
pub(super) fn enforce_on_curve<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    a: &Aff,
) -> Result<(), SynthesisError> {
    let xx = mul(cs.namespace(|| "x x"), &a.x, &a.x)?;
    let xxx = mul(cs.namespace(|| "x x x"), &xx, &a.x)?;
    let rhs = xxx.sub(&Expr::constant::<CS>(F1::from(17u64)));
    cs.enforce(
        || "y y = x^3 - 17",
        |_| a.y.lc.clone(),
        |_| a.y.lc.clone(),
        |_| rhs.lc,
    );
    Ok(())
}

/// The bit [z = 0] as a number (2 constraints: z·inv = 1 − r and z·r = 0, so r = 1 iff
/// z = 0, whatever inv the prover picks).
pub(super) fn is_zero<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    z: &Expr,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let r_v = z.value.map(|z| {
        if z.is_zero_vartime() {
            F1::ONE
        } else {
            F1::ZERO
        }
    });
    let inv_v = z
        .value
        .map(|z| Option::from(z.invert()).unwrap_or(F1::ZERO));
    let r = alloc(cs.namespace(|| "valid"), r_v)?;
    let inv = alloc(cs.namespace(|| "inverse"), inv_v)?;
    cs.enforce(
        || "z inv = 1 - r",
        |_| z.lc.clone(),
        |l| l + inv.get_variable(),
        |l| l + CS::one() - r.get_variable(),
    );
    cs.enforce(
        || "z r = 0",
        |_| z.lc.clone(),
        |l| l + r.get_variable(),
        |l| l,
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schnorr::encoding::{f1_to_fq, fq_to_f1};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{AdditiveGroup, UniformRand};
    use ark_grumpkin::{Affine, Fq, Fr, Projective};
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use nova_snark::frontend::test_cs::TestConstraintSystem;

    fn var(cs: &mut TestConstraintSystem<F1>, name: &str, v: Fq) -> Expr {
        Expr::num(&AllocatedNum::alloc(cs.namespace(|| name), || Ok(fq_to_f1(v))).unwrap())
    }

    /// The homogeneous projective coordinates (x·λ : y·λ : λ) of a point (arkworks'
    /// `Projective` is Jacobian, so its fields are not used), the identity as (0 : λ : 0).
    fn proj_var(cs: &mut TestConstraintSystem<F1>, name: &str, p: &Projective, l: Fq) -> Proj {
        let (x, y, z) = match p.into_affine().xy() {
            Some((x, y)) => (x * l, y * l, l),
            None => (Fq::from(0u64), l, Fq::from(0u64)),
        };
        Proj {
            x: var(cs, &format!("{name}x"), x),
            y: var(cs, &format!("{name}y"), y),
            z: var(cs, &format!("{name}z"), z),
        }
    }

    fn aff_var(cs: &mut TestConstraintSystem<F1>, name: &str, a: &Affine) -> Aff {
        let (x, y) = a.xy().unwrap();
        Aff {
            x: var(cs, &format!("{name}x"), x),
            y: var(cs, &format!("{name}y"), y),
        }
    }

    /// The affine point of a projective circuit value (None for the identity), checking
    /// that the representation is a valid one (not (0 : 0 : 0)).
    fn to_affine(p: &Proj) -> Option<Affine> {
        let (x, y, z) = (
            f1_to_fq(p.x.value().unwrap()),
            f1_to_fq(p.y.value().unwrap()),
            f1_to_fq(p.z.value().unwrap()),
        );
        use ark_ff::{Field, Zero};
        if z.is_zero() {
            assert!(
                x.is_zero() && !y.is_zero(),
                "identity is (0 : Y : 0), Y != 0"
            );
            return None;
        }
        let zi = z.inverse().unwrap();
        let a = Affine::new_unchecked(x * zi, y * zi);
        assert!(a.is_on_curve());
        Some(a)
    }

    fn affine_of(p: &Projective) -> Option<Affine> {
        let a = p.into_affine();
        (!a.is_zero()).then_some(a)
    }

    #[test]
    fn mixed_add_is_complete_and_double_affine_doubles() {
        let mut rng = StdRng::seed_from_u64(5);
        let g = Projective::generator();
        for round in 0..12 {
            let q = (g * Fr::rand(&mut rng)).into_affine();
            // p: random, equal to q, minus q, the identity (in various representations)
            let k = Fr::rand(&mut rng);
            let ps: Vec<Projective> = vec![
                g * Fr::rand(&mut rng),
                q.into(),
                -Projective::from(q),
                Projective::from(Affine::zero()),
                (g * k).double() * Fr::from(3u64),
            ];
            for (j, p) in ps.iter().enumerate() {
                let mut cs = TestConstraintSystem::<F1>::new();
                let pv = proj_var(&mut cs, "p", p, Fq::from(round as u64 + 2));
                let qv = aff_var(&mut cs, "q", &q);
                let before = cs.num_constraints();
                let s = mixed_add(cs.namespace(|| "add"), &pv, &qv).unwrap();
                assert_eq!(cs.num_constraints() - before, 11);
                assert!(cs.is_satisfied());
                assert_eq!(
                    to_affine(&s),
                    affine_of(&(*p + q)),
                    "round {round} case {j}"
                );
                // constant q
                let (qx, qy) = q.xy().unwrap();
                let qc = Aff {
                    x: Expr::constant::<TestConstraintSystem<F1>>(fq_to_f1(qx)),
                    y: Expr::constant::<TestConstraintSystem<F1>>(fq_to_f1(qy)),
                };
                let before = cs.num_constraints();
                let s = mixed_add(cs.namespace(|| "add const"), &pv, &qc).unwrap();
                assert_eq!(cs.num_constraints() - before, 6);
                assert!(cs.is_satisfied());
                assert_eq!(to_affine(&s), affine_of(&(*p + q)));
            }
            let mut cs = TestConstraintSystem::<F1>::new();
            let qv = aff_var(&mut cs, "q", &q);
            let d = double_affine(cs.namespace(|| "double"), &qv).unwrap();
            assert!(cs.is_satisfied());
            let want = (Projective::from(q).double()).into_affine();
            let (wx, wy) = want.xy().unwrap();
            assert_eq!(d.x.value(), Some(fq_to_f1(wx)));
            assert_eq!(d.y.value(), Some(fq_to_f1(wy)));
        }
    }

    #[test]
    fn is_zero_answers_both_ways() {
        for z in [F1::ZERO, F1::from(5u64)] {
            let mut cs = TestConstraintSystem::<F1>::new();
            let zv = AllocatedNum::alloc(cs.namespace(|| "z"), || Ok(z)).unwrap();
            let r = is_zero(cs.namespace(|| "is zero"), &Expr::num(&zv)).unwrap();
            assert!(cs.is_satisfied());
            assert_eq!(r.get_value(), Some(F1::from(z.is_zero_vartime() as u64)));
        }
    }
}
