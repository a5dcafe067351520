//! Every built-in synthesizes without a witness (for shapes, as `PublicParams::setup` does)
//! with the same number of constraints as with one: the structure does not depend on values.
mod common;

use canopy_circuit::coprocessor::{u32_bits, CoprocessorCircuit, DynCs, InputWord};
use canopy_coprocessors::builtins;
use canopy_folding::{E1, F1};
use common::{synth, Rng};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::shape_cs::ShapeCS;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

fn shape_constraints(c: &dyn CoprocessorCircuit) -> usize {
    let n: u32 = c.inputs().iter().map(|r| r.words).sum();
    let mut cs = ShapeCS::<E1>::new();
    let args: Vec<AllocatedNum<F1>> = (0..2)
        .map(|i| {
            AllocatedNum::alloc(cs.namespace(|| format!("arg{i}")), || {
                Err(SynthesisError::AssignmentMissing)
            })
            .unwrap()
        })
        .collect();
    let inputs: Vec<InputWord> = (0..n)
        .map(|i| {
            let value = AllocatedNum::alloc(cs.namespace(|| format!("in{i}")), || {
                Err(SynthesisError::AssignmentMissing)
            })
            .unwrap();
            let bits = u32_bits(cs.namespace(|| format!("in{i} bits")), &value).unwrap();
            InputWord { value, bits }
        })
        .collect();
    let before = cs.num_constraints();
    let mut dcs = DynCs::new(&mut cs);
    let out = c
        .synthesize(&mut dcs, [&args[0], &args[1]], &inputs)
        .unwrap();
    let declared: u32 = c.outputs().iter().map(|r| r.words).sum();
    assert_eq!(out.words.len(), declared as usize);
    cs.num_constraints() - before
}

/// A well-formed Schnorr input (a valid signature from fixed secrets).
fn schnorr_words() -> Vec<u32> {
    use ark_grumpkin::{Fq, Fr};
    canopy_coprocessors::SchnorrVerify::new()
        .sign(Fr::from(5u64), Fr::from(7u64), Fq::from(11u64))
        .and_then(|i| i.to_words())
        .expect("a signature with nonzero secrets")
        .to_vec()
}

#[test]
fn shapes_match_witness_synthesis() {
    let mut rng = Rng(99);
    for b in builtins() {
        let c: &dyn CoprocessorCircuit = &*b;
        let n: u32 = c.inputs().iter().map(|r| r.words).sum();
        // inputs that are valid for every built-in: small words (canonical field elements,
        // nonzero modulus), except Schnorr, whose points must be on the curve: a signature
        let words: Vec<u32> = if c.name() == "schnorr-grumpkin" {
            schnorr_words()
        } else {
            (0..n).map(|_| rng.next_u32() >> 4 | 1).collect()
        };
        let direct = synth(c, &words, None);
        assert!(direct.satisfied, "{}", c.name());
        let shape = shape_constraints(c);
        println!(
            "{}: {} inputs, user circuit {shape} constraints",
            c.name(),
            n
        );
        assert_eq!(shape, direct.constraints, "{}", c.name());
    }
}
