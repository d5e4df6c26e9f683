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
        "point,replicate,step,year,culture,knowledge,engagement,belief,alignment,teams_high,headcount,leavers,hires,codified,learnathon_participants,practice,support,knowledge_lost,performance"
    );
    // `year` is the step in years (weekly steps), rounded to 6 decimals.
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 32 * 523);
    assert!(rows[0].starts_with("0,0,0,0,"), "{}", rows[0]);
    assert!(rows[52].starts_with("0,0,52,0.996578,"), "{}", rows[52]);
    assert!(rows[520].starts_with("0,0,520,9.965777,"), "{}", rows[520]);
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
    // six data files, plots/ and report.html
    assert_eq!(names.len(), 8, "{names:?}");
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(listed.contains(&"summary.csv"), "{listed:?}");
    // summary.csv: summary.json's numbers, flat, one row per statistic.
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rows = csv.lines();
    assert_eq!(
        rows.next().unwrap(),
        "scope,metric,when,event,step,year,n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95"
    );
    let row = |scope: &str, metric: &str, when: &str| -> Vec<String> {
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        r.records()
            .map(|x| x.unwrap())
            .find(|x| &x[0] == scope && &x[1] == metric && &x[2] == when)
            .unwrap_or_else(|| panic!("no row {scope},{metric},{when}"))
            .iter()
            .map(str::to_string)
            .collect()
    };
    let num = |x: &str| x.parse::<f64>().unwrap();
    let fin = row("organization", "culture", "final");
    assert_eq!(
        (fin[4].as_str(), fin[5].as_str(), fin[6].as_str()),
        ("522", "10.004107", "32")
    );
    assert_eq!(num(&fin[7]), c["mean"].as_f64().unwrap());
    assert_eq!(num(&fin[9]), c["ci95"][0].as_f64().unwrap());
    assert_eq!(num(&fin[10]), c["ci95"][1].as_f64().unwrap());
    let asym = row("organization", "shock.asymmetry", "shock");
    assert_eq!(asym[3], "non-aligned top manager");
    assert_eq!(
        num(&asym[7]),
        summary["shock"]["mean"]["asymmetry"]["mean"]
            .as_f64()
            .unwrap()
    );
    let built = row("organization", "shock.built_share", "shock");
    assert_eq!(
        num(&built[7]),
        summary["shock"]["built_share"].as_f64().unwrap()
    );
    // Every metric has its final row, every event's "before" row is there.
    let metrics = summary["metrics"].as_object().unwrap();
    let finals = csv.lines().filter(|l| l.contains(",final,")).count();
    assert_eq!(finals, metrics.len());
    let before: usize = metrics
        .values()
        .map(|m| m["before_events"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        csv.lines().filter(|l| l.contains(",before_event,")).count(),
        before
    );
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
            "--set events.shok.at=\"30w\": events: must be followed by an index or the id of an entry, got \"shok\"; did you mean \"shock\"?",
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
            "bad.toml:9:6: events[0].at: must be before the end of the run (1.9165 years, step 100), got \"200w\" (step 200)",
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

#[test]
fn teams_per_replicate_writes_one_row_per_replicate_and_the_figures_draw_their_mean() {
    let dir = tempfile::tempdir().unwrap();
    let (mean, per) = (dir.path().join("mean"), dir.path().join("per"));
    let args = ["run", "--quiet", "--replicates", "3", "--steps", "30"];
    bin().args(args).arg("--out").arg(&mean).assert().success();
    bin()
        .args(args)
        .arg("--teams-per-replicate")
        .arg("--out")
        .arg(&per)
        .assert()
        .success();
    let m = std::fs::read_to_string(mean.join("teams.csv")).unwrap();
    let p = std::fs::read_to_string(per.join("teams.csv")).unwrap();
    assert!(
        m.starts_with("step,division,team,culture\n"),
        "{}",
        &m[..60]
    );
    assert!(
        p.starts_with("replicate,step,division,team,culture\n"),
        "{}",
        &p[..60]
    );
    // Three times the rows; each replicate holds the same (step, team) cells.
    let (mrows, prows) = (m.lines().count() - 1, p.lines().count() - 1);
    assert_eq!(prows, 3 * mrows);
    let mut r = csv::Reader::from_reader(p.as_bytes());
    let recs: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    for rep in 0..3 {
        assert_eq!(
            recs.iter().filter(|x| x[0] == *rep.to_string()).count(),
            mrows
        );
    }
    // The mean of the replicates' rows is the default file's value.
    let mut r = csv::Reader::from_reader(m.as_bytes());
    for (i, x) in r.records().enumerate() {
        let x = x.unwrap();
        let cells: Vec<f64> = (0..3)
            .map(|rep| {
                let y = &recs[rep * mrows + i];
                assert_eq!((&y[1], &y[2], &y[3]), (&x[0], &x[1], &x[2]));
                y[4].parse::<f64>().unwrap()
            })
            .collect();
        let mean_of: f64 = cells.iter().sum::<f64>() / 3.0;
        assert!(
            (mean_of - x[3].parse::<f64>().unwrap()).abs() < 2e-6,
            "{x:?}"
        );
    }
    // The other files are the same bytes; the figures draw from either.
    for f in ["timeseries.csv", "summary.json", "summary.csv"] {
        assert_eq!(
            std::fs::read(mean.join(f)).unwrap(),
            std::fs::read(per.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(per.join("plots").join("teams.png").is_file());
    bin()
        .arg("plot")
        .arg(&per)
        .arg("--quiet")
        .assert()
        .success();
}

#[test]
fn completions_load_in_their_shell_and_know_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = bin().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        for word in [
            "hysteresis",
            "sensitivity",
            "completions",
            "teams-per-replicate",
        ] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script is valid and registers a completion for culturesim.
    let script = bin().args(["completions", "bash"]).output().unwrap().stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("culturesim.bash");
    std::fs::write(&file, script).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p culturesim",
            file.display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("culturesim"));
    bin()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_is_roff_with_the_version_and_every_command() {
    let out = bin().arg("man").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let th = text
        .lines()
        .find(|l| l.starts_with(".TH "))
        .expect("a .TH title line");
    assert!(th.starts_with(".TH culturesim 1"), "{th}");
    let long = String::from_utf8(bin().arg("--version").output().unwrap().stdout).unwrap();
    let version = long.trim().trim_start_matches("culturesim ");
    assert!(th.contains(version), "{th} lacks {version}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(text.contains(section), "no {section}");
    }
    for cmd in [
        "run",
        "sweep",
        "hysteresis",
        "sensitivity",
        "serve",
        "bench",
        "man",
    ] {
        assert!(
            text.contains(&format!("culturesim\\-{cmd}(1)")),
            "the man page does not list {cmd}"
        );
    }
}

/// The commit as git reports it for this checkout (None outside one or
/// without git: the build then records "unknown").
fn git_head() -> Option<String> {
    std::process::Command::new("git")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

#[test]
fn version_names_the_git_commit_it_was_built_from() {
    let out = String::from_utf8(bin().arg("--version").output().unwrap().stdout).unwrap();
    let expected = match git_head() {
        Some(c) => format!(
            "culturesim {} (commit {})\n",
            env!("CARGO_PKG_VERSION"),
            &c[..12]
        ),
        None => format!(
            "culturesim {} (commit unknown)\n",
            env!("CARGO_PKG_VERSION")
        ),
    };
    assert_eq!(out, expected);
    // The build script on a folder that is no git checkout: no failure, the
    // commit "unknown", and nothing to watch that does not exist (a missing
    // file would make cargo rebuild the crate on every command).
    let dir = tempfile::tempdir().unwrap();
    let d = crate::build_script::describe(dir.path(), "9.9.9");
    assert_eq!(d.commit, "");
    assert_eq!(d.long_version, "9.9.9 (commit unknown)");
    assert!(d.watch.is_empty(), "{:?}", d.watch);
    // In this checkout (when it is one) it watches HEAD, which exists.
    if let Some(c) = git_head() {
        let d =
            crate::build_script::describe(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), "1");
        assert_eq!(d.commit, c);
        assert!(d.watch.iter().any(|p| p.ends_with("HEAD")), "{:?}", d.watch);
        assert!(d.watch.iter().all(|p| p.is_file()), "{:?}", d.watch);
    }
}

/// `script` runs a command on a pseudo-terminal, where progress bars are
/// drawn. Without it (util-linux) the progress tests cannot run: with `CI`
/// set that fails, locally it says so.
fn on_a_terminal(args: &[String]) -> Option<String> {
    use std::io::Write;
    let found = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        let msg = "no `script` (util-linux) on the PATH, so the progress bars were not tested";
        if std::env::var_os("CI").is_some() {
            panic!("CI is set, so this test must run, not skip: {msg}");
        }
        let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {msg} ***\n");
        return None;
    }
    let cmd: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_culturesim").to_string())
        .chain(args.iter().map(|a| format!("'{a}'")))
        .collect();
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd.join(" "), "/dev/null"])
        .env("COLUMNS", "160")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args:?} failed: {text}");
    Some(text)
}

#[test]
fn every_long_command_shows_a_progress_bar_with_elapsed_time_and_eta() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, &str)> = vec![
        // One large run moves step by step, not 0 → 1.
        (
            s(&[
                "run",
                "--replicates",
                "1",
                "--steps",
                "40",
                "--no-plots",
                "--out",
                &d("run"),
            ]),
            "/40 steps",
        ),
        (
            s(&[
                "bench",
                "--max",
                "1000",
                "--steps",
                "3",
                "--runs",
                "2",
                "--threads",
                "1",
            ]),
            "agent-steps",
        ),
        (
            s(&[
                "sweep",
                "snow-in-the-sun-grid",
                "--set",
                "replicates=1",
                "--out",
                &d("sweep"),
            ]),
            "/25 runs",
        ),
        (
            s(&[
                "hysteresis",
                "snow-in-the-sun",
                "--param",
                "leaders.alignment",
                "--from",
                "0.2",
                "--to",
                "0.8",
                "--points",
                "2",
                "--steps",
                "20",
                "--replicates",
                "1",
                "--out",
                &d("hysteresis"),
            ]),
            "/4 runs",
        ),
        (
            s(&[
                "warning",
                "slow-erosion",
                "--set",
                "org.employees=60",
                "--replicates",
                "2",
                "--out",
                &d("warning"),
            ]),
            " steps",
        ),
        (
            s(&[
                "optimize",
                "consultant-org-chart",
                "--population",
                "4",
                "--generations",
                "1",
                "--replicates",
                "2",
                "--confirm",
                "4",
                "--out",
                &d("optimize"),
            ]),
            " runs",
        ),
        (
            s(&[
                "sensitivity",
                "snow-in-the-sun-levers",
                "--samples",
                "2",
                "--replicates",
                "1",
                "--out",
                &d("sensitivity"),
            ]),
            "evaluations",
        ),
    ];
    for (args, unit) in cases {
        let Some(text) = on_a_terminal(&args) else {
            return;
        };
        assert!(text.contains(unit), "{} shows no '{unit}': {text}", args[0]);
        assert!(
            text.contains(" elapsed, ETA "),
            "{} shows no elapsed time and ETA: {text}",
            args[0]
        );
    }
}

#[test]
fn sweep_columns_name_an_event_by_its_id_whichever_spelling_the_file_uses() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |key: &str, out: &str| -> std::path::PathBuf {
        let file = dir.path().join(format!("{out}.toml"));
        std::fs::write(
            &file,
            format!(
                "extends = \"snow-in-the-sun\"\nname = \"by-id\"\nreplicates = 2\n\
                 [org]\nemployees = 300\n[sweep]\ndesign = \"grid\"\ntimeseries_every = 10\n\
                 [sweep.params]\n\"{key}\" = [0.1, 0.5]\n\"culture.coupling\" = [1.0]\n"
            ),
        )
        .unwrap();
        let o = dir.path().join(out);
        bin()
            .args(["sweep", "-q", "--out"])
            .arg(&o)
            .arg(&file)
            .assert()
            .success();
        o
    };
    let (by_index, by_id) = (
        sweep("events.4.alignment", "index"),
        sweep("events.shock.alignment", "id"),
    );
    let points = std::fs::read_to_string(by_index.join("points.csv")).unwrap();
    assert_eq!(
        points,
        "point,culture.coupling,events.shock.alignment\n0,1,0.1\n1,1,0.5\n"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(by_index.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["points"][1]["params"]["events.shock.alignment"],
        0.5
    );
    // Both spellings are the same experiment: the same bytes.
    for f in [
        "points.csv",
        "runs.csv",
        "summary.csv",
        "summary.json",
        "timeseries.csv",
    ] {
        assert_eq!(
            std::fs::read(by_index.join(f)).unwrap(),
            std::fs::read(by_id.join(f)).unwrap(),
            "{f}"
        );
    }
    // A sweep's time series has the year column too.
    let ts = std::fs::read_to_string(by_id.join("timeseries.csv")).unwrap();
    assert!(
        ts.starts_with("point,replicate,step,year,culture,"),
        "{}",
        &ts[..60]
    );
    assert!(ts.contains("\n0,0,10,0.19165,"), "{}", &ts[..400]);
}
