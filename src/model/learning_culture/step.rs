//! One step (a week) of the learning-culture dynamics.
//!
//! Order within a step, each phase reading the state the previous phase
//! left (docs/MODEL.md, "One step"):
//! 1. timeline events of this step take effect;
//! 2. leader support is propagated down the hierarchy;
//! 3. team peer beliefs and community means are aggregated;
//! 4. employees (in parallel by blocks of teams, each team with its own
//!    stream) leave, learn, update beliefs; vacancies are filled;
//! 5. teams update practice and local culture from the old values and this
//!    week's engagement (synchronous: every team reads the same inputs);
//! 6. the organization's culture and codified stock follow; leaders adapt,
//!    programmes act on them, some leave and are replaced.

use super::equations::{
    asymmetric_step, belief_target, codified_next, culture_target, effective_commitment,
    effective_influence, engages, gate, knowledge_next, leave_probability, onboarded_knowledge,
    participation_probability, team_drive,
};
use super::events::{Kind, Programme, teams_under, units_under};
use super::state::{
    ActiveProgramme, CommunityMeans, EmployeesMut, NO_COMMUNITY, State, TeamInput, TeamTally,
    Totals,
};
use super::{LearningCulture, tag, unit};
use crate::engine::Seeds;
use crate::engine::rng::{hash_keys, unit_from_hash};
use rand::{Rng, RngExt};
use rayon::prelude::*;

/// A uniform `f32` in [0, 1) from 24 random bits.
#[inline]
fn uniform<R: Rng>(rng: &mut R) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// Two uniform `f32`s in [0, 1) from one 64-bit draw (24 bits each).
#[inline]
fn uniform2<R: Rng>(rng: &mut R) -> (f32, f32) {
    let x = rng.next_u64();
    let scale = 1.0 / (1u32 << 24) as f32;
    (
        ((x >> 40) as u32) as f32 * scale,
        (((x >> 8) as u32) & 0x00FF_FFFF) as f32 * scale,
    )
}

/// Membership hash for programmes: is `id` among the share `reach`?
#[inline]
fn reached(seed_key: u64, id: u64, reach: f32) -> bool {
    unit_from_hash(hash_keys(seed_key, &[id])) < f64::from(reach)
}

impl LearningCulture {
    /// Phase 2: S_t = d_team · Π_ancestors gate(d_u), d = alignment × commitment.
    pub(super) fn compute_support(&self, s: &mut State) {
        let org = &self.org;
        let ld = &self.setup.params.leadership;
        let (level, floor) = (ld.gate as f32, ld.gate_floor as f32);
        s.scratch_gate[0] = 1.0;
        for u in 1..org.units() {
            let p = org.unit_parent[u] as usize;
            let d = s.alignment[p] * s.commitment[p];
            s.scratch_gate[u] = s.scratch_gate[p] * gate(d, level, floor);
        }
        for (t, &u) in org.team_unit.iter().enumerate() {
            let u = u as usize;
            s.support[t] = s.alignment[u] * s.commitment[u] * s.scratch_gate[u];
        }
    }

    /// Recompute the team tallies (active, sums) and totals from the state.
    pub(super) fn recount(&self, s: &mut State) {
        let org = &self.org;
        let emp = &s.emp;
        s.tally.par_iter_mut().enumerate().for_each(|(t, tl)| {
            let mut x = TeamTally::default();
            for i in org.team_slots(t) {
                if emp.active[i] == 1 {
                    x.add_member(
                        emp.engaged[i],
                        emp.project[i],
                        emp.knowledge[i],
                        emp.belief[i],
                        emp.influence[i],
                    );
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
                    culture: s.culture[t],
                    peer_belief: peer,
                    commitment: effective_commitment(commitment, s.support[t], gate_level),
                }
            })
            .collect_into_vec(&mut inputs);
        let mastery_programmes: Vec<&ActiveProgramme> = s
            .programmes
            .iter()
            .filter(|a| a.programme == Programme::Mastery)
            .collect();
        let ctx = Ctx {
            model: self,
            step,
            seeds,
            inputs: &inputs,
            communities: &s.communities,
            codified: s.codified as f32,
            density: s.community_density,
            mastery: &mastery_programmes,
            logit: {
                let w = &self.coeffs.engagement;
                let inv_tau = 1.0 / w.softness;
                (w.mastery * inv_tau, w.belief * inv_tau, inv_tau)
            },
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
        blocks
            .into_par_iter()
            .for_each(|(t0, t1, emp, tallies)| ctx.block(t0, t1, emp, tallies));
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
        // last week's local culture (summed in team order, serially).
        let mut weighted_c = 0.0f64;
        let mut active_total = 0u64;
        for (tl, &c) in s.tally.iter().zip(&s.culture) {
            weighted_c += f64::from(c) * f64::from(tl.active);
            active_total += u64::from(tl.active);
        }
        // Each team's practice and local culture, from its own old values:
        // independent, so in parallel.
        let (tally, support, programmes) = (&s.tally, &s.support, &s.programmes);
        let (practice_rate, boost) = (cu.practice_rate as f32, la.practice_boost as f32);
        let (rate, asym) = (cu.rate as f32, cu.asymmetry as f32);
        s.practice
            .par_iter_mut()
            .zip(s.culture.par_iter_mut())
            .enumerate()
            .with_min_len(1024)
            .for_each(|(t, (p, c))| {
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
                    if prog.programme == Programme::Practice
                        && prog.teams[t]
                        && reached(prog.key, t as u64, prog.reach)
                    {
                        np += prog.strength * (1.0 - np);
                    }
                }
                *p = np.clamp(0.0, 1.0);
                let target = culture_target(v, old_p, b, support[t], org_c);
                *c = asymmetric_step(old_c, target, rate, asym).clamp(0.0, 1.0);
            });
        let mean_c = if active_total > 0 {
            weighted_c / active_total as f64
        } else {
            s.org_culture
        };
        s.org_culture += cu.org_rate * (mean_c - s.org_culture);
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
        s.programmes.retain(|a| a.until > step + 1);
    }

    /// Leader dynamics: adaptation, the leadership programme, turnover.
    fn leaders(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let ld = &self.setup.params.leadership;
        let org = &self.org;
        let (rate, asym) = (ld.alignment_rate as f32, ld.asymmetry as f32);
        s.scratch_alignment.copy_from_slice(&s.alignment);
        for u in 1..org.units() {
            if s.adapts[u] == 1 {
                let target = s.scratch_alignment[org.unit_parent[u] as usize];
                s.alignment[u] = asymmetric_step(s.scratch_alignment[u], target, rate, asym);
            }
        }
        for prog in &s.programmes {
            if prog.programme == Programme::Leadership {
                for &u in &prog.leaders {
                    if reached(prog.key, u64::from(u), prog.reach) {
                        let u = u as usize;
                        s.alignment[u] += prog.strength * (1.0 - s.alignment[u]);
                        s.commitment[u] += prog.strength * (1.0 - s.commitment[u]);
                    }
                }
            }
        }
        if ld.turnover > 0.0 {
            let mut rng = seeds.stream(&[tag::LEADERS, u64::from(step)]);
            let pool = &self.setup.leaders;
            for u in 0..org.units() {
                if uniform(&mut rng) < ld.turnover as f32 {
                    s.alignment[u] = unit(pool.alignment.sample(&mut rng));
                    s.commitment[u] = unit(pool.commitment.sample(&mut rng));
                    s.adapts[u] = 1;
                }
            }
        }
    }

    /// Phase 1: events occurring at `step`.
    fn apply_events(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let org = &self.org;
        let p = &self.setup.params;
        for e in &self.setup.events {
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
                        let c = commitment
                            .as_ref()
                            .unwrap_or(&self.setup.leaders.commitment);
                        s.commitment[u] = unit(c.sample(&mut rng));
                        s.adapts[u] = u8::from(*adapt);
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
                Kind::Programme {
                    programme,
                    reach,
                    strength,
                    duration,
                } => {
                    s.programmes.push(ActiveProgramme {
                        programme: *programme,
                        key: seeds.hash(&[tag::PROGRAMME, e.key, u64::from(step)]),
                        reach: *reach as f32,
                        strength: *strength as f32,
                        until: step + duration,
                        teams,
                        // The leadership programme reaches every leader below the scope.
                        leaders: units_under(org, &leaders),
                    });
                }
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

/// Sum the per-team tallies into organization totals.
fn totals(tally: &[TeamTally], event_leavers: u32, event_lost: f64) -> Totals {
    let mut t = Totals {
        leavers: event_leavers,
        knowledge_lost: event_lost,
        ..Totals::default()
    };
    for x in tally {
        t.headcount += x.active;
        t.engaged += x.engaged;
        t.leavers += x.leavers;
        t.hires += x.hires;
        t.participants += x.participants;
        t.knowledge += f64::from(x.knowledge);
        t.belief += f64::from(x.belief);
        t.knowledge_lost += f64::from(x.knowledge_lost);
    }
    t
}

/// Turn slot `i` into a vacancy.
fn vacate(emp: &mut EmployeesMut<'_>, i: usize) {
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
    codified: f32,
    density: f32,
    mastery: &'a [&'a ActiveProgramme],
    /// The engagement logit's weights with 1/τ folded in: (w_m/τ, w_b/τ, 1/τ).
    logit: (f32, f32, f32),
}

impl Ctx<'_> {
    /// Update teams `t0..t1`, whose slots are `emp`.
    fn block(&self, t0: u32, t1: u32, mut emp: EmployeesMut<'_>, tallies: &mut [TeamTally]) {
        let org = &self.model.org;
        let base = org.team_start[t0 as usize] as usize;
        for t in t0..t1 {
            let r = org.team_slots(t as usize);
            let mut members = emp.sub(r.start - base..r.end - base);
            tallies[(t - t0) as usize] = self.team(t as usize, r.start, &mut members);
        }
    }

    /// Update one team's slots, `emp` (`first` is the global slot of the
    /// team's first member, for membership hashes).
    fn team(&self, t: usize, first: usize, emp: &mut EmployeesMut<'_>) -> TeamTally {
        let m = self.model;
        let p = &m.setup.params;
        let co = &m.coeffs;
        let inp = self.inputs[t];
        let mut rng = self
            .seeds
            .stream(&[tag::STEP, u64::from(self.step), t as u64]);
        let lr = p.learning.rate as f32;
        let draw = p.learning.draw as f32;
        let forget = p.learning.forgetting as f32;
        let (h0, hc, he) = (
            p.turnover.base as f32,
            p.turnover.culture_effect as f32,
            p.turnover.engagement_effect as f32,
        );
        let fill = p.turnover.fill_rate as f32;
        let brate = p.belief.rate as f32;
        let basym = p.belief.asymmetry as f32;
        let soc_weeks = p.belief.socialization_weeks as f32;
        let soc_boost = p.belief.socialization_boost as f32;
        let la = &p.learnathon;
        let (term, sb, fb, sk) = (
            la.termination as f32,
            la.success_belief as f32,
            la.failure_belief as f32,
            la.success_knowledge as f32,
        );
        let cop_w = p.community.peers as f32;
        let cop_k = p.community.knowledge as f32;
        let ncom = p.community.communities as u32;
        let onboarding = p.formalization.onboarding as f32;
        let hiring = &m.setup.hiring;
        let chi = inp.commitment;
        let mastery_here: Vec<&&ActiveProgramme> = if self.mastery.is_empty() {
            Vec::new()
        } else {
            self.mastery.iter().filter(|a| a.teams[t]).collect()
        };
        // What is the same for every member of the team this week.
        let drive = team_drive(
            &co.engagement,
            co.kappa,
            inp.culture,
            inp.practice,
            inp.support,
        );
        // The engagement logit (w_m·m + w_b·b + team)/τ with 1/τ folded in.
        let w = &co.engagement;
        let (wm, wb, inv_tau) = self.logit;
        let leave = [
            leave_probability(h0, hc, he, inp.culture, false),
            leave_probability(h0, hc, he, inp.culture, true),
        ];
        let target = [
            belief_target(
                &co.belief,
                co.kappa,
                inp.peer_belief,
                inp.support,
                inp.culture,
                false,
            ),
            belief_target(
                &co.belief,
                co.kappa,
                inp.peer_belief,
                inp.support,
                inp.culture,
                true,
            ),
        ];
        let mut x = TeamTally::default();
        // Every column has the team's length: the indexing below needs no
        // bounds checks.
        let n = emp.len();
        for i in 0..n {
            // One draw gives the week's two everyday chances: leaving (or,
            // for a vacancy, being filled) and engaging.
            let (u_leave, u_engage) = uniform2(&mut rng);
            if emp.active[i] == 0 {
                if u_leave < fill {
                    // A newcomer from the hiring pool, onboarded from the codified stock.
                    emp.active[i] = 1;
                    emp.mastery[i] = unit(hiring.mastery.sample(&mut rng));
                    emp.belief[i] = unit(hiring.belief.sample(&mut rng));
                    let k0 = unit(hiring.knowledge.sample(&mut rng));
                    emp.knowledge[i] = onboarded_knowledge(k0, self.codified, onboarding);
                    emp.influence[i] = hiring.influence.sample(&mut rng).max(1e-6) as f32;
                    emp.tenure[i] = 0;
                    emp.engaged[i] = 0;
                    emp.project[i] = 0;
                    emp.community[i] = if self.density > 0.0 && uniform(&mut rng) < self.density {
                        rng.random_range(0..ncom) as u16
                    } else {
                        NO_COMMUNITY
                    };
                    x.hires += 1;
                    self.count(&mut x, emp, i);
                }
                continue;
            }
            if u_leave < leave[usize::from(emp.engaged[i] == 1)] {
                x.leavers += 1;
                x.knowledge_lost += emp.knowledge[i];
                vacate(emp, i);
                continue;
            }
            let mut b = emp.belief[i];
            let mut k = emp.knowledge[i];
            let engaged = if emp.project[i] > 0 {
                // A running Learnathon project: the participant is learning.
                if uniform(&mut rng) < term * (1.0 - chi) {
                    emp.project[i] = 0;
                    b -= fb * b;
                    x.failures += 1;
                } else {
                    emp.project[i] -= 1;
                    if emp.project[i] == 0 {
                        if uniform(&mut rng) < chi {
                            b += sb * (1.0 - b);
                            k += sk * (1.0 - k);
                            x.successes += 1;
                        } else {
                            b -= fb * b;
                            x.failures += 1;
                        }
                    }
                }
                true
            } else {
                // A community member also sees the community's practice and support.
                let team = match emp.community[i] {
                    NO_COMMUNITY => drive,
                    c => {
                        let cm = &self.communities[c as usize];
                        team_drive(
                            &co.engagement,
                            co.kappa,
                            inp.culture,
                            (1.0 - cop_w) * inp.practice + cop_w * cm.practice,
                            (1.0 - cop_w) * inp.support + cop_w * cm.support,
                        )
                    }
                };
                engages(
                    u_engage,
                    w.ceiling,
                    wm * emp.mastery[i] + wb * b + team * inv_tau,
                )
            };
            for prog in &mastery_here {
                if reached(prog.key, (first + i) as u64, prog.reach) {
                    emp.mastery[i] += prog.strength * (1.0 - emp.mastery[i]);
                }
            }
            k = knowledge_next(k, engaged, lr, draw, self.codified, forget);
            let c = emp.community[i];
            let goal = if c == NO_COMMUNITY {
                target[usize::from(engaged)]
            } else {
                let cm = self.communities[c as usize];
                k += cop_k * (cm.knowledge - k).max(0.0);
                belief_target(
                    &co.belief,
                    co.kappa,
                    (1.0 - cop_w) * inp.peer_belief + cop_w * cm.belief,
                    (1.0 - cop_w) * inp.support + cop_w * cm.support,
                    inp.culture,
                    engaged,
                )
            };
            let rate = if f32::from(emp.tenure[i]) < soc_weeks {
                brate * (1.0 + soc_boost)
            } else {
                brate
            };
            b = asymmetric_step(b, goal, rate, basym);
            emp.belief[i] = b.clamp(0.0, 1.0);
            emp.knowledge[i] = k.clamp(0.0, 1.0);
            emp.engaged[i] = u8::from(engaged);
            emp.tenure[i] = emp.tenure[i].saturating_add(1);
            self.count(&mut x, emp, i);
        }
        x
    }

    /// Add active slot `i` to the tally.
    #[inline]
    fn count(&self, x: &mut TeamTally, emp: &EmployeesMut<'_>, i: usize) {
        x.add_member(
            emp.engaged[i],
            emp.project[i],
            emp.knowledge[i],
            emp.belief[i],
            emp.influence[i],
        );
    }
}
