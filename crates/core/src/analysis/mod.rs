//! Analysis of finished runs: replicate statistics, shock metrics and the
//! unit a shock hits.
//! Pure functions over numbers; no I/O.

pub mod groups;
pub mod sensitivity;
pub mod shock;
pub mod stats;
pub mod summary;
pub mod unit;
