//! Native execution speed on `guest/examples/loop.elf`: instructions/s of the fast path, of the
//! tracing path (blocks of K = 16), and of `qemu-riscv32` on the same ELF and input, measured
//! in the same run.
//!
//! `cargo bench -p canopy-vm --bench vm_speed` prints criterion's throughput (instructions/s as
//! "elem/s") for each, then a summary with medians over 5 plain runs and the ratio Canopy/qemu.
//! qemu's figure includes its start-up (a few ms), which the large iteration count amortises.
//! Set `CANOPY_BENCH_N` to change the loop's iteration count (default 10^7, ≈ 10^8 instructions;
//! the tracing path uses N/10).

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use canopy_vm::{Vm, VmConfig};
use criterion::{Criterion, Throughput};

fn loop_elf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/examples/loop.elf")
}

fn iterations() -> u64 {
    std::env::var("CANOPY_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000)
}

fn vm_for(elf: &[u8], n: u64) -> Vm {
    let mut vm = Vm::from_elf(elf, VmConfig::default()).expect("loop.elf loads");
    vm.set_public_input(format!("{n}\n").into_bytes());
    vm
}

/// Runs on the fast path; returns the number of instructions.
fn run_fast(template: &Vm) -> u64 {
    let mut vm = template.clone();
    vm.run().expect("loop.elf runs").steps
}

/// Runs on the tracing path with K = 16, touching every record; returns the instruction count.
fn run_traced(template: &Vm) -> u64 {
    let mut vm = template.clone();
    let mut n = 0u64;
    for block in vm.trace(16) {
        let block = block.expect("loop.elf runs");
        for r in &block.records {
            black_box(r);
            n += 1;
        }
    }
    n
}

fn qemu() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|p| p.join("qemu-riscv32"))
        .find(|p| p.is_file())
}

fn run_qemu(qemu: &Path, elf: &Path, n: u64) -> Duration {
    let start = Instant::now();
    let mut child = Command::new(qemu)
        .arg(elf)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("qemu-riscv32 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{n}\n").as_bytes())
        .expect("write input");
    let status = child.wait().expect("qemu-riscv32 runs");
    assert!(status.success(), "qemu-riscv32 failed: {status}");
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let path = loop_elf();
    let Ok(elf) = std::fs::read(&path) else {
        eprintln!("vm_speed: {} not found; nothing to measure", path.display());
        return;
    };
    let n = iterations();
    let n_traced = (n / 10).max(1);
    let fast_vm = vm_for(&elf, n);
    let traced_vm = vm_for(&elf, n_traced);
    let steps = run_fast(&fast_vm);
    let steps_traced = run_traced(&traced_vm);
    let qemu = qemu();

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    {
        let mut g = c.benchmark_group("loop.elf");
        g.throughput(Throughput::Elements(steps));
        g.bench_function(format!("fast path, N={n}"), |b| {
            b.iter(|| run_fast(&fast_vm))
        });
        if let Some(q) = &qemu {
            g.bench_function(format!("qemu-riscv32, N={n}"), |b| {
                b.iter(|| run_qemu(q, &path, n))
            });
        } else {
            eprintln!("vm_speed: qemu-riscv32 not on PATH; skipping the qemu comparison");
        }
        g.throughput(Throughput::Elements(steps_traced));
        g.bench_function(format!("tracing path K=16, N={n_traced}"), |b| {
            b.iter(|| run_traced(&traced_vm))
        });
        g.finish();
    }
    c.final_summary();

    // Plain medians over 5 runs, and the ratio, in the same process.
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    let fast_t = median(
        (0..5)
            .map(|_| {
                time(&|| {
                    black_box(run_fast(&fast_vm));
                })
            })
            .collect(),
    );
    let traced_t = median(
        (0..5)
            .map(|_| {
                time(&|| {
                    black_box(run_traced(&traced_vm));
                })
            })
            .collect(),
    );
    let fast_rate = steps as f64 / fast_t;
    let traced_rate = steps_traced as f64 / traced_t;
    println!("summary (medians of 5 runs, loop.elf, {steps} instructions for N={n}):");
    println!(
        "  canopy fast path:         {:>8.1} M instructions/s",
        fast_rate / 1e6
    );
    println!(
        "  canopy tracing path K=16: {:>8.1} M instructions/s (N={n_traced})",
        traced_rate / 1e6
    );
    if let Some(q) = &qemu {
        let qemu_t = median(
            (0..5)
                .map(|_| run_qemu(q, &path, n).as_secs_f64())
                .collect(),
        );
        let qemu_rate = steps as f64 / qemu_t;
        println!(
            "  qemu-riscv32:             {:>8.1} M instructions/s (incl. start-up)",
            qemu_rate / 1e6
        );
        println!(
            "  ratio canopy fast / qemu: {:.2}; canopy tracing / qemu: {:.3}",
            fast_rate / qemu_rate,
            traced_rate / qemu_rate
        );
    }
}
