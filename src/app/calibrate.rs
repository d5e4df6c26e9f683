//! `culturesim calibrate`: read the scenario and the observations, run the
//! library's ABC-SMC calibration into the output folder with a progress
//! bar (generation, tolerance, acceptance rate), draw its figures and
//! report.html (the report crate's `calibrate`), print the summary.

use super::Failure;
use crate::calibrate::{Calibration, Options};
use crate::cli::CalibrateArgs;
use std::path::PathBuf;

/// Run `calibrate`.
pub fn calibrate(a: &CalibrateArgs) -> Result<(), Failure> {
    let (text, source) = super::sweep::read_scenario(&a.scenario)?;
    let data_text = crate::calibrate::read_observations(&a.data)?;
    let opts = Options {
        overrides: a.common.set.clone(),
        seed: a.common.seed,
        particles: a.particles,
        generations: a.generations,
        start: a.start.clone(),
        prefilter: a.prefilter.clone(),
    };
    let cal = Calibration::load(
        &text,
        source,
        &data_text,
        &a.data.display().to_string(),
        &opts,
    )
    .map_err(Failure::from)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-calibrate", cal.base.name())));
    let pool = super::progress::pool(a.common.threads)?;
    let total = u64::from(cal.generations + 1) * cal.settings.particles as u64;
    let bar = super::progress::bar(total, "particles", a.common.quiet);
    let started = std::time::Instant::now();
    let outcome = pool
        .install(|| {
            cal.run(&out, a.resume, &|p| {
                let done = u64::from(p.generation) * p.particles as u64 + p.accepted as u64;
                bar.set_position(done);
                let tol = p
                    .tolerance
                    .map_or("none (prior)".to_string(), |t| format!("{t:.3}"));
                let acc = if p.simulations > 0 {
                    100.0 * p.accepted as f64 / p.simulations as f64
                } else {
                    0.0
                };
                let screened = match p.screened {
                    0 => String::new(),
                    n => format!("  screened out {n}"),
                };
                bar.set_message(format!(
                    "particles  generation {}/{}  tolerance {tol}  acceptance {acc:.0}%{screened}",
                    p.generation, p.generations
                ));
            })
        })
        .map_err(Failure::from)?;
    bar.finish_and_clear();
    crate::plot::calibrate::write(&out, &outcome).map_err(|e| {
        Failure::Runtime(e.context(format!(
            "the data files are in '{}', but the plots failed",
            out.display()
        )))
    })?;
    let report = &outcome.report;
    if a.common.quiet {
        if !report.fits {
            eprintln!("{}", report.statement);
        }
        return Ok(());
    }
    println!(
        "calibrated {} free parameter(s) on {} observations: {} simulations in {:.1} s, {} generation(s)",
        cal.names.len(),
        cal.data.len(),
        report.simulations,
        started.elapsed().as_secs_f64(),
        report.generations.len()
    );
    println!(
        "{:<34} {:>10} {:>10} {:>21} {:>9}",
        "parameter", "mean", "median", "90% interval", "sd/prior"
    );
    for p in &report.params {
        println!(
            "{:<34} {:>10.4} {:>10.4} {:>10.4} - {:<10.4} {:>8.2}{}",
            p.name,
            p.mean,
            p.median,
            p.q05,
            p.q95,
            p.sd_ratio,
            if p.identified {
                ""
            } else {
                "  not identified (posterior ≈ prior)"
            }
        );
    }
    if let Some(s) = &report.stopped {
        println!("{s}");
    }
    if let Some(f) = &report.forecast {
        println!(
            "posterior predictive: {} of {} observations inside their 90% band ({} runs, each with its own posterior draw and seeds)",
            f.inside,
            f.predictive.len(),
            f.runs
        );
        println!(
            "forecast to year {:.1} (last wave at year {:.1}), final culture mean [90% band]:",
            f.horizon, f.last_wave
        );
        for b in &f.branches {
            if let Some(end) = b
                .series
                .iter()
                .find(|s| s.metric == "culture")
                .and_then(|s| s.bands.last())
            {
                println!(
                    "  {:<60} {:.3} [{:.3}, {:.3}]",
                    b.label, end.mean, end.q[0], end.q[4]
                );
            }
        }
    }
    println!("{}", report.statement);
    println!("wrote {}", out.display());
    println!("report: {}", out.join(crate::plot::REPORT).display());
    Ok(())
}
