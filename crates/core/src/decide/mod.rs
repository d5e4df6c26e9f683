//! Decision support on the learning-culture model: checkpoint and fork
//! ([`fork`], [`checkpoint`]), when to act on a harmful event ([`timing`]),
//! which seats matter and the succession stress test ([`risk`]).
//!
//! Every analysis here runs the real model; branches of one run share its
//! random streams after the fork (common random numbers), so differences
//! between branches are paired per run. The library never touches files:
//! the commands (`src/app/decide.rs`) read scenarios and write outputs.

pub mod checkpoint;
pub mod fork;
pub mod risk;
pub mod timing;
