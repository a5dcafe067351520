//! Soundness tests: every tampered accumulator, forged step and pitfall case is rejected.

use super::circuits::{pp_one, pp_three, Sq};
use super::leaf::acc_three;
use crate::accumulator::{primary_state_hash, secondary_state_hash};
use crate::circuit::{
    primary::{PrimaryCircuit, PrimaryInputs},
    secondary::{SecondaryCircuit, SecondaryInputs},
};
use crate::{Accumulator, Commitment, FoldingError, PublicParams, E1, E2, F1, F2};
use ff::Field;
use nova_snark::{
    frontend::{r1cs::NovaWitness, solver::SatisfyingAssignment, test_cs::TestConstraintSystem},
    r1cs::{R1CSInstance, R1CSShape, R1CSWitness, RelaxedR1CSInstance, RelaxedR1CSWitness},
    traits::Engine,
};
use rand_core::OsRng;

fn rejects(acc: &Accumulator, pp: &PublicParams) {
    assert!(acc.verify(pp).is_err(), "tampered accumulator accepted");
}

fn tweak_relaxed<E: Engine>(
    s: &R1CSShape<E>,
    u: &RelaxedR1CSInstance<E>,
    what: usize,
) -> RelaxedR1CSInstance<E> {
    let mut w = *u.comm_W();
    let mut e = *u.comm_E();
    let mut uu = u.u();
    let mut x = u.X().to_vec();
    // a non-identity point to add (the W commitment of any non-default slot)
    match what {
        0 => w = w + w + w,
        1 => e = e + w,
        2 => uu += E::Scalar::ONE,
        3 => x[0] += E::Scalar::ONE,
        _ => x[1] += E::Scalar::ONE,
    }
    RelaxedR1CSInstance::new(s, w, e, uu, x).expect("instance")
}

#[test]
fn tampered_primary_running_instances_are_rejected() {
    let (_, pp) = pp_three();
    let (acc, _) = acc_three();
    acc.verify(pp).unwrap();
    for slot in 0..3 {
        for what in 0..5 {
            let mut a = acc.clone();
            a.u[slot] = tweak_relaxed(&pp.primary[slot], &a.u[slot], what);
            rejects(&a, pp);
        }
    }
}

#[test]
fn tampered_secondary_instances_are_rejected() {
    let (_, pp) = pp_three();
    let (acc, _) = acc_three();
    for what in 0..5 {
        let mut a = acc.clone();
        a.u_sec = tweak_relaxed(&pp.secondary, &a.u_sec, what);
        rejects(&a, pp);
    }
    // the last strict instance: X and W
    for k in 0..3 {
        let mut a = acc.clone();
        let mut x = a.last.X().to_vec();
        let mut w = *a.last.comm_W();
        match k {
            0 => x[0] += F2::ONE,
            1 => x[1] += F2::ONE,
            _ => w = w + w,
        }
        a.last = R1CSInstance::new(&pp.secondary, &w, &x).unwrap();
        rejects(&a, pp);
    }
}

#[test]
fn tampered_state_counter_and_blinds_are_rejected() {
    let (_, pp) = pp_three();
    let (acc, _) = acc_three();
    type Edit = Box<dyn Fn(&mut Accumulator)>;
    let edits: Vec<Edit> = vec![
        Box::new(|a| a.z[0] += F1::ONE),
        Box::new(|a| a.z[1] += F1::ONE),
        Box::new(|a| a.z0[0] += F1::ONE),
        Box::new(|a| a.pc += F1::ONE),
        Box::new(|a| a.pc0 += F1::ONE),
        Box::new(|a| a.n += 1),
        Box::new(|a| a.n -= 1),
        Box::new(|a| a.n = 0),
        Box::new(|a| a.rho1 += F1::ONE),
        Box::new(|a| a.rho2 += F2::ONE),
        Box::new(|a| a.w[1] = a.w[0].clone()),
        Box::new(|a| {
            a.u.pop();
        }),
    ];
    for edit in edits {
        let mut a = acc.clone();
        edit(&mut a);
        rejects(&a, pp);
    }
}

#[test]
fn mismatched_parameters_are_rejected() {
    let (_, pp3) = pp_three();
    let (_, pp1) = pp_one();
    let (acc, _) = acc_three();
    assert!(matches!(acc.verify(pp1), Err(FoldingError::DigestMismatch)));
    // relabelling the accumulator with the other digest does not help
    let mut a = acc.clone();
    a.pp = pp1.digest();
    assert!(a.verify(pp1).is_err());
    assert!(a.verify(pp3).is_err());
}

#[test]
fn a_step_whose_witness_violates_a_constraint_is_rejected() {
    let (c, pp) = pp_one();
    let mut acc = Accumulator::new(pp, c, F1::ZERO, vec![F1::from(5u64), F1::ZERO]).unwrap();
    acc.prove_step(pp, c).unwrap();
    acc.verify(pp).unwrap();
    // change one witness value of the next primary step (the last F_j output squaring)
    acc.prove_step_inner(pp, c, None, |_, w| {
        let k = w.len() / 2;
        w[k] += F1::ONE;
    })
    .unwrap();
    rejects(&acc, pp);
    // and the error persists: later honest steps cannot repair it
    acc.prove_step(pp, c).unwrap();
    rejects(&acc, pp);
}

#[test]
fn a_step_of_circuit_a_folded_into_slot_b_is_rejected() {
    // two circuits with equal dimensions but different constraints (pc = j, constant c)
    let c = vec![
        Sq {
            squarings: 4,
            add: 1,
            m: 2,
        },
        Sq {
            squarings: 4,
            add: 2,
            m: 2,
        },
    ];
    let pp = PublicParams::setup(&c).unwrap();
    assert_eq!(pp.primary[0].num_vars(), pp.primary[1].num_vars());
    let mut acc = Accumulator::new(&pp, &c, F1::ZERO, vec![F1::from(3u64), F1::ZERO]).unwrap();
    acc.prove_step(&pp, &c).unwrap();
    acc.verify(&pp).unwrap();
    // pc = 0: the F'_0 step is folded into slot 1 (S' accepts any in-range k)
    acc.prove_step_inner(&pp, &c, Some(1), |_, _| ()).unwrap();
    let err = acc.verify(&pp).unwrap_err();
    assert!(format!("{err}").contains("U[1]"), "{err}");
}

#[test]
fn p6_forged_last_instance_with_zero_witness_is_rejected() {
    // a relaxed u = 0, W = E = 0 instance would satisfy any X; u' is strict, so it cannot
    let (_, pp) = pp_three();
    let (acc, _) = acc_three();
    let mut a = acc.clone();
    a.z[0] += F1::ONE;
    let h = primary_state_hash(
        pp,
        a.n,
        (&a.pc0, &a.z0),
        (&a.pc, &a.z),
        (&a.u_sec, None),
        &a.rho1,
    );
    let g = secondary_state_hash(pp, &a.u, None, &a.rho2);
    let x = [crate::encoding::switch_field::<F1, F2>(&h).unwrap(), g];
    // the pitfall: as a *relaxed* instance, (W = E = 0, u = 0, X) satisfies S' for any X
    let zero = Commitment::<E2>::default();
    let relaxed =
        RelaxedR1CSInstance::new(&pp.secondary, zero, zero, F2::ZERO, x.to_vec()).unwrap();
    let relaxed_w = RelaxedR1CSWitness::default(&pp.secondary);
    assert!(pp
        .secondary
        .is_sat_relaxed(&pp.ck2, &relaxed, &relaxed_w)
        .is_ok());
    // as the strict u' the accumulator holds (u = 1), a zero witness with a consistent
    // commitment does not satisfy S'
    a.last_w = R1CSWitness::new(&pp.secondary, &[], &mut OsRng).unwrap();
    let comm = a.last_w.commit(&pp.ck2);
    a.last = R1CSInstance::new(&pp.secondary, &comm, &x).unwrap();
    let err = a.verify(pp).unwrap_err();
    assert!(format!("{err}").contains("u'"), "{err}");
}

fn base_inputs(pp: &PublicParams, pc0: u64, z0: Vec<F1>, pc_i: u64, z_i: Vec<F1>) -> PrimaryInputs {
    PrimaryInputs {
        pp: pp.digest1,
        i: F1::ZERO,
        pc0: F1::from(pc0),
        z0,
        pc_i: F1::from(pc_i),
        z_i,
        big_u: None,
        rho_i: F1::ZERO,
        rho_next: F1::from(77u64),
        last: None,
        t: None,
    }
}

#[test]
fn p7_base_case_consumes_the_leaf_start_and_pc_is_enforced() {
    let (c, pp) = pp_one();
    let z0 = vec![F1::from(4u64), F1::ZERO];
    // garbage current state: the base case must ignore it
    let inputs = base_inputs(pp, 0, z0.clone(), 5, vec![F1::from(99u64), F1::from(7u64)]);
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(3, pp.primary[0].num_vars());
    let (_, z) = PrimaryCircuit::new(0, &c[0], &pp.ro1, Some(inputs))
        .synthesize(&mut cs)
        .unwrap();
    let (u, w) = cs
        .r1cs_instance_and_witness(&pp.primary[0], &pp.ck1, &mut OsRng)
        .unwrap();
    pp.primary[0].is_sat(&pp.ck1, &u, &w).unwrap();
    let (_, native) = super::circuits::native_step(&c[0], &z0);
    let got: Vec<F1> = z.iter().map(|v| v.get_value().unwrap()).collect();
    assert_eq!(got, native);
    // the output hash is the native h of (n = 1, start, DEFAULT U'[0])
    let u_def = RelaxedR1CSInstance::default(&pp.ck2, &pp.secondary);
    let h = primary_state_hash(
        pp,
        1,
        (&F1::ZERO, &z0),
        (&F1::ZERO, &native),
        (&u_def, None),
        &F1::from(77u64),
    );
    assert_eq!(u.X()[0], F1::ZERO);
    assert_eq!(u.X()[1], h);
    // P13: a start pc that is not j makes F'_j unsatisfiable
    let (c3, pp3) = pp_three();
    let inputs = base_inputs(pp3, 1, z0.clone(), 1, z0.clone());
    let mut cs = TestConstraintSystem::<F1>::new();
    PrimaryCircuit::new(0, &c3[0], &pp3.ro1, Some(inputs))
        .synthesize(&mut cs)
        .unwrap();
    assert!(!cs.is_satisfied());
}

#[test]
fn p11_out_of_range_selector_is_unsatisfiable() {
    let (c, pp) = pp_three();
    let inputs = base_inputs(pp, 0, vec![F1::ONE, F1::ZERO], 0, vec![F1::ONE, F1::ZERO]);
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(3, pp.primary[0].num_vars());
    PrimaryCircuit::new(0, &c[0], &pp.ro1, Some(inputs))
        .synthesize(&mut cs)
        .unwrap();
    let (u, _) = cs
        .r1cs_instance_and_witness(&pp.primary[0], &pp.ck1, &mut OsRng)
        .unwrap();
    let run = |k: u64| {
        let inputs = SecondaryInputs {
            pp: pp.digest2,
            big_u: pp
                .primary
                .iter()
                .map(|s| RelaxedR1CSInstance::default(&pp.ck1, s))
                .collect(),
            rho_in: F2::ZERO,
            rho_next: F2::ONE,
            u: u.clone(),
            t: None,
            k: F2::from(k),
        };
        let mut cs = TestConstraintSystem::<F2>::new();
        SecondaryCircuit::new(3, &pp.ro2, Some(inputs))
            .synthesize(&mut cs)
            .unwrap();
        cs.is_satisfied()
    };
    assert!(run(0));
    assert!(run(2));
    assert!(!run(3));
    assert!(!run(17));
}

#[test]
fn a_tampered_accumulator_cannot_be_repaired_by_proving_on() {
    let (c, pp) = pp_one();
    let mut acc = Accumulator::new(pp, c, F1::ZERO, vec![F1::from(6u64), F1::ZERO]).unwrap();
    acc.prove_step(pp, c).unwrap();
    // lie about the current state, then keep proving honestly from the lie
    acc.z[0] += F1::ONE;
    rejects(&acc, pp);
    for _ in 0..2 {
        // the prover may or may not notice; the result must never verify
        let _ = acc.prove_step(pp, c);
        rejects(&acc, pp);
    }
}
