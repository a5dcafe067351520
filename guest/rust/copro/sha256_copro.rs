//! sha256_copro: SHA-256 with the built-in SHA-256 compression coprocessor
//! (`canopy_guest::copro::sha256`), the Rust twin of guest/copro/sha256_copro.c.
//!
//! Input  (fd 0): any bytes.
//! Output (fd 1): the SHA-256 of the whole input, 64 lowercase hex digits, "\n" (as `sha256sum`).
//! Needs `--coprocessors builtins`; does not run under qemu-riscv32 (SIGILL).
#![no_std]
#![no_main]

canopy_guest::entry!(main);

fn main() {
    let input = canopy_guest::io::read_input_bytes();
    for byte in canopy_guest::copro::sha256(&input) {
        canopy_guest::print!("{byte:02x}");
    }
    canopy_guest::println!();
}
