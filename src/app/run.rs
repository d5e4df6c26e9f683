//! `culturesim run`: load a scenario, run its replicates in parallel,
//! stream the time series to disk and write the summary, the resolved
//! scenario and the manifest — all atomically.

use super::Failure;
use crate::analysis::groups::GroupMeans;
use crate::analysis::summary::{ShockStats, Summary, SummaryBuilder};
use crate::analysis::unit::ShockedUnit;
use crate::cli::RunArgs;
use crate::engine::{Model, group_stride, run_many_ticking};
use crate::export::atomic::{self, AtomicFile};
use crate::export::summary::summary_csv;
use crate::export::teams::{PerReplicateWriter, means_csv};
use crate::export::timeseries::TimeseriesWriter;
use crate::model::Models;
use crate::scenario::Scenario;
use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `run` produced.
#[derive(Debug)]
pub struct RunReport {
    /// Output folder.
    pub out: PathBuf,
    /// The summary written to summary.json.
    pub summary: Summary,
    /// Wall time in seconds.
    pub seconds: f64,
}

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

/// Run a scenario and write its outputs.
pub fn run(args: &RunArgs) -> Result<RunReport, Failure> {
    let started = Instant::now();
    let scenario = load(args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(scenario.name()));
    let pool = super::progress::pool(args.threads)?;
    let threads = pool.current_num_threads();
    // The folder is written whole beside its place and swapped in at the
    // end: a kill leaves the old folder or the new one, never a mix.
    // A folder holding files culturesim did not write is a usage error;
    // a folder that cannot be made is a runtime one.
    crate::export::folder::check_owned(&out, crate::export::folder::RUN_FILES)
        .map_err(Failure::Input)?;
    let staged = crate::export::folder::Staged::begin(&out, crate::export::folder::RUN_FILES)
        .map_err(Failure::Runtime)?;
    let dir = staged.path().to_path_buf();
    let checkpoints = super::decide::checkpoints(&scenario, args)?;
    let summary = pool
        .install(|| {
            crate::with_model!(&scenario.model, m => simulate(&scenario, m, &dir, args, checkpoints))
        })
        .map_err(|e| Failure::Runtime(staged.explain(e)))?;
    let seconds = started.elapsed().as_secs_f64();
    let plots = !args.no_plots;
    // Listing the figures about to be drawn, so the report (which quotes
    // the manifest) is the same as `culturesim plot` draws later.
    let expected: Vec<String> = if plots {
        match &scenario.model {
            Models::LearningCulture(_) => crate::plot::files(summary.shock.is_some()),
            Models::March1991(_) => crate::plot::march::run_files(),
            Models::Registered(m) => crate::plot::registered::run_files(m.entry()),
        }
    } else {
        vec![]
    };
    write_manifest(&dir, &scenario, threads, seconds, &expected)
        .map_err(|e| Failure::Runtime(staged.explain(e)))?;
    let mut plotted = Ok(None);
    if plots {
        // From the files just written, exactly as `culturesim plot DIR` does.
        let t = Instant::now();
        plotted = match &scenario.model {
            Models::LearningCulture(_) => crate::plot::render_dir(&dir),
            Models::March1991(_) => crate::plot::march::render_run_dir(&dir),
            Models::Registered(m) => crate::plot::registered::render_run_dir(&dir, m.entry()),
        }
        .map(|_| Some(t.elapsed().as_secs_f64()))
        .map_err(|e| staged.explain(e));
        // The manifest lists what is there (no plot that failed).
        write_manifest(&dir, &scenario, threads, seconds, &[])
            .map_err(|e| Failure::Runtime(staged.explain(e)))?;
    }
    staged.commit().map_err(Failure::Runtime)?;
    // Every file first, then the table: a closed pipe on stdout
    // (`run | head -1`) ends the process without losing a file.
    if !args.quiet {
        print_table(&scenario, &summary, &out, seconds);
    }
    match plotted {
        Ok(Some(secs)) if !args.quiet => println!(
            "report: {} (plots in {secs:.2} s)",
            out.join("report.html").display()
        ),
        Ok(_) => {}
        Err(e) => {
            return Err(Failure::Runtime(e.context(format!(
                "the data files are in '{}', but the plots failed",
                out.display()
            ))));
        }
    }
    Ok(RunReport {
        out,
        summary,
        seconds,
    })
}

/// Run all replicates, streaming `timeseries.csv` (and with
/// `--teams-per-replicate`, `teams.csv`); write `summary.json`,
/// `summary.csv`, `teams.csv` and `scenario.toml`.
fn simulate<M: Model>(
    scenario: &Scenario,
    model: &M,
    out: &Path,
    args: &RunArgs,
    checkpoints: Option<super::decide::Checkpoints>,
) -> Result<Summary> {
    let quiet = args.quiet;
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder '{}'", out.display()))?;
    let ts_file = AtomicFile::create(&out.join("timeseries.csv"))?;
    let mut ts = TimeseriesWriter::new(
        ts_file,
        model.metrics(),
        years_per_step(&scenario.raw.time_unit),
    )
    .with_context(|| format!("failed to write '{}'", out.join("timeseries.csv").display()))?;
    let markers = model.markers();
    let mut builder = summary_builder(scenario, model, &markers);
    let mut teams = GroupMeans::new(model.groups(), group_stride(model.steps()));
    let divisions = scenario
        .model
        .learning_culture()
        .map(|m| m.group_divisions())
        .unwrap_or_default();
    let teams_path = out.join("teams.csv");
    let mut per_replicate = match args.teams_per_replicate && !model.groups().is_empty() {
        true => Some(
            PerReplicateWriter::new(
                AtomicFile::create(&teams_path)?,
                model.groups(),
                divisions.clone(),
                group_stride(model.steps()),
            )
            .with_context(|| format!("failed to write '{}'", teams_path.display()))?,
        ),
        false => None,
    };
    let replicates = scenario.replicates;
    // Counted in steps, so that a single large run moves too.
    let first = checkpoints.as_ref().map_or(0, |c| c.first_step);
    let bar = super::progress::bar(
        u64::from(replicates) * u64::from(model.steps() - first),
        "steps",
        quiet,
    );
    let batch = crate::engine::Batch::Throughput.size();
    // [survey]: synthetic waves of every replicate (docs/CALIBRATION.md).
    let waves = match (&scenario.raw.survey, scenario.model.learning_culture()) {
        (Some(raw), Some(_)) => Some(crate::calibrate::survey::Waves::new(
            raw,
            model.steps(),
            years_per_step(&scenario.raw.time_unit),
        )),
        _ => None,
    };
    let mut survey = String::from(crate::calibrate::survey::Waves::HEADER);
    let mut sink = |run: crate::engine::RunOutput| -> Result<()> {
        // Never an empty cell for an overflow: stop and say where.
        run.check_finite(model)?;
        ts.write_run(&run).with_context(|| {
            format!("failed to write '{}'", out.join("timeseries.csv").display())
        })?;
        builder.add(&run);
        if let Some(w) = &waves {
            survey.push_str(&w.rows(&run, &crate::engine::Seeds::new(scenario.seed, run.id)));
        }
        match &mut per_replicate {
            Some(w) => w
                .write_run(&run)
                .with_context(|| format!("failed to write '{}'", teams_path.display()))?,
            None => teams.add(&run),
        }
        Ok(())
    };
    match (checkpoints, scenario.model.learning_culture()) {
        // With checkpoints (learning-culture only): the same runs, kept
        // or continued; see crate::decide::checkpoint.
        (Some(c), Some(lc)) => {
            let snap = crate::decide::checkpoint::run_checkpointed(
                lc,
                scenario.name(),
                scenario.seed,
                replicates,
                batch,
                c.from,
                c.save_at,
                &|| bar.inc(1),
                &mut sink,
            )?;
            if let Some(snap) = snap {
                atomic::write(&out.join("snapshot.json"), &snap.to_json())?;
            }
        }
        _ => run_many_ticking(
            model,
            scenario.seed,
            0,
            replicates,
            batch,
            &|| bar.inc(1),
            &mut sink,
        )?,
    }
    bar.finish_and_clear();
    let summary = builder.finish();
    let json = serde_json::to_vec_pretty(&SummaryFile::new(scenario, &markers, &summary))?;
    atomic::write(&out.join("summary.json"), &json)?;
    let csv = summary_csv(
        &summary,
        model.metrics(),
        years_per_step(&scenario.raw.time_unit),
    )?;
    atomic::write(&out.join("summary.csv"), &csv)?;
    match per_replicate {
        Some(w) => w
            .finish()
            .with_context(|| format!("failed to write '{}'", teams_path.display()))?
            .commit()?,
        None if !model.groups().is_empty() => {
            atomic::write(&teams_path, &means_csv(&teams, &divisions)?)?
        }
        None => {}
    }
    if waves.is_some() {
        atomic::write(&out.join("survey.csv"), survey.as_bytes())?;
    }
    if let Some(chart) = &scenario.chart {
        // The resolved scenario names this copy, so the folder stands alone.
        atomic::write(&out.join(crate::scenario::CHART_COPY), chart.as_bytes())?;
    }
    atomic::write(
        &out.join("scenario.toml"),
        scenario.resolved_toml().as_bytes(),
    )?;
    ts.finish()
        .with_context(|| format!("failed to write '{}'", out.join("timeseries.csv").display()))?
        .commit()?;
    Ok(summary)
}

/// The summary of a run's replicates, as every command computes it: all of
/// the model's metrics at the final step and before each marker, and the
/// shock metrics of the first shock, measured on the culture (of the
/// organization, and of the unit or team the shock hits when it is one).
/// `model` is `scenario`'s. Add each run in replicate order.
pub fn summary_builder<M: Model>(
    scenario: &Scenario,
    model: &M,
    markers: &[crate::engine::Marker],
) -> SummaryBuilder {
    // A model without a culture (March's) has no shocks to measure.
    let culture = model.metrics().iter().position(|m| *m == "culture");
    SummaryBuilder::new(
        model.metrics(),
        markers,
        culture.unwrap_or(0),
        years_per_step(&scenario.raw.time_unit),
    )
    .with_bounds(model.bounds())
    .with_unit(ShockedUnit::of_model(
        scenario.model.learning_culture(),
        markers,
    ))
}

/// The contents of `summary.json` (also the live page's numbers).
#[derive(Serialize)]
pub struct SummaryFile<'a> {
    scenario: &'a str,
    time_unit: &'a str,
    seed: u64,
    markers: &'a [crate::engine::Marker],
    #[serde(flatten)]
    summary: &'a Summary,
}

impl<'a> SummaryFile<'a> {
    /// The summary of `scenario`'s runs with its name, time unit, seed and markers.
    pub fn new(
        scenario: &'a Scenario,
        markers: &'a [crate::engine::Marker],
        summary: &'a Summary,
    ) -> Self {
        Self {
            scenario: scenario.name(),
            time_unit: &scenario.raw.time_unit,
            seed: scenario.seed,
            markers,
            summary,
        }
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    git_commit: Option<&'static str>,
    scenario: &'a str,
    source: String,
    seed: u64,
    replicates: u32,
    steps_run: u32,
    runs: Runs,
    threads: usize,
    command_line: Vec<String>,
    wall_time_seconds: f64,
    files: Vec<String>,
}

#[derive(Serialize)]
struct Runs {
    point: u32,
    replicates: String,
}

/// Write manifest.json into `out`, listing the files in the folder.
fn write_manifest(
    out: &Path,
    scenario: &Scenario,
    threads: usize,
    seconds: f64,
    expected: &[String],
) -> Result<()> {
    let mut files = crate::export::folder::files_in(out)?;
    files.extend(expected.iter().cloned());
    files.push("manifest.json".into());
    files.sort();
    files.dedup();
    let commit = env!("CULTURESIM_GIT_COMMIT");
    let m = Manifest {
        tool: "culturesim",
        version: env!("CARGO_PKG_VERSION"),
        git_commit: (!commit.is_empty()).then_some(commit),
        scenario: scenario.name(),
        source: scenario.source.to_string(),
        seed: scenario.seed,
        replicates: scenario.replicates,
        steps_run: scenario.model.steps(),
        runs: Runs {
            point: 0,
            replicates: format!("0..{}", scenario.replicates),
        },
        threads,
        command_line: std::env::args().collect(),
        wall_time_seconds: (seconds * 1000.0).round() / 1000.0,
        files,
    };
    atomic::write(&out.join("manifest.json"), &serde_json::to_vec_pretty(&m)?)
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
