//! `teams.csv`: each team's local culture (or a coarser unit's, for very
//! large organizations) every few steps, with the division (the unit below
//! the top) it belongs to. By default the mean over replicates,
//! `step,division,team,culture`; with `run --teams-per-replicate` one row
//! per replicate, `replicate,step,division,team,culture`, streamed as runs
//! finish (the figures then draw the mean of those rows).

use crate::analysis::groups::GroupMeans;
use crate::engine::RunOutput;
use std::io::Write;

/// The mean over replicates, `step,division,team,culture`.
pub fn means_csv(teams: &GroupMeans, divisions: &[String]) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["step", "division", "team", "culture"])?;
    for (step, g, v) in teams.means() {
        w.write_record([
            step.to_string(),
            divisions.get(g).cloned().unwrap_or_default(),
            teams.names()[g].clone(),
            format!("{v:.6}"),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Per-replicate rows, `replicate,step,division,team,culture`, one run at
/// a time (add the runs in replicate order).
pub struct PerReplicateWriter<W: Write> {
    out: csv::Writer<W>,
    names: Vec<String>,
    divisions: Vec<String>,
    stride: u32,
}

impl<W: Write> PerReplicateWriter<W> {
    /// Start the file with its header: groups `names` in `divisions`,
    /// sampled every `stride` steps.
    pub fn new(
        inner: W,
        names: Vec<String>,
        divisions: Vec<String>,
        stride: u32,
    ) -> csv::Result<Self> {
        let mut out = csv::Writer::from_writer(inner);
        out.write_record(["replicate", "step", "division", "team", "culture"])?;
        Ok(Self {
            out,
            names,
            divisions,
            stride,
        })
    }

    /// Append the rows of one run (nothing for a run without group samples).
    pub fn write_run(&mut self, run: &RunOutput) -> csv::Result<()> {
        let w = self.names.len();
        if w == 0 || run.group_width != w {
            return Ok(());
        }
        for (j, sample) in run.groups.chunks_exact(w).enumerate() {
            let step = (j as u32 * self.stride).to_string();
            for (g, &v) in sample.iter().enumerate() {
                self.out.write_record([
                    run.id.replicate.to_string().as_str(),
                    &step,
                    self.divisions.get(g).map_or("", String::as_str),
                    &self.names[g],
                    &format!("{:.6}", f64::from(v)),
                ])?;
            }
        }
        Ok(())
    }

    /// Flush and return the inner writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    fn run(replicate: u32, v: f32) -> RunOutput {
        RunOutput {
            id: RunId {
                point: 0,
                replicate,
            },
            width: 0,
            rows: vec![],
            group_width: 2,
            groups: vec![v, 1.0, v, 0.0],
        }
    }

    #[test]
    fn one_row_per_replicate_step_and_team_and_their_mean() {
        let names = vec!["a".to_string(), "b".to_string()];
        let divisions = vec!["d1".to_string(), "d2".to_string()];
        let mut w =
            PerReplicateWriter::new(Vec::new(), names.clone(), divisions.clone(), 5).unwrap();
        let mut g = GroupMeans::new(names, 5);
        for (r, v) in [(0, 0.25f32), (1, 0.5)] {
            w.write_run(&run(r, v)).unwrap();
            g.add(&run(r, v));
        }
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "replicate,step,division,team,culture\n\
             0,0,d1,a,0.250000\n0,0,d2,b,1.000000\n0,5,d1,a,0.250000\n0,5,d2,b,0.000000\n\
             1,0,d1,a,0.500000\n1,0,d2,b,1.000000\n1,5,d1,a,0.500000\n1,5,d2,b,0.000000\n"
        );
        let mean = String::from_utf8(means_csv(&g, &divisions).unwrap()).unwrap();
        assert_eq!(
            mean,
            "step,division,team,culture\n0,d1,a,0.375000\n0,d2,b,1.000000\n5,d1,a,0.375000\n5,d2,b,0.000000\n"
        );
    }
}
