//! The on-disk parameters cache of the CLI: [`canopy::ParamsCache`] in the directory
//! `--params-dir`, else `$CANOPY_PARAMS_DIR`, else `<user cache dir>/canopy/params` (the
//! `dirs` crate: on Linux `$XDG_CACHE_HOME` or `~/.cache`), one file per
//! [`canopy::ParamsKey`] (K, memory size, coprocessor set, powers-of-tau file or none; the
//! file names and the checks of a loaded file are in the library's documentation). A file that
//! cannot be used (corrupt, truncated, another version, made by a build with other circuits)
//! is reported and regenerated.

use std::path::{Path, PathBuf};

use anyhow::Context;
use canopy::{CacheEvent, CoprocessorSet, Params, ParamsCache, ParamsKey};

/// Environment variable that overrides the cache directory.
pub const PARAMS_DIR_ENV: &str = "CANOPY_PARAMS_DIR";

/// The cache directory: `explicit`, else `$CANOPY_PARAMS_DIR`, else the user's cache dir.
pub fn cache_dir(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(PARAMS_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let base = dirs::cache_dir()
        .context("no user cache directory (set --params-dir or CANOPY_PARAMS_DIR to choose one)")?;
    Ok(base.join("canopy").join("params"))
}

/// The cache key of (K, memory size, coprocessor set, powers-of-tau file or none).
pub fn key(
    block_size: usize,
    memory_size: u64,
    coprocessors: &CoprocessorSet,
    ptau: Option<&Path>,
) -> ParamsKey {
    let key = ParamsKey::new(block_size, memory_size).with_coprocessors(coprocessors.clone());
    match ptau {
        Some(f) => key.with_ptau(f),
        None => key,
    }
}

/// Loads the parameters of (K, memory size, coprocessor set, powers-of-tau file or none) from
/// the cache in `dir`, or generates and stores them, telling the user on stderr.
pub fn load_or_setup(
    dir: &Path,
    block_size: usize,
    memory_size: u64,
    coprocessors: &CoprocessorSet,
    ptau: Option<&Path>,
) -> anyhow::Result<Params> {
    let key = key(block_size, memory_size, coprocessors, ptau);
    ParamsCache::new(dir)
        .load_or_setup_with(&key, |event| match event {
            CacheEvent::Loaded { file, seconds } => {
                tracing::info!(file = %file.display(), seconds, "loaded parameters")
            }
            CacheEvent::Unusable { file, error } => eprintln!(
                "canopy: cannot use cached parameters {}: {error}; regenerating",
                file.display()
            ),
            CacheEvent::Generating { .. } => {
                eprintln!(
                    "canopy: generating parameters for K = {block_size}, memory {memory_size} \
                     bytes, coprocessors: {} (once; cached in {})",
                    crate::coprocessors::describe(coprocessors),
                    dir.display()
                );
                if let Some(f) = ptau {
                    eprintln!(
                        "canopy: commitment generators from the powers-of-tau file {}",
                        f.display()
                    );
                }
            }
            CacheEvent::Generated { seconds } => {
                eprintln!("canopy: parameters generated in {seconds:.1} s")
            }
            // the cache is an optimisation: a read-only cache directory must not fail the
            // command
            CacheEvent::StoreFailed { file, error } => eprintln!(
                "canopy: warning: cannot cache the parameters in {}: {error}",
                file.display()
            ),
        })
        .context("parameter setup failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_and_keys_name_files() {
        let d = cache_dir(Some(Path::new("/x/y"))).unwrap();
        assert_eq!(d, PathBuf::from("/x/y"));
        let none = CoprocessorSet::new();
        let f = ParamsCache::new(&d).path(&key(4, 1 << 24, &none, None));
        assert_eq!(
            f,
            PathBuf::from(format!(
                "/x/y/cpu-k4-mem16777216-v{}.params",
                canopy::PARAMS_FORMAT_VERSION
            ))
        );
        let builtins = crate::coprocessors::CoprocessorChoice::Builtins
            .set()
            .unwrap();
        let g = key(4, 1 << 24, &builtins, None).file_name();
        assert!(g.starts_with("cpu-k4-mem16777216-copro-"), "{g}");
        assert_eq!(
            g.matches('-').count(),
            4 + builtins.len(),
            "one id per coprocessor: {g}"
        );
        let h = key(4, 1 << 24, &none, Some(Path::new("/t.ptau"))).file_name();
        assert!(
            h.contains("-ptau-"),
            "powers-of-tau parameters, another file: {h}"
        );
    }
}
