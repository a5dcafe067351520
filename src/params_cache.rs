//! [`ParamsCache`]: parameters cached on disk, one file per [`ParamsKey`], loaded when usable
//! and generated (then stored atomically) when not.
//!
//! A file is named `cpu-k{K}-mem{BYTES}[-copro-{ID}-…][-ptau]-v{FORMAT}.params` (coprocessor
//! ids in hexadecimal, in registration order; `-ptau` for parameters whose BN254 generators
//! come from a powers-of-tau file: one slot for all such files, the loader checks that the
//! file's powers are the cached generators) and holds [`Params::to_bytes`]. Loading goes
//! through [`Params::from_bytes_with_coprocessors`]: a file that is corrupt, truncated, of
//! another format version, made for other parameters or by a build with other circuits is
//! an error ([`ParamsCache::load`]) or, in [`ParamsCache::load_or_setup`], regenerated and
//! replaced; never a panic and never a wrong key (the checks are listed in [`Params`]).
//! Files are written with [`crate::fs::write_atomic`], so concurrent processes never read a
//! half-written file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::coprocessors::CoprocessorSet;
use crate::error::ParamsError;
use crate::params::{Params, PARAMS_FORMAT_VERSION};

/// What a cached parameters file is made for: K, the memory size, the coprocessor set and
/// whether (and from which powers-of-tau file) the BN254 generators come.
#[derive(Clone, Debug)]
pub struct ParamsKey {
    /// Rows per fold step (K).
    pub block_size: usize,
    /// Memory size in bytes.
    pub memory_size: u64,
    /// The coprocessors (their order is part of the parameters).
    pub coprocessors: CoprocessorSet,
    /// The powers-of-tau file of the BN254 generators, or `None` for transparent ones.
    pub ptau: Option<PathBuf>,
}

impl ParamsKey {
    /// Transparent parameters of K = `block_size` and `memory_size` bytes, no coprocessor.
    pub fn new(block_size: usize, memory_size: u64) -> Self {
        ParamsKey {
            block_size,
            memory_size,
            coprocessors: CoprocessorSet::new(),
            ptau: None,
        }
    }

    /// The same key with these coprocessors.
    pub fn with_coprocessors(mut self, coprocessors: CoprocessorSet) -> Self {
        self.coprocessors = coprocessors;
        self
    }

    /// The same key with the BN254 generators of the powers-of-tau file `ptau`.
    pub fn with_ptau(mut self, ptau: impl Into<PathBuf>) -> Self {
        self.ptau = Some(ptau.into());
        self
    }

    /// The cache file name of the key (see the module documentation).
    pub fn file_name(&self) -> String {
        let copro: String = self
            .coprocessors
            .describe()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("-copro-{:x}", c.id)
                } else {
                    format!("-{:x}", c.id)
                }
            })
            .collect();
        format!(
            "cpu-k{}-mem{}{copro}{}-v{PARAMS_FORMAT_VERSION}.params",
            self.block_size,
            self.memory_size,
            if self.ptau.is_some() { "-ptau" } else { "" },
        )
    }

    /// Generates the parameters of the key ([`Params::setup_with_coprocessors`] or
    /// [`Params::setup_with_ptau`]).
    pub fn setup(&self) -> Result<Params, ParamsError> {
        match &self.ptau {
            Some(f) => Params::setup_with_ptau(
                self.block_size,
                self.memory_size,
                self.coprocessors.clone(),
                f,
            ),
            None => Params::setup_with_coprocessors(
                self.block_size,
                self.memory_size,
                self.coprocessors.clone(),
            ),
        }
    }
}

/// What [`ParamsCache::load_or_setup_with`] reports while it works (for a command-line tool
/// that tells its user; [`ParamsCache::load_or_setup`] logs them with `tracing`).
#[derive(Debug)]
pub enum CacheEvent<'a> {
    /// The parameters were loaded from `file` in `seconds`.
    Loaded {
        /// The cache file.
        file: &'a Path,
        /// Seconds the load took.
        seconds: f64,
    },
    /// The cache file exists but cannot be used; it is regenerated.
    Unusable {
        /// The cache file.
        file: &'a Path,
        /// Why.
        error: &'a ParamsError,
    },
    /// Generation starts (seconds to minutes).
    Generating {
        /// Where the result will be stored.
        file: &'a Path,
    },
    /// Generation finished in `seconds`.
    Generated {
        /// Seconds the setup took.
        seconds: f64,
    },
    /// The generated parameters could not be stored (the cache is an optimisation: they are
    /// returned anyway).
    StoreFailed {
        /// The cache file.
        file: &'a Path,
        /// Why.
        error: &'a ParamsError,
    },
}

/// A directory of cached parameters (see the module documentation).
#[derive(Clone, Debug)]
pub struct ParamsCache {
    dir: PathBuf,
}

impl ParamsCache {
    /// The cache in `dir` (created when the first file is stored).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ParamsCache { dir: dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`.
    pub fn path(&self, key: &ParamsKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Loads the parameters of `key`: `Ok(None)` when there is no file, an error when the file
    /// cannot be used (unreadable, corrupt, stale, made for other parameters, or a
    /// powers-of-tau file whose powers are not the cached generators).
    pub fn load(&self, key: &ParamsKey) -> Result<Option<Params>, ParamsError> {
        let file = self.path(key);
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ParamsError::Io(e)),
        };
        let p = Params::from_bytes_with_coprocessors(&bytes, key.coprocessors.clone())?;
        if (p.block_size(), p.memory_size()) != (key.block_size, key.memory_size) {
            return Err(ParamsError::Stale(format!(
                "the file holds K = {}, memory {} (expected K = {}, memory {})",
                p.block_size(),
                p.memory_size(),
                key.block_size,
                key.memory_size
            )));
        }
        match &key.ptau {
            Some(f) => p.attach_ptau(f).map(Some),
            None if p.uses_powers_of_tau() => Err(ParamsError::Stale(
                "the file holds powers-of-tau generators, transparent ones were asked for".into(),
            )),
            None => Ok(Some(p)),
        }
    }

    /// Stores `params` as the file of `key` (atomically; creates the directory). Returns the
    /// file.
    pub fn store(&self, key: &ParamsKey, params: &Params) -> Result<PathBuf, ParamsError> {
        let file = self.path(key);
        std::fs::create_dir_all(&self.dir)?;
        crate::fs::write_atomic(&file, &params.to_bytes()?)?;
        Ok(file)
    }

    /// [`Self::load`], else [`ParamsKey::setup`] and [`Self::store`] (a failure to store is
    /// logged, not returned). Logs what happens with `tracing`.
    pub fn load_or_setup(&self, key: &ParamsKey) -> Result<Params, ParamsError> {
        self.load_or_setup_with(key, |e| match e {
            CacheEvent::Loaded { file, seconds } => {
                tracing::info!(file = %file.display(), seconds, "loaded parameters")
            }
            CacheEvent::Unusable { file, error } => tracing::warn!(
                file = %file.display(), %error, "cached parameters unusable; regenerating"
            ),
            CacheEvent::Generating { file } => {
                tracing::info!(file = %file.display(), "generating parameters")
            }
            CacheEvent::Generated { seconds } => {
                tracing::info!(seconds, "parameters generated")
            }
            CacheEvent::StoreFailed { file, error } => tracing::warn!(
                file = %file.display(), %error, "cannot cache the parameters"
            ),
        })
    }

    /// [`Self::load_or_setup`], reporting to `report` instead of logging.
    pub fn load_or_setup_with(
        &self,
        key: &ParamsKey,
        mut report: impl FnMut(CacheEvent<'_>),
    ) -> Result<Params, ParamsError> {
        let file = self.path(key);
        let t = Instant::now();
        match self.load(key) {
            Ok(Some(p)) => {
                report(CacheEvent::Loaded {
                    file: &file,
                    seconds: t.elapsed().as_secs_f64(),
                });
                return Ok(p);
            }
            Ok(None) => {}
            Err(error) => report(CacheEvent::Unusable {
                file: &file,
                error: &error,
            }),
        }
        report(CacheEvent::Generating { file: &file });
        let t = Instant::now();
        let params = key.setup()?;
        report(CacheEvent::Generated {
            seconds: t.elapsed().as_secs_f64(),
        });
        if let Err(error) = self.store(key, &params) {
            report(CacheEvent::StoreFailed {
                file: &file,
                error: &error,
            });
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small parameters shared by the tests (K = 1: the cheapest setup).
    fn key() -> ParamsKey {
        ParamsKey::new(1, 1 << 16)
    }

    #[test]
    fn file_names() {
        let k = ParamsKey::new(4, 1 << 24);
        assert_eq!(
            k.file_name(),
            format!("cpu-k4-mem16777216-v{PARAMS_FORMAT_VERSION}.params")
        );
        let p = k.clone().with_ptau("/x.ptau");
        assert_eq!(
            p.file_name(),
            format!("cpu-k4-mem16777216-ptau-v{PARAMS_FORMAT_VERSION}.params")
        );
        let c = ParamsCache::new("/x/y");
        assert_eq!(c.path(&k), Path::new("/x/y").join(k.file_name()));
    }

    /// Round trip, then every kind of bad file: each is an error from `load` (never a panic,
    /// never parameters) and is regenerated by `load_or_setup`.
    #[test]
    fn round_trip_and_bad_files_are_errors_or_regenerated() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ParamsCache::new(dir.path().join("params"));
        let key = key();
        assert!(cache.load(&key).unwrap().is_none(), "no file yet");
        let mut events = Vec::new();
        let p = cache
            .load_or_setup_with(&key, |e| events.push(format!("{e:?}")))
            .unwrap();
        assert!(events[0].starts_with("Generating"), "{events:?}");
        let file = cache.path(&key);
        let good = std::fs::read(&file).unwrap();
        let back = cache.load(&key).unwrap().unwrap();
        assert_eq!(back.digest(), p.digest());
        assert_eq!(back.folding().digest(), p.folding().digest());
        back.folding().check_digest().unwrap();
        assert_eq!((back.block_size(), back.memory_size()), (1, 1 << 16));
        // the same bytes again
        assert_eq!(back.to_bytes().unwrap(), good);

        let bad_files: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("truncated header", good[..20].to_vec()),
            ("truncated", good[..good.len() / 3].to_vec()),
            ("last byte cut", good[..good.len() - 1].to_vec()),
            ("extended", [&good[..], &[0u8]].concat()),
            ("version", {
                let mut b = good.clone();
                b[8] ^= 1;
                b
            }),
            ("header K", {
                let mut b = good.clone();
                b[12] = 2;
                b
            }),
            ("header memory", {
                let mut b = good.clone();
                b[22] ^= 1;
                b
            }),
            ("flipped byte in a key", {
                let mut b = good.clone();
                let at = b.len() / 10;
                b[at] ^= 0x40;
                b
            }),
            ("flipped byte in a shape", {
                let mut b = good.clone();
                let at = b.len() * 3 / 4;
                b[at] ^= 1;
                b
            }),
            ("flipped last byte", {
                let mut b = good.clone();
                *b.last_mut().unwrap() ^= 1;
                b
            }),
        ];
        for (what, bytes) in &bad_files {
            std::fs::write(&file, bytes).unwrap();
            assert!(cache.load(&key).is_err(), "{what}: accepted");
        }
        // a file of another K under this key's name: stale
        let other = ParamsKey::new(2, 1 << 16);
        let p2 = other.setup().unwrap();
        std::fs::write(&file, p2.to_bytes().unwrap()).unwrap();
        let e = cache.load(&key).unwrap_err();
        assert!(e.to_string().contains("K = 2"), "{e}");
        // another memory size: stale
        let p3 = ParamsKey::new(1, 1 << 17).setup().unwrap();
        std::fs::write(&file, p3.to_bytes().unwrap()).unwrap();
        assert!(cache.load(&key).is_err());
        // a file made by a build with other circuits: the stored fingerprint differs
        let mut forged = good.clone();
        let (folding, ctx) = canopy_folding::PublicParams::from_file_bytes(&good[28..]).unwrap();
        let mut ctx = ctx;
        let n = ctx.len();
        ctx[n - 1] ^= 1;
        forged.truncate(28);
        forged.extend_from_slice(&folding.to_file_bytes(&ctx).unwrap());
        std::fs::write(&file, &forged).unwrap();
        let e = cache.load(&key).unwrap_err();
        assert!(matches!(e, ParamsError::Stale(_)), "{e}");
        // the good file again
        std::fs::write(&file, &good).unwrap();
        assert!(cache.load(&key).unwrap().is_some());

        // load_or_setup regenerates a bad file and replaces it
        std::fs::write(&file, &good[..good.len() / 2]).unwrap();
        let mut events = Vec::new();
        let again = cache
            .load_or_setup_with(&key, |e| events.push(format!("{e:?}")))
            .unwrap();
        assert_eq!(again.digest(), p.digest());
        assert!(events[0].starts_with("Unusable"), "{events:?}");
        assert_eq!(std::fs::read(&file).unwrap(), good);
        let mut events = Vec::new();
        cache
            .load_or_setup_with(&key, |e| events.push(format!("{e:?}")))
            .unwrap();
        assert!(events[0].starts_with("Loaded"), "{events:?}");
    }
}
