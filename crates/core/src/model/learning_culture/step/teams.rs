//! Phases 5 and 6 of a step: each team's practice and local culture, then
//! the organization's culture and the codified stock; the leaders' phase
//! ([`super::leaders`]) closes the step.

use super::super::LearningCulture;
use super::super::equations::{
    asymmetric_step, codified_next, culture_target, lead_weight, select,
};
use super::super::events::Programme;
use super::super::state::{State, TeamTally, Totals};
use crate::engine::Seeds;
use crate::engine::par::GROUP;
use rayon::prelude::*;

impl LearningCulture {
    /// Phases 5 and 6: teams, organization, leaders.
    pub(super) fn teams_and_org(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let p = &self.setup.params;
        let cu = &p.culture;
        let la = &p.learnathon;
        let v = [
            cu.from_practice as f32,
            cu.from_belief as f32,
            cu.from_support as f32,
            cu.from_org as f32,
        ];
        let org_c = s.org_culture as f32;
        // Each team's practice and local culture, from its own old values:
        // independent, so in parallel. The same pass sums, group by group,
        // what the organization needs from the teams (`Sums`). The culture
        // target moves over the step as practice does, from the old to the
        // new (E11, exact for a linear move: `lead_weight`).
        let (lead_up, lead_down) = (
            lead_weight(cu.rate) as f32,
            lead_weight(cu.rate * cu.asymmetry) as f32,
        );
        let (tally, support, programmes) = (&s.tally, &s.support, &s.programmes);
        let mut parts = Vec::new();
        let (practice_rate, boost) = (cu.practice_rate as f32, la.practice_boost as f32);
        let (rate, asym) = (cu.rate as f32, cu.asymmetry as f32);
        s.practice
            .par_chunks_mut(GROUP)
            .zip(s.culture.par_chunks_mut(GROUP))
            .enumerate()
            .map(|(g, (ps, cs))| {
                let mut sums = Sums::default();
                for (j, (p, c)) in ps.iter_mut().zip(cs).enumerate() {
                    let t = g * GROUP + j;
                    let tl = tally[t];
                    let n = tl.active as f32;
                    let (old_p, old_c) = (*p, *c);
                    let (e, b) = if tl.active > 0 {
                        (tl.engaged as f32 / n, tl.belief / n)
                    } else {
                        (0.0, 0.0)
                    };
                    let mut np = old_p + practice_rate * (e - old_p);
                    if tl.successes > 0 && tl.active > 0 {
                        np += boost * tl.successes as f32 / n * (1.0 - np);
                    }
                    for prog in programmes {
                        if prog.programme == Programme::Practice && prog.reached[t] == 1 {
                            np += prog.strength * (1.0 - np);
                        }
                    }
                    *p = np.clamp(0.0, 1.0);
                    let target = culture_target(v, old_p, b, support[t], org_c);
                    let moved = culture_target(v, *p, b, support[t], org_c) - target;
                    let lead = select(target >= old_c, lead_up, lead_down);
                    *c =
                        (asymmetric_step(old_c, target, rate, asym) + lead * moved).clamp(0.0, 1.0);
                    sums.add(&tl, old_c, *c);
                }
                sums
            })
            .collect_into_vec(&mut parts);
        let sums = parts.iter().fold(Sums::default(), |mut a, b| {
            a.combine(b);
            a
        });
        // The organization's culture follows the headcount-weighted mean of
        // the local cultures (this step's headcounts) as they move from last
        // step's to this step's. E13, exact for local cultures moving
        // linearly over the step.
        s.org_culture = if sums.active > 0 {
            let n = sums.active as f64;
            let (old_c, new_c) = (sums.old_culture / n, sums.new_culture / n);
            s.org_culture
                + cu.org_rate * (old_c - s.org_culture)
                + lead_weight(cu.org_rate) * (new_c - old_c)
        } else {
            s.org_culture
        };
        s.totals = Totals {
            leavers: s.event_leavers,
            knowledge_lost: s.event_knowledge_lost,
            ..Totals::default()
        };
        s.totals.add(&sums.totals);
        let t = &s.totals;
        let n = f64::from(t.headcount.max(1));
        let f = &p.formalization;
        s.codified = codified_next(
            s.codified,
            f.rate,
            f64::from(t.engaged) / n,
            t.knowledge / n,
            f.decay,
        );
        self.leaders(s, step, seeds);
        s.programme_steps += s.programmes.len() as u64;
        s.programmes.retain(|a| a.until > step + 1);
    }
}

/// What the organization needs from one group of [`GROUP`] teams, summed
/// in team order; the groups' sums are then added in group order. The
/// grouping and order are those of [`crate::engine::par::ordered_fold`]
/// (and of [`super::totals`]): the same bits at any thread count, and the
/// same as summing in separate passes.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    /// Σ c_t·n_t with last step's local cultures c_t, n_t a team's active employees.
    old_culture: f64,
    /// Σ c_t·n_t with this step's local cultures.
    new_culture: f64,
    /// Σ n_t.
    active: u64,
    /// The organization totals of the group's tallies.
    totals: Totals,
}

impl Sums {
    /// Add a team: its tally and its local culture before and after the step.
    #[inline]
    fn add(&mut self, x: &TeamTally, old_c: f32, new_c: f32) {
        let n = f64::from(x.active);
        self.old_culture += f64::from(old_c) * n;
        self.new_culture += f64::from(new_c) * n;
        self.active += u64::from(x.active);
        self.totals.add(&Totals::of(x));
    }

    /// Add another group's sums.
    fn combine(&mut self, b: &Sums) {
        self.old_culture += b.old_culture;
        self.new_culture += b.new_culture;
        self.active += b.active;
        self.totals.add(&b.totals);
    }
}
