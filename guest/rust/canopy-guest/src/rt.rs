//! Start-up, exit codes and the panic handler.

use core::fmt::{self, Write};
use core::panic::PanicInfo;

use crate::io::Stderr;

/// The exit code of a guest that panics (also on running out of heap memory): 101, the exit
/// code of a panicking Rust program. The debug log (fd 2) then holds
/// `guest panicked at FILE:LINE:COL:\nMESSAGE\n`.
pub const PANIC_EXIT_CODE: i32 = 101;

/// Stops the guest with exit code `code` (its exit status is `code & 0xff`; 0 is success).
pub fn exit(code: i32) -> ! {
    crate::syscall::exit(code)
}

/// What a guest's `main` may return: its exit code.
pub trait ExitCode {
    /// The exit code (0 = success). May write to the debug log first.
    fn exit_code(self) -> i32;
}

impl ExitCode for () {
    fn exit_code(self) -> i32 {
        0
    }
}

impl ExitCode for i32 {
    fn exit_code(self) -> i32 {
        self
    }
}

impl<E: fmt::Debug> ExitCode for Result<(), E> {
    /// 0 for `Ok`; for `Err`, writes `Error: {err:?}` to the debug log and returns 1.
    fn exit_code(self) -> i32 {
        match self {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(Stderr, "Error: {e:?}");
                1
            }
        }
    }
}

/// Called by the entry code of [`crate::entry!`] once `.bss` is clear: initialises the heap,
/// runs `main` and exits with its exit code.
pub fn start<T: ExitCode>(main: fn() -> T) -> ! {
    crate::heap::init();
    let code = main().exit_code();
    exit(code)
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    // Formats straight into the debug log: no allocation (the panic may be an out-of-memory).
    let mut err = Stderr;
    let _ = match info.location() {
        Some(loc) => write!(
            err,
            "guest panicked at {}:{}:{}:\n{}\n",
            loc.file(),
            loc.line(),
            loc.column(),
            info.message()
        ),
        None => write!(err, "guest panicked:\n{}\n", info.message()),
    };
    exit(PANIC_EXIT_CODE)
}
