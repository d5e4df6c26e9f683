//! Models that run on the engine. Each lives in its own folder and
//! implements [`crate::engine::Model`]; [`Models`] is the one place that
//! lists them, for the scenario layer (which builds one from `model = ...`)
//! and the commands (which run whichever it holds, statically dispatched
//! with [`with_model!`](crate::with_model)).

pub mod erased;
pub mod learning_culture;
pub mod march1991;
pub mod registered;
pub mod registry;

use crate::engine::Model;
use learning_culture::LearningCulture;
use march1991::March1991;

/// The model a scenario configures.
// One per scenario, never in a hot collection: boxing the large variant
// would only add a pointer chase to every dispatch.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Models {
    /// `model = "learning-culture"` (the default).
    LearningCulture(LearningCulture),
    /// `model = "march1991"`.
    March1991(March1991),
    /// A model registered through [`registry::register`] (its name).
    Registered(registered::Registered),
}

/// Run `$body` with `$m` bound to the concrete model inside a [`Models`]:
/// a `match` whose arms are the same generic code, each compiled for its
/// model, so the step loop is statically dispatched (no `dyn`).
///
/// ```
/// use culturesim_core::engine::{Model, RunId, run_one};
/// let s = culturesim_core::scenario::Scenario::default_scenario().unwrap();
/// let run = culturesim_core::with_model!(&s.model, m => run_one(m, s.seed, RunId { point: 0, replicate: 0 }));
/// assert_eq!(run.width, s.model.metrics().len());
/// ```
#[macro_export]
macro_rules! with_model {
    ($models:expr, $m:ident => $body:expr) => {
        match $models {
            $crate::model::Models::LearningCulture($m) => $body,
            $crate::model::Models::March1991($m) => $body,
            $crate::model::Models::Registered($m) => $body,
        }
    };
}

impl Models {
    /// The built-in `model = "..."` names, in the order messages list them
    /// (registered models follow them: [`registry::names`]).
    pub const NAMES: [&'static str; 2] = ["learning-culture", "march1991"];

    /// The `model = "..."` name.
    pub fn name(&self) -> &'static str {
        match self {
            Models::LearningCulture(_) => Self::NAMES[0],
            Models::March1991(_) => Self::NAMES[1],
            Models::Registered(m) => m.entry().name(),
        }
    }

    /// Names of the metrics each observation holds.
    pub fn metrics(&self) -> &[&'static str] {
        match self {
            Models::LearningCulture(_) => &learning_culture::METRICS,
            Models::March1991(_) => &march1991::METRICS,
            Models::Registered(m) => m.metrics(),
        }
    }

    /// The metric that tables and sweep figures show first: the
    /// organization's culture, or the code's knowledge.
    pub fn primary_metric(&self) -> &'static str {
        match self {
            Models::LearningCulture(_) => "culture",
            Models::March1991(_) => "code_knowledge",
            Models::Registered(m) => m.entry().primary_metric(),
        }
    }

    /// Steps to run (the cap, for a model that can stop early).
    pub fn steps(&self) -> u32 {
        with_model!(self, m => m.steps())
    }

    /// Change the number of steps to run.
    pub fn set_steps(&mut self, steps: u32) {
        match self {
            Models::LearningCulture(m) => m.set_steps(steps),
            Models::March1991(m) => m.set_steps(steps),
            Models::Registered(m) => m.set_steps(steps),
        }
    }

    /// The registered model, if that is the one.
    pub fn registered(&self) -> Option<&registered::Registered> {
        match self {
            Models::Registered(m) => Some(m),
            _ => None,
        }
    }

    /// The learning-culture model, if that is the one.
    pub fn learning_culture(&self) -> Option<&LearningCulture> {
        match self {
            Models::LearningCulture(m) => Some(m),
            _ => None,
        }
    }

    /// The learning-culture model, mutably, if that is the one.
    pub fn learning_culture_mut(&mut self) -> Option<&mut LearningCulture> {
        match self {
            Models::LearningCulture(m) => Some(m),
            _ => None,
        }
    }

    /// March's model, if that is the one.
    pub fn march1991(&self) -> Option<&March1991> {
        match self {
            Models::March1991(m) => Some(m),
            _ => None,
        }
    }
}
