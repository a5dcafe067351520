//! `canopy prove --mpi` under `mpirun` (feature `mpi`): the `fib` guest proven on 2 ranks and
//! on 3 oversubscribed ranks, several leaves per rank, verified by the single-process
//! `canopy verify`; a job where one rank is given another input, or a missing input file,
//! fails on every rank with the failing rank named, and writes no proof file.
//!
//! Parameters (K = 4) come from the cache directory shared with the other CLI tests
//! (`$CARGO_TARGET_TMPDIR/canopy-params-k4`). The proofs use the fast `--full` format.

#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const K: &str = "4";
/// fib on input 5 takes 57 fold steps at K = 4: 7 leaves of 9 steps, so 3 or 4 leaves per
/// rank on 2 ranks and 2 or 3 on 3 ranks.
const LEAF_STEPS: &str = "9";

fn params_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-params-k4")
}

fn fib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/examples/fib.elf")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The arguments of one `canopy prove --mpi` rank.
fn prove_args(input: &Path, out: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec![env!("CARGO_BIN_EXE_canopy").into(), "prove".into()];
    a.push(fib().display().to_string());
    a.extend(
        [
            "--mpi",
            "--full",
            "--block-size",
            K,
            "--leaf-steps",
            LEAF_STEPS,
        ]
        .map(String::from),
    );
    a.extend(["--params-dir".into(), params_dir().display().to_string()]);
    a.extend(["--input".into(), input.display().to_string()]);
    a.extend(["-o".into(), out.display().to_string()]);
    a
}

/// `mpirun` with one block of arguments per MPMD application (`-n 1 ARGS : -n 1 ARGS ...`).
fn mpirun(oversubscribe: bool, apps: &[(usize, Vec<String>)]) -> Output {
    let mut c = Command::new("mpirun");
    c.env_remove("CANOPY_PARAMS_DIR").arg("--allow-run-as-root");
    if oversubscribe {
        c.arg("--oversubscribe");
    }
    for (i, (n, args)) in apps.iter().enumerate() {
        if i > 0 {
            c.arg(":");
        }
        c.args(["-n", &n.to_string()]).args(args);
    }
    let o = c.output().expect("mpirun (install openmpi-bin)");
    eprintln!("{}", stderr(&o));
    o
}

fn verify(proof: &Path, input: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canopy"))
        .env_remove("CANOPY_PARAMS_DIR")
        .arg("verify")
        .arg(proof)
        .arg("--program")
        .arg(fib())
        .arg("--input")
        .arg(input)
        .arg("--params-dir")
        .arg(params_dir())
        .output()
        .unwrap()
}

#[test]
fn two_and_three_ranks_prove_what_the_single_process_verifier_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("five");
    std::fs::write(&input, b"5").unwrap();
    for (ranks, oversubscribe) in [(2usize, false), (3, true)] {
        let out = dir.path().join(format!("fib-{ranks}.proof"));
        let o = mpirun(oversubscribe, &[(ranks, prove_args(&input, &out))]);
        let err = stderr(&o);
        assert!(o.status.success(), "mpirun -n {ranks}: {err}");
        // rank 0 reports once; the other ranks are quiet
        assert_eq!(err.matches("proof written to").count(), 1, "{err}");
        assert!(
            err.contains(&format!("proving on {ranks} MPI ranks")),
            "{err}"
        );
        assert!(!err.contains("canopy: error"), "{err}");
        let v = verify(&out, &input);
        assert!(v.status.success(), "verify -n {ranks}: {}", stderr(&v));
        assert_eq!(String::from_utf8_lossy(&v.stdout), "5\n");
    }
}

#[test]
fn a_rank_with_another_or_a_missing_input_fails_the_job_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let five = dir.path().join("five");
    std::fs::write(&five, b"5").unwrap();
    let six = dir.path().join("six");
    std::fs::write(&six, b"6").unwrap();
    let missing = dir.path().join("missing");
    for (other, why) in [
        (&six, "disagrees with rank 0 on the public input digest"),
        (&missing, "cannot read input"),
    ] {
        let out = dir.path().join("never.proof");
        let o = mpirun(
            true,
            &[
                (1, prove_args(&five, &out)),
                (1, prove_args(other, &out)),
                (1, prove_args(&five, &out)),
            ],
        );
        let err = stderr(&o);
        assert!(!o.status.success(), "the job must fail: {err}");
        // every rank reports the failure of rank 1, with the reason
        for rank in 0..3 {
            assert!(
                err.contains(&format!("(rank {rank} of 3)")),
                "rank {rank} reports: {err}"
            );
        }
        assert_eq!(err.matches("rank 1 failed").count(), 3, "{err}");
        assert_eq!(err.matches(why).count(), 3, "{err}");
        assert!(!out.exists(), "no proof file after a failed job");
    }
}
