//! Records the git commit (if any) for the run manifest and `--version`.
//! Without git, or outside a git checkout (a release tarball), the commit
//! is "unknown" and the build goes on; the script then reruns only when it
//! changes itself, so a checkout without `.git` does not rebuild the crate
//! on every `cargo` command. In a checkout (or a `git worktree`, whose
//! `.git` is a file) it reruns when HEAD or the branch it names moves.
//! `tests/cli.rs` runs [`describe`] on a folder without git.

use std::path::{Path, PathBuf};

/// What the build records about the checkout at `dir`.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// The full commit id ("" outside a git checkout).
    pub commit: String,
    /// `VERSION (commit SHORT)`, SHORT being 12 hex digits or `unknown`.
    pub long_version: String,
    /// Files whose change must rerun the script (existing files only: a
    /// missing one would make cargo rerun it every time).
    pub watch: Vec<PathBuf>,
}

/// Ask git (if installed) about the checkout at `dir`.
pub fn describe(dir: &Path, version: &str) -> Described {
    let git = |args: &[&str]| -> Option<String> {
        std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    let short = if commit.is_empty() {
        "unknown".to_string()
    } else {
        commit.chars().take(12).collect()
    };
    let mut watch = Vec::new();
    let path = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { dir.join(p) }
    };
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]).map(path) {
        watch.push(git_dir.join("HEAD"));
        if let Some(common) = git(&["rev-parse", "--git-common-dir"]).map(path) {
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watch.push(common.join(branch));
            }
            watch.push(common.join("packed-refs"));
        }
    }
    watch.retain(|p| p.is_file());
    Described {
        long_version: format!("{version} (commit {short})"),
        commit,
        watch,
    }
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let d = describe(Path::new("."), &version);
    println!("cargo:rustc-env=CULTURESIM_GIT_COMMIT={}", d.commit);
    println!("cargo:rustc-env=CULTURESIM_LONG_VERSION={}", d.long_version);
    println!("cargo:rerun-if-changed=build.rs");
    for p in &d.watch {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
