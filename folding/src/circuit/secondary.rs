//! The secondary augmented circuit S' (docs/protocol.md §3.2 with slot digests, see the crate
//! docs), over F2; it verifies the folding of the primary step just taken into the running
//! instance U[k] of its own circuit.

use crate::encoding::{rel, rel_default};
use crate::gadgets::{
    fold_rs::fold_rs,
    hash::{hash_bits_gadget, hash_full_gadget, hash_num_gadget},
    instance::{alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::{hash_full, T_RS2, T_SLOT, T_TAU};
use crate::{Commitment, CHALLENGE_BITS, E1, F2, HASH_BITS};
use ff::Field;
use nova_snark::{
    frontend::{
        num::AllocatedNum, AllocatedBit, Boolean, ConstraintSystem, LinearCombination,
        SynthesisError,
    },
    gadgets::utils::{alloc_num_equals, alloc_zero, conditionally_select},
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::commitment::CommitmentTrait,
};

/// Witness of S' for one step (docs/protocol.md §3.2 "Witness").
#[derive(Clone, Debug)]
pub struct SecondaryInputs {
    /// Parameter digest (the same 250-bit integer as in F1).
    pub pp: F2,
    /// The primary running instances U[0..m) before this step (the circuit takes their
    /// digests and the selected one as witness); in the base case the slots' starts.
    pub big_u: Vec<RelaxedR1CSInstance<E1>>,
    /// The primary merge slot U[m] (PM), carried unchanged through a leaf as its digest
    /// (`None`: DEFAULT_3).
    pub merge_slot: Option<RelaxedR1CSInstance<E1>>,
    /// Test hook: open this instance as U[k] instead of `big_u[k]` (the digests stay those of
    /// `big_u`). `None` in every honest use.
    #[doc(hidden)]
    pub open_instead: Option<RelaxedR1CSInstance<E1>>,
    /// Blind of the input hash.
    pub rho_in: F2,
    /// Blind of the output hash.
    pub rho_next: F2,
    /// The strict instance u just produced by F'_k.
    pub u: R1CSInstance<E1>,
    /// Cross term of folding u into U[k] (`None` = identity, base case).
    pub t: Option<Commitment<E1>>,
    /// Slot index k (the circuit that produced u).
    pub k: F2,
}

/// S': the augmented secondary circuit for m primary slots.
pub struct SecondaryCircuit<'a> {
    m: usize,
    consts: &'a PoseidonConstantsCircuit<F2>,
    inputs: Option<SecondaryInputs>,
}

impl<'a> SecondaryCircuit<'a> {
    /// Creates S' for `m` step circuits (inputs `None` to synthesize the shape).
    pub fn new(
        m: usize,
        consts: &'a PoseidonConstantsCircuit<F2>,
        inputs: Option<SecondaryInputs>,
    ) -> Self {
        Self { m, consts, inputs }
    }

    /// Synthesizes the circuit (public IO `[x_pass, g_out]`).
    pub fn synthesize<CS: ConstraintSystem<F2>>(&self, cs: &mut CS) -> Result<(), SynthesisError> {
        let m = self.m;
        let inp = self.inputs.as_ref();
        let num = |cs: &mut CS, name: &str, v: Option<F2>| {
            AllocatedNum::alloc(cs.namespace(|| name.to_string()), || {
                v.ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let pp = num(cs, "pp", inp.map(|i| i.pp))?;
        let rho_in = num(cs, "rho_in", inp.map(|i| i.rho_in))?;
        let rho_next = num(cs, "rho_next", inp.map(|i| i.rho_next))?;
        let k = num(cs, "k", inp.map(|i| i.k))?;
        let kv = k.get_value();
        let k_idx = inp.and_then(|i| (0..i.big_u.len()).find(|t| F2::from(*t as u64) == i.k));
        // slot digests d_t (bound by g_in) and the selected slot U[k] (bound by d_k)
        let digests = (0..m)
            .map(|t| {
                num(
                    cs,
                    &format!("d_{t}"),
                    inp.map(|i| {
                        i.big_u
                            .get(t)
                            .map_or(F2::ZERO, |u| hash_full(self.consts, T_SLOT, &rel::<E1>(u)))
                    }),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        // U[k] may be a slot's unchecked start (docs/protocol.md §3.7), so it is checked here
        let u_sel = AllocatedRelaxed::<E1>::alloc_checked(
            cs.namespace(|| "U[k]"),
            inp.and_then(|i| {
                i.open_instead
                    .as_ref()
                    .or_else(|| k_idx.and_then(|t| i.big_u.get(t)))
            }),
            2,
        )?;
        // d(U[m]): carried from g_in to g_out unchanged
        let d_merge = num(
            cs,
            "d(U[m])",
            inp.map(|i| {
                i.merge_slot.as_ref().map_or_else(
                    || hash_full(self.consts, T_SLOT, &rel_default::<F2>(3)),
                    |u| hash_full(self.consts, T_SLOT, &rel::<E1>(u)),
                )
            }),
        )?;
        let u = AllocatedStrict::<E1>::alloc(cs.namespace(|| "u"), inp.map(|i| &i.u), 2)?;
        let t = alloc_point::<E1, _>(
            cs.namespace(|| "T"),
            inp.and_then(|i| i.t.map(|t| t.to_coordinates())),
            true,
        )?;
        let zero = alloc_zero(cs.namespace(|| "zero"));

        // 1. is_base = (u.X0 == 0); g_in; (1 - is_base)·(u.X0 - g_in) = 0
        let is_base = Boolean::from(alloc_num_equals(
            cs.namespace(|| "is_base"),
            &u.x[0],
            &zero,
        )?);
        let not_base = is_base.not();
        let mut g_elems = vec![pp.clone()];
        g_elems.extend(digests.iter().cloned());
        g_elems.push(d_merge.clone());
        g_elems.push(rho_in);
        let g_in = hash_num_gadget(
            cs.namespace(|| "g_in"),
            self.consts,
            T_TAU,
            &g_elems,
            HASH_BITS,
        )?;
        cs.enforce(
            || "non-base: u.X0 = g_in",
            |_| not_base.lc(CS::one(), F2::ONE),
            |lc| lc + u.x[0].get_variable() - g_in.get_variable(),
            |lc| lc,
        );

        // 2. exactly-one selector: s_t boolean, Σ s_t = 1, Σ t·s_t = k (P11)
        let sel = (0..m)
            .map(|s| {
                AllocatedBit::alloc(
                    cs.namespace(|| format!("s_{s}")),
                    kv.map(|kv| kv == F2::from(s as u64)),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut sum = LinearCombination::zero();
        let mut wsum = LinearCombination::zero();
        for (s, b) in sel.iter().enumerate() {
            sum = sum + b.get_variable();
            wsum = wsum + (F2::from(s as u64), b.get_variable());
        }
        cs.enforce(
            || "sum s = 1",
            |lc| lc + &sum,
            |lc| lc + CS::one(),
            |lc| lc + CS::one(),
        );
        cs.enforce(
            || "sum t*s_t = k",
            |lc| lc + &wsum,
            |lc| lc + CS::one(),
            |lc| lc + k.get_variable(),
        );

        // 3. d_sel = d_k (chain of selects; exactly one s_t is set);
        //    d(U_sel) = d_sel in every case; r binds d_sel; V = FoldRS(U_sel, u, T, r)
        let mut d_sel = digests[0].clone();
        for s in 1..m {
            d_sel = conditionally_select(
                cs.namespace(|| format!("d_sel {s}")),
                &digests[s],
                &d_sel,
                &Boolean::from(sel[s].clone()),
            )?;
        }
        let sel_elems = u_sel.elems(cs.namespace(|| "rel U[k]"))?;
        let d_u_sel =
            hash_full_gadget(cs.namespace(|| "d(U[k])"), self.consts, T_SLOT, &sel_elems)?;
        cs.enforce(
            || "d(U[k]) = d_k",
            |lc| lc + CS::one(),
            |lc| lc + d_u_sel.get_variable() - d_sel.get_variable(),
            |lc| lc,
        );
        // d_sel in r: in the base case U_sel is bound by nothing else, and a U_sel chosen
        // after r could cancel an unsatisfied u (docs/protocol.md §3.7)
        let mut r_elems = vec![pp.clone(), k.clone(), d_sel];
        r_elems.extend(u.elems());
        r_elems.extend([t.x.clone(), t.y.clone(), t.is_infinity.clone()]);
        let r = Challenge::from_bits(hash_bits_gadget(
            cs.namespace(|| "r"),
            self.consts,
            T_RS2,
            &r_elems,
            CHALLENGE_BITS,
        )?);
        let v = fold_rs(cs.namespace(|| "FoldRS"), &u_sel, &u, &t, &r)?;

        // 4. d_out[t] = s_t ? d(V) : d_t (the same in the base case: the slots start where
        //    the prover's digests say, DEFAULT or random)
        let new_elems = v.elems(cs.namespace(|| "rel V"))?;
        let d_new = hash_full_gadget(cs.namespace(|| "d(V)"), self.consts, T_SLOT, &new_elems)?;
        let mut o_elems = vec![pp];
        for (s, d) in digests.iter().enumerate() {
            let out = conditionally_select(
                cs.namespace(|| format!("out {s}")),
                &d_new,
                d,
                &Boolean::from(sel[s].clone()),
            )?;
            o_elems.push(out);
        }
        o_elems.push(d_merge);
        o_elems.push(rho_next);
        // 5. g_out
        let g_out = hash_num_gadget(
            cs.namespace(|| "g_out"),
            self.consts,
            T_TAU,
            &o_elems,
            HASH_BITS,
        )?;
        // 6. x_pass = u.X1
        u.x[1].inputize(cs.namespace(|| "input x_pass"))?;
        g_out.inputize(cs.namespace(|| "input g_out"))?;
        Ok(())
    }
}
