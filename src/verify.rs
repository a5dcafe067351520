//! [`verify`]: the checks that make a [`Proof`] a proof of its [`Statement`].

use canopy_circuit::block::BlockWitnessGen;
use canopy_circuit::memcheck::sets::initial_set;
use canopy_circuit::memcheck::{
    derive_challenges, page_digest, ChallengeStatement, Challenges, InitialImage, PageList,
};
use canopy_circuit::params::BlockParams;
use canopy_circuit::row::{FingerprintHasher, StreamState};
use canopy_circuit::state::{Z_ALPHA, Z_CHAIN, Z_GAMMA, Z_NEXT_PAGE, Z_PAGES, Z_SUM};
use canopy_folding::F1;
use ff::Field;
use sha2::{Digest, Sha256};

use crate::error::VerifyError;
use crate::keys::VerifierKeyFile;
use crate::params::{hex, Params};
use crate::program::Program;
use crate::proof::{Proof, Statement};
use crate::state::{self, stream_len};

/// The initial IVC state z_0 of `program` under `params`, as the prover's witness generator
/// builds it, up to the three slots the prover chooses: pc = entry, the register hash of 31
/// zero registers with salt 0, clock 0, empty I/O streams with their initial digests, every
/// flag and counter 0, sum 0, no page audited; `γ` and `α` are 0 here (the verifier derives
/// them, [`challenges_of`]) and the chain's start `IC_0` is a salt of the verifier's (the
/// prover's is random and not checked).
pub fn initial_state(program: &Program, params: &Params) -> Result<Vec<F1>, VerifyError> {
    initial_state_of_block(program, params.block())
}

/// [`initial_state`] from the block circuit's parameters alone (what the compact verifier has:
/// K and the memory size from the statement, no folding parameters).
pub(crate) fn initial_state_of_block(
    program: &Program,
    block: &BlockParams,
) -> Result<Vec<F1>, VerifyError> {
    let gen = BlockWitnessGen::new(block, program.vm_program(), F1::ZERO, None)
        .map_err(|e| VerifyError::InitialState(e.to_string()))?;
    Ok(gen.z().to_vec())
}

/// Verifies `proof` for `program`, the public input `public_input` and `params`; returns the
/// verified statement.
///
/// Checks, cheapest first (each failure is its own [`VerifyError`] variant):
/// 1. **Parameters**: the statement's block size, memory size, parameters digest and
///    coprocessor list are those of `params`, and so is the accumulator's digest.
/// 2. **Program**: the statement's program digest is `program`'s, and the accumulator's
///    initial state is exactly `(φ = 0, z_0)` with z_0 = [`initial_state`] recomputed here from
///    `program` (entry pc, zero registers, the memory root of the image, empty streams).
/// 3. **Final state** z_n: φ_n = 0, `halted = 1`, no I/O `ecall` in progress (`cursor = 0`),
///    `exit_code` equal to the claimed one, `steps` equal to the claimed instruction count.
/// 4. **Output**: the output stream's `(digest, words, off, pending)` equal the recomputation
///    over the claimed output bytes (so the claimed output is exactly what the guest wrote).
/// 5. **Input** (the rule): let `n` be the proven number of input bytes read
///    (`4·words + off` of the input stream). Then `n ≤ |public_input|`, the stream state
///    equals the recomputation over `public_input[..n]`, the statement's input length and
///    SHA-256 are those of `public_input[..n]`, and if the guest hit the end of its input
///    (`in_eof`), `n = |public_input|`. So the proof binds the prefix of the public input
///    that the guest read, and the whole input whenever the guest read to its end; bytes it
///    never read are not bound (they cannot have influenced the run).
/// 6. **Fold steps**: the accumulator's step count equals the claimed one.
/// 7. **Memory argument** (`canopy_circuit::memcheck`): the run ends in the audit circuit;
///    `γ, α` of z_0 are derived from the statement and the chain's end in z_n; the page list
///    is strictly increasing, inside memory, covers the program image and is the audited one;
///    the LogUp sum of z_n plus the initial memory of those pages is 0.
/// 8. **Accumulator**: `canopy_folding::Accumulator::verify` (every running instance
///    satisfies its shape and the state hashes match), which proves that z_n is reached from
///    z_0 by that many steps of the CPU block circuit.
///
/// The private input is not bound. The scrubbed fields of z_n (pc, register hash, memory
/// root, the mailbox's arguments) are fresh prover randomness and are not checked; `priv_eof`
/// is 0 at halt, so z_n says nothing of how much private input was read.
pub fn verify(
    proof: &Proof,
    program: &Program,
    public_input: &[u8],
    params: &Params,
) -> Result<Statement, VerifyError> {
    let s = &proof.statement;
    let acc = &proof.accumulator;

    // 1. parameters
    let params_err = VerifyError::WrongParams;
    if let Some(m) = VerifierKeyFile::of_statement(s).mismatch(
        "the proof",
        &VerifierKeyFile::of(params),
        "the parameters",
    ) {
        return Err(params_err(m));
    }
    if acc.digest() != params.folding().digest() {
        return Err(params_err(
            "the accumulator was built under another parameters digest".into(),
        ));
    }

    // 2.–6. the statement against the program, the input and the proven run
    let (pc0, z0) = acc.start();
    let (pc_n, z_n) = acc.state();
    check_statement(
        s,
        program,
        public_input,
        params.block(),
        || initial_state(program, params),
        ProvenRun {
            pc0,
            z0,
            pc: pc_n,
            z: z_n,
            num_steps: acc.num_steps(),
        },
    )?;

    // 8. the accumulator
    acc.verify(params.folding())?;
    Ok(s.clone())
}

/// The public part of a proven run that the statement is checked against: the start
/// `(pc_0, z_0)`, the final `(pc_n, z_n)` and the number of fold steps. [`verify`] takes it
/// from the accumulator, `crate::compact::verify_compact` from the compact proof file (whose
/// SNARK then proves that exactly this run exists).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProvenRun<'a> {
    /// Start circuit index φ_0.
    pub pc0: F1,
    /// Start state z_0.
    pub z0: &'a [F1],
    /// Final circuit index φ_n.
    pub pc: F1,
    /// Final state z_n.
    pub z: &'a [F1],
    /// Number of fold steps n.
    pub num_steps: u64,
}

/// The statement checks 2 (program, initial state) to 6 of [`verify`], shared with the
/// compact verifier: `expected_z0` recomputes z_0 from the verifier's own program (called
/// after the program's memory size and digest are checked), `run` is the proven run. The
/// parameter checks (1) and the proof of the run itself (7) are the caller's.
pub(crate) fn check_statement(
    s: &Statement,
    program: &Program,
    public_input: &[u8],
    block: &BlockParams,
    expected_z0: impl FnOnce() -> Result<Vec<F1>, VerifyError>,
    run: ProvenRun<'_>,
) -> Result<(), VerifyError> {
    // 2. program
    if program.memory_size() != s.memory_size {
        return Err(VerifyError::WrongProgram(format!(
            "the program was loaded for a memory of {} bytes, the proof is for {}",
            program.memory_size(),
            s.memory_size
        )));
    }
    if s.program_digest != program.digest() {
        return Err(VerifyError::WrongProgram(format!(
            "program digest {} in the proof, the given program has {}",
            hex(&s.program_digest),
            hex(&program.digest())
        )));
    }
    let ProvenRun {
        pc0,
        z0,
        pc: pc_n,
        z: z_n,
        num_steps,
    } = run;
    if pc0 != F1::ZERO {
        return Err(VerifyError::WrongProgram(
            "the run does not start in the CPU circuit".into(),
        ));
    }
    let expected = expected_z0()?;
    let chosen = |i: usize| i == Z_GAMMA || i == Z_ALPHA || i == Z_CHAIN;
    if z0.len() != expected.len()
        || z0
            .iter()
            .zip(&expected)
            .enumerate()
            .any(|(i, (a, b))| !chosen(i) && a != b)
    {
        return Err(VerifyError::WrongProgram(
            "the proven initial state is not the program's initial state".into(),
        ));
    }

    // 3. final state
    if pc_n != F1::from(block.audit_index() as u64) {
        return Err(VerifyError::WrongExit(
            "the run does not end in the memory argument's audit".into(),
        ));
    }
    let fin = state::decode(z_n).map_err(VerifyError::Malformed)?;
    if !fin.halted {
        return Err(VerifyError::WrongExit(
            "the proven run has not exited".into(),
        ));
    }
    if fin.cursor != 0 {
        return Err(VerifyError::Malformed(
            "an I/O call is still in progress".into(),
        ));
    }
    if fin.exit_code != s.exit_code {
        return Err(VerifyError::WrongExit(format!(
            "claimed exit code {}, proven {}",
            s.exit_code, fin.exit_code
        )));
    }
    if fin.steps != s.instructions {
        return Err(VerifyError::WrongSteps(format!(
            "claimed {} instructions, proven {}",
            s.instructions, fin.steps
        )));
    }

    // 4. output (the streams' fingerprints are keyed by the derived γ)
    let c = challenges_of(s, z_n[Z_CHAIN]);
    let hasher = FingerprintHasher::native(c.gamma);
    let (iv_in, iv_out) = {
        // the initial digests are the streams' digests in z_0
        let z0 = state::decode(z0).map_err(VerifyError::Malformed)?;
        (z0.input.digest, z0.output.digest)
    };
    let out = StreamState::of_bytes(&hasher, iv_out, &s.public_output);
    if out != fin.output {
        return Err(VerifyError::WrongOutput(format!(
            "the claimed {} output bytes are not what the guest wrote ({} bytes proven)",
            s.public_output.len(),
            stream_len(&fin.output).map_or("?".to_string(), |n| n.to_string())
        )));
    }

    // 5. input
    let n = stream_len(&fin.input)
        .ok_or_else(|| VerifyError::Malformed("input length overflows".into()))?;
    if n != s.public_input_len || fin.in_eof != s.public_input_eof {
        return Err(VerifyError::WrongInput(format!(
            "the statement claims {} bytes read (eof {}), the proof {} (eof {})",
            s.public_input_len, s.public_input_eof, n, fin.in_eof
        )));
    }
    let prefix = usize::try_from(n)
        .ok()
        .and_then(|n| public_input.get(..n))
        .ok_or_else(|| {
            VerifyError::WrongInput(format!(
                "the guest read {n} bytes, the given input has only {}",
                public_input.len()
            ))
        })?;
    if fin.in_eof && prefix.len() != public_input.len() {
        return Err(VerifyError::WrongInput(format!(
            "the guest read all of its {n}-byte input, the given input has {} bytes",
            public_input.len()
        )));
    }
    if StreamState::of_bytes(&hasher, iv_in, prefix) != fin.input {
        return Err(VerifyError::WrongInput(format!(
            "the first {n} bytes of the given input are not what the guest read"
        )));
    }
    let digest: [u8; 32] = Sha256::digest(prefix).into();
    if digest != s.public_input_digest {
        return Err(VerifyError::WrongInput(
            "the statement's input digest is not the digest of the given input".into(),
        ));
    }

    // 6. fold steps
    if num_steps != s.fold_steps {
        return Err(VerifyError::WrongSteps(format!(
            "claimed {} fold steps, the proof has {num_steps}",
            s.fold_steps
        )));
    }

    // 7. the memory argument
    check_memory(s, program, block, z0, z_n, c)
}

/// The challenges a run with statement `s` and chain end `chain_end` must have used.
pub(crate) fn challenges_of(s: &Statement, chain_end: F1) -> Challenges {
    derive_challenges(
        &ChallengeStatement {
            params_digest: s.params_digest,
            program_digest: s.program_digest,
            input_digest: s.public_input_digest,
            output_digest: Sha256::digest(&s.public_output).into(),
        },
        chain_end,
    )
}

/// The memory argument's checks (`canopy_circuit::memcheck`): the challenges in z_0 are `c`,
/// derived from the statement and the chain's end in z_n; the statement's page list is
/// strictly increasing, inside memory, covers the program image and is the one the audit
/// folded into z_n (digest and next page); and the LogUp sum of z_n plus the initial set of
/// those pages is 0.
fn check_memory(
    s: &Statement,
    program: &Program,
    block: &BlockParams,
    z0: &[F1],
    z_n: &[F1],
    c: Challenges,
) -> Result<(), VerifyError> {
    let bad = |m: String| VerifyError::Memory(m);
    if z0[Z_GAMMA] != c.gamma || z0[Z_ALPHA] != c.alpha {
        return Err(bad(
            "the challenges in z_0 are not derived from the binding chain's end".into(),
        ));
    }
    let pages = PageList::new(s.pages.clone(), s.memory_size).map_err(|e| bad(e.to_string()))?;
    let image = InitialImage::new(program.vm_program(), s.memory_size)
        .map_err(|e| VerifyError::InitialState(e.to_string()))?;
    pages.covers(&image).map_err(|e| bad(e.to_string()))?;
    let next = s.pages.last().map_or(0, |p| p + 1);
    if page_digest(block.chain(), &s.pages) != z_n[Z_PAGES] || F1::from(next) != z_n[Z_NEXT_PAGE] {
        return Err(bad("the page list is not the one the audit covered".into()));
    }
    let is = initial_set(&image, &s.pages).map_err(|e| bad(e.to_string()))?;
    let total = c.set_sum(&is).map_err(|e| bad(e.to_string()))? + z_n[Z_SUM];
    if total != F1::ZERO {
        return Err(bad(
            "the sum of reads, writes, the initial and the final memory is not 0".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_circuit::block::StepWitness;
    use canopy_circuit::memcheck::Challenges;
    use canopy_vm::{Vm, VmConfig};

    const MEM: u64 = 16 << 20;

    /// hello's run natively (no folding): z_0, z_n and the page list, with `challenges`
    /// (`None`: phase 1).
    fn run(
        block: &BlockParams,
        program: &Program,
        challenges: Option<Challenges>,
    ) -> (Vec<F1>, Vec<F1>, Vec<u64>, F1) {
        let mut vm = Vm::new(
            program.vm_program(),
            VmConfig {
                memory_size: MEM,
                ..VmConfig::default()
            },
        )
        .unwrap();
        let mut gen =
            BlockWitnessGen::new(block, program.vm_program(), F1::from(9u64), challenges).unwrap();
        let z0 = gen.z().to_vec();
        let mut last: Option<StepWitness> = None;
        for b in vm.trace(block.k()) {
            for r in &b.unwrap().records {
                gen.push_record(r).unwrap();
                while let Some(s) = gen.next_step() {
                    last = Some(s);
                }
            }
        }
        gen.finish().unwrap();
        while let Some(s) = gen.next_step() {
            last = Some(s);
        }
        let z_n = last.unwrap().z_out().to_vec();
        (z0, z_n, gen.pages().unwrap(), gen.chain())
    }

    fn statement(program: &Program, pages: Vec<u64>) -> Statement {
        Statement {
            program_digest: program.digest(),
            memory_size: MEM,
            block_size: 4,
            params_digest: [7; 32],
            coprocessors: vec![],
            public_input_len: 0,
            public_input_digest: Sha256::digest(b"").into(),
            public_input_eof: false,
            public_output: vec![],
            exit_code: 0,
            instructions: 0,
            fold_steps: 0,
            pages,
        }
    }

    /// The verifier's memory checks on an honest two-phase run, and each forgery of what they
    /// check: challenges that are not the chain's, a page list that misses an image page or
    /// is not the audited one, a sum that does not close.
    #[test]
    fn memory_checks_accept_the_two_phase_run_and_reject_forgeries() {
        let elf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/guest/examples/hello.elf"
        ))
        .unwrap();
        let program = Program::from_elf_with_memory(&elf, MEM).unwrap();
        let block = BlockParams::new(4, MEM).unwrap();
        let (_, _, pages, end) = run(&block, &program, None);
        let s = statement(&program, pages.clone());
        let c = challenges_of(&s, end);
        let (z0, z_n, pages2, end2) = run(&block, &program, Some(c));
        assert_eq!(
            (pages2, end2),
            (pages.clone(), end),
            "phase 2 repeats phase 1"
        );
        check_memory(&s, &program, &block, &z0, &z_n, c).unwrap();

        // a z_0 challenge that is not derived from the chain's end
        let mut bad = z0.clone();
        bad[Z_ALPHA] += F1::ONE;
        assert!(matches!(
            check_memory(&s, &program, &block, &bad, &z_n, c),
            Err(VerifyError::Memory(_))
        ));
        // a chain end other than the one the challenges came from
        let mut bad = z_n.clone();
        bad[Z_CHAIN] += F1::ONE;
        let moved = challenges_of(&s, bad[Z_CHAIN]);
        assert!(check_memory(&s, &program, &block, &z0, &bad, moved).is_err());
        // a sum that does not close
        let mut bad = z_n.clone();
        bad[Z_SUM] += F1::ONE;
        assert!(check_memory(&s, &program, &block, &z0, &bad, c).is_err());
        // a page list without the first (image) page, with an extra page, or repeated
        for forged in [
            pages[1..].to_vec(),
            [pages.clone(), vec![pages[pages.len() - 1] + 1]].concat(),
            [vec![pages[0]], pages.clone()].concat(),
        ] {
            let f = statement(&program, forged);
            assert!(matches!(
                check_memory(&f, &program, &block, &z0, &z_n, c),
                Err(VerifyError::Memory(_))
            ));
        }
    }
}
