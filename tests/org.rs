//! The organization's structure through the real binary and the real model:
//! `culturesim org` (text and JSON), an imported org chart keeping every
//! team with its division in teams.csv, balanced generated trees, deep
//! charts (refused cleanly beyond the depth cap, built and run below it)
//! and `org.levels` near 2^32 (a fast, clear error).

use crate::common;

use assert_cmd::Command;
use std::fmt::Write as _;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

fn scenarios() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
}

/// A chart whose management chain is `depth` people long (the last one
/// manages two people).
fn chain(dir: &Path, depth: usize) -> std::path::PathBuf {
    let mut csv = String::from("id,manager_id\np0,\n");
    for i in 1..depth {
        let _ = writeln!(csv, "p{i},p{}", i - 1);
    }
    let _ = writeln!(csv, "a,p{}\nb,p{}", depth - 1, depth - 1);
    std::fs::write(dir.join("chain.csv"), csv).unwrap();
    let toml = dir.join("chain.toml");
    std::fs::write(
        &toml,
        "name = \"chain\"\nduration = \"3w\"\nreplicates = 1\n[org]\nchart = \"chain.csv\"\n",
    )
    .unwrap();
    toml
}

#[test]
fn org_prints_the_consultant_chart_with_every_team() {
    let out = bin()
        .args(["org", "--format", "json"])
        .arg(scenarios().join("consultant-org-chart.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scenario"], "consultant-org-chart");
    assert_eq!(v["source"], "chart");
    assert_eq!(v["teams"], 11);
    assert_eq!(v["employees"], 80);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), v["units"].as_u64().unwrap() as usize);
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    // The CEO's own team sits right under the top and is its own division.
    let ceo = row("ceo-office");
    assert_eq!(
        (ceo["scope"].as_str(), ceo["depth"].as_u64()),
        (Some("team:ceo-office"), Some(1))
    );
    assert_eq!(
        (ceo["division"].as_str(), ceo["leader"].as_str()),
        (Some("ceo-office"), Some("p001"))
    );
    // The head of services leads three teams; the chart's alignment is shown.
    let head = row("p069");
    assert_eq!(
        (head["teams"].as_u64(), head["headcount"].as_u64()),
        (Some(3), Some(18))
    );
    assert_eq!(
        head["alignment"].as_f64().map(|a| (a * 100.0).round()),
        Some(45.0)
    );
    assert_eq!(row("services-2")["division"], "p069");
    // The text form: one line per unit under a header and a summary line.
    let text = bin()
        .arg("org")
        .arg(scenarios().join("consultant-org-chart.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("consultant-org-chart: 80 positions in 11 teams, 25 units in 4 levels"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2 + 25);
    assert!(text.contains("\n  p069 "), "{text}");
    assert!(text.contains("unit:p069"), "{text}");
}

#[test]
fn an_imported_chart_keeps_every_team_and_its_division_in_teams_csv() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args([
            "run",
            "--quiet",
            "--no-plots",
            "--replicates",
            "2",
            "--steps",
            "20",
            "--out",
        ])
        .arg(dir.path())
        .arg(scenarios().join("consultant-org-chart.toml"))
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("teams.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["step", "division", "team", "culture"]
    );
    let mut teams: Vec<(String, String)> = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[0] == "0" {
            teams.push((r[1].to_string(), r[2].to_string()));
        }
    }
    let names: Vec<&str> = teams.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(
        names,
        [
            "ceo-office",
            "operations-1",
            "operations-2",
            "operations-3",
            "product-1",
            "product-2",
            "product-3",
            "product-4",
            "services-1",
            "services-2",
            "services-3"
        ]
    );
    let divisions: Vec<&str> = teams.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(
        divisions,
        [
            "ceo-office",
            "p002",
            "p002",
            "p002",
            "p027",
            "p027",
            "p027",
            "p027",
            "p069",
            "p069",
            "p069"
        ]
    );
    // The heatmap reads the same divisions: four, not eleven.
    let t = culturesim::plot::data::parse_teams(&csv).unwrap();
    let d = culturesim::plot::teams::divisions(&t);
    assert_eq!(
        d.iter().map(|g| g.2 - g.1).collect::<Vec<_>>(),
        [1, 3, 4, 3]
    );
}

#[test]
fn generated_organizations_are_balanced() {
    // The example: 2,000 people used to give divisions of 125, 125
    // and 9 teams.
    let s = common::scenario(&["org.employees=2000"]);
    let m = common::model(&s);
    let org = m.org();
    let divisions: Vec<u32> = (1..org.units())
        .filter(|&u| org.unit_depth[u] == 1)
        .map(|u| org.unit_teams[u].1 - org.unit_teams[u].0)
        .collect();
    assert_eq!(divisions.len(), 5, "span 5: {divisions:?}");
    let (lo, hi) = (
        divisions.iter().min().unwrap(),
        divisions.iter().max().unwrap(),
    );
    assert!(hi - lo <= 1, "{divisions:?}");
    assert_eq!(divisions.iter().sum::<u32>() as usize, org.teams());
    // Through the binary: the same divisions, and the names the docs use.
    let out = bin()
        .args([
            "org",
            "--depth",
            "1",
            "--set",
            "org.employees=2000",
            "snow-in-the-sun",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for (i, n) in divisions.iter().enumerate() {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("  u{} ", i + 1)))
            .unwrap();
        assert!(line.contains(&format!("unit:u{}", i + 1)), "{line}");
        assert_eq!(
            line.split_whitespace().nth(3).unwrap(),
            n.to_string(),
            "{line}"
        );
    }
}

#[test]
fn a_chart_deeper_than_the_cap_is_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let toml = chain(dir.path(), 20_000);
    let out = bin().arg("validate").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    // p10000 is on line 10002 (header, p0 on line 2).
    assert!(
        err.contains(
            "chain.csv:10002: 'p10000' is at level 10001 of the management chain (the top is level 1); an org chart may be at most 10000 levels deep (10002 people are deeper than that)"
        ),
        "{err}"
    );
    assert!(err.contains("org.chart"), "{err}");
    // `org` and `run` refuse it the same way, without a crash.
    let out = bin().arg("org").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_chart_5000_deep_builds_lists_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let toml = chain(dir.path(), 5_000);
    let out = bin()
        .args(["org", "--format", "json"])
        .arg(&toml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // p0 … p4999: the last manager's unit is the one team, 4,999 below the top.
    assert_eq!(
        (
            v["units"].as_u64(),
            v["teams"].as_u64(),
            v["levels"].as_u64()
        ),
        (Some(5000), Some(1), Some(5000))
    );
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[4999]["name"], "p4999");
    assert_eq!(rows[4999]["depth"], 4999);
    assert_eq!(rows[4999]["headcount"], 2);
    let out_dir = dir.path().join("out");
    bin()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(&out_dir)
        .arg(&toml)
        .assert()
        .success();
    let teams = std::fs::read_to_string(out_dir.join("teams.csv")).unwrap();
    assert!(
        teams.starts_with("step,division,team,culture\n0,p1,p4999,"),
        "{}",
        &teams[..60]
    );
}

#[test]
fn levels_near_two_to_the_32_are_a_fast_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("levels.toml");
    std::fs::write(
        &toml,
        "name = \"levels\"\n[org]\nemployees = 500\nlevels = 4294967295\n",
    )
    .unwrap();
    for cmd in ["validate", "org", "run"] {
        let out = bin().arg(cmd).arg(&toml).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(
                "levels.toml:4:10: org.levels: must be at most 10 for org.employees = 500"
            ),
            "{cmd}: {err}"
        );
        assert!(err.contains("got 4294967295"), "{err}");
    }
    // Nothing was written for the refused run.
    assert!(
        !Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("output/levels")
            .exists()
    );
}
