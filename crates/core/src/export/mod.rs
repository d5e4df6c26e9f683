//! Writers for run outputs. Formatters produce bytes or write to a `Write`;
//! [`atomic`] owns the files (temp file + rename, never half-written);
//! [`folder`] owns output folders (staged, swapped in whole, never mixed);
//! [`files`] writes a set of named files; [`manifest`] is manifest.json,
//! the provenance of every output folder.

pub mod atomic;
pub mod files;
pub mod folder;
pub mod manifest;
pub mod summary;
pub mod teams;
pub mod timeseries;
