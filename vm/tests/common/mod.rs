//! Test helpers: a minimal ELF32 writer, an RNG, and running ELFs on qemu-riscv32.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use canopy_vm::{ExecutionError, Vm, VmConfig};

/// `p_flags` bits.
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

/// One segment of an ELF file to write.
#[derive(Clone, Debug)]
pub struct ElfSegment {
    pub p_type: u32,
    pub vaddr: u32,
    pub data: Vec<u8>,
    pub memsz: u32,
    pub flags: u32,
}

impl ElfSegment {
    pub fn load(vaddr: u32, data: Vec<u8>, memsz: u32, flags: u32) -> ElfSegment {
        ElfSegment {
            p_type: 1,
            vaddr,
            data,
            memsz,
            flags,
        }
    }
}

/// A minimal ELF32 executable description. Header fields can be set to invalid values to
/// produce bad inputs.
#[derive(Clone, Debug)]
pub struct ElfSpec {
    pub class: u8,
    pub data_encoding: u8,
    pub e_type: u16,
    pub machine: u16,
    pub flags: u32,
    pub entry: u32,
    pub segments: Vec<ElfSegment>,
}

impl ElfSpec {
    /// A RISC-V executable with text (RX) at 0x10000 and, if non-empty, data (RW) at `data_addr`.
    pub fn rv32(text: &[u32], data_addr: u32, data: Vec<u8>, data_memsz: u32) -> ElfSpec {
        let text_bytes: Vec<u8> = text.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut segments = vec![ElfSegment::load(
            0x10000,
            text_bytes.clone(),
            text_bytes.len() as u32,
            PF_R | PF_X,
        )];
        if data_memsz > 0 {
            segments.push(ElfSegment::load(data_addr, data, data_memsz, PF_R | PF_W));
        }
        ElfSpec {
            class: 1,
            data_encoding: 1,
            e_type: 2,
            machine: 243,
            flags: 0,
            entry: 0x10000,
            segments,
        }
    }

    /// Serialises the ELF file. Segment data is placed at file offsets congruent to the
    /// vaddr modulo 4 KiB, as loaders expect.
    pub fn to_bytes(&self) -> Vec<u8> {
        let phoff = 52u32;
        let phnum = self.segments.len() as u32;
        let mut offsets = Vec::new();
        let mut next = 0x1000u32;
        for s in &self.segments {
            let off = next + (s.vaddr & 0xfff);
            offsets.push(off);
            next = (off + s.data.len() as u32 + 0xfff) & !0xfff;
            next = next.max(off + 0x1000) & !0xfff;
        }
        let mut out = vec![0u8; 52 + 32 * phnum as usize];
        let le = self.data_encoding != 2;
        let put16 = |out: &mut Vec<u8>, at: usize, v: u16| {
            let b = if le { v.to_le_bytes() } else { v.to_be_bytes() };
            out[at..at + 2].copy_from_slice(&b);
        };
        let put32 = |out: &mut Vec<u8>, at: usize, v: u32| {
            let b = if le { v.to_le_bytes() } else { v.to_be_bytes() };
            out[at..at + 4].copy_from_slice(&b);
        };
        out[0..4].copy_from_slice(b"\x7fELF");
        out[4] = self.class;
        out[5] = self.data_encoding;
        out[6] = 1; // EV_CURRENT
        put16(&mut out, 16, self.e_type);
        put16(&mut out, 18, self.machine);
        put32(&mut out, 20, 1);
        put32(&mut out, 24, self.entry);
        put32(&mut out, 28, phoff);
        put32(&mut out, 32, 0); // no section headers
        put32(&mut out, 36, self.flags);
        put16(&mut out, 40, 52);
        put16(&mut out, 42, 32);
        put16(&mut out, 44, phnum as u16);
        put16(&mut out, 46, 40);
        put16(&mut out, 48, 0);
        put16(&mut out, 50, 0);
        for (i, s) in self.segments.iter().enumerate() {
            let at = 52 + 32 * i;
            put32(&mut out, at, s.p_type);
            put32(&mut out, at + 4, offsets[i]);
            put32(&mut out, at + 8, s.vaddr);
            put32(&mut out, at + 12, s.vaddr);
            put32(&mut out, at + 16, s.data.len() as u32);
            put32(&mut out, at + 20, s.memsz);
            put32(&mut out, at + 24, s.flags);
            put32(&mut out, at + 28, 0x1000);
        }
        for (i, s) in self.segments.iter().enumerate() {
            let off = offsets[i] as usize;
            if out.len() < off + s.data.len() {
                out.resize(off + s.data.len(), 0);
            }
            out[off..off + s.data.len()].copy_from_slice(&s.data);
        }
        out
    }
}

/// SplitMix64: a tiny seeded RNG.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: u32) -> u32 {
        ((self.next_u32() as u64 * n as u64) >> 32) as u32
    }
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo + 1) as u32) as i32
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }
    /// A 32-bit value biased towards edge cases.
    pub fn interesting_u32(&mut self) -> u32 {
        match self.below(8) {
            0 => self.pick(&[
                0,
                1,
                2,
                u32::MAX,
                0x7fff_ffff,
                0x8000_0000,
                0x8000_0001,
                31,
                32,
            ]),
            1 => self.below(64),
            2 => (self.range(-64, 64)) as u32,
            3 => 1 << self.below(32),
            _ => self.next_u32(),
        }
    }
}

/// The output of running a program.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    pub exit_status: i32,
    /// Diagnostics (qemu's stderr); not compared.
    pub stderr: Vec<u8>,
}

impl PartialEq for RunResult {
    fn eq(&self, other: &Self) -> bool {
        self.stdout == other.stdout && self.exit_status == other.exit_status
    }
}

/// Path of qemu-riscv32, or a panic with instructions: these tests must not silently pass.
pub fn qemu() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("qemu-riscv32"))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => p,
        None => panic!(
            "qemu-riscv32 not found on PATH: the differential tests need it \
             (Debian: apt-get install qemu-user; CI installs it)"
        ),
    }
}

/// Runs an ELF file on qemu-riscv32 with `input` on stdin.
pub fn run_qemu(qemu: &Path, elf: &Path, input: &[u8]) -> RunResult {
    let mut child = Command::new(qemu)
        .arg(elf)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start qemu-riscv32");
    {
        let mut stdin = child.stdin.take().unwrap();
        // The guest may exit without reading everything: ignore broken pipes.
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().expect("qemu-riscv32 failed");
    let exit_status = match out.status.code() {
        Some(c) => c,
        None => {
            use std::os::unix::process::ExitStatusExt;
            128 + out.status.signal().unwrap_or(0)
        }
    };
    RunResult {
        stdout: out.stdout,
        exit_status,
        stderr: out.stderr,
    }
}

/// Runs an ELF on Canopy's fast path.
pub fn run_canopy(elf: &[u8], input: &[u8]) -> Result<RunResult, String> {
    let mut vm = Vm::from_elf(elf, VmConfig::default()).map_err(|e| e.to_string())?;
    vm.set_public_input(input.to_vec());
    let exit = vm.run().map_err(|e| e.to_string())?;
    Ok(RunResult {
        stdout: vm.public_output().to_vec(),
        exit_status: exit.status() as i32,
        stderr: vm.debug_output().to_vec(),
    })
}

/// Runs an ELF on Canopy's tracing path (blocks of `k`), checking the block structure.
pub fn run_canopy_traced(elf: &[u8], input: &[u8], k: usize) -> Result<RunResult, String> {
    let mut vm = Vm::from_elf(elf, VmConfig::default()).map_err(|e| e.to_string())?;
    vm.set_public_input(input.to_vec());
    let mut expected_step = 0u64;
    let mut last_len = k;
    for block in vm.trace(k) {
        let block = block.map_err(|e: ExecutionError| e.to_string())?;
        assert_eq!(last_len, k, "only the last block may be short");
        assert_eq!(block.first_step, expected_step);
        for r in &block.records {
            assert_eq!(r.step, expected_step);
            expected_step += 1;
        }
        last_len = block.records.len();
    }
    let exit = vm.exit().ok_or("trace ended without exit")?;
    assert_eq!(exit.steps, expected_step);
    Ok(RunResult {
        stdout: vm.public_output().to_vec(),
        exit_status: exit.status() as i32,
        stderr: vm.debug_output().to_vec(),
    })
}

/// Directory of the guest examples.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/examples")
}
