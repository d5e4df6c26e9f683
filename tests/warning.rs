//! Early warning of tipping (issue 16, part 5) on the real model and the
//! real binary. The behaviour test runs the bundled slow-erosion scenario
//! (support starved slowly from year 6 to year 12: some runs tip, some
//! hold) and its knock-out twin (the same runs without the cuts), paired by
//! replicate and measured over the same windows, and checks, with the
//! thresholds stated at each assertion:
//! - the ensemble is mixed (at least a fifth of the runs tip, a fifth hold);
//! - the rolling variance of the culture rises before the tip in the runs
//!   that tip (95% interval of the mean τ above +0.3) and not in the twin
//!   (its interval below 0), and the paired difference is large (interval
//!   above +0.5; AUC against the twin above 0.9);
//! - but the variance does not tell the runs that tip from those that hold
//!   (its AUC's interval contains 0.5), and the lag-1 autocorrelation's
//!   rise over the twin is less than half the variance's;
//! - the margin (support minus the mean field's lower edge) does tell
//!   them apart (AUC interval above 0.6), and stays far above zero in
//!   the twin (mean above 0.2; at most one run in twenty dips below).
//!
//! It then rebuilds the measured numbers of docs/DECISIONS.md ("Early
//! warning", between `warning-measured` markers) and fails if they are
//! stale; `CULTURESIM_REGENERATE=1 cargo test --release --test suite
//! warning::` rewrites them.

use assert_cmd::Command;
use culturesim::analysis::stats::Stats;
use culturesim::analysis::warning::Auc;
use culturesim::decide::warning_study::{Options, Study, study};
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

/// Replicates of the behaviour test (the docs quote these runs).
const REPLICATES: u32 = 128;

/// The knock-out twin of slow-erosion: its weekly cuts switched off.
const TWIN: &str = "events.6.enabled=false";

fn ci(s: &Option<Stats>) -> [f64; 3] {
    let s = s.as_ref().expect("measured");
    [s.mean, s.ci95[0], s.ci95[1]]
}

fn t(s: &Option<Stats>) -> String {
    match s {
        Some(s) => format!("{:+.2} [{:+.2}, {:+.2}]", s.mean, s.ci95[0], s.ci95[1]),
        None => "–".into(),
    }
}

fn m(s: &Option<Stats>) -> String {
    match s {
        Some(s) => format!("{:+.3} [{:+.3}, {:+.3}]", s.mean, s.ci95[0], s.ci95[1]),
        None => "–".into(),
    }
}

fn a(x: &Option<Auc>) -> String {
    match x {
        Some(x) => format!("{:.2} [{:.2}, {:.2}]", x.auc, x.ci95[0], x.ci95[1]),
        None => "–".into(),
    }
}

/// The measured block of docs/DECISIONS.md from study `s`.
fn measured(s: &Study) -> String {
    let w = &s.warning;
    let (sc, tw) = (&w.branches[0], &w.branches[1]);
    let pd = w.paired.as_ref().expect("a twin");
    let p = &s.plan;
    let bw = match p.detrend {
        culturesim::analysis::warning::Detrend::Gaussian { bandwidth } => {
            format!("a Gaussian kernel of {bandwidth:.1} steps")
        }
        culturesim::analysis::warning::Detrend::None => "none".into(),
    };
    let mut out = format!(
        "`culturesim warning slow-erosion --replicates {REPLICATES} --twin-set {TWIN}` (seed {}; window {} to {}, {} steps; rolling window {} steps; detrending {bw}; threshold {}; lower edge of the bistable window {:.3}, upper {:.3}):\n\n",
        s.scenario.seed,
        s.year(p.from),
        s.year(p.from + p.window),
        p.window,
        p.rolling,
        p.threshold,
        w.lower_edge.unwrap_or(f64::NAN),
        w.upper_edge.unwrap_or(f64::NAN),
    );
    out.push_str(&format!(
        "| runs | n | τ of the variance (95% CI) | τ of the lag-1 autocorrelation | margin at {} |\n|---|---|---|---|---|\n",
        s.year(p.from + p.window)
    ));
    for (name, g) in [
        ("tipped", &sc.tipped_group),
        ("held", &sc.held_group),
        ("twin (no cuts)", &tw.held_group),
    ] {
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {} |\n",
            g.runs,
            t(&g.tau_variance),
            t(&g.tau_ar1),
            m(&g.margin_end)
        ));
    }
    let tips = sc.tip_steps.expect("runs tipped");
    out.push_str(&format!(
        "\n- {} of {} runs tipped ({:.0}% [{:.0}%, {:.0}%], Wilson), between {} and {} (median {}); none of the twin's.\n",
        sc.tipped,
        sc.tipped + sc.held,
        100.0 * sc.tip_share,
        100.0 * sc.tip_share_ci[0],
        100.0 * sc.tip_share_ci[1],
        s.year(tips[0]),
        s.year(tips[2]),
        s.year(tips[1])
    ));
    out.push_str(&format!(
        "- Tipped against held (AUC, Hanley–McNeil 95%): variance {}, lag-1 autocorrelation {}, margin {}.\n",
        a(&sc.auc_variance),
        a(&sc.auc_ar1),
        a(&sc.auc_margin)
    ));
    out.push_str(&format!(
        "- Scenario minus twin, paired by run: τ of the variance {}, of the lag-1 autocorrelation {}; tipped against the twin (AUC): variance {}, lag-1 autocorrelation {}.\n",
        t(&pd.tau_variance),
        t(&pd.tau_ar1),
        a(&pd.auc_variance),
        a(&pd.auc_ar1)
    ));
    let te = &sc.teams;
    out.push_str(&format!(
        "- Teams ({} tipped, {} held; mean per run, interval over runs): τ of the variance {} in tipped teams, {} in held ones; of the lag-1 autocorrelation {} and {}.\n",
        te.tipped,
        te.held,
        t(&te.tipped_tau_variance),
        t(&te.held_tau_variance),
        t(&te.tipped_tau_ar1),
        t(&te.held_tau_ar1)
    ));
    let r = |f: fn(&culturesim::decide::warning::Sensitivity) -> &Option<Stats>| {
        culturesim::decide::warning::range(&s.sensitivity, f)
            .map_or("–".to_string(), |[lo, hi]| {
                format!("{lo:+.2} to {hi:+.2}")
            })
    };
    out.push_str(&format!(
        "- Sensitivity ({} choices: rolling window 25, 50, 75% × no detrending or a Gaussian of 10, 20, 40% of the window): mean τ of the variance {} (tipped), {} (held), {} (twin); of the lag-1 autocorrelation {} (tipped), {} (held), {} (twin).\n",
        s.sensitivity.len(),
        r(|x| &x.tipped_variance),
        r(|x| &x.held_variance),
        r(|x| &x.twin_variance),
        r(|x| &x.tipped_ar1),
        r(|x| &x.held_ar1),
        r(|x| &x.twin_ar1)
    ));
    out
}

#[test]
fn the_variance_rises_before_the_tip_and_its_knock_out_twin_shows_no_rise() {
    let o = Options {
        scenario: PathBuf::from("slow-erosion"),
        twin: vec![TWIN.into()],
        replicates: Some(REPLICATES),
        threads: Some(2),
        ..Options::default()
    };
    let s = study(&o, &()).unwrap_or_else(|e| panic!("{e:#}"));
    let body = measured(&s);
    eprintln!("{body}");
    let w = &s.warning;
    let (sc, tw) = (&w.branches[0], &w.branches[1]);
    let pd = w.paired.as_ref().unwrap();
    // Monitoring starts at the first cut (year 6); every run is high then.
    assert_eq!(sc.not_high, 0);
    let high = (sc.tipped + sc.held) as f64;
    // A mixed ensemble: at least a fifth tip and a fifth hold.
    assert!(
        sc.tipped as f64 >= 0.2 * high && sc.held as f64 >= 0.2 * high,
        "{} tipped, {} held",
        sc.tipped,
        sc.held
    );
    // The variance rises before the tip in the runs that tip...
    let [_, lo, _] = ci(&sc.tipped_group.tau_variance);
    assert!(
        lo > 0.3,
        "tipped τ of the variance: {}",
        t(&sc.tipped_group.tau_variance)
    );
    // ...and not in the knock-out twin, the same runs over the same windows.
    assert_eq!(pd.twin_tipped, 0, "the twin has no cuts: nothing tips");
    let [_, _, hi] = ci(&pd.twin_tau_variance);
    assert!(
        hi < 0.0,
        "twin τ of the variance: {}",
        t(&pd.twin_tau_variance)
    );
    let [_, lo, _] = ci(&pd.tau_variance);
    assert!(lo > 0.5, "paired difference: {}", t(&pd.tau_variance));
    let auc = pd.auc_variance.unwrap();
    assert!(auc.ci95[0] > 0.9, "tipped vs twin: {}", a(&pd.auc_variance));
    // But it rises as much in the runs that hold: it warns of the erosion,
    // not of which runs will tip.
    let v = sc.auc_variance.unwrap();
    assert!(
        v.ci95[0] < 0.5 && v.ci95[1] > 0.5,
        "tipped vs held: {}",
        a(&sc.auc_variance)
    );
    // The lag-1 autocorrelation, the signature of critical slowing down,
    // gains less than half as much over the twin as the variance does.
    let (dv, da) = (ci(&pd.tau_variance)[0], ci(&pd.tau_ar1)[0]);
    assert!(
        da < dv / 2.0,
        "paired AR1 {} vs variance {}",
        t(&pd.tau_ar1),
        t(&pd.tau_variance)
    );
    // The margin tells the runs that tip from those that hold...
    let mg = sc.auc_margin.unwrap();
    assert!(mg.ci95[0] > 0.6, "margin AUC: {}", a(&sc.auc_margin));
    // ...and the twin's support stays far above the lower edge (mean
    // margin at the window's end above 0.2; at most one run in twenty
    // dips below the edge, briefly, with a leader's succession).
    let [_, lo, _] = ci(&tw.held_group.margin_end);
    assert!(lo > 0.2, "twin margin: {}", m(&tw.held_group.margin_end));
    let below: Vec<(u32, f64)> = s
        .runs
        .twin
        .iter()
        .map(|r| (r.replicate, r.units[0].margin_min))
        .filter(|x| x.1.is_nan() || x.1 <= 0.0)
        .collect();
    assert!(
        below.len() * 20 <= s.runs.twin.len(),
        "twin runs at or below the lower edge: {below:?}"
    );
    assert!(tw.tipped == 0 && tw.lower_edge == w.lower_edge);
    crate::docs::measured(
        "docs/DECISIONS.md",
        "warning-measured",
        &body,
        "early-warning numbers",
        "warning",
    );
}

/// A small slow-erosion through the binary: `args` after the common ones.
fn warning(out: &Path, threads: usize, extra: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .args([
            "warning",
            "slow-erosion",
            "--quiet",
            "--set",
            "org.employees=80",
            "--replicates",
            "4",
            "--threads",
        ])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn warning_writes_tidy_files_a_figure_and_a_report_the_same_at_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    warning(&one, 1, &["--twin-set", TWIN, "--teams"]).success();
    warning(&two, 2, &["--twin-set", TWIN, "--teams"]).success();
    for f in [
        "warning.csv",
        "warning-series.csv",
        "warning-sensitivity.csv",
        "warning.json",
        "plots/warning.svg",
        "plots/warning.png",
        "report.html",
    ] {
        let (a, b) = (
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
        );
        assert!(a.len() > 200, "{f}");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // One row per branch, run and unit (the organization and every team).
    let rows = csv_rows(&one.join("warning.csv"));
    let orgs: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "organization").collect();
    assert_eq!(orgs.len(), 2 * 4);
    let teams = rows.len() / 8 - 1;
    assert!(teams > 3, "{teams} teams");
    for r in &rows {
        assert!(
            ["tipped", "held", "not_high"].contains(&r[3].as_str()),
            "{r:?}"
        );
        assert_eq!(r[6], "313", "the window starts at the first cut: {r:?}");
    }
    // The series: every step of every unit with --teams.
    let series = csv_rows(&one.join("warning-series.csv"));
    assert_eq!(series.len(), 2 * 4 * (teams + 1) * 1045);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("warning.json")).unwrap()).unwrap();
    let findings: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(html.contains("Early warning before tipping"));
    for f in &findings {
        let f = culturesim::plot::report::esc(f);
        assert!(html.contains(&f), "the report lacks: {f}");
    }
    assert!(findings.iter().any(|f| f.contains("knock-out twin")));
}

#[test]
fn warning_errors_name_the_option_and_the_rule() {
    let d = tempfile::tempdir().unwrap();
    for (args, said) in [
        (vec!["--window", "30y"], "beyond the run's end"),
        (vec!["--rolling", "0"], "--rolling must be a percentage"),
        (vec!["--bandwidth", "wide"], "--bandwidth wide:"),
        (
            vec!["--threshold", "2"],
            "--threshold must be a culture level in [0, 1]",
        ),
        (vec!["--from", "25y"], "--from is step"),
        (
            vec!["--twin-set", "org.employees=200"],
            "--twin-set must keep the organization",
        ),
        (vec!["--twin-set", "leaders.nope=1"], "--twin-set:"),
    ] {
        let out = d.path().join("x");
        let o = warning(&out, 1, &args).failure().code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    let o = bin()
        .args(["warning", "march1991-fig1"])
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(
        err.contains("warning needs the learning-culture model"),
        "{err}"
    );
}
