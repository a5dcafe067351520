//! End-to-end tests of the library API: `Program`, `Params`, `Prover`, `Proof`, `verify`.
//!
//! The proofs use tiny hand-assembled guests (tests/common) and K = 4 so that each proof takes
//! seconds; one SDK example (fib, n = 5) is proven too. One parameter set is generated per test
//! binary and shared.

mod common;

use std::sync::OnceLock;

use canopy::{
    verify, Inputs, Params, Program, Proof, ProofFormatError, ProveError, Prover, VerifyError,
    PROOF_FORMAT_VERSION,
};

/// Rows per fold step in these tests.
const K: usize = 4;

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| {
        let t = std::time::Instant::now();
        let p = Params::setup(K, canopy::vm::DEFAULT_MEMORY_SIZE).unwrap();
        eprintln!("setup K = {K}: {:.1} s", t.elapsed().as_secs_f64());
        p
    })
}

fn program(elf: &[u8]) -> Program {
    Program::from_elf(elf).unwrap()
}

/// The echo guest reading up to 8 bytes of "hi" (reads to the end of its input), proven once.
fn echo_proof() -> &'static (Program, Proof) {
    static P: OnceLock<(Program, Proof)> = OnceLock::new();
    P.get_or_init(|| {
        let prog = program(&common::echo_elf(8));
        let t = std::time::Instant::now();
        let proof = Prover::new(params())
            .prove(&prog, &Inputs::public(*b"hi"))
            .unwrap();
        eprintln!(
            "echo: {} instructions, {} fold steps, {:.1} s",
            proof.statement.instructions,
            proof.statement.fold_steps,
            t.elapsed().as_secs_f64()
        );
        (prog, proof)
    })
}

#[test]
fn echo_proves_and_verifies() {
    let (prog, proof) = echo_proof();
    let s = verify(proof, prog, b"hi", params()).unwrap();
    assert_eq!(s.public_output, b"hi");
    assert_eq!(s.exit_code, 42);
    assert_eq!(s.instructions, 12);
    assert_eq!(s.public_input_len, 2);
    assert!(s.public_input_eof, "the guest asked for 8 bytes and got 2");
    assert_eq!(s.program_digest, prog.digest());
    assert_eq!(s.params_digest, params().digest());
    assert_eq!(s.block_size, K as u64);
    assert_eq!(s.fold_steps, proof.accumulator.num_steps());
    // the native run agrees
    let native = prog.execute(&Inputs::public(*b"hi"), 1000).unwrap();
    assert_eq!(native.public_output, s.public_output);
    assert_eq!(native.instructions, s.instructions);
}

#[test]
fn proof_file_round_trips() {
    let (prog, proof) = echo_proof();
    let bytes = proof.to_bytes().unwrap();
    assert_eq!(&bytes[..8], b"CANOPYPF");
    assert_eq!(bytes[8..12], PROOF_FORMAT_VERSION.to_le_bytes());
    let back = Proof::from_bytes(&bytes).unwrap();
    assert_eq!(back.statement, proof.statement);
    verify(&back, prog, b"hi", params()).unwrap();
    eprintln!("echo proof: {} bytes", bytes.len());
}

#[test]
fn malformed_proof_files_are_clear_errors() {
    let (_, proof) = echo_proof();
    let bytes = proof.to_bytes().unwrap();
    for cut in [0, 5, 8, 11, 12, 100, bytes.len() / 2, bytes.len() - 1] {
        match Proof::from_bytes(&bytes[..cut]) {
            Err(ProofFormatError::Truncated(_)) => {}
            Err(ProofFormatError::BadMagic) if cut == 0 => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let mut wrong_version = bytes.clone();
    wrong_version[8..12].copy_from_slice(&(PROOF_FORMAT_VERSION + 1).to_le_bytes());
    assert!(matches!(
        Proof::from_bytes(&wrong_version),
        Err(ProofFormatError::UnsupportedVersion { found, supported })
            if found == PROOF_FORMAT_VERSION + 1 && supported == PROOF_FORMAT_VERSION
    ));
    let mut bad_magic = bytes.clone();
    bad_magic[0] = b'X';
    assert!(matches!(
        Proof::from_bytes(&bad_magic),
        Err(ProofFormatError::BadMagic)
    ));
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(
        Proof::from_bytes(&trailing),
        Err(ProofFormatError::Corrupt(_))
    ));
}

#[test]
fn wrong_program_is_rejected() {
    let (_, proof) = echo_proof();
    let other = program(&common::echo_elf(7));
    assert_ne!(other.digest(), proof.statement.program_digest);
    let e = verify(proof, &other, b"hi", params()).unwrap_err();
    assert!(matches!(e, VerifyError::WrongProgram(_)), "{e}");
    // a statement that names the other program (same entry point, so the same z_0) is
    // caught by the memory argument: the verifier's initial memory is the other image, and
    // the challenges are derived from the other digest
    let mut forged = proof.clone();
    forged.statement.program_digest = other.digest();
    let e = verify(&forged, &other, b"hi", params()).unwrap_err();
    assert!(matches!(&e, VerifyError::Memory(_)), "{e}");
}

#[test]
fn wrong_public_input_is_rejected() {
    let (prog, proof) = echo_proof();
    for input in [&b"ho"[..], b"h", b"", b"hi!"] {
        let e = verify(proof, prog, input, params()).unwrap_err();
        assert!(matches!(e, VerifyError::WrongInput(_)), "{input:?}: {e}");
    }
}

#[test]
fn forged_statements_are_rejected() {
    let (prog, proof) = echo_proof();
    let check = |f: &dyn Fn(&mut Proof), want: fn(&VerifyError) -> bool| {
        let mut p = proof.clone();
        f(&mut p);
        let e = verify(&p, prog, b"hi", params()).unwrap_err();
        assert!(want(&e), "unexpected error {e}");
    };
    check(&|p| p.statement.public_output = b"ho".to_vec(), |e| {
        matches!(e, VerifyError::WrongOutput(_))
    });
    check(&|p| p.statement.public_output = b"hi!".to_vec(), |e| {
        matches!(e, VerifyError::WrongOutput(_))
    });
    check(&|p| p.statement.public_output.clear(), |e| {
        matches!(e, VerifyError::WrongOutput(_))
    });
    check(&|p| p.statement.exit_code = 0, |e| {
        matches!(e, VerifyError::WrongExit(_))
    });
    check(&|p| p.statement.instructions += 1, |e| {
        matches!(e, VerifyError::WrongSteps(_))
    });
    check(&|p| p.statement.fold_steps -= 1, |e| {
        matches!(e, VerifyError::WrongSteps(_))
    });
    check(&|p| p.statement.public_input_eof = false, |e| {
        matches!(e, VerifyError::WrongInput(_))
    });
    check(&|p| p.statement.public_input_digest[0] ^= 1, |e| {
        matches!(e, VerifyError::WrongInput(_))
    });
    check(&|p| p.statement.params_digest[0] ^= 1, |e| {
        matches!(e, VerifyError::WrongParams(_))
    });
    check(&|p| p.statement.block_size = 8, |e| {
        matches!(e, VerifyError::WrongParams(_))
    });
    check(&|p| p.statement.memory_size = 1 << 20, |e| {
        matches!(e, VerifyError::WrongParams(_))
    });
    check(
        &|p| {
            p.statement.coprocessors.push(canopy::CoprocessorInfo {
                id: 7,
                name: "claimed".into(),
                funct7: 1,
                funct3: 0,
            })
        },
        |e| matches!(e, VerifyError::WrongParams(_)),
    );
}

#[test]
fn tampered_accumulator_is_rejected() {
    let (prog, proof) = echo_proof();
    let bytes = proof.to_bytes().unwrap();
    // Flip the lowest bit of the least significant byte of the last field element (the blind
    // of the secondary state hash): still a canonical element, so the file decodes, but the
    // state hash no longer matches.
    let mut t = bytes.clone();
    let at = t.len() - 32;
    t[at] ^= 1;
    match Proof::from_bytes(&t) {
        Ok(p) => {
            let e = verify(&p, prog, b"hi", params()).unwrap_err();
            assert!(matches!(e, VerifyError::Accumulator(_)), "{e}");
        }
        Err(e) => panic!("expected a decodable tampered proof: {e}"),
    }
    // Flipping bytes anywhere in the body never verifies.
    for at in [40, bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
        let mut t = bytes.clone();
        t[at] ^= 0x10;
        if let Ok(p) = Proof::from_bytes(&t) {
            assert!(verify(&p, prog, b"hi", params()).is_err(), "byte {at}");
        }
    }
}

/// The public-input rule: a guest that reads 1 byte of "abc" binds only "a".
#[test]
fn only_the_consumed_prefix_is_bound() {
    let prog = program(&common::echo_elf(1));
    let proof = Prover::new(params())
        .prove(&prog, &Inputs::public(*b"abc"))
        .unwrap();
    let s = verify(&proof, &prog, b"abc", params()).unwrap();
    assert_eq!(s.public_output, b"a");
    assert_eq!(s.public_input_len, 1);
    assert!(!s.public_input_eof);
    verify(&proof, &prog, b"axy", params()).unwrap();
    verify(&proof, &prog, b"a", params()).unwrap();
    for bad in [&b"bbc"[..], b""] {
        let e = verify(&proof, &prog, bad, params()).unwrap_err();
        assert!(matches!(e, VerifyError::WrongInput(_)), "{bad:?}: {e}");
    }
}

#[test]
fn params_round_trip_and_reject_corruption() {
    let p = params();
    let bytes = p.to_bytes().unwrap();
    let back = Params::from_bytes(&bytes).unwrap();
    assert_eq!(back.digest(), p.digest());
    assert_eq!(back.block_size(), K);
    assert!(Params::from_bytes(&bytes[..20]).is_err());
    assert!(Params::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut bad = bytes.clone();
    bad[8] ^= 1; // version
    assert!(Params::from_bytes(&bad).is_err());
}

#[test]
fn faulting_guest_is_reported_before_proving() {
    let prog = program(&common::elf(&[canopy::vm::Instruction::Ebreak]));
    let e = Prover::new(params())
        .prove(&prog, &Inputs::default())
        .unwrap_err();
    assert!(matches!(e, ProveError::Execution(_)), "{e}");
}

/// An SDK example: fib(5) = 5.
#[test]
fn fib_example_proves_and_verifies() {
    let elf = std::fs::read(common::example("fib")).unwrap();
    let prog = program(&elf);
    let t = std::time::Instant::now();
    let proof = Prover::new(params())
        .prove(&prog, &Inputs::public(*b"5"))
        .unwrap();
    eprintln!(
        "fib(5): {} instructions, {} fold steps of K = {K}, {:.1} s, proof {} bytes",
        proof.statement.instructions,
        proof.statement.fold_steps,
        t.elapsed().as_secs_f64(),
        proof.to_bytes().unwrap().len()
    );
    let s = verify(&proof, &prog, b"5", params()).unwrap();
    assert_eq!(s.public_output, b"5\n");
    assert_eq!(s.exit_code, 0);
    assert!(verify(&proof, &prog, b"6", params()).is_err());
}

/// Proves an SDK example on `input` and checks the output against the native run.
fn prove_example(name: &str, input: &[u8]) {
    let elf = std::fs::read(common::example(name)).unwrap();
    let prog = program(&elf);
    let inputs = Inputs::public(input.to_vec());
    let native = prog.execute(&inputs, 1 << 24).unwrap();
    let t = std::time::Instant::now();
    let proof = Prover::new(params()).prove(&prog, &inputs).unwrap();
    eprintln!(
        "{name}: {} instructions, {} fold steps of K = {K}, {:.1} s",
        proof.statement.instructions,
        proof.statement.fold_steps,
        t.elapsed().as_secs_f64()
    );
    let s = verify(&proof, &prog, input, params()).unwrap();
    assert_eq!(s.public_output, native.public_output);
    assert_eq!(s.exit_code, native.exit_code);
    assert_eq!(s.instructions, native.instructions);
}

/// sort with n = 3 (2,249 instructions): several minutes on 2 cores, so not run by default
/// (`cargo test -p canopy -p canopy-cli --test prove_verify -- --ignored`).
#[test]
#[ignore = "slow: ~2,250 instructions"]
fn sort_example_proves_and_verifies() {
    prove_example("sort", b"3");
}

/// sha256 of "ab" (6,550 instructions): tens of minutes on 2 cores, so not run by default.
#[test]
#[ignore = "slow: ~6,550 instructions"]
fn sha256_example_proves_and_verifies() {
    prove_example("sha256", b"ab");
}
