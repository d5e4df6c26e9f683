//! `culturesim run`: load a scenario, run its replicates in parallel,
//! stream the time series to disk and write the summary, the resolved
//! scenario and the manifest — all atomically.

use super::Failure;
use crate::analysis::groups::GroupMeans;
use crate::analysis::summary::{Summary, SummaryBuilder};
use crate::cli::RunArgs;
use crate::engine::{Model, group_stride, run_many};
use crate::export::atomic::{self, AtomicFile};
use crate::export::timeseries::TimeseriesWriter;
use crate::model::Models;
use crate::scenario::Scenario;
use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use std::io::IsTerminal;
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
    if args.threads == Some(0) {
        return Err(Failure::Input(anyhow!("--threads must be at least 1")));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(scenario.name()));
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            b = b.num_threads(n);
        }
        b.build()
            .map_err(|e| Failure::Runtime(anyhow!("cannot start worker threads: {e}")))?
    };
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
    let summary = pool
        .install(
            || crate::with_model!(&scenario.model, m => simulate(&scenario, m, &dir, args.quiet)),
        )
        .map_err(Failure::Runtime)?;
    let seconds = started.elapsed().as_secs_f64();
    let plots = !args.no_plots;
    // Listing the figures about to be drawn, so the report (which quotes
    // the manifest) is the same as `culturesim plot` draws later.
    let expected: Vec<String> = if plots {
        match &scenario.model {
            Models::LearningCulture(_) => crate::plot::files(summary.shock.is_some()),
            Models::March1991(_) => crate::plot::march::run_files(),
        }
    } else {
        vec![]
    };
    write_manifest(&dir, &scenario, threads, seconds, &expected).map_err(Failure::Runtime)?;
    if !args.quiet {
        print_table(&scenario, &summary, &out, seconds);
    }
    let mut plotted = Ok(None);
    if plots {
        // From the files just written, exactly as `culturesim plot DIR` does.
        let t = Instant::now();
        plotted = match &scenario.model {
            Models::LearningCulture(_) => crate::plot::render_dir(&dir),
            Models::March1991(_) => crate::plot::march::render_run_dir(&dir),
        }
        .map(|_| Some(t.elapsed().as_secs_f64()));
        // The manifest lists what is there (no plot that failed).
        write_manifest(&dir, &scenario, threads, seconds, &[]).map_err(Failure::Runtime)?;
    }
    staged.commit().map_err(Failure::Runtime)?;
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

/// Run all replicates, streaming `timeseries.csv`; write `summary.json` and
/// `scenario.toml`.
fn simulate<M: Model>(scenario: &Scenario, model: &M, out: &Path, quiet: bool) -> Result<Summary> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder '{}'", out.display()))?;
    let ts_file = AtomicFile::create(&out.join("timeseries.csv"))?;
    let mut ts = TimeseriesWriter::new(ts_file, model.metrics())
        .with_context(|| format!("failed to write '{}'", out.join("timeseries.csv").display()))?;
    let markers = model.markers();
    let mut builder = summary_builder(model, &markers);
    let mut teams = GroupMeans::new(model.groups(), group_stride(model.steps()));
    let replicates = scenario.replicates;
    let bar = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(u64::from(replicates));
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs {elapsed_precise}")
                .expect("a valid template"),
        );
        b
    };
    let batch = crate::engine::Batch::Throughput.size();
    run_many(
        model,
        scenario.seed,
        0,
        replicates,
        batch,
        |run| -> Result<()> {
            // Never an empty cell for an overflow: stop and say where.
            run.check_finite(model)?;
            ts.write_run(&run).with_context(|| {
                format!("failed to write '{}'", out.join("timeseries.csv").display())
            })?;
            builder.add(&run);
            teams.add(&run);
            bar.inc(1);
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    let summary = builder.finish();
    let json = serde_json::to_vec_pretty(&SummaryFile::new(scenario, &markers, &summary))?;
    atomic::write(&out.join("summary.json"), &json)?;
    if !model.groups().is_empty() {
        atomic::write(&out.join("teams.csv"), &teams_csv(&teams)?)?;
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

/// `teams.csv`: mean local culture of each team (or coarser unit, for very
/// large organizations) over replicates, every few steps.
fn teams_csv(teams: &GroupMeans) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["step", "team", "culture"])?;
    for (step, g, v) in teams.means() {
        w.write_record([
            step.to_string(),
            teams.names()[g].clone(),
            format!("{v:.6}"),
        ])?;
    }
    Ok(w.into_inner().map_err(|e| e.into_error())?)
}

/// The summary of a run's replicates, as every command computes it: all of
/// the model's metrics at the final step and before each marker, and the
/// shock metrics of the first shock, measured on the culture. Add each run
/// in replicate order.
pub fn summary_builder<M: Model>(model: &M, markers: &[crate::engine::Marker]) -> SummaryBuilder {
    // A model without a culture (March's) has no shocks to measure.
    let culture = model.metrics().iter().position(|m| *m == "culture");
    SummaryBuilder::new(model.metrics(), markers, culture.unwrap_or(0))
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

/// Years per step for a time unit.
pub fn years_per_step(unit: &str) -> f64 {
    match unit {
        "day" => 1.0 / 365.25,
        "month" => 1.0 / 12.0,
        "quarter" => 0.25,
        "year" => 1.0,
        _ => 7.0 / 365.25,
    }
}

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
        let get = |k: &str| sh.mean.get(k).and_then(|x| x.as_ref()).map(|x| x.mean);
        let y = years_per_step(unit);
        let fmt = |v: Option<f64>, scale: f64, suffix: &str| {
            v.map(|v| format!("{:.2}{suffix}", v * scale))
                .unwrap_or_else(|| "n/a".into())
        };
        println!(
            "shock: \"{}\" at {} {}",
            sh.event.label, unit, sh.event.step
        );
        println!("  culture before        {}", fmt(get("pre"), 1.0, ""));
        println!("  trough                {}", fmt(get("trough"), 1.0, ""));
        println!(
            "  loss                  {}",
            fmt(get("loss").map(|l| l * 100.0), 1.0, "%")
        );
        println!(
            "  build-up (95% of rise) {} years",
            fmt(get("build_weeks"), y, "")
        );
        println!(
            "  lose half of the loss {} years",
            fmt(get("weeks_to_half_loss"), y, "")
        );
        println!(
            "  asymmetry             {}",
            fmt(get("asymmetry"), 1.0, "x")
        );
        println!(
            "  recovered to 95%      {:.0}% of runs",
            sh.recovered_share * 100.0
        );
    }
    println!("outputs: {}", out.display());
}
