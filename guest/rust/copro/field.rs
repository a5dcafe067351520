//! field: the Poseidon and 256-bit modular multiplication coprocessors on typed input.
//!
//! Input  (fd 0): postcard-encoded `(x, y, a, b, m)`, five `[u32; 8]` (256-bit little-endian
//! words; x, y < BN254's scalar field modulus, m != 0).
//! Output (fd 1): postcard-encoded `(Poseidon(x, y), a * b mod m)`, two `[u32; 8]`.
//! Needs `--coprocessors builtins`.
#![no_std]
#![no_main]

use canopy_guest::copro::{modmul256, poseidon2, Words256};

canopy_guest::entry!(main);

fn main() {
    let (x, y, a, b, m): (Words256, Words256, Words256, Words256, Words256) =
        canopy_guest::read_input();
    canopy_guest::commit(&(poseidon2(&x, &y), modmul256(&a, &b, &m)));
}
