//! Records the git commit (if any) for the run manifest and `--version`.
fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let short = if commit.is_empty() {
        "unknown".to_string()
    } else {
        commit.chars().take(12).collect()
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=CULTURESIM_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=CULTURESIM_LONG_VERSION={version} (commit {short})");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
