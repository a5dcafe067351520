//! Tests of the batched sum-check and the batched Spartan on synthetic shapes.

use super::sumcheck::{self, batched_claim, Claim};
use super::{BatchSnark, BatchSpartan};
use ff::Field;
use nova_snark::{
    provider::{hyperkzg, ipa_pc, Bn256EngineIPA, Bn256EngineKZG, GrumpkinEngine},
    r1cs::{R1CSShape, RelaxedR1CSInstance, RelaxedR1CSWitness, SparseMatrix},
    traits::{commitment::CommitmentEngineTrait, Engine, TranscriptEngineTrait},
};
use rand_core::{OsRng, RngCore};

type F1 = <Bn256EngineIPA as Engine>::Scalar;

fn random_table(v: usize) -> Vec<F1> {
    (0..1 << v).map(|_| F1::random(OsRng)).collect()
}

#[test]
fn batched_sumcheck_of_mixed_sizes_matches_brute_force() {
    // three product claims of 1, 3 and 5 variables in one run
    let sizes = [1usize, 3, 5];
    let tables: Vec<[Vec<F1>; 2]> = sizes
        .iter()
        .map(|&v| [random_table(v), random_table(v)])
        .collect();
    let sums: Vec<F1> = tables
        .iter()
        .map(|[a, b]| a.iter().zip(b).map(|(x, y)| *x * y).sum())
        .collect();
    let weights: Vec<F1> = (0..3).map(|_| F1::random(OsRng)).collect();
    let claims = tables
        .iter()
        .zip(&sums)
        .zip(&weights)
        .map(|((t, s), w)| Claim {
            polys: t.clone(),
            claim: *s,
            weight: *w,
        })
        .collect();
    let mut tp = <Bn256EngineIPA as Engine>::TE::new(b"t");
    let (rounds, r, finals) =
        sumcheck::prove::<Bn256EngineIPA, 2>(claims, 2, |p| p[0] * p[1], &mut tp).unwrap();
    assert_eq!(r.len(), 5);
    let start = batched_claim(
        sizes
            .iter()
            .zip(&sums)
            .zip(&weights)
            .map(|((v, s), w)| (*w, *v, *s)),
        5,
    );
    let mut tv = <Bn256EngineIPA as Engine>::TE::new(b"t");
    let (e, rv) = sumcheck::verify::<Bn256EngineIPA>(start, 5, 2, &rounds, &mut tv).unwrap();
    assert_eq!(r, rv);
    // the final claim is the weighted sum of each claim's product at its own point
    let mut expected = F1::ZERO;
    for (((v, t), w), fin) in sizes.iter().zip(&tables).zip(&weights).zip(&finals) {
        let at = &r[5 - v..];
        let a = nova_snark::spartan::polys::multilinear::MultilinearPolynomial::evaluate_with(
            &t[0], at,
        );
        let b = nova_snark::spartan::polys::multilinear::MultilinearPolynomial::evaluate_with(
            &t[1], at,
        );
        assert_eq!((a, b), (fin[0], fin[1]));
        expected += *w * a * b;
    }
    assert_eq!(e, expected);
    // a wrong claim, a dropped round, an extra round and a short round are all rejected
    let mut tv = <Bn256EngineIPA as Engine>::TE::new(b"t");
    let (e2, _) =
        sumcheck::verify::<Bn256EngineIPA>(start + F1::ONE, 5, 2, &rounds, &mut tv).unwrap();
    assert_ne!(e2, expected);
    let mut short = rounds.clone();
    short.0.pop();
    let mut tv = <Bn256EngineIPA as Engine>::TE::new(b"t");
    assert!(sumcheck::verify::<Bn256EngineIPA>(start, 5, 2, &short, &mut tv).is_err());
    let mut long = rounds.clone();
    long.0.push(vec![F1::ZERO; 2]);
    let mut tv = <Bn256EngineIPA as Engine>::TE::new(b"t");
    assert!(sumcheck::verify::<Bn256EngineIPA>(start, 5, 2, &long, &mut tv).is_err());
    let mut thin = rounds;
    thin.0[2].pop();
    let mut tv = <Bn256EngineIPA as Engine>::TE::new(b"t");
    assert!(sumcheck::verify::<Bn256EngineIPA>(start, 5, 2, &thin, &mut tv).is_err());
}

/// A shape of `cons` random constraints over `vars` variables and 2 public values (not
/// square, not a power of two: padding matters).
fn shape<E: Engine>(cons: usize, vars: usize) -> R1CSShape<E> {
    let cols = vars + 3;
    let m = || {
        let mut t = Vec::new();
        for row in 0..cons {
            for _ in 0..3 {
                let col = (OsRng.next_u64() as usize) % cols;
                t.push((row, col, E::Scalar::random(OsRng)));
            }
        }
        t.sort_by_key(|(r, c, _)| (*r, *c));
        t.dedup_by_key(|(r, c, _)| (*r, *c));
        SparseMatrix::new(&t, cons, cols)
    };
    let (a, b, c) = (m(), m(), m());
    R1CSShape::new(cons, vars, 2, a, b, c).unwrap()
}

/// A random satisfying pair of `s` with blind-free commitments.
fn pair<E: Engine>(
    s: &R1CSShape<E>,
    ck: &canopy_folding::CommitmentKey<E>,
) -> (RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>) {
    let (u, w) = s.sample_random_instance_witness(ck).unwrap();
    let (wd, rw, re) = w.derandomize();
    let ud = u.derandomize(&E::CE::derand_key(ck), &rw, &re);
    (ud, wd)
}

/// The same pair with `E[0]` raised by one and `C_E` recommitted: an instance whose
/// commitments open, but which is not satisfied.
fn lie_in_e<E: Engine>(
    s: &R1CSShape<E>,
    ck: &canopy_folding::CommitmentKey<E>,
    u: &RelaxedR1CSInstance<E>,
    w: &RelaxedR1CSWitness<E>,
) -> (RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>) {
    let mut e = w.E().to_vec();
    e[0] += E::Scalar::ONE;
    let ce = E::CE::commit(ck, &e, &E::Scalar::ZERO);
    let w2 =
        RelaxedR1CSWitness::new(s, w.W().to_vec(), E::Scalar::ZERO, e, E::Scalar::ZERO).unwrap();
    let u2 = RelaxedR1CSInstance::new(s, *u.comm_W(), ce, u.u(), u.X().to_vec()).unwrap();
    (u2, w2)
}

fn exercise<E: Engine, S: BatchSnark<E>>(ck: &canopy_folding::CommitmentKey<E>) {
    let shapes = [shape::<E>(20, 13), shape::<E>(100, 70), shape::<E>(5, 6)];
    let refs: Vec<&R1CSShape<E>> = shapes.iter().collect();
    let (pk, vk) = S::setup(ck, &refs, E::Scalar::from(7u64)).unwrap();
    let slots = [0usize, 1, 2];
    let (us, ws): (Vec<_>, Vec<_>) = shapes.iter().map(|s| pair(s, ck)).unzip();
    let proof = S::prove(ck, &pk, &refs, &slots, &us, &ws).unwrap();
    proof.verify(&vk, &slots, &us).unwrap();

    // a subset of the slots
    let p1 = S::prove(ck, &pk, &refs, &[1], &us[1..2], &ws[1..2]).unwrap();
    p1.verify(&vk, &[1], &us[1..2]).unwrap();
    assert!(
        p1.verify(&vk, &[0], &us[1..2]).is_err(),
        "another slot's shape"
    );

    // a changed u or X, swapped instances, one instance left out
    let mut bad = us.clone();
    bad[1] = RelaxedR1CSInstance::new(
        &shapes[1],
        *us[1].comm_W(),
        *us[1].comm_E(),
        us[1].u() + E::Scalar::ONE,
        us[1].X().to_vec(),
    )
    .unwrap();
    assert!(proof.verify(&vk, &slots, &bad).is_err(), "changed u");
    let mut x = us[2].X().to_vec();
    x[1] += E::Scalar::ONE;
    let mut bad = us.clone();
    bad[2] = RelaxedR1CSInstance::new(&shapes[2], *us[2].comm_W(), *us[2].comm_E(), us[2].u(), x)
        .unwrap();
    assert!(proof.verify(&vk, &slots, &bad).is_err(), "changed X");
    let mut swapped = us.clone();
    swapped.swap(0, 2);
    assert!(
        proof.verify(&vk, &slots, &swapped).is_err(),
        "swapped instances"
    );
    assert!(
        proof.verify(&vk, &slots[..2], &us[..2]).is_err(),
        "one instance left out"
    );

    // another digest
    let (_, vk2) = S::setup(ck, &refs, E::Scalar::from(8u64)).unwrap();
    assert!(
        proof.verify(&vk2, &slots, &us).is_err(),
        "another key digest"
    );

    // an unsatisfied instance in any one position is rejected
    for i in 0..3 {
        let (ui, wi) = lie_in_e(&shapes[i], ck, &us[i], &ws[i]);
        let (mut us2, mut ws2) = (us.clone(), ws.clone());
        us2[i] = ui;
        ws2[i] = wi;
        let p = S::prove(ck, &pk, &refs, &slots, &us2, &ws2).unwrap();
        assert!(p.verify(&vk, &slots, &us2).is_err(), "lying instance {i}");
    }
}

#[test]
fn batch_spartan_over_ipa_on_bn254() {
    let ck = <Bn256EngineIPA as Engine>::CE::setup(b"test", 256).unwrap();
    exercise::<
        Bn256EngineIPA,
        BatchSpartan<Bn256EngineIPA, ipa_pc::EvaluationEngine<Bn256EngineIPA>>,
    >(&ck);
}

#[test]
fn batch_spartan_over_ipa_on_grumpkin() {
    let ck = <GrumpkinEngine as Engine>::CE::setup(b"test", 256).unwrap();
    exercise::<
        GrumpkinEngine,
        BatchSpartan<GrumpkinEngine, ipa_pc::EvaluationEngine<GrumpkinEngine>>,
    >(&ck);
}

#[test]
fn batch_spartan_over_hyperkzg() {
    let mut file = std::io::Cursor::new(Vec::new());
    crate::kzg::write_insecure_test_ptau(&mut file, 8, OsRng).unwrap();
    file.set_position(0);
    let srs = crate::kzg::Srs::read(&mut file, 256).unwrap();
    let ck = srs.key().clone();
    exercise::<
        Bn256EngineKZG,
        BatchSpartan<Bn256EngineKZG, hyperkzg::EvaluationEngine<Bn256EngineKZG>>,
    >(&ck);
}

/// The segments (ω, aux') of a witness for a prefix of `2^a` entries, padded to `2^n`.
fn split_tables<F: Field>(w: &[F], a: usize, n: usize) -> Vec<Vec<F>> {
    let mut full = w.to_vec();
    full.resize(1 << n, F::ZERO);
    super::segment::Layout::Split { log_prefix: a }.tables(&full)
}

fn exercise_segments<E: Engine, EE: nova_snark::traits::evaluation::EvaluationEngineTrait<E>>(
    ck: &canopy_folding::CommitmentKey<E>,
) {
    use super::segment::{Layout, SegmentedInstance};
    let shapes = [shape::<E>(20, 13), shape::<E>(100, 70), shape::<E>(5, 6)];
    // padded sizes 2^5, 2^7, 2^3
    let nv = [5usize, 7, 3];
    let layouts = [
        Layout::Split { log_prefix: 2 },
        Layout::Whole,
        Layout::Split { log_prefix: 1 },
    ];
    let refs: Vec<&R1CSShape<E>> = shapes.iter().collect();
    let (pk, vk) =
        BatchSpartan::<E, EE>::setup_with_layouts(ck, &refs, &layouts, E::Scalar::from(9u64))
            .unwrap();
    let slots = [0usize, 1, 2];
    let (us, ws): (Vec<_>, Vec<_>) = shapes.iter().map(|s| pair(s, ck)).unzip();
    let commit = |v: &[E::Scalar]| E::CE::commit(ck, v, &E::Scalar::ZERO);
    let segmented: Vec<SegmentedInstance<E>> = (0..3)
        .map(|i| {
            let mut s = SegmentedInstance::whole(&us[i]);
            if let Layout::Split { log_prefix } = layouts[i] {
                let t = split_tables(ws[i].W(), log_prefix, nv[i]);
                s.comm_w = vec![commit(&t[0]), commit(&t[1])];
                // the segments' commitments add up to the witness's
                assert_eq!(s.comm_w[0] + s.comm_w[1], *us[i].comm_W());
            }
            s
        })
        .collect();
    let proof =
        BatchSpartan::<E, EE>::prove_segmented(ck, &pk, &refs, &slots, &segmented, &ws).unwrap();
    proof.verify_segmented(&vk, &slots, &segmented).unwrap();

    // a whole-witness instance for a split slot, and the segments swapped
    let mut bad = segmented.clone();
    bad[0] = SegmentedInstance::whole(&us[0]);
    assert!(
        proof.verify_segmented(&vk, &slots, &bad).is_err(),
        "segment count"
    );
    let mut bad = segmented.clone();
    bad[2].comm_w.swap(0, 1);
    assert!(
        proof.verify_segmented(&vk, &slots, &bad).is_err(),
        "segments swapped"
    );

    // mass moved between the segments after they were committed: ω + δ·e_0 and aux' − δ·e_0
    // keep the sum (so W and every R1CS check), each opens to its own table, and only the
    // support claim (aux' is zero on the prefix) catches it
    for i in [0usize, 2] {
        let Layout::Split { log_prefix } = layouts[i] else {
            unreachable!()
        };
        let mut tables: Vec<Vec<Vec<E::Scalar>>> = (0..3)
            .map(|j| match layouts[j] {
                Layout::Split { log_prefix } => split_tables(ws[j].W(), log_prefix, nv[j]),
                Layout::Whole => {
                    let mut w = ws[j].W().to_vec();
                    w.resize(1 << nv[j], E::Scalar::ZERO);
                    vec![w]
                }
            })
            .collect();
        let delta = E::Scalar::from(5u64);
        tables[i][0][0] += delta;
        tables[i][1][0] -= delta;
        let mut moved = segmented.clone();
        moved[i].comm_w = vec![commit(&tables[i][0]), commit(&tables[i][1])];
        assert_eq!(moved[i].comm_w[0] + moved[i].comm_w[1], *us[i].comm_W());
        let _ = log_prefix;
        let p =
            BatchSpartan::<E, EE>::prove_with_tables(ck, &pk, &refs, &slots, &moved, &ws, tables)
                .unwrap();
        assert!(
            p.verify_segmented(&vk, &slots, &moved).is_err(),
            "mass moved between the segments of instance {i}"
        );
    }
}

#[test]
fn split_witnesses_open_each_segment_and_keep_them_apart() {
    let ck = <Bn256EngineIPA as Engine>::CE::setup(b"test", 256).unwrap();
    exercise_segments::<Bn256EngineIPA, ipa_pc::EvaluationEngine<Bn256EngineIPA>>(&ck);
    let ck = <GrumpkinEngine as Engine>::CE::setup(b"test", 256).unwrap();
    exercise_segments::<GrumpkinEngine, super::ipa::FastIpa<GrumpkinEngine>>(&ck);
}
