//! Sweeps through the real binary: common random numbers, resume after a
//! kill -9, shards merged into the unsharded sweep's bytes, bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

const SWEEP: &str = r#"
name = "coupling-sweep"
duration = "104w"
replicates = 4
seed = 5

[org]
employees = 200

[[events]]
kind = "replace_leader"
at = "52w"
scope = "top"
alignment = 0.1

[sweep]
design = "grid"
timeseries_every = 4
baseline = 1
[sweep.params]
"culture.coupling" = [0.0, 1.0]
"leaders.commitment" = [0.6, 0.8, 0.9]
"#;

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

const FILES: [&str; 6] = [
    "runs.csv",
    "timeseries.csv",
    "points.csv",
    "summary.csv",
    "summary.json",
    "scenario.toml",
];

fn same(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs");
    }
}

#[test]
fn grid_writes_points_runs_and_paired_summary() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", SWEEP);
    bin()
        .args(["sweep", "-q", "--out"])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success();
    let o = dir.path().join("o");
    let points = std::fs::read_to_string(o.join("points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 6);
    // The sweep draws its effect figure and writes a report.
    let png = std::fs::read(o.join("plots/effects.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let report = std::fs::read_to_string(o.join("report.html")).unwrap();
    assert!(report.contains("fig-effects") && report.contains("<svg"));
    // Two swept parameters: heatmaps of culture and of the tipped share,
    // and the main-effect tornado, all in the report.
    for fig in ["heatmap", "tipped", "swing"] {
        assert!(report.contains(&format!("fig-{fig}")), "{fig} missing");
        let png = std::fs::read(o.join(format!("plots/{fig}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
    assert!(report.contains("Runs ended in the low-culture basin"));
    assert!(points.starts_with("point,culture.coupling,leaders.commitment\n0,0,0.6\n"));
    let runs = std::fs::read_to_string(o.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 6 * 4);
    let summary = std::fs::read_to_string(o.join("summary.csv")).unwrap();
    // The baseline point's paired difference with itself is exactly 0.
    let line = summary
        .lines()
        .find(|l| l.starts_with("1,culture,"))
        .unwrap();
    assert!(line.ends_with(",4,0,0,0"), "{line}");
    // With the loop off (point 0) the culture ends lower than at the
    // baseline (point 1, same commitment): a paired difference below 0.
    let line = summary
        .lines()
        .find(|l| l.starts_with("0,culture,"))
        .unwrap();
    let diff: f64 = line.split(',').nth(11).unwrap().parse().unwrap();
    assert!(diff < 0.0, "{line}");
    // Each heatmap cell is labelled with its point's mean final culture.
    let heat = std::fs::read_to_string(o.join("plots/heatmap.svg")).unwrap();
    for l in summary.lines().filter(|l| l.contains(",culture,")) {
        let mean: f64 = l.split(',').nth(3).unwrap().parse().unwrap();
        assert!(
            heat.contains(&format!("\n{mean:.2}\n</text>")),
            "no cell for {l}"
        );
    }
}

#[test]
fn common_random_numbers_make_a_point_equal_the_plain_run() {
    // Point 4 has coupling 1.0 and commitment 0.8: set the plain run to the
    // same values; replicate r of both must be the same run.
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", SWEEP);
    bin()
        .args(["sweep", "-q", "--out"])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success();
    bin()
        .args([
            "run",
            "-q",
            "--no-plots",
            "--set",
            "culture.coupling=1.0",
            "--set",
            "leaders.commitment=0.8",
            "--out",
        ])
        .arg(dir.path().join("r"))
        .arg(&f)
        .assert()
        .success();
    let runs = std::fs::read_to_string(dir.path().join("o/runs.csv")).unwrap();
    let ts = std::fs::read_to_string(dir.path().join("r/timeseries.csv")).unwrap();
    for r in 0..4 {
        let sweep_culture = runs
            .lines()
            .find(|l| l.starts_with(&format!("4,{r},")))
            .unwrap()
            .split(',')
            .nth(3)
            .unwrap()
            .to_string();
        let run_culture = ts
            .lines()
            .find(|l| l.starts_with(&format!("0,{r},104,")))
            .unwrap()
            .split(',')
            .nth(4)
            .unwrap()
            .to_string();
        assert_eq!(sweep_culture, run_culture, "replicate {r}");
    }
}

#[test]
fn shards_merge_into_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", SWEEP);
    let d = dir.path();
    bin()
        .args(["sweep", "-q", "--out"])
        .arg(d.join("full"))
        .arg(&f)
        .assert()
        .success();
    for k in 1..=3 {
        bin()
            .args(["sweep", "-q", "--shard", &format!("{k}/3"), "--out"])
            .arg(d.join(format!("s{k}")))
            .arg(&f)
            .assert()
            .success();
    }
    // Two shards are not the whole sweep: merge names the missing one.
    bin()
        .arg("merge")
        .arg(d.join("s1"))
        .arg(d.join("s2"))
        .arg("--out")
        .arg(d.join("part"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(shard 3 of 3 is not finished); run the missing shards",
        ));
    // A shard that stopped midway (a killed or cancelled task) is named too.
    let cut = d.join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    let runs = std::fs::read_to_string(d.join("s3/runs.csv")).unwrap();
    let first_rows: Vec<&str> = runs.lines().take(2).collect();
    write(&cut, "runs.csv.part", &(first_rows.join("\n") + "\n"));
    bin()
        .arg("merge")
        .arg(d.join("s1"))
        .arg(d.join("s2"))
        .arg(&cut)
        .arg("--out")
        .arg(d.join("part"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "'{}' stopped before the end of its shard",
            cut.display()
        )))
        .stderr(predicate::str::contains("shard 3 of 3 is not finished"));
    bin()
        .arg("merge")
        .arg(d.join("s3"))
        .arg(d.join("s1"))
        .arg(d.join("s2"))
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
    same(&d.join("full"), &d.join("merged"));
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Long enough to be caught midway: 8 points x 4 runs of 5,000 employees.
    let text = SWEEP
        .replace("employees = 200", "employees = 5000")
        .replace("steps = 104", "steps = 260")
        .replace("[0.6, 0.8, 0.9]", "[0.6, 0.7, 0.8, 0.9]");
    let f = write(d, "s.toml", &text);
    bin()
        .args(["sweep", "-q", "--threads", "1", "--out"])
        .arg(d.join("full"))
        .arg(&f)
        .assert()
        .success();
    let exe = assert_cmd::cargo::cargo_bin("culturesim");
    let mut child = std::process::Command::new(&exe)
        .args(["sweep", "-q", "--threads", "1", "--out"])
        .arg(d.join("killed"))
        .arg(&f)
        .spawn()
        .unwrap();
    // Wait until a few runs are on disk, then kill -9.
    let part = d.join("killed/runs.csv.part");
    let start = Instant::now();
    let mut killed_midway = false;
    while start.elapsed() < Duration::from_secs(60) {
        let lines = std::fs::read_to_string(&part)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= 4 {
            child.kill().unwrap();
            killed_midway = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait().unwrap();
    assert!(
        killed_midway,
        "the sweep finished before it could be killed"
    );
    assert!(
        !d.join("killed/runs.csv").exists(),
        "nothing final is written by a killed sweep"
    );
    let done = std::fs::read_to_string(&part).unwrap().lines().count() - 1;
    assert!(done < 32, "the kill came after the last run ({done})");
    bin()
        .args(["sweep", "-q", "--resume", "--out"])
        .arg(d.join("killed"))
        .arg(&f)
        .assert()
        .success();
    same(&d.join("full"), &d.join("killed"));
}

#[test]
fn bad_sweeps_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let no_sweep = write(d, "plain.toml", "name = \"plain\"\n");
    bin()
        .arg("sweep")
        .arg(&no_sweep)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no [sweep] section"));
    let f = write(d, "s.toml", SWEEP);
    bin()
        .args(["sweep", "--shard", "4/3"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("1 <= K <= N"));
    let bad = write(
        d,
        "bad.toml",
        &SWEEP.replace(
            "\"culture.coupling\" = [0.0, 1.0]",
            "\"culture.coupling\" = [0.0, 11.0]",
        ),
    );
    bin()
        .arg("sweep")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "culture.coupling: must be in [0, 10], got 11 (at sweep point",
        ));
    let lhs = write(
        d,
        "lhs.toml",
        &SWEEP.replace("design = \"grid\"", "design = \"lhs\""),
    );
    bin()
        .arg("sweep")
        .arg(&lhs)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lhs needs"));
}

#[test]
fn latin_hypercube_design_runs() {
    let dir = tempfile::tempdir().unwrap();
    let text = SWEEP.replace(
        "design = \"grid\"\ntimeseries_every = 4\nbaseline = 1\n[sweep.params]\n\"culture.coupling\" = [0.0, 1.0]\n\"leaders.commitment\" = [0.6, 0.8, 0.9]",
        "design = \"lhs\"\nsamples = 5\n[sweep.params]\n\"culture.coupling\" = { min = 0.0, max = 2.0 }\n\"belief.asymmetry\" = { min = 1.0, max = 4.0 }",
    );
    let f = write(dir.path(), "lhs.toml", &text);
    bin()
        .args(["sweep", "-q", "--out"])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success();
    let points = std::fs::read_to_string(dir.path().join("o/points.csv")).unwrap();
    assert_eq!(points.lines().count(), 6);
    assert!(points.starts_with("point,belief.asymmetry,culture.coupling\n"));
    assert!(!dir.path().join("o/timeseries.csv").exists());
}

#[test]
fn hysteresis_finds_the_bistable_range_of_the_real_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h");
    bin()
        .args([
            "hysteresis",
            "baseline",
            "--param",
            "culture.coupling",
            "--from",
            "0",
            "--to",
            "2",
            "--points",
            "5",
            "--steps",
            "1040",
            "--replicates",
            "4",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "bistable range: culture.coupling in [",
        ));
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("hysteresis.json")).unwrap()).unwrap();
    let [lo, hi] = [
        j["bistable"][0].as_f64().unwrap(),
        j["bistable"][1].as_f64().unwrap(),
    ];
    // Leaders from the pool, leader turnover on: the window opens at the
    // default loop strength and stays open above it (measured [1, 2]).
    assert!(
        lo > 0.5 && lo <= 1.0 && hi >= 1.5,
        "bistable range [{lo}, {hi}]"
    );
    // Below it there is one equilibrium: both starts agree.
    let rows = j["rows"].as_array().unwrap();
    for r in rows {
        let v = r["value"].as_f64().unwrap();
        if v < 0.75 {
            let gap = r["high"].as_f64().unwrap() - r["low"].as_f64().unwrap();
            assert!(gap.abs() < 0.05, "at {v} the branches differ by {gap}");
        }
    }
    for f in ["hysteresis.csv", "hysteresis.png", "hysteresis.svg"] {
        assert!(out.join(f).metadata().unwrap().len() > 100, "{f}");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("fig-hysteresis") && report.contains("Bistable for"));
}

#[test]
fn adaptive_replication_stops_where_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", SWEEP);
    let w = 0.005;
    bin()
        .args([
            "sweep",
            "-q",
            "--ci-width",
            &w.to_string(),
            "--max-replicates",
            "12",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success();
    let summary = std::fs::read_to_string(dir.path().join("o/summary.csv")).unwrap();
    let adaptive: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/adaptive.json")).unwrap())
            .unwrap();
    let capped: Vec<u64> = adaptive["capped_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut grew = 0;
    for l in summary.lines().filter(|l| l.contains(",culture,")) {
        let c: Vec<&str> = l.split(',').collect();
        let (p, n): (u64, u64) = (c[0].parse().unwrap(), c[2].parse().unwrap());
        let half = (c[6].parse::<f64>().unwrap() - c[5].parse::<f64>().unwrap()) / 2.0;
        assert!(
            (4..=12).contains(&n) && n % 4 == 0,
            "point {p}: {n} replicates"
        );
        if n > 4 {
            grew += 1;
        }
        if capped.contains(&p) {
            assert_eq!(n, 12, "a capped point has the maximum");
            assert!(half > w);
        } else {
            assert!(half <= w, "point {p} stopped at {n} with half-width {half}");
        }
    }
    assert!(grew > 0, "some point needed more replicates");
    // Deterministic: the same command gives the same files.
    bin()
        .args([
            "sweep",
            "-q",
            "--ci-width",
            &w.to_string(),
            "--max-replicates",
            "12",
            "--out",
        ])
        .arg(dir.path().join("again"))
        .arg(&f)
        .assert()
        .success();
    same(&dir.path().join("o"), &dir.path().join("again"));
    // Adaptive replication needs the whole sweep: no shards.
    bin()
        .args(["sweep", "--ci-width", "0.01", "--shard", "1/2"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be combined with --shard"));
}

#[test]
fn sensitivity_ranks_the_levers_of_the_real_model() {
    // Morris screening of three levers of the final culture: the loop's
    // coupling must matter far more than formalization (which changes
    // knowledge, not culture).
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
name = "levers"
duration = "260w"
replicates = 2
[org]
employees = 300
[leaders]
top_alignment = 0.9
[[events]]
kind = "learning_practice"
at = "0w"
duration = 104
strength = 0.52
[sweep]
design = "lhs"
samples = 4
[sweep.params]
"culture.coupling" = { min = 0.0, max = 1.5 }
"formalization.rate" = { min = 0.0, max = 2.7 }
"turnover.base" = { min = 0.026, max = 0.157 }
"#;
    let f = write(dir.path(), "levers.toml", text);
    bin()
        .args([
            "sensitivity",
            "--method",
            "morris",
            "--samples",
            "6",
            "--replicates",
            "2",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("1. culture.coupling"));
    let csv = std::fs::read_to_string(dir.path().join("o/sensitivity.csv")).unwrap();
    let mu = |name: &str| -> f64 {
        csv.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split(',')
            .nth(3)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        mu("culture.coupling") > 10.0 * mu("formalization.rate").max(1e-6),
        "{csv}"
    );
    // Every μ* lies inside its bootstrap interval.
    for l in csv.lines().skip(1) {
        let c: Vec<f64> = l.split(',').skip(3).map(|x| x.parse().unwrap()).collect();
        assert!(c[1] <= c[0] && c[0] <= c[2], "{l}");
    }
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(report.contains("fig-sensitivity") && report.contains("of 3 levers"));
}

const SHOCKED: &str = r#"
name = "shocked"
duration = "208w"
replicates = 2
[org]
employees = 200
[leaders]
top_alignment = 0.9
[[events]]
kind = "learning_practice"
at = "0w"
duration = 104
strength = 0.52
[[events]]
kind = "replace_leader"
at = "130w"
scope = "top"
alignment = 0.1
adapt = false
[sweep]
design = "lhs"
samples = 4
[sweep.params]
"events.1.alignment" = { min = 0.0, max = 0.3 }
"formalization.rate" = { min = 0.0, max = 2.7 }
"culture.coupling" = { min = 0.8, max = 1.2 }
"#;

#[test]
fn sobol_indices_of_a_shock_metric_come_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "shocked.toml", SHOCKED);
    bin()
        .args([
            "sensitivity",
            "--method",
            "sobol",
            "--metric",
            "shock_loss",
            "--samples",
            "16",
            "--replicates",
            "2",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("levers").and(predicate::str::contains("ST ")));
    let csv = std::fs::read_to_string(dir.path().join("o/sensitivity.csv")).unwrap();
    assert!(csv.starts_with(
        "factor,min,max,first,first_ci95_lo,first_ci95_hi,total,total_ci95_lo,total_ci95_hi\n"
    ));
    let total = |name: &str| -> Vec<f64> {
        let l = csv.lines().find(|l| l.starts_with(name)).unwrap();
        l.split(',').skip(3).map(|x| x.parse().unwrap()).collect()
    };
    for name in [
        "events.1.alignment",
        "formalization.rate",
        "culture.coupling",
    ] {
        let c = total(name);
        assert!(c[1] <= c[0] && c[0] <= c[2], "{name}: {c:?}");
        assert!(c[4] <= c[3] && c[3] <= c[5], "{name}: {c:?}");
    }
    // How aligned the incoming manager is decides the loss far more than
    // formalization does (formalization keeps knowledge, not culture).
    assert!(
        total("events.1.alignment")[3] > total("formalization.rate")[3] + 0.2,
        "{csv}"
    );
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/sensitivity.json")).unwrap())
            .unwrap();
    assert_eq!(j["metric"], "shock_loss");
    assert!(j["vital_few"]["share"].as_f64().unwrap() >= 0.8);
    // A shock metric of a scenario without a shock is explained, not faked.
    let calm = write(
        dir.path(),
        "calm.toml",
        &SHOCKED
            .replace(
                "[[events]]\nkind = \"replace_leader\"\nat = \"130w\"\nscope = \"top\"\nalignment = 0.1\nadapt = false\n",
                "",
            )
            .replace("\"events.1.alignment\" = { min = 0.0, max = 0.3 }\n", ""),
    );
    bin()
        .args([
            "sensitivity",
            "--metric",
            "asymmetry",
            "--samples",
            "2",
            "--out",
        ])
        .arg(dir.path().join("calm"))
        .arg(&calm)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--metric asymmetry is a shock metric, but",
        ))
        .stderr(predicate::str::contains("has no shock event"));
    bin()
        .args(["sensitivity", "--metric", "nope"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--metric must be one of")
                .and(predicate::str::contains("asymmetry")),
        );
}

#[test]
fn sensitivity_defaults_to_the_models_first_metric() {
    // A March (1991) sweep has no `culture`: without --metric the analysis
    // takes the model's first metric, code knowledge.
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args([
            "sensitivity",
            "march1991-fig1",
            "--samples",
            "3",
            "--replicates",
            "2",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .assert()
        .success()
        .stdout(predicate::str::contains("sensitivity of code_knowledge"));
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/sensitivity.json")).unwrap())
            .unwrap();
    assert_eq!(j["metric"], "code_knowledge");
}
