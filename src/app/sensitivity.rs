//! `culturesim sensitivity`: which levers move the outcome most. The
//! factors are the `[sweep]` parameters with their ranges (`{ min, max }`,
//! or the smallest and largest listed value); Morris screening or Sobol
//! indices of a metric's final value (mean over replicates, common random
//! numbers) over that box.

use super::Failure;
use crate::analysis::sensitivity::{morris_design, morris_indices, sobol_design, sobol_indices};
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::model::learning_culture::METRICS;
use crate::scenario::raw::SweepValues;
use crate::scenario::{Scenario, Source};
use anyhow::anyhow;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options of `sensitivity`.
#[derive(Debug, Clone)]
pub struct SensitivityArgs {
    /// Scenario file with a `[sweep]` section.
    pub scenario: PathBuf,
    /// "morris" or "sobol".
    pub method: String,
    /// Morris trajectories / Sobol base samples.
    pub samples: u32,
    /// Metric whose final value is analysed.
    pub metric: String,
    /// Replicates per evaluation.
    pub replicates: u32,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Scenario overrides.
    pub set: Vec<String>,
}

/// Run the analysis.
pub fn sensitivity(a: &SensitivityArgs) -> Result<(), Failure> {
    let input = |e: anyhow::Error| Failure::Input(e);
    let text = std::fs::read_to_string(&a.scenario).map_err(|e| {
        input(anyhow!(
            "failed to read scenario '{}': {e}",
            a.scenario.display()
        ))
    })?;
    let source = Source::File(a.scenario.clone());
    let base =
        Scenario::from_str(&text, source.clone(), &a.set).map_err(|e| Failure::Input(e.into()))?;
    let sweep = base.raw.sweep.clone().ok_or_else(|| {
        input(anyhow!(
            "{}: sensitivity needs a [sweep] section with the factors and their ranges",
            a.scenario.display()
        ))
    })?;
    let metric = METRICS
        .iter()
        .position(|m| *m == a.metric)
        .ok_or_else(|| input(anyhow!("--metric must be one of {}", METRICS.join(", "))))?;
    if a.samples == 0 || a.replicates == 0 {
        return Err(input(anyhow!(
            "--samples and --replicates must be at least 1"
        )));
    }
    let factors: Vec<(String, f64, f64)> = sweep
        .params
        .iter()
        .map(|(k, v)| match v {
            SweepValues::Range { min, max } => (k.clone(), *min, *max),
            SweepValues::List(l) => (
                k.clone(),
                l.iter().copied().fold(f64::INFINITY, f64::min),
                l.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        })
        .collect();
    let k = factors.len();
    let n = a.samples as usize;
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
    // Build every evaluation's scenario first: every value is validated.
    let scenarios: Vec<Scenario> = design
        .iter()
        .map(|x| {
            let mut sets = a.set.clone();
            for ((name, lo, hi), xi) in factors.iter().zip(x) {
                sets.push(format!(
                    "{name}={}",
                    crate::export::timeseries::format_value(lo + xi * (hi - lo))
                ));
            }
            Scenario::from_str(&text, source.clone(), &sets).map_err(|e| Failure::Input(e.into()))
        })
        .collect::<Result<_, _>>()?;
    let y: Vec<f64> = scenarios
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            (0..a.replicates)
                .map(|r| {
                    let run = run_seeded(
                        &s.model,
                        Seeds::common(
                            s.seed,
                            RunId {
                                point: i as u32,
                                replicate: r,
                            },
                        ),
                    );
                    run.row(run.len() - 1)[metric]
                })
                .sum::<f64>()
                / f64::from(a.replicates)
        })
        .collect();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-sensitivity", base.name())));
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", out.display())))?;
    let mut rows: Vec<(String, f64, String)> = Vec::new();
    let (csv, json) = if a.method == "morris" {
        let m = morris_indices(k, n, levels, &design, &y);
        let mut csv = String::from("factor,min,max,mu_star,mu,sigma\n");
        for ((f, lo, hi), mi) in factors.iter().zip(&m) {
            csv.push_str(&format!(
                "{f},{lo},{hi},{},{},{}\n",
                mi.mu_star, mi.mu, mi.sigma
            ));
            rows.push((
                f.clone(),
                mi.mu_star,
                format!("μ* {:.4}  μ {:+.4}  σ {:.4}", mi.mu_star, mi.mu, mi.sigma),
            ));
        }
        (csv, serde_json::to_value(&m).unwrap_or_default())
    } else {
        let s = sobol_indices(k, n, &y);
        let mut csv = String::from("factor,min,max,first,total\n");
        for ((f, lo, hi), si) in factors.iter().zip(&s) {
            csv.push_str(&format!("{f},{lo},{hi},{},{}\n", si.first, si.total));
            rows.push((
                f.clone(),
                si.total,
                format!("S {:.3}  ST {:.3}", si.first, si.total),
            ));
        }
        (csv, serde_json::to_value(&s).unwrap_or_default())
    };
    let runtime = Failure::Runtime;
    atomic::write(&out.join("sensitivity.csv"), csv.as_bytes()).map_err(runtime)?;
    let j = serde_json::json!({
        "scenario": base.name(),
        "method": a.method,
        "metric": a.metric,
        "samples": n,
        "evaluations": design.len(),
        "replicates_per_evaluation": a.replicates,
        "factors": factors.iter().map(|(f, lo, hi)| serde_json::json!({"key": f, "min": lo, "max": hi})).collect::<Vec<_>>(),
        "indices": json,
    });
    atomic::write(
        &out.join("sensitivity.json"),
        &serde_json::to_vec_pretty(&j).unwrap_or_default(),
    )
    .map_err(Failure::Runtime)?;
    let measure = if a.method == "morris" {
        format!(
            "Morris μ* of final {} (mean absolute elementary effect)",
            a.metric
        )
    } else {
        format!("Sobol total index of final {}", a.metric)
    };
    let bars: Vec<(String, f64)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let fig = crate::plot::canvas::render(
        "sensitivity",
        measure.clone(),
        &crate::plot::sweep::Tornado {
            scenario: base.name(),
            measure: &measure,
            bars: &bars,
        },
    )
    .map_err(Failure::Runtime)?;
    atomic::write(&out.join("sensitivity.svg"), fig.svg.as_bytes()).map_err(Failure::Runtime)?;
    atomic::write(&out.join("sensitivity.png"), &fig.png).map_err(Failure::Runtime)?;
    rows.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    println!(
        "{} sensitivity of final {} ({} evaluations x {} replicates), most influential first:",
        a.method,
        a.metric,
        design.len(),
        a.replicates
    );
    for (i, (f, _, s)) in rows.iter().enumerate() {
        println!("{:>3}. {f:<32} {s}", i + 1);
    }
    println!("outputs: {}", out.display());
    Ok(())
}
