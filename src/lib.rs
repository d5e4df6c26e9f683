//! culturesim: a fast, reproducible, parallel agent-based simulator of
//! learning-culture dynamics in organizations.
//!
//! This package is the top floor, the command line: [`cli`] declares the
//! arguments and [`app`] runs the commands. The library lives below it:
//! - `culturesim-core` (re-exported here as [`engine`], [`model`],
//!   [`scenario`], [`analysis`], [`calibrate`], [`decide`], [`export`],
//!   [`sweep`], …): engine, models, scenario files, analyses and output
//!   files, with no command line, plotting or HTTP;
//! - `culturesim-report` (re-exported as [`plot`]): figures and
//!   report.html, made from a run's files.
//!
//! A change to what the model does belongs in the core; to how a result is
//! drawn, in the report; to arguments, printing and serving, here.

pub use culturesim_core::{
    analysis, bench, calibrate, command, decide, dist, engine, export, limits, model, scenario,
    simulate, sweep, validate, with_model,
};
pub use culturesim_report as plot;

pub mod app;
pub mod cli;
