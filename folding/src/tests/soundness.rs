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
        merge_slot: None,
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

/// The strict instance of F'_0's base step from z = (1, 0) (what S' sees in its base case).
fn base_step_instance(pp: &PublicParams, c: &[Sq]) -> R1CSInstance<E1> {
    let inputs = base_inputs(pp, 0, vec![F1::ONE, F1::ZERO], 0, vec![F1::ONE, F1::ZERO]);
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(3, pp.primary[0].num_vars());
    PrimaryCircuit::new(0, &c[0], &pp.ro1, Some(inputs))
        .synthesize(&mut cs)
        .unwrap();
    cs.r1cs_instance_and_witness(&pp.primary[0], &pp.ck1, &mut OsRng)
        .unwrap()
        .0
}

#[test]
fn p11_out_of_range_selector_is_unsatisfiable() {
    let (c, pp) = pp_three();
    let u = base_step_instance(pp, c);
    let run = |k: u64| {
        let inputs = SecondaryInputs {
            pp: pp.digest2,
            big_u: pp
                .primary
                .iter()
                .map(|s| RelaxedR1CSInstance::default(&pp.ck1, s))
                .collect(),
            merge_slot: None,
            open_instead: None,
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

/// docs/protocol.md §3.7: in S''s base case the selected slot's start U[k] is bound by
/// nothing but its digest d_k, which the challenge r absorbs, and the check
/// `H2(T_SLOT, rel(U[k])) = d_k` holds in the base case too. A prover who picks U[k] after
/// seeing r (to cancel an unsatisfied u) must open another instance than the one its
/// digest names: unsatisfiable. The honest random start is satisfiable.
#[test]
fn base_case_slot_start_is_bound_before_the_challenge() {
    let (c, pp) = pp_one();
    let u = base_step_instance(pp, c);
    let start = crate::accumulator::random_pair(&pp.primary[0], &pp.ck1)
        .unwrap()
        .0;
    let other = crate::accumulator::random_pair(&pp.primary[0], &pp.ck1)
        .unwrap()
        .0;
    let run = |open_instead: Option<RelaxedR1CSInstance<E1>>| {
        let inputs = SecondaryInputs {
            pp: pp.digest2,
            big_u: vec![start.clone()],
            merge_slot: None,
            open_instead,
            rho_in: F2::ZERO,
            rho_next: F2::ONE,
            u: u.clone(),
            t: None,
            k: F2::ZERO,
        };
        let mut cs = TestConstraintSystem::<F2>::new();
        SecondaryCircuit::new(1, &pp.ro2, Some(inputs))
            .synthesize(&mut cs)
            .unwrap();
        cs.is_satisfied()
    };
    assert!(run(None), "the honest random start");
    assert!(!run(Some(other)), "a start other than the one d_k names");
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

/// Asserts that `a` is rejected and that the first failing check names `what`.
fn rejected_at(a: &Accumulator, pp: &PublicParams, what: &str) {
    let err = a.verify(pp).expect_err("attack accepted");
    assert!(format!("{err}").contains(what), "expected {what}: {err}");
}

/// P10 (mix-and-match of σ and τ, 2023/969) at a leaf step. A1 and A2 are two genuine
/// proofs of the same two steps (same statement, different blinds and running instances).
/// The prover continues from an accumulator assembled from both:
/// * σ (U'[0], ρ1) of A2 with τ and u' of A1: F'_j recomputes h_in over the σ it is given
///   and checks it against u'.X0 (= h of A1), so F'_j is unsatisfiable and its instance,
///   folded into U[0], makes that slot fail;
/// * τ (U[0..m), ρ2) of A2 with σ and u' of A1: F'_j is satisfied and passes x_pass =
///   u'.X1 (= g of A1) to S', which recomputes g_in over the τ it is given, so S' is
///   unsatisfiable: the new u' fails, and after one more step (u' folded into U'[0]) that
///   slot fails.
///
/// Both hashes are bound to the one strict instance u' that the next step folds, so a
/// genuine τ cannot vouch for another accumulator's σ (and conversely).
#[test]
fn p10_leaf_step_rejects_sigma_and_tau_of_different_accumulators() {
    let (c, pp) = pp_one();
    let z0 = vec![F1::from(11u64), F1::ZERO];
    let two = || {
        let mut a = Accumulator::new(pp, c, F1::ZERO, z0.clone()).unwrap();
        a.prove_step(pp, c).unwrap();
        a
    };
    let (a1, a2) = (two(), two());
    assert_eq!(a1.state(), a2.state());
    assert_ne!(a1.u_sec, a2.u_sec);
    assert_ne!(a1.u[0], a2.u[0]);
    // the honest continuation verifies
    let mut ok = a1.clone();
    ok.prove_step(pp, c).unwrap();
    ok.verify(pp).unwrap();

    let mut sigma = a1.clone();
    sigma.u_sec = a2.u_sec.clone();
    sigma.w_sec = a2.w_sec.clone();
    sigma.rho1 = a2.rho1;
    rejected_at(&sigma, pp, "u'.X0 != h");
    sigma.prove_step(pp, c).unwrap();
    rejected_at(&sigma, pp, "U[0]");

    let mut tau = a1.clone();
    tau.u = a2.u.clone();
    tau.w = a2.w.clone();
    tau.rho2 = a2.rho2;
    rejected_at(&tau, pp, "u'.X1 != g");
    tau.prove_step(pp, c).unwrap();
    rejected_at(&tau, pp, "u': ");
    tau.prove_step(pp, c).unwrap();
    rejected_at(&tau, pp, "U'[0]");
}

/// Which base cases a hand-driven leaf step takes (P18).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reset {
    /// No reset: an honest non-base step (checks the driver below against `prove_step`).
    None,
    /// Both circuits in their base case: F'_j restarts at the current state (i = 0,
    /// x_pass = 0), S' resets because it sees x_pass = 0. An honest fresh leaf.
    Both,
    /// F'_j continues (i = n, history kept in h), S' is forced into its base case — which
    /// drops every primary running instance, i.e. the earlier steps — by handing it the
    /// F'_j instance with X0 replaced by 0.
    SecondaryOnly,
    /// F'_j restarts (i = 0) at the current state, S' is kept out of its base case by
    /// handing it the F'_j instance with X0 replaced by the previous g.
    PrimaryOnly,
}

/// One leaf step of circuit 0 (m = 1), driven by hand as `Accumulator::prove_step` does,
/// with the base cases chosen by `reset`. Only the X0 value handed to S' is ever forged;
/// `Reset::None` and `Reset::Both` are the honest paths and verify.
fn step_with_reset(pp: &PublicParams, c: &[Sq], acc: &Accumulator, reset: Reset) -> Accumulator {
    use crate::encoding::{pt, strict, switch_field};
    use crate::hash::{challenge, T_RS1, T_RS2};
    assert_eq!(pp.m, 1);
    let primary_base = matches!(reset, Reset::Both | Reset::PrimaryOnly);
    let (rho1, rho2) = (F1::random(OsRng), F2::random(OsRng));
    let z_zero = vec![F1::ZERO; pp.arity];
    // F'_0: base (restart at the current state) or the fold of u' into U'[0]
    let (inputs, u_sec, w_sec) = if primary_base {
        let inputs = PrimaryInputs {
            rho_next: rho1,
            ..base_inputs(pp, 0, acc.z.clone(), 0, z_zero)
        };
        let d = RelaxedR1CSInstance::default(&pp.ck2, &pp.secondary);
        (inputs, d, RelaxedR1CSWitness::default(&pp.secondary))
    } else {
        let r_t = F2::random(OsRng);
        let (t, comm) = pp
            .secondary
            .commit_T(
                &pp.ck2,
                &acc.u_sec,
                &acc.w_sec,
                &acc.last,
                &acc.last_w,
                &r_t,
            )
            .unwrap();
        let mut e = vec![pp.digest1];
        e.extend(strict::<E2>(&acc.last).unwrap());
        e.extend(pt::<E2>(&comm));
        let r: F2 = switch_field(&challenge(&pp.ro1, T_RS1, &e)).unwrap();
        let inputs = PrimaryInputs {
            pp: pp.digest1,
            i: F1::from(acc.n),
            pc0: acc.pc0,
            z0: acc.z0.clone(),
            pc_i: acc.pc,
            z_i: acc.z.clone(),
            big_u: Some(acc.u_sec.clone()),
            merge_slot: None,
            rho_i: acc.rho1,
            rho_next: rho1,
            last: Some(acc.last.clone()),
            t: Some(comm),
        };
        let u_sec = acc.u_sec.fold(&acc.last, &comm, &r);
        let w_sec = acc.w_sec.fold(&acc.last_w, &t, &r_t, &r).unwrap();
        (inputs, u_sec, w_sec)
    };
    let (pc0, z0) = (inputs.pc0, inputs.z0.clone());
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(3, pp.primary[0].num_vars());
    let (pc, z) = PrimaryCircuit::new(0, &c[0], &pp.ro1, Some(inputs))
        .synthesize(&mut cs)
        .unwrap();
    let (ut, wt) = cs
        .r1cs_instance_and_witness(&pp.primary[0], &pp.ck1, &mut OsRng)
        .unwrap();
    // the instance S' is given: X0 = x_pass, unless forged
    let x0 = match reset {
        Reset::None | Reset::Both => ut.X()[0],
        Reset::SecondaryOnly => F1::ZERO,
        Reset::PrimaryOnly => switch_field::<F2, F1>(&acc.last.X()[1]).unwrap(),
    };
    let us = R1CSInstance::new(&pp.primary[0], ut.comm_W(), &[x0, ut.X()[1]]).unwrap();
    // S': base iff X0 = 0 (what the circuit computes); slots as the circuit outputs them
    let mut sec = SecondaryInputs {
        pp: pp.digest2,
        big_u: acc.u.clone(),
        merge_slot: None,
        open_instead: None,
        rho_in: acc.rho2,
        rho_next: rho2,
        u: us.clone(),
        t: None,
        k: F2::ZERO,
    };
    // base: the slots start at DEFAULT (as `Accumulator::new` does); either way u is folded
    // into slot 0 with the challenge that binds its digest
    let (start_u, start_w) = if x0 == F1::ZERO {
        sec.big_u = pp
            .primary
            .iter()
            .map(|s| RelaxedR1CSInstance::default(&pp.ck1, s))
            .collect();
        sec.rho_in = F2::ZERO;
        (
            sec.big_u[0].clone(),
            RelaxedR1CSWitness::default(&pp.primary[0]),
        )
    } else {
        (acc.u[0].clone(), acc.w[0].clone())
    };
    let (u_new, w_new) = {
        let r_t = F1::random(OsRng);
        let (t, comm) = pp.primary[0]
            .commit_T(&pp.ck1, &start_u, &start_w, &us, &wt, &r_t)
            .unwrap();
        let mut e = vec![
            pp.digest2,
            F2::ZERO,
            crate::accumulator::slot_digest(pp, &start_u),
        ];
        e.extend(strict::<E1>(&us).unwrap());
        e.extend(pt::<E1>(&comm));
        let r: F1 = switch_field(&challenge(&pp.ro2, T_RS2, &e)).unwrap();
        sec.t = Some(comm);
        (
            start_u.fold(&us, &comm, &r),
            start_w.fold(&wt, &t, &r_t, &r).unwrap(),
        )
    };
    let mut cs = SatisfyingAssignment::<E2>::with_capacity(3, pp.secondary.num_vars());
    SecondaryCircuit::new(1, &pp.ro2, Some(sec))
        .synthesize(&mut cs)
        .unwrap();
    let (last, last_w) = cs
        .r1cs_instance_and_witness(&pp.secondary, &pp.ck2, &mut OsRng)
        .unwrap();
    Accumulator {
        pp: pp.digest1,
        n: if primary_base { 1 } else { acc.n + 1 },
        pc0,
        z0,
        pc: pc.get_value().unwrap(),
        z: z.iter().map(|v| v.get_value().unwrap()).collect(),
        u: vec![u_new],
        w: vec![w_new],
        u_sec,
        w_sec,
        last,
        last_w,
        rho1,
        rho2,
        merge: None,
        kappa: 0,
    }
}

/// P18 (desynchronised base cases in a tree). Both curves reset together: F'_j's base case
/// (i = 0) forces x_pass = 0, and S' resets iff the X0 it sees is 0; there is one step
/// counter, n, and it lives only in h. A one-sided reset therefore needs an F'_j instance
/// whose X0 is not the x_pass its witness computed, which does not satisfy S_j:
/// * secondary-only (F'_j continues, keeping n and the start in h; S' drops the primary
///   slots holding the earlier steps — here a false one): S' needs X0 = 0, the forged
///   instance is folded into U[0]'s (DEFAULT) start, giving r·relax(u), and fails;
/// * primary-only (F'_j restarts at a state of the prover's choice with n = 1; S' keeps
///   the old slots): S' needs X0 = g, the forged instance is folded into U[0], which fails.
///
/// A synchronised reset is harmless: it is a fresh leaf from the current state, which
/// verifies and merges only where it is adjacent. In a tree a forged child stays rejected
/// under its parent, and a merge has no base case at all (no per-child counters whose
/// errors could cancel in n_L + n_R).
#[test]
fn p18_one_sided_resets_are_rejected_in_a_leaf_and_a_tree() {
    let (c, pp) = pp_one();
    let mut acc = Accumulator::new(pp, c, F1::ZERO, vec![F1::from(3u64), F1::ZERO]).unwrap();
    acc.prove_step(pp, c).unwrap();
    // the hand-driven step agrees with prove_step on the honest paths
    let honest = step_with_reset(pp, c, &acc, Reset::None);
    honest.verify(pp).unwrap();
    assert_eq!(honest.n, 3);
    let fresh = step_with_reset(pp, c, &acc, Reset::Both);
    fresh.verify(pp).unwrap();
    assert_eq!((fresh.n, fresh.start().1), (1, acc.state().1));
    let joined = Accumulator::merge(pp, &acc, &fresh).unwrap();
    joined.verify(pp).unwrap();
    assert_eq!(joined.state(), honest.state());

    // primary-only: restart with n = 1 while S' keeps the history
    let forged = step_with_reset(pp, c, &acc, Reset::PrimaryOnly);
    rejected_at(&forged, pp, "U[0]");
    let parent = Accumulator::merge(pp, &acc, &forged).unwrap();
    rejected_at(&parent, pp, "U[0]");

    // secondary-only: drop a false step from the primary slots while h keeps counting
    let mut bad = acc.clone();
    bad.prove_step_inner(pp, c, None, |_, w| {
        let k = w.len() / 2;
        w[k] += F1::ONE;
    })
    .unwrap();
    rejected_at(&bad, pp, "U[0]");
    let forged = step_with_reset(pp, c, &bad, Reset::SecondaryOnly);
    assert_eq!(forged.n, 4);
    assert_eq!(forged.start(), acc.start());
    assert!(
        crate::encoding::to_int(&forged.u[0].u()) < num_bigint::BigInt::from(1u8) << 128,
        "the reset dropped the earlier steps (slot 0 is one challenge times relax(u))"
    );
    rejected_at(&forged, pp, "U[0]");
    let next = Accumulator::new(pp, c, forged.pc, forged.z.clone()).unwrap();
    let parent = Accumulator::merge(pp, &forged, &next).unwrap();
    rejected_at(&parent, pp, "U[0]");
}
