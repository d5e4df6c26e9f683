//! The observation model: how a survey wave or an HR record arises from
//! the state of a run (docs/CALIBRATION.md, "Observation model").
//!
//! A culture score is a one-factor measurement model. The organization's
//! latent level is the loading-weighted mean of its culture, mean team
//! practice, mean leader support and mean belief (all in [0, 1]); each of
//! n respondents has a latent level η_i = η + δ_i, δ_i ~ N(0, τ²) (clipped
//! to [0, 1]); each of the instrument's k items is η_i plus item error
//! ε ~ N(0, σ²) on the item span, rounded to a Likert point and kept
//! within the scale (1-6 for the DLOQ, 1-7 for the LOS, whose score is
//! rescaled to 0-100). σ follows from the scale's reliability α by the
//! Spearman-Brown formula: the inter-item correlation is
//! ρ = α / (k − (k − 1) α) and σ² = τ² (1 − ρ) / ρ. The wave's value is
//! the mean of the respondents' scores. Engagement is the share of n
//! respondents who are engaged (binomial); turnover and headcount are HR
//! records, read from the run as they are.

use super::observations::{Instrument, Measure};
use super::units::Columns;
use crate::engine::RunOutput;
use crate::scenario::survey::RawSurvey;
use rand::Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// The parameters of the observation model.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyModel {
    /// Loadings on culture, practice, support, belief.
    pub loadings: [f64; 4],
    /// τ: respondents' standard deviation around the organization's level.
    pub person_sd: f64,
    /// α of the culture score (None: the instrument's default).
    pub reliability: Option<f64>,
}

impl SurveyModel {
    /// From a scenario's `[survey]` (its defaults when absent).
    pub fn from_raw(r: &RawSurvey) -> Self {
        let l = &r.loadings;
        Self {
            loadings: [l.culture, l.practice, l.support, l.belief],
            person_sd: r.person_sd,
            reliability: r.reliability,
        }
    }

    /// α of `inst`: as given, or the instrument's default (an assumption
    /// in the range reported for these forms; docs/CALIBRATION.md).
    pub fn reliability(&self, inst: Instrument) -> f64 {
        self.reliability.unwrap_or(match inst {
            Instrument::Dloq(7) => 0.85,
            Instrument::Dloq(21) => 0.90,
            Instrument::Dloq(_) => 0.93,
            Instrument::Los => 0.90,
        })
    }

    /// σ: the item error on the latent scale, from α and k (Spearman-Brown).
    pub fn item_sd(&self, inst: Instrument) -> f64 {
        let k = f64::from(items(inst));
        let a = self.reliability(inst);
        let rho = a / (k - (k - 1.0) * a);
        self.person_sd * ((1.0 - rho) / rho).sqrt()
    }

    /// The organization's latent level η in [0, 1].
    pub fn latent(&self, t: &Truth) -> f64 {
        let x = [t.culture, t.practice, t.support, t.belief];
        let w: f64 = self.loadings.iter().sum();
        (self.loadings.iter().zip(x).map(|(l, v)| l * v).sum::<f64>() / w).clamp(0.0, 1.0)
    }

    /// The score of `inst` at latent level `eta` without sampling error
    /// (the mean item before rounding and clipping): the level a census
    /// of the organization would show, for the forecast's bands.
    pub fn expected_score(&self, inst: Instrument, eta: f64) -> f64 {
        let (lo, hi) = points(inst);
        score(inst, lo + (hi - lo) * eta.clamp(0.0, 1.0))
    }

    /// A wave of `n` respondents on `inst` at latent level `eta`: the mean score.
    pub fn draw_culture<R: Rng>(&self, inst: Instrument, eta: f64, n: u32, rng: &mut R) -> f64 {
        let (lo, hi) = points(inst);
        let span = hi - lo;
        let k = items(inst);
        let sigma = self.item_sd(inst);
        let mut total = 0.0;
        for _ in 0..n {
            let z: f64 = StandardNormal.sample(rng);
            let eta_i = (eta + self.person_sd * z).clamp(0.0, 1.0);
            let mut sum = 0.0;
            for _ in 0..k {
                let e: f64 = StandardNormal.sample(rng);
                sum += (lo + span * (eta_i + sigma * e)).round().clamp(lo, hi);
            }
            total += score(inst, sum / f64::from(k));
        }
        total / f64::from(n.max(1))
    }

    /// Standard deviation of a wave's mean score over `n` respondents
    /// (the normal approximation, before rounding).
    pub fn sampling_sd(&self, inst: Instrument, n: u32) -> f64 {
        let (lo, hi) = points(inst);
        let per_item = (hi - lo)
            * (self.person_sd.powi(2) + self.item_sd(inst).powi(2) / f64::from(items(inst))).sqrt();
        let scale = score(inst, hi) - score(inst, lo);
        per_item * scale / (hi - lo) / f64::from(n.max(1)).sqrt()
    }

    /// A simulated observation of `measure` (n respondents) at state `t`.
    pub fn simulate<R: Rng>(
        &self,
        measure: Measure,
        n: Option<u32>,
        t: &Truth,
        rng: &mut R,
    ) -> f64 {
        match measure {
            Measure::Culture(inst) => self.draw_culture(inst, self.latent(t), n.unwrap_or(1), rng),
            Measure::Engagement => {
                let n = n.unwrap_or(1).max(1);
                let p = t.engagement.clamp(0.0, 1.0);
                let k = Binomial::new(u64::from(n), p).map_or(0, |b| b.sample(rng));
                k as f64 / f64::from(n)
            }
            Measure::Turnover => t.turnover,
            Measure::Headcount => t.headcount,
        }
    }

    /// The scale on which a residual of `measure` is standardized: the
    /// sampling error of a wave like the observed one (value `v`, `n`
    /// respondents or employees) and the model discrepancy `d` (a share of
    /// the measure's range; of the value for headcount), in quadrature.
    pub fn residual_sd(&self, measure: Measure, n: u32, v: f64, d: f64) -> f64 {
        let n = f64::from(n.max(1));
        let delta = discrepancy_sd(measure, v, d);
        match measure {
            Measure::Culture(inst) => {
                (self.sampling_sd(inst, n as u32).powi(2) + delta.powi(2)).sqrt()
            }
            Measure::Engagement | Measure::Turnover => {
                let p = v.clamp(0.02, 0.98);
                (p * (1.0 - p) / n + delta * delta).sqrt()
            }
            Measure::Headcount => delta.max(1.0),
        }
    }
}

/// The model discrepancy of `measure` at value `v`: the share `d` of the
/// measure's range (of the value, for headcount).
pub fn discrepancy_sd(measure: Measure, v: f64, d: f64) -> f64 {
    match measure {
        Measure::Culture(inst) => {
            let (lo, hi) = inst.range();
            d * (hi - lo)
        }
        Measure::Engagement | Measure::Turnover => d,
        Measure::Headcount => d * v,
    }
}

/// Items of an instrument (the LOS count is an assumption: a
/// 20-item short scale; docs/CALIBRATION.md).
pub fn items(inst: Instrument) -> u32 {
    match inst {
        Instrument::Dloq(k) => k,
        Instrument::Los => 20,
    }
}

/// The Likert points of an item: 1-6 (DLOQ), 1-7 (LOS).
fn points(inst: Instrument) -> (f64, f64) {
    match inst {
        Instrument::Dloq(_) => (1.0, 6.0),
        Instrument::Los => (1.0, 7.0),
    }
}

/// A respondent's score from their mean item: the DLOQ reports the mean;
/// the LOS rescales 1-7 to 0-100.
fn score(inst: Instrument, mean_item: f64) -> f64 {
    match inst {
        Instrument::Dloq(_) => mean_item,
        Instrument::Los => (mean_item - 1.0) / 6.0 * 100.0,
    }
}

/// What a run shows at one time: the quantities the observation model reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truth {
    /// The organization's culture level.
    pub culture: f64,
    /// Mean team practice.
    pub practice: f64,
    /// Mean leader support.
    pub support: f64,
    /// Mean belief.
    pub belief: f64,
    /// Share engaged.
    pub engagement: f64,
    /// Leavers over the year before (or the run so far, per year) per mean headcount.
    pub turnover: f64,
    /// Headcount.
    pub headcount: f64,
}

/// The state of a learning-culture run after `step` steps of `dt` years.
pub fn truth(run: &RunOutput, step: usize, dt: f64) -> Truth {
    truth_in(run, step, dt, &Columns::ORG)
}

/// The state after `step` steps of `dt` years of the organization or of a
/// probed unit, read from the columns `c` of the run's rows
/// ([`super::units::Probed`]).
pub fn truth_in(run: &RunOutput, step: usize, dt: f64, c: &Columns) -> Truth {
    let step = step.min(run.len() - 1);
    let row = run.row(step);
    let window = ((1.0 / dt).round() as usize).min(step);
    let (mut leavers, mut heads) = (0.0, 0.0);
    for s in step + 1 - window..=step {
        if s == 0 {
            continue;
        }
        leavers += run.row(s)[c.leavers];
        heads += run.row(s - 1)[c.headcount];
    }
    let turnover = if window == 0 || heads <= 0.0 {
        0.0
    } else {
        leavers / (heads / window as f64) / (window as f64 * dt)
    };
    Truth {
        culture: row[c.culture],
        practice: row[c.practice],
        support: row[c.support],
        belief: row[c.belief],
        engagement: row[c.engagement],
        turnover,
        headcount: row[c.headcount],
    }
}

/// The waves `culturesim run` writes (survey.csv) from a scenario's
/// `[survey]`: the organization's, and each of `[survey] units`' own.
#[derive(Debug, Clone)]
pub struct Waves {
    model: SurveyModel,
    /// (time in years, step) of each wave.
    times: Vec<(f64, usize)>,
    measures: Vec<Measure>,
    respondents: u32,
    dt: f64,
    /// The units surveyed besides the organization: name, index into the
    /// organization and where a probed run's row holds its state.
    units: Vec<(String, u32, Columns)>,
}

/// Purpose tag of the streams of synthetic waves.
const TAG_SURVEY: u64 = 0x5355_5256_4559;

impl Waves {
    /// The waves of `raw` in a run of `model` (`steps` steps of `dt`
    /// years; waves past the end are dropped). `raw` was checked with the
    /// scenario, its units against `model`'s organization.
    pub fn new(
        raw: &RawSurvey,
        model: &crate::model::learning_culture::LearningCulture,
        steps: u32,
        dt: f64,
    ) -> Self {
        use crate::engine::Model;
        let years = f64::from(steps) * dt;
        let times: Vec<f64> = match &raw.at {
            Some(at) => at.iter().filter_map(|t| t.years().ok()).collect(),
            None => (1..=(years + 1e-9).floor() as u32).map(f64::from).collect(),
        };
        let inst = Instrument::parse(&raw.instrument).unwrap_or(Instrument::Dloq(7));
        let measures = raw
            .measures
            .iter()
            .filter_map(|m| match m.as_str() {
                "culture" => Some(Measure::Culture(inst)),
                "engagement" => Some(Measure::Engagement),
                "turnover" => Some(Measure::Turnover),
                "headcount" => Some(Measure::Headcount),
                _ => None,
            })
            .collect();
        let width = model.metrics().len();
        let units = raw
            .units
            .iter()
            .filter_map(|name| model.org().find(name).map(|u| (name.clone(), u as u32)))
            .enumerate()
            .map(|(k, (name, u))| (name, u, Columns::probe(width, k)))
            .collect();
        Self {
            model: SurveyModel::from_raw(raw),
            times: times
                .into_iter()
                .map(|t| (t, (t / dt).round() as usize))
                .filter(|&(_, s)| s <= steps as usize)
                .collect(),
            measures,
            respondents: raw.respondents,
            dt,
            units,
        }
    }

    /// The units whose state a run must record ([`super::units::Probed`])
    /// for these waves, in order; empty for the organization's waves only.
    pub fn probes(&self) -> Vec<u32> {
        self.units.iter().map(|&(_, u, _)| u).collect()
    }

    /// The CSV header of survey.csv.
    pub const HEADER: &'static str = "replicate,time,measure,value,n,instrument,unit\n";

    /// The rows of one run (probed for [`Waves::probes`]), in the format of
    /// an observations file (with a `replicate` column): each wave's
    /// measures of the organization, then of each unit; random draws from
    /// the run's own seeds.
    pub fn rows(&self, run: &RunOutput, seeds: &crate::engine::Seeds) -> String {
        use crate::export::timeseries::format_value as f;
        let mut out = String::new();
        let whole = std::iter::once(("", &Columns::ORG));
        let parts = self.units.iter().map(|(name, _, c)| (name.as_str(), c));
        let surveyed: Vec<(&str, &Columns)> = whole.chain(parts).collect();
        for (w, &(time, step)) in self.times.iter().enumerate() {
            for (p, &(unit, columns)) in surveyed.iter().enumerate() {
                let t = truth_in(run, step, self.dt, columns);
                for (m, &measure) in self.measures.iter().enumerate() {
                    if measure == Measure::Turnover && step == 0 {
                        continue; // no year before the start to count leavers in
                    }
                    // The organization's streams are those of the waves
                    // before units existed: its rows keep their values.
                    let mut rng = match p {
                        0 => seeds.stream(&[TAG_SURVEY, w as u64, m as u64]),
                        _ => seeds.stream(&[TAG_SURVEY, w as u64, m as u64, p as u64]),
                    };
                    let heads = t.headcount.max(0.0) as u32;
                    let n = match measure {
                        Measure::Culture(_) | Measure::Engagement => {
                            Some(self.respondents.min(heads.max(1)))
                        }
                        Measure::Turnover => Some(heads.max(1)),
                        Measure::Headcount => None,
                    };
                    let v = self.model.simulate(measure, n, &t, &mut rng);
                    let inst = match measure {
                        Measure::Culture(i) => i.name(),
                        _ => String::new(),
                    };
                    out.push_str(&format!(
                        "{},{},{},{},{},{inst},{unit}\n",
                        run.id.replicate,
                        f(time),
                        measure.name(),
                        f(v),
                        n.map_or(String::new(), |n| n.to_string()),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn scores_stay_on_their_scales() {
        let m = SurveyModel::from_raw(&RawSurvey::default());
        let mut rng = Pcg64Mcg::new(7);
        for eta in [0.0, 0.5, 1.0] {
            let d = m.draw_culture(Instrument::Dloq(7), eta, 50, &mut rng);
            assert!((1.0..=6.0).contains(&d), "{d}");
            let l = m.draw_culture(Instrument::Los, eta, 50, &mut rng);
            assert!((0.0..=100.0).contains(&l), "{l}");
        }
        // At the top of the latent scale most items hit the ceiling; a
        // mid level gives a mid score.
        assert!(m.draw_culture(Instrument::Dloq(21), 1.0, 200, &mut rng) > 5.3);
        let mid = m.draw_culture(Instrument::Dloq(21), 0.5, 400, &mut rng);
        assert!((mid - 3.5).abs() < 0.1, "{mid}");
    }

    #[test]
    fn item_error_follows_spearman_brown() {
        let m = SurveyModel::from_raw(&RawSurvey::default());
        // α = 0.85, k = 7: ρ = 0.85 / (7 - 6·0.85) = 0.4474; σ = 0.15·√(0.5526/0.4474).
        let want = 0.15 * ((1.0f64 - 0.85 / 1.9) / (0.85 / 1.9)).sqrt();
        assert!((m.item_sd(Instrument::Dloq(7)) - want).abs() < 1e-12);
        // The wave mean's spread matches the stated sampling SD.
        let mut rng = Pcg64Mcg::new(3);
        let draws: Vec<f64> = (0..400)
            .map(|_| m.draw_culture(Instrument::Dloq(7), 0.5, 30, &mut rng))
            .collect();
        let mean = draws.iter().sum::<f64>() / 400.0;
        let sd = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / 399.0).sqrt();
        let want = m.sampling_sd(Instrument::Dloq(7), 30);
        assert!((sd / want - 1.0).abs() < 0.15, "sd {sd} vs {want}");
    }
}
