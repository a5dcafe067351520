//! Checkpoints: the reducer's stack and the position in the leaf sequence, written
//! atomically (`canopy_folding::fs::write_atomic`: a temporary file in the same directory,
//! fsync, rename), so that a killed run resumes from the last merge. A checkpoint records the parameter digest and a
//! caller-chosen context (e.g. the digests of the program and its input): resuming with
//! other parameters or another context is refused. The file is framed like every serde file
//! of Canopy (`canopy_folding::framing`: magic `CANOPYCK`, version, bounded decode), so a
//! truncated, extended or foreign file is an error, never a panic or an unbounded allocation.

use crate::error::PcdError;
use crate::reducer::{Entry, Reducer};
use canopy_folding::{framing, PublicParams, F1};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Magic at the start of a checkpoint file.
pub const CHECKPOINT_MAGIC: &[u8; 8] = b"CANOPYCK";
/// Format version of the checkpoint file.
pub const CHECKPOINT_VERSION: u32 = 2;
/// Largest body the decoder accepts (O(log n) accumulators with their witnesses).
const MAX_BODY: usize = 1 << 32;
/// File name of the checkpoint inside its directory.
pub const CHECKPOINT_FILE: &str = "pcd-checkpoint.bin";

/// What a checkpoint holds.
#[derive(Serialize, Deserialize)]
pub struct Checkpoint {
    digest: F1,
    context: Vec<u8>,
    /// Number of leaves already covered by the stack (the next leaf's index).
    pub next_leaf: u64,
    /// Number of steps already covered by the stack.
    pub steps: u64,
    /// The reducer's stack.
    pub stack: Vec<Entry>,
}

/// Path of the checkpoint file in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(CHECKPOINT_FILE)
}

/// Writes the reducer's state atomically to `dir` (created if missing).
pub fn save(dir: &Path, pp: &PublicParams, context: &[u8], r: &Reducer) -> Result<(), PcdError> {
    std::fs::create_dir_all(dir)?;
    let cp = Checkpoint {
        digest: pp.digest(),
        context: context.to_vec(),
        next_leaf: r.leaves(),
        steps: r.stack().iter().map(|e| e.acc.num_steps()).sum(),
        stack: r.stack().to_vec(),
    };
    let bytes = framing::encode(CHECKPOINT_MAGIC, CHECKPOINT_VERSION, &cp, "checkpoint")
        .map_err(|e| PcdError::Checkpoint(e.to_string()))?;
    canopy_folding::fs::write_atomic(&path(dir), &bytes)?;
    Ok(())
}

/// Loads the checkpoint in `dir`, if there is one. Refuses a checkpoint written under other
/// parameters or for another context, or a corrupt file.
pub fn load(dir: &Path, pp: &PublicParams, context: &[u8]) -> Result<Option<Checkpoint>, PcdError> {
    let p = path(dir);
    if !p.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&p)?;
    let cp: Checkpoint =
        framing::decode::<_, MAX_BODY>(&bytes, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, "checkpoint")
            .map_err(|e| PcdError::Checkpoint(e.to_string()))?;
    if cp.digest != pp.digest() {
        return Err(PcdError::Checkpoint(
            "written under other parameters".into(),
        ));
    }
    if cp.context != context {
        return Err(PcdError::Checkpoint(
            "written for another program or input".into(),
        ));
    }
    if cp.stack.iter().map(|e| e.leaves).sum::<u64>() != cp.next_leaf {
        return Err(PcdError::Checkpoint("inconsistent leaf count".into()));
    }
    Ok(Some(cp))
}

/// Restores a reducer from a loaded checkpoint; returns it with the index of the next
/// leaf to prove. The stack's accumulators are verified (a tampered checkpoint is refused).
pub fn resume<'a>(pp: &'a PublicParams, cp: Checkpoint) -> Result<(Reducer<'a>, u64), PcdError> {
    for e in &cp.stack {
        e.acc
            .verify(pp)
            .map_err(|err| PcdError::Checkpoint(format!("stack entry does not verify: {err}")))?;
    }
    let next = cp.next_leaf;
    Ok((Reducer::from_stack(pp, cp.stack)?, next))
}
