//! The HyperKZG decider on two tiny alternating circuits (m = 2), with an insecure test
//! powers-of-tau file: prove → verify, and the negative cases (a false statement, flipped
//! bytes, another SRS, a key with another [τ]G2, parameters with other generators).

mod common;

use canopy_decider::{
    kzg::write_insecure_test_ptau, prove, verify, DeciderError, KzgCompactProof, KzgDeciderKey, Srs,
};
use canopy_folding::{FoldingError, PublicParams, E1, F1};
use common::{alternating, run, statement};
use nova_snark::{
    provider::{
        read_ptau,
        traits::{DlogGroup, PairingGroup},
        write_ptau,
    },
    traits::{commitment::Len, Engine},
};
use rand_core::{OsRng, RngCore};
use std::io::Cursor;
use std::sync::OnceLock;

type G = <E1 as Engine>::GE;
type G1A = <G as DlogGroup>::AffineGroupElement;
type G2 = <G as PairingGroup>::G2;
type G2A = <G2 as DlogGroup>::AffineGroupElement;

/// 2^16 G1 powers: enough for the toy circuits' largest primary shape (PM).
const POWER: u32 = 16;

struct Fixture {
    /// an insecure test powers-of-tau file
    ptau: Vec<u8>,
    pp: PublicParams,
    srs: Srs,
    dk: KzgDeciderKey,
    proof: KzgCompactProof,
    bytes: Vec<u8>,
    statement: canopy_decider::Statement,
}

fn test_ptau(power: u32) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    write_insecure_test_ptau(&mut buf, power, OsRng).unwrap();
    buf.into_inner()
}

fn params(circuits: &[common::Toy], ptau: &[u8]) -> Result<PublicParams, FoldingError> {
    PublicParams::setup_with_primary_key(circuits, |n| {
        Srs::read(&mut Cursor::new(ptau), n)
            .and_then(|s| s.primary_key())
            .map_err(|e| FoldingError::InvalidInput(e.to_string()))
    })
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let ptau = test_ptau(POWER);
        let circuits = alternating(5);
        let pp = params(&circuits, &ptau).unwrap();
        let srs = Srs::read(&mut Cursor::new(&ptau), pp.ck_primary().length()).unwrap();
        let dk = KzgDeciderKey::setup_kzg(&pp, &srs).unwrap();
        let acc = run(&pp, &circuits, 0, 2, 3);
        acc.verify(&pp).unwrap();
        let proof = prove(&pp, &dk, &acc).unwrap();
        let bytes = proof.to_bytes().unwrap();
        eprintln!("HyperKZG leaf proof: {} bytes", bytes.len());
        Fixture {
            ptau,
            statement: statement(&acc),
            pp,
            srs,
            dk,
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
fn kzg_proof_verifies_and_false_statements_are_rejected() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    verify(vk, &f.statement, &f.proof).unwrap();
    let decoded = KzgCompactProof::from_bytes(&f.bytes).unwrap();
    verify(vk, &f.statement, &decoded).unwrap();
    // the primary slots are proven with HyperKZG, not IPA: the slot SNARK decodes as one
    assert_eq!(decoded.proven_primary_slots(), vec![0, 1]);

    let mut s = f.statement.clone();
    s.z[0] += F1::from(1u64);
    assert!(rejected(verify(vk, &s, &f.proof)), "wrong output accepted");
    let mut s = f.statement.clone();
    s.z0[0] += F1::from(1u64);
    assert!(rejected(verify(vk, &s, &f.proof)), "wrong input accepted");
    let mut s = f.statement.clone();
    s.num_steps += 1;
    assert!(
        rejected(verify(vk, &s, &f.proof)),
        "wrong step count accepted"
    );
}

#[test]
fn kzg_flipped_bytes_are_rejected() {
    let f = fixture();
    let vk = f.dk.verifier_key();
    let seed = OsRng.next_u64();
    eprintln!("seed {seed}");
    let mut state = seed | 1;
    for _ in 0..60 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut b = f.bytes.clone();
        let i = (state as usize) % b.len();
        b[i] ^= 1 << ((state >> 32) % 8);
        let r = KzgCompactProof::from_bytes(&b).and_then(|p| verify(vk, &f.statement, &p));
        assert!(rejected(r), "flip at byte {i} accepted (seed {seed})");
    }
}

#[test]
fn another_srs_is_refused_and_another_tau_g2_rejects() {
    let f = fixture();
    let n = f.pp.ck_primary().length();
    // another τ: its G1 powers are not the parameters' generators
    let srs2 = Srs::read(&mut Cursor::new(test_ptau(POWER)), n).unwrap();
    assert!(!srs2.matches(f.pp.ck_primary()));
    assert!(matches!(
        KzgDeciderKey::setup_kzg(&f.pp, &srs2),
        Err(DeciderError::InvalidInput(_))
    ));
    assert!(f.srs.matches(f.pp.ck_primary()));

    // the same G1 powers with [τ']G2 of another τ': the key builds, every proof is rejected
    let (g1, g2): (Vec<G1A>, Vec<G2A>) = read_ptau(&mut Cursor::new(&f.ptau), n, 2).unwrap();
    let tau2 = <F1 as ff::Field>::random(OsRng);
    let forged = vec![g2[0], (G2::gen() * tau2).affine()];
    let mut buf = Cursor::new(Vec::new());
    write_ptau(&mut buf, g1, forged, POWER).unwrap();
    let srs3 = Srs::read(&mut Cursor::new(buf.into_inner()), n).unwrap();
    assert!(srs3.matches(f.pp.ck_primary()));
    let dk3 = KzgDeciderKey::setup_kzg(&f.pp, &srs3).unwrap();
    assert!(rejected(verify(dk3.verifier_key(), &f.statement, &f.proof)));
}

#[test]
fn kzg_parameters_differ_from_transparent_ones() {
    let f = fixture();
    let circuits = alternating(5);
    let transparent = PublicParams::setup(&circuits).unwrap();
    assert_ne!(transparent.digest(), f.pp.digest());
    // the HyperKZG key refuses parameters whose generators are not the SRS's
    assert!(matches!(
        KzgDeciderKey::setup_kzg(&transparent, &f.srs),
        Err(DeciderError::InvalidInput(_))
    ));
    // the plain SNARK setup has no [τ]G2 and says so
    assert!(KzgDeciderKey::setup(&f.pp).is_err());
}

#[test]
fn short_or_malformed_ptau_is_an_error() {
    let f = fixture();
    let bytes = f.ptau.clone();
    // more powers than the file holds
    assert!(Srs::read(&mut Cursor::new(bytes.clone()), 1 << 18).is_err());
    // truncated
    let cut = bytes[..bytes.len() / 2].to_vec();
    assert!(Srs::read(&mut Cursor::new(cut), 1 << POWER).is_err());
    // not a ptau file
    assert!(Srs::read(&mut Cursor::new(b"CANOPYVK".to_vec()), 8).is_err());
    // the circuits need more generators than a 2^4 file holds
    assert!(params(&alternating(5), &test_ptau(4)).is_err());
}
