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
    /// sees its leader's own alignment in both). One serial pass from the
    /// last unit to the top, so the sums are added in one fixed order: the
    /// same bits at any thread count. (It replaced two parallel passes and
    /// a tree pass: cheaper at 10⁶ employees, see BENCHMARKS.md.)
    fn belief_below(&self, s: &mut State) {
        let org = &self.org;
        let high = self.setup.params.culture.high_threshold as f32;
        let (tally, culture, alignment) = (&s.tally, &s.culture, &s.alignment);
        let (sums, below) = (&mut s.scratch_sums, &mut s.scratch_below);
        // One pass up the tree (a parent comes before its children): when
        // unit u is reached, its children have added their subtree sums to
        // its entry, which every step starts at zero and leaves at zero.
        // A team is a leaf (one team per leaf unit): its sums are its own.
        for u in (0..org.units()).rev() {
            let mut e = std::mem::take(&mut sums[u]);
            if org.is_team(u) {
                debug_assert_eq!(e.2, 0, "a team's unit is a leaf");
                let t = org.unit_teams[u].0 as usize;
                let (x, c) = (&tally[t], culture[t]);
                e.0 += f64::from(x.belief);
                e.1 += f64::from(u8::from(c >= high)) * f64::from(x.active);
                e.2 += u64::from(x.active);
            }
            let (b, c, n) = e;
            below[u] = if n > 0 {
                let n = n as f64;
                [(b / n) as f32, (c / n) as f32]
            } else {
                [alignment[u], alignment[u]]
            };
            if u > 0 {
                debug_assert!(
                    (org.unit_parent[u] as usize) < u,
                    "a parent precedes its children"
                );
                let p = &mut sums[org.unit_parent[u] as usize];
                p.0 += b;
                p.1 += c;
                p.2 += n;
            }
        }
    }
}
