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
    for (m, a) in [(1usize, 1usize), (1, 2), (3, 2), (1, 17)] {
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
