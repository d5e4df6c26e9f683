//! Models that run on the engine. Each lives in its own folder and
//! implements [`crate::engine::Model`].

pub mod learning_culture;
