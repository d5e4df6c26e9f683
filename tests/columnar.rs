//! `--format parquet` through the real binary: a run's and a sweep's
//! Parquet tables hold exactly the values of their CSV twins (value by
//! value, nulls where a CSV cell is empty), the figures and report come
//! out of a Parquet folder the same, a Parquet sweep round-trips and its
//! shards merge into the unsharded sweep's bytes, and the bad cases (a
//! damaged file, `--resume`, a folder with both formats, shards of two
//! formats) are refused with messages naming the file.

use assert_cmd::Command;
use culturesim::export::columnar;
use culturesim::export::runs::Runs;
use culturesim::export::teams::TeamsFile;
use culturesim::export::timeseries::Timeseries;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

/// A short run of the default scenario (shock and all) into `dir/name`.
fn run(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["run", "-q", "--replicates", "3", "--out"];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(extra);
    bin().args(&args).assert().success();
    out
}

/// Two numbers are the same cell: both undefined (NaN, a null or an empty
/// cell), or the same bits.
fn same_cell(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn same_timeseries(csv: &Timeseries, pq: &Timeseries) {
    assert_eq!(csv.metrics, pq.metrics);
    assert_eq!(csv.has_year, pq.has_year);
    assert_eq!(csv.rows.len(), pq.rows.len());
    for (a, b) in csv.rows.iter().zip(&pq.rows) {
        assert_eq!(
            (a.point, a.replicate, a.step),
            (b.point, b.replicate, b.step)
        );
        assert!(same_cell(a.year, b.year), "year {} vs {}", a.year, b.year);
        for (m, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
            assert!(
                same_cell(*x, *y),
                "line {}: {}: {x} in the CSV, {y} in the Parquet file",
                a.line,
                csv.metrics[m]
            );
        }
    }
}

fn same_teams(csv: &TeamsFile, pq: &TeamsFile) {
    assert_eq!(
        (csv.per_replicate, csv.has_division),
        (pq.per_replicate, pq.has_division)
    );
    assert_eq!(csv.rows.len(), pq.rows.len());
    for (a, b) in csv.rows.iter().zip(&pq.rows) {
        assert_eq!(
            (a.replicate, a.step, &a.division, &a.team),
            (b.replicate, b.step, &b.division, &b.team)
        );
        assert_eq!(a.culture.to_bits(), b.culture.to_bits(), "line {}", a.line);
    }
}

fn same_runs(csv: &Runs, pq: &Runs) -> usize {
    assert_eq!(csv.columns, pq.columns);
    assert_eq!(csv.rows.len(), pq.rows.len());
    let mut nulls = 0;
    for (a, b) in csv.rows.iter().zip(&pq.rows) {
        assert_eq!(
            (a.point, a.replicate, a.steps),
            (b.point, b.replicate, b.steps)
        );
        assert_eq!(a.values, b.values, "line {}", a.line);
        nulls += b.values.iter().filter(|v| v.is_none()).count();
    }
    nulls
}

#[test]
fn a_parquet_run_holds_the_csv_values_and_draws_the_same_figures() {
    let d = tempfile::tempdir().unwrap();
    for per_replicate in [false, true] {
        let extra: &[&str] = match per_replicate {
            true => &["--teams-per-replicate"],
            false => &[],
        };
        let csv = run(d.path(), &format!("csv{per_replicate}"), extra);
        let pq = run(
            d.path(),
            &format!("pq{per_replicate}"),
            &[extra, &["--format", "parquet"]].concat(),
        );
        // Instead of the .csv files, not beside them; the manifest lists them.
        for (stem, _) in [("timeseries", 0), ("teams", 1)] {
            assert!(pq.join(format!("{stem}.parquet")).exists());
            assert!(!pq.join(format!("{stem}.csv")).exists());
        }
        let manifest = std::fs::read_to_string(pq.join("manifest.json")).unwrap();
        assert!(manifest.contains("\"timeseries.parquet\""), "{manifest}");
        assert!(manifest.contains("\"teams.parquet\""), "{manifest}");
        same_timeseries(
            &Timeseries::read(&csv.join("timeseries.csv")).unwrap(),
            &columnar::read_timeseries(&pq.join("timeseries.parquet")).unwrap(),
        );
        let teams = TeamsFile::read(&pq.join("teams.parquet")).unwrap();
        assert_eq!(teams.per_replicate, per_replicate);
        same_teams(&TeamsFile::read(&csv.join("teams.csv")).unwrap(), &teams);
        // The other files are the same bytes; the figures too (drawn from
        // the Parquet tables), and the report is there.
        for f in ["summary.json", "summary.csv", "scenario.toml"] {
            assert_eq!(
                std::fs::read(csv.join(f)).unwrap(),
                std::fs::read(pq.join(f)).unwrap(),
                "{f}"
            );
        }
        let plots = culturesim::export::folder::files_in(&csv.join("plots")).unwrap();
        assert!(plots.len() >= 10, "{plots:?}");
        for p in plots {
            assert_eq!(
                std::fs::read(csv.join("plots").join(&p)).unwrap(),
                std::fs::read(pq.join("plots").join(&p)).unwrap(),
                "plots/{p}"
            );
        }
        let report = std::fs::read_to_string(pq.join("report.html")).unwrap();
        assert!(report.contains("<img") || report.contains("<svg"));
    }
    // `plot DIR` redraws a Parquet folder from its files.
    let pq = d.path().join("pqfalse");
    std::fs::remove_dir_all(pq.join("plots")).unwrap();
    std::fs::remove_file(pq.join("report.html")).unwrap();
    bin()
        .args(["plot", "-q", pq.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(pq.join("plots/culture.svg")).unwrap(),
        std::fs::read(d.path().join("csvfalse/plots/culture.svg")).unwrap()
    );
    assert!(pq.join("report.html").exists());
}

#[test]
fn a_parquet_run_is_the_same_bytes_at_any_thread_count_and_replaces_a_csv_run() {
    let d = tempfile::tempdir().unwrap();
    let one = run(d.path(), "one", &["--format", "parquet", "--threads", "1"]);
    let two = run(d.path(), "two", &["--format", "parquet", "--threads", "2"]);
    for f in ["timeseries.parquet", "teams.parquet"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f}"
        );
    }
    // A CSV run's folder becomes a Parquet run's whole (no CSV table left
    // to mix with), and back.
    let out = run(d.path(), "again", &[]);
    run(d.path(), "again", &["--format", "parquet"]);
    assert!(!out.join("timeseries.csv").exists() && out.join("timeseries.parquet").exists());
    run(d.path(), "again", &[]);
    assert!(out.join("timeseries.csv").exists() && !out.join("timeseries.parquet").exists());
}

#[test]
fn a_damaged_or_doubled_table_is_refused_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let pq = run(d.path(), "pq", &["--format", "parquet", "--no-plots"]);
    let ts = pq.join("timeseries.parquet");
    let bytes = std::fs::read(&ts).unwrap();
    // Cut short (its footer lost), then not Parquet at all.
    for bad in [
        &bytes[..bytes.len() / 2],
        b"point,replicate,step\n".as_slice(),
    ] {
        std::fs::write(&ts, bad).unwrap();
        bin()
            .args(["plot", "-q", pq.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("timeseries.parquet' is not a valid time series")
                    .and(predicate::str::contains("not a readable Parquet file")),
            );
    }
    // A teams table with a column of the wrong type names the column.
    std::fs::write(&ts, &bytes).unwrap();
    let runs = Runs {
        columns: vec!["culture".into()],
        rows: vec![],
    };
    std::fs::write(
        pq.join("teams.parquet"),
        columnar::runs_bytes(&runs).unwrap(),
    )
    .unwrap();
    bin()
        .args(["plot", "-q", pq.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("teams.parquet' is not a valid teams file").and(
                predicate::str::contains("got point,replicate,steps,culture"),
            ),
        );
    // Both formats of one table: which one is the run's is not guessed.
    let csv = run(d.path(), "csv", &["--no-plots"]);
    std::fs::copy(csv.join("teams.csv"), pq.join("teams.csv")).unwrap();
    std::fs::remove_file(pq.join("teams.parquet")).unwrap();
    std::fs::copy(csv.join("timeseries.csv"), pq.join("timeseries.csv")).unwrap();
    bin()
        .args(["plot", "-q", pq.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds both timeseries.csv and timeseries.parquet",
        ));
    // A format the tool does not know.
    bin()
        .args(["run", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: csv, parquet"));
}

const SWEEP: &str = r#"
name = "pq-sweep"
duration = "104w"
replicates = 3
seed = 11

[org]
employees = 120

[[events]]
kind = "replace_leader"
at = "52w"
scope = "top"
alignment = 0.1

[sweep]
design = "grid"
timeseries_every = 8
[sweep.params]
"culture.coupling" = [0.0, 1.0]
"leaders.commitment" = [0.6, 0.9]
"#;

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, SWEEP).unwrap();
    let path = dir.join(out);
    let mut args = vec![
        "sweep",
        "-q",
        scenario.to_str().unwrap(),
        "--out",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bin().args(&args).assert().success();
    path
}

#[test]
fn a_parquet_sweep_round_trips_and_its_shards_merge_into_the_same_bytes() {
    let d = tempfile::tempdir().unwrap();
    let csv = sweep(d.path(), "csv", &[]);
    let pq = sweep(d.path(), "pq", &["--format", "parquet"]);
    assert!(!pq.join("runs.csv").exists() && !pq.join("timeseries.csv").exists());
    let nulls = same_runs(
        &Runs::read(&csv.join("runs.csv")).unwrap(),
        &Runs::read_in(&pq).unwrap(),
    );
    assert!(nulls > 0, "the runs table has undefined cells to compare");
    same_timeseries(
        &Timeseries::read_in(&csv).unwrap(),
        &Timeseries::read_in(&pq).unwrap(),
    );
    // What is derived from the runs is the same bytes.
    for f in ["points.csv", "summary.csv", "summary.json", "table.txt"] {
        if csv.join(f).exists() {
            assert_eq!(
                std::fs::read(csv.join(f)).unwrap(),
                std::fs::read(pq.join(f)).unwrap(),
                "{f}"
            );
        }
    }
    // The manifest's digest is the Parquet file's.
    let m = culturesim::export::manifest::Manifest::read(&pq).unwrap();
    assert_eq!(
        m.runs_sha256.flatten().unwrap(),
        culturesim::sweep::identity::sha256_bytes(&std::fs::read(pq.join("runs.parquet")).unwrap())
    );
    // Shards merge into the unsharded sweep's bytes, as Parquet.
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            sweep(
                d.path(),
                &format!("s{k}"),
                &["--format", "parquet", "--shard", &format!("{k}/2")],
            )
        })
        .collect();
    let merged = d.path().join("merged");
    let mut args = vec!["merge", "-q", "--out", merged.to_str().unwrap()];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    bin().args(&args).assert().success();
    for f in [
        "runs.parquet",
        "timeseries.parquet",
        "summary.csv",
        "points.csv",
    ] {
        assert_eq!(
            std::fs::read(merged.join(f)).unwrap(),
            std::fs::read(pq.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(!merged.join("runs.csv").exists());
    // An edited shard is refused by its digest.
    let runs = shards[1].join("runs.parquet");
    let mut table = Runs::read(&runs).unwrap();
    table.rows[0].values[0] = Some(0.5);
    std::fs::write(&runs, columnar::runs_bytes(&table).unwrap()).unwrap();
    bin()
        .args(&args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "runs.parquet' was changed after the sweep wrote it",
        ));
}

#[test]
fn a_parquet_sweep_refuses_resume_and_shards_of_two_formats() {
    let d = tempfile::tempdir().unwrap();
    let pq = sweep(d.path(), "pq", &["--format", "parquet", "--shard", "1/2"]);
    let before = std::fs::read(pq.join("runs.parquet")).unwrap();
    let scenario = d.path().join("s.toml");
    bin()
        .args([
            "sweep", "-q", "--resume", "--format", "parquet", "--shard", "1/2",
        ])
        .arg(&scenario)
        .arg("--out")
        .arg(&pq)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a Parquet sweep writes runs.parquet whole at its end",
        ));
    // A CSV resume of the Parquet folder: another experiment, named.
    bin()
        .args(["sweep", "-q", "--resume", "--shard", "1/2"])
        .arg(&scenario)
        .arg("--out")
        .arg(&pq)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "format: parquet in the folder, csv now",
        ));
    assert_eq!(std::fs::read(pq.join("runs.parquet")).unwrap(), before);
    // The other shard as CSV: merge refuses the pair.
    let csv = sweep(d.path(), "csv", &["--shard", "2/2"]);
    bin()
        .args(["merge", "-q", "--out"])
        .arg(d.path().join("m"))
        .arg(&pq)
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is a shard of another experiment").and(
                predicate::str::contains("format: parquet in the folder, csv now"),
            ),
        );
}
