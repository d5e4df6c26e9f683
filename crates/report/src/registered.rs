//! The figures and report of a run of a registered model (a model outside
//! culturesim's source, registered through
//! `culturesim_core::model::registry`): the figures its registration
//! declares, drawn from timeseries.csv (mean with the band of the middle
//! 50% of runs), and a report with its description, its text, the final
//! value of every metric (mean and 95% interval from summary.json) and the
//! table of its parameters as the run resolved them.

use super::canvas;
use super::data::{self, LoadError};
use super::march::{Trajectories, trajectories};
use super::report::{esc, figures_html, page_end, page_start};
use anyhow::{Result, anyhow};
use culturesim_core::export::ReadError;
use culturesim_core::export::summary::SummaryFile;
use culturesim_core::export::timeseries::Timeseries;
use culturesim_core::model::registry::{self, Entry, Figure};
use std::path::Path;

/// The registered model a run folder holds (its scenario.toml names a
/// model registered in this process).
pub fn entry_of_dir(dir: &Path) -> Option<&'static dyn Entry> {
    let text = std::fs::read_to_string(dir.join("scenario.toml")).ok()?;
    let t: toml::Table = toml::from_str(&text).ok()?;
    registry::find(t.get("model")?.as_str()?)
}

/// Every file [`render_run_dir`] writes for `entry`, relative to the run
/// folder (what the manifest lists before the figures are drawn).
pub fn run_files(entry: &dyn Entry) -> Vec<String> {
    let mut v: Vec<String> = entry
        .figures()
        .iter()
        .flat_map(|f| {
            let Figure::Lines { file, .. } = f;
            [format!("plots/{file}.png"), format!("plots/{file}.svg")]
        })
        .collect();
    v.push(super::REPORT.to_string());
    v
}

/// A finished run of a registered model, read through the core's types.
#[derive(Debug, Clone)]
pub struct RegisteredRun {
    /// The folder.
    pub dir: std::path::PathBuf,
    /// summary.json.
    pub summary: SummaryFile,
    /// timeseries.csv.
    pub timeseries: Timeseries,
    /// scenario.toml as a table (the model's section is the plugin's own).
    pub scenario: toml::Table,
}

/// Load the run in `dir`: a missing or malformed file is bad input.
pub fn load_run(dir: &Path) -> Result<RegisteredRun, LoadError> {
    data::check_dir(dir)?;
    let path = dir.join("scenario.toml");
    let text = ReadError::read_to_string(&path).map_err(|e| LoadError::of(e, dir))?;
    let scenario = toml::from_str(&text).map_err(|e: toml::de::Error| {
        let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((0, 0));
        LoadError::Value {
            path: path.clone(),
            what: "scenario file",
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    Ok(RegisteredRun {
        dir: dir.to_path_buf(),
        summary: data::read_summary(dir)?,
        timeseries: data::read_timeseries(dir)?,
        scenario,
    })
}

/// 1-based line and column of byte `at` in `text`.
fn line_col(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u64, column as u64)
}

/// Draw the declared figures and write the report of the run in `dir`.
pub fn render_run_dir(dir: &Path, entry: &dyn Entry) -> Result<super::Rendered> {
    render_run(&load_run(dir)?, entry)
}

/// Draw the declared figures of `entry` and write the report of `run`.
pub fn render_run(run: &RegisteredRun, entry: &dyn Entry) -> Result<super::Rendered> {
    let ts = &run.timeseries;
    let text = |k: &str| run.scenario.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let (name, description, unit) = (
        run.summary.scenario.as_str(),
        text("description"),
        run.summary.time_unit.as_str(),
    );
    let docs = entry.metrics();
    let runs = run.summary.runs;
    let mut figs = Vec::new();
    for f in entry.figures() {
        let Figure::Lines {
            file,
            title,
            y_label,
            metrics,
        } = f;
        let mut series = Vec::new();
        for m in metrics {
            let mut s = trajectories(ts, m)?
                .into_values()
                .next()
                .ok_or_else(|| anyhow!("timeseries.csv holds no runs"))?;
            s.label = (*m).to_string();
            series.push(s);
        }
        let sub = format!(
            "{name} · mean of {} with the middle 50% of runs",
            canvas::runs(runs)
        );
        let caption = metrics
            .iter()
            .map(|m| {
                let doc = docs.iter().find(|d| d.name == *m).map_or("", |d| d.doc);
                format!("{m}: {doc}")
            })
            .collect::<Vec<_>>()
            .join("; ");
        figs.push(canvas::render(
            file,
            format!("{caption} (per {unit})."),
            &Trajectories {
                title,
                subtitle: &sub,
                y_desc: y_label,
                series: &series,
            },
        )?);
    }
    let mut h = page_start(&format!("{name} — {}", entry.name()));
    h.push_str(&format!(
        "<header><p class=\"eyebrow\">culturesim run · {}</p><h1>{}</h1><p class=\"lead\">{}</p></header>\n",
        esc(entry.name()),
        esc(name),
        esc(description)
    ));
    for para in entry.report().split("\n\n") {
        h.push_str(&format!("<p>{}</p>\n", esc(para.trim())));
    }
    h.push_str(&final_table(&run.summary, &docs));
    h.push_str("<h2>Figures</h2>\n");
    h.push_str(&figures_html(&figs, "plots/"));
    h.push_str(&parameters_html(entry, run.scenario.get(entry.section())));
    h.push_str(&page_end());
    super::write_outputs(&run.dir, &figs, &h)
}

/// The final value of every metric: mean and 95% interval over runs.
fn final_table(summary: &SummaryFile, docs: &[registry::MetricDoc]) -> String {
    let mut h = String::from(
        "<h2>At the end of the run</h2>\n<table>\n<tr><th>metric</th><th>mean</th><th>95% interval</th><th>meaning</th></tr>\n",
    );
    for d in docs {
        let Some(f) = summary.final_stats(d.name) else {
            continue;
        };
        let (mean, [lo, hi]) = (f.mean, f.ci95);
        if !(mean.is_finite() && lo.is_finite() && hi.is_finite()) {
            continue;
        }
        h.push_str(&format!(
            "<tr><td>{}</td><td>{mean:.3}</td><td>[{lo:.3}, {hi:.3}]</td><td>{}</td></tr>\n",
            esc(d.name),
            esc(d.doc)
        ));
    }
    h.push_str("</table>\n");
    h
}

/// The parameters as the run resolved them, with their rules and sources.
fn parameters_html(entry: &dyn Entry, section: Option<&toml::Value>) -> String {
    let mut h = format!(
        "<h2>Parameters [{}]</h2>\n<table>\n<tr><th>key</th><th>value</th><th>allowed</th><th>meaning</th><th>source</th></tr>\n",
        esc(entry.section())
    );
    for p in entry.parameters() {
        let value = section
            .and_then(|s| s.get(p.key))
            .map_or_else(|| p.default_value().to_string(), ToString::to_string);
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(p.key),
            esc(&value),
            esc(&p.rule()),
            esc(p.doc),
            esc(p.source)
        ));
    }
    h.push_str("</table>\n");
    h
}
