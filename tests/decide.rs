//! Decision support (issue 16) on the real model and the real binary:
//! checkpoint and fork (a continued run equals the uninterrupted one byte
//! for byte, at any thread count; another world, seed or version is
//! refused naming what differs; branches after a fork are paired: they
//! equal the same counterfactual run from scratch), and `timing` (the
//! critical window and its knock-out twin, tidy files, figure, report,
//! precise errors, thread-count invariance).

use crate::common;
use assert_cmd::Command;
use culturesim::decide::fork::run_from;
use culturesim::engine::{RunId, Seeds, run_one};
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

/// A short snow-in-the-sun: one year (the shock and the return, later,
/// switched off), 3 replicates.
const SHORT: [&str; 8] = [
    "--set",
    "duration=\"1y\"",
    "--set",
    "events.4.enabled=false",
    "--set",
    "events.5.enabled=false",
    "--replicates",
    "3",
];

fn run(out: &Path, threads: usize, extra: &[&str]) {
    bin()
        .args([
            "run",
            "snow-in-the-sun",
            "--quiet",
            "--no-plots",
            "--threads",
        ])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .args(SHORT)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn a_continued_run_equals_the_uninterrupted_run_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let (plain, saved, saved1, cont) = (
        d.path().join("plain"),
        d.path().join("saved"),
        d.path().join("saved1"),
        d.path().join("cont"),
    );
    run(&plain, 2, &[]);
    run(&saved, 2, &["--save-state-at", "26w"]);
    run(&saved1, 1, &["--save-state-at", "26w"]);
    let snap = saved.join("snapshot.json");
    run(&cont, 1, &["--from-state", snap.to_str().unwrap()]);
    for f in ["timeseries.csv", "summary.json", "summary.csv", "teams.csv"] {
        let a = std::fs::read(plain.join(f)).unwrap();
        assert!(!a.is_empty(), "{f} is empty");
        assert!(
            a == std::fs::read(saved.join(f)).unwrap(),
            "{f}: saving changed the run"
        );
        assert!(
            a == std::fs::read(cont.join(f)).unwrap(),
            "{f}: the continued run differs"
        );
    }
    // The snapshot itself: the same bytes at 1 and 2 threads, versioned and self-describing.
    let s2 = std::fs::read(&snap).unwrap();
    assert!(s2 == std::fs::read(saved1.join("snapshot.json")).unwrap());
    let v: serde_json::Value = serde_json::from_slice(&s2).unwrap();
    assert_eq!(v["format"], "culturesim-snapshot");
    assert_eq!(v["version"], 1);
    assert_eq!(v["step"], 26);
    assert_eq!(v["runs"].as_array().unwrap().len(), 3);
    for col in ["knowledge", "belief", "mastery", "tenure", "community"] {
        assert_eq!(
            v["runs"][0]["state"]["emp"][col].as_array().unwrap().len(),
            500,
            "{col}"
        );
    }
    assert!(
        v["digest"]
            .as_object()
            .unwrap()
            .contains_key("params.leadership")
    );
}

#[test]
fn a_snapshot_of_another_world_seed_or_version_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let saved = d.path().join("saved");
    run(&saved, 2, &["--save-state-at", "26w"]);
    let snap = saved.join("snapshot.json");
    let snap_s = snap.to_str().unwrap();
    let refuse = |extra: &[&str], wants: &[&str]| {
        let out = d.path().join("x");
        let a = bin()
            .args(["run", "snow-in-the-sun", "--quiet", "--no-plots", "--out"])
            .arg(&out)
            .args(SHORT)
            .args(extra)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for w in wants {
            assert!(err.contains(w), "{extra:?}: '{w}' not in: {err}");
        }
        assert!(!out.join("timeseries.csv").exists(), "nothing half-written");
    };
    refuse(
        &["--from-state", snap_s, "--set", "leadership.turnover=0.3"],
        &["snapshot.json", "params.leadership", "differs"],
    );
    refuse(&["--from-state", snap_s, "--seed", "5"], &["seed differs"]);
    refuse(
        &["--from-state", snap_s, "--set", "replicates=4"],
        &["3 replicates", "asks for 4"],
    );
    let text = std::fs::read_to_string(&snap).unwrap();
    let other = d.path().join("v7.json");
    std::fs::write(&other, text.replacen("\"version\":1,", "\"version\":7,", 1)).unwrap();
    refuse(
        &["--from-state", other.to_str().unwrap()],
        &["v7.json", "snapshot version 7"],
    );
    std::fs::write(&other, "{\"a\":1}").unwrap();
    refuse(
        &["--from-state", other.to_str().unwrap()],
        &["is not a culturesim snapshot"],
    );
    refuse(
        &["--save-state-at", "3y"],
        &["--save-state-at 3y", "after the run's last step"],
    );
    // A fork that changes only the future is accepted.
    let out = d.path().join("fork");
    bin()
        .args(["run", "snow-in-the-sun", "--quiet", "--no-plots", "--out"])
        .arg(&out)
        .args(SHORT)
        .args(["--from-state", snap_s, "--set", "events.3.start=\"10m\""])
        .assert()
        .success();
}

#[test]
fn branches_after_a_fork_are_paired_counterfactuals() {
    // Snow in the sun to 5.5 years; the shock at 5 years.
    let with = common::scenario(&[
        "duration=\"5.5y\"",
        "replicates=2",
        "events.5.enabled=false",
    ]);
    let without = common::scenario(&[
        "duration=\"5.5y\"",
        "replicates=2",
        "events.4.enabled=false",
        "events.5.enabled=false",
    ]);
    let (mw, mo) = (common::model(&with), common::model(&without));
    let at = 250; // before the shock (step 261)
    for replicate in 0..2 {
        let id = RunId {
            point: 0,
            replicate,
        };
        let seeds = Seeds::new(with.seed, id);
        let (_, start) = run_from(&mw, seeds, None, Some(at), Some(at), &|| {});
        let start = start.unwrap();
        assert_eq!(start.step, at);
        // Two identical branches: byte-identical.
        let (a, _) = run_from(&mw, seeds, Some(start.clone()), None, None, &|| {});
        let (b, _) = run_from(&mw, seeds, Some(start.clone()), None, None, &|| {});
        assert!(a.rows == b.rows && a.groups == b.groups);
        // Each branch equals its own run from scratch (the fork changes nothing).
        assert!(a.rows == run_one(&mw, with.seed, id).rows);
        let (c, _) = run_from(&mo, seeds, Some(start), None, None, &|| {});
        let fresh = run_one(&mo, with.seed, id);
        assert!(
            c.rows == fresh.rows,
            "the no-shock branch is the no-shock run"
        );
        // Paired: the branches agree up to the shock, then part.
        let w = a.width;
        let shock = 261usize;
        assert!(a.rows[..(shock + 1) * w] == c.rows[..(shock + 1) * w]);
        assert!(a.rows[(shock + 1) * w..] != c.rows[(shock + 1) * w..]);
        let last = a.len() - 1;
        assert!(
            a.row(last)[0] < c.row(last)[0],
            "the shock costs culture in every run"
        );
    }
}

fn timing(out: &Path, threads: usize, extra: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .args(["timing", "snow-in-the-sun", "--event", "shock", "--quiet"])
        .args(["--replicates", "16", "--threads"])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn timing_finds_the_critical_window_and_its_knock_out_twin_has_none() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("t");
    timing(&out, 2, &["--delays", "0,6,12,24"]).success();
    let rows = csv_rows(&out.join("timing.csv"));
    assert_eq!(rows.len(), 2 + 4);
    let share = |i: usize| rows[i][12].parse::<f64>().unwrap();
    let culture = |i: usize| rows[i][5].parse::<f64>().unwrap();
    assert_eq!(
        (rows[0][0].as_str(), rows[1][0].as_str()),
        ("no_harm", "never")
    );
    // An early remedy restores most runs, a late one far fewer; never
    // remedied is worst.
    assert!(share(2) >= 0.75, "delay 0: {}", share(2));
    assert!(
        share(5) < share(2) - 0.3,
        "24 months {} vs 0 {}",
        share(5),
        share(2)
    );
    assert!(culture(1) < culture(2) - 0.1);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("timing.json")).unwrap()).unwrap();
    let finding = json["finding"].as_str().unwrap();
    assert!(finding.contains("months"), "{finding}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("How long can we wait?") && html.contains(finding));
    for f in ["plots/timing.png", "plots/timing.svg", "timing-runs.csv"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 500, "{f}");
    }
    // Knock-out twin: the same event with an aligned newcomer does no
    // lasting harm, so every delay recovers in most runs.
    let ko = d.path().join("ko");
    timing(
        &ko,
        2,
        &["--delays", "0,6,12,24", "--set", "events.4.alignment=0.9"],
    )
    .success();
    let k = csv_rows(&ko.join("timing.csv"));
    for r in &k[2..] {
        assert!(r[12].parse::<f64>().unwrap() >= 0.75, "knock-out: {r:?}");
    }
}

#[test]
fn timing_pairs_with_the_real_run_and_is_the_same_at_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    timing(&a, 1, &["--delays", "0,12"]).success();
    timing(&b, 2, &["--delays", "0,12"]).success();
    for f in ["timing.csv", "timing-runs.csv", "timing.json"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // The no-harm branch is the real run with the shock and the return switched off.
    let plain = d.path().join("plain");
    bin()
        .args([
            "run",
            "snow-in-the-sun",
            "--quiet",
            "--no-plots",
            "--replicates",
            "16",
        ])
        .args([
            "--set",
            "events.4.enabled=false",
            "--set",
            "events.5.enabled=false",
        ])
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    let ts = csv_rows(&plain.join("timeseries.csv"));
    let finals: Vec<f64> = ts
        .iter()
        .filter(|r| r[2] == "522")
        .map(|r| r[4].parse().unwrap())
        .collect();
    let runs = csv_rows(&a.join("timing-runs.csv"));
    let no_harm: Vec<f64> = runs
        .iter()
        .filter(|r| r[1] == "no_harm")
        .map(|r| r[3].parse().unwrap())
        .collect();
    assert_eq!(finals.len(), 16);
    assert!(finals == no_harm, "{finals:?} vs {no_harm:?}");
}

#[test]
fn timing_errors_name_the_option_and_the_rule() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("e");
    let err = |extra: &[&str], event: &str, wants: &[&str]| {
        let a = bin()
            .args([
                "timing",
                "snow-in-the-sun",
                "--quiet",
                "--event",
                event,
                "--out",
            ])
            .arg(&out)
            .args(extra)
            .assert()
            .code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for w in wants {
            assert!(e.contains(w), "'{w}' not in: {e}");
        }
        assert!(!out.exists(), "nothing written");
    };
    err(
        &[],
        "shok",
        &[
            "--event shok",
            "did you mean 'shock'",
            "leadership, practice",
        ],
    );
    err(
        &[],
        "learnathon",
        &["'learnathon' is a learnathon event", "replace_leader"],
    );
    err(
        &["--delays", "0,6", "--unit", "years"],
        "shock",
        &[
            "delay 6 years",
            "beyond the run's last step 521",
            "longest delay possible is 5.0 years",
        ],
    );
    err(
        &["--delays", "0,x"],
        "shock",
        &["--delays: 'x' is not a number"],
    );
}

fn risk(out: &Path, scenario: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .args(["risk", scenario, "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn the_top_seat_matters_most_and_aligned_successors_carry_no_risk() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    // Snow in the sun: seats change hands at year 5 (the shock's time),
    // horizon 3 years later.
    let short = ["--replicates", "8", "--years", "3"];
    risk(&out, "snow-in-the-sun", &short).success();
    let seats = csv_rows(&out.join("seats.csv"));
    assert_eq!(seats.len(), 96, "every unit and team is a seat");
    assert_eq!(
        seats[0][1], "top",
        "a non-aligned top manager hurts everyone"
    );
    let loss = |r: &Vec<String>| r[5].parse::<f64>().unwrap();
    assert!(loss(&seats[0]) > 0.1, "top seat loss {}", loss(&seats[0]));
    // A team leader's seat costs far less than the top's.
    let team = seats.iter().find(|r| r[3] == "3").unwrap();
    assert!(loss(team) < loss(&seats[0]) / 5.0);
    let named = seats.iter().filter(|r| r[10] == "true").count();
    assert!((1..96).contains(&named), "the 80% seats are a few: {named}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("risk.json")).unwrap()).unwrap();
    let stress = &json["risk"]["stress"];
    assert_eq!(stress["runs"], 8);
    assert!(stress["p5"].as_f64().unwrap() <= stress["p50"].as_f64().unwrap());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Culture at risk") && html.contains("Succession stress test"));
    for f in ["plots/seats.png", "plots/seats.svg", "stress.csv"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 100, "{f}");
    }
    // Knock-out twin: successors as aligned as the incumbents' pool mean
    // leave no seat with a large loss.
    let ko = d.path().join("ko");
    risk(
        &ko,
        "snow-in-the-sun",
        &[&short[..], &["--alignment", "0.9"]].concat(),
    )
    .success();
    let k = csv_rows(&ko.join("seats.csv"));
    assert!(
        loss(&k[0]) < loss(&seats[0]) / 4.0,
        "knock-out top loss {}",
        loss(&k[0])
    );
}

#[test]
fn risk_names_org_chart_seats_by_their_ids() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    risk(
        &out,
        "consultant-org-chart",
        &["--replicates", "4", "--years", "1"],
    )
    .success();
    let seats = csv_rows(&out.join("seats.csv"));
    assert!(!seats.is_empty());
    // A unit is named by its leader's id; a team by its name and its leader's id.
    assert!(
        seats
            .iter()
            .all(|r| r[1].starts_with("p0") || r[1].contains(" (p0")),
        "chart ids: {:?}",
        seats.iter().map(|r| &r[1]).collect::<Vec<_>>()
    );
    assert!(seats.iter().any(|r| r[1].starts_with("p069")));
    let e = risk(&d.path().join("e"), "consultant-org-chart", &["--at", "9y"]).code(2);
    let msg = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        msg.contains("--at is step") && msg.contains("not before the run's end"),
        "{msg}"
    );
}
