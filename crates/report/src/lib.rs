//! Figures and the HTML report of a finished run, made from the run's
//! files only (so `culturesim plot DIR` reproduces exactly what `run`
//! wrote). Each chart is a function from loaded data to an SVG string and
//! PNG bytes; [`render_dir`] is the one place that writes files, each
//! atomically.
//!
//! - [`data`]: load a run folder (quantiles, teams matrix, summary, events)
//!   only through the core's one type per file (`culturesim_core::export`),
//!   with a [`data::LoadError`] naming the file and the field;
//! - [`style`], [`canvas`], [`timeline`]: fonts, palette, shared drawing;
//! - [`culture`], [`metrics`], [`teams`], [`outcomes`], [`shock`],
//!   [`loops`]: the six figures;
//! - [`narrative`]: plain-language sentences from the measured numbers;
//! - [`report`]: the self-contained `report.html`;
//! - [`compare`]: several runs overlaid in one chart and one report;
//! - [`march`]: the figures and tables of March's (1991) model (runs and
//!   sweeps);
//! - [`calibrate`]: the corner plot, predictive check, forecast and
//!   report page of `culturesim calibrate`.

#![warn(missing_docs)]

pub mod calibrate;
pub mod canvas;
pub mod compare;
pub mod culture;
pub mod data;
pub mod hysteresis;
pub mod loops;
pub mod march;
pub mod metrics;
pub mod narrative;
pub mod optimize;
pub mod outcomes;
pub mod registered;
pub mod report;
pub mod seats;
pub mod sensitivity;
pub mod shock;
pub mod style;
pub mod sweep;
pub mod teams;
pub mod timeline;
pub mod timing;
pub mod warning;

use anyhow::{Context, Result};
use canvas::{Figure, render};
use culturesim_core::export::atomic;
use data::RunData;
use std::path::{Path, PathBuf};

/// Folder (inside a run folder) that holds the figures.
pub const PLOTS: &str = "plots";
/// The report's file name.
pub const REPORT: &str = "report.html";

/// Names (file stems) of the figures a run with or without a shock gets,
/// in report order.
pub fn figure_names(has_shock: bool) -> Vec<&'static str> {
    let mut v = vec!["culture", "metrics", "teams", "outcomes"];
    if has_shock {
        v.push("shock");
    }
    v.push("loops");
    v
}

/// Every file [`render_dir`] writes, relative to the run folder.
pub fn files(has_shock: bool) -> Vec<String> {
    let mut v: Vec<String> = figure_names(has_shock)
        .into_iter()
        .flat_map(|n| [format!("{PLOTS}/{n}.png"), format!("{PLOTS}/{n}.svg")])
        .collect();
    v.push(REPORT.to_string());
    v
}

/// Every figure of a loaded run, in report order.
pub fn figures(run: &RunData) -> Result<Vec<Figure>> {
    let y = run.years_per_step();
    let mut out = vec![
        render(
            "culture",
            culture_caption(run),
            &culture::CultureChart::new(run),
        )?,
        render(
            "metrics",
            "The other key metrics over time: mean of the runs (line) and the middle 50% of runs (band); vertical lines mark one-off events.".into(),
            &metrics::MetricsChart::new(run),
        )?,
        render(
            "teams",
            "Local culture of every team over time (mean over runs), teams grouped by division in org-chart order: where the culture melts first.".into(),
            &teams::TeamsChart::new(run),
        )?,
        render(
            "outcomes",
            "Final outcomes across runs: how many runs ended at each level of culture, knowledge and belief.".into(),
            &outcomes::OutcomesChart::new(run),
        )?,
    ];
    if let Some(sh) = &run.summary.shock {
        out.push(render(
            "shock",
            format!(
                "Build-up and erosion around \u{201c}{}\u{201d} (year {:.1}): {}{}",
                sh.event.label,
                f64::from(sh.event.step) * y,
                match &sh.note {
                    None => "the same band of culture (shaded) built before the shock and lost after it, each crossing timed, compared like for like.".to_string(),
                    Some(note) => format!("{note}."),
                },
                sh.unit
                    .as_ref()
                    .map(|u| format!(" The dashed line is {} itself.", u.title()))
                    .unwrap_or_default()
            ),
            &shock::ShockChart::new(run),
        )?);
    }
    out.push(render(
        "loops",
        "The model's causal loops: the reinforcing learning \u{2194} culture loop R1 and the balancing loops; the scenario's interventions are highlighted.".into(),
        &loops::LoopsChart::new(run),
    )?);
    Ok(out)
}

fn culture_caption(run: &RunData) -> String {
    format!(
        "Learning culture of the organization over {:.0} years: mean of {} runs with the bands that hold the middle 50% and 90% of runs; events as labelled lines.",
        run.span_years(),
        run.series.n_runs()
    )
}

/// What [`render_dir`] wrote.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The report.
    pub report: PathBuf,
    /// Every file written (figures and report).
    pub files: Vec<PathBuf>,
}

/// Load the run in `dir`, render every figure and the report, and write
/// them (`<dir>/plots/*.png|svg`, `<dir>/report.html`), each atomically.
pub fn render_dir(dir: &Path) -> Result<Rendered> {
    render_run(&data::load(dir)?)
}

/// Render every figure and the report of a loaded run into its folder.
pub fn render_run(run: &RunData) -> Result<Rendered> {
    let figs = figures(run)?;
    let html = report::report(run, &figs);
    write_outputs(&run.dir, &figs, &html)
}

/// Write figures under `<dir>/plots/` and the report as `<dir>/report.html`.
pub fn write_outputs(dir: &Path, figs: &[Figure], html: &str) -> Result<Rendered> {
    let plots = dir.join(PLOTS);
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("cannot create folder '{}'", plots.display()))?;
    let mut files = Vec::new();
    for f in figs {
        for (ext, bytes) in [("png", f.png.as_slice()), ("svg", f.svg.as_bytes())] {
            let path = plots.join(format!("{}.{ext}", f.name));
            atomic::write(&path, bytes)?;
            files.push(path);
        }
    }
    let report = dir.join(REPORT);
    atomic::write(&report, html.as_bytes())?;
    files.push(report.clone());
    Ok(Rendered { report, files })
}

/// The figures of a run folder as the core's [`simulate::Figures`] hook
/// (what `culturesim run` and the Python package pass to
/// [`simulate::run`]): each model's figures, drawn from the files just
/// written, exactly as `culturesim plot DIR` draws them.
///
/// [`simulate::Figures`]: culturesim_core::simulate::Figures
/// [`simulate::run`]: culturesim_core::simulate::run
pub struct RunFigures;

impl culturesim_core::simulate::Figures for RunFigures {
    fn files(&self, model: &culturesim_core::model::Models, shocked: bool) -> Vec<String> {
        use culturesim_core::model::Models;
        match model {
            Models::LearningCulture(_) => files(shocked),
            Models::March1991(_) => march::run_files(),
            Models::Registered(m) => registered::run_files(m.entry()),
        }
    }
    fn draw(&self, dir: &Path, model: &culturesim_core::model::Models) -> Result<()> {
        use culturesim_core::model::Models;
        match model {
            Models::LearningCulture(_) => render_dir(dir).map(|_| ()),
            Models::March1991(_) => march::render_run_dir(dir).map(|_| ()),
            Models::Registered(m) => registered::render_run_dir(dir, m.entry()).map(|_| ()),
        }
    }
}
