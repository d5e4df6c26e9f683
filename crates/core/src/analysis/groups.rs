//! Mean over replicates of per-group levels (e.g. each team's local
//! culture), sample by sample. Memory: groups × samples, whatever the
//! number of runs.

use crate::engine::RunOutput;

/// Running sums of group levels.
pub struct GroupMeans {
    names: Vec<String>,
    stride: u32,
    sums: Vec<f64>,
    counts: Vec<u32>,
}

impl GroupMeans {
    /// An accumulator for these groups, sampled every `stride` steps.
    pub fn new(names: Vec<String>, stride: u32) -> Self {
        Self {
            names,
            stride,
            sums: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Add one run's samples.
    pub fn add(&mut self, run: &RunOutput) {
        let w = self.names.len();
        if w == 0 || run.group_width != w {
            return;
        }
        let samples = run.groups.len() / w;
        if self.counts.len() < samples {
            self.counts.resize(samples, 0);
            self.sums.resize(samples * w, 0.0);
        }
        for (acc, &v) in self.sums.iter_mut().zip(&run.groups) {
            *acc += f64::from(v);
        }
        for c in &mut self.counts[..samples] {
            *c += 1;
        }
    }

    /// Group names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// `(step, group index, mean)` for every sample and group.
    pub fn means(&self) -> impl Iterator<Item = (u32, usize, f64)> + '_ {
        let w = self.names.len();
        self.counts.iter().enumerate().flat_map(move |(j, &c)| {
            (0..w).map(move |g| {
                (
                    j as u32 * self.stride,
                    g,
                    self.sums[j * w + g] / f64::from(c.max(1)),
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    #[test]
    fn averages_runs() {
        let mut g = GroupMeans::new(vec!["a".into(), "b".into()], 5);
        for (r, v) in [(0, 0.2f32), (1, 0.4)] {
            g.add(&RunOutput {
                id: RunId {
                    point: 0,
                    replicate: r,
                },
                width: 0,
                rows: vec![],
                group_width: 2,
                groups: vec![v, 1.0, v, 0.0],
            });
        }
        let m: Vec<_> = g.means().collect();
        assert_eq!(m.len(), 4);
        assert_eq!((m[0].0, m[0].1), (0, 0));
        assert!((m[0].2 - 0.3).abs() < 1e-6);
        assert_eq!((m[3].0, m[3].1, m[3].2), (5, 1, 0.0));
    }
}
