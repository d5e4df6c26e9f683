//! A calibration: a scenario with a `[calibrate]` section, its observed
//! waves, the observation model and the ABC-SMC sampler, run generation by
//! generation into an output folder (each generation written atomically,
//! so a killed calibration resumes from the last one it finished).
//!
//! A proposal's simulation: the scenario with the free parameters set (as
//! `--set` would), run up to the last wave with the streams of replicate
//! k mod `streams` (common random numbers: every proposal with the same
//! slot faces the same model realization), then each observation is
//! simulated by the observation model from the proposal's own stream. The
//! distance is the root mean square of the residuals, each standardized by
//! the sampling error of a wave like the observed one plus the model
//! discrepancy (`super::survey::SurveyModel::residual_sd`).

use super::observations::{self, Measure, Observation, ObservationError};
use super::prior::Prior;
use super::smc::{self, Generation, Problem, Settings};
use super::summary::{self, ParamSummary};
use super::survey::{SurveyModel, truth_in};
use super::units::{Columns, Probed};
use crate::engine::rng::{Stream, hash_keys, mix64};
use crate::engine::{Model, RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::export::timeseries::format_value;
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::meanfield::People;
use crate::scenario::{Scenario, ScenarioError, Source};
use crate::validate::Problems;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Everything that can stop a calibration.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The scenario is invalid (or lacks `[calibrate]`).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The observations file is invalid.
    #[error(transparent)]
    Data(#[from] ObservationError),
    /// The data and the scenario do not go together, or the output folder
    /// holds another calibration (a usage error).
    #[error("{0}")]
    Usage(String),
    /// Writing or reading the output folder failed.
    #[error("{0:#}")]
    Output(anyhow::Error),
}

impl From<CalibrateError> for crate::command::Failure {
    /// An output folder that cannot be written is a runtime failure; every
    /// other problem is the input's.
    fn from(e: CalibrateError) -> Self {
        match e {
            CalibrateError::Output(e) => Self::Runtime(e),
            other => Self::Input(other.into()),
        }
    }
}

/// The text of the observations file `path` (within the input size
/// limit); a file that cannot be read is a usage error naming it.
pub fn read_observations(path: &std::path::Path) -> Result<String, crate::command::Failure> {
    crate::limits::read_input(path).map_err(|e| {
        crate::command::Failure::Input(anyhow::anyhow!(
            "failed to read observations '{}': {e}",
            path.display()
        ))
    })
}

/// Purpose tag of the observation draws of a proposal.
const TAG_OBS: u64 = 0x4F42_5345_5256;

/// A loaded calibration, ready to run.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub(super) text: String,
    pub(super) source: Source,
    pub(super) overrides: Vec<String>,
    /// The scenario at its written values.
    pub base: Scenario,
    /// The free parameters' key paths.
    pub names: Vec<String>,
    /// Their priors.
    pub priors: Vec<Prior>,
    /// The observations.
    pub data: Vec<Observation>,
    data_text: String,
    pub(super) survey: SurveyModel,
    /// Steps simulated (to the last wave).
    steps: u32,
    pub(super) dt: f64,
    pub(super) wave_steps: Vec<usize>,
    /// The units whose waves are observed ([`super::units::Probed`]).
    pub(super) probes: Vec<u32>,
    /// Where each observation is read in a probed run's rows.
    pub(super) columns: Vec<Columns>,
    residual_sd: Vec<f64>,
    /// Sampler settings.
    pub settings: Settings,
    /// Generations after the prior one.
    pub generations: u32,
    streams: u32,
    /// The "no parameter set fits" threshold.
    pub fit_threshold: f64,
    /// Runs of the predictive check and the forecast.
    pub forecast_runs: u32,
    /// Years the forecast runs after the last wave (None: to the run's
    /// end, at least 3 years).
    pub forecast_after: Option<f64>,
    fingerprint: String,
    /// The key paths as written (they set the values).
    keys: Vec<String>,
    /// The mean-field pre-filter's settings, when it is on.
    pub prefilter: Option<super::screen::Settings>,
    /// `calibrate.discrepancy`.
    pub(super) discrepancy: f64,
    /// The pre-filter, once its pilot has run ([`Calibration::run`]).
    screen: std::sync::OnceLock<super::screen::Screen>,
    /// The mean-field map's people of the scenario as written.
    people: std::sync::OnceLock<People>,
}

/// Options a command line may override.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--set` overrides.
    pub overrides: Vec<String>,
    /// Master seed (else the scenario's).
    pub seed: Option<u64>,
    /// Particles (else `[calibrate]` or its default).
    pub particles: Option<u32>,
    /// Generations (else `[calibrate]` or its default).
    pub generations: Option<u32>,
    /// Start date of time 0 (else `calibrate.start`).
    pub start: Option<String>,
    /// The pre-filter, "none" or "mean-field" (else `calibrate.prefilter`).
    pub prefilter: Option<String>,
}

fn invalid(source: &Source, path: &str, message: String) -> CalibrateError {
    let mut p = Problems::default();
    p.push(path, message);
    CalibrateError::Scenario(ScenarioError::Invalid {
        origin: source.clone(),
        problems: p,
        places: vec![None],
    })
}

/// Run the scenario's validation with the free parameters `keys` at one
/// draw from their `priors` (stream of the base `seed`): every key must be
/// one the scenario takes, at a value its prior can give. Each problem says
/// it was found at that draw.
fn check_at_prior_draw(
    text: &str,
    source: &Source,
    overrides: &[String],
    seed: u64,
    keys: &[String],
    priors: &[Prior],
) -> Result<(), CalibrateError> {
    let mut rng = smc::proposal_stream(seed, u32::MAX - 1, 0);
    let mut sets = overrides.to_vec();
    for (k, p) in keys.iter().zip(priors) {
        sets.push(format!("{k}={}", format_value(p.sample(&mut rng))));
    }
    Scenario::from_str(text, source.clone(), &sets).map_err(|e| match e {
        ScenarioError::Invalid {
            origin,
            mut problems,
            places,
        } => {
            for pr in &mut problems.0 {
                pr.message = format!(
                    "{} (with the free parameters at a draw from their priors)",
                    pr.message
                );
            }
            CalibrateError::Scenario(ScenarioError::Invalid {
                origin,
                problems,
                places,
            })
        }
        other => CalibrateError::Scenario(other),
    })?;
    Ok(())
}

/// Where the observations are read in a run: the step of each, the units
/// probed (in order of first mention) and the columns of each.
#[derive(Debug, Clone)]
pub(super) struct Waves {
    pub steps: Vec<usize>,
    pub probes: Vec<u32>,
    pub columns: Vec<Columns>,
}

/// Where each observation in `data` is read (`dt` years a step, `total`
/// steps a run, `model` the scenario's model); a unit the organization
/// does not have, a time after the run's end or a turnover at time 0 is a
/// problem of the observations file `data_name`.
fn waves_of(
    data: &[Observation],
    data_name: &str,
    dt: f64,
    total: u32,
    model: &LearningCulture,
) -> Result<Waves, CalibrateError> {
    let mut problems = Vec::new();
    let mut wave_steps = Vec::new();
    let mut probes: Vec<u32> = Vec::new();
    let mut columns = Vec::new();
    let width = model.metrics().len();
    for o in data {
        let step = (o.time / dt).round() as usize;
        match &o.unit {
            None => columns.push(Columns::ORG),
            Some(name) => match model.org().find(name) {
                Some(u) => {
                    let k = probes
                        .iter()
                        .position(|&p| p == u as u32)
                        .unwrap_or_else(|| {
                            probes.push(u as u32);
                            probes.len() - 1
                        });
                    columns.push(Columns::probe(width, k));
                }
                None => {
                    let hint = model.org().did_you_mean(name);
                    problems.push(format!(
                        "{data_name}:{}:{}: unit: the scenario's organization has no unit or team named '{name}'{hint} (units are named top, u1, u1.2, ...; `culturesim org SCENARIO` lists them)",
                        o.line, o.unit_col
                    ));
                    columns.push(Columns::ORG);
                }
            },
        }
        if step > total as usize {
            problems.push(format!(
                "{data_name}:{}:1: time {} years is after the end of the scenario's run ({:.4} years); lengthen its duration",
                o.line,
                format_value(o.time),
                f64::from(total) * dt
            ));
        }
        if o.measure == Measure::Turnover && step == 0 {
            problems.push(format!(
                "{data_name}:{}:1: turnover at time 0 has no year before it to count leavers in",
                o.line
            ));
        }
        wave_steps.push(step);
    }
    if !problems.is_empty() {
        return Err(ObservationError {
            file: data_name.to_string(),
            problems,
        }
        .into());
    }
    Ok(Waves {
        steps: wave_steps,
        probes,
        columns,
    })
}

/// What a resumed calibration must match: the resolved scenario, the data,
/// the run settings (particles, generations, seed, streams), the start date
/// given and the version.
fn fingerprint(
    base: &Scenario,
    data_text: &str,
    (particles, generations, seed, streams): (u32, u32, u64, u32),
    start: Option<&str>,
    prefilter: Option<super::screen::Settings>,
) -> String {
    let mut h = Sha256::new();
    h.update(base.resolved_toml().as_bytes());
    h.update(data_text.as_bytes());
    h.update(format!("{particles} {generations} {seed} {streams} {:?}", start).as_bytes());
    if let Some(p) = prefilter {
        // Absent when off: a calibration without it keeps its fingerprint.
        h.update(format!("prefilter {} {}", p.cutoff, p.pilot).as_bytes());
    }
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    format!("{:x}", h.finalize())
}

impl Calibration {
    /// Load scenario text and observations text (`data_name` names the file).
    pub fn load(
        text: &str,
        source: Source,
        data_text: &str,
        data_name: &str,
        opts: &Options,
    ) -> Result<Self, CalibrateError> {
        let base = Scenario::from_str(text, source.clone(), &opts.overrides)?;
        if base.model.learning_culture().is_none() {
            return Err(invalid(
                &source,
                "model",
                format!(
                    "is \"{}\"; calibrate needs a learning-culture scenario (its survey measures are the learning-culture model's)",
                    base.model.name()
                ),
            ));
        }
        let Some(cal) = base.raw.calibrate.clone() else {
            return Err(invalid(&source, "calibrate", "this scenario has no [calibrate] section naming the free parameters and their priors (see docs/CALIBRATION.md)".into()));
        };
        let names: Vec<String> = cal
            .params
            .keys()
            .map(|k| crate::sweep::column_name(&base.raw, k))
            .collect();
        let keys: Vec<String> = cal.params.keys().cloned().collect();
        // A free parameter that --set also fixes is a contradiction: say
        // so before anything runs.
        for k in &keys {
            if let Some(o) = opts
                .overrides
                .iter()
                .find(|o| o.split_once('=').is_some_and(|(key, _)| key.trim() == k))
            {
                return Err(invalid(
                    &source,
                    &format!("calibrate.params.{k}"),
                    format!(
                        "is a free parameter of the calibration, and --set '{o}' fixes it; drop one of them"
                    ),
                ));
            }
        }
        let priors: Vec<Prior> = cal.params.values().map(Prior::from_raw).collect();
        // Every free parameter must be a key the scenario takes, at a value
        // its prior can give.
        check_at_prior_draw(text, &source, &opts.overrides, base.seed, &keys, &priors)?;
        let start = opts.start.clone().or(cal.start.clone());
        let data = observations::read(data_text, data_name, start.as_deref())?;
        let dt = base.raw.years_per_step();
        let total = base.model.steps();
        let model = base.model.learning_culture().expect("checked above");
        let waves = waves_of(&data, data_name, dt, total, model)?;
        let wave_steps = waves.steps.clone();
        let survey = SurveyModel::from_raw(&base.raw.survey.clone().unwrap_or_default());
        // A count not given is the unit's (or the organization's) seats.
        let org = model.org();
        let seats = |o: &Observation| match &o.unit {
            None => org.slots() as u32,
            Some(name) => {
                let (lo, hi) = org.unit_teams[org.find(name).expect("checked in waves_of")];
                org.team_start[hi as usize] - org.team_start[lo as usize]
            }
        };
        let residual_sd = data
            .iter()
            .map(|o| {
                survey.residual_sd(
                    o.measure,
                    o.n.unwrap_or_else(|| seats(o)),
                    o.value,
                    cal.discrepancy,
                )
            })
            .collect();
        let d = names.len() as u32;
        let particles = opts
            .particles
            .or(cal.particles)
            .unwrap_or((100 * d).max(200));
        if particles < 10 {
            return Err(CalibrateError::Usage(format!(
                "--particles must be at least 10, got {particles}"
            )));
        }
        let generations = opts.generations.or(cal.generations).unwrap_or(5);
        let seed = opts.seed.unwrap_or(base.seed);
        let settings = Settings {
            particles: particles as usize,
            quantile: cal.quantile,
            min_acceptance: cal.min_acceptance,
            seed,
        };
        let streams = cal.streams.unwrap_or(particles);
        let steps = wave_steps.iter().copied().max().unwrap_or(0) as u32;
        let prefilter_name = opts.prefilter.clone().unwrap_or(cal.prefilter.clone());
        let prefilter = match prefilter_name.as_str() {
            "none" => None,
            "mean-field" => Some(super::screen::Settings {
                cutoff: cal.prefilter_cutoff,
                pilot: cal.prefilter_pilot,
            }),
            other => {
                return Err(CalibrateError::Usage(format!(
                    "--prefilter must be one of {}, got '{other}'",
                    crate::scenario::survey::PREFILTERS.join(", ")
                )));
            }
        };
        let fingerprint = fingerprint(
            &base,
            data_text,
            (particles, generations, seed, streams),
            opts.start.as_deref(),
            prefilter,
        );
        Ok(Self {
            text: text.to_string(),
            source,
            overrides: opts.overrides.clone(),
            base,
            names,
            priors,
            data,
            data_text: data_text.to_string(),
            survey,
            steps,
            dt,
            wave_steps,
            probes: waves.probes,
            columns: waves.columns,
            residual_sd,
            settings,
            generations,
            streams,
            fit_threshold: cal.fit_threshold,
            forecast_runs: cal.forecast_runs.unwrap_or(200),
            forecast_after: cal.forecast.as_ref().and_then(|t| t.years().ok()),
            fingerprint,
            keys,
            prefilter,
            discrepancy: cal.discrepancy,
            screen: std::sync::OnceLock::new(),
            people: std::sync::OnceLock::new(),
        })
    }

    /// The simulated value of every observation at θ, for proposal `k` of
    /// generation `g`; None when the scenario refuses θ.
    pub fn simulate(&self, theta: &[f64], g: u32, k: u64) -> Option<Vec<f64>> {
        let s = self.scenario_at(theta)?;
        Some(self.simulate_in(s.model.learning_culture()?, g, k))
    }

    /// The scenario at θ, run to the last wave; None when it refuses θ.
    pub(super) fn scenario_at(&self, theta: &[f64]) -> Option<Scenario> {
        let mut sets = self.overrides.clone();
        for (key, v) in self.keys.iter().zip(theta) {
            sets.push(format!("{key}={}", format_value(*v)));
        }
        let mut s = Scenario::from_str(&self.text, self.source.clone(), &sets).ok()?;
        s.model.set_steps(self.steps);
        Some(s)
    }

    /// The seeds of proposal `k`: replicate k mod streams (common random numbers).
    pub(super) fn seeds(&self, k: u64) -> Seeds {
        let replicate = (k % u64::from(self.streams)) as u32;
        Seeds::common(
            self.settings.seed,
            RunId {
                point: 0,
                replicate,
            },
        )
    }

    /// The mean-field map's people of `model` (a scenario at some θ): those
    /// of the scenario as written unless θ changes the distributions they
    /// are drawn from ([`People::of`] takes 60,000 draws).
    pub(super) fn people(&self, model: &LearningCulture) -> People {
        let base = self.base.model.learning_culture().expect("checked at load");
        let (a, b) = (model.setup(), base.setup());
        let same = a.population.mastery == b.population.mastery
            && a.hiring.belief == b.hiring.belief
            && a.hiring.knowledge == b.hiring.knowledge;
        match same {
            true => *self.people.get_or_init(|| People::of(b)),
            false => People::of(a),
        }
    }

    /// [`Calibration::simulate`] with the model at θ given.
    pub(super) fn simulate_in(&self, model: &LearningCulture, g: u32, k: u64) -> Vec<f64> {
        let run = run_seeded(&Probed::new(model, &self.probes), self.seeds(k));
        let mut rng = obs_stream(self.settings.seed, g, k);
        self.data
            .iter()
            .zip(&self.wave_steps)
            .zip(&self.columns)
            .map(|((o, &step), c)| {
                let t = truth_in(&run, step, self.dt, c);
                self.survey.simulate(
                    o.measure,
                    o.n.or(Some(t.headcount.max(1.0) as u32)),
                    &t,
                    &mut rng,
                )
            })
            .collect()
    }

    /// The distance of simulated values to the data.
    pub fn distance_of(&self, sim: &[f64]) -> f64 {
        let ss: f64 = sim
            .iter()
            .zip(&self.data)
            .zip(&self.residual_sd)
            .map(|((s, o), sd)| ((s - o.value) / sd).powi(2))
            .sum();
        (ss / sim.len() as f64).sqrt()
    }

    /// Run (or, with `resume`, continue) the calibration into `out`.
    /// `progress` is told of every batch of proposals.
    pub fn run(
        &self,
        out: &Path,
        resume: bool,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<Outcome, CalibrateError> {
        let io = CalibrateError::Output;
        let gens_dir = out.join("generations");
        std::fs::create_dir_all(&gens_dir).map_err(|e| {
            io(anyhow::anyhow!(
                "cannot create output folder '{}': {e}",
                gens_dir.display()
            ))
        })?;
        let meta_path = out.join("calibration.json");
        let mut done: Vec<Generation> = Vec::new();
        if meta_path.exists() {
            if !resume {
                return Err(CalibrateError::Usage(format!(
                    "'{}' already holds a calibration; add --resume to continue it, or choose another --out",
                    out.display()
                )));
            }
            let meta: Meta = read_json(&meta_path)?;
            if meta.fingerprint != self.fingerprint {
                return Err(CalibrateError::Usage(format!(
                    "'{}' holds a calibration of another scenario, data set or settings; --resume continues only the same calibration (choose another --out)",
                    out.display()
                )));
            }
            for g in 0..=self.generations {
                let path = gens_dir.join(format!("gen-{g:03}.json"));
                if !path.exists() {
                    break;
                }
                done.push(read_json(&path)?);
            }
        }
        let meta = Meta {
            fingerprint: self.fingerprint.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            params: self.names.clone(),
            keys: self.keys.clone(),
            scenario: self.base.name().to_string(),
            priors: self.priors.iter().map(Prior::describe).collect(),
            particles: self.settings.particles,
            generations: self.generations,
            seed: self.settings.seed,
            streams: self.streams,
        };
        atomic::write(
            &meta_path,
            &serde_json::to_vec_pretty(&meta).map_err(|e| io(e.into()))?,
        )
        .map_err(io)?;
        if let Some(settings) = self.prefilter {
            // Its pilot is deterministic: a resumed calibration runs it again
            // and screens exactly as before.
            let screen = self
                .screen
                .get_or_init(|| super::screen::Screen::pilot(self, settings));
            atomic::write(
                &out.join("screen.json"),
                &serde_json::to_vec_pretty(screen).map_err(|e| io(e.into()))?,
            )
            .map_err(io)?;
        }
        let mut stopped = None;
        for g in done.len() as u32..=self.generations {
            let tick = |accepted: usize, simulations: u64, screened: u64| {
                progress(&Progress {
                    generation: g,
                    generations: self.generations,
                    tolerance: done.last().map(|p| {
                        smc::quantile(
                            &p.particles.iter().map(|x| x.distance).collect::<Vec<_>>(),
                            self.settings.quantile,
                        )
                    }),
                    accepted,
                    particles: self.settings.particles,
                    simulations,
                    screened,
                })
            };
            match smc::generation(self, &self.settings, done.last(), g, &tick) {
                smc::Outcome::Done(next) => {
                    let bytes = serde_json::to_vec(&next).map_err(|e| io(e.into()))?;
                    atomic::write(&gens_dir.join(format!("gen-{g:03}.json")), &bytes)
                        .map_err(io)?;
                    done.push(next);
                }
                smc::Outcome::Stalled {
                    accepted, screened, ..
                } if g == 0 && screened > 0 => {
                    stopped = Some(format!(
                        "the mean-field pre-filter ruled out {screened} draws of the priors and let {accepted} of {} through: no parameter set within the priors is plausible for these data (calibrate.prefilter_cutoff = {}); the data are out of the model's reach, or the priors too narrow",
                        self.settings.particles,
                        self.prefilter.map_or(0.0, |p| p.cutoff),
                    ));
                    break;
                }
                smc::Outcome::Stalled {
                    tolerance,
                    accepted,
                    simulations,
                    ..
                } => {
                    stopped = Some(format!(
                        "generation {g} stopped: {accepted} of {} particles within tolerance {} after {simulations} simulations (acceptance below calibrate.min_acceptance = {}); the posterior is generation {}'s",
                        self.settings.particles,
                        fmt4(tolerance),
                        self.settings.min_acceptance,
                        g - 1
                    ));
                    break;
                }
            }
        }
        let Some(last) = done.last() else {
            return Err(CalibrateError::Usage(format!(
                "no draw of the priors gives a scenario that runs ({}); check the priors' ranges against the keys' rules",
                stopped.unwrap_or_default()
            )));
        };
        let mut report = self.report(&done, stopped);
        let posterior = self.posterior(last);
        let forecast = self.forecast(&posterior)?;
        atomic::write(
            &out.join("forecast.csv"),
            super::forecast::forecast_csv(&forecast).as_bytes(),
        )
        .map_err(io)?;
        atomic::write(
            &out.join("predictive.csv"),
            super::forecast::predictive_csv(&forecast).as_bytes(),
        )
        .map_err(io)?;
        report.forecast = Some(forecast);
        self.write_outputs(out, &done, last, &report)?;
        Ok(Outcome {
            scenario: self.base.name().to_string(),
            description: self.base.raw.description.clone(),
            names: self.names.clone(),
            priors: self.priors.clone(),
            posterior,
            report,
            data: self.data.clone(),
            seed: self.settings.seed,
            particles: self.settings.particles,
        })
    }

    /// The posterior of generation `g`'s particles.
    pub fn posterior(&self, g: &Generation) -> super::Posterior {
        super::Posterior::new(
            self.keys.clone(),
            self.names.clone(),
            g.particles.iter().map(|p| p.theta.clone()).collect(),
            &g.particles.iter().map(|p| p.weight).collect::<Vec<_>>(),
            self.base.name(),
        )
    }

    fn report(&self, done: &[Generation], stopped: Option<String>) -> Report {
        let last = done.last().expect("at least one generation");
        let (params, correlations) = summary::summarize(
            &self.names,
            &self.priors,
            &last.particles,
            self.settings.seed,
        );
        let best = last
            .particles
            .iter()
            .min_by(|a, b| a.distance.total_cmp(&b.distance))
            .expect("particles");
        let sim = self
            .simulate(&best.theta, last.index, best.proposal)
            .unwrap_or_default();
        let mut measures: Vec<MeasureFit> = Vec::new();
        for ((o, s), sd) in self.data.iter().zip(&sim).zip(&self.residual_sd) {
            let name = match o.measure {
                Measure::Culture(i) => format!("culture ({})", i.name()),
                m => m.name().to_string(),
            };
            let name = match &o.unit {
                Some(u) => format!("{name} of {u}"),
                None => name,
            };
            match measures.iter_mut().find(|m| m.measure == name) {
                Some(m) => {
                    m.observed += o.value;
                    m.simulated += s;
                    m.rms += ((s - o.value) / sd).powi(2);
                    m.waves += 1;
                }
                None => measures.push(MeasureFit {
                    measure: name,
                    waves: 1,
                    observed: o.value,
                    simulated: *s,
                    rms: ((s - o.value) / sd).powi(2),
                }),
            }
        }
        for m in &mut measures {
            let n = f64::from(m.waves);
            m.observed /= n;
            m.simulated /= n;
            m.rms = (m.rms / n).sqrt();
        }
        let fits = best.distance <= self.fit_threshold;
        let statement = if fits {
            format!(
                "the model reproduces the data: the closest simulation is {} standard errors away (root mean square; the threshold is {})",
                fmt4(best.distance),
                self.fit_threshold
            )
        } else {
            let worst = measures
                .iter()
                .max_by(|a, b| a.rms.total_cmp(&b.rms))
                .map(|m| {
                    format!(
                        "; worst: {} observed {} on average, the closest simulation {}",
                        m.measure,
                        fmt4(m.observed),
                        fmt4(m.simulated)
                    )
                })
                .unwrap_or_default();
            format!(
                "no parameter set fits the data: the closest of {} simulations is {} standard errors away (root mean square), more than calibrate.fit_threshold = {}{worst}. The posterior below is only the least bad region of the priors; do not read it as a fit",
                done.iter().map(|g| g.simulations).sum::<u64>(),
                fmt4(best.distance),
                self.fit_threshold
            )
        };
        Report {
            params,
            correlations,
            fits,
            best_distance: best.distance,
            statement,
            measures,
            stopped,
            generations: done
                .iter()
                .map(|g| GenerationRow {
                    generation: g.index,
                    tolerance: g.tolerance,
                    simulations: g.simulations,
                    screened: g.screened,
                    acceptance: g.acceptance(),
                    ess: g.ess(),
                })
                .collect(),
            screen: self.screen.get().map(|s| ScreenSummary {
                pilot: s.pilot,
                cutoff: s.cutoff,
                observations: s.screened(),
                screened: done.iter().map(|g| g.screened).sum(),
            }),
            simulations: done.iter().map(|g| g.simulations).sum(),
            forecast: None,
        }
    }

    fn write_outputs(
        &self,
        out: &Path,
        done: &[Generation],
        last: &Generation,
        r: &Report,
    ) -> Result<(), CalibrateError> {
        let io = CalibrateError::Output;
        let mut post = format!("particle,weight,distance,{}\n", self.names.join(","));
        for (i, p) in last.particles.iter().enumerate() {
            let theta: Vec<String> = p.theta.iter().map(|v| format_value(*v)).collect();
            post.push_str(&format!(
                "{i},{},{},{}\n",
                format_value(p.weight),
                format_value(p.distance),
                theta.join(",")
            ));
        }
        atomic::write(&out.join("posterior.csv"), post.as_bytes()).map_err(io)?;
        let mut gens = String::from("generation,tolerance,simulations,screened,acceptance,ess\n");
        for g in done {
            gens.push_str(&format!(
                "{},{},{},{},{},{}\n",
                g.index,
                g.tolerance.map_or(String::new(), format_value),
                g.simulations,
                g.screened,
                format_value(g.acceptance()),
                format_value(g.ess())
            ));
        }
        atomic::write(&out.join("generations.csv"), gens.as_bytes()).map_err(io)?;
        let mut csv =
            String::from("param,prior,mean,median,q05,q95,sd,prior_sd,sd_ratio,identified\n");
        for p in &r.params {
            csv.push_str(&format!(
                "{},\"{}\",{},{},{},{},{},{},{},{}\n",
                p.name,
                p.prior,
                format_value(p.mean),
                format_value(p.median),
                format_value(p.q05),
                format_value(p.q95),
                format_value(p.sd),
                format_value(p.prior_sd),
                format_value(p.sd_ratio),
                p.identified
            ));
        }
        atomic::write(&out.join("summary.csv"), csv.as_bytes()).map_err(io)?;
        let json = serde_json::to_vec_pretty(&SummaryJson {
            tool: "culturesim calibrate",
            version: env!("CARGO_PKG_VERSION"),
            scenario: self.base.name(),
            seed: self.settings.seed,
            particles: self.settings.particles,
            observations: self.data.len(),
            report: r,
        })
        .map_err(|e| io(e.into()))?;
        atomic::write(&out.join("summary.json"), &json).map_err(io)?;
        atomic::write(
            &out.join("scenario.toml"),
            self.base.resolved_toml().as_bytes(),
        )
        .map_err(io)?;
        atomic::write(&out.join("observations.csv"), self.data_text.as_bytes()).map_err(io)?;
        Ok(())
    }
}

fn fmt4(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        "none".into()
    }
}

pub(super) fn obs_stream(seed: u64, g: u32, k: u64) -> Stream {
    let hi = hash_keys(seed, &[TAG_OBS, u64::from(g), k]);
    let lo = mix64(hi ^ 0xA409_3822_299F_31D0);
    Stream::new((u128::from(hi) << 64) | u128::from(lo))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, CalibrateError> {
    let bytes = std::fs::read(path).map_err(|e| {
        CalibrateError::Output(anyhow::anyhow!("cannot read '{}': {e}", path.display()))
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CalibrateError::Usage(format!(
            "'{}' is not a file culturesim calibrate wrote: {e}",
            path.display()
        ))
    })
}

impl Problem for Calibration {
    fn dim(&self) -> usize {
        self.names.len()
    }
    fn prior_sample(&self, rng: &mut Stream) -> Vec<f64> {
        self.priors.iter().map(|p| p.sample(rng)).collect()
    }
    fn prior_density(&self, theta: &[f64]) -> f64 {
        self.priors
            .iter()
            .zip(theta)
            .map(|(p, x)| p.density(*x))
            .product()
    }
    fn distance(&self, theta: &[f64], g: u32, k: u64) -> Option<f64> {
        self.simulate(theta, g, k).map(|s| self.distance_of(&s))
    }
    fn assess(&self, theta: &[f64], g: u32, k: u64) -> smc::Assessed {
        let Some(s) = self.scenario_at(theta) else {
            return smc::Assessed::Refused;
        };
        let Some(model) = s.model.learning_culture() else {
            return smc::Assessed::Refused;
        };
        if let Some(screen) = self.screen.get() {
            let em = super::screen::emulate(self, model, &self.seeds(k));
            if screen.implausibility(self, &em) > screen.cutoff {
                return smc::Assessed::Screened;
            }
        }
        smc::Assessed::Distance(self.distance_of(&self.simulate_in(model, g, k)))
    }
}

/// What the progress bar shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Current generation.
    pub generation: u32,
    /// Last generation.
    pub generations: u32,
    /// Its tolerance (None: the prior generation).
    pub tolerance: Option<f64>,
    /// Accepted so far.
    pub accepted: usize,
    /// N.
    pub particles: usize,
    /// Simulations so far in this generation.
    pub simulations: u64,
    /// Proposals the pre-filter ruled out so far in this generation.
    pub screened: u64,
}

/// calibration.json: what identifies a calibration (resume checks it).
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    fingerprint: String,
    version: String,
    params: Vec<String>,
    /// The scenario keys of `params` (as `--set` takes them).
    keys: Vec<String>,
    /// The calibrated scenario's name.
    scenario: String,
    priors: Vec<String>,
    particles: usize,
    generations: u32,
    seed: u64,
    streams: u32,
}

/// How well the closest simulation matches one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureFit {
    /// Measure (and instrument).
    pub measure: String,
    /// Waves of it.
    pub waves: u32,
    /// Mean observed value.
    pub observed: f64,
    /// Mean simulated value of the closest simulation.
    pub simulated: f64,
    /// Root mean square of its standardized residuals.
    pub rms: f64,
}

/// One generation's line in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerationRow {
    /// Number.
    pub generation: u32,
    /// Tolerance (None for the prior).
    pub tolerance: Option<f64>,
    /// Simulations.
    pub simulations: u64,
    /// Proposals the pre-filter ruled out without a simulation.
    pub screened: u64,
    /// Accepted per simulation.
    pub acceptance: f64,
    /// Effective sample size.
    pub ess: f64,
}

/// What the mean-field pre-filter did (docs/CALIBRATION.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenSummary {
    /// Paired runs of its pilot.
    pub pilot: u32,
    /// Its implausibility cutoff.
    pub cutoff: f64,
    /// Observations it reads (culture scores and engagement shares).
    pub observations: usize,
    /// Proposals it ruled out, over all generations.
    pub screened: u64,
}

/// The outcome of a calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Each free parameter.
    pub params: Vec<ParamSummary>,
    /// Weighted correlations, row-major.
    pub correlations: Vec<f64>,
    /// Whether the closest simulation is within the fit threshold.
    pub fits: bool,
    /// Its distance.
    pub best_distance: f64,
    /// The statement printed: it fits, or no parameter set fits.
    pub statement: String,
    /// The closest simulation against each measure.
    pub measures: Vec<MeasureFit>,
    /// Why the sampler stopped early, if it did.
    pub stopped: Option<String>,
    /// Each generation.
    pub generations: Vec<GenerationRow>,
    /// Simulations in all.
    pub simulations: u64,
    /// The mean-field pre-filter, when it was on.
    pub screen: Option<ScreenSummary>,
    /// The posterior predictive check and the forecast.
    pub forecast: Option<super::forecast::Forecast>,
}

/// Everything a finished calibration gives (for the report's figures and
/// page): the priors, the posterior, the report with its predictive check
/// and forecast, and the data.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The calibrated scenario's name.
    pub scenario: String,
    /// Its description.
    pub description: String,
    /// The free parameters' column names.
    pub names: Vec<String>,
    /// Their priors.
    pub priors: Vec<Prior>,
    /// The last generation's particles.
    pub posterior: super::Posterior,
    /// The summary, fit statement, generations, predictive check and forecast.
    pub report: Report,
    /// The observations.
    pub data: Vec<Observation>,
    /// The sampler's master seed.
    pub seed: u64,
    /// Particles per generation.
    pub particles: usize,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    tool: &'static str,
    version: &'static str,
    scenario: &'a str,
    seed: u64,
    particles: usize,
    observations: usize,
    report: &'a Report,
}
