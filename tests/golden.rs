//! The main job's files, byte for byte: `culturesim run` (the README's
//! first command) writes the same files with the same bytes as when
//! tests/fixtures/default-run.sha256 was written. Restructuring the code
//! (a crate split, a typed output, a moved writer) must leave every output
//! file alone; a change to the model or to a figure changes the digests,
//! and then the fixture is written again on purpose:
//! `CULTURESIM_REGENERATE=1 cargo test --release --test suite golden::`
//! (and the commit says why the bytes moved).
//!
//! What legitimately differs between two runs is normalized before the
//! digest, in manifest.json and in the copy of it inside report.html: the
//! git commit, the command line, the thread count and the wall time.

use assert_cmd::Command;
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/default-run.sha256";

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// `text` with the value after each `key` (written `"key": ` in JSON or
/// `&quot;key&quot;: ` inside the report's HTML) replaced by `*`: a
/// scalar up to the end of its line, an array up to its closing bracket.
fn blank(text: &str, keys: &[&str]) -> String {
    let mut out = text.to_string();
    for key in keys {
        for quote in ["\"", "&quot;"] {
            let needle = format!("{quote}{key}{quote}: ");
            let mut from = 0;
            while let Some(at) = out[from..].find(&needle) {
                let start = from + at + needle.len();
                let rest = &out[start..];
                let len = if rest.starts_with('[') {
                    rest.find(']').expect("a closed array") + 1
                } else {
                    rest.find([',', '\n']).unwrap_or(rest.len())
                };
                out.replace_range(start..start + len, "*");
                from = start + 1;
            }
        }
    }
    out
}

/// The digest of one output file, after normalizing what a rerun changes.
fn digest(dir: &Path, file: &Path) -> String {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    let name = file.to_string_lossy();
    let bytes = if name == "manifest.json" || name == "report.html" {
        let text = String::from_utf8(bytes).unwrap();
        blank(
            &text,
            &["git_commit", "command_line", "threads", "wall_time_seconds"],
        )
        .into_bytes()
    } else {
        bytes
    };
    format!("{:x}", Sha256::digest(&bytes))
}

/// `sha256  path` per file, as the fixture holds them.
fn listing(dir: &Path) -> String {
    files(dir)
        .iter()
        .map(|f| format!("{}  {}\n", digest(dir, f), f.to_string_lossy()))
        .collect()
}

#[test]
fn the_default_run_writes_the_same_files_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let got = listing(&out);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    if std::env::var_os("CULTURESIM_REGENERATE").is_some() {
        std::fs::write(&path, &got).unwrap();
        eprintln!("{FIXTURE} regenerated");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    let changed: Vec<String> = {
        let want: std::collections::BTreeMap<&str, &str> = want
            .lines()
            .filter_map(|l| l.split_once("  ").map(|(d, f)| (f, d)))
            .collect();
        let got: std::collections::BTreeMap<&str, &str> = got
            .lines()
            .filter_map(|l| l.split_once("  ").map(|(d, f)| (f, d)))
            .collect();
        want.keys()
            .chain(got.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|f| want.get(*f) != got.get(*f))
            .map(|f| match (want.contains_key(f), got.contains_key(f)) {
                (true, false) => format!("{f}: no longer written"),
                (false, true) => format!("{f}: new"),
                _ => format!("{f}: other bytes"),
            })
            .collect()
    };
    assert!(
        changed.is_empty(),
        "the default run's files changed:\n  {}\nIf the change is meant (the model or a figure changed), \
         write the fixture again: CULTURESIM_REGENERATE=1 cargo test --release --test suite golden::",
        changed.join("\n  ")
    );
}

#[test]
fn the_normalization_blanks_only_what_a_rerun_changes() {
    let json = "{\n  \"git_commit\": \"abc\",\n  \"seed\": 7,\n  \"command_line\": [\n    \"a\",\n    \"b\"\n  ],\n  \"threads\": 2,\n  \"wall_time_seconds\": 0.5\n}";
    let b = blank(
        json,
        &["git_commit", "command_line", "threads", "wall_time_seconds"],
    );
    assert_eq!(
        b,
        "{\n  \"git_commit\": *,\n  \"seed\": 7,\n  \"command_line\": *,\n  \"threads\": *,\n  \"wall_time_seconds\": *\n}"
    );
    let html = "&quot;threads&quot;: 2,\n&quot;seed&quot;: 7";
    assert_eq!(
        blank(html, &["threads"]),
        "&quot;threads&quot;: *,\n&quot;seed&quot;: 7"
    );
}
