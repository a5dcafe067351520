//! Compact proofs end to end: `canopy setup --vk-out`, `canopy prove` (compact by default, with
//! `--json`), `canopy verify --vk` (a fresh process with only the verifier key, the program and
//! the public input), `canopy inspect`, and rejections (wrong input, wrong claimed output, another program, a
//! verifier key of other parameters, truncated / wrong-version files), and a mutation test: over
//! 200 mutants of the file (one random byte flipped in the header, statement, final state or
//! SNARK, or one field changed and re-encoded), each rejected by decoding or `verify_compact`
//! without a panic.
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

use canopy::{
    verify_compact, CompactProofFile, CompactVerifierKey, CompactVerifyError, Program,
    VerifierKeyFile, VerifyError,
};

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

/// The verifier key derived once in this process from the fixture's key file (a recipe:
/// the parameters it names are set up here and must have the file's digest).
fn vk() -> &'static CompactVerifierKey {
    static V: OnceLock<CompactVerifierKey> = OnceLock::new();
    V.get_or_init(|| {
        let t = Instant::now();
        let file = VerifierKeyFile::from_bytes(&std::fs::read(&fixture().vk).unwrap()).unwrap();
        let block_size = usize::try_from(file.block_size).unwrap();
        let params = canopy::Params::setup(block_size, file.memory_size).unwrap();
        let vk = file.derive(&params).unwrap();
        eprintln!("verifier key derived in {:?}", t.elapsed());
        vk
    })
}

fn verify_cli(proof: &Path, program: &Path, input: &Path, vk: &Path) -> Output {
    // a parameters cache of the verifier's own that starts empty: the first verification
    // derives the parameters and the decider key from the key file alone
    canopy()
        .arg("verify")
        .arg("--params-dir")
        .arg(fixture().dir.join("verifier-params"))
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
    // the CPU fold step's size, and its share per row (K = 4)
    let cpu = v["fold_step_constraints"]
        .as_u64()
        .expect("fold_step_constraints");
    assert!(cpu > 4 * 1000, "{cpu}");
    assert_eq!(
        v["constraints_per_instruction"].as_f64(),
        Some(cpu as f64 / 4.0)
    );
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
    // a statement naming another coprocessor set (the circuits are bound by the digest;
    // the list must be the key's too)
    let mut forged = CompactProofFile::from_bytes(&bytes).unwrap();
    forged.statement.coprocessors.push(canopy::CoprocessorInfo {
        id: 0x5a,
        name: "invented".into(),
        funct7: 1,
        funct3: 7,
    });
    let r = verify_compact(&forged, &program, b"hi", vk);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongParams(_)))
        ),
        "{r:?}"
    );
    // a verifier key of other parameters (K = 2)
    let t = Instant::now();
    let params2 = canopy::Params::setup(2, program.memory_size()).unwrap();
    let vk2 = CompactVerifierKey::derive(&params2).unwrap();
    eprintln!("K = 2 parameters and decider key {:?}", t.elapsed());
    let r = verify_compact(&file, &program, b"hi", &vk2);
    assert!(
        matches!(
            r,
            Err(CompactVerifyError::Statement(VerifyError::WrongParams(_)))
        ),
        "{r:?}"
    );
}

/// The verifier-key file is a recipe of a few hundred bytes; an edited one derives other
/// parameters (or none) and is refused with a clear error, never used.
#[test]
fn verifier_key_file_is_small_and_an_edited_one_is_refused() {
    let f = fixture();
    let bytes = std::fs::read(&f.vk).unwrap();
    assert!(
        bytes.len() < 1024,
        "verifier key file of {} bytes",
        bytes.len()
    );
    let file = VerifierKeyFile::from_bytes(&bytes).unwrap();
    assert_eq!(file.block_size, 4);
    assert!(file.coprocessors.is_empty());
    assert_eq!(file, *vk().file());

    // the digest check: a recipe edited to K = 2 leads to other parameters
    let mut k2 = file.clone();
    k2.block_size = 2;
    let p = write(&f.dir, "k2.vk", &k2.to_bytes().unwrap());
    let o = verify_cli(&f.proof, &f.program, &f.input, &p);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("do not match the verifier key"),
        "{}",
        stderr(&o)
    );
    // the same recipe with K = 2's digest is a valid key, but not for this proof
    let params2 = canopy::Params::setup(2, file.memory_size).unwrap();
    let other = VerifierKeyFile::of(&params2);
    assert!(matches!(
        file.check(&params2),
        Err(canopy::VerifierKeyError::WrongParams(_))
    ));
    let p = write(&f.dir, "k2-good.vk", &other.to_bytes().unwrap());
    let o = verify_cli(&f.proof, &f.program, &f.input, &p);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("other parameters"), "{}", stderr(&o));

    // a coprocessor this build does not have, another scheme, truncation
    let mut copro = file.clone();
    copro.coprocessors.push(canopy::CoprocessorInfo {
        id: 0x5a,
        name: "invented".into(),
        funct7: 1,
        funct3: 7,
    });
    let p = write(&f.dir, "copro.vk", &copro.to_bytes().unwrap());
    let o = verify_cli(&f.proof, &f.program, &f.input, &p);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("invented"), "{}", stderr(&o));
    let mut scheme = file.clone();
    scheme.scheme = "hyperkzg".into();
    assert!(matches!(
        VerifierKeyFile::from_bytes(&scheme.to_bytes().unwrap()),
        Err(canopy::VerifierKeyError::OtherScheme { .. })
    ));
    for cut in [0, 11, 12, bytes.len() - 1] {
        assert!(matches!(
            VerifierKeyFile::from_bytes(&bytes[..cut]),
            Err(canopy::VerifierKeyError::Format(_))
        ));
    }
    let mut version = bytes.clone();
    version[8] ^= 1;
    let e = VerifierKeyFile::from_bytes(&version).unwrap_err();
    assert!(e.to_string().contains("unsupported"), "{e}");
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

/// The mutation test on a real guest's compact proof file: hundreds of mutants of the
/// fixture's `CANOPYCP` file, each one flipped byte or one changed field, every one rejected by
/// `CompactProofFile::from_bytes` or `verify_compact`, none panicking.
///
/// Byte flips (a random position, XOR with a random non-zero byte) are spread over three
/// ranges so that every part of the file is hit: the bytes before the SNARK (header,
/// statement, final_pc, final_z, the SNARK's length prefix: under a tenth of the file), the
/// whole file, and the embedded decider file (`CNPY-CP`). Field mutants are made through the
/// decoded struct and re-encoded: every `Statement` field, found through its serde form so
/// that a field added later is mutated too (the test fails if one yields no mutant),
/// `final_pc`, each `final_z` entry, `final_z` one entry shorter / longer, and the SNARK bytes
/// one shorter / longer. The seed is printed; `CANOPY_MUTATION_SEED=<seed>` replays a run.
///
/// Cost: every mutant that decodes costs `verify_compact`'s recomputation of z_0, and those
/// that reach the SNARK a decider verification, so the mutants are checked on all cores.
#[test]
fn mutated_compact_proofs_are_rejected_without_panics() {
    let f = fixture();
    let bytes = std::fs::read(&f.proof).unwrap();
    let program = Program::from_elf(&std::fs::read(&f.program).unwrap()).unwrap();
    let file = CompactProofFile::from_bytes(&bytes).unwrap();
    // positive control (also reads the key before the clock starts)
    verify_compact(&file, &program, b"hi", vk()).unwrap();
    let t = Instant::now();
    verify_compact(&file, &program, b"hi", vk()).unwrap();
    let control = t.elapsed();

    // the SNARK is the body's last field: its bytes end the file
    assert!(bytes.ends_with(&file.snark), "the SNARK is not at the end");
    let snark_start = bytes.len() - file.snark.len();

    let seed = std::env::var("CANOPY_MUTATION_SEED")
        .ok()
        .map(|s| s.parse::<u64>().expect("CANOPY_MUTATION_SEED: a u64"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!(
        "mutation seed {seed} (replay: CANOPY_MUTATION_SEED={seed}); file {} bytes, SNARK at \
         {snark_start}..",
        bytes.len()
    );
    let mut rng = XorShift::new(seed);

    // (class: an index into CLASSES, description, file bytes)
    let mut mutants: Vec<(usize, String, Vec<u8>)> = Vec::new();
    for (class, range, count) in [
        (0, 0..snark_start, MUTANTS_BEFORE_SNARK),
        (1, 0..bytes.len(), MUTANTS_WHOLE_FILE),
        (2, snark_start..bytes.len(), MUTANTS_IN_SNARK),
    ] {
        for _ in 0..count {
            let at = range.start + rng.below(range.len() as u64) as usize;
            let x = 1 + rng.below(255) as u8;
            let mut b = bytes.clone();
            b[at] ^= x;
            mutants.push((class, format!("byte {at} ^= {x:#04x}"), b));
        }
    }
    let mut field = |what: String, m: CompactProofFile| {
        let b = m.to_bytes().unwrap();
        assert_ne!(b, bytes, "the field mutant {what} encodes as the original");
        mutants.push((3, what, b));
    };
    for (what, statement) in statement_mutants(&file.statement) {
        let mut m = file.clone();
        m.statement = statement;
        field(format!("statement.{what}"), m);
    }
    let one = canopy::circuit::F1::from(1u64);
    let mut m = file.clone();
    m.final_pc += one;
    field("final_pc + 1".into(), m);
    for i in 0..file.final_z.len() {
        let mut m = file.clone();
        m.final_z[i] += one;
        field(format!("final_z[{i}] + 1"), m);
    }
    let mut m = file.clone();
    m.final_z.pop();
    field("final_z without its last entry".into(), m);
    let mut m = file.clone();
    m.final_z.push(one);
    field("final_z with one more entry".into(), m);
    let mut m = file.clone();
    m.snark.pop();
    field("snark one byte shorter".into(), m);
    let mut m = file.clone();
    m.snark.push(0);
    field("snark one byte longer".into(), m);

    // check them, interleaved over the cores: (class, description, outcome, time)
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let t = Instant::now();
    let results: Vec<(usize, &str, Outcome, std::time::Duration)> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                let (mutants, program) = (&mutants, &program);
                sc.spawn(move || {
                    mutants
                        .iter()
                        .skip(i)
                        .step_by(threads)
                        .map(|(class, what, b)| {
                            let t = Instant::now();
                            let outcome = check_mutant(b, program);
                            (*class, what.as_str(), outcome, t.elapsed())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let wall = t.elapsed();

    let mut count = [[0usize; Outcome::ALL.len()]; CLASSES.len()];
    let mut time = [std::time::Duration::ZERO; Outcome::ALL.len()];
    for &(class, _, outcome, dt) in &results {
        count[class][outcome as usize] += 1;
        time[outcome as usize] += dt;
    }
    eprintln!(
        "{} mutants in {wall:?} on {threads} threads (one verification of the true proof \
         {control:?}); by outcome (time summed over the threads):",
        results.len()
    );
    for o in Outcome::ALL {
        let n: usize = count.iter().map(|c| c[o as usize]).sum();
        eprintln!("  {:?}: {n} ({:?})", o, time[o as usize]);
    }
    for (class, c) in CLASSES.iter().zip(count) {
        eprintln!("  {class}: {c:?}");
    }
    let field_snark: Vec<&str> = results
        .iter()
        .filter(|r| r.0 == 3 && r.2 == Outcome::SnarkRejected)
        .map(|r| r.1)
        .collect();
    eprintln!("  field mutants only the SNARK rejected: {field_snark:?}");
    let bad =
        |o: Outcome| -> Vec<&str> { results.iter().filter(|r| r.2 == o).map(|r| r.1).collect() };
    assert!(
        bad(Outcome::Panicked).is_empty(),
        "mutants that panicked (seed {seed}): {:?}",
        bad(Outcome::Panicked)
    );
    assert!(
        bad(Outcome::Accepted).is_empty(),
        "mutants accepted (seed {seed}): {:?}",
        bad(Outcome::Accepted)
    );
}

/// Byte flips before the SNARK (header, statement, final state).
const MUTANTS_BEFORE_SNARK: usize = 110;
/// Byte flips anywhere in the file.
const MUTANTS_WHOLE_FILE: usize = 30;
/// Byte flips inside the embedded decider file.
const MUTANTS_IN_SNARK: usize = 20;
/// The mutant classes, in the order of their indices.
const CLASSES: [&str; 4] = [
    "byte flips before the SNARK",
    "byte flips over the file",
    "byte flips in the SNARK",
    "field mutants",
];

/// What became of a mutant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// `CompactProofFile::from_bytes` failed.
    Decoding,
    /// `CompactVerifyError::Statement`.
    Statement,
    /// `CompactVerifyError::Snark` with an undecodable decider file.
    SnarkUndecodable,
    /// `CompactVerifyError::Snark`: the decider rejected it.
    SnarkRejected,
    /// Verified: a failure of the test.
    Accepted,
    /// Panicked: a failure of the test.
    Panicked,
}

impl Outcome {
    const ALL: [Outcome; 6] = [
        Outcome::Decoding,
        Outcome::Statement,
        Outcome::SnarkUndecodable,
        Outcome::SnarkRejected,
        Outcome::Accepted,
        Outcome::Panicked,
    ];
}

/// Decodes and verifies one mutated file (for "hi" under the fixture's key), catching panics.
fn check_mutant(bytes: &[u8], program: &Program) -> Outcome {
    use canopy::decider::DeciderError;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        CompactProofFile::from_bytes(bytes).map(|m| verify_compact(&m, program, b"hi", vk()))
    }));
    match r {
        Err(_) => Outcome::Panicked,
        Ok(Err(_)) => Outcome::Decoding,
        Ok(Ok(Ok(_))) => Outcome::Accepted,
        Ok(Ok(Err(CompactVerifyError::Statement(_)))) => Outcome::Statement,
        Ok(Ok(Err(CompactVerifyError::Snark(DeciderError::Format(_))))) => {
            Outcome::SnarkUndecodable
        }
        Ok(Ok(Err(CompactVerifyError::Snark(_)))) => Outcome::SnarkRejected,
    }
}

/// xorshift64* (the test needs no RNG crate; the seed replays a run).
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // a zero state would stay zero
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-enough in `0..n` for `n` far below 2^64.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Statements that differ from `s` in one field each, named by field: made through the serde
/// (JSON) form so that every field, including ones added later, is covered. Panics if a field
/// yields no mutant that deserializes (give it a case in `value_mutants`).
fn statement_mutants(s: &canopy::Statement) -> Vec<(String, canopy::Statement)> {
    let serde_json::Value::Object(fields) = serde_json::to_value(s).unwrap() else {
        panic!("a statement is not a JSON object");
    };
    let mut out = Vec::new();
    for (key, value) in &fields {
        let before = out.len();
        for v in value_mutants(value) {
            let mut m = fields.clone();
            m.insert(key.clone(), v.clone());
            if let Ok(t) = serde_json::from_value::<canopy::Statement>(m.into()) {
                assert_ne!(&t, s, "{key} = {v} is no change");
                out.push((format!("{key} = {v}"), t));
            }
        }
        assert!(out.len() > before, "no mutant of statement field {key}");
    }
    out
}

/// Changed versions of a JSON value (some may not deserialize as the field's type; the caller
/// skips those): a number ^ 1 and + 1, a negated bool, a string with one more character, an
/// array with its first element changed, without its last element, with its last element
/// repeated, or (empty) with one element of a few shapes, an object with one member changed.
fn value_mutants(v: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::{json, Value};
    match v {
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Number(n) => match n.as_u64() {
            Some(x) => {
                let mut out = vec![json!(x ^ 1)];
                if let Some(y) = x.checked_add(1).filter(|&y| y != x ^ 1) {
                    out.push(json!(y));
                }
                out
            }
            None => vec![json!(n.as_f64().unwrap_or(0.0) + 1.0)],
        },
        Value::String(s) => vec![Value::String(format!("{s}x"))],
        Value::Array(a) => {
            let mut out = Vec::new();
            if let Some(first) = a.first() {
                for m in value_mutants(first) {
                    let mut b = a.clone();
                    b[0] = m;
                    out.push(Value::Array(b));
                }
                out.push(Value::Array(a[..a.len() - 1].to_vec()));
                let mut b = a.clone();
                b.push(a[a.len() - 1].clone());
                out.push(Value::Array(b));
            } else {
                for e in [
                    json!(0),
                    json!("x"),
                    json!({"id": 1, "name": "x", "funct7": 0, "funct3": 0}),
                ] {
                    out.push(Value::Array(vec![e]));
                }
            }
            out
        }
        Value::Object(o) => {
            let mut out = Vec::new();
            for (k, x) in o {
                for m in value_mutants(x) {
                    let mut p = o.clone();
                    p.insert(k.clone(), m);
                    out.push(Value::Object(p));
                }
            }
            out
        }
        Value::Null => vec![json!(0)],
    }
}
