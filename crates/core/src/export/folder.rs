//! Output folders as units. A run writes into a staging folder beside its
//! target (`.culturesim-stage-*.tmp`) and swaps it in at the end — on Linux
//! with one atomic `renameat2(RENAME_EXCHANGE)` — so a kill leaves either
//! the old folder or the new one, never a mix. A folder belongs to
//! culturesim when its manifest (or a sweep's identity file) says so; a
//! command replaces only the files it wrote before and refuses, with a
//! message naming them, a folder that holds anything else. Staging folders
//! of killed runs are found by their lock (an `flock` held from before the
//! folder gets its staging name until after it has been swapped in,
//! released by the kernel when its run dies) and removed by the next
//! command that writes in the same place; a live run's staging folder is
//! never removed, however many runs share the parent folder.

use anyhow::{Context, Result, anyhow, bail};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Prefix of every temporary file or folder culturesim creates.
pub const TMP_PREFIX: &str = ".culturesim-";
/// Name of the lock file in a staging or sweep folder.
pub const LOCK: &str = ".culturesim.lock";

/// Files of a folder, as paths relative to it with `/` separators
/// (sorted; culturesim's temporary and lock files left out).
pub fn files_in(dir: &Path) -> Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot read '{}'", dir.display()))?
        {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(TMP_PREFIX) || name == LOCK {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// The files culturesim says it wrote into `dir`: the `files` of its
/// manifest.json, or `None` when neither manifest.json nor identity.json is
/// culturesim's.
fn owned_files(dir: &Path) -> Option<Vec<String>> {
    let read = |name: &str| -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        (v["tool"] == "culturesim").then_some(v)
    };
    let manifest = read("manifest.json");
    let identity = read("identity.json");
    if manifest.is_none() && identity.is_none() {
        return None;
    }
    let mut files: Vec<String> = manifest
        .as_ref()
        .and_then(|m| m["files"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    files.push("manifest.json".into());
    if identity.is_some() {
        files.push("identity.json".into());
    }
    Some(files)
}

/// Check that culturesim may replace the folder `dir`: it does not exist,
/// is empty, or holds only files its manifest lists (or whose names are in
/// `known`, the files this command writes; `plots/` counts as known when
/// `known` holds a `plots/` entry). Returns the files found.
pub fn check_owned(dir: &Path, known: &[&str]) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(vec![]);
    }
    if !dir.is_dir() {
        bail!(
            "output folder '{}' exists and is not a folder; choose another --out",
            dir.display()
        );
    }
    let found = files_in(dir)?;
    if found.is_empty() {
        return Ok(found);
    }
    let Some(listed) = owned_files(dir) else {
        bail!(
            "output folder '{}' holds files culturesim did not write (it has no culturesim manifest.json): {}; choose another --out or empty it",
            dir.display(),
            shorten(&found)
        );
    };
    let plots = known.iter().any(|k| k.ends_with('/'));
    let foreign: Vec<String> = found
        .iter()
        .filter(|f| {
            let ours = listed.iter().any(|l| l == *f)
                || known.contains(&f.as_str())
                || (plots && known.iter().any(|k| k.ends_with('/') && f.starts_with(k)));
            !ours
        })
        .cloned()
        .collect();
    if !foreign.is_empty() {
        bail!(
            "output folder '{}' holds files culturesim did not write: {}; move them away or choose another --out",
            dir.display(),
            shorten(&foreign)
        );
    }
    Ok(found)
}

/// The first few names of a list, for a message.
fn shorten(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(5)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 5 {
        s.push_str(&format!(" and {} more", names.len() - 5));
    }
    s
}

/// An exclusive lock on a folder, held while this process writes there;
/// released when dropped or when the process dies (even by `kill -9`).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Lock `dir` (which must exist); an error when another live process
    /// holds the lock.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot write in '{}'", dir.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(anyhow!(
                "another culturesim process is writing into '{}'; wait for it or choose another --out",
                dir.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(anyhow!("cannot lock '{}': {e}", path.display()))
            }
        }
    }
}

/// Prefix of a staging folder while it is made and locked; renamed to
/// `.culturesim-stage-*.tmp` only once its lock is held, so that a cleaner
/// never sees a live run's staging folder unlocked.
const INIT_PREFIX: &str = ".culturesim-init-";

/// Whether a staging folder (`*.tmp`) is dead: its lock can be taken, or it
/// has none. A live run's staging folder always has its lock held: it is
/// locked before it gets its `.tmp` name and keeps the lock until it has
/// been swapped in (what is left at the `.tmp` name then is the old folder,
/// rightly removed).
fn abandoned(dir: &Path) -> bool {
    match File::options().write(true).open(dir.join(LOCK)) {
        Ok(f) => f.try_lock().is_ok(),
        Err(_) => true,
    }
}

/// Whether `path` was last changed more than a minute ago.
fn older_than_a_minute(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 60)
}

/// Remove what killed commands left in `dir`: staging folders whose run is
/// dead (see `abandoned`; folders still being made are left alone for a
/// minute, which is a million times what making one takes), and (with
/// `files`) temporary files of atomic writes — call that only while holding
/// the folder's [`FolderLock`]. Returns how many entries were removed.
pub fn clean_stale(dir: &Path, files: bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let gone = if name.starts_with(INIT_PREFIX) {
            // A run killed between making its folder and locking it.
            is_dir && older_than_a_minute(&path) && std::fs::remove_dir_all(&path).is_ok()
        } else if !(name.starts_with(TMP_PREFIX) && name.ends_with(".tmp")) {
            false
        } else if is_dir {
            abandoned(&path) && std::fs::remove_dir_all(&path).is_ok()
        } else {
            files && std::fs::remove_file(&path).is_ok()
        };
        removed += usize::from(gone);
    }
    removed
}

/// A run's output being written into a staging folder beside `target`.
#[derive(Debug)]
pub struct Staged {
    stage: PathBuf,
    target: PathBuf,
    known: &'static [&'static str],
    lock: Option<FolderLock>,
    committed: bool,
}

impl Staged {
    /// Check that `target` may be replaced (see [`check_owned`]), remove
    /// dead staging folders beside it, and start a new one.
    pub fn begin(target: &Path, known: &'static [&'static str]) -> Result<Self> {
        check_owned(target, known)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create output folder '{}'", target.display()))?;
        clean_stale(&parent, false);
        // Made under a name no cleaner removes while young, locked, then
        // given its staging name.
        let init = tempfile::Builder::new()
            .prefix(INIT_PREFIX)
            .tempdir_in(&parent)
            .with_context(|| format!("cannot write in '{}'", parent.display()))?
            .keep();
        let lock = FolderLock::acquire(&init)?;
        let stage = init.with_file_name(format!(
            ".culturesim-stage-{}.tmp",
            &init.file_name().unwrap_or_default().to_string_lossy()[INIT_PREFIX.len()..]
        ));
        std::fs::rename(&init, &stage)
            .with_context(|| format!("cannot write in '{}'", parent.display()))?;
        Ok(Self {
            stage,
            target: target.to_path_buf(),
            known,
            lock: Some(lock),
            committed: false,
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.stage
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// `e` with the staging folder's name replaced by the final folder's,
    /// so that a message names the file the user will look for (e.g. a
    /// full disk while writing `out/plots/culture.png`).
    pub fn explain(&self, e: anyhow::Error) -> anyhow::Error {
        let text = format!("{e:#}");
        let stage = self.stage.display().to_string();
        if text.contains(&stage) {
            anyhow!(text.replace(&stage, &self.target.display().to_string()))
        } else {
            e
        }
    }

    /// Swap the staging folder in as the target. The old folder (if any)
    /// is removed after the swap.
    pub fn commit(mut self) -> Result<()> {
        // The target must still be culturesim's (nothing foreign appeared
        // while the run ran).
        check_owned(&self.target, self.known)
            .context("the output folder changed while the run ran")?;
        // The lock is held through the swap (a cleaner never takes a
        // finished run's folder for a dead one), then its file goes.
        swap(&self.stage, &self.target).with_context(|| {
            format!(
                "cannot move the finished outputs into '{}' (they are in '{}')",
                self.target.display(),
                self.stage.display()
            )
        })?;
        let _ = std::fs::remove_file(self.target.join(LOCK));
        self.lock = None;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.stage);
        }
    }
}

/// Every file `culturesim run` (and `plot DIR`) may write into a run folder.
pub const RUN_FILES: &[&str] = &[
    "timeseries.csv",
    "timeseries.parquet",
    "summary.json",
    "summary.csv",
    "scenario.toml",
    "teams.csv",
    "teams.parquet",
    "manifest.json",
    "org-chart.csv",
    "snapshot.json",
    "report.html",
    "plots/",
];

/// Put `stage` at `target`'s place; whatever was at `target` is removed.
fn swap(stage: &Path, target: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(stage, target);
    }
    #[cfg(target_os = "linux")]
    if exchange(stage, target).is_ok() {
        // `stage` now holds the old folder: removed here, or by a cleaner
        // that found it first (it has no lock), or by the next run.
        let _ = std::fs::remove_dir_all(stage);
        return Ok(());
    }
    // Elsewhere (or on a file system without RENAME_EXCHANGE): two renames;
    // a kill between them leaves the old folder under a temporary name
    // (removed by the next run) and no mix.
    let parent = target.parent().unwrap_or(Path::new("."));
    let old = tempfile::Builder::new()
        .prefix(".culturesim-old-")
        .suffix(".tmp")
        .tempdir_in(parent)?
        .keep();
    std::fs::remove_dir(&old)?;
    std::fs::rename(target, &old)?;
    std::fs::rename(stage, target)?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Atomically exchange two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths that live
    // across the call; renameat2 does not keep them.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, files: &[&str]) {
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::json!({"tool": "culturesim", "files": files}).to_string(),
        )
        .unwrap();
    }

    #[test]
    fn a_staged_folder_replaces_the_old_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir_all(target.join("plots")).unwrap();
        std::fs::write(target.join("plots/shock.png"), b"old").unwrap();
        std::fs::write(target.join("summary.json"), b"old").unwrap();
        manifest(&target, &["summary.json", "plots/shock.png"]);
        let s = Staged::begin(&target, RUN_FILES).unwrap();
        std::fs::write(s.path().join("summary.json"), b"new").unwrap();
        manifest(s.path(), &["summary.json"]);
        s.commit().unwrap();
        assert_eq!(std::fs::read(target.join("summary.json")).unwrap(), b"new");
        // The old run's plot is gone with the old folder.
        assert!(!target.join("plots/shock.png").exists());
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only 'out' is left: {left:?}");
        assert_eq!(
            files_in(&target).unwrap(),
            ["manifest.json", "summary.json"]
        );
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("notes.txt"), b"mine").unwrap();
        let e = Staged::begin(&target, RUN_FILES).unwrap_err().to_string();
        assert!(
            e.contains("did not write") && e.contains("'notes.txt'"),
            "{e}"
        );
        manifest(&target, &["summary.json"]);
        let e = Staged::begin(&target, RUN_FILES).unwrap_err().to_string();
        assert!(e.contains("'notes.txt'"), "{e}");
        assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"mine");
    }

    #[test]
    fn dead_staging_folders_are_removed_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let dead = root.path().join(".culturesim-stage-dead.tmp");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(LOCK), b"").unwrap();
        std::fs::write(dead.join("timeseries.csv"), b"half").unwrap();
        let live = Staged::begin(&root.path().join("a"), RUN_FILES).unwrap();
        assert!(
            !dead.exists(),
            "a staging folder without a live lock is removed"
        );
        let _other = Staged::begin(&root.path().join("b"), RUN_FILES).unwrap();
        assert!(live.path().exists(), "a live run's staging folder is kept");
    }

    /// The race of issue 20: runs committing into one parent while another
    /// cleans it without pause. Every run's staging folder survives until
    /// it is swapped in, and nothing is left behind.
    #[test]
    fn cleaning_never_takes_a_live_runs_staging_folder() {
        let root = tempfile::tempdir().unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let cleaner = scope.spawn(|| {
                let mut passes = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    clean_stale(root.path(), false);
                    passes += 1;
                }
                passes
            });
            for i in 0..300 {
                let target = root.path().join(format!("r{}", i % 3));
                let s = Staged::begin(&target, RUN_FILES).unwrap();
                std::fs::write(s.path().join("summary.json"), i.to_string()).unwrap();
                manifest(s.path(), &["summary.json"]);
                s.commit()
                    .unwrap_or_else(|e| panic!("commit {i} failed under cleaning: {e:#}"));
                assert_eq!(
                    std::fs::read_to_string(target.join("summary.json")).unwrap(),
                    i.to_string()
                );
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            assert!(cleaner.join().unwrap() > 0);
        });
        clean_stale(root.path(), false);
        let mut left: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(left, ["r0", "r1", "r2"]);
        for r in &left {
            assert_eq!(
                files_in(&root.path().join(r)).unwrap(),
                ["manifest.json", "summary.json"]
            );
            assert!(!root.path().join(r).join(LOCK).exists());
        }
    }

    #[test]
    fn a_folder_being_made_is_left_alone_until_it_is_old() {
        let root = tempfile::tempdir().unwrap();
        let young = root.path().join(format!("{INIT_PREFIX}young"));
        std::fs::create_dir(&young).unwrap();
        assert_eq!(clean_stale(root.path(), false), 0);
        assert!(young.exists());
        // Without a lock, a staging folder is dead at once.
        let bare = root.path().join(".culturesim-stage-bare.tmp");
        std::fs::create_dir(&bare).unwrap();
        assert_eq!(clean_stale(root.path(), false), 1);
        assert!(!bare.exists());
    }

    #[test]
    fn a_folder_lock_excludes_a_second_writer() {
        let root = tempfile::tempdir().unwrap();
        let first = FolderLock::acquire(root.path()).unwrap();
        let e = FolderLock::acquire(root.path()).unwrap_err().to_string();
        assert!(e.contains("another culturesim process"), "{e}");
        drop(first);
        FolderLock::acquire(root.path()).unwrap();
    }
}
