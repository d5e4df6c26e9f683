//! `culturesim sweep` and `culturesim merge`: run a design of points with
//! common random numbers, resumable and shardable; combine shards.

use super::Failure;
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::export::folder::{self, FolderLock};
use crate::export::timeseries::format_value;
use crate::model::Models;
use crate::plot::sweep::PointResult;
use crate::scenario::{Scenario, Source};
use crate::sweep::Sweep;
use crate::sweep::columns::RunColumns;
use crate::sweep::files::{self, Part};
use crate::sweep::identity::Identity;
use anyhow::{Context, anyhow};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepArgs {
    /// Scenario file with a `[sweep]` section (or a bundled name).
    pub scenario: PathBuf,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in `out`.
    pub resume: bool,
    /// Run only shard K of N.
    pub shard: Option<(u32, u32)>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Scenario overrides.
    pub set: Vec<String>,
    /// No progress bar, no table.
    pub quiet: bool,
    /// Adaptive replication: add replicates until the 95% CI half-width of
    /// `ci_metric` is at most this.
    pub ci_width: Option<f64>,
    /// The metric of adaptive replication (default: the model's main
    /// metric, `culture` or `code_knowledge`).
    pub ci_metric: Option<String>,
    /// Most replicates per point with adaptive replication.
    pub max_replicates: u32,
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

/// Run a sweep (or one shard of it).
pub fn sweep(a: &SweepArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let (text, source) = read_scenario(&a.scenario)?;
    let sw = Sweep::load(&text, source, &a.set).map_err(|e| Failure::Input(e.into()))?;
    if a.ci_width.is_some() && a.shard.is_some() {
        return Err(Failure::Input(anyhow!(
            "--ci-width decides replicates from results across the whole sweep; it cannot be combined with --shard"
        )));
    }
    if let Some(w) = a.ci_width
        && !(w > 0.0 && w.is_finite())
    {
        return Err(Failure::Input(anyhow!(
            "--ci-width must be a number > 0, got {w}"
        )));
    }
    let mut a = a.clone();
    if a.max_replicates == 0 {
        a.max_replicates = sw.replicates() * 10;
    }
    let a = &a;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-sweep", sw.base.name())));
    let pool = super::progress::pool(a.threads)?;
    let threads = pool.current_num_threads();
    let ci_metric = a
        .ci_metric
        .as_deref()
        .unwrap_or(sw.base.model.primary_metric());
    let adaptive = a
        .ci_width
        .map(|w| format!("{ci_metric} ±{w}, at most {}", a.max_replicates));
    let id = Identity::of(&sw, a.shard, adaptive);
    let _lock = prepare(a, &out, &id)?;
    pool.install(|| execute(&sw, a, &out))
        .map_err(Failure::Runtime)?;
    let seconds = started.elapsed().as_secs_f64();
    write_manifest(&out, &sw, a.shard, threads, seconds, &id)?;
    if !a.quiet {
        let runs = std::fs::read_to_string(out.join("runs.csv"))
            .map(|t| t.lines().count().saturating_sub(1))
            .unwrap_or(0);
        println!(
            "{}: {} points x {} replicates{}, {runs} runs{} in {:.2} s",
            sw.base.name(),
            sw.design.points.len(),
            sw.replicates(),
            if a.ci_width.is_some() {
                " (adaptive)"
            } else {
                ""
            },
            a.shard
                .map(|(k, n)| format!(" (shard {k}/{n})"))
                .unwrap_or_default(),
            seconds
        );
        if let Ok(table) = std::fs::read_to_string(out.join("table.txt"))
            && a.shard.is_none()
        {
            print!("{table}");
        }
        println!("outputs: {}", out.display());
    }
    Ok(())
}

/// Every file a sweep may write into its folder.
const SWEEP_FILES: &[&str] = &[
    "runs.csv",
    "runs.csv.part",
    "timeseries.csv",
    "timeseries.csv.part",
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
fn prepare(a: &SweepArgs, out: &Path, id: &Identity) -> Result<FolderLock, Failure> {
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
    let has_runs = out.join("runs.csv.part").exists() || out.join("runs.csv").exists();
    if a.resume {
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
                    crate::sweep::identity::FILE
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

fn execute(sw: &Sweep, a: &SweepArgs, out: &Path) -> anyhow::Result<()> {
    let mine = sw.shard_runs(a.shard);
    let model = &sw.base.model;
    let columns = crate::with_model!(model, m => m.run_columns());
    let runs_header = format!("point,replicate,steps,{}", columns.join(","));
    let runs_path = out.join("runs.csv.part");
    let (mut runs, done) = Part::open(&runs_path, &runs_header, a.resume)?;
    let ts_path = out.join("timeseries.csv.part");
    let mut ts = match sw.timeseries_every {
        Some(_) => {
            let header = format!("point,replicate,step,year,{}", model.metrics().join(","));
            if a.resume && ts_path.exists() {
                Part::truncate_to(&ts_path, &done)?;
            }
            Some(Part::open(&ts_path, &header, a.resume)?.0)
        }
        None => None,
    };
    // The schedule: the design's runs, then (adaptive replication) rounds of
    // more replicates for the points whose CI is still too wide. It depends
    // only on results, which are deterministic, so a resumed sweep rebuilds
    // the same schedule from the runs already on disk.
    let ci_metric = a.ci_metric.as_deref().unwrap_or(model.primary_metric());
    let col = 3 + model
        .metrics()
        .iter()
        .position(|m| *m == ci_metric)
        .ok_or_else(|| {
            anyhow::anyhow!("--ci-metric must be one of {}", model.metrics().join(", "))
        })?;
    let mut values: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    if !done.is_empty() {
        let text = std::fs::read_to_string(&runs_path)?;
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
    let mut scheduled = mine.clone();
    let mut capped = Vec::new();
    let next_round = |values: &BTreeMap<u32, Vec<f64>>, capped: &mut Vec<u32>| -> Vec<(u32, u32)> {
        let Some(w) = a.ci_width else { return vec![] };
        let step = sw.replicates();
        let mut more = Vec::new();
        capped.clear();
        for (&p, v) in values {
            let n = v.len() as u32;
            let half = crate::analysis::stats::Stats::of(v)
                .map_or(f64::INFINITY, |s| (s.ci95[1] - s.ci95[0]) / 2.0);
            if half > w {
                if n >= a.max_replicates {
                    capped.push(p);
                } else {
                    more.extend((n..(n + step).min(a.max_replicates)).map(|r| (p, r)));
                }
            }
        }
        more
    };
    loop {
        if done.len() <= scheduled.len() {
            break;
        }
        // The runs on disk go beyond the rounds known so far: replay.
        let seen: BTreeMap<u32, Vec<f64>> = values_upto(&values, &scheduled, &done);
        let more = next_round(&seen, &mut capped);
        if more.is_empty() {
            break;
        }
        scheduled.extend(more);
    }
    if done.len() > scheduled.len() || done[..] != scheduled[..done.len()] {
        anyhow::bail!(
            "'{}' holds runs of another sweep or shard; remove it or run without --resume",
            runs_path.display()
        );
    }
    let bar = super::progress::bar(scheduled.len() as u64, "runs", a.quiet);
    bar.set_position(done.len() as u64);
    bar.reset_eta();
    // A batch is also the unit of the resume checkpoint.
    let batch = crate::engine::Batch::Responsive.size();
    let mut pos = done.len();
    loop {
        let remaining = scheduled[pos..].to_vec();
        for chunk in remaining.chunks(batch) {
            for (p, v) in run_batch(sw, chunk, &mut runs, ts.as_mut(), col)? {
                values.entry(p).or_default().push(v);
                bar.inc(1);
            }
        }
        pos = scheduled.len();
        let more = next_round(&values, &mut capped);
        if more.is_empty() {
            break;
        }
        bar.inc_length(more.len() as u64);
        scheduled.extend(more);
    }
    bar.finish_and_clear();
    drop(runs);
    drop(ts);
    // Adaptive rounds append out of (point, replicate) order: sort.
    for (part, name) in [(&runs_path, "runs.csv"), (&ts_path, "timeseries.csv")] {
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
    if !capped.is_empty() && !a.quiet {
        println!(
            "{} point(s) hit --max-replicates {} with the CI of {} still wider than ±{}: {:?}",
            capped.len(),
            a.max_replicates,
            ci_metric,
            a.ci_width.unwrap_or_default(),
            capped
        );
    }
    if let Some(w) = a.ci_width {
        let j = serde_json::json!({"metric": ci_metric, "ci_half_width": w, "max_replicates": a.max_replicates, "capped_points": capped});
        atomic::write(&out.join("adaptive.json"), &serde_json::to_vec_pretty(&j)?)?;
    }
    let runs_text = std::fs::read_to_string(out.join("runs.csv"))?;
    files::derive(out, &sw.design, &runs_text)?;
    atomic::write(
        &out.join("scenario.toml"),
        sw.base.resolved_toml().as_bytes(),
    )?;
    render(out, sw)?;
    if let Some(chart) = &sw.base.chart {
        atomic::write(&out.join(crate::scenario::CHART_COPY), chart.as_bytes())?;
    }
    Ok(())
}

/// Mean and 95% CI per point of one metric, from summary.csv's text.
fn point_results(summary: &str, metric: &str, design: &[Vec<f64>]) -> Vec<(usize, PointResult)> {
    summary
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            if c.get(1) != Some(&metric) {
                return None;
            }
            let p = c[0].parse::<usize>().ok()?;
            Some((
                p,
                PointResult {
                    values: design.get(p)?.clone(),
                    mean: c[3].parse().ok()?,
                    ci: (c[5].parse().ok()?, c[6].parse().ok()?),
                },
            ))
        })
        .collect()
}

/// The swing of each parameter's main effect: the points grouped by the
/// parameter's value (into at most five rank bins when the values are all
/// different, as in a Latin hypercube), the metric's mean per group, and
/// the largest minus the smallest of those means.
pub fn main_effect_swings(points: &[PointResult], k: usize) -> Vec<f64> {
    (0..k)
        .map(|d| {
            let mut order: Vec<&PointResult> = points.iter().collect();
            order.sort_by(|a, b| a.values[d].total_cmp(&b.values[d]));
            let distinct = {
                let mut v: Vec<f64> = order.iter().map(|p| p.values[d]).collect();
                v.dedup();
                v.len()
            };
            let mut groups: Vec<(f64, usize)> = Vec::new();
            if distinct * 2 <= order.len() {
                let mut last = f64::NAN;
                for p in &order {
                    if p.values[d] != last {
                        groups.push((0.0, 0));
                        last = p.values[d];
                    }
                    let g = groups.last_mut().expect("a group");
                    g.0 += p.mean;
                    g.1 += 1;
                }
            } else {
                let bins = order.len().clamp(1, 5);
                groups = vec![(0.0, 0); bins];
                for (i, p) in order.iter().enumerate() {
                    let g = &mut groups[i * bins / order.len()];
                    g.0 += p.mean;
                    g.1 += 1;
                }
            }
            let means = groups.iter().filter(|g| g.1 > 0).map(|g| g.0 / g.1 as f64);
            let (lo, hi) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), m| {
                (a.min(m), b.max(m))
            });
            if hi >= lo { hi - lo } else { 0.0 }
        })
        .collect()
}

/// The sweep's figures and report page, from summary.csv alone (so merged
/// shards draw the same bytes): the model's main metric at the end of the
/// runs (final culture; code knowledge for march1991) against each
/// parameter; a heatmap of it (and, for the learning-culture model, of the
/// share of runs that tipped) when two parameters are swept; a tornado of
/// the parameters' main-effect swings when there are several; and the
/// model's own figures and table (march1991: Figures 1–5 of the paper).
fn render(out: &Path, sw: &Sweep) -> anyhow::Result<()> {
    use crate::plot::canvas::render as draw;
    use crate::plot::sweep::{Effects, Heatmap, Page, Tornado, report};
    let summary = std::fs::read_to_string(out.join("summary.csv"))?;
    let names = &sw.design.names;
    let metric = sw.base.model.primary_metric();
    // What the figures call the main metric.
    let (label, long) = match &sw.base.model {
        Models::LearningCulture(_) => ("final culture", "Final learning culture"),
        Models::March1991(_) => (
            "final code knowledge",
            "Code knowledge at the end of the runs (equilibrium or the step cap)",
        ),
        Models::Registered(_) => (metric, metric),
    };
    let culture = point_results(&summary, metric, &sw.design.points);
    // Only the learning-culture model has runs that tip.
    let tipped = point_results(&summary, "tipped", &sw.design.points);
    let mut table = format!(
        "{:>6}  {}  {metric} (95% CI){}\n",
        "point",
        names.join("  "),
        if tipped.is_empty() { "" } else { "  tipped" }
    );
    for (p, c) in &culture {
        let t = tipped.iter().find(|t| t.0 == *p).map(|t| t.1.mean);
        table.push_str(&format!(
            "{p:>6}  {}  {:.3} [{:.3}, {:.3}]{}\n",
            c.values
                .iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join("  "),
            c.mean,
            c.ci.0,
            c.ci.1,
            t.map(|t| format!("  {:.0}%", 100.0 * t))
                .unwrap_or_default()
        ));
    }
    let points: Vec<PointResult> = culture.iter().map(|c| c.1.clone()).collect();
    let name = sw.base.name();
    let mut findings = Vec::new();
    let mut figs = vec![draw(
        "effects",
        format!(
            "{long} at every sweep point (mean and 95% CI of its replicates) against each swept parameter."
        ),
        &Effects {
            scenario: name,
            metric,
            names,
            points: &points,
        },
    )?];
    let describe = |p: &PointResult| {
        names
            .iter()
            .zip(&p.values)
            .map(|(n, v)| format!("{n} = {}", format_value(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let (Some(lo), Some(hi)) = (
        points.iter().min_by(|a, b| a.mean.total_cmp(&b.mean)),
        points.iter().max_by(|a, b| a.mean.total_cmp(&b.mean)),
    ) {
        findings.push(format!(
            "{} ranges from {:.3} (at {}) to {:.3} (at {}) over {} points.",
            upper_first(label),
            lo.mean,
            describe(lo),
            hi.mean,
            describe(hi),
            points.len()
        ));
    }
    if !tipped.is_empty() {
        let tipped_runs = tipped.iter().filter(|t| t.1.mean > 0.0).count();
        findings.push(format!(
            "Runs ended in the low-culture basin (tipped) at {tipped_runs} of {} points.",
            tipped.len()
        ));
    }
    if names.len() == 2 {
        let heat_caption =
            format!("{long} (mean of the replicates) at every point of the two-parameter grid.");
        let mut maps = vec![("heatmap", label, &culture, heat_caption.as_str())];
        if !tipped.is_empty() {
            maps.push((
                "tipped",
                "share of runs tipped",
                &tipped,
                "Share of runs that ended in the low-culture basin (fewer than half of the teams above the high-culture threshold) at every grid point.",
            ));
        }
        for (fig, metric, rows, caption) in maps {
            let cells: Vec<(f64, f64, f64)> = rows
                .iter()
                .map(|(_, r)| (r.values[0], r.values[1], r.mean))
                .collect();
            figs.push(draw(
                fig,
                caption.into(),
                &Heatmap {
                    scenario: name,
                    measure: metric,
                    names: [&names[0], &names[1]],
                    cells: &cells,
                },
            )?);
        }
    }
    if names.len() > 1 {
        let swings = main_effect_swings(&points, names.len());
        let bars: Vec<(String, f64)> = names.iter().cloned().zip(swings).collect();
        let (few, share) = crate::analysis::sensitivity::vital_few(&bars, 0.8);
        if !few.is_empty() {
            findings.push(format!(
                "{} of {} parameters carry {:.0}% of the summed main-effect swing of {label}: {}.",
                few.len(),
                names.len(),
                100.0 * share,
                few.join(", ")
            ));
        }
        figs.push(draw(
            "swing",
            format!("How far each parameter moves {label} on its own: the largest minus the smallest mean over its values (its main effect), with the other parameters averaged over the design."),
            &Tornado {
                scenario: name,
                measure: &format!("main-effect swing of {label}"),
                bars: &bars,
                intervals: &[],
            },
        )?);
    }
    if let Models::March1991(_) = &sw.base.model {
        let m = crate::plot::march::sweep_outputs(
            out,
            &sw.design,
            name,
            &sw.base.raw.description,
            sw.timeseries_every.is_some(),
        )?;
        figs.splice(0..0, m.figures);
        table = format!("{}\n{table}", m.table);
    }
    std::fs::create_dir_all(out.join("plots"))?;
    for fig in &figs {
        atomic::write(
            &out.join(format!("plots/{}.svg", fig.name)),
            fig.svg.as_bytes(),
        )?;
        atomic::write(&out.join(format!("plots/{}.png", fig.name)), &fig.png)?;
    }
    let page = report(
        &Page {
            kind: "sweep",
            name,
            description: &sw.base.raw.description,
            findings: &findings,
            table: (
                &format!(
                    "mean {label} per point (95% CI){}",
                    if tipped.is_empty() {
                        ""
                    } else {
                        " and share of runs tipped"
                    }
                ),
                &table,
            ),
            prefix: "plots/",
        },
        &figs,
    );
    atomic::write(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}

/// `text` with its first letter in upper case.
fn upper_first(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Run one batch of (point, replicate) in parallel and append their rows in
/// order; returns each run's value of column `col` (for adaptive rounds).
fn run_batch(
    sw: &Sweep,
    chunk: &[(u32, u32)],
    runs: &mut Part,
    ts: Option<&mut Part>,
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
                let line = m.run_line(&run);
                (run, line, finite)
            })
        })
        .collect();
    let mut ts = ts;
    let mut values = Vec::with_capacity(outputs.len());
    for (run, line, finite) in outputs {
        // The runs before it are kept (a resume reaches the same error).
        finite.with_context(|| format!("at sweep point {}", run.id.point))?;
        if let (Some(part), Some(every)) = (ts.as_deref_mut(), sw.timeseries_every) {
            let years = crate::app::years_per_step(&sw.base.raw.time_unit);
            part.append(&files::timeseries_lines(&run, every, years))?;
        }
        let v = line
            .split(',')
            .nth(col)
            .and_then(|x| x.parse().ok())
            .unwrap_or(f64::NAN);
        runs.append(&(line + "\n"))?;
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

fn write_manifest(
    out: &Path,
    sw: &Sweep,
    shard: Option<(u32, u32)>,
    threads: usize,
    seconds: f64,
    id: &Identity,
) -> Result<(), Failure> {
    let commit = env!("CULTURESIM_GIT_COMMIT");
    let mut files = folder::files_in(out).map_err(Failure::Runtime)?;
    if !files.iter().any(|f| f == "manifest.json") {
        files.push("manifest.json".into());
        files.sort();
    }
    // A digest of runs.csv as written: merge checks that no row was edited.
    let runs_sha256 = std::fs::read(out.join("runs.csv"))
        .ok()
        .map(|b| crate::sweep::identity::sha256_bytes(&b));
    let m = serde_json::json!({
        "tool": "culturesim",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": if commit.is_empty() { None } else { Some(commit) },
        "scenario": sw.base.name(),
        "source": sw.base.source.to_string(),
        "seed": sw.base.seed,
        "common_random_numbers": true,
        "points": sw.design.points.len(),
        "replicates_per_point": sw.replicates(),
        "shard": shard.map(|(k, n)| format!("{k}/{n}")),
        "runs": sw.shard_runs(shard).len(),
        "threads": threads,
        "command_line": std::env::args().collect::<Vec<_>>(),
        "wall_time_seconds": (seconds * 1000.0).round() / 1000.0,
        "experiment": id.experiment,
        "runs_sha256": runs_sha256,
        "files": files,
    });
    let bytes = serde_json::to_vec_pretty(&m).map_err(|e| Failure::Runtime(e.into()))?;
    atomic::write(&out.join("manifest.json"), &bytes).map_err(Failure::Runtime)
}

/// `culturesim merge DIR... --out OUT`: the shards of one sweep into the
/// files of the unsharded sweep.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<(), Failure> {
    let input = |e: anyhow::Error| Failure::Input(e);
    let first = dirs
        .first()
        .ok_or_else(|| Failure::Input(anyhow!("merge needs at least one folder")))?;
    let read = |d: &Path, f: &str| {
        std::fs::read_to_string(d.join(f))
            .with_context(|| format!("cannot read '{}'", d.join(f).display()))
    };
    // A shard that stopped midway (a killed or cancelled task) has
    // runs.csv.part but no runs.csv: name it, and every shard not finished.
    let unfinished: Vec<String> = dirs
        .iter()
        .filter(|d| !d.join("runs.csv").exists() && d.join("runs.csv.part").exists())
        .map(|d| format!("'{}'", d.display()))
        .collect();
    if !unfinished.is_empty() {
        return Err(Failure::Input(anyhow!(
            "{} stopped before the end of its shard (runs.csv.part, no runs.csv){}; run the missing shards (with --resume) first",
            unfinished.join(", "),
            missing_shards(dirs)
                .map(|m| format!("; {m}"))
                .unwrap_or_default()
        )));
    }
    let scenario = read(first, "scenario.toml").map_err(input)?;
    let points = read(first, "points.csv").map_err(input)?;
    // Every folder must record the same experiment, each a different shard.
    let ids = dirs
        .iter()
        .map(|d| match Identity::read(d) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(Failure::Input(anyhow!(
                "'{}' has no {}: it is not a sweep folder of this culturesim version",
                d.display(),
                crate::sweep::identity::FILE
            ))),
            Err(e) => Err(Failure::Input(e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (d, id) in dirs.iter().zip(&ids).skip(1) {
        let diff = ids[0].differences(id, false);
        if !diff.is_empty() {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of another experiment than '{}': {}",
                d.display(),
                first.display(),
                diff.join("; ")
            )));
        }
    }
    let mut shards: Vec<Option<(u32, u32)>> = Vec::new();
    for (d, id) in dirs.iter().zip(&ids) {
        let shard = id.shard.as_deref().and_then(|s| parse_shard(s).ok());
        if shards.contains(&shard) {
            return Err(Failure::Input(anyhow!(
                "'{}' holds {} again (merge each shard once)",
                d.display(),
                shard.map_or("the whole sweep".into(), |(k, n)| format!("shard {k}/{n}"))
            )));
        }
        if let (Some(Some((_, n0))), Some((_, n))) = (shards.first(), shard)
            && *n0 != n
        {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of a {n}-way split, '{}' of a {n0}-way one",
                d.display(),
                first.display()
            )));
        }
        shards.push(shard);
    }
    let mut run_lines = Vec::new();
    let mut ts_lines = Vec::new();
    let mut runs_header = None;
    let mut ts_header = None;
    let mut with_ts = true;
    let sw = Sweep::load(&scenario, Source::File(first.join("scenario.toml")), &[])
        .map_err(|e| Failure::Input(e.into()))?;
    let n_points = sw.design.points.len() as u64;
    let reps = u64::from(sw.replicates());
    let adaptive = ids[0].adaptive.is_some();
    for (d, shard) in dirs.iter().zip(&shards) {
        if read(d, "scenario.toml").map_err(input)? != scenario
            || read(d, "points.csv").map_err(input)? != points
        {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of another sweep (its scenario.toml or points.csv differs from '{}')",
                d.display(),
                first.display()
            )));
        }
        let runs = read(d, "runs.csv").map_err(input)?;
        let mut l = runs.lines();
        let h = l.next().unwrap_or("").to_string();
        if runs_header.get_or_insert_with(|| h.clone()) != &h {
            return Err(Failure::Input(anyhow!(
                "'{}': runs.csv header differs",
                d.display()
            )));
        }
        let width = h.split(',').count();
        for (i, line) in l.enumerate() {
            check_row(line, width, n_points, reps, adaptive, *shard).map_err(|e| {
                Failure::Input(anyhow!("{}:{}: {e}", d.join("runs.csv").display(), i + 2))
            })?;
            run_lines.push(line.to_string());
        }
        // Every row is sound; now check none was edited.
        let recorded = std::fs::read_to_string(d.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| m["runs_sha256"].as_str().map(String::from));
        match recorded {
            Some(h) if h == crate::sweep::identity::sha256_bytes(runs.as_bytes()) => {}
            Some(_) => {
                return Err(Failure::Input(anyhow!(
                    "'{}' was changed after the sweep wrote it (its SHA-256 differs from the one in manifest.json); run that shard again",
                    d.join("runs.csv").display()
                )));
            }
            None => {
                return Err(Failure::Input(anyhow!(
                    "'{}' records no runs_sha256: the shard did not finish, or was written by another culturesim version",
                    d.join("manifest.json").display()
                )));
            }
        }
        match std::fs::read_to_string(d.join("timeseries.csv")) {
            Ok(t) => {
                let mut l = t.lines();
                let h = l.next().unwrap_or("").to_string();
                if ts_header.get_or_insert_with(|| h.clone()) != &h {
                    return Err(Failure::Input(anyhow!(
                        "'{}': timeseries.csv header differs",
                        d.display()
                    )));
                }
                let width = h.split(',').count();
                for (i, line) in l.enumerate() {
                    check_row(line, width, n_points, reps, adaptive, *shard).map_err(|e| {
                        Failure::Input(anyhow!(
                            "{}:{}: {e}",
                            d.join("timeseries.csv").display(),
                            i + 2
                        ))
                    })?;
                    ts_lines.push(line.to_string());
                }
            }
            Err(_) => with_ts = false,
        }
    }
    files::sort_lines(&mut run_lines);
    let n = run_lines.len();
    run_lines.dedup_by(|a, b| files::line_key(a) == files::line_key(b));
    if run_lines.len() != n {
        return Err(Failure::Input(anyhow!(
            "the folders hold the same runs more than once (merge each shard once)"
        )));
    }
    let expected = sw.runs().len();
    if run_lines.len() != expected && !adaptive {
        return Err(Failure::Input(anyhow!(
            "the shards hold {} of the sweep's {expected} runs{}; run the missing shards (with --resume) first",
            run_lines.len(),
            missing_shards(dirs)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        )));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", out.display())))?;
    // The merged folder is the sweep's own: one writer, no foreign files,
    // nothing left of an earlier merge.
    let _lock = FolderLock::acquire(out).map_err(Failure::Input)?;
    folder::clean_stale(out, true);
    for f in folder::check_owned(out, SWEEP_FILES).map_err(Failure::Input)? {
        let _ = std::fs::remove_file(out.join(f));
    }
    let runtime = Failure::Runtime;
    let runs_text = format!(
        "{}\n{}\n",
        runs_header.unwrap_or_default(),
        run_lines.join("\n")
    );
    atomic::write(&out.join("runs.csv"), runs_text.as_bytes()).map_err(runtime)?;
    if with_ts && !ts_lines.is_empty() {
        files::sort_lines(&mut ts_lines);
        let text = format!(
            "{}\n{}\n",
            ts_header.unwrap_or_default(),
            ts_lines.join("\n")
        );
        atomic::write(&out.join("timeseries.csv"), text.as_bytes()).map_err(Failure::Runtime)?;
    }
    files::derive(out, &sw.design, &runs_text).map_err(Failure::Runtime)?;
    atomic::write(&out.join("scenario.toml"), scenario.as_bytes()).map_err(Failure::Runtime)?;
    render(out, &sw).map_err(Failure::Runtime)?;
    if let Ok(chart) = std::fs::read(first.join(crate::scenario::CHART_COPY)) {
        atomic::write(&out.join(crate::scenario::CHART_COPY), &chart).map_err(Failure::Runtime)?;
    }
    let id = Identity::of(&sw, None, ids[0].adaptive.clone());
    id.write(out).map_err(Failure::Runtime)?;
    write_manifest(out, &sw, None, 0, 0.0, &id)?;
    if !quiet {
        println!(
            "merged {} folders: {} runs -> {}",
            dirs.len(),
            run_lines.len(),
            out.display()
        );
    }
    Ok(())
}

/// Check one data line of a shard's runs.csv or timeseries.csv: its field
/// count, a point and replicate inside the design (and in the folder's
/// shard), an integer step, and every value a finite number or empty.
fn check_row(
    line: &str,
    width: usize,
    points: u64,
    replicates: u64,
    adaptive: bool,
    shard: Option<(u32, u32)>,
) -> anyhow::Result<()> {
    let cells: Vec<&str> = line.split(',').collect();
    if cells.len() != width {
        anyhow::bail!("has {} fields, the header {width}", cells.len());
    }
    let int = |i: usize, what: &str| -> anyhow::Result<u64> {
        cells[i]
            .parse::<u64>()
            .map_err(|_| anyhow!("{what} must be a whole number, got '{}'", cells[i]))
    };
    let p = int(0, "point")?;
    let r = int(1, "replicate")?;
    int(2, "the third column")?;
    if p >= points {
        anyhow::bail!("point {p} is outside the design (points 0..{points})");
    }
    if !adaptive && r >= replicates {
        anyhow::bail!("replicate {r} is outside the design (replicates 0..{replicates})");
    }
    if let Some((k, n)) = shard {
        let index = p * replicates + r;
        if index % u64::from(n) != u64::from(k - 1) {
            anyhow::bail!("run (point {p}, replicate {r}) does not belong to shard {k}/{n}");
        }
    }
    for (i, c) in cells.iter().enumerate().skip(3) {
        if !c.is_empty() && !c.parse::<f64>().is_ok_and(f64::is_finite) {
            anyhow::bail!("column {} holds '{c}', not a finite number", i + 1);
        }
    }
    Ok(())
}

/// Which shards of `K/N` have no finished folder among `dirs`, from the
/// `shard` of each folder's manifest.json: "shards 1, 2 of 4 are not
/// finished". None when the folders are not shards of one split.
fn missing_shards(dirs: &[PathBuf]) -> Option<String> {
    let mut finished = std::collections::BTreeSet::new();
    let mut of = None;
    for d in dirs {
        let Ok(text) = std::fs::read_to_string(d.join("manifest.json")) else {
            continue;
        };
        let shard = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|m| m["shard"].as_str().and_then(|s| parse_shard(s).ok()));
        if let Some((k, n)) = shard {
            if *of.get_or_insert(n) != n {
                return None;
            }
            finished.insert(k);
        }
    }
    let n = of?;
    let missing: Vec<String> = (1..=n)
        .filter(|k| !finished.contains(k))
        .map(|k| k.to_string())
        .collect();
    match missing.len() {
        0 => None,
        1 => Some(format!("shard {} of {n} is not finished", missing[0])),
        _ => Some(format!(
            "shards {} of {n} are not finished",
            missing.join(", ")
        )),
    }
}
