//! Phase 4 of a step, the employee pass: every employee slot, in parallel
//! by blocks of teams. Chunk by chunk, the vectorized pass (kernel.rs) runs
//! first; the slots it leaves are finished one by one ([`super::slot`]),
//! and the team tallies are added in slot order.

use super::super::LearningCulture;
use super::super::equations::{
    belief_target, effective_commitment, engagement_chain, leave_probability, perceived_culture,
    team_drive,
};
use super::super::events::Programme;
use super::super::kernel::{CHUNK, Gain, Kernel, Lanes, Outcome, Segment, TeamWeek, Week, fast};
use super::super::state::{
    ActiveProgramme, CommunityMeans, EmployeesMut, State, TeamInput, TeamTally,
};
use super::super::tag;
use super::{count, vacate};
use crate::engine::Seeds;
use crate::engine::rng::Stream;
use rayon::prelude::*;

impl LearningCulture {
    /// Phase 4: every employee slot, in parallel by blocks of teams.
    pub(super) fn employees(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let org = &self.org;
        let p = &self.setup.params;
        let gate_level = p.leadership.gate as f32;
        let commitment = s.learnathon_commitment;
        let w_org = p.culture.perceived_org as f32;
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
            support: &s.support,
            practice: &s.practice,
            culture: &s.culture,
            perceived_org: w_org,
            gate_level,
            commitment,
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
    }
}

/// The employee columns split into the organization's parallel blocks:
/// (first team, end team, the block's slots).
pub(in crate::model::learning_culture) fn blocks<'a>(
    org: &super::super::org::Org,
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

/// Read-only context of the employee pass.
pub(super) struct Ctx<'a> {
    /// The model (parameters, coefficients, organization).
    pub(super) model: &'a LearningCulture,
    /// This step.
    pub(super) step: u32,
    /// The run's seeds.
    pub(super) seeds: &'a Seeds,
    /// Leader support S reaching each team.
    pub(super) support: &'a [f32],
    /// Each team's practice P.
    pub(super) practice: &'a [f32],
    /// Each team's local culture c.
    pub(super) culture: &'a [f32],
    /// The weight of the organization's culture in what a member perceives.
    pub(super) perceived_org: f32,
    /// The leadership gate level (for the effective commitment).
    pub(super) gate_level: f32,
    /// The Learnathon commitment this step.
    pub(super) commitment: f32,
    /// The communities of practice's means, by community.
    pub(super) communities: &'a [CommunityMeans],
    /// The share of newcomers who join a community.
    pub(super) density: f32,
    /// The organization's culture C before this step (hires are attracted and selected by it).
    pub(super) org_culture: f32,
    /// The personal mastery programmes running this step.
    pub(super) mastery: &'a [&'a ActiveProgramme],
    /// 1/τ.
    pub(super) inv_tau: f32,
    /// Turnover h₀, culture and engagement effects (as `f32`, once a step).
    pub(super) leave_coeffs: [f32; 3],
    /// Learnathon termination ξ (as `f32`, once a step).
    pub(super) termination: f32,
    /// What is the same for every employee this week.
    pub(super) week: Week,
    /// Which compilation of the chunk pass runs (resolved).
    pub(super) kernel: Kernel,
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
pub(super) struct Cursor {
    /// The team.
    pub(super) t: usize,
    /// Its tally so far.
    pub(super) tally: TeamTally,
    /// Its stream for the rarer draws (hires, communities), made when first needed.
    pub(super) rng: Option<Stream>,
}

impl Cursor {
    pub(super) fn at(t: usize) -> Self {
        Self {
            t,
            tally: TeamTally::default(),
            rng: None,
        }
    }
}

impl Ctx<'_> {
    /// What team `t`'s members see this week; `tally` is the team's tally
    /// of last week.
    #[inline(always)]
    fn team_input(&self, t: usize, tally: &TeamTally) -> TeamInput {
        let peer = if tally.influence > 0.0 {
            tally.weighted_belief / tally.influence
        } else {
            0.0
        };
        let support = self.support[t];
        TeamInput {
            support,
            practice: self.practice[t],
            culture: perceived_culture(self.culture[t], self.org_culture, self.perceived_org),
            peer_belief: peer,
            commitment: effective_commitment(self.commitment, support, self.gate_level),
        }
    }

    /// What is the same for every member of team `t` this week; `tally` is
    /// the team's tally of last week.
    #[inline(always)]
    fn team_week(&self, t: usize, tally: &TeamTally) -> TeamWeek {
        let co = &self.model.coeffs;
        let [h0, hc, he] = self.leave_coeffs;
        let term = self.termination;
        let inp = self.team_input(t, tally);
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
            input: inp,
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
                // Team u's tally is last week's until the cursor leaves u.
                let w = self.team_week(u, &tallies[u - t0]);
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
                        // Last week's tally: the cursor has not left team u.
                        let week = self.team_week(u, &tallies[u - t0]);
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
    pub(super) fn leave(&self, x: &mut TeamTally, emp: &mut EmployeesMut<'_>, i: usize) {
        x.leavers += 1;
        x.knowledge_lost += emp.knowledge[i];
        vacate(emp, i);
    }

    /// The personal mastery programmes that reach the employee in slot `slot`.
    #[inline]
    pub(super) fn mastery_programmes(&self, slot: usize, emp: &mut EmployeesMut<'_>, i: usize) {
        for prog in self.mastery {
            if prog.reached[slot] == 1 {
                emp.mastery[i] += prog.strength * (1.0 - emp.mastery[i]);
            }
        }
    }
}
