//! Atomic output files: write into a temporary file in the destination
//! folder, then rename over the final name. A failure at any point leaves
//! either the old file or nothing, never a half-written one; an unfinished
//! temporary file is deleted when dropped.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A file being written; becomes visible under its name on [`commit`](Self::commit).
pub struct AtomicFile {
    tmp: std::io::BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl AtomicFile {
    /// Start writing `path` (its folder must exist).
    pub fn create(path: &Path) -> Result<Self> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".culturesim-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write in output folder '{}'", dir.display()))?;
        Ok(Self {
            tmp: std::io::BufWriter::new(tmp),
            path: path.to_path_buf(),
        })
    }

    /// Flush, sync and rename into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let tmp = self
            .tmp
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("failed to write '{}'", path.display()))?;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("failed to write '{}'", path.display()))?;
        // Temporary files are private (0600); a finished output is an
        // ordinary file others may read, like any file the user writes.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .with_context(|| format!("failed to write '{}'", path.display()))?;
        }
        tmp.persist(&path).map_err(|e| e.error).with_context(|| {
            format!(
                "failed to move the finished file into place as '{}'",
                path.display()
            )
        })?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)
        .with_context(|| format!("failed to write '{}'", path.display()))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_visible_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"hello").unwrap();
        assert!(!path.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.txt");
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
