//! The commands behind the command line, one file per command.

mod run;

pub use run::{RunReport, load, run, years_per_step};

use crate::cli::{Cli, Command, RunArgs};

/// Why a command failed: bad input (exit 2) or a runtime failure (exit 1).
#[derive(Debug)]
pub enum Failure {
    /// Usage or scenario error.
    Input(anyhow::Error),
    /// Anything else (I/O, ...).
    Runtime(anyhow::Error),
}

/// Dispatch a parsed command line.
pub fn main(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Some(Command::Run(args)) => run(&args).map(|_| ()),
        None => run(&RunArgs::default()).map(|_| ()),
    }
}
