//! The learning-culture model: employees, teams and leaders in a hierarchy,
//! with the reinforcing loop between learning and culture.
//!
//! [`Setup`] is the validated configuration (built by the scenario layer);
//! [`LearningCulture`] implements [`crate::engine::Model`]. The equations
//! are in [`equations`], the per-step dynamics in `step/` (one file per
//! phase of a step), the timeline in [`events`], the mean-field
//! approximation in [`meanfield`]. The model never touches files.

pub mod equations;
pub mod events;
mod kernel;
pub mod meanfield;
pub mod org;
pub mod params;
pub mod snapshot;
pub mod state;
mod step;

pub use kernel::Kernel;

use crate::dist::Dist;
use crate::engine::par::{GROUP, ordered_fold};
use crate::engine::rng::{hash_keys, unit_from_hash};
use crate::engine::{Marker, Model, Seeds};
use crate::validate::Problems;
use equations::{BeliefCoeffs, EngagementCoeffs};
use events::{Event, Kind};
use org::{Org, OrgSource};
pub use params::Params;
use rand::RngExt;
use rayon::prelude::*;
use state::{Employees, State, Totals};

/// Distributions of employee traits (for the initial staff or for hires).
#[derive(Debug, Clone)]
pub struct Traits {
    /// Personal mastery, clamped to [0, 1].
    pub mastery: Dist,
    /// Belief in the learning culture, clamped to [0, 1].
    pub belief: Dist,
    /// Knowledge, clamped to [0, 1].
    pub knowledge: Dist,
    /// Social influence (heavy-tailed; Pareto shape 1.16 = 80:20).
    pub influence: Dist,
}

/// Distributions of leader traits (initial leaders and replacements).
#[derive(Debug, Clone)]
pub struct LeaderPool {
    /// Alignment with the learning-culture vision, clamped to [0, 1].
    pub alignment: Dist,
    /// Commitment to support learning outcomes, clamped to [0, 1].
    pub commitment: Dist,
}

/// The validated configuration of the model.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Numeric parameters. As built by the scenario layer they are stated
    /// in real time (rates per year, durations in weeks);
    /// [`LearningCulture::new`] converts them once for the step length
    /// ([`Params::per_step`]), so in a built model's [`LearningCulture::setup`]
    /// they are per step (the stated values: [`LearningCulture::stated_params`]).
    pub params: Params,
    /// What a step is: one of [`params::TIME_UNITS`].
    pub time_unit: String,
    /// How the organization is generated or read.
    pub org: OrgSource,
    /// Traits of the initial staff.
    pub population: Traits,
    /// Traits of new hires (the hiring pool).
    pub hiring: Traits,
    /// Traits of leaders.
    pub leaders: LeaderPool,
    /// The timeline (times in steps).
    pub events: Vec<Event>,
    /// Steps to run.
    pub steps: u32,
}

/// Years of tenure the initial staff is spread over (uniformly).
const INITIAL_TENURE_YEARS: f64 = 520.0 * 7.0 / 365.25;

/// Names of the metrics, in the order `observe` writes them.
pub const METRICS: [&str; 15] = [
    "culture",
    "knowledge",
    "engagement",
    "belief",
    "alignment",
    "teams_high",
    "headcount",
    "leavers",
    "hires",
    "codified",
    "learnathon_participants",
    "practice",
    "support",
    "knowledge_lost",
    "performance",
];

/// Index of each metric in [`METRICS`].
pub mod metric {
    #![allow(missing_docs)]
    pub const CULTURE: usize = 0;
    pub const KNOWLEDGE: usize = 1;
    pub const ENGAGEMENT: usize = 2;
    pub const BELIEF: usize = 3;
    pub const ALIGNMENT: usize = 4;
    pub const TEAMS_HIGH: usize = 5;
    pub const HEADCOUNT: usize = 6;
    pub const LEAVERS: usize = 7;
    pub const HIRES: usize = 8;
    pub const CODIFIED: usize = 9;
    pub const PARTICIPANTS: usize = 10;
    pub const PRACTICE: usize = 11;
    pub const SUPPORT: usize = 12;
    pub const KNOWLEDGE_LOST: usize = 13;
    pub const PERFORMANCE: usize = 14;
}

/// Stream purposes: the first key of every stream the model draws from.
mod tag {
    pub const ORG: u64 = 1;
    pub const INIT: u64 = 2;
    pub const STEP: u64 = 3;
    pub const EVENT: u64 = 4;
    pub const LEADERS: u64 = 5;
    pub const PROGRAMME: u64 = 6;
    pub const COMMUNITY: u64 = 7;
    pub const EVERYDAY: u64 = 8;
    pub const PROJECT: u64 = 9;
    pub const RELAUNCH: u64 = 10;
}

/// `f32` coefficients for the hot loop, derived once from [`Params`].
#[derive(Debug, Clone, Copy)]
struct Coeffs {
    engagement: EngagementCoeffs,
    belief: BeliefCoeffs,
    kappa: f32,
}

impl Coeffs {
    fn from_params(p: &Params) -> Self {
        Self {
            engagement: EngagementCoeffs {
                ceiling: p.engagement.ceiling as f32,
                mastery: p.engagement.mastery as f32,
                belief: p.engagement.belief as f32,
                culture: p.engagement.culture as f32,
                practice: p.engagement.practice as f32,
                support: p.engagement.support as f32,
                threshold: p.engagement.threshold as f32,
                softness: p.engagement.softness as f32,
            },
            belief: BeliefCoeffs {
                peers: p.belief.peers as f32,
                leader: p.belief.leader as f32,
                culture: p.belief.culture as f32,
                experience: p.belief.experience as f32,
                experience_practice: p.belief.experience_practice as f32,
            },
            kappa: p.culture.coupling as f32,
        }
    }
}

/// The learning-culture model on one generated organization.
#[derive(Debug, Clone)]
pub struct LearningCulture {
    setup: Setup,
    /// The parameters as stated (per year, weeks), before the conversion.
    stated: Params,
    /// Initial tenures are drawn from `0..initial_tenure` steps.
    initial_tenure: u16,
    org: Org,
    coeffs: Coeffs,
    /// Units whose local culture is reported per group (teams or coarser).
    report: Vec<u32>,
    /// Which compilation of the employee pass runs.
    kernel: Kernel,
    /// Parameter uncertainty: each replicate steps with the parameters of
    /// one posterior draw (`run --posterior DIR`); None: these parameters.
    draws: Option<std::sync::Arc<Draws>>,
}

/// The models of a posterior's draws, one per distinct draw a run's
/// replicates use, and the draw of each replicate. Every draw has this
/// model's organization, timeline and horizon; only parameters differ.
#[derive(Debug, Clone)]
pub struct Draws {
    /// The model of each draw used.
    pub models: Vec<LearningCulture>,
    /// Replicate r steps with `models[by_replicate[r % len]]`.
    pub by_replicate: Vec<u32>,
    /// Where the posterior was read from (for the manifest).
    pub from: String,
    /// The keys its parameters set.
    pub keys: Vec<String>,
    /// The posterior particle of each model.
    pub particles: Vec<usize>,
}

/// Most groups reported by [`Model::groups`] (the teams heatmap rows).
pub const MAX_REPORT_GROUPS: usize = 1000;

impl LearningCulture {
    /// Build the model: generate the organization from the structural stream
    /// of `master_seed` (shared by all replicates and points) and check that
    /// every event's scope names an existing unit or team.
    ///
    /// `setup.params` are stated in real time; they are checked and
    /// converted here, once, for the step length of `setup.time_unit`.
    pub fn new(mut setup: Setup, master_seed: u64) -> Result<Self, Problems> {
        let mut problems = Problems::default();
        setup.params.check(&mut problems);
        let Some(dt) = params::years_per_step(&setup.time_unit) else {
            problems.push(
                "time_unit",
                format!(
                    "must be one of {}, got \"{}\"",
                    params::TIME_UNITS.join(", "),
                    setup.time_unit
                ),
            );
            return Err(problems);
        };
        let stated = setup.params.clone();
        setup.params = stated.per_step(dt);
        setup.params.check_step(&setup.time_unit, &mut problems);
        let initial_tenure = (INITIAL_TENURE_YEARS / dt).round().clamp(1.0, 65535.0) as u16;
        let mut rng = Seeds::new(
            master_seed,
            crate::engine::RunId {
                point: 0,
                replicate: 0,
            },
        )
        .stream(&[tag::ORG]);
        let Some(org) = org::build(&setup.org, &mut rng, &mut problems) else {
            return Err(problems);
        };
        for (i, e) in setup.events.iter().enumerate() {
            if let Err(msg) = e.scope.check(&org) {
                problems.push(format!("events[{i}].scope"), msg);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let coeffs = Coeffs::from_params(&setup.params);
        let report = org.report_units(MAX_REPORT_GROUPS);
        Ok(Self {
            setup,
            stated,
            initial_tenure,
            org,
            coeffs,
            report,
            kernel: Kernel::Auto,
            draws: None,
        })
    }

    /// Give each replicate the parameters of a posterior draw (see
    /// [`Draws`]); the draws' models must have this model's organization
    /// and horizon (checked by the caller, `calibrate::Posterior::attach`).
    pub fn set_draws(&mut self, draws: Draws) {
        self.draws = Some(std::sync::Arc::new(draws));
    }

    /// Keep only the events `keep` accepts, here and in every posterior
    /// draw (the events keep their keys, so the streams of the others do
    /// not change): the "nothing changes" branch of a forecast.
    pub fn retain_events(&mut self, keep: &dyn Fn(&Event) -> bool) {
        self.setup.events.retain(|e| keep(e));
        if let Some(d) = &mut self.draws {
            for m in &mut std::sync::Arc::make_mut(d).models {
                m.setup.events.retain(|e| keep(e));
            }
        }
    }

    /// The posterior draws, if any.
    pub fn draws(&self) -> Option<&Draws> {
        self.draws.as_deref()
    }

    /// A variant of this model (a branch of a decision study): this
    /// model's setup with the parameters as stated, changed by `edit`,
    /// built anew under master seed `seed` ([`LearningCulture::new`]).
    ///
    /// With posterior draws ([`Draws`]) the variant keeps them: `edit` is
    /// applied to every draw's own setup too (so an edit that reads the
    /// setup, e.g. the leader pool's alignment, reads the draw's value),
    /// each is built the same way, and the variant's replicate r steps
    /// with the same draw as this model's replicate r (the same
    /// `by_replicate`, origin, keys and particles). Branches built this
    /// way from one model stay paired on their parameters as they are on
    /// their seeds, and a state forked from one branch continues in
    /// another with its own draw. Building the model from
    /// [`LearningCulture::setup`] by hand instead would drop the draws.
    ///
    /// The edit must keep the organization and the events' scopes valid;
    /// the problems of the first model (this one's, then the draws' in
    /// order) that does not build are returned.
    pub fn rebuild(&self, seed: u64, edit: &dyn Fn(&mut Setup)) -> Result<Self, Problems> {
        let one = |m: &LearningCulture| -> Result<LearningCulture, Problems> {
            let mut s = m.setup.clone();
            s.params = m.stated.clone();
            edit(&mut s);
            let mut built = LearningCulture::new(s, seed)?;
            built.kernel = m.kernel;
            Ok(built)
        };
        let mut variant = one(self)?;
        if let Some(d) = &self.draws {
            let models = d.models.iter().map(one).collect::<Result<Vec<_>, _>>()?;
            variant.set_draws(Draws {
                models,
                by_replicate: d.by_replicate.clone(),
                from: d.from.clone(),
                keys: d.keys.clone(),
                particles: d.particles.clone(),
            });
        }
        Ok(variant)
    }

    /// The model a run in state `s` steps with: its posterior draw's, or
    /// this one.
    fn variant(&self, s: &State) -> &LearningCulture {
        match &self.draws {
            Some(d) => &d.models[s.draw as usize],
            None => self,
        }
    }

    /// The generated organization.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// The division (see [`Org::division`]) of each group [`Model::groups`]
    /// reports, in the same order.
    pub fn group_divisions(&self) -> Vec<String> {
        let org = &self.org;
        self.report
            .iter()
            .map(|&u| org.unit_name[org.division(u as usize)].clone())
            .collect()
    }

    /// The configuration, with the parameters per step.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The parameters as the scenario states them (per year, weeks).
    pub fn stated_params(&self) -> &Params {
        &self.stated
    }

    /// Years per step.
    pub fn years_per_step(&self) -> f64 {
        params::years_per_step(&self.setup.time_unit).expect("checked in new")
    }

    /// Choose the compilation of the employee pass (all give the same
    /// bits; the choice is for tests and benchmarks). Returns `false`, and
    /// changes nothing, if this processor cannot run it.
    pub fn set_kernel(&mut self, kernel: Kernel) -> bool {
        if kernel.available() {
            self.kernel = kernel;
        }
        kernel.available()
    }

    /// Change the number of steps to run (a horizon; events stay as they are).
    pub fn set_steps(&mut self, steps: u32) {
        self.setup.steps = steps;
    }
}

/// Clamp a sample into [0, 1] as `f32`.
fn unit(x: f64) -> f32 {
    x.clamp(0.0, 1.0) as f32
}

impl Model for LearningCulture {
    type State = State;

    fn metrics(&self) -> &[&'static str] {
        &METRICS
    }

    /// Shares and levels in [0, 1] (counts are unbounded).
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        let mut b = vec![None; METRICS.len()];
        for m in [
            metric::CULTURE,
            metric::KNOWLEDGE,
            metric::ENGAGEMENT,
            metric::BELIEF,
            metric::ALIGNMENT,
            metric::TEAMS_HIGH,
            metric::CODIFIED,
            metric::PRACTICE,
            metric::SUPPORT,
            metric::PERFORMANCE,
        ] {
            b[m] = Some((0.0, 1.0));
        }
        b
    }

    fn steps(&self) -> u32 {
        self.setup.steps
    }

    fn init(&self, seeds: &Seeds) -> State {
        if let Some(d) = &self.draws {
            let r = seeds.id().replicate as usize;
            let k = d.by_replicate[r % d.by_replicate.len()];
            let mut s = d.models[k as usize].init(seeds);
            s.draw = k;
            return s;
        }
        let org = &self.org;
        let p = &self.setup.params;
        let pop = &self.setup.population;
        let mut emp = Employees::with_slots(org.slots());
        // In parallel by blocks of teams; each team draws from its own stream.
        step::blocks(org, emp.view())
            .into_par_iter()
            .for_each(|(t0, t1, e)| {
                let base = org.team_start[t0 as usize] as usize;
                for t in t0 as usize..t1 as usize {
                    let mut rng = seeds.stream(&[tag::INIT, t as u64]);
                    for i in org.team_slots(t) {
                        let i = i - base;
                        e.active[i] = 1;
                        e.mastery[i] = unit(pop.mastery.sample(&mut rng));
                        e.belief[i] = unit(pop.belief.sample(&mut rng));
                        e.knowledge[i] = unit(pop.knowledge.sample(&mut rng));
                        e.influence[i] = pop.influence.sample(&mut rng).max(1e-6) as f32;
                        e.tenure[i] = rng.random_range(0..self.initial_tenure);
                    }
                }
            });
        let units = org.units();
        let mut rng = seeds.stream(&[tag::INIT, u64::MAX]);
        let pool = &self.setup.leaders;
        let mut alignment = Vec::with_capacity(units);
        let mut commitment = Vec::with_capacity(units);
        for _ in 0..units {
            alignment.push(unit(pool.alignment.sample(&mut rng)));
            commitment.push(unit(pool.commitment.sample(&mut rng)));
        }
        if let OrgSource::Chart(chart) = &self.setup.org {
            // What the org chart says about particular people wins over the draws.
            for u in 0..units {
                let node = org.unit_node[u] as usize;
                let (a, c) = chart.leader_traits[node];
                if let Some(a) = a {
                    alignment[u] = a;
                }
                if let Some(c) = c {
                    commitment[u] = c;
                }
                if let Some(members) = chart.member_traits.get(node).filter(|m| !m.is_empty()) {
                    let t = org.team_unit.iter().position(|&x| x as usize == u);
                    if let Some(t) = t {
                        for (i, tr) in org.team_slots(t).zip(members) {
                            let cols = [&mut emp.mastery, &mut emp.belief, &mut emp.knowledge];
                            for (col, v) in cols.into_iter().zip(tr) {
                                if let Some(v) = v {
                                    col[i] = *v;
                                }
                            }
                            if let Some(v) = tr[3] {
                                emp.influence[i] = v.max(1e-6);
                            }
                        }
                    }
                }
            }
        }
        if p.init.vacant > 0.0 {
            // Room to grow: a share of the slots, chosen by a hash of the
            // slot (every draw above stays as it is), starts vacant; it
            // wins over the org chart.
            let key = seeds.hash(&[tag::INIT, u64::MAX - 1]);
            let mut e = emp.view();
            for i in 0..org.slots() {
                if unit_from_hash(hash_keys(key, &[i as u64])) < p.init.vacant {
                    step::vacate(&mut e, i);
                    e.tenure[i] = state::ROOM_TO_GROW;
                }
            }
        }
        let teams = org.teams();
        let mut state = State {
            emp,
            practice: vec![p.init.practice as f32; teams],
            culture: vec![p.init.culture as f32; teams],
            support: vec![0.0; teams],
            conviction: alignment.clone(),
            alignment,
            commitment,
            adapts: vec![1; units],
            // The leaders at the start are in charge already.
            charge: vec![1.0; units],
            org_culture: p.init.culture,
            codified: p.init.codified,
            learnathon_commitment: 0.0,
            community_density: 0.0,
            programmes: Vec::new(),
            relaunches: Vec::new(),
            programme_steps: 0,
            programme_stops: 0,
            tally_fresh: false,
            event_leavers: 0,
            event_knowledge_lost: 0.0,
            tally: vec![Default::default(); teams],
            communities: Vec::new(),
            totals: Totals::default(),
            scratch_gate: vec![1.0; units],
            scratch_alignment: vec![0.0; units],
            scratch_below: vec![[0.0; 2]; units],
            scratch_sums: vec![(0.0, 0.0, 0); units],
            draw: 0,
        };
        self.compute_support(&mut state);
        self.recount(&mut state);
        state
    }

    fn step(&self, state: &mut State, step: u32, seeds: &Seeds) {
        self.variant(state).advance(state, step, seeds);
    }

    fn observe(&self, s: &State, out: &mut [f64]) {
        let v = self.variant(s);
        if !std::ptr::eq(v, self) {
            return v.observe(s, out);
        }
        let t = &s.totals;
        let n = f64::from(t.headcount.max(1));
        let teams = self.org.teams();
        let threshold = self.setup.params.culture.high_threshold as f32;
        // Sums in parallel, in a fixed grouping (the same bits at any thread count).
        let (high, practice, support) = ordered_fold(
            teams,
            (0usize, 0.0f64, 0.0f64),
            |r| {
                let (mut high, mut practice, mut support) = (0usize, 0.0f64, 0.0f64);
                for k in r {
                    high += usize::from(s.culture[k] > threshold);
                    practice += f64::from(s.practice[k]);
                    support += f64::from(s.support[k]);
                }
                (high, practice, support)
            },
            |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2),
        );
        let alignment = ordered_fold(
            s.alignment.len(),
            0.0f64,
            |r| s.alignment[r].iter().map(|&a| f64::from(a)).sum::<f64>(),
            |a, b| a + b,
        ) / s.alignment.len() as f64;
        out[metric::CULTURE] = s.org_culture;
        out[metric::KNOWLEDGE] = t.knowledge / n;
        out[metric::ENGAGEMENT] = f64::from(t.engaged) / n;
        out[metric::BELIEF] = t.belief / n;
        out[metric::ALIGNMENT] = alignment;
        out[metric::TEAMS_HIGH] = high as f64 / teams as f64;
        out[metric::HEADCOUNT] = f64::from(t.headcount);
        out[metric::LEAVERS] = f64::from(t.leavers);
        out[metric::HIRES] = f64::from(t.hires);
        out[metric::CODIFIED] = s.codified;
        out[metric::PARTICIPANTS] = f64::from(t.participants);
        out[metric::PRACTICE] = practice / teams as f64;
        out[metric::SUPPORT] = support / teams as f64;
        out[metric::KNOWLEDGE_LOST] = t.knowledge_lost;
        out[metric::PERFORMANCE] = equations::performance(
            t.knowledge,
            t.engaged_knowledge,
            self.setup.params.learning.time_share,
        ) / n;
    }

    fn groups(&self) -> Vec<String> {
        self.report
            .iter()
            .map(|&u| self.org.unit_name[u as usize].clone())
            .collect()
    }

    /// Local culture of each reported unit: the headcount-weighted mean of
    /// its teams' local culture (the plain mean if they are all empty).
    fn observe_groups(&self, s: &State, out: &mut [f32]) {
        // Each group sums its own teams, in order: in parallel by group, with
        // about `GROUP` teams or more per task.
        let per_task = (self.report.len() * GROUP / self.org.teams().max(1)).max(1);
        out.par_iter_mut()
            .zip(&self.report)
            .with_min_len(per_task)
            .for_each(|(o, &u)| {
                let (lo, hi) = self.org.unit_teams[u as usize];
                let (mut sum, mut w, mut plain) = (0.0f64, 0.0f64, 0.0f64);
                for t in lo as usize..hi as usize {
                    let n = f64::from(s.tally[t].active);
                    sum += n * f64::from(s.culture[t]);
                    w += n;
                    plain += f64::from(s.culture[t]);
                }
                *o = if w > 0.0 {
                    (sum / w) as f32
                } else {
                    (plain / f64::from(hi - lo)) as f32
                };
            });
    }

    fn markers(&self) -> Vec<Marker> {
        let mut out = Vec::new();
        for e in &self.setup.events {
            let shock =
                matches!(&e.kind, Kind::ReplaceLeader { .. }) && e.when != events::When::At(0);
            for step in e.when.occurrences(self.setup.steps) {
                out.push(Marker {
                    step,
                    label: e.label.clone(),
                    kind: e.kind.name().to_string(),
                    shock,
                });
            }
        }
        out.sort_by_key(|m| m.step);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::events::{Scope, When};
    use super::org::OrgSpec;
    use super::*;
    use crate::engine::{RunId, run_seeded};

    /// A small organization whose leaders' alignment is `alignment`.
    fn setup(alignment: f64) -> Setup {
        let traits = || Traits {
            mastery: Dist::Constant(0.5),
            belief: Dist::Constant(0.5),
            knowledge: Dist::Constant(0.3),
            influence: Dist::Constant(1.0),
        };
        Setup {
            params: Params::default(),
            time_unit: "week".into(),
            org: OrgSource::Generated(OrgSpec {
                employees: 40,
                team_size: Dist::Constant(8.0),
                span: 2,
                levels: None,
            }),
            population: traits(),
            hiring: traits(),
            leaders: LeaderPool {
                alignment: Dist::Constant(alignment),
                commitment: Dist::Constant(0.5),
            },
            events: Vec::new(),
            steps: 12,
        }
    }

    fn finals(m: &LearningCulture, replicate: u32) -> Vec<f64> {
        let out = run_seeded(
            m,
            Seeds::new(
                7,
                RunId {
                    point: 0,
                    replicate,
                },
            ),
        );
        out.row(out.len() - 1).to_vec()
    }

    /// A new leader drawn from the setup's own pool at step 3, and a
    /// shorter run.
    fn edit(s: &mut Setup) {
        s.steps = 8;
        s.events.push(Event {
            when: When::At(3),
            scope: Scope::Top,
            kind: Kind::ReplaceLeader {
                alignment: s.leaders.alignment.clone(),
                commitment: None,
                adapt: true,
            },
            label: "from the pool".into(),
            key: 99,
        });
    }

    #[test]
    fn a_rebuilt_model_keeps_its_draws_and_each_draw_has_the_edit() {
        // Without draws, a rebuild is the variant built by hand.
        let plain = LearningCulture::new(setup(0.5), 7).unwrap();
        let by_hand = {
            let mut s = plain.setup().clone();
            s.params = plain.stated_params().clone();
            edit(&mut s);
            LearningCulture::new(s, 7).unwrap()
        };
        let v = plain.rebuild(7, &edit).unwrap();
        assert!(v.draws().is_none());
        assert_eq!(finals(&v, 0), finals(&by_hand, 0));
        // With draws: two parameter sets, replicates 0, 1, 2 on draws 1, 0, 1.
        let mut m = plain.clone();
        let models: Vec<LearningCulture> = [0.2, 0.9]
            .iter()
            .map(|&a| LearningCulture::new(setup(a), 7).unwrap())
            .collect();
        m.set_draws(Draws {
            models: models.clone(),
            by_replicate: vec![1, 0, 1],
            from: "somewhere".into(),
            keys: vec!["leaders.alignment.mean".into()],
            particles: vec![4, 9],
        });
        let v = m.rebuild(7, &edit).unwrap();
        assert_eq!(v.steps(), 8);
        assert_eq!(v.setup().events.len(), 1);
        let d = v.draws().expect("the draws are kept");
        assert_eq!(d.by_replicate, vec![1, 0, 1]);
        assert_eq!(d.particles, vec![4, 9]);
        assert_eq!((d.from.as_str(), d.keys.len()), ("somewhere", 1));
        assert_eq!(d.models.len(), 2);
        for (draw, want) in d.models.iter().zip([0.2, 0.9]) {
            assert_eq!(draw.steps(), 8);
            assert_eq!(draw.stated_params(), plain.stated_params());
            // The edit read the draw's own pool.
            match &draw.setup().events[..] {
                [
                    Event {
                        kind:
                            Kind::ReplaceLeader {
                                alignment: Dist::Constant(a),
                                ..
                            },
                        ..
                    },
                ] => assert_eq!(*a, want),
                other => panic!("{other:?}"),
            }
        }
        // Replicate r steps with its draw, edited: as that draw's own
        // rebuilt model does.
        let alone: Vec<LearningCulture> = models
            .iter()
            .map(|x| x.rebuild(7, &edit).unwrap())
            .collect();
        assert_eq!(finals(&v, 0), finals(&alone[1], 0));
        assert_eq!(finals(&v, 1), finals(&alone[0], 1));
        assert_eq!(finals(&v, 2), finals(&alone[1], 2));
        assert_ne!(finals(&v, 0), finals(&alone[0], 0));
    }
}
