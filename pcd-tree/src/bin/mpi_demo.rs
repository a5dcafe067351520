//! `canopy-pcd-mpi-demo LEAVES STEPS OUT [FAIL_RANK]`: proves the test program of
//! `tests/common` (a non-uniform pair of tiny circuits) as LEAVES leaves of STEPS steps on
//! all ranks of `mpirun`; rank 0 verifies the root and writes it to OUT (write + rename).
//! With FAIL_RANK, that rank fails on purpose: the job exits non-zero and writes nothing.

#[path = "../../tests/common/mod.rs"]
mod common;

use canopy_pcd::{distributed::prove_distributed, PcdError};
use mpi::traits::Communicator;
use std::path::PathBuf;
use std::process::ExitCode;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T, String> {
    args.get(i)
        .ok_or_else(|| format!("missing {what}"))?
        .parse()
        .map_err(|_| format!("bad {what}"))
}

fn main() -> ExitCode {
    let Some(universe) = mpi::initialize() else {
        eprintln!("MPI initialisation failed");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let rank = world.rank();
    let args: Vec<String> = std::env::args().collect();
    let parsed = (|| -> Result<(u64, u64, PathBuf, Option<i32>), String> {
        Ok((
            arg(&args, 1, "LEAVES")?,
            arg(&args, 2, "STEPS")?,
            PathBuf::from(args.get(3).ok_or("missing OUT")?),
            args.get(4)
                .map(|s| s.parse().map_err(|_| "bad FAIL_RANK".to_string()))
                .transpose()?,
        ))
    })();
    let (leaves, steps, out, fail) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("usage: canopy-pcd-mpi-demo LEAVES STEPS OUT [FAIL_RANK]: {e}");
            return ExitCode::FAILURE;
        }
    };
    let pp = common::pp();
    // every rank computes all leaf starts natively (cheap) and builds its own segments
    let (segs, _) = common::segments(common::start(), leaves as usize, steps);
    let res = prove_distributed(&world, pp, leaves, 2, |i| {
        if fail == Some(rank) {
            return Err(PcdError::InvalidInput("injected failure".into()));
        }
        segs.get(i as usize)
            .cloned()
            .ok_or_else(|| PcdError::InvalidInput(format!("no leaf {i}")))
    });
    match res {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(root)) => {
            let write = || -> Result<(), String> {
                root.verify(pp).map_err(|e| e.to_string())?;
                let bytes = root.to_bytes().map_err(|e| e.to_string())?;
                canopy_folding::fs::write_atomic(&out, &bytes).map_err(|e| e.to_string())
            };
            match write() {
                Ok(()) => {
                    println!(
                        "rank 0: root of {} steps from {} ranks written to {}",
                        root.num_steps(),
                        world.size(),
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("rank 0: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
