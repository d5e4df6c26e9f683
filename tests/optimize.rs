//! The programme portfolio (issue 16, part 4) on the real model and the
//! real binary. The behaviour test runs `culturesim optimize
//! consultant-org-chart` at its defaults and its knock-out twin (the same
//! search with the programmes' strength held at 0:
//! tests/fixtures/optimize/no-strength.toml), and checks, with the
//! thresholds stated at each assertion:
//! - the plan as written ends high in under a tenth of 256 fresh runs,
//!   while the search finds a portfolio (the minimum effective dose) that
//!   ends high in at least the target's 70% of fresh runs, with the lower
//!   end of its interval above 60%;
//! - in the twin no portfolio ends high in any run: the chances come from
//!   the programmes' learning (docs/MODEL.md, "Programmes"), not from the
//!   optimizer or the cost model.
//!
//! It then rebuilds the measured answers of docs/DECISIONS.md ("Which
//! programmes pay off", between `optimize-measured` markers; snow-in-the-sun
//! and consultant-org-chart) and fails if they are stale;
//! `CULTURESIM_REGENERATE=1 cargo test --release --test suite optimize::`
//! rewrites them.

use assert_cmd::Command;
use culturesim::decide::optimize::{Options, Study, study};
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/optimize/{name}"))
}

fn run(scenario: PathBuf) -> Study {
    let o = Options {
        scenario,
        threads: Some(2),
        ..Options::default()
    };
    study(&o, &()).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The answer of one study, as docs/DECISIONS.md quotes it.
fn answer(s: &Study) -> String {
    let mut out = format!(
        "`culturesim optimize {}` ({} variables; {} generations of {} portfolios, {} runs each; {} fresh runs per re-evaluated portfolio; seed {}):\n\n",
        s.scenario.name(),
        s.variables.len(),
        s.settings.generations + 1,
        s.settings.population,
        s.replicates,
        s.settings.confirm,
        s.scenario.seed
    );
    for f in &s.findings {
        if !f.starts_with("Decision variables") {
            out.push_str(&format!("- {f}\n"));
        }
    }
    out
}

#[test]
fn the_cheapest_portfolio_reaches_the_target_and_its_knock_out_twin_cannot() {
    let s = run(PathBuf::from("consultant-org-chart"));
    let plan = &s.portfolios[s.written.expect("the plan as written is a candidate")];
    let pc = plan.confirmed.as_ref().unwrap();
    assert_eq!(pc.runs, 256);
    assert!(pc.high < 0.1, "the plan as written: {pc:?}");
    let dose = &s.portfolios[s.dose.expect("a minimum effective dose")];
    let dc = dose.confirmed.as_ref().unwrap();
    assert!(
        dc.high >= 0.7 && dc.high_ci[0] > 0.6,
        "the dose on fresh seeds: {dc:?}"
    );
    assert!(dose.front && dose.feasible);
    // Knock-out twin: the programmes' strength held at 0.
    let twin = run(fixture("no-strength.toml"));
    assert!(twin.dose.is_none());
    let most = twin
        .portfolios
        .iter()
        .map(|p| p.search.high)
        .fold(0.0f64, f64::max);
    assert_eq!(most, 0.0, "the twin ends high in no run");
    let snow = run(PathBuf::from("snow-in-the-sun"));
    let body = format!("{}\n{}", answer(&snow), answer(&s));
    eprintln!("{body}");
    assert!(snow.dose.is_some(), "snow-in-the-sun has a dose");
    crate::docs::measured(
        "docs/DECISIONS.md",
        "optimize-measured",
        &body,
        "portfolio answers",
        "optimize",
    );
}

/// The stated fixture through the binary: `extra` after the common args.
fn optimize(out: &Path, threads: usize, extra: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .arg("optimize")
        .arg(fixture("stated.toml"))
        .args(["--quiet", "--threads"])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn optimize_writes_tidy_files_a_figure_and_a_report_the_same_at_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    optimize(&one, 1, &[]).success();
    optimize(&two, 2, &[]).success();
    for f in [
        "portfolios.csv",
        "front.csv",
        "optimize.json",
        "dose.toml",
        "scenario.toml",
        "plots/optimize.svg",
        "report.html",
    ] {
        let (a, b) = (
            std::fs::read(one.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")),
            std::fs::read(two.join(f)).unwrap(),
        );
        assert!(a.len() > 200, "{f}");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    assert!(
        std::fs::metadata(one.join("plots/optimize.png"))
            .unwrap()
            .len()
            > 10_000
    );
    let mut r = csv::Reader::from_path(one.join("portfolios.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &head[..5],
        [
            "id",
            "generation",
            "events.leadership.duration",
            "events.leadership.strength",
            "events.practice.reach"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    // 3 generations of 8, each portfolio once (duplicates are not re-run).
    assert!(rows.len() > 8 && rows.len() <= 24, "{}", rows.len());
    for row in &rows {
        let reach: f64 = row[4].parse().unwrap();
        assert!((0.5..=1.0).contains(&reach), "{reach}");
        assert!(
            ((reach * 10.0) - (reach * 10.0).round()).abs() < 1e-9,
            "on its grid: {reach}"
        );
        let cost: f64 = row[5].parse().unwrap();
        assert!(cost > 0.0);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("optimize.json")).unwrap()).unwrap();
    let dose = &json["dose"]["values"];
    let toml = std::fs::read_to_string(one.join("dose.toml")).unwrap();
    assert!(toml.contains("name = \"consultant-org-chart-stated\""));
    assert!(dose["events.practice.reach"].as_f64().is_some(), "{json}");
    // The dose's scenario runs, and is the dose (its plan as written is it).
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(html.contains("Programme portfolio"));
    for f in json["findings"].as_array().unwrap() {
        let f = culturesim::plot::report::esc(f.as_str().unwrap());
        assert!(html.contains(&f), "the report lacks: {f}");
    }
    assert!(html.contains("kEUR"), "the cost model's unit");
}

#[test]
fn optimize_errors_name_the_option_and_the_rule() {
    let d = tempfile::tempdir().unwrap();
    for (args, said) in [
        (
            vec!["--target", "2"],
            "--target (or optimize.target): must be a probability in (0, 1], got 2",
        ),
        (vec!["--population", "2"], "--population"),
        (vec!["--budget=-3"], "--budget (or optimize.budget)"),
        (
            vec!["--budget", "10"],
            "no portfolio in the variables' ranges costs that little; the cheapest",
        ),
        (
            vec!["--set", "optimize.cost.leader_week=-1"],
            "optimize.cost.leader_week: must be a finite number >= 0",
        ),
        (
            vec![
                "--set",
                "optimize.variables={\"events.practice.nope\"={min=0,max=1}}",
            ],
            "the decision variables at their min (events.practice.nope=0) make the scenario invalid",
        ),
    ] {
        let out = d.path().join("x");
        let o = optimize(&out, 1, &args).failure().code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    let o = bin()
        .args(["optimize", "march1991-fig1"])
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(
        err.contains("optimize needs the learning-culture model"),
        "{err}"
    );
}
