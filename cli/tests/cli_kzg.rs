//! Compact proofs over HyperKZG end to end (`--ptau FILE`), with an insecure test
//! powers-of-tau file made here: `canopy setup --ptau`, `canopy prove --ptau --json` (stdout
//! must be exactly one JSON object), `canopy verify --vk --ptau` in a fresh process whose
//! parameters cache starts empty, and rejections: no `--ptau` for a HyperKZG key, another
//! powers-of-tau file, wrong input, flipped SNARK bytes, a transparent (IPA) key of the same K,
//! a HyperKZG key derived without the file, and a witness-carrying proof made with `--ptau`
//! verified under transparent parameters.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use canopy::{
    verify_compact, CompactProofFile, CompactVerifierKey, CompactVerifyError, CoprocessorSet,
    Params, Program, VerifierKeyError, VerifierKeyFile, VerifyError, KZG_DECIDER_SCHEME,
};
use rand_core::{OsRng, RngCore};

const K: &str = "4";
/// 2^17 G1 powers: the K = 4 CPU circuit needs 2^16 (61,837 constraints), and a file of power
/// 17 also covers a larger merge circuit.
const POWER: u32 = 17;

fn canopy() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_canopy"));
    c.env_remove("CANOPY_PARAMS_DIR");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn test_ptau(dir: &Path, name: &str) -> PathBuf {
    let mut buf = Cursor::new(Vec::new());
    canopy::decider::kzg::write_insecure_test_ptau(&mut buf, POWER, OsRng).unwrap();
    write(dir, name, &buf.into_inner())
}

/// The echo guest proven on "hi" over HyperKZG through the CLI, once.
struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    ptau: PathBuf,
    program: PathBuf,
    input: PathBuf,
    vk: PathBuf,
    proof: PathBuf,
    prove_json: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let t = Instant::now();
        let ptau = test_ptau(&d, "test.ptau");
        eprintln!("test ptau {:?}", t.elapsed());
        let program = write(&d, "echo.elf", &common::echo_elf(8));
        let input = write(&d, "in.txt", b"hi");
        let vk = d.join("kzg.vk");
        let t = Instant::now();
        let o = canopy()
            .arg("setup")
            .args(["--block-size", K, "--params-dir"])
            .arg(d.join("prover-params"))
            .arg("--ptau")
            .arg(&ptau)
            .arg("--vk-out")
            .arg(&vk)
            .output()
            .unwrap();
        assert!(o.status.success(), "setup failed: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "setup wrote to stdout");
        eprintln!("setup --ptau {:?}: {}", t.elapsed(), stderr(&o));
        let proof = d.join("echo.cproof");
        let t = Instant::now();
        let o = canopy()
            .arg("prove")
            .arg(&program)
            .args(["--block-size", K, "--params-dir"])
            .arg(d.join("prover-params"))
            .arg("--ptau")
            .arg(&ptau)
            .arg("--input")
            .arg(&input)
            .arg("--json")
            .arg("-o")
            .arg(&proof)
            .output()
            .unwrap();
        assert!(o.status.success(), "prove failed: {}", stderr(&o));
        eprintln!("prove --ptau {:?}: {}", t.elapsed(), stderr(&o));
        Fixture {
            _dir: dir,
            dir: d,
            ptau,
            program,
            input,
            vk,
            proof,
            prove_json: o.stdout,
        }
    })
}

fn verify_cli(f: &Fixture, ptau: Option<&Path>, params_dir: &str) -> Output {
    let mut c = canopy();
    c.arg("verify")
        .arg(&f.proof)
        .arg("--program")
        .arg(&f.program)
        .arg("--input")
        .arg(&f.input)
        .arg("--vk")
        .arg(&f.vk)
        .arg("--params-dir")
        .arg(f.dir.join(params_dir))
        .arg("--json");
    if let Some(p) = ptau {
        c.arg("--ptau").arg(p);
    }
    c.output().unwrap()
}

#[test]
fn kzg_proof_verifies_with_the_key_and_the_ptau_file_only() {
    let f = fixture();
    // stdout of `prove --json` is one JSON object (no stray output of the curve library)
    let v: serde_json::Value = serde_json::from_slice(&f.prove_json).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&f.prove_json)
        )
    });
    assert_eq!(v["kind"], "compact");
    assert_eq!(v["public_output_utf8"], "hi");
    let key = VerifierKeyFile::from_bytes(&std::fs::read(&f.vk).unwrap()).unwrap();
    assert_eq!(key.scheme, KZG_DECIDER_SCHEME);
    assert!(key.uses_powers_of_tau());

    // a fresh verifier: its parameters cache starts empty
    let t = Instant::now();
    let o = verify_cli(f, Some(&f.ptau), "verifier-params");
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("verify --vk --ptau {:?}: {}", t.elapsed(), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    assert_eq!(v["verified"], true);
    assert_eq!(v["exit_code"], 42);

    // a HyperKZG key without the powers-of-tau file: a clear error naming the option
    let o = verify_cli(f, None, "verifier-params");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--ptau"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    // another powers-of-tau file: other generators, other parameters, refused
    let other = test_ptau(&f.dir, "other.ptau");
    let o = verify_cli(f, Some(&other), "verifier-params");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("parameters digest"), "{}", stderr(&o));
}

#[test]
fn kzg_proof_rejects_wrong_claims_flips_and_other_keys() {
    let f = fixture();
    let bytes = std::fs::read(&f.proof).unwrap();
    let file = CompactProofFile::from_bytes(&bytes).unwrap();
    let program = Program::from_elf(&std::fs::read(&f.program).unwrap()).unwrap();
    let key = VerifierKeyFile::from_bytes(&std::fs::read(&f.vk).unwrap()).unwrap();
    let mem = program.memory_size();
    let t = Instant::now();
    let params = Params::setup_with_ptau(4, mem, CoprocessorSet::new(), &f.ptau).unwrap();
    assert!(params.uses_powers_of_tau());
    let vk = key.derive(&params).unwrap();
    eprintln!("HyperKZG parameters and key {:?}", t.elapsed());
    let t = Instant::now();
    verify_compact(&file, &program, b"hi", &vk).unwrap();
    eprintln!("verify_compact (HyperKZG) {:?}", t.elapsed());

    // wrong public input
    let r = verify_compact(&file, &program, b"ho", &vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongInput(_)))
        ),
        "{r:?}"
    );
    // single bit flips inside the SNARK
    let seed = OsRng.next_u64();
    eprintln!("seed {seed}");
    let mut state = seed | 1;
    for _ in 0..24 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut forged = file.clone();
        let i = (state as usize) % forged.snark.len();
        forged.snark[i] ^= 1 << ((state >> 32) % 8);
        let r = verify_compact(&forged, &program, b"hi", &vk);
        assert!(
            matches!(r, Err(CompactVerifyError::Snark(_))),
            "flip at SNARK byte {i} (seed {seed}): {r:?}"
        );
    }
    // a final state edited consistently with a forged exit code: only the SNARK catches it
    let mut forged = file.clone();
    forged.statement.exit_code = 43;
    let halted = forged.final_z[3];
    forged.final_z[4] += halted;
    let r = verify_compact(&forged, &program, b"hi", &vk);
    assert!(matches!(r, Err(CompactVerifyError::Snark(_))), "{r:?}");

    // the transparent (IPA) key of the same K and memory: other parameters
    let ipa = Params::setup(4, mem).unwrap();
    assert!(!ipa.uses_powers_of_tau());
    let ipa_vk = CompactVerifierKey::derive(&ipa).unwrap();
    let r = verify_compact(&file, &program, b"hi", &ipa_vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongParams(_)))
        ),
        "{r:?}"
    );
    // the HyperKZG key file on transparent parameters: refused (digest and scheme)
    assert!(matches!(
        key.derive(&ipa),
        Err(VerifierKeyError::WrongParams(_))
    ));
    // the HyperKZG parameters reloaded without their file: the key cannot be derived
    let reloaded = Params::from_bytes(&params.to_bytes().unwrap()).unwrap();
    assert!(reloaded.uses_powers_of_tau() && reloaded.srs().is_none());
    assert!(matches!(
        key.derive(&reloaded),
        Err(VerifierKeyError::NeedsPtau)
    ));
    assert!(canopy::decider_key(&reloaded).is_err());
    // attaching the right file restores it; attaching another one is refused
    let attached = reloaded.attach_ptau(&f.ptau).unwrap();
    assert!(attached.srs().is_some());
    let other = test_ptau(&f.dir, "other2.ptau");
    // a missing file is a powers-of-tau error, not a folding one
    let missing = f.dir.join("missing.ptau");
    assert!(matches!(
        Params::setup_with_ptau(4, mem, CoprocessorSet::new(), &missing),
        Err(canopy::ParamsError::Srs(_))
    ));
    let again = Params::from_bytes(&params.to_bytes().unwrap()).unwrap();
    assert!(matches!(
        again.attach_ptau(&other),
        Err(canopy::ParamsError::Srs(_))
    ));
}

/// A witness-carrying proof (`--full`) made with `--ptau` verifies with the same file and is
/// refused under the transparent parameters of the same K (another parameters digest).
#[test]
fn full_proof_with_ptau_needs_the_same_parameters() {
    let f = fixture();
    let full = f.dir.join("echo.fproof");
    let o = canopy()
        .arg("prove")
        .arg(&f.program)
        .args(["--block-size", K, "--full", "--params-dir"])
        .arg(f.dir.join("prover-params"))
        .arg("--ptau")
        .arg(&f.ptau)
        .arg("--input")
        .arg(&f.input)
        .arg("-o")
        .arg(&full)
        .output()
        .unwrap();
    assert!(o.status.success(), "prove --full failed: {}", stderr(&o));
    let verify = |ptau: Option<&Path>, dir: PathBuf| {
        let mut c = canopy();
        c.arg("verify")
            .arg(&full)
            .arg("--program")
            .arg(&f.program)
            .arg("--input")
            .arg(&f.input)
            .arg("--params-dir")
            .arg(dir);
        if let Some(p) = ptau {
            c.arg("--ptau").arg(p);
        }
        c.output().unwrap()
    };
    let o = verify(Some(&f.ptau), f.dir.join("prover-params"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, b"hi", "stdout must hold only the public output");
    // the transparent parameters of the same K (shared with the other CLI tests' cache)
    let shared = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-params-k4");
    let o = verify(None, shared);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("other parameters"), "{}", stderr(&o));
}
