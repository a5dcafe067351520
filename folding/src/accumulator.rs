//! The leaf accumulator (docs/protocol.md §2, §3.3): one running instance per step circuit, the
//! secondary running instance, the last strict secondary instance, the public state, and the
//! blinds of the two state hashes.

use crate::circuit::{
    primary::{PrimaryCircuit, PrimaryInputs},
    secondary::{SecondaryCircuit, SecondaryInputs},
};
use crate::encoding::{pt, rel, rel_default, strict, switch_field, to_int};
use crate::error::FoldingError;
use crate::hash::{challenge, hash_full, state_hash, T_RS1, T_RS2, T_SIG, T_SLOT, T_TAU};
use crate::params::PublicParams;
use crate::step::StepCircuit;
use crate::CommitmentKey;
use crate::{E1, E2, F1, F2};
use ff::Field;
use nova_snark::{
    frontend::{r1cs::NovaWitness, solver::SatisfyingAssignment},
    r1cs::{R1CSInstance, R1CSWitness, RelaxedR1CSInstance, RelaxedR1CSWitness},
};
use nova_snark::{
    r1cs::R1CSShape,
    traits::{commitment::CommitmentEngineTrait, Engine},
};
use rand_core::OsRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A leaf accumulator after n ≥ 1 steps.
///
/// Holds, per docs/protocol.md §2: the step count n, the leaf start (pc_0, z_0), the current state
/// (pc, z), the primary running instances U[0..m) with witnesses (slot U[m] of the merge
/// circuit PM is DEFAULT_3 in a leaf and is therefore not stored), the secondary running
/// instance U'[0] with witness (slot U'[1] of SM is DEFAULT_2 in a leaf), the last strict
/// secondary instance u' with witness (kind κ = 0: produced by S'), and the blinds ρ1, ρ2 of
/// the state hashes h and g. Invariant: u'.X = (h, g).
#[derive(Clone, Serialize, Deserialize)]
pub struct Accumulator {
    pub(crate) pp: F1,
    pub(crate) n: u64,
    pub(crate) pc0: F1,
    pub(crate) z0: Vec<F1>,
    pub(crate) pc: F1,
    pub(crate) z: Vec<F1>,
    pub(crate) u: Vec<RelaxedR1CSInstance<E1>>,
    pub(crate) w: Vec<RelaxedR1CSWitness<E1>>,
    pub(crate) u_sec: RelaxedR1CSInstance<E2>,
    pub(crate) w_sec: RelaxedR1CSWitness<E2>,
    pub(crate) last: R1CSInstance<E2>,
    pub(crate) last_w: R1CSWitness<E2>,
    pub(crate) rho1: F1,
    pub(crate) rho2: F2,
    /// The merge slots U[m] (PM) and U'[1] (SM); `None` = both DEFAULT (a leaf that started
    /// with [`SlotStart::Default`] or with unrandomised merge slots). A leaf only carries
    /// them; a merge folds them.
    pub(crate) merge: Option<MergeSlots>,
    /// κ: 0 if `last` was produced by S' (leaf), 1 if by SM (merge).
    pub(crate) kappa: u8,
}

/// The merge slots of a merged accumulator: U[m] of shape S_PM and U'[1] of shape SM, with
/// their witnesses.
#[derive(Clone, Serialize, Deserialize)]
pub struct MergeSlots {
    pub(crate) u_pm: RelaxedR1CSInstance<E1>,
    pub(crate) w_pm: RelaxedR1CSWitness<E1>,
    pub(crate) u_sm: RelaxedR1CSInstance<E2>,
    pub(crate) w_sm: RelaxedR1CSWitness<E2>,
}

/// The index of the circuit selected by `pc`, if `pc < m`.
fn pc_index(pc: &F1, m: usize) -> Result<usize, FoldingError> {
    let n = to_int(pc);
    match usize::try_from(n.clone()) {
        Ok(j) if j < m => Ok(j),
        _ => Err(FoldingError::PcOutOfRange(n.to_string(), m)),
    }
}

/// The primary state hash h of docs/protocol.md §2:
/// `H1^250(T_SIG, pp, n, pc_0, z_0, pc, z, rel(U'[0]), rel(U'[1]), ρ1)`, where `slots.1 = None`
/// stands for the leaf value U'[1] = DEFAULT_2 (the PCD merge passes SM's slot).
pub fn primary_state_hash(
    pp: &PublicParams,
    n: u64,
    (pc0, z0): (&F1, &[F1]),
    (pc, z): (&F1, &[F1]),
    slots: (&RelaxedR1CSInstance<E2>, Option<&RelaxedR1CSInstance<E2>>),
    rho: &F1,
) -> F1 {
    let mut e = vec![pp.digest1, F1::from(n), *pc0];
    e.extend_from_slice(z0);
    e.push(*pc);
    e.extend_from_slice(z);
    e.extend(rel::<E2>(slots.0));
    e.extend(slots.1.map_or_else(|| rel_default::<F1>(2), rel::<E2>));
    e.push(*rho);
    state_hash(&pp.ro1, T_SIG, &e)
}

/// The slot digest `d(U) = H2(T_SLOT, rel(U))` (full element) of a primary running instance.
pub fn slot_digest(pp: &PublicParams, u: &RelaxedR1CSInstance<E1>) -> F2 {
    hash_full(&pp.ro2, T_SLOT, &rel::<E1>(u))
}

/// The secondary state hash g: `H2^250(T_TAU, pp, d(U[0]), …, d(U[m−1]), d(U[m]), ρ2)` with
/// slot digests d (see the crate docs), where `pm = None` stands for the leaf value
/// U[m] = DEFAULT_3 (the PCD merge passes PM's slot).
pub fn secondary_state_hash(
    pp: &PublicParams,
    u: &[RelaxedR1CSInstance<E1>],
    pm: Option<&RelaxedR1CSInstance<E1>>,
    rho: &F2,
) -> F2 {
    let mut e = vec![pp.digest2];
    for slot in u {
        e.push(slot_digest(pp, slot));
    }
    e.push(pm.map_or_else(
        || hash_full(&pp.ro2, T_SLOT, &rel_default::<F2>(3)),
        |x| slot_digest(pp, x),
    ));
    e.push(*rho);
    state_hash(&pp.ro2, T_TAU, &e)
}

/// How a leaf's running instances start (docs/protocol.md §3.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotStart {
    /// Every slot starts at DEFAULT. Cheap, and right for every leaf but the first of a run:
    /// a root whose first leaf started this way reveals, through each slot's u, how often
    /// each circuit was folded.
    Default,
    /// Every slot U[0..m) and U'[0] starts at a fresh random satisfying instance (W = 0, u and
    /// X uniform, E to match), and so do the merge slots U[m], U'[1] when `merge_slots` is
    /// set (a leaf that will be merged). The first leaf of a run starts this way; the u and
    /// X of every slot of the root (what a compact proof reveals in the clear) are then
    /// uniform, whatever ran (docs/protocol.md §3.7).
    Random {
        /// Randomise the merge slots as well (the run will be merged).
        merge_slots: bool,
    },
}

/// A leaf's starting slots: U[0..m) with witnesses, U'[0] with witness, and the merge slots.
struct Starts {
    u: Vec<RelaxedR1CSInstance<E1>>,
    w: Vec<RelaxedR1CSWitness<E1>>,
    u_sec: RelaxedR1CSInstance<E2>,
    w_sec: RelaxedR1CSWitness<E2>,
    merge: Option<MergeSlots>,
}

/// A random slot start of `shape`: W = 0, u and X uniform, E = AZ∘BZ − u·CZ (so the pair
/// satisfies the shape), fresh uniform blinds for both commitments.
///
/// Only u and X of a running instance are revealed in the clear (its commitments are hiding,
/// and the decider blinds every witness with a uniform random instance before its SNARK sees
/// it), so a uniform u and X are what the start must supply: u + (the run's u) and
/// X + (the run's X) are then uniform whatever ran. W = 0 keeps E zero on every row whose
/// A, B and C terms do not touch the constant or the IO columns, and so the cross terms of
/// later folds stay as sparse as with a DEFAULT start (a start with a uniform W made every
/// fold step ≈ 50 % slower at K = 128: every E entry, and so every cross-term entry, was
/// dense).
pub(crate) fn random_pair<E: Engine>(
    shape: &R1CSShape<E>,
    ck: &CommitmentKey<E>,
) -> Result<(RelaxedR1CSInstance<E>, RelaxedR1CSWitness<E>), FoldingError> {
    let n = shape.num_vars();
    let mut z = vec![E::Scalar::ZERO; n + shape.num_io() + 1];
    for v in z[n..].iter_mut() {
        *v = E::Scalar::random(OsRng);
    }
    let (az, (bz, cz)) = rayon::join(
        || shape.A().multiply_vec(&z),
        || rayon::join(|| shape.B().multiply_vec(&z), || shape.C().multiply_vec(&z)),
    );
    let u = z[n];
    let e: Vec<E::Scalar> = az
        .par_iter()
        .zip(&bz)
        .zip(&cz)
        .map(|((a, b), c)| *a * *b - u * *c)
        .collect();
    let (r_w, r_e) = (E::Scalar::random(OsRng), E::Scalar::random(OsRng));
    let comm_w = E::CE::commit(ck, &[], &r_w);
    let comm_e = E::CE::commit(ck, &e, &r_e);
    let inst = RelaxedR1CSInstance::new(shape, comm_w, comm_e, u, z[n + 1..].to_vec())?;
    let wit = RelaxedR1CSWitness::new(shape, z[..n].to_vec(), r_w, e, r_e)?;
    Ok((inst, wit))
}

fn starts(pp: &PublicParams, start: SlotStart) -> Result<Starts, FoldingError> {
    match start {
        SlotStart::Default => Ok(Starts {
            u: pp
                .primary
                .iter()
                .map(|s| RelaxedR1CSInstance::default(&pp.ck1, s))
                .collect(),
            w: pp.primary.iter().map(RelaxedR1CSWitness::default).collect(),
            u_sec: RelaxedR1CSInstance::default(&pp.ck2, &pp.secondary),
            w_sec: RelaxedR1CSWitness::default(&pp.secondary),
            merge: None,
        }),
        SlotStart::Random { merge_slots } => {
            let _span = tracing::debug_span!("random_slot_starts").entered();
            let t = std::time::Instant::now();
            let (u, w): (Vec<_>, Vec<_>) = pp
                .primary
                .iter()
                .map(|s| random_pair(s, &pp.ck1))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .unzip();
            let (u_sec, w_sec) = random_pair(&pp.secondary, &pp.ck2)?;
            let merge = if merge_slots {
                let (u_pm, w_pm) = random_pair(&pp.pm, &pp.ck1)?;
                let (u_sm, w_sm) = random_pair(&pp.sm, &pp.ck2)?;
                Some(MergeSlots {
                    u_pm,
                    w_pm,
                    u_sm,
                    w_sm,
                })
            } else {
                None
            };
            tracing::info!(
                merge_slots,
                secs = t.elapsed().as_secs_f64(),
                "sampled random slot starts"
            );
            Ok(Starts {
                u,
                w,
                u_sec,
                w_sec,
                merge,
            })
        }
    }
}

/// The fold S' verifies: u_t folded into the running instance `u[j]` with the challenge
/// `H2^128(T_RS2, pp, j, d(U[j]), str(u_t), pt(T))`, and S' run on it. Returns the folded
/// slot with its witness and S''s strict instance u' with its witness.
struct SlotFold<'a> {
    u: &'a [RelaxedR1CSInstance<E1>],
    w_j: &'a RelaxedR1CSWitness<E1>,
    merge: Option<&'a RelaxedR1CSInstance<E1>>,
    j: usize,
    rho_in: F2,
    rho_next: F2,
}

type Folded = (
    RelaxedR1CSInstance<E1>,
    RelaxedR1CSWitness<E1>,
    R1CSInstance<E2>,
    R1CSWitness<E2>,
);

impl SlotFold<'_> {
    fn run(
        &self,
        pp: &PublicParams,
        ut: &R1CSInstance<E1>,
        wt: &R1CSWitness<E1>,
    ) -> Result<Folded, FoldingError> {
        let j = self.j;
        let u_j = self
            .u
            .get(j)
            .ok_or_else(|| FoldingError::InvalidInput(format!("no slot {j}")))?;
        let r_t1 = F1::random(OsRng);
        let clock = std::time::Instant::now();
        let (t1, comm_t1) = pp.primary[j].commit_T(&pp.ck1, u_j, self.w_j, ut, wt, &r_t1)?;
        let commit_t = clock.elapsed();
        let mut e = vec![pp.digest2, F2::from(j as u64), slot_digest(pp, u_j)];
        e.extend(strict::<E1>(ut)?);
        e.extend(pt::<E1>(&comm_t1));
        let r2: F2 = challenge(&pp.ro2, T_RS2, &e);
        let r2s: F1 = switch_field(&r2)?;
        let sec_inputs = SecondaryInputs {
            pp: pp.digest2,
            big_u: self.u.to_vec(),
            merge_slot: self.merge.cloned(),
            open_instead: None,
            rho_in: self.rho_in,
            rho_next: self.rho_next,
            u: ut.clone(),
            t: Some(comm_t1),
            k: F2::from(j as u64),
        };
        let clock = std::time::Instant::now();
        let (last, last_w) = prove_secondary(pp, sec_inputs)?;
        let secondary = clock.elapsed();
        let clock = std::time::Instant::now();
        let folded = u_j.fold(ut, &comm_t1, &r2s);
        let folded_w = self.w_j.fold(wt, &t1, &r_t1, &r2s)?;
        tracing::debug!(
            slot = j,
            commit_t = commit_t.as_secs_f64(),
            secondary = secondary.as_secs_f64(),
            fold_w = clock.elapsed().as_secs_f64(),
            "slot fold timings (seconds)"
        );
        Ok((folded, folded_w, last, last_w))
    }
}

impl Accumulator {
    /// Runs the base step (i = 0) of circuit `pc0` on `z0` with every slot starting at
    /// DEFAULT ([`SlotStart::Default`]) and returns the accumulator with n = 1.
    pub fn new<C: StepCircuit<F1>>(
        pp: &PublicParams,
        circuits: &[C],
        pc0: F1,
        z0: Vec<F1>,
    ) -> Result<Self, FoldingError> {
        Self::new_with_start(pp, circuits, pc0, z0, SlotStart::Default)
    }

    /// Runs the base step (i = 0) of circuit `pc0` on `z0` with the slots starting as
    /// `start` says, and returns the accumulator with n = 1.
    pub fn new_with_start<C: StepCircuit<F1>>(
        pp: &PublicParams,
        circuits: &[C],
        pc0: F1,
        z0: Vec<F1>,
        start: SlotStart,
    ) -> Result<Self, FoldingError> {
        check_circuits(pp, circuits)?;
        if z0.len() != pp.arity {
            return Err(FoldingError::InvalidInput("z0 has the wrong arity".into()));
        }
        let j = pc_index(&pc0, pp.m)?;
        let _span = tracing::debug_span!("accumulator_new", circuit = j).entered();
        let Starts {
            mut u,
            mut w,
            u_sec,
            w_sec,
            merge,
        } = starts(pp, start)?;
        let rho1 = F1::random(OsRng);
        let rho2 = F2::random(OsRng);
        let inputs = PrimaryInputs {
            pp: pp.digest1,
            i: F1::ZERO,
            pc0,
            z0: z0.clone(),
            pc_i: F1::ZERO,
            z_i: vec![F1::ZERO; pp.arity],
            big_u: Some(u_sec.clone()),
            merge_slot: merge.as_ref().map(|m| m.u_sm.clone()),
            rho_i: F1::ZERO,
            rho_next: rho1,
            last: None,
            t: None,
        };
        let (u0, w0, pc, z) = prove_primary(pp, circuits, j, inputs)?;
        let (uj, wj, last, last_w) = SlotFold {
            u: &u,
            w_j: &w[j],
            merge: merge.as_ref().map(|m| &m.u_pm),
            j,
            rho_in: F2::ZERO,
            rho_next: rho2,
        }
        .run(pp, &u0, &w0)?;
        u[j] = uj;
        w[j] = wj;
        Ok(Self {
            pp: pp.digest1,
            n: 1,
            pc0,
            z0,
            pc,
            z,
            u,
            w,
            u_sec,
            w_sec,
            last,
            last_w,
            rho1,
            rho2,
            merge,
            kappa: 0,
        })
    }

    /// Proves one more step: runs F_pc on the current state (pc must name a circuit).
    pub fn prove_step<C: StepCircuit<F1>>(
        &mut self,
        pp: &PublicParams,
        circuits: &[C],
    ) -> Result<(), FoldingError> {
        self.prove_step_inner(pp, circuits, None, |_, _| ())
    }

    /// `prove_step` with two attack hooks for the soundness tests: `slot` folds the step
    /// into another running instance than its own, `tamper` alters the primary step's
    /// witness before it is committed and folded.
    pub(crate) fn prove_step_inner<C: StepCircuit<F1>>(
        &mut self,
        pp: &PublicParams,
        circuits: &[C],
        slot: Option<usize>,
        tamper: impl FnOnce(usize, &mut Vec<F1>),
    ) -> Result<(), FoldingError> {
        check_circuits(pp, circuits)?;
        if self.pp != pp.digest1 {
            return Err(FoldingError::DigestMismatch);
        }
        if self.kappa != 0 {
            // the leaf circuits only carry the merge slots
            return Err(FoldingError::InvalidInput(
                "a merged accumulator takes no more steps (merge it instead)".into(),
            ));
        }
        let j = pc_index(&self.pc, pp.m)?;
        let _span = tracing::debug_span!("prove_step", step = self.n, circuit = j).entered();

        // fold u' into U'[0] (the fold F'_j verifies)
        let r_t2 = F2::random(OsRng);
        let (t2, comm_t2) = pp.secondary.commit_T(
            &pp.ck2,
            &self.u_sec,
            &self.w_sec,
            &self.last,
            &self.last_w,
            &r_t2,
        )?;
        let mut e = vec![pp.digest1];
        e.extend(strict::<E2>(&self.last)?);
        e.extend(pt::<E2>(&comm_t2));
        let r1: F1 = challenge(&pp.ro1, T_RS1, &e);
        let r1s: F2 = switch_field(&r1)?;
        let u_sec = self.u_sec.fold(&self.last, &comm_t2, &r1s);
        let w_sec = self.w_sec.fold(&self.last_w, &t2, &r_t2, &r1s)?;

        // primary step
        let rho1 = F1::random(OsRng);
        let inputs = PrimaryInputs {
            pp: pp.digest1,
            i: F1::from(self.n),
            pc0: self.pc0,
            z0: self.z0.clone(),
            pc_i: self.pc,
            z_i: self.z.clone(),
            big_u: Some(self.u_sec.clone()),
            merge_slot: self.merge.as_ref().map(|m| m.u_sm.clone()),
            rho_i: self.rho1,
            rho_next: rho1,
            last: Some(self.last.clone()),
            t: Some(comm_t2),
        };
        let (ut, wt, pc, z) = prove_primary_with(pp, circuits, j, inputs, tamper)?;
        let j = slot.unwrap_or(j);

        // fold u_t into U[j] and run S' on that fold
        let rho2 = F2::random(OsRng);
        let w_j = self
            .w
            .get(j)
            .ok_or_else(|| FoldingError::InvalidInput(format!("no slot {j}")))?;
        let (uj, wj, last, last_w) = SlotFold {
            u: &self.u,
            w_j,
            merge: self.merge.as_ref().map(|m| &m.u_pm),
            j,
            rho_in: self.rho2,
            rho_next: rho2,
        }
        .run(pp, &ut, &wt)?;

        self.u[j] = uj;
        self.w[j] = wj;
        self.u_sec = u_sec;
        self.w_sec = w_sec;
        self.last = last;
        self.last_w = last_w;
        self.n += 1;
        self.pc = pc;
        self.z = z;
        self.rho1 = rho1;
        self.rho2 = rho2;
        Ok(())
    }

    /// RecursiveVerify (docs/protocol.md §2): n ≥ 1, lengths, u'.X = (h, g) as integers, every
    /// running instance (including the merge slots U[m] and U'[1] of a merged accumulator)
    /// satisfies its own shape, u' satisfies S' (κ = 0) or SM (κ = 1) as a strict instance.
    pub fn verify(&self, pp: &PublicParams) -> Result<(), FoldingError> {
        let reject = |s: &str| Err(FoldingError::Rejected(s.to_string()));
        if self.pp != pp.digest1 {
            return Err(FoldingError::DigestMismatch);
        }
        if self.n == 0 {
            return reject("n = 0");
        }
        if self.u.len() != pp.m || self.w.len() != pp.m {
            return reject("number of running instances");
        }
        if self.z0.len() != pp.arity || self.z.len() != pp.arity {
            return reject("arity of z");
        }
        if self.last.X().len() != 2 {
            return reject("u' has the wrong IO length");
        }
        let last_shape = match (self.kappa, &self.merge) {
            (0, _) => &pp.secondary,
            (1, Some(_)) => &pp.sm,
            _ => return reject("kappa does not match the merge slots"),
        };
        let h = primary_state_hash(
            pp,
            self.n,
            (&self.pc0, &self.z0),
            (&self.pc, &self.z),
            (&self.u_sec, self.merge.as_ref().map(|s| &s.u_sm)),
            &self.rho1,
        );
        let g = secondary_state_hash(
            pp,
            &self.u,
            self.merge.as_ref().map(|s| &s.u_pm),
            &self.rho2,
        );
        if to_int(&self.last.X()[0]) != to_int(&h) {
            return reject("u'.X0 != h");
        }
        if to_int(&self.last.X()[1]) != to_int(&g) {
            return reject("u'.X1 != g");
        }
        for (t, ((s, u), w)) in pp.primary.iter().zip(&self.u).zip(&self.w).enumerate() {
            s.is_sat_relaxed(&pp.ck1, u, w)
                .map_err(|e| FoldingError::Rejected(format!("U[{t}]: {e}")))?;
        }
        pp.secondary
            .is_sat_relaxed(&pp.ck2, &self.u_sec, &self.w_sec)
            .map_err(|e| FoldingError::Rejected(format!("U'[0]: {e}")))?;
        if let Some(ms) = &self.merge {
            pp.pm
                .is_sat_relaxed(&pp.ck1, &ms.u_pm, &ms.w_pm)
                .map_err(|e| FoldingError::Rejected(format!("U[m] (PM): {e}")))?;
            pp.sm
                .is_sat_relaxed(&pp.ck2, &ms.u_sm, &ms.w_sm)
                .map_err(|e| FoldingError::Rejected(format!("U'[1] (SM): {e}")))?;
        }
        last_shape
            .is_sat(&pp.ck2, &self.last, &self.last_w)
            .map_err(|e| FoldingError::Rejected(format!("u': {e}")))?;
        Ok(())
    }

    /// Number of steps n.
    pub fn num_steps(&self) -> u64 {
        self.n
    }
    /// Leaf start (pc_0, z_0).
    pub fn start(&self) -> (F1, &[F1]) {
        (self.pc0, &self.z0)
    }
    /// Current state (pc_n, z_n).
    pub fn state(&self) -> (F1, &[F1]) {
        (self.pc, &self.z)
    }
    /// The parameter digest this accumulator was built under.
    pub fn digest(&self) -> F1 {
        self.pp
    }
    /// The primary running instances U[0..m) (slot j belongs to circuit j).
    pub fn running_instances(&self) -> &[RelaxedR1CSInstance<E1>] {
        &self.u
    }
    /// The secondary running instance U'[0] (shape S').
    pub fn secondary_running_instance(&self) -> &RelaxedR1CSInstance<E2> {
        &self.u_sec
    }
    /// The last strict secondary instance u' (X = (h, g)).
    pub fn last_instance(&self) -> &R1CSInstance<E2> {
        &self.last
    }
    /// The witnesses of U[0..m) (for the PCD merge and the decider).
    pub fn running_witnesses(&self) -> &[RelaxedR1CSWitness<E1>] {
        &self.w
    }
    /// The witness of U'[0].
    pub fn secondary_running_witness(&self) -> &RelaxedR1CSWitness<E2> {
        &self.w_sec
    }
    /// The witness of u'.
    pub fn last_witness(&self) -> &R1CSWitness<E2> {
        &self.last_w
    }
    /// The blinds (ρ1, ρ2) of the state hashes h and g.
    pub fn blinds(&self) -> (F1, F2) {
        (self.rho1, self.rho2)
    }
    /// Whether this accumulator is the result of a merge (its merge slots are stored and
    /// its last instance comes from SM); a leaf returns false.
    pub fn is_merged(&self) -> bool {
        self.kappa == 1
    }
    /// κ: which shape the last instance u' satisfies: 0 = S' (leaf), 1 = SM (merge).
    pub fn last_kind(&self) -> u8 {
        self.kappa
    }
    /// The shape u' must satisfy: S' (κ = 0) or SM (κ = 1).
    pub fn last_shape<'a>(&self, pp: &'a PublicParams) -> &'a nova_snark::r1cs::R1CSShape<E2> {
        if self.kappa == 1 {
            &pp.sm
        } else {
            &pp.secondary
        }
    }
    /// The primary merge slot U[m] (shape S_PM, ℓ = 3); `None` = DEFAULT.
    pub fn merge_instance(&self) -> Option<&RelaxedR1CSInstance<E1>> {
        self.merge.as_ref().map(|s| &s.u_pm)
    }
    /// The witness of U[m]; `None` = DEFAULT.
    pub fn merge_witness(&self) -> Option<&RelaxedR1CSWitness<E1>> {
        self.merge.as_ref().map(|s| &s.w_pm)
    }
    /// The secondary merge slot U'[1] (shape SM); `None` = DEFAULT.
    pub fn secondary_merge_instance(&self) -> Option<&RelaxedR1CSInstance<E2>> {
        self.merge.as_ref().map(|s| &s.u_sm)
    }
    /// The witness of U'[1]; `None` = DEFAULT.
    pub fn secondary_merge_witness(&self) -> Option<&RelaxedR1CSWitness<E2>> {
        self.merge.as_ref().map(|s| &s.w_sm)
    }

    /// Serialises the accumulator (bincode 2, standard configuration).
    pub fn to_bytes(&self) -> Result<Vec<u8>, FoldingError> {
        bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| FoldingError::Serde(e.to_string()))
    }

    /// Deserialises an accumulator (call [`Self::verify`] before trusting it).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FoldingError> {
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map(|(a, _)| a)
            .map_err(|e| FoldingError::Serde(e.to_string()))
    }
}

fn check_circuits<C: StepCircuit<F1>>(
    pp: &PublicParams,
    circuits: &[C],
) -> Result<(), FoldingError> {
    if circuits.len() != pp.m {
        return Err(FoldingError::InvalidInput(format!(
            "{} circuits given, parameters have {}",
            circuits.len(),
            pp.m
        )));
    }
    Ok(())
}

type PrimaryOut = (R1CSInstance<E1>, R1CSWitness<E1>, F1, Vec<F1>);

fn prove_primary<C: StepCircuit<F1>>(
    pp: &PublicParams,
    circuits: &[C],
    j: usize,
    inputs: PrimaryInputs,
) -> Result<PrimaryOut, FoldingError> {
    prove_primary_with(pp, circuits, j, inputs, |_, _| ())
}

fn prove_primary_with<C: StepCircuit<F1>>(
    pp: &PublicParams,
    circuits: &[C],
    j: usize,
    inputs: PrimaryInputs,
    tamper: impl FnOnce(usize, &mut Vec<F1>),
) -> Result<PrimaryOut, FoldingError> {
    let shape = &pp.primary[j];
    let clock = std::time::Instant::now();
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(shape.num_io() + 1, shape.num_vars());
    let (pc, z) =
        PrimaryCircuit::new(j, &circuits[j], &pp.ro1, Some(inputs)).synthesize(&mut cs)?;
    let synthesis = clock.elapsed();
    let missing =
        || FoldingError::Synthesis(nova_snark::frontend::SynthesisError::AssignmentMissing);
    let pc = pc.get_value().ok_or_else(missing)?;
    let z = z
        .iter()
        .map(|v| v.get_value().ok_or_else(missing))
        .collect::<Result<Vec<_>, _>>()?;
    if cs.aux_assignment().len() != shape.num_vars() || cs.input_assignment().len() != 3 {
        return Err(FoldingError::InvalidInput(format!(
            "circuit {j} does not match the shape of the parameters"
        )));
    }
    let clock = std::time::Instant::now();
    let (u, w) = cs.r1cs_instance_and_witness(&pp.primary[j], &pp.ck1, &mut OsRng)?;
    tracing::debug!(
        circuit = j,
        synthesis = synthesis.as_secs_f64(),
        commit_w = clock.elapsed().as_secs_f64(),
        "primary step timings (seconds)"
    );
    let mut wv = w.W().to_vec();
    let before = wv.clone();
    tamper(j, &mut wv);
    if wv != before {
        let w = R1CSWitness::<E1>::new(&pp.primary[j], &wv, &mut OsRng)?;
        let u = R1CSInstance::new(&pp.primary[j], &w.commit(&pp.ck1), u.X())?;
        return Ok((u, w, pc, z));
    }
    Ok((u, w, pc, z))
}

fn prove_secondary(
    pp: &PublicParams,
    inputs: SecondaryInputs,
) -> Result<(R1CSInstance<E2>, R1CSWitness<E2>), FoldingError> {
    let mut cs = SatisfyingAssignment::<E2>::with_capacity(
        pp.secondary.num_io() + 1,
        pp.secondary.num_vars(),
    );
    SecondaryCircuit::new(pp.m, &pp.ro2, Some(inputs)).synthesize(&mut cs)?;
    if cs.aux_assignment().len() != pp.secondary.num_vars() {
        return Err(FoldingError::InvalidInput(
            "S' does not match the parameters".into(),
        ));
    }
    Ok(cs.r1cs_instance_and_witness(&pp.secondary, &pp.ck2, &mut OsRng)?)
}
