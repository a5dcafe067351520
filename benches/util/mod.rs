//! Helpers shared by the report benches (`tree`, `copro`, `compact`): cached parameters,
//! medians, the process's peak memory and the machine's load.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use canopy::{CacheEvent, CoprocessorSet, Params, ParamsCache, ParamsKey};

/// Guest memory of every bench program (the guest SDK links for 16 MiB).
pub const MEMORY: u64 = 16 << 20;

/// Reads a guest ELF of this repository (`guest/...`).
pub fn guest(path: &str) -> Result<canopy::Program, String> {
    let p = format!("{}/guest/{path}", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&p).map_err(|e| format!("{p}: {e}"))?;
    canopy::Program::from_elf(&elf).map_err(|e| format!("{p}: {e}"))
}

/// The parameters cache of the benches: `$CANOPY_BENCH_PARAMS`, else
/// `$CARGO_TARGET_TMPDIR/canopy-bench-params` (shared by every bench).
pub fn cache() -> ParamsCache {
    ParamsCache::new(
        std::env::var_os("CANOPY_BENCH_PARAMS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-bench-params")
            }),
    )
}

/// Parameters for K with the coprocessor set `set`, loaded from the cache or set up and
/// stored. Returns the parameters, the time it took and whether they came from the cache.
pub fn params(k: usize, set: CoprocessorSet) -> Result<(Params, Duration, bool), String> {
    let cache = cache();
    let key = ParamsKey::new(k, MEMORY).with_coprocessors(set);
    let t = Instant::now();
    let mut cached = true;
    let p = cache
        .load_or_setup_with(&key, |e| {
            if matches!(e, CacheEvent::Generating { .. }) {
                cached = false;
            }
        })
        .map_err(|e| e.to_string())?;
    Ok((p, t.elapsed(), cached))
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
