//! The secondary augmented circuit S' (PROTOCOL.md §3.2), over F2; it verifies the folding of
//! the primary step just taken into the running instance U[k] of its own circuit.

use crate::gadgets::{
    fold_rs::fold_rs,
    hash::{hash_bits_gadget, hash_num_gadget},
    instance::{alloc_point, default_elems, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::{T_RS2, T_TAU};
use crate::{Commitment, CHALLENGE_BITS, E1, F2, HASH_BITS};
use ff::Field;
use nova_snark::{
    frontend::{
        num::AllocatedNum, AllocatedBit, Boolean, ConstraintSystem, LinearCombination,
        SynthesisError,
    },
    gadgets::utils::{alloc_num_equals, alloc_zero},
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::commitment::CommitmentTrait,
};

/// Witness of S' for one step (PROTOCOL.md §3.2 "Witness").
#[derive(Clone, Debug)]
pub struct SecondaryInputs {
    /// Parameter digest (the same 250-bit integer as in F1).
    pub pp: F2,
    /// The primary running instances U[0..m) before this step.
    pub big_u: Vec<RelaxedR1CSInstance<E1>>,
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
        let slots = (0..m)
            .map(|t| {
                AllocatedRelaxed::<E1>::alloc(
                    cs.namespace(|| format!("U[{t}]")),
                    inp.and_then(|i| i.big_u.get(t)),
                    2,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let u = AllocatedStrict::<E1>::alloc(cs.namespace(|| "u"), inp.map(|i| &i.u), 2)?;
        let t = alloc_point::<E1, _>(
            cs.namespace(|| "T"),
            inp.and_then(|i| i.t.map(|t| t.to_coordinates())),
            true,
        )?;
        let zero = alloc_zero(cs.namespace(|| "zero"));
        let one = AllocatedNum::one::<CS>();

        // 1. is_base = (u.X0 == 0); g_in; (1 - is_base)·(u.X0 - g_in) = 0
        let is_base = Boolean::from(alloc_num_equals(
            cs.namespace(|| "is_base"),
            &u.x[0],
            &zero,
        )?);
        let not_base = is_base.not();
        let mut g_elems = vec![pp.clone()];
        for (s, slot) in slots.iter().enumerate() {
            g_elems.extend(slot.elems(cs.namespace(|| format!("rel U[{s}]")))?);
        }
        g_elems.extend(default_elems(&zero, &one, 3));
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
        let kv = k.get_value();
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

        // 3. U_sel (a chain of selects; exactly one s_t is set); r; V = FoldRS(U_sel, u, T, r)
        let mut u_sel = slots[0].clone();
        for s in 1..m {
            u_sel = AllocatedRelaxed::select(
                cs.namespace(|| format!("sel {s}")),
                &Boolean::from(sel[s].clone()),
                &slots[s],
                &u_sel,
            )?;
        }
        let mut r_elems = vec![pp.clone(), k.clone()];
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

        // 4. new = is_base ? relax(u) : V; other_t = is_base ? DEFAULT : U[t];
        //    U_out[t] = s_t ? new : other_t
        let relaxed = u.relax::<CS>(&zero, &one);
        let new = AllocatedRelaxed::select(cs.namespace(|| "new"), &is_base, &relaxed, &v)?;
        let default = AllocatedRelaxed::<E1>::default_const::<CS>(&zero, &one, 2);
        let mut o_elems = vec![pp];
        for (s, slot) in slots.iter().enumerate() {
            let other = AllocatedRelaxed::select(
                cs.namespace(|| format!("other {s}")),
                &is_base,
                &default,
                slot,
            )?;
            let out = AllocatedRelaxed::select(
                cs.namespace(|| format!("out {s}")),
                &Boolean::from(sel[s].clone()),
                &new,
                &other,
            )?;
            o_elems.extend(out.elems(cs.namespace(|| format!("rel out {s}")))?);
        }
        o_elems.extend(default_elems(&zero, &one, 3));
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
