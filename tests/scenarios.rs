//! Every bundled scenario parses, validates and runs (shortened: 2
//! replicates of 30 steps; events later than that simply do not happen).

use assert_cmd::Command;

#[test]
fn every_bundled_scenario_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        n += 1;
        let out = tempfile::tempdir().unwrap();
        Command::cargo_bin("culturesim")
            .unwrap()
            .arg("run")
            .arg(&path)
            .args([
                "--quiet",
                "--replicates",
                "2",
                "--steps",
                "30",
                "--no-plots",
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success();
        let ts = std::fs::read_to_string(out.path().join("timeseries.csv")).unwrap();
        assert!(ts.lines().count() > 2, "{} wrote no rows", path.display());
    }
    assert!(n >= 1, "no scenarios found in {}", dir.display());
}

#[test]
fn the_embedded_default_is_the_bundled_file() {
    let file = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/snow-in-the-sun.toml"),
    )
    .unwrap();
    assert_eq!(file, culturesim::scenario::DEFAULT_SCENARIO);
}
