//! The native merge driver (docs/protocol.md §3.6): combines two accumulators of adjacent
//! segments into one accumulator of the same shape by running the merge circuits PM and SM.
//! The node relation these circuits check is written down in `canopy-pcd`'s module docs.

use crate::accumulator::{Accumulator, MergeSlots};
use crate::circuit::{
    merge_primary::{PrimaryMergeChild, PrimaryMergeCircuit, PrimaryMergeInputs},
    merge_secondary::{SecondaryMergeCircuit, SecondaryMergeInputs},
};
use crate::encoding::{pt, strict, switch_field, to_int};
use crate::error::FoldingError;
use crate::hash::{challenge, T_PM1, T_PM2, T_SM1, T_SM2};
use crate::params::PublicParams;
use crate::{primary_state_hash, E1, E2, F1, F2};
use ff::Field;
use nova_snark::{
    frontend::{r1cs::NovaWitness, solver::SatisfyingAssignment},
    r1cs::{R1CSInstance, R1CSShape, R1CSWitness, RelaxedR1CSInstance, RelaxedR1CSWitness},
};
use rand_core::OsRng;

/// Fault injection for negative tests of the merge circuits: each fault makes the honest
/// driver produce a *false* merge, which [`Accumulator::verify`] (and the decider) must
/// reject. Not for production use.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeFault {
    /// No fault (the honest merge).
    None,
    /// Skip the native adjacency / step-count checks (the circuits alone must catch
    /// non-adjacent children).
    SkipNativeChecks,
    /// Alter one witness value of PM after synthesis (a PM witness that lies).
    TamperPmWitness,
    /// Alter one witness value of SM after synthesis.
    TamperSmWitness,
    /// Use a wrong cross term T''_0 in the secondary slot merge of PM (the circuit and the
    /// native fold both use it, so PM is satisfied but U'[0] of the result is not).
    WrongCrossTerm,
    /// Lie about the left child's κ inside PM: its last strict instance u'_L is folded
    /// into the other secondary slot U'_L[1 − κ_L] (PM absorbs and uses the false κ, the
    /// native fold follows it, with u'_L's witness zero-padded or cut to that slot's
    /// shape), so PM is satisfied but that slot of the result is not.
    KappaLie,
}

/// Secondary slots U'[0], U'[1] with their witnesses.
type SecSlots = ([RelaxedR1CSInstance<E2>; 2], [RelaxedR1CSWitness<E2>; 2]);

/// A child's secondary slots with witnesses (U'[0], U'[1]); DEFAULT for a leaf's U'[1].
fn secondary_slots(
    pp: &PublicParams,
    a: &Accumulator,
) -> ([RelaxedR1CSInstance<E2>; 2], [RelaxedR1CSWitness<E2>; 2]) {
    match &a.merge {
        Some(ms) => (
            [a.u_sec.clone(), ms.u_sm.clone()],
            [a.w_sec.clone(), ms.w_sm.clone()],
        ),
        None => (
            [
                a.u_sec.clone(),
                RelaxedR1CSInstance::default(&pp.ck2, &pp.sm),
            ],
            [a.w_sec.clone(), RelaxedR1CSWitness::default(&pp.sm)],
        ),
    }
}

/// A child's primary slots with witnesses (U[0..m] with U[m] = PM's; DEFAULT for a leaf).
fn primary_slots(
    pp: &PublicParams,
    a: &Accumulator,
) -> (Vec<RelaxedR1CSInstance<E1>>, Vec<RelaxedR1CSWitness<E1>>) {
    let mut u = a.u.clone();
    let mut w = a.w.clone();
    match &a.merge {
        Some(ms) => {
            u.push(ms.u_pm.clone());
            w.push(ms.w_pm.clone());
        }
        None => {
            u.push(RelaxedR1CSInstance::default(&pp.ck1, &pp.pm));
            w.push(RelaxedR1CSWitness::default(&pp.pm));
        }
    }
    (u, w)
}

/// κ_c as the driver presents it to PM: the child's own, flipped for the left child
/// (c = 0) under [`MergeFault::KappaLie`].
fn claimed_kappa(a: &Accumulator, c: usize, fault: MergeFault) -> usize {
    let k = a.kappa as usize;
    if fault == MergeFault::KappaLie && c == 0 {
        1 - k
    } else {
        k
    }
}

/// u'_c's witness for folding into a slot of `shape`: itself when the sizes agree (the
/// honest case), else zero-padded (same commitment) or cut to `shape` (a κ lie).
fn last_witness_for(
    a: &Accumulator,
    shape: &R1CSShape<E2>,
) -> Result<R1CSWitness<E2>, FoldingError> {
    let n = shape.num_vars();
    let w = a.last_w.W();
    if w.len() == n {
        Ok(a.last_w.clone())
    } else if w.len() < n {
        Ok(a.last_w.pad(shape))
    } else {
        Ok(R1CSWitness::new(shape, &w[..n], &mut OsRng)?)
    }
}

fn tamper_first<F: Field>(w: &[F]) -> Vec<F> {
    let mut v = w.to_vec();
    if let Some(x) = v.get_mut(1) {
        *x += F::ONE;
    }
    v
}

impl Accumulator {
    /// Merges the accumulators of two adjacent segments (`left` ends where `right` starts)
    /// into one accumulator of the same shape: n = n_L + n_R, start of `left`, end of
    /// `right`. The result verifies with [`Accumulator::verify`] and can be merged again
    /// (trees of any depth and shape; leaves of any length). It cannot take more steps.
    ///
    /// The children are not verified here (that is `verify`'s job, or the decider's at the
    /// root): merging a false child yields an accumulator that does not verify.
    pub fn merge(
        pp: &PublicParams,
        left: &Accumulator,
        right: &Accumulator,
    ) -> Result<Accumulator, FoldingError> {
        Self::merge_with_fault(pp, left, right, MergeFault::None)
    }

    /// [`Self::merge`] with an injected fault (negative tests only).
    #[doc(hidden)]
    pub fn merge_with_fault(
        pp: &PublicParams,
        left: &Accumulator,
        right: &Accumulator,
        fault: MergeFault,
    ) -> Result<Accumulator, FoldingError> {
        for a in [left, right] {
            if a.pp != pp.digest1 {
                return Err(FoldingError::DigestMismatch);
            }
            if a.u.len() != pp.m
                || a.w.len() != pp.m
                || a.z0.len() != pp.arity
                || a.z.len() != pp.arity
                || a.last.X().len() != 2
                || a.kappa > 1
                || (a.kappa == 1 && a.merge.is_none())
            {
                return Err(FoldingError::NotAdjacent("malformed child".into()));
            }
        }
        let n = left
            .n
            .checked_add(right.n)
            .ok_or_else(|| FoldingError::NotAdjacent("step count overflows".into()))?;
        if fault != MergeFault::SkipNativeChecks && (left.pc != right.pc0 || left.z != right.z0) {
            return Err(FoldingError::NotAdjacent(
                "left.state_out != right.state_in".into(),
            ));
        }
        let _span = tracing::debug_span!("merge", n_left = left.n, n_right = right.n).entered();

        // --- PM side: fold u'_c into U'_c[κ_c], then merge the secondary slots ---
        let sec_shapes: [&R1CSShape<E2>; 2] = [&pp.secondary, &pp.sm];
        let mut slots = Vec::with_capacity(2);
        let mut t1 = Vec::with_capacity(2);
        let kappa = [
            claimed_kappa(left, 0, fault),
            claimed_kappa(right, 1, fault),
        ];
        let mut last_w = Vec::with_capacity(2);
        for (c, a) in [left, right].into_iter().enumerate() {
            let (u, w) = secondary_slots(pp, a);
            let k = kappa[c];
            let lw = last_witness_for(a, sec_shapes[k])?;
            let r_t = F2::random(OsRng);
            let (t, comm) = sec_shapes[k].commit_T(&pp.ck2, &u[k], &w[k], &a.last, &lw, &r_t)?;
            slots.push((u, w));
            t1.push((t, comm, r_t));
            last_w.push(lw);
        }
        let mut e = vec![
            pp.digest1,
            F1::from(kappa[0] as u64),
            F1::from(kappa[1] as u64),
        ];
        e.extend(strict::<E2>(&left.last)?);
        e.extend(strict::<E2>(&right.last)?);
        e.extend(pt::<E2>(&t1[0].1));
        e.extend(pt::<E2>(&t1[1].1));
        let r1: F1 = challenge(&pp.ro1, T_PM1, &e);
        let r1s: F2 = switch_field(&r1)?;
        let children_slots: Vec<_> = slots.iter().map(|(u, _)| u.clone()).collect();
        let mut v: Vec<SecSlots> = Vec::with_capacity(2);
        for (c, a) in [left, right].into_iter().enumerate() {
            let k = kappa[c];
            let (mut u, mut w) = slots[c].clone();
            let (t, comm, r_t) = &t1[c];
            u[k] = u[k].fold(&a.last, comm, &r1s);
            w[k] = w[k].fold(&last_w[c], t, r_t, &r1s)?;
            v.push((u, w));
        }
        let mut t2 = Vec::with_capacity(2);
        for (s, shape) in sec_shapes.iter().enumerate() {
            let r_t = F2::random(OsRng);
            let (t, comm) = shape.commit_T_relaxed(
                &pp.ck2, &v[0].0[s], &v[0].1[s], &v[1].0[s], &v[1].1[s], &r_t,
            )?;
            t2.push((t, comm, r_t));
        }
        if fault == MergeFault::WrongCrossTerm {
            // a cross term for other (random-blinded) values: T''_0 + T''_0
            t2[0].1 = t2[0].1 + t2[0].1;
        }
        let mut e = vec![pp.digest1, r1];
        e.extend(pt::<E2>(&t2[0].1));
        e.extend(pt::<E2>(&t2[1].1));
        let r2: F1 = challenge(&pp.ro1, T_PM2, &e);
        let r2s: F2 = switch_field(&r2)?;
        let mut new_u = Vec::with_capacity(2);
        let mut new_w = Vec::with_capacity(2);
        for (s, (t, comm, r_t)) in t2.iter().enumerate() {
            new_u.push(v[0].0[s].fold_relaxed(&v[1].0[s], comm, &r2s));
            new_w.push(v[0].1[s].fold_relaxed(&v[1].1[s], t, r_t, &r2s)?);
        }

        let rho1 = F1::random(OsRng);
        let child = |a: &Accumulator, c: usize| PrimaryMergeChild {
            n: F1::from(a.n),
            start: (a.pc0, a.z0.clone()),
            end: (a.pc, a.z.clone()),
            slots: children_slots[c].clone(),
            rho: a.rho1,
            last: a.last.clone(),
            kappa: kappa[c] == 1,
            t: t1[c].1,
        };
        let pm_inputs = PrimaryMergeInputs {
            pp: pp.digest1,
            left: child(left, 0),
            right: child(right, 1),
            t_rr: [t2[0].1, t2[1].1],
            rho_new: rho1,
        };
        let (u_pm, w_pm) = prove_pm(pp, pm_inputs, fault == MergeFault::TamperPmWitness)?;
        if fault == MergeFault::None {
            let h = primary_state_hash(
                pp,
                n,
                (&left.pc0, &left.z0),
                (&right.pc, &right.z),
                (&new_u[0], Some(&new_u[1])),
                &rho1,
            );
            if to_int(&u_pm.X()[2]) != to_int(&h) {
                return Err(FoldingError::InvalidInput(
                    "PM output hash differs from the native h".into(),
                ));
            }
        }

        // --- SM side: merge the primary slots, then fold u_PM into slot m ---
        let (ul, wl) = primary_slots(pp, left);
        let (ur, wr) = primary_slots(pp, right);
        let shapes: Vec<&R1CSShape<E1>> = pp.primary.iter().chain([&pp.pm]).collect();
        let mut t3 = Vec::with_capacity(pp.m + 1);
        for (t, shape) in shapes.iter().enumerate() {
            let r_t = F1::random(OsRng);
            let (tt, comm) =
                shape.commit_T_relaxed(&pp.ck1, &ul[t], &wl[t], &ur[t], &wr[t], &r_t)?;
            t3.push((tt, comm, r_t));
        }
        let mut e = vec![pp.digest2];
        e.extend(strict::<E1>(&u_pm)?);
        for (_, comm, _) in &t3 {
            e.extend(pt::<E1>(comm));
        }
        let s1: F2 = challenge(&pp.ro2, T_SM1, &e);
        let s1s: F1 = switch_field(&s1)?;
        let mut pu = Vec::with_capacity(pp.m + 1);
        let mut pw = Vec::with_capacity(pp.m + 1);
        for t in 0..=pp.m {
            let (tt, comm, r_t) = &t3[t];
            pu.push(ul[t].fold_relaxed(&ur[t], comm, &s1s));
            pw.push(wl[t].fold_relaxed(&wr[t], tt, r_t, &s1s)?);
        }
        let r_t = F1::random(OsRng);
        let (tpm, comm_pm) = pp
            .pm
            .commit_T(&pp.ck1, &pu[pp.m], &pw[pp.m], &u_pm, &w_pm, &r_t)?;
        let mut e = vec![pp.digest2, s1];
        e.extend(pt::<E1>(&comm_pm));
        let s2: F2 = challenge(&pp.ro2, T_SM2, &e);
        let s2s: F1 = switch_field(&s2)?;
        let rho2 = F2::random(OsRng);
        let sm_inputs = SecondaryMergeInputs {
            pp: pp.digest2,
            left: ul,
            rho_l: left.rho2,
            right: ur,
            rho_r: right.rho2,
            u_pm: u_pm.clone(),
            t: t3.iter().map(|x| x.1).collect(),
            t_pm: comm_pm,
            rho_new: rho2,
        };
        let (last, last_w) = prove_sm(pp, sm_inputs, fault == MergeFault::TamperSmWitness)?;
        let u_pm_new = pu[pp.m].fold(&u_pm, &comm_pm, &s2s);
        let w_pm_new = pw[pp.m].fold(&w_pm, &tpm, &r_t, &s2s)?;
        pu.truncate(pp.m);
        pw.truncate(pp.m);
        let mut new_u = new_u.into_iter();
        let mut new_w = new_w.into_iter();
        let missing = || FoldingError::InvalidInput("merge slots".into());
        Ok(Accumulator {
            pp: pp.digest1,
            n,
            pc0: left.pc0,
            z0: left.z0.clone(),
            pc: right.pc,
            z: right.z.clone(),
            u: pu,
            w: pw,
            u_sec: new_u.next().ok_or_else(missing)?,
            w_sec: new_w.next().ok_or_else(missing)?,
            last,
            last_w,
            rho1,
            rho2,
            merge: Some(MergeSlots {
                u_pm: u_pm_new,
                w_pm: w_pm_new,
                u_sm: new_u.next().ok_or_else(missing)?,
                w_sm: new_w.next().ok_or_else(missing)?,
            }),
            kappa: 1,
        })
    }
}

fn prove_pm(
    pp: &PublicParams,
    inputs: PrimaryMergeInputs,
    tamper: bool,
) -> Result<(R1CSInstance<E1>, R1CSWitness<E1>), FoldingError> {
    let mut cs = SatisfyingAssignment::<E1>::with_capacity(pp.pm.num_io() + 1, pp.pm.num_vars());
    PrimaryMergeCircuit::new(pp.arity, &pp.ro1, Some(inputs)).synthesize(&mut cs)?;
    if cs.aux_assignment().len() != pp.pm.num_vars() {
        return Err(FoldingError::InvalidInput(
            "PM does not match the parameters".into(),
        ));
    }
    let (u, w) = cs.r1cs_instance_and_witness(&pp.pm, &pp.ck1, &mut OsRng)?;
    if tamper {
        let w = R1CSWitness::<E1>::new(&pp.pm, &tamper_first(w.W()), &mut OsRng)?;
        let u = R1CSInstance::new(&pp.pm, &w.commit(&pp.ck1), u.X())?;
        return Ok((u, w));
    }
    Ok((u, w))
}

fn prove_sm(
    pp: &PublicParams,
    inputs: SecondaryMergeInputs,
    tamper: bool,
) -> Result<(R1CSInstance<E2>, R1CSWitness<E2>), FoldingError> {
    let mut cs = SatisfyingAssignment::<E2>::with_capacity(pp.sm.num_io() + 1, pp.sm.num_vars());
    SecondaryMergeCircuit::new(pp.m, &pp.ro2, Some(inputs)).synthesize(&mut cs)?;
    if cs.aux_assignment().len() != pp.sm.num_vars() {
        return Err(FoldingError::InvalidInput(
            "SM does not match the parameters".into(),
        ));
    }
    let (u, w) = cs.r1cs_instance_and_witness(&pp.sm, &pp.ck2, &mut OsRng)?;
    if tamper {
        let w = R1CSWitness::<E2>::new(&pp.sm, &tamper_first(w.W()), &mut OsRng)?;
        let u = R1CSInstance::new(&pp.sm, &w.commit(&pp.ck2), u.X())?;
        return Ok((u, w));
    }
    Ok((u, w))
}
