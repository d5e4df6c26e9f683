//! A calibrated posterior as an input to every later what-if (`run`,
//! `sweep`, `serve` and the decision commands take `--posterior DIR`):
//! replicate r of a run draws one particle of the posterior, by its
//! weight, from a hash of (master seed, r), and steps with that particle's
//! parameters. The draw does not depend on the sweep point, so the cells
//! of a sweep (and the branches of a decision study) are paired on their
//! parameters as they are on their seeds; the forecast of `calibrate`
//! (crate::calibrate::forecast) is exactly `run --posterior` of its own
//! scenario. It sits in the scenario layer (a posterior is a way of
//! setting a scenario's keys), below the sweeps and the calibration that
//! use it.

use crate::engine::rng::{hash_keys, unit_from_hash};
use crate::model::learning_culture::Draws;
use crate::scenario::{Scenario, ScenarioError, Source};
use crate::validate::Problems;
use std::path::{Path, PathBuf};

/// Purpose tag of the posterior draw of a replicate.
const TAG_POSTERIOR: u64 = 0x504F_5354_4552;

/// A weighted sample of parameter sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// Where it was read from (for messages; empty when built in memory).
    pub origin: PathBuf,
    /// The scenario keys the parameters set (as `--set` takes them).
    pub keys: Vec<String>,
    /// Their column names (posterior.csv's header).
    pub names: Vec<String>,
    /// Each particle's values, in key order.
    pub thetas: Vec<Vec<f64>>,
    /// Their normalized weights.
    pub weights: Vec<f64>,
    /// The name of the scenario that was calibrated.
    pub scenario: String,
}

/// Why a posterior folder cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--posterior '{dir}': {message}")]
pub struct PosteriorError {
    /// The folder given.
    pub dir: String,
    /// What is wrong.
    pub message: String,
}

impl Posterior {
    /// A posterior built in memory (the calibration that just finished).
    pub fn new(
        keys: Vec<String>,
        names: Vec<String>,
        thetas: Vec<Vec<f64>>,
        weights: &[f64],
        scenario: &str,
    ) -> Self {
        let total: f64 = weights.iter().sum();
        Self {
            origin: PathBuf::new(),
            keys,
            names,
            thetas,
            weights: weights.iter().map(|w| w / total).collect(),
            scenario: scenario.to_string(),
        }
    }

    /// Read the posterior `culturesim calibrate` wrote into `dir`
    /// (calibration.json names the keys, posterior.csv holds the particles).
    pub fn load(dir: &Path) -> Result<Self, PosteriorError> {
        let fail = |message: String| PosteriorError {
            dir: dir.display().to_string(),
            message,
        };
        let meta_path = dir.join("calibration.json");
        let meta = std::fs::read(&meta_path).map_err(|e| {
            fail(format!(
                "cannot read {}: {e} (give the folder `culturesim calibrate` wrote)",
                meta_path.display()
            ))
        })?;
        let meta: serde_json::Value = serde_json::from_slice(&meta)
            .map_err(|e| fail(format!("calibration.json is not JSON: {e}")))?;
        let strings = |field: &str| -> Result<Vec<String>, PosteriorError> {
            meta.get(field)
                .and_then(|v| v.as_array())
                .and_then(|a| a.iter().map(|s| s.as_str().map(String::from)).collect())
                .ok_or_else(|| {
                    fail(format!(
                        "calibration.json has no list of strings '{field}' (was it written by this version of culturesim calibrate? re-run it)"
                    ))
                })
        };
        let keys = strings("keys")?;
        let names = strings("params")?;
        let scenario = meta
            .get("scenario")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let csv_path = dir.join("posterior.csv");
        let text = std::fs::read_to_string(&csv_path).map_err(|e| {
            fail(format!(
                "cannot read {}: {e} (a calibration that has not finished a generation has no posterior yet)",
                csv_path.display()
            ))
        })?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
        let want: Vec<&str> = ["particle", "weight", "distance"]
            .into_iter()
            .chain(names.iter().map(String::as_str))
            .collect();
        if header != want {
            return Err(fail(format!(
                "posterior.csv:1: the header must be '{}' (the parameters of calibration.json), got '{}'",
                want.join(","),
                header.join(",")
            )));
        }
        let (mut thetas, mut weights) = (Vec::new(), Vec::new());
        for (i, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            let nums: Option<Vec<f64>> = cells.iter().map(|c| c.parse::<f64>().ok()).collect();
            match nums {
                Some(v)
                    if v.len() == want.len() && v.iter().all(|x| x.is_finite()) && v[1] >= 0.0 =>
                {
                    weights.push(v[1]);
                    thetas.push(v[3..].to_vec());
                }
                _ => {
                    return Err(fail(format!(
                        "posterior.csv:{}: a row must hold {} finite numbers with a weight ≥ 0, got '{line}'",
                        i + 2,
                        want.len()
                    )));
                }
            }
        }
        let total: f64 = weights.iter().sum();
        if thetas.is_empty() || total <= 0.0 {
            return Err(fail(
                "posterior.csv holds no particle with a positive weight".into(),
            ));
        }
        let mut p = Self::new(keys, names, thetas, &weights, &scenario);
        p.origin = dir.to_path_buf();
        Ok(p)
    }

    /// The particle replicate `replicate` of a run under master seed
    /// `seed` steps with: drawn by weight, independently per replicate.
    pub fn pick(&self, seed: u64, replicate: u32) -> usize {
        let u = unit_from_hash(hash_keys(seed, &[TAG_POSTERIOR, u64::from(replicate)]));
        let mut acc = 0.0;
        for (i, w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                return i;
            }
        }
        // Rounding: the last particle with weight.
        self.weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
    }

    /// The `key=value` settings of particle `i`.
    pub fn sets(&self, i: usize) -> Vec<String> {
        self.keys
            .iter()
            .zip(&self.thetas[i])
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// Give each of the first `replicates` replicates of `scenario` (loaded
    /// from `text` and `source` with `overrides`; later replicates repeat
    /// them in turn) the parameters of its draw: every draw's scenario
    /// is the same text with the same overrides and the draw's values, and
    /// must keep the organization and the horizon of `scenario`. A key
    /// also set by `overrides` (or a sweep) is refused: the posterior
    /// would silently win.
    pub fn attach(
        &self,
        scenario: &mut Scenario,
        text: &str,
        source: &Source,
        overrides: &[String],
        replicates: u32,
    ) -> Result<(), ScenarioError> {
        let invalid = |path: &str, message: String| {
            let mut p = Problems::default();
            p.push(path, message);
            ScenarioError::Invalid {
                origin: source.clone(),
                problems: p,
                places: vec![None],
            }
        };
        let from = self.origin.display();
        for k in &self.keys {
            if let Some(o) = overrides
                .iter()
                .find(|o| o.split_once('=').is_some_and(|(key, _)| key.trim() == k))
            {
                return Err(invalid(
                    k,
                    format!(
                        "is a parameter of the posterior in '{from}', and '{o}' sets it too; drop one of them"
                    ),
                ));
            }
        }
        let steps = scenario.model.steps();
        let seed = scenario.seed;
        let Some(base) = scenario.model.learning_culture_mut() else {
            return Err(invalid(
                "model",
                format!(
                    "is \"{}\"; --posterior holds parameters of the learning-culture model",
                    scenario.model.name()
                ),
            ));
        };
        let mut used: Vec<usize> = Vec::new();
        let mut by_replicate = Vec::with_capacity(replicates as usize);
        for r in 0..replicates.max(1) {
            let i = self.pick(seed, r);
            let k = used.iter().position(|&u| u == i).unwrap_or_else(|| {
                used.push(i);
                used.len() - 1
            });
            by_replicate.push(k as u32);
        }
        let mut models = Vec::with_capacity(used.len());
        for &i in &used {
            let mut sets = overrides.to_vec();
            sets.extend(self.sets(i));
            let s = Scenario::from_str(text, source.clone(), &sets).map_err(|e| match e {
                ScenarioError::Invalid {
                    origin,
                    mut problems,
                    places,
                } => {
                    for p in &mut problems.0 {
                        p.message = format!(
                            "{} (with the parameters of particle {i} of the posterior in '{from}')",
                            p.message
                        );
                    }
                    ScenarioError::Invalid {
                        origin,
                        problems,
                        places,
                    }
                }
                other => other,
            })?;
            let Some(mut m) = s.model.learning_culture().cloned() else {
                return Err(invalid("model", "is not learning-culture".into()));
            };
            let (a, b) = (m.org(), base.org());
            if a.slots() != b.slots() || a.teams() != b.teams() || a.units() != b.units() {
                return Err(invalid(
                    &self.keys.join(", "),
                    format!(
                        "particle {i} of the posterior in '{from}' changes the organization ({} people in {} teams, not {} in {}); a posterior can only vary parameters that keep the organization",
                        a.slots(),
                        a.teams(),
                        b.slots(),
                        b.teams()
                    ),
                ));
            }
            if m.setup().events.len() != base.setup().events.len() {
                return Err(invalid(
                    &self.keys.join(", "),
                    format!(
                        "particle {i} of the posterior in '{from}' changes the timeline's events; a posterior can only vary parameters"
                    ),
                ));
            }
            m.set_steps(steps);
            models.push(m);
        }
        base.set_draws(Draws {
            models,
            by_replicate,
            from: self.origin.display().to_string(),
            keys: self.keys.clone(),
            particles: used,
        });
        Ok(())
    }

    /// A line for the command's output: what the runs draw from.
    pub fn describe(&self) -> String {
        format!(
            "parameters {} drawn per replicate from the posterior in '{}' ({} particles, calibrated on {})",
            self.names.join(", "),
            self.origin.display(),
            self.thetas.len(),
            if self.scenario.is_empty() {
                "an unnamed scenario"
            } else {
                &self.scenario
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(w: [f64; 2]) -> Posterior {
        Posterior::new(
            vec!["learning.rate".into()],
            vec!["learning.rate".into()],
            vec![vec![0.1], vec![0.2]],
            &w,
            "x",
        )
    }

    #[test]
    fn picks_follow_the_weights_and_repeat() {
        let p = two([0.25, 0.75]);
        let picks: Vec<usize> = (0..4000).map(|r| p.pick(7, r)).collect();
        let share = picks.iter().filter(|&&i| i == 1).count() as f64 / 4000.0;
        assert!((share - 0.75).abs() < 0.03, "share {share}");
        assert_eq!(picks, (0..4000).map(|r| p.pick(7, r)).collect::<Vec<_>>());
        // A particle without weight is never drawn.
        let q = two([0.0, 1.0]);
        assert!((0..1000).all(|r| q.pick(3, r) == 1));
    }
}
