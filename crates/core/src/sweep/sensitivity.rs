//! Sensitivity analysis (`culturesim sensitivity`): which levers move the
//! outcome most. The factors are the `[sweep]` parameters with their
//! ranges (`{ min, max }`, or the smallest and largest listed value);
//! Morris screening or Sobol indices (with 95% bootstrap intervals) over
//! that box, of any run-level output of a sweep: a metric's final value or
//! a shock metric such as `asymmetry` (mean over replicates, common random
//! numbers). In four steps: [`design`] (factors and evaluation points,
//! checked before anything runs), [`evaluate`] (the runs), [`indices`]
//! (the estimates, the table and the vital few) and [`write_files`]
//! (sensitivity.csv and .json; the figure and page are the report crate's).
//! The maths is [`crate::analysis::sensitivity`].

use crate::analysis::sensitivity::{
    BOOTSTRAP, morris_design, morris_indices, sobol_design, sobol_indices, vital_few,
};
use crate::command::{Failure, Progress};
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::export::timeseries::format_value;
use crate::scenario::raw::SweepValues;
use crate::scenario::{Scenario, Source};
use crate::sweep::columns::RunColumns;
use anyhow::anyhow;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Default Sobol base samples: with fewer, the estimates of total indices
/// of the bundled levers scenario fall below the first-order ones.
pub const SOBOL_SAMPLES: u32 = 64;

/// Morris levels per factor.
const LEVELS: usize = 4;

/// What to analyse (the typed options of `culturesim sensitivity`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file with a `[sweep]` section (or a bundled name).
    pub scenario: PathBuf,
    /// `morris` or `sobol`.
    pub method: String,
    /// Trajectories (Morris) or base samples (Sobol); None: 20 or
    /// [`SOBOL_SAMPLES`].
    pub samples: Option<u32>,
    /// The output analysed (None: the model's first run column).
    pub metric: Option<String>,
    /// Replicates per evaluation.
    pub replicates: u32,
    /// Scenario overrides (`--set`).
    pub set: Vec<String>,
    /// Master seed (overrides the scenario).
    pub seed: Option<u64>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
}

/// A checked design: the factors, the output and every evaluation's
/// scenario.
pub struct Design {
    /// The scenario without the factors' values.
    pub base: Scenario,
    /// (key, min, max) per factor.
    pub factors: Vec<(String, f64, f64)>,
    /// The output analysed, and its column among the run values.
    pub output: (String, usize),
    /// Samples (trajectories or base samples).
    pub samples: usize,
    /// The evaluation points in the unit box.
    pub points: Vec<Vec<f64>>,
    /// Their scenarios.
    scenarios: Vec<Scenario>,
    text: String,
    source: Source,
    set: Vec<String>,
}

/// The estimates, ready to print and write.
#[derive(Debug, Clone)]
pub struct Indices {
    /// Per factor in design order: (factor, importance, its 95% interval,
    /// the line printed).
    pub rows: Vec<(String, f64, (f64, f64), String)>,
    /// sensitivity.csv.
    pub csv: String,
    /// The indices as JSON.
    pub json: serde_json::Value,
    /// The vital few levers and their share of the summed importance.
    pub vital_few: (Vec<String>, f64),
    /// The sentence about the vital few.
    pub pareto: String,
    /// The warning that the sample is too small (Sobol), if it is.
    pub too_small: Option<String>,
}

/// A finished analysis.
pub struct Analysis {
    /// The design.
    pub design: Design,
    /// Options as given.
    pub options: Options,
    /// The estimates.
    pub indices: Indices,
}

impl Analysis {
    /// The title of the table: method, output, evaluations, replicates.
    pub fn title(&self) -> String {
        format!(
            "{} sensitivity of {} ({} evaluations x {} replicates), most influential first",
            self.options.method,
            self.design.output.0,
            self.design.points.len(),
            self.options.replicates
        )
    }

    /// The table, most influential first.
    pub fn table(&self) -> String {
        let mut rows = self.indices.rows.clone();
        rows.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut table = String::new();
        for (i, (f, _, _, s)) in rows.iter().enumerate() {
            table.push_str(&format!("{:>3}. {f:<32} {s}\n", i + 1));
        }
        table
    }

    /// What the figure measures.
    pub fn measure(&self) -> String {
        if self.options.method == "morris" {
            format!(
                "Morris μ* of {} (mean absolute elementary effect, 95% bootstrap interval)",
                self.design.output.0
            )
        } else {
            format!(
                "Sobol total index of {} (95% bootstrap interval)",
                self.design.output.0
            )
        }
    }
}

/// Design, evaluate and estimate (every problem of the input first).
pub fn analyse(o: &Options, progress: &dyn Progress) -> Result<Analysis, Failure> {
    let design = design(o)?;
    let y = evaluate(&design, o, progress)?;
    let indices = indices(&design, o, &y);
    Ok(Analysis {
        design,
        options: o.clone(),
        indices,
    })
}

fn input(e: anyhow::Error) -> Failure {
    Failure::Input(e)
}

/// The scenario with the factors at `x` (a point of the unit box).
fn at(d: &Design, x: &[f64]) -> Result<Scenario, Failure> {
    let mut sets = d.set.clone();
    for ((name, lo, hi), xi) in d.factors.iter().zip(x) {
        sets.push(format!("{name}={}", format_value(lo + xi * (hi - lo))));
    }
    Scenario::from_str(&d.text, d.source.clone(), &sets).map_err(|e| Failure::Input(e.into()))
}

/// The factors, the output and the evaluation points, all checked: the
/// output exists, a shock metric has a shock, the output is defined at the
/// centre of the box, and every evaluation's scenario is valid.
pub fn design(a: &Options) -> Result<Design, Failure> {
    let (text, source) = super::run::read_scenario(&a.scenario)?;
    let mut set = a.set.clone();
    if let Some(seed) = a.seed {
        set.push(format!("seed={seed}"));
    }
    let base =
        Scenario::from_str(&text, source.clone(), &set).map_err(|e| Failure::Input(e.into()))?;
    let sweep = base.raw.sweep.clone().ok_or_else(|| {
        input(anyhow!(
            "{}: sensitivity needs a [sweep] section with the factors and their ranges",
            a.scenario.display()
        ))
    })?;
    let outputs = crate::with_model!(&base.model, m => m.run_columns());
    let output = a.metric.clone().unwrap_or_else(|| outputs[0].clone());
    let metric = outputs.iter().position(|m| *m == output).ok_or_else(|| {
        input(anyhow!(
            "--metric must be one of {} (a metric's final value, or a shock metric)",
            outputs.join(", ")
        ))
    })?;
    let samples = a.samples.unwrap_or(if a.method == "sobol" {
        SOBOL_SAMPLES
    } else {
        20
    });
    if samples == 0 || a.replicates == 0 {
        return Err(input(anyhow!(
            "--samples and --replicates must be at least 1"
        )));
    }
    let factors: Vec<(String, f64, f64)> = sweep
        .params
        .iter()
        .map(|(k, v)| (crate::sweep::column_name(&base.raw, k), v))
        .map(|(k, v)| match v {
            SweepValues::Range { min, max } => (k, *min, *max),
            SweepValues::List(l) => (
                k,
                l.iter().copied().fold(f64::INFINITY, f64::min),
                l.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        })
        .collect();
    let k = factors.len();
    let n = samples as usize;
    let points = match a.method.as_str() {
        "morris" => morris_design(k, n, LEVELS, base.seed),
        "sobol" => sobol_design(k, n, base.seed),
        other => {
            return Err(input(anyhow!(
                "--method must be morris or sobol, got '{other}'"
            )));
        }
    };
    // Before the design is simulated: a shock metric needs a shock.
    let shock_metric =
        metric >= crate::with_model!(&base.model, m => crate::engine::Model::metrics(m).len());
    let has_shock = crate::with_model!(&base.model, m => crate::engine::Model::markers(m))
        .iter()
        .any(|m| m.shock);
    if shock_metric && !has_shock {
        return Err(input(anyhow!(
            "--metric {output} is a shock metric, but {} has no shock event (a replace_leader event with a low alignment); choose a metric's final value such as {}",
            a.scenario.display(),
            outputs[0]
        )));
    }
    let mut d = Design {
        base,
        factors,
        output: (output, metric),
        samples: n,
        points,
        scenarios: Vec::new(),
        text,
        source,
        set,
    };
    check_centre(&d, a.replicates)?;
    // Build every evaluation's scenario first: every value is validated.
    d.scenarios = d
        .points
        .iter()
        .map(|x| at(&d, x))
        .collect::<Result<_, _>>()?;
    Ok(d)
}

/// The output must be defined at the centre of the box (one evaluation).
fn check_centre(d: &Design, replicates: u32) -> Result<(), Failure> {
    let centre = at(d, &vec![0.5; d.factors.len()])?;
    let metric = d.output.1;
    let defined = (0..replicates).any(|r| {
        let seeds = Seeds::common(
            centre.seed,
            RunId {
                point: 0,
                replicate: r,
            },
        );
        crate::with_model!(&centre.model, m => m.run_values(&run_seeded(m, seeds)))[metric]
            .is_some()
    });
    if defined {
        return Ok(());
    }
    Err(input(anyhow!(
        "{} is undefined in every replicate at the centre of the ranges (checked before the {} evaluations); choose another --metric or other ranges",
        d.output.0,
        d.points.len()
    )))
}

/// Run every evaluation's replicates in parallel (common random numbers:
/// replicate r of every evaluation has the same streams); the output's mean
/// per evaluation. An output undefined in every replicate of an
/// evaluation is a usage error naming the point.
pub fn evaluate(d: &Design, a: &Options, progress: &dyn Progress) -> Result<Vec<f64>, Failure> {
    let metric = d.output.1;
    let pool = crate::command::pool(a.threads)?;
    progress.begin(d.scenarios.len() as u64, 0);
    let y: Vec<Option<f64>> = pool.install(|| {
        d.scenarios
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                let v: Vec<f64> = (0..a.replicates)
                    .filter_map(|r| {
                        let seeds = Seeds::common(
                            s.seed,
                            RunId {
                                point: i as u32,
                                replicate: r,
                            },
                        );
                        crate::with_model!(&s.model, m => m.run_values(&run_seeded(m, seeds)))
                            [metric]
                    })
                    .collect();
                progress.advance(1);
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect()
    });
    progress.finish();
    // A shock metric can be undefined (no shock event, or a shock that did
    // nothing measurable) in every replicate of an evaluation.
    y.iter()
        .zip(&d.points)
        .map(|(v, x)| {
            v.ok_or_else(|| {
                let at: Vec<String> = d
                    .factors
                    .iter()
                    .zip(x)
                    .map(|((f, lo, hi), xi)| format!("{f} = {:.4}", lo + xi * (hi - lo)))
                    .collect();
                input(anyhow!(
                    "{} is undefined in every replicate at {} (a shock that moved nothing: asymmetry needs a material loss; shock_loss is defined wherever there is a shock); choose another --metric or narrower ranges",
                    d.output.0,
                    at.join(", ")
                ))
            })
        })
        .collect()
}

/// The indices of outputs `y`, their CSV and JSON, the printed lines and
/// the vital few.
pub fn indices(d: &Design, a: &Options, y: &[f64]) -> Indices {
    let (k, n) = (d.factors.len(), d.samples);
    let mut too_small = None;
    let mut rows = Vec::new();
    let (csv, json) = if a.method == "morris" {
        let m = morris_indices(k, n, LEVELS, &d.points, y);
        let mut csv =
            String::from("factor,min,max,mu_star,mu_star_ci95_lo,mu_star_ci95_hi,mu,sigma\n");
        for ((f, lo, hi), mi) in d.factors.iter().zip(&m) {
            csv.push_str(&format!(
                "{f},{lo},{hi},{},{},{},{},{}\n",
                mi.mu_star, mi.mu_star_ci.0, mi.mu_star_ci.1, mi.mu, mi.sigma
            ));
            rows.push((
                f.clone(),
                mi.mu_star,
                mi.mu_star_ci,
                format!(
                    "μ* {:.4} [{:.4}, {:.4}]  μ {:+.4}  σ {:.4}",
                    mi.mu_star, mi.mu_star_ci.0, mi.mu_star_ci.1, mi.mu, mi.sigma
                ),
            ));
        }
        (csv, serde_json::to_value(&m).unwrap_or_default())
    } else {
        let s = sobol_indices(k, n, y);
        // A total index cannot be below its first-order index; an estimate
        // that is (beyond its interval) says the sample is too small.
        let short: Vec<&str> = d
            .factors
            .iter()
            .zip(&s)
            .filter(|(_, si)| si.total_ci.1 < si.first)
            .map(|((f, _, _), _)| f.as_str())
            .collect();
        if !short.is_empty() {
            too_small = Some(format!(
                "The sample is too small: the total index of {} is below its first-order index; run again with more than --samples {n}.",
                short.join(", ")
            ));
        }
        let mut csv = String::from(
            "factor,min,max,first,first_ci95_lo,first_ci95_hi,total,total_ci95_lo,total_ci95_hi\n",
        );
        for ((f, lo, hi), si) in d.factors.iter().zip(&s) {
            csv.push_str(&format!(
                "{f},{lo},{hi},{},{},{},{},{},{}\n",
                si.first, si.first_ci.0, si.first_ci.1, si.total, si.total_ci.0, si.total_ci.1
            ));
            rows.push((
                f.clone(),
                si.total,
                si.total_ci,
                format!(
                    "S {:.3} [{:.3}, {:.3}]  ST {:.3} [{:.3}, {:.3}]",
                    si.first, si.first_ci.0, si.first_ci.1, si.total, si.total_ci.0, si.total_ci.1
                ),
            ));
        }
        (csv, serde_json::to_value(&s).unwrap_or_default())
    };
    let importance: Vec<(String, f64)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let (few, share) = vital_few(&importance, 0.8);
    let pareto = format!(
        "{} of {} levers ({:.0}%) carry {:.0}% of the summed {}: {}.",
        few.len(),
        k,
        100.0 * few.len() as f64 / k.max(1) as f64,
        100.0 * share,
        if a.method == "morris" {
            "μ*"
        } else {
            "total index"
        },
        few.join(", ")
    );
    Indices {
        rows,
        csv,
        json,
        vital_few: (few, share),
        pareto,
        too_small,
    }
}

/// Write sensitivity.csv and sensitivity.json into `out` (it exists).
pub fn write_files(out: &Path, s: &Analysis) -> anyhow::Result<()> {
    let (d, a, ix) = (&s.design, &s.options, &s.indices);
    atomic::write(&out.join("sensitivity.csv"), ix.csv.as_bytes())?;
    let j = serde_json::json!({
        "scenario": d.base.name(),
        "method": a.method,
        "metric": d.output.0,
        "samples": d.samples,
        "evaluations": d.points.len(),
        "replicates_per_evaluation": a.replicates,
        "factors": d.factors.iter().map(|(f, lo, hi)| serde_json::json!({"key": f, "min": lo, "max": hi})).collect::<Vec<_>>(),
        "indices": ix.json,
        "bootstrap_resamples": BOOTSTRAP,
        "vital_few": { "levers": ix.vital_few.0, "share": ix.vital_few.1, "target": 0.8 },
        "sample_too_small": ix.too_small,
    });
    atomic::write(
        &out.join("sensitivity.json"),
        &serde_json::to_vec_pretty(&j).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(method: &str) -> Options {
        Options {
            scenario: PathBuf::from("snow-in-the-sun-levers"),
            method: method.into(),
            samples: Some(2),
            metric: None,
            replicates: 1,
            set: vec!["org.employees=60".into()],
            seed: None,
            threads: Some(2),
        }
    }

    #[test]
    fn bad_options_are_refused_before_anything_runs() {
        let mut o = options("fast");
        let e = design(&o).err().expect("an unknown method");
        assert!(
            e.to_string().contains("--method must be morris or sobol"),
            "{e}"
        );
        o.method = "morris".into();
        o.replicates = 0;
        assert!(matches!(design(&o), Err(Failure::Input(_))));
        o.replicates = 1;
        o.metric = Some("nonsense".into());
        let e = design(&o).err().expect("an unknown metric");
        assert!(e.to_string().contains("--metric must be one of"), "{e}");
    }

    #[test]
    fn morris_is_the_same_at_any_thread_count() {
        let one = analyse(
            &Options {
                threads: Some(1),
                ..options("morris")
            },
            &(),
        )
        .unwrap();
        let two = analyse(&options("morris"), &()).unwrap();
        assert_eq!(one.indices.csv, two.indices.csv);
        let k = one.design.factors.len();
        assert!(k >= 2, "levers sweeps several factors");
        assert_eq!(
            one.design.points.len(),
            2 * (k + 1),
            "r (k + 1) evaluations"
        );
        assert_eq!(one.indices.csv.lines().count(), k + 1);
        assert_eq!(one.table().lines().count(), k);
    }
}
