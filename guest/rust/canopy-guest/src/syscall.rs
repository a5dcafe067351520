//! Raw `ecall`s with Linux numbers (the C SDK's `canopy_read`, `canopy_write`, `canopy_exit`).
//!
//! | `a7` | call | arguments | result in `a0` |
//! |---|---|---|---|
//! | 93 | exit | `a0` = exit code | does not return |
//! | 64 | write | `a0` = fd, `a1` = buf, `a2` = len | bytes written, or a negative error |
//! | 63 | read | `a0` = fd, `a1` = buf, `a2` = len | bytes read (0 at the end), or a negative error |
//!
//! Any other number returns -38 (`-ENOSYS`).

/// Public input (read-only).
pub const FD_PUBLIC_IN: u32 = 0;
/// Public output (write-only), bound by the proof.
pub const FD_PUBLIC_OUT: u32 = 1;
/// Debug log (write-only), not bound by the proof.
pub const FD_DEBUG: u32 = 2;
/// Private input (read-only), witness only. Not open under qemu (reads return -9, `EBADF`).
pub const FD_PRIVATE_IN: u32 = 3;

/// `read`'s number.
pub const SYS_READ: u32 = 63;
/// `write`'s number.
pub const SYS_WRITE: u32 = 64;
/// `exit`'s number.
pub const SYS_EXIT: u32 = 93;

/// `write(fd, buf)`: returns the number of bytes written (possibly fewer than `buf.len()`) or
/// a negative error code.
pub fn write(fd: u32, buf: &[u8]) -> isize {
    let ret: isize;
    // SAFETY: the call reads `buf.len()` bytes at `buf`, which `buf` covers.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") fd as isize => ret,
            in("a1") buf.as_ptr(),
            in("a2") buf.len(),
            in("a7") SYS_WRITE,
            options(nostack, readonly),
        );
    }
    ret
}

/// `read(fd, buf)`: returns the number of bytes read (0 at the end of the input, possibly
/// fewer than `buf.len()` before it) or a negative error code.
pub fn read(fd: u32, buf: &mut [u8]) -> isize {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    unsafe { read_raw(fd, buf.as_mut_ptr(), buf.len()) }
}

/// `read(fd, ptr, len)` into possibly uninitialised memory: returns the number of bytes read
/// (they are then initialised) or a negative error code.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
pub unsafe fn read_raw(fd: u32, ptr: *mut u8, len: usize) -> isize {
    let ret: isize;
    // SAFETY: the call writes at most `len` bytes at `ptr`, which the caller guarantees valid.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") fd as isize => ret,
            in("a1") ptr,
            in("a2") len,
            in("a7") SYS_READ,
            options(nostack),
        );
    }
    ret
}

/// `exit(code)`: stops the guest; the exit status is `code & 0xff`. Does not return.
pub fn exit(code: i32) -> ! {
    // SAFETY: the exit call does not return and touches no memory.
    unsafe {
        core::arch::asm!(
            "ecall",
            in("a0") code,
            in("a7") SYS_EXIT,
            options(noreturn, nostack),
        );
    }
}
