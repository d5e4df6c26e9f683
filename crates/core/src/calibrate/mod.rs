//! Calibration to an organization's own survey data (docs/CALIBRATION.md):
//! the observations file, the observation model that turns a run's state
//! into survey waves and HR records, priors, and approximate Bayesian
//! computation by sequential Monte Carlo, resumable generation by
//! generation and byte-identical at any thread count.

pub mod fit;
pub mod forecast;
pub mod observations;
pub mod prior;
pub mod screen;
pub mod smc;
pub mod summary;
pub mod survey;
pub mod units;

pub use crate::scenario::posterior::{Posterior, PosteriorError};
pub use fit::{CalibrateError, Calibration, Options, Outcome, Progress, Report, read_observations};
