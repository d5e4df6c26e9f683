//! The files of a sweep and how they are built: rows are appended to
//! `runs.csv.part` (and `timeseries.csv.part`) as runs finish, in run
//! order; `finish` turns the parts into `runs.csv` / `timeseries.csv` and
//! derives `points.csv`, `summary.csv` and `summary.json` from the rows
//! alone — so a resumed sweep and merged shards end with the same bytes as
//! an uninterrupted sweep.

use super::design::Design;
use crate::analysis::shock::shock_metrics;
use crate::analysis::stats::Stats;
use crate::analysis::summary::rate_window;
use crate::engine::RunOutput;
use crate::export::atomic;
use crate::export::timeseries::format_value;
use anyhow::{Context, Result, bail};
use serde::Serialize;
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

/// Per point and metric: statistics across replicates and the paired
/// difference with the baseline point.
#[derive(Debug, Clone, Serialize)]
pub struct PointSummary {
    /// Point id.
    pub point: u32,
    /// The point's parameter values by name.
    pub params: BTreeMap<String, f64>,
    /// Per metric.
    pub metrics: BTreeMap<String, MetricStats>,
}

/// Statistics of one metric at one point.
#[derive(Debug, Clone, Serialize)]
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

/// Write the finished sweep's derived files from `runs_text` (the whole
/// runs.csv): points.csv, summary.csv, summary.json.
pub fn derive(out: &Path, design: &Design, runs_text: &str) -> Result<()> {
    // points.csv
    let mut pts = String::from("point");
    for n in &design.names {
        pts.push(',');
        pts.push_str(n);
    }
    pts.push('\n');
    for (i, p) in design.points.iter().enumerate() {
        pts.push_str(&i.to_string());
        for v in p {
            pts.push(',');
            pts.push_str(&format_value(*v));
        }
        pts.push('\n');
    }
    atomic::write(&out.join("points.csv"), pts.as_bytes())?;
    // Parse runs.csv.
    let mut lines = runs_text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let cols = &header[3.min(header.len())..];
    // values[point][metric] = Vec<(replicate, value)>
    let mut values: BTreeMap<u32, Vec<BTreeMap<u32, f64>>> = BTreeMap::new();
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        let (Some(p), Some(r)) = (
            cells.first().and_then(|c| c.parse().ok()),
            cells.get(1).and_then(|c| c.parse().ok()),
        ) else {
            bail!("runs.csv: malformed line '{l}'");
        };
        let entry = values
            .entry(p)
            .or_insert_with(|| vec![BTreeMap::new(); cols.len()]);
        for (m, cell) in cells.iter().skip(3).enumerate().take(cols.len()) {
            if let Ok(v) = cell.parse::<f64>() {
                entry[m].insert(r, v);
            }
        }
    }
    let empty = vec![BTreeMap::new(); cols.len()];
    let base = values.get(&(design.baseline as u32)).unwrap_or(&empty);
    let mut summaries = Vec::new();
    let mut csv = String::from(
        "point,metric,n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95,diff_n,diff_mean,diff_ci95_lo,diff_ci95_hi\n",
    );
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
            let f = |x: Option<f64>| x.map(format_value).unwrap_or_default();
            csv.push_str(&format!(
                "{p},{name},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                stats.as_ref().map_or(0, |s| s.n),
                f(stats.as_ref().map(|s| s.mean)),
                f(stats.as_ref().map(|s| s.sd)),
                f(stats.as_ref().map(|s| s.ci95[0])),
                f(stats.as_ref().map(|s| s.ci95[1])),
                f(stats.as_ref().map(|s| s.p5)),
                f(stats.as_ref().map(|s| s.p50)),
                f(stats.as_ref().map(|s| s.p95)),
                vs.as_ref().map_or(0, |s| s.n),
                f(vs.as_ref().map(|s| s.mean)),
                f(vs.as_ref().map(|s| s.ci95[0])),
                f(vs.as_ref().map(|s| s.ci95[1])),
            ));
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
                "runs.csv: point {p} is outside the design (points 0..{})",
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
    atomic::write(&out.join("summary.csv"), csv.as_bytes())?;
    #[derive(Serialize)]
    struct SummaryFile<'a> {
        baseline: usize,
        points: &'a [PointSummary],
    }
    let json = serde_json::to_vec_pretty(&SummaryFile {
        baseline: design.baseline,
        points: &summaries,
    })?;
    atomic::write(&out.join("summary.json"), &json)?;
    Ok(())
}
