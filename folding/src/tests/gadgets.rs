//! Gadget tests: circuit hash = native hash, conv250, point checks, absorb encoders,
//! FoldRS / FoldRR against nova-snark's native `fold` / `fold_relaxed`.

use crate::encoding::{from_int, rel, strict, to_int};
use crate::gadgets::{
    conv::conv250,
    fold_rr::fold_rr,
    fold_rs::fold_rs,
    hash::hash_num_gadget,
    instance::{alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::state_hash;
use crate::{Commitment, CommitmentKey, E1, E2, F1, F2, HASH_BITS};
use ff::{Field, PrimeField, PrimeFieldBits};
use nova_snark::{
    frontend::{
        num::AllocatedNum, r1cs::NovaShape, r1cs::NovaWitness, shape_cs::ShapeCS,
        solver::SatisfyingAssignment, test_cs::TestConstraintSystem, AllocatedBit,
        ConstraintSystem,
    },
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, R1CSShape, R1CSWitness, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::{commitment::CommitmentTrait, snark::default_ck_hint, Engine},
};
use num_bigint::BigInt;
use rand_core::{OsRng, RngCore};

fn hash_matches<F>()
where
    F: PrimeField + PrimeFieldBits + serde::Serialize + for<'de> serde::Deserialize<'de>,
{
    let consts = PoseidonConstantsCircuit::<F>::default();
    for len in [1usize, 23, 24, 25, 60] {
        let vals: Vec<F> = (0..len).map(|_| F::random(OsRng)).collect();
        let native = state_hash(&consts, 7, &vals);
        let mut cs = TestConstraintSystem::<F>::new();
        let nums: Vec<_> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("v{i}")), || Ok(*v)).unwrap())
            .collect();
        let h = hash_num_gadget(cs.namespace(|| "h"), &consts, 7, &nums, HASH_BITS).unwrap();
        assert!(cs.is_satisfied());
        assert_eq!(h.get_value(), Some(native));
        assert!(to_int(&native).bits() <= 250);
    }
}

#[test]
fn circuit_hash_equals_native_hash_both_fields() {
    hash_matches::<F1>();
    hash_matches::<F2>();
}

#[test]
fn p1_p4_conv250_is_strict_and_rejects_large_values() {
    let ok = from_int::<F1>(&((BigInt::from(1u8) << 250) - 1u8)).unwrap();
    let mut cs = TestConstraintSystem::<F1>::new();
    let x = AllocatedNum::alloc(cs.namespace(|| "x"), || Ok(ok)).unwrap();
    let (_, bn) = conv250(cs.namespace(|| "conv"), &x).unwrap();
    assert!(cs.is_satisfied());
    assert_eq!(bn.value, Some(to_int(&ok)));
    // 2^250 (and x + p style aliases, which are ≥ 2^250 as integers) has no decomposition
    for bad in [BigInt::from(1u8) << 250, (BigInt::from(1u8) << 253) + 17u8] {
        let mut cs = TestConstraintSystem::<F1>::new();
        let v = from_int::<F1>(&bad).unwrap();
        let x = AllocatedNum::alloc(cs.namespace(|| "x"), || Ok(v)).unwrap();
        conv250(cs.namespace(|| "conv"), &x).unwrap();
        assert!(!cs.is_satisfied());
    }
    // a strict instance with X ≥ 2^250 is rejected when allocated
    let mut cs = TestConstraintSystem::<F1>::new();
    let big = from_int::<F2>(&(BigInt::from(1u8) << 251)).unwrap();
    let u =
        R1CSInstance::<E2>::new_unchecked(&Commitment::<E2>::default(), &[big, F2::ONE]).unwrap();
    AllocatedStrict::<E2>::alloc(cs.namespace(|| "u"), Some(&u), 2).unwrap();
    assert!(!cs.is_satisfied());
}

#[test]
fn p8_non_canonical_identity_and_off_curve_points_are_rejected() {
    let (s, ck) = tiny_shape::<E2>();
    let (u, _) = tiny_strict::<E2>(&s, &ck, 2, 3);
    let (x, y, inf) = u.comm_W().to_coordinates();
    assert!(!inf);
    // on the curve, canonical: accepted
    let mut cs = TestConstraintSystem::<F1>::new();
    alloc_point::<E2, _>(cs.namespace(|| "p"), Some((x, y, false)), true).unwrap();
    assert!(cs.is_satisfied());
    // identity with non-zero coordinates: rejected even without the curve check
    let mut cs = TestConstraintSystem::<F1>::new();
    alloc_point::<E2, _>(cs.namespace(|| "p"), Some((x, y, true)), false).unwrap();
    assert!(!cs.is_satisfied());
    // canonical identity accepted
    let mut cs = TestConstraintSystem::<F1>::new();
    alloc_point::<E2, _>(cs.namespace(|| "p"), Some((F1::ZERO, F1::ZERO, true)), true).unwrap();
    assert!(cs.is_satisfied());
    // off-curve point rejected
    let mut cs = TestConstraintSystem::<F1>::new();
    alloc_point::<E2, _>(cs.namespace(|| "p"), Some((x, y + F1::ONE, false)), true).unwrap();
    assert!(!cs.is_satisfied());
}

/// A tiny circuit over E's scalar field with public IO (a, a·b), a, b small.
fn tiny_shape<E: Engine>() -> (R1CSShape<E>, CommitmentKey<E>) {
    let mut cs = ShapeCS::<E>::new();
    tiny_synth::<E, _>(&mut cs, E::Scalar::ONE, E::Scalar::ONE);
    let s = cs.r1cs_shape().unwrap();
    let hint = default_ck_hint::<E>();
    let ck = R1CSShape::commitment_key(&[&s], &[&*hint]).unwrap();
    (s, ck)
}

fn tiny_synth<E: Engine, CS: ConstraintSystem<E::Scalar>>(cs: &mut CS, a: E::Scalar, b: E::Scalar) {
    let a = AllocatedNum::alloc(cs.namespace(|| "a"), || Ok(a)).unwrap();
    let b = AllocatedNum::alloc(cs.namespace(|| "b"), || Ok(b)).unwrap();
    let c = a.mul(cs.namespace(|| "c"), &b).unwrap();
    let d = c.mul(cs.namespace(|| "d"), &a).unwrap();
    let _ = d.square(cs.namespace(|| "e")).unwrap();
    a.inputize(cs.namespace(|| "in a")).unwrap();
    c.inputize(cs.namespace(|| "in c")).unwrap();
}

fn tiny_strict<E: Engine>(
    s: &R1CSShape<E>,
    ck: &CommitmentKey<E>,
    a: u64,
    b: u64,
) -> (R1CSInstance<E>, R1CSWitness<E>) {
    let mut cs = SatisfyingAssignment::<E>::with_capacity(s.num_io() + 1, s.num_vars());
    tiny_synth::<E, _>(&mut cs, E::Scalar::from(a), E::Scalar::from(b));
    cs.r1cs_instance_and_witness(s, ck, &mut OsRng).unwrap()
}

/// A satisfying relaxed pair with a chosen u (e.g. u ≥ p for P3).
fn relaxed_with_u<E: Engine>(
    s: &R1CSShape<E>,
    ck: &CommitmentKey<E>,
    u: E::Scalar,
) -> (RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>) {
    let w: Vec<E::Scalar> = (0..s.num_vars())
        .map(|_| E::Scalar::random(OsRng))
        .collect();
    let x: Vec<E::Scalar> = (0..s.num_io()).map(|_| E::Scalar::random(OsRng)).collect();
    let z = [w.clone(), vec![u], x.clone()].concat();
    let (az, bz, cz) = s.multiply_vec(&z).unwrap();
    let e: Vec<E::Scalar> = (0..s.num_cons())
        .map(|i| az[i] * bz[i] - u * cz[i])
        .collect();
    let wit = RelaxedR1CSWitness::new(s, w, E::Scalar::random(OsRng), e, E::Scalar::random(OsRng))
        .unwrap();
    let (cw, ce) = wit.commit(ck);
    let inst = RelaxedR1CSInstance::new(s, cw, ce, u, x).unwrap();
    s.is_sat_relaxed(ck, &inst, &wit).unwrap();
    (inst, wit)
}

fn random_challenge<F: PrimeField>() -> (Vec<bool>, F) {
    let bits: Vec<bool> = (0..128).map(|_| OsRng.next_u32() & 1 == 1).collect();
    let v = bits.iter().rev().fold(F::ZERO, |acc, b| {
        acc.double() + if *b { F::ONE } else { F::ZERO }
    });
    (bits, v)
}

fn alloc_challenge<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    bits: &[bool],
) -> Challenge<F> {
    let b = bits
        .iter()
        .enumerate()
        .map(|(i, b)| AllocatedBit::alloc(cs.namespace(|| format!("r{i}")), Some(*b)).unwrap())
        .collect();
    Challenge::from_bits(b)
}

/// Enforces that an in-circuit result equals a native instance (canonical limbs).
fn enforce_eq<E: Engine, CS: ConstraintSystem<E::Base>>(
    cs: &mut CS,
    out: &AllocatedRelaxed<E>,
    native: &RelaxedR1CSInstance<E>,
) {
    let exp =
        AllocatedRelaxed::<E>::alloc(cs.namespace(|| "expected"), Some(native), native.X().len())
            .unwrap();
    out.w.enforce_equal(cs.namespace(|| "W"), &exp.w).unwrap();
    out.e.enforce_equal(cs.namespace(|| "E"), &exp.e).unwrap();
    let pairs = std::iter::once((&out.u, &exp.u)).chain(out.x.iter().zip(&exp.x));
    for (k, (a, b)) in pairs.enumerate() {
        for i in 0..a.limbs.len() {
            cs.enforce(
                || format!("limb {k} {i}"),
                |lc| lc + &a.limbs[i] - &b.limbs[i],
                |lc| lc + CS::one(),
                |lc| lc,
            );
        }
    }
}

#[test]
fn p3_rel_encoding_matches_native_with_u_above_p() {
    let (s, ck) = tiny_shape::<E2>();
    // u ∈ [p, q): does not fit F1 as one element
    let p = to_int(&(-F1::ONE)) + 1u8;
    let u = from_int::<F2>(&(p + 5u8)).unwrap();
    let (inst, _) = relaxed_with_u::<E2>(&s, &ck, u);
    let mut cs = TestConstraintSystem::<F1>::new();
    let a = AllocatedRelaxed::<E2>::alloc(cs.namespace(|| "U"), Some(&inst), 2).unwrap();
    let elems = a.elems(cs.namespace(|| "elems")).unwrap();
    assert!(cs.is_satisfied());
    let got: Vec<F1> = elems.iter().map(|e| e.get_value().unwrap()).collect();
    assert_eq!(got, rel::<E2>(&inst));
}

fn fold_rs_case(wrong_t: bool, flip_bit: bool) -> bool {
    let (s, ck) = tiny_shape::<E2>();
    let p = to_int(&(-F1::ONE)) + 1u8;
    let (big_u, big_w) = relaxed_with_u::<E2>(&s, &ck, from_int::<F2>(&(p + 9u8)).unwrap());
    let (u, w) = tiny_strict::<E2>(&s, &ck, 3, 11);
    let r_t = F2::random(OsRng);
    let (t, comm_t) = s.commit_T(&ck, &big_u, &big_w, &u, &w, &r_t).unwrap();
    let (bits, r) = random_challenge::<F2>();
    let folded = big_u.fold(&u, &comm_t, &r);
    let folded_w = big_w.fold(&w, &t, &r_t, &r).unwrap();
    s.is_sat_relaxed(&ck, &folded, &folded_w).unwrap();
    assert_eq!(strict::<E2>(&u).unwrap().len(), 5);

    let mut cs = TestConstraintSystem::<F1>::new();
    let a = AllocatedRelaxed::<E2>::alloc(cs.namespace(|| "U"), Some(&big_u), 2).unwrap();
    let b = AllocatedStrict::<E2>::alloc(cs.namespace(|| "u"), Some(&u), 2).unwrap();
    let t_used = if wrong_t { comm_t + comm_t } else { comm_t };
    let tp =
        alloc_point::<E2, _>(cs.namespace(|| "T"), Some(t_used.to_coordinates()), true).unwrap();
    let mut bits = bits;
    if flip_bit {
        bits[5] = !bits[5];
    }
    let r = alloc_challenge(&mut cs, &bits);
    let out = fold_rs(cs.namespace(|| "fold"), &a, &b, &tp, &r).unwrap();
    enforce_eq(&mut cs, &out, &folded);
    cs.is_satisfied()
}

#[test]
fn fold_rs_gadget_matches_native_fold() {
    assert!(fold_rs_case(false, false));
}

#[test]
fn fold_rs_gadget_rejects_wrong_cross_term_or_challenge() {
    assert!(!fold_rs_case(true, false));
    assert!(!fold_rs_case(false, true));
}

fn fold_rr_case(wrong_t: bool, flip_bit: bool) -> bool {
    // secondary direction here: instances of E1 (BN254 points), circuit over F2
    let (s, ck) = tiny_shape::<E1>();
    let (u1, w1) = relaxed_with_u::<E1>(&s, &ck, F1::random(OsRng));
    let (u2, w2) = relaxed_with_u::<E1>(&s, &ck, F1::random(OsRng));
    let r_t = F1::random(OsRng);
    let (t, comm_t) = s.commit_T_relaxed(&ck, &u1, &w1, &u2, &w2, &r_t).unwrap();
    let (bits, r) = random_challenge::<F1>();
    let folded = u1.fold_relaxed(&u2, &comm_t, &r);
    let folded_w = w1.fold_relaxed(&w2, &t, &r_t, &r).unwrap();
    s.is_sat_relaxed(&ck, &folded, &folded_w).unwrap();

    let mut cs = TestConstraintSystem::<F2>::new();
    let a = AllocatedRelaxed::<E1>::alloc(cs.namespace(|| "U1"), Some(&u1), 2).unwrap();
    let b = AllocatedRelaxed::<E1>::alloc(cs.namespace(|| "U2"), Some(&u2), 2).unwrap();
    let t_used = if wrong_t { comm_t + comm_t } else { comm_t };
    let tp =
        alloc_point::<E1, _>(cs.namespace(|| "T"), Some(t_used.to_coordinates()), true).unwrap();
    let mut bits = bits;
    if flip_bit {
        bits[77] = !bits[77];
    }
    let r = alloc_challenge(&mut cs, &bits);
    let out = fold_rr(cs.namespace(|| "fold"), &a, &b, &tp, &r).unwrap();
    enforce_eq(&mut cs, &out, &folded);
    cs.is_satisfied()
}

#[test]
fn fold_rr_gadget_matches_native_fold_relaxed() {
    assert!(fold_rr_case(false, false));
}

#[test]
fn fold_rr_gadget_rejects_wrong_cross_term_or_challenge() {
    assert!(!fold_rr_case(true, false));
    assert!(!fold_rr_case(false, true));
}

#[test]
fn fold_rr_wrong_cross_term_gives_unsatisfiable_instance() {
    let (s, ck) = tiny_shape::<E1>();
    let (u1, w1) = relaxed_with_u::<E1>(&s, &ck, F1::random(OsRng));
    let (u2, w2) = relaxed_with_u::<E1>(&s, &ck, F1::random(OsRng));
    let r_t = F1::random(OsRng);
    let (t, comm_t) = s.commit_T_relaxed(&ck, &u1, &w1, &u2, &w2, &r_t).unwrap();
    let r = F1::from(123456789u64);
    let folded = u1.fold_relaxed(&u2, &(comm_t + comm_t), &r);
    let folded_w = w1.fold_relaxed(&w2, &t, &r_t, &r).unwrap();
    assert!(s.is_sat_relaxed(&ck, &folded, &folded_w).is_err());
}

/// Records the gadget sizes (docs/protocol.md §7 estimates FoldRS(2) ≈ 6,900, FoldRR(2) ≈ 8,600).
#[test]
fn gadget_constraint_counts() {
    let mut cs = ShapeCS::<E2>::new();
    let a = AllocatedRelaxed::<E1>::alloc(cs.namespace(|| "U1"), None, 2).unwrap();
    let b = AllocatedRelaxed::<E1>::alloc(cs.namespace(|| "U2"), None, 2).unwrap();
    let u = AllocatedStrict::<E1>::alloc(cs.namespace(|| "u"), None, 2).unwrap();
    let tp = alloc_point::<E1, _>(cs.namespace(|| "T"), None, true).unwrap();
    let r = alloc_challenge(&mut cs, &[false; 128]);
    let before = cs.num_constraints();
    fold_rs(cs.namespace(|| "rs"), &a, &u, &tp, &r).unwrap();
    let rs = cs.num_constraints() - before;
    let before = cs.num_constraints();
    fold_rr(cs.namespace(|| "rr"), &a, &b, &tp, &r).unwrap();
    let rr = cs.num_constraints() - before;
    println!("FoldRS(ℓ=2) = {rs} constraints, FoldRR(ℓ=2) = {rr} constraints");
    assert!(rs > 2 * 1000 && rr > rs);
}

/// P5 (unchecked limbs). `AllocatedRelaxed::alloc` takes the limbs of u and X from the
/// witness without a range check, so an allocated running instance may carry an over-range
/// limb: here u's limbs are replaced by (a) another representation of the same integer
/// with limb 0 ≥ 2^64, (b) limb 0 ≥ 2^64 alone (another integer), (c) a "negative" limb 0
/// (p − 2^64 + l0, compensated in limb 1). Allocation accepts all three (that is the
/// pitfall). Every circuit binds such an input by a hash check against a value that left
/// the previous circuit through range-checked gadgets — F'_j `u'.X0 = h_in`, S'
/// `d(U[k]) = d_k`, PM `u'_c.X0 = h_c`, SM `u_PM.X_c = g_c` — and the hash absorbs the
/// limbs themselves (`rel`), so any non-canonical limb changes the hash input and the check
/// fails; this test runs that check (`rel`, the state hash gadget, the equality) against the
/// native hash of the canonical encoding. The output side of the invariant: what the
/// circuits hash *out* are FoldRS / FoldRR results (red_mod remainders, each limb
/// range-checked by `assert_well_formed`), conv250 limbs or constants — never an allocated
/// limb (in a base case the allocated instance is discarded for the constant DEFAULT).
#[test]
fn p5_over_range_limbs_pass_allocation_but_not_the_hash_check() {
    use crate::encoding::{LIMB_WIDTH, N_LIMBS};
    use nova_snark::gadgets::nonnative::bignat::BigNat;
    let consts = PoseidonConstantsCircuit::<F1>::default();
    let (s, ck) = tiny_shape::<E2>();
    let p = to_int(&(-F1::ONE)) + 1u8;
    // u ≥ p, so limbs 0..3 of u are all in use
    let (inst, _) = relaxed_with_u::<E2>(&s, &ck, from_int::<F2>(&(p + 9u8)).unwrap());
    let enc = rel::<E2>(&inst);
    let h = state_hash(&consts, crate::hash::T_SIG, &enc);
    let l: Vec<F1> = enc[6..10].to_vec();
    assert_ne!(l[1], F1::ZERO);
    let two64 = from_int::<F1>(&(BigInt::from(1u8) << 64)).unwrap();
    let cases = [
        (l.clone(), true),
        (vec![l[0] + two64, l[1] - F1::ONE, l[2], l[3]], false),
        (vec![l[0] + two64, l[1], l[2], l[3]], false),
        (vec![l[0] - two64, l[1] + F1::ONE, l[2], l[3]], false),
    ];
    for (k, (limbs, honest)) in cases.into_iter().enumerate() {
        let mut cs = TestConstraintSystem::<F1>::new();
        let mut a = AllocatedRelaxed::<E2>::alloc(cs.namespace(|| "U"), Some(&inst), 2).unwrap();
        a.u = BigNat::alloc_from_limbs(
            cs.namespace(|| "u limbs"),
            || Ok(limbs.clone()),
            None,
            LIMB_WIDTH,
            N_LIMBS,
        )
        .unwrap();
        assert!(cs.is_satisfied(), "case {k}: allocation has no range check");
        let elems = a.elems(cs.namespace(|| "rel U")).unwrap();
        let h_in = hash_num_gadget(
            cs.namespace(|| "h_in"),
            &consts,
            crate::hash::T_SIG,
            &elems,
            HASH_BITS,
        )
        .unwrap();
        let x0 = AllocatedNum::alloc(cs.namespace(|| "u'.X0"), || Ok(h)).unwrap();
        cs.enforce(
            || "u'.X0 = h_in",
            |lc| lc + x0.get_variable() - h_in.get_variable(),
            |lc| lc + TestConstraintSystem::<F1>::one(),
            |lc| lc,
        );
        assert_eq!(cs.is_satisfied(), honest, "case {k}");
        if !honest {
            assert_eq!(cs.which_is_unsatisfied(), Some("u'.X0 = h_in"), "case {k}");
        }
    }
}

/// docs/protocol.md §3.7: `alloc_checked`, used for slot starts that no earlier circuit
/// computed on, adds to plain `alloc` exactly the curve check of both points (the check
/// `p8_…` shows rejects an off-curve point) and a 64-bit range check of each of the
/// 4·(1 + ℓ) limbs of u and X (nova-snark's `assert_well_formed`, at least 64 booleans per
/// limb), so a limb outside [0, 2^64) has no satisfying assignment. Counted on shapes, so
/// dropping either check from `alloc_checked` fails this test.
#[test]
fn checked_allocation_adds_curve_and_limb_range_checks() {
    use nova_snark::frontend::shape_cs::ShapeCS;
    let count = |f: &dyn Fn(&mut ShapeCS<E1>)| {
        let mut cs = ShapeCS::<E1>::new();
        f(&mut cs);
        cs.num_constraints()
    };
    let ell = 2;
    let plain = count(&|cs| {
        AllocatedRelaxed::<E2>::alloc(cs.namespace(|| "U"), None, ell).unwrap();
    });
    let checked = count(&|cs| {
        AllocatedRelaxed::<E2>::alloc_checked(cs.namespace(|| "U"), None, ell).unwrap();
    });
    let curve = count(&|cs| {
        alloc_point::<E2, _>(cs.namespace(|| "p"), None, true).unwrap();
    }) - count(&|cs| {
        alloc_point::<E2, _>(cs.namespace(|| "p"), None, false).unwrap();
    });
    // one 4-limb BigNat's `assert_well_formed`, the range check of one scalar
    let bignat = |cs: &mut ShapeCS<E1>| {
        nova_snark::gadgets::nonnative::bignat::BigNat::<F1>::alloc_from_nat(
            cs.namespace(|| "n"),
            || Ok(BigInt::from(0u8)),
            crate::encoding::LIMB_WIDTH,
            crate::encoding::N_LIMBS,
        )
        .unwrap()
    };
    let range = count(&|cs| {
        bignat(cs)
            .assert_well_formed(cs.namespace(|| "wf"))
            .unwrap();
    }) - count(&|cs| {
        bignat(cs);
    });
    assert!(curve > 0 && range >= 4 * 64);
    assert_eq!(checked - plain, 2 * curve + (1 + ell) * range);
}
