//! Decision support on the learning-culture model: checkpoint and fork
//! ([`fork`], [`checkpoint`]), when to act on a harmful event ([`timing`]),
//! which seats matter and the succession stress test ([`risk`]), and early
//! warning of tipping ([`warning`]).
//!
//! Every analysis here runs the real model; branches of one run share its
//! random streams after the fork (common random numbers), so differences
//! between branches are paired per run. With `--posterior` every branch
//! of run r also steps with run r's posterior draw (the branches are
//! [`crate::model::learning_culture::LearningCulture::rebuild`]s of one
//! model, or, for `warning`'s twin and `optimize`'s portfolios, scenarios
//! loaded again with the same posterior), so they stay paired on their
//! parameters too. The studies ([`timing_study`],
//! [`risk_study`], [`warning_study`]) load a scenario, check the options, run and give their
//! tables as bytes; the commands (`src/app/decide.rs`) write them, with the
//! report crate's figures, through [`crate::export::files::write_all`].

pub mod checkpoint;
pub mod cost;
pub mod fork;
pub mod nsga2;
pub mod optimize;
pub mod risk;
pub mod risk_study;
pub mod study;
pub mod timing;
pub mod timing_study;
pub mod warning;
pub mod warning_study;
