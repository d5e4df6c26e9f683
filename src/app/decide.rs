//! The decision-support commands' edge: `run --save-state-at` /
//! `--from-state` (reading and checking a snapshot file), `timing`, `risk`
//! and `warning`. Thin: parse, call the study in `crate::decide`, write its files
//! and the report crate's figure and page, print.

use super::Failure;
use crate::cli::RunArgs;
use crate::decide::checkpoint::{starts, time_in_steps};
use crate::model::learning_culture::snapshot::Snapshot;
use crate::scenario::Scenario;
use anyhow::anyhow;

pub use crate::simulate::Checkpoints;

/// The checkpoint plan of `run ARGS` on `scenario`, or `None` without
/// `--save-state-at` and `--from-state`. Every problem is a usage error
/// that names the option or the file.
pub fn checkpoints(scenario: &Scenario, args: &RunArgs) -> Result<Option<Checkpoints>, Failure> {
    if args.save_state_at.is_none() && args.from_state.is_none() {
        return Ok(None);
    }
    let input = Failure::Input;
    let Some(model) = scenario.model.learning_culture() else {
        return Err(input(anyhow!(
            "--save-state-at and --from-state need the learning-culture model; scenario '{}' runs {}",
            scenario.name(),
            scenario.model.name()
        )));
    };
    let steps = crate::engine::Model::steps(model);
    let save_at = match &args.save_state_at {
        None => None,
        Some(t) => {
            let s = time_in_steps(t, &scenario.raw.time_unit)
                .map_err(|m| input(anyhow!("--save-state-at {t}: {m}")))?;
            if s > steps {
                return Err(input(anyhow!(
                    "--save-state-at {t} is step {s}, after the run's last step {steps}"
                )));
            }
            Some(s)
        }
    };
    let (from, first_step) = match &args.from_state {
        None => (None, 0),
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| input(anyhow!("cannot read snapshot '{}': {e}", path.display())))?;
            let snap = Snapshot::from_json(&bytes)
                .map_err(|e| input(anyhow!("snapshot '{}' {e}", path.display())))?;
            let step = snap.step;
            if let Some(s) = save_at
                && s < step
            {
                return Err(input(anyhow!(
                    "--save-state-at is step {s}, before the snapshot's step {step} ('{}')",
                    path.display()
                )));
            }
            let v = starts(
                snap,
                model,
                scenario.name(),
                scenario.seed,
                scenario.replicates,
            )
            .map_err(|e| input(anyhow!("snapshot '{}' {e}", path.display())))?;
            (Some(v), step)
        }
    };
    Ok(Some(Checkpoints {
        save_at,
        from,
        first_step,
    }))
}

/// The line `run` and the decision commands print after their table when
/// the replicates draw from a posterior (nothing without one).
pub(super) fn drawn(scenario: &Scenario) {
    if let Some(d) = scenario.model.learning_culture().and_then(|m| m.draws()) {
        println!(
            "parameters {} drawn per replicate from the posterior in '{}' ({} distinct particles)",
            d.keys.join(", "),
            d.from,
            d.particles.len()
        );
    }
}

/// `culturesim timing`: parse, run the library's study
/// ([`crate::decide::timing_study`]), write timing.csv, timing-runs.csv,
/// timing.json, the figure (PNG and SVG), report.html and scenario.toml,
/// print the finding.
pub fn timing(args: &crate::cli::TimingArgs) -> Result<(), Failure> {
    use crate::decide::timing_study::{Options, study};
    let o = Options {
        scenario: args.scenario.clone(),
        event: args.event.clone(),
        delays: args.delays.clone(),
        unit: args.unit.names(),
        tolerance: args.tolerance,
        replicates: args.replicates,
        set: args.common.set.clone(),
        seed: args.common.seed,
        threads: args.common.threads,
        posterior: args.posterior.clone(),
    };
    let bar = super::progress::Bar::new("steps", args.common.quiet);
    let s = study(&o, &bar)?;
    let out = crate::export::files::write_study(
        args.out.as_deref(),
        &s.scenario,
        "timing",
        s.data_files(),
        crate::plot::timing::files(&s).map_err(Failure::Runtime)?,
    )?;
    if !args.common.quiet {
        println!("{}", s.finding);
        for r in &s.timing.rows {
            let name = match r.delay_steps {
                Some(d) => format!("remedy after {}", s.in_unit(f64::from(d))),
                None if r.branch == "no_harm" => "without the harm".into(),
                None => "never remedied".into(),
            };
            println!(
                "  {name:<28} final culture {:.3} [{:.3}, {:.3}]  recover {:>3.0}% [{:.0}%, {:.0}%]",
                r.final_culture,
                r.final_ci[0],
                r.final_ci[1],
                100.0 * r.share,
                100.0 * r.share_ci[0],
                100.0 * r.share_ci[1]
            );
        }
        drawn(&s.scenario);
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}

/// `culturesim risk`: parse, run the library's study
/// ([`crate::decide::risk_study`]), write seats.csv, stress.csv,
/// risk.json, plots/seats.png/.svg, report.html and scenario.toml, print
/// the findings and the most exposed seats.
pub fn risk(args: &crate::cli::RiskArgs) -> Result<(), Failure> {
    use crate::decide::risk_study::{Options, study};
    let o = Options {
        scenario: args.scenario.clone(),
        at: args.at.clone(),
        years: args.years,
        alignment: args.alignment,
        top: args.top,
        replicates: args.replicates,
        set: args.common.set.clone(),
        seed: args.common.seed,
        threads: args.common.threads,
        posterior: args.posterior.clone(),
    };
    let bar = super::progress::Bar::new("steps", args.common.quiet);
    let s = study(&o, &bar)?;
    let out = crate::export::files::write_study(
        args.out.as_deref(),
        &s.scenario,
        "risk",
        s.data_files(),
        crate::plot::seats::files(&s).map_err(Failure::Runtime)?,
    )?;
    if !args.common.quiet {
        for f in &s.findings {
            println!("{f}");
        }
        for st in s.risk.seats.iter().take(s.shown) {
            println!(
                "  {:>3}. {:<20} loss {:.3} [{:.3}, {:.3}]  {:>3.0}% of the risk{}",
                st.rank,
                st.name,
                st.loss,
                st.loss_ci[0],
                st.loss_ci[1],
                100.0 * st.share,
                if st.top80 { "  *" } else { "" }
            );
        }
        drawn(&s.scenario);
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}

/// `culturesim warning`: parse, run the library's study
/// ([`crate::decide::warning_study`]), write warning.csv,
/// warning-series.csv, warning-sensitivity.csv, warning.json,
/// plots/warning.png/.svg, report.html and scenario.toml, print the
/// findings.
pub fn warning(args: &crate::cli::WarningArgs) -> Result<(), Failure> {
    use crate::decide::warning_study::{Options, study};
    let o = Options {
        scenario: args.scenario.clone(),
        from: args.from.clone(),
        window: args.window.clone(),
        rolling: args.rolling,
        bandwidth: args.bandwidth.clone(),
        threshold: args.threshold,
        teams: args.teams,
        twin: args.twin_set.clone(),
        replicates: args.replicates,
        set: args.common.set.clone(),
        seed: args.common.seed,
        threads: args.common.threads,
        posterior: args.posterior.clone(),
    };
    let bar = super::progress::Bar::new("steps", args.common.quiet);
    let s = study(&o, &bar)?;
    let out = crate::export::files::write_study(
        args.out.as_deref(),
        &s.scenario,
        "warning",
        s.data_files(),
        crate::plot::warning::files(&s).map_err(Failure::Runtime)?,
    )?;
    if !args.common.quiet {
        for f in &s.findings {
            println!("{f}");
        }
        drawn(&s.scenario);
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}

/// `culturesim optimize`: parse, run the library's study
/// ([`crate::decide::optimize`]), write portfolios.csv, front.csv,
/// optimize.json, dose.toml, plots/optimize.png/.svg, report.html and
/// scenario.toml, print the findings and the front.
pub fn optimize(args: &crate::cli::OptimizeArgs) -> Result<(), Failure> {
    use crate::decide::optimize::{Options, study};
    let o = Options {
        scenario: args.scenario.clone(),
        target: args.target,
        budget: args.budget,
        population: args.population,
        generations: args.generations,
        replicates: args.replicates,
        confirm: args.confirm,
        set: args.common.set.clone(),
        seed: args.common.seed,
        threads: args.common.threads,
        posterior: args.posterior.clone(),
    };
    let bar = super::progress::Bar::new("runs", args.common.quiet);
    let s = study(&o, &bar)?;
    let out = crate::export::files::write_study(
        args.out.as_deref(),
        &s.scenario,
        "optimize",
        s.data_files(),
        crate::plot::optimize::files(&s).map_err(Failure::Runtime)?,
    )?;
    if !args.common.quiet {
        for f in &s.findings {
            println!("{f}");
        }
        for p in s.front() {
            let fresh = p.confirmed.as_ref().map_or(String::new(), |c| {
                format!(
                    "  fresh {:>3.0}% [{:.0}%, {:.0}%]",
                    100.0 * c.high,
                    100.0 * c.high_ci[0],
                    100.0 * c.high_ci[1]
                )
            });
            println!(
                "  #{:<4} {:>12}  high {:>3.0}%{fresh}{}",
                p.id,
                s.money(p.cost),
                100.0 * p.search.high,
                if Some(p.id) == s.dose {
                    "  <- minimum effective dose"
                } else {
                    ""
                }
            );
        }
        drawn(&s.scenario);
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}
