//! Command-line definitions (clap derive only; behaviour lives in `app`).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// culturesim: simulate how a learning culture grows and erodes in an organization.
#[derive(Debug, Parser)]
#[command(name = "culturesim", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: run the embedded default scenario).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's replicates and write timeseries.csv, summary.json,
    /// scenario.toml and manifest.json.
    Run(RunArgs),
}

/// Options of `run`.
#[derive(Debug, Args, Default, Clone)]
pub struct RunArgs {
    /// Scenario file (TOML); the embedded snow-in-the-sun scenario when absent.
    pub scenario: Option<PathBuf>,
    /// Output folder [default: output/<scenario-name>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Number of replicates (overrides the scenario).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Stop after N steps (a horizon: the scenario and its events stay as written).
    #[arg(long, value_name = "N")]
    pub steps: Option<u32>,
    /// Worker threads [default: RAYON_NUM_THREADS or all cores]; results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Set any scenario key, e.g. --set culture.coupling=0 --set events.4.at=300 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}
