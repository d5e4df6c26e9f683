//! The mean-field approximation of the model (docs/MODEL.md, "Mean field").
//!
//! Two maps replace every employee-level quantity by its mean and follow
//! the order of the agent step exactly. [`MeanField`] is one team standing
//! for a large, well-mixed organization in which every team sees the same
//! leader support `S` (an input): the map of the bistability analysis.
//! [`OrgMeanField`] keeps the organization's hierarchy and its leaders:
//! each team has its own means, its support comes from its own chain of
//! leaders through the gates (E1), and the leaders adapt (E15, E26), leave
//! and are succeeded (E16, E27) as in the agent model, with the same
//! draws for the same seeds (a fixed sample of leader draws). What both
//! leave out is the spread of employees' traits and beliefs within a team
//! (Jensen's inequality on the engagement threshold and on misfit) and
//! newcomers' faster socialization.

use super::equations::{
    alignment_target, asymmetric_step, belief_target, codified_next, culture_target,
    engagement_chain, engagement_probability, gate, habit_carry, knowledge_next, lead_weight,
    onboarded_knowledge, perceived_culture, selected_belief, taking_charge,
};
use super::events::Kind;
use super::kernel::{draw, split24};
use super::step::uniform;
use super::{Coeffs, LearningCulture, Params, tag, unit};
use crate::engine::{Model, Seeds};

/// Means of the people the map does not draw: everyone's personal mastery
/// (of the staff and of hires), and what hires bring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct People {
    /// Personal mastery of everyone (and of hires).
    pub mastery: f64,
    /// Mean belief of hires (before selection, E25).
    pub hire_belief: f64,
    /// Mean knowledge of hires before onboarding.
    pub hire_knowledge: f64,
}

impl People {
    /// Draws [`People::of`] averages per trait.
    pub const DRAWS: u32 = 20_000;

    /// The people of `setup` as the model draws them (each value clamped
    /// to [0, 1]): the staff's mean mastery (as drawn, before any
    /// programme raises it) and the hires' mean belief and knowledge (before
    /// selection and onboarding), each the mean of [`People::DRAWS`] draws
    /// of a fixed stream (the same numbers on every call).
    pub fn of(setup: &super::Setup) -> Self {
        let seeds = Seeds::new(
            0,
            crate::engine::RunId {
                point: 0,
                replicate: 0,
            },
        );
        let mean = |d: &crate::dist::Dist, key: u64| {
            let mut rng = seeds.stream(&[key]);
            (0..Self::DRAWS)
                .map(|_| d.sample(&mut rng).clamp(0.0, 1.0))
                .sum::<f64>()
                / f64::from(Self::DRAWS)
        };
        Self {
            mastery: mean(&setup.population.mastery, 1),
            hire_belief: mean(&setup.hiring.belief, 2),
            hire_knowledge: mean(&setup.hiring.knowledge, 3),
        }
    }
}

/// Inputs of the uniform map: the support every team sees and the people.
#[derive(Debug, Clone, Copy)]
pub struct MeanFieldInputs {
    /// Leader support reaching every team.
    pub support: f64,
    /// Mastery and hires.
    pub people: People,
}

/// Means of one team.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeamMeans {
    /// Local culture c.
    pub culture: f64,
    /// Team practice P.
    pub practice: f64,
    /// Mean belief B of the active members.
    pub belief: f64,
    /// Mean knowledge K of the active members.
    pub knowledge: f64,
    /// Share of the team's positions filled A (1 − vacancies).
    pub filled: f64,
    /// Engagement E of the last step, among the active members.
    pub engagement: f64,
}

/// Mean-field state of the uniform map: population means and stocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanField {
    /// Organization culture C.
    pub org_culture: f64,
    /// Local culture c (the same in every team).
    pub culture: f64,
    /// Team practice P.
    pub practice: f64,
    /// Mean belief B.
    pub belief: f64,
    /// Mean knowledge K.
    pub knowledge: f64,
    /// Codified stock K_c.
    pub codified: f64,
    /// Share of positions filled A (1 − vacancies).
    pub filled: f64,
    /// Engagement E of the last step.
    pub engagement: f64,
}

/// One step of one team's means (phases 4 and 5 of the agent step), given
/// the support `s` reaching it and, from before the step, the
/// organization's culture `org_c` and the codified stock `codified`.
/// Returns the team's new means, its local culture already updated.
fn team_step(
    p: &Params,
    co: &Coeffs,
    t: &TeamMeans,
    s: f64,
    org_c: f64,
    codified: f64,
    x: &People,
) -> TeamMeans {
    // The culture employees perceive (E28).
    let seen = f64::from(perceived_culture(
        t.culture as f32,
        org_c as f32,
        p.culture.perceived_org as f32,
    ));
    let (sf, c, pr, b, k) = (
        s as f32,
        seen as f32,
        t.practice as f32,
        t.belief as f32,
        t.knowledge as f32,
    );
    let fresh = f64::from(engagement_probability(
        &co.engagement,
        co.kappa,
        x.mastery as f32,
        b,
        c,
        pr,
        sf,
    ));
    let (stay_engaged, stay, hires) = turnover(p, t, seen);
    // Engagement of the stayers (E2 with habit E21): the share ψ keeps
    // last week's state, the rest decide afresh; informal learning made
    // explicit (E23) engages the share f_i of the others; ψ and f_i
    // exact per step together, as in the agent model.
    let (psi, fi) = engagement_chain(p.engagement.habit_weeks, p.formalization.informal);
    let before = if stay > 0.0 { stay_engaged / stay } else { 0.0 };
    let habitual = psi * before + (1.0 - psi) * fresh;
    let e = habitual + (1.0 - habitual) * fi;
    let filled = stay + hires;
    // Beliefs of stayers: engaged and non-engaged move toward their
    // targets (E5 with E29's experience of learning; B_peer = B).
    let br = p.belief.rate as f32;
    let ba = p.belief.asymmetry as f32;
    let te = belief_target(&co.belief, co.kappa, b, sf, c, pr, true);
    let tn = belief_target(&co.belief, co.kappa, b, sf, c, pr, false);
    let b_stay = e * f64::from(asymmetric_step(b, te, br, ba))
        + (1.0 - e) * f64::from(asymmetric_step(b, tn, br, ba));
    // Knowledge: intentional learning while engaged, informal (E22) otherwise.
    let kc = codified as f32;
    let l = &p.learning;
    let (lr, dr, fo) = (
        [l.informal as f32, l.rate as f32],
        l.draw as f32,
        l.forgetting as f32,
    );
    let k_stay = e * f64::from(knowledge_next(k, true, lr, dr, kc, fo))
        + (1.0 - e) * f64::from(knowledge_next(k, false, lr, dr, kc, fo));
    let (b_hire, k_hire) = hire_means(p, x, kc, org_c);
    let (belief, knowledge) = if filled > 0.0 {
        (
            (stay * b_stay + hires * b_hire) / filled,
            (stay * k_stay + hires * k_hire) / filled,
        )
    } else {
        (t.belief, t.knowledge)
    };
    // Engagement among the filled positions (hires are not engaged yet).
    let e_all = if filled > 0.0 { stay * e / filled } else { 0.0 };
    let cu = &p.culture;
    let practice = t.practice + cu.practice_rate * (e_all - t.practice);
    let culture = local_culture(p, t.culture, pr, practice, belief, sf, org_c);
    TeamMeans {
        culture,
        practice,
        belief,
        knowledge,
        filled,
        engagement: e_all,
    }
}

/// A team's leaving and hiring over one step (E7, with the misfit term
/// E24 at the means, |B − c̃|), by last week's engagement, with `seen` the
/// culture its members perceive: (engaged stayers, stayers, hires), as
/// shares of the team's positions.
fn turnover(p: &Params, t: &TeamMeans, seen: f64) -> (f64, f64, f64) {
    let tu = &p.turnover;
    let h_engaged = tu.base
        * (1.0 + tu.culture_effect * (1.0 - seen) + tu.misfit_effect * (t.belief - seen).abs());
    let h_not = h_engaged + tu.base * tu.engagement_effect;
    let stay_engaged = t.filled * t.engagement * (1.0 - h_engaged);
    let stay = stay_engaged + t.filled * (1.0 - t.engagement) * (1.0 - h_not);
    let hires = tu.fill_rate * (1.0 - t.filled);
    (stay_engaged, stay, hires)
}

/// The hires' mean belief and knowledge: attracted and selected by the
/// organization's culture `org_c` (E25) and onboarded from the codified
/// stock `kc` (E9). Returns (belief, knowledge).
fn hire_means(p: &Params, x: &People, kc: f32, org_c: f64) -> (f64, f64) {
    let k_hire = f64::from(onboarded_knowledge(
        x.hire_knowledge as f32,
        kc,
        p.formalization.onboarding as f32,
    ));
    let b_hire = f64::from(selected_belief(
        x.hire_belief as f32,
        p.turnover.selection as f32,
        org_c as f32,
    ));
    (b_hire, k_hire)
}

/// A team's new local culture (E11) from its `old` culture, its old
/// practice `old_practice` and new `practice`, its members' new mean
/// `belief`, the support `s` and the old organization culture `org_c`.
/// The team's own culture update uses c, not c̃ (E28), and the old C; its
/// target moves over the step as P does, from the old to the new.
fn local_culture(
    p: &Params,
    old: f64,
    old_practice: f32,
    practice: f64,
    belief: f64,
    s: f32,
    org_c: f64,
) -> f64 {
    let cu = &p.culture;
    let v = [
        cu.from_practice as f32,
        cu.from_belief as f32,
        cu.from_support as f32,
        cu.from_org as f32,
    ];
    let target = culture_target(v, old_practice, belief as f32, s, org_c as f32);
    let moved = culture_target(v, practice as f32, belief as f32, s, org_c as f32) - target;
    let lead = if target >= old as f32 {
        lead_weight(cu.rate)
    } else {
        lead_weight(cu.rate * cu.asymmetry)
    } as f32;
    f64::from(
        (asymmetric_step(old as f32, target, cu.rate as f32, cu.asymmetry as f32) + lead * moved)
            .clamp(0.0, 1.0),
    )
}

impl MeanField {
    /// Initial mean-field state from the parameters and initial means.
    pub fn new(p: &Params, belief: f64, knowledge: f64) -> Self {
        Self {
            org_culture: p.init.culture,
            culture: p.init.culture,
            practice: p.init.practice,
            belief,
            knowledge,
            codified: p.init.codified,
            filled: 1.0,
            engagement: 0.0,
        }
    }

    /// The team part of the state.
    fn team(&self) -> TeamMeans {
        TeamMeans {
            culture: self.culture,
            practice: self.practice,
            belief: self.belief,
            knowledge: self.knowledge,
            filled: self.filled,
            engagement: self.engagement,
        }
    }

    /// One step of the mean-field map.
    pub fn step(&self, p: &Params, x: &MeanFieldInputs) -> Self {
        let co = Coeffs::from_params(p);
        let t = team_step(
            p,
            &co,
            &self.team(),
            x.support,
            self.org_culture,
            self.codified,
            &x.people,
        );
        let cu = &p.culture;
        // E13, the local culture moving from the old to the new over the step.
        let org_culture = self.org_culture
            + cu.org_rate * (self.culture - self.org_culture)
            + lead_weight(cu.org_rate) * (t.culture - self.culture);
        let f = &p.formalization;
        let codified = codified_next(self.codified, f.rate, t.engagement, t.knowledge, f.decay);
        Self {
            org_culture,
            culture: t.culture,
            practice: t.practice,
            belief: t.belief,
            knowledge: t.knowledge,
            codified,
            filled: t.filled,
            engagement: t.engagement,
        }
    }

    /// Run the map for `steps` steps; returns every state including the first.
    pub fn trajectory(mut self, p: &Params, x: &MeanFieldInputs, steps: u32) -> Vec<Self> {
        let mut out = Vec::with_capacity(steps as usize + 1);
        out.push(self);
        for _ in 0..steps {
            self = self.step(p, x);
            out.push(self);
        }
        out
    }
}

/// Weeks the uniform map is iterated from each start to find its end
/// state in [`bistable_window`] (as the documented scan, docs/MODEL.md
/// section 8).
pub const WINDOW_WEEKS: u32 = 10_000;

/// The window of support over which the uniform map has two stable states
/// (docs/MODEL.md section 8, "Bistability"), for parameters `stated` (as a
/// scenario states them: rates per year; the map runs in weeks) and
/// `people`: (lower edge, upper edge), each to 0.001, or `None` when the
/// map has one state for every support in [0, 1].
///
/// For each S the map runs [`WINDOW_WEEKS`] weeks from a high start (the
/// state it reaches at S = 1) and from a low one (the state at S = 0); S is
/// bistable when the two final cultures differ by more than 0.05, as in
/// `bistable_over_a_window_of_support`. S is scanned in steps of 0.01,
/// then each edge is bisected to 0.001. Below the lower edge only the low
/// state exists: a team whose support falls under it tips, whatever its
/// culture (the fold of the high branch).
pub fn bistable_window(stated: &Params, people: &People) -> Option<(f64, f64)> {
    use rayon::prelude::*;
    let p = stated.per_step(7.0 / 365.25);
    let at = |s: f64, from: MeanField| {
        *from
            .trajectory(
                &p,
                &MeanFieldInputs {
                    support: s,
                    people: *people,
                },
                WINDOW_WEEKS,
            )
            .last()
            .expect("the first state")
    };
    let start = MeanField::new(&p, people.hire_belief, people.hire_knowledge);
    let (high, low) = (at(1.0, start), at(0.0, start));
    let bistable = |s: f64| (at(s, high).org_culture - at(s, low).org_culture) > 0.05;
    let grid: Vec<bool> = (0..=100)
        .into_par_iter()
        .map(|i| bistable(f64::from(i) / 100.0))
        .collect();
    let first = grid.iter().position(|&b| b)?;
    let last = grid.iter().rposition(|&b| b)?;
    // Bisect between a grid point outside (or the end of the range) and
    // the first / last one inside, 0.01 apart.
    let refine = |mut inside: f64, mut outside: f64| {
        while (inside - outside).abs() > 0.0005 {
            let mid = 0.5 * (inside + outside);
            if bistable(mid) {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        (1000.0 * inside).round() / 1000.0
    };
    let lo = first as f64 / 100.0;
    let hi = last as f64 / 100.0;
    let lower = if first == 0 {
        lo
    } else {
        refine(lo, lo - 0.01)
    };
    let upper = if last == 100 {
        hi
    } else {
        refine(hi, hi + 0.01)
    };
    Some((lower, upper))
}

/// The organization-wide means the agent model reports (its metrics of
/// the same names), computed from an [`OrgMeanField`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgMeans {
    /// Organization culture C.
    pub culture: f64,
    /// Share of the active employees engaged.
    pub engagement: f64,
    /// Mean belief of the active employees.
    pub belief: f64,
    /// Mean knowledge of the active employees.
    pub knowledge: f64,
    /// Mean team practice (plain mean over teams).
    pub practice: f64,
    /// Mean support reaching a team (plain mean over teams).
    pub support: f64,
    /// Mean leader alignment (plain mean over units).
    pub alignment: f64,
    /// Codified stock K_c.
    pub codified: f64,
}

/// The mean field of one organization: the agent model's hierarchy and
/// leaders, each team's employees replaced by their means.
#[derive(Debug, Clone)]
pub struct OrgMeanField {
    /// Each team's means, in team order.
    pub teams: Vec<TeamMeans>,
    /// Organization culture C.
    pub org_culture: f64,
    /// Codified stock K_c.
    pub codified: f64,
    /// Leader alignment a, per unit.
    pub alignment: Vec<f32>,
    /// Leader commitment q, per unit.
    pub commitment: Vec<f32>,
    /// Leader conviction a₀, per unit (E26).
    pub conviction: Vec<f32>,
    /// 1 if the leader's alignment adapts (0 for one an event placed with `adapt = false`).
    pub adapts: Vec<u8>,
    /// Taking charge r, per unit: the share of the leader's support that
    /// reaches the people below (E32).
    pub charge: Vec<f32>,
    /// Support S reaching each team (E1), from the leaders of the last step.
    pub support: Vec<f32>,
    /// Positions of each team.
    size: Vec<f64>,
}

/// E1 with E32: S_t = d_team · Π_ancestors gate(d_u), d_u = a_u·q_u·r_u,
/// in the order and precision of the agent model (`compute_support`).
fn support_of(
    model: &LearningCulture,
    alignment: &[f32],
    commitment: &[f32],
    charge: &[f32],
) -> Vec<f32> {
    let org = model.org();
    let ld = &model.setup().params.leadership;
    let (level, floor) = (ld.gate as f32, ld.gate_floor as f32);
    let mut g = vec![1.0f32; org.units()];
    for (u, gu) in g.iter_mut().enumerate().skip(1) {
        let p = org.unit_parent[u] as usize;
        *gu = gate(alignment[p] * commitment[p] * charge[p], level, floor);
    }
    for u in 1..org.units() {
        let p = org.unit_parent[u] as usize;
        g[u] *= g[p];
    }
    org.team_unit
        .iter()
        .map(|&u| {
            let u = u as usize;
            alignment[u] * commitment[u] * charge[u] * g[u]
        })
        .collect()
}

impl OrgMeanField {
    /// The state of replicate `seeds` of `model` at step 0: the agent
    /// model's own initial state (`Model::init`), each team's employees
    /// replaced by their means, the leaders as drawn. Of the timeline,
    /// [`OrgMeanField::step`] applies the leader replacements (among them
    /// `leaders.top_alignment`, a replacement at step 0); the map has no
    /// programmes, Learnathons, waves, reorganizations or budget cuts.
    pub fn new(model: &LearningCulture, seeds: &Seeds) -> Self {
        let s = model.init(seeds);
        let org = model.org();
        let teams = (0..org.teams())
            .map(|t| {
                let x = &s.tally[t];
                let n = f64::from(x.active.max(1));
                TeamMeans {
                    culture: f64::from(s.culture[t]),
                    practice: f64::from(s.practice[t]),
                    belief: f64::from(x.belief) / n,
                    knowledge: f64::from(x.knowledge) / n,
                    filled: f64::from(x.active) / org.team_slots(t).len().max(1) as f64,
                    engagement: 0.0,
                }
            })
            .collect();
        Self {
            teams,
            org_culture: s.org_culture,
            codified: s.codified,
            support: s.support.clone(),
            charge: s.charge,
            alignment: s.alignment,
            commitment: s.commitment,
            conviction: s.conviction,
            adapts: s.adapts,
            size: (0..org.teams())
                .map(|t| org.team_slots(t).len() as f64)
                .collect(),
        }
    }

    /// Active employees of team `t` (positions × filled share).
    pub fn active(&self, t: usize) -> f64 {
        self.size[t] * self.teams[t].filled
    }

    /// One step (step number `step`, as the agent model counts them) of
    /// replicate `seeds`: support down the hierarchy, every team's means,
    /// the organization's culture and codified stock, then the leaders.
    pub fn step(&mut self, model: &LearningCulture, step: u32, seeds: &Seeds, x: &People) {
        let p = &model.setup().params;
        let co = Coeffs::from_params(p);
        self.replace_leaders(model, step, seeds);
        self.support = support_of(model, &self.alignment, &self.commitment, &self.charge);
        let (org_c, codified) = (self.org_culture, self.codified);
        let new: Vec<TeamMeans> = self
            .teams
            .iter()
            .zip(&self.support)
            .map(|(t, &s)| team_step(p, &co, t, f64::from(s), org_c, codified, x))
            .collect();
        // C follows the headcount-weighted mean of the local cultures,
        // weighted by this step's headcount, moving over the step from the
        // old to the new (E13); K_c the organization's engagement and
        // knowledge after the pass (E14).
        let (mut w, mut wc, mut wn, mut we, mut wk) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (t, (old, n)) in self.teams.iter().zip(&new).enumerate() {
            let a = self.size[t] * n.filled;
            w += a;
            wc += a * old.culture;
            wn += a * n.culture;
            we += a * n.engagement;
            wk += a * n.knowledge;
        }
        let (mean_c, new_c, e, k) = if w > 0.0 {
            (wc / w, wn / w, we / w, wk / w)
        } else {
            (org_c, org_c, 0.0, 0.0)
        };
        let rate = p.culture.org_rate;
        self.org_culture += rate * (mean_c - org_c) + lead_weight(rate) * (new_c - mean_c);
        let f = &p.formalization;
        self.codified = codified_next(codified, f.rate, e, k, f.decay);
        self.teams = new;
        self.leaders(model, step, seeds);
    }

    /// Phase 1, leader replacements only, with the agent model's draws.
    fn replace_leaders(&mut self, model: &LearningCulture, step: u32, seeds: &Seeds) {
        let org = model.org();
        for e in &model.setup().events {
            let Kind::ReplaceLeader {
                alignment,
                commitment,
                adapt,
            } = &e.kind
            else {
                continue;
            };
            if !e.when.occurs(step) {
                continue;
            }
            let mut rng = seeds.stream(&[tag::EVENT, e.key, u64::from(step)]);
            for u in e.scope.leaders(org, &self.alignment, &mut rng) {
                let u = u as usize;
                self.alignment[u] = unit(alignment.sample(&mut rng));
                self.conviction[u] = self.alignment[u];
                let c = commitment
                    .as_ref()
                    .unwrap_or(&model.setup().leaders.commitment);
                self.commitment[u] = unit(c.sample(&mut rng));
                self.adapts[u] = u8::from(*adapt);
                self.charge[u] = model.setup().params.leadership.first_charge(false) as f32;
            }
        }
    }

    /// Leader dynamics, as the agent model's `leaders` (no programmes):
    /// adaptation toward conviction, superior and the share of learning
    /// teams below (E15, E26); then turnover with the agent model's draws,
    /// a successor from within bringing the mean belief below (E16, E27).
    fn leaders(&mut self, model: &LearningCulture, step: u32, seeds: &Seeds) {
        let org = model.org();
        let p = &model.setup().params;
        let ld = &p.leadership;
        let high = p.culture.high_threshold as f32;
        // What each unit's leader sees below: mean belief and the share of
        // the active people in teams with c ≥ the threshold.
        let below: Vec<[f32; 2]> = (0..org.units())
            .map(|u| {
                let (lo, hi) = org.unit_teams[u];
                let (mut b, mut h, mut n) = (0.0f64, 0.0f64, 0.0f64);
                for t in lo as usize..hi as usize {
                    let a = self.active(t);
                    let m = &self.teams[t];
                    b += a * m.belief;
                    h += a * f64::from(u8::from(m.culture as f32 >= high));
                    n += a;
                }
                if n > 0.0 {
                    [(b / n) as f32, (h / n) as f32]
                } else {
                    [self.alignment[u]; 2]
                }
            })
            .collect();
        let (rate, asym) = (ld.alignment_rate as f32, ld.asymmetry as f32);
        let weights = [ld.conviction as f32, ld.upward as f32];
        let old = self.alignment.clone();
        for (u, a) in self.alignment.iter_mut().enumerate() {
            if self.adapts[u] == 1 && (u > 0 || weights[1] > 0.0) {
                let parent = (u > 0).then(|| old[org.unit_parent[u] as usize]);
                let target = alignment_target(self.conviction[u], parent, below[u][1], weights);
                *a = asymmetric_step(old[u], target, rate, asym);
            }
        }
        // Taking charge (E32), one week on, before turnover.
        let carry = habit_carry(ld.taking_charge) as f32;
        if ld.taking_charge > 0.0 {
            self.charge
                .iter_mut()
                .for_each(|r| *r = taking_charge(*r, carry));
        }
        if ld.turnover > 0.0 {
            // The same counter-based draws and successor streams as the
            // agent model: the same leaders leave at the same steps and the
            // pool draws are the same.
            let key = seeds.hash(&[tag::LEADERS, u64::from(step)]);
            let (turnover, internal) = (ld.turnover as f32, ld.internal as f32);
            let pool = &model.setup().leaders;
            for (u, seen) in below.iter().enumerate() {
                if split24(draw(key, u as u64)).0 < turnover {
                    let mut rng = seeds.stream(&[tag::LEADERS, u64::from(step), u as u64]);
                    let drawn = unit(pool.alignment.sample(&mut rng));
                    self.commitment[u] = unit(pool.commitment.sample(&mut rng));
                    let from_within = internal > 0.0 && uniform(&mut rng) < internal;
                    self.alignment[u] = if from_within { seen[0] } else { drawn };
                    self.conviction[u] = self.alignment[u];
                    self.adapts[u] = 1;
                    self.charge[u] = ld.first_charge(from_within) as f32;
                }
            }
        }
    }

    /// The organization-wide means, as the agent model's metrics define them.
    pub fn means(&self) -> OrgMeans {
        let (mut w, mut we, mut wb, mut wk) = (0.0, 0.0, 0.0, 0.0);
        for (t, m) in self.teams.iter().enumerate() {
            let a = self.active(t);
            w += a;
            we += a * m.engagement;
            wb += a * m.belief;
            wk += a * m.knowledge;
        }
        let w = w.max(f64::MIN_POSITIVE);
        let teams = self.teams.len().max(1) as f64;
        let plain = |xs: &mut dyn Iterator<Item = f64>, n: f64| xs.sum::<f64>() / n;
        OrgMeans {
            culture: self.org_culture,
            engagement: we / w,
            belief: wb / w,
            knowledge: wk / w,
            practice: plain(&mut self.teams.iter().map(|m| m.practice), teams),
            support: plain(&mut self.support.iter().map(|&s| f64::from(s)), teams),
            alignment: plain(
                &mut self.alignment.iter().map(|&a| f64::from(a)),
                self.alignment.len().max(1) as f64,
            ),
            codified: self.codified,
        }
    }

    /// Run replicate `seeds` of `model` for the model's steps; returns the
    /// means at every step, the initial state first.
    pub fn run(model: &LearningCulture, seeds: &Seeds, x: &People) -> Vec<OrgMeans> {
        let mut mf = Self::new(model, seeds);
        let mut out = Vec::with_capacity(model.steps() as usize + 1);
        out.push(mf.means());
        for step in 0..model.steps() {
            mf.step(model, step, seeds, x);
            out.push(mf.means());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(support: f64) -> MeanFieldInputs {
        MeanFieldInputs {
            support,
            people: People {
                mastery: 0.4,
                hire_belief: 0.4,
                hire_knowledge: 0.3,
            },
        }
    }

    /// The uniform map's C at every month of ten years, stepped in `dt`
    /// years: a low start, S = 0.75 for five years (the climb to the high
    /// state), then S = 0.3 (the erosion); linear between steps.
    fn culture_by_month(dt: f64) -> Vec<f64> {
        let p = Params::default().per_step(dt);
        let (steps, shock) = ((10.0 / dt).round() as u32, (5.0 / dt).round() as u32);
        let mut m = MeanField::new(&p, 0.375, 2.0 / 7.0);
        let mut c = vec![m.org_culture];
        for i in 0..steps {
            m = m.step(&p, &inputs(if i < shock { 0.75 } else { 0.3 }));
            c.push(m.org_culture);
        }
        (0..120)
            .map(|k| {
                let x = f64::from(k) / 12.0 / dt;
                let i = (x.floor() as usize).min(c.len() - 2);
                let f = x - i as f64;
                c[i] * (1.0 - f) + c[i + 1] * f
            })
            .collect()
    }

    #[test]
    fn the_step_length_does_not_change_the_map() {
        // docs/MODEL.md section 3: without noise, what is left of the step
        // length. Measured: month vs week 0.009, day vs week 0.0013 (before
        // the exact engagement chain and the moving targets: 0.034 and
        // 0.010).
        let week = culture_by_month(7.0 / 365.25);
        let gap = |dt: f64| {
            culture_by_month(dt)
                .iter()
                .zip(&week)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f64, f64::max)
        };
        let (month, day) = (gap(1.0 / 12.0), gap(1.0 / 365.25));
        eprintln!("largest gap to week steps: month {month:.4}, day {day:.4}");
        assert!(month < 0.012, "month vs week {month}");
        assert!(day < 0.003, "day vs week {day}");
        let (lo, hi) = week
            .iter()
            .fold((1.0f64, 0.0f64), |(l, h), &c| (l.min(c), h.max(c)));
        assert!(hi - lo > 0.3, "culture barely moved: {lo:.3}..{hi:.3}");
    }

    #[test]
    fn stays_in_unit_interval() {
        let p = Params::default().per_step(7.0 / 365.25);
        for s in [0.0, 0.3, 0.6, 1.0] {
            for m in MeanField::new(&p, 0.5, 0.5).trajectory(&p, &inputs(s), 2000) {
                for v in [
                    m.org_culture,
                    m.culture,
                    m.practice,
                    m.belief,
                    m.knowledge,
                    m.codified,
                    m.filled,
                ] {
                    assert!((0.0..=1.0).contains(&v), "{v} out of range at S = {s}");
                }
            }
        }
    }

    #[test]
    fn strong_support_raises_culture() {
        let p = Params::default().per_step(7.0 / 365.25);
        let lo = *MeanField::new(&p, 0.3, 0.3)
            .trajectory(&p, &inputs(0.1), 1500)
            .last()
            .unwrap();
        let hi = *MeanField::new(&p, 0.3, 0.3)
            .trajectory(&p, &inputs(0.9), 1500)
            .last()
            .unwrap();
        assert!(hi.org_culture > lo.org_culture + 0.2, "{hi:?} vs {lo:?}");
    }

    /// The final (C, E) of the uniform map from a low and a high start.
    fn ends(p: &Params, support: f64) -> [(f64, f64); 2] {
        let x = MeanFieldInputs {
            support,
            people: People {
                mastery: 0.4,
                hire_belief: 0.375,
                hire_knowledge: 2.0 / 7.0,
            },
        };
        let low = MeanField::new(p, 0.375, 2.0 / 7.0);
        let high = MeanField {
            org_culture: 0.75,
            culture: 0.75,
            practice: 0.75,
            belief: 0.7,
            ..low
        };
        [low, high].map(|m| {
            let end = *m.trajectory(p, &x, 10_000).last().unwrap();
            (end.org_culture, end.engagement)
        })
    }

    #[test]
    fn the_window_of_the_defaults_is_the_documented_one() {
        // docs/MODEL.md section 8: bistable for S in 0.47–0.61 (steps of
        // 0.01) at m̄ = 0.4, b̄_h = 0.375, k̄_h = 2/7.
        let people = People {
            mastery: 0.4,
            hire_belief: 0.375,
            hire_knowledge: 2.0 / 7.0,
        };
        let (lo, hi) = bistable_window(&Params::default(), &people).unwrap();
        eprintln!("bistable for S in [{lo:.3}, {hi:.3}]");
        assert!((0.46..=0.47).contains(&lo), "{lo}");
        assert!((0.61..=0.62).contains(&hi), "{hi}");
        // The knock-out: without the loop there is no window.
        let mut off = Params::default();
        off.culture.coupling = 0.0;
        assert_eq!(bistable_window(&off, &people), None);
    }

    #[test]
    fn bistable_over_a_window_of_support() {
        // docs/MODEL.md section 8, "Bistability": 10,000 weeks from each start.
        let p = Params::default().per_step(7.0 / 365.25);
        let mut window = Vec::new();
        for i in 20..=90 {
            let s = f64::from(i) / 100.0;
            let [(lo, le), (hi, he)] = ends(&p, s);
            if hi - lo > 0.05 {
                window.push(s);
            }
            eprintln!("S = {s:.2}: low C {lo:.3} E {le:.3}, high C {hi:.3} E {he:.3}");
        }
        let (first, last) = (window[0], *window.last().unwrap());
        eprintln!("bistable for S in [{first:.2}, {last:.2}]");
        // One window, not the whole range: one state at both ends.
        assert!(first > 0.2 && last < 0.9, "{window:?}");
        assert_eq!(window.len(), ((last - first) * 100.0).round() as usize + 1);
        // The knock-out: without the loop (κ = 0) there is one state for every S.
        let mut off = Params::default();
        off.culture.coupling = 0.0;
        let off = off.per_step(7.0 / 365.25);
        for i in (20..=90).step_by(5) {
            let [(lo, _), (hi, _)] = ends(&off, f64::from(i) / 100.0);
            assert!((hi - lo).abs() < 0.05, "κ = 0, S = {i}%: {lo} vs {hi}");
        }
    }
}
