//! Helpers shared by the report benches (`tree`, `copro`): cached parameters, medians, the
//! process's peak memory and the machine's load.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use canopy::{CoprocessorSet, Params};

/// Guest memory of every bench program (the guest SDK links for 16 MiB).
pub const MEMORY: u64 = 16 << 20;

/// Reads a guest ELF of this repository (`guest/...`).
pub fn guest(path: &str) -> Result<canopy::Program, String> {
    let p = format!("{}/guest/{path}", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&p).map_err(|e| format!("{p}: {e}"))?;
    canopy::Program::from_elf(&elf).map_err(|e| format!("{p}: {e}"))
}

/// The parameters cache of the benches: `$CANOPY_BENCH_PARAMS`, else
/// `$CARGO_TARGET_TMPDIR/canopy-bench-params` (the same directory as `benches/cpu.rs`).
fn cache_dir() -> PathBuf {
    std::env::var_os("CANOPY_BENCH_PARAMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-bench-params"))
}

/// Parameters for K with the coprocessor set `set` (named `tag` in the cache file name; `""`
/// for none, which shares `benches/cpu.rs`' files), loaded from the cache or set up and
/// saved. Returns the parameters, the time it took and whether they came from the cache.
pub fn params(
    k: usize,
    tag: &str,
    set: CoprocessorSet,
) -> Result<(Params, Duration, bool), String> {
    let dir = cache_dir();
    let path = if tag.is_empty() {
        dir.join(format!("cpu-k{k}-mem{MEMORY}.params"))
    } else {
        dir.join(format!("cpu-k{k}-mem{MEMORY}-{tag}.params"))
    };
    let t = Instant::now();
    if let Ok(bytes) = std::fs::read(&path) {
        let loaded = if set.is_empty() {
            Params::from_bytes(&bytes)
        } else {
            Params::from_bytes_with_coprocessors(&bytes, set.clone())
        };
        if let Ok(p) = loaded {
            return Ok((p, t.elapsed(), true));
        }
    }
    let p = if set.is_empty() {
        Params::setup(k, MEMORY)
    } else {
        Params::setup_with_coprocessors(k, MEMORY, set)
    }
    .map_err(|e| e.to_string())?;
    let took = t.elapsed();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, p.to_bytes().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    Ok((p, took, false))
}

/// The median (upper median for an even count); zero for no sample.
pub fn median(mut v: Vec<Duration>) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[v.len() / 2]
}

/// Peak resident memory of this process so far (`VmHWM`), in MiB.
pub fn peak_rss_mib() -> f64 {
    let kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    kib as f64 / 1024.0
}

/// The 1/5/15-minute load averages, as in `uptime`.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The command-line arguments after the bench name (`cargo bench` adds `--bench`).
pub fn args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect()
}

/// Argument `i` parsed, or `default` when absent.
pub fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> Result<T, String> {
    match args.get(i) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| format!("bad argument {s:?}")),
    }
}

/// A comma-separated list argument, or `default` when absent.
pub fn list<T: std::str::FromStr + Clone>(
    args: &[String],
    i: usize,
    default: &[T],
) -> Result<Vec<T>, String> {
    match args.get(i) {
        None => Ok(default.to_vec()),
        Some(s) => s
            .split(',')
            .map(|x| x.parse().map_err(|_| format!("bad list element {x:?}")))
            .collect(),
    }
}
