//! `culturesim sensitivity`: which levers move the outcome most. The
//! factors are the `[sweep]` parameters with their ranges (`{ min, max }`,
//! or the smallest and largest listed value); Morris screening or Sobol
//! indices (with 95% bootstrap intervals) over that box, of any run-level
//! output of a sweep: a metric's final value or a shock metric such as
//! `asymmetry` (mean over replicates, common random numbers).

use super::Failure;
use crate::analysis::sensitivity::vital_few;
use crate::analysis::sensitivity::{morris_design, morris_indices, sobol_design, sobol_indices};
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::scenario::Scenario;
use crate::scenario::raw::SweepValues;
use crate::sweep::columns::RunColumns;
use anyhow::anyhow;
use rayon::prelude::*;
use std::path::Path;

pub use crate::cli::SensitivityArgs;

/// Default Sobol base samples: with fewer, the estimates of total indices
/// of the bundled levers scenario fall below the first-order ones.
pub const SOBOL_SAMPLES: u32 = 64;

/// Run the analysis.
pub fn sensitivity(a: &SensitivityArgs) -> Result<(), Failure> {
    let input = |e: anyhow::Error| Failure::Input(e);
    let (text, source) = super::sweep::read_scenario(&a.scenario)?;
    let mut set = a.common.set.clone();
    if let Some(seed) = a.common.seed {
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
    let levels = 4;
    let design = match a.method.as_str() {
        "morris" => morris_design(k, n, levels, base.seed),
        "sobol" => sobol_design(k, n, base.seed),
        other => {
            return Err(input(anyhow!(
                "--method must be morris or sobol, got '{other}'"
            )));
        }
    };
    // Before the design is simulated: a shock metric needs a shock, and the
    // metric must be defined at the centre of the box (one evaluation).
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
    {
        let mut sets = set.clone();
        for (name, lo, hi) in &factors {
            sets.push(format!(
                "{name}={}",
                crate::export::timeseries::format_value(lo + 0.5 * (hi - lo))
            ));
        }
        let centre = Scenario::from_str(&text, source.clone(), &sets)
            .map_err(|e| Failure::Input(e.into()))?;
        let defined = (0..a.replicates).any(|r| {
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
        if !defined {
            return Err(input(anyhow!(
                "{output} is undefined in every replicate at the centre of the ranges (checked before the {} evaluations); choose another --metric or other ranges",
                design.len()
            )));
        }
    }
    // Build every evaluation's scenario first: every value is validated.
    let scenarios: Vec<Scenario> = design
        .iter()
        .map(|x| {
            let mut sets = set.clone();
            for ((name, lo, hi), xi) in factors.iter().zip(x) {
                sets.push(format!(
                    "{name}={}",
                    crate::export::timeseries::format_value(lo + xi * (hi - lo))
                ));
            }
            Scenario::from_str(&text, source.clone(), &sets).map_err(|e| Failure::Input(e.into()))
        })
        .collect::<Result<_, _>>()?;
    let pool = super::progress::pool(a.common.threads)?;
    let bar = super::progress::bar(scenarios.len() as u64, "evaluations", a.common.quiet);
    let y: Vec<Option<f64>> = pool.install(|| {
        scenarios
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
                bar.inc(1);
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect()
    });
    bar.finish_and_clear();
    // A shock metric can be undefined (no shock event, or a shock that did
    // nothing measurable) in every replicate of an evaluation.
    let y: Vec<f64> = y
        .iter()
        .zip(&design)
        .map(|(v, x)| {
            v.ok_or_else(|| {
                let at: Vec<String> = factors
                    .iter()
                    .zip(x)
                    .map(|((f, lo, hi), xi)| format!("{f} = {:.4}", lo + xi * (hi - lo)))
                    .collect();
                input(anyhow!(
                    "{} is undefined in every replicate at {} (a shock that moved nothing: asymmetry needs a material loss; shock_loss is defined wherever there is a shock); choose another --metric or narrower ranges",
                    output,
                    at.join(", ")
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-sensitivity", base.name())));
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", out.display())))?;
    let mut too_small: Option<String> = None;
    // (factor, importance, its 95% interval, the line printed)
    let mut rows: Vec<(String, f64, (f64, f64), String)> = Vec::new();
    let (csv, json) = if a.method == "morris" {
        let m = morris_indices(k, n, levels, &design, &y);
        let mut csv =
            String::from("factor,min,max,mu_star,mu_star_ci95_lo,mu_star_ci95_hi,mu,sigma\n");
        for ((f, lo, hi), mi) in factors.iter().zip(&m) {
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
        let s = sobol_indices(k, n, &y);
        // A total index cannot be below its first-order index; an estimate
        // that is (beyond its interval) says the sample is too small.
        let short: Vec<&str> = factors
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
        for ((f, lo, hi), si) in factors.iter().zip(&s) {
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
    let runtime = Failure::Runtime;
    atomic::write(&out.join("sensitivity.csv"), csv.as_bytes()).map_err(runtime)?;
    let j = serde_json::json!({
        "scenario": base.name(),
        "method": a.method,
        "metric": output,
        "samples": n,
        "evaluations": design.len(),
        "replicates_per_evaluation": a.replicates,
        "factors": factors.iter().map(|(f, lo, hi)| serde_json::json!({"key": f, "min": lo, "max": hi})).collect::<Vec<_>>(),
        "indices": json,
        "bootstrap_resamples": crate::analysis::sensitivity::BOOTSTRAP,
        "vital_few": { "levers": few, "share": share, "target": 0.8 },
        "sample_too_small": too_small,
    });
    atomic::write(
        &out.join("sensitivity.json"),
        &serde_json::to_vec_pretty(&j).unwrap_or_default(),
    )
    .map_err(Failure::Runtime)?;
    let measure = if a.method == "morris" {
        format!(
            "Morris μ* of {} (mean absolute elementary effect, 95% bootstrap interval)",
            output
        )
    } else {
        format!("Sobol total index of {} (95% bootstrap interval)", output)
    };
    let bars: Vec<(String, f64)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let intervals: Vec<(f64, f64)> = rows.iter().map(|r| r.2).collect();
    let fig = crate::plot::canvas::render(
        "sensitivity",
        measure.clone(),
        &crate::plot::sweep::Tornado {
            scenario: base.name(),
            measure: &measure,
            bars: &bars,
            intervals: &intervals,
        },
    )
    .map_err(Failure::Runtime)?;
    atomic::write(&out.join("sensitivity.svg"), fig.svg.as_bytes()).map_err(Failure::Runtime)?;
    atomic::write(&out.join("sensitivity.png"), &fig.png).map_err(Failure::Runtime)?;
    rows.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut table = String::new();
    for (i, (f, _, _, s)) in rows.iter().enumerate() {
        table.push_str(&format!("{:>3}. {f:<32} {s}\n", i + 1));
    }
    let title = format!(
        "{} sensitivity of {} ({} evaluations x {} replicates), most influential first",
        a.method,
        output,
        design.len(),
        a.replicates
    );
    let page = crate::plot::sweep::report(
        &crate::plot::sweep::Page {
            kind: "sensitivity",
            name: base.name(),
            description: &base.raw.description,
            findings: &[pareto.clone()]
                .into_iter()
                .chain(too_small.clone())
                .collect::<Vec<_>>(),
            table: (&title, &table),
            prefix: "",
        },
        &[fig],
    );
    atomic::write(&out.join("report.html"), page.as_bytes()).map_err(Failure::Runtime)?;
    if !a.common.quiet {
        println!("{title}:\n{table}{pareto}");
        if let Some(w) = &too_small {
            println!("{w}");
        }
        println!("outputs: {}", out.display());
    }
    Ok(())
}
