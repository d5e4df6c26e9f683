//! `runs.csv`: a sweep's finished runs, one row per run,
//! `point,replicate,steps,<columns>` (the model's
//! `crate::sweep::columns::RunColumns`; an empty cell is undefined).
//! [`Runs`] reads it back and writes the same bytes again; the sweep
//! appends its rows as runs finish (`crate::sweep::files::Part`), and
//! [`super::columnar`] writes the same rows as `runs.parquet`.

use crate::export::format::{Format, Table};
use crate::export::timeseries::format_value;
use crate::export::{CsvText, ReadError};
use std::path::Path;

/// runs.csv: `point,replicate,steps,<columns>`, one row per finished run
/// (the model's [`crate::sweep::columns::RunColumns`]; an empty cell is
/// undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    /// The columns after `point,replicate,steps`.
    pub columns: Vec<String>,
    /// Rows in file order.
    pub rows: Vec<RunRow>,
}

/// One finished run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Design point.
    pub point: u32,
    /// Replicate.
    pub replicate: u32,
    /// Steps run.
    pub steps: u32,
    /// One value per column (`None` where undefined).
    pub values: Vec<Option<f64>>,
    /// Line in the CSV file it was read from (0 when built in code or read
    /// from Parquet).
    pub line: u64,
}

impl RunRow {
    /// The runs.csv line (no trailing newline).
    pub fn line_text(&self) -> String {
        let mut cells = vec![
            self.point.to_string(),
            self.replicate.to_string(),
            self.steps.to_string(),
        ];
        cells.extend(
            self.values
                .iter()
                .map(|v| v.map(format_value).unwrap_or_default()),
        );
        cells.join(",")
    }
}

impl Runs {
    /// The header line (no trailing newline).
    pub fn header(&self) -> String {
        let mut h = String::from("point,replicate,steps");
        for c in &self.columns {
            h.push(',');
            h.push_str(c);
        }
        h
    }

    /// The bytes of runs.csv.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.header();
        out.push('\n');
        for r in &self.rows {
            out.push_str(&r.line_text());
            out.push('\n');
        }
        out.into_bytes()
    }

    /// Read the runs table at `path`: `runs.parquet` when its name ends in
    /// `.parquet`, a CSV otherwise.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        if Format::of_path(path) == Some(Format::Parquet) {
            #[cfg(feature = "parquet")]
            return super::columnar::read_runs(path);
            #[cfg(not(feature = "parquet"))]
            return Err(super::no_parquet(path, Table::Runs));
        }
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// The runs table of the folder `dir`: its `runs.parquet` or `runs.csv`
    /// (see [`super::format::locate`]).
    pub fn read_in(dir: &Path) -> Result<Self, ReadError> {
        Self::read(&super::format::locate(dir, Table::Runs)?.0)
    }

    /// Parse the text of a runs.csv (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvText::new(path, "runs file");
        let (header, records) = csv.records(text)?;
        if header.len() < 3 || header[..3] != ["point", "replicate", "steps"] {
            return Err(csv.error(1, 0, "", "expected the columns point,replicate,steps first"));
        }
        let mut rows = Vec::with_capacity(records.len());
        for (line, rec) in &records {
            let line = *line;
            rows.push(RunRow {
                point: csv.number(line, &header, rec, 0)?,
                replicate: csv.number(line, &header, rec, 1)?,
                steps: csv.number(line, &header, rec, 2)?,
                values: (3..header.len())
                    .map(|i| match rec.get(i).unwrap_or("") {
                        "" => Ok(None),
                        _ => csv.number(line, &header, rec, i).map(Some),
                    })
                    .collect::<Result<_, _>>()?,
                line,
            });
        }
        Ok(Self {
            columns: header[3..].to_vec(),
            rows,
        })
    }
}
