//! Guest I/O: typed values in postcard's format, raw bytes, and text.
//!
//! File descriptors: fd 0 is the public input, fd 3 the private input (witness only), fd 1 the
//! public output (bound by the proof), fd 2 the debug log (not bound).
//!
//! Typed values use [postcard](https://docs.rs/postcard) (serde, compact, varint integers).
//! [`read_input`] decodes the *whole* public input as one value; [`commit`] appends one encoded
//! value to the public output, so a guest that commits several values produces their
//! concatenation (the host reads them back in order with `canopy::guest_io::OutputReader`).
//! The host side of the same format is `canopy::guest_io`.

use alloc::vec::Vec;
use core::fmt;
use core::mem::MaybeUninit;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::syscall::{self, FD_DEBUG, FD_PRIVATE_IN, FD_PUBLIC_IN, FD_PUBLIC_OUT};

/// Why an input could not be read.
#[derive(Debug)]
pub enum Error {
    /// The `read` call failed with this (negative) error code, e.g. -9 (`EBADF`) for the
    /// private input under qemu.
    Read(isize),
    /// The input is not one postcard value of the requested type (or has trailing bytes).
    Decode(postcard::Error),
    /// The input holds a value of the requested type followed by this many more bytes.
    TrailingBytes(usize),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read(code) => write!(f, "read failed with error {code}"),
            Error::Decode(e) => write!(f, "not a postcard value of the expected type: {e}"),
            Error::TrailingBytes(n) => write!(f, "{n} bytes left after the value"),
        }
    }
}

/// Reads `fd` to its end, straight into the vector's spare capacity (no zeroed buffer: every
/// instruction counts in a proof).
fn read_to_end(fd: u32) -> Result<Vec<u8>, Error> {
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    loop {
        if buf.len() == buf.capacity() {
            buf.reserve(buf.capacity());
        }
        let spare = buf.spare_capacity_mut();
        let (ptr, avail) = (spare.as_mut_ptr().cast::<u8>(), spare.len());
        // SAFETY: `ptr` is writable memory of `avail` bytes owned by `buf`.
        let n = unsafe { syscall::read_raw(fd, ptr, avail) };
        if n < 0 {
            return Err(Error::Read(n));
        }
        if n == 0 {
            return Ok(buf);
        }
        let len = buf.len() + (n as usize).min(avail);
        // SAFETY: the read initialised the first `n` (at most `avail`) spare bytes.
        unsafe { buf.set_len(len) };
    }
}

/// The whole public input (fd 0) as bytes.
///
/// # Panics
/// If the read fails (it does not on Canopy or under qemu).
pub fn read_input_bytes() -> Vec<u8> {
    match read_to_end(FD_PUBLIC_IN) {
        Ok(b) => b,
        Err(e) => panic!("cannot read the public input: {e}"),
    }
}

/// The whole private input (fd 3) as bytes, or the read's error (-9 under qemu, where fd 3 is
/// not open).
pub fn try_read_private_bytes() -> Result<Vec<u8>, Error> {
    read_to_end(FD_PRIVATE_IN)
}

/// The whole private input (fd 3) as bytes.
///
/// # Panics
/// If the read fails (under qemu, where fd 3 is not open).
pub fn read_private_bytes() -> Vec<u8> {
    match try_read_private_bytes() {
        Ok(b) => b,
        Err(e) => panic!("cannot read the private input: {e}"),
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(Error::TrailingBytes(rest.len())),
        Err(e) => Err(Error::Decode(e)),
    }
}

/// The whole public input (fd 0) decoded as one postcard value of type `T`.
pub fn try_read_input<T: DeserializeOwned>() -> Result<T, Error> {
    decode(&read_to_end(FD_PUBLIC_IN)?)
}

/// The whole private input (fd 3) decoded as one postcard value of type `T`.
pub fn try_read_private<T: DeserializeOwned>() -> Result<T, Error> {
    decode(&read_to_end(FD_PRIVATE_IN)?)
}

/// The whole public input (fd 0) decoded as one postcard value of type `T`.
///
/// # Panics
/// If the input is not exactly one value of type `T` (the guest then exits with
/// [`crate::PANIC_EXIT_CODE`] and says why on the debug log).
pub fn read_input<T: DeserializeOwned>() -> T {
    match try_read_input() {
        Ok(v) => v,
        Err(e) => panic!("cannot read the public input: {e}"),
    }
}

/// The whole private input (fd 3) decoded as one postcard value of type `T`.
///
/// # Panics
/// If the input cannot be read or is not exactly one value of type `T`.
pub fn read_private<T: DeserializeOwned>() -> T {
    match try_read_private() {
        Ok(v) => v,
        Err(e) => panic!("cannot read the private input: {e}"),
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes; returns the failing call's error code.
pub fn write_all(fd: u32, mut bytes: &[u8]) -> Result<(), isize> {
    while !bytes.is_empty() {
        let n = syscall::write(fd, bytes);
        if n < 0 {
            return Err(n);
        }
        if n == 0 {
            return Err(-5); // -EIO: no progress
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

/// Appends raw bytes to the public output (fd 1).
///
/// # Panics
/// If the write fails (it does not on Canopy or under qemu).
pub fn commit_bytes(bytes: &[u8]) {
    if let Err(e) = write_all(FD_PUBLIC_OUT, bytes) {
        panic!("cannot write the public output: error {e}");
    }
}

/// Appends `value`, encoded with postcard, to the public output (fd 1).
///
/// The encoding streams through a 64-byte buffer on the stack: no heap allocation.
///
/// # Panics
/// If `value` cannot be serialised (e.g. a map whose length is unknown) or the write fails.
pub fn commit<T: Serialize + ?Sized>(value: &T) {
    let mut out = FdFlavor {
        fd: FD_PUBLIC_OUT,
        buf: [MaybeUninit::uninit(); FLAVOR_BUF],
        len: 0,
        error: 0,
    };
    // By reference: moving the buffer around would cost a copy each time.
    match postcard::serialize_with_flavor(value, &mut out) {
        Ok(()) => {}
        Err(e) => panic!("cannot encode the public output: {e}"),
    }
}

const FLAVOR_BUF: usize = 64;

/// A postcard output that writes to a file descriptor through a small buffer.
struct FdFlavor {
    fd: u32,
    buf: [MaybeUninit<u8>; FLAVOR_BUF],
    len: usize,
    /// The failing write's error code (0: none).
    error: isize,
}

impl FdFlavor {
    fn flush(&mut self) -> postcard::Result<()> {
        // SAFETY: the first `len` bytes of `buf` were written by `try_push`.
        let bytes =
            unsafe { core::slice::from_raw_parts(self.buf.as_ptr().cast::<u8>(), self.len) };
        self.len = 0;
        write_all(self.fd, bytes).map_err(|e| {
            self.error = e;
            postcard::Error::SerializeBufferFull
        })
    }
}

impl postcard::ser_flavors::Flavor for &mut FdFlavor {
    type Output = ();

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        if self.len == FLAVOR_BUF {
            self.flush()?;
        }
        self.buf[self.len] = MaybeUninit::new(data);
        self.len += 1;
        Ok(())
    }

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        if data.len() > FLAVOR_BUF - self.len {
            self.flush()?;
            if data.len() > FLAVOR_BUF {
                return write_all(self.fd, data).map_err(|e| {
                    self.error = e;
                    postcard::Error::SerializeBufferFull
                });
            }
        }
        for (slot, &b) in self.buf[self.len..].iter_mut().zip(data) {
            *slot = MaybeUninit::new(b);
        }
        self.len += data.len();
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        self.flush()
    }
}

/// Text writer for the public output (fd 1), for `write!`; see also [`crate::print!`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Stdout;

/// Text writer for the debug log (fd 2), for `write!`; see also [`crate::eprintln!`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Stderr;

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(FD_PUBLIC_OUT, s.as_bytes()).map_err(|_| fmt::Error)
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(FD_DEBUG, s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// Writes formatted text to the public output (fd 1), like `std::print!`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {{
        let _ = ::core::fmt::Write::write_fmt(&mut $crate::io::Stdout, ::core::format_args!($($arg)*));
    }};
}

/// Writes formatted text and a newline to the public output (fd 1), like `std::println!`.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{
        $crate::print!($($arg)*);
        $crate::print!("\n");
    }};
}

/// Writes formatted text to the debug log (fd 2, not bound by the proof), like `std::eprint!`.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {{
        let _ = ::core::fmt::Write::write_fmt(&mut $crate::io::Stderr, ::core::format_args!($($arg)*));
    }};
}

/// Writes formatted text and a newline to the debug log (fd 2), like `std::eprintln!`.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($arg:tt)*) => {{
        $crate::eprint!($($arg)*);
        $crate::eprint!("\n");
    }};
}
