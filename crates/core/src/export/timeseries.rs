//! `timeseries.csv`: one row per run and step,
//! `point,replicate,step,year,<metric columns>` (`year`: the step's time
//! in years, [`year_value`]).

use crate::engine::RunOutput;
use std::io::Write;

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
        for n in 0..run.len() {
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
    format_value((n as f64 * years_per_step * 1e6).round() / 1e6)
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
    fn years_are_rounded_to_six_decimals() {
        let week = 7.0 / 365.25;
        assert_eq!(year_value(0, week), "0");
        assert_eq!(year_value(1, week), "0.019165");
        assert_eq!(year_value(52, week), "0.996578");
        assert_eq!(year_value(520, week), "9.965777");
        assert_eq!(year_value(6, 1.0 / 12.0), "0.5");
    }
}
