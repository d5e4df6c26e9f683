//! culturesim-core: the library of culturesim, a fast, reproducible,
//! parallel agent-based simulator of learning-culture dynamics in
//! organizations. No command line, plotting or HTTP: the `culturesim`
//! binary and the `culturesim-report` crate build on this one.
//!
//! # Layers
//!
//! From the inside out; a module may use the modules above it in this list
//! and its own children, never one below it:
//! 1. [`dist`], [`limits`], [`validate`], [`command`]: distributions, size
//!    limits, the "every problem at once" validation report, and what
//!    every command shares (failure kinds, progress, provenance; no
//!    dependencies);
//! 2. [`engine`]: the model-agnostic run loop, random streams and the
//!    parallel runner;
//! 3. [`model`]: models on the engine (the learning-culture model, and
//!    March's 1991 exploration/exploitation model), and [`model::Models`],
//!    the one that a scenario configures;
//! 4. [`analysis`]: replicate statistics and shock metrics;
//! 5. [`scenario`]: the scenario file format and its validation;
//! 6. [`decide`]: checkpoint and fork, and the decision analyses built on
//!    it;
//! 7. [`export`]: CSV / JSON / provenance writers and atomic files;
//! 8. [`sweep`]: experiment designs, their identity and their files;
//! 9. [`calibrate`]: fitting a scenario to survey waves (ABC-SMC);
//! 10. [`simulate`]: running a scenario into an output folder (uses
//!     checkpoints and survey waves); [`bench`](mod@bench): the scaling series.
//!
//! # Commands
//!
//! Each command of the `culturesim` binary parses its arguments, calls one
//! function here with typed options (never command-line structs), and
//! prints; figures are the report crate's, passed in as a hook; progress
//! is reported through [`command::Progress`] and errors are
//! [`command::Failure`] (input: exit 2, runtime: exit 1):
//! - `run`: [`simulate::run`]; `sweep`: [`sweep::run::run`]; `merge`:
//!   [`sweep::merge::merge`];
//! - `hysteresis`: [`sweep::hysteresis::scan`]; `sensitivity`:
//!   [`sweep::sensitivity::analyse`];
//! - `timing`: [`decide::timing_study::study`]; `risk`:
//!   [`decide::risk_study::study`]; `warning`:
//!   [`decide::warning_study::study`]; `calibrate`:
//!   [`calibrate::Calibration::run`]; `bench`: [`bench::bench`].
//!
//! Every output folder's manifest.json is one type,
//! [`export::manifest::Manifest`]; the tool version and git commit it
//! records come from the binary ([`command::Provenance`]).
//!
//! ```no_run
//! use culturesim_core::scenario::Scenario;
//! use culturesim_core::engine::{run_one, RunId};
//!
//! let scenario = Scenario::default_scenario().unwrap();
//! let model = scenario.build_model().unwrap();
//! let run = run_one(&model, scenario.seed, RunId { point: 0, replicate: 0 });
//! println!("final culture {:.3}", run.row(run.len() - 1)[0]);
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod bench;
pub mod calibrate;
pub mod command;
pub mod decide;
pub mod dist;
pub mod engine;
pub mod export;
pub mod limits;
pub mod model;
pub mod scenario;
pub mod simulate;
pub mod sweep;
pub mod validate;
