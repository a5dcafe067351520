//! Keeps a dependency's debug output off stdout while the CLI works with a powers-of-tau file.
//!
//! halo2curves 0.9.0 (nova-snark's curve library; the newest 0.9 release) prints 62 lines of
//! `true`/`false` on stdout in every BN254 G2 subgroup check (a debug `println!` left in its
//! `exp_by_x`). Reading a powers-of-tau file and building a HyperKZG key run such checks. The
//! CLI's stdout carries the guest's public output and `--json`, so with `--ptau` the CLI points
//! file descriptor 1 at `/dev/null` ([`silence`]) and restores it ([`restore`]) just before it
//! writes its own output. Everything of the CLI's own goes to stderr meanwhile anyway.
//!
//! Unsafe code: `dup`/`dup2` on the process's own file descriptors have no safe wrapper in
//! std; each block says why it is sound.
#![allow(unsafe_code)]

use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;

/// The original stdout while it is silenced.
static SAVED: Mutex<Option<OwnedFd>> = Mutex::new(None);

/// Points stdout at `/dev/null` until [`restore`]; does nothing if it already is or if
/// `/dev/null` cannot be opened (the output is then only noisier).
pub fn silence() {
    let Ok(mut saved) = SAVED.lock() else { return };
    if saved.is_some() {
        return;
    }
    let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
        return;
    };
    let _ = std::io::stdout().flush();
    // SAFETY: dup and dup2 on file descriptors this process owns (1, and `null`, which stays
    // open for the call); the duplicate returned by dup is owned by the OwnedFd.
    unsafe {
        let copy = libc::dup(1);
        if copy < 0 {
            return;
        }
        if libc::dup2(null.as_raw_fd(), 1) < 0 {
            libc::close(copy);
            return;
        }
        *saved = Some(OwnedFd::from_raw_fd(copy));
    }
}

/// Gives stdout back its original target (after [`silence`]; otherwise does nothing).
pub fn restore() {
    let Ok(mut saved) = SAVED.lock() else { return };
    if let Some(fd) = saved.take() {
        let _ = std::io::stdout().flush();
        // SAFETY: dup2 of a descriptor we own onto 1.
        unsafe {
            libc::dup2(fd.as_raw_fd(), 1);
        }
    }
}
