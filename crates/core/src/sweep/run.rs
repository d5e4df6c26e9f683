//! Running a sweep into its folder (`culturesim sweep`): make the folder
//! ready (lock, identity, resume), schedule the runs (the design's, then
//! adaptive rounds), run them in batches in parallel with common random
//! numbers, stream runs.csv (and timeseries.csv) in a deterministic order,
//! derive points.csv / summary.csv / summary.json, and write the manifest.
//!
//! With `--format parquet` the runs and the time series go to
//! runs.parquet and timeseries.parquet instead, in row groups as runs
//! finish (memory stays flat); they become visible at the end, whole.
//! Such a sweep cannot be resumed (`--resume` is refused: there is no
//! part file to continue, a Parquet file is complete only once its footer
//! is written); an interrupted one starts over, and its shards run
//! anywhere and merge as CSV shards do.
//! The figures are the caller's (a [`Figures`] hook: the report crate
//! draws them); the progress display too ([`Progress`]).

use super::Sweep;
use super::columns::RunColumns;
use super::files::{self, Part};
use super::identity::Identity;
use crate::command::{Failure, Progress, Provenance};
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::export::folder::{self, FolderLock};
use crate::export::format::{Format, Table};
use crate::export::manifest::{Manifest, Runs};
use crate::export::runs::RunRow;
use crate::export::tables::{RunsOut, TimeseriesOut};
use crate::scenario::{Scenario, Source};
use anyhow::{Context, anyhow};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a sweep is asked to do (the typed options of `culturesim sweep`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file with a `[sweep]` section (or a bundled name).
    pub scenario: PathBuf,
    /// Output folder (default `output/<name>-sweep`).
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in `out`.
    pub resume: bool,
    /// Run only shard K of N.
    pub shard: Option<(u32, u32)>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// The tables' format: runs and timeseries as `.csv` (the default,
    /// resumable) or `.parquet`.
    pub format: Format,
    /// Scenario overrides (`--set`).
    pub set: Vec<String>,
    /// Adaptive replication: add replicates until the 95% CI half-width of
    /// `ci_metric` is at most this.
    pub ci_width: Option<f64>,
    /// The metric of adaptive replication (default: the model's main
    /// metric, `culture` or `code_knowledge`).
    pub ci_metric: Option<String>,
    /// Most replicates per point with adaptive replication (0: ten times
    /// the scenario's replicates).
    pub max_replicates: u32,
    /// What the manifest records of the tool and the command line.
    pub provenance: Provenance,
    /// `--posterior`: draw each replicate's parameters from the
    /// calibration in this folder.
    pub posterior: Option<PathBuf>,
}

/// The sweep's figures and report page, drawn into its folder from its
/// files (the report crate's `sweep::render`); `&|_, _| Ok(())` draws none.
pub type Figures<'a> = &'a (dyn Fn(&Path, &Sweep) -> anyhow::Result<()> + Sync);

/// What a sweep did, for the command to print.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The output folder.
    pub out: PathBuf,
    /// Scenario name.
    pub name: String,
    /// Design points.
    pub points: usize,
    /// Replicates per point (before adaptive rounds).
    pub replicates: u32,
    /// Whether replication was adaptive (`--ci-width`).
    pub adaptive: bool,
    /// The shard run, if any.
    pub shard: Option<(u32, u32)>,
    /// Runs in the runs table.
    pub runs: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// table.txt (the mean per point), when written.
    pub table: Option<String>,
    /// Adaptive replication: the points that reached the replicate cap
    /// with their CI still too wide.
    pub capped: Vec<u32>,
    /// The metric and width of adaptive replication, and the cap.
    pub ci: Option<(String, f64, u32)>,
}

impl Outcome {
    /// The sentence about capped points, when some hit the cap.
    pub fn capped_message(&self) -> Option<String> {
        let (metric, width, max) = self.ci.as_ref()?;
        (!self.capped.is_empty()).then(|| {
            format!(
                "{} point(s) hit --max-replicates {} with the CI of {} still wider than ±{}: {:?}",
                self.capped.len(),
                max,
                metric,
                width,
                self.capped
            )
        })
    }
}

/// Parse `K/N` (1 ≤ K ≤ N).
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("--shard must look like K/N (e.g. 2/8), got '{s}'"))?;
    match (k.trim().parse::<u32>(), n.trim().parse::<u32>()) {
        (Ok(k), Ok(n)) if k >= 1 && k <= n => Ok((k, n)),
        _ => Err(format!("--shard K/N needs 1 <= K <= N, got '{s}'")),
    }
}

/// The text of a scenario file, or of a bundled scenario by name.
pub fn read_scenario(path: &Path) -> Result<(String, Source), Failure> {
    crate::scenario::read(path).map_err(|e| Failure::Input(e.into()))
}

/// Run a sweep (or one shard of it) into its folder: load and check the
/// scenario and options, prepare the folder, run, draw (`figures`) and
/// write the manifest. Bad input is [`Failure::Input`].
pub fn run(o: &Options, progress: &dyn Progress, figures: Figures) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let (text, source) = read_scenario(&o.scenario)?;
    let sw = Sweep::load(&text, source, &o.set).map_err(|e| Failure::Input(e.into()))?;
    if o.ci_width.is_some() && o.shard.is_some() {
        return Err(Failure::Input(anyhow!(
            "--ci-width decides replicates from results across the whole sweep; it cannot be combined with --shard"
        )));
    }
    if let Some(w) = o.ci_width
        && !(w > 0.0 && w.is_finite())
    {
        return Err(Failure::Input(anyhow!(
            "--ci-width must be a number > 0, got {w}"
        )));
    }
    crate::export::tables::check_available(o.format).map_err(Failure::Input)?;
    if o.resume && o.format == Format::Parquet {
        return Err(Failure::Input(anyhow!(
            "--resume continues a CSV sweep from its runs.csv.part; a Parquet sweep writes runs.parquet whole at its end, so an interrupted one cannot be continued: run it again without --resume (or use --format csv for a sweep that can resume)"
        )));
    }
    let mut o = o.clone();
    if o.max_replicates == 0 {
        o.max_replicates = sw.replicates() * 10;
    }
    let sw = match &o.posterior {
        Some(dir) => {
            let post = crate::scenario::posterior::Posterior::load(dir)
                .map_err(|e| Failure::Input(e.into()))?;
            let reps = if o.ci_width.is_some() {
                o.max_replicates
            } else {
                sw.replicates()
            };
            sw.with_posterior(post, reps)
                .map_err(|e| Failure::Input(e.into()))?
        }
        None => sw,
    };
    let o = &o;
    let out = o
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-sweep", sw.base.name())));
    let pool = crate::command::pool(o.threads)?;
    let threads = pool.current_num_threads();
    let ci_metric = o
        .ci_metric
        .as_deref()
        .unwrap_or(sw.base.model.primary_metric());
    let adaptive = o
        .ci_width
        .map(|w| format!("{ci_metric} ±{w}, at most {}", o.max_replicates));
    let id = Identity::of(&sw, o.shard, adaptive, o.format);
    let _lock = prepare(o, &out, &id)?;
    let capped = pool
        .install(|| execute(&sw, o, &out, progress, figures))
        .map_err(Failure::Runtime)?;
    let seconds = started.elapsed().as_secs_f64();
    write_manifest(&out, &sw, o.shard, threads, seconds, &id, &o.provenance)
        .map_err(Failure::Runtime)?;
    let runs = crate::export::runs::Runs::read_in(&out)
        .map(|r| r.rows.len())
        .unwrap_or(0);
    let table = std::fs::read_to_string(out.join("table.txt")).ok();
    Ok(Outcome {
        name: sw.base.name().to_string(),
        points: sw.design.points.len(),
        replicates: sw.replicates(),
        adaptive: o.ci_width.is_some(),
        shard: o.shard,
        runs,
        seconds,
        table,
        capped,
        ci: o
            .ci_width
            .map(|w| (ci_metric.to_string(), w, o.max_replicates)),
        out,
    })
}

/// Every file a sweep may write into its folder.
pub const SWEEP_FILES: &[&str] = &[
    "runs.csv",
    "runs.csv.part",
    "runs.parquet",
    "timeseries.csv",
    "timeseries.csv.part",
    "timeseries.parquet",
    "points.csv",
    "summary.csv",
    "summary.json",
    "scenario.toml",
    "org-chart.csv",
    "adaptive.json",
    "manifest.json",
    "identity.json",
    "report.html",
    "table.txt",
    "plots/",
];

/// Make the sweep folder ready: lock it (one writer at a time), remove what
/// killed writers left, refuse foreign files, and check the recorded
/// identity: `--resume` continues only the same experiment and shard; a
/// fresh start removes the earlier sweep's files but never a different
/// shard's runs of the same experiment. Writes identity.json.
fn prepare(o: &Options, out: &Path, id: &Identity) -> Result<FolderLock, Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::Runtime(anyhow!(
            "cannot create output folder '{}': {e}",
            out.display()
        ))
    })?;
    let lock = FolderLock::acquire(out).map_err(Failure::Input)?;
    folder::clean_stale(out, true);
    folder::clean_stale(&out.join("plots"), true);
    let found = folder::check_owned(out, SWEEP_FILES).map_err(Failure::Input)?;
    let recorded = Identity::read(out).map_err(Failure::Input)?;
    let has_runs = ["runs.csv.part", "runs.csv", "runs.parquet"]
        .iter()
        .any(|f| out.join(f).exists());
    if o.resume {
        match &recorded {
            Some(r) => {
                let d = r.differences(id, true);
                if !d.is_empty() {
                    return Err(Failure::Input(anyhow!(
                        "cannot resume in '{}': it holds runs of another experiment or shard ({}); use the same scenario, --set and --shard, or another --out",
                        out.display(),
                        d.join("; ")
                    )));
                }
            }
            None if has_runs => {
                return Err(Failure::Input(anyhow!(
                    "cannot resume in '{}': its runs carry no {} (written by an older culturesim, or damaged), so they cannot be matched to this experiment; run without --resume to start over",
                    out.display(),
                    super::identity::FILE
                )));
            }
            None => {}
        }
    } else {
        if let Some(r) = &recorded
            && has_runs
            && r.experiment == id.experiment
            && r.shard != id.shard
        {
            return Err(Failure::Input(anyhow!(
                "'{}' holds {} of this sweep; give each shard its own --out (or add --resume to continue that shard with the same --shard)",
                out.display(),
                r.shard
                    .as_ref()
                    .map_or("the whole sweep".to_string(), |s| format!("shard {s}"))
            )));
        }
        // Start over: what the earlier sweep wrote goes.
        for f in found {
            let _ = std::fs::remove_file(out.join(f));
        }
    }
    id.write(out).map_err(Failure::Runtime)?;
    Ok(lock)
}

/// Run the sweep's runs into `out` (the folder is ready) and derive its
/// files; returns the points capped by adaptive replication.
fn execute(
    sw: &Sweep,
    a: &Options,
    out: &Path,
    progress: &dyn Progress,
    figures: Figures,
) -> anyhow::Result<Vec<u32>> {
    let mine = sw.shard_runs(a.shard);
    let model = &sw.base.model;
    let columns = crate::with_model!(model, m => m.run_columns());
    let runs_path = out.join("runs.csv.part");
    let ts_path = out.join("timeseries.csv.part");
    let (mut sink, done) = match a.format {
        Format::Csv => {
            let runs_header = format!("point,replicate,steps,{}", columns.join(","));
            let (runs, done) = Part::open(&runs_path, &runs_header, a.resume)?;
            let ts = open_timeseries(sw, a, &ts_path, &done)?;
            (Sink::Csv { runs, ts }, done)
        }
        Format::Parquet => {
            let years = crate::scenario::years_per_step(&sw.base.raw.time_unit);
            let ts = match sw.timeseries_every {
                Some(_) => Some(TimeseriesOut::create(
                    out,
                    Format::Parquet,
                    model.metrics(),
                    years,
                )?),
                None => None,
            };
            let runs = RunsOut::create(out, Format::Parquet, &columns)?;
            (Sink::Parquet { runs, ts }, vec![])
        }
    };
    // The schedule: the design's runs, then (adaptive replication) rounds of
    // more replicates for the points whose CI is still too wide. It depends
    // only on results, which are deterministic, so a resumed sweep rebuilds
    // the same schedule from the runs already on disk.
    let ci_metric = a.ci_metric.as_deref().unwrap_or(model.primary_metric());
    let col = ci_column(model, ci_metric)?;
    let mut values = values_on_disk(&runs_path, col, &done)?;
    let schedule = Schedule {
        ci_width: a.ci_width,
        step: sw.replicates(),
        max_replicates: a.max_replicates,
    };
    let mut capped = Vec::new();
    let mut scheduled = schedule.replay(mine, &values, &done, &mut capped);
    if done.len() > scheduled.len() || done[..] != scheduled[..done.len()] {
        anyhow::bail!(
            "'{}' holds runs of another sweep or shard; remove it or run without --resume",
            runs_path.display()
        );
    }
    progress.begin(scheduled.len() as u64, done.len() as u64);
    // A batch is also the unit of the resume checkpoint.
    let batch = crate::engine::Batch::Responsive.size();
    let mut pos = done.len();
    loop {
        let remaining = scheduled[pos..].to_vec();
        for chunk in remaining.chunks(batch) {
            for (p, v) in run_batch(sw, chunk, &mut sink, col)? {
                values.entry(p).or_default().push(v);
                progress.advance(1);
            }
        }
        pos = scheduled.len();
        let more = schedule.next_round(&values, &mut capped);
        if more.is_empty() {
            break;
        }
        progress.extend(more.len() as u64);
        scheduled.extend(more);
    }
    progress.finish();
    match sink {
        Sink::Csv { runs, ts } => {
            drop(runs);
            drop(ts);
            sort_parts(
                out,
                [
                    (runs_path.as_path(), "runs.csv"),
                    (ts_path.as_path(), "timeseries.csv"),
                ],
            )?;
        }
        Sink::Parquet { runs, ts } => {
            runs.commit()?;
            if let Some(ts) = ts {
                ts.commit()?;
            }
            // Adaptive rounds append out of order: sorted at the end (the
            // tables are read back whole then, as the CSV parts are).
            if !scheduled.windows(2).all(|w| w[0] < w[1]) {
                sort_parquet(out)?;
            }
        }
    }
    write_derived(sw, a, out, ci_metric, &capped, figures)?;
    Ok(capped)
}

/// Where a sweep's rows go as its runs finish (one per sweep: its size
/// does not matter).
#[allow(clippy::large_enum_variant)]
enum Sink {
    /// runs.csv.part (and timeseries.csv.part): the journal `--resume`
    /// continues, turned into the .csv files at the end.
    Csv { runs: Part, ts: Option<Part> },
    /// runs.parquet (and timeseries.parquet), in row groups, visible once
    /// committed at the end.
    Parquet {
        runs: RunsOut,
        ts: Option<TimeseriesOut>,
    },
}

impl Sink {
    /// Add one finished run: its time series rows (when the sweep keeps
    /// them), then its row of the runs table.
    fn add(
        &mut self,
        sw: &Sweep,
        run: &crate::engine::RunOutput,
        row: &RunRow,
    ) -> anyhow::Result<()> {
        let every = sw.timeseries_every;
        match self {
            Sink::Csv { runs, ts } => {
                if let (Some(part), Some(every)) = (ts.as_mut(), every) {
                    let years = crate::scenario::years_per_step(&sw.base.raw.time_unit);
                    part.append(&files::timeseries_lines(run, every, years))?;
                }
                runs.append(&(row.line_text() + "\n"))
            }
            Sink::Parquet { runs, ts } => {
                if let (Some(t), Some(every)) = (ts.as_mut(), every) {
                    t.write_run(run, every)?;
                }
                runs.push(row)
            }
        }
    }
}

/// Sort runs.parquet (and timeseries.parquet) in `out` by (point,
/// replicate), keeping each run's rows in order.
fn sort_parquet(out: &Path) -> anyhow::Result<()> {
    use crate::export::tables;
    let path = out.join(Format::Parquet.file(Table::Runs));
    let mut runs = crate::export::runs::Runs::read(&path)?;
    runs.rows.sort_by_key(|r| (r.point, r.replicate));
    tables::write_runs(out, Format::Parquet, &runs)?;
    let path = out.join(Format::Parquet.file(Table::Timeseries));
    if path.exists() {
        let mut ts = crate::export::timeseries::Timeseries::read(&path)?;
        ts.rows.sort_by_key(|r| (r.point, r.replicate));
        tables::write_timeseries(out, Format::Parquet, &ts)?;
    }
    Ok(())
}

/// The part file of the sweep's time series at `ts_path` when the sweep
/// keeps one (`timeseries_every`), cut back to the runs `done` on resume.
fn open_timeseries(
    sw: &Sweep,
    a: &Options,
    ts_path: &Path,
    done: &[(u32, u32)],
) -> anyhow::Result<Option<Part>> {
    Ok(match sw.timeseries_every {
        Some(_) => {
            let header = format!(
                "point,replicate,step,year,{}",
                sw.base.model.metrics().join(",")
            );
            if a.resume && ts_path.exists() {
                Part::truncate_to(ts_path, done)?;
            }
            Some(Part::open(ts_path, &header, a.resume)?.0)
        }
        None => None,
    })
}

/// The column of runs.csv holding the final value of `ci_metric` (the
/// metric adaptive replication watches), or the usage error naming the
/// model's metrics.
fn ci_column(model: &crate::model::Models, ci_metric: &str) -> anyhow::Result<usize> {
    Ok(3 + model
        .metrics()
        .iter()
        .position(|m| *m == ci_metric)
        .ok_or_else(|| {
            anyhow::anyhow!("--ci-metric must be one of {}", model.metrics().join(", "))
        })?)
}

/// Each point's values of column `col` in the runs already on disk in
/// `runs_path` (none unless some runs are `done`), in file order.
fn values_on_disk(
    runs_path: &Path,
    col: usize,
    done: &[(u32, u32)],
) -> anyhow::Result<BTreeMap<u32, Vec<f64>>> {
    let mut values: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    if !done.is_empty() {
        let text = std::fs::read_to_string(runs_path)?;
        for l in text.lines().skip(1) {
            let c: Vec<&str> = l.split(',').collect();
            if let (Ok(p), Some(v)) = (
                c[0].parse::<u32>(),
                c.get(col).and_then(|x| x.parse::<f64>().ok()),
            ) {
                values.entry(p).or_default().push(v);
            }
        }
    }
    Ok(values)
}

/// Turn each existing part file into its final file in `out`, the lines
/// sorted by (point, replicate) (adaptive rounds append out of order).
fn sort_parts(out: &Path, parts: [(&Path, &str); 2]) -> anyhow::Result<()> {
    for (part, name) in parts {
        if part.exists() {
            let text = std::fs::read_to_string(part)?;
            let mut lines = text.lines();
            let header = lines.next().unwrap_or("").to_string();
            let mut rest: Vec<String> = lines.map(str::to_string).collect();
            files::sort_lines(&mut rest);
            let mut sorted = header;
            sorted.push('\n');
            for l in rest {
                sorted.push_str(&l);
                sorted.push('\n');
            }
            atomic::write(&out.join(name), sorted.as_bytes())?;
            std::fs::remove_file(part)?;
        }
    }
    Ok(())
}

/// The files derived from runs.csv once all runs are in: adaptive.json
/// (with adaptive replication: `ci_metric`, the target, the `capped`
/// points), points.csv and the summaries, scenario.toml, the figures and
/// the org chart's copy.
fn write_derived(
    sw: &Sweep,
    a: &Options,
    out: &Path,
    ci_metric: &str,
    capped: &[u32],
    figures: Figures,
) -> anyhow::Result<()> {
    if let Some(w) = a.ci_width {
        let j = serde_json::json!({"metric": ci_metric, "ci_half_width": w, "max_replicates": a.max_replicates, "capped_points": capped});
        atomic::write(&out.join("adaptive.json"), &serde_json::to_vec_pretty(&j)?)?;
    }
    let runs = crate::export::runs::Runs::read_in(out)?;
    files::derive(out, &sw.design, &runs)?;
    atomic::write(
        &out.join("scenario.toml"),
        sw.base.resolved_toml().as_bytes(),
    )?;
    figures(out, sw)?;
    if let Some(chart) = &sw.base.chart {
        atomic::write(&out.join(crate::scenario::CHART_COPY), chart.as_bytes())?;
    }
    Ok(())
}

/// The schedule of a sweep: the design's runs, then (adaptive replication)
/// rounds of more replicates for the points whose CI is still too wide. It
/// depends only on results, which are deterministic, so a resumed sweep
/// rebuilds the same schedule from the runs already on disk.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    /// Adaptive replication's target CI half-width (None: no rounds).
    ci_width: Option<f64>,
    /// Replicates added per round (the scenario's replicates).
    step: u32,
    /// Most replicates per point.
    max_replicates: u32,
}

impl Schedule {
    /// The next round: for every point whose 95% CI half-width is above
    /// the target, `step` more replicates (up to the cap); the points at
    /// the cap go to `capped` instead.
    fn next_round(
        &self,
        values: &BTreeMap<u32, Vec<f64>>,
        capped: &mut Vec<u32>,
    ) -> Vec<(u32, u32)> {
        let Some(w) = self.ci_width else {
            return vec![];
        };
        let mut more = Vec::new();
        capped.clear();
        for (&p, v) in values {
            let n = v.len() as u32;
            let half = crate::analysis::stats::Stats::of(v)
                .map_or(f64::INFINITY, |s| (s.ci95[1] - s.ci95[0]) / 2.0);
            if half > w {
                if n >= self.max_replicates {
                    capped.push(p);
                } else {
                    more.extend((n..(n + self.step).min(self.max_replicates)).map(|r| (p, r)));
                }
            }
        }
        more
    }

    /// The schedule of the runs on disk (`done`, with their values): the
    /// design's runs `first`, then as many rounds as the runs on disk
    /// reach.
    fn replay(
        &self,
        first: Vec<(u32, u32)>,
        values: &BTreeMap<u32, Vec<f64>>,
        done: &[(u32, u32)],
        capped: &mut Vec<u32>,
    ) -> Vec<(u32, u32)> {
        let mut scheduled = first;
        while done.len() > scheduled.len() {
            // The runs on disk go beyond the rounds known so far: replay.
            let seen = values_upto(values, &scheduled, done);
            let more = self.next_round(&seen, capped);
            if more.is_empty() {
                break;
            }
            scheduled.extend(more);
        }
        scheduled
    }
}

/// Run one batch of (point, replicate) in parallel and append their rows in
/// order; returns each run's value of column `col` (for adaptive rounds).
fn run_batch(
    sw: &Sweep,
    chunk: &[(u32, u32)],
    sink: &mut Sink,
    col: usize,
) -> anyhow::Result<Vec<(u32, f64)>> {
    // The models of the points in this batch, built once each.
    let mut points: Vec<u32> = chunk.iter().map(|r| r.0).collect();
    points.sort_unstable();
    points.dedup();
    let models: BTreeMap<u32, Scenario> = points
        .par_iter()
        .map(|&p| sw.point(p).map(|s| (p, s)))
        .collect::<Result<_, _>>()?;
    let outputs: Vec<_> = chunk
        .par_iter()
        .map(|&(p, r)| {
            let s = &models[&p];
            let seeds = Seeds::common(
                sw.base.seed,
                RunId {
                    point: p,
                    replicate: r,
                },
            );
            crate::with_model!(&s.model, m => {
                let run = run_seeded(m, seeds);
                let finite = run.check_finite(m);
                let row = RunRow {
                    point: run.id.point,
                    replicate: run.id.replicate,
                    steps: (run.len() - 1) as u32,
                    values: m.run_values(&run),
                    line: 0,
                };
                (run, row, finite)
            })
        })
        .collect();
    let mut values = Vec::with_capacity(outputs.len());
    for (run, row, finite) in outputs {
        // The runs before it are kept (a resume reaches the same error).
        finite.with_context(|| format!("at sweep point {}", run.id.point))?;
        sink.add(sw, &run, &row)?;
        // As the CSV cell reads back: undefined (or not finite) is NaN.
        let v = row.values[col - 3]
            .filter(|v| v.is_finite())
            .unwrap_or(f64::NAN);
        values.push((run.id.point, v));
    }
    Ok(values)
}

/// The values of the runs on disk that belong to the rounds scheduled so far.
fn values_upto(
    all: &BTreeMap<u32, Vec<f64>>,
    scheduled: &[(u32, u32)],
    done: &[(u32, u32)],
) -> BTreeMap<u32, Vec<f64>> {
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, r) in done.iter().enumerate() {
        if i >= scheduled.len() {
            break;
        }
        *count.entry(r.0).or_default() += 1;
    }
    count
        .into_iter()
        .map(|(p, n)| {
            (
                p,
                all.get(&p)
                    .map(|v| v[..n.min(v.len())].to_vec())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// Write the sweep's manifest.json, listing every file of the folder and
/// the SHA-256 of its runs table, runs.csv or runs.parquet (merge checks
/// that no row was edited).
pub(super) fn write_manifest(
    out: &Path,
    sw: &Sweep,
    shard: Option<(u32, u32)>,
    threads: usize,
    seconds: f64,
    id: &Identity,
    provenance: &Provenance,
) -> anyhow::Result<()> {
    let mut files = folder::files_in(out)?;
    if !files.iter().any(|f| f == "manifest.json") {
        files.push("manifest.json".into());
        files.sort();
    }
    let runs_sha256 = crate::export::format::locate(out, Table::Runs)
        .ok()
        .and_then(|(path, _)| std::fs::read(path).ok())
        .map(|b| super::identity::sha256_bytes(&b));
    let mut m = Manifest::new(
        provenance,
        &sw.base,
        Runs::Count(sw.shard_runs(shard).len()),
        threads,
        seconds,
    );
    m.common_random_numbers = Some(true);
    m.points = Some(sw.design.points.len());
    m.replicates_per_point = Some(sw.replicates());
    m.shard = Some(shard.map(|(k, n)| format!("{k}/{n}")));
    m.experiment = Some(id.experiment.clone());
    m.runs_sha256 = Some(runs_sha256);
    m.files = files;
    m.write(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small grid sweep (3 points x 2 replicates, 60 employees, 400
    /// weeks) written to `dir/g.toml`, with `extra` lines at the top.
    pub fn grid(dir: &Path, extra: &str) -> PathBuf {
        let text = format!(
            "extends = \"snow-in-the-sun\"\nname = \"g\"\n{extra}replicates = 2\nduration = \"400w\"\n[org]\nemployees = 60\n[sweep]\ndesign = \"grid\"\n[sweep.params]\n\"culture.coupling\" = [0.5, 1.0, 1.5]\n"
        );
        let path = dir.join("g.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn options(scenario: PathBuf, out: PathBuf) -> Options {
        Options {
            scenario,
            out: Some(out),
            ..Options::default()
        }
    }

    #[test]
    fn adaptive_rounds_follow_the_results_alone() {
        let s = Schedule {
            ci_width: Some(0.05),
            step: 2,
            max_replicates: 4,
        };
        let mut values = BTreeMap::new();
        values.insert(0, vec![0.5, 0.5]); // CI of width 0: done
        values.insert(1, vec![0.1, 0.9]); // wide: two more replicates
        let mut capped = vec![];
        assert_eq!(s.next_round(&values, &mut capped), vec![(1, 2), (1, 3)]);
        assert!(capped.is_empty());
        values.insert(1, vec![0.1, 0.9, 0.2, 0.8]); // still wide, at the cap
        assert!(s.next_round(&values, &mut capped).is_empty());
        assert_eq!(capped, vec![1]);
        // Resuming: the runs on disk replay the same rounds.
        let first = vec![(0, 0), (0, 1), (1, 0), (1, 1)];
        let done = [&first[..], &[(1, 2), (1, 3)]].concat();
        let replayed = s.replay(first.clone(), &values, &done, &mut capped);
        assert_eq!(replayed, done);
        // Without adaptive replication there are no rounds.
        let fixed = Schedule {
            ci_width: None,
            ..s
        };
        assert_eq!(
            fixed.replay(first.clone(), &values, &done, &mut capped),
            first
        );
    }

    #[test]
    fn a_sweep_writes_the_same_runs_at_any_thread_count_and_records_them() {
        let d = tempfile::tempdir().unwrap();
        let g = grid(d.path(), "");
        let mut outs = vec![];
        for threads in [1, 3] {
            let out = d.path().join(format!("t{threads}"));
            let mut o = options(g.clone(), out.clone());
            o.threads = Some(threads);
            let done = run(&o, &(), &|_, _| Ok(())).unwrap();
            assert_eq!((done.points, done.replicates, done.runs), (3, 2, 6));
            outs.push(std::fs::read(out.join("runs.csv")).unwrap());
            let m = Manifest::read(&out).unwrap();
            assert_eq!(m.threads, threads);
            assert_eq!(m.runs, Runs::Count(6));
            assert_eq!(
                m.runs_sha256,
                Some(Some(super::super::identity::sha256_bytes(
                    &outs[outs.len() - 1]
                )))
            );
        }
        assert_eq!(outs[0], outs[1]);
        let text = String::from_utf8(outs[0].clone()).unwrap();
        let order: Vec<&str> = text.lines().skip(1).map(|l| &l[..3]).collect();
        assert_eq!(order, ["0,0", "0,1", "1,0", "1,1", "2,0", "2,1"]);
    }

    #[test]
    fn shards_are_every_nth_run_and_bad_shards_are_refused() {
        assert_eq!(parse_shard("2/8"), Ok((2, 8)));
        assert!(parse_shard("0/2").is_err() && parse_shard("3/2").is_err());
        assert!(parse_shard("2").unwrap_err().contains("K/N"));
    }
}
