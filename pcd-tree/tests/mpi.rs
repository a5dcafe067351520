//! MPI runs through `mpirun` (feature `mpi`): 2 ranks and 3 ranks (oversubscribed) give a
//! root that verifies with the single-process verifier and states the sequential run's end;
//! a failing rank fails the job and no result file is written.

#![cfg(feature = "mpi")]

mod common;

use canopy_pcd::{Accumulator, F1};
use std::process::Command;

fn mpirun(ranks: usize, leaves: u64, out: &std::path::Path, fail: Option<i32>) -> bool {
    let mut c = Command::new("mpirun");
    c.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "-n",
        &ranks.to_string(),
    ])
    .arg(env!("CARGO_BIN_EXE_canopy-pcd-mpi-demo"))
    .args([&leaves.to_string(), "1"])
    .arg(out);
    if let Some(f) = fail {
        c.arg(f.to_string());
    }
    let o = c.output().expect("mpirun");
    println!("{}", String::from_utf8_lossy(&o.stdout));
    eprintln!("{}", String::from_utf8_lossy(&o.stderr));
    o.status.success()
}

#[test]
fn mpi_two_and_three_ranks_and_a_failing_rank() {
    let dir = tempfile::tempdir().unwrap();
    let pp = common::pp();
    for (ranks, leaves) in [(2usize, 4u64), (3, 5)] {
        let out = dir.path().join(format!("root-{ranks}.bin"));
        assert!(mpirun(ranks, leaves, &out, None), "mpirun -n {ranks}");
        let root = Accumulator::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
        root.verify(pp).unwrap();
        let (_, (pc, z)) = common::segments(common::start(), leaves as usize, 1);
        assert_eq!(root.num_steps(), leaves);
        assert_eq!(root.state().0, F1::from(pc));
        assert_eq!(root.state().1, &z[..]);
    }
    let out = dir.path().join("failed.bin");
    assert!(!mpirun(3, 5, &out, Some(1)), "a failing rank fails the job");
    assert!(!out.exists(), "no result file after a failure");
}
