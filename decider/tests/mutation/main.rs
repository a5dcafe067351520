//! Mutation test of compact proof files: hundreds of proofs, each with one byte
//! flipped, one field changed or one list made longer or shorter, must all be rejected by
//! `CompactProof::from_bytes` + `verify` with an error, never accepted and never with a
//! panic; the unmutated proof must be accepted.
//!
//! Proof: a merged PCD root, so every slot of both curves is proven. Parameters: the tiny
//! m = 2 alternating step circuits of `tests/common` (the real decider
//! path: both curves, hash checks, NIFS, Spartan over IPA, only the shapes are small), so
//! that one verification takes about a second in the debug test profile.
//!
//! Panics: every case runs under `catch_unwind`; `verify` itself catches panics inside
//! nova-snark and reports "the SNARK verifier panicked", which counts as a panic here; and
//! a panic hook counts panics on any thread (rayon workers included). Any panic fails the
//! test.

#[path = "../common/mod.rs"]
mod common;
mod mirror;

use canopy_decider::{prove, verify, CompactProof, DeciderError, DeciderKey, Statement};
use canopy_folding::{Accumulator, Commitment, PublicParams, E1, E2, F1, F2};
use ff::Field;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Magic (8 bytes) and version (4 bytes) of the decider's proof file.
const HEADER: usize = 12;

static PANICS: AtomicUsize = AtomicUsize::new(0);

struct Fixture {
    dk: DeciderKey,
    st: Statement,
    bytes: Vec<u8>,
    mirror: mirror::Proof,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default_hook(info);
        }));
        let t = Instant::now();
        let circuits = common::alternating(5);
        let pp = PublicParams::setup(&circuits).unwrap();
        let dk: DeciderKey = DeciderKey::setup(&pp).unwrap();
        // a merged root (2 steps from x = 2, then 1 step): every slot of both curves is
        // proven, U[0], U[1], U[m] and U'[0], U'[1]
        let left = common::run(&pp, &circuits, 0, 2, 2);
        let (pc, z) = left.state();
        let mut right = Accumulator::new(&pp, &circuits, pc, z.to_vec()).unwrap();
        right.prove_step(&pp, &circuits).unwrap();
        let acc = Accumulator::merge(&pp, &left, &right).unwrap();
        assert!(acc.is_merged());
        let proof = prove(&pp, &dk, &acc).unwrap();
        let bytes = proof.to_bytes().unwrap();
        let cfg = bincode::config::standard();
        let (mirror, used): (mirror::Proof, usize) =
            bincode::serde::decode_from_slice(&bytes[HEADER..], cfg).unwrap();
        assert_eq!(
            used,
            bytes.len() - HEADER,
            "the mirror reads the whole body"
        );
        eprintln!(
            "fixture (setup, decider key, merged root of 3 steps, proof of {} bytes): {:?}",
            bytes.len(),
            t.elapsed()
        );
        Fixture {
            dk,
            st: common::statement(&acc),
            bytes,
            mirror,
        }
    })
}

/// What happened to one proof file.
#[derive(Debug)]
enum Outcome {
    /// `from_bytes` refused it.
    Format,
    /// It decoded and `verify` rejected it.
    Rejected,
    Accepted,
    #[allow(dead_code)] // printed through Debug
    Panicked(String),
}

fn check(f: &Fixture, st: &Statement, bytes: &[u8]) -> Outcome {
    let vk = f.dk.verifier_key();
    let r = catch_unwind(AssertUnwindSafe(|| match CompactProof::from_bytes(bytes) {
        Err(DeciderError::Format(_)) => Ok(Outcome::Format),
        Err(e) => Err(format!("from_bytes: unexpected error kind: {e}")),
        Ok(p) => match verify(vk, st, &p) {
            Ok(()) => Ok(Outcome::Accepted),
            Err(e) if e.to_string().contains("panicked") => Err(e.to_string()),
            Err(_) => Ok(Outcome::Rejected),
        },
    }));
    match r {
        Ok(Ok(o)) => o,
        Ok(Err(msg)) => Outcome::Panicked(msg),
        Err(_) => Outcome::Panicked("panic escaped verify".into()),
    }
}

fn encode(m: &mirror::Proof) -> Vec<u8> {
    let f = fixture();
    let mut out = f.bytes[..HEADER].to_vec();
    out.extend(bincode::serde::encode_to_vec(m, bincode::config::standard()).unwrap());
    out
}

/// Runs every case and fails, listing them, if any was accepted or panicked.
fn all_rejected(what: &str, cases: &[(String, Vec<u8>)]) {
    let f = fixture();
    let t = Instant::now();
    let panics_before = PANICS.load(Ordering::SeqCst);
    let (mut format, mut rejected) = (0, 0);
    let mut bad = Vec::new();
    for (name, bytes) in cases {
        match check(f, &f.st, bytes) {
            Outcome::Format => format += 1,
            Outcome::Rejected => rejected += 1,
            o => bad.push(format!("{name}: {o:?}")),
        }
    }
    eprintln!(
        "{what}: {} cases, {format} refused by the decoder, {rejected} decoded and rejected by verify, {:?}",
        cases.len(),
        t.elapsed()
    );
    assert!(
        bad.is_empty(),
        "{what}: {} accepted or panicked: {bad:#?}",
        bad.len()
    );
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        panics_before,
        "{what}: a panic happened"
    );
}

/// splitmix64: a fixed-seed generator, so that every run tests the same offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn nonzero_byte(&mut self) -> u8 {
        (self.next() % 255 + 1) as u8
    }
}

#[test]
fn honest_proof_accepted() {
    let f = fixture();
    assert_eq!(encode(&f.mirror), f.bytes, "the mirror re-encodes exactly");
    assert!(matches!(check(f, &f.st, &f.bytes), Outcome::Accepted));
}

/// 200 files with one byte XORed with a random non-zero value: every header byte, 40
/// offsets in the instances (the public part: running instances, κ, u', ρ1, ρ2, NIFS) and
/// 148 in the slot proofs (random instances, blinds, SNARKs). With the field and structure
/// changes below, 397 mutated files.
#[test]
fn byte_flips_rejected() {
    let f = fixture();
    let body_start = HEADER;
    let proofs_start = HEADER + f.mirror.instances_len();
    let end = f.bytes.len();
    let mut rng = Rng(0x00ca_0917_c0de_f11e);
    let mut offsets: Vec<usize> = (0..HEADER).collect();
    offsets.extend((0..40).map(|_| body_start + rng.below(proofs_start - body_start)));
    offsets.extend((0..148).map(|_| proofs_start + rng.below(end - proofs_start)));
    let cases: Vec<(String, Vec<u8>)> = offsets
        .into_iter()
        .map(|i| {
            let x = rng.nonzero_byte();
            let mut b = f.bytes.clone();
            b[i] ^= x;
            (format!("byte {i} ^= {x:#04x}"), b)
        })
        .collect();
    assert_eq!(cases.len(), 200);
    all_rejected("byte flips", &cases);
}

/// Every field outside the SNARKs (instances, κ, u', ρ1, ρ2, NIFS, random instances,
/// blinds) and, in each of the three SNARKs, every claim and evaluation, every coefficient
/// of the first and last round of each sum-check and the first and last IPA commitments;
/// plus every field of the statement.
#[test]
fn field_changes_rejected() {
    let f = fixture();
    let other1: Commitment<E1> = f.mirror.primary[0].comm_w;
    let other2: Commitment<E2> = f.mirror.secondary[0].comm_w;
    let n = f.mirror.clone().leaves().len();
    let mut cases = Vec::with_capacity(n);
    for k in 0..n {
        let mut m = f.mirror.clone();
        let (name, leaf) = m.leaves().swap_remove(k);
        leaf.mutate(other1, other2);
        cases.push((name, encode(&m)));
    }
    // κ out of range
    for kappa in [2u8, 255] {
        let mut m = f.mirror.clone();
        m.kappa = kappa;
        cases.push((format!("kappa = {kappa}"), encode(&m)));
    }
    eprintln!("{} field changes", cases.len());
    all_rejected("field changes", &cases);

    // the statement: every field, the proof unchanged
    let mut sts: Vec<(&str, Statement)> = Vec::new();
    let good = &f.st;
    for n in [0, good.num_steps - 1, good.num_steps + 1, u64::MAX] {
        let mut s = good.clone();
        s.num_steps = n;
        sts.push(("num_steps", s));
    }
    let mut s = good.clone();
    s.pc0 += F1::ONE;
    sts.push(("pc0", s));
    let mut s = good.clone();
    s.z0[0] += F1::ONE;
    sts.push(("z0", s));
    let mut s = good.clone();
    s.pc += F1::ONE;
    sts.push(("pc", s));
    let mut s = good.clone();
    s.z[0] += F1::ONE;
    sts.push(("z", s));
    let mut s = good.clone();
    s.z.push(F1::ZERO);
    sts.push(("z longer", s));
    let mut s = good.clone();
    s.z0.clear();
    sts.push(("z0 empty", s));
    for (what, s) in &sts {
        let o = check(f, s, &f.bytes);
        assert!(matches!(o, Outcome::Rejected), "statement {what}: {o:?}");
    }
}

/// Lists made shorter or longer and slots added or removed: the shapes nova-snark's
/// verifier does not check itself (an empty sum-check round and a batch of evaluations of
/// the wrong length made it panic before `WellFormed`), and the decider's own length checks.
#[test]
fn structure_changes_rejected() {
    let f = fixture();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: String, edit: &dyn Fn(&mut mirror::Proof)| {
        let mut m = f.mirror.clone();
        edit(&mut m);
        cases.push((name, encode(&m)));
    };
    macro_rules! snark_edits {
        ($field:ident, $s:ty) => {
            let p = stringify!($field);
            add(format!("{p}: outer round 0 empty"), &|m| {
                snark_of(&mut m.$field).sc_outer.rounds[0].clear()
            });
            add(format!("{p}: inner last round empty"), &|m| {
                let r = &mut snark_of(&mut m.$field).sc_inner.rounds;
                r.last_mut().unwrap().clear()
            });
            add(format!("{p}: batch round 0 empty"), &|m| {
                snark_of(&mut m.$field).sc_batch.rounds[0].clear()
            });
            add(format!("{p}: outer round 0 one coefficient more"), &|m| {
                snark_of(&mut m.$field).sc_outer.rounds[0].push(<$s as Field>::ONE)
            });
            add(format!("{p}: outer one round fewer"), &|m| {
                snark_of(&mut m.$field).sc_outer.rounds.pop();
            });
            add(format!("{p}: inner one round more"), &|m| {
                let r = &mut snark_of(&mut m.$field).sc_inner.rounds;
                r.push(r[0].clone())
            });
            add(format!("{p}: batch no rounds"), &|m| {
                snark_of(&mut m.$field).sc_batch.rounds.clear()
            });
            add(format!("{p}: claims_outer one fewer"), &|m| {
                snark_of(&mut m.$field).claims_outer.pop();
            });
            add(format!("{p}: claims_outer one more"), &|m| {
                let c = &mut snark_of(&mut m.$field).claims_outer;
                c.push(c[0])
            });
            add(format!("{p}: evals_W one fewer"), &|m| {
                snark_of(&mut m.$field).evals_w.pop();
            });
            add(format!("{p}: evals_batch one fewer"), &|m| {
                snark_of(&mut m.$field).evals_batch.pop();
            });
            add(format!("{p}: evals_batch one more"), &|m| {
                snark_of(&mut m.$field).evals_batch.push(<$s as Field>::ONE)
            });
            add(format!("{p}: evals_batch empty"), &|m| {
                snark_of(&mut m.$field).evals_batch.clear()
            });
            add(format!("{p}: IPA L one fewer"), &|m| {
                snark_of(&mut m.$field).eval_arg.l.pop();
            });
            add(format!("{p}: IPA L and R one fewer"), &|m| {
                let a = &mut snark_of(&mut m.$field).eval_arg;
                a.l.pop();
                a.r.pop();
            });
            add(format!("{p}: IPA L and R empty"), &|m| {
                let a = &mut snark_of(&mut m.$field).eval_arg;
                a.l.clear();
                a.r.clear();
            });
            add(format!("{p}: SNARK removed"), &|m| m.$field = None);
        };
    }
    macro_rules! blind_edits {
        ($field:ident, $s:ty, $slots:expr) => {
            for j in $slots {
                let p = format!("{} slot {j}", stringify!($field));
                add(format!("{p}: random instance X one more"), &|m| {
                    m.$field[j]
                        .as_mut()
                        .unwrap()
                        .random
                        .x
                        .push(<$s as Field>::ONE)
                });
                add(format!("{p}: random instance X empty"), &|m| {
                    m.$field[j].as_mut().unwrap().random.x.clear()
                });
                add(format!("{p}: blinding removed"), &|m| m.$field[j] = None);
            }
        };
    }
    snark_edits!(primary_snark, F1);
    snark_edits!(secondary_snark, F2);
    blind_edits!(primary_blinds, F1, proven(&f.mirror.primary_blinds));
    blind_edits!(secondary_blinds, F2, proven(&f.mirror.secondary_blinds));
    add("U[0].X one more".into(), &|m| m.primary[0].x.push(F1::ONE));
    add("U'[0].X empty".into(), &|m| m.secondary[0].x.clear());
    add("u'.X one more".into(), &|m| m.last.x.push(F2::ONE));
    add("u'.X empty".into(), &|m| m.last.x.clear());
    add("one primary instance fewer".into(), &|m| {
        m.primary.pop();
        m.primary_blinds.pop();
    });
    add("one primary instance more".into(), &|m| {
        m.primary.push(m.primary[0].clone());
        m.primary_blinds.push(m.primary_blinds[0].clone());
    });
    add("one secondary instance fewer".into(), &|m| {
        m.secondary.pop();
        m.secondary_blinds.pop();
    });
    add("no instances".into(), &|m| {
        m.primary.clear();
        m.primary_blinds.clear();
        m.secondary.clear();
        m.secondary_blinds.clear();
    });
    add("slot blindings one fewer than instances".into(), &|m| {
        m.primary_blinds.pop();
    });
    add("slot 0's blinding on the other slot".into(), &|m| {
        m.primary_blinds[2] = m.primary_blinds[0].clone()
    });
    add("slots 0 and 1 swapped".into(), &|m| {
        m.primary.swap(0, 1);
        m.primary_blinds.swap(0, 1);
    });
    add("slot blindings 0 and 1 swapped".into(), &|m| {
        m.primary_blinds.swap(0, 1)
    });
    eprintln!("{} structure changes", cases.len());
    all_rejected("structure changes", &cases);
}

fn snark_of<E: mirror::Curve>(s: &mut Option<mirror::Spartan<E>>) -> &mut mirror::Spartan<E> {
    s.as_mut().expect("a batched SNARK")
}

/// The indices of the proven (blinded) slots.
fn proven<T>(v: &[Option<T>]) -> Vec<usize> {
    (0..v.len()).filter(|&j| v[j].is_some()).collect()
}
