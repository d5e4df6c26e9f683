//! The `[optimize]` section of a scenario as written, and its checks: the
//! decision variables of `culturesim optimize` (scenario keys with their
//! ranges), the objective's target, the budget, the search's settings and
//! the cost model (docs/DECISIONS.md, "Programme portfolio"). Read by
//! [`crate::decide::optimize`]; the model never sees it.

use crate::validate::Problems;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[optimize]`: decision variables, target, budget, search settings and
/// cost model of `culturesim optimize` (ignored by `culturesim run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOptimize {
    /// Decision variables by key path (any numeric scenario key, as in
    /// `[sweep]`: `events.practice.reach`), each with its range
    /// [default: every programme's reach, duration and strength, every
    /// Learnathon's participation and commitment, every community's
    /// density].
    #[serde(default)]
    pub variables: BTreeMap<String, RawVariable>,
    /// Least probability of ending in the high-culture basin that the
    /// cheapest portfolio must reach.
    #[serde(default = "default_target")]
    pub target: f64,
    /// Most a portfolio may cost (in the cost model's unit) [default: no
    /// budget].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<f64>,
    /// Candidates per generation (NSGA-II's population).
    #[serde(default = "default_population")]
    pub population: u32,
    /// Generations after the first.
    #[serde(default = "default_generations")]
    pub generations: u32,
    /// Runs per candidate, the same seeds for every candidate (common
    /// random numbers) [default: the scenario's replicates].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u32>,
    /// Runs on fresh seeds that re-evaluate the front's candidates (its
    /// robustness and the minimum effective dose).
    #[serde(default = "default_confirm")]
    pub confirm: u32,
    /// Culture at the end of the run that counts as the high basin
    /// [default: culture.high_threshold].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// The cost model.
    #[serde(default)]
    pub cost: RawCost,
}

/// A decision variable's range: `{ min = 0.2, max = 1.0 }`, optionally on
/// a grid of `step` from `min`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVariable {
    /// Least value.
    pub min: f64,
    /// Greatest value.
    pub max: f64,
    /// Grid spacing from `min` (none: any value in the range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

/// The cost model: what a portfolio costs, by programme kind. The unit is
/// a person-week of the participants' time; every rate is an assumption
/// (docs/DECISIONS.md, "Programme portfolio"), to be replaced by the
/// client's own figures (`unit` names them, e.g. "kEUR").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    /// The unit of every cost.
    #[serde(default = "default_unit")]
    pub unit: String,
    /// Cost of one employee-week in a practice or mastery programme at
    /// the reference strength.
    #[serde(default = "one")]
    pub participant_week: f64,
    /// Cost of one leader-week in the leadership programme at the
    /// reference strength.
    #[serde(default = "two")]
    pub leader_week: f64,
    /// Programme strength (a rate per year) at which the weekly rates
    /// apply; a programme costs in proportion to its strength.
    #[serde(default = "default_reference_strength")]
    pub reference_strength: f64,
    /// Cost per invited employee of one Learnathon (participation π is the
    /// share invited).
    #[serde(default = "one")]
    pub learnathon_participant: f64,
    /// Cost per leader in scope of one Learnathon at commitment χ = 1
    /// (in proportion to χ).
    #[serde(default = "one")]
    pub learnathon_commitment: f64,
    /// Cost of one member-week of a community of practice.
    #[serde(default = "default_community_week")]
    pub community_member_week: f64,
}

impl Default for RawCost {
    fn default() -> Self {
        Self {
            unit: default_unit(),
            participant_week: one(),
            leader_week: two(),
            reference_strength: default_reference_strength(),
            learnathon_participant: one(),
            learnathon_commitment: one(),
            community_member_week: default_community_week(),
        }
    }
}

impl Default for RawOptimize {
    fn default() -> Self {
        Self {
            variables: BTreeMap::new(),
            target: default_target(),
            budget: None,
            population: default_population(),
            generations: default_generations(),
            replicates: None,
            confirm: default_confirm(),
            threshold: None,
            cost: RawCost::default(),
        }
    }
}

fn default_target() -> f64 {
    0.7
}
fn default_population() -> u32 {
    24
}
fn default_generations() -> u32 {
    8
}
fn default_confirm() -> u32 {
    256
}
fn default_unit() -> String {
    "person-weeks".into()
}
fn one() -> f64 {
    1.0
}
fn two() -> f64 {
    2.0
}
fn default_reference_strength() -> f64 {
    0.25
}
fn default_community_week() -> f64 {
    0.05
}

/// Most candidates per generation, generations and confirmation runs.
pub const MAX_POPULATION: u32 = 10_000;
/// Most generations.
pub const MAX_GENERATIONS: u32 = 1_000;

/// Check `[optimize]`: every problem, each at its key path.
pub fn check(o: &RawOptimize, p: &mut Problems) {
    for (k, v) in &o.variables {
        let path = format!("optimize.variables.{k}");
        if !(v.min.is_finite() && v.max.is_finite()) {
            p.push(
                path.clone(),
                format!("min and max must be numbers, got {} and {}", v.min, v.max),
            );
        } else if v.min > v.max {
            p.push(
                format!("{path}.max"),
                format!("must not be below min ({}), got {}", v.min, v.max),
            );
        }
        if let Some(s) = v.step
            && !(s.is_finite() && s > 0.0)
        {
            p.push(format!("{path}.step"), format!("must be > 0, got {s}"));
        }
    }
    if !(o.target > 0.0 && o.target <= 1.0) {
        p.push(
            "optimize.target",
            format!("must be a probability in (0, 1], got {}", o.target),
        );
    }
    if let Some(b) = o.budget
        && !(b.is_finite() && b >= 0.0)
    {
        p.push("optimize.budget", format!("must be a cost >= 0, got {b}"));
    }
    if !(4..=MAX_POPULATION).contains(&o.population) {
        p.push(
            "optimize.population",
            format!(
                "must be in [4, {MAX_POPULATION}] candidates, got {}",
                o.population
            ),
        );
    }
    if o.generations > MAX_GENERATIONS {
        p.push(
            "optimize.generations",
            format!("must be at most {MAX_GENERATIONS}, got {}", o.generations),
        );
    }
    if o.replicates == Some(0) {
        p.push("optimize.replicates", "must be at least 1, got 0");
    }
    if o.confirm == 0 || o.confirm > 1_000_000 {
        p.push(
            "optimize.confirm",
            format!("must be in [1, 1000000] runs, got {}", o.confirm),
        );
    }
    if let Some(t) = o.threshold {
        p.unit("optimize.threshold", t);
    }
    let c = &o.cost;
    for (key, v) in [
        ("participant_week", c.participant_week),
        ("leader_week", c.leader_week),
        ("learnathon_participant", c.learnathon_participant),
        ("learnathon_commitment", c.learnathon_commitment),
        ("community_member_week", c.community_member_week),
    ] {
        p.non_negative(&format!("optimize.cost.{key}"), v);
    }
    p.positive("optimize.cost.reference_strength", c.reference_strength);
}
