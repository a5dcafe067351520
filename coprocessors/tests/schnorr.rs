//! Schnorr on Grumpkin: native verify == an independent arkworks reference, circuit == native
//! on random valid and invalid signatures, malformed inputs fault natively and are
//! unsatisfiable in circuit, a lying result (or y, or challenge bit) is unsatisfiable, and the
//! wrapped step reads exactly what memory holds.
mod common;

use std::sync::Arc;

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field as _, PrimeField as _, UniformRand};
use ark_grumpkin::{Affine, Fq, Fr, Projective};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use canopy_circuit::block::StepWitness;
use canopy_coprocessors::schnorr::encoding::{compress, y_for_x, SIGN_BIT};
use canopy_coprocessors::schnorr::{SchnorrInput, SchnorrVerify, DOMAIN};
use canopy_folding::F1;
use canopy_vm::error::CoprocessorError;
use canopy_vm::Coprocessor;
use common::*;
use ff::{Field, PrimeField};
use nova_snark::frontend::gadgets::poseidon::{
    IOPattern, Simplex, Sponge, SpongeAPI, SpongeOp, SpongeTrait, Strength,
};
use proptest::prelude::*;
use typenum::U2;

// ---------------------------------------------------------------- reference (arkworks + nova)

fn to_f1(f: Fq) -> F1 {
    let mut repr = <F1 as PrimeField>::Repr::default();
    repr.as_mut()
        .copy_from_slice(&f.into_bigint().to_bytes_le());
    F1::from_repr(repr).unwrap()
}

/// e = Poseidon sponge (nova-snark, fresh constants) of (R.x, R.y, P.x, P.y, m), as a scalar.
fn reference_challenge(r: &Affine, p: &Affine, m: Fq) -> Fr {
    let constants = Sponge::<F1, U2>::api_constants(Strength::Standard);
    let mut sponge = Sponge::new_with_constants(&constants, Simplex);
    let acc = &mut ();
    let pattern = IOPattern(vec![SpongeOp::Absorb(5), SpongeOp::Squeeze(1)]);
    sponge.start(pattern, Some(DOMAIN), acc);
    let elements = [r.x, r.y, p.x, p.y, m].map(to_f1);
    SpongeAPI::absorb(&mut sponge, 5, &elements, acc);
    let e = SpongeAPI::squeeze(&mut sponge, 1, acc)[0];
    sponge.finish(acc).unwrap();
    Fr::from_le_bytes_mod_order(e.to_repr().as_ref())
}

/// The reference verify: s·G == R + e·P in projective arithmetic.
fn reference_verify(p: &Affine, r: &Affine, s: Fr, m: Fq) -> bool {
    let e = reference_challenge(r, p, m);
    Projective::from(Affine::generator()) * s == Projective::from(*r) + Projective::from(*p) * e
}

/// A signature made here (not with the library's `sign`): (input, secret, nonce).
fn reference_sign(rng: &mut StdRng) -> (SchnorrInput, Fr, Fr) {
    let x = Fr::rand(rng);
    let k = Fr::rand(rng);
    let m = Fq::rand(rng);
    let p = (Affine::generator() * x).into_affine();
    let r = (Affine::generator() * k).into_affine();
    let e = reference_challenge(&r, &p, m);
    let input = SchnorrInput {
        public_key: p,
        r,
        s: k + e * x,
        message: m,
    };
    (input, x, k)
}

/// Variants of a valid input: (label, input, valid?).
fn variants(good: &SchnorrInput, rng: &mut StdRng) -> Vec<(&'static str, SchnorrInput, bool)> {
    let other = (Affine::generator() * Fr::rand(rng)).into_affine();
    let mut v = vec![("valid", *good, true)];
    let mut bad = *good;
    bad.message += Fq::from(1u64);
    v.push(("message + 1", bad, false));
    let mut bad = *good;
    bad.s += Fr::from(1u64);
    v.push(("s + 1", bad, false));
    let mut bad = *good;
    bad.r = other;
    v.push(("other R", bad, false));
    let mut bad = *good;
    bad.r = -good.r;
    v.push(("R negated (sign bit)", bad, false));
    let mut bad = *good;
    bad.public_key = other;
    v.push(("other key", bad, false));
    v
}

fn run_native(v: &SchnorrVerify, words: &[u32]) -> Result<u32, CoprocessorError> {
    let mut mem = MapMem::default();
    mem.put(0x100, words);
    mem.put(0x400, &[0xdead_beef]);
    let r = v.execute(0x100, 0x400, &mut mem);
    let out = mem.get(0x400, 1)[0];
    match r {
        Ok(st) => {
            assert_eq!(st, 0);
            assert!(out <= 1, "result is a bit");
            Ok(out)
        }
        Err(e) => {
            assert_eq!(out, 0xdead_beef, "nothing written on a fault");
            Err(e)
        }
    }
}

// ---------------------------------------------------------------- malformed encodings

fn p_words() -> [u32; 8] {
    words_of_bytes(&Fq::MODULUS.to_bytes_le())
}

fn q_words() -> [u32; 8] {
    words_of_bytes(&Fr::MODULUS.to_bytes_le())
}

fn words_of_bytes(b: &[u8]) -> [u32; 8] {
    std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()))
}

/// An x in F_p with no curve point (x³ − 17 not a square).
fn x_off_curve() -> [u32; 8] {
    let x = (0u64..)
        .find(|&x| y_for_x(Fq::from(x), false).is_none())
        .unwrap();
    let mut w = [0u32; 8];
    w[0] = x as u32;
    w
}

/// (label, words) of malformed inputs derived from a valid one.
fn malformed(good: &[u32; 32]) -> Vec<(&'static str, Vec<u32>)> {
    let with = |at: usize, w: [u32; 8]| {
        let mut v = good.to_vec();
        v[at..at + 8].copy_from_slice(&w);
        v
    };
    let mut bit254 = [0u32; 8];
    bit254[0] = 1;
    bit254[7] = 1 << 30;
    let mut x_p_odd = p_words();
    x_p_odd[7] |= SIGN_BIT;
    vec![
        ("P.x = p", with(0, p_words())),
        ("P.x = p, sign bit", with(0, x_p_odd)),
        ("P bit 254 set", with(0, bit254)),
        ("P off the curve", with(0, x_off_curve())),
        ("R.x = p", with(8, p_words())),
        ("R off the curve", with(8, x_off_curve())),
        ("s = q", with(16, q_words())),
        ("s = 2^256 - 1", with(16, [u32::MAX; 8])),
        ("m = p", with(24, p_words())),
    ]
}

#[test]
fn native_verify_matches_the_reference() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..6 {
        let (good, x, k) = reference_sign(&mut rng);
        // the library's signer produces the same signature from the same secrets
        assert_eq!(v.sign(x, k, good.message), Some(good));
        assert_eq!(
            v.challenge(&good.r, &good.public_key, good.message),
            Some(reference_challenge(&good.r, &good.public_key, good.message))
        );
        for (label, input, valid) in variants(&good, &mut rng) {
            assert_eq!(
                reference_verify(&input.public_key, &input.r, input.s, input.message),
                valid,
                "{label}"
            );
            assert_eq!(v.verify(&input), valid, "{label}");
            let words = input.to_words().unwrap();
            assert_eq!(SchnorrInput::from_words(&words), Ok(input), "round trip");
            assert_eq!(run_native(&v, &words).unwrap(), valid as u32, "{label}");
        }
    }
    // the point at infinity has no encoding, and zero secrets are refused
    let mut inf = reference_sign(&mut rng).0;
    inf.r = Affine::zero();
    assert_eq!(inf.to_words(), None);
    assert!(!v.verify(&inf));
    assert_eq!(compress(&Affine::zero()), None);
    assert_eq!(v.sign(Fr::from(0u64), Fr::from(1u64), Fq::from(1u64)), None);
}

#[test]
fn native_faults_on_malformed_input() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(2);
    let good = reference_sign(&mut rng).0.to_words().unwrap();
    for (label, words) in malformed(&good) {
        let err = run_native(&v, &words).unwrap_err();
        assert!(
            matches!(err, CoprocessorError::InvalidArguments(_)),
            "{label}: {err}"
        );
    }
    // the largest canonical values are fine: s = q − 1, m = p − 1
    let mut edge = good;
    edge[16..24].copy_from_slice(&words_of_bytes(&(-Fr::ONE).into_bigint().to_bytes_le()));
    edge[24..32].copy_from_slice(&words_of_bytes(&(-Fq::ONE).into_bigint().to_bytes_le()));
    assert_eq!(run_native(&v, &edge).unwrap(), 0);
}

// ---------------------------------------------------------------- circuit

/// Synthesizes the user circuit on `words` with the given witness overrides; returns
/// (satisfied, result word).
fn synth_with(v: &SchnorrVerify, words: &[u32], overrides: &[(&str, F1)]) -> (bool, F1) {
    let mut cs = Tamper::with_values(overrides);
    let d = synth_in(v, words, &mut cs);
    assert!(
        cs.hits >= overrides.len(),
        "every override hits an allocation"
    );
    (d.satisfied, F1::from(d.outputs[0] as u64))
}

/// The circuit on a valid signature and on one per kind of invalid signature.
#[test]
fn circuit_gives_1_for_valid_and_0_for_invalid_signatures() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(3);
    let good = reference_sign(&mut rng).0;
    for (label, input, valid) in variants(&good, &mut rng) {
        let words = input.to_words().unwrap();
        let d = synth(&v, &words, None);
        assert!(d.satisfied, "{label}");
        assert_eq!(d.outputs, [valid as u32], "{label}");
        assert_eq!(d.status, 0);
        println!(
            "{label}: schnorr user circuit {} constraints",
            d.constraints
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Random keys, messages and one random kind of damage (or none): circuit == native.
    #[test]
    fn circuit_matches_native_on_random_inputs(seed in any::<u64>(), kind in 0usize..6) {
        let v = SchnorrVerify::new();
        let mut rng = StdRng::seed_from_u64(seed);
        let good = reference_sign(&mut rng).0;
        let (label, input, _) = variants(&good, &mut rng).swap_remove(kind);
        let words = input.to_words().unwrap();
        let native = run_native(&v, &words).unwrap();
        let d = synth(&v, &words, None);
        prop_assert!(d.satisfied, "{}", label);
        prop_assert_eq!(d.outputs, vec![native]);
        prop_assert_eq!(d.status, 0);
    }
}

#[test]
fn a_lying_result_is_unsatisfiable() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(4);
    let good = reference_sign(&mut rng).0;
    let mut bad = good;
    bad.message += Fq::from(1u64);
    for (input, truth) in [(good, F1::ONE), (bad, F1::ZERO)] {
        let words = input.to_words().unwrap();
        let (ok, r) = synth_with(&v, &words, &[]);
        assert!(ok);
        assert_eq!(r, truth);
        let lie = F1::ONE - truth;
        // the other answer, whatever inverse witness comes with it
        for inv in [F1::ZERO, F1::ONE, F1::from(12345u64)] {
            // (the overrides set the assignment; synth_with checks that both were hit)
            let (ok, _) = synth_with(
                &v,
                &words,
                &[("result/valid", lie), ("result/inverse", inv)],
            );
            assert!(
                !ok,
                "claiming {lie:?} for a signature whose truth is {truth:?}"
            );
        }
    }
}

#[test]
fn lying_intermediate_witnesses_are_unsatisfiable() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(5);
    let good = reference_sign(&mut rng).0;
    let words = good.to_words().unwrap();
    // P's other square root −y is on the curve; the override leaves y's bits (computed from
    // the honest y) inconsistent with it, so this shows that a changed y cannot slip through
    // unnoticed; that the sign bit picks the root is shown by "R negated" giving 0 above
    let other_y = -to_f1(good.public_key.y);
    assert!(
        !synth_with(&v, &words, &[("P/y", other_y)]).0,
        "other root of P"
    );
    let other_y = -to_f1(good.r.y);
    assert!(
        !synth_with(&v, &words, &[("R/y", other_y)]).0,
        "other root of R"
    );
    // +1 on single witnesses: a challenge bit, a select, a doubling slope, a product
    for target in [
        "e bits/bit 0",
        "bit 100/e_i/x/selected",
        "bit 7/s_i/z/selected",
        "bit 50/double P/lambda",
        "bit 3/+ 2^i P/t3 t1'/product",
        "result/valid",
    ] {
        assert!(!synth(&v, &words, Some(target)).satisfied, "{target}");
    }
}

#[test]
fn malformed_inputs_are_unsatisfiable() {
    let v = SchnorrVerify::new();
    let mut rng = StdRng::seed_from_u64(6);
    let good = reference_sign(&mut rng).0.to_words().unwrap();
    for (label, words) in malformed(&good) {
        assert!(!synth(&v, &words, None).satisfied, "{label}");
    }
}

#[test]
fn wrapper_step_satisfies_and_rejects_a_read_memory_does_not_hold() {
    let v = Arc::new(SchnorrVerify::new());
    let mut rng = StdRng::seed_from_u64(7);
    let good = reference_sign(&mut rng).0;
    let mut bad = good;
    bad.s += Fr::from(1u64);
    for (input, valid) in [(good, true), (bad, false)] {
        let mut data = vec![0u32; 64];
        data[..32].copy_from_slice(&input.to_words().unwrap());
        data[RS2_OFFSET as usize / 4] = 0xdead_beef;
        let (params, steps) = trace_steps(v.clone(), &data);
        let i = coprocessor_step(&steps);
        let StepWitness::Coprocessor(c) = &steps[i] else {
            unreachable!()
        };
        assert_eq!(c.writes.len(), 1);
        let (ok, n, same) = run_step(&params, &steps[i]);
        assert!(ok && same, "valid = {valid}");
        println!("schnorr step with wrapper (1 MiB memory): {n} constraints");
        for k in [0usize, 9, 20, 31] {
            let mut s = steps[i].clone();
            if let StepWitness::Coprocessor(c) = &mut s {
                c.reads[k].old.word ^= 1;
            }
            // the memory argument rejects globally: the step stays satisfiable but its sum (and
            // chain) leave the honest run's, so the run's LogUp total cannot close
            let (ok, _, same) = run_step(&params, &s);
            assert!(!(ok && same), "tampered read {k}");
        }
    }
}
