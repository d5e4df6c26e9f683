//! March's (1991) model of mutual learning: individuals and an
//! organizational code learn from each other about an external reality
//! (J. G. March, "Exploration and Exploitation in Organizational
//! Learning", Organization Science 2(1):71–87).
//!
//! Reality has m dimensions, each ±1; n individuals hold beliefs in
//! {−1, 0, +1} on every dimension; the code starts all 0. Each period, in
//! this order ([`rules`]): turnover, turbulence, individuals act and are
//! scored, socialization, code learning. A run stops at equilibrium (no
//! belief differs from the non-zero code and the code cannot learn) when
//! nothing else can move it (no turnover, no turbulence), or at the step
//! cap. Two readings of the paper are implemented, see [`Variant`] and
//! docs/MODEL-march1991.md.
//!
//! Beliefs, the code and reality are bit planes ([`bits`]): with m ≤ 64
//! one belief vector is two words, and acting, scoring and the superior
//! group's majority counts are popcounts. The model never touches files.
//!
//! With `subgroups` ≥ 1 the code gives way to interpersonal learning in
//! semi-isolated subgroups linked by a chance of cross-group contacts (Fang,
//! Lee & Schilling 2010; [`subgroups`]). With `subgroups` = 0 (the default)
//! the period is March's, draw for draw.

pub mod bits;
pub mod params;
pub mod rules;
pub mod subgroups;

use crate::engine::{Model, Seeds};
use crate::validate::Problems;
use bits::{Belief, hit, threshold};
pub use params::{MarchParams, Variant};

/// Names of the metrics, in the order `observe` writes them.
pub const METRICS: [&str; 7] = [
    "code_knowledge",
    "knowledge",
    "code_correct",
    "knowledge_fast",
    "knowledge_slow",
    "superior",
    "equilibrium",
];

/// Index of each metric in [`METRICS`].
pub mod metric {
    /// Σ_d code_d · reality_d / m: the code's knowledge score, in [−1, 1].
    pub const CODE_KNOWLEDGE: usize = 0;
    /// Mean over individuals of Σ_d belief_d · reality_d / m.
    pub const KNOWLEDGE: usize = 1;
    /// Share of dimensions on which the code equals reality.
    pub const CODE_CORRECT: usize = 2;
    /// [`KNOWLEDGE`] of the fast learners (empty when there are none).
    pub const KNOWLEDGE_FAST: usize = 3;
    /// [`KNOWLEDGE`] of the slow (ordinary) learners (empty when there are none).
    pub const KNOWLEDGE_SLOW: usize = 4;
    /// Share of individuals in this period's superior group.
    pub const SUPERIOR: usize = 5;
    /// 1 when the state is at equilibrium after this period, else 0.
    pub const EQUILIBRIUM: usize = 6;
}

/// Stream purposes: the first key of every stream the model draws from.
pub(crate) mod tag {
    pub const INIT: u64 = 1;
    pub const TURNOVER: u64 = 2;
    pub const NEWCOMER: u64 = 3;
    pub const TURBULENCE: u64 = 4;
    pub const ACT: u64 = 5;
    pub const SOCIAL: u64 = 6;
    pub const CODE: u64 = 7;
    pub const LINK: u64 = 8;
}

/// The validated configuration, with the thresholds the step uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The section as written (after validation).
    pub params: MarchParams,
    /// Which reading of the paper.
    pub variant: Variant,
    /// Mask of the m dimensions.
    pub mask: u64,
    /// Number of fast learners (individuals 0 .. fast).
    pub fast: u32,
    /// Step cap.
    pub steps: u32,
    /// Number of subgroups S (0: March's organizational code).
    pub groups: u32,
    /// Size of a subgroup, n / S (individuals g·size .. (g + 1)·size − 1).
    pub size: u32,
    thr_link: u64,
    thr_p1: u64,
    thr_p1_fast: u64,
    thr_p3: u64,
    thr_p4: u64,
    /// thr_code[k]: threshold of 1 − (1 − p2)^k, k = 0 ..= n.
    thr_code: Vec<u64>,
}

impl Config {
    /// Check `params` and derive the thresholds; every problem is reported.
    pub fn new(params: MarchParams, steps: u32) -> Result<Self, Problems> {
        let mut p = Problems::default();
        params.check(&mut p);
        if steps == 0 {
            p.push("steps", "must be at least 1");
        }
        let Some(variant) = Variant::parse(&params.variant) else {
            return Err(p);
        };
        if !p.is_empty() {
            return Err(p);
        }
        let thr_code = (0..=params.n)
            .map(|k| threshold(1.0 - (1.0 - params.p2).powi(k as i32)))
            .collect();
        Ok(Self {
            variant,
            mask: bits::dims(params.m),
            fast: params.fast_count(),
            steps,
            groups: params.subgroups,
            size: params.n / params.subgroups.max(1),
            thr_link: threshold(params.cross_link),
            thr_p1: threshold(params.p1),
            thr_p1_fast: threshold(params.p1_fast),
            thr_p3: threshold(params.p3),
            thr_p4: threshold(params.p4),
            thr_code,
            params,
        })
    }

    /// Socialization threshold of individual `i`.
    #[inline]
    pub(crate) fn thr_social(&self, i: usize) -> u64 {
        if (i as u32) < self.fast {
            self.thr_p1_fast
        } else {
            self.thr_p1
        }
    }

    /// Socialization rate of individual `i`.
    pub fn p1_of(&self, i: usize) -> f64 {
        if (i as u32) < self.fast {
            self.params.p1_fast
        } else {
            self.params.p1
        }
    }

    /// Whether an equilibrium is absorbing: no turnover and no turbulence
    /// can move the state out of it.
    pub fn absorbing(&self) -> bool {
        self.params.p3 == 0.0 && self.params.p4 == 0.0
    }

    /// Whether individuals learn from each other in subgroups (S ≥ 1)
    /// instead of from March's code.
    pub fn split(&self) -> bool {
        self.groups > 0
    }

    /// The subgroup individual `i` belongs to.
    #[inline]
    pub fn home(&self, i: usize) -> u32 {
        i as u32 / self.size
    }

    /// Whether the code can learn at all (p2 > 0).
    pub fn code_learns(&self) -> bool {
        self.params.p2 > 0.0
    }

    /// Whether a draw `x` accepts a code change backed by `k`.
    #[inline]
    pub(crate) fn code_hit(&self, x: u64, k: u32) -> bool {
        hit(x, self.thr_code[k.min(self.params.n) as usize])
    }
}

/// Everything that changes during one run.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Reality as a sign word (bit d set ⇔ dimension d is +1).
    pub reality: u64,
    /// The organizational code (March; with subgroups, where there is no
    /// code, it stays all 0 and the metrics read the majority view instead).
    pub code: Belief,
    /// The individuals' beliefs (individuals 0 .. fast are the fast learners).
    pub beliefs: Vec<Belief>,
    /// Size of this period's superior group.
    pub superior: u32,
    /// Whether the state is at equilibrium after this period.
    pub equilibrium: bool,
    /// Scratch: this period's actions (replication variant).
    pub(crate) actions: Vec<u64>,
    /// Scratch: the superior group as a bitset over individuals.
    pub(crate) group: Vec<u64>,
    /// Scratch: per dimension, (#+1, #−1, #0) in the superior group.
    pub(crate) tally: Vec<[u32; 3]>,
    /// Scratch (subgroups): the beliefs being written this period.
    pub(crate) next: Vec<Belief>,
    /// Scratch (subgroups): this period's performance of each individual.
    pub(crate) perf: Vec<i32>,
}

impl State {
    /// A state from its parts (for hand-made states in tests).
    pub fn new(reality: u64, code: Belief, beliefs: Vec<Belief>) -> Self {
        let n = beliefs.len();
        Self {
            reality,
            code,
            superior: 0,
            equilibrium: false,
            actions: vec![0; n],
            group: vec![0; n.div_ceil(64)],
            tally: Vec::new(),
            next: Vec::new(),
            perf: Vec::new(),
            beliefs,
        }
    }
}

/// March's model with one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct March1991 {
    cfg: Config,
}

impl March1991 {
    /// Build the model from a validated section and the step cap.
    pub fn new(params: MarchParams, steps: u32) -> Result<Self, Problems> {
        Config::new(params, steps).map(|cfg| Self { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Change the step cap.
    pub fn set_steps(&mut self, steps: u32) {
        self.cfg.steps = steps;
    }

    /// One period on `state` (what [`Model::step`] does).
    pub fn period(&self, state: &mut State, step: u32, seeds: &Seeds) {
        let cfg = &self.cfg;
        if cfg.split() {
            subgroups::period(cfg, state, step, seeds);
            return;
        }
        if cfg.params.p3 > 0.0 {
            rules::turnover(cfg, state, step, seeds);
        }
        if cfg.params.p4 > 0.0 {
            rules::turbulence(cfg, state, step, seeds);
        }
        rules::act(cfg, state, step, seeds);
        rules::socialize(cfg, state, step, seeds);
        rules::learn_code(cfg, state, step, seeds);
        state.equilibrium = rules::at_equilibrium(cfg, state);
    }
}

impl Model for March1991 {
    type State = State;

    fn metrics(&self) -> &[&'static str] {
        &METRICS
    }

    /// Knowledge scores in [−1, 1]; the rest are shares (equilibrium is 0
    /// or 1, so its mean is the share of runs at equilibrium).
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        let score = Some((-1.0, 1.0));
        let share = Some((0.0, 1.0));
        vec![score, score, share, score, score, share, share]
    }

    fn steps(&self) -> u32 {
        self.cfg.steps
    }

    fn init(&self, seeds: &Seeds) -> State {
        let cfg = &self.cfg;
        let mut rng = seeds.stream(&[tag::INIT]);
        let reality = rand::Rng::next_u64(&mut rng) & cfg.mask;
        let beliefs = (0..cfg.params.n)
            .map(|_| rules::random_belief(&mut rng, cfg.params.m))
            .collect();
        let mut s = State::new(reality, Belief::ZERO, beliefs);
        if cfg.split() {
            s.equilibrium = subgroups::at_equilibrium(cfg, &s);
        } else {
            s.equilibrium = rules::at_equilibrium(cfg, &s);
        }
        s
    }

    fn step(&self, state: &mut State, step: u32, seeds: &Seeds) {
        self.period(state, step, seeds);
    }

    fn observe(&self, s: &State, out: &mut [f64]) {
        let cfg = &self.cfg;
        let m = f64::from(cfg.params.m);
        let fast = cfg.fast as usize;
        let sum = |b: &[Belief]| -> i64 {
            b.iter()
                .map(|&x| i64::from(bits::score(x, s.reality)))
                .sum()
        };
        let mean = |b: &[Belief]| {
            if b.is_empty() {
                f64::NAN
            } else {
                sum(b) as f64 / (b.len() as f64 * m)
            }
        };
        // With subgroups there is no code: the organization's majority view
        // (per dimension, the sign of Σ_i b_id) stands in for it.
        let code = if cfg.split() {
            subgroups::majority_view(&s.beliefs, cfg.params.m)
        } else {
            s.code
        };
        out[metric::CODE_KNOWLEDGE] = f64::from(bits::score(code, s.reality)) / m;
        out[metric::CODE_CORRECT] = f64::from(bits::correct(code, s.reality)) / m;
        out[metric::KNOWLEDGE] = mean(&s.beliefs);
        out[metric::KNOWLEDGE_FAST] = mean(&s.beliefs[..fast]);
        out[metric::KNOWLEDGE_SLOW] = mean(&s.beliefs[fast..]);
        out[metric::SUPERIOR] = f64::from(s.superior) / s.beliefs.len() as f64;
        out[metric::EQUILIBRIUM] = if s.equilibrium { 1.0 } else { 0.0 };
    }

    fn may_be_undefined(&self, m: usize) -> bool {
        // Means over an empty group of individuals.
        matches!(
            m,
            metric::KNOWLEDGE | metric::KNOWLEDGE_FAST | metric::KNOWLEDGE_SLOW
        )
    }

    fn stop(&self, s: &State, _step: u32) -> bool {
        s.equilibrium && self.cfg.absorbing()
    }
}
