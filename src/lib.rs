//! culturesim: a fast, reproducible, parallel agent-based simulator of
//! learning-culture dynamics in organizations.
//!
//! Layers, from the inside out:
//! - [`engine`]: the model-agnostic run loop, random streams and the
//!   parallel runner;
//! - [`model`]: models on the engine (the learning-culture model, and
//!   March's 1991 exploration/exploitation model), and [`model::Models`],
//!   the one that a scenario configures;
//! - [`scenario`]: the scenario file format and its validation;
//! - [`analysis`]: replicate statistics and shock metrics;
//! - [`calibrate`]: fitting a scenario to survey waves (ABC-SMC);
//! - [`decide`]: checkpoint and fork, and the decision analyses built on it;
//! - [`export`]: CSV / JSON / provenance writers and atomic files;
//! - [`plot`]: figures and the HTML report of a finished run;
//! - [`app`]: the commands behind the command line.
//!
//! ```no_run
//! use culturesim::scenario::Scenario;
//! use culturesim::engine::{run_one, RunId};
//!
//! let scenario = Scenario::default_scenario().unwrap();
//! let model = scenario.build_model().unwrap();
//! let run = run_one(&model, scenario.seed, RunId { point: 0, replicate: 0 });
//! println!("final culture {:.3}", run.row(run.len() - 1)[0]);
//! ```

pub mod analysis;
pub mod app;
pub mod calibrate;
pub mod cli;
pub mod decide;
pub mod dist;
pub mod engine;
pub mod export;
pub mod limits;
pub mod model;
pub mod plot;
pub mod scenario;
pub mod sweep;
pub mod validate;
