//! `timeseries.csv`: one row per run and step,
//! `point,replicate,step,<metric columns>`.

use crate::engine::RunOutput;
use std::io::Write;

/// Writes run outputs as CSV rows to any `Write`.
pub struct TimeseriesWriter<W: Write> {
    out: csv::Writer<W>,
    record: Vec<String>,
}

impl<W: Write> TimeseriesWriter<W> {
    /// Start the file with its header.
    pub fn new(inner: W, metrics: &[&str]) -> csv::Result<Self> {
        let mut out = csv::Writer::from_writer(inner);
        let mut header = vec!["point", "replicate", "step"];
        header.extend_from_slice(metrics);
        out.write_record(&header)?;
        Ok(Self {
            out,
            record: Vec::with_capacity(header.len()),
        })
    }

    /// Append every row of one run.
    pub fn write_run(&mut self, run: &RunOutput) -> csv::Result<()> {
        for n in 0..run.len() {
            self.record.clear();
            self.record.push(run.id.point.to_string());
            self.record.push(run.id.replicate.to_string());
            self.record.push(n.to_string());
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
        let mut w = TimeseriesWriter::new(Vec::new(), &["culture", "headcount"]).unwrap();
        w.write_run(&run).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "point,replicate,step,culture,headcount\n0,2,0,0.5,10\n0,2,1,0.25,9\n"
        );
    }
}
