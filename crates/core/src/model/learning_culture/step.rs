//! One step (a week) of the learning-culture dynamics.
//!
//! Order within a step, each phase reading the state the previous phase
//! left (docs/MODEL.md, "One step"):
//! 1. timeline events of this step take effect;
//! 2. leader support is propagated down the hierarchy;
//! 3. team peer beliefs and community means are aggregated;
//! 4. employees (in parallel by blocks of teams, each team with its own
//!    stream) leave, learn, update beliefs; vacancies are filled;
//! 5. teams update practice from this step's engagement, then local
//!    culture, its target moving over the step from the old practice to
//!    the new (synchronous: every team reads the same inputs);
//! 6. the organization's culture follows the local cultures, moving over
//!    the step from the old to the new, and the codified stock follows;
//!    leaders adapt, programmes act on them, some leave and are replaced.

use super::equations::{
    alignment_target, asymmetric_step, belief_target, codified_next, culture_target,
    effective_commitment, effective_influence, engagement_chain, engages_with_habit, gate,
    habit_carry, knowledge_next, lead_weight, leave_probability, misfit_leave, onboarded_knowledge,
    participation_probability, perceived_culture, select, selected_belief, taking_charge,
    team_drive,
};
use super::events::{Kind, Programme, teams_under, units_under};
use super::kernel::{
    CHUNK, Gain, Kernel, Lanes, Outcome, Segment, TeamWeek, Week, belief_rate, draw, fast,
    learn_week, project_week, split24,
};
use super::state::{
    ActiveProgramme, CommunityMeans, EmployeesMut, NO_COMMUNITY, ROOM_TO_GROW, Relaunch, State,
    TeamInput, TeamTally, Totals,
};
use super::{LearningCulture, tag, unit};
use crate::engine::Seeds;
use crate::engine::par::{GROUP, ordered_fold, par_groups};
use crate::engine::rng::{Stream, hash_keys, unit_from_hash};
use rand::{Rng, RngExt};
use rayon::prelude::*;

/// A uniform `f32` in [0, 1) from 24 random bits.
#[inline]
pub(super) fn uniform<R: Rng>(rng: &mut R) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// Membership hash for programmes: is `id` among the share `reach`?
#[inline]
fn reached(seed_key: u64, id: u64, reach: f32) -> bool {
    unit_from_hash(hash_keys(seed_key, &[id])) < f64::from(reach)
}

impl LearningCulture {
    /// Phase 2: S_t = d_team · Π_ancestors gate(d_u), d = alignment ×
    /// commitment × taking charge (E32).
    pub(super) fn compute_support(&self, s: &mut State) {
        let org = &self.org;
        let ld = &self.setup.params.leadership;
        let (level, floor) = (ld.gate as f32, ld.gate_floor as f32);
        let (alignment, commitment, charge) = (&s.alignment, &s.commitment, &s.charge);
        // Each unit's own gate (what its superior lets through), in
        // parallel; then the products down the tree (units are numbered
        // breadth first, so a superior comes before its reports).
        par_groups(&mut s.scratch_gate, |first, gs| {
            for (j, g) in gs.iter_mut().enumerate() {
                let u = first + j;
                *g = if u == 0 {
                    1.0
                } else {
                    let p = org.unit_parent[u] as usize;
                    gate(alignment[p] * commitment[p] * charge[p], level, floor)
                };
            }
        });
        for u in 1..org.units() {
            let p = org.unit_parent[u] as usize;
            s.scratch_gate[u] *= s.scratch_gate[p];
        }
        let g = &s.scratch_gate;
        par_groups(&mut s.support, |first, ss| {
            for (support, &u) in ss.iter_mut().zip(&org.team_unit[first..]) {
                let u = u as usize;
                *support = alignment[u] * commitment[u] * charge[u] * g[u];
            }
        });
    }

    /// r₀, the share of support a new leader brings to bear at first
    /// (E32), or 1 when taking charge is off.
    fn first_support(&self) -> f32 {
        self.setup.params.leadership.first_charge(false) as f32
    }

    /// Recompute the team tallies (active, sums) and totals from the state.
    pub(super) fn recount(&self, s: &mut State) {
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
    fn community_means(&self, s: &mut State) {
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

    /// Advance the state by one step.
    pub(super) fn advance(&self, s: &mut State, step: u32, seeds: &Seeds) {
        s.event_leavers = 0;
        s.event_knowledge_lost = 0.0;
        self.apply_events(s, step, seeds);
        self.compute_support(s);
        // The employee pass left exact tallies (the same sums in the same
        // order as a recount); only an event that changed employees since
        // makes a fresh count necessary.
        if !s.tally_fresh {
            self.recount(s);
        }
        if s.community_density > 0.0 {
            self.community_means(s);
        }
        self.employees(s, step, seeds);
        self.teams_and_org(s, step, seeds);
    }

    /// Phase 4: every employee slot, in parallel by blocks of teams.
    fn employees(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let org = &self.org;
        let p = &self.setup.params;
        let gate_level = p.leadership.gate as f32;
        let commitment = s.learnathon_commitment;
        let (w_org, org_c) = (p.culture.perceived_org as f32, s.org_culture as f32);
        let mut inputs = std::mem::take(&mut s.scratch_inputs);
        (0..org.teams())
            .into_par_iter()
            .map(|t| {
                let tl = &s.tally[t];
                let peer = if tl.influence > 0.0 {
                    tl.weighted_belief / tl.influence
                } else {
                    0.0
                };
                TeamInput {
                    support: s.support[t],
                    practice: s.practice[t],
                    culture: perceived_culture(s.culture[t], org_c, w_org),
                    peer_belief: peer,
                    commitment: effective_commitment(commitment, s.support[t], gate_level),
                }
            })
            .with_min_len(GROUP)
            .collect_into_vec(&mut inputs);
        let mastery_programmes: Vec<&ActiveProgramme> = s
            .programmes
            .iter()
            .filter(|a| a.programme == Programme::Mastery)
            .collect();
        let p = &self.setup.params;
        let (la, bl, ln) = (&p.learnathon, &p.belief, &p.learning);
        let w = &self.coeffs.engagement;
        let inv_tau = 1.0 / w.softness;
        // Habit and explicit informal learning, exact per step together (E21, E23).
        let (psi, formalize) = engagement_chain(p.engagement.habit_weeks, p.formalization.informal);
        let psi = psi as f32;
        let tu = &p.turnover;
        let ctx = Ctx {
            model: self,
            step,
            seeds,
            inputs: &inputs,
            communities: &s.communities,
            density: s.community_density,
            org_culture: s.org_culture as f32,
            mastery: &mastery_programmes,
            inv_tau,
            leave_coeffs: [
                tu.base as f32,
                tu.culture_effect as f32,
                tu.engagement_effect as f32,
            ],
            termination: p.learnathon.termination as f32,
            week: Week {
                key_everyday: seeds.hash(&[tag::EVERYDAY, u64::from(step)]),
                key_project: seeds.hash(&[tag::PROJECT, u64::from(step)]),
                wm: w.mastery * inv_tau,
                wb: w.belief * inv_tau,
                psi,
                fresh_ceiling: w.ceiling * (1.0 - psi),
                formalize: formalize as f32,
                misfit: (tu.base * tu.misfit_effect) as f32,
                lr: [ln.informal as f32, ln.rate as f32],
                draw: ln.draw as f32,
                codified: s.codified as f32,
                forget: ln.forgetting as f32,
                brate: bl.rate as f32,
                brate_new: bl.rate as f32 * (1.0 + bl.socialization_boost as f32),
                soc_weeks: bl.socialization_weeks as f32,
                basym: bl.asymmetry as f32,
                salient: bl.salient as f32,
                sk: la.success_knowledge as f32,
            },
            kernel: self.kernel.resolve(),
        };
        let mut tally_rest: &mut [TeamTally] = &mut s.tally;
        let blocks: Vec<_> = blocks(org, s.emp.view())
            .into_iter()
            .map(|(t0, t1, emp)| {
                let (th, tt) = std::mem::take(&mut tally_rest).split_at_mut((t1 - t0) as usize);
                tally_rest = tt;
                (t0, t1, emp, th)
            })
            .collect();
        // Scratch space per rayon task (not per block), handed down.
        blocks
            .into_par_iter()
            .for_each_init(Scratch::new, |scratch, (t0, t1, emp, tallies)| {
                ctx.block(t0, t1, emp, tallies, scratch)
            });
        s.tally_fresh = true;
        s.scratch_inputs = inputs;
    }

    /// Phases 5 and 6: teams, organization, leaders.
    fn teams_and_org(&self, s: &mut State, step: u32, seeds: &Seeds) {
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

    /// Leader dynamics: adaptation, the leadership programme, turnover.
    fn leaders(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let ld = &self.setup.params.leadership;
        let org = &self.org;
        let (rate, asym) = (ld.alignment_rate as f32, ld.asymmetry as f32);
        let weights = [ld.conviction as f32, ld.upward as f32];
        s.scratch_alignment.copy_from_slice(&s.alignment);
        self.belief_below(s);
        // Every adapting leader moves toward their superior's alignment of
        // last week and the belief of the people below them (synchronous,
        // so in parallel). The top has no superior: it adapts only to the
        // people below, if upward influence is on.
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
        for prog in s.programmes.iter() {
            if prog.programme == Programme::Leadership {
                // The programme develops the leader's conviction too, so
                // what it builds lasts after it ends.
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
        // Taking charge (E32): every leader's share of support that reaches
        // the people grows one week on; a successor below starts again at r₀.
        let charge_carry = habit_carry(ld.taking_charge) as f32;
        let first = self.first_support();
        let first_within = ld.first_charge(true) as f32;
        if first < 1.0 || first_within < 1.0 {
            s.charge.par_chunks_mut(GROUP).for_each(|rs| {
                rs.iter_mut()
                    .for_each(|r| *r = taking_charge(*r, charge_carry))
            });
        }
        if ld.turnover > 0.0 {
            // Whether each leader leaves is a counter-based draw; a
            // successor's traits come from a stream of their own.
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
    }

    /// What each unit's leader sees below them, from this week's tallies
    /// and the teams' new local cultures, into `scratch_below`: the mean
    /// belief of the active employees in the unit's subtree and their
    /// headcount-weighted mean local culture (a unit with nobody below
    /// sees its leader's own alignment in both). Summed team by team in
    /// team order, then up the tree: the same bits at any thread count.
    fn belief_below(&self, s: &mut State) {
        let org = &self.org;
        let high = self.setup.params.culture.high_threshold as f32;
        let sums = &mut s.scratch_sums;
        // Each team is its own unit (a leaf, one team per leaf unit), so
        // each unit's own sums are its team's alone (in parallel).
        let (tally, culture) = (&s.tally, &s.culture);
        par_groups(sums, |first, es| {
            for (j, e) in es.iter_mut().enumerate() {
                let u = first + j;
                *e = (0.0, 0.0, 0);
                if org.is_team(u) {
                    let t = org.unit_teams[u].0 as usize;
                    let (x, c) = (&tally[t], culture[t]);
                    e.0 += f64::from(x.belief);
                    e.1 += f64::from(u8::from(c >= high)) * f64::from(x.active);
                    e.2 += u64::from(x.active);
                }
            }
        });
        for u in (1..org.units()).rev() {
            let (b, c, n) = sums[u];
            let e = &mut sums[org.unit_parent[u] as usize];
            e.0 += b;
            e.1 += c;
            e.2 += n;
        }
        let (sums, alignment) = (&*sums, &s.alignment);
        par_groups(&mut s.scratch_below, |first, outs| {
            for ((out, &(b, c, n)), &a) in
                outs.iter_mut().zip(&sums[first..]).zip(&alignment[first..])
            {
                *out = if n > 0 {
                    let n = n as f64;
                    [(b / n) as f32, (c / n) as f32]
                } else {
                    [a, a]
                };
            }
        });
    }

    /// Phase 1: management's programme reviews and the relaunches due at
    /// `step`, then the events occurring at `step`.
    fn apply_events(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let org = &self.org;
        let p = &self.setup.params;
        if !s.programmes.is_empty() || !s.relaunches.is_empty() {
            self.reviews(s, step, seeds);
        }
        for (index, e) in self.setup.events.iter().enumerate() {
            if !e.when.occurs(step) {
                continue;
            }
            s.tally_fresh = false;
            let key = [tag::EVENT, e.key, u64::from(step)];
            let mut rng = seeds.stream(&key);
            let leaders = e.scope.leaders(org, &s.alignment, &mut rng);
            let teams = teams_under(org, &leaders);
            let slots_in = |t: usize| org.team_slots(t);
            match &e.kind {
                Kind::ReplaceLeader {
                    alignment,
                    commitment,
                    adapt,
                } => {
                    for &u in &leaders {
                        let u = u as usize;
                        s.alignment[u] = unit(alignment.sample(&mut rng));
                        s.conviction[u] = s.alignment[u];
                        let c = commitment
                            .as_ref()
                            .unwrap_or(&self.setup.leaders.commitment);
                        s.commitment[u] = unit(c.sample(&mut rng));
                        s.adapts[u] = u8::from(*adapt);
                        s.charge[u] = self.first_support();
                    }
                }
                Kind::TurnoverWave {
                    fraction,
                    most_influential,
                } => {
                    let in_scope = (0..org.teams())
                        .filter(|&t| teams[t])
                        .flat_map(slots_in)
                        .filter(|&i| s.emp.active[i] == 1);
                    let leaving: Vec<usize> = if *most_influential {
                        let mut ids: Vec<usize> = in_scope.collect();
                        let k = (*fraction * ids.len() as f64).round() as usize;
                        ids.sort_by(|&a, &b| {
                            let e = |i: usize| {
                                effective_influence(s.emp.influence[i], s.emp.knowledge[i])
                            };
                            e(b).total_cmp(&e(a)).then(a.cmp(&b))
                        });
                        ids.truncate(k);
                        ids
                    } else {
                        let f = *fraction as f32;
                        in_scope.filter(|_| uniform(&mut rng) < f).collect()
                    };
                    for i in leaving {
                        s.event_leavers += 1;
                        s.event_knowledge_lost += f64::from(s.emp.knowledge[i]);
                        vacate(&mut s.emp.view(), i);
                    }
                }
                Kind::Reorganization {
                    fraction,
                    disruption,
                } => {
                    let in_scope: Vec<usize> = (0..org.teams()).filter(|&t| teams[t]).collect();
                    if in_scope.len() > 1 {
                        let f = *fraction as f32;
                        for &t in &in_scope {
                            for i in slots_in(t) {
                                if uniform(&mut rng) < f {
                                    let other = in_scope[rng.random_range(0..in_scope.len())];
                                    if other != t {
                                        let r = slots_in(other);
                                        let j = rng.random_range(r.start..r.end);
                                        s.emp.swap(i, j);
                                    }
                                }
                            }
                        }
                        let d = *disruption as f32;
                        let c = s.org_culture as f32;
                        for &t in &in_scope {
                            s.practice[t] *= 1.0 - d;
                            s.culture[t] += d * (c - s.culture[t]);
                        }
                    }
                }
                Kind::BudgetCut { cut } => {
                    // A cut at a unit reaches every leader below it.
                    for u in units_under(org, &leaders) {
                        s.commitment[u as usize] *= 1.0 - *cut as f32;
                    }
                }
                Kind::Learnathon {
                    participation,
                    commitment,
                } => {
                    s.learnathon_commitment = *commitment as f32;
                    let duration = p.learnathon.duration as u8;
                    for t in (0..org.teams()).filter(|&t| teams[t]) {
                        for i in slots_in(t) {
                            if s.emp.active[i] == 1
                                && s.emp.project[i] == 0
                                && uniform(&mut rng)
                                    < participation_probability(
                                        *participation as f32,
                                        s.emp.belief[i],
                                        s.emp.engaged[i] == 1,
                                    )
                            {
                                s.emp.project[i] = duration;
                            }
                        }
                    }
                }
                Kind::Community { density } => {
                    let d = *density as f32;
                    s.community_density = d.max(s.community_density).max(f32::MIN_POSITIVE);
                    let n = p.community.communities as u32;
                    let mut crng = seeds.stream(&[tag::COMMUNITY, e.key, u64::from(step)]);
                    for t in (0..org.teams()).filter(|&t| teams[t]) {
                        for i in slots_in(t) {
                            if s.emp.active[i] == 1
                                && s.emp.community[i] == NO_COMMUNITY
                                && uniform(&mut crng) < d
                            {
                                s.emp.community[i] = crng.random_range(0..n) as u16;
                            }
                        }
                    }
                }
                Kind::Programme { duration, .. } => {
                    let key = seeds.hash(&[tag::PROGRAMME, e.key, u64::from(step)]);
                    self.launch(s, index, &leaders, &teams, step, *duration, key);
                }
            }
        }
    }

    /// Start programme event `index` at `step` for `duration` steps, with
    /// the selected `leaders` and the `teams` under them; `key` seeds its
    /// membership hash.
    #[allow(clippy::too_many_arguments)]
    fn launch(
        &self,
        s: &mut State,
        index: usize,
        leaders: &[u32],
        teams: &[bool],
        step: u32,
        duration: u32,
        key: u64,
    ) {
        let org = &self.org;
        let Kind::Programme {
            programme,
            reach,
            strength,
            review,
            ..
        } = &self.setup.events[index].kind
        else {
            unreachable!("launch is called for programme events only")
        };
        let reach = *reach as f32;
        let reached = match programme {
            Programme::Practice => (0..org.teams())
                .map(|t| u8::from(teams[t] && reached(key, t as u64, reach)))
                .collect(),
            Programme::Mastery => {
                let mut r = vec![0u8; org.slots()];
                for t in (0..org.teams()).filter(|&t| teams[t]) {
                    for i in org.team_slots(t) {
                        r[i] = u8::from(reached(key, i as u64, reach));
                    }
                }
                r
            }
            Programme::Leadership => {
                // Every leader below the scope.
                let mut r = vec![0u8; org.units()];
                for u in units_under(org, leaders) {
                    r[u as usize] = u8::from(reached(key, u64::from(u), reach));
                }
                r
            }
        };
        s.programmes.push(ActiveProgramme {
            programme: *programme,
            strength: *strength as f32,
            until: step + duration,
            reached,
            event: index as u32,
            review_at: review.map_or(u32::MAX, |r| step.saturating_add(r.after)),
            culture_at_launch: s.org_culture,
        });
    }

    /// Management's reviews due at `step` (a programme whose culture gain
    /// since its launch is below target stops, and the rest of its budget
    /// waits for its relaunch), then the relaunches due at `step`, in the
    /// order the programmes were stopped.
    fn reviews(&self, s: &mut State, step: u32, seeds: &Seeds) {
        if s.programmes.iter().any(|a| a.review_at == step) {
            let (c, events) = (s.org_culture, &self.setup.events);
            let mut stopped = Vec::new();
            s.programmes.retain(|a| {
                let Kind::Programme {
                    review: Some(r), ..
                } = &events[a.event as usize].kind
                else {
                    return true;
                };
                if a.review_at != step || c - a.culture_at_launch >= r.target {
                    return true;
                }
                // Still in the list, so `until` > `step`.
                stopped.push(Relaunch {
                    at: step.saturating_add(r.relaunch_after),
                    event: a.event,
                    remaining: a.until - step,
                });
                false
            });
            s.programme_stops = s.programme_stops.saturating_add(stopped.len() as u32);
            s.relaunches.extend(stopped);
        }
        if s.relaunches.iter().any(|r| r.at == step) {
            let due: Vec<Relaunch> = s
                .relaunches
                .iter()
                .filter(|r| r.at == step)
                .copied()
                .collect();
            s.relaunches.retain(|r| r.at != step);
            for r in due {
                let e = &self.setup.events[r.event as usize];
                let keys = [
                    tag::RELAUNCH,
                    e.key,
                    u64::from(step),
                    u64::from(r.remaining),
                ];
                let mut rng = seeds.stream(&keys);
                let leaders = e.scope.leaders(&self.org, &s.alignment, &mut rng);
                let teams = teams_under(&self.org, &leaders);
                let key = seeds.hash(&[tag::PROGRAMME, keys[1], keys[2], keys[3], tag::RELAUNCH]);
                self.launch(
                    s,
                    r.event as usize,
                    &leaders,
                    &teams,
                    step,
                    r.remaining,
                    key,
                );
            }
        }
    }
}

/// The employee columns split into the organization's parallel blocks:
/// (first team, end team, the block's slots).
pub(super) fn blocks<'a>(
    org: &super::org::Org,
    all: EmployeesMut<'a>,
) -> Vec<(u32, u32, EmployeesMut<'a>)> {
    let mut out = Vec::with_capacity(org.blocks.len());
    let mut rest = all;
    for &(t0, t1) in &org.blocks {
        let len = (org.team_start[t1 as usize] - org.team_start[t0 as usize]) as usize;
        let (head, tail) = rest.split_at(len);
        rest = tail;
        out.push((t0, t1, head));
    }
    out
}

/// Sum the per-team tallies into organization totals (in parallel, in a
/// fixed grouping: the same bits at any thread count).
fn totals(tally: &[TeamTally], event_leavers: u32, event_lost: f64) -> Totals {
    let start = Totals {
        leavers: event_leavers,
        knowledge_lost: event_lost,
        ..Totals::default()
    };
    let sum = ordered_fold(
        tally.len(),
        Totals::default(),
        |r| {
            let mut t = Totals::default();
            for x in &tally[r] {
                t.add(&Totals::of(x));
            }
            t
        },
        |mut a, b| {
            a.add(&b);
            a
        },
    );
    let mut t = start;
    t.add(&sum);
    t
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

/// Turn slot `i` into a vacancy.
pub(super) fn vacate(emp: &mut EmployeesMut<'_>, i: usize) {
    emp.active[i] = 0;
    emp.engaged[i] = 0;
    emp.project[i] = 0;
    emp.community[i] = NO_COMMUNITY;
    emp.knowledge[i] = 0.0;
    emp.belief[i] = 0.0;
    emp.mastery[i] = 0.0;
    emp.influence[i] = 0.0;
    emp.tenure[i] = 0;
}

/// Read-only context of the employee pass.
struct Ctx<'a> {
    model: &'a LearningCulture,
    step: u32,
    seeds: &'a Seeds,
    inputs: &'a [TeamInput],
    communities: &'a [CommunityMeans],
    density: f32,
    /// The organization's culture C before this step (hires are attracted and selected by it).
    org_culture: f32,
    mastery: &'a [&'a ActiveProgramme],
    /// 1/τ.
    inv_tau: f32,
    /// Turnover h₀, culture and engagement effects (as `f32`, once a step).
    leave_coeffs: [f32; 3],
    /// Learnathon termination ξ (as `f32`, once a step).
    termination: f32,
    /// What is the same for every employee this week.
    week: Week,
    /// Which compilation of the chunk pass runs (resolved).
    kernel: Kernel,
}

/// Scratch space for the employee pass, made once per parallel task of a
/// step and handed down to its blocks (not looked up per block).
struct Scratch {
    /// The chunk's team values, outcomes and tally terms.
    lanes: Box<Lanes>,
    /// The teams of the chunk.
    segments: Vec<Segment>,
}

impl Scratch {
    fn new() -> Self {
        Self {
            lanes: Lanes::new(),
            segments: Vec::with_capacity(CHUNK),
        }
    }
}

/// The team whose members are being finished, in slot order.
struct Cursor {
    /// The team.
    t: usize,
    /// Its tally so far.
    tally: TeamTally,
    /// Its stream for the rarer draws (hires, communities), made when first needed.
    rng: Option<Stream>,
}

impl Cursor {
    fn at(t: usize) -> Self {
        Self {
            t,
            tally: TeamTally::default(),
            rng: None,
        }
    }
}

impl Ctx<'_> {
    /// What is the same for every member of team `t` this week.
    #[inline]
    fn team_week(&self, t: usize) -> TeamWeek {
        let co = &self.model.coeffs;
        let [h0, hc, he] = self.leave_coeffs;
        let term = self.termination;
        let inp = self.inputs[t];
        let drive = team_drive(
            &co.engagement,
            co.kappa,
            inp.culture,
            inp.practice,
            inp.support,
        );
        let goal = |e| {
            belief_target(
                &co.belief,
                co.kappa,
                inp.peer_belief,
                inp.support,
                inp.culture,
                inp.practice,
                e,
            )
        };
        TeamWeek {
            z: drive * self.inv_tau,
            leave: [
                leave_probability(h0, hc, he, inp.culture, false),
                leave_probability(h0, hc, he, inp.culture, true),
            ],
            goal: [goal(false), goal(true)],
            p_term: term * (1.0 - inp.commitment),
            chi: inp.commitment,
            culture: inp.culture,
        }
    }

    /// Update teams `t0..t1`, whose slots are `emp`: chunk by chunk, the
    /// vectorized pass first, then the slots it left and the tallies in
    /// slot order.
    #[inline]
    fn block(
        &self,
        t0: u32,
        t1: u32,
        mut emp: EmployeesMut<'_>,
        tallies: &mut [TeamTally],
        scratch: &mut Scratch,
    ) {
        let org = &self.model.org;
        let (t0, t1) = (t0 as usize, t1 as usize);
        let base = org.team_start[t0] as usize;
        // Block-local slot range of team t.
        let start = |t: usize| org.team_start[t] as usize - base;
        let n = emp.len();
        let mut cur = Cursor::at(t0);
        // Move the cursor to team `u`, storing the tallies of the teams it
        // leaves (the cursor's own from `x`).
        let move_to = |cur: &mut Cursor, x: &mut TeamTally, tallies: &mut [TeamTally], u: usize| {
            while cur.t < u {
                tallies[cur.t - t0] = *x;
                *x = TeamTally::default();
                *cur = Cursor::at(cur.t + 1);
            }
        };
        if self.kernel == Kernel::Scalar {
            for u in t0..t1 {
                let mut x = cur.tally;
                move_to(&mut cur, &mut x, tallies, u);
                cur.tally = x;
                let w = self.team_week(u);
                for i in start(u)..start(u + 1) {
                    self.member(&w, &mut cur, &mut emp, i, base + i);
                }
            }
        } else {
            let Scratch { lanes, segments } = scratch;
            let mut gains: Vec<Gain<'_>> = Vec::with_capacity(self.mastery.len());
            for a in (0..n).step_by(CHUNK) {
                let b = (a + CHUNK).min(n);
                // The week of every team with slots in a..b, from the cursor's on.
                segments.clear();
                let mut u = cur.t;
                while u < t1 && start(u) < b {
                    let (lo, hi) = (start(u).max(a), start(u + 1).min(b));
                    if lo < hi {
                        let week = self.team_week(u);
                        let (lo, hi) = (lo - a, hi - a);
                        segments.push(Segment {
                            team: u,
                            lo,
                            hi,
                            week,
                        });
                    }
                    u += 1;
                }
                gains.clear();
                gains.extend(self.mastery.iter().map(|p| Gain {
                    strength: p.strength,
                    reached: &p.reached[base + a..base + b],
                }));
                fast(
                    self.kernel,
                    &self.week,
                    (base + a) as u64,
                    &mut emp.sub(a..b),
                    lanes,
                    segments,
                    &gains,
                );
                // The cursor's tally stays in a local across the chunk's
                // teams: loaded once a chunk, stored once a team.
                let mut x = cur.tally;
                for seg in segments.iter() {
                    move_to(&mut cur, &mut x, tallies, seg.team);
                    self.finish(
                        &seg.week,
                        &mut x,
                        &mut cur,
                        &mut emp,
                        a,
                        seg.lo..seg.hi,
                        lanes,
                        base,
                    );
                }
                cur.tally = x;
            }
        }
        let mut x = cur.tally;
        move_to(&mut cur, &mut x, tallies, t1 - 1);
        tallies[cur.t - t0] = x;
    }

    /// After the chunk pass: chunk slots `r` (the chunk starts at block
    /// slot `a`) of the cursor's team. Finishes the slots the pass left and
    /// adds every slot to the tally, in slot order. `x` is the cursor's
    /// tally (held by the caller; `cur.tally` is stale).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn finish(
        &self,
        w: &TeamWeek,
        x: &mut TeamTally,
        cur: &mut Cursor,
        emp: &mut EmployeesMut<'_>,
        a: usize,
        r: std::ops::Range<usize>,
        lanes: &Lanes,
        base: usize,
    ) {
        let outcome = &lanes.outcome[r.clone()];
        let plain = outcome
            .iter()
            .all(|&o| o & (Outcome::SLOW | Outcome::LEFT) == 0);
        if plain {
            // The common case: every slot finished, only the tally to add,
            // with the terms the pass computed (the sums of `count`, in
            // the same order).
            let m = emp.sub(a + r.start..a + r.end);
            let n = m.len();
            let (infl, wb) = (&lanes.influence[r.clone()], &lanes.weighted_belief[r]);
            let (outcome, infl, wb) = (&outcome[..n], &infl[..n], &wb[..n]);
            for i in 0..n {
                let o = outcome[i];
                x.successes += u32::from(o & Outcome::SUCCESS != 0);
                x.failures += u32::from(o & Outcome::FAILURE != 0);
                x.active += 1;
                x.engaged += u32::from(m.engaged[i]);
                x.participants += u32::from(m.project[i] > 0);
                x.knowledge += m.knowledge[i];
                x.engaged_knowledge += f32::from(m.engaged[i]) * m.knowledge[i];
                x.belief += m.belief[i];
                x.weighted_belief += wb[i];
                x.influence += infl[i];
            }
            return;
        }
        cur.tally = *x;
        self.finish_slow(w, cur, emp, a, r, lanes, base);
        *x = cur.tally;
    }

    /// [`Ctx::finish`] for a team segment with a slot the pass left or a
    /// leaver: slot by slot (kept out of line, so that the common case
    /// inlines into the block loop).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn finish_slow(
        &self,
        w: &TeamWeek,
        cur: &mut Cursor,
        emp: &mut EmployeesMut<'_>,
        a: usize,
        r: std::ops::Range<usize>,
        lanes: &Lanes,
        base: usize,
    ) {
        let outcome = &lanes.outcome[r.clone()];
        for (i, &o) in (a + r.start..a + r.end).zip(outcome) {
            if o & Outcome::SLOW != 0 {
                self.member(w, cur, emp, i, base + i);
            } else if o & Outcome::LEFT != 0 {
                self.leave(&mut cur.tally, emp, i);
            } else {
                let x = &mut cur.tally;
                x.successes += u32::from(o & Outcome::SUCCESS != 0);
                x.failures += u32::from(o & Outcome::FAILURE != 0);
                count(x, emp, i);
            }
        }
    }

    /// Employee `i` of the block (global slot `slot`) leaves.
    #[inline]
    fn leave(&self, x: &mut TeamTally, emp: &mut EmployeesMut<'_>, i: usize) {
        x.leavers += 1;
        x.knowledge_lost += emp.knowledge[i];
        vacate(emp, i);
    }

    /// The personal mastery programmes that reach the employee in slot `slot`.
    #[inline]
    fn mastery_programmes(&self, slot: usize, emp: &mut EmployeesMut<'_>, i: usize) {
        for prog in self.mastery {
            if prog.reached[slot] == 1 {
                emp.mastery[i] += prog.strength * (1.0 - emp.mastery[i]);
            }
        }
    }

    /// Slot `i` of the block (global slot `slot`) of the cursor's team, one
    /// by one: every case, including those the chunk pass leaves (a
    /// vacancy, a community member). For the others it does the chunk
    /// pass's arithmetic in the same order, so the two agree to the bit.
    fn member(
        &self,
        w: &TeamWeek,
        cur: &mut Cursor,
        emp: &mut EmployeesMut<'_>,
        i: usize,
        slot: usize,
    ) {
        let m = self.model;
        let p = &m.setup.params;
        let co = &m.coeffs;
        let c = &self.week;
        let (u_leave, u_engage) = split24(draw(c.key_everyday, slot as u64));
        let x = &mut cur.tally;
        if emp.active[i] == 0 {
            // A leaver's vacancy is refilled at the fill rate; room to grow
            // is filled at the growth rate.
            let fill = if emp.tenure[i] == ROOM_TO_GROW {
                p.turnover.growth
            } else {
                p.turnover.fill_rate
            };
            if u_leave < fill as f32 {
                // A newcomer from the hiring pool, onboarded from the codified stock.
                let (seeds, step, t) = (self.seeds, self.step, cur.t);
                let rng = cur
                    .rng
                    .get_or_insert_with(|| seeds.stream(&[tag::STEP, u64::from(step), t as u64]));
                let hiring = &m.setup.hiring;
                emp.active[i] = 1;
                emp.mastery[i] = unit(hiring.mastery.sample(rng));
                emp.belief[i] = selected_belief(
                    unit(hiring.belief.sample(rng)),
                    p.turnover.selection as f32,
                    self.org_culture,
                );
                let k0 = unit(hiring.knowledge.sample(rng));
                emp.knowledge[i] =
                    onboarded_knowledge(k0, c.codified, p.formalization.onboarding as f32);
                emp.influence[i] = hiring.influence.sample(rng).max(1e-6) as f32;
                emp.tenure[i] = 0;
                emp.engaged[i] = 0;
                emp.project[i] = 0;
                emp.community[i] = if self.density > 0.0 && uniform(rng) < self.density {
                    rng.random_range(0..p.community.communities as u32) as u16
                } else {
                    NO_COMMUNITY
                };
                x.hires += 1;
                count(x, emp, i);
            }
            return;
        }
        if u_leave
            < w.leave[usize::from(emp.engaged[i] == 1)]
                + misfit_leave(c.misfit, emp.belief[i], w.culture)
        {
            self.leave(x, emp, i);
            return;
        }
        let (mut b, mut k) = (emp.belief[i], emp.knowledge[i]);
        let inp = self.inputs[cur.t];
        let cop_w = p.community.peers as f32;
        let community = match emp.community[i] {
            NO_COMMUNITY => None,
            g => Some(self.communities[g as usize]),
        };
        let weeks = emp.project[i];
        let draws = split24(draw(c.key_project, slot as u64));
        let engaged = if weeks > 0 {
            // A running Learnathon project: the participant is learning.
            let (bp, kp, left, success, failure) =
                project_week(c, b, k, weeks, draws, w.p_term, w.chi);
            (b, k) = (bp, kp);
            emp.project[i] = left;
            x.successes += u32::from(success);
            x.failures += u32::from(failure);
            true
        } else {
            // A community member also sees the community's practice and support.
            let z = match community {
                None => w.z,
                Some(cm) => {
                    team_drive(
                        &co.engagement,
                        co.kappa,
                        inp.culture,
                        (1.0 - cop_w) * inp.practice + cop_w * cm.practice,
                        (1.0 - cop_w) * inp.support + cop_w * cm.support,
                    ) * self.inv_tau
                }
            };
            let drawn = engages_with_habit(
                u_engage,
                c.psi,
                c.fresh_ceiling,
                emp.engaged[i] == 1,
                c.wm * emp.mastery[i] + c.wb * b + z,
            );
            // Informal learning made explicit counts as intentional (the
            // first project draw, free off a project).
            drawn | (draws.0 < c.formalize)
        };
        self.mastery_programmes(slot, emp, i);
        let (b, k) = match community {
            None => learn_week(
                c,
                b,
                k,
                engaged,
                w.goal[usize::from(engaged)],
                emp.tenure[i],
            ),
            Some(cm) => {
                let k = knowledge_next(k, engaged, c.lr, c.draw, c.codified, c.forget);
                let k = k + p.community.knowledge as f32 * (cm.knowledge - k).max(0.0);
                let goal = belief_target(
                    &co.belief,
                    co.kappa,
                    (1.0 - cop_w) * inp.peer_belief + cop_w * cm.belief,
                    (1.0 - cop_w) * inp.support + cop_w * cm.support,
                    inp.culture,
                    (1.0 - cop_w) * inp.practice + cop_w * cm.practice,
                    engaged,
                );
                let rate = belief_rate(c, emp.tenure[i]);
                let b = asymmetric_step(b, goal, rate, c.basym);
                (b.clamp(0.0, 1.0), k.clamp(0.0, 1.0))
            }
        };
        emp.belief[i] = b;
        emp.knowledge[i] = k;
        emp.engaged[i] = u8::from(engaged);
        emp.tenure[i] = emp.tenure[i].saturating_add(1);
        count(&mut cur.tally, emp, i);
    }
}

/// Add active slot `i` to the tally.
#[inline(always)]
fn count(x: &mut TeamTally, emp: &EmployeesMut<'_>, i: usize) {
    x.add_member(
        emp.engaged[i],
        emp.project[i],
        emp.knowledge[i],
        emp.belief[i],
        emp.influence[i],
    );
}
