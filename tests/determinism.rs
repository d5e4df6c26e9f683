//! Same scenario + same seed ⇒ byte-identical outputs at any thread count,
//! through the real binary. Compared: timeseries.csv, summary.json and
//! scenario.toml (manifest.json records the thread count and wall time, so
//! it differs by design).

use assert_cmd::Command;
use std::path::Path;

fn run(out: &Path, threads: usize, extra: &[&str]) {
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--threads", &threads.to_string(), "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn same_outputs(a: &Path, b: &Path) {
    for f in [
        "timeseries.csv",
        "summary.json",
        "scenario.toml",
        "teams.csv",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between thread counts");
    }
}

#[test]
fn replicates_are_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--replicates", "12", "--steps", "300"];
    run(&dir.path().join("t1"), 1, &args);
    run(&dir.path().join("t2"), 2, &args);
    run(&dir.path().join("t5"), 5, &args);
    same_outputs(&dir.path().join("t1"), &dir.path().join("t2"));
    same_outputs(&dir.path().join("t1"), &dir.path().join("t5"));
}

#[test]
fn one_large_run_split_across_teams_is_identical_at_any_thread_count() {
    // 30,000 employees: several parallel blocks of teams within one run, with
    // every event kind of the default scenario plus a community of practice.
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--replicates",
        "1",
        "--steps",
        "120",
        "--set",
        "org.employees=30000",
        "--set",
        "events.6={kind=\"community_of_practice\",at=\"10w\",density=0.5}",
        "--set",
        "events.7={kind=\"reorganization\",at=\"30w\",fraction=0.2}",
        "--set",
        "events.8={kind=\"turnover_wave\",at=\"60w\",fraction=0.2}",
        "--set",
        "events.9={kind=\"budget_cut\",at=\"70w\",scope=\"random:5\",cut=0.5}",
        "--set",
        "events.10={kind=\"replace_leader\",at=\"80w\",scope=\"lowest:3\",alignment=0.1}",
    ];
    run(&dir.path().join("t1"), 1, &args);
    run(&dir.path().join("t2"), 2, &args);
    run(&dir.path().join("t3"), 3, &args);
    same_outputs(&dir.path().join("t1"), &dir.path().join("t2"));
    same_outputs(&dir.path().join("t1"), &dir.path().join("t3"));
}

#[test]
fn sums_over_many_teams_and_leaders_are_identical_at_any_thread_count() {
    // 60,000 employees in teams of about 3: some 20,000 teams and 25,000
    // leaders, so the organization-wide sums and the leader and team updates
    // run in several parallel groups, with leader turnover drawing.
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--replicates",
        "1",
        "--steps",
        "60",
        "--set",
        "org.employees=60000",
        "--set",
        "org.team_size={dist=\"poisson\",mean=3}",
        "--set",
        "leadership.turnover=1.0541",
    ];
    run(&dir.path().join("t1"), 1, &args);
    run(&dir.path().join("t2"), 2, &args);
    run(&dir.path().join("t3"), 3, &args);
    same_outputs(&dir.path().join("t1"), &dir.path().join("t2"));
    same_outputs(&dir.path().join("t1"), &dir.path().join("t3"));
}

#[test]
fn different_seeds_differ() {
    let dir = tempfile::tempdir().unwrap();
    run(
        &dir.path().join("a"),
        2,
        &["--replicates", "2", "--steps", "50", "--seed", "1"],
    );
    run(
        &dir.path().join("b"),
        2,
        &["--replicates", "2", "--steps", "50", "--seed", "2"],
    );
    let x = std::fs::read(dir.path().join("a/timeseries.csv")).unwrap();
    let y = std::fs::read(dir.path().join("b/timeseries.csv")).unwrap();
    assert_ne!(x, y);
}
