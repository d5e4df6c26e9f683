//! The per-scenario summary: statistics of every metric at the final step
//! and just before each event, plus shock metrics of the first shock.
//!
//! Built incrementally, one finished run at a time, keeping only a few
//! numbers per run (never whole time series).

use super::shock::{ShockMetrics, shock_metrics};
use super::stats::Stats;
use crate::engine::{Marker, RunOutput};
use serde::Serialize;
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
}

/// Statistics of one metric.
#[derive(Debug, Clone, Serialize)]
pub struct MetricSummary {
    /// At the last step of each run.
    pub final_step: Option<Stats>,
    /// Just before each event (value at the event's step, before it acts).
    pub before_events: Vec<AtEvent>,
}

/// Statistics just before one event.
#[derive(Debug, Clone, Serialize)]
pub struct AtEvent {
    /// The event's step.
    pub step: u32,
    /// Its label.
    pub label: String,
    /// Statistics across runs.
    pub stats: Option<Stats>,
}

/// Shock metrics of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunShock {
    /// Replicate.
    pub replicate: u32,
    /// The metrics (in steps).
    #[serde(flatten)]
    pub metrics: ShockMetrics,
}

/// Shock metrics across runs.
#[derive(Debug, Clone, Serialize)]
pub struct ShockSummary {
    /// The event measured.
    pub event: Marker,
    /// The metric measured ("culture").
    pub metric: String,
    /// Statistics of each shock metric (over runs where it is defined).
    pub mean: BTreeMap<&'static str, Option<Stats>>,
    /// Share of runs that recovered to 95% of the pre-shock level.
    pub recovered_share: f64,
    /// Share of runs whose asymmetry is defined (build-up and a material loss).
    pub defined_share: f64,
    /// Every run.
    pub per_run: Vec<RunShock>,
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
    /// computed on metric `shock_metric` for the first marker flagged shock.
    pub fn new(metrics: &[&str], markers: &[Marker], shock_metric: usize) -> Self {
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
            if let Some(sm) = shock_metrics(&series, marker.step as usize) {
                self.shocks.push((run.id.replicate, sm));
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
        let shock = self.shock.map(|(_, event)| {
            let runs = &self.shocks;
            let opt = |f: &dyn Fn(&ShockMetrics) -> Option<f64>| -> Option<Stats> {
                let v: Vec<f64> = runs.iter().filter_map(|(_, s)| f(s)).collect();
                Stats::of(&v)
            };
            let mut mean = BTreeMap::new();
            // Levels of the measured metric keep its range.
            let range = self.bounds[self.shock_metric];
            let level = |f: &dyn Fn(&ShockMetrics) -> f64| -> Option<Stats> {
                let v: Vec<f64> = runs.iter().map(|(_, s)| f(s)).collect();
                Stats::of_bounded(&v, range)
            };
            mean.insert("pre", level(&|s| s.pre));
            mean.insert("trough", level(&|s| s.trough));
            // A loss relative to a non-negative level is a share of it.
            let share = range.filter(|(lo, _)| *lo >= 0.0).map(|_| (0.0, 1.0));
            let v: Vec<f64> = runs.iter().map(|(_, s)| s.loss).collect();
            mean.insert("loss", Stats::of_bounded(&v, share));
            mean.insert(
                "weeks_to_half_loss",
                opt(&|s| s.weeks_to_half_loss.map(|w| w as f64)),
            );
            mean.insert(
                "weeks_to_recover",
                opt(&|s| s.weeks_to_recover.map(|w| w as f64)),
            );
            mean.insert("build_weeks", opt(&|s| s.build_weeks.map(|w| w as f64)));
            mean.insert(
                "build_half_weeks",
                opt(&|s| s.build_half_weeks.map(|w| w as f64)),
            );
            mean.insert("asymmetry", opt(&|s| s.asymmetry));
            mean.insert("asymmetry_half", opt(&|s| s.asymmetry_half));
            let n = runs.len().max(1) as f64;
            ShockSummary {
                event,
                metric: self.metrics[self.shock_metric].clone(),
                mean,
                recovered_share: runs
                    .iter()
                    .filter(|(_, s)| s.weeks_to_recover.is_some())
                    .count() as f64
                    / n,
                defined_share: runs.iter().filter(|(_, s)| s.asymmetry.is_some()).count() as f64
                    / n,
                per_run: runs
                    .iter()
                    .map(|(r, s)| RunShock {
                        replicate: *r,
                        metrics: s.clone(),
                    })
                    .collect(),
            }
        });
        Summary {
            runs: self.steps_run.len(),
            steps: self.steps_run.iter().copied().max().unwrap_or(0),
            metrics,
            shock,
        }
    }
}
