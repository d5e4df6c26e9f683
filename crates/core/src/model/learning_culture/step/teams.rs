//! Phases 5 and 6 of a step: each team's practice and local culture, then
//! the organization's culture and the codified stock; the leaders' phase
//! ([`super::leaders`]) closes the step.

use super::super::LearningCulture;
use super::super::equations::{
    asymmetric_step, codified_next, culture_target, lead_weight, select,
};
use super::super::events::Programme;
use super::super::state::{State, TeamTally};
use super::totals;
use crate::engine::Seeds;
use crate::engine::par::{GROUP, ordered_fold};
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
        // The organization's culture follows the headcount-weighted mean of
        // the local cultures (this step's headcounts), from last step's
        // (here) to this step's (after the teams).
        let (weighted_c, active_total) = weighted_culture(&s.tally, &s.culture);
        // Each team's practice and local culture, from its own old values:
        // independent, so in parallel. The culture target moves over the
        // step as practice does, from the old to the new (E11, exact for a
        // linear move: `lead_weight`).
        let (lead_up, lead_down) = (
            lead_weight(cu.rate) as f32,
            lead_weight(cu.rate * cu.asymmetry) as f32,
        );
        let (tally, support, programmes) = (&s.tally, &s.support, &s.programmes);
        let (practice_rate, boost) = (cu.practice_rate as f32, la.practice_boost as f32);
        let (rate, asym) = (cu.rate as f32, cu.asymmetry as f32);
        s.practice
            .par_chunks_mut(GROUP)
            .zip(s.culture.par_chunks_mut(GROUP))
            .enumerate()
            .for_each(|(g, (ps, cs))| {
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
                }
            });
        // E13, exact for local cultures moving linearly over the step.
        s.org_culture = if active_total > 0 {
            let n = active_total as f64;
            let (old_c, new_c) = (weighted_c / n, weighted_culture(&s.tally, &s.culture).0 / n);
            s.org_culture
                + cu.org_rate * (old_c - s.org_culture)
                + lead_weight(cu.org_rate) * (new_c - old_c)
        } else {
            s.org_culture
        };
        s.totals = totals(&s.tally, s.event_leavers, s.event_knowledge_lost);
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

/// Σ c_t·n_t and Σ n_t over the teams, n_t a team's active employees (in
/// parallel, in a fixed grouping: the same bits at any thread count).
fn weighted_culture(tally: &[TeamTally], culture: &[f32]) -> (f64, u64) {
    ordered_fold(
        tally.len(),
        (0.0f64, 0u64),
        |r| {
            let (mut w, mut n) = (0.0f64, 0u64);
            for (x, &c) in tally[r.clone()].iter().zip(&culture[r]) {
                w += f64::from(c) * f64::from(x.active);
                n += u64::from(x.active);
            }
            (w, n)
        },
        |(w, n), (v, m)| (w + v, n + m),
    )
}
