//! panic: shows how a panicking guest ends.
//!
//! Input  (fd 0): ASCII decimal numbers separated by whitespace.
//! Output (fd 1): "sum=S\n", the sum of the numbers, written before anything is checked...
//! unless the sum overflows 32 bits or a word is not a number: then the guest panics, the
//! debug log (fd 2) says `guest panicked at examples/panic.rs:LINE:COL:` and why, and the exit
//! code is 101 (`canopy_guest::PANIC_EXIT_CODE`). The sample input panics.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

canopy_guest::entry!(main);

fn main() {
    let input = canopy_guest::io::read_input_bytes();
    let text = core::str::from_utf8(&input).expect("the input is not UTF-8");
    let numbers: Vec<u32> = text
        .split_whitespace()
        .map(|w| w.parse().expect("not a number"))
        .collect();
    let sum = numbers
        .iter()
        .try_fold(0u32, |acc, &x| acc.checked_add(x))
        .unwrap_or_else(|| panic!("the sum of {} numbers overflows u32", numbers.len()));
    canopy_guest::println!("sum={sum}");
}
