//! The files of a sensitivity analysis that are drawn: the tornado of the
//! levers' importance with its 95% bootstrap intervals (sensitivity.svg,
//! sensitivity.png) and the report page. The numbers come from
//! `culturesim_core::sweep::sensitivity`.

use crate::canvas;
use crate::sweep::{Page, Tornado, report};
use culturesim_core::export::atomic;
use culturesim_core::sweep::sensitivity::Analysis;
use std::path::Path;

/// Draw the figure and write the page of analysis `s` into `out` (it
/// exists: the core wrote the data files there).
pub fn write_report(out: &Path, s: &Analysis) -> anyhow::Result<()> {
    let measure = s.measure();
    let rows = &s.indices.rows;
    let bars: Vec<(String, f64)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let intervals: Vec<(f64, f64)> = rows.iter().map(|r| r.2).collect();
    let name = s.design.base.name();
    let fig = canvas::render(
        "sensitivity",
        measure.clone(),
        &Tornado {
            scenario: name,
            measure: &measure,
            bars: &bars,
            intervals: &intervals,
        },
    )?;
    atomic::write(&out.join("sensitivity.svg"), fig.svg.as_bytes())?;
    atomic::write(&out.join("sensitivity.png"), &fig.png)?;
    let page = report(
        &Page {
            kind: "sensitivity",
            name,
            description: &s.design.base.raw.description,
            findings: &[s.indices.pareto.clone()]
                .into_iter()
                .chain(s.indices.too_small.clone())
                .collect::<Vec<_>>(),
            table: (&s.title(), &s.table()),
            prefix: "",
        },
        &[fig],
    );
    atomic::write(&out.join("report.html"), page.as_bytes())
}
