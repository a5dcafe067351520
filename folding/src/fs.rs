//! The one atomic file write of the workspace: [`write_atomic`].

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a new temporary file in the same directory, synced
/// to disk, then renamed over `path` (and the directory synced where the platform allows). A
/// concurrent reader sees the old file or the new one, never a part; a crash leaves the old
/// file (and at worst a stray temporary file, which the next write does not reuse). The
/// directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-");
    #[cfg(unix)]
    {
        // the permissions `std::fs::write` gives (0o666 less the umask), not a temporary
        // file's owner-only ones: the file is a proof, a key or a cache entry, not a secret
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        // make the rename durable where directories can be synced
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/f"), b"x").is_err());
        // the permissions of a plainly written file
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions(),
            std::fs::metadata(&plain).unwrap().permissions()
        );
    }
}
