//! The guest I/O ABI: `ecall` with Linux system call numbers in a7.
//!
//! | a7 | call | behaviour |
//! |---|---|---|
//! | 93 | `exit(a0)` | halts; the exit status is `a0 & 0xff`, the full a0 is kept |
//! | 94 | `exit_group(a0)` | same as 93 (Linux and qemu treat it alike for one thread) |
//! | 64 | `write(fd, buf, len)` | fd 1: public output; fd 2: debug log; returns `len`; other fds: -EBADF (-9) |
//! | 63 | `read(fd, buf, len)` | fd 0: public input; fd 3: private input; consumed in order; returns the number of bytes read (0 at end); other fds: -EBADF |
//! | other | | returns -ENOSYS (-38) |
//!
//! A buffer that is not inside memory (or, for `read`, not writable) stops the guest with
//! [`crate::ExecutionError::Memory`] rather than returning -EFAULT: a guest that passes a bad
//! pointer has a bug that should be loud. Calls with `len == 0` do not touch memory and return 0.

use crate::error::{At, ExecutionError};
use crate::execute::{Stop, Vm};
use crate::trace::{EcallEvent, EcallKind, MemoryWrite, Observer, StepEvent};

/// `exit`
pub const SYS_EXIT: u32 = 93;
/// `exit_group`
pub const SYS_EXIT_GROUP: u32 = 94;
/// `write`
pub const SYS_WRITE: u32 = 64;
/// `read`
pub const SYS_READ: u32 = 63;
/// Public input file descriptor.
pub const FD_PUBLIC_INPUT: u32 = 0;
/// Public output file descriptor.
pub const FD_PUBLIC_OUTPUT: u32 = 1;
/// Debug log file descriptor.
pub const FD_DEBUG: u32 = 2;
/// Private input file descriptor.
pub const FD_PRIVATE_INPUT: u32 = 3;
/// `-EBADF` as returned in a0.
pub const EBADF: u32 = -9i32 as u32;
/// `-ENOSYS` as returned in a0.
pub const ENOSYS: u32 = -38i32 as u32;

impl Vm {
    /// Executes an `ecall`. Returns the value for a0, or `Stop::Exit`.
    #[inline(never)]
    pub(crate) fn ecall<O: Observer>(&mut self, at: At, obs: &mut O) -> Result<u32, Stop> {
        let syscall = self.regs[17];
        let args = [self.regs[10], self.regs[11], self.regs[12]];
        let [a0, buf, len] = args;
        let event = |kind, ret| {
            StepEvent::Ecall(EcallEvent {
                syscall,
                args,
                kind,
                ret,
            })
        };
        match syscall {
            SYS_EXIT | SYS_EXIT_GROUP => {
                if O::ENABLED {
                    obs.event(event(EcallKind::Exit { code: a0 }, None));
                }
                Err(Stop::Exit(a0))
            }
            SYS_WRITE => {
                let fd = a0;
                if fd != FD_PUBLIC_OUTPUT && fd != FD_DEBUG {
                    if O::ENABLED {
                        obs.event(event(EcallKind::BadFd { fd }, Some(EBADF)));
                    }
                    return Ok(EBADF);
                }
                let data = if len == 0 {
                    &[][..]
                } else {
                    self.memory
                        .slice(buf, len)
                        .map_err(|source| Stop::Fault(ExecutionError::Memory { at, source }))?
                };
                let sink = if fd == FD_PUBLIC_OUTPUT {
                    &mut self.io.public_output
                } else {
                    &mut self.io.debug_output
                };
                sink.extend_from_slice(data);
                if O::ENABLED {
                    let data = data.to_vec();
                    obs.event(event(EcallKind::Write { fd, data }, Some(len)));
                }
                Ok(len)
            }
            SYS_READ => {
                let fd = a0;
                let (input, pos) = match fd {
                    FD_PUBLIC_INPUT => (&self.io.public_input, &mut self.io.public_input_pos),
                    FD_PRIVATE_INPUT => (&self.io.private_input, &mut self.io.private_input_pos),
                    _ => {
                        if O::ENABLED {
                            obs.event(event(EcallKind::BadFd { fd }, Some(EBADF)));
                        }
                        return Ok(EBADF);
                    }
                };
                let remaining = &input[(*pos).min(input.len())..];
                let n = remaining.len().min(len as usize);
                let data = &remaining[..n];
                let mut words = Vec::new();
                if O::ENABLED && n > 0 {
                    // Record the old values of the words the read will modify (the range is
                    // checked by write_slice below; out-of-range words are skipped here).
                    let first = buf & !3;
                    let last = (buf as u64 + n as u64 - 1) & !3;
                    let mut w = first as u64;
                    while w <= last && w < self.memory.size() {
                        let old = self.memory.containing_word(w as u32);
                        words.push(MemoryWrite {
                            addr: w as u32,
                            old,
                            new: old,
                        });
                        w += 4;
                    }
                }
                if n > 0 {
                    self.memory
                        .write_slice(buf, data)
                        .map_err(|source| Stop::Fault(ExecutionError::Memory { at, source }))?;
                }
                *pos += n;
                if O::ENABLED {
                    for w in &mut words {
                        w.new = self.memory.containing_word(w.addr);
                    }
                    let data = data.to_vec();
                    obs.event(event(EcallKind::Read { fd, data, words }, Some(n as u32)));
                }
                Ok(n as u32)
            }
            _ => {
                tracing::trace!(syscall, pc = at.pc, "unknown ecall");
                if O::ENABLED {
                    obs.event(event(EcallKind::Unknown, Some(ENOSYS)));
                }
                Ok(ENOSYS)
            }
        }
    }
}
