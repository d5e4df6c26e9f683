//! Running a scenario into an output folder (`culturesim run`): run its
//! replicates in parallel, stream the time series to disk, write the
//! summary, teams, survey waves, the resolved scenario and the manifest —
//! all atomically, in a staged folder swapped in whole at the end. The
//! figures are the caller's ([`Figures`]: the report crate draws them from
//! the files just written), the progress display too ([`Progress`]).
//!
//! This floor sits above the experiments (it uses checkpoints and survey
//! waves): a command calls [`run`] and prints.

use crate::analysis::groups::GroupMeans;
use crate::analysis::summary::{Summary, SummaryBuilder};
use crate::analysis::unit::ShockedUnit;
use crate::command::{Failure, Progress, Provenance};
use crate::decide::fork::Start;
use crate::engine::{Model, group_stride, run_many_ticking};
use crate::export::atomic;
use crate::export::format::Format;
use crate::export::manifest::{Manifest, Runs};
use crate::export::summary::summary_csv;
use crate::export::tables::{TeamsOut, TimeseriesOut, write_team_means};
use crate::model::Models;
use crate::model::learning_culture::state::State;
use crate::scenario::{Scenario, years_per_step};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `run` does about checkpoints: keep the states at a step, and/or
/// start from a snapshot's states.
pub struct Checkpoints {
    /// Step whose states go into snapshot.json.
    pub save_at: Option<u32>,
    /// Each replicate's start.
    pub from: Option<Vec<Start<State>>>,
    /// Step the runs start from (0 from scratch).
    pub first_step: u32,
}

/// How to run a scenario into a folder (the typed options of
/// `culturesim run`; the scenario itself is loaded by the caller).
#[derive(Default)]
pub struct Options {
    /// Output folder (default `output/<name>`).
    pub out: Option<PathBuf>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// Write teams.csv per replicate instead of the means.
    pub teams_per_replicate: bool,
    /// The tables' format: timeseries and teams as `.csv` (the default)
    /// or `.parquet`.
    pub format: Format,
    /// Keep or start from checkpointed states.
    pub checkpoints: Option<Checkpoints>,
    /// What the manifest records of the tool and the command line.
    pub provenance: Provenance,
}

/// The figures of a run folder, drawn by the caller's report layer.
pub trait Figures: Sync {
    /// The figure files about to be drawn for a run of `model` (`shocked`:
    /// the scenario has a shock), relative to the folder.
    fn files(&self, model: &Models, shocked: bool) -> Vec<String>;
    /// Draw them into `dir` from its files.
    fn draw(&self, dir: &Path, model: &Models) -> Result<()>;
}

/// What `run` produced.
#[derive(Debug)]
pub struct RunReport {
    /// Output folder.
    pub out: PathBuf,
    /// The summary written to summary.json.
    pub summary: Summary,
    /// Wall time in seconds (before the figures).
    pub seconds: f64,
    /// The figures: Some(seconds they took), None when not drawn, or the
    /// error that stopped them (the data files are in place).
    pub plots: std::result::Result<Option<f64>, anyhow::Error>,
}

/// Run `scenario` into its folder and draw its figures (`figures`; None
/// draws none). A folder holding files culturesim did not write is a
/// usage error; a folder that cannot be made is a runtime one.
pub fn run(
    scenario: &Scenario,
    o: Options,
    progress: &dyn Progress,
    figures: Option<&dyn Figures>,
) -> std::result::Result<RunReport, Failure> {
    let started = Instant::now();
    let out = o
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(scenario.name()));
    crate::export::tables::check_available(o.format).map_err(Failure::Input)?;
    if o.checkpoints.is_some()
        && scenario
            .raw
            .survey
            .as_ref()
            .is_some_and(|s| !s.units.is_empty())
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: [survey] units: a run that keeps or starts from a checkpoint writes the organization's waves only; leave out survey.units, or --save-state-at and --from-state",
            scenario.source
        )));
    }
    let pool = crate::command::pool(o.threads)?;
    let threads = pool.current_num_threads();
    // The folder is written whole beside its place and swapped in at the
    // end: a kill leaves the old folder or the new one, never a mix.
    crate::export::folder::check_owned(&out, crate::export::folder::RUN_FILES)
        .map_err(Failure::Input)?;
    let staged = crate::export::folder::Staged::begin(&out, crate::export::folder::RUN_FILES)
        .map_err(Failure::Runtime)?;
    let dir = staged.path().to_path_buf();
    let tables = Tables {
        format: o.format,
        teams_per_replicate: o.teams_per_replicate,
    };
    let checkpoints = o.checkpoints;
    let summary = pool
        .install(|| {
            crate::with_model!(&scenario.model, m => simulate(scenario, m, &dir, tables, progress, checkpoints))
        })
        .map_err(|e| Failure::Runtime(staged.explain(e)))?;
    let seconds = started.elapsed().as_secs_f64();
    // Listing the figures about to be drawn, so the report (which quotes
    // the manifest) is the same as `culturesim plot` draws later.
    let expected = figures
        .map(|f| f.files(&scenario.model, summary.shock.is_some()))
        .unwrap_or_default();
    let manifest = |expected: &[String]| {
        write_manifest(&dir, scenario, threads, seconds, expected, &o.provenance)
            .map_err(|e| Failure::Runtime(staged.explain(e)))
    };
    manifest(&expected)?;
    let mut plots = Ok(None);
    if let Some(f) = figures {
        // From the files just written, exactly as `culturesim plot DIR` does.
        let t = Instant::now();
        plots = f
            .draw(&dir, &scenario.model)
            .map(|_| Some(t.elapsed().as_secs_f64()))
            .map_err(|e| staged.explain(e));
        // The manifest lists what is there (no plot that failed).
        manifest(&[])?;
    }
    staged.commit().map_err(Failure::Runtime)?;
    Ok(RunReport {
        out,
        summary,
        seconds,
        plots,
    })
}

/// How a run writes its tables: their format, and the teams per
/// replicate or their means.
#[derive(Debug, Clone, Copy)]
struct Tables {
    format: Format,
    teams_per_replicate: bool,
}

/// Run all replicates, streaming the time series (and with
/// `--teams-per-replicate`, the teams table); write `summary.json`,
/// `summary.csv`, the teams and `scenario.toml`.
fn simulate<M: Model>(
    scenario: &Scenario,
    model: &M,
    out: &Path,
    tables: Tables,
    progress: &dyn Progress,
    checkpoints: Option<Checkpoints>,
) -> Result<Summary> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder '{}'", out.display()))?;
    let mut files = RunFiles::open(scenario, model, out, tables)?;
    // Counted in steps, so that a single large run moves too.
    let first = checkpoints.as_ref().map_or(0, |c| c.first_step);
    progress.begin(
        u64::from(scenario.replicates) * u64::from(model.steps() - first),
        0,
    );
    let probes = files.probes();
    match scenario.model.learning_culture() {
        // Waves of units: the same runs, recording those units' state.
        Some(lc) if !probes.is_empty() => run_replicates(
            scenario,
            &crate::calibrate::units::Probed::new(lc, &probes),
            out,
            progress,
            checkpoints,
            &mut |run| files.add(run),
        )?,
        _ => run_replicates(scenario, model, out, progress, checkpoints, &mut |run| {
            files.add(run)
        })?,
    }
    progress.finish();
    files.finish()
}

/// Run the scenario's replicates in replicate order into `sink`: from
/// scratch, or with checkpoints (learning-culture only: the same runs,
/// kept or continued, see crate::decide::checkpoint; a kept state goes
/// into `snapshot.json` in `out`).
fn run_replicates<M: Model>(
    scenario: &Scenario,
    model: &M,
    out: &Path,
    progress: &dyn Progress,
    checkpoints: Option<Checkpoints>,
    sink: &mut dyn FnMut(crate::engine::RunOutput) -> Result<()>,
) -> Result<()> {
    let replicates = scenario.replicates;
    let batch = crate::engine::Batch::Throughput.size();
    match (checkpoints, scenario.model.learning_culture()) {
        (Some(c), Some(lc)) => {
            let snap = crate::decide::checkpoint::run_checkpointed(
                lc,
                scenario.name(),
                scenario.seed,
                replicates,
                batch,
                c.from,
                c.save_at,
                &|| progress.advance(1),
                sink,
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
            &|| progress.advance(1),
            sink,
        )?,
    }
    Ok(())
}

/// The files of a run folder while its replicates stream in: the time
/// series and the per-replicate teams file as they come, the summary, the
/// teams' means and the survey waves gathered for the end.
struct RunFiles<'a, M: Model> {
    scenario: &'a Scenario,
    model: &'a M,
    out: &'a Path,
    format: Format,
    ts: TimeseriesOut,
    markers: Vec<crate::engine::Marker>,
    builder: SummaryBuilder,
    teams: GroupMeans,
    divisions: Vec<String>,
    per_replicate: Option<TeamsOut>,
    waves: Option<crate::calibrate::survey::Waves>,
    survey: String,
}

impl<'a, M: Model> RunFiles<'a, M> {
    /// Create the streamed files in `out` (the teams table too with
    /// `teams_per_replicate` when the model has groups) and the
    /// accumulators of the rest.
    fn open(scenario: &'a Scenario, model: &'a M, out: &'a Path, tables: Tables) -> Result<Self> {
        let ts = TimeseriesOut::create(
            out,
            tables.format,
            model.metrics(),
            years_per_step(&scenario.raw.time_unit),
        )?;
        let markers = model.markers();
        let builder = summary_builder(scenario, model, &markers);
        let teams = GroupMeans::new(model.groups(), group_stride(model.steps()));
        let divisions = scenario
            .model
            .learning_culture()
            .map(|m| m.group_divisions())
            .unwrap_or_default();
        let per_replicate = match tables.teams_per_replicate && !model.groups().is_empty() {
            true => Some(TeamsOut::per_replicate(
                out,
                tables.format,
                model.groups(),
                divisions.clone(),
                group_stride(model.steps()),
            )?),
            false => None,
        };
        // [survey]: synthetic waves of every replicate (docs/CALIBRATION.md).
        let waves = match (&scenario.raw.survey, scenario.model.learning_culture()) {
            (Some(raw), Some(lc)) => Some(crate::calibrate::survey::Waves::new(
                raw,
                lc,
                model.steps(),
                years_per_step(&scenario.raw.time_unit),
            )),
            _ => None,
        };
        Ok(Self {
            scenario,
            model,
            out,
            format: tables.format,
            ts,
            markers,
            builder,
            teams,
            divisions,
            per_replicate,
            waves,
            survey: String::from(crate::calibrate::survey::Waves::HEADER),
        })
    }

    /// The units whose state the runs must record for the survey waves.
    fn probes(&self) -> Vec<u32> {
        self.waves.as_ref().map(|w| w.probes()).unwrap_or_default()
    }

    /// Take one finished run (in replicate order); a probed run's unit
    /// columns feed the survey waves only.
    fn add(&mut self, run: crate::engine::RunOutput) -> Result<()> {
        if let Some(w) = &self.waves {
            self.survey
                .push_str(&w.rows(&run, &crate::engine::Seeds::new(self.scenario.seed, run.id)));
        }
        let run = run.keep_columns(self.model.metrics().len());
        // Never an empty cell for an overflow: stop and say where.
        run.check_finite(self.model)?;
        self.ts.write_run(&run, 1)?;
        self.builder.add(&run);
        match &mut self.per_replicate {
            Some(w) => w.write_run(&run)?,
            None => self.teams.add(&run),
        }
        Ok(())
    }

    /// Write the rest of the folder after the last run: summary.json and
    /// .csv, the teams, survey.csv, the org chart's copy and
    /// scenario.toml; then commit the time series.
    fn finish(self) -> Result<Summary> {
        let (scenario, model, out) = (self.scenario, self.model, self.out);
        let summary = self.builder.finish();
        let json = serde_json::to_vec_pretty(&SummaryFile::new(scenario, &self.markers, &summary))?;
        atomic::write(&out.join("summary.json"), &json)?;
        let csv = summary_csv(
            &summary,
            model.metrics(),
            years_per_step(&scenario.raw.time_unit),
        )?;
        atomic::write(&out.join("summary.csv"), &csv)?;
        match self.per_replicate {
            Some(w) => w.commit()?,
            None if !model.groups().is_empty() => {
                write_team_means(out, self.format, &self.teams, &self.divisions)?
            }
            None => {}
        }
        if self.waves.is_some() {
            atomic::write(&out.join("survey.csv"), self.survey.as_bytes())?;
        }
        if let Some(chart) = &scenario.chart {
            // The resolved scenario names this copy, so the folder stands alone.
            atomic::write(&out.join(crate::scenario::CHART_COPY), chart.as_bytes())?;
        }
        atomic::write(
            &out.join("scenario.toml"),
            scenario.resolved_toml().as_bytes(),
        )?;
        self.ts.commit()?;
        Ok(summary)
    }
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

/// Write manifest.json into `out`, listing the files in the folder (and
/// the `expected` figures).
fn write_manifest(
    out: &Path,
    scenario: &Scenario,
    threads: usize,
    seconds: f64,
    expected: &[String],
    provenance: &Provenance,
) -> Result<()> {
    let mut files = crate::export::folder::files_in(out)?;
    files.extend(expected.iter().cloned());
    files.push("manifest.json".into());
    files.sort();
    files.dedup();
    let runs = Runs::Range {
        point: 0,
        replicates: format!("0..{}", scenario.replicates),
    };
    let mut m = Manifest::new(provenance, scenario, runs, threads, seconds);
    m.replicates = Some(scenario.replicates);
    m.steps_run = Some(scenario.model.steps());
    m.files = files;
    m.write(out)
}
