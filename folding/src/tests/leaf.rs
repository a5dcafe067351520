//! Leaf accumulator tests: m = 1 and m = 3 circuits of very different sizes run in a
//! data-dependent order; serialisation round trips.

use super::circuits::{native_step, pp_one, pp_three, schedule, Sq};
use crate::encoding::to_int;
use crate::{Accumulator, PublicParams, F1};
use std::sync::OnceLock;

/// A verified m = 3 accumulator after the schedule 0 → 1 → 0 → 2 → 1 → 0, with the pcs run.
pub fn acc_three() -> &'static (Accumulator, Vec<u64>) {
    static ACC: OnceLock<(Accumulator, Vec<u64>)> = OnceLock::new();
    ACC.get_or_init(|| {
        let (c, pp) = pp_three();
        // pc_0 = 0, then the schedule digits chosen by the circuits from z
        let z0 = vec![F1::from(2u64), schedule(&[1, 0, 2, 1], 3)];
        let mut acc = Accumulator::new(pp, c, F1::from(0u64), z0).expect("new");
        let mut pcs = vec![0u64];
        for _ in 0..5 {
            pcs.push(u64::try_from(to_int(&acc.state().0)).expect("pc"));
            acc.prove_step(pp, c).expect("step");
        }
        (acc, pcs)
    })
}

fn native_run(c: &[Sq], pc0: u64, z0: &[F1], steps: usize) -> (u64, Vec<F1>) {
    let (mut pc, mut z) = (pc0, z0.to_vec());
    for _ in 0..steps {
        let (p, zn) = native_step(&c[pc as usize], &z);
        pc = p;
        z = zn;
    }
    (pc, z)
}

#[test]
fn one_circuit_steps_verify_and_match_native() {
    let (c, pp) = pp_one();
    let z0 = vec![F1::from(3u64), F1::from(0u64)];
    let mut acc = Accumulator::new(pp, c, F1::from(0u64), z0.clone()).unwrap();
    acc.verify(pp).unwrap();
    for _ in 0..3 {
        acc.prove_step(pp, c).unwrap();
        acc.verify(pp).unwrap();
    }
    assert_eq!(acc.num_steps(), 4);
    let (pc, z) = native_run(c, 0, &z0, 4);
    assert_eq!(acc.state().0, F1::from(pc));
    assert_eq!(acc.state().1, &z[..]);
}

#[test]
fn three_circuits_of_different_sizes_in_data_dependent_order() {
    let (c, pp) = pp_three();
    let sizes = pp.sizes();
    // the three primary shapes differ by about the sizes of their step circuits
    assert!(sizes.primary[1].0 > sizes.primary[0].0 + 900);
    assert!(sizes.primary[2].0 > sizes.primary[1].0 + 25_000);
    let (acc, pcs) = acc_three();
    acc.verify(pp).unwrap();
    assert_eq!(pcs, &vec![0, 1, 0, 2, 1, 0]);
    assert_eq!(acc.num_steps(), 6);
    let (pc, z) = native_run(c, 0, acc.start().1, 6);
    assert_eq!(acc.state().0, F1::from(pc));
    assert_eq!(acc.state().1, &z[..]);
}

#[test]
fn accumulator_and_params_serde_round_trip() {
    let (c, pp) = pp_one();
    let mut acc =
        Accumulator::new(pp, c, F1::from(0u64), vec![F1::from(9u64), F1::from(0u64)]).unwrap();
    acc.prove_step(pp, c).unwrap();
    let bytes = acc.to_bytes().unwrap();
    let mut back = Accumulator::from_bytes(&bytes).unwrap();
    back.verify(pp).unwrap();
    let pp_bytes = pp.to_bytes().unwrap();
    let pp2 = PublicParams::from_bytes(&pp_bytes).unwrap();
    assert_eq!(pp2.digest(), pp.digest());
    back.verify(&pp2).unwrap();
    // continue proving from the deserialised accumulator with the loaded parameters
    back.prove_step(&pp2, c).unwrap();
    back.verify(&pp2).unwrap();
    // a corrupted parameter file is rejected
    let mut bad = pp_bytes.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    assert!(PublicParams::from_bytes(&bad).is_err());
    assert!(Accumulator::from_bytes(&bytes[..bytes.len() / 2]).is_err());
}

#[test]
fn wrong_arity_and_out_of_range_pc_are_errors() {
    let (c, pp) = pp_one();
    assert!(Accumulator::new(pp, c, F1::from(0u64), vec![F1::from(1u64)]).is_err());
    assert!(Accumulator::new(pp, c, F1::from(1u64), vec![F1::from(1u64), F1::from(0u64)]).is_err());
    let (c3, _) = pp_three();
    assert!(
        Accumulator::new(pp, c3, F1::from(0u64), vec![F1::from(1u64), F1::from(0u64)]).is_err()
    );
}

#[test]
fn merge_slot_default_is_the_leaf_hash_layout() {
    // a leaf hashes the SM slot U'[1] as rel(DEFAULT_2): passing an explicit DEFAULT
    // instance (what a PCD merge of two leaves would see) gives the same h
    let (_, pp) = pp_three();
    let (acc, _) = acc_three();
    let d = nova_snark::r1cs::RelaxedR1CSInstance::default(&pp.ck2, &pp.secondary);
    let (s0, z0) = acc.start();
    let (s, z) = acc.state();
    let rho = acc.blinds().0;
    let u = acc.secondary_running_instance();
    let a = crate::primary_state_hash(pp, acc.num_steps(), (&s0, z0), (&s, z), (u, None), &rho);
    let b = crate::primary_state_hash(pp, acc.num_steps(), (&s0, z0), (&s, z), (u, Some(&d)), &rho);
    assert_eq!(a, b);
    assert_eq!(
        crate::encoding::to_int(&a),
        to_int(&acc.last_instance().X()[0])
    );
    let g = crate::secondary_state_hash(pp, acc.running_instances(), None, &acc.blinds().1);
    assert_eq!(g, acc.last_instance().X()[1]);
}
