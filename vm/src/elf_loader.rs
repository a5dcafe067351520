//! Loading RV32 ELF executables into a [`Program`] image.
//!
//! Parsing is done by the `elf` crate; this module only validates what Canopy needs: a 32-bit,
//! little-endian, RISC-V, `ET_EXEC` file without the compressed extension, whose `PT_LOAD`
//! segments fit in `[0, memory_size)` without overlapping, and whose entry point is an aligned
//! address inside an executable segment. Segments with `p_memsz > p_filesz` are zero-filled
//! (`.bss`). Segments with `p_memsz == 0` are ignored. Section headers are not used.

use elf::abi::{EF_RISCV_RVC, EM_RISCV, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::AnyEndian;
use elf::file::Class;
use elf::ElfBytes;

use crate::error::LoadError;
use crate::memory_size::validate_memory_size;

/// Access permissions of a loaded segment, from its ELF `p_flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SegmentFlags {
    /// `PF_R`: readable. Informational: Canopy allows loads from anywhere in memory.
    pub read: bool,
    /// `PF_W`: writable. Stores into a non-writable segment are an error.
    pub write: bool,
    /// `PF_X`: executable. Only executable segments may be fetched from.
    pub execute: bool,
}

/// One loadable segment of a [`Program`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Virtual (and physical) start address.
    pub vaddr: u32,
    /// Size in memory, in bytes (`>= data.len()`; the rest is zero-filled).
    pub mem_size: u32,
    /// The bytes stored in the file (`p_filesz` bytes).
    pub data: Vec<u8>,
    /// Access permissions.
    pub flags: SegmentFlags,
}

impl Segment {
    /// One past the last byte of the segment, as a 64-bit number (it may be `2^32`).
    pub fn end(&self) -> u64 {
        self.vaddr as u64 + self.mem_size as u64
    }

    /// Whether `addr` lies inside the segment.
    pub fn contains(&self, addr: u32) -> bool {
        addr >= self.vaddr && (addr as u64) < self.end()
    }
}

/// A validated program image: loadable segments (sorted by address, non-overlapping) and the
/// entry point.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Program {
    /// Address of the first instruction.
    pub entry: u32,
    /// Loadable segments, sorted by `vaddr`.
    pub segments: Vec<Segment>,
}

fn malformed(e: impl std::fmt::Display) -> LoadError {
    LoadError::Malformed(e.to_string())
}

impl Program {
    /// Parses and validates an ELF file for a VM with `memory_size` bytes of memory.
    ///
    /// Never panics, whatever the bytes; every problem is a [`LoadError`].
    pub fn from_elf(bytes: &[u8], memory_size: u64) -> Result<Program, LoadError> {
        validate_memory_size(memory_size)?;
        // Check the identification bytes first so that class and byte-order problems get their
        // specific error even when the rest of the header does not parse.
        if bytes.len() >= 6 && bytes[..4] == *b"\x7fELF" {
            if bytes[4] == 2 {
                return Err(LoadError::Not32Bit);
            }
            if bytes[5] == 2 {
                return Err(LoadError::BigEndian);
            }
        }
        let file = ElfBytes::<AnyEndian>::minimal_parse(bytes).map_err(malformed)?;
        let ehdr = &file.ehdr;
        if ehdr.class != Class::ELF32 {
            return Err(LoadError::Not32Bit);
        }
        if ehdr.endianness != AnyEndian::Little {
            return Err(LoadError::BigEndian);
        }
        if ehdr.e_machine != EM_RISCV {
            return Err(LoadError::NotRiscV(ehdr.e_machine));
        }
        if ehdr.e_type != ET_EXEC {
            return Err(LoadError::NotExecutable(ehdr.e_type));
        }
        if ehdr.e_flags & EF_RISCV_RVC != 0 {
            return Err(LoadError::CompressedIsa);
        }

        let table = file.segments().ok_or(LoadError::NoLoadableSegments)?;
        let mut segments = Vec::new();
        for ph in table.iter() {
            if ph.p_type != PT_LOAD || ph.p_memsz == 0 {
                continue;
            }
            let (vaddr, filesz, memsz) = (ph.p_vaddr, ph.p_filesz, ph.p_memsz);
            if filesz > memsz {
                return Err(LoadError::FileSizeExceedsMemSize {
                    vaddr,
                    filesz,
                    memsz,
                });
            }
            if memsz > memory_size {
                return Err(LoadError::SegmentTooLarge {
                    vaddr,
                    memsz,
                    memory_size,
                });
            }
            let end = vaddr.saturating_add(memsz);
            if end > memory_size {
                return Err(LoadError::SegmentOutOfRange {
                    vaddr,
                    end,
                    memory_size,
                });
            }
            let flags = SegmentFlags {
                read: ph.p_flags & PF_R != 0,
                write: ph.p_flags & PF_W != 0,
                execute: ph.p_flags & PF_X != 0,
            };
            if flags.execute && vaddr % 4 != 0 {
                return Err(LoadError::MisalignedCodeSegment { vaddr });
            }
            let data = file.segment_data(&ph).map_err(malformed)?;
            if data.len() as u64 != filesz {
                return Err(malformed("segment data shorter than p_filesz"));
            }
            // memory_size <= 2^32 and end <= memory_size, so these fit in u32 (mem_size may
            // be 2^32 only for a segment at 0 filling a 4 GiB memory: clamp is not needed
            // since a u32 cannot hold it, so reject that corner explicitly).
            let (Ok(vaddr32), Ok(memsz32)) = (u32::try_from(vaddr), u32::try_from(memsz)) else {
                return Err(LoadError::SegmentTooLarge {
                    vaddr,
                    memsz,
                    memory_size,
                });
            };
            segments.push(Segment {
                vaddr: vaddr32,
                mem_size: memsz32,
                data: data.to_vec(),
                flags,
            });
        }
        if segments.is_empty() {
            return Err(LoadError::NoLoadableSegments);
        }
        segments.sort_by_key(|s| s.vaddr);
        for pair in segments.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.end() > b.vaddr as u64 {
                return Err(LoadError::OverlappingSegments {
                    a_start: a.vaddr as u64,
                    a_end: a.end(),
                    b_start: b.vaddr as u64,
                    b_end: b.end(),
                });
            }
        }
        let entry = ehdr.e_entry;
        let entry_ok = entry % 4 == 0
            && u32::try_from(entry).is_ok_and(|e| {
                segments
                    .iter()
                    .any(|s| s.flags.execute && s.contains(e) && (e as u64) + 4 <= s.end())
            });
        if !entry_ok {
            return Err(LoadError::BadEntryPoint { entry });
        }
        let program = Program {
            entry: entry as u32,
            segments,
        };
        tracing::debug!(
            entry = format_args!("{:#x}", program.entry),
            segments = program.segments.len(),
            "loaded ELF program"
        );
        Ok(program)
    }

    /// Whether the program fits in a memory of `memory_size` bytes.
    pub fn fits_in(&self, memory_size: u64) -> bool {
        self.segments.iter().all(|s| s.end() <= memory_size)
    }
}
