//! Writers for run outputs. Formatters produce bytes or write to a `Write`;
//! [`atomic`] owns the files (temp file + rename, never half-written);
//! [`folder`] owns output folders (staged, swapped in whole, never mixed).

pub mod atomic;
pub mod folder;
pub mod manifest;
pub mod summary;
pub mod teams;
pub mod timeseries;
