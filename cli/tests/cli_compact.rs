//! Compact proofs end to end: `canopy setup --vk-out`, `canopy prove` (compact by default, with
//! `--json`), `canopy verify --vk` (a fresh process with only the verifier key, the program and
//! the public input), `canopy inspect`, and rejections (wrong input, wrong claimed output, another program, a
//! verifier key of other parameters, truncated / wrong-version files).
//!
//! One compact proof per test binary (the decider adds its key setup and ≈35 s of proving for
//! this one-leaf run), made once through the CLI and shared via `OnceLock`; the K = 4
//! parameters are shared with `cli_prove` in `$CARGO_TARGET_TMPDIR/canopy-params-k4`. The rejections that need the
//! verifier key run in this process with the key read once (reading a key regenerates its
//! commitment generators, the dominant cost of a verification from a key file).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use canopy::decider::VerifierKey;
use canopy::{verify_compact, CompactProofFile, CompactVerifyError, Program, VerifyError};

const K: &str = "4";

fn canopy() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_canopy"));
    c.env_remove("CANOPY_PARAMS_DIR");
    c
}

fn params_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-params-k4")
}

fn lock() -> MutexGuard<'static, ()> {
    static L: Mutex<()> = Mutex::new(());
    L.lock().unwrap_or_else(|e| e.into_inner())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The echo guest proven compactly on "hi" through the CLI, and its verifier key, once.
struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    program: PathBuf,
    input: PathBuf,
    vk: PathBuf,
    proof: PathBuf,
    /// What `canopy prove --json` printed on stdout.
    prove_json: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let _g = lock();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let program = write(&d, "echo.elf", &common::echo_elf(8));
        let input = write(&d, "in.txt", b"hi");
        let vk = d.join("k4.vk");
        let t = Instant::now();
        let o = canopy()
            .arg("setup")
            .args(["--block-size", K, "--params-dir"])
            .arg(params_dir())
            .arg("--vk-out")
            .arg(&vk)
            .output()
            .unwrap();
        assert!(o.status.success(), "setup failed: {}", stderr(&o));
        eprintln!("setup {:?}: {}", t.elapsed(), stderr(&o));
        let proof = d.join("echo.cproof");
        let t = Instant::now();
        let o = canopy()
            .arg("prove")
            .arg(&program)
            .args(["--block-size", K, "--params-dir"])
            .arg(params_dir())
            .arg("--input")
            .arg(&input)
            .arg("--json")
            .arg("-o")
            .arg(&proof)
            .output()
            .unwrap();
        assert!(o.status.success(), "prove failed: {}", stderr(&o));
        eprintln!("prove (compact) {:?}: {}", t.elapsed(), stderr(&o));
        eprintln!(
            "compact proof {} bytes, verifier key {} bytes",
            std::fs::metadata(&proof).unwrap().len(),
            std::fs::metadata(&vk).unwrap().len()
        );
        Fixture {
            _dir: dir,
            dir: d,
            program,
            input,
            vk,
            proof,
            prove_json: o.stdout,
        }
    })
}

/// The verifier key read once in this process.
fn vk() -> &'static VerifierKey {
    static V: OnceLock<VerifierKey> = OnceLock::new();
    V.get_or_init(|| {
        let t = Instant::now();
        let vk = VerifierKey::load(&fixture().vk).unwrap();
        eprintln!("verifier key read in {:?}", t.elapsed());
        vk
    })
}

fn verify_cli(proof: &Path, program: &Path, input: &Path, vk: &Path) -> Output {
    // no --params-dir and an empty cache variable: only the key file is used
    canopy()
        .arg("verify")
        .arg(proof)
        .arg("--program")
        .arg(program)
        .arg("--input")
        .arg(input)
        .arg("--vk")
        .arg(vk)
        .output()
        .unwrap()
}

#[test]
fn compact_proof_verifies_with_only_the_verifier_key() {
    let f = fixture();
    let t = Instant::now();
    let o = verify_cli(&f.proof, &f.program, &f.input, &f.vk);
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("verify --vk {:?}: {}", t.elapsed(), stderr(&o));
    assert_eq!(o.stdout, b"hi");
    let err = stderr(&o);
    assert!(err.contains("compact proof verified"), "{err}");
    assert!(err.contains("exit code 42"), "{err}");

    let o = canopy()
        .arg("inspect")
        .arg(&f.proof)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "compact");
    assert_eq!(v["exit_code"], 42);
    assert_eq!(v["public_output_utf8"], "hi");
}

/// `canopy prove --json` (run once by the fixture, in its own process): stdout is one JSON
/// object whose fields are the statement in the written file, the empty coprocessor set, the
/// file's path, kind and size, and timings.
#[test]
fn prove_json_describes_the_written_proof() {
    let f = fixture();
    let v: serde_json::Value = serde_json::from_slice(&f.prove_json).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&f.prove_json)
        )
    });
    let bytes = std::fs::read(&f.proof).unwrap();
    let file = CompactProofFile::from_bytes(&bytes).unwrap();
    let s = &file.statement;
    assert_eq!(v["kind"], "compact");
    assert_eq!(v["proof_path"], f.proof.display().to_string());
    assert_eq!(v["file_bytes"], bytes.len());
    assert_eq!(v["snark_bytes"], file.snark.len());
    assert_eq!(v["program_digest"], s.program_digest_hex());
    let program = Program::from_elf(&std::fs::read(&f.program).unwrap()).unwrap();
    assert_eq!(v["program_digest"], canopy::hex(&program.digest()));
    assert_eq!(v["params_digest"], s.params_digest_hex());
    assert_eq!(v["public_input_sha256"], s.public_input_digest_hex());
    assert_eq!(v["public_input_len"], 2);
    assert_eq!(v["public_output_hex"], canopy::hex(b"hi"));
    assert_eq!(v["public_output_utf8"], "hi");
    assert_eq!(v["exit_code"], 42);
    assert_eq!(v["instructions"], s.instructions);
    assert_eq!(v["fold_steps"], s.fold_steps);
    assert_eq!(v["block_size"], 4);
    assert_eq!(v["coprocessors"], serde_json::json!([]));
    let timings = &v["timings"];
    for key in [
        "execute_seconds",
        "params_seconds",
        "prove_seconds",
        "decider_key_seconds",
        "decider_seconds",
        "total_seconds",
    ] {
        let secs = timings[key].as_f64();
        assert!(secs.is_some_and(|x| x >= 0.0), "{key}: {timings}");
    }
    assert!(timings["total_seconds"].as_f64() >= timings["decider_seconds"].as_f64());
}

#[test]
fn compact_proof_rejects_wrong_claims_and_keys() {
    let f = fixture();
    let vk = vk();
    let bytes = std::fs::read(&f.proof).unwrap();
    let file = CompactProofFile::from_bytes(&bytes).unwrap();
    let program = Program::from_elf(&std::fs::read(&f.program).unwrap()).unwrap();
    let t = Instant::now();
    let s = verify_compact(&file, &program, b"hi", vk).unwrap();
    eprintln!("verify_compact {:?}", t.elapsed());
    assert_eq!(s.public_output, b"hi");

    // wrong public input
    let r = verify_compact(&file, &program, b"ho", vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongInput(_)))
        ),
        "{r:?}"
    );
    // another program
    let other = Program::from_elf(&common::echo_elf(7)).unwrap();
    let r = verify_compact(&file, &other, b"hi", vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongProgram(_)))
        ),
        "{r:?}"
    );
    // a wrong claimed output, edited inside the file and re-encoded
    let mut forged = CompactProofFile::from_bytes(&bytes).unwrap();
    forged.statement.public_output = b"HI".to_vec();
    let forged = CompactProofFile::from_bytes(&forged.to_bytes().unwrap()).unwrap();
    let r = verify_compact(&forged, &program, b"hi", vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongOutput(_)))
        ),
        "{r:?}"
    );
    // a final state edited consistently with a forged claim: only the SNARK can catch it
    let mut forged = CompactProofFile::from_bytes(&bytes).unwrap();
    forged.statement.exit_code = 43;
    let halted = forged.final_z[3]; // 1
    forged.final_z[4] += halted; // exit code 42 -> 43
    let r = verify_compact(&forged, &program, b"hi", vk);
    assert!(matches!(r, Err(CompactVerifyError::Snark(_))), "{r:?}");
    // a verifier key of other parameters (K = 2)
    let t = Instant::now();
    let params2 = canopy::Params::setup(2, program.memory_size()).unwrap();
    let dk2 = canopy::decider_key(&params2).unwrap();
    eprintln!("K = 2 parameters and decider key {:?}", t.elapsed());
    let r = verify_compact(&file, &program, b"hi", dk2.verifier_key());
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongParams(_)))
        ),
        "{r:?}"
    );
}

#[test]
fn compact_files_truncated_or_of_another_version_are_clear_errors() {
    let f = fixture();
    let bytes = std::fs::read(&f.proof).unwrap();
    for (name, data, expect) in [
        (
            "trunc.cproof",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated",
        ),
        ("header.cproof", bytes[..10].to_vec(), "truncated"),
        (
            "version.cproof",
            {
                let mut t = bytes.clone();
                t[8] ^= 0x7f;
                t
            },
            "unsupported proof format version",
        ),
    ] {
        let p = write(&f.dir, name, &data);
        let o = verify_cli(&p, &f.program, &f.input, &f.vk);
        assert_eq!(o.status.code(), Some(125), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{name}: {}", stderr(&o));
        let o = canopy().arg("inspect").arg(&p).output().unwrap();
        assert_eq!(o.status.code(), Some(125), "{name}: {}", stderr(&o));
    }
    // a file that is not a proof
    let o = verify_cli(&f.program, &f.program, &f.input, &f.vk);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad magic"), "{}", stderr(&o));
    // a flipped byte inside the SNARK (near the end of the file): rejected, not a panic
    let mut t = bytes.clone();
    let at = t.len() - 40;
    t[at] ^= 1;
    let file = CompactProofFile::from_bytes(&t);
    if let Ok(file) = file {
        let program = Program::from_elf(&std::fs::read(&f.program).unwrap()).unwrap();
        let r = verify_compact(&file, &program, b"hi", vk());
        assert!(r.is_err(), "a flipped SNARK byte verified");
    }
}
