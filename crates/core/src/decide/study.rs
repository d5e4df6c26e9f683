//! What the decision studies (`timing`, `risk`, `warning`, `optimize`)
//! share: loading a scenario with `--set`, `--seed`, `--replicates` and
//! `--posterior`, the learning-culture model they need. (The command
//! writes a study's folder with [`crate::export::files::write_all`].)

use crate::command::Failure;
use crate::model::learning_culture::LearningCulture;
use crate::scenario::posterior::Posterior;
use crate::scenario::{Scenario, Source};
use anyhow::anyhow;
use std::path::Path;

/// The overrides of `--set`, `--seed` and `--replicates`, in that order.
fn overrides(set: &[String], seed: Option<u64>, replicates: Option<u32>) -> Vec<String> {
    let mut overrides = set.to_vec();
    if let Some(s) = seed {
        overrides.push(format!("seed={s}"));
    }
    if let Some(r) = replicates {
        overrides.push(format!("replicates={r}"));
    }
    overrides
}

/// Load a scenario for an analysis with `--set`, `--seed` and `--replicates`.
pub fn load_for(
    path: &Path,
    set: &[String],
    seed: Option<u64>,
    replicates: Option<u32>,
) -> Result<Scenario, Failure> {
    Scenario::from_file(path, &overrides(set, seed, replicates))
        .map_err(|e| Failure::Input(e.into()))
}

/// The posterior of `--posterior DIR`, read (`None` without one); a folder
/// that is not a calibration's is an input error naming it.
pub fn read_posterior(dir: Option<&Path>) -> Result<Option<Posterior>, Failure> {
    dir.map(|d| Posterior::load(d).map_err(|e| Failure::Input(e.into())))
        .transpose()
}

/// A scenario's text as read, to load again with other overrides (a
/// study's twin, an optimizer's portfolios), each time with the posterior
/// of `--posterior` attached.
#[derive(Debug, Clone)]
pub struct Loader {
    /// The scenario text.
    pub text: String,
    /// Where it came from.
    pub source: Source,
    /// The posterior every load draws its replicates' parameters from.
    pub posterior: Option<Posterior>,
}

impl Loader {
    /// Read the scenario at `path` (a file or a bundled name) and the
    /// posterior in `posterior`.
    pub fn new(path: &Path, posterior: Option<&Path>) -> Result<Self, Failure> {
        let (text, source) = crate::scenario::read(path).map_err(|e| Failure::Input(e.into()))?;
        Ok(Self {
            text,
            source,
            posterior: read_posterior(posterior)?,
        })
    }

    /// The scenario with `overrides`; with a posterior, each of its first
    /// `replicates` replicates (None: the scenario's replicates) draws a
    /// particle ([`Posterior::attach`], as `run --posterior` does). A key
    /// of the posterior that `overrides` also sets is refused, naming both.
    pub fn load(&self, overrides: &[String], replicates: Option<u32>) -> Result<Scenario, Failure> {
        let input = |e: crate::scenario::ScenarioError| Failure::Input(e.into());
        let mut s =
            Scenario::from_str(&self.text, self.source.clone(), overrides).map_err(input)?;
        if let Some(p) = &self.posterior {
            let n = replicates.unwrap_or(s.replicates);
            p.attach(&mut s, &self.text, &self.source, overrides, n)
                .map_err(input)?;
        }
        Ok(s)
    }

    /// [`Loader::load`] with `--set`, `--seed` and `--replicates`.
    pub fn load_for(
        &self,
        set: &[String],
        seed: Option<u64>,
        replicates: Option<u32>,
    ) -> Result<Scenario, Failure> {
        self.load(&overrides(set, seed, replicates), None)
    }
}

/// Load a scenario for an analysis with `--set`, `--seed`, `--replicates`
/// and `--posterior` ([`Loader::load_for`]).
pub fn load_with(
    path: &Path,
    set: &[String],
    seed: Option<u64>,
    replicates: Option<u32>,
    posterior: Option<&Path>,
) -> Result<Scenario, Failure> {
    Loader::new(path, posterior)?.load_for(set, seed, replicates)
}

/// What a study's JSON records of `--posterior` (None without one), as
/// `run`'s manifest does: the folder, the keys its parameters set, and the
/// posterior particle (the row of posterior.csv) each replicate drew, in
/// replicate order (later replicates repeat the list).
pub fn posterior_json(scenario: &Scenario) -> Option<serde_json::Value> {
    let d = scenario.model.learning_culture()?.draws()?;
    let picks: Vec<usize> = d
        .by_replicate
        .iter()
        .map(|&k| d.particles[k as usize])
        .collect();
    Some(serde_json::json!({
        "from": d.from,
        "keys": d.keys,
        "particle_of_replicate": picks,
    }))
}

/// `json` with the posterior of `scenario` recorded (unchanged without
/// one), as the studies' JSON files write it.
pub fn with_posterior(mut json: serde_json::Value, scenario: &Scenario) -> serde_json::Value {
    if let Some(p) = posterior_json(scenario) {
        json["posterior"] = p;
    }
    json
}

/// The scenario's learning-culture model, or an input error naming the
/// command that needs it.
pub fn learning_culture<'a>(
    command: &str,
    scenario: &'a Scenario,
) -> Result<&'a LearningCulture, Failure> {
    scenario.model.learning_culture().ok_or_else(|| {
        Failure::Input(anyhow!(
            "{command} needs the learning-culture model; scenario '{}' runs {}",
            scenario.name(),
            scenario.model.name()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_study_needs_the_learning_culture_model() {
        let march = load_for(Path::new("march1991-fig1"), &[], Some(3), Some(2)).unwrap();
        assert_eq!((march.seed, march.replicates), (3, 2));
        let e = learning_culture("timing", &march).err().unwrap();
        assert!(
            e.to_string()
                .starts_with("timing needs the learning-culture model"),
            "{e}"
        );
    }
}
