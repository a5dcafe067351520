//! square: the smallest typed guest, proven end to end in CI (cli/tests/rust_guests.rs).
//!
//! Input  (fd 0): a postcard-encoded `u32` n (varint: n < 128 is the single byte n).
//! Output (fd 1): a postcard-encoded `u64` n * n.
//! Not one postcard `u32`: the guest panics (exit code 101, reason on fd 2).
#![no_std]
#![no_main]

canopy_guest::entry!(main);

fn main() {
    let n: u32 = canopy_guest::read_input();
    canopy_guest::commit(&(u64::from(n) * u64::from(n)));
}
