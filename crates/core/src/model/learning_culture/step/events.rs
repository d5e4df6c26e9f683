//! Phase 1 of a step: the timeline events occurring at this step take
//! effect, one function per event kind (programmes: [`super::programmes`]).
//! Every kind draws from the event's own stream of the step, in the order
//! written here.

use super::super::LearningCulture;
use super::super::equations::{effective_influence, participation_probability};
use super::super::events::{Kind, teams_under, units_under};
use super::super::state::{NO_COMMUNITY, State};
use super::super::{tag, unit};
use super::{uniform, vacate};
use crate::dist::Dist;
use crate::engine::{Seeds, Stream};
use rand::RngExt;

impl LearningCulture {
    /// Phase 1: management's programme reviews and the relaunches due at
    /// `step`, then the events occurring at `step`.
    pub(super) fn apply_events(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let org = &self.org;
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
            match &e.kind {
                Kind::ReplaceLeader {
                    alignment,
                    commitment,
                    adapt,
                } => {
                    let commitment = commitment.as_ref();
                    self.replace_leaders(s, &leaders, alignment, commitment, *adapt, &mut rng);
                }
                Kind::TurnoverWave {
                    fraction,
                    most_influential,
                } => self.turnover_wave(s, &teams, *fraction, *most_influential, &mut rng),
                Kind::Reorganization {
                    fraction,
                    disruption,
                } => self.reorganize(s, &teams, *fraction, *disruption, &mut rng),
                Kind::BudgetCut { cut } => {
                    // A cut at a unit reaches every leader below it.
                    for u in units_under(org, &leaders) {
                        s.commitment[u as usize] *= 1.0 - *cut as f32;
                    }
                }
                Kind::Learnathon {
                    participation,
                    commitment,
                } => self.learnathon(s, &teams, *participation, *commitment, &mut rng),
                Kind::Community { density } => {
                    let mut crng = seeds.stream(&[tag::COMMUNITY, e.key, u64::from(step)]);
                    self.join_communities(s, &teams, *density, &mut crng);
                }
                Kind::Programme { duration, .. } => {
                    let key = seeds.hash(&[tag::PROGRAMME, e.key, u64::from(step)]);
                    self.launch(s, index, &leaders, &teams, step, *duration, key);
                }
            }
        }
    }

    /// `replace_leader`: each selected leader is replaced by a newcomer
    /// with alignment from `alignment` (conviction the same), commitment
    /// from `commitment` (the leader pool's when not given), who adapts or
    /// not, and who takes charge from r₀ (E32).
    fn replace_leaders(
        &self,
        s: &mut State,
        leaders: &[u32],
        alignment: &Dist,
        commitment: Option<&Dist>,
        adapt: bool,
        rng: &mut Stream,
    ) {
        for &u in leaders {
            let u = u as usize;
            s.alignment[u] = unit(alignment.sample(rng));
            s.conviction[u] = s.alignment[u];
            let c = commitment.unwrap_or(&self.setup.leaders.commitment);
            s.commitment[u] = unit(c.sample(rng));
            s.adapts[u] = u8::from(adapt);
            s.charge[u] = self.first_support();
        }
    }

    /// `turnover_wave`: a share `fraction` of the active employees of the
    /// `teams` in scope leaves at once, either drawn one by one or, with
    /// `most_influential`, the most influential first (effective
    /// influence, ties by slot). What they knew leaves with them.
    fn turnover_wave(
        &self,
        s: &mut State,
        teams: &[bool],
        fraction: f64,
        most_influential: bool,
        rng: &mut Stream,
    ) {
        let org = &self.org;
        let in_scope = (0..org.teams())
            .filter(|&t| teams[t])
            .flat_map(|t| org.team_slots(t))
            .filter(|&i| s.emp.active[i] == 1);
        let leaving: Vec<usize> = if most_influential {
            let mut ids: Vec<usize> = in_scope.collect();
            let k = (fraction * ids.len() as f64).round() as usize;
            ids.sort_by(|&a, &b| {
                let e = |i: usize| effective_influence(s.emp.influence[i], s.emp.knowledge[i]);
                e(b).total_cmp(&e(a)).then(a.cmp(&b))
            });
            ids.truncate(k);
            ids
        } else {
            let f = fraction as f32;
            in_scope.filter(|_| uniform(rng) < f).collect()
        };
        for i in leaving {
            s.event_leavers += 1;
            s.event_knowledge_lost += f64::from(s.emp.knowledge[i]);
            vacate(&mut s.emp.view(), i);
        }
    }

    /// `reorganization`: each employee of the `teams` in scope moves with
    /// probability `fraction` to a random slot of a random team in scope
    /// (swapping with whoever is there); then each team's practice loses
    /// the share `disruption` and its culture moves that share toward the
    /// organization's. Nothing happens with fewer than two teams in scope.
    fn reorganize(
        &self,
        s: &mut State,
        teams: &[bool],
        fraction: f64,
        disruption: f64,
        rng: &mut Stream,
    ) {
        let org = &self.org;
        let in_scope: Vec<usize> = (0..org.teams()).filter(|&t| teams[t]).collect();
        if in_scope.len() > 1 {
            let f = fraction as f32;
            for &t in &in_scope {
                for i in org.team_slots(t) {
                    if uniform(rng) < f {
                        let other = in_scope[rng.random_range(0..in_scope.len())];
                        if other != t {
                            let r = org.team_slots(other);
                            let j = rng.random_range(r.start..r.end);
                            s.emp.swap(i, j);
                        }
                    }
                }
            }
            let d = disruption as f32;
            let c = s.org_culture as f32;
            for &t in &in_scope {
                s.practice[t] *= 1.0 - d;
                s.culture[t] += d * (c - s.culture[t]);
            }
        }
    }

    /// `learnathon`: management's `commitment` to this Learnathon's
    /// projects holds until the next one (E18); each active employee of
    /// the `teams` in scope who is not on a project joins with the
    /// participation probability (E17) and runs a project for the
    /// Learnathon's duration.
    fn learnathon(
        &self,
        s: &mut State,
        teams: &[bool],
        participation: f64,
        commitment: f64,
        rng: &mut Stream,
    ) {
        let org = &self.org;
        s.learnathon_commitment = commitment as f32;
        let duration = self.setup.params.learnathon.duration as u8;
        for t in (0..org.teams()).filter(|&t| teams[t]) {
            for i in org.team_slots(t) {
                if s.emp.active[i] == 1
                    && s.emp.project[i] == 0
                    && uniform(rng)
                        < participation_probability(
                            participation as f32,
                            s.emp.belief[i],
                            s.emp.engaged[i] == 1,
                        )
                {
                    s.emp.project[i] = duration;
                }
            }
        }
    }

    /// `community_of_practice`: each active employee of the `teams` in
    /// scope who belongs to no community joins one (drawn uniformly) with
    /// probability `density` (E20), from the event's community stream
    /// `rng`; newcomers join at the highest density so far.
    fn join_communities(&self, s: &mut State, teams: &[bool], density: f64, rng: &mut Stream) {
        let org = &self.org;
        let d = density as f32;
        s.community_density = d.max(s.community_density).max(f32::MIN_POSITIVE);
        let n = self.setup.params.community.communities as u32;
        for t in (0..org.teams()).filter(|&t| teams[t]) {
            for i in org.team_slots(t) {
                if s.emp.active[i] == 1 && s.emp.community[i] == NO_COMMUNITY && uniform(rng) < d {
                    s.emp.community[i] = rng.random_range(0..n) as u16;
                }
            }
        }
    }
}
