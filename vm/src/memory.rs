//! Guest memory: a flat, zero-initialised byte array over `[0, memory_size)`, with the
//! program's segments loaded into it and its executable segments pre-decoded.
//!
//! Decisions:
//! - The memory size is a power of two between 4 KiB and 4 GiB (the proof's Merkle tree has one
//!   leaf per 32-bit word and depth `log2(size / 4)`).
//! - Loads may read any address in memory. Stores into a segment without `PF_W` fail with
//!   [`MemoryError::ReadOnly`] (qemu maps text read+execute, so such stores segfault there too).
//!   Memory outside every segment (e.g. a heap above `.bss`) is writable.
//! - Instructions are fetched only from executable segments, through a cache of decoded
//!   instructions built at load time. A store into a segment that is both writable and
//!   executable re-decodes the words it touches, so self-modifying code stays exact.
//! - Accesses must be naturally aligned ([`MemoryError::Misaligned`]).

use crate::decode::Instruction;
use crate::elf_loader::Program;
use crate::error::MemoryError;
pub use crate::memory_size::{validate_memory_size, MAX_MEMORY_SIZE, MIN_MEMORY_SIZE};
use crate::op::{Op, OpKind};

/// Word-granular access to guest memory, as offered to coprocessors.
///
/// All addresses are byte addresses; word accesses must be 4-byte aligned. Implementations
/// check bounds and permissions and report violations as [`MemoryError`]s. Reads take `&mut self`
/// so that the VM can record them in the trace.
pub trait GuestMemory {
    /// The memory size in bytes.
    fn size(&self) -> u64;
    /// Reads the aligned 32-bit little-endian word at `addr`.
    fn read_word(&mut self, addr: u32) -> Result<u32, MemoryError>;
    /// Writes the aligned 32-bit little-endian word at `addr`.
    fn write_word(&mut self, addr: u32, value: u32) -> Result<(), MemoryError>;

    /// Reads `out.len()` bytes starting at `addr` (any alignment), word by word.
    fn read_bytes(&mut self, addr: u32, out: &mut [u8]) -> Result<(), MemoryError> {
        check_range(addr, out.len() as u64, self.size())?;
        let mut i = 0usize;
        while i < out.len() {
            let a = addr.wrapping_add(i as u32);
            let base = a & !3;
            let word = self.read_word(base)?.to_le_bytes();
            let mut k = (a - base) as usize;
            while k < 4 && i < out.len() {
                out[i] = word[k];
                i += 1;
                k += 1;
            }
        }
        Ok(())
    }

    /// Writes `data` starting at `addr` (any alignment), word by word (read-modify-write for
    /// partial words).
    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        check_range(addr, data.len() as u64, self.size())?;
        let mut i = 0usize;
        while i < data.len() {
            let a = addr.wrapping_add(i as u32);
            let base = a & !3;
            let mut k = (a - base) as usize;
            let mut word = if k == 0 && data.len() - i >= 4 {
                [0; 4]
            } else {
                self.read_word(base)?.to_le_bytes()
            };
            while k < 4 && i < data.len() {
                word[k] = data[i];
                i += 1;
                k += 1;
            }
            self.write_word(base, u32::from_le_bytes(word))?;
        }
        Ok(())
    }
}

/// Checks that `[addr, addr + len)` lies inside a memory of `size` bytes.
pub(crate) fn check_range(addr: u32, len: u64, size: u64) -> Result<(), MemoryError> {
    if addr as u64 + len > size {
        Err(MemoryError::OutOfBounds {
            addr,
            len,
            memory_size: size,
        })
    } else {
        Ok(())
    }
}

/// A pre-decoded executable segment.
#[derive(Debug, Clone)]
struct CodeRegion {
    base: u32,
    insns: Vec<Op>,
}

/// A segment with restrictions: non-writable, or executable (whose stores must refresh the
/// instruction cache).
#[derive(Debug, Clone, Copy)]
struct Protected {
    start: u32,
    end: u64,
    writable: bool,
    executable: bool,
}

/// The guest's memory. See the module documentation for its rules.
#[derive(Debug, Clone)]
pub struct Memory {
    bytes: Vec<u8>,
    size: u64,
    /// Segments that are not writable or are executable, sorted by address.
    protected: Vec<Protected>,
    /// Span `[lo, hi)` covering every protected segment: a store outside it is a plain store.
    protected_lo: u32,
    protected_hi: u64,
    /// The first pre-decoded executable segment (usually the only one), kept in plain fields
    /// for the fetch fast path.
    main_base: u32,
    main_code: Vec<Op>,
    /// Further executable segments, sorted by address.
    other_code: Vec<CodeRegion>,
}

impl Memory {
    /// Creates a memory of `size` bytes holding `program`'s segments.
    ///
    /// `size` must be valid ([`validate_memory_size`]) and the program must fit, which
    /// [`Program::from_elf`] guarantees for the same size; otherwise this returns an error.
    pub fn new(size: u64, program: &Program) -> Result<Memory, crate::LoadError> {
        validate_memory_size(size)?;
        if let Some(s) = program.segments.iter().find(|s| s.end() > size) {
            return Err(crate::LoadError::SegmentOutOfRange {
                vaddr: s.vaddr as u64,
                end: s.end(),
                memory_size: size,
            });
        }
        // `Program`'s fields are public, so re-check what `Program::from_elf` guarantees.
        for s in &program.segments {
            if s.data.len() as u64 > s.mem_size as u64 {
                return Err(crate::LoadError::FileSizeExceedsMemSize {
                    vaddr: s.vaddr as u64,
                    filesz: s.data.len() as u64,
                    memsz: s.mem_size as u64,
                });
            }
            if s.flags.execute && s.vaddr % 4 != 0 {
                return Err(crate::LoadError::MisalignedCodeSegment {
                    vaddr: s.vaddr as u64,
                });
            }
        }
        let mut bytes = vec![0u8; size as usize];
        let mut protected = Vec::new();
        let mut code = Vec::new();
        for s in &program.segments {
            let start = s.vaddr as usize;
            bytes[start..start + s.data.len()].copy_from_slice(&s.data);
            if !s.flags.write || s.flags.execute {
                protected.push(Protected {
                    start: s.vaddr,
                    end: s.end(),
                    writable: s.flags.write,
                    executable: s.flags.execute,
                });
            }
            if s.flags.execute {
                let n = (s.mem_size / 4) as usize;
                let insns = (0..n)
                    .map(|i| {
                        let a = start + 4 * i;
                        let w = u32::from_le_bytes([
                            bytes[a],
                            bytes[a + 1],
                            bytes[a + 2],
                            bytes[a + 3],
                        ]);
                        Op::decode(w)
                    })
                    .collect();
                code.push(CodeRegion {
                    base: s.vaddr,
                    insns,
                });
            }
        }
        if code.is_empty() {
            return Err(crate::LoadError::BadEntryPoint {
                entry: program.entry as u64,
            });
        }
        let main = code.remove(0);
        let protected_lo = protected.iter().map(|p| p.start).min().unwrap_or(u32::MAX);
        let protected_hi = protected.iter().map(|p| p.end).max().unwrap_or(0);
        Ok(Memory {
            bytes,
            size,
            protected,
            protected_lo,
            protected_hi,
            main_base: main.base,
            main_code: main.insns,
            other_code: code,
        })
    }

    /// The memory size in bytes.
    #[inline]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The whole memory as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Fetches the decoded instruction at `pc`, or `None` if `pc` is misaligned or not inside
    /// an executable segment.
    pub fn fetch(&self, pc: u32) -> Option<Instruction> {
        self.fetch_op(pc)
            .map(|_| Instruction::decode(self.containing_word(pc)))
    }

    /// Fetches the pre-decoded op at `pc` from the instruction cache.
    #[inline(always)]
    pub(crate) fn fetch_op(&self, pc: u32) -> Option<Op> {
        let op = self.fetch_or_no_fetch(pc);
        (op.kind != OpKind::NoFetch).then_some(op)
    }

    /// The executor's fetch: the op at `pc`, or an op of kind [`OpKind::NoFetch`] if `pc` is
    /// misaligned or outside the executable segments (a plain value rather than an `Option`
    /// keeps the hot loop's load simple).
    #[inline(always)]
    pub(crate) fn fetch_or_no_fetch(&self, pc: u32) -> Op {
        let off = pc.wrapping_sub(self.main_base);
        if off & 3 == 0 {
            if let Some(&op) = self.main_code.get((off >> 2) as usize) {
                return op;
            }
        }
        self.fetch_slow(pc).unwrap_or(Op::NO_FETCH)
    }

    #[cold]
    fn fetch_slow(&self, pc: u32) -> Option<Op> {
        if pc & 3 != 0 {
            return None;
        }
        self.other_code.iter().find_map(|r| {
            let off = pc.wrapping_sub(r.base);
            r.insns.get((off >> 2) as usize).copied()
        })
    }

    /// Whether `pc` is an aligned address inside an executable segment.
    pub fn is_executable(&self, pc: u32) -> bool {
        self.fetch_op(pc).is_some()
    }

    #[inline(always)]
    fn check_load(&self, addr: u32, width: u32) -> Result<usize, MemoryError> {
        if addr & (width - 1) != 0 {
            return Err(MemoryError::Misaligned { addr, width });
        }
        // Aligned and size is a multiple of 4: checking the first byte suffices.
        if addr as u64 >= self.size {
            return Err(MemoryError::OutOfBounds {
                addr,
                len: width as u64,
                memory_size: self.size,
            });
        }
        Ok(addr as usize)
    }

    /// Loads a byte.
    #[inline(always)]
    pub fn load_u8(&self, addr: u32) -> Result<u8, MemoryError> {
        let a = self.check_load(addr, 1)?;
        Ok(self.bytes[a])
    }

    /// Loads an aligned little-endian halfword.
    #[inline(always)]
    pub fn load_u16(&self, addr: u32) -> Result<u16, MemoryError> {
        let a = self.check_load(addr, 2)?;
        Ok(u16::from_le_bytes([self.bytes[a], self.bytes[a + 1]]))
    }

    /// Loads an aligned little-endian word.
    #[inline(always)]
    pub fn load_u32(&self, addr: u32) -> Result<u32, MemoryError> {
        let a = self.check_load(addr, 4)?;
        match self.bytes.get(a..a + 4) {
            Some(b) => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            None => Err(MemoryError::OutOfBounds {
                addr,
                len: 4,
                memory_size: self.size,
            }),
        }
    }

    /// Reads the word containing `addr` (rounded down to a multiple of 4), for tracing. The
    /// caller has already checked that `addr` is inside memory.
    #[inline]
    pub(crate) fn containing_word(&self, addr: u32) -> u32 {
        self.load_u32(addr & !3).unwrap_or(0)
    }

    #[inline(always)]
    fn store<const W: usize>(&mut self, addr: u32, value: [u8; W]) -> Result<(), MemoryError> {
        let a = self.check_load(addr, W as u32)?;
        if (addr as u64) < self.protected_hi && addr as u64 + W as u64 > self.protected_lo as u64 {
            return self.store_protected(addr, &value);
        }
        self.bytes[a..a + W].copy_from_slice(&value);
        Ok(())
    }

    /// Store into the span of protected segments: check every byte's segment, write, and
    /// refresh the instruction cache for executable segments.
    #[cold]
    fn store_protected(&mut self, addr: u32, value: &[u8]) -> Result<(), MemoryError> {
        let mut touches_code = false;
        for i in 0..value.len() as u32 {
            let a = addr + i;
            if let Some(p) = self
                .protected
                .iter()
                .find(|p| a >= p.start && (a as u64) < p.end)
            {
                if !p.writable {
                    return Err(MemoryError::ReadOnly {
                        addr: a,
                        segment_start: p.start,
                        segment_end: p.end,
                    });
                }
                touches_code |= p.executable;
            }
        }
        let start = addr as usize;
        self.bytes[start..start + value.len()].copy_from_slice(value);
        if touches_code {
            // u64 arithmetic: the range may end at 2^32 with a 4 GiB memory.
            let first = (addr & !3) as u64;
            let last = (addr as u64 + value.len() as u64 - 1) & !3;
            let mut w = first;
            while w <= last {
                self.refresh_code_word(w as u32);
                w += 4;
            }
        }
        Ok(())
    }

    fn refresh_code_word(&mut self, addr: u32) {
        let insn = Op::decode(self.containing_word(addr));
        let off = addr.wrapping_sub(self.main_base);
        if let Some(d) = self.main_code.get_mut((off >> 2) as usize) {
            *d = insn;
            return;
        }
        for r in &mut self.other_code {
            let off = addr.wrapping_sub(r.base);
            if let Some(d) = r.insns.get_mut((off >> 2) as usize) {
                *d = insn;
                return;
            }
        }
    }

    /// Stores a byte.
    #[inline(always)]
    pub fn store_u8(&mut self, addr: u32, value: u8) -> Result<(), MemoryError> {
        self.store(addr, [value])
    }

    /// Stores an aligned little-endian halfword.
    #[inline(always)]
    pub fn store_u16(&mut self, addr: u32, value: u16) -> Result<(), MemoryError> {
        self.store(addr, value.to_le_bytes())
    }

    /// Stores an aligned little-endian word.
    #[inline(always)]
    pub fn store_u32(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        self.store(addr, value.to_le_bytes())
    }

    /// Copies `out.len()` bytes from guest memory at `addr` (any alignment).
    pub fn read_slice(&self, addr: u32, out: &mut [u8]) -> Result<(), MemoryError> {
        check_range(addr, out.len() as u64, self.size)?;
        let a = addr as usize;
        out.copy_from_slice(&self.bytes[a..a + out.len()]);
        Ok(())
    }

    /// Borrows `len` bytes of guest memory at `addr` (any alignment).
    pub fn slice(&self, addr: u32, len: u32) -> Result<&[u8], MemoryError> {
        check_range(addr, len as u64, self.size)?;
        let a = addr as usize;
        Ok(&self.bytes[a..a + len as usize])
    }

    /// Writes `data` into guest memory at `addr` (any alignment), with the same permission
    /// checks as stores. Nothing is written if any byte is not writable.
    pub fn write_slice(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        check_range(addr, data.len() as u64, self.size)?;
        if data.is_empty() {
            return Ok(());
        }
        let end = addr as u64 + data.len() as u64;
        if (addr as u64) < self.protected_hi && end > self.protected_lo as u64 {
            return self.store_protected(addr, data);
        }
        let a = addr as usize;
        self.bytes[a..a + data.len()].copy_from_slice(data);
        Ok(())
    }
}

impl GuestMemory for Memory {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_word(&mut self, addr: u32) -> Result<u32, MemoryError> {
        self.load_u32(addr)
    }

    fn write_word(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        self.store_u32(addr, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elf_loader::{Segment, SegmentFlags};

    fn program() -> Program {
        Program {
            entry: 0x1000,
            segments: vec![
                Segment {
                    vaddr: 0x1000,
                    mem_size: 8,
                    data: vec![0x13, 0, 0, 0, 0x73, 0, 0, 0],
                    flags: SegmentFlags {
                        read: true,
                        write: false,
                        execute: true,
                    },
                },
                Segment {
                    vaddr: 0x2000,
                    mem_size: 16,
                    data: vec![1, 2, 3, 4],
                    flags: SegmentFlags {
                        read: true,
                        write: true,
                        execute: false,
                    },
                },
            ],
        }
    }

    #[test]
    fn sizes() {
        assert!(validate_memory_size(4096).is_ok());
        assert!(validate_memory_size(1 << 24).is_ok());
        assert!(validate_memory_size(1 << 32).is_ok());
        for bad in [0, 1, 2048, 4097, 3 << 20, 1 << 33] {
            assert!(validate_memory_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loads_stores_and_permissions() {
        let mut m = Memory::new(1 << 16, &program()).unwrap();
        assert_eq!(m.load_u32(0x2000).unwrap(), 0x04030201);
        assert_eq!(m.load_u16(0x2002).unwrap(), 0x0403);
        assert_eq!(m.load_u8(0x2004).unwrap(), 0);
        m.store_u16(0x2006, 0xbeef).unwrap();
        assert_eq!(m.load_u32(0x2004).unwrap(), 0xbeef_0000);
        assert!(matches!(
            m.load_u32(0x2002),
            Err(MemoryError::Misaligned { .. })
        ));
        assert!(matches!(
            m.store_u16(0x2003, 0),
            Err(MemoryError::Misaligned { .. })
        ));
        assert!(matches!(
            m.load_u8(0x10000),
            Err(MemoryError::OutOfBounds { .. })
        ));
        assert!(matches!(
            m.store_u8(0x1003, 1),
            Err(MemoryError::ReadOnly { .. })
        ));
        // Outside every segment is writable.
        m.store_u32(0x8000, 7).unwrap();
        assert_eq!(m.fetch(0x1004).unwrap(), Instruction::Ecall);
        assert!(m.fetch(0x1008).is_none());
        assert!(m.fetch(0x1002).is_none());
        assert!(m.write_slice(0xfffe, &[1, 2, 3]).is_err());
        assert!(m.write_slice(0x1000, &[1]).is_err());
        m.write_slice(0x2001, &[9, 9, 9, 9, 9]).unwrap();
        assert_eq!(m.load_u32(0x2004).unwrap(), 0xbeef_0909);
    }

    #[test]
    fn self_modifying_code_in_rwx_segment() {
        let mut p = program();
        p.segments[0].flags.write = true;
        let mut m = Memory::new(1 << 16, &p).unwrap();
        assert_eq!(m.fetch(0x1000).unwrap().mnemonic(), "addi");
        m.store_u32(0x1000, 0x0010_0073).unwrap();
        assert_eq!(m.fetch(0x1000).unwrap(), Instruction::Ebreak);
        m.store_u8(0x1004, 0x13).unwrap();
        assert_eq!(m.fetch(0x1004).unwrap().mnemonic(), "addi");
    }

    #[test]
    fn top_of_a_4_gib_memory() {
        let p = Program {
            entry: 0xffff_f000,
            segments: vec![Segment {
                vaddr: 0xffff_f000,
                mem_size: 0x1000,
                data: vec![0x13, 0, 0, 0],
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    execute: true,
                },
            }],
        };
        let mut m = Memory::new(1 << 32, &p).unwrap();
        m.store_u32(0xffff_fffc, 0x73).unwrap();
        assert_eq!(m.fetch(0xffff_fffc).unwrap(), Instruction::Ecall);
        m.write_slice(0xffff_fff8, &[0x73, 0, 0, 0, 0x13, 0, 0, 0])
            .unwrap();
        assert_eq!(m.fetch(0xffff_fff8).unwrap(), Instruction::Ecall);
        assert!(m.write_slice(0xffff_fffc, &[0; 5]).is_err());
        assert_eq!(m.load_u8(0xffff_ffff).unwrap(), 0);
    }

    #[test]
    fn guest_memory_bytes() {
        let mut m = Memory::new(1 << 16, &program()).unwrap();
        let g: &mut dyn GuestMemory = &mut m;
        g.write_bytes(0x2001, &[0xaa, 0xbb, 0xcc, 0xdd, 0xee])
            .unwrap();
        let mut out = [0u8; 7];
        g.read_bytes(0x2000, &mut out).unwrap();
        assert_eq!(out, [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0]);
        assert!(g.read_bytes(0xfffc, &mut [0; 8]).is_err());
    }
}
