//! `summary.csv`: the run's summary.json as one flat table in long format,
//! one row per statistic, the shape `pandas.read_csv` loads without any
//! flattening: `scope,metric,when,event,step,year,n,mean,sd,ci95_lo,
//! ci95_hi,p5,p50,p95`.
//!
//! - `scope`: `organization`, or for the shock metrics of the team or unit
//!   a scoped shock hits, `KIND:NAME` (`team:t3`, `division:u1`).
//! - `metric`: a model metric (`culture`, …), or a shock metric as
//!   `shock.NAME` (`shock.loss`, `shock.asymmetry`, …; times in years,
//!   rates per year, as in summary.json) or a share of runs
//!   (`shock.built_share`, … : only `n` and `mean`).
//! - `when`: `final` (last step), `before_event` (at the event's step,
//!   before it acts; `event` is its label) or `shock` (`event` is the
//!   shock's label).
//! - `step`, `year`: when the statistic is taken.
//!
//! Empty cells are undefined values (NaN in pandas).

use crate::analysis::stats::Stats;
use crate::analysis::summary::{ShockStats, Summary};
use crate::export::timeseries::{format_value, year_value};

/// The header of summary.csv.
pub const HEADER: [&str; 14] = [
    "scope", "metric", "when", "event", "step", "year", "n", "mean", "sd", "ci95_lo", "ci95_hi",
    "p5", "p50", "p95",
];

/// The bytes of summary.csv for `summary`, metrics in `metrics` order (the
/// model's), a step lasting `years_per_step` years.
pub fn summary_csv(
    summary: &Summary,
    metrics: &[&str],
    years_per_step: f64,
) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    // One row: where and when, then the statistics (`n` 0 and empty cells
    // where undefined).
    let mut row =
        |scope: &str, metric: &str, when: &str, event: &str, step: usize, stats: Cells| {
            let mut r = vec![
                scope.to_string(),
                metric.to_string(),
                when.to_string(),
                event.to_string(),
                step.to_string(),
                year_value(step, years_per_step),
            ];
            r.extend(stats.0);
            w.write_record(&r)
        };
    for &name in metrics {
        let Some(m) = summary.metrics.get(name) else {
            continue;
        };
        let final_step = Cells::of(m.final_step.as_ref());
        row("organization", name, "final", "", summary.steps, final_step)?;
        for e in &m.before_events {
            let stats = Cells::of(e.stats.as_ref());
            row(
                "organization",
                name,
                "before_event",
                &e.label,
                e.step as usize,
                stats,
            )?;
        }
    }
    if let Some(sh) = &summary.shock {
        let mut scopes: Vec<(String, &ShockStats)> = vec![("organization".into(), &sh.stats)];
        if let Some(u) = &sh.unit {
            scopes.push((format!("{}:{}", u.kind, u.name), &u.stats));
        }
        let (step, label) = (sh.event.step as usize, sh.event.label.as_str());
        for (scope, st) in scopes {
            for (k, s) in &st.mean {
                let stats = Cells::of(s.as_ref());
                row(&scope, &format!("shock.{k}"), "shock", label, step, stats)?;
            }
            let n = st.per_run.len();
            for (k, v) in [
                ("built_share", st.built_share),
                ("material_share", st.material_share),
                ("defined_share", st.defined_share),
                ("recovered_share", st.recovered_share),
            ] {
                let stats = Cells::share(n, v);
                row(&scope, &format!("shock.{k}"), "shock", label, step, stats)?;
            }
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The cells `n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95` of one row.
struct Cells(Vec<String>);

impl Cells {
    /// Statistics across runs (`n` 0 and empty cells when undefined).
    fn of(s: Option<&Stats>) -> Self {
        Self(match s {
            Some(s) => std::iter::once(s.n.to_string())
                .chain([s.mean, s.sd, s.ci95[0], s.ci95[1], s.p5, s.p50, s.p95].map(format_value))
                .collect(),
            None => std::iter::once("0".to_string())
                .chain([""; 7].map(String::from))
                .collect(),
        })
    }

    /// A share of `n` runs: only `n` and `mean`.
    fn share(n: usize, v: f64) -> Self {
        Self(
            [n.to_string(), format_value(v)]
                .into_iter()
                .chain([""; 6].map(String::from))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::{AtEvent, MetricSummary};
    use std::collections::BTreeMap;

    #[test]
    fn one_row_per_statistic() {
        let st = Stats::of(&[0.2, 0.4]).unwrap();
        let mut metrics = BTreeMap::new();
        metrics.insert(
            "culture".to_string(),
            MetricSummary {
                final_step: Some(st.clone()),
                before_events: vec![AtEvent {
                    step: 52,
                    label: "a, b".into(),
                    stats: None,
                }],
            },
        );
        let s = Summary {
            runs: 2,
            steps: 104,
            metrics,
            shock: None,
        };
        let text =
            String::from_utf8(summary_csv(&s, &["culture", "absent"], 0.5).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(
            lines[1],
            format!(
                "organization,culture,final,,104,52,2,{},{},{},{},{},{},{}",
                format_value(st.mean),
                format_value(st.sd),
                format_value(st.ci95[0]),
                format_value(st.ci95[1]),
                format_value(st.p5),
                format_value(st.p50),
                format_value(st.p95)
            )
        );
        // A label with a comma is quoted; undefined statistics are empty.
        assert_eq!(
            lines[2],
            "organization,culture,before_event,\"a, b\",52,26,0,,,,,,,"
        );
        assert_eq!(lines.len(), 3);
    }
}
