//! Witnesses committed in segments (for commitment-carrying folding).
//!
//! A shape's [`Layout`] says how its witness W (padded to N = 2^n entries) is committed:
//! whole, or as a prefix ω = W[0..2^a) with its own commitment `C_ω` (generators G[0..2^a))
//! and the rest as the N-vector aux' that is zero on [0, 2^a) with its commitment `C_aux`
//! (generators G[2^a..N)), so that `C_ω + C_aux = com(W)` and folding stays linear.
//!
//! Every segment is opened on its own, never only their sum: at the inner sum-check's point
//! `r` (n coordinates) the proof gives `ω(r[n−a..])` and `aux'(r)`, and the verifier rebuilds
//! `W(r) = L0(r[..n−a])·ω(r[n−a..]) + aux'(r)` (a prefix table's value, as in the opening).
//! A **support claim** `aux'(0^{n−a}, ρ) = 0` with a fresh ρ ∈ F^a says that aux' vanishes on
//! [0, 2^a): without it a prover could move mass between `C_ω` and `C_aux` and keep their sum,
//! so `C_ω` would not describe the witness's first 2^a entries. That `C_ω`'s table is zero
//! beyond 2^a follows from the opening (a prefix claim, see [`super::opening`]).

use canopy_folding::Commitment;
use ff::Field;
use nova_snark::{r1cs::RelaxedR1CSInstance, traits::Engine};
use serde::{Deserialize, Serialize};

/// How a shape's witness is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// One commitment to the whole witness.
    Whole,
    /// A prefix ω of `2^log_prefix` entries and the rest, committed separately.
    Split {
        /// log2 of the prefix's length (less than the padded witness's log2 size).
        log_prefix: usize,
    },
}

impl Layout {
    /// Number of commitments of a witness of this layout.
    pub fn segments(&self) -> usize {
        match self {
            Layout::Whole => 1,
            Layout::Split { .. } => 2,
        }
    }

    /// Whether the layout fits a padded witness of `2^n` entries.
    pub(crate) fn fits(&self, n: usize) -> bool {
        match self {
            Layout::Whole => true,
            Layout::Split { log_prefix } => *log_prefix < n,
        }
    }

    /// The points at which the segments are opened, given W's point `r` (n coordinates).
    pub(crate) fn points<F: Clone>(&self, r: &[F]) -> Vec<Vec<F>> {
        match self {
            Layout::Whole => vec![r.to_vec()],
            Layout::Split { log_prefix } => vec![r[r.len() - log_prefix..].to_vec(), r.to_vec()],
        }
    }

    /// `W(r)` from the segments' values at [`Self::points`].
    pub(crate) fn combine<F: Field>(&self, r: &[F], evals: &[F]) -> F {
        match self {
            Layout::Whole => evals[0],
            Layout::Split { log_prefix } => {
                let l0: F = r[..r.len() - log_prefix]
                    .iter()
                    .map(|x| F::ONE - x)
                    .product();
                l0 * evals[0] + evals[1]
            }
        }
    }

    /// The segments' tables of a padded witness: W, or (ω, aux').
    pub(crate) fn tables<F: Field>(&self, w: &[F]) -> Vec<Vec<F>> {
        match self {
            Layout::Whole => vec![w.to_vec()],
            Layout::Split { log_prefix } => {
                let a = 1usize << log_prefix;
                let mut aux = w.to_vec();
                aux[..a].iter_mut().for_each(|x| *x = F::ZERO);
                vec![w[..a].to_vec(), aux]
            }
        }
    }
}

/// A relaxed R1CS instance whose witness is committed in segments (see [`Layout`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SegmentedInstance<E: Engine> {
    /// The witness's commitments, one per segment of the shape's layout, in order.
    pub comm_w: Vec<Commitment<E>>,
    /// The commitment to the error vector E.
    pub comm_e: Commitment<E>,
    /// The relaxation scalar u.
    pub u: E::Scalar,
    /// The public IO X.
    pub x: Vec<E::Scalar>,
}

impl<E: Engine> SegmentedInstance<E> {
    /// A relaxed instance with one witness commitment ([`Layout::Whole`]).
    pub fn whole(u: &RelaxedR1CSInstance<E>) -> Self {
        Self {
            comm_w: vec![*u.comm_W()],
            comm_e: *u.comm_E(),
            u: u.u(),
            x: u.X().to_vec(),
        }
    }
}
