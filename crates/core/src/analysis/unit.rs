//! The unit a shock hits: when the first shock (a `replace_leader` event)
//! replaces the leader of one named unit or team (scope `unit:…` or
//! `team:…`), which of the model's reported groups lie inside it, and its
//! own culture trajectory in a run — the groups' local culture (sampled
//! every few steps, see [`crate::engine::group_stride`]) weighted by their
//! positions. Used by the summary (per-unit shock metrics), `run`'s table,
//! the report and the live page.

use crate::engine::{Marker, Model, RunOutput, group_stride};
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::events::{Kind, Scope, When};

/// The unit or team the first shock hits.
#[derive(Debug, Clone, PartialEq)]
pub struct ShockedUnit {
    /// Its name (`u1`, `u1.1.1`, or the org chart's).
    pub name: String,
    /// Whether it is a team.
    pub team: bool,
    /// Levels below the top (1: a division).
    pub depth: u16,
    /// Positions (seats) in it.
    pub people: usize,
    /// Steps between two values of its trajectory.
    pub every: u32,
    /// (index among the model's groups, positions) of the groups inside it.
    pub groups: Vec<(usize, f64)>,
}

impl ShockedUnit {
    /// The unit hit by the shock at `shock` (the first marker flagged a
    /// shock), when that event's scope names one unit or team other than
    /// the top and at least one reported group lies inside it.
    pub fn of(model: &LearningCulture, shock: &Marker) -> Option<Self> {
        let steps = model.steps();
        let event = model.setup().events.iter().find(|e| {
            matches!(e.kind, Kind::ReplaceLeader { .. })
                && e.when != When::At(0)
                && e.when.occurrences(steps).contains(&shock.step)
        })?;
        let (Scope::Unit(name) | Scope::Team(name)) = &event.scope else {
            return None;
        };
        let org = model.org();
        let u = org.find(name)?;
        if u == 0 {
            return None;
        }
        let (lo, hi) = org.unit_teams[u];
        let positions =
            |lo: u32, hi: u32| f64::from(org.team_start[hi as usize] - org.team_start[lo as usize]);
        let groups: Vec<(usize, f64)> = model
            .groups()
            .iter()
            .enumerate()
            .filter_map(|(k, g)| {
                let (glo, ghi) = org.unit_teams[org.find(g)?];
                (lo <= glo && ghi <= hi).then(|| (k, positions(glo, ghi)))
            })
            .collect();
        (!groups.is_empty()).then(|| Self {
            name: name.clone(),
            team: org.is_team(u),
            depth: org.unit_depth[u],
            people: positions(lo, hi) as usize,
            every: group_stride(steps),
            groups,
        })
    }

    /// The first shock's unit for a model of any kind (only the
    /// learning-culture model has units).
    pub fn of_model(model: Option<&LearningCulture>, markers: &[Marker]) -> Option<Self> {
        let shock = markers.iter().find(|m| m.shock)?;
        Self::of(model?, shock)
    }

    /// The unit's local culture in one run, every `every` steps: its
    /// groups' local culture weighted by their positions.
    pub fn series(&self, run: &RunOutput) -> Vec<f64> {
        let width = run.group_width.max(1);
        let total: f64 = self.groups.iter().map(|(_, w)| w).sum();
        run.groups
            .chunks(width)
            .map(|row| {
                self.groups
                    .iter()
                    .map(|&(k, w)| w * f64::from(row[k]))
                    .sum::<f64>()
                    / total
            })
            .collect()
    }

    /// "team u1.1.1", "division u1", "unit u1.2".
    pub fn title(&self) -> String {
        format!("{} {}", self.kind_word(), self.name)
    }

    /// "team", "division" or "unit".
    pub fn kind_word(&self) -> &'static str {
        if self.team {
            "team"
        } else if self.depth == 1 {
            "division"
        } else {
            "unit"
        }
    }
}
