//! A finished run folder, loaded into typed data for the figures and the
//! report: per-step quantiles of every metric across replicates (from
//! `timeseries.csv`, or `timeseries.parquet` in a `--format parquet` run),
//! each replicate's final values, the teams × time matrix (`teams.csv` or
//! `teams.parquet`), the summary and markers (`summary.json`), the
//! scenario's name, description and events (`scenario.toml`) and the
//! manifest. Only files are read here, never the model, and each file only
//! through the core's type for it ([`Timeseries`], [`TeamsFile`],
//! [`SummaryFile`], `culturesim_core::scenario::raw::RawScenario`), so the report has no schema or
//! default of its own.
//!
//! - [`series`]: quantiles over runs, derived turnover;
//! - [`teams`]: the teams × samples matrix;
//! - [`scenario`]: the parts of the scenario the figures show.

pub mod scenario;
pub mod series;
pub mod teams;

pub use culturesim_core::analysis::stats::Stats;
pub use culturesim_core::engine::Marker;
pub use culturesim_core::export::summary::{
    ShockFile as Shock, ShockStatsFile as ShockStats, SummaryFile as Summary,
    UnitShockFile as UnitShock,
};
pub use scenario::{ScenarioEvent, ScenarioInfo, parse_scenario};
pub use series::{Bands, MAX_PLOTTED, Series, annual_turnover, parse_timeseries, plottable};
pub use teams::{Teams, parse_teams};

use culturesim_core::export::ReadError;
use culturesim_core::export::format::{Table, locate};
use culturesim_core::export::summary::SummaryFile;
use culturesim_core::export::teams::TeamsFile;
use culturesim_core::export::timeseries::Timeseries;
use std::path::{Path, PathBuf};

/// Why a folder could not be loaded as a finished run: always bad input
/// (the folder is not a complete, sound run), never a failure of the tool.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path is not a folder.
    #[error("'{}' is not a folder (expected the output folder of a finished `culturesim run`)", .0.display())]
    NotAFolder(PathBuf),
    /// A file every finished run has is missing or unreadable.
    #[error("cannot read '{}' (is '{}' the output folder of a finished `culturesim run`?)", path.display(), dir.display())]
    Missing {
        /// The file.
        path: PathBuf,
        /// The folder.
        dir: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not what its type writes.
    #[error(transparent)]
    File(ReadError),
    /// A value the figures cannot use (at `line`, `column` of `path`).
    #[error("'{}' is not a valid {what}: {}{message}", path.display(), place(*line, *column))]
    Value {
        /// The file.
        path: PathBuf,
        /// What the file should be.
        what: &'static str,
        /// Line (0: the whole file).
        line: u64,
        /// Column (1-based; 0: the whole line).
        column: u64,
        /// What is wrong, naming the field.
        message: String,
    },
}

impl LoadError {
    /// A read error of a file in `dir`: a missing file is told as such.
    pub fn of(e: ReadError, dir: &Path) -> Self {
        match e {
            ReadError::Io { path, source } => Self::Missing {
                path,
                dir: dir.to_path_buf(),
                source,
            },
            other => Self::File(other),
        }
    }
}

/// "line L, column C: " for what is known of a place.
fn place(line: u64, column: u64) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!("line {l}: "),
        (l, c) => format!("line {l}, column {c}: "),
    }
}

/// A finished run folder.
#[derive(Debug, Clone)]
pub struct RunData {
    /// The folder.
    pub dir: PathBuf,
    /// summary.json.
    pub summary: Summary,
    /// scenario.toml.
    pub scenario: ScenarioInfo,
    /// timeseries.csv.
    pub series: Series,
    /// teams.csv (empty when the file is absent).
    pub teams: Teams,
    /// manifest.json as written (empty when absent).
    pub manifest: String,
}

impl RunData {
    /// Years per step.
    pub fn years_per_step(&self) -> f64 {
        culturesim_core::scenario::years_per_step(&self.summary.time_unit)
    }

    /// Time of `step` in years.
    pub fn years(&self, step: f64) -> f64 {
        step * self.years_per_step()
    }

    /// Length of the run in years.
    pub fn span_years(&self) -> f64 {
        let steps = self
            .series
            .bands("culture")
            .map_or(self.summary.steps, |b| b.len().saturating_sub(1));
        self.years(steps.max(1) as f64)
    }
}

/// Refuse a path that is not a folder.
pub fn check_dir(dir: &Path) -> Result<(), LoadError> {
    match dir.is_dir() {
        true => Ok(()),
        false => Err(LoadError::NotAFolder(dir.to_path_buf())),
    }
}

/// summary.json of the run in `dir`.
pub fn read_summary(dir: &Path) -> Result<SummaryFile, LoadError> {
    SummaryFile::read(&dir.join("summary.json")).map_err(|e| LoadError::of(e, dir))
}

/// The time series of the run in `dir`: timeseries.parquet or
/// timeseries.csv, whichever it holds.
pub fn read_timeseries(dir: &Path) -> Result<Timeseries, LoadError> {
    Timeseries::read_in(dir).map_err(|e| LoadError::of(e, dir))
}

/// The teams table of the run in `dir` (teams.parquet or teams.csv), with
/// its path; None when the run has none.
pub fn read_teams(dir: &Path) -> Result<Option<(TeamsFile, PathBuf)>, LoadError> {
    match TeamsFile::read_in(dir) {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(LoadError::File(e)),
    }
}

/// scenario.toml of the run in `dir`, as the core reads it.
pub fn read_scenario(dir: &Path) -> Result<ScenarioInfo, LoadError> {
    let path = dir.join("scenario.toml");
    let text = ReadError::read_to_string(&path).map_err(|e| LoadError::of(e, dir))?;
    scenario::parse(&text, &path).map_err(LoadError::File)
}

/// Load a finished run folder.
pub fn load(dir: &Path) -> Result<RunData, LoadError> {
    check_dir(dir)?;
    let summary = read_summary(dir)?;
    let scenario = read_scenario(dir)?;
    let (ts_path, _) = locate(dir, Table::Timeseries).map_err(|e| LoadError::of(e, dir))?;
    let series = Series::of(&read_timeseries(dir)?, &summary.time_unit, &ts_path)?;
    let teams = match read_teams(dir)? {
        Some((file, path)) => Teams::of(&file, &path)?,
        None => Teams::default(),
    };
    // Shown as written (the report prints it verbatim).
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
    Ok(RunData {
        dir: dir.to_path_buf(),
        summary,
        scenario,
        series,
        teams,
        manifest,
    })
}
