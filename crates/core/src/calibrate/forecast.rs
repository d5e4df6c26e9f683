//! After the sampler: the posterior predictive check and the forecast
//! (docs/CALIBRATION.md, "Forecast").
//!
//! `forecast_runs` runs of the calibrated scenario, run r with the
//! parameters of posterior draw r ([`super::Posterior::pick`]) and the
//! seeds of replicate r of the scenario's master seed, so that the bands
//! carry both the parameter uncertainty and the run-to-run variation, and
//! a branch is exactly `culturesim run SCENARIO --posterior DIR
//! --replicates forecast_runs` (a test checks this). Two branches, paired
//! on draws and seeds:
//! - **nothing changes**: the events that first occur after the last wave
//!   are removed (what was under way by then goes on as written: a
//!   recurring event that began before it keeps recurring);
//! - **as planned**: the scenario as written, when it has such events.
//!
//! The predictive check simulates every observation again in each run of
//! the first branch (the same observation model, fresh sampling error) and
//! says for how many the observed value lies inside the 90% band.

use super::fit::{CalibrateError, Calibration};
use super::observations::Measure;
use super::summary::weighted_quantile;
use super::survey::{truth, truth_in};
use super::units::Probed;
use crate::engine::{Batch, run_many};
use crate::scenario::Scenario;
use crate::scenario::posterior::Posterior;
use serde::Serialize;

/// Generation number of the predictive check's observation streams
/// (never a sampler generation: those are at most 100).
const PREDICTIVE_GENERATION: u32 = u32::MAX - 3;

/// Most time points a band holds (a longer run is thinned evenly).
const MAX_POINTS: u32 = 520;

/// The quantiles of a band, in order.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// One time point of a band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Step.
    pub step: u32,
    /// Years from the start.
    pub time: f64,
    /// Mean over the runs.
    pub mean: f64,
    /// The 5%, 25%, 50%, 75% and 95% quantiles over the runs.
    pub q: [f64; 5],
}

/// A quantity's bands over time in one branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Column name (`culture`, `score`, `engagement`, `headcount`).
    pub metric: String,
    /// What it is, for axes.
    pub label: String,
    /// Its bands.
    pub bands: Vec<Band>,
}

/// One branch of the forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// `nothing-changes` or `as-planned`.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Each quantity.
    pub series: Vec<Series>,
}

/// The posterior predictive distribution of one observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Predicted {
    /// Line of the observations file.
    pub line: usize,
    /// Years from the start.
    pub time: f64,
    /// Measure.
    pub measure: String,
    /// Instrument (culture scores).
    pub instrument: String,
    /// The unit or team of the wave (empty: the organization).
    pub unit: String,
    /// The observed value.
    pub observed: f64,
    /// Respondents (or headcount) of the wave.
    pub n: Option<u32>,
    /// Mean of the simulated waves.
    pub mean: f64,
    /// Their 5%, 25%, 50%, 75% and 95% quantiles.
    pub q: [f64; 5],
    /// Whether the observed value lies in the 90% band.
    pub inside: bool,
}

/// The forecast and the predictive check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Runs (one posterior draw each).
    pub runs: u32,
    /// Years of the last wave.
    pub last_wave: f64,
    /// Years of the end of the forecast.
    pub horizon: f64,
    /// Labels of the events after the last wave (the as-planned branch's).
    pub later_events: Vec<String>,
    /// Distinct posterior particles the runs drew.
    pub particles_drawn: usize,
    /// The branches.
    #[serde(skip)]
    pub branches: Vec<Branch>,
    /// Every observation's predictive distribution.
    #[serde(skip)]
    pub predictive: Vec<Predicted>,
    /// Observations inside their 90% band.
    pub inside: usize,
    /// Each branch's quantities at the horizon: (branch, metric, mean,
    /// 5%, 95%).
    pub ends: Vec<(String, String, f64, f64, f64)>,
}

/// Mean and quantiles of `v`.
fn band(v: &[f64]) -> (f64, [f64; 5]) {
    let w = vec![1.0; v.len()];
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (mean, QUANTILES.map(|q| weighted_quantile(v, &w, q)))
}

impl Calibration {
    /// The forecast and predictive check of `posterior` (the last
    /// generation's particles).
    pub fn forecast(&self, posterior: &Posterior) -> Result<Forecast, CalibrateError> {
        let runs = self.forecast_runs;
        let last = self.wave_steps.iter().copied().max().unwrap_or(0) as u32;
        let dt = self.dt;
        let total = self.base.model.steps();
        let three = (3.0 / dt).round() as u32;
        let horizon = match self.forecast_after {
            Some(y) => last + ((y / dt).round() as u32).max(1),
            None => total.max(last + three),
        };
        let mut overrides = self.overrides.clone();
        overrides.push(format!("replicates={runs}"));
        let mut s = Scenario::from_str(&self.text, self.source.clone(), &overrides)?;
        s.seed = self.settings.seed;
        s.model.set_steps(horizon);
        posterior.attach(&mut s, &self.text, &self.source, &overrides, runs)?;
        let planned = s.model.learning_culture().expect("checked at load").clone();
        let later: Vec<String> = planned
            .setup()
            .events
            .iter()
            .filter(|e| e.when.first() > last && e.when.first() < horizon)
            .map(|e| e.label.clone())
            .collect();
        let mut still = planned.clone();
        still.retain_events(&|e| e.when.first() <= last);
        let particles_drawn = planned.draws().map_or(1, |d| d.models.len());
        let stride = horizon.div_ceil(MAX_POINTS).max(1);
        let grid: Vec<u32> = (0..=horizon)
            .step_by(stride as usize)
            .chain((!horizon.is_multiple_of(stride)).then_some(horizon))
            .collect();
        let culture_inst = self.data.iter().find_map(|o| match o.measure {
            Measure::Culture(i) => Some(i),
            _ => None,
        });
        let mut quantities: Vec<(&str, String)> =
            vec![("culture", "learning culture (model, 0-1)".into())];
        if let Some(i) = culture_inst {
            let (lo, hi) = i.range();
            quantities.push((
                "score",
                format!(
                    "{} score ({lo}-{hi}, without sampling error)",
                    i.name().to_uppercase()
                ),
            ));
        }
        quantities.push(("engagement", "engaged share (0-1)".into()));
        quantities.push(("headcount", "headcount".into()));
        let seed = self.settings.seed;
        let mut branches = Vec::new();
        let mut predictive_values: Vec<Vec<f64>> = vec![Vec::new(); self.data.len()];
        let models: Vec<(
            &str,
            String,
            &crate::model::learning_culture::LearningCulture,
        )> = if later.is_empty() {
            vec![(
                "nothing-changes",
                "nothing changes (no events after the last wave)".into(),
                &still,
            )]
        } else {
            vec![
                (
                    "nothing-changes",
                    format!(
                        "nothing changes (without {} event(s) after the last wave)",
                        later.len()
                    ),
                    &still,
                ),
                (
                    "as-planned",
                    format!("as planned ({})", later.join(", ")),
                    &planned,
                ),
            ]
        };
        for (b, (name, label, model)) in models.iter().enumerate() {
            // values[q][g]: quantity q at grid point g, one per run.
            let mut values: Vec<Vec<Vec<f64>>> =
                vec![vec![Vec::with_capacity(runs as usize); grid.len()]; quantities.len()];
            run_many(
                &Probed::new(model, &self.probes),
                seed,
                0,
                runs,
                Batch::Throughput.size(),
                |run| -> Result<(), std::convert::Infallible> {
                    for (g, &step) in grid.iter().enumerate() {
                        let t = truth(&run, step as usize, dt);
                        for (q, (m, _)) in quantities.iter().enumerate() {
                            let v = match *m {
                                "culture" => t.culture,
                                "score" => self.survey.expected_score(
                                    culture_inst.expect("score only with culture waves"),
                                    self.survey.latent(&t),
                                ),
                                "engagement" => t.engagement,
                                _ => t.headcount,
                            };
                            values[q][g].push(v);
                        }
                    }
                    if b == 0 {
                        let mut rng = super::fit::obs_stream(
                            seed,
                            PREDICTIVE_GENERATION,
                            u64::from(run.id.replicate),
                        );
                        for (i, ((o, &step), c)) in self
                            .data
                            .iter()
                            .zip(&self.wave_steps)
                            .zip(&self.columns)
                            .enumerate()
                        {
                            let t = truth_in(&run, step, dt, c);
                            predictive_values[i].push(self.survey.simulate(
                                o.measure,
                                o.n.or(Some(t.headcount.max(1.0) as u32)),
                                &t,
                                &mut rng,
                            ));
                        }
                    }
                    Ok(())
                },
            )
            .unwrap_or_else(|e| match e {});
            let series = quantities
                .iter()
                .zip(values)
                .map(|((m, label), per_point)| Series {
                    metric: m.to_string(),
                    label: label.clone(),
                    bands: grid
                        .iter()
                        .zip(per_point)
                        .map(|(&step, v)| {
                            let (mean, q) = band(&v);
                            Band {
                                step,
                                time: f64::from(step) * dt,
                                mean,
                                q,
                            }
                        })
                        .collect(),
                })
                .collect();
            branches.push(Branch {
                name: name.to_string(),
                label: label.clone(),
                series,
            });
        }
        let predictive: Vec<Predicted> = self
            .data
            .iter()
            .zip(predictive_values)
            .map(|(o, v)| {
                let (mean, q) = band(&v);
                let (measure, instrument) = match o.measure {
                    Measure::Culture(i) => ("culture".to_string(), i.name().to_string()),
                    m => (m.name().to_string(), String::new()),
                };
                Predicted {
                    line: o.line,
                    time: o.time,
                    measure,
                    instrument,
                    unit: o.unit.clone().unwrap_or_default(),
                    observed: o.value,
                    n: o.n,
                    mean,
                    q,
                    inside: o.value >= q[0] && o.value <= q[4],
                }
            })
            .collect();
        let inside = predictive.iter().filter(|p| p.inside).count();
        let ends = branches
            .iter()
            .flat_map(|b| {
                b.series.iter().map(|s| {
                    let e = s.bands.last().expect("a band at the horizon");
                    (b.name.clone(), s.metric.clone(), e.mean, e.q[0], e.q[4])
                })
            })
            .collect();
        Ok(Forecast {
            runs,
            last_wave: f64::from(last) * dt,
            horizon: f64::from(horizon) * dt,
            later_events: later,
            particles_drawn,
            branches,
            predictive,
            inside,
            ends,
        })
    }
}

/// forecast.csv: one row per branch, quantity and time point.
pub fn forecast_csv(f: &Forecast) -> String {
    use crate::export::timeseries::format_value as v;
    let mut s = String::from("branch,step,time,metric,mean,q05,q25,median,q75,q95\n");
    for b in &f.branches {
        for se in &b.series {
            for x in &se.bands {
                s.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    b.name,
                    x.step,
                    v(x.time),
                    se.metric,
                    v(x.mean),
                    x.q.map(v).join(",")
                ));
            }
        }
    }
    s
}

/// A CSV field: quoted (inner quotes doubled) when it holds a comma, a
/// quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// predictive.csv: one row per observation.
pub fn predictive_csv(f: &Forecast) -> String {
    use crate::export::timeseries::format_value as v;
    let mut s = String::from(
        "line,time,measure,instrument,unit,observed,n,mean,q05,q25,median,q75,q95,inside90\n",
    );
    for p in &f.predictive {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            p.line,
            v(p.time),
            p.measure,
            p.instrument,
            csv_field(&p.unit),
            v(p.observed),
            p.n.map_or(String::new(), |n| n.to_string()),
            v(p.mean),
            p.q.map(v).join(","),
            p.inside
        ));
    }
    s
}
