//! The files of a run folder, one type per file that writes it and reads it
//! back: [`summary::SummaryFile`] (summary.json), [`timeseries::Timeseries`]
//! (timeseries.csv), [`teams::TeamsFile`] (teams.csv), [`runs::Runs`] (a
//! sweep's runs.csv), [`manifest`]
//! (manifest.json, the provenance of every output folder, written in one
//! place); the sweep's points.csv and summaries live beside the sweep
//! (`crate::sweep::files`). The three tables can be written as Parquet
//! instead ([`format::Format`]; `columnar`, with the `parquet` feature,
//! turns them into Arrow record batches and Parquet files; [`tables`]
//! writes a folder's tables in its format). Formatters produce bytes or write to a `Write`;
//! [`atomic`] owns the files (temp file + rename, never half-written);
//! [`folder`] owns output folders (staged, swapped in whole, never mixed);
//! [`files`] writes a set of named files. Reading a file that is not what
//! its type writes gives a [`ReadError`] naming the file and the place
//! (line, column or field) that is wrong.

pub mod atomic;
#[cfg(feature = "parquet")]
pub mod columnar;
pub mod files;
pub mod folder;
pub mod format;
pub mod manifest;
pub mod runs;
pub mod summary;
pub mod tables;
pub mod teams;
pub mod timeseries;

use std::path::{Path, PathBuf};

/// Why an output file could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read at all (absent, unreadable).
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not what its type writes.
    #[error("'{}' is not a valid {what}: {}", path.display(), place_message(*line, *column, field, message))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What the file should be ("summary", "time series", ...).
        what: &'static str,
        /// Line (1-based; 0 when unknown).
        line: u64,
        /// Column (1-based; 0 when unknown).
        column: u64,
        /// The field, column name or key path that is wrong (empty when
        /// the whole file is).
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. } | Self::Invalid { path, .. } => path,
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// The file's contents, or an [`ReadError::Io`] naming it.
    pub fn read_to_string(path: &Path) -> Result<String, Self> {
        std::fs::read_to_string(path).map_err(|source| Self::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The error of reading a Parquet table in a build without the `parquet`
/// feature.
#[cfg_attr(feature = "parquet", allow(dead_code))]
pub(crate) fn no_parquet(path: &Path, table: format::Table) -> ReadError {
    ReadError::Invalid {
        path: path.to_path_buf(),
        what: table.what(),
        line: 0,
        column: 0,
        field: String::new(),
        message: "this culturesim was built without Parquet support (the `parquet` feature of culturesim-core)".into(),
    }
}

/// "line 3, column 5: field: message", leaving out what is unknown.
fn place_message(line: u64, column: u64, field: &str, message: &str) -> String {
    let mut s = String::new();
    if line > 0 {
        s.push_str(&format!("line {line}"));
        if column > 0 {
            s.push_str(&format!(", column {column}"));
        }
        s.push_str(": ");
    }
    if !field.is_empty() {
        s.push_str(field);
        s.push_str(": ");
    }
    s.push_str(message);
    s
}

/// A CSV file's header and its data records, each with its line number.
type Records = (Vec<String>, Vec<(u64, csv::StringRecord)>);

/// The parts of a CSV file shared by the readers: its header and its data
/// records with their line numbers.
pub(crate) struct CsvText<'a> {
    path: &'a Path,
    what: &'static str,
}

impl<'a> CsvText<'a> {
    /// A reader of `path`, a `what` ("time series").
    pub(crate) fn new(path: &'a Path, what: &'static str) -> Self {
        Self { path, what }
    }

    /// An error at `line` (and `column`, 1-based; 0 for the whole line) of
    /// the field `field`.
    pub(crate) fn error(
        &self,
        line: u64,
        column: u64,
        field: &str,
        message: impl Into<String>,
    ) -> ReadError {
        ReadError::Invalid {
            path: self.path.to_path_buf(),
            what: self.what,
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The header and the records of `text` (each with its line number).
    pub(crate) fn records(&self, text: &str) -> Result<Records, ReadError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| self.csv_error(&e))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut out = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| self.csv_error(&e))?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() != header.len() {
                return Err(self.error(
                    line,
                    0,
                    "",
                    format!("{} fields, the header has {}", rec.len(), header.len()),
                ));
            }
            out.push((line, rec));
        }
        Ok((header, out))
    }

    /// A number in cell `i` of `rec` (empty: `empty`).
    pub(crate) fn number<T: std::str::FromStr>(
        &self,
        line: u64,
        header: &[String],
        rec: &csv::StringRecord,
        i: usize,
    ) -> Result<T, ReadError> {
        let cell = rec.get(i).unwrap_or("");
        cell.parse().map_err(|_| {
            self.error(
                line,
                i as u64 + 1,
                &header[i],
                format!("'{cell}' is not a number"),
            )
        })
    }

    /// A value cell: a number, or NaN when empty (what the writers write for
    /// an undefined value).
    pub(crate) fn value(
        &self,
        line: u64,
        header: &[String],
        rec: &csv::StringRecord,
        i: usize,
    ) -> Result<f64, ReadError> {
        if rec.get(i).unwrap_or("").is_empty() {
            return Ok(f64::NAN);
        }
        self.number(line, header, rec, i)
    }

    fn csv_error(&self, e: &csv::Error) -> ReadError {
        let line = e.position().map_or(0, |p| p.line());
        self.error(line, 0, "", e.to_string())
    }
}
