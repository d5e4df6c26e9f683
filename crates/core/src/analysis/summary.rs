//! The per-scenario summary: statistics of every metric at the final step
//! and just before each event, plus shock metrics of the first shock — for
//! the organization and, when the shock hits one unit or team, for that
//! unit on its own (with its mean trajectory).
//!
//! Built incrementally, one finished run at a time, keeping only a few
//! numbers per run (never whole time series; the unit's trajectory is a
//! running sum over runs).

use super::shock::{ShockMetrics, ShockRecord, Verdict, shock_metrics};
use super::stats::Stats;
use super::unit::ShockedUnit;
use crate::engine::{Marker, RunOutput};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Accumulates per-run values.
pub struct SummaryBuilder {
    metrics: Vec<String>,
    bounds: Vec<Option<(f64, f64)>>,
    markers: Vec<Marker>,
    shock: Option<(usize, Marker)>,
    shock_metric: usize,
    finals: Vec<Vec<f64>>,
    before: Vec<Vec<Vec<f64>>>,
    shocks: Vec<(u32, ShockMetrics)>,
    steps_run: Vec<usize>,
    years_per_step: f64,
    unit: Option<UnitBuilder>,
}

/// The shocked unit's runs.
struct UnitBuilder {
    unit: ShockedUnit,
    shocks: Vec<(u32, ShockMetrics)>,
    sums: Vec<f64>,
    counts: Vec<u32>,
}

/// Steps (at least 1) in a quarter of a year: the window of the maximal
/// build and loss rates.
pub fn rate_window(years_per_step: f64) -> usize {
    ((0.25 / years_per_step).round() as usize).max(1)
}

/// Statistics of one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// At the last step of each run.
    pub final_step: Option<Stats>,
    /// Just before each event (value at the event's step, before it acts).
    pub before_events: Vec<AtEvent>,
}

/// Statistics just before one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtEvent {
    /// The event's step.
    pub step: u32,
    /// Its label.
    pub label: String,
    /// Statistics across runs.
    pub stats: Option<Stats>,
}

/// Shock metrics of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunShock {
    /// Replicate.
    pub replicate: u32,
    /// The metrics (times in years).
    #[serde(flatten)]
    pub metrics: ShockRecord,
}

/// Shock metrics of one series (the organization's culture, or a unit's)
/// across runs.
#[derive(Debug, Clone, Serialize)]
pub struct ShockStats {
    /// What the runs allow one to say: `compared`, `not_built`, `no_loss`
    /// or `mixed`.
    pub status: Verdict,
    /// The sentence to print instead of a ratio (absent when `compared`).
    pub note: Option<&'static str>,
    /// Statistics of each shock metric (over runs where it is defined;
    /// times in years, rates per year).
    pub mean: BTreeMap<&'static str, Option<Stats>>,
    /// Share of runs that built culture before the shock (rise ≥ 0.05).
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

impl ShockStats {
    fn of(runs: &[(u32, ShockMetrics)], years_per_step: f64, range: Option<(f64, f64)>) -> Self {
        let records: Vec<(u32, ShockRecord)> = runs
            .iter()
            .map(|(r, m)| (*r, m.record(years_per_step)))
            .collect();
        let opt = |f: &dyn Fn(&ShockRecord) -> Option<f64>| -> Option<Stats> {
            let v: Vec<f64> = records.iter().filter_map(|(_, s)| f(s)).collect();
            Stats::of(&v)
        };
        let mut mean = BTreeMap::new();
        // Levels of the measured metric keep its range; a loss relative to
        // a non-negative level is a share of it.
        let bounded = |f: &dyn Fn(&ShockRecord) -> f64, r: Option<(f64, f64)>| -> Option<Stats> {
            let v: Vec<f64> = records.iter().map(|(_, s)| f(s)).collect();
            Stats::of_bounded(&v, r)
        };
        let share_range = range.filter(|(lo, _)| *lo >= 0.0).map(|_| (0.0, 1.0));
        mean.insert("pre", bounded(&|s| s.pre, range));
        mean.insert("trough", bounded(&|s| s.trough, range));
        mean.insert("loss", bounded(&|s| s.loss, share_range));
        mean.insert("rise", opt(&|s| Some(s.rise)));
        mean.insert("band", opt(&|s| s.band));
        mean.insert("years_to_build", opt(&|s| s.years_to_build));
        mean.insert("years_to_lose", opt(&|s| s.years_to_lose));
        mean.insert("asymmetry", opt(&|s| s.asymmetry));
        mean.insert("build_rate_per_year", opt(&|s| s.build_rate_per_year));
        mean.insert("loss_rate_per_year", opt(&|s| s.loss_rate_per_year));
        mean.insert("asymmetry_rate", opt(&|s| s.asymmetry_rate));
        mean.insert("years_to_half_loss", opt(&|s| s.years_to_half_loss));
        mean.insert("years_to_recover", opt(&|s| s.years_to_recover));
        let n = runs.len().max(1) as f64;
        let share = |f: &dyn Fn(&ShockMetrics) -> bool| {
            runs.iter().filter(|(_, s)| f(s)).count() as f64 / n
        };
        let built_share = share(&|s| s.built);
        let material_share = share(&|s| s.material);
        let defined_share = share(&|s| s.asymmetry.is_some());
        let status = Verdict::of(built_share, material_share, defined_share);
        ShockStats {
            status,
            note: status.note(),
            mean,
            built_share,
            material_share,
            defined_share,
            recovered_share: share(&|s| s.steps_to_recover.is_some()),
            per_run: records
                .into_iter()
                .map(|(replicate, metrics)| RunShock { replicate, metrics })
                .collect(),
        }
    }
}

/// The unit or team a shock hits, measured on its own.
#[derive(Debug, Clone, Serialize)]
pub struct UnitShockSummary {
    /// Its name.
    pub name: String,
    /// "team", "division" or "unit".
    pub kind: &'static str,
    /// Positions in it.
    pub people: usize,
    /// Steps between two values of its trajectory (its shock times are
    /// measured at this resolution).
    pub every_steps: u32,
    /// Its local culture, mean over runs, every `every_steps` steps.
    pub trajectory: Vec<f64>,
    /// Its shock metrics.
    #[serde(flatten)]
    pub stats: ShockStats,
}

/// Shock metrics across runs.
#[derive(Debug, Clone, Serialize)]
pub struct ShockSummary {
    /// The event measured.
    pub event: Marker,
    /// The metric measured ("culture").
    pub metric: String,
    /// The organization's shock metrics.
    #[serde(flatten)]
    pub stats: ShockStats,
    /// The unit or team the shock hits, when it is one (not the top).
    pub unit: Option<UnitShockSummary>,
}

/// The whole summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Number of runs summarized.
    pub runs: usize,
    /// Steps of the longest run.
    pub steps: usize,
    /// Per metric.
    pub metrics: BTreeMap<String, MetricSummary>,
    /// The first shock, if the scenario has one.
    pub shock: Option<ShockSummary>,
}

impl SummaryBuilder {
    /// A builder for runs with these metrics and markers; shock metrics are
    /// computed on metric `shock_metric` for the first marker flagged
    /// shock, with steps of `years_per_step` years.
    pub fn new(
        metrics: &[&str],
        markers: &[Marker],
        shock_metric: usize,
        years_per_step: f64,
    ) -> Self {
        let shock = markers
            .iter()
            .enumerate()
            .find(|(_, m)| m.shock)
            .map(|(i, m)| (i, m.clone()));
        Self {
            metrics: metrics.iter().map(|s| s.to_string()).collect(),
            bounds: vec![None; metrics.len()],
            markers: markers.to_vec(),
            shock,
            shock_metric,
            finals: vec![Vec::new(); metrics.len()],
            before: vec![vec![Vec::new(); markers.len()]; metrics.len()],
            shocks: Vec::new(),
            steps_run: Vec::new(),
            years_per_step,
            unit: None,
        }
    }

    /// Intervals that respect each metric's range (see
    /// [`crate::engine::Model::bounds`]).
    pub fn with_bounds(mut self, bounds: Vec<Option<(f64, f64)>>) -> Self {
        if bounds.len() == self.metrics.len() {
            self.bounds = bounds;
        }
        self
    }

    /// Also measure the shock on the unit it hits.
    pub fn with_unit(mut self, unit: Option<ShockedUnit>) -> Self {
        self.unit = unit.map(|unit| UnitBuilder {
            unit,
            shocks: Vec::new(),
            sums: Vec::new(),
            counts: Vec::new(),
        });
        self
    }

    /// Add one finished run.
    pub fn add(&mut self, run: &RunOutput) {
        let last = run.len() - 1;
        self.steps_run.push(last);
        for m in 0..self.metrics.len() {
            self.finals[m].push(run.row(last)[m]);
            for (e, marker) in self.markers.iter().enumerate() {
                let s = marker.step as usize;
                if s <= last {
                    self.before[m][e].push(run.row(s)[m]);
                }
            }
        }
        if let Some((_, marker)) = &self.shock {
            let series = run.series(self.shock_metric);
            let window = rate_window(self.years_per_step);
            if let Some(sm) = shock_metrics(&series, marker.step as usize, window) {
                self.shocks.push((run.id.replicate, sm));
            }
            if let Some(u) = &mut self.unit {
                let x = u.unit.series(run);
                let every = u.unit.every as usize;
                // The last sample at or before the shock.
                let s = marker.step as usize / every;
                let window = rate_window(self.years_per_step * every as f64);
                if let Some(sm) = shock_metrics(&x, s, window) {
                    u.shocks.push((run.id.replicate, sm));
                }
                if u.sums.len() < x.len() {
                    u.sums.resize(x.len(), 0.0);
                    u.counts.resize(x.len(), 0);
                }
                for (j, v) in x.iter().enumerate() {
                    u.sums[j] += v;
                    u.counts[j] += 1;
                }
            }
        }
    }

    /// Compute the statistics.
    pub fn finish(self) -> Summary {
        let mut metrics = BTreeMap::new();
        for (m, name) in self.metrics.iter().enumerate() {
            let before_events = self
                .markers
                .iter()
                .enumerate()
                .map(|(e, marker)| AtEvent {
                    step: marker.step,
                    label: marker.label.clone(),
                    stats: Stats::of_bounded(&self.before[m][e], self.bounds[m]),
                })
                .collect();
            metrics.insert(
                name.clone(),
                MetricSummary {
                    final_step: Stats::of_bounded(&self.finals[m], self.bounds[m]),
                    before_events,
                },
            );
        }
        let y = self.years_per_step;
        let range = self.bounds[self.shock_metric];
        let unit = self.unit;
        let shock = self.shock.map(|(_, event)| ShockSummary {
            event,
            metric: self.metrics[self.shock_metric].clone(),
            stats: ShockStats::of(&self.shocks, y, range),
            unit: unit.map(|u| UnitShockSummary {
                name: u.unit.name.clone(),
                kind: u.unit.kind_word(),
                people: u.unit.people,
                every_steps: u.unit.every,
                trajectory: u
                    .sums
                    .iter()
                    .zip(&u.counts)
                    .map(|(s, &c)| s / f64::from(c.max(1)))
                    .collect(),
                stats: ShockStats::of(&u.shocks, y * f64::from(u.unit.every), range),
            }),
        });
        Summary {
            runs: self.steps_run.len(),
            steps: self.steps_run.iter().copied().max().unwrap_or(0),
            metrics,
            shock,
        }
    }
}
