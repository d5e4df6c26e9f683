//! `culturesim run`: load a scenario (with the command line's overrides),
//! run it into its folder with the library ([`crate::simulate::run`]) and
//! the report crate's figures, print the table.

use super::Failure;
use crate::analysis::summary::{ShockStats, Summary};
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
    let scenario = match &args.scenario {
        Some(path) => Scenario::from_file(path, &overrides),
        None => Scenario::default_with(&overrides),
    };
    let mut scenario = scenario.map_err(|e| Failure::Input(e.into()))?;
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
        checkpoints,
        provenance: super::provenance(),
    };
    let figures: Option<&dyn simulate::Figures> = (!args.no_plots).then_some(&ReportFigures);
    let mut report = simulate::run(&scenario, options, &bar, figures)?;
    // Every file first, then the table: a closed pipe on stdout
    // (`run | head -1`) ends the process without losing a file.
    if !args.quiet {
        print_table(&scenario, &report.summary, &report.out, report.seconds);
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

/// The figures of a run folder, from the report crate.
struct ReportFigures;

impl simulate::Figures for ReportFigures {
    fn files(&self, model: &Models, shocked: bool) -> Vec<String> {
        match model {
            Models::LearningCulture(_) => crate::plot::files(shocked),
            Models::March1991(_) => crate::plot::march::run_files(),
            Models::Registered(m) => crate::plot::registered::run_files(m.entry()),
        }
    }
    fn draw(&self, dir: &Path, model: &Models) -> Result<()> {
        match model {
            Models::LearningCulture(_) => crate::plot::render_dir(dir).map(|_| ()),
            Models::March1991(_) => crate::plot::march::render_run_dir(dir).map(|_| ()),
            Models::Registered(m) => {
                crate::plot::registered::render_run_dir(dir, m.entry()).map(|_| ())
            }
        }
    }
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
        for line in shock_table(&columns) {
            println!("{line}");
        }
    }
    println!("outputs: {}", out.display());
}

/// The shock section of `run`'s table: one column per measured series
/// (the organization, and the unit the shock hits), one row per metric;
/// when nothing was built (or nothing lost) the ratio rows are replaced by
/// the sentence saying so.
pub fn shock_table(columns: &[(String, &ShockStats)]) -> Vec<String> {
    let stat = |st: &ShockStats, k: &str| st.mean.get(k).and_then(|x| x.as_ref()).cloned();
    let num = |st: &ShockStats, k: &str, scale: f64, suffix: &str, ci: bool| match stat(st, k) {
        Some(x) if ci && x.n > 1 => format!(
            "{:.2}{suffix} [{:.2}, {:.2}]",
            x.mean * scale,
            x.ci95[0] * scale,
            x.ci95[1] * scale
        ),
        Some(x) => format!("{:.2}{suffix}", x.mean * scale),
        None => "n/a".into(),
    };
    let compared = |st: &ShockStats| st.note.is_none();
    type Cell<'a> = Box<dyn Fn(&ShockStats) -> String + 'a>;
    let mut rows: Vec<(&str, Cell)> = vec![
        (
            "culture before",
            Box::new(|st| num(st, "pre", 1.0, "", false)),
        ),
        (
            "rise before the shock",
            Box::new(|st| num(st, "rise", 1.0, "", false)),
        ),
        ("trough", Box::new(|st| num(st, "trough", 1.0, "", false))),
        ("loss", Box::new(|st| num(st, "loss", 100.0, "%", false))),
        (
            "years to lose half of the loss",
            Box::new(|st| num(st, "years_to_half_loss", 1.0, "", false)),
        ),
    ];
    let any_compared = columns.iter().any(|(_, st)| compared(st));
    if any_compared {
        let only = |k: &'static str, scale: f64, suffix: &'static str, ci: bool| -> Cell {
            Box::new(move |st: &ShockStats| {
                if compared(st) {
                    num(st, k, scale, suffix, ci)
                } else {
                    "–".into()
                }
            })
        };
        rows.extend([
            ("amount compared (band)", only("band", 1.0, "", false)),
            ("years to build it", only("years_to_build", 1.0, "", false)),
            ("years to lose it", only("years_to_lose", 1.0, "", false)),
            (
                "asymmetry (like for like)",
                only("asymmetry", 1.0, "x", true),
            ),
            (
                "asymmetry (peak rates)",
                only("asymmetry_rate", 1.0, "x", true),
            ),
        ]);
    }
    rows.push((
        "recovered to 95%",
        Box::new(|st| format!("{:.0}% of runs", st.recovered_share * 100.0)),
    ));
    let cells: Vec<Vec<String>> = columns
        .iter()
        .map(|(_, st)| rows.iter().map(|(_, f)| f(st)).collect())
        .collect();
    let lw = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let cw: Vec<usize> = columns
        .iter()
        .zip(&cells)
        .map(|((h, _), c)| {
            c.iter()
                .map(|x| x.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = Vec::new();
    let mut head = format!("  {:<lw$}", "");
    for ((h, _), w) in columns.iter().zip(&cw) {
        head.push_str(&format!("  {h:>w$}"));
    }
    out.push(head.trim_end().to_string());
    for (i, (label, _)) in rows.iter().enumerate() {
        let mut line = format!("  {label:<lw$}");
        for (c, w) in cells.iter().zip(&cw) {
            line.push_str(&format!("  {:>w$}", c[i]));
        }
        out.push(line);
    }
    for (h, st) in columns {
        if let Some(note) = st.note {
            out.push(format!("  {h}: {note}."));
        } else if st.defined_share < 1.0 {
            out.push(format!(
                "  {h}: build and loss compared in {:.0}% of runs (the others built or lost too little).",
                st.defined_share * 100.0
            ));
        }
    }
    out
}
