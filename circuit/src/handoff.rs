//! Coprocessor step circuits: the other side of the `custom-0` mailbox (docs/cpu-circuit.md §4).
//!
//! A `custom-0` instruction is proven in three parts: row A of a CPU block posts the call in
//! the IVC state's mailbox (`called = 1`, `call = j`, `arg0 = rs1`, `arg1 = rs2`) and the block
//! hands over with fold program counter φ = j; the coprocessor's step circuit F_j
//! ([`CoprocessorStep`]) answers it; row B of the next CPU block writes `ret` to rd.
//!
//! [`CoprocessorStep`] wraps a user's [`CoprocessorCircuit`](crate::coprocessor::CoprocessorCircuit) and enforces everything that keeps
//! the CPU sound, so a user circuit cannot break it:
//! - it runs only on a posted, unanswered call to itself: `called = 1`, `done = 0`, `call = j`
//!   (the folding engine already forces φ = j);
//! - it reads its declared input words ([`Region`](crate::coprocessor::Region)s at `arg0`/`arg1`
//!   plus a fixed offset) by pure-read accesses of the memory argument ([`crate::memcheck`]),
//!   each word range-checked to 32 bits, and hands them to the user circuit with their bits;
//! - it writes the user circuit's output words (range-checked) to the declared output regions
//!   by read-modify-write accesses. Output words must be writable and not executable
//!   (W = 1, X = 0): a coprocessor can neither write read-only data nor change code, so row B
//!   re-fetches the same `custom-0` word (a VM coprocessor that writes code is therefore not
//!   provable: a completeness gap, never a soundness one);
//! - it advances the clock by its access count, adds its LogUp terms to `S`, absorbs its
//!   packed accesses ([`crate::memcheck::binding::pack_access`]) into the chain with domain
//!   separator `CHAIN_DOMAIN + j`;
//! - it sets `done = 1` and `ret` = the user's status (range-checked), passes every other
//!   field of z through unchanged (pc, registers' hash, I/O, counters), and returns φ = 0.
//!
//! Addresses: `arg + 4·(offset + i)` must be 4-aligned and inside memory (the word-index
//! decomposition is the check); otherwise the step is unsatisfiable.
//!
//! Costs: per input word ≈ 36 (the access) + 33 (its bits) + the address bits + its share of
//! the chain (≈ 33); per output word one more product and the new word's bits.

use std::fmt;

use canopy_folding::{StepCircuit, F1};
use ff::Field;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};

use crate::coprocessor::{u32_bits, Arg, CoprocessorCircuit, DynCs, InputWord};
use crate::memcheck::binding::pack_nums;
use crate::memcheck::gadget::MemCtx;
use crate::memcheck::{AccessRecord, ADDR_BITS, VALUE_BITS};
use crate::memory::gadgets::pack_bits;
use crate::params::BlockParams;
use crate::state::{
    Z_ALPHA, Z_ARG0, Z_ARG1, Z_CALL, Z_CALLED, Z_CHAIN, Z_CLOCK, Z_DONE, Z_GAMMA, Z_LEN, Z_RET,
    Z_SUM,
};

/// The prover's witness of one coprocessor step.
#[derive(Debug, Clone)]
pub struct CoprocessorWitness {
    /// The step circuit's index j (≥ 1).
    pub index: u32,
    /// The mailbox arguments.
    pub args: [u32; 2],
    /// Per input word: its access (a pure read).
    pub reads: Vec<AccessRecord>,
    /// Per output word: its access (read-modify-write).
    pub writes: Vec<AccessRecord>,
    /// z before the step.
    pub z_in: Vec<F1>,
    /// z after the step.
    pub z_out: Vec<F1>,
}

/// The step circuit F_j of coprocessor j (see the module docs).
#[derive(Clone)]
pub struct CoprocessorStep<'a> {
    pub(crate) params: &'a BlockParams,
    pub(crate) index: u32,
    pub(crate) witness: Option<&'a CoprocessorWitness>,
}

impl fmt::Debug for CoprocessorStep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoprocessorStep")
            .field("index", &self.index)
            .field("witness", &self.witness.is_some())
            .finish()
    }
}

impl<'a> CoprocessorStep<'a> {
    /// The circuit of coprocessor `index` (≥ 1, as in [`BlockParams::coprocessors`]) for
    /// shapes, or for one proven step when `witness` is given.
    pub fn new(
        params: &'a BlockParams,
        index: u32,
        witness: Option<&'a CoprocessorWitness>,
    ) -> Result<Self, SynthesisError> {
        if index == 0 || index as usize > params.coprocessors().len() {
            return Err(SynthesisError::Unsatisfiable(format!(
                "no coprocessor with circuit index {index}"
            )));
        }
        Ok(CoprocessorStep {
            params,
            index,
            witness,
        })
    }

    fn circuit(&self) -> &'a dyn CoprocessorCircuit {
        &*self.params.coprocessors()[self.index as usize - 1]
    }
}

fn alloc<CS: ConstraintSystem<F1>>(
    cs: CS,
    v: Option<F1>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    AllocatedNum::alloc(cs, || v.ok_or(SynthesisError::AssignmentMissing))
}

/// `v == c` for a constant c.
fn enforce_const<CS: ConstraintSystem<F1>>(cs: &mut CS, name: &str, v: &AllocatedNum<F1>, c: F1) {
    cs.enforce(
        || name.to_string(),
        |lc| lc + v.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + (c, CS::one()),
    );
}

/// The byte address `arg + 4·k` from its word-index bits, checking that it is aligned and
/// inside the memory (`word_bits` + 1 constraints).
fn word_address<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    arg: &AllocatedNum<F1>,
    k: u64,
    word_bits: usize,
    value: Option<u32>,
) -> Result<Num<F1>, SynthesisError> {
    let mut bits = Vec::with_capacity(word_bits);
    for i in 0..word_bits {
        let b = AllocatedBit::alloc(
            cs.namespace(|| format!("a{i}")),
            value.map(|a| (a >> 2) >> i & 1 == 1),
        )?;
        bits.push(Boolean::Is(b));
    }
    let packed = pack_bits::<F1, CS>(&bits, 2);
    cs.enforce(
        || "address",
        |_| packed.lc(F1::ONE),
        |lc| lc + CS::one(),
        |lc| lc + arg.get_variable() + (F1::from(4 * k), CS::one()),
    );
    Ok(packed)
}

impl CoprocessorStep<'_> {
    fn synthesize_step<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<F1>],
    ) -> Result<Vec<AllocatedNum<F1>>, SynthesisError> {
        if z.len() != Z_LEN {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "coprocessor z has {} elements, expected {Z_LEN}",
                z.len()
            )));
        }
        let p = self.params;
        let circuit = self.circuit();
        let wit = self.witness;
        let (inputs, outputs) = (circuit.inputs(), circuit.outputs());
        let n_in: usize = inputs.iter().map(|r| r.words as usize).sum();
        let n_out: usize = outputs.iter().map(|r| r.words as usize).sum();
        if let Some(w) = wit {
            if w.reads.len() != n_in || w.writes.len() != n_out || w.index != self.index {
                return Err(SynthesisError::IncompatibleLengthVector(
                    "coprocessor witness does not fit the circuit".into(),
                ));
            }
        }

        // Only a posted, unanswered call to this coprocessor.
        enforce_const(cs, "called", &z[Z_CALLED], F1::ONE);
        enforce_const(cs, "not done", &z[Z_DONE], F1::ZERO);
        enforce_const(cs, "call is j", &z[Z_CALL], F1::from(self.index as u64));

        let args = [&z[Z_ARG0], &z[Z_ARG1]];
        let arg_vals = wit.map(|w| w.args);
        let word_bits = p.word_bits();
        let mut mem = MemCtx::new(
            cs.namespace(|| "memory"),
            &z[Z_GAMMA],
            &z[Z_ALPHA],
            Some(&z[Z_CLOCK]),
        )?;
        let mut packed = Vec::with_capacity(n_in + n_out);

        // Inputs.
        let mut words = Vec::with_capacity(n_in);
        let mut i = 0usize;
        for (ri, r) in inputs.iter().enumerate() {
            let arg = match r.base {
                Arg::Rs1 => 0,
                Arg::Rs2 => 1,
            };
            let addrs = arg_vals.and_then(|a| r.addresses(a));
            for k in 0..r.words as usize {
                let cs = &mut cs.namespace(|| format!("in {ri}.{k}"));
                let read = wit.map(|w| &w.reads[i]);
                let addr = word_address(
                    cs.namespace(|| "addr"),
                    args[arg],
                    r.offset as u64 + k as u64,
                    word_bits,
                    addrs.as_ref().map(|a| a[k]),
                )?;
                let value = alloc(
                    cs.namespace(|| "word"),
                    read.map(|r| F1::from(r.old.word as u64)),
                )?;
                let bits = u32_bits(cs.namespace(|| "bits"), &value)?;
                let w = Boolean::Is(AllocatedBit::alloc(
                    cs.namespace(|| "W"),
                    read.map(|r| r.old.writable),
                )?);
                let x = Boolean::Is(AllocatedBit::alloc(
                    cs.namespace(|| "X"),
                    read.map(|r| r.old.executable),
                )?);
                let leaf = Num::from(value.clone())
                    .add(&pack_bits::<F1, CS>(std::slice::from_ref(&w), 32))
                    .add(&pack_bits::<F1, CS>(std::slice::from_ref(&x), 33));
                let gap = mem.access(
                    cs.namespace(|| "read"),
                    &addr,
                    &leaf,
                    None,
                    read.map(|r| r.gap()),
                )?;
                packed.push(pack_nums(vec![
                    (addr, ADDR_BITS),
                    (leaf.clone(), VALUE_BITS),
                    (leaf, VALUE_BITS),
                    (gap, crate::memcheck::GAP_BITS),
                ]));
                words.push(InputWord { value, bits });
                i += 1;
            }
        }

        // The user's circuit.
        let out = {
            let mut ns = cs.namespace(|| format!("coprocessor {}", circuit.name()));
            let mut dcs = DynCs::new(&mut ns);
            circuit.synthesize(&mut dcs, args, &words)?
        };
        if out.words.len() != n_out {
            return Err(SynthesisError::IncompatibleLengthVector(format!(
                "coprocessor {} returned {} words, declared {n_out}",
                circuit.name(),
                out.words.len()
            )));
        }

        // Outputs: W = 1, X = 0 (constants), old and new words range-checked.
        let tag = Num::zero().add_bool_with_coeff(
            CS::one(),
            &Boolean::constant(true),
            F1::from(1u64 << 32),
        );
        let mut i = 0usize;
        for (ri, r) in outputs.iter().enumerate() {
            let arg = match r.base {
                Arg::Rs1 => 0,
                Arg::Rs2 => 1,
            };
            let addrs = arg_vals.and_then(|a| r.addresses(a));
            for k in 0..r.words as usize {
                let cs = &mut cs.namespace(|| format!("out {ri}.{k}"));
                let write = wit.map(|w| &w.writes[i]);
                let addr = word_address(
                    cs.namespace(|| "addr"),
                    args[arg],
                    r.offset as u64 + k as u64,
                    word_bits,
                    addrs.as_ref().map(|a| a[k]),
                )?;
                let old = alloc(
                    cs.namespace(|| "old"),
                    write.map(|w| F1::from(w.old.word as u64)),
                )?;
                u32_bits(cs.namespace(|| "old bits"), &old)?;
                let new = &out.words[i];
                u32_bits(cs.namespace(|| "new bits"), new)?;
                let old_leaf = Num::from(old).add(&tag);
                let new_leaf = Num::from(new.clone()).add(&tag);
                let gap = mem.access(
                    cs.namespace(|| "write"),
                    &addr,
                    &old_leaf,
                    Some(&new_leaf),
                    write.map(|w| w.gap()),
                )?;
                packed.push(pack_nums(vec![
                    (addr, ADDR_BITS),
                    (old_leaf, VALUE_BITS),
                    (new_leaf, VALUE_BITS),
                    (gap, crate::memcheck::GAP_BITS),
                ]));
                i += 1;
            }
        }
        u32_bits(cs.namespace(|| "status bits"), &out.status)?;

        let mut z_out = z.to_vec();
        z_out[Z_CLOCK] = mem.clock_out(cs.namespace(|| "clock"), &z[Z_CLOCK])?;
        z_out[Z_SUM] = mem.sum_out(cs.namespace(|| "sum"), &z[Z_SUM])?;
        z_out[Z_CHAIN] =
            p.chain
                .link_gadget(cs.namespace(|| "chain"), self.index, &z[Z_CHAIN], packed)?;
        let done = alloc(cs.namespace(|| "done'"), Some(F1::ONE))?;
        enforce_const(cs, "done' = 1", &done, F1::ONE);
        z_out[Z_DONE] = done;
        z_out[Z_RET] = out.status;
        Ok(z_out)
    }
}

impl StepCircuit<F1> for CoprocessorStep<'_> {
    fn arity(&self) -> usize {
        Z_LEN
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let z_out = self.synthesize_step(&mut cs.namespace(|| "coprocessor step"), z)?;
        let phi = alloc(cs.namespace(|| "phi next"), Some(F1::ZERO))?;
        enforce_const(cs, "phi next = 0", &phi, F1::ZERO);
        Ok((phi, z_out))
    }
}
