//! A guest calling the Poseidon built-in is folded and verified with canopy-folding (the CPU
//! block circuit, the coprocessor's step circuit and the audit: 3 circuits).
mod common;

use std::sync::Arc;

use canopy_circuit::block::StepWitness;
use canopy_circuit::params::BlockParams;
use canopy_circuit::step::CanopyStep;
use canopy_coprocessors::poseidon::{element_to_words, PoseidonHash};
use canopy_folding::{Accumulator, PublicParams, F1};
use common::*;

fn circuit_of<'a>(params: &'a BlockParams, s: &'a StepWitness) -> CanopyStep<'a> {
    CanopyStep::of_witness(params, s).unwrap()
}

#[test]
fn a_poseidon_call_folds_and_verifies() {
    let mut data = vec![0u32; 64];
    data[..8].copy_from_slice(&element_to_words(F1::from(3u64)));
    data[8..16].copy_from_slice(&element_to_words(F1::from(4u64)));
    let (params, steps) = trace_steps(Arc::new(PoseidonHash::new()), &data);
    let pp = PublicParams::setup(&CanopyStep::shapes(&params)).unwrap();
    assert_eq!(pp.num_circuits(), 3);
    let z0 = steps[0].z_in().to_vec();
    let mut acc: Option<Accumulator> = None;
    for s in &steps {
        let mut cs = CanopyStep::shapes(&params);
        cs[s.circuit_index() as usize] = circuit_of(&params, s);
        match &mut acc {
            None => acc = Some(Accumulator::new(&pp, &cs, F1::from(0u64), z0.clone()).unwrap()),
            Some(a) => a.prove_step(&pp, &cs).unwrap(),
        }
    }
    let acc = acc.unwrap();
    acc.verify(&pp).unwrap();
    assert_eq!(acc.num_steps(), steps.len() as u64);
    assert_eq!(acc.state().1, steps.last().unwrap().z_out());
}
