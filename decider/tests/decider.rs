//! End-to-end tests of the decider on two tiny alternating circuits (m = 2).

mod common;

use canopy_decider::{
    prove, verify, CompactProof, DeciderError, DeciderKey, Statement, VerifierKey,
};
use canopy_folding::{encoding::to_int, Accumulator, MergeFault, PublicParams, SlotStart, F1};
use common::{alternating, run, statement};
use rand_core::{OsRng, RngCore};
use std::sync::OnceLock;
use std::time::Instant;

struct Fixture {
    pp: PublicParams,
    dk: DeciderKey,
    /// 3 steps from x = 2 (uses both circuits)
    acc: Accumulator,
    proof: CompactProof,
    bytes: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let t = Instant::now();
        let circuits = alternating(5);
        let pp = PublicParams::setup(&circuits).unwrap();
        eprintln!("folding setup {:?}", t.elapsed());
        let t = Instant::now();
        let dk = DeciderKey::setup(&pp).unwrap();
        eprintln!("decider setup {:?}", t.elapsed());
        let acc = run(&pp, &circuits, 0, 2, 3);
        acc.verify(&pp).unwrap();
        let t = Instant::now();
        let proof = prove(&pp, &dk, &acc).unwrap();
        eprintln!("decider prove {:?}", t.elapsed());
        let bytes = proof.to_bytes().unwrap();
        eprintln!("proof {} bytes", bytes.len());
        Fixture {
            pp,
            dk,
            acc,
            proof,
            bytes,
        }
    })
}

fn rejected(r: Result<(), DeciderError>) -> bool {
    matches!(
        r,
        Err(DeciderError::Rejected(_)) | Err(DeciderError::Format(_))
    )
}

#[test]
fn prove_then_verify() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let st = statement(&f.acc);
    let t = Instant::now();
    verify(vk, &st, &f.proof).unwrap();
    eprintln!("verify {:?}", t.elapsed());
    // through the byte formats
    let proof = CompactProof::from_bytes(&f.bytes).unwrap();
    let t = Instant::now();
    let vk_bytes = vk.to_bytes().unwrap();
    let vk2: VerifierKey = VerifierKey::from_bytes(&vk_bytes).unwrap();
    eprintln!("vk {} bytes, round trip {:?}", vk_bytes.len(), t.elapsed());
    assert_eq!(vk2.digest(), f.pp.digest());
    verify(&vk2, &st, &proof).unwrap();
    assert_eq!(proof.proven_primary_slots(), vec![0, 1]);
}

#[test]
fn wrong_statements_rejected() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let good = statement(&f.acc);
    let mut cases: Vec<(&str, Statement)> = Vec::new();
    let mut s = good.clone();
    s.z0[0] += F1::from(1u64);
    cases.push(("z0", s));
    let mut s = good.clone();
    s.z[0] += F1::from(1u64);
    cases.push(("z", s));
    for n in [0, good.num_steps - 1, good.num_steps + 1] {
        let mut s = good.clone();
        s.num_steps = n;
        cases.push(("n", s));
    }
    let mut s = good.clone();
    s.pc += F1::from(1u64);
    cases.push(("pc", s));
    let mut s = good.clone();
    s.pc0 = F1::from(1u64);
    cases.push(("pc0", s));
    let mut s = good.clone();
    s.z.push(F1::from(0u64));
    cases.push(("arity", s));
    for (what, s) in cases {
        assert!(rejected(verify(vk, &s, &f.proof)), "wrong {what} accepted");
    }
}

#[test]
fn mutated_proof_bytes_rejected() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let st = statement(&f.acc);
    let mut rng = OsRng;
    let mut decoded = 0;
    for _ in 0..200 {
        let mut b = f.bytes.clone();
        let i = (rng.next_u64() % b.len() as u64) as usize;
        let x = (rng.next_u32() % 255 + 1) as u8;
        b[i] ^= x;
        match CompactProof::from_bytes(&b) {
            Err(DeciderError::Format(_)) => {}
            Err(e) => panic!("unexpected error kind {e}"),
            Ok(p) => {
                decoded += 1;
                assert!(rejected(verify(vk, &st, &p)), "mutated byte {i} accepted");
            }
        }
    }
    eprintln!("{decoded} of 200 mutants decoded and were rejected by verify");
}

#[test]
fn framing_errors() {
    let f = fixture();
    let e = |r: Result<CompactProof, DeciderError>| matches!(r, Err(DeciderError::Format(_)));
    assert!(e(CompactProof::from_bytes(&[])));
    assert!(e(CompactProof::from_bytes(&f.bytes[..f.bytes.len() / 2])));
    assert!(e(CompactProof::from_bytes(&f.bytes[..f.bytes.len() - 1])));
    let mut b = f.bytes.clone();
    b[0] ^= 1;
    assert!(e(CompactProof::from_bytes(&b)));
    let mut b = f.bytes.clone();
    b[8] = b[8].wrapping_add(1);
    assert!(e(CompactProof::from_bytes(&b)));
    let mut b = f.bytes.clone();
    b.push(0);
    assert!(e(CompactProof::from_bytes(&b)));
    // a verifier key is not a proof and vice versa
    let vkb = f.dk.verifier_key().to_bytes().unwrap();
    assert!(e(CompactProof::from_bytes(&vkb)));
    assert!(matches!(
        VerifierKey::<canopy_decider::DefaultS1, canopy_decider::DefaultS2>::from_bytes(&f.bytes),
        Err(DeciderError::Format(_))
    ));
    assert!(matches!(
        VerifierKey::<canopy_decider::DefaultS1, canopy_decider::DefaultS2>::from_bytes(
            &vkb[..vkb.len() - 3]
        ),
        Err(DeciderError::Format(_))
    ));
}

#[test]
fn other_accumulator_and_size_independence() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let circuits = alternating(5);
    // another run: 6 steps from x = 3
    let acc = run(&f.pp, &circuits, 0, 3, 6);
    let proof = prove(&f.pp, &f.dk, &acc).unwrap();
    verify(vk, &statement(&acc), &proof).unwrap();
    // a proof of another accumulator does not prove this statement, nor the converse
    assert!(rejected(verify(vk, &statement(&f.acc), &proof)));
    assert!(rejected(verify(vk, &statement(&acc), &f.proof)));
    // proof size does not depend on the number of steps
    assert_eq!(proof.to_bytes().unwrap().len(), f.bytes.len());
}

#[test]
fn unused_slot_is_checked_default() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let circuits = alternating(5);
    // one step from pc 0: circuit 1 never runs, its slot is the default instance
    let acc = run(&f.pp, &circuits, 0, 4, 1);
    let proof = prove(&f.pp, &f.dk, &acc).unwrap();
    assert_eq!(proof.proven_primary_slots(), vec![0]);
    verify(vk, &statement(&acc), &proof).unwrap();
    // dropping the SNARK of a used slot is rejected (no trusted flag)
    let mut p = CompactProof::from_bytes(&f.bytes).unwrap();
    p.drop_slot_proof_for_tests(0);
    assert!(rejected(verify(vk, &statement(&f.acc), &p)));
}

#[test]
fn verifier_key_of_other_parameters_rejected() {
    let f = fixture();
    // same structure, another constant in F_0: other shapes, other pp
    let circuits = alternating(6);
    let pp = PublicParams::setup(&circuits).unwrap();
    let dk: DeciderKey = DeciderKey::setup(&pp).unwrap();
    assert_ne!(dk.verifier_key().digest(), f.pp.digest());
    assert!(rejected(verify(
        dk.verifier_key(),
        &statement(&f.acc),
        &f.proof
    )));
    // and the prover refuses to mix parameters
    assert!(prove(&pp, &dk, &f.acc).is_err());
}

#[test]
fn merged_root_proves_and_verifies() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let circuits = alternating(5);
    // left: 2 steps from x = 2; right: 2 steps from where left stopped
    let left = run(&f.pp, &circuits, 0, 2, 2);
    let (pc, z) = left.state();
    let mut right = Accumulator::new(&f.pp, &circuits, pc, z.to_vec()).unwrap();
    right.prove_step(&f.pp, &circuits).unwrap();
    let root = Accumulator::merge(&f.pp, &left, &right).unwrap();
    assert!(root.is_merged());
    assert_eq!(root.last_kind(), 1);
    let proof = prove(&f.pp, &f.dk, &root).unwrap();
    eprintln!(
        "merged root proof {} bytes",
        proof.to_bytes().unwrap().len()
    );
    // every slot is used: U[0], U[1], U[m] (PM), U'[0], U'[1] (SM)
    assert_eq!(proof.proven_primary_slots(), vec![0, 1, 2]);
    let st = statement(&root);
    assert_eq!(st.num_steps, 4);
    verify(vk, &st, &proof).unwrap();
    // a merge slot of a merged root is proven like any other: a false merge (a PM witness
    // that lies, folded into U[m]) gives no accepted proof
    let bad =
        Accumulator::merge_with_fault(&f.pp, &left, &right, MergeFault::TamperPmWitness).unwrap();
    assert!(prove(&f.pp, &f.dk, &bad).map_or(true, |p| rejected(verify(vk, &st, &p))));
    // the statement of the left child alone is not what the root proves
    assert!(rejected(verify(vk, &statement(&left), &proof)));
    let mut s = st.clone();
    s.num_steps = 3;
    assert!(rejected(verify(vk, &s, &proof)));

    // a root of four two-step leaves ((a b) (c d)): the same slots, so the same proof size
    let mut leaves = Vec::new();
    let (mut pc, mut z) = (F1::from(0u64), vec![F1::from(2u64)]);
    for i in 0..4 {
        // the first leaf starts its slots (merge slots too) at random instances, as the PCD
        // reducer does
        let start = if i == 0 {
            SlotStart::Random { merge_slots: true }
        } else {
            SlotStart::Default
        };
        let mut leaf = Accumulator::new_with_start(&f.pp, &circuits, pc, z.clone(), start).unwrap();
        leaf.prove_step(&f.pp, &circuits).unwrap();
        let (p, zz) = leaf.state();
        pc = p;
        z = zz.to_vec();
        leaves.push(leaf);
    }
    let ab = Accumulator::merge(&f.pp, &leaves[0], &leaves[1]).unwrap();
    let cd = Accumulator::merge(&f.pp, &leaves[2], &leaves[3]).unwrap();
    let root4 = Accumulator::merge(&f.pp, &ab, &cd).unwrap();
    let proof4 = prove(&f.pp, &f.dk, &root4).unwrap();
    verify(vk, &statement(&root4), &proof4).unwrap();
    assert_eq!(
        proof4.to_bytes().unwrap().len(),
        proof.to_bytes().unwrap().len(),
        "a root of 4 leaves and one of 2 leaves have proofs of one size"
    );
}

/// Zero knowledge of the revealed slots (docs/protocol.md §3.7). A root whose first leaf
/// started its slots at random reveals exactly the accumulator's running instances (so the
/// statistics of `canopy-folding`'s `tests/zk.rs` on them are statistics of the proof), and
/// each revealed u is ≥ 2^140: none is a sum of a few 128-bit challenges, i.e. none tracks
/// how often its circuit ran. The fixture's DEFAULT-started root, with the same statement
/// shape, reveals u < 2^131 (the leak the random start closes) in a proof of the same length.
#[test]
fn random_start_root_reveals_no_fold_counts() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let circuits = alternating(5);
    // merge slots too, as the PCD reducer's first leaf: a leaf root does not prove them
    let mut acc = Accumulator::new_with_start(
        &f.pp,
        &circuits,
        F1::from(0u64),
        vec![F1::from(2u64)],
        SlotStart::Random { merge_slots: true },
    )
    .unwrap();
    for _ in 1..3 {
        acc.prove_step(&f.pp, &circuits).unwrap();
    }
    let proof = prove(&f.pp, &f.dk, &acc).unwrap();
    let st = statement(&acc);
    assert_eq!(st, statement(&f.acc), "the fixture's statement");
    verify(vk, &st, &proof).unwrap();
    assert_eq!(proof.proven_primary_slots(), vec![0, 1]);
    let (primary, secondary) = proof.revealed_instances();
    assert_eq!(&primary[..2], acc.running_instances());
    assert_eq!(Some(&primary[2]), acc.merge_instance());
    assert_eq!(&secondary[0], acc.secondary_running_instance());
    // u ≥ 2^140 ⟺ at least 141 bits
    for u in primary[..2].iter().map(|u| to_int(&u.u())) {
        assert!(u.bits() > 140, "a revealed primary u tracks a fold count");
    }
    assert!(to_int(&secondary[0].u()).bits() > 140);
    // the power check: the DEFAULT-started fixture reveals sums of challenges
    let (p0, s0) = f.proof.revealed_instances();
    for u in p0[..2].iter().map(|u| to_int(&u.u())) {
        assert!(u.bits() <= 131);
    }
    assert!(to_int(&s0[0].u()).bits() <= 131);
    assert_eq!(proof.to_bytes().unwrap().len(), f.bytes.len());
}
