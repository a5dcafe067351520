//! Differential tests against qemu-riscv32 (Linux user mode): the example guests and randomly
//! generated programs must give identical stdout and exit status on Canopy (fast path and
//! tracing path) and on qemu. If qemu-riscv32 is missing these tests fail.
//!
//! Random programs: set every register x1..x31 to a random value, run a random sequence of
//! ALU, ALU-immediate, M-extension, LUI/AUIPC, loads and stores (all widths, aligned) into a
//! data buffer, forward branches and jumps (JAL, AUIPC+JALR), FENCE; then store all 31
//! registers after the buffer, write buffer and registers to stdout, and exit with the low
//! byte of a random register. x31 holds the buffer's address and is never a destination (it is
//! still a source and is dumped). The number of programs is `CANOPY_DIFF_PROGRAMS` (default
//! 600) and the seed `CANOPY_DIFF_SEED` (default: fixed, printed).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Instant;

use canopy_vm::Instruction::{self, *};
use common::*;

const DATA: u32 = 0x20000;
const BUF: i32 = 1024;
const DUMP: i32 = BUF; // registers are dumped right after the buffer (in .bss)

#[test]
fn examples_match_qemu_and_expected_output() {
    let qemu = qemu();
    let dir = examples_dir();
    // The C examples and the Rust ones (guest/rust/examples).
    let mut elfs: Vec<PathBuf> = [dir.clone(), dir.join("../rust/examples")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "elf"))
        .collect();
    elfs.sort();
    if elfs.is_empty() {
        eprintln!("note: no example ELFs in {}", dir.display());
        return;
    }
    for elf_path in elfs {
        let name = elf_path.display().to_string();
        let elf = std::fs::read(&elf_path).unwrap();
        let input = std::fs::read(elf_path.with_extension("in")).unwrap_or_default();
        let expected = std::fs::read(elf_path.with_extension("out"))
            .unwrap_or_else(|_| panic!("{name}: missing .out file"));
        let canopy = run_canopy(&elf, &input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let traced = run_canopy_traced(&elf, &input, 16).unwrap_or_else(|e| panic!("{name}: {e}"));
        let q = run_qemu(&qemu, &elf_path, &input);
        assert_eq!(canopy, q, "{name}: Canopy and qemu differ");
        assert_eq!(
            String::from_utf8_lossy(&canopy.stderr),
            String::from_utf8_lossy(&q.stderr),
            "{name}: debug log (fd 2) differs from qemu's stderr"
        );
        assert_eq!(canopy, traced, "{name}: fast and tracing paths differ");
        assert_eq!(
            String::from_utf8_lossy(&canopy.stdout),
            String::from_utf8_lossy(&expected),
            "{name}: output differs from the .out file"
        );
        eprintln!("{name}: ok (exit {})", canopy.exit_status);
    }
}

/// `li rd, value` as LUI + ADDI.
fn li(rd: u8, value: u32) -> [Instruction; 2] {
    let hi = value.wrapping_add(0x800) & 0xffff_f000;
    let lo = value.wrapping_sub(hi) as i32;
    [
        Lui { rd, imm: hi },
        Addi {
            rd,
            rs1: rd,
            imm: lo,
        },
    ]
}

enum Group {
    Plain(Vec<Instruction>),
    /// Conditional branch or JAL skipping the next `skip` groups.
    Skip(Instruction, usize),
    /// AUIPC rt, 0; JALR rd, off(rt) skipping the next `skip` groups.
    Jalr {
        rt: u8,
        rd: u8,
        skip: usize,
    },
}

fn len(g: &Group) -> usize {
    match g {
        Group::Plain(v) => v.len(),
        Group::Skip(..) => 1,
        Group::Jalr { .. } => 2,
    }
}

fn random_program(rng: &mut Rng) -> (Vec<u32>, Vec<u8>) {
    let dst = |rng: &mut Rng| rng.below(31) as u8; // x0..x30
    let src = |rng: &mut Rng| rng.below(32) as u8; // x0..x31
    let mut code: Vec<Instruction> = Vec::new();
    for r in 1..31u8 {
        code.extend(li(r, rng.interesting_u32()));
    }
    code.extend(li(31, DATA));

    let n = 20 + rng.below(120) as usize;
    let mut groups = Vec::with_capacity(n);
    for _ in 0..n {
        let g = match rng.below(20) {
            0..=5 => {
                let (rd, rs1, rs2) = (dst(rng), src(rng), src(rng));
                let ops: [fn(u8, u8, u8) -> Instruction; 18] = [
                    |rd, rs1, rs2| Add { rd, rs1, rs2 },
                    |rd, rs1, rs2| Sub { rd, rs1, rs2 },
                    |rd, rs1, rs2| Sll { rd, rs1, rs2 },
                    |rd, rs1, rs2| Slt { rd, rs1, rs2 },
                    |rd, rs1, rs2| Sltu { rd, rs1, rs2 },
                    |rd, rs1, rs2| Xor { rd, rs1, rs2 },
                    |rd, rs1, rs2| Srl { rd, rs1, rs2 },
                    |rd, rs1, rs2| Sra { rd, rs1, rs2 },
                    |rd, rs1, rs2| Or { rd, rs1, rs2 },
                    |rd, rs1, rs2| And { rd, rs1, rs2 },
                    |rd, rs1, rs2| Mul { rd, rs1, rs2 },
                    |rd, rs1, rs2| Mulh { rd, rs1, rs2 },
                    |rd, rs1, rs2| Mulhsu { rd, rs1, rs2 },
                    |rd, rs1, rs2| Mulhu { rd, rs1, rs2 },
                    |rd, rs1, rs2| Div { rd, rs1, rs2 },
                    |rd, rs1, rs2| Divu { rd, rs1, rs2 },
                    |rd, rs1, rs2| Rem { rd, rs1, rs2 },
                    |rd, rs1, rs2| Remu { rd, rs1, rs2 },
                ];
                Group::Plain(vec![rng.pick(&ops)(rd, rs1, rs2)])
            }
            6..=9 => {
                let (rd, rs1) = (dst(rng), src(rng));
                let imm = match rng.below(4) {
                    0 => rng.pick(&[-2048, -1, 0, 1, 2047]),
                    _ => rng.range(-2048, 2047),
                };
                let shamt = rng.below(32) as u8;
                Group::Plain(vec![match rng.below(9) {
                    0 => Addi { rd, rs1, imm },
                    1 => Slti { rd, rs1, imm },
                    2 => Sltiu { rd, rs1, imm },
                    3 => Xori { rd, rs1, imm },
                    4 => Ori { rd, rs1, imm },
                    5 => Andi { rd, rs1, imm },
                    6 => Slli { rd, rs1, shamt },
                    7 => Srli { rd, rs1, shamt },
                    _ => Srai { rd, rs1, shamt },
                }])
            }
            10 => {
                let imm = rng.next_u32() & 0xffff_f000;
                let rd = dst(rng);
                Group::Plain(vec![if rng.below(2) == 0 {
                    Lui { rd, imm }
                } else {
                    Auipc { rd, imm }
                }])
            }
            11..=12 => {
                let width = rng.pick(&[1, 2, 4]);
                let imm = (rng.below((BUF as u32) / width) * width) as i32;
                let (rd, rs1) = (dst(rng), 31);
                Group::Plain(vec![match (width, rng.below(2)) {
                    (1, 0) => Lb { rd, rs1, imm },
                    (1, _) => Lbu { rd, rs1, imm },
                    (2, 0) => Lh { rd, rs1, imm },
                    (2, _) => Lhu { rd, rs1, imm },
                    _ => Lw { rd, rs1, imm },
                }])
            }
            13..=14 => {
                let width = rng.pick(&[1, 2, 4]);
                let imm = (rng.below((BUF as u32) / width) * width) as i32;
                let (rs1, rs2) = (31, src(rng));
                Group::Plain(vec![match width {
                    1 => Sb { rs1, rs2, imm },
                    2 => Sh { rs1, rs2, imm },
                    _ => Sw { rs1, rs2, imm },
                }])
            }
            15..=17 => {
                let (rs1, rs2) = (src(rng), src(rng));
                let skip = 1 + rng.below(4) as usize;
                let imm = 0; // patched below
                let b = match rng.below(6) {
                    0 => Beq { rs1, rs2, imm },
                    1 => Bne { rs1, rs2, imm },
                    2 => Blt { rs1, rs2, imm },
                    3 => Bge { rs1, rs2, imm },
                    4 => Bltu { rs1, rs2, imm },
                    _ => Bgeu { rs1, rs2, imm },
                };
                Group::Skip(b, skip)
            }
            18 => {
                let skip = rng.below(4) as usize;
                if rng.below(2) == 0 {
                    Group::Skip(
                        Jal {
                            rd: dst(rng),
                            imm: 0,
                        },
                        skip,
                    )
                } else {
                    Group::Jalr {
                        rt: 1 + rng.below(30) as u8,
                        rd: dst(rng),
                        skip,
                    }
                }
            }
            _ => Group::Plain(vec![if rng.below(2) == 0 {
                Fence {
                    pred: 0xf,
                    succ: 0xf,
                }
            } else {
                Addi {
                    rd: 0,
                    rs1: 0,
                    imm: 0,
                }
            }]),
        };
        groups.push(g);
    }
    // Resolve forward offsets (never past the end of the body).
    for i in 0..groups.len() {
        let skipped = |skip: usize| -> i32 {
            groups[i + 1..(i + 1 + skip).min(groups.len())]
                .iter()
                .map(len)
                .sum::<usize>() as i32
                * 4
        };
        match &groups[i] {
            Group::Plain(v) => code.extend(v),
            Group::Skip(insn, skip) => {
                let off = 4 + skipped(*skip);
                code.push(match *insn {
                    Beq { rs1, rs2, .. } => Beq { rs1, rs2, imm: off },
                    Bne { rs1, rs2, .. } => Bne { rs1, rs2, imm: off },
                    Blt { rs1, rs2, .. } => Blt { rs1, rs2, imm: off },
                    Bge { rs1, rs2, .. } => Bge { rs1, rs2, imm: off },
                    Bltu { rs1, rs2, .. } => Bltu { rs1, rs2, imm: off },
                    Bgeu { rs1, rs2, .. } => Bgeu { rs1, rs2, imm: off },
                    Jal { rd, .. } => Jal { rd, imm: off },
                    other => other,
                });
            }
            Group::Jalr { rt, rd, skip } => {
                let off = 8 + skipped(*skip);
                code.push(Auipc { rd: *rt, imm: 0 });
                code.push(Jalr {
                    rd: *rd,
                    rs1: *rt,
                    imm: off,
                });
            }
        }
    }
    // Epilogue: dump registers, write buffer + dump to stdout, exit with a register's low byte.
    for r in 1..32u8 {
        code.push(Sw {
            rs1: 31,
            rs2: r,
            imm: DUMP + 4 * (r as i32 - 1),
        });
    }
    let exit_reg = 1 + rng.below(31) as i32;
    code.extend([
        Addi {
            rd: 10,
            rs1: 0,
            imm: 1,
        },
        Addi {
            rd: 11,
            rs1: 31,
            imm: 0,
        },
        Addi {
            rd: 12,
            rs1: 0,
            imm: BUF + 31 * 4,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 64,
        },
        Ecall,
        Lw {
            rd: 10,
            rs1: 31,
            imm: DUMP + 4 * (exit_reg - 1),
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 93,
        },
        Ecall,
    ]);
    let data: Vec<u8> = (0..BUF).map(|_| rng.next_u32() as u8).collect();
    (code.iter().map(|i| i.encode()).collect(), data)
}

#[test]
fn random_programs_match_qemu() {
    let qemu = qemu();
    let count: usize = std::env::var("CANOPY_DIFF_PROGRAMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("CANOPY_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    eprintln!("random differential programs: {count}, seed {seed} (CANOPY_DIFF_SEED)");
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let threads = 2;
    std::thread::scope(|s| {
        for t in 0..threads {
            let qemu = &qemu;
            let dir = dir.path();
            s.spawn(move || {
                for i in (t..count).step_by(threads) {
                    let program_seed = seed.wrapping_add(i as u64);
                    let mut rng = Rng(program_seed);
                    let (text, data) = random_program(&mut rng);
                    let spec = ElfSpec::rv32(&text, DATA, data, (BUF + 32 * 4) as u32);
                    let elf = spec.to_bytes();
                    let path = dir.join(format!("p{i}.elf"));
                    std::fs::write(&path, &elf).unwrap();
                    // qemu-user refuses to run files without execute permission.
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                        .unwrap();
                    if std::env::var_os("CANOPY_DIFF_KEEP").is_some() {
                        std::fs::write(format!("/tmp/canopy-diff-{i}.elf"), &elf).unwrap();
                    }
                    let disasm = || {
                        text.iter()
                            .enumerate()
                            .map(|(k, w)| {
                                format!(
                                    "{:#07x}: {:08x} {}",
                                    0x10000 + 4 * k,
                                    w,
                                    Instruction::decode(*w)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    let canopy = run_canopy(&elf, &[])
                        .unwrap_or_else(|e| panic!("seed {program_seed}: {e}\n{}", disasm()));
                    let traced = run_canopy_traced(&elf, &[], 16)
                        .unwrap_or_else(|e| panic!("seed {program_seed}: {e}"));
                    assert_eq!(canopy, traced, "seed {program_seed}: fast vs traced");
                    let q = run_qemu(qemu, &path, &[]);
                    if canopy != q {
                        panic!(
                            "seed {program_seed}: Canopy and qemu differ\ncanopy exit {} qemu exit {} (qemu stderr: {})\n\
                             canopy regs {:08x?}\nqemu regs   {:08x?}\nprogram:\n{}",
                            canopy.exit_status,
                            q.exit_status,
                            String::from_utf8_lossy(&q.stderr),
                            regs(&canopy.stdout),
                            regs(&q.stdout),
                            disasm()
                        );
                    }
                    std::fs::remove_file(&path).ok();
                }
            });
        }
    });
    eprintln!(
        "{count} random programs agreed with qemu in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

/// Default seed of the random programs (override with `CANOPY_DIFF_SEED`).
const DEFAULT_SEED: u64 = 0x00ca_0b70_5eed;

fn regs(out: &[u8]) -> Vec<u32> {
    out.get(BUF as usize..)
        .unwrap_or(&[])
        .chunks(4)
        .map(|c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(b)
        })
        .collect()
}
