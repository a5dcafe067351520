//! Distributed proving across MPI ranks (cargo feature `mpi`, rsmpi).
//!
//! Every rank knows the number of leaves L (the caller fixes it, e.g. by a native pre-run
//! that every rank executes) and can build any leaf's [`Segment`]. Rank r of R takes the
//! contiguous leaves `[r·L/R, (r+1)·L/R)`, proves them in windows with the streaming
//! [`Reducer`], and reduces them to one accumulator. Ranks then merge pairwise in
//! ⌈log2 R⌉ rounds (round k: rank r with r mod 2^{k+1} = 0 receives from r + 2^k, if that
//! rank exists, and merges `mine ⊕ theirs`, which keeps program order because ranges grow
//! with the rank); any R works, ranks without leaves (R > L) send "empty". Rank 0 ends
//! with the root.
//!
//! Failures: a rank that fails keeps taking part in the rounds and forwards an error
//! message (`rank r: reason`) instead of an accumulator, so no rank blocks and rank 0
//! returns [`PcdError::Rank`]; the caller then writes no proof and exits non-zero. A rank
//! that dies outright makes `mpirun` abort the job.

use crate::error::PcdError;
use crate::leaf::Segment;
use crate::reducer::Reducer;
use canopy_folding::{Accumulator, PublicParams};
use mpi::traits::{Communicator, Destination, Source};

/// The rsmpi crate, re-exported so that callers (the `canopy` crate, the CLI) initialise MPI
/// and name communicators with the same version without a dependency of their own.
pub use mpi;

/// The leaves `[start, end)` of rank `rank` among `size` ranks for `leaves` leaves.
pub fn leaf_range(rank: u64, size: u64, leaves: u64) -> std::ops::Range<u64> {
    let part = |r: u64| ((r as u128 * leaves as u128) / size.max(1) as u128) as u64;
    part(rank)..part(rank + 1)
}

/// A rank's partial result during the rounds: its subtree root (`None` if it has no
/// leaves), or the reason it failed (`rank r: reason`).
pub type Partial = Result<Option<Accumulator>, String>;

fn encode(p: &Partial) -> Vec<u8> {
    match p {
        Ok(None) => vec![1],
        Ok(Some(a)) => match a.to_bytes() {
            Ok(mut b) => {
                b.insert(0, 0);
                b
            }
            Err(e) => {
                let mut b = vec![2];
                b.extend(format!("serialising: {e}").into_bytes());
                b
            }
        },
        Err(s) => {
            let mut b = vec![2];
            b.extend(s.as_bytes());
            b
        }
    }
}

fn decode(bytes: &[u8], from: i32) -> Partial {
    match bytes.split_first() {
        Some((0, rest)) => Accumulator::from_bytes(rest)
            .map(Some)
            .map_err(|e| format!("rank {from}: bad message: {e}")),
        Some((1, _)) => Ok(None),
        Some((2, rest)) => Err(String::from_utf8_lossy(rest).into_owned()),
        _ => Err(format!("rank {from}: malformed message")),
    }
}

/// Proves `leaves` leaves on all ranks of `comm` (see the module docs); `segment(i)` builds
/// leaf i, `window` leaves are proven in parallel per rank. Returns the root on rank 0 and
/// `None` on the other ranks.
pub fn prove_distributed<C, S, F>(
    comm: &C,
    pp: &PublicParams,
    leaves: u64,
    window: usize,
    segment: F,
) -> Result<Option<Accumulator>, PcdError>
where
    C: Communicator,
    S: Segment + Sync,
    F: Fn(u64) -> Result<S, PcdError>,
{
    let rank = comm.rank();
    let size = comm.size();
    let range = leaf_range(rank as u64, size as u64, leaves);
    let local = || -> Result<Option<Accumulator>, PcdError> {
        if range.is_empty() {
            return Ok(None);
        }
        let mut r = Reducer::new(pp);
        let mut i = range.start;
        while i < range.end {
            let end = (i + window.max(1) as u64).min(range.end);
            let segs = (i..end).map(&segment).collect::<Result<Vec<_>, _>>()?;
            r.prove_window(&segs)?;
            i = end;
        }
        r.finish().map(Some)
    };
    let _span = tracing::debug_span!("rank", rank, leaves = range.end - range.start).entered();
    let mine: Partial = local().map_err(|e| format!("rank {rank}: {e}"));
    merge_rounds(comm, pp, mine)
}

/// The pairwise rounds alone (see the module docs): every rank passes its own [`Partial`]
/// (ranks hold contiguous ranges in rank order); rank 0 returns the root, or
/// [`PcdError::Rank`] with the first failure it received, and the other ranks return
/// `Ok(None)` once they have sent their partial. Every rank must call it exactly once.
pub fn merge_rounds<C: Communicator>(
    comm: &C,
    pp: &PublicParams,
    mut mine: Partial,
) -> Result<Option<Accumulator>, PcdError> {
    let rank = comm.rank();
    let size = comm.size();
    let mut step = 1;
    while step < size {
        if rank % (2 * step) == 0 {
            let from = rank + step;
            if from < size {
                let (bytes, _) = comm.process_at_rank(from).receive_vec::<u8>();
                let theirs = decode(&bytes, from);
                mine = match (mine, theirs) {
                    (Err(e), _) | (_, Err(e)) => Err(e),
                    (Ok(None), Ok(b)) => Ok(b),
                    (Ok(a), Ok(None)) => Ok(a),
                    (Ok(Some(a)), Ok(Some(b))) => Accumulator::merge(pp, &a, &b)
                        .map(Some)
                        .map_err(|e| format!("rank {rank}: merge with rank {from}: {e}")),
                };
            }
        } else if rank % (2 * step) == step {
            comm.process_at_rank(rank - step).send(&encode(&mine)[..]);
            return Ok(None);
        }
        step *= 2;
    }
    match mine {
        Ok(Some(a)) => Ok(Some(a)),
        Ok(None) => Err(PcdError::InvalidInput("no leaf was proven".into())),
        Err(reason) => Err(PcdError::Rank(reason)),
    }
}
