//! Phases 2 and 3 of a step: the support each team receives from the
//! leaders above it, the team tallies (recounted when an event changed
//! employees) and the communities of practice's means.

use super::super::LearningCulture;
use super::super::state::{CommunityMeans, NO_COMMUNITY, State, TeamTally};
use super::{count, totals};
use crate::engine::par::par_groups;
use crate::model::learning_culture::equations::gate;
use rayon::prelude::*;

impl LearningCulture {
    /// Phase 2: S_t = d_team · Π_ancestors gate(d_u), d = alignment ×
    /// commitment × taking charge (E32).
    pub(in crate::model::learning_culture) fn compute_support(&self, s: &mut State) {
        let org = &self.org;
        let ld = &self.setup.params.leadership;
        let (level, floor) = (ld.gate as f32, ld.gate_floor as f32);
        let (alignment, commitment, charge) = (&s.alignment, &s.commitment, &s.charge);
        // Each unit's gate (what its superior lets through) times its
        // superior's, level by level from the top, each level in parallel:
        // a superior's product is final before its reports read it.
        s.scratch_gate[0] = 1.0;
        for r in org.level_units().skip(1) {
            let (upper, rest) = s.scratch_gate.split_at_mut(r.start);
            let upper: &[f32] = upper;
            par_groups(&mut rest[..r.len()], |first, gs| {
                for (j, g) in gs.iter_mut().enumerate() {
                    let p = org.unit_parent[r.start + first + j] as usize;
                    *g = gate(alignment[p] * commitment[p] * charge[p], level, floor) * upper[p];
                }
            });
        }
        let g = &s.scratch_gate;
        par_groups(&mut s.support, |first, ss| {
            for (support, &u) in ss.iter_mut().zip(&org.team_unit[first..]) {
                let u = u as usize;
                *support = alignment[u] * commitment[u] * charge[u] * g[u];
            }
        });
    }

    /// Recompute the team tallies (active, sums) and totals from the state.
    pub(in crate::model::learning_culture) fn recount(&self, s: &mut State) {
        let org = &self.org;
        let emp = s.emp.view();
        s.tally.par_iter_mut().enumerate().for_each(|(t, tl)| {
            let mut x = TeamTally::default();
            for i in org.team_slots(t) {
                if emp.active[i] == 1 {
                    count(&mut x, &emp, i);
                }
            }
            *tl = x;
        });
        s.totals = totals(&s.tally, s.event_leavers, s.event_knowledge_lost);
        s.tally_fresh = true;
    }

    /// Community means (belief, knowledge, members), in slot order.
    pub(super) fn community_means(&self, s: &mut State) {
        let n = self.setup.params.community.communities as usize;
        // (belief, knowledge, support, engaged, members)
        let mut sums = vec![(0.0f64, 0.0f64, 0.0f64, 0u32, 0u32); n];
        for t in 0..self.org.teams() {
            for i in self.org.team_slots(t) {
                let c = s.emp.community[i];
                if c != NO_COMMUNITY && s.emp.active[i] == 1 {
                    let e = &mut sums[c as usize];
                    e.0 += f64::from(s.emp.belief[i]);
                    e.1 += f64::from(s.emp.knowledge[i]);
                    e.2 += f64::from(s.support[t]);
                    e.3 += u32::from(s.emp.engaged[i]);
                    e.4 += 1;
                }
            }
        }
        s.communities = sums
            .into_iter()
            .map(|(b, k, sup, e, m)| {
                let d = f64::from(m.max(1));
                CommunityMeans {
                    belief: (b / d) as f32,
                    knowledge: (k / d) as f32,
                    support: (sup / d) as f32,
                    practice: (f64::from(e) / d) as f32,
                }
            })
            .collect();
    }
}
