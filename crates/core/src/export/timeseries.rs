//! `timeseries.csv`: one row per run and step,
//! `point,replicate,step,year,<metric columns>` (`year`: the step's time
//! in years, [`year_value`]; an empty cell is an undefined value). A run
//! streams its rows through [`TimeseriesWriter`]; a sweep writes every few
//! steps (`crate::sweep::files::timeseries_lines`); [`Timeseries`] reads
//! either back (and writes the same bytes again).

use crate::engine::RunOutput;
use crate::export::format::{Format, Table};
use crate::export::{CsvText, ReadError};
use std::io::Write;
use std::path::Path;

/// The columns before the metrics.
pub const KEYS: [&str; 3] = ["point", "replicate", "step"];

/// A whole timeseries.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeseries {
    /// Metric columns, in file order.
    pub metrics: Vec<String>,
    /// Whether the file has the `year` column (older files do not).
    pub has_year: bool,
    /// Rows in file order.
    pub rows: Vec<TimeseriesRow>,
}

/// One row: a run's values at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeseriesRow {
    /// Sweep point (0 for a run).
    pub point: u32,
    /// Replicate.
    pub replicate: u32,
    /// Step.
    pub step: usize,
    /// The step's time in years (NaN when the file has no `year`).
    pub year: f64,
    /// One value per metric (NaN where undefined).
    pub values: Vec<f64>,
    /// Line in the CSV file it was read from (0 when built in code or read
    /// from Parquet).
    pub line: u64,
}

impl Timeseries {
    /// Read the time series at `path`: `timeseries.parquet` when its
    /// name ends in `.parquet`, a CSV otherwise.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        if Format::of_path(path) == Some(Format::Parquet) {
            #[cfg(feature = "parquet")]
            return super::columnar::read_timeseries(path);
            #[cfg(not(feature = "parquet"))]
            return Err(super::no_parquet(path, Table::Timeseries));
        }
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// The time series of the folder `dir`: its `timeseries.parquet` or
    /// `timeseries.csv` (see [`super::format::locate`]).
    pub fn read_in(dir: &Path) -> Result<Self, ReadError> {
        Self::read(&super::format::locate(dir, Table::Timeseries)?.0)
    }

    /// Parse the text of a timeseries.csv (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvText::new(path, "time series");
        let (header, records) = csv.records(text)?;
        if header.len() < 3 || header[..3] != KEYS {
            return Err(csv.error(
                1,
                0,
                "",
                format!("expected the columns {} first", KEYS.join(",")),
            ));
        }
        let has_year = header.get(3).is_some_and(|h| h == "year");
        let first = if has_year { 4 } else { 3 };
        let mut rows = Vec::with_capacity(records.len());
        for (line, rec) in &records {
            let line = *line;
            rows.push(TimeseriesRow {
                point: csv.number(line, &header, rec, 0)?,
                replicate: csv.number(line, &header, rec, 1)?,
                step: csv.number(line, &header, rec, 2)?,
                year: if has_year {
                    csv.number(line, &header, rec, 3)?
                } else {
                    f64::NAN
                },
                values: (first..header.len())
                    .map(|i| csv.value(line, &header, rec, i))
                    .collect::<Result<_, _>>()?,
                line,
            });
        }
        Ok(Self {
            metrics: header[first..].to_vec(),
            has_year,
            rows,
        })
    }

    /// The index of metric `name`.
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == name)
    }

    /// Write the file: the bytes it was read from, for a file this crate
    /// wrote.
    pub fn write<W: Write>(&self, inner: W) -> csv::Result<W> {
        let mut out = csv::Writer::from_writer(inner);
        let mut header: Vec<&str> = KEYS.to_vec();
        if self.has_year {
            header.push("year");
        }
        header.extend(self.metrics.iter().map(String::as_str));
        out.write_record(&header)?;
        let mut record = Vec::with_capacity(header.len());
        for r in &self.rows {
            record.clear();
            record.push(r.point.to_string());
            record.push(r.replicate.to_string());
            record.push(r.step.to_string());
            if self.has_year {
                record.push(format_value(r.year));
            }
            record.extend(r.values.iter().map(|v| format_value(*v)));
            out.write_record(&record)?;
        }
        out.into_inner().map_err(|e| e.into_error().into())
    }

    /// The bytes of [`Timeseries::write`].
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write(Vec::new())
            .expect("writing to memory cannot fail")
    }
}

/// Writes run outputs as CSV rows to any `Write`.
pub struct TimeseriesWriter<W: Write> {
    out: csv::Writer<W>,
    record: Vec<String>,
    years_per_step: f64,
}

impl<W: Write> TimeseriesWriter<W> {
    /// Start the file with its header; a step lasts `years_per_step` years.
    pub fn new(inner: W, metrics: &[&str], years_per_step: f64) -> csv::Result<Self> {
        let mut out = csv::Writer::from_writer(inner);
        let mut header = vec!["point", "replicate", "step", "year"];
        header.extend_from_slice(metrics);
        out.write_record(&header)?;
        Ok(Self {
            out,
            record: Vec::with_capacity(header.len()),
            years_per_step,
        })
    }

    /// Append every row of one run.
    pub fn write_run(&mut self, run: &RunOutput) -> csv::Result<()> {
        self.write_run_every(run, 1)
    }

    /// Append the rows of one run at every `every`-th step and the last
    /// (a sweep's `timeseries_every`; 1: every step).
    pub fn write_run_every(&mut self, run: &RunOutput, every: u32) -> csv::Result<()> {
        let last = run.len().saturating_sub(1);
        let every = every.max(1) as usize;
        for n in 0..run.len() {
            if n % every != 0 && n != last {
                continue;
            }
            self.record.clear();
            self.record.push(run.id.point.to_string());
            self.record.push(run.id.replicate.to_string());
            self.record.push(n.to_string());
            self.record.push(year_value(n, self.years_per_step));
            for v in run.row(n) {
                self.record.push(format_value(*v));
            }
            self.out.write_record(&self.record)?;
        }
        Ok(())
    }

    /// Flush and return the inner writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

/// The `year` cell of step `n`: its time in years, rounded to 6 decimals
/// (well below a day), so that week 52 reads `0.996578`, not a 17-digit
/// binary fraction. Deterministic: the same step and unit give the same text.
pub fn year_value(n: usize, years_per_step: f64) -> String {
    format_value(year(n, years_per_step))
}

/// The number [`year_value`] writes: step `n`'s time in years, rounded
/// to 6 decimals (what `timeseries.parquet` holds too).
pub fn year(n: usize, years_per_step: f64) -> f64 {
    (n as f64 * years_per_step * 1e6).round() / 1e6
}

/// Shortest decimal that reads back as the same `f64` (deterministic).
pub fn format_value(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    #[test]
    fn rows_and_header() {
        let run = RunOutput {
            id: RunId {
                point: 0,
                replicate: 2,
            },
            width: 2,
            rows: vec![0.5, 10.0, 0.25, 9.0],
            group_width: 0,
            groups: vec![],
        };
        let mut w = TimeseriesWriter::new(Vec::new(), &["culture", "headcount"], 0.25).unwrap();
        w.write_run(&run).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "point,replicate,step,year,culture,headcount\n0,2,0,0,0.5,10\n0,2,1,0.25,0.25,9\n"
        );
    }

    #[test]
    fn a_written_file_reads_back_equal_and_writes_the_same_bytes() {
        let run = |replicate, v: f64| RunOutput {
            id: RunId {
                point: 0,
                replicate,
            },
            width: 2,
            rows: vec![0.5, 10.0, v, f64::NAN, 0.1 + 0.2, 1e-7],
            group_width: 0,
            groups: vec![],
        };
        let week = 7.0 / 365.25;
        let mut w = TimeseriesWriter::new(Vec::new(), &["culture", "headcount"], week).unwrap();
        w.write_run(&run(0, 0.25)).unwrap();
        w.write_run(&run(1, 1.0 / 3.0)).unwrap();
        let bytes = w.finish().unwrap();
        let path = Path::new("out/timeseries.csv");
        let t = Timeseries::parse(std::str::from_utf8(&bytes).unwrap(), path).unwrap();
        assert_eq!(t.metrics, vec!["culture", "headcount"]);
        assert!(t.has_year);
        assert_eq!(t.rows.len(), 6);
        let r = &t.rows[4];
        assert_eq!((r.point, r.replicate, r.step, r.line), (0, 1, 1, 6));
        assert_eq!(r.values[0], 1.0 / 3.0);
        assert!(r.values[1].is_nan(), "an empty cell is undefined");
        assert_eq!(t.rows[5].values, vec![0.1 + 0.2, 1e-7]);
        assert_eq!(t.to_bytes(), bytes);
        // Equal when read again (NaN aside, PartialEq holds row by row).
        let again = Timeseries::parse(std::str::from_utf8(&t.to_bytes()).unwrap(), path).unwrap();
        assert_eq!(again.rows[5], t.rows[5]);
        assert_eq!(again.metrics, t.metrics);
        // Without the year column (older files).
        let old = "point,replicate,step,culture\n0,0,0,0.5\n0,0,1,\n";
        let t = Timeseries::parse(old, path).unwrap();
        assert!(!t.has_year && t.rows[1].values[0].is_nan());
        assert_eq!(t.to_bytes(), old.as_bytes());
    }

    #[test]
    fn a_malformed_file_names_the_file_line_and_column() {
        let path = Path::new("out/timeseries.csv");
        let e = Timeseries::parse("point,replicate,step,year,culture\n0,0,0,0,abc\n", path)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "'out/timeseries.csv' is not a valid time series: line 2, column 5: culture: 'abc' is not a number"
        );
        let e = Timeseries::parse("point,replicate,step,culture\n0,x,0,0.5\n", path)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 2: replicate: 'x'"), "{e}");
        let e = Timeseries::parse("replicate,step,culture\n", path).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 1: expected the columns point,replicate,step"),
            "{e}"
        );
        let e = Timeseries::parse("point,replicate,step,culture\n0,0,0\n", path).unwrap_err();
        assert!(
            e.to_string().contains("line 2: 3 fields, the header has 4"),
            "{e}"
        );
        let e = Timeseries::read(Path::new("/nonexistent/timeseries.csv")).unwrap_err();
        assert!(e.is_not_found() && e.to_string().contains("/nonexistent/timeseries.csv"));
    }

    #[test]
    fn years_are_rounded_to_six_decimals() {
        let week = 7.0 / 365.25;
        assert_eq!(year_value(0, week), "0");
        assert_eq!(year_value(1, week), "0.019165");
        assert_eq!(year_value(52, week), "0.996578");
        assert_eq!(year_value(520, week), "9.965777");
        assert_eq!(year_value(6, 1.0 / 12.0), "0.5");
    }
}
