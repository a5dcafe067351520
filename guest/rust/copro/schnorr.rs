//! schnorr: verifies one Schnorr signature on Grumpkin with the built-in coprocessor, the Rust
//! twin of guest/copro/schnorr.c.
//!
//! Input  (fd 0): exactly 128 bytes, P, R (compressed points), s, m, each 32 bytes
//! little-endian (`canopy_guest::copro::SchnorrInput::from_bytes`).
//! Output (fd 1): "valid\n" or "invalid\n". Exit code 1 if the input is not 128 bytes; a
//! malformed point or scalar faults the VM. Needs `--coprocessors builtins`.
#![no_std]
#![no_main]

use canopy_guest::copro::{schnorr_verify, SchnorrInput};

canopy_guest::entry!(main);

fn main() -> i32 {
    let input = canopy_guest::io::read_input_bytes();
    let Ok(bytes) = <&[u8; 128]>::try_from(input.as_slice()) else {
        canopy_guest::eprintln!("schnorr: the input must be 128 bytes (P, R, s, m)");
        return 1;
    };
    let valid = schnorr_verify(&SchnorrInput::from_bytes(bytes));
    canopy_guest::println!("{}", if valid { "valid" } else { "invalid" });
    0
}
