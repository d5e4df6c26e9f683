//! Caps on the size of a run: a server's [`Limits`] for scenarios that
//! come from the network, and this machine's memory and work limits
//! ([`crate::limits`]) for every scenario.

use super::raw::RawScenario;
use super::{Scenario, ScenarioError};
use crate::validate::Problems;

/// Caps on the size of a run, for scenarios that come from the network
/// (`culturesim serve`): a request must not be able to exhaust the machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Most employees.
    pub employees: u32,
    /// Most replicates.
    pub replicates: u32,
    /// Most steps.
    pub steps: u32,
    /// Most agent-steps in all: employees × steps × replicates.
    pub work: u64,
}

impl Limits {
    /// Check the sizes a scenario asks for (before anything is built).
    pub(super) fn check(&self, raw: &RawScenario, p: &mut Problems) {
        let hint = "on this server (see culturesim serve --help)";
        if raw.model != "learning-culture" {
            p.push(
                "model",
                format!(
                    "must be \"learning-culture\" {hint}: the live page shows that model (run \"{}\" with culturesim run or sweep), got \"{}\"",
                    raw.model, raw.model
                ),
            );
            return;
        }
        if raw.replicates > self.replicates {
            p.push(
                "replicates",
                format!(
                    "must be at most {} {hint}, got {}",
                    self.replicates, raw.replicates
                ),
            );
        }
        if raw.steps() > self.steps {
            p.push(
                if raw.steps.is_some() {
                    "steps"
                } else {
                    "duration"
                },
                format!(
                    "must be at most {} steps {hint}, got {} steps",
                    self.steps,
                    raw.steps()
                ),
            );
        }
        if raw.org.chart.is_none() {
            if raw.org.employees > self.employees {
                p.push(
                    "org.employees",
                    format!(
                        "must be at most {} {hint}, got {}",
                        self.employees, raw.org.employees
                    ),
                );
            }
            self.check_work(raw.org.employees, raw.steps(), raw.replicates, p);
        }
    }

    /// Check the headcount of a built organization (an org chart's).
    pub(super) fn check_headcount(&self, s: &Scenario, p: &mut Problems) {
        let Some(model) = s.model.learning_culture() else {
            return;
        };
        let n = u32::try_from(model.org().slots()).unwrap_or(u32::MAX);
        if s.raw.org.chart.is_some() {
            if n > self.employees {
                p.push(
                    "org.chart",
                    format!(
                        "has {n} employees; at most {} are allowed on this server",
                        self.employees
                    ),
                );
            }
            self.check_work(n, s.raw.steps(), s.raw.replicates, p);
        }
    }

    fn check_work(&self, employees: u32, steps: u32, replicates: u32, p: &mut Problems) {
        let work = u64::from(employees) * u64::from(steps) * u64::from(replicates);
        if work > self.work {
            p.push(
                "replicates",
                format!(
                    "times steps times employees must be at most {} on this server, got {replicates} × {steps} × {employees} = {work}; use fewer replicates, steps or employees",
                    self.work
                ),
            );
        }
    }
}

/// The memory and work a scenario asks for with `steps` steps, as
/// problems when above this machine's limits (see [`crate::limits`]).
pub(super) fn size_problems(raw: &RawScenario, steps: u32, p: &mut Problems) {
    let learning = raw.model == "learning-culture";
    let request = crate::limits::Request {
        employees: if learning && raw.org.chart.is_none() {
            u64::from(raw.org.employees)
        } else {
            0
        },
        steps: u64::from(steps),
        replicates: u64::from(raw.replicates),
        metrics: 16,
        in_flight: crate::engine::Batch::Throughput.size() as u64,
    };
    for (key, message) in request.problems("org.employees") {
        p.push(key, message);
    }
}

impl Scenario {
    /// Check memory and work again for a run cut or stretched to `steps`
    /// steps (`run --steps`), before it starts.
    pub fn check_size(&self, steps: u32) -> Result<(), ScenarioError> {
        let mut problems = Problems::default();
        size_problems(&self.raw, steps, &mut problems);
        if problems.is_empty() {
            return Ok(());
        }
        let places = vec![None; problems.0.len()];
        Err(ScenarioError::Invalid {
            origin: self.source.clone(),
            problems,
            places,
        })
    }
}
