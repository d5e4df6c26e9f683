//! Sweeps: a design of parameter points (`[sweep]` in a scenario file), run
//! with common random numbers, streamed to disk in a deterministic order,
//! resumable after a crash, splittable into shards that merge back into
//! the files of the unsharded sweep.
//!
//! Run identity is (point, replicate); with common random numbers the
//! streams of replicate r are the same at every point (and equal replicate
//! r of `culturesim run`), so differences between points are paired.

pub mod columns;
pub mod design;
pub mod files;
pub mod hysteresis;
pub mod identity;
pub mod merge;
pub mod results;
pub mod run;
pub mod sensitivity;

use crate::scenario::{Scenario, ScenarioError, Source};
use design::Design;

pub use crate::scenario::column_name;

/// A loaded sweep: the base scenario and its points.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The scenario without any point's values.
    pub base: Scenario,
    /// The points.
    pub design: Design,
    /// Scenario text and source, to build each point.
    text: String,
    source: Source,
    overrides: Vec<String>,
    /// Write every k-th step of the time series (None: no time series).
    pub timeseries_every: Option<u32>,
    /// `--posterior`: each replicate's parameters drawn from it, for at
    /// most this many replicates per point (the draw of replicate r is the
    /// same at every point: paired).
    posterior: Option<(std::sync::Arc<crate::scenario::posterior::Posterior>, u32)>,
}

impl Sweep {
    /// Load the scenario, expand its `[sweep]` and check every point.
    pub fn load(text: &str, source: Source, overrides: &[String]) -> Result<Self, ScenarioError> {
        let base = Scenario::from_str(text, source.clone(), overrides)?;
        let Some(raw) = base.raw.sweep.clone() else {
            let mut p = crate::validate::Problems::default();
            p.push(
                "sweep",
                "this scenario has no [sweep] section (see docs/SCENARIOS.md)",
            );
            return Err(ScenarioError::Invalid {
                origin: source,
                problems: p,
                places: vec![None],
            });
        };
        let invalid = |problems: crate::validate::Problems| {
            let places = vec![None; problems.0.len()];
            ScenarioError::Invalid {
                origin: source.clone(),
                problems,
                places,
            }
        };
        let mut design = design::expand(&raw, base.seed).map_err(invalid)?;
        // Outputs name an event by its id; the same key twice is refused.
        let written = std::mem::take(&mut design.names);
        let mut p = crate::validate::Problems::default();
        for (k, key) in written.iter().enumerate() {
            let name = column_name(&base.raw, key);
            if let Some(j) = design.names.iter().position(|n| *n == name) {
                p.push(
                    format!("sweep.params.{key}"),
                    format!(
                        "names the same key as `{}` (both are {name}); keep one",
                        written[j]
                    ),
                );
            }
            design.names.push(name);
            debug_assert_eq!(design.names.len(), k + 1);
        }
        if !p.0.is_empty() {
            return Err(invalid(p));
        }
        let runs = (design.points.len() as u128) * u128::from(base.replicates);
        if runs > crate::limits::MAX_SWEEP_RUNS && !crate::limits::force_size() {
            let mut p = crate::validate::Problems::default();
            p.push(
                "replicates",
                format!(
                    "x {} points = {runs} runs, more than the limit of {} for one sweep; use --force-size to try anyway",
                    design.points.len(),
                    crate::limits::MAX_SWEEP_RUNS
                ),
            );
            return Err(ScenarioError::Invalid {
                origin: source,
                problems: p,
                places: vec![None],
            });
        }
        let sweep = Self {
            base,
            design,
            text: text.to_string(),
            source,
            overrides: overrides.to_vec(),
            timeseries_every: raw.timeseries_every.filter(|&k| k > 0),
            posterior: None,
        };
        // Every point must be a valid scenario before anything runs.
        for p in 0..sweep.design.points.len() {
            sweep.point(p as u32)?;
        }
        Ok(sweep)
    }

    /// Draw each replicate's parameters from `posterior` (up to
    /// `max_replicates` per point), checked at every point.
    pub fn with_posterior(
        mut self,
        posterior: crate::scenario::posterior::Posterior,
        max_replicates: u32,
    ) -> Result<Self, ScenarioError> {
        posterior.attach(
            &mut self.base,
            &self.text,
            &self.source,
            &self.overrides,
            max_replicates,
        )?;
        self.posterior = Some((std::sync::Arc::new(posterior), max_replicates));
        for p in 0..self.design.points.len() {
            self.point(p as u32)?;
        }
        Ok(self)
    }

    /// The posterior the replicates draw from, if any.
    pub fn posterior(&self) -> Option<&crate::scenario::posterior::Posterior> {
        self.posterior.as_ref().map(|(p, _)| p.as_ref())
    }

    /// The scenario of point `p`.
    pub fn point(&self, p: u32) -> Result<Scenario, ScenarioError> {
        let mut sets = self.overrides.clone();
        for (name, v) in self
            .design
            .names
            .iter()
            .zip(&self.design.points[p as usize])
        {
            sets.push(format!(
                "{name}={}",
                crate::export::timeseries::format_value(*v)
            ));
        }
        let mut s = Scenario::from_str(&self.text, self.source.clone(), &sets);
        if let (Ok(sc), Some((post, max))) = (&mut s, &self.posterior)
            && let Err(e) = post.attach(sc, &self.text, &self.source, &sets, *max)
        {
            s = Err(e);
        }
        s.map_err(|e| match e {
            ScenarioError::Invalid {
                origin,
                mut problems,
                places,
            } => {
                for pr in &mut problems.0 {
                    pr.message = format!("{} (at sweep point {p})", pr.message);
                }
                ScenarioError::Invalid {
                    origin,
                    problems,
                    places,
                }
            }
            other => other,
        })
    }

    /// Replicates per point.
    pub fn replicates(&self) -> u32 {
        self.base.replicates
    }

    /// Every run, point by point: (point, replicate).
    pub fn runs(&self) -> Vec<(u32, u32)> {
        let reps = self.replicates();
        (0..self.design.points.len() as u32)
            .flat_map(|p| (0..reps).map(move |r| (p, r)))
            .collect()
    }

    /// The runs of shard `k` of `n` (1-based): every n-th run from the k-th.
    pub fn shard_runs(&self, shard: Option<(u32, u32)>) -> Vec<(u32, u32)> {
        let all = self.runs();
        match shard {
            None => all,
            Some((k, n)) => all
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i as u32 % n == k - 1)
                .map(|(_, r)| r)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_with_an_id_is_named_by_it() {
        let raw = Scenario::default_scenario().unwrap().raw;
        assert_eq!(
            column_name(&raw, "events.4.alignment"),
            "events.shock.alignment"
        );
        assert_eq!(
            column_name(&raw, "events.3.commitment"),
            "events.learnathon.commitment"
        );
        // Already an id, not an event, or an index past the end: unchanged.
        for key in [
            "events.shock.alignment",
            "culture.coupling",
            "events.99.at",
            "events",
        ] {
            assert_eq!(column_name(&raw, key), key);
        }
    }

    #[test]
    fn both_spellings_of_one_key_are_refused() {
        let text = "extends = \"snow-in-the-sun\"\nname = \"twice\"\n[sweep]\ndesign = \"grid\"\n[sweep.params]\n\"events.4.alignment\" = [0.1, 0.2]\n\"events.shock.alignment\" = [0.3]\n";
        let source = Source::File(std::path::PathBuf::from("twice.toml"));
        let e = Sweep::load(text, source, &[]).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("names the same key"), "{m}");
        assert!(m.contains("events.shock.alignment"), "{m}");
    }
}
