//! Guest library for [Canopy](../../../README.md) zkVM programs written in Rust.
//!
//! A guest is a `#![no_std]` `#![no_main]` binary for `riscv32im-unknown-none-elf` that names its
//! `main` with [`entry!`]:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! canopy_guest::entry!(main);
//!
//! fn main() {
//!     let n: u32 = canopy_guest::read_input();   // postcard-encoded public input (fd 0)
//!     canopy_guest::commit(&(n * 2));             // postcard-encoded public output (fd 1)
//! }
//! ```
//!
//! What the library provides:
//!
//! - the entry point `_start` (through [`entry!`]): sets `gp`, `tp` and `sp`, clears `.bss`,
//!   initialises the heap, calls `main` and exits with its [`ExitCode`];
//! - a global allocator over the heap section of the linker script (`alloc`'s `Vec`, `String`,
//!   `BTreeMap`, `format!`... work), see [`heap`];
//! - a panic handler that writes `guest panicked at FILE:LINE:COL:\nMESSAGE\n` to the debug log
//!   (fd 2) and exits with [`PANIC_EXIT_CODE`] (101, the code of a panicking Rust program);
//!   running out of heap memory panics too;
//! - typed I/O in postcard's format ([`read_input`], [`read_private`], [`commit`]) and raw I/O
//!   ([`io`]: bytes, text, `print!`/`println!`/`eprintln!`);
//! - [`exit`], and safe wrappers for every built-in coprocessor ([`copro`]: SHA-256
//!   compression, Poseidon, 256-bit modular multiplication, Schnorr verification).
//!
//! The ABI (Linux `ecall` numbers, file descriptors, the `custom-0` coprocessor instruction) is
//! the one of the C SDK (`guest/include/canopy.h`), so a guest that calls no coprocessor also
//! runs under `qemu-riscv32`.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod copro;
pub mod heap;
pub mod io;
mod rt;
pub mod syscall;

pub use io::{commit, commit_bytes, read_input, read_private, try_read_input, try_read_private};
pub use rt::{exit, ExitCode, PANIC_EXIT_CODE};

/// Re-exported so that guests and the entry macro name the same crate versions.
pub use postcard;
/// Re-exported so that guests and the entry macro name the same crate versions.
pub use serde;

#[doc(hidden)]
pub mod __private {
    pub use crate::rt::start;
}

/// Declares the guest's `main` function and emits the entry point `_start`.
///
/// `main` takes no argument and returns `()`, an `i32` exit code, or a `Result<(), E>` with
/// `E: Debug` (an error is written to the debug log and exits with code 1); see [`ExitCode`].
///
/// The entry code, in order: sets `gp` (linker relaxation), `tp` (the TLS block, used in place)
/// and `sp` (`__stack_top` of the linker script), clears `.bss` word by word, initialises the
/// heap, calls `main` and exits (`ecall` 93) with its exit code.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[doc(hidden)]
        #[no_mangle]
        extern "C" fn __canopy_guest_main() -> ! {
            $crate::__private::start($main)
        }

        ::core::arch::global_asm!(
            ".pushsection .text.start, \"ax\", @progbits",
            ".globl _start",
            ".type _start, @function",
            "_start:",
            ".option push",
            ".option norelax",
            "la gp, __global_pointer$",
            ".option pop",
            "la tp, __tls_base",
            "la sp, __stack_top",
            "la t0, __bss_start",
            "la t1, __bss_end",
            "1:",
            "bgeu t0, t1, 2f",
            "sw zero, 0(t0)",
            "addi t0, t0, 4",
            "j 1b",
            "2:",
            "call {main}",
            "3:",
            "j 3b",
            ".size _start, . - _start",
            ".popsection",
            main = sym __canopy_guest_main,
        );
    };
}
