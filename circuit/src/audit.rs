//! The audit step circuit: after the guest halted, one fold step per page adds the page's
//! final set FS to the memory argument's sum (MEMORY.md §1, [`crate::memcheck`]).
//!
//! One step (circuit index A = 1 + the number of coprocessors, [`BlockParams::audit_index`]):
//! - runs only on a halted state (`halted = 1`);
//! - takes a page number `p` (its bits: `p < memory size / PAGE_BYTES`) with
//!   `p ≥ next_page` (the bits of `p − next_page`), so pages strictly increase and each cell
//!   enters FS once; outputs `next_page' = p + 1`;
//! - for each of the page's [`PAGE_WORDS`] words at `a = PAGE_BYTES·p + 4i`, witnesses the
//!   final leaf `v` and last write time `t` and subtracts `1/(α − h(a, v, t))` from `S`;
//! - absorbs `(p, v_0, t_0, v_1, t_1, …)` into the chain `IC` (so FS and the page list are
//!   fixed before the challenges), and `p` into the page digest `P` that the verifier
//!   recomputes from the statement's page list;
//! - passes every other field of z through and returns `φ' = A` (the audit only ends the
//!   run).
//!
//! Cost: ≈ 3 constraints per word plus the chain's sponge over `2·PAGE_WORDS + 2` elements
//! (≈ 33 per element), pinned in tests/block_circuit.rs.

use canopy_folding::{StepCircuit, F1};
use ff::Field;
use nova_snark::frontend::gadgets::poseidon::Elt;
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use crate::memcheck::binding::PAGE_DOMAIN;
use crate::memcheck::gadget::{bits_num, constant, MemCtx};
use crate::memcheck::{PAGE_BYTES, PAGE_WORDS};
use crate::params::BlockParams;
use crate::state::{Z_ALPHA, Z_CHAIN, Z_GAMMA, Z_HALTED, Z_LEN, Z_NEXT_PAGE, Z_PAGES, Z_SUM};

/// The prover's witness of one audit step.
#[derive(Debug, Clone)]
pub struct AuditWitness {
    /// The audit's circuit index A.
    pub index: u32,
    /// The page number.
    pub page: u64,
    /// Per word of the page: its final tagged leaf and last write time.
    pub cells: Vec<(u64, u64)>,
    /// z before the step.
    pub z_in: Vec<F1>,
    /// z after the step.
    pub z_out: Vec<F1>,
}

/// The audit step circuit (see the module docs).
#[derive(Debug, Clone)]
pub struct AuditStep<'a> {
    params: &'a BlockParams,
    witness: Option<&'a AuditWitness>,
}

impl<'a> AuditStep<'a> {
    /// The circuit for shapes (`None`) or for one proven step.
    pub fn new(params: &'a BlockParams, witness: Option<&'a AuditWitness>) -> Self {
        AuditStep { params, witness }
    }
}

fn alloc<CS: ConstraintSystem<F1>>(
    cs: CS,
    v: Option<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    AllocatedNum::alloc(cs, || v.ok_or(SynthesisError::AssignmentMissing))
}

/// `v` as a u64 if it is one.
fn small(v: F1) -> Option<u64> {
    use ff::PrimeField;
    let repr = v.to_repr();
    let bytes = repr.as_ref();
    if bytes[8..].iter().any(|b| *b != 0) {
        return None;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[..8]);
    Some(u64::from_le_bytes(low))
}

/// `v = c` for a constant c.
fn enforce_const<CS: ConstraintSystem<F1>>(cs: &mut CS, name: &str, v: &AllocatedNum<F1>, c: F1) {
    cs.enforce(
        || name.to_string(),
        |lc| lc + v.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + (c, CS::one()),
    );
}

impl AuditStep<'_> {
    fn synthesize_step<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<F1>],
    ) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
        if z.len() != Z_LEN {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "audit z has {} elements, expected {Z_LEN}",
                z.len()
            )));
        }
        let p = self.params;
        let wit = self.witness;
        if let Some(w) = wit {
            if w.cells.len() != PAGE_WORDS as usize || w.index != p.audit_index() {
                return Err(SynthesisError::IncompatibleLengthVector(
                    "audit witness does not fit the circuit".into(),
                ));
            }
        }
        enforce_const(cs, "halted", &z[Z_HALTED], F1::ONE);

        // The page: inside memory, not before next_page.
        let bits = p.page_bits();
        let page = bits_num(cs.namespace(|| "page"), wit.map(|w| w.page), bits)?;
        let next = z[Z_NEXT_PAGE].get_value().and_then(small);
        let gap = bits_num(
            cs.namespace(|| "page gap"),
            wit.and_then(|w| next.map(|n| w.page.wrapping_sub(n))),
            bits,
        )?;
        cs.enforce(
            || "page = next_page + gap",
            |_| page.lc(F1::ONE),
            |lc| lc + CS::one(),
            |_| gap.lc(F1::ONE) + z[Z_NEXT_PAGE].get_variable(),
        );

        // The final set of the page.
        let mut mem = MemCtx::new(cs.namespace(|| "memory"), &z[Z_GAMMA], &z[Z_ALPHA], None)?;
        let mut absorbed = vec![page.clone()];
        for i in 0..PAGE_WORDS {
            let cs = &mut cs.namespace(|| format!("word {i}"));
            let cell = wit.map(|w| w.cells[i as usize]);
            let v = alloc(cs.namespace(|| "v"), cell.map(|c| F1::from(c.0)))?;
            let t = alloc(cs.namespace(|| "t"), cell.map(|c| F1::from(c.1)))?;
            let a = page
                .clone()
                .scale(F1::from(PAGE_BYTES))
                .add(&constant::<CS>(F1::from(4 * i)));
            mem.final_tuple(cs.namespace(|| "fs"), &a, &v, &t)?;
            absorbed.push(v.into());
            absorbed.push(t.into());
        }
        let chain = p.chain.link_gadget(
            cs.namespace(|| "chain"),
            p.audit_index(),
            &z[Z_CHAIN],
            absorbed,
        )?;
        let pages = p.chain.hash_gadget(
            cs.namespace(|| "page digest"),
            PAGE_DOMAIN,
            vec![Elt::Allocated(z[Z_PAGES].clone()), Elt::Num(page.clone())],
        )?;
        let next_page = Elt::Num(page.add(&constant::<CS>(F1::ONE)))
            .ensure_allocated(&mut cs.namespace(|| "next page"))?;
        let sum = mem.sum_out(cs.namespace(|| "sum"), &z[Z_SUM])?;

        let mut z_out = z.to_vec();
        z_out[Z_SUM] = sum;
        z_out[Z_CHAIN] = chain;
        z_out[Z_NEXT_PAGE] = next_page;
        z_out[Z_PAGES] = pages;
        Ok(z_out)
    }
}

impl StepCircuit<F1> for AuditStep<'_> {
    fn arity(&self) -> usize {
        Z_LEN
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let z_out = self.synthesize_step(&mut cs.namespace(|| "audit step"), z)?;
        let a = F1::from(self.params.audit_index() as u64);
        let phi = alloc(cs.namespace(|| "phi next"), Some(a))?;
        enforce_const(cs, "phi next = A", &phi, a);
        Ok((phi, z_out))
    }
}
