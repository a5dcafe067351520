//! The primary merge circuit PM (docs/protocol.md §3.4, see `canopy-pcd`'s module docs for the
//! node relation), over F1, shape S_PM, public IO `[xL, xR, h_new]`.
//!
//! For each child c ∈ {L, R} it recomputes the child's primary state hash h_c from σ_c and
//! requires `u'_c.X0 = h_c` (unconditionally: merges have no base case); it folds each
//! child's last strict secondary instance u'_c into the child's secondary slot κ_c
//! (FoldRS, one challenge r1 for both children), merges the two children's secondary slots
//! pairwise (FoldRR, challenge r2 chained to r1), glues the executions
//! (`pc_out_L = pc_in_R`, `z_out_L = z_in_R`, by sharing the variables), adds the step
//! counts, and outputs the new primary state hash. `xL = u'_L.X1`, `xR = u'_R.X1` (the
//! children's g) are forwarded to SM, which checks them against the children's primary
//! running instances.

use crate::gadgets::{
    fold_rr::fold_rr,
    fold_rs::fold_rs,
    hash::{hash_bits_gadget, hash_num_gadget},
    instance::{alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::{T_PM1, T_PM2, T_SIG};
use crate::{Commitment, CHALLENGE_BITS, E2, F1, HASH_BITS};
use ff::Field;
use nova_snark::{
    frontend::{num::AllocatedNum, AllocatedBit, Boolean, ConstraintSystem, SynthesisError},
    gadgets::{ecc::AllocatedPoint, utils::le_bits_to_num},
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::commitment::CommitmentTrait,
};

/// The part of one child accumulator that PM reads (σ_c, ρ_c, u'_c, κ_c, T'_c).
#[derive(Clone, Debug)]
pub struct PrimaryMergeChild {
    /// Step count n_c.
    pub n: F1,
    /// Start (pc_in, z_in) of the child's segment.
    pub start: (F1, Vec<F1>),
    /// End (pc_out, z_out) of the child's segment.
    pub end: (F1, Vec<F1>),
    /// Secondary slots U'_c[0] (shape S') and U'_c[1] (shape SM; DEFAULT for a leaf).
    pub slots: [RelaxedR1CSInstance<E2>; 2],
    /// Blind ρ1 of the child's h.
    pub rho: F1,
    /// Last strict secondary instance u'_c.
    pub last: R1CSInstance<E2>,
    /// κ_c: false if u'_c comes from S', true if from SM.
    pub kappa: bool,
    /// Cross term of folding u'_c into U'_c[κ_c].
    pub t: Commitment<E2>,
}

/// Witness of PM.
#[derive(Clone, Debug)]
pub struct PrimaryMergeInputs {
    /// Parameter digest.
    pub pp: F1,
    /// Left child (earlier segment).
    pub left: PrimaryMergeChild,
    /// Right child (later segment). Its `start` is not read: the circuit uses the left
    /// child's `end` in its place (continuity by shared variables).
    pub right: PrimaryMergeChild,
    /// Cross terms T''_0, T''_1 of the slot-wise relaxed–relaxed folds.
    pub t_rr: [Commitment<E2>; 2],
    /// Blind of the output hash h_new.
    pub rho_new: F1,
}

/// PM for state arity `arity`.
pub struct PrimaryMergeCircuit<'a> {
    arity: usize,
    consts: &'a PoseidonConstantsCircuit<F1>,
    inputs: Option<PrimaryMergeInputs>,
}

/// A child's allocated σ_c pieces.
struct ChildVars {
    n: AllocatedNum<F1>,
    end: (AllocatedNum<F1>, Vec<AllocatedNum<F1>>),
    slots: [AllocatedRelaxed<E2>; 2],
    last: AllocatedStrict<E2>,
    kappa: AllocatedBit,
    kappa_num: AllocatedNum<F1>,
    t: AllocatedPoint<E2>,
}

fn num<CS: ConstraintSystem<F1>>(
    cs: &mut CS,
    name: &str,
    v: Option<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    AllocatedNum::alloc(cs.namespace(|| name.to_string()), || {
        v.ok_or(SynthesisError::AssignmentMissing)
    })
}

fn nums<CS: ConstraintSystem<F1>>(
    cs: &mut CS,
    name: &str,
    a: usize,
    v: Option<&Vec<F1>>,
) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
    (0..a)
        .map(|k| {
            num(
                cs,
                &format!("{name}_{k}"),
                v.map(|v| v.get(k).copied().unwrap_or(F1::ZERO)),
            )
        })
        .collect()
}

fn pt_vars(p: &AllocatedPoint<E2>) -> [AllocatedNum<F1>; 3] {
    [p.x.clone(), p.y.clone(), p.is_infinity.clone()]
}

impl<'a> PrimaryMergeCircuit<'a> {
    /// Creates PM (inputs `None` to synthesize the shape).
    pub fn new(
        arity: usize,
        consts: &'a PoseidonConstantsCircuit<F1>,
        inputs: Option<PrimaryMergeInputs>,
    ) -> Self {
        Self {
            arity,
            consts,
            inputs,
        }
    }

    /// Allocates one child's witness; `start` is `Some` only for the left child.
    fn alloc_child<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        c: Option<&PrimaryMergeChild>,
    ) -> Result<ChildVars, SynthesisError> {
        let a = self.arity;
        let n = num(cs, "n", c.map(|c| c.n))?;
        let pc_out = num(cs, "pc_out", c.map(|c| c.end.0))?;
        let z_out = nums(cs, "z_out", a, c.map(|c| &c.end.1))?;
        let s0 =
            AllocatedRelaxed::<E2>::alloc(cs.namespace(|| "U'[0]"), c.map(|c| &c.slots[0]), 2)?;
        // a leaf only carries U'[1] (a random start is checked by no earlier circuit, §3.7)
        let s1 = AllocatedRelaxed::<E2>::alloc_checked(
            cs.namespace(|| "U'[1]"),
            c.map(|c| &c.slots[1]),
            2,
        )?;
        let last = AllocatedStrict::<E2>::alloc(cs.namespace(|| "u'"), c.map(|c| &c.last), 2)?;
        let kappa = AllocatedBit::alloc(cs.namespace(|| "kappa"), c.map(|c| c.kappa))?;
        let kappa_num = num(
            cs,
            "kappa num",
            c.map(|c| if c.kappa { F1::ONE } else { F1::ZERO }),
        )?;
        cs.enforce(
            || "kappa num = kappa",
            |lc| lc + kappa_num.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + kappa.get_variable(),
        );
        let t = alloc_point::<E2, _>(cs.namespace(|| "T'"), c.map(|c| c.t.to_coordinates()), true)?;
        Ok(ChildVars {
            n,
            end: (pc_out, z_out),
            slots: [s0, s1],
            last,
            kappa,
            kappa_num,
            t,
        })
    }

    /// Synthesizes PM (public IO `[xL, xR, h_new]`).
    pub fn synthesize<CS: ConstraintSystem<F1>>(&self, cs: &mut CS) -> Result<(), SynthesisError> {
        let a = self.arity;
        let inp = self.inputs.as_ref();
        let pp = num(cs, "pp", inp.map(|i| i.pp))?;
        let pc_in = num(cs, "pc_in L", inp.map(|i| i.left.start.0))?;
        let z_in = nums(cs, "z_in L", a, inp.map(|i| &i.left.start.1))?;
        let rho_l = num(cs, "rho L", inp.map(|i| i.left.rho))?;
        let rho_r = num(cs, "rho R", inp.map(|i| i.right.rho))?;
        let rho_new = num(cs, "rho new", inp.map(|i| i.rho_new))?;
        let l = self.alloc_child(&mut cs.namespace(|| "L"), inp.map(|i| &i.left))?;
        let r = self.alloc_child(&mut cs.namespace(|| "R"), inp.map(|i| &i.right))?;
        let t_rr = (0..2)
            .map(|s| {
                alloc_point::<E2, _>(
                    cs.namespace(|| format!("T''_{s}")),
                    inp.map(|i| i.t_rr[s].to_coordinates()),
                    true,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;

        // 1. h_c = H1^250(T_SIG, pp, n_c, start_c, end_c, rel(U'_c[0]), rel(U'_c[1]), ρ_c);
        //    u'_c.X0 = h_c. 2. Continuity: start_R is end_L (the same variables).
        let starts = [(&pc_in, &z_in), (&l.end.0, &l.end.1)];
        for (name, (c, rho, start)) in [
            ("L", (&l, &rho_l, starts[0])),
            ("R", (&r, &rho_r, starts[1])),
        ] {
            let mut e = vec![pp.clone(), c.n.clone(), start.0.clone()];
            e.extend(start.1.iter().cloned());
            e.push(c.end.0.clone());
            e.extend(c.end.1.iter().cloned());
            e.extend(c.slots[0].elems(cs.namespace(|| format!("rel U'_{name}[0]")))?);
            e.extend(c.slots[1].elems(cs.namespace(|| format!("rel U'_{name}[1]")))?);
            e.push(rho.clone());
            let h = hash_num_gadget(
                cs.namespace(|| format!("h_{name}")),
                self.consts,
                T_SIG,
                &e,
                HASH_BITS,
            )?;
            cs.enforce(
                || format!("u'_{name}.X0 = h_{name}"),
                |lc| lc + c.last.x[0].get_variable() - h.get_variable(),
                |lc| lc + CS::one(),
                |lc| lc,
            );
        }

        // 3. r1 = H1^128(T_PM1, pp, κ_L, κ_R, str(u'_L), str(u'_R), pt(T'_L), pt(T'_R))
        let mut e = vec![pp.clone(), l.kappa_num.clone(), r.kappa_num.clone()];
        e.extend(l.last.elems());
        e.extend(r.last.elems());
        e.extend(pt_vars(&l.t));
        e.extend(pt_vars(&r.t));
        let r1_bits = hash_bits_gadget(
            cs.namespace(|| "r1"),
            self.consts,
            T_PM1,
            &e,
            CHALLENGE_BITS,
        )?;
        let r1_num = le_bits_to_num(cs.namespace(|| "r1 num"), &r1_bits)?;
        let r1 = Challenge::from_bits(r1_bits);

        // 4. V_c[κ_c] = FoldRS(U'_c[κ_c], u'_c, T'_c, r1); V_c[1 − κ_c] = U'_c[1 − κ_c]
        let mut v = Vec::with_capacity(2);
        for (name, c) in [("L", &l), ("R", &r)] {
            let k = Boolean::from(c.kappa.clone());
            let sel = AllocatedRelaxed::select(
                cs.namespace(|| format!("U'_{name}[kappa]")),
                &k,
                &c.slots[1],
                &c.slots[0],
            )?;
            let f = fold_rs(
                cs.namespace(|| format!("FoldRS {name}")),
                &sel,
                &c.last,
                &c.t,
                &r1,
            )?;
            let v0 = AllocatedRelaxed::select(
                cs.namespace(|| format!("V_{name}[0]")),
                &k,
                &c.slots[0],
                &f,
            )?;
            let v1 = AllocatedRelaxed::select(
                cs.namespace(|| format!("V_{name}[1]")),
                &k,
                &f,
                &c.slots[1],
            )?;
            v.push([v0, v1]);
        }

        // 5. r2 = H1^128(T_PM2, pp, r1, pt(T''_0), pt(T''_1)); U'_new[s] = FoldRR(V_L[s], V_R[s])
        let mut e = vec![pp.clone(), r1_num];
        e.extend(pt_vars(&t_rr[0]));
        e.extend(pt_vars(&t_rr[1]));
        let r2 = Challenge::from_bits(hash_bits_gadget(
            cs.namespace(|| "r2"),
            self.consts,
            T_PM2,
            &e,
            CHALLENGE_BITS,
        )?);
        let mut new = Vec::with_capacity(2);
        for s in 0..2 {
            new.push(fold_rr(
                cs.namespace(|| format!("FoldRR {s}")),
                &v[0][s],
                &v[1][s],
                &t_rr[s],
                &r2,
            )?);
        }

        // 6. n = n_L + n_R; h_new
        let n = AllocatedNum::alloc(cs.namespace(|| "n"), || {
            match (l.n.get_value(), r.n.get_value()) {
                (Some(x), Some(y)) => Ok(x + y),
                _ => Err(SynthesisError::AssignmentMissing),
            }
        })?;
        cs.enforce(
            || "n = n_L + n_R",
            |lc| lc + l.n.get_variable() + r.n.get_variable(),
            |lc| lc + CS::one(),
            |lc| lc + n.get_variable(),
        );
        let mut e = vec![pp, n, pc_in];
        e.extend(z_in);
        e.push(r.end.0.clone());
        e.extend(r.end.1.iter().cloned());
        e.extend(new[0].elems(cs.namespace(|| "rel U'_new[0]"))?);
        e.extend(new[1].elems(cs.namespace(|| "rel U'_new[1]"))?);
        e.push(rho_new);
        let h_new = hash_num_gadget(cs.namespace(|| "h_new"), self.consts, T_SIG, &e, HASH_BITS)?;

        // 7. xL = u'_L.X1, xR = u'_R.X1 (< 2^250 by conv250), h_new
        l.last.x[1].inputize(cs.namespace(|| "input xL"))?;
        r.last.x[1].inputize(cs.namespace(|| "input xR"))?;
        h_new.inputize(cs.namespace(|| "input h_new"))?;
        Ok(())
    }
}
