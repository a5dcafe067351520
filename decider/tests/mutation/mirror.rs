//! A mirror of the serde layout of `canopy_decider::CompactProof` (with the default Spartan
//! over IPA SNARKs), down to every scalar and commitment, so that the mutation test can
//! change one field at a time. bincode encodes a struct as its fields in order, so these
//! types decode a proof file's body exactly; the test checks that re-encoding an honest
//! proof gives back the same bytes. Also used by the root crate's `tests/compact_mutation.rs`.
#![allow(dead_code)]

use canopy_folding::{Commitment, E1, E2, F1, F2};
use ff::Field;
use nova_snark::traits::Engine;
use serde::{Deserialize, Serialize};

/// `RelaxedR1CSInstance`: comm_W, comm_E, X, u.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Relaxed<E: Engine> {
    pub comm_w: Commitment<E>,
    pub comm_e: Commitment<E>,
    pub x: Vec<E::Scalar>,
    pub u: E::Scalar,
}

/// `R1CSInstance`: comm_W, X.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Strict<E: Engine> {
    pub comm_w: Commitment<E>,
    pub x: Vec<E::Scalar>,
}

/// `spartan::sumcheck::Rounds`: per round, the coefficients without the linear term.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Sumcheck<E: Engine> {
    pub rounds: Vec<Vec<E::Scalar>>,
}

/// `InnerProductArgument`: L_vec, R_vec, a_hat.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Ipa<E: Engine> {
    pub l: Vec<Commitment<E>>,
    pub r: Vec<Commitment<E>>,
    pub a_hat: E::Scalar,
}

/// `spartan::BatchSpartan` over IPA.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Spartan<E: Engine> {
    pub sc_outer: Sumcheck<E>,
    pub claims_outer: Vec<[E::Scalar; 4]>,
    pub sc_inner: Sumcheck<E>,
    pub evals_w: Vec<E::Scalar>,
    pub sc_batch: Sumcheck<E>,
    pub evals_batch: Vec<E::Scalar>,
    pub eval_arg: Ipa<E>,
}

/// `SlotBlind`: random instance, NIFSRelaxed (comm_T), two blinds.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Slot<E: Engine> {
    pub random: Relaxed<E>,
    pub comm_t: Commitment<E>,
    pub blind_w: E::Scalar,
    pub blind_e: E::Scalar,
}

/// `CompactProof`.
#[derive(Clone, Serialize, Deserialize)]
pub struct Proof {
    pub primary: Vec<Relaxed<E1>>,
    pub secondary: Vec<Relaxed<E2>>,
    pub kappa: u8,
    pub last: Strict<E2>,
    pub rho1: F1,
    pub rho2: F2,
    pub comm_t: Commitment<E2>,
    pub primary_blinds: Vec<Option<Slot<E1>>>,
    pub secondary_blinds: Vec<Option<Slot<E2>>>,
    pub primary_snark: Option<Spartan<E1>>,
    pub secondary_snark: Option<Spartan<E2>>,
}

/// One field of a proof that a mutation can change.
pub enum Leaf<'a> {
    S1(&'a mut F1),
    S2(&'a mut F2),
    C1(&'a mut Commitment<E1>),
    C2(&'a mut Commitment<E2>),
    Byte(&'a mut u8),
}

impl Leaf<'_> {
    /// Changes the field: a scalar + 1, a commitment doubled (the identity, which doubling
    /// keeps, replaced by `other`), a byte with its lowest bit flipped.
    pub fn mutate(self, other1: Commitment<E1>, other2: Commitment<E2>) {
        match self {
            Leaf::S1(s) => *s += F1::ONE,
            Leaf::S2(s) => *s += F2::ONE,
            Leaf::C1(c) => {
                *c = if *c == Commitment::<E1>::default() {
                    other1
                } else {
                    *c + *c
                }
            }
            Leaf::C2(c) => {
                *c = if *c == Commitment::<E2>::default() {
                    other2
                } else {
                    *c + *c
                }
            }
            Leaf::Byte(b) => *b ^= 1,
        }
    }
}

/// The two curves' ways of naming their fields as [`Leaf`]s.
pub trait Curve: Engine {
    fn scalar(s: &mut Self::Scalar) -> Leaf<'_>;
    fn comm(c: &mut Commitment<Self>) -> Leaf<'_>;
}

impl Curve for E1 {
    fn scalar(s: &mut F1) -> Leaf<'_> {
        Leaf::S1(s)
    }
    fn comm(c: &mut Commitment<E1>) -> Leaf<'_> {
        Leaf::C1(c)
    }
}

impl Curve for E2 {
    fn scalar(s: &mut F2) -> Leaf<'_> {
        Leaf::S2(s)
    }
    fn comm(c: &mut Commitment<E2>) -> Leaf<'_> {
        Leaf::C2(c)
    }
}

type Out<'a> = Vec<(String, Leaf<'a>)>;

fn relaxed<'a, E: Curve>(p: &str, u: &'a mut Relaxed<E>, out: &mut Out<'a>) {
    out.push((format!("{p}.comm_W"), E::comm(&mut u.comm_w)));
    out.push((format!("{p}.comm_E"), E::comm(&mut u.comm_e)));
    for (i, x) in u.x.iter_mut().enumerate() {
        out.push((format!("{p}.X[{i}]"), E::scalar(x)));
    }
    out.push((format!("{p}.u"), E::scalar(&mut u.u)));
}

/// The first and the last round of a sum-check, every coefficient of each (the rounds in
/// between are the same code path; covering all of them would multiply the test time).
fn sumcheck<'a, E: Curve>(p: &str, s: &'a mut Sumcheck<E>, out: &mut Out<'a>) {
    let n = s.rounds.len();
    for (r, round) in s.rounds.iter_mut().enumerate() {
        if r != 0 && r + 1 != n {
            continue;
        }
        for (c, x) in round.iter_mut().enumerate() {
            out.push((format!("{p}.round[{r}].coeff[{c}]"), E::scalar(x)));
        }
    }
}

/// Ends of a list of commitments (first and last element).
fn ends<'a, E: Curve>(p: &str, v: &'a mut [Commitment<E>], out: &mut Out<'a>) {
    let n = v.len();
    for (i, c) in v.iter_mut().enumerate() {
        if i == 0 || i + 1 == n {
            out.push((format!("{p}[{i}]"), E::comm(c)));
        }
    }
}

fn slot<'a, E: Curve>(p: &str, s: &'a mut Slot<E>, out: &mut Out<'a>) {
    relaxed(&format!("{p}.random"), &mut s.random, out);
    out.push((format!("{p}.nifs.comm_T"), E::comm(&mut s.comm_t)));
    out.push((format!("{p}.blind_W"), E::scalar(&mut s.blind_w)));
    out.push((format!("{p}.blind_E"), E::scalar(&mut s.blind_e)));
}

fn snark<'a, E: Curve>(p: &str, n: &'a mut Spartan<E>, out: &mut Out<'a>) {
    sumcheck(&format!("{p}.sc_outer"), &mut n.sc_outer, out);
    for (i, c) in n.claims_outer.iter_mut().enumerate() {
        for (x, name) in c.iter_mut().zip(["Az", "Bz", "Cz", "E"]) {
            out.push((format!("{p}.claims_outer[{i}].{name}"), E::scalar(x)));
        }
    }
    sumcheck(&format!("{p}.sc_inner"), &mut n.sc_inner, out);
    for (i, x) in n.evals_w.iter_mut().enumerate() {
        out.push((format!("{p}.eval_W[{i}]"), E::scalar(x)));
    }
    sumcheck(&format!("{p}.sc_batch"), &mut n.sc_batch, out);
    for (i, x) in n.evals_batch.iter_mut().enumerate() {
        out.push((format!("{p}.evals_batch[{i}]"), E::scalar(x)));
    }
    ends::<E>(&format!("{p}.ipa.L"), &mut n.eval_arg.l, out);
    ends::<E>(&format!("{p}.ipa.R"), &mut n.eval_arg.r, out);
    out.push((format!("{p}.ipa.a_hat"), E::scalar(&mut n.eval_arg.a_hat)));
}

impl Proof {
    /// Every field a single-field mutation changes, with its name.
    pub fn leaves(&mut self) -> Out<'_> {
        let mut out = Vec::new();
        for (j, u) in self.primary.iter_mut().enumerate() {
            relaxed(&format!("U[{j}]"), u, &mut out);
        }
        for (t, u) in self.secondary.iter_mut().enumerate() {
            relaxed(&format!("U'[{t}]"), u, &mut out);
        }
        out.push(("kappa".into(), Leaf::Byte(&mut self.kappa)));
        out.push(("u'.comm_W".into(), Leaf::C2(&mut self.last.comm_w)));
        for (i, x) in self.last.x.iter_mut().enumerate() {
            out.push((format!("u'.X[{i}]"), Leaf::S2(x)));
        }
        out.push(("rho1".into(), Leaf::S1(&mut self.rho1)));
        out.push(("rho2".into(), Leaf::S2(&mut self.rho2)));
        out.push(("nifs.comm_T".into(), Leaf::C2(&mut self.comm_t)));
        for (j, s) in self.primary_blinds.iter_mut().enumerate() {
            if let Some(s) = s {
                slot(&format!("blind U[{j}]"), s, &mut out);
            }
        }
        for (t, s) in self.secondary_blinds.iter_mut().enumerate() {
            if let Some(s) = s {
                slot(&format!("blind U'[{t}]"), s, &mut out);
            }
        }
        if let Some(n) = &mut self.primary_snark {
            snark("snark BN254", n, &mut out);
        }
        if let Some(n) = &mut self.secondary_snark {
            snark("snark Grumpkin", n, &mut out);
        }
        out
    }

    /// Encoded length of the fields before the slot blindings (the instances, κ, u', ρ1, ρ2
    /// and the NIFS): the "statement" part of the body.
    pub fn instances_len(&self) -> usize {
        let head = (
            &self.primary,
            &self.secondary,
            self.kappa,
            &self.last,
            self.rho1,
            self.rho2,
            &self.comm_t,
        );
        bincode::serde::encode_to_vec(head, bincode::config::standard())
            .expect("encodable")
            .len()
    }
}
