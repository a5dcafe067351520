//! [`Prover`]: proves a guest run with sequential non-uniform IVC over the CPU block circuit.

use canopy_folding::{Accumulator, F1};
use canopy_vm::circuit::block::{BlockCircuit, BlockWitnessGen, StepWitness};
use canopy_vm::circuit::coprocessor::{CanopyStep, CoprocessorStep};
use ff::Field;
use rand_core::OsRng;
use sha2::{Digest, Sha256};

use crate::error::ProveError;
use crate::params::Params;
use crate::program::{ExecuteError, Execution, Inputs, Program, DEFAULT_PROVE_MAX_STEPS};
use crate::proof::{Proof, Statement};
use crate::state::{self, Z_STEPS};
use crate::{field, verify};

/// Progress of a proof, reported after every fold step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Instructions proven so far (retired by the folded blocks).
    pub instructions_done: u64,
    /// Instructions of the whole run (known from the native pre-run).
    pub instructions_total: u64,
    /// Fold steps done.
    pub fold_steps: u64,
}

/// Proves guest programs under one set of [`Params`].
///
/// `prove` first runs the guest natively (fast path) to fail early on a fault or the step
/// limit and to learn the run's length, then runs it again on the tracing path, turns the
/// trace into blocks of K rows (`canopy_vm::circuit::block::BlockWitnessGen`, streaming: one
/// block of rows and the memory tree are held) and folds one block per step
/// (`canopy_folding::Accumulator` over `canopy_vm::circuit::coprocessor::CanopyStep`: F_0 = the
/// CPU block circuit, F_j = the parameters' coprocessors, [`Params::coprocessors`]). The run ends
/// with the block that holds the exit (padded with idle rows); there are no padding steps.
#[derive(Debug)]
pub struct Prover<'a> {
    params: &'a Params,
    max_steps: u64,
    self_check: bool,
}

impl<'a> Prover<'a> {
    /// A prover with the default step limit ([`DEFAULT_PROVE_MAX_STEPS`]).
    pub fn new(params: &'a Params) -> Self {
        Prover {
            params,
            max_steps: DEFAULT_PROVE_MAX_STEPS,
            self_check: false,
        }
    }

    /// Sets the step limit of the guest (instructions).
    pub fn with_max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Verifies every proof before returning it (costs one verification, ≈1–3 s).
    pub fn with_self_check(mut self, on: bool) -> Self {
        self.self_check = on;
        self
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        self.params
    }

    /// Runs the guest natively (the pre-run of [`Self::prove`]).
    pub fn execute(&self, program: &Program, inputs: &Inputs) -> Result<Execution, ProveError> {
        program
            .execute_with(inputs, self.max_steps, self.params.coprocessors())
            .map_err(|e| match e {
                ExecuteError::Program(p) => ProveError::Program(p),
                ExecuteError::Execution(x) => ProveError::Execution(x),
            })
    }

    /// Proves `program` on `inputs`.
    pub fn prove(&self, program: &Program, inputs: &Inputs) -> Result<Proof, ProveError> {
        self.prove_with_progress(program, inputs, |_| ())
    }

    /// Proves `program` on `inputs`, calling `progress` after every fold step.
    pub fn prove_with_progress(
        &self,
        program: &Program,
        inputs: &Inputs,
        mut progress: impl FnMut(&Progress),
    ) -> Result<Proof, ProveError> {
        let p = self.params;
        if p.memory_size() != program.memory_size() {
            return Err(ProveError::MemorySize {
                params: p.memory_size(),
                program: program.memory_size(),
            });
        }
        let native = self.execute(program, inputs)?;
        let _span = tracing::info_span!(
            "prove",
            k = p.block_size(),
            instructions = native.instructions
        )
        .entered();

        let mut vm = program.vm(inputs, self.max_steps, p.coprocessors())?;
        let seed = F1::random(OsRng);
        let mut gen = BlockWitnessGen::new(p.block(), program.vm_program(), seed)?;
        let z0 = gen.z().to_vec();
        let mut acc: Option<Accumulator> = None;
        let mut fold = |w: StepWitness, acc: &mut Option<Accumulator>| -> Result<(), ProveError> {
            let mut circuits = CanopyStep::shapes(p.block());
            let j = w.circuit_index() as usize;
            circuits[j] = match &w {
                StepWitness::Block(b) => CanopyStep::Cpu(BlockCircuit::new(p.block(), b)),
                StepWitness::Coprocessor(c) => CanopyStep::Coprocessor(
                    CoprocessorStep::new(p.block(), c.index, Some(c))
                        .map_err(|e| ProveError::Internal(e.to_string()))?,
                ),
            };
            match acc {
                None => {
                    *acc = Some(Accumulator::new(
                        p.folding(),
                        &circuits,
                        F1::ZERO,
                        z0.clone(),
                    )?)
                }
                Some(a) => a.prove_step(p.folding(), &circuits)?,
            }
            let done = w
                .z_out()
                .get(Z_STEPS)
                .and_then(field::to_u64)
                .unwrap_or_default();
            progress(&Progress {
                instructions_done: done,
                instructions_total: native.instructions,
                fold_steps: acc.as_ref().map_or(0, |a| a.num_steps()),
            });
            Ok(())
        };
        for block in vm.trace(p.block_size()) {
            let block = block?;
            for rec in &block.records {
                gen.push_record(rec)?;
                while let Some(w) = gen.next_step() {
                    fold(w, &mut acc)?;
                }
            }
        }
        gen.finish()?;
        while let Some(w) = gen.next_step() {
            fold(w, &mut acc)?;
        }
        let acc = acc.ok_or_else(|| ProveError::Internal("no block was folded".into()))?;

        let exit = vm
            .exit()
            .ok_or_else(|| ProveError::Internal("the traced run did not exit".into()))?;
        let output = vm.public_output().to_vec();
        let consumed = vm.public_input_consumed();
        let (_, z_n) = acc.state();
        let fin = state::decode(z_n).map_err(ProveError::Internal)?;
        let in_len = state::stream_len(&fin.input)
            .ok_or_else(|| ProveError::Internal("input length overflows".into()))?;
        if !fin.halted
            || fin.exit_code != exit.code
            || fin.steps != exit.steps
            || in_len != consumed as u64
            || output != native.public_output
        {
            return Err(ProveError::Internal(format!(
                "the proven final state {fin:?} disagrees with the run ({exit:?}, {consumed} \
                 input bytes read)"
            )));
        }
        let prefix = inputs.public.get(..consumed).ok_or_else(|| {
            ProveError::Internal("the guest read more input than it was given".into())
        })?;
        let statement = Statement {
            program_digest: program.digest(),
            memory_size: program.memory_size(),
            block_size: p.block_size() as u64,
            params_digest: p.digest(),
            public_input_len: consumed as u64,
            public_input_digest: Sha256::digest(prefix).into(),
            public_input_eof: fin.in_eof,
            public_output: output,
            exit_code: exit.code,
            instructions: exit.steps,
            fold_steps: acc.num_steps(),
        };
        let proof = Proof {
            statement,
            accumulator: acc,
        };
        if self.self_check {
            verify(&proof, program, &inputs.public, p)
                .map_err(|e| ProveError::Internal(format!("the new proof does not verify: {e}")))?;
        }
        Ok(proof)
    }
}
