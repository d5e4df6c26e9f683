//! Scenario validation through the real binary: every bad fixture fails
//! with exit code 2 and the message its `#^` lines expect; every good
//! fixture validates and runs; the bundled library matches `scenarios/`.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_fixture_fails_with_its_expected_message() {
    let bad = fixtures("bad");
    assert!(bad.len() >= 25, "only {} bad fixtures", bad.len());
    let mut failures = Vec::new();
    for f in &bad {
        let text = std::fs::read_to_string(f).unwrap();
        let expected: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("#^ ")).collect();
        assert!(!expected.is_empty(), "{} has no #^ line", f.display());
        let out = Command::cargo_bin("culturesim")
            .unwrap()
            .arg("validate")
            .arg(f)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{}: exit {:?}\n{stderr}",
                f.display(),
                out.status.code()
            ));
            continue;
        }
        for e in expected {
            if !stderr.contains(e) {
                failures.push(format!("{}: expected «{e}» in\n{stderr}", f.display()));
            }
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !stderr.contains(&name) {
            failures.push(format!(
                "{}: the message does not name the file:\n{stderr}",
                f.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_good_fixture_validates_and_runs() {
    let good = fixtures("good");
    assert!(good.len() >= 4);
    for f in &good {
        Command::cargo_bin("culturesim")
            .unwrap()
            .arg("validate")
            .arg(f)
            .assert()
            .success();
        let out = tempfile::tempdir().unwrap();
        Command::cargo_bin("culturesim")
            .unwrap()
            .arg("run")
            .arg(f)
            .args([
                "--quiet",
                "--replicates",
                "2",
                "--steps",
                "40",
                "--no-plots",
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success();
    }
}

#[test]
fn the_bundled_library_is_the_scenarios_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut bundled: Vec<String> = culturesim::scenario::bundled::BUNDLED
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    bundled.sort();
    assert_eq!(files, bundled);
    for (name, text) in culturesim::scenario::bundled::BUNDLED {
        let file = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
        assert_eq!(&file, text, "{name} differs from its file");
        assert!(
            text.starts_with("# Question:"),
            "{name} must open with the question it answers"
        );
    }
}

#[test]
fn new_writes_a_template_that_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("client.toml");
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["new", "client", "--out"])
        .arg(&f)
        .assert()
        .success();
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains("name = \"client\""));
    assert!(text.contains("κ: strength of the reinforcing loop"));
    Command::cargo_bin("culturesim")
        .unwrap()
        .arg("validate")
        .arg(&f)
        .assert()
        .success();
    // refuses to overwrite
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["new", "client", "--out"])
        .arg(&f)
        .assert()
        .code(2);
    // a copy of a bundled scenario that extends another is resolved
    let g = dir.path().join("early.toml");
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["new", "early", "--from", "replaced-early", "--out"])
        .arg(&g)
        .assert()
        .success();
    let copy = std::fs::read_to_string(&g).unwrap();
    assert!(!copy.contains("\nextends"), "{copy}");
    assert!(copy.contains("at = \"286w\""), "{copy}");
    Command::cargo_bin("culturesim")
        .unwrap()
        .arg("validate")
        .arg(&g)
        .assert()
        .success();
}

#[test]
fn schema_is_json_schema_of_the_format() {
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
    let props = v["properties"].as_object().unwrap();
    for key in ["name", "steps", "events", "culture", "extends"] {
        assert!(props.contains_key(key), "schema lacks {key}");
    }
    assert_eq!(v["additionalProperties"], serde_json::Value::Bool(false));
}

#[test]
fn list_shows_every_bundled_scenario() {
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .arg("list")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for (name, _) in culturesim::scenario::bundled::BUNDLED {
        assert!(text.contains(name), "{name} missing from list");
    }
}
