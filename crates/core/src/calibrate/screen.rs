//! The mean-field pre-filter (docs/CALIBRATION.md, "The mean-field
//! pre-filter"): history matching (Craig, Goldstein, Seheult & Smith 1997;
//! Vernon, Goldstein & Bower 2010) with the organization's mean-field map
//! ([`OrgMeanField`]) as the cheap emulator, before any agent run.
//!
//! A **pilot** of M paired runs calibrates the emulator: at M draws from
//! the prior, the agent model's simulated waves (survey noise and all) and
//! the map's expectation of them at the same seeds (the same leaders). Per
//! observation i, the residuals' mean is the emulator's bias bᵢ and their
//! standard deviation sᵢ its error (sampling noise included). A proposal θ
//! is then **implausible** when
//!
//!   Iᵢ(θ) = |yᵢ − m̂ᵢ(θ) − bᵢ| / √(sᵢ² + δᵢ²)
//!
//! (yᵢ the observation, m̂ᵢ the map's expectation at θ with the proposal's
//! seeds, δᵢ the model discrepancy of `calibrate.discrepancy`) is above the
//! cutoff c (default 3, Pukelsheim's three-sigma rule) for the **second
//! largest** Iᵢ (Vernon et al. 2010: one wave the emulator misjudges does
//! not rule θ out; with a single screened observation, its own). An
//! implausible proposal is dropped without an agent run. The map gives
//! culture scores and engagement shares; turnover and headcount waves are
//! not screened (the map keeps no leavers).
//!
//! Every draw comes from streams of (seed, proposal) only, so the screen,
//! like the sampler, is the same at any thread count and after a resume.

use super::fit::Calibration;
use super::observations::Measure;
use super::smc::{self, Problem};
use crate::engine::Seeds;
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::meanfield::OrgMeanField;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The generation number of the pilot's streams (no sampler generation
/// reaches it).
pub const PILOT: u32 = u32::MAX - 3;

/// One pilot pair: the agent model's simulated waves and the map's expectations.
type Pair = (Vec<f64>, Vec<Option<f64>>);

/// The pre-filter's settings (`calibrate.prefilter*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The implausibility cutoff c.
    pub cutoff: f64,
    /// Paired runs of the pilot, M.
    pub pilot: u32,
}

/// The emulator's bias and error for one observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// bᵢ: mean of agent minus map over the pilot.
    pub bias: f64,
    /// sᵢ: their standard deviation.
    pub sd: f64,
}

/// A calibrated screen (screen.json in the output folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screen {
    /// The cutoff c.
    pub cutoff: f64,
    /// Paired runs of the pilot that ran (a refused prior draw is skipped).
    pub pilot: u32,
    /// Per observation, in data order; None when it is not screened.
    pub terms: Vec<Option<Term>>,
    /// The observations' model discrepancy δᵢ.
    pub discrepancy: Vec<f64>,
}

/// The map's expectation of each observation in a run of `model` with
/// `seeds` to the calibration's last wave: the culture score a census
/// would give and the engagement share; None for turnover and headcount.
pub fn emulate(cal: &Calibration, model: &LearningCulture, seeds: &Seeds) -> Vec<Option<f64>> {
    let people = cal.people(model);
    let org = model.org();
    let mut mf = OrgMeanField::new(model, seeds);
    let last = cal.wave_steps.iter().copied().max().unwrap_or(0);
    let mut at_step: Vec<Option<f64>> = vec![None; cal.data.len()];
    for step in 0..=last {
        if step > 0 {
            mf.step(model, step as u32 - 1, seeds, &people);
        }
        for (i, o) in cal.data.iter().enumerate() {
            if cal.wave_steps[i] != step {
                continue;
            }
            let unit = o.unit.as_ref().and_then(|u| org.find(u));
            let (culture, practice, support, belief, engagement) = match unit {
                None => {
                    let m = mf.means();
                    (m.culture, m.practice, m.support, m.belief, m.engagement)
                }
                Some(u) => unit_means(&mf, org.unit_teams[u]),
            };
            at_step[i] = match o.measure {
                Measure::Culture(inst) => {
                    let t = super::survey::Truth {
                        culture,
                        practice,
                        support,
                        belief,
                        engagement,
                        turnover: 0.0,
                        headcount: 0.0,
                    };
                    Some(cal.survey.expected_score(inst, cal.survey.latent(&t)))
                }
                Measure::Engagement => Some(engagement),
                Measure::Turnover | Measure::Headcount => None,
            };
        }
    }
    at_step
}

/// A unit's (culture, practice, support, belief, engagement) in the map,
/// read as the agent model's unit columns are ([`super::units`]): culture,
/// belief and engagement weighted by the active employees, practice and
/// support plain means over the unit's teams `(lo, hi)`.
fn unit_means(mf: &OrgMeanField, (lo, hi): (u32, u32)) -> (f64, f64, f64, f64, f64) {
    let (lo, hi) = (lo as usize, hi as usize);
    let teams = (hi - lo).max(1) as f64;
    let (mut w, mut c, mut b, mut e, mut p, mut s) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for t in lo..hi {
        let a = mf.active(t);
        let m = &mf.teams[t];
        w += a;
        c += a * m.culture;
        b += a * m.belief;
        e += a * m.engagement;
        p += m.practice;
        s += f64::from(mf.support[t]);
    }
    let w = w.max(f64::MIN_POSITIVE);
    (c / w, p / teams, s / teams, b / w, e / w)
}

impl Screen {
    /// Calibrate the screen by its pilot: `settings.pilot` draws from the
    /// prior (streams of generation [`PILOT`]), each run by the agent model
    /// and by the map with the same seeds.
    pub fn pilot(cal: &Calibration, settings: Settings) -> Self {
        let discrepancy = cal.discrepancy;
        let pairs: Vec<Option<Pair>> = (0..u64::from(settings.pilot))
            .into_par_iter()
            .map(|k| {
                let mut rng = smc::proposal_stream(cal.settings.seed, PILOT, k);
                let theta = cal.prior_sample(&mut rng);
                let s = cal.scenario_at(&theta)?;
                let model = s.model.learning_culture()?;
                let sim = cal.simulate_in(model, PILOT, k);
                Some((sim, emulate(cal, model, &cal.seeds(k))))
            })
            .collect();
        let pairs: Vec<_> = pairs.into_iter().flatten().collect();
        let n = pairs.len();
        let terms = (0..cal.data.len())
            .map(|i| {
                let r: Vec<f64> = pairs
                    .iter()
                    .filter_map(|(sim, em)| em[i].map(|m| sim[i] - m))
                    .collect();
                if r.len() < 2 {
                    return None;
                }
                let bias = r.iter().sum::<f64>() / r.len() as f64;
                let var = r.iter().map(|x| (x - bias).powi(2)).sum::<f64>() / (r.len() - 1) as f64;
                Some(Term {
                    bias,
                    sd: var.sqrt(),
                })
            })
            .collect();
        let discrepancy = cal
            .data
            .iter()
            .map(|o| super::survey::discrepancy_sd(o.measure, o.value, discrepancy))
            .collect();
        Self {
            cutoff: settings.cutoff,
            pilot: n as u32,
            terms,
            discrepancy,
        }
    }

    /// The implausibility of a proposal whose map expectations are `em`:
    /// the second largest Iᵢ (the largest with one screened observation;
    /// 0 with none).
    pub fn implausibility(&self, cal: &Calibration, em: &[Option<f64>]) -> f64 {
        let mut is: Vec<f64> = self
            .terms
            .iter()
            .zip(em)
            .zip(&cal.data)
            .zip(&self.discrepancy)
            .filter_map(|(((t, m), o), d)| {
                let (t, m) = (t.as_ref()?, (*m)?);
                let sd = (t.sd * t.sd + d * d).sqrt().max(f64::MIN_POSITIVE);
                Some((o.value - m - t.bias).abs() / sd)
            })
            .collect();
        is.sort_by(|a, b| b.total_cmp(a));
        match is.len() {
            0 => 0.0,
            1 => is[0],
            _ => is[1],
        }
    }

    /// The implausibility of θ with proposal `k`'s seeds; None when the
    /// scenario refuses θ.
    pub fn at(&self, cal: &Calibration, theta: &[f64], k: u64) -> Option<f64> {
        let s = cal.scenario_at(theta)?;
        let model = s.model.learning_culture()?;
        Some(self.implausibility(cal, &emulate(cal, model, &cal.seeds(k))))
    }

    /// Observations the screen reads.
    pub fn screened(&self) -> usize {
        self.terms.iter().filter(|t| t.is_some()).count()
    }
}
