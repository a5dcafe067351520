//! End-to-end tests of `canopy prove` and `canopy verify` in fresh processes: proof files,
//! exit codes, error messages, the parameters cache.
//!
//! Every proof here is made with `canopy prove --full` (the witness-carrying accumulator, no
//! decider): the compact default adds the decider's key setup and ≈35 s per proof, and is
//! tested once in `cli_compact`.
//!
//! The parameters (K = 4) are cached in `$CARGO_TARGET_TMPDIR/canopy-params-k4`, so only the
//! first run of this test binary pays for the setup. Proving tests are serialised by a lock
//! (the machine has 2 cores; parallel proofs only contend).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

use canopy::Proof;

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

fn prove(program: &Path, input: Option<&Path>, out: &Path) -> Output {
    let _g = lock();
    let mut c = canopy();
    c.arg("prove")
        .arg(program)
        .arg("--full")
        .args(["--block-size", K, "--params-dir"])
        .arg(params_dir())
        .arg("-o")
        .arg(out);
    if let Some(i) = input {
        c.arg("--input").arg(i);
    }
    c.output().unwrap()
}

fn verify(proof: &Path, program: &Path, input: Option<&Path>) -> Output {
    verify_with(proof, program, input, &[])
}

/// `canopy verify` with extra arguments.
fn verify_with(proof: &Path, program: &Path, input: Option<&Path>, extra: &[&str]) -> Output {
    let mut c = canopy();
    c.arg("verify")
        .arg(proof)
        .arg("--program")
        .arg(program)
        .arg("--params-dir")
        .arg(params_dir())
        .args(extra);
    if let Some(i) = input {
        c.arg("--input").arg(i);
    }
    c.output().unwrap()
}

/// The echo guest (reads up to 8 bytes) proven on "hi" through the CLI, once.
struct Echo {
    _dir: tempfile::TempDir,
    program: PathBuf,
    input: PathBuf,
    proof: PathBuf,
    dir: PathBuf,
}

fn echo() -> &'static Echo {
    static E: OnceLock<Echo> = OnceLock::new();
    E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let program = write(&d, "echo.elf", &common::echo_elf(8));
        let input = write(&d, "in.txt", b"hi");
        let proof = d.join("echo.proof");
        let o = prove(&program, Some(&input), &proof);
        assert!(o.status.success(), "prove failed: {}", stderr(&o));
        assert!(stderr(&o).contains("proof written to"), "{}", stderr(&o));
        Echo {
            _dir: dir,
            program,
            input,
            proof,
            dir: d,
        }
    })
}

#[test]
fn prove_then_verify_prints_the_output() {
    let e = echo();
    let o = verify(&e.proof, &e.program, Some(&e.input));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, b"hi");
    let err = stderr(&o);
    assert!(err.contains("proof verified"), "{err}");
    assert!(err.contains("exit code 42"), "{err}");
    assert!(err.contains("whole public input"), "{err}");
}

#[test]
fn tree_flags_prove_a_verifying_tree_and_resume_needs_a_checkpoint() {
    let e = echo();
    let ckpt = e.dir.join("ckpt");
    let out = e.dir.join("tree.proof");
    let o = {
        let _g = lock();
        canopy()
            .arg("prove")
            .arg(&e.program)
            .arg("--full")
            .args(["--block-size", K, "--params-dir"])
            .arg(params_dir())
            .args(["--input"])
            .arg(&e.input)
            .args(["--leaf-steps", "1", "--threads", "2", "--checkpoint"])
            .arg(&ckpt)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap()
    };
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        ckpt.join("pcd-checkpoint.bin").exists(),
        "a checkpoint was written"
    );
    let v = verify(&out, &e.program, Some(&e.input));
    assert!(v.status.success(), "{}", stderr(&v));
    assert_eq!(v.stdout, b"hi");

    let empty = e.dir.join("no-checkpoint-here");
    let o = canopy()
        .arg("prove")
        .arg(&e.program)
        .arg("--full")
        .args(["--block-size", K, "--params-dir"])
        .arg(params_dir())
        .arg("--resume")
        .arg("--checkpoint")
        .arg(&empty)
        .arg("-o")
        .arg(e.dir.join("never.proof"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no checkpoint"), "{}", stderr(&o));
    assert!(!e.dir.join("never.proof").exists());
}

#[test]
fn verify_rejects_another_program() {
    let e = echo();
    let other = write(&e.dir, "other.elf", &common::echo_elf(7));
    let o = verify(&e.proof, &other, Some(&e.input));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("another program"), "{}", stderr(&o));
}

#[test]
fn verify_rejects_another_input() {
    let e = echo();
    let other = write(&e.dir, "other.txt", b"ho");
    let o = verify(&e.proof, &e.program, Some(&other));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("public input mismatch"),
        "{}",
        stderr(&o)
    );
    // no --input at all: the empty input
    let o = verify(&e.proof, &e.program, None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// A proof made without coprocessors is refused by a verifier that registers the built-ins
/// (another coprocessor set is other parameters), with a message that names the option, and
/// before any parameter setup for the other set.
#[test]
fn verify_rejects_another_coprocessor_set() {
    let e = echo();
    let empty_cache = e.dir.join("no-params-here");
    let o = canopy()
        .arg("verify")
        .arg(&e.proof)
        .arg("--program")
        .arg(&e.program)
        .arg("--input")
        .arg(&e.input)
        .args(["--coprocessors", "builtins", "--params-dir"])
        .arg(&empty_cache)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("made with other parameters"), "{err}");
    assert!(err.contains("--coprocessors builtins"), "{err}");
    assert!(!err.contains("generating parameters"), "{err}");
    assert!(!empty_cache.exists(), "no parameters were generated");
}

#[test]
fn verify_rejects_another_claimed_output() {
    let e = echo();
    let mut p = Proof::from_bytes(&std::fs::read(&e.proof).unwrap()).unwrap();
    p.statement.public_output = b"HI".to_vec();
    let forged = write(&e.dir, "forged-output.proof", &p.to_bytes().unwrap());
    let o = verify(&forged, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains("public output mismatch"),
        "{}",
        stderr(&o)
    );

    let mut p = Proof::from_bytes(&std::fs::read(&e.proof).unwrap()).unwrap();
    p.statement.exit_code = 0;
    let forged = write(&e.dir, "forged-exit.proof", &p.to_bytes().unwrap());
    let o = verify(&forged, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("exit"), "{}", stderr(&o));
}

#[test]
fn verify_rejects_tampered_and_malformed_files() {
    let e = echo();
    let bytes = std::fs::read(&e.proof).unwrap();
    // a flipped bit in the accumulator
    let mut t = bytes.clone();
    let at = t.len() - 32;
    t[at] ^= 1;
    let f = write(&e.dir, "tampered.proof", &t);
    let o = verify(&f, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("does not verify"), "{}", stderr(&o));
    // truncated
    let f = write(&e.dir, "truncated.proof", &bytes[..bytes.len() / 2]);
    let o = verify(&f, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    // another format version
    let mut t = bytes.clone();
    t[8] = t[8].wrapping_add(1);
    let f = write(&e.dir, "version.proof", &t);
    let o = verify(&f, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unsupported proof format version"),
        "{}",
        stderr(&o)
    );
    // a statement naming an absurd block size is refused before any parameter setup
    let mut p = Proof::from_bytes(&bytes).unwrap();
    p.statement.block_size = 1 << 40;
    let f = write(&e.dir, "huge-k.proof", &p.to_bytes().unwrap());
    let o = verify(&f, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid block size"), "{}", stderr(&o));
    // not a proof
    let o = verify(&e.program, &e.program, Some(&e.input));
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad magic"), "{}", stderr(&o));
}

#[test]
fn params_are_loaded_from_the_cache() {
    let e = echo(); // the cache exists after this
    let dir = params_dir();
    let o = verify(&e.proof, &e.program, Some(&e.input));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("generating parameters"),
        "{}",
        stderr(&o)
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("cpu-k4-mem16777216-") && f.ends_with(".params")),
        "{files:?}"
    );
}

#[test]
fn a_corrupt_cache_file_is_regenerated() {
    let e = echo();
    let _g = lock();
    // a private copy of the cache with one byte of the digest-covered body flipped
    let dir = e.dir.join("params-copy");
    std::fs::create_dir_all(&dir).unwrap();
    let name = std::fs::read_dir(params_dir())
        .unwrap()
        .map(|f| f.unwrap().file_name())
        .find(|f| {
            // this build's format (a file of an earlier format may be left in the directory)
            let f = f.to_string_lossy();
            f.starts_with("cpu-k4-")
                && f.ends_with(&format!("-v{}.params", canopy::PARAMS_FORMAT_VERSION))
        })
        .unwrap();
    let mut bytes = std::fs::read(params_dir().join(&name)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(dir.join(&name), &bytes).unwrap();
    let o = canopy()
        .arg("verify")
        .arg(&e.proof)
        .arg("--program")
        .arg(&e.program)
        .arg("--input")
        .arg(&e.input)
        .env("CANOPY_PARAMS_DIR", &dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot use cached parameters"), "{err}");
    assert!(err.contains("generating parameters"), "{err}");
    assert_eq!(o.stdout, b"hi");
}

#[test]
fn prove_reports_guest_faults_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "ebreak.elf",
        &common::elf(&[canopy::vm::Instruction::Ebreak]),
    );
    let o = canopy()
        .arg("prove")
        .arg(&bad)
        .arg("--full")
        .args(["--block-size", K, "--params-dir"])
        .arg(params_dir())
        .arg("-o")
        .arg(dir.path().join("x.proof"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(!dir.path().join("x.proof").exists());
    let o = canopy()
        .arg("prove")
        .arg(dir.path().join("missing.elf"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot read program"), "{}", stderr(&o));
}

/// An SDK example end to end through the CLI: fib(5).
#[test]
fn fib_example_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "n.txt", b"5");
    let proof = dir.path().join("fib.proof");
    let program = common::example("fib");
    let o = prove(&program, Some(&input), &proof);
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("{}", stderr(&o));
    let o = verify(&proof, &program, Some(&input));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, b"5\n");
    let six = write(dir.path(), "six.txt", b"6");
    let o = verify(&proof, &program, Some(&six));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// Proves and verifies an SDK example through the CLI in the smallest memory that holds it
/// (`--memory-size`: every Merkle path is log2(memory / 4) levels), with K = 8 and two leaves
/// at a time; the proven output must be the native run's, and another input must be refused.
fn example_through_the_cli(name: &str, input: &[u8], memory: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.txt", input);
    let proof = dir.path().join(format!("{name}.proof"));
    let program = common::example(name);
    let native = canopy()
        .arg("run")
        .arg(&program)
        .arg("--input")
        .arg(&input)
        .args(["--memory-size", memory])
        .output()
        .unwrap();
    assert!(native.status.success(), "{}", stderr(&native));
    let o = {
        let _g = lock();
        canopy()
            .arg("prove")
            .arg(&program)
            .arg("--input")
            .arg(&input)
            .args(["--memory-size", memory, "--block-size", "8"])
            .args(["--threads", "2", "--leaf-steps", "16", "--full"])
            .arg("--params-dir")
            .arg(params_dir())
            .arg("-o")
            .arg(&proof)
            .output()
            .unwrap()
    };
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("{}", stderr(&o));
    let mem = ["--memory-size", memory];
    let o = verify_with(&proof, &program, Some(&input), &mem);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, native.stdout);
    let other = write(dir.path(), "other.txt", b"2");
    let o = verify_with(&proof, &program, Some(&other), &mem);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The verifier, not the proof, chooses the memory size: without --memory-size (16 MiB)
    // the proof, made for another memory size, is refused before any parameters are built.
    let o = verify(&proof, &program, Some(&input));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains("is for a guest memory of") && stderr(&o).contains("--memory-size"),
        "{}",
        stderr(&o)
    );
}

// sort and sha256 end to end. Their smallest inputs are still thousands of
// instructions: sort prints five decimal/hex lines whatever n is, and sha256 always runs at least
// one compression (5,089 of its 6,052 instructions). Measured with `canopy run --stats` after the
// SDK's formatting stopped using 64-bit division:
//
// | guest | input | instructions | memory |
// |---|---|---|---|
// | sort | "1" | 1,358 | 4 MiB (2 MiB of arrays in .bss) |
// | sha256 | "" | 6,052 | 512 KiB |
//
// Both run in CI since the memory argument (sha256: ≈ 3 min, see its doc comment).

/// sort, n = 1: 1,358 instructions in 4 MiB of memory.
#[test]
fn sort_example_through_the_cli() {
    example_through_the_cli("sort", b"1", "4MiB");
}

/// sha256 of the empty input: 6,052 instructions in 512 KiB of memory. The whole test took
/// 184 s on the shared 2-core machine (2026-12-04, load ≈ 1.5, test profile), against 1,339 s
/// with the Merkle memory (2026-11-22, load 3–9).
#[test]
fn sha256_example_through_the_cli() {
    example_through_the_cli("sha256", b"", "512KiB");
}
