//! The `culturesim` binary as a user drives it.

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

#[test]
fn run_with_defaults_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    bin()
        .args(["run", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "snow-in-the-sun: 32 runs of 522 weeks",
        ))
        .stdout(predicate::str::contains("asymmetry"))
        .stdout(predicate::str::contains(out.to_str().unwrap()));
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = ts.lines();
    assert_eq!(
        lines.next().unwrap(),
        "point,replicate,step,culture,knowledge,engagement,belief,alignment,teams_high,headcount,leavers,hires,codified,learnathon_participants,practice,support,knowledge_lost"
    );
    assert_eq!(lines.count(), 32 * 521);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["runs"], 32);
    let c = &summary["metrics"]["culture"]["final_step"];
    assert!(c["ci95"][0].as_f64().unwrap() <= c["mean"].as_f64().unwrap());
    assert_eq!(
        summary["shock"]["event"]["label"],
        "non-aligned top manager"
    );
    assert!(
        summary["shock"]["mean"]["asymmetry"]["mean"]
            .as_f64()
            .unwrap()
            >= 2.0
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 20261128);
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["runs"]["replicates"], "0..32");
    assert_eq!(manifest["steps_run"], 522);
    let resolved = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(
        resolved.contains("[engagement]"),
        "defaults are written out"
    );
    // no temporary files are left behind
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // five data files, plots/ and report.html
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(out.join("report.html").is_file());
    assert_eq!(std::fs::read_dir(out.join("plots")).unwrap().count(), 12);
    let teams = std::fs::read_to_string(out.join("teams.csv")).unwrap();
    assert!(
        teams.starts_with("step,division,team,culture\n0,u1,u1.1.1,0.200000\n"),
        "{}",
        &teams[..80]
    );
}

/// `run`'s stdout and summary.json for `args`.
fn run_json(args: &[&str]) -> (String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin()
        .args(["run", "--no-plots", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    (String::from_utf8(o.stdout).unwrap(), summary)
}

#[test]
fn a_team_leader_shock_prints_the_team_beside_the_organization_and_says_nothing_was_built() {
    // The culture starts at 0.7 and is never built up: no ratio anywhere.
    let (stdout, summary) = run_json(&["scenarios/scope-team-leader.toml", "--replicates", "8"]);
    let not_built = "no culture was built before the shock, so build and loss cannot be compared";
    let header =
        |l: &str| l.trim().starts_with("organization") && l.trim().ends_with("team u1.1.1");
    assert!(stdout.lines().any(header), "{stdout}");
    assert!(
        stdout.contains(&format!("organization: {not_built}.")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("team u1.1.1: {not_built}.")),
        "{stdout}"
    );
    assert!(
        !stdout.contains("asymmetry"),
        "a ratio was printed: {stdout}"
    );
    assert!(!stdout.contains("years to build"), "{stdout}");
    let sh = &summary["shock"];
    assert_eq!(sh["status"], "not_built");
    assert_eq!(sh["note"], not_built);
    assert!(sh["mean"]["asymmetry"].is_null());
    let unit = &sh["unit"];
    assert_eq!(unit["name"], "u1.1.1");
    assert_eq!(unit["kind"], "team");
    assert_eq!(unit["status"], "not_built");
    // The team's own trajectory (every 2 weeks over 312) and its loss: the
    // team melts, the organization barely notices.
    assert_eq!(unit["trajectory"].as_array().unwrap().len(), 157);
    let loss = |v: &serde_json::Value| v["mean"]["loss"]["mean"].as_f64().unwrap();
    assert!(loss(unit) > 0.5, "team loss {}", loss(unit));
    assert!(
        loss(sh) < 0.5 * loss(unit),
        "{} vs {}",
        loss(sh),
        loss(unit)
    );
    assert_eq!(unit["per_run"].as_array().unwrap().len(), 8);
}

#[test]
fn a_division_shock_after_a_build_up_compares_like_for_like_in_both() {
    // The default build-up, the shock on division u1 instead of the top.
    let (stdout, summary) = run_json(&["--replicates", "8", "--set", "events.4.scope=\"unit:u1\""]);
    let header =
        |l: &str| l.trim().starts_with("organization") && l.trim().ends_with("division u1");
    assert!(stdout.lines().any(header), "{stdout}");
    assert!(stdout.contains("asymmetry (like for like)"), "{stdout}");
    assert!(!stdout.contains("no culture was built"), "{stdout}");
    let unit = &summary["shock"]["unit"];
    assert_eq!(unit["status"], "compared");
    let a = unit["mean"]["asymmetry"]["mean"].as_f64().unwrap();
    let b = unit["mean"]["years_to_build"]["mean"].as_f64().unwrap();
    let l = unit["mean"]["years_to_lose"]["mean"].as_f64().unwrap();
    assert!(a > 1.0 && b > l, "division: {a} ({b} vs {l} years)");
}

#[test]
fn set_overrides_any_key_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args([
            "run",
            "--quiet",
            "--replicates",
            "2",
            "--steps",
            "30",
            "--set",
            "culture.coupling=0",
            "--set",
            "org.employees=120",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let resolved = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    assert!(resolved.contains("coupling = 0.0"), "{resolved}");
    assert!(resolved.contains("employees = 120"));
    let ts = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    assert_eq!(ts.lines().count(), 1 + 2 * 31);
    assert!(
        ts.lines().nth(1).unwrap().contains(",120,"),
        "headcount 120"
    );
}

#[test]
fn a_misspelt_scenario_name_gets_a_suggestion_and_the_os_error_once() {
    let out = bin().args(["run", "snow-in-the-son"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean the bundled scenario \"snow-in-the-sun\"? (`culturesim list` shows them all)"),
        "{err}"
    );
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn command_line_mistakes_are_blamed_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "--no-plots",
            "--replicates",
            "0",
            "--set",
            "duration=abc",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--set duration=abc: duration: \"abc\" must be a number with a unit"),
        "{err}"
    );
    assert!(
        !err.contains("snow-in-the-sun.toml:1"),
        "blamed on the file: {err}"
    );
    let out = bin()
        .args(["validate", "snow-in-the-sun"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = bin()
        .args(["run", "--no-plots", "--replicates", "0", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--set replicates=0: replicates: must be at least 1"),
        "{err}"
    );
}

#[test]
fn set_can_name_an_event_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args([
            "run",
            "--quiet",
            "--no-plots",
            "--replicates",
            "2",
            "--steps",
            "60",
        ])
        .args(["--set", "events.shock.at=\"30w\"", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let resolved = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let shock = resolved
        .split("[[events]]")
        .find(|e| e.contains("id = \"shock\""))
        .unwrap();
    assert!(shock.contains("at = \"30w\"\n"), "{shock}");
    bin()
        .args(["run", "--quiet", "--no-plots", "--set", "events.shok.at=\"30w\"", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set events.shok.at=30: events: must be followed by an index or the id of an entry, got \"shok\"; did you mean \"shock\"?",
        ));
}

#[test]
fn missing_scenario_file_is_a_clear_error() {
    bin()
        .args(["run", "no/such/scenario.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "failed to read scenario 'no/such/scenario.toml'",
        ));
}

#[test]
fn invalid_scenario_reports_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(
        &f,
        "name = \"bad\"\nduration = \"100w\"\n[learning]\nrate = -1.3\n[culture]\ncoupling = -1\n[[events]]\nkind = \"replace_leader\"\nat = \"200w\"\nscope = \"unit:nowhere\"\nalignment = 0.1\n",
    )
    .unwrap();
    bin()
        .arg("run")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:4:8: learning.rate: must be a rate per year in [0, 1e6], got -1.3",
        ))
        .stderr(predicate::str::contains(
            "culture.coupling: must be in [0, 10], got -1",
        ))
        .stderr(predicate::str::contains(
            "bad.toml:9:6: events[0].at: must be before the last step (100), got 200",
        ))
        .stderr(predicate::str::contains("bad.toml"));
}

#[test]
fn unknown_key_names_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("typo.toml");
    std::fs::write(&f, "name = \"typo\"\n[belief]\nrate = 0.01\nasymetry = 3\n").unwrap();
    bin()
        .arg("run")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("asymetry"))
        .stderr(predicate::str::contains(
            "typo.toml:4:1: belief.asymetry: is not a known key; did you mean `asymmetry`?",
        ));
}

#[test]
fn unwritable_output_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = blocker.join("out");
    bin()
        .args([
            "run",
            "--quiet",
            "--replicates",
            "2",
            "--steps",
            "20",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot create output folder"))
        .stderr(predicate::str::contains("a-file/out"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a folder");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_threads_is_a_usage_error() {
    bin()
        .args(["run", "--threads", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads"));
}

#[test]
fn bench_prints_the_scaling_series_for_every_kernel() {
    // Tiny sizes: the command's output, not its timings, is under test.
    for kernel in ["auto", "baseline", "scalar"] {
        let out = bin()
            .args(["bench", "--max", "10000", "--steps", "2", "--runs", "8"])
            .args(["--kernel", kernel])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("kernel "), "{out}");
        let rows: Vec<&str> = out
            .lines()
            .filter(|l| l.trim_start().starts_with("1000"))
            .collect();
        assert_eq!(rows.len(), 2, "rows for 1,000 and 10,000 employees: {out}");
        for row in rows {
            let cols: Vec<f64> = row.split_whitespace().map(|c| c.parse().unwrap()).collect();
            assert_eq!(cols.len(), 8, "{row}");
            // agent-steps/s and ns/agent-step describe the same time.
            assert!((cols[4] * cols[5] / 1e9 - 1.0).abs() < 0.02, "{row}");
        }
        assert!(
            out.contains("one run of 10000 employees (best of 3)"),
            "{out}"
        );
        assert!(out.contains("ensemble of 8 default runs"), "{out}");
    }
    bin()
        .args(["bench", "--threads", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--threads, --steps and --runs must be at least 1",
        ));
}
