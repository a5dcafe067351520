//! The secondary merge circuit SM (docs/protocol.md §3.5 with slot digests), over F2, shape SM,
//! public IO `[x_pass, g_new]`.
//!
//! It recomputes both children's secondary state hashes g_L, g_R from their primary slots
//! U_c[0..m] (slot m is PM's; DEFAULT for a leaf) and requires them equal to the first two
//! public values of the strict PM instance u_PM of this merge (PM forwarded them from the
//! children's last instances, whose X0 it checked against σ_c). It merges the slots
//! pairwise (FoldRR, one challenge r1 binding u_PM and all cross terms), folds u_PM into the
//! merged slot m (FoldRS, challenge r2 chained to r1), and outputs
//! `g_new = H2^250(T_TAU, pp, d(U_new[0]), …, d(U_new[m]), ρ_new)`, with `x_pass = u_PM.X2`
//! (= h_new of PM). The output strict instance therefore carries `X = (h_new, g_new)`.

use crate::gadgets::{
    fold_rr::fold_rr,
    fold_rs::fold_rs,
    hash::{hash_bits_gadget, hash_full_gadget, hash_num_gadget},
    instance::{alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::{T_SLOT, T_SM1, T_SM2, T_TAU};
use crate::{Commitment, CHALLENGE_BITS, E1, F2, HASH_BITS};
use nova_snark::{
    frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError},
    gadgets::{ecc::AllocatedPoint, utils::le_bits_to_num},
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::commitment::CommitmentTrait,
};

/// Witness of SM.
#[derive(Clone, Debug)]
pub struct SecondaryMergeInputs {
    /// Parameter digest (the same 250-bit integer as in F1).
    pub pp: F2,
    /// Left child's primary slots U_L[0..m] (slot m: PM's, ℓ = 3).
    pub left: Vec<RelaxedR1CSInstance<E1>>,
    /// Blind ρ2 of the left child's g.
    pub rho_l: F2,
    /// Right child's primary slots U_R[0..m].
    pub right: Vec<RelaxedR1CSInstance<E1>>,
    /// Blind ρ2 of the right child's g.
    pub rho_r: F2,
    /// The strict PM instance of this merge (X = (g_L, g_R, h_new)).
    pub u_pm: R1CSInstance<E1>,
    /// Cross terms T_0..T_m of the slot-wise relaxed–relaxed folds.
    pub t: Vec<Commitment<E1>>,
    /// Cross term of folding u_PM into the merged slot m.
    pub t_pm: Commitment<E1>,
    /// Blind of the output hash g_new.
    pub rho_new: F2,
}

/// A child's allocated primary slots and their in-circuit digests.
type Slots = (Vec<AllocatedRelaxed<E1>>, Vec<AllocatedNum<F2>>);

/// SM for m step circuits.
pub struct SecondaryMergeCircuit<'a> {
    m: usize,
    consts: &'a PoseidonConstantsCircuit<F2>,
    inputs: Option<SecondaryMergeInputs>,
}

fn num<CS: ConstraintSystem<F2>>(
    cs: &mut CS,
    name: &str,
    v: Option<F2>,
) -> Result<AllocatedNum<F2>, SynthesisError> {
    AllocatedNum::alloc(cs.namespace(|| name.to_string()), || {
        v.ok_or(SynthesisError::AssignmentMissing)
    })
}

fn pt_vars(p: &AllocatedPoint<E1>) -> [AllocatedNum<F2>; 3] {
    [p.x.clone(), p.y.clone(), p.is_infinity.clone()]
}

impl<'a> SecondaryMergeCircuit<'a> {
    /// Creates SM for `m` step circuits (inputs `None` to synthesize the shape).
    pub fn new(
        m: usize,
        consts: &'a PoseidonConstantsCircuit<F2>,
        inputs: Option<SecondaryMergeInputs>,
    ) -> Self {
        Self { m, consts, inputs }
    }

    /// Slot t has ℓ = 2 (step circuits) or 3 (PM, t = m).
    fn ell(&self, t: usize) -> usize {
        if t == self.m {
            3
        } else {
            2
        }
    }

    /// Allocates one child's slots and returns them with their digests.
    fn alloc_slots<CS: ConstraintSystem<F2>>(
        &self,
        cs: &mut CS,
        slots: Option<&Vec<RelaxedR1CSInstance<E1>>>,
    ) -> Result<Slots, SynthesisError> {
        let mut us = Vec::with_capacity(self.m + 1);
        let mut ds = Vec::with_capacity(self.m + 1);
        for t in 0..=self.m {
            // a leaf's slot that never ran, and its U[m], are random starts that no earlier
            // circuit checked (§3.7)
            let u = AllocatedRelaxed::<E1>::alloc_checked(
                cs.namespace(|| format!("U[{t}]")),
                slots.and_then(|s| s.get(t)),
                self.ell(t),
            )?;
            let e = u.elems(cs.namespace(|| format!("rel U[{t}]")))?;
            ds.push(hash_full_gadget(
                cs.namespace(|| format!("d(U[{t}])")),
                self.consts,
                T_SLOT,
                &e,
            )?);
            us.push(u);
        }
        Ok((us, ds))
    }

    /// Synthesizes SM (public IO `[x_pass, g_new]`).
    pub fn synthesize<CS: ConstraintSystem<F2>>(&self, cs: &mut CS) -> Result<(), SynthesisError> {
        let m = self.m;
        let inp = self.inputs.as_ref();
        let pp = num(cs, "pp", inp.map(|i| i.pp))?;
        let rho_l = num(cs, "rho L", inp.map(|i| i.rho_l))?;
        let rho_r = num(cs, "rho R", inp.map(|i| i.rho_r))?;
        let rho_new = num(cs, "rho new", inp.map(|i| i.rho_new))?;
        let (ul, dl) = self.alloc_slots(&mut cs.namespace(|| "L"), inp.map(|i| &i.left))?;
        let (ur, dr) = self.alloc_slots(&mut cs.namespace(|| "R"), inp.map(|i| &i.right))?;
        let u_pm = AllocatedStrict::<E1>::alloc(cs.namespace(|| "u_PM"), inp.map(|i| &i.u_pm), 3)?;
        let ts = (0..=m)
            .map(|t| {
                alloc_point::<E1, _>(
                    cs.namespace(|| format!("T_{t}")),
                    inp.and_then(|i| i.t.get(t).map(|c| c.to_coordinates())),
                    true,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let t_pm = alloc_point::<E1, _>(
            cs.namespace(|| "T_PM"),
            inp.map(|i| i.t_pm.to_coordinates()),
            true,
        )?;

        // 1. g_c = H2^250(T_TAU, pp, d(U_c[0..m]), ρ_c); u_PM.X0 = g_L, u_PM.X1 = g_R
        for (k, (name, ds, rho)) in [("L", &dl, &rho_l), ("R", &dr, &rho_r)]
            .into_iter()
            .enumerate()
        {
            let mut e = vec![pp.clone()];
            e.extend(ds.iter().cloned());
            e.push(rho.clone());
            let g = hash_num_gadget(
                cs.namespace(|| format!("g_{name}")),
                self.consts,
                T_TAU,
                &e,
                HASH_BITS,
            )?;
            cs.enforce(
                || format!("u_PM.X{k} = g_{name}"),
                |lc| lc + u_pm.x[k].get_variable() - g.get_variable(),
                |lc| lc + CS::one(),
                |lc| lc,
            );
        }

        // 2. r1 = H2^128(T_SM1, pp, str(u_PM), pt(T_0), …, pt(T_m)); V[t] = FoldRR(U_L[t], U_R[t])
        let mut e = vec![pp.clone()];
        e.extend(u_pm.elems());
        for t in &ts {
            e.extend(pt_vars(t));
        }
        let r1_bits = hash_bits_gadget(
            cs.namespace(|| "r1"),
            self.consts,
            T_SM1,
            &e,
            CHALLENGE_BITS,
        )?;
        let r1_num = le_bits_to_num(cs.namespace(|| "r1 num"), &r1_bits)?;
        let r1 = Challenge::from_bits(r1_bits);
        let mut v = Vec::with_capacity(m + 1);
        for t in 0..=m {
            v.push(fold_rr(
                cs.namespace(|| format!("FoldRR {t}")),
                &ul[t],
                &ur[t],
                &ts[t],
                &r1,
            )?);
        }

        // 3. r2 = H2^128(T_SM2, pp, r1, pt(T_PM)); U_new[m] = FoldRS(V[m], u_PM, T_PM, r2)
        let mut e = vec![pp.clone(), r1_num];
        e.extend(pt_vars(&t_pm));
        let r2 = Challenge::from_bits(hash_bits_gadget(
            cs.namespace(|| "r2"),
            self.consts,
            T_SM2,
            &e,
            CHALLENGE_BITS,
        )?);
        let last = fold_rs(cs.namespace(|| "FoldRS PM"), &v[m], &u_pm, &t_pm, &r2)?;
        v[m] = last;

        // 4. g_new = H2^250(T_TAU, pp, d(U_new[0..m]), ρ_new)
        let mut e = vec![pp];
        for (t, u) in v.iter().enumerate() {
            let el = u.elems(cs.namespace(|| format!("rel U_new[{t}]")))?;
            e.push(hash_full_gadget(
                cs.namespace(|| format!("d(U_new[{t}])")),
                self.consts,
                T_SLOT,
                &el,
            )?);
        }
        e.push(rho_new);
        let g_new = hash_num_gadget(cs.namespace(|| "g_new"), self.consts, T_TAU, &e, HASH_BITS)?;

        // 5. x_pass = u_PM.X2 (< 2^250 by conv250), then g_new
        u_pm.x[2].inputize(cs.namespace(|| "input x_pass"))?;
        g_new.inputize(cs.namespace(|| "input g_new"))?;
        Ok(())
    }
}
