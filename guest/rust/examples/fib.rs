//! fib: Fibonacci numbers modulo 2^64 (the Rust twin of guest/examples/fib.c).
//!
//! Input  (fd 0): n as ASCII decimal, optional surrounding whitespace, n < 2^64.
//! Output (fd 1): fib(n) mod 2^64 in decimal, then "\n" (fib(0) = 0, fib(1) = 1).
//! Malformed input: message on fd 2, exit code 1.
#![no_std]
#![no_main]

canopy_guest::entry!(main);

fn main() -> i32 {
    let input = canopy_guest::io::read_input_bytes();
    let n = match core::str::from_utf8(&input)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        Some(n) => n,
        None => {
            canopy_guest::eprintln!("fib: the public input is not a decimal number below 2^64");
            return 1;
        }
    };
    let (mut a, mut b) = (0u64, 1u64); // a = fib(i), b = fib(i + 1)
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    canopy_guest::println!("{a}");
    0
}
