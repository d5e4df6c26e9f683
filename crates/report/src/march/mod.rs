//! Figures and tables of March's (1991) model, made from a finished run's
//! or sweep's files only (so merged shards and `culturesim plot DIR` draw
//! the same bytes):
//!
//! - [`ParamLines`]: a metric's mean and 95% CI against a swept parameter,
//!   one line per value of a second parameter — March's Figures 1, 2 and 4
//!   (and, with the fast and slow learners as lines, Figure 3);
//! - [`Trajectories`]: a metric's mean over time, one line per point (or
//!   per metric), with the band of the middle 50% of runs for a single
//!   line — Figure 5 and the figure of `culturesim run`;
//! - [`cross_table`]: the table behind Figure 1 (rows one parameter,
//!   columns the other, cells mean and 95% CI).
//!
//! A run that stopped at equilibrium is in a state nothing changes any
//! more, so over time it holds its last value: trajectories carry each
//! stopped run's last row forward to the longest run.

mod charts;

pub use charts::{Dot, Line, ParamLines, Series, Trajectories};

use super::canvas::{self, Figure};
use super::data::{self, LoadError, ScenarioInfo};
use super::report::{esc, figures_html, page_end, page_start};
use anyhow::{Result, anyhow};
use charts::{describe, short};
use culturesim_core::analysis::stats::percentile;
use culturesim_core::export::atomic;
use culturesim_core::export::summary::SummaryFile;
use culturesim_core::export::timeseries::Timeseries;
use culturesim_core::export::timeseries::format_value;
use culturesim_core::scenario::raw::RawScenario;
use culturesim_core::sweep::design::Design;
use culturesim_core::sweep::files::PointStats;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Per (point, metric): (n, mean, 95% CI low, high), from summary.csv.
pub type Stats = BTreeMap<(u32, String), (usize, f64, f64, f64)>;

/// The statistics of a sweep's summary.csv that have a mean and an
/// interval.
pub fn read_summary(file: &PointStats) -> Stats {
    file.rows
        .iter()
        .filter_map(|r| {
            let (lo, hi) = r.ci95()?;
            Some(((r.point, r.metric.clone()), (r.n, r.mean()?, lo, hi)))
        })
        .collect()
}

/// The swept parameter on the x axis (the one with most distinct values,
/// the first on ties) and the one whose values are the lines (if two).
fn axes(design: &Design) -> (usize, Option<usize>) {
    let distinct = |d: usize| {
        let mut v: Vec<f64> = design.points.iter().map(|p| p[d]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v.len()
    };
    let k = design.names.len();
    let x = (0..k).max_by_key(|&d| (distinct(d), k - d)).unwrap_or(0);
    let group = (0..k).find(|&d| d != x && k == 2);
    (x, group)
}

/// Lines of `metric` against the x parameter, one per value of the group
/// parameter (points with the same x and group are distinct only in
/// parameters beyond the second, which this chart does not separate).
fn lines_of(design: &Design, stats: &Stats, metric: &str, label: &str) -> Vec<Line> {
    let (x, group) = axes(design);
    let mut by: BTreeMap<String, (f64, Vec<Dot>)> = BTreeMap::new();
    for (p, values) in design.points.iter().enumerate() {
        let Some(&(n, mean, lo, hi)) = stats.get(&(p as u32, metric.to_string())) else {
            continue;
        };
        if n == 0 {
            continue;
        }
        let (key, name) = match group {
            Some(g) => (
                values[g],
                format!(
                    "{} = {}",
                    design.names[g].trim_start_matches("march."),
                    format_value(values[g])
                ),
            ),
            None => (0.0, label.to_string()),
        };
        let e = by.entry(name).or_insert((key, Vec::new()));
        let ci = if lo.is_finite() {
            (lo, hi)
        } else {
            (mean, mean)
        };
        e.1.push(Dot {
            x: values[x],
            mean,
            ci,
        });
    }
    let mut lines: Vec<(f64, Line)> = by
        .into_iter()
        .map(|(label, (key, mut dots))| {
            dots.sort_by(|a, b| a.x.total_cmp(&b.x));
            (key, Line { label, dots })
        })
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// The table of `metric` over the design: for two swept parameters, rows
/// are the x parameter's values and columns the other's; otherwise one
/// row per point. Cells: mean [95% CI].
pub fn cross_table(design: &Design, stats: &Stats, metric: &str) -> String {
    let cell = |p: usize| match stats.get(&(p as u32, metric.to_string())) {
        Some(&(n, mean, lo, hi)) if n > 0 && lo.is_finite() => {
            format!("{mean:.3} [{lo:.3}, {hi:.3}]")
        }
        Some(&(n, mean, _, _)) if n > 0 => format!("{mean:.3}"),
        _ => "—".into(),
    };
    let mut out = format!("{metric}: mean [95% CI] over runs\n");
    let (x, group) = axes(design);
    if let Some(g) = group {
        let mut cols: Vec<f64> = design.points.iter().map(|p| p[g]).collect();
        cols.sort_by(f64::total_cmp);
        cols.dedup();
        let mut rows: Vec<f64> = design.points.iter().map(|p| p[x]).collect();
        rows.sort_by(f64::total_cmp);
        rows.dedup();
        let xn = design.names[x].trim_start_matches("march.");
        let gn = design.names[g].trim_start_matches("march.");
        out.push_str(&format!("{:>8}", xn));
        for c in &cols {
            out.push_str(&format!(
                " | {:^22}",
                format!("{gn} = {}", format_value(*c))
            ));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out.push_str(&"-".repeat(8 + cols.len() * 25));
        out.push('\n');
        for r in &rows {
            out.push_str(&format!("{:>8}", format_value(*r)));
            for c in &cols {
                let p = design.points.iter().position(|v| v[x] == *r && v[g] == *c);
                out.push_str(&format!(
                    " | {:^22}",
                    p.map(cell).unwrap_or_else(|| "—".into())
                ));
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
        }
    } else {
        let names: Vec<&str> = design
            .names
            .iter()
            .map(|n| n.trim_start_matches("march."))
            .collect();
        out.push_str(&format!("{:>6}  {}  {metric}\n", "point", names.join("  ")));
        for (p, values) in design.points.iter().enumerate() {
            let v: Vec<String> = values.iter().map(|v| format!("{v:.4}")).collect();
            out.push_str(&format!("{p:>6}  {}  {}\n", v.join("  "), cell(p)));
        }
    }
    out
}

/// Per point, per step: the mean (and for one point the 25th and 75th
/// percentiles) of `metric` over its runs in timeseries.csv, each stopped
/// run carried forward at its last value to the longest run.
pub fn trajectories(timeseries: &Timeseries, metric: &str) -> Result<BTreeMap<u32, Series>> {
    let col = timeseries
        .metric(metric)
        .ok_or_else(|| anyhow!("timeseries.csv has no column '{metric}'"))?;
    // runs[point][replicate] = (step, value)...
    let mut runs: BTreeMap<u32, BTreeMap<u32, Vec<(usize, f64)>>> = BTreeMap::new();
    for row in &timeseries.rows {
        runs.entry(row.point)
            .or_default()
            .entry(row.replicate)
            .or_default()
            .push((row.step, row.values[col]));
    }
    let len = runs
        .values()
        .flat_map(|p| p.values())
        .filter_map(|r| r.last().map(|x| x.0 + 1))
        .max()
        .unwrap_or(0);
    let single = runs.len() == 1;
    let mut out = BTreeMap::new();
    for (p, reps) in runs {
        // Each run on the full grid of steps: rows written every k steps
        // are held until the next one; a stopped run holds its last row.
        let filled: Vec<Vec<f64>> = reps
            .values()
            .map(|rows| {
                let mut v = Vec::with_capacity(len);
                let mut j = 0;
                for s in 0..len {
                    while j + 1 < rows.len() && rows[j + 1].0 <= s {
                        j += 1;
                    }
                    v.push(rows[j].1);
                }
                v
            })
            .collect();
        let at = |s: usize| -> Vec<f64> {
            let mut x: Vec<f64> = filled
                .iter()
                .map(|r| r[s])
                .filter(|v| !v.is_nan())
                .collect();
            x.sort_by(f64::total_cmp);
            x
        };
        let mean: Vec<f64> = (0..len)
            .map(|s| {
                let x = at(s);
                if x.is_empty() {
                    f64::NAN
                } else {
                    x.iter().sum::<f64>() / x.len() as f64
                }
            })
            .collect();
        let band = single.then(|| {
            let lo = (0..len).map(|s| percentile(&at(s), 0.25)).collect();
            let hi = (0..len).map(|s| percentile(&at(s), 0.75)).collect();
            (lo, hi)
        });
        out.insert(
            p,
            Series {
                label: String::new(),
                mean,
                band,
            },
        );
    }
    Ok(out)
}

/// What a sweep of March's model adds to the generic sweep outputs.
pub struct SweepOutputs {
    /// Figures, in report order.
    pub figures: Vec<Figure>,
    /// The table of the main metric (also written as `table.txt`).
    pub table: String,
}

/// The figures and table of a finished sweep of March's model, from its
/// summary.csv (and its timeseries.csv, when the sweep writes one) in `out`.
pub fn sweep_outputs(
    out: &Path,
    design: &Design,
    name: &str,
    description: &str,
    timeseries: bool,
) -> Result<SweepOutputs> {
    let stats = read_summary(&PointStats::read(&out.join("summary.csv"))?);
    let (x, _) = axes(design);
    let x_desc = short(&design.names[x]);
    let mut figures = Vec::new();
    let lines = lines_of(design, &stats, "code_knowledge", "code knowledge");
    let subtitle = format!(
        "{name} · mean and 95% CI of the runs at each point, at the end of each run (equilibrium or the step cap)"
    );
    figures.push(canvas::render(
        "march-knowledge",
        format!(
            "Code knowledge at the end of each run against {x_desc}: mean and 95% CI of the runs of each point{}.",
            if lines.len() > 1 { ", one line per value of the other swept parameter" } else { "" }
        ),
        &ParamLines {
            title: "Code knowledge",
            subtitle: &subtitle,
            x_desc: &x_desc,
            y_desc: describe("code_knowledge"),
            lines: &lines,
        },
    )?);
    let both = learners_apart(design, &stats);
    if both {
        figures.extend(learners_figure(design, &stats, &x_desc, &subtitle)?);
    }
    if timeseries {
        figures.push(trajectories_figure(out, design, name)?);
    }
    let mut table = cross_table(design, &stats, "code_knowledge");
    if both {
        for m in ["knowledge_fast", "knowledge_slow"] {
            table.push('\n');
            table.push_str(&cross_table(design, &stats, m));
        }
    }
    if !description.is_empty() {
        table = format!("{name}: {description}\n\n{table}");
    }
    atomic::write(&out.join("table.txt"), table.as_bytes())?;
    Ok(SweepOutputs { figures, table })
}

/// Whether the sweep shows fast and slow learners apart: some point has
/// both and its runs did not all end at equilibrium (where everyone holds
/// the code's beliefs).
fn learners_apart(design: &Design, stats: &Stats) -> bool {
    (0..design.points.len() as u32).any(|p| {
        let has = |m: &str| stats.get(&(p, m.to_string())).is_some_and(|s| s.0 > 0);
        let settled = stats
            .get(&(p, "equilibrium".to_string()))
            .is_some_and(|s| s.1 == 1.0);
        has("knowledge_fast") && has("knowledge_slow") && !settled
    })
}

/// The figure of the fast and the slow learners' and the code's knowledge
/// against the x parameter (`x_desc`), for a one-parameter design (none
/// otherwise, or without the lines).
fn learners_figure(
    design: &Design,
    stats: &Stats,
    x_desc: &str,
    subtitle: &str,
) -> Result<Option<Figure>> {
    let mut learners = Vec::new();
    for (metric, label) in [
        ("knowledge_fast", "fast learners"),
        ("knowledge_slow", "slow learners"),
        ("code_knowledge", "the code"),
    ] {
        if let Some(mut l) = lines_of(design, stats, metric, label)
            .into_iter()
            .next()
            .filter(|_| axes(design).1.is_none())
        {
            l.label = label.into();
            learners.push(l);
        }
    }
    if learners.is_empty() {
        return Ok(None);
    }
    Ok(Some(canvas::render(
        "march-learners",
        format!(
            "Knowledge of the fast and the slow learners and of the code at the end of each run, against {x_desc}: mean and 95% CI."
        ),
        &ParamLines {
            title: "Fast and slow learners",
            subtitle,
            x_desc,
            y_desc: "knowledge (Σ belief·reality / m)",
            lines: &learners,
        },
    )?))
}

/// The figure of code knowledge over time from the sweep's time series
/// in `out` (timeseries.csv or .parquet): the mean of the runs of each of the first eight points,
/// labelled with its parameter values.
fn trajectories_figure(out: &Path, design: &Design, name: &str) -> Result<Figure> {
    let ts = Timeseries::read_in(out)?;
    let traj = trajectories(&ts, "code_knowledge")?;
    let series: Vec<Series> = traj
        .into_iter()
        .take(8)
        .map(|(p, mut s)| {
            s.band = None;
            s.label = design
                .names
                .iter()
                .zip(&design.points[p as usize])
                .map(|(n, v)| format!("{} = {}", n.trim_start_matches("march."), format_value(*v)))
                .collect::<Vec<_>>()
                .join(", ");
            s
        })
        .collect();
    let sub = format!(
        "{name} · mean of the runs of each point; a run that reached equilibrium holds its last value"
    );
    canvas::render(
        "march-trajectories",
        "Code knowledge over time: the mean of the runs of each sweep point (the first eight)."
            .into(),
        &Trajectories {
            title: "Code knowledge over time",
            subtitle: &sub,
            y_desc: describe("code_knowledge"),
            series: &series,
        },
    )
}

/// Files [`render_run_dir`] writes, relative to the run folder.
pub fn run_files() -> Vec<String> {
    vec![
        "plots/march-run.png".into(),
        "plots/march-run.svg".into(),
        "report.html".into(),
    ]
}

/// A finished `culturesim run` of March's model, read through the core's
/// types of its files.
#[derive(Debug, Clone)]
pub struct MarchRun {
    /// The folder.
    pub dir: PathBuf,
    /// scenario.toml.
    pub scenario: ScenarioInfo,
    /// summary.json.
    pub summary: SummaryFile,
    /// timeseries.csv.
    pub timeseries: Timeseries,
}

/// Load a finished run of March's model: every file a complete run has,
/// or a [`LoadError`] naming the file (bad input, like a learning-culture
/// folder).
pub fn load_run(dir: &Path) -> Result<MarchRun, LoadError> {
    data::check_dir(dir)?;
    Ok(MarchRun {
        dir: dir.to_path_buf(),
        summary: data::read_summary(dir)?,
        scenario: data::read_scenario(dir)?,
        timeseries: data::read_timeseries(dir)?,
    })
}

/// The figure and report of a finished `culturesim run` of March's model
/// in `dir` (see [`render_run`]).
pub fn render_run_dir(dir: &Path) -> Result<super::Rendered> {
    render_run(&load_run(dir)?)
}

/// The figure and report of a finished `culturesim run` of March's model:
/// code knowledge (with the middle 50% of runs), mean individual
/// knowledge and the share of dimensions the code has right, over time.
pub fn render_run(run: &MarchRun) -> Result<super::Rendered> {
    let (dir, ts) = (run.dir.as_path(), &run.timeseries);
    let (name, description) = (
        run.scenario.name.as_str(),
        run.scenario.description.as_str(),
    );
    let mut series = Vec::new();
    for (metric, label) in [
        ("code_knowledge", "code knowledge"),
        ("knowledge", "mean individual knowledge"),
        ("code_correct", "share of dimensions the code has right"),
    ] {
        let mut s = trajectories(ts, metric)?
            .into_values()
            .next()
            .ok_or_else(|| anyhow!("timeseries.csv holds no runs"))?;
        s.label = label.into();
        if metric != "code_knowledge" {
            s.band = None;
        }
        series.push(s);
    }
    let runs = run.summary.runs;
    let sub = format!(
        "{name} · mean of {}; a run that reached equilibrium holds its last value",
        canvas::runs(runs)
    );
    let fig = canvas::render(
        "march-run",
        format!(
            "Knowledge over time: means of {} (the code's knowledge with the band of the middle 50% of runs).",
            canvas::runs(runs)
        ),
        &Trajectories {
            title: "Mutual learning of the code and the individuals",
            subtitle: &sub,
            y_desc: "knowledge",
            series: &series,
        },
    )?;
    let mut h = page_start(&format!("{name} — March (1991)"));
    h.push_str(&format!(
        "<header><p class=\"eyebrow\">culturesim run · march1991</p><h1>{}</h1><p class=\"lead\">{}</p></header>\n<h2>Figures</h2>\n",
        esc(name),
        esc(description)
    ));
    h.push_str(&figures_html(std::slice::from_ref(&fig), "plots/"));
    h.push_str(&page_end());
    let figs = [fig];
    super::write_outputs(dir, &figs, &h)
}

/// Whether a run folder holds a run of March's model (its scenario.toml
/// says `model = "march1991"`).
pub fn is_march_dir(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("scenario.toml"))
        .ok()
        .and_then(|t| toml::from_str::<RawScenario>(&t).ok())
        .is_some_and(|raw| raw.model == "march1991")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        Design {
            names: vec!["march.p1".into(), "march.p2".into()],
            points: vec![
                vec![0.1, 0.5],
                vec![0.1, 0.9],
                vec![0.5, 0.5],
                vec![0.5, 0.9],
                vec![0.9, 0.5],
                vec![0.9, 0.9],
            ],
            baseline: 0,
        }
    }

    fn stats() -> Stats {
        let mut s = Stats::new();
        for p in 0..6u32 {
            let m = 0.9 - 0.02 * f64::from(p);
            s.insert((p, "code_knowledge".into()), (10, m, m - 0.01, m + 0.01));
        }
        s
    }

    #[test]
    fn axes_put_the_longer_list_on_x() {
        assert_eq!(axes(&design()), (0, Some(1)));
        let mut d = design();
        d.names.reverse();
        for p in &mut d.points {
            p.reverse();
        }
        assert_eq!(axes(&d), (1, Some(0)));
    }

    #[test]
    fn cross_table_has_a_row_per_x_and_a_column_per_group() {
        let t = cross_table(&design(), &stats(), "code_knowledge");
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[1].contains("p2 = 0.5") && lines[1].contains("p2 = 0.9"),
            "{t}"
        );
        assert_eq!(
            lines[3], "     0.1 |  0.900 [0.890, 0.910]  |  0.880 [0.870, 0.890]",
            "{t}"
        );
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn trajectories_carry_stopped_runs_forward() {
        let ts = "point,replicate,step,code_knowledge\n0,0,0,0\n0,0,1,0.5\n0,1,0,0\n0,1,1,0.2\n0,1,2,0.4\n0,1,3,0.6\n";
        let ts = Timeseries::parse(ts, Path::new("timeseries.csv")).unwrap();
        let t = trajectories(&ts, "code_knowledge").unwrap();
        let s = &t[&0];
        assert_eq!(s.mean, vec![0.0, 0.35, 0.45, 0.55]);
        assert!(s.band.is_some());
    }

    #[test]
    fn charts_render() {
        let lines = lines_of(&design(), &stats(), "code_knowledge", "x");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].label, "p2 = 0.5");
        let f = canvas::render(
            "march-knowledge",
            "c".into(),
            &ParamLines {
                title: "t",
                subtitle: "s",
                x_desc: "x",
                y_desc: "y",
                lines: &lines,
            },
        )
        .unwrap();
        assert!(f.svg.contains("<svg") && f.png.len() > 1000);
        let series = vec![Series {
            label: "a".into(),
            mean: vec![0.0, 0.5, 0.7],
            band: Some((vec![0.0, 0.4, 0.6], vec![0.0, 0.6, 0.8])),
        }];
        let g = canvas::render(
            "march-trajectories",
            "c".into(),
            &Trajectories {
                title: "t",
                subtitle: "s",
                y_desc: "y",
                series: &series,
            },
        )
        .unwrap();
        assert!(g.svg.contains("<svg"));
    }
}
