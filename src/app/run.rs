//! `culturesim run`: load a scenario (with the command line's overrides),
//! run it into its folder with the library ([`crate::simulate::run`]) and
//! the report crate's figures, print the table.

use super::Failure;
use crate::analysis::summary::Summary;
use crate::cli::RunArgs;
use crate::engine::Model;
use crate::model::Models;
use crate::scenario::Scenario;
use crate::simulate;
use anyhow::{Result, anyhow};
use std::path::Path;

pub use crate::simulate::{RunReport, SummaryFile, summary_builder};

/// Load the scenario named by `args` (with its overrides).
pub fn load(args: &RunArgs) -> Result<Scenario, Failure> {
    let mut overrides = Vec::new();
    if let Some(r) = args.replicates {
        overrides.push(format!("replicates={r}"));
    }
    if let Some(s) = args.seed {
        overrides.push(format!("seed={s}"));
    }
    overrides.extend(args.set.iter().cloned());
    let (text, source) = match &args.scenario {
        Some(path) => crate::scenario::read(path).map_err(|e| Failure::Input(e.into()))?,
        None => (
            crate::scenario::DEFAULT_SCENARIO.to_string(),
            crate::scenario::Source::default_scenario(),
        ),
    };
    let mut scenario = Scenario::from_str(&text, source.clone(), &overrides)
        .map_err(|e| Failure::Input(e.into()))?;
    if let Some(steps) = args.steps {
        // A horizon, not an edit: the scenario (and its events) stay as
        // written; the run stops after `steps` steps. The manifest records it.
        if steps == 0 {
            return Err(Failure::Input(anyhow!("--steps must be at least 1")));
        }
        scenario.model.set_steps(steps);
        scenario
            .check_size(steps)
            .map_err(|e| Failure::Input(e.into()))?;
    }
    if let Some(dir) = &args.posterior {
        if args.save_state_at.is_some() || args.from_state.is_some() {
            return Err(Failure::Input(anyhow!(
                "--posterior cannot be combined with --save-state-at or --from-state yet (a snapshot's world is one parameter set)"
            )));
        }
        let post = crate::calibrate::Posterior::load(dir).map_err(|e| Failure::Input(e.into()))?;
        let replicates = scenario.replicates;
        post.attach(&mut scenario, &text, &source, &overrides, replicates)
            .map_err(|e| Failure::Input(e.into()))?;
    }
    Ok(scenario)
}

/// Run a scenario and write its outputs (`culturesim run`): load, call
/// [`crate::simulate::run`] with the report crate's figures, print.
pub fn run(args: &RunArgs) -> Result<RunReport, Failure> {
    let scenario = load(args)?;
    let checkpoints = super::decide::checkpoints(&scenario, args)?;
    let bar = super::progress::Bar::new("steps", args.quiet);
    let options = simulate::Options {
        out: args.out.clone(),
        threads: args.threads,
        teams_per_replicate: args.teams_per_replicate,
        format: super::table_format(args.format),
        checkpoints,
        provenance: super::provenance(),
    };
    let figures: Option<&dyn simulate::Figures> =
        (!args.no_plots).then_some(&crate::plot::RunFigures);
    let mut report = simulate::run(&scenario, options, &bar, figures)?;
    // Every file first, then the table: a closed pipe on stdout
    // (`run | head -1`) ends the process without losing a file.
    if !args.quiet {
        print_table(&scenario, &report.summary, &report.out, report.seconds);
        super::decide::drawn(&scenario);
    }
    match std::mem::replace(&mut report.plots, Ok(None)) {
        Ok(Some(secs)) => {
            if !args.quiet {
                println!(
                    "report: {} (plots in {secs:.2} s)",
                    report.out.join("report.html").display()
                );
            }
            report.plots = Ok(Some(secs));
        }
        Ok(None) => {}
        Err(e) => {
            return Err(Failure::Runtime(e.context(format!(
                "the data files are in '{}', but the plots failed",
                report.out.display()
            ))));
        }
    }
    Ok(report)
}

pub use crate::scenario::years_per_step;

fn print_table(scenario: &Scenario, s: &Summary, out: &Path, seconds: f64) {
    let unit = &scenario.raw.time_unit;
    println!(
        "{}: {} runs of {}{} {}s in {:.2} s",
        scenario.name(),
        s.runs,
        // A run of March's model stops at equilibrium: the longest is shown.
        if scenario.model.march1991().is_some() {
            "at most "
        } else {
            ""
        },
        s.steps,
        unit,
        seconds
    );
    let names: &[&str] = match &scenario.model {
        Models::Registered(m) => m.metrics(),
        Models::LearningCulture(_) => &[
            "culture",
            "knowledge",
            "engagement",
            "belief",
            "alignment",
            "teams_high",
        ],
        Models::March1991(_) => &[
            "code_knowledge",
            "knowledge",
            "code_correct",
            "knowledge_fast",
            "knowledge_slow",
            "equilibrium",
        ],
    };
    let w = names.iter().map(|n| n.len()).max().unwrap_or(0).max(12);
    println!("{:<w$} {:>8} {:>19}", "final", "mean", "95% CI");
    for &name in names {
        if let Some(st) = s.metrics.get(name).and_then(|m| m.final_step.as_ref()) {
            println!(
                "{:<w$} {:>8.3}   [{:.3}, {:.3}]",
                name, st.mean, st.ci95[0], st.ci95[1]
            );
        }
    }
    if let Some(sh) = &s.shock {
        println!(
            "shock: \"{}\" at {} {} (year {:.1})",
            sh.event.label,
            unit,
            sh.event.step,
            f64::from(sh.event.step) * years_per_step(unit)
        );
        let mut columns = vec![("organization".to_string(), &sh.stats)];
        if let Some(u) = &sh.unit {
            columns.push((format!("{} {}", u.kind, u.name), &u.stats));
        }
        for line in crate::plot::shock::table(&columns) {
            println!("{line}");
        }
    }
    println!("outputs: {}", out.display());
}
