//! PCD merge tests: two leaves merge into an accumulator that verifies, merged accumulators
//! merge again (depth 2, unbalanced), and every injected fault is rejected.

use super::circuits::{native_step, pp_one, pp_three, schedule, Sq};
use crate::{merge_circuit_sizes, Accumulator, MergeFault, PublicParams, F1};

fn leaf(pp: &PublicParams, c: &[Sq], pc: u64, z: Vec<F1>, steps: usize) -> Accumulator {
    let mut a = Accumulator::new(pp, c, F1::from(pc), z).unwrap();
    for _ in 1..steps {
        a.prove_step(pp, c).unwrap();
    }
    a
}

/// Consecutive leaves of `lens` steps each from (pc, z).
fn leaves(pp: &PublicParams, c: &[Sq], z0: Vec<F1>, lens: &[usize]) -> Vec<Accumulator> {
    let mut out = Vec::new();
    let (mut pc, mut z) = (F1::from(0u64), z0);
    for &l in lens {
        let pcu = u64::try_from(crate::encoding::to_int(&pc)).unwrap();
        let a = leaf(pp, c, pcu, z, l);
        pc = a.state().0;
        z = a.state().1.to_vec();
        out.push(a);
    }
    out
}

#[test]
fn merge_sizes_report() {
    for (m, a) in [(1usize, 1usize), (1, 2), (2, 2), (3, 2), (1, 17)] {
        let sz = merge_circuit_sizes(m, a).unwrap();
        let (pm, sm) = (sz.pm.0, sz.sm.0);
        let (p, s) = super::counts::counts(m);
        println!(
            "m = {m}, arity = {a}: PM = {pm}, SM = {sm}, PM + SM = {} vs leaf F' + S' = {} (ratio {:.2})",
            pm + sm,
            p + s,
            (pm + sm) as f64 / (p + s) as f64
        );
    }
}

#[test]
fn two_leaves_merge_and_merge_again() {
    let (c, pp) = pp_one();
    let ls = leaves(pp, c, vec![F1::from(3u64), F1::from(0u64)], &[2, 1, 3]);
    let ab = Accumulator::merge(pp, &ls[0], &ls[1]).unwrap();
    ab.verify(pp).unwrap();
    assert_eq!(ab.num_steps(), 3);
    assert!(ab.is_merged());
    // unbalanced: merged + leaf, then check the state against a native run
    let abc = Accumulator::merge(pp, &ab, &ls[2]).unwrap();
    abc.verify(pp).unwrap();
    assert_eq!(abc.num_steps(), 6);
    let mut z = vec![F1::from(3u64), F1::from(0u64)];
    for _ in 0..6 {
        z = native_step(&c[0], &z).1;
    }
    assert_eq!(abc.state().1, &z[..]);
    assert_eq!(abc.start().1, ls[0].start().1);
    // κ and the merge slots must agree; a merged accumulator's merge slots are checked
    let mut lie = abc.clone();
    lie.kappa = 0;
    assert!(lie.verify(pp).is_err());
    let mut lie = abc.clone();
    lie.merge = None;
    assert!(lie.verify(pp).is_err());
    let mut lie = abc.clone();
    if let Some(ms) = lie.merge.as_mut() {
        ms.w_pm = ab.merge.as_ref().unwrap().w_pm.clone();
    }
    assert!(lie.verify(pp).is_err());
    // a merged accumulator serialises and takes no more steps
    let back = Accumulator::from_bytes(&abc.to_bytes().unwrap()).unwrap();
    back.verify(pp).unwrap();
    let mut more = back.clone();
    assert!(more.prove_step(pp, c).is_err());
    // leaf + merged on the right
    let ls2 = leaves(pp, c, abc.state().1.to_vec(), &[1, 1, 1]);
    let r = Accumulator::merge(pp, &ls2[1], &ls2[2]).unwrap();
    let lr = Accumulator::merge(pp, &ls2[0], &r).unwrap();
    lr.verify(pp).unwrap();
    let all = Accumulator::merge(pp, &abc, &lr).unwrap();
    all.verify(pp).unwrap();
    assert_eq!(all.num_steps(), 9);
}

#[test]
fn three_circuits_merge() {
    let (c, pp) = pp_three();
    let z0 = vec![F1::from(2u64), schedule(&[1, 0, 2, 1], 3)];
    let ls = leaves(pp, c, z0, &[2, 3]);
    let m = Accumulator::merge(pp, &ls[0], &ls[1]).unwrap();
    m.verify(pp).unwrap();
    assert_eq!(m.num_steps(), 5);
}

#[test]
fn merge_faults_are_rejected() {
    let (c, pp) = pp_one();
    let ls = leaves(pp, c, vec![F1::from(5u64), F1::from(0u64)], &[1, 1, 1]);
    // swapped and non-adjacent children: native check
    assert!(Accumulator::merge(pp, &ls[1], &ls[0]).is_err());
    assert!(Accumulator::merge(pp, &ls[0], &ls[2]).is_err());
    // the same with the native check skipped: the circuits reject (the result does not verify)
    for (a, b) in [(1, 0), (0, 2)] {
        let bad = Accumulator::merge_with_fault(pp, &ls[a], &ls[b], MergeFault::SkipNativeChecks)
            .unwrap();
        assert!(bad.verify(pp).is_err(), "non-adjacent {a},{b}");
    }
    for f in [
        MergeFault::TamperPmWitness,
        MergeFault::TamperSmWitness,
        MergeFault::WrongCrossTerm,
    ] {
        let bad = Accumulator::merge_with_fault(pp, &ls[0], &ls[1], f).unwrap();
        assert!(bad.verify(pp).is_err(), "{f:?}");
        // and a parent of the false merge does not verify either
        let parent = Accumulator::merge(pp, &bad, &ls[2]).unwrap();
        assert!(parent.verify(pp).is_err(), "parent of {f:?}");
    }
}

/// Asserts that `a` is rejected by [`Accumulator::verify`] and that the first failing check
/// names `what` (which slot or instance caught the attack).
fn rejected_at(a: &Accumulator, pp: &PublicParams, what: &str) {
    let err = a.verify(pp).expect_err("attack accepted");
    assert!(format!("{err}").contains(what), "expected {what}: {err}");
}

/// docs/protocol.md §8 step 6, "κ lie": the prover tells PM that the left child's last instance
/// u'_L (produced by S', κ = 0) came from SM (κ = 1). PM accepts the claim (κ is a witness,
/// absorbed into r1) and folds u'_L into the SM slot U'_L[1]; the driver follows, so PM
/// itself is satisfied — the merged PM slot U[m] verifies. The lie fails by shape
/// separation: an S' instance does not satisfy SM (nor would a false u'_L, which is what a
/// κ lie would try to slip past S'), so the merged SM slot U'[1] is unsatisfiable. The
/// honest merge of the same children verifies.
#[test]
fn kappa_lie_inside_pm_is_rejected() {
    let (c, pp) = pp_one();
    let ls = leaves(pp, c, vec![F1::from(7u64), F1::from(0u64)], &[1, 1]);
    Accumulator::merge(pp, &ls[0], &ls[1])
        .unwrap()
        .verify(pp)
        .unwrap();
    let lie = Accumulator::merge_with_fault(pp, &ls[0], &ls[1], MergeFault::KappaLie).unwrap();
    // verify checks U[m] (PM) before U'[1] (SM): PM was satisfied, SM's slot caught it
    rejected_at(&lie, pp, "U'[1] (SM)");
}

/// docs/protocol.md §8 step 6, "reuse of one child twice": the same accumulator A as left and
/// right child. The native driver refuses (A's end is not its own start), and with that
/// check skipped PM is unsatisfiable: it uses A's end state as the right child's start
/// (continuity by shared variables), so h_R is recomputed over (st_out_A, st_out_A) and
/// differs from u'_A.X0 — the merged PM slot U[m] fails. (If st_out_A = st_in_A, running A
/// twice is a genuine execution of 2n steps, so reuse is only an attack where the check
/// rejects it.) Both a leaf and a merged node used twice are rejected.
#[test]
fn one_child_used_twice_is_rejected() {
    let (c, pp) = pp_one();
    let ls = leaves(pp, c, vec![F1::from(6u64), F1::from(0u64)], &[1, 1]);
    assert!(matches!(
        Accumulator::merge(pp, &ls[0], &ls[0]),
        Err(crate::FoldingError::NotAdjacent(_))
    ));
    let twice =
        Accumulator::merge_with_fault(pp, &ls[0], &ls[0], MergeFault::SkipNativeChecks).unwrap();
    rejected_at(&twice, pp, "U[m] (PM)");
    let node = Accumulator::merge(pp, &ls[0], &ls[1]).unwrap();
    node.verify(pp).unwrap();
    let twice =
        Accumulator::merge_with_fault(pp, &node, &node, MergeFault::SkipNativeChecks).unwrap();
    rejected_at(&twice, pp, "U[m] (PM)");
}

/// P10 (mix-and-match of σ and τ, 2023/969) at a merge. L1 and L2 are two genuine proofs
/// of the same segment (same statement, different blinds and running instances), R the
/// next segment. A child is assembled from parts of both:
/// * σ (U'[0], ρ1) of L2 with τ and u' of L1: PM recomputes h over the σ it is given and
///   checks it against u'.X0 (= h of L1), so PM is unsatisfiable — the PM slot U[m] fails;
/// * τ (U[0..m), ρ2) of L2 with σ and u' of L1: PM is satisfied and forwards u'_L.X1
///   (= g of L1) to SM, which recomputes g over the τ it is given and checks it against
///   that value, so SM is unsatisfiable — the new last instance u' fails, and once it is
///   folded by a parent merge, the parent's SM slot U'[1] fails.
///
/// So σ and τ entering a merge belong to the one strict instance u'_c that is folded; a
/// genuine τ cannot vouch for another accumulator's σ. Either mixed child alone fails
/// `verify` too (u'.X ≠ (h, g)), and the honest merges verify.
#[test]
fn p10_merge_rejects_sigma_and_tau_of_different_accumulators() {
    let (c, pp) = pp_one();
    let first = leaf(pp, c, 0, vec![F1::from(9u64), F1::from(0u64)], 1);
    let mid = first.state().1.to_vec();
    let l1 = leaf(pp, c, 0, mid.clone(), 2);
    let l2 = leaf(pp, c, 0, mid, 2);
    assert_eq!(l1.state(), l2.state());
    assert_ne!(l1.u_sec, l2.u_sec);
    let r = leaf(pp, c, 0, l1.state().1.to_vec(), 1);
    Accumulator::merge(pp, &l1, &r).unwrap().verify(pp).unwrap();

    // σ of L2, τ and u' of L1
    let mut sigma = l1.clone();
    sigma.u_sec = l2.u_sec.clone();
    sigma.w_sec = l2.w_sec.clone();
    sigma.rho1 = l2.rho1;
    rejected_at(&sigma, pp, "u'.X0 != h");
    rejected_at(
        &Accumulator::merge(pp, &sigma, &r).unwrap(),
        pp,
        "U[m] (PM)",
    );

    // τ of L2, σ and u' of L1: as the left child, as the right child, and under a parent
    let mut tau = l1.clone();
    tau.u = l2.u.clone();
    tau.w = l2.w.clone();
    tau.rho2 = l2.rho2;
    rejected_at(&tau, pp, "u'.X1 != g");
    rejected_at(&Accumulator::merge(pp, &tau, &r).unwrap(), pp, "u': ");
    let bad = Accumulator::merge(pp, &first, &tau).unwrap();
    rejected_at(&bad, pp, "u': ");
    let parent = Accumulator::merge(pp, &bad, &r).unwrap();
    rejected_at(&parent, pp, "U'[1] (SM)");
}
