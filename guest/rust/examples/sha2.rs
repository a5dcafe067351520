//! sha2: SHA-256 in software with RustCrypto's `sha2` crate from crates.io (no_std), the same
//! function as guest/examples/sha256.c and guest/rust/copro/sha256_copro.rs.
//!
//! Input  (fd 0): any bytes.
//! Output (fd 1): the SHA-256 of the whole input, 64 lowercase hex digits, "\n" (as `sha256sum`).
#![no_std]
#![no_main]

use sha2::{Digest, Sha256};

canopy_guest::entry!(main);

fn main() {
    let input = canopy_guest::io::read_input_bytes();
    let digest = Sha256::digest(&input);
    for byte in digest {
        canopy_guest::print!("{byte:02x}");
    }
    canopy_guest::println!();
}
