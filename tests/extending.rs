//! A model outside culturesim's source, registered through the public API
//! (examples/harrison_carroll, walked through in docs/EXTENDING.md), gets
//! the whole command line: scenario files and their validation messages,
//! replicates, tidy outputs, figures and a report, sweeps with common
//! random numbers, sensitivity analysis, the JSON Schema and `new`. The
//! tests drive the example's binary, which `cargo test` builds with the
//! suite; the plain `culturesim` binary, which has not registered the
//! model, refuses its scenarios.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "examples/harrison_carroll/scenario.toml";

/// The example's model, compiled into the suite only for its declaration
/// (never registered here: the suite's other tests see the built-in
/// models only).
#[allow(dead_code)]
#[path = "../examples/harrison_carroll/model.rs"]
mod hc;

/// Check (or with `CULTURESIM_REGENERATE` set, rewrite) a block of
/// docs/EXTENDING.md.
fn extending_md(block: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/EXTENDING.md");
    let doc = read(&path);
    let fresh = crate::docs::splice(&doc, block, body);
    if std::env::var_os("CULTURESIM_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    assert!(
        fresh == doc,
        "docs/EXTENDING.md block {block} is not what the example gives; regenerate with \
         CULTURESIM_REGENERATE=1 cargo test --release --test suite extending::\n\n{body}"
    );
}

#[test]
fn extending_md_states_the_parameters_as_declared() {
    extending_md(
        "hc-parameters",
        &culturesim::model::registry::parameter_table(&hc::HarrisonCarroll),
    );
}

/// The example's binary (target/<profile>/examples/harrison_carroll).
fn example() -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/suite-*");
    let path: PathBuf = profile.join("examples").join("harrison_carroll");
    assert!(
        path.is_file(),
        "'{}' is missing: cargo test builds the examples with the suite",
        path.display()
    );
    Command::new(path)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// runs.csv as (point, replicate) -> the value of `column`.
fn run_values(dir: &Path, column: &str) -> std::collections::BTreeMap<(u32, u32), f64> {
    let text = read(&dir.join("runs.csv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == column).unwrap();
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                (c[0].parse().unwrap(), c[1].parse().unwrap()),
                c[col].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_registered_model_runs_into_tidy_files_figures_and_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    example()
        .args(["run", SCENARIO, "--set", "replicates=4", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("enculturation"));
    let ts = read(&out.join("timeseries.csv"));
    assert!(
        ts.starts_with(
            "point,replicate,step,year,enculturation,heterogeneity,headcount,share_enculturated\n"
        ),
        "{}",
        &ts[..120]
    );
    // 4 runs of 121 observations (120 monthly steps and the start).
    assert_eq!(ts.lines().count(), 1 + 4 * 121);
    // The resolved scenario states every parameter in declaration order
    // and validates again as it stands.
    let resolved = read(&out.join("scenario.toml"));
    assert!(
        resolved.contains("[hc]\nmembers = 200\nselection = 0.3\nhire_spread = 0.2\n"),
        "{resolved}"
    );
    example()
        .args(["validate"])
        .arg(out.join("scenario.toml"))
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let mean = summary["metrics"]["enculturation"]["final_step"]["mean"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&mean), "{mean}");
    // The declared figures, and a report that carries the model's text,
    // the final values and the parameter table.
    for f in ["enculturation", "headcount"] {
        for ext in ["svg", "png"] {
            let p = out.join("plots").join(format!("{f}.{ext}"));
            assert!(
                std::fs::metadata(&p).unwrap().len() > 1000,
                "{}",
                p.display()
            );
        }
    }
    let html = read(&out.join("report.html"));
    for needle in [
        "Harrison &amp; Carroll (1991)",
        "At the end of the run",
        "turnover_bias",
        "plots/enculturation.svg",
    ] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
    // `plot` draws the same figures again from the files.
    let before = read(&out.join("plots/enculturation.svg"));
    example().args(["plot"]).arg(&out).assert().success();
    assert_eq!(read(&out.join("plots/enculturation.svg")), before);
}

#[test]
fn a_registered_models_section_is_validated_like_the_built_in_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"bad\"\nmodel = \"harrison-carroll\"\n[hc]\nsocialisation = 0.5\nselection = \"high\"\n",
    )
    .unwrap();
    example()
        .args(["validate"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:4:1: hc.socialisation: is not a known key; did you mean `socialization`?",
        ))
        .stderr(predicate::str::contains(
            "bad.toml:5:13: hc.selection: must be a number, got \"high\" (text)",
        ));
    std::fs::write(
        &bad,
        "name = \"bad\"\nmodel = \"harrison-carroll\"\n[hc]\ndecay = 0.5\n[org]\nemployees = 10\n",
    )
    .unwrap();
    example()
        .args(["validate"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:5:1: org: does not apply to model = \"harrison-carroll\" (it belongs to the learning-culture model; [hc] configures this one)",
        ));
    std::fs::write(
        &bad,
        "name = \"bad\"\nmodel = \"harrison-carroll\"\n[hc]\ndecay = 70\nturnover_bias = 1.5\n",
    )
    .unwrap();
    // Every range problem at once, each at its place.
    example()
        .args(["validate"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:4:9: hc.decay: must be in [0, 10], got 70",
        ))
        .stderr(predicate::str::contains(
            "bad.toml:5:17: hc.turnover_bias: must be in [0, 1], got 1.5",
        ));
    // A rule the model states itself, and an override out of range.
    example()
        .args(["run", SCENARIO, "--set", "hc.selection=0.9", "--no-plots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "hc.hire_spread: must keep hires inside [0, 1]",
        ));
    example()
        .args(["run", SCENARIO, "--set", "hc.turnover=9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set hc.turnover=9: hc.turnover: must be in [0, 5], got 9",
        ));
    // The plain binary has not registered the model.
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["validate", SCENARIO])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "model: must be \"learning-culture\" or \"march1991\", got \"harrison-carroll\"",
        ));
}

#[test]
fn a_registered_model_sweeps_the_same_bytes_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        example()
            .args(["sweep", SCENARIO, "--quiet", "--threads", threads, "--out"])
            .arg(dir)
            .assert()
            .success();
    }
    for f in ["points.csv", "runs.csv", "summary.csv", "summary.json"] {
        assert_eq!(read(&a.join(f)), read(&b.join(f)), "{f} differs");
    }
    // 3 × 2 grid points, 16 replicates each.
    assert_eq!(read(&a.join("runs.csv")).lines().count(), 1 + 6 * 16);
    assert!(a.join("report.html").is_file());
    assert!(a.join("plots/heatmap.svg").is_file());
}

/// Selection by turnover (Harrison & Carroll 1991): when the less
/// enculturated leave sooner, the members who stay are the enculturated
/// ones, so biased turnover raises mean enculturation. Paired replicates
/// (the sweep's common random numbers); knock-out twin: without exits
/// (turnover 0) the bias has nothing to act on and the effect vanishes to
/// the last bit.
#[test]
fn biased_turnover_raises_enculturation_and_vanishes_without_exits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sel");
    example()
        .args([
            "sweep",
            SCENARIO,
            "--quiet",
            "--set",
            "sweep.params={\"hc.turnover_bias\" = [0.0, 1.0], \"hc.turnover\" = [0.0, 0.3]}",
            "--set",
            "replicates=32",
            "--set",
            "duration=\"5y\"",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let points = read(&dir.join("points.csv"));
    // The grid's points: (bias, turnover) per point id.
    let mut ids = std::collections::BTreeMap::new();
    let mut lines = points.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let bias = header
        .iter()
        .position(|h| *h == "hc.turnover_bias")
        .unwrap();
    let rate = header.iter().position(|h| *h == "hc.turnover").unwrap();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let key = (c[bias].to_string(), c[rate].to_string());
        ids.insert(key, c[0].parse::<u32>().unwrap());
    }
    let v = run_values(&dir, "enculturation");
    let diffs = |turnover: &str| -> Vec<f64> {
        let hi = ids[&("1".to_string(), turnover.to_string())];
        let lo = ids[&("0".to_string(), turnover.to_string())];
        (0..32).map(|r| v[&(hi, r)] - v[&(lo, r)]).collect()
    };
    let with_exits = diffs("0.3");
    let n = with_exits.len() as f64;
    let mean = with_exits.iter().sum::<f64>() / n;
    let sd = (with_exits.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = 1.96 * sd / n.sqrt();
    assert!(
        mean - half > 0.01,
        "biased turnover should raise enculturation: {mean:.4} ± {half:.4}"
    );
    let without = diffs("0");
    assert!(
        without.iter().all(|d| *d == 0.0),
        "without exits the bias must do nothing: {without:?}"
    );
    extending_md(
        "hc-selection",
        &format!(
            "raising `turnover_bias` from 0 to 1 raises mean enculturation by\n\
             {mean:.4} (95% CI [{:.4}, {:.4}], 32 paired replicates). Knock-out: with\n\
             `turnover = 0` (no exits) the bias has nothing to act on and the\n\
             difference is exactly 0 in every replicate.\n",
            mean - half,
            mean + half
        ),
    );
}

#[test]
fn a_registered_model_has_sensitivity_schema_and_a_template() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sens");
    example()
        .args([
            "sensitivity",
            SCENARIO,
            "--samples",
            "4",
            "--replicates",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = read(&out.join("sensitivity.csv"));
    assert!(
        csv.contains("hc.growth") && csv.contains("hc.turnover_bias"),
        "{csv}"
    );
    // The schema carries the section, from the one declaration.
    let schema = example().arg("schema").assert().success();
    let schema: serde_json::Value = serde_json::from_slice(&schema.get_output().stdout).unwrap();
    let decay = &schema["properties"]["hc"]["properties"]["decay"];
    assert_eq!(decay["maximum"], 10.0);
    assert_eq!(decay["default"], 0.2);
    // `new --model` writes a scenario with every parameter at its default
    // that validates as written.
    let new = tmp.path().join("mine.toml");
    example()
        .args(["new", "mine", "--model", "harrison-carroll", "--out"])
        .arg(&new)
        .assert()
        .success();
    let text = read(&new);
    assert!(text.contains("model = \"harrison-carroll\""), "{text}");
    assert!(text.contains("\nturnover_bias = 0.8\n"), "{text}");
    example().arg("validate").arg(&new).assert().success();
}
