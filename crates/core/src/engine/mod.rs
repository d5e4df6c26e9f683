//! The model-agnostic engine: the [`Model`] trait, the run loop and the
//! parallel runner for replicates.
//!
//! The engine knows nothing about learning culture: a model supplies its
//! state, a step function, an observation (a fixed list of named metrics)
//! and an optional stop condition; the engine runs it, collects the
//! observations and hands finished runs, in replicate order, to a sink.

pub mod par;
pub mod rng;
mod runner;

pub use rng::{RunId, Seeds, Stream};
pub use runner::{
    Batch, NonFinite, RunOutput, Start, group_stride, run_loop, run_many, run_many_ticking,
    run_one, run_seeded, run_seeded_ticking,
};

/// A marker on a model's timeline (an event), used by analysis and plots.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Marker {
    /// Step at which the event takes effect (before that step's dynamics).
    pub step: u32,
    /// Human-readable label ("non-aligned top manager").
    pub label: String,
    /// Event kind as written in the scenario ("replace_leader").
    pub kind: String,
    /// Whether this event is a shock whose impact should be measured.
    pub shock: bool,
}

/// A simulation model the engine can run.
///
/// The engine calls [`Model::init`] once per run, then alternates
/// [`Model::observe`] and [`Model::step`]: observation 0 is the initial
/// state, observation `n` is the state after `n` steps.
pub trait Model: Sync {
    /// Everything that changes during one run.
    type State: Send;

    /// Names of the metrics written by [`Model::observe`], in order.
    fn metrics(&self) -> &[&'static str];

    /// Number of steps to run (the run may stop earlier, see [`Model::stop`]).
    fn steps(&self) -> u32;

    /// Build the initial state of one run from its seeds.
    fn init(&self, seeds: &Seeds) -> Self::State;

    /// Advance the state from step `step` to `step + 1`.
    fn step(&self, state: &mut Self::State, step: u32, seeds: &Seeds);

    /// Write the current metrics into `out` (length = `metrics().len()`).
    fn observe(&self, state: &Self::State, out: &mut [f64]);

    /// Optional early stop (e.g. an equilibrium); checked after each step.
    fn stop(&self, _state: &Self::State, _step: u32) -> bool {
        false
    }

    /// Whether metric `m` may be NaN, meaning "undefined" (e.g. a mean over
    /// an empty group; written as an empty cell). Any other value that is
    /// not a finite number stops the run as an error (an overflow).
    fn may_be_undefined(&self, _m: usize) -> bool {
        false
    }

    /// Names of groups (e.g. teams) whose level [`Model::observe_groups`]
    /// reports, in a meaningful order; empty when the model has none.
    fn groups(&self) -> Vec<String> {
        Vec::new()
    }

    /// Write one value per group into `out` (length = `groups().len()`).
    fn observe_groups(&self, _state: &Self::State, _out: &mut [f32]) {}

    /// Timeline markers (events) of this model's configuration.
    fn markers(&self) -> Vec<Marker> {
        Vec::new()
    }

    /// The range each metric cannot leave by construction, in the order of
    /// [`Model::metrics`]: `Some((0, 1))` for a share, level or rate, `None`
    /// for an unbounded quantity (a count). Bounded metrics get confidence
    /// intervals that stay inside the range (Wilson score intervals); the
    /// default is none bounded.
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        vec![None; self.metrics().len()]
    }
}
