//! The leaders' phase of a step (the end of phase 6): every adapting
//! leader moves toward their superior and the people below them, the
//! leadership programme acts, new leaders take charge (E32), and some
//! leaders leave and are replaced.

use super::super::LearningCulture;
use super::super::equations::{alignment_target, asymmetric_step, habit_carry, taking_charge};
use super::super::events::Programme;
use super::super::kernel::{draw, split24};
use super::super::state::State;
use super::super::{tag, unit};
use super::uniform;
use crate::engine::Seeds;
use crate::engine::par::GROUP;
use rayon::prelude::*;

impl LearningCulture {
    /// r₀, the share of support a new leader brings to bear at first
    /// (E32), or 1 when taking charge is off.
    pub(super) fn first_support(&self) -> f32 {
        self.setup.params.leadership.first_charge(false) as f32
    }

    /// Leader dynamics (E15–E16, E32), in one parallel pass over the
    /// units: each leader, in this order, adapts toward their superior's
    /// alignment of last week and the people below them (update 1), is
    /// developed by any leadership programme that reaches them (update 2),
    /// takes charge one week further, and may leave and be replaced
    /// (update 3). Each unit's updates read only its own state, its
    /// superior's alignment of last week (`scratch_alignment`) and what it
    /// sees below (`scratch_below`), so one pass gives the same bits as
    /// four passes one after the other, at any thread count.
    pub(super) fn leaders(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let ld = &self.setup.params.leadership;
        let org = &self.org;
        // Update 1: adaptation.
        let (rate, asym) = (ld.alignment_rate as f32, ld.asymmetry as f32);
        let weights = [ld.conviction as f32, ld.upward as f32];
        s.scratch_alignment.copy_from_slice(&s.alignment);
        self.belief_below(s);
        // Update 2: the leadership programmes running this week.
        let programmes: Vec<(&[u8], f32)> = s
            .programmes
            .iter()
            .filter(|p| p.programme == Programme::Leadership)
            .map(|p| (&p.reached[..], p.strength))
            .collect();
        // Taking charge (E32); nothing to do when everyone is in charge at once.
        let charge_carry = habit_carry(ld.taking_charge) as f32;
        let first = self.first_support();
        let first_within = ld.first_charge(true) as f32;
        let charging = first < 1.0 || first_within < 1.0;
        // Update 3: turnover, a counter-based draw per leader; a
        // successor's traits come from a stream of their own.
        let key = seeds.hash(&[tag::LEADERS, u64::from(step)]);
        let turnover = ld.turnover as f32;
        let internal = ld.internal as f32;
        let pool = &self.setup.leaders;
        let (old, below) = (&s.scratch_alignment, &s.scratch_below);
        s.alignment
            .par_chunks_mut(GROUP)
            .zip(s.commitment.par_chunks_mut(GROUP))
            .zip(s.adapts.par_chunks_mut(GROUP))
            .zip(s.conviction.par_chunks_mut(GROUP))
            .zip(s.charge.par_chunks_mut(GROUP))
            .enumerate()
            .for_each(|(g, ((((al, co), ad), cv), ch))| {
                for (j, ((((a, c), adapts), v), r)) in
                    al.iter_mut().zip(co).zip(ad).zip(cv).zip(ch).enumerate()
                {
                    let u = g * GROUP + j;
                    // The top has no superior: it adapts only to the
                    // people below, if upward influence is on.
                    if *adapts == 1 && (u > 0 || weights[1] > 0.0) {
                        let parent = (u > 0).then(|| old[org.unit_parent[u] as usize]);
                        let target = alignment_target(*v, parent, below[u][1], weights);
                        *a = asymmetric_step(old[u], target, rate, asym);
                    }
                    // What the programme builds lasts after it ends.
                    for &(hit, gain) in &programmes {
                        if hit[u] == 1 {
                            *a += gain * (1.0 - *a);
                            *c += gain * (1.0 - *c);
                            *v += gain * (1.0 - *v);
                        }
                    }
                    if charging {
                        *r = taking_charge(*r, charge_carry);
                    }
                    if turnover > 0.0 && split24(draw(key, u as u64)).0 < turnover {
                        let mut rng = seeds.stream(&[tag::LEADERS, u64::from(step), u as u64]);
                        // Promoted from within, the successor carries
                        // the unit's beliefs; from outside, the pool's.
                        let drawn = unit(pool.alignment.sample(&mut rng));
                        *c = unit(pool.commitment.sample(&mut rng));
                        let from_within = internal > 0.0 && uniform(&mut rng) < internal;
                        *a = if from_within { below[u][0] } else { drawn };
                        *v = *a;
                        *adapts = 1;
                        *r = if from_within { first_within } else { first };
                    }
                }
            });
    }

    /// What each unit's leader sees below them, from this week's tallies
    /// and the teams' new local cultures, into `scratch_below`: the mean
    /// belief of the active employees in the unit's subtree and their
    /// headcount-weighted mean local culture (a unit with nobody below
    /// sees its leader's own alignment in both). Level by level from the
    /// deepest up, each level in parallel: a team's sums are its own, a
    /// unit's are its reports' sums added from the last report to the
    /// first, so every sum is added in one fixed order: the same bits at
    /// any thread count. (It replaced two parallel passes and a tree pass,
    /// then one serial pass up the tree: see BENCHMARKS.md.)
    fn belief_below(&self, s: &mut State) {
        let org = &self.org;
        let high = self.setup.params.culture.high_threshold as f32;
        let (tally, culture, alignment) = (&s.tally, &s.culture, &s.alignment);
        let (sums, below) = (&mut s.scratch_sums, &mut s.scratch_below);
        for r in org.level_units().rev() {
            let (lo, hi) = (r.start, r.end);
            let (upper, deeper) = sums.split_at_mut(hi);
            let deeper: &[(f64, f64, u64)] = deeper;
            upper[lo..]
                .par_chunks_mut(GROUP)
                .zip(below[lo..hi].par_chunks_mut(GROUP))
                .enumerate()
                .for_each(|(g, (es, bs))| {
                    for (j, (e, bl)) in es.iter_mut().zip(bs).enumerate() {
                        let u = lo + g * GROUP + j;
                        let (c0, c1) = org.unit_children[u];
                        let mut x = (0.0f64, 0.0f64, 0u64);
                        if c0 == c1 {
                            // A leaf is a team.
                            let t = org.unit_teams[u].0 as usize;
                            let (y, c) = (&tally[t], culture[t]);
                            x.0 += f64::from(y.belief);
                            x.1 += f64::from(u8::from(c >= high)) * f64::from(y.active);
                            x.2 += u64::from(y.active);
                        } else {
                            // The reports' subtree sums, last to first.
                            for c in (c0 as usize..c1 as usize).rev() {
                                let y = deeper[c - hi];
                                x.0 += y.0;
                                x.1 += y.1;
                                x.2 += y.2;
                            }
                        }
                        let (b, c, n) = x;
                        *bl = if n > 0 {
                            let n = n as f64;
                            [(b / n) as f32, (c / n) as f32]
                        } else {
                            [alignment[u], alignment[u]]
                        };
                        *e = x;
                    }
                });
        }
    }
}
