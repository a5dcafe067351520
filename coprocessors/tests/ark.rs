//! The arkworks adapter: a hand-written ark circuit (x·y + 5 = z) agrees with native
//! evaluation, lying outputs and lying ark witnesses are rejected, witness-dependent shapes
//! fail clearly; `ArkSha256` agrees with `sha2`, works inside the `CoprocessorStep` wrapper
//! and registers together with the built-ins.
mod common;

use std::sync::Arc;

use ark_bn254::Fr;
use ark_crypto_primitives::crh::sha256::constraints::Sha256Gadget;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::uint8::UInt8;
use ark_relations::lc;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, SynthesisError as ArkError, Variable,
};
use ark_relations::r1cs::{ConstraintSystem as ArkCs, SynthesisMode};
use canopy_circuit::block::StepWitness;
use canopy_circuit::coprocessor::{u32_bits, Arg, CoprocessorCircuit, DynCs, InputWord, Region};
use canopy_circuit::handoff::CoprocessorStep;
use canopy_circuit::params::BlockParams;
use canopy_coprocessors::ark::sha256::digest_block;
use canopy_coprocessors::ark::{
    evaluate, ArkAdapter, ArkCircuit, ArkSha256, Binding, ARK_SHA256_ID,
};
use canopy_coprocessors::{builtins, BUILTIN_FUNCT7};
use canopy_folding::{StepCircuit, E1, F1};
use canopy_vm::{Coprocessor, CoprocessorRegistry};
use common::*;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::shape_cs::ShapeCS;
use nova_snark::frontend::test_cs::TestConstraintSystem;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use proptest::prelude::*;
use sha2::digest::generic_array::GenericArray;

// ---------------------------------------------------------------------------------------
// A hand-written ark circuit: t = x·y (witness), z = t + 5 (public output).

/// How the synthesizer misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Honest,
    /// Assigns t = x·y + 1 (and z = t + 5): the ark constraint x·y = t fails.
    LyingWitness,
    /// Adds a constraint when x is odd: the shape depends on the input.
    ShapeDependsOnInput,
}

struct MulAdd(Mode);

struct MulAddSynth {
    xy: Option<(u32, u32)>,
    mode: Mode,
}

impl ConstraintSynthesizer<Fr> for MulAddSynth {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), ArkError> {
        let xy = self.xy.map(|(x, y)| (Fr::from(x), Fr::from(y)));
        let t_val = xy.map(|(x, y)| {
            x * y
                + if self.mode == Mode::LyingWitness {
                    Fr::from(1u64)
                } else {
                    Fr::from(0u64)
                }
        });
        let x = cs.new_input_variable(|| xy.map(|v| v.0).ok_or(ArkError::AssignmentMissing))?;
        let y = cs.new_input_variable(|| xy.map(|v| v.1).ok_or(ArkError::AssignmentMissing))?;
        let z = cs.new_input_variable(|| {
            t_val
                .map(|t| t + Fr::from(5u64))
                .ok_or(ArkError::AssignmentMissing)
        })?;
        let t = cs.new_witness_variable(|| t_val.ok_or(ArkError::AssignmentMissing))?;
        cs.enforce_constraint(lc!() + x, lc!() + y, lc!() + t)?;
        cs.enforce_constraint(
            lc!() + t + (Fr::from(5u64), Variable::One),
            lc!() + Variable::One,
            lc!() + z,
        )?;
        if self.mode == Mode::ShapeDependsOnInput && self.xy.is_some_and(|(x, _)| x % 2 == 1) {
            cs.enforce_constraint(lc!() + x, lc!() + Variable::One, lc!() + x)?;
        }
        Ok(())
    }
}

impl ArkCircuit for MulAdd {
    type Synthesizer = MulAddSynth;
    fn id(&self) -> u32 {
        0x7e57_0001
    }
    fn name(&self) -> &str {
        "mul-add"
    }
    fn funct(&self) -> (u8, u8) {
        (5, 0)
    }
    fn inputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs1,
            offset: 0,
            words: 2,
        }]
    }
    fn outputs(&self) -> Vec<Region> {
        vec![Region {
            base: Arg::Rs2,
            offset: 0,
            words: 1,
        }]
    }
    fn binding(&self) -> Binding {
        Binding::public_inputs(2, 1)
    }
    fn synthesizer(&self, inputs: Option<&[u32]>) -> MulAddSynth {
        MulAddSynth {
            xy: inputs.map(|w| (w[0], w[1])),
            mode: self.0,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// Synthesizes `c` on the input words over a TestConstraintSystem, returning the error
/// instead of unwrapping it (`common::synth` unwraps).
fn try_synth(c: &dyn CoprocessorCircuit, words: &[u32]) -> Result<(bool, usize), SynthesisError> {
    let mut cs = TestConstraintSystem::<F1>::new();
    let args: Vec<AllocatedNum<F1>> = (0..2)
        .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("arg{i}")), || Ok(F1::from(0u64))))
        .collect::<Result<_, _>>()?;
    let inputs = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let value = AllocatedNum::alloc(cs.namespace(|| format!("in{i}")), || {
                Ok(F1::from(*w as u64))
            })?;
            let bits = u32_bits(cs.namespace(|| format!("in{i} bits")), &value)?;
            Ok(InputWord { value, bits })
        })
        .collect::<Result<Vec<_>, SynthesisError>>()?;
    let before = cs.num_constraints();
    let mut dcs = DynCs::new(&mut cs);
    c.synthesize(&mut dcs, [&args[0], &args[1]], &inputs)?;
    Ok((cs.is_satisfied(), cs.num_constraints() - before))
}

/// Constraints of `c` synthesized without values (as `PublicParams::setup` does).
fn shape_constraints(c: &dyn CoprocessorCircuit) -> usize {
    let n: u32 = c.inputs().iter().map(|r| r.words).sum();
    let mut cs = ShapeCS::<E1>::new();
    let none = || Err(SynthesisError::AssignmentMissing);
    let args: Vec<AllocatedNum<F1>> = (0..2)
        .map(|i| AllocatedNum::alloc(cs.namespace(|| format!("arg{i}")), none).unwrap())
        .collect();
    let inputs: Vec<InputWord> = (0..n)
        .map(|i| {
            let value = AllocatedNum::alloc(cs.namespace(|| format!("in{i}")), none).unwrap();
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

/// The coprocessor step synthesized over a Tamper system (one allocation altered).
fn run_step_tampered(params: &BlockParams, s: &StepWitness, target: &str) -> bool {
    let StepWitness::Coprocessor(w) = s else {
        panic!("not a coprocessor step")
    };
    let mut cs = Tamper::new(Some(target));
    let z: Vec<AllocatedNum<F1>> = s
        .z_in()
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("z{i}")), || Ok(*v)).unwrap())
        .collect();
    let phi = AllocatedNum::alloc(cs.namespace(|| "phi"), || Ok(F1::from(w.index as u64))).unwrap();
    let step = CoprocessorStep::new(params, w.index, Some(w)).unwrap();
    step.synthesize(&mut cs, &phi, &z).unwrap();
    assert!(cs.hits > 0, "the tampered variable {target} exists");
    cs.inner.is_satisfied()
}

// ---------------------------------------------------------------------------------------
// The adapter on x·y + 5 = z.

#[test]
fn mul_add_agrees_with_native_evaluation() {
    let a = ArkAdapter::new(MulAdd(Mode::Honest));
    let shape = a.shape().unwrap();
    assert_eq!(shape.num_constraints(), 2);
    for (x, y) in [(0u32, 0u32), (3, 4), (65_535, 65_535), (1 << 20, 4095)] {
        let want = x as u64 * y as u64 + 5;
        let want = u32::try_from(want).unwrap();
        assert_eq!(evaluate(a.circuit(), &[x, y]).unwrap(), [want]);
        let d = synth(&a, &[x, y], None);
        assert!(d.satisfied, "{x}·{y}");
        assert_eq!(d.outputs, [want]);
        assert_eq!(d.status, 0);
        // the ark constraints plus the status, nothing else
        assert_eq!(d.constraints, shape.num_constraints() + 1);
    }
    // Through guest memory: x, y at rs1, z at rs2.
    let mut mem = MapMem::default();
    mem.put(0x100, &[6, 7]);
    assert_eq!(a.execute(0x100, 0x200, &mut mem).unwrap(), 0);
    assert_eq!(mem.get(0x200, 1), [47]);
    // An output that is not a u32 is a native error (and the wrapper's range check rejects it).
    assert!(evaluate(a.circuit(), &[u32::MAX, u32::MAX]).is_err());
}

#[test]
fn a_lying_output_word_is_unsatisfiable() {
    let a = ArkAdapter::new(MulAdd(Mode::Honest));
    for target in ["ark out 0", "status"] {
        let d = synth(&a, &[12, 34], Some(target));
        assert!(!d.satisfied, "{target}");
    }
}

#[test]
fn an_ark_witness_that_breaks_the_ark_constraints_is_unsatisfiable_after_replay() {
    let a = ArkAdapter::new(MulAdd(Mode::LyingWitness));
    // natively the ark circuit is not satisfied
    let err = evaluate(a.circuit(), &[12, 34]).unwrap_err();
    assert!(err.to_string().contains("not satisfied"), "{err}");
    // the replayed system is not either (the output 12·34 + 6 is a u32, so only the ark
    // constraint x·y = t can fail)
    let d = synth(&a, &[12, 34], None);
    assert!(!d.satisfied);
    assert_eq!(d.outputs, [12 * 34 + 6]);
}

#[test]
fn a_witness_dependent_shape_fails_clearly() {
    let a = ArkAdapter::new(MulAdd(Mode::ShapeDependsOnInput));
    // x even: same constraints as the shape
    assert_eq!(try_synth(&a, &[4, 5]).unwrap(), (true, 3));
    // x odd: one more constraint than the shape, refused
    let err = try_synth(&a, &[5, 5]).unwrap_err();
    assert!(
        matches!(&err, SynthesisError::Unsatisfiable(m) if m.contains("depend on the witness")),
        "{err}"
    );
}

#[test]
fn shapes_match_witness_synthesis_and_do_not_depend_on_inputs() {
    let mul_add = ArkAdapter::new(MulAdd(Mode::Honest));
    let sha = ArkSha256::default();
    let cases: [(&dyn CoprocessorCircuit, Vec<u32>, Vec<u32>); 2] = [
        (&mul_add, vec![1, 2], vec![999, 77_777]),
        (
            &sha,
            vec![0; 16],
            (0..16)
                .map(|i| 0x9e37_79b9u32.wrapping_mul(i + 1))
                .collect(),
        ),
    ];
    for (c, w1, w2) in cases {
        let (ok1, n1) = try_synth(c, &w1).unwrap();
        let (ok2, n2) = try_synth(c, &w2).unwrap();
        assert!(ok1 && ok2, "{}", c.name());
        assert_eq!(
            n1,
            n2,
            "{}: constraint count depends on the input",
            c.name()
        );
        assert_eq!(shape_constraints(c), n1, "{}: shape", c.name());
    }
}

// ---------------------------------------------------------------------------------------
// ArkSha256.

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 of one 64-byte block by two calls of `sha2::compress256`: the block, then the
/// padding block of a 512-bit message.
fn two_compressions(block: &[u32; 16]) -> [u32; 8] {
    let mut state = IV;
    let bytes: Vec<u8> = block.iter().flat_map(|w| w.to_le_bytes()).collect();
    sha2::compress256(&mut state, &[GenericArray::clone_from_slice(&bytes)]);
    let mut pad = [0u8; 64];
    pad[0] = 0x80;
    pad[56..].copy_from_slice(&512u64.to_be_bytes());
    sha2::compress256(&mut state, &[GenericArray::clone_from_slice(&pad)]);
    state
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]
    #[test]
    fn ark_sha256_circuit_agrees_with_sha2(block in prop::array::uniform16(any::<u32>())) {
        let c = ArkSha256::default();
        let want = two_compressions(&block);
        prop_assert_eq!(digest_block(&block).unwrap(), want);
        prop_assert_eq!(evaluate(c.circuit(), &block).unwrap(), want.to_vec());
        let d = synth(&c, &block, None);
        prop_assert!(d.satisfied);
        prop_assert_eq!(d.outputs, want.to_vec());
        prop_assert_eq!(d.status, 0);
    }
}

#[test]
fn ark_sha256_figures_and_native_through_memory() {
    let c = ArkSha256::default();
    let shape = c.shape().unwrap();
    let builtin = shape_constraints(&canopy_coprocessors::Sha256Compress);
    let ark = shape_constraints(&c);
    println!(
        "ark-sha256-block: ark circuit {} constraints, {} instance + {} witness variables, \
         {} non-zeros; user circuit {ark} constraints (built-in sha256-compress: {builtin})",
        shape.num_constraints(),
        shape.num_instance_variables(),
        shape.num_witness_variables(),
        shape.num_non_zero()
    );
    assert_eq!(ark, shape.num_constraints() + 1);
    // For scale: the gadget's cost of one block (one compression from the constant IV, no
    // padding block), on 64 witness bytes, without the byte allocations.
    let cs = ArkCs::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let bytes: Vec<UInt8<Fr>> = (0..64)
        .map(|_| UInt8::new_witness(cs.clone(), || Ok(0u8)))
        .collect::<Result<_, _>>()
        .unwrap();
    let before = cs.num_constraints();
    let mut g = Sha256Gadget::<Fr>::default();
    g.update(&bytes).unwrap();
    let one = cs.num_constraints() - before;
    println!("ark Sha256Gadget, one compression from the IV: {one} constraints");
    assert!(one > 0 && one < shape.num_constraints());
    // FIPS 180-4 "abc", padded by the guest into one block, then the padding block.
    let mut bytes = [0u8; 64];
    bytes[..3].copy_from_slice(b"abc");
    let block: Vec<u32> = bytes
        .chunks(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let mut mem = MapMem::default();
    mem.put(0x2000, &block);
    assert_eq!(c.execute(0x1000, 0x2000, &mut mem).unwrap(), 0);
    let mut raw = [0u32; 16];
    raw.copy_from_slice(&block);
    assert_eq!(mem.get(0x1000, 8), two_compressions(&raw));
}

#[test]
fn ark_sha256_inside_the_wrapper_accepts_a_true_call_and_rejects_a_tampered_output() {
    let mut rng = Rng(0xa7c);
    // rs1 = DATA (digest, words 0..8), rs2 = DATA + 128 (block, words 32..48)
    let mut data = vec![0u32; 64];
    for w in &mut data[32..48] {
        *w = rng.next_u32();
    }
    let (params, steps) = trace_steps(Arc::new(ArkSha256::default()), &data);
    let i = coprocessor_step(&steps);
    let (ok, n, same) = run_step(&params, &steps[i]);
    assert!(ok && same);
    println!("ark-sha256-block step with wrapper (1 MiB memory): {n} constraints");
    for target in ["ark out 0", "ark out 3", "ark out 7"] {
        assert!(!run_step_tampered(&params, &steps[i], target), "{target}");
    }
}

#[test]
fn ark_sha256_registers_with_the_builtins() {
    let ark = Arc::new(ArkSha256::default());
    assert_eq!(Coprocessor::id(&*ark), ARK_SHA256_ID);
    assert_eq!(Coprocessor::funct(&*ark), (BUILTIN_FUNCT7, 4));
    assert_eq!(CoprocessorCircuit::funct(&*ark), (BUILTIN_FUNCT7, 4));
    assert_eq!(CoprocessorCircuit::name(&*ark), Coprocessor::name(&*ark));
    let mut registry = CoprocessorRegistry::new();
    let mut circuits: Vec<Arc<dyn CoprocessorCircuit>> = Vec::new();
    let mut all = builtins();
    let n_builtins = all.len();
    all.push(ark);
    for b in all {
        let native: Arc<dyn Coprocessor> = b.clone();
        registry.register(native).unwrap();
        circuits.push(b);
    }
    assert_eq!(registry.len(), n_builtins + 1);
    BlockParams::new(2, 1 << 20)
        .unwrap()
        .with_coprocessors(circuits)
        .unwrap();
    // and not among the built-ins
    assert!(builtins()
        .iter()
        .all(|b| Coprocessor::id(&**b) != ARK_SHA256_ID));
}
