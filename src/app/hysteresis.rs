//! `culturesim hysteresis`: for each value of one parameter, the
//! equilibrium culture reached from a low-culture and from a high-culture
//! organization (events switched off); the bistable range is where the two
//! branches differ. Writes hysteresis.csv, hysteresis.json and the
//! bifurcation diagram (PNG and SVG).

use super::Failure;
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::model::learning_culture::metric;
use crate::plot::canvas;
use crate::plot::hysteresis::{Hysteresis, bistable_range};
use crate::scenario::Scenario;
use anyhow::anyhow;
use rayon::prelude::*;
use std::path::Path;

/// Overrides of a low-culture start.
pub const LOW_START: [&str; 3] = [
    "init.culture=0.1",
    "init.practice=0.05",
    "population.belief={dist=\"beta\",a=2,b=6}",
];
/// Overrides of a high-culture start.
pub const HIGH_START: [&str; 3] = [
    "init.culture=0.75",
    "init.practice=0.75",
    "population.belief={dist=\"beta\",a=6,b=2}",
];

pub use crate::cli::HysteresisArgs;

/// Run the scan.
pub fn hysteresis(a: &HysteresisArgs) -> Result<(), Failure> {
    if a.points < 2 || !(a.from.is_finite() && a.to.is_finite()) || a.from >= a.to {
        return Err(Failure::Input(anyhow!(
            "hysteresis needs --from < --to and --points >= 2"
        )));
    }
    if a.steps < 10 || a.replicates == 0 {
        return Err(Failure::Input(anyhow!(
            "--steps must be at least 10 and --replicates at least 1"
        )));
    }
    let values: Vec<f64> = (0..a.points)
        .map(|i| a.from + (a.to - a.from) * f64::from(i) / f64::from(a.points - 1))
        .collect();
    let build = |v: f64, start: &[&str]| -> Result<Scenario, Failure> {
        let mut sets: Vec<String> = a.common.set.clone();
        if let Some(seed) = a.common.seed {
            sets.push(format!("seed={seed}"));
        }
        sets.push("events=[]".into());
        sets.extend(start.iter().map(|s| s.to_string()));
        sets.push(format!(
            "{}={}",
            a.param,
            crate::export::timeseries::format_value(v)
        ));
        let s = match crate::limits::read_input(&a.scenario) {
            Ok(t) => {
                Scenario::from_str(&t, crate::scenario::Source::File(a.scenario.clone()), &sets)
            }
            Err(_) => Scenario::from_file(&a.scenario, &sets),
        };
        let mut s = s.map_err(|e| Failure::Input(e.into()))?;
        s.model.set_steps(a.steps);
        Ok(s)
    };
    // Validate every value before running anything.
    let mut scenarios = Vec::new();
    for &v in &values {
        scenarios.push((build(v, &LOW_START)?, build(v, &HIGH_START)?));
    }
    let name = scenarios[0].0.name().to_string();
    let tail = (a.steps as usize / 5).max(1);
    let jobs: Vec<(usize, usize, u32)> = (0..values.len())
        .flat_map(|i| (0..2).flat_map(move |b| (0..a.replicates).map(move |r| (i, b, r))))
        .collect();
    let pool = super::progress::pool(a.common.threads)?;
    let bar = super::progress::bar(jobs.len() as u64, "runs", a.common.quiet);
    let eq: Vec<f64> = pool.install(|| {
        jobs.par_iter()
            .map(|&(i, b, r)| {
                let s = if b == 0 {
                    &scenarios[i].0
                } else {
                    &scenarios[i].1
                };
                let seeds = Seeds::common(
                    s.seed,
                    RunId {
                        point: i as u32,
                        replicate: r,
                    },
                );
                let run = crate::with_model!(&s.model, m => run_seeded(m, seeds));
                let c = run.series(metric::CULTURE);
                bar.inc(1);
                c[c.len() - tail..].iter().sum::<f64>() / tail as f64
            })
            .collect()
    });
    bar.finish_and_clear();
    let reps = a.replicates as usize;
    let rows: Vec<(f64, f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let mean = |b: usize| {
                let start = (i * 2 + b) * reps;
                eq[start..start + reps].iter().sum::<f64>() / reps as f64
            };
            (v, mean(0), mean(1))
        })
        .collect();
    let bistable = bistable_range(&rows, a.gap);
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{name}-hysteresis")));
    write(&out, a, &name, &rows, bistable).map_err(Failure::Runtime)?;
    if a.common.quiet {
        return Ok(());
    }
    println!(
        "{:>12} {:>10} {:>10} {:>8}",
        a.param, "low start", "high start", "gap"
    );
    for (v, l, h) in &rows {
        println!("{v:>12.4} {l:>10.3} {h:>10.3} {:>8.3}", h - l);
    }
    match bistable {
        Some((x, y)) => println!(
            "bistable range: {} in [{x:.4}, {y:.4}] (branches differ by more than {})",
            a.param, a.gap
        ),
        None => println!(
            "no bistable range (no value where the branches differ by more than {})",
            a.gap
        ),
    }
    println!("outputs: {}", out.display());
    Ok(())
}

fn write(
    out: &Path,
    a: &HysteresisArgs,
    name: &str,
    rows: &[(f64, f64, f64)],
    bistable: Option<(f64, f64)>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow!("cannot create output folder '{}': {e}", out.display()))?;
    let mut csv = format!("{},low_start,high_start,gap\n", a.param);
    for (v, l, h) in rows {
        csv.push_str(&format!("{v},{l},{h},{}\n", h - l));
    }
    atomic::write(&out.join("hysteresis.csv"), csv.as_bytes())?;
    let json = serde_json::json!({
        "scenario": name,
        "param": a.param,
        "steps": a.steps,
        "replicates": a.replicates,
        "equilibrium": format!("mean culture over the last {} steps", (a.steps / 5).max(1)),
        "gap": a.gap,
        "bistable": bistable.map(|(x, y)| [x, y]),
        "low_start": LOW_START,
        "high_start": HIGH_START,
        "rows": rows.iter().map(|(v, l, h)| serde_json::json!({"value": v, "low": l, "high": h})).collect::<Vec<_>>(),
    });
    atomic::write(
        &out.join("hysteresis.json"),
        &serde_json::to_vec_pretty(&json)?,
    )?;
    let fig = canvas::render(
        "hysteresis",
        String::new(),
        &Hysteresis {
            scenario: name,
            param: &a.param,
            rows,
            bistable,
            replicates: a.replicates,
        },
    )?;
    atomic::write(&out.join("hysteresis.svg"), fig.svg.as_bytes())?;
    atomic::write(&out.join("hysteresis.png"), &fig.png)?;
    let finding = match bistable {
        Some((x, y)) => format!(
            "Bistable for {} from {x} to {y}: there an organization that starts with a low culture settles low and one that starts high stays high (branches more than {} apart). The history decides the outcome.",
            a.param, a.gap
        ),
        None => format!(
            "No bistable range over {} from {} to {}: both starts settle at the same culture (within {}).",
            a.param, a.from, a.to, a.gap
        ),
    };
    let mut table = format!("{:>12}  low start  high start  gap\n", a.param);
    for (v, l, h) in rows {
        table.push_str(&format!("{v:>12.4}  {l:>9.3}  {h:>10.3}  {:.3}\n", h - l));
    }
    let page = crate::plot::sweep::report(
        &crate::plot::sweep::Page {
            kind: "hysteresis",
            name,
            description: &format!(
                "Equilibrium culture from a low and from a high start, {} replicates per value, {} steps.",
                a.replicates, a.steps
            ),
            findings: &[finding],
            table: ("equilibrium culture per value", &table),
            prefix: "",
        },
        &[fig],
    );
    atomic::write(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}
