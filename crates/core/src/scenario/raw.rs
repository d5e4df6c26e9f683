//! The scenario file as written: serde structs that mirror the TOML.
//!
//! Every table denies unknown keys; every key has a default, so a scenario
//! only states what differs. Format 2 states every rate per year and every
//! time and duration in real units ([`RawTime`]: `"26w"`, `"5y"`, or a
//! number of years); format 1 (per-step values) is refused with what to
//! change (see `super::migrate`). Conversion into the typed model configuration
//! happens in `super::convert`; serializing a [`RawScenario`] back gives
//! the resolved scenario written next to every run's outputs.

pub use super::time::RawTime;
use crate::model::learning_culture::params;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A distribution as written: a plain number (a constant) or a table.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawDist {
    /// A constant.
    Constant(f64),
    /// A named distribution with its parameters.
    Named(Box<NamedDist>),
}

/// `{ dist = "beta", a = 2, b = 3 }` and friends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedDist {
    /// constant, uniform, normal, beta, lognormal, pareto, poisson, empirical.
    pub dist: String,
    /// constant: the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// uniform: the lower end (also the truncation of normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// uniform: the upper end (also the truncation of normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// normal: the mean; poisson: the mean count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// normal: the standard deviation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// beta: the first shape parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
    /// beta: the second shape parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<f64>,
    /// lognormal: the mean of the underlying normal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// lognormal: the standard deviation of the underlying normal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// pareto: the scale (the smallest value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// pareto: the shape (tail index).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// empirical: the values to draw from, each equally likely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    /// empirical: a CSV file (relative to the scenario) to take the values from...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// ...and the column holding them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl<'de> Deserialize<'de> for RawDist {
    /// A number is a constant; a table is a named distribution, read with
    /// unknown keys denied (so a typo gets a precise message).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawDist;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a table like { dist = \"beta\", a = 2, b = 3 }")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawDist, E> {
                Ok(RawDist::Constant(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawDist, E> {
                Ok(RawDist::Constant(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawDist, E> {
                Ok(RawDist::Constant(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                NamedDist::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|n| RawDist::Named(Box::new(n)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Visit every distribution of a scenario with its key path.
pub fn for_each_dist(raw: &mut RawScenario, mut f: impl FnMut(&str, &mut RawDist)) {
    f("org.team_size", &mut raw.org.team_size);
    for (name, t) in [
        ("population", &mut raw.population),
        ("hiring", &mut raw.hiring),
    ] {
        f(&format!("{name}.mastery"), &mut t.mastery);
        f(&format!("{name}.belief"), &mut t.belief);
        f(&format!("{name}.knowledge"), &mut t.knowledge);
        f(&format!("{name}.influence"), &mut t.influence);
    }
    f("leaders.alignment", &mut raw.leaders.alignment);
    f("leaders.commitment", &mut raw.leaders.commitment);
    if let Some(d) = &mut raw.leaders.top_alignment {
        f("leaders.top_alignment", d);
    }
    for (i, e) in raw.events.iter_mut().enumerate() {
        if let Some(d) = &mut e.alignment {
            f(&format!("events[{i}].alignment"), d);
        }
        if let Some(d) = &mut e.commitment {
            f(&format!("events[{i}].commitment"), d);
        }
    }
}

impl RawDist {
    /// Shorthand for a named two-parameter distribution.
    fn beta(a: f64, b: f64) -> Self {
        RawDist::Named(Box::new(NamedDist {
            dist: "beta".into(),
            a: Some(a),
            b: Some(b),
            ..Default::default()
        }))
    }
}

/// `[org]`: how the organization is generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RawOrg {
    /// Number of employee positions.
    pub employees: u32,
    /// Team size distribution.
    pub team_size: RawDist,
    /// Sub-units per unit.
    pub span: u32,
    /// Number of levels from the top to the teams (inclusive); when given,
    /// the span is chosen to fit and `span` must not be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<u32>,
    /// An org chart (CSV: `id,manager_id[,team][,alignment][,commitment]
    /// [,mastery][,belief][,knowledge][,influence]`, relative to this file)
    /// instead of a generated organization; then `employees`, `team_size`
    /// and `span` must not be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
}

impl Default for RawOrg {
    fn default() -> Self {
        Self {
            employees: 500,
            team_size: RawDist::Named(Box::new(NamedDist {
                dist: "poisson".into(),
                mean: Some(8.0),
                ..Default::default()
            })),
            span: 5,
            levels: None,
            chart: None,
        }
    }
}

/// `[population]` and `[hiring]`: employee trait distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RawTraits {
    /// Personal mastery.
    pub mastery: RawDist,
    /// Belief in the learning culture.
    pub belief: RawDist,
    /// Knowledge.
    pub knowledge: RawDist,
    /// Social influence.
    pub influence: RawDist,
}

impl Default for RawTraits {
    fn default() -> Self {
        Self {
            mastery: RawDist::beta(4.0, 6.0),
            belief: RawDist::beta(3.0, 5.0),
            knowledge: RawDist::beta(2.0, 5.0),
            influence: RawDist::Named(Box::new(NamedDist {
                dist: "pareto".into(),
                scale: Some(1.0),
                shape: Some(1.16),
                ..Default::default()
            })),
        }
    }
}

/// `[leaders]`: leader trait distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RawLeaders {
    /// Alignment with the learning-culture vision.
    pub alignment: RawDist,
    /// Commitment to support learning outcomes.
    pub commitment: RawDist,
    /// Alignment of the initial top leader (the pool's when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_alignment: Option<RawDist>,
}

impl Default for RawLeaders {
    fn default() -> Self {
        Self {
            alignment: RawDist::beta(7.0, 3.0),
            commitment: RawDist::beta(8.0, 2.0),
            top_alignment: None,
        }
    }
}

/// One `[[events]]` entry, flat: which keys apply depends on `kind`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// replace_leader, turnover_wave, reorganization, budget_cut,
    /// learnathon, community_of_practice, learning_leadership,
    /// learning_practice, personal_mastery.
    pub kind: String,
    /// A name for the event, so a scenario that `extends` this one can
    /// change it (`[[events]]` with the same `id`, only the keys that differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Set to false to switch the event off (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Time of a one-off event (`"5y"`, `"26w"`, or years).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<RawTime>,
    /// Period of a recurring event (`"1y"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every: Option<RawTime>,
    /// First time of a recurring event (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<RawTime>,
    /// Last possible time of a recurring event (default: the end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<RawTime>,
    /// all, top, unit:NAME, team:NAME, random:K, fraction:F, lowest:K, highest:K.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Label for tables and plots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// replace_leader: the newcomer's alignment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<RawDist>,
    /// replace_leader: the newcomer's commitment; learnathon: management commitment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<RawDist>,
    /// replace_leader: whether the newcomer adapts to their superior.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapt: Option<bool>,
    /// turnover_wave, reorganization: share of employees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// turnover_wave: who leaves: "random" (default) or "most_influential"
    /// (the given fraction with the highest social influence: the 80:20 case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub select: Option<String>,
    /// reorganization: share of practice lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disruption: Option<f64>,
    /// budget_cut: share of commitment removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut: Option<f64>,
    /// learnathon: participation level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participation: Option<f64>,
    /// community_of_practice: share of employees who join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub density: Option<f64>,
    /// programmes: share reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach: Option<f64>,
    /// programmes: strength, a rate per year at which the distance to 1
    /// closes while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
    /// programmes: how long the programme runs (`"3y"`, default 1 year):
    /// its budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<RawTime>,
    /// programmes: management reviews the programme this long after it
    /// starts (`"6m"`); absent: no review (patient management).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_after: Option<RawTime>,
    /// programmes: the least gain in the organization's culture C since
    /// the programme started that passes the review (with `review_after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_target: Option<f64>,
    /// programmes: how long after a stop the rest of the budget is
    /// relaunched (default `"3m"`; with `review_after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaunch_after: Option<RawTime>,
}

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Another scenario file this one builds on (relative to this file):
    /// its keys are the defaults and tables merge key by key; an event with
    /// the `id` of an inherited event changes that event, other events are
    /// added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Format version: 2 (rates per year, times in real units; the default).
    /// Format 1 (values per step) is refused with what to change
    /// (`culturesim migrate` converts a file).
    #[serde(default = "two")]
    pub format: u32,
    /// Short name; outputs go to `output/<name>/` by default.
    pub name: String,
    /// One or two sentences for tables and reports.
    #[serde(default)]
    pub description: String,
    /// Which model: "learning-culture" (default) or "march1991" (March's
    /// 1991 exploration/exploitation model, configured by `[march]`).
    #[serde(default = "default_model")]
    pub model: String,
    /// How long a learning-culture run lasts (`"10y"`, `"520w"`, or years;
    /// default 10 years), in whole steps of `time_unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<RawTime>,
    /// march1991: periods to run at most (default 520). A learning-culture
    /// scenario states `duration` instead (format 1 wrote steps here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// What a step is: "week" (default), "day", "month", "quarter" or "year";
    /// "period" for march1991. The rates are per year whatever the step.
    #[serde(default = "default_time_unit")]
    pub time_unit: String,
    /// Master seed.
    #[serde(default = "one64")]
    pub seed: u64,
    /// Replicates.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// `[org]`: the organization's size and shape, or its org chart.
    #[serde(default)]
    pub org: RawOrg,
    /// `[population]`: the traits of the employees at the start.
    #[serde(default)]
    pub population: RawTraits,
    /// `[hiring]`: the traits of new hires.
    #[serde(default)]
    pub hiring: RawTraits,
    /// `[leaders]`: the pool successors of leaders are drawn from.
    #[serde(default)]
    pub leaders: RawLeaders,
    /// `[engagement]`: when employees learn.
    #[serde(default)]
    pub engagement: params::Engagement,
    /// `[learning]`: what learning adds and forgetting takes.
    #[serde(default)]
    pub learning: params::Learning,
    /// `[belief]`: belief in learning.
    #[serde(default)]
    pub belief: params::Belief,
    /// `[culture]`: team and organizational culture.
    #[serde(default)]
    pub culture: params::Culture,
    /// `[leadership]`: how leaders shape their units.
    #[serde(default)]
    pub leadership: params::Leadership,
    /// `[turnover]`: who leaves and when.
    #[serde(default)]
    pub turnover: params::Turnover,
    /// `[formalization]`: knowledge made explicit (codified).
    #[serde(default)]
    pub formalization: params::Formalization,
    /// `[learnathon]`: the Learnathon programme.
    #[serde(default)]
    pub learnathon: params::Learnathon,
    /// `[community]`: communities of practice across teams.
    #[serde(default)]
    pub community: params::Community,
    /// `[init]`: the state at the start.
    #[serde(default)]
    pub init: params::Init,
    /// `[march]`: the parameters of model "march1991" (only with that model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub march: Option<crate::model::march1991::MarchParams>,
    /// `[[events]]`: leader replacements, programmes and shocks, in time order.
    #[serde(default)]
    pub events: Vec<RawEvent>,
    /// `[sweep]`: a design of parameter points, run by `culturesim sweep`
    /// (ignored by `culturesim run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<RawSweep>,
    /// `[survey]`: the observation model of survey waves, and the waves
    /// `culturesim run` writes as survey.csv (docs/CALIBRATION.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<super::survey::RawSurvey>,
    /// `[calibrate]`: free parameters, priors and sampler settings of
    /// `culturesim calibrate` (ignored by `culturesim run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibrate: Option<super::survey::RawCalibrate>,
    /// `[optimize]`: decision variables, target, budget and cost model of
    /// `culturesim optimize` (ignored by `culturesim run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimize: Option<super::optimize::RawOptimize>,
    /// The section of a registered model (`model = "..."` registered
    /// through [`crate::model::registry`]), as written; after validation,
    /// with every parameter stated. Read and written beside the typed
    /// sections (its keys come from the registration's declaration).
    #[serde(skip)]
    #[schemars(skip)]
    pub plugin: Option<toml::Table>,
}

/// `[sweep]`: which parameter points to run, each with `replicates` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// "grid" (every combination of the lists), "zip" (the i-th values of
    /// all lists together) or "lhs" (Latin hypercube samples over ranges).
    #[serde(default = "default_design")]
    pub design: String,
    /// Parameters by key path (any numeric scenario key, e.g.
    /// `"culture.coupling"`): a list of values (grid, zip) or
    /// `{ min = .., max = .. }` (lhs).
    pub params: std::collections::BTreeMap<String, SweepValues>,
    /// Number of points for lhs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    /// The point that paired differences are taken against (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<u32>,
    /// Write timeseries.csv with every k-th step (absent: no time series).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeseries_every: Option<u32>,
}

/// The values of one swept parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SweepValues {
    /// Listed values (grid, zip).
    List(Vec<f64>),
    /// A range (lhs).
    Range {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
}

fn default_design() -> String {
    "grid".into()
}

fn two() -> u32 {
    2
}
fn one64() -> u64 {
    1
}
fn default_model() -> String {
    "learning-culture".into()
}
/// Periods of a march1991 run without `steps`.
pub const DEFAULT_PERIODS: u32 = 520;

/// Length of a learning-culture run without `duration`, in years.
pub const DEFAULT_YEARS: f64 = 10.0;

impl RawScenario {
    /// Years per step of `time_unit` (a week for an unknown unit, which
    /// the conversion reports).
    pub fn years_per_step(&self) -> f64 {
        super::years_per_step(&self.time_unit)
    }

    /// Steps to run: march1991's `steps`, or `duration` in whole steps of
    /// `time_unit` (0 when it is malformed, which the conversion reports).
    pub fn steps(&self) -> u32 {
        if self.model == "march1991" || self.duration.is_none() && self.steps.is_some() {
            return self.steps.unwrap_or(DEFAULT_PERIODS);
        }
        match &self.duration {
            Some(d) => d.steps(self.years_per_step()).unwrap_or(0),
            None => RawTime::Years(DEFAULT_YEARS)
                .steps(self.years_per_step())
                .unwrap_or(0),
        }
    }
}
fn default_time_unit() -> String {
    "week".into()
}
fn default_replicates() -> u32 {
    32
}
