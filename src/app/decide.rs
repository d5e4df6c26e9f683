//! The decision-support commands' edge: `run --save-state-at` /
//! `--from-state` (reading and checking a snapshot file), `timing` and
//! `risk`. Thin: parse, call `crate::decide`, print and write the files.

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

/// `culturesim timing`: load, check the event and delays, run the
/// branches, write timing.csv, timing-runs.csv, timing.json, the figure
/// (PNG and SVG) and report.html, print the finding.
pub fn timing(args: &crate::cli::TimingArgs) -> Result<(), Failure> {
    use crate::decide::timing::{branches, simulate, summarize, total_steps};
    use crate::export::atomic;
    use std::fmt::Write as _;
    let input = Failure::Input;
    let runtime = Failure::Runtime;
    let scenario = load_for(&args.scenario, &args.common, args.replicates)?;
    let model = learning_culture("timing", &scenario)?;
    if !(0.0..=1.0).contains(&args.tolerance) {
        return Err(input(anyhow!(
            "--tolerance must be in [0, 1], got {}",
            args.tolerance
        )));
    }
    // The event, by id, as every scenario message names it.
    let ids: Vec<String> = scenario
        .raw
        .events
        .iter()
        .filter_map(|e| e.id.clone())
        .collect();
    let Some(raw_index) = scenario
        .raw
        .events
        .iter()
        .position(|e| e.id.as_deref() == Some(args.event.as_str()))
    else {
        let hint = crate::scenario::keys::closest(&args.event, &ids)
            .map(|c| format!(" (did you mean '{c}'?)"))
            .unwrap_or_default();
        return Err(input(anyhow!(
            "--event {}: scenario '{}' has no event with that id{hint}; its event ids are: {}",
            args.event,
            scenario.name(),
            if ids.is_empty() {
                "none (give the event an `id = \"...\"`)".to_string()
            } else {
                ids.join(", ")
            }
        )));
    };
    let Some(index) = model
        .setup()
        .events
        .iter()
        .position(|e| e.key == raw_index as u64)
    else {
        return Err(input(anyhow!(
            "--event {}: that event is switched off (enabled = false)",
            args.event
        )));
    };
    let (unit, letter) = args.unit.names();
    let time_unit = scenario.raw.time_unit.clone();
    let dt = crate::model::learning_culture::params::years_per_step(&time_unit)
        .expect("a valid scenario's time unit");
    let unit_years = crate::scenario::raw::RawTime::Text(format!("1{letter}"))
        .years()
        .expect("a known unit");
    let mut delays = Vec::new();
    for d in args.delays.split(',') {
        let d = d.trim();
        let v: f64 = d.parse().map_err(|_| {
            input(anyhow!(
                "--delays: '{d}' is not a number (write e.g. --delays 0,3,6 --unit months)"
            ))
        })?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(input(anyhow!("--delays: '{d}' must be a delay >= 0")));
        }
        let steps = (v * unit_years / dt).round() as u32;
        delays.push((steps, format!("{d} {unit}")));
    }
    // A delay in whole steps, written in the delays' unit: whole numbers
    // when the step rounding is all that separates them (65 weeks is
    // "15 months"), else one decimal (an interpolated crossing).
    let in_unit = |steps: f64| {
        let v = steps * dt / unit_years;
        let near = v.round();
        let s = if (v - near).abs() < 0.5 * dt / unit_years + 1e-9 {
            format!("{near:.0}")
        } else {
            format!("{v:.1}")
        };
        format!("{s} {unit}")
    };
    let b = branches(
        model,
        scenario.seed,
        index,
        &args.event,
        &delays,
        &|steps| in_unit(f64::from(steps)),
    )
    .map_err(|e| input(anyhow!("{e}")))?;
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("output").join(format!("{}-timing", scenario.name()))
    });
    let pool = super::progress::pool(args.common.threads)?;
    let replicates = scenario.replicates;
    let bar = super::progress::bar(total_steps(&b, replicates), "steps", args.common.quiet);
    let finals = pool.install(|| simulate(&b, scenario.seed, replicates, &|| bar.inc(1)));
    bar.finish_and_clear();
    let t = summarize(&b, &finals, args.tolerance);
    let finding = t.finding(&in_unit);
    // Tidy tables.
    let mut csv = String::from(
        "branch,delay,delay_unit,delay_steps,runs,final_culture,final_ci_lo,final_ci_hi,loss,loss_ci_lo,loss_ci_hi,recovered,recovered_share,share_ci_lo,share_ci_hi\n",
    );
    for r in &t.rows {
        // The delay as given (the steps column says how it was rounded).
        let delay = r
            .delay_steps
            .and_then(|d| delays.iter().find(|x| x.0 == d))
            .map(|x| x.1.trim_end_matches(unit).trim().to_string())
            .unwrap_or_default();
        let steps = r.delay_steps.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            csv,
            "{},{delay},{unit},{steps},{},{},{},{},{},{},{},{},{},{},{}",
            r.branch,
            t.replicates,
            r.final_culture,
            r.final_ci[0],
            r.final_ci[1],
            r.loss,
            r.loss_ci[0],
            r.loss_ci[1],
            r.recovered,
            r.share,
            r.share_ci[0],
            r.share_ci[1]
        );
    }
    let mut runs =
        String::from("replicate,branch,delay_steps,final_culture,no_harm_final_culture\n");
    for (rep, base) in finals.no_harm.iter().enumerate() {
        let _ = writeln!(runs, "{rep},no_harm,,{base},{base}");
        let _ = writeln!(runs, "{rep},never,,{},{base}", finals.never[rep]);
        for ((d, _), v) in b.delayed.iter().zip(&finals.delayed) {
            let _ = writeln!(runs, "{rep},remedy,{d},{},{base}", v[rep]);
        }
    }
    let json = serde_json::json!({
        "scenario": scenario.name(),
        "seed": scenario.seed,
        "event": args.event,
        "time_unit": time_unit,
        "delay_unit": unit,
        "finding": finding,
        "timing": t,
    });
    let label = model.setup().events[index].label.clone();
    let fig = crate::plot::canvas::render(
        "timing",
        format!("Share of runs that recover and final culture against the delay before the remedy of '{label}'."),
        &crate::plot::timing::TimingChart {
            scenario: scenario.name(),
            event: &label,
            timing: &t,
            steps_per_unit: unit_years / dt,
            unit,
        },
    )
    .map_err(runtime)?;
    let mut page =
        crate::plot::report::page_start(&format!("{} — how long can we wait?", scenario.name()));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim timing</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">event '{}' at step {} · seed {}</p>\n</header>\n",
        crate::plot::report::esc(scenario.name()),
        crate::plot::report::esc(&scenario.raw.description),
        crate::plot::report::esc(&args.event),
        t.event_step,
        scenario.seed
    ));
    page.push_str(&crate::plot::report::timing_section(
        &t,
        &finding,
        &|d| in_unit(f64::from(d)),
        std::slice::from_ref(&fig),
    ));
    page.push_str(&crate::plot::report::page_end());
    let write = || -> anyhow::Result<()> {
        std::fs::create_dir_all(out.join("plots"))?;
        atomic::write(&out.join("timing.csv"), csv.as_bytes())?;
        atomic::write(&out.join("timing-runs.csv"), runs.as_bytes())?;
        atomic::write(&out.join("timing.json"), &serde_json::to_vec_pretty(&json)?)?;
        atomic::write(&out.join("plots/timing.svg"), fig.svg.as_bytes())?;
        atomic::write(&out.join("plots/timing.png"), &fig.png)?;
        atomic::write(&out.join("report.html"), page.as_bytes())?;
        atomic::write(
            &out.join("scenario.toml"),
            scenario.resolved_toml().as_bytes(),
        )?;
        Ok(())
    };
    write().map_err(|e| runtime(e.context(format!("cannot write into '{}'", out.display()))))?;
    if !args.common.quiet {
        println!("{finding}");
        for r in &t.rows {
            let name = match r.delay_steps {
                Some(d) => format!("remedy after {}", in_unit(f64::from(d))),
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
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}

/// The scenario's learning-culture model, or an input error naming the
/// command that needs it.
fn learning_culture<'a>(
    command: &str,
    scenario: &'a Scenario,
) -> Result<&'a crate::model::learning_culture::LearningCulture, Failure> {
    scenario.model.learning_culture().ok_or_else(|| {
        Failure::Input(anyhow!(
            "{command} needs the learning-culture model; scenario '{}' runs {}",
            scenario.name(),
            scenario.model.name()
        ))
    })
}

/// Load a scenario for an analysis with `--set`, `--seed` and `--replicates`.
fn load_for(
    path: &std::path::Path,
    common: &crate::cli::AnalysisOptions,
    replicates: Option<u32>,
) -> Result<Scenario, Failure> {
    let mut overrides = common.set.clone();
    if let Some(s) = common.seed {
        overrides.push(format!("seed={s}"));
    }
    if let Some(r) = replicates {
        overrides.push(format!("replicates={r}"));
    }
    Scenario::from_file(path, &overrides).map_err(|e| Failure::Input(e.into()))
}

/// `culturesim risk`: the seats that matter and the succession stress
/// test; writes seats.csv, stress.csv, risk.json, plots/seats.png/.svg,
/// report.html and scenario.toml.
pub fn risk(args: &crate::cli::RiskArgs) -> Result<(), Failure> {
    use crate::decide::risk::{plan, simulate, summarize, total_steps};
    use crate::export::atomic;
    use crate::model::learning_culture::events::{Kind, When};
    use std::fmt::Write as _;
    let input = Failure::Input;
    let runtime = Failure::Runtime;
    let scenario = load_for(&args.scenario, &args.common, args.replicates)?;
    let model = learning_culture("risk", &scenario)?;
    if !(0.0..=1.0).contains(&args.alignment) {
        return Err(input(anyhow!(
            "--alignment must be in [0, 1], got {}",
            args.alignment
        )));
    }
    let steps = crate::engine::Model::steps(model);
    let time_unit = scenario.raw.time_unit.clone();
    let dt = crate::model::learning_culture::params::years_per_step(&time_unit)
        .expect("a valid scenario's time unit");
    let at = match &args.at {
        Some(t) => time_in_steps(t, &time_unit).map_err(|m| input(anyhow!("--at {t}: {m}")))?,
        None => model
            .setup()
            .events
            .iter()
            .filter(|e| matches!(e.kind, Kind::ReplaceLeader { .. }))
            .filter_map(|e| match e.when {
                When::At(s) if s > 0 => Some(s),
                _ => None,
            })
            .min()
            .unwrap_or(0),
    };
    if at >= steps {
        return Err(input(anyhow!(
            "--at is step {at}, not before the run's end (step {steps}, duration {:.1} years)",
            f64::from(steps) * dt
        )));
    }
    let horizon = match args.years {
        None => steps,
        Some(y) if y > 0.0 && y.is_finite() => {
            let h = at + (y / dt).round() as u32;
            if h > steps {
                return Err(input(anyhow!(
                    "--years {y} puts the horizon at step {h}, beyond the run's end (step {steps}); at most {:.2} years from --at",
                    f64::from(steps - at) * dt
                )));
            }
            h.max(at + 1)
        }
        Some(y) => {
            return Err(input(anyhow!(
                "--years must be a number of years > 0, got {y}"
            )));
        }
    };
    if args.top == 0 {
        return Err(input(anyhow!("--top must be at least 1")));
    }
    let years = |s: u32| format!("year {:.1}", f64::from(s) * dt);
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("output").join(format!("{}-risk", scenario.name()))
    });
    let pool = super::progress::pool(args.common.threads)?;
    let p = pool.install(|| plan(model, scenario.seed, at, horizon, args.alignment));
    let replicates = scenario.replicates;
    let bar = super::progress::bar(total_steps(&p, replicates), "steps", args.common.quiet);
    let finals = pool.install(|| simulate(&p, scenario.seed, replicates, &|| bar.inc(1)));
    bar.finish_and_clear();
    let r = summarize(&p, &finals, args.alignment);
    let findings = r.findings(&years);
    let mut seats = String::from(
        "rank,seat,unit,depth,headcount,loss,loss_ci_lo,loss_ci_hi,share,cumulative,top80\n",
    );
    for s in &r.seats {
        let _ = writeln!(
            seats,
            "{},{},{},{},{},{},{},{},{},{},{}",
            s.rank,
            s.name.replace(',', ";"),
            s.unit,
            s.depth,
            s.headcount,
            s.loss,
            s.loss_ci[0],
            s.loss_ci[1],
            s.share,
            s.cumulative,
            s.top80
        );
    }
    let mut stress = String::from("replicate,culture_at_fork,culture_at_horizon,tipped\n");
    for (i, (c, a)) in r.stress.finals.iter().zip(&finals.at_fork).enumerate() {
        let tipped = *a >= r.stress.threshold && *c < r.stress.threshold;
        let _ = writeln!(stress, "{i},{a},{c},{tipped}");
    }
    let json = serde_json::json!({
        "scenario": scenario.name(),
        "seed": scenario.seed,
        "time_unit": time_unit,
        "findings": findings,
        "risk": r,
    });
    let shown = args.top.min(r.seats.len());
    let fig = crate::plot::canvas::render(
        "seats",
        format!(
            "Loss of final culture if one seat alone gets a non-aligned successor at {}; the {shown} most exposed seats.",
            years(at)
        ),
        &crate::plot::seats::SeatsChart {
            scenario: scenario.name(),
            risk: &r,
            shown,
        },
    )
    .map_err(runtime)?;
    let esc = crate::plot::report::esc;
    let mut page =
        crate::plot::report::page_start(&format!("{} — culture at risk", scenario.name()));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim risk</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">seats change hands at {} · horizon {} · seed {}</p>\n</header>\n",
        esc(scenario.name()),
        esc(&scenario.raw.description),
        years(at),
        years(horizon),
        scenario.seed
    ));
    page.push_str(&crate::plot::report::risk_section(
        &r,
        &findings,
        std::slice::from_ref(&fig),
        shown,
    ));
    page.push_str(&crate::plot::report::page_end());
    let write = || -> anyhow::Result<()> {
        std::fs::create_dir_all(out.join("plots"))?;
        atomic::write(&out.join("seats.csv"), seats.as_bytes())?;
        atomic::write(&out.join("stress.csv"), stress.as_bytes())?;
        atomic::write(&out.join("risk.json"), &serde_json::to_vec_pretty(&json)?)?;
        atomic::write(&out.join("plots/seats.svg"), fig.svg.as_bytes())?;
        atomic::write(&out.join("plots/seats.png"), &fig.png)?;
        atomic::write(&out.join("report.html"), page.as_bytes())?;
        atomic::write(
            &out.join("scenario.toml"),
            scenario.resolved_toml().as_bytes(),
        )?;
        Ok(())
    };
    write().map_err(|e| runtime(e.context(format!("cannot write into '{}'", out.display()))))?;
    if !args.common.quiet {
        for f in &findings {
            println!("{f}");
        }
        for s in r.seats.iter().take(shown) {
            println!(
                "  {:>3}. {:<20} loss {:.3} [{:.3}, {:.3}]  {:>3.0}% of the risk{}",
                s.rank,
                s.name,
                s.loss,
                s.loss_ci[0],
                s.loss_ci[1],
                100.0 * s.share,
                if s.top80 { "  *" } else { "" }
            );
        }
        println!("report: {}", out.join("report.html").display());
    }
    Ok(())
}
