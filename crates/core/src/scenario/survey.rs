//! The `[survey]` and `[calibrate]` sections of a scenario as written, and
//! their checks: the observation model of survey waves (which instrument,
//! loadings, reliability, respondents; the waves `run` writes as
//! survey.csv) and the free parameters, priors and settings of
//! `culturesim calibrate` (docs/CALIBRATION.md). Both are read by the
//! calibration layer (`crate::calibrate`); the model never sees them.

use super::time::RawTime;
use crate::validate::Problems;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The measures a survey wave or an observations file may hold.
pub const MEASURES: [&str; 4] = ["culture", "engagement", "turnover", "headcount"];

/// The culture-score instruments.
pub const INSTRUMENTS: [&str; 4] = ["dloq7", "dloq21", "dloq43", "los"];

/// `[survey]`: how a survey score arises from the model state, and the
/// waves `culturesim run` writes (survey.csv).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSurvey {
    /// Times of the waves `run` writes (default: every whole year of the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<RawTime>>,
    /// Measures `run` writes: culture, engagement, turnover, headcount.
    #[serde(default = "default_measures")]
    pub measures: Vec<String>,
    /// Respondents per wave (sampled from the organization's employees).
    #[serde(default = "default_respondents")]
    pub respondents: u32,
    /// Culture-score instrument of the waves `run` writes: dloq7, dloq21,
    /// dloq43 (mean of 6-point Likert items, 1-6) or los (0-100).
    #[serde(default = "default_instrument")]
    pub instrument: String,
    /// Loadings of the one-factor measurement model.
    #[serde(default)]
    pub loadings: RawLoadings,
    /// Reliability (Cronbach's alpha) of the culture score; absent: the
    /// instrument's default (docs/CALIBRATION.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliability: Option<f64>,
    /// Standard deviation of respondents' latent score around the
    /// organization's level (on the 0-1 latent scale).
    #[serde(default = "default_person_sd")]
    pub person_sd: f64,
    /// Units or teams (top, u1, u1.2, ...) whose own waves `run` writes
    /// besides the organization's (the unit column of survey.csv).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
}

impl Default for RawSurvey {
    fn default() -> Self {
        toml::from_str("").expect("every [survey] key has a default")
    }
}

/// Loadings of the latent culture score on the model's culture, team
/// practice, leader support and belief (a weighted mean; they need not sum to 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RawLoadings {
    /// On the organization's culture level.
    pub culture: f64,
    /// On the mean team learning practice.
    pub practice: f64,
    /// On the mean leader support.
    pub support: f64,
    /// On the mean belief in the learning culture.
    pub belief: f64,
}

impl Default for RawLoadings {
    fn default() -> Self {
        Self {
            culture: 0.8,
            practice: 0.7,
            support: 0.7,
            belief: 0.6,
        }
    }
}

/// `[calibrate]`: the free parameters with their priors, and the settings
/// of the ABC-SMC sampler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCalibrate {
    /// Free parameters by key path (any numeric scenario key, as in
    /// `[sweep]`), each with its prior.
    pub params: BTreeMap<String, RawPrior>,
    /// Particles per generation [default: 100 per free parameter, at least 200].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub particles: Option<u32>,
    /// Generations after the prior one [default: 5].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generations: Option<u32>,
    /// Each tolerance is this quantile of the previous generation's distances.
    #[serde(default = "default_quantile")]
    pub quantile: f64,
    /// Model realizations shared by the proposals (common random numbers):
    /// proposal k runs replicate k mod streams [default: particles].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streams: Option<u32>,
    /// Model discrepancy: a standard deviation added to each wave's
    /// sampling error, as a share of the measure's range (of the value,
    /// for headcount).
    #[serde(default = "default_discrepancy")]
    pub discrepancy: f64,
    /// A generation whose acceptance rate falls below this stops the sampler.
    #[serde(default = "default_min_acceptance")]
    pub min_acceptance: f64,
    /// The data are reported as not fitted when the closest simulation is
    /// further than this (root mean square of standardized residuals).
    #[serde(default = "default_fit_threshold")]
    pub fit_threshold: f64,
    /// Calendar date of time 0 (YYYY-MM-DD), for observations dated by calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Runs of the posterior predictive check and the forecast, each with
    /// its own posterior draw and seeds [default: 200].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_runs: Option<u32>,
    /// How far the forecast runs after the last wave [default: to the end
    /// of the scenario's run, and at least 3 years].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<RawTime>,
    /// A cheap first filter before agent runs: "none" or "mean-field"
    /// (history matching with the organization's mean-field map).
    #[serde(default = "default_prefilter")]
    pub prefilter: String,
    /// The pre-filter's implausibility cutoff (the second largest
    /// standardized distance of the map's expectation to the data).
    #[serde(default = "default_prefilter_cutoff")]
    pub prefilter_cutoff: f64,
    /// Paired agent and mean-field runs at prior draws that calibrate the
    /// pre-filter's bias and error.
    #[serde(default = "default_prefilter_pilot")]
    pub prefilter_pilot: u32,
}

/// The pre-filters of `calibrate.prefilter`.
pub const PREFILTERS: [&str; 2] = ["none", "mean-field"];

/// A prior as written: `{ dist = "uniform", min = 0, max = 1 }`,
/// `{ dist = "normal", mean, sd[, min][, max] }`, `{ dist = "lognormal",
/// mu, sigma }`, `{ dist = "loguniform", min, max }`.
// The arguments carry no `///` docs on purpose: schemars would put them
// into the scenario JSON Schema, whose bytes this refactor keeps.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawPrior {
    /// uniform, normal, lognormal or loguniform.
    pub dist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

fn default_measures() -> Vec<String> {
    MEASURES.iter().map(|s| s.to_string()).collect()
}
fn default_respondents() -> u32 {
    100
}
fn default_instrument() -> String {
    "dloq7".into()
}
fn default_person_sd() -> f64 {
    0.15
}
fn default_quantile() -> f64 {
    0.5
}
fn default_discrepancy() -> f64 {
    0.02
}
fn default_min_acceptance() -> f64 {
    0.02
}
fn default_fit_threshold() -> f64 {
    3.0
}
fn default_prefilter() -> String {
    "none".into()
}
fn default_prefilter_cutoff() -> f64 {
    3.0
}
fn default_prefilter_pilot() -> u32 {
    50
}

/// Check `[survey]` (against a run of `years` years) and `[calibrate]`:
/// every problem, each at its key path.
pub fn check(
    survey: Option<&RawSurvey>,
    calibrate: Option<&RawCalibrate>,
    years: f64,
    p: &mut Problems,
) {
    if let Some(s) = survey {
        check_survey(s, years, p);
    }
    if let Some(c) = calibrate {
        check_calibrate(c, p);
    }
}

/// `[survey]`: its times within the run, measures, respondents,
/// instrument, loadings, reliability and person sd.
fn check_survey(s: &RawSurvey, years: f64, p: &mut Problems) {
    if let Some(at) = &s.at {
        if at.is_empty() {
            p.push(
                "survey.at",
                "needs at least one time (or leave it out: every whole year)",
            );
        }
        for (i, t) in at.iter().enumerate() {
            match t.years() {
                Ok(y) if y > years + 1e-9 => p.push(
                    format!("survey.at[{i}]"),
                    format!("must be within the run ({years:.4} years), got {t}"),
                ),
                Ok(_) => {}
                Err(e) => p.push(format!("survey.at[{i}]"), e),
            }
        }
    }
    if s.measures.is_empty() {
        p.push(
            "survey.measures",
            format!("needs at least one of {}", MEASURES.join(", ")),
        );
    }
    for (i, m) in s.measures.iter().enumerate() {
        if !MEASURES.contains(&m.as_str()) {
            p.push(
                format!("survey.measures[{i}]"),
                format!("must be one of {}, got \"{m}\"", MEASURES.join(", ")),
            );
        }
    }
    if s.respondents == 0 {
        p.push("survey.respondents", "must be at least 1, got 0");
    }
    if !INSTRUMENTS.contains(&s.instrument.as_str()) {
        p.push(
            "survey.instrument",
            format!(
                "must be one of {}, got \"{}\"",
                INSTRUMENTS.join(", "),
                s.instrument
            ),
        );
    }
    let l = &s.loadings;
    for (k, v) in [
        ("culture", l.culture),
        ("practice", l.practice),
        ("support", l.support),
        ("belief", l.belief),
    ] {
        p.unit(&format!("survey.loadings.{k}"), v);
    }
    if l.culture + l.practice + l.support + l.belief <= 0.0 {
        p.push("survey.loadings", "at least one loading must be above 0");
    }
    if let Some(r) = s.reliability
        && !(r > 0.0 && r < 1.0)
    {
        p.push("survey.reliability", format!("must be in (0, 1), got {r}"));
    }
    if !(s.person_sd.is_finite() && s.person_sd > 0.0 && s.person_sd <= 0.5) {
        p.push(
            "survey.person_sd",
            format!("must be in (0, 0.5], got {}", s.person_sd),
        );
    }
}

/// `[calibrate]`: the free parameters' priors and the sampler's settings.
fn check_calibrate(c: &RawCalibrate, p: &mut Problems) {
    if c.params.is_empty() {
        p.push(
            "calibrate.params",
            "needs at least one free parameter with its prior",
        );
    }
    for (k, prior) in &c.params {
        check_prior(&format!("calibrate.params.{k}"), prior, p);
    }
    if c.particles == Some(0) || c.particles.is_some_and(|n| n < 10) {
        p.push(
            "calibrate.particles",
            format!("must be at least 10, got {}", c.particles.unwrap_or(0)),
        );
    }
    if let Some(n) = c.particles
        && n > 1_000_000
    {
        p.push(
            "calibrate.particles",
            format!("must be at most 1000000, got {n}"),
        );
    }
    if !PREFILTERS.contains(&c.prefilter.as_str()) {
        p.push(
            "calibrate.prefilter",
            format!(
                "must be one of {}, got \"{}\"",
                PREFILTERS.join(", "),
                c.prefilter
            ),
        );
    }
    if !(c.prefilter_cutoff.is_finite() && c.prefilter_cutoff > 0.0) {
        p.push(
            "calibrate.prefilter_cutoff",
            format!("must be a number above 0, got {}", c.prefilter_cutoff),
        );
    }
    if !(10..=100_000).contains(&c.prefilter_pilot) {
        p.push(
            "calibrate.prefilter_pilot",
            format!("must be from 10 to 100000, got {}", c.prefilter_pilot),
        );
    }
    if c.generations.is_some_and(|g| g > 100) {
        p.push(
            "calibrate.generations",
            format!("must be at most 100, got {}", c.generations.unwrap_or(0)),
        );
    }
    if !(c.quantile > 0.0 && c.quantile < 1.0) {
        p.push(
            "calibrate.quantile",
            format!("must be in (0, 1), got {}", c.quantile),
        );
    }
    if c.streams == Some(0) {
        p.push("calibrate.streams", "must be at least 1, got 0");
    }
    p.range("calibrate.discrepancy", c.discrepancy, 0.0, 1.0);
    if !(c.min_acceptance > 0.0 && c.min_acceptance <= 1.0) {
        p.push(
            "calibrate.min_acceptance",
            format!("must be in (0, 1], got {}", c.min_acceptance),
        );
    }
    p.positive("calibrate.fit_threshold", c.fit_threshold);
    if let Some(n) = c.forecast_runs
        && !(10..=100_000).contains(&n)
    {
        p.push(
            "calibrate.forecast_runs",
            format!("must be in [10, 100000], got {n}"),
        );
    }
    if let Some(t) = &c.forecast {
        match t.years() {
            Ok(y) if y > 0.0 && y <= 100.0 => {}
            Ok(y) => p.push(
                "calibrate.forecast",
                format!("must be a time after the last wave in (0, 100] years, got {y}"),
            ),
            Err(e) => p.push("calibrate.forecast", e),
        }
    }
    if let Some(s) = &c.start
        && let Err(e) = days_from_date(s)
    {
        p.push("calibrate.start", e);
    }
}

/// The prior of free parameter `path`: a known distribution with the
/// arguments it needs and no others, in range.
fn check_prior(path: &str, prior: &RawPrior, p: &mut Problems) {
    let given = [
        ("min", prior.min),
        ("max", prior.max),
        ("mean", prior.mean),
        ("sd", prior.sd),
        ("mu", prior.mu),
        ("sigma", prior.sigma),
    ];
    let (needs, may): (&[&str], &[&str]) = match prior.dist.as_str() {
        "uniform" | "loguniform" => (&["min", "max"], &[]),
        "normal" => (&["mean", "sd"], &["min", "max"]),
        "lognormal" => (&["mu", "sigma"], &[]),
        other => {
            p.push(
                format!("{path}.dist"),
                format!("must be uniform, normal, lognormal or loguniform, got \"{other}\""),
            );
            return;
        }
    };
    for (k, v) in given {
        match v {
            None if needs.contains(&k) => {
                p.push(path, format!("a {} prior needs `{k}`", prior.dist))
            }
            Some(_) if !needs.contains(&k) && !may.contains(&k) => p.push(
                format!("{path}.{k}"),
                format!(
                    "does not apply to a {} prior (it takes {})",
                    prior.dist,
                    [needs, may].concat().join(", ")
                ),
            ),
            Some(x) if !x.is_finite() => p.push(
                format!("{path}.{k}"),
                format!("must be a finite number, got {x}"),
            ),
            _ => {}
        }
    }
    if let (Some(lo), Some(hi)) = (prior.min, prior.max)
        && lo.is_finite()
        && hi.is_finite()
        && lo >= hi
    {
        p.push(path, format!("needs min < max, got min = {lo}, max = {hi}"));
    }
    if prior.dist == "loguniform" && prior.min.is_some_and(|m| m <= 0.0) {
        p.push(
            format!("{path}.min"),
            format!(
                "a loguniform prior needs min > 0, got {}",
                prior.min.unwrap_or(0.0)
            ),
        );
    }
    for (k, v) in [("sd", prior.sd), ("sigma", prior.sigma)] {
        if let Some(x) = v
            && x.is_finite()
            && x <= 0.0
        {
            p.push(format!("{path}.{k}"), format!("must be > 0, got {x}"));
        }
    }
}

/// Days from 1970-01-01 of a date written YYYY-MM-DD (the proleptic
/// Gregorian calendar; H. Hinnant's `days_from_civil`).
pub fn days_from_date(s: &str) -> Result<i64, String> {
    let bad = || format!("must be a date YYYY-MM-DD, got \"{s}\"");
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) = match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err(bad()),
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return Err(format!("\"{s}\" is not a date of the calendar"));
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_like_the_calendar() {
        assert_eq!(days_from_date("1970-01-01"), Ok(0));
        assert_eq!(days_from_date("2000-03-01"), Ok(11_017));
        assert_eq!(
            days_from_date("2024-02-29").unwrap() - days_from_date("2024-02-28").unwrap(),
            1
        );
        assert!(days_from_date("2023-02-29").is_err());
        assert!(days_from_date("2023-1-5").is_err());
    }

    #[test]
    fn every_problem_of_both_sections_is_reported() {
        let s: RawSurvey = toml::from_str(
            "respondents = 0\ninstrument = \"dlq\"\nmeasures = [\"culture\", \"mood\"]",
        )
        .unwrap();
        let c: RawCalibrate = toml::from_str(
            "quantile = 1.5\n[params]\n\"a.b\" = { dist = \"uniform\", min = 2, max = 1 }\n\"c.d\" = { dist = \"normal\", mean = 0 }\n",
        )
        .unwrap();
        let mut p = Problems::default();
        check(Some(&s), Some(&c), 5.0, &mut p);
        let all: Vec<String> = p.0.iter().map(|x| x.to_string()).collect();
        for want in [
            "survey.respondents: must be at least 1",
            "survey.instrument: must be one of dloq7",
            "survey.measures[1]: must be one of",
            "calibrate.quantile: must be in (0, 1), got 1.5",
            "calibrate.params.a.b: needs min < max",
            "calibrate.params.c.d: a normal prior needs `sd`",
        ] {
            assert!(all.iter().any(|m| m.starts_with(want)), "{want} in {all:?}");
        }
        assert_eq!(all.len(), 6, "{all:?}");
    }
}
