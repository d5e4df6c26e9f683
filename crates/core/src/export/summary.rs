//! The run's summary in two files: `summary.json` ([`SummaryFile`], the
//! whole summary with the scenario's name, time unit, seed and markers —
//! what the figures, the report and the live page read) and `summary.csv`
//! ([`summary_csv`]).
//!
//! `summary.csv` is the same summary as one flat table in long format,
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

use crate::analysis::shock::Verdict;
use crate::analysis::stats::Stats;
use crate::analysis::summary::{MetricSummary, RunShock, ShockStats, Summary};
use crate::engine::Marker;
use crate::export::ReadError;
use crate::export::timeseries::{format_value, year_value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `summary.json`: the summary of a run's replicates with the scenario's
/// name, time unit, seed and markers. [`SummaryFile::to_bytes`] is what
/// `culturesim run` writes (and the live page sends); [`SummaryFile::read`]
/// reads it back, field for field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    /// Scenario name.
    pub scenario: String,
    /// What a step is ("week", "period", ...).
    pub time_unit: String,
    /// Master seed.
    pub seed: u64,
    /// The events on the timeline.
    pub markers: Vec<Marker>,
    /// Number of runs summarized.
    pub runs: usize,
    /// Steps of the longest run.
    pub steps: usize,
    /// Per metric.
    pub metrics: BTreeMap<String, MetricSummary>,
    /// The first shock, if the scenario has one.
    pub shock: Option<ShockFile>,
}

/// Shock metrics of one series across runs, as written
/// ([`ShockStats`] with owned text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShockStatsFile {
    /// `compared`, `not_built`, `no_loss` or `mixed`.
    pub status: Verdict,
    /// The sentence to print instead of a ratio (absent when compared).
    pub note: Option<String>,
    /// Statistics of each shock metric (times in years, rates per year).
    pub mean: BTreeMap<String, Option<Stats>>,
    /// Share of runs that built culture before the shock.
    pub built_share: f64,
    /// Share of runs that lost 5% or more.
    pub material_share: f64,
    /// Share of runs whose like-for-like asymmetry is defined.
    pub defined_share: f64,
    /// Share of runs that recovered to 95% of the pre-shock level.
    pub recovered_share: f64,
    /// Every run.
    pub per_run: Vec<RunShock>,
}

impl ShockStatsFile {
    fn of(s: &ShockStats) -> Self {
        Self {
            status: s.status,
            note: s.note.map(str::to_string),
            mean: s
                .mean
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            built_share: s.built_share,
            material_share: s.material_share,
            defined_share: s.defined_share,
            recovered_share: s.recovered_share,
            per_run: s.per_run.clone(),
        }
    }

    /// Mean of shock metric `name`, if defined.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.stats(name).map(|s| s.mean)
    }

    /// Statistics of shock metric `name`, if defined.
    pub fn stats(&self, name: &str) -> Option<&Stats> {
        self.mean.get(name).and_then(|s| s.as_ref())
    }

    /// Whether build-up and loss were compared (the ratios mean something).
    pub fn compared(&self) -> bool {
        self.note.is_none()
    }
}

/// The unit or team a shock hits, measured on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitShockFile {
    /// Its name.
    pub name: String,
    /// "team", "division" or "unit".
    pub kind: String,
    /// Positions in it.
    pub people: usize,
    /// Steps between two values of `trajectory`.
    pub every_steps: u32,
    /// Its local culture, mean over runs, every `every_steps` steps.
    pub trajectory: Vec<f64>,
    /// Its shock metrics.
    #[serde(flatten)]
    pub stats: ShockStatsFile,
}

impl UnitShockFile {
    /// "team u1.1.1".
    pub fn title(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

/// Shock metrics across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShockFile {
    /// The event measured.
    pub event: Marker,
    /// The metric measured ("culture").
    pub metric: String,
    /// The organization's shock metrics.
    #[serde(flatten)]
    pub stats: ShockStatsFile,
    /// The unit or team the shock hits, when it is one (not the top).
    pub unit: Option<UnitShockFile>,
}

impl std::ops::Deref for ShockFile {
    type Target = ShockStatsFile;
    fn deref(&self) -> &ShockStatsFile {
        &self.stats
    }
}

impl SummaryFile {
    /// The summary of a scenario's runs with its name, time unit, seed and
    /// markers.
    pub fn new(
        scenario: &str,
        time_unit: &str,
        seed: u64,
        markers: &[Marker],
        summary: &Summary,
    ) -> Self {
        Self {
            scenario: scenario.to_string(),
            time_unit: time_unit.to_string(),
            seed,
            markers: markers.to_vec(),
            runs: summary.runs,
            steps: summary.steps,
            metrics: summary.metrics.clone(),
            shock: summary.shock.as_ref().map(|sh| ShockFile {
                event: sh.event.clone(),
                metric: sh.metric.clone(),
                stats: ShockStatsFile::of(&sh.stats),
                unit: sh.unit.as_ref().map(|u| UnitShockFile {
                    name: u.name.clone(),
                    kind: u.kind.to_string(),
                    people: u.people,
                    every_steps: u.every_steps,
                    trajectory: u.trajectory.clone(),
                    stats: ShockStatsFile::of(&u.stats),
                }),
            }),
        }
    }

    /// Final-step statistics of `metric`.
    pub fn final_stats(&self, metric: &str) -> Option<&Stats> {
        self.metrics.get(metric).and_then(|m| m.final_step.as_ref())
    }

    /// The bytes of summary.json (pretty JSON, fields in declaration
    /// order; an undefined number is `null`).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a summary always serializes")
    }

    /// Read summary.json at `path`.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// Parse the text of summary.json (`path` names it in errors: the
    /// field path, line and column of what is wrong).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let invalid = |field: String, inner: serde_json::Error| {
            let text = inner.to_string();
            // serde_json appends " at line L column C": said once, up front.
            let message = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(m, _)| m)
                .to_string();
            ReadError::Invalid {
                path: path.to_path_buf(),
                what: "summary",
                line: inner.line() as u64,
                column: inner.column() as u64,
                field: if field == "." { String::new() } else { field },
                message,
            }
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let value: Self = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| invalid(e.path().to_string(), e.into_inner()))?;
        de.end().map_err(|e| invalid(String::new(), e))?;
        Ok(value)
    }
}

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

    use crate::analysis::summary::SummaryBuilder;
    use crate::engine::{RunId, RunOutput};

    /// The summary of three runs that build culture, then lose it to a
    /// shock at step 20.
    fn shocked() -> (Vec<Marker>, Summary) {
        let markers = vec![
            Marker {
                step: 10,
                label: "programme".into(),
                kind: "learning_leadership".into(),
                shock: false,
            },
            Marker {
                step: 20,
                label: "new \"boss\"".into(),
                kind: "replace_leader".into(),
                shock: true,
            },
        ];
        let mut b = SummaryBuilder::new(&["culture", "headcount"], &markers, 0, 7.0 / 365.25);
        for r in 0..3u32 {
            let mut rows = Vec::new();
            for n in 0..60 {
                let c = if n <= 20 {
                    0.1 + 0.02 * n as f64
                } else {
                    (0.5 - 0.03 * (n - 20) as f64).max(0.05 + 0.01 * f64::from(r))
                };
                rows.extend([c, 100.0 + f64::from(r)]);
            }
            b.add(&RunOutput {
                id: RunId {
                    point: 0,
                    replicate: r,
                },
                width: 2,
                rows,
                group_width: 0,
                groups: vec![],
            });
        }
        (markers, b.finish())
    }

    #[test]
    fn summary_json_reads_back_equal_and_writes_the_same_bytes() {
        let (markers, summary) = shocked();
        assert!(summary.shock.is_some(), "the fixture has a shock");
        let file = SummaryFile::new("demo", "week", 42, &markers, &summary);
        let bytes = file.to_bytes();
        // What `culturesim run` wrote before this type: the scenario's
        // fields, then the summary flattened.
        #[derive(Serialize)]
        struct Before<'a> {
            scenario: &'a str,
            time_unit: &'a str,
            seed: u64,
            markers: &'a [Marker],
            #[serde(flatten)]
            summary: &'a Summary,
        }
        let before = serde_json::to_vec_pretty(&Before {
            scenario: "demo",
            time_unit: "week",
            seed: 42,
            markers: &markers,
            summary: &summary,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&before)
        );
        let path = Path::new("out/summary.json");
        let back = SummaryFile::parse(std::str::from_utf8(&bytes).unwrap(), path).unwrap();
        assert_eq!(back, file);
        assert_eq!(back.to_bytes(), bytes);
        let sh = back.shock.as_ref().unwrap();
        assert_eq!(sh.event.label, "new \"boss\"");
        assert_eq!(sh.per_run.len(), 3);
        assert!(back.final_stats("culture").is_some());
    }

    #[test]
    fn a_malformed_summary_names_the_file_field_line_and_column() {
        let (markers, summary) = shocked();
        let text =
            String::from_utf8(SummaryFile::new("demo", "week", 42, &markers, &summary).to_bytes())
                .unwrap();
        let path = Path::new("out/summary.json");
        let broken = text.replacen("\"runs\": 3", "\"runs\": \"three\"", 1);
        let e = SummaryFile::parse(&broken, path).unwrap_err();
        let line = broken.lines().position(|l| l.contains("three")).unwrap() + 1;
        match &e {
            ReadError::Invalid { field, line: l, .. } => {
                assert_eq!(field, "runs");
                assert_eq!(*l, line as u64);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            e.to_string().starts_with(&format!(
                "'out/summary.json' is not a valid summary: line {line}, column"
            )),
            "{e}"
        );
        let broken = text.replacen("\"mean\": ", "\"mean\": \"x\", \"old\": ", 1);
        let e = SummaryFile::parse(&broken, path).unwrap_err().to_string();
        assert!(e.contains("metrics.culture.final_step.mean"), "{e}");
        let e = SummaryFile::parse("{", path).unwrap_err().to_string();
        assert!(
            e.starts_with("'out/summary.json' is not a valid summary: line 1"),
            "{e}"
        );
        let e = SummaryFile::parse(&text.replacen("\"seed\"", "\"sead\"", 1), path)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sead"), "{e}");
    }

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
