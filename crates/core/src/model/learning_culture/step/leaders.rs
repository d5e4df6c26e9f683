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

    /// Leader dynamics: adaptation, the leadership programme, taking
    /// charge, turnover (E15–E16, E32).
    pub(super) fn leaders(&self, s: &mut State, step: u32, seeds: &Seeds) {
        self.adapt_leaders(s);
        leadership_programmes(s);
        self.take_charge(s);
        if self.setup.params.leadership.turnover > 0.0 {
            self.replace_leavers(s, step, seeds);
        }
    }

    /// Every adapting leader moves toward their superior's alignment of
    /// last week and the belief of the people below them (E15–E16, update 1), from what
    /// they see below (`belief_below`, into `scratch_below`).
    fn adapt_leaders(&self, s: &mut State) {
        let ld = &self.setup.params.leadership;
        let org = &self.org;
        let (rate, asym) = (ld.alignment_rate as f32, ld.asymmetry as f32);
        let weights = [ld.conviction as f32, ld.upward as f32];
        s.scratch_alignment.copy_from_slice(&s.alignment);
        self.belief_below(s);
        // Synchronous, so in parallel. The top has no superior: it adapts
        // only to the people below, if upward influence is on.
        let (old, below, own) = (&s.scratch_alignment, &s.scratch_below, &s.conviction);
        s.alignment
            .par_chunks_mut(GROUP)
            .zip(s.adapts.par_chunks(GROUP))
            .enumerate()
            .for_each(|(g, (al, ad))| {
                for (j, (a, &adapts)) in al.iter_mut().zip(ad).enumerate() {
                    let u = g * GROUP + j;
                    if adapts == 1 && (u > 0 || weights[1] > 0.0) {
                        let parent = (u > 0).then(|| old[org.unit_parent[u] as usize]);
                        let target = alignment_target(own[u], parent, below[u][1], weights);
                        *a = asymmetric_step(old[u], target, rate, asym);
                    }
                }
            });
    }

    /// Taking charge (E32): every leader's share of support that reaches
    /// the people grows one week on (a successor below starts again at r₀,
    /// in `replace_leavers`); nothing to do when everyone is in charge at once.
    fn take_charge(&self, s: &mut State) {
        let ld = &self.setup.params.leadership;
        let charge_carry = habit_carry(ld.taking_charge) as f32;
        let first = self.first_support();
        let first_within = ld.first_charge(true) as f32;
        if first < 1.0 || first_within < 1.0 {
            s.charge.par_chunks_mut(GROUP).for_each(|rs| {
                rs.iter_mut()
                    .for_each(|r| *r = taking_charge(*r, charge_carry))
            });
        }
    }

    /// Leader turnover (E15–E16, update 3): whether each leader leaves is a counter-based
    /// draw; a successor's traits come from a stream of their own. Promoted
    /// from within, the successor carries the unit's beliefs; from outside,
    /// the pool's.
    fn replace_leavers(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let ld = &self.setup.params.leadership;
        let first = self.first_support();
        let first_within = ld.first_charge(true) as f32;
        let key = seeds.hash(&[tag::LEADERS, u64::from(step)]);
        let turnover = ld.turnover as f32;
        let internal = ld.internal as f32;
        let pool = &self.setup.leaders;
        let below = &s.scratch_below;
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
                    if split24(draw(key, u as u64)).0 < turnover {
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

/// The leadership programme (E15–E16, update 2): it develops the reached leaders'
/// alignment, commitment and conviction, so what it builds lasts after it
/// ends.
fn leadership_programmes(s: &mut State) {
    for prog in s.programmes.iter() {
        if prog.programme == Programme::Leadership {
            let (hit, gain) = (&prog.reached, prog.strength);
            s.alignment
                .par_chunks_mut(GROUP)
                .zip(s.commitment.par_chunks_mut(GROUP))
                .zip(s.conviction.par_chunks_mut(GROUP))
                .enumerate()
                .for_each(|(g, ((al, co), cv))| {
                    let hit = &hit[g * GROUP..g * GROUP + al.len()];
                    for (((a, c), v), &h) in al.iter_mut().zip(co).zip(cv).zip(hit) {
                        if h == 1 {
                            *a += gain * (1.0 - *a);
                            *c += gain * (1.0 - *c);
                            *v += gain * (1.0 - *v);
                        }
                    }
                });
        }
    }
}
