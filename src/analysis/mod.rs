//! Analysis of finished runs: replicate statistics and shock metrics.
//! Pure functions over numbers; no I/O.

pub mod groups;
pub mod sensitivity;
pub mod shock;
pub mod stats;
pub mod summary;
