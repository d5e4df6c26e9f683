//! The files of a sweep and how they are built: rows are appended to
//! `runs.csv.part` (and `timeseries.csv.part`) as runs finish, in run
//! order; `finish` turns the parts into `runs.csv` / `timeseries.csv` and
//! derives `points.csv`, `summary.csv` and `summary.json` from the rows
//! alone — so a resumed sweep and merged shards end with the same bytes as
//! an uninterrupted sweep.
//!
//! Each finished file has one type that writes it and reads it back:
//! [`Points`] (points.csv), [`Runs`] (runs.csv), [`PointStats`]
//! (summary.csv) and [`SweepSummary`] (summary.json); the sweep's
//! timeseries.csv is a [`crate::export::timeseries::Timeseries`].

use super::design::Design;
use crate::analysis::shock::shock_metrics;
use crate::analysis::stats::Stats;
use crate::analysis::summary::rate_window;
use crate::engine::RunOutput;
use crate::export::atomic;
use crate::export::timeseries::format_value;
use crate::export::{CsvText, ReadError};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Columns of runs.csv after point, replicate and steps: each metric at the
/// last step, then the shock metrics of the culture (empty when undefined;
/// times in steps, like the `steps` column; `shock_built` is 1 when culture
/// was built before the shock, and `asymmetry` — the like-for-like ratio —
/// and `asymmetry_rate` are empty when it was not), then `tipped`: 1 if
/// fewer than half of the teams ended above the high-culture threshold (the
/// run ended in the low-culture basin); its mean in summary.csv is the share
/// of runs that tipped.
pub fn run_columns(metrics: &[&str]) -> Vec<String> {
    let mut c: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
    for s in [
        "shock_pre",
        "shock_trough",
        "shock_loss",
        "shock_rise",
        "shock_built",
        "steps_to_half_loss",
        "steps_to_recover",
        "steps_to_build",
        "steps_to_lose",
        "asymmetry",
        "asymmetry_rate",
        "tipped",
    ] {
        c.push(s.to_string());
    }
    c
}

/// Share of teams above the high-culture threshold below which a run
/// counts as `tipped`: it ended in the low-culture basin.
pub const TIPPED_BELOW: f64 = 0.5;

/// The values of a finished run in the order of [`run_columns`]: each
/// metric at the last step, the shock metrics of the culture (`None` where
/// undefined) and `tipped`.
pub fn run_values(run: &RunOutput, shock_step: Option<usize>, culture: usize) -> Vec<Option<f64>> {
    let last = run.len() - 1;
    let mut v: Vec<Option<f64>> = run.row(last).iter().map(|x| Some(*x)).collect();
    // The model does not know its step's length yet: the window of the
    // peak rates is a quarter of a year at the default weekly step.
    let window = rate_window(7.0 / 365.25);
    let steps = |n: Option<usize>| n.map(|n| n as f64);
    match shock_step.and_then(|s| shock_metrics(&run.series(culture), s, window)) {
        Some(m) => v.extend([
            Some(m.pre),
            Some(m.trough),
            Some(m.loss),
            Some(m.rise),
            Some(if m.built { 1.0 } else { 0.0 }),
            steps(m.steps_to_half_loss),
            steps(m.steps_to_recover),
            steps(m.steps_to_build),
            steps(m.steps_to_lose),
            m.asymmetry,
            m.asymmetry_rate,
        ]),
        None => v.extend([None; 11]),
    }
    let high = run.row(last)[crate::model::learning_culture::metric::TEAMS_HIGH];
    v.push(Some(if high < TIPPED_BELOW { 1.0 } else { 0.0 }));
    v
}

/// The timeseries.csv lines of a run, every `every` steps (and the last):
/// `point,replicate,step,year,<metrics>`, a step lasting `years_per_step`.
pub fn timeseries_lines(run: &RunOutput, every: u32, years_per_step: f64) -> String {
    let mut out = String::new();
    let last = run.len() - 1;
    for n in 0..run.len() {
        if n % every as usize == 0 || n == last {
            out.push_str(&format!(
                "{},{},{n},{}",
                run.id.point,
                run.id.replicate,
                crate::export::timeseries::year_value(n, years_per_step)
            ));
            for v in run.row(n) {
                out.push(',');
                out.push_str(&format_value(*v));
            }
            out.push('\n');
        }
    }
    out
}

/// (point, replicate) of a data line (None when malformed).
pub fn line_key(line: &str) -> Option<(u32, u32)> {
    key(line)
}

/// (point, replicate) of a data line.
fn key(line: &str) -> Option<(u32, u32)> {
    let mut it = line.split(',');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// A part file being appended to, one complete run at a time.
pub struct Part {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl Part {
    /// Open `path` for appending; a fresh one gets `header`. With `keep`,
    /// the existing complete lines of runs in `done` are kept (resume) and
    /// anything after them is cut; returns the runs found.
    pub fn open(path: &Path, header: &str, resume: bool) -> Result<(Self, Vec<(u32, u32)>)> {
        let mut found = Vec::new();
        if resume && path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read '{}' to resume", path.display()))?;
            let mut keep = 0usize;
            let mut lines = text.split_inclusive('\n');
            match lines.next() {
                Some(h) if h.trim_end() == header => keep += h.len(),
                _ => bail!(
                    "'{}' does not belong to this sweep (its header differs); remove it or run without --resume",
                    path.display()
                ),
            }
            for l in lines {
                if !l.ends_with('\n') {
                    break; // a line cut by the crash
                }
                match key(l) {
                    Some(k) => {
                        if found.last() != Some(&k) {
                            found.push(k);
                        }
                    }
                    None => break,
                }
                keep += l.len();
            }
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write '{}'", path.display()))?;
            file.set_len(keep as u64)?;
            drop(file);
        } else {
            std::fs::write(path, format!("{header}\n"))
                .with_context(|| format!("cannot write '{}'", path.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        Ok((
            Self {
                file,
                path: path.to_path_buf(),
            },
            found,
        ))
    }

    /// Cut a timeseries part back to the runs in `keep` (after a crash the
    /// time series may hold a run whose runs.csv line was not written).
    pub fn truncate_to(path: &Path, keep: &[(u32, u32)]) -> Result<()> {
        let text = std::fs::read_to_string(path)?;
        let allowed: std::collections::HashSet<(u32, u32)> = keep.iter().copied().collect();
        let mut len = 0usize;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if !l.ends_with('\n') || (i > 0 && !key(l).is_some_and(|k| allowed.contains(&k))) {
                break;
            }
            len += l.len();
        }
        let f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.set_len(len as u64)?;
        Ok(())
    }

    /// Append text and hand it to the operating system (a kill -9 after
    /// this loses nothing that was written).
    pub fn append(&mut self, text: &str) -> Result<()> {
        // A full disk names the file (issue 20.11).
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .with_context(|| format!("failed to write '{}'", self.path.display()))
    }
}

/// points.csv: `point,<parameter names>`, one row per design point.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// The swept parameters' names.
    pub names: Vec<String>,
    /// Each point's values, in the order of `names`.
    pub points: Vec<Vec<f64>>,
}

impl Points {
    /// The points of `design`.
    pub fn of(design: &Design) -> Self {
        Self {
            names: design.names.clone(),
            points: design.points.clone(),
        }
    }

    /// The bytes of points.csv.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut pts = String::from("point");
        for n in &self.names {
            pts.push(',');
            pts.push_str(n);
        }
        pts.push('\n');
        for (i, p) in self.points.iter().enumerate() {
            pts.push_str(&i.to_string());
            for v in p {
                pts.push(',');
                pts.push_str(&format_value(*v));
            }
            pts.push('\n');
        }
        pts.into_bytes()
    }

    /// Read points.csv at `path`.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// Parse the text of a points.csv (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvText::new(path, "points file");
        let (header, records) = csv.records(text)?;
        if header.first().map(String::as_str) != Some("point") {
            return Err(csv.error(1, 0, "", "expected the column point first"));
        }
        let mut points = Vec::with_capacity(records.len());
        for (line, rec) in &records {
            let id: usize = csv.number(*line, &header, rec, 0)?;
            if id != points.len() {
                return Err(csv.error(
                    *line,
                    1,
                    "point",
                    format!("expected point {}, got {id}", points.len()),
                ));
            }
            points.push(
                (1..header.len())
                    .map(|i| csv.number(*line, &header, rec, i))
                    .collect::<Result<_, _>>()?,
            );
        }
        Ok(Self {
            names: header[1..].to_vec(),
            points,
        })
    }
}

pub use crate::export::runs::{RunRow, Runs};

/// summary.csv of a sweep: per point and metric, the statistics across
/// replicates and the paired difference with the baseline point,
/// `point,metric,n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95,diff_n,diff_mean,
/// diff_ci95_lo,diff_ci95_hi` (empty cells: undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct PointStats {
    /// Rows in file order.
    pub rows: Vec<PointStatsRow>,
}

/// One row of a sweep's summary.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct PointStatsRow {
    /// Design point.
    pub point: u32,
    /// Metric (a runs.csv column).
    pub metric: String,
    /// Runs with a value.
    pub n: usize,
    /// mean, sd, ci95_lo, ci95_hi, p5, p50, p95 (`None`: undefined).
    pub stats: [Option<f64>; 7],
    /// Paired differences with the baseline point.
    pub diff_n: usize,
    /// diff_mean, diff_ci95_lo, diff_ci95_hi.
    pub diff: [Option<f64>; 3],
}

impl PointStatsRow {
    /// The row of `metric` at `point` from its statistics and its paired
    /// differences with the baseline.
    pub fn of(point: u32, metric: &str, stats: Option<&Stats>, vs: Option<&Stats>) -> Self {
        Self {
            point,
            metric: metric.to_string(),
            n: stats.map_or(0, |s| s.n),
            stats: match stats {
                Some(s) => [s.mean, s.sd, s.ci95[0], s.ci95[1], s.p5, s.p50, s.p95].map(Some),
                None => [None; 7],
            },
            diff_n: vs.map_or(0, |s| s.n),
            diff: match vs {
                Some(s) => [s.mean, s.ci95[0], s.ci95[1]].map(Some),
                None => [None; 3],
            },
        }
    }

    /// Mean (`None`: undefined).
    pub fn mean(&self) -> Option<f64> {
        self.stats[0]
    }

    /// 95% CI of the mean (`None`: undefined).
    pub fn ci95(&self) -> Option<(f64, f64)> {
        Some((self.stats[2]?, self.stats[3]?))
    }
}

impl PointStats {
    /// The header line.
    pub const HEADER: &'static str = "point,metric,n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95,diff_n,diff_mean,diff_ci95_lo,diff_ci95_hi";

    /// The bytes of summary.csv.
    pub fn to_bytes(&self) -> Vec<u8> {
        let f = |x: &Option<f64>| x.map(format_value).unwrap_or_default();
        let mut csv = format!("{}\n", Self::HEADER);
        for r in &self.rows {
            csv.push_str(&format!("{},{},{}", r.point, r.metric, r.n));
            for x in &r.stats {
                csv.push(',');
                csv.push_str(&f(x));
            }
            csv.push_str(&format!(",{}", r.diff_n));
            for x in &r.diff {
                csv.push(',');
                csv.push_str(&f(x));
            }
            csv.push('\n');
        }
        csv.into_bytes()
    }

    /// Read a sweep's summary.csv at `path`.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// Parse the text of a sweep's summary.csv (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvText::new(path, "sweep summary");
        let (header, records) = csv.records(text)?;
        if header.join(",") != Self::HEADER {
            return Err(csv.error(1, 0, "", format!("expected the columns {}", Self::HEADER)));
        }
        let opt = |line, rec: &csv::StringRecord, i: usize| -> Result<Option<f64>, ReadError> {
            match rec.get(i).unwrap_or("") {
                "" => Ok(None),
                _ => csv.number(line, &header, rec, i).map(Some),
            }
        };
        let mut rows = Vec::with_capacity(records.len());
        for (line, rec) in &records {
            let line = *line;
            let mut stats = [None; 7];
            for (k, x) in stats.iter_mut().enumerate() {
                *x = opt(line, rec, 3 + k)?;
            }
            let mut diff = [None; 3];
            for (k, x) in diff.iter_mut().enumerate() {
                *x = opt(line, rec, 11 + k)?;
            }
            rows.push(PointStatsRow {
                point: csv.number(line, &header, rec, 0)?,
                metric: rec[1].to_string(),
                n: csv.number(line, &header, rec, 2)?,
                stats,
                diff_n: csv.number(line, &header, rec, 10)?,
                diff,
            });
        }
        Ok(Self { rows })
    }
}

/// summary.json of a sweep: the baseline point and every point's
/// statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSummary {
    /// The baseline point the paired differences are taken against.
    pub baseline: usize,
    /// Per point.
    pub points: Vec<PointSummary>,
}

impl SweepSummary {
    /// The bytes of summary.json.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a sweep summary always serializes")
    }

    /// Read a sweep's summary.json at `path` (errors name the field, line
    /// and column).
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let text = ReadError::read_to_string(path)?;
        let mut de = serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            ReadError::Invalid {
                path: path.to_path_buf(),
                what: "sweep summary",
                line: inner.line() as u64,
                column: inner.column() as u64,
                field,
                message: inner.to_string(),
            }
        })
    }
}

/// Per point and metric: statistics across replicates and the paired
/// difference with the baseline point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSummary {
    /// Point id.
    pub point: u32,
    /// The point's parameter values by name.
    pub params: BTreeMap<String, f64>,
    /// Per metric.
    pub metrics: BTreeMap<String, MetricStats>,
}

/// Statistics of one metric at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    /// Across replicates (undefined values left out).
    pub stats: Option<Stats>,
    /// Paired differences with the baseline point, replicate by replicate.
    pub vs_baseline: Option<Stats>,
}

/// Sort data lines by (point, replicate), keeping each run's lines in order.
pub fn sort_lines(lines: &mut [String]) {
    lines.sort_by_key(|l| key(l).unwrap_or((u32::MAX, u32::MAX)));
}

/// Write the finished sweep's derived files from `runs` (the whole runs
/// table, read from runs.csv or runs.parquet): points.csv, summary.csv,
/// summary.json.
pub fn derive(out: &Path, design: &Design, runs: &Runs) -> Result<()> {
    atomic::write(&out.join("points.csv"), &Points::of(design).to_bytes())?;
    let cols = &runs.columns;
    // values[point][metric] = replicate → value
    let mut values: BTreeMap<u32, Vec<BTreeMap<u32, f64>>> = BTreeMap::new();
    for r in &runs.rows {
        let entry = values
            .entry(r.point)
            .or_insert_with(|| vec![BTreeMap::new(); cols.len()]);
        for (m, v) in r.values.iter().enumerate() {
            if let Some(v) = v {
                entry[m].insert(r.replicate, *v);
            }
        }
    }
    let empty = vec![BTreeMap::new(); cols.len()];
    let base = values.get(&(design.baseline as u32)).unwrap_or(&empty);
    let mut summaries = Vec::new();
    let mut csv = PointStats { rows: Vec::new() };
    for (p, per_metric) in &values {
        let mut metrics = BTreeMap::new();
        for (m, name) in cols.iter().enumerate() {
            let v: Vec<f64> = per_metric[m].values().copied().collect();
            let diffs: Vec<f64> = per_metric[m]
                .iter()
                .filter_map(|(r, x)| base[m].get(r).map(|b| x - b))
                .collect();
            let stats = Stats::of(&v);
            let vs = Stats::of(&diffs);
            csv.rows
                .push(PointStatsRow::of(*p, name, stats.as_ref(), vs.as_ref()));
            metrics.insert(
                name.to_string(),
                MetricStats {
                    stats,
                    vs_baseline: vs,
                },
            );
        }
        let Some(values) = design.points.get(*p as usize) else {
            bail!(
                "the runs table: point {p} is outside the design (points 0..{})",
                design.points.len()
            );
        };
        let params = design
            .names
            .iter()
            .cloned()
            .zip(values.iter().copied())
            .collect();
        summaries.push(PointSummary {
            point: *p,
            params,
            metrics,
        });
    }
    atomic::write(&out.join("summary.csv"), &csv.to_bytes())?;
    let json = SweepSummary {
        baseline: design.baseline,
        points: summaries,
    }
    .to_bytes();
    atomic::write(&out.join("summary.json"), &json)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        Design {
            names: vec!["culture.coupling".into(), "march.p1".into()],
            points: vec![vec![0.0, 0.1], vec![1.5, 1.0 / 3.0]],
            baseline: 0,
        }
    }

    /// runs.csv of two points × three replicates, one value undefined.
    fn runs_text() -> String {
        let mut rows = Vec::new();
        for p in 0..2u32 {
            for r in 0..3u32 {
                rows.push(RunRow {
                    point: p,
                    replicate: r,
                    steps: 520,
                    values: vec![
                        Some(0.25 + 0.1 * f64::from(p) + 0.01 * f64::from(r)),
                        (r != 1).then_some(f64::from(r) / 7.0),
                    ],
                    line: 0,
                });
            }
        }
        let runs = Runs {
            columns: vec!["culture".into(), "asymmetry".into()],
            rows,
        };
        String::from_utf8(runs.to_bytes()).unwrap()
    }

    #[test]
    fn every_sweep_file_reads_back_equal_and_writes_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let text = runs_text();
        assert!(text.starts_with("point,replicate,steps,culture,asymmetry\n0,0,520,0.25,0\n"));
        assert!(text.contains("\n0,1,520,0.26,\n"), "{text}");
        let runs = Runs::parse(&text, Path::new("runs.csv")).unwrap();
        derive(dir.path(), &design(), &runs).unwrap();
        assert_eq!(runs.rows[1].values[1], None);
        assert_eq!(runs.rows[1].line, 3);
        assert_eq!(runs.to_bytes(), text.as_bytes());
        let path = dir.path().join("points.csv");
        let points = Points::read(&path).unwrap();
        assert_eq!(points, Points::of(&design()));
        assert_eq!(points.to_bytes(), std::fs::read(&path).unwrap());
        let path = dir.path().join("summary.csv");
        let stats = PointStats::read(&path).unwrap();
        assert_eq!(stats.rows.len(), 4);
        let row = &stats.rows[2];
        assert_eq!((row.point, row.metric.as_str(), row.n), (1, "culture", 3));
        assert!((row.mean().unwrap() - 0.36).abs() < 1e-12);
        // Paired with the baseline, replicate by replicate: +0.1 each.
        assert!((row.diff[0].unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(stats.to_bytes(), std::fs::read(&path).unwrap());
        let path = dir.path().join("summary.json");
        let summary = SweepSummary::read(&path).unwrap();
        assert_eq!(summary.points.len(), 2);
        assert_eq!(summary.points[1].params["march.p1"], 1.0 / 3.0);
        assert_eq!(
            summary.points[0].metrics["asymmetry"]
                .stats
                .as_ref()
                .unwrap()
                .n,
            2
        );
        assert_eq!(summary.to_bytes(), std::fs::read(&path).unwrap());
    }

    #[test]
    fn malformed_sweep_files_name_the_file_line_and_column() {
        let e = Runs::parse(
            "point,replicate,steps,culture\n0,0,5,0.5\n0,1,5,lots\n",
            Path::new("s/runs.csv"),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "'s/runs.csv' is not a valid runs file: line 3, column 4: culture: 'lots' is not a number"
        );
        let e = Points::parse("point,a\n1,0.5\n", Path::new("s/points.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2, column 1: point: expected point 0, got 1"),
            "{e}"
        );
        let e = PointStats::parse("point,metric\n", Path::new("s/summary.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'s/summary.csv' is not a valid sweep summary: line 1"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        std::fs::write(&path, "{\"baseline\": 0, \"points\": [{\"point\": \"x\"}]}").unwrap();
        let e = SweepSummary::read(&path).unwrap_err();
        match &e {
            ReadError::Invalid { field, line, .. } => {
                assert_eq!(field, "points[0].point");
                assert_eq!(*line, 1);
            }
            other => panic!("{other:?}"),
        }
    }
}
