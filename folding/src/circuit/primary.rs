//! The primary augmented circuit F'_j (docs/protocol.md §3.1), over F1; it verifies the folding of
//! the previous secondary step into the secondary running instance U'[0] and runs F_j.

use crate::encoding::{rel, rel_default};
use crate::gadgets::{
    fold_rs::fold_rs,
    hash::{hash_bits_gadget, hash_num_gadget},
    instance::{alloc_point, AllocatedRelaxed, AllocatedStrict, Challenge},
};
use crate::hash::{T_RS1, T_SIG};
use crate::step::StepCircuit;
use crate::{Commitment, CHALLENGE_BITS, E2, F1, HASH_BITS};
use ff::Field;
use nova_snark::{
    frontend::{num::AllocatedNum, Boolean, ConstraintSystem, SynthesisError},
    gadgets::utils::{
        alloc_num_equals, alloc_zero, conditionally_select, conditionally_select_vec,
    },
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::commitment::CommitmentTrait,
};

/// Witness of F'_j for one step (docs/protocol.md §3.1 "Witness").
#[derive(Clone, Debug)]
pub struct PrimaryInputs {
    /// Parameter digest (250-bit integer).
    pub pp: F1,
    /// Step counter i (0 in the base case).
    pub i: F1,
    /// Leaf start pc_0.
    pub pc0: F1,
    /// Leaf start z_0.
    pub z0: Vec<F1>,
    /// Current pc_i (ignored in the base case).
    pub pc_i: F1,
    /// Current z_i (ignored in the base case).
    pub z_i: Vec<F1>,
    /// The secondary running instance U'[0] (`None`: DEFAULT). In the base case it is the
    /// slot's start (DEFAULT or a random satisfying instance, docs/protocol.md §3.7).
    pub big_u: Option<RelaxedR1CSInstance<E2>>,
    /// The secondary merge slot U'[1] (SM), carried unchanged through a leaf (`None`: DEFAULT).
    pub merge_slot: Option<RelaxedR1CSInstance<E2>>,
    /// Blind ρ_i of the input hash.
    pub rho_i: F1,
    /// Blind ρ_next of the output hash.
    pub rho_next: F1,
    /// The last secondary strict instance u' (`None` in the base case).
    pub last: Option<R1CSInstance<E2>>,
    /// Cross term T' of folding u' into U'[0] (`None` in the base case).
    pub t: Option<Commitment<E2>>,
}

/// F'_j: the augmented primary circuit of step circuit j.
pub struct PrimaryCircuit<'a, C: StepCircuit<F1>> {
    j: usize,
    arity: usize,
    consts: &'a PoseidonConstantsCircuit<F1>,
    inputs: Option<PrimaryInputs>,
    step: &'a C,
}

impl<'a, C: StepCircuit<F1>> PrimaryCircuit<'a, C> {
    /// Creates F'_j around `step` (inputs `None` to synthesize the shape).
    pub fn new(
        j: usize,
        step: &'a C,
        consts: &'a PoseidonConstantsCircuit<F1>,
        inputs: Option<PrimaryInputs>,
    ) -> Self {
        Self {
            j,
            arity: step.arity(),
            consts,
            inputs,
            step,
        }
    }

    /// Synthesizes the circuit; returns `(pc_next, z_next)` of F_j (the public IO is
    /// `[x_pass, h_out]`).
    pub fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let a = self.arity;
        let inp = self.inputs.as_ref();
        let num = |cs: &mut CS, name: &str, v: Option<F1>| {
            AllocatedNum::alloc(cs.namespace(|| name.to_string()), || {
                v.ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let vec = |cs: &mut CS, name: &str, f: &dyn Fn(&PrimaryInputs) -> &Vec<F1>| {
            (0..a)
                .map(|k| {
                    num(
                        cs,
                        &format!("{name}_{k}"),
                        inp.map(|i| f(i).get(k).copied().unwrap_or(F1::ZERO)),
                    )
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let pp = num(cs, "pp", inp.map(|i| i.pp))?;
        let i = num(cs, "i", inp.map(|i| i.i))?;
        let pc0 = num(cs, "pc0", inp.map(|i| i.pc0))?;
        let z0 = vec(cs, "z0", &|i| &i.z0)?;
        let pc_i = num(cs, "pc_i", inp.map(|i| i.pc_i))?;
        let z_i = vec(cs, "z_i", &|i| &i.z_i)?;
        let rho_i = num(cs, "rho_i", inp.map(|i| i.rho_i))?;
        let rho_next = num(cs, "rho_next", inp.map(|i| i.rho_next))?;
        // U'[0] is free in the base case (the slot's start), so it is checked here (§3.7)
        let big_u = AllocatedRelaxed::<E2>::alloc_checked(
            cs.namespace(|| "U'[0]"),
            inp.and_then(|i| i.big_u.as_ref()),
            2,
        )?;
        let last = AllocatedStrict::<E2>::alloc(
            cs.namespace(|| "u'"),
            inp.and_then(|i| i.last.as_ref()),
            2,
        )?;
        let t = alloc_point::<E2, _>(
            cs.namespace(|| "T'"),
            inp.and_then(|i| i.t.map(|t| t.to_coordinates())),
            true,
        )?;

        // rel(U'[1]): carried from h_in to h_out unchanged, never computed on (§3.7)
        let merge_rel = match inp {
            Some(i) => i
                .merge_slot
                .as_ref()
                .map_or_else(|| rel_default::<F1>(2), rel::<E2>),
            None => rel_default::<F1>(2),
        };
        let merge_elems = merge_rel
            .iter()
            .enumerate()
            .map(|(k, v)| num(cs, &format!("rel U'[1] {k}"), inp.map(|_| *v)))
            .collect::<Result<Vec<_>, _>>()?;

        let zero = alloc_zero(cs.namespace(|| "zero"));
        let is_base = Boolean::from(alloc_num_equals(cs.namespace(|| "is_base"), &i, &zero)?);
        let not_base = is_base.not();

        // 2. h_in
        let mut h_elems = vec![pp.clone(), i.clone(), pc0.clone()];
        h_elems.extend(z0.iter().cloned());
        h_elems.push(pc_i.clone());
        h_elems.extend(z_i.iter().cloned());
        h_elems.extend(big_u.elems(cs.namespace(|| "rel U'[0]"))?);
        h_elems.extend(merge_elems.iter().cloned());
        h_elems.push(rho_i);
        let h_in = hash_num_gadget(
            cs.namespace(|| "h_in"),
            self.consts,
            T_SIG,
            &h_elems,
            HASH_BITS,
        )?;
        // 3. (1 - is_base)·(u'.X0 - h_in) = 0
        cs.enforce(
            || "non-base: u'.X0 = h_in",
            |_| not_base.lc(CS::one(), F1::ONE),
            |lc| lc + last.x[0].get_variable() - h_in.get_variable(),
            |lc| lc,
        );
        // 4. r = H1^128(T_RS1, pp, str(u'), pt(T')); V = FoldRS(U'[0], u', T', r)
        let mut r_elems = vec![pp.clone()];
        r_elems.extend(last.elems());
        r_elems.extend([t.x.clone(), t.y.clone(), t.is_infinity.clone()]);
        let r = Challenge::from_bits(hash_bits_gadget(
            cs.namespace(|| "r"),
            self.consts,
            T_RS1,
            &r_elems,
            CHALLENGE_BITS,
        )?);
        let v = fold_rs(cs.namespace(|| "FoldRS"), &big_u, &last, &t, &r)?;
        // 5. U_out = is_base ? U'[0] (the slot's start) : V
        let u_out = AllocatedRelaxed::select(cs.namespace(|| "U_out"), &is_base, &big_u, &v)?;
        // 6. (pc, z) = is_base ? (pc_0, z_0) : (pc_i, z_i); pc = j
        let pc = conditionally_select(cs.namespace(|| "pc"), &pc0, &pc_i, &is_base)?;
        let z = conditionally_select_vec(cs.namespace(|| "z"), &z0, &z_i, &is_base)?;
        cs.enforce(
            || "pc = j",
            |lc| lc + pc.get_variable() - (F1::from(self.j as u64), CS::one()),
            |lc| lc + CS::one(),
            |lc| lc,
        );
        // 7. F_j
        let (pc_next, z_next) = self.step.synthesize(&mut cs.namespace(|| "F_j"), &pc, &z)?;
        if z_next.len() != a {
            return Err(SynthesisError::IncompatibleLengthVector("z_next".into()));
        }
        let i_next = AllocatedNum::alloc(cs.namespace(|| "i+1"), || {
            i.get_value()
                .map(|v| v + F1::ONE)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "i_next = i + 1",
            |lc| lc + i.get_variable() + CS::one(),
            |lc| lc + CS::one(),
            |lc| lc + i_next.get_variable(),
        );
        // 8. h_out
        let mut o_elems = vec![pp.clone(), i_next, pc0.clone()];
        o_elems.extend(z0.iter().cloned());
        o_elems.push(pc_next.clone());
        o_elems.extend(z_next.iter().cloned());
        o_elems.extend(u_out.elems(cs.namespace(|| "rel U_out"))?);
        o_elems.extend(merge_elems);
        o_elems.push(rho_next);
        let h_out = hash_num_gadget(
            cs.namespace(|| "h_out"),
            self.consts,
            T_SIG,
            &o_elems,
            HASH_BITS,
        )?;
        // 9. x_pass = (1 - is_base)·u'.X1
        let x_pass = AllocatedNum::alloc(cs.namespace(|| "x_pass"), || {
            match (is_base.get_value(), last.x[1].get_value()) {
                (Some(true), _) => Ok(F1::ZERO),
                (Some(false), Some(v)) => Ok(v),
                _ => Err(SynthesisError::AssignmentMissing),
            }
        })?;
        cs.enforce(
            || "x_pass = (1 - is_base) * u'.X1",
            |_| not_base.lc(CS::one(), F1::ONE),
            |lc| lc + last.x[1].get_variable(),
            |lc| lc + x_pass.get_variable(),
        );
        x_pass.inputize(cs.namespace(|| "input x_pass"))?;
        h_out.inputize(cs.namespace(|| "input h_out"))?;
        Ok((pc_next, z_next))
    }
}
