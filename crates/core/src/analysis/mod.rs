//! Analysis of finished runs: replicate statistics, shock metrics, the
//! unit a shock hits, and early-warning indicators of tipping.
//! Pure functions over numbers; no I/O.

pub mod groups;
pub mod sensitivity;
pub mod shock;
pub mod stats;
pub mod summary;
pub mod unit;
pub mod warning;
