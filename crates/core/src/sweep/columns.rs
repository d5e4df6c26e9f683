//! What each model writes to runs.csv: one line per finished run, the same
//! columns for every run of a sweep. Every model gives its metrics at the
//! last step; the learning-culture model adds the shock metrics of its
//! culture and `tipped`, March's model the step its equilibrium was first
//! reached. Sweeps, adaptive replication and sensitivity analysis read
//! these run-level values, whichever model the scenario runs.

use super::files;
use crate::engine::{Model, RunOutput};
use crate::export::timeseries::format_value;
use crate::model::learning_culture::{self, LearningCulture};
use crate::model::march1991::{self, March1991};

/// The runs.csv columns of a model and how a finished run fills them.
pub trait RunColumns: Model {
    /// Column names after `point,replicate,steps`.
    fn run_columns(&self) -> Vec<String>;

    /// The values of a finished run in the order of
    /// [`RunColumns::run_columns`] (`None` where undefined).
    fn run_values(&self, run: &RunOutput) -> Vec<Option<f64>>;

    /// The runs.csv line of a finished run (no trailing newline).
    fn run_line(&self, run: &RunOutput) -> String {
        let mut cells = vec![
            run.id.point.to_string(),
            run.id.replicate.to_string(),
            (run.len() - 1).to_string(),
        ];
        cells.extend(
            self.run_values(run)
                .into_iter()
                .map(|v| v.map(format_value).unwrap_or_default()),
        );
        cells.join(",")
    }
}

impl RunColumns for LearningCulture {
    fn run_columns(&self) -> Vec<String> {
        files::run_columns(&learning_culture::METRICS)
    }

    fn run_values(&self, run: &RunOutput) -> Vec<Option<f64>> {
        let shock = self
            .markers()
            .iter()
            .find(|m| m.shock)
            .map(|m| m.step as usize);
        files::run_values(run, shock, learning_culture::metric::CULTURE)
    }
}

impl RunColumns for March1991 {
    /// Every metric at the last step (`equilibrium` there is 1 when the run
    /// ended at equilibrium: its mean over a point's runs is the share that
    /// reached it), then `equilibrium_step`: the first step at which the
    /// state was at equilibrium (empty if never).
    fn run_columns(&self) -> Vec<String> {
        march1991::METRICS
            .iter()
            .map(|m| m.to_string())
            .chain(["equilibrium_step".to_string()])
            .collect()
    }

    fn run_values(&self, run: &RunOutput) -> Vec<Option<f64>> {
        let last = run.row(run.len() - 1);
        let first = (0..run.len()).find(|&n| run.row(n)[march1991::metric::EQUILIBRIUM] == 1.0);
        last.iter()
            .map(|&v| (!v.is_nan()).then_some(v))
            .chain([first.map(|n| n as f64)])
            .collect()
    }
}

impl RunColumns for crate::model::registered::Registered {
    /// Every metric at the last step (empty where undefined).
    fn run_columns(&self) -> Vec<String> {
        self.metrics().iter().map(|m| m.to_string()).collect()
    }

    fn run_values(&self, run: &RunOutput) -> Vec<Option<f64>> {
        run.row(run.len() - 1)
            .iter()
            .map(|&v| (!v.is_nan()).then_some(v))
            .collect()
    }
}
