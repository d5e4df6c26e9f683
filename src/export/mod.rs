//! Writers for run outputs. Formatters produce bytes or write to a `Write`;
//! [`atomic`] owns the files (temp file + rename, never half-written).

pub mod atomic;
pub mod timeseries;
