//! The on-disk parameters cache.
//!
//! One file per (K, memory size, coprocessor set): `cpu-k{K}-mem{BYTES}-v{FORMAT}.params`
//! without coprocessors, `cpu-k{K}-mem{BYTES}-copro-{ID}-...-v{FORMAT}.params` with them (ids
//! in hexadecimal, in registration order; see [`crate::coprocessors::cache_tag`]), and
//! `…-ptau-v{FORMAT}.params` for parameters made from a powers-of-tau file (`--ptau`; loading
//! one re-reads the file and checks that its powers are the cached generators, else the
//! parameters are regenerated: one cache slot for all such files), in the
//! cache directory, holding [`canopy::Params::to_bytes`]. Directory: `--params-dir`, else
//! `$CANOPY_PARAMS_DIR`, else `<user cache dir>/canopy/params` (the `dirs` crate: on Linux
//! `$XDG_CACHE_HOME` or `~/.cache`). Loading goes through [`canopy::Params::from_bytes`],
//! which recomputes the digest over the decoded contents and checks that the shapes are this
//! build's circuit (and, through [`canopy::Params::from_bytes_with_coprocessors`], the
//! coprocessors' circuits); a file that fails (corrupt, truncated, written by a build with another
//! circuit) is reported and regenerated. Files are written to a temporary name and renamed,
//! so concurrent processes never read a half-written file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use canopy::{CoprocessorSet, Params};

use crate::coprocessors::cache_tag;

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

/// The cache file of (K, memory size, coprocessor set).
pub fn cache_file(
    dir: &Path,
    block_size: usize,
    memory_size: u64,
    coprocessors: &CoprocessorSet,
    ptau: bool,
) -> PathBuf {
    dir.join(format!(
        "cpu-k{block_size}-mem{memory_size}{}{}-v{}.params",
        cache_tag(coprocessors),
        if ptau { "-ptau" } else { "" },
        canopy::PARAMS_FORMAT_VERSION
    ))
}

/// Loads the parameters of (K, memory size, coprocessor set, powers-of-tau file or none) from
/// the cache, or generates and stores them.
pub fn load_or_setup(
    dir: &Path,
    block_size: usize,
    memory_size: u64,
    coprocessors: &CoprocessorSet,
    ptau: Option<&Path>,
) -> anyhow::Result<Params> {
    let file = cache_file(dir, block_size, memory_size, coprocessors, ptau.is_some());
    if file.exists() {
        let t = Instant::now();
        let loaded = std::fs::read(&file)
            .map_err(anyhow::Error::from)
            .and_then(|b| {
                Params::from_bytes_with_coprocessors(&b, coprocessors.clone())
                    .map_err(anyhow::Error::from)
            })
            .and_then(|p| match ptau {
                Some(f) => p.attach_ptau(f).map_err(anyhow::Error::from),
                None => Ok(p),
            });
        match loaded {
            Ok(p) if p.block_size() == block_size && p.memory_size() == memory_size => {
                tracing::info!(
                    file = %file.display(),
                    secs = t.elapsed().as_secs_f64(),
                    "loaded parameters"
                );
                return Ok(p);
            }
            Ok(p) => eprintln!(
                "canopy: parameters file {} holds K = {}, memory {} (expected K = {block_size}, \
                 memory {memory_size}); regenerating",
                file.display(),
                p.block_size(),
                p.memory_size()
            ),
            Err(e) => eprintln!(
                "canopy: cannot use cached parameters {}: {e:#}; regenerating",
                file.display()
            ),
        }
    }
    eprintln!(
        "canopy: generating parameters for K = {block_size}, memory {memory_size} bytes, \
         coprocessors: {} (once; cached in {})",
        crate::coprocessors::describe(coprocessors),
        dir.display()
    );
    let t = Instant::now();
    let params = match ptau {
        Some(f) => {
            eprintln!(
                "canopy: commitment generators from the powers-of-tau file {}",
                f.display()
            );
            Params::setup_with_ptau(block_size, memory_size, coprocessors.clone(), f)
        }
        None => Params::setup_with_coprocessors(block_size, memory_size, coprocessors.clone()),
    }
    .context("parameter setup failed")?;
    eprintln!(
        "canopy: parameters generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    if let Err(e) = store(&file, &params) {
        // The cache is an optimisation: a read-only cache directory must not fail the command.
        eprintln!(
            "canopy: warning: cannot cache the parameters in {}: {e:#}",
            file.display()
        );
    }
    Ok(params)
}

/// Writes `params` to `file` atomically (temporary file + rename).
fn store(file: &Path, params: &Params) -> anyhow::Result<()> {
    let dir = file.parent().context("cache file has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let bytes = params.to_bytes()?;
    write_atomically(file, &bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .context("path has no file name")?
        .to_string_lossy()
        .into_owned();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot rename {} to {}", tmp.display(), path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins() {
        let d = cache_dir(Some(Path::new("/x/y"))).unwrap();
        assert_eq!(d, PathBuf::from("/x/y"));
        let f = cache_file(&d, 4, 1 << 24, &CoprocessorSet::new(), false);
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
        let g = cache_file(&d, 4, 1 << 24, &builtins, false);
        assert_ne!(f, g, "another set, another file");
        let h = cache_file(&d, 4, 1 << 24, &CoprocessorSet::new(), true);
        assert_ne!(f, h, "powers-of-tau parameters, another file");
        let name = g.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("cpu-k4-mem16777216-copro-"), "{name}");
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
