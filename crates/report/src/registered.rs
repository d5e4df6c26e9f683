//! The figures and report of a run of a registered model (a model outside
//! culturesim's source, registered through
//! `culturesim_core::model::registry`): the figures its registration
//! declares, drawn from timeseries.csv (mean with the band of the middle
//! 50% of runs), and a report with its description, its text, the final
//! value of every metric (mean and 95% interval from summary.json) and the
//! table of its parameters as the run resolved them.

use super::canvas;
use super::march::{Trajectories, trajectories};
use super::report::{esc, figures_html, page_end, page_start};
use anyhow::{Context, Result, anyhow};
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

/// Draw the declared figures and write the report of the run in `dir`.
pub fn render_run_dir(dir: &Path, entry: &dyn Entry) -> Result<super::Rendered> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .with_context(|| format!("cannot read '{}'", dir.join(f).display()))
    };
    let ts = read("timeseries.csv")?;
    let scenario: toml::Table = toml::from_str(&read("scenario.toml")?)
        .with_context(|| format!("cannot parse '{}'", dir.join("scenario.toml").display()))?;
    let text = |k: &str| scenario.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let (name, description, unit) = (text("name"), text("description"), text("time_unit"));
    let docs = entry.metrics();
    let runs = ts
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
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
            let mut s = trajectories(&ts, m)?
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
    h.push_str(&final_table(&read("summary.json")?, &docs)?);
    h.push_str("<h2>Figures</h2>\n");
    h.push_str(&figures_html(&figs, "plots/"));
    h.push_str(&parameters_html(entry, scenario.get(entry.section())));
    h.push_str(&page_end());
    super::write_outputs(dir, &figs, &h)
}

/// The final value of every metric: mean and 95% interval over runs.
fn final_table(summary: &str, docs: &[registry::MetricDoc]) -> Result<String> {
    let v: serde_json::Value =
        serde_json::from_str(summary).context("cannot parse summary.json")?;
    let mut h = String::from(
        "<h2>At the end of the run</h2>\n<table>\n<tr><th>metric</th><th>mean</th><th>95% interval</th><th>meaning</th></tr>\n",
    );
    for d in docs {
        let f = &v["metrics"][d.name]["final_step"];
        let (Some(mean), Some(lo), Some(hi)) = (
            f["mean"].as_f64(),
            f["ci95"][0].as_f64(),
            f["ci95"][1].as_f64(),
        ) else {
            continue;
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{mean:.3}</td><td>[{lo:.3}, {hi:.3}]</td><td>{}</td></tr>\n",
            esc(d.name),
            esc(d.doc)
        ));
    }
    h.push_str("</table>\n");
    Ok(h)
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
