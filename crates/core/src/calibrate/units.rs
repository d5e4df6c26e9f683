//! Waves of one unit or team (docs/CALIBRATION.md, "Waves of one unit or
//! team"): what the observation model reads for a part of the
//! organization, and a run that records it.
//!
//! A unit's state is read from its teams (a unit's teams are the whole
//! subtree under it, a contiguous range): its culture is the
//! headcount-weighted mean of its teams' local culture c (the level
//! `teams.csv` reports; the organization's culture stock C has no per-unit
//! part), its practice and support the plain means over its teams, its
//! belief and engagement the means over its active employees, its
//! headcount their number and its leavers the employees who left its teams
//! in the step. [`Probed`] runs the learning-culture model as it is and
//! appends these seven quantities per probed unit to every observation, so
//! replicates, posterior draws and common random numbers work as for any
//! run; the model's own columns and their values are untouched.

use crate::engine::{Marker, Model, Seeds};
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::metric;
use crate::model::learning_culture::org::Org;
use crate::model::learning_culture::state::State;

/// The quantities recorded per probed unit, in column order.
pub const UNIT_COLUMNS: [&str; 7] = [
    "unit.culture",
    "unit.practice",
    "unit.support",
    "unit.belief",
    "unit.engagement",
    "unit.headcount",
    "unit.leavers",
];

/// Where a run's row holds the quantities the observation model reads:
/// the organization's metrics, or a probed unit's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Culture (C, or the unit's local culture).
    pub culture: usize,
    /// Mean team practice.
    pub practice: usize,
    /// Mean leader support.
    pub support: usize,
    /// Mean belief.
    pub belief: usize,
    /// Share engaged.
    pub engagement: usize,
    /// Headcount.
    pub headcount: usize,
    /// Leavers in the step.
    pub leavers: usize,
}

impl Columns {
    /// The organization's: the model's metrics.
    pub const ORG: Columns = Columns {
        culture: metric::CULTURE,
        practice: metric::PRACTICE,
        support: metric::SUPPORT,
        belief: metric::BELIEF,
        engagement: metric::ENGAGEMENT,
        headcount: metric::HEADCOUNT,
        leavers: metric::LEAVERS,
    };

    /// Probe `k`'s, in a row whose model has `width` metrics of its own.
    pub fn probe(width: usize, k: usize) -> Columns {
        let b = width + k * UNIT_COLUMNS.len();
        Columns {
            culture: b,
            practice: b + 1,
            support: b + 2,
            belief: b + 3,
            engagement: b + 4,
            headcount: b + 5,
            leavers: b + 6,
        }
    }
}

/// The seven quantities of unit `u` in state `s` (see the module docs).
pub fn unit_state(org: &Org, s: &State, u: usize) -> [f64; 7] {
    let (lo, hi) = org.unit_teams[u];
    let (lo, hi) = (lo as usize, hi as usize);
    let teams = (hi - lo).max(1) as f64;
    let (mut c_w, mut c_plain, mut practice, mut support) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut active, mut engaged, mut belief, mut leavers) = (0u64, 0u64, 0.0f64, 0u64);
    for t in lo..hi {
        let tally = &s.tally[t];
        let n = f64::from(tally.active);
        c_w += n * f64::from(s.culture[t]);
        c_plain += f64::from(s.culture[t]);
        practice += f64::from(s.practice[t]);
        support += f64::from(s.support[t]);
        active += u64::from(tally.active);
        engaged += u64::from(tally.engaged);
        belief += f64::from(tally.belief);
        leavers += u64::from(tally.leavers);
    }
    let heads = active as f64;
    let per_head = |x: f64| if active > 0 { x / heads } else { 0.0 };
    [
        if active > 0 {
            c_w / heads
        } else {
            c_plain / teams
        },
        practice / teams,
        support / teams,
        per_head(belief),
        per_head(engaged as f64),
        heads,
        leavers as f64,
    ]
}

/// The learning-culture model with the state of some units recorded: each
/// observation is the model's own metrics followed by [`UNIT_COLUMNS`] for
/// every probed unit, in order. Everything else is the model's.
pub struct Probed<'a> {
    model: &'a LearningCulture,
    units: &'a [u32],
    names: Vec<&'static str>,
}

impl<'a> Probed<'a> {
    /// `model` with `units` (indices into its organization) probed.
    pub fn new(model: &'a LearningCulture, units: &'a [u32]) -> Self {
        let mut names = model.metrics().to_vec();
        for _ in units {
            names.extend_from_slice(&UNIT_COLUMNS);
        }
        Self {
            model,
            units,
            names,
        }
    }
}

impl Model for Probed<'_> {
    type State = State;

    fn metrics(&self) -> &[&'static str] {
        &self.names
    }

    fn steps(&self) -> u32 {
        self.model.steps()
    }

    fn init(&self, seeds: &Seeds) -> State {
        self.model.init(seeds)
    }

    fn step(&self, state: &mut State, step: u32, seeds: &Seeds) {
        self.model.step(state, step, seeds)
    }

    fn observe(&self, state: &State, out: &mut [f64]) {
        let width = self.model.metrics().len();
        self.model.observe(state, &mut out[..width]);
        let org = self.model.org();
        for (k, &u) in self.units.iter().enumerate() {
            let at = width + k * UNIT_COLUMNS.len();
            out[at..at + UNIT_COLUMNS.len()].copy_from_slice(&unit_state(org, state, u as usize));
        }
    }

    fn stop(&self, state: &State, step: u32) -> bool {
        self.model.stop(state, step)
    }

    fn may_be_undefined(&self, m: usize) -> bool {
        m < self.model.metrics().len() && self.model.may_be_undefined(m)
    }

    fn groups(&self) -> Vec<String> {
        self.model.groups()
    }

    fn observe_groups(&self, state: &State, out: &mut [f32]) {
        self.model.observe_groups(state, out)
    }

    fn markers(&self) -> Vec<Marker> {
        self.model.markers()
    }

    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        let mut b = self.model.bounds();
        for _ in self.units {
            b.extend([Some((0.0, 1.0)); 5]);
            b.extend([None; 2]);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RunId, run_seeded};
    use crate::scenario::Scenario;

    #[test]
    fn a_probed_run_is_the_run_and_the_top_unit_is_the_organization() {
        let s = Scenario::from_file(
            std::path::Path::new("snow-in-the-sun"),
            &["org.employees=300".into(), "duration=\"8y\"".into()],
        )
        .unwrap();
        let m = s.model.learning_culture().unwrap();
        let top = m.org().find("top").unwrap() as u32;
        let leaf = (0..m.org().units()).find(|&u| m.org().is_team(u)).unwrap() as u32;
        let units = [top, leaf];
        let seeds = Seeds::new(
            5,
            RunId {
                point: 0,
                replicate: 1,
            },
        );
        let plain = run_seeded(m, seeds);
        let probed = run_seeded(&Probed::new(m, &units), seeds);
        let w = m.metrics().len();
        assert_eq!(probed.width, w + 14);
        let top_cols = Columns::probe(w, 0);
        let leaf_cols = Columns::probe(w, 1);
        for n in 0..plain.len() {
            let (a, b) = (plain.row(n), probed.row(n));
            assert_eq!(
                a,
                &b[..w],
                "step {n}: the model's own columns are untouched"
            );
            // The top unit holds every team: its headcount, leavers,
            // engagement, belief, practice and support are the organization's.
            for (org, unit) in [
                (Columns::ORG.headcount, top_cols.headcount),
                (Columns::ORG.leavers, top_cols.leavers),
            ] {
                assert_eq!(a[org], b[unit], "step {n}");
            }
            for (org, unit) in [
                (Columns::ORG.engagement, top_cols.engagement),
                (Columns::ORG.belief, top_cols.belief),
                (Columns::ORG.practice, top_cols.practice),
                (Columns::ORG.support, top_cols.support),
            ] {
                assert!(
                    (a[org] - b[unit]).abs() < 1e-5,
                    "step {n}: {} vs {}",
                    a[org],
                    b[unit]
                );
            }
            // A team is a part: fewer people than the organization.
            assert!(b[leaf_cols.headcount] < b[top_cols.headcount]);
            assert!((0.0..=1.0).contains(&b[leaf_cols.culture]));
        }
    }
}
