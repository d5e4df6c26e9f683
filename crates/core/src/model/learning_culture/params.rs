//! Numeric parameters of the learning-culture model, section by section,
//! each with its unit.
//!
//! Each section is a plain struct of numbers that mirrors a table of the
//! scenario file (`[engagement]`, `[belief]`, ...). Every value is stated
//! in real time, as the scenario writes it: rates per year, durations in
//! weeks, shares and weights without unit. Each field carries a [`Unit`]
//! token in the `section!` macro; [`Params::per_step`] converts the whole
//! set once for the step length (the model reads only per-step values) and
//! [`Params::from_step`] is its inverse (migrating format-1 scenarios, which
//! stated per-step values). Defaults are documented, with their sources, in
//! docs/MODEL.md. [`Params::check`] validates every range once at load and
//! [`Params::check_step`] what only the step length can break (both in
//! `params/check.rs`); the model then trusts the values. Distributions, the
//! organization and the timeline are typed separately (see
//! `super::LearningCulture::new`).

use Unit::*;
use serde::{Deserialize, Serialize};

/// Weeks in a year (of 365.25 days).
pub const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

/// The time units a learning-culture scenario can step in.
pub const TIME_UNITS: [&str; 5] = ["day", "week", "month", "quarter", "year"];

/// Years per step of a time unit (a year of 365.25 days, a month of 1/12
/// year, a week of 7 days); `None` for an unknown unit.
pub fn years_per_step(unit: &str) -> Option<f64> {
    match unit {
        "day" => Some(1.0 / 365.25),
        "week" => Some(7.0 / 365.25),
        "month" => Some(1.0 / 12.0),
        "quarter" => Some(0.25),
        "year" => Some(1.0),
        _ => None,
    }
}

/// What a numeric key measures, and so how it converts for a step of Δt
/// years. The conversions are exact for the mechanism they describe, so
/// the step length does not change the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A continuous rate λ per year: the speed of an exponential approach
    /// (a share of a gap closed) or a hazard (a probability of an event).
    /// Per step: the share (or probability) 1 − e^(−λ·Δt). A rate of λ per
    /// year closes 1 − e^(−λ) of a gap in a year; as a hazard, 1 − e^(−λ)
    /// is the probability that the event happens within a year.
    Rate,
    /// How many times faster the named rate of the same section acts
    /// downward than upward, as a ratio of continuous rates a. Per step:
    /// the ratio (1 − e^(−a·λ·Δt))/(1 − e^(−λ·Δt)), so the model's product
    /// rate × asymmetry is again the exactly compounded share.
    Asymmetry(&'static str),
    /// An extra multiple b of the named rate of the same section (the rate
    /// is (1 + b)·λ while it applies), in a model that also multiplies it
    /// by the named asymmetry a when falling. Per step: chosen so that the
    /// falling share rate × (1 + b) × asymmetry is exactly compounded,
    /// 1 − e^(−(1+b)·a·λ·Δt) (so it never exceeds 1); the rising share
    /// rate × (1 + b) is then exact to first order in λΔt.
    Boost(&'static str, &'static str),
    /// A duration in weeks. Per step: in steps (fractional).
    Weeks,
    /// A duration in weeks that the model counts in whole steps. Per step:
    /// rounded to the nearest whole step, at least 1.
    WholeWeeks,
    /// A share, probability or level in [0, 1] that does not depend on the
    /// step length (a state, a one-off jump, or the share of steps).
    Share,
    /// A weight, factor or threshold without unit.
    Weight,
    /// A whole count.
    Count,
}

impl Unit {
    /// The unit as docs and messages write it.
    pub fn label(self) -> &'static str {
        match self {
            Rate => "per year",
            Asymmetry(_) => "ratio of rates",
            Boost(..) => "multiple of a rate",
            Weeks | WholeWeeks => "weeks",
            Share => "share",
            Weight => "weight",
            Count => "count",
        }
    }

    /// Whether the value depends on the step length.
    pub fn is_time(self) -> bool {
        !matches!(self, Share | Weight | Count)
    }

    /// The per-step value of `v` for a step of `dt` years; `rate` gives the
    /// (per-year) value of another key of the same section.
    pub fn per_step(self, v: f64, rate: impl Fn(&str) -> f64, dt: f64) -> f64 {
        let share = |lambda: f64| -(-lambda * dt).exp_m1();
        // share(f·λ)/share(λ), or f when λ = 0 (the limit).
        let ratio = |f: f64, lambda: f64| {
            if lambda > 0.0 {
                share(f * lambda) / share(lambda)
            } else {
                f
            }
        };
        match self {
            Rate => share(v),
            Asymmetry(r) => ratio(v, rate(r)),
            Boost(r, a) => {
                let fall = rate(a) * rate(r);
                ratio(1.0 + v, fall) - 1.0
            }
            Weeks => v / WEEKS_PER_YEAR / dt,
            WholeWeeks => (v / WEEKS_PER_YEAR / dt).round().max(1.0),
            Share | Weight | Count => v,
        }
    }

    /// The inverse of [`Self::per_step`]: the real-time value of a per-step
    /// value `v` (format 1); `rate` gives the per-step value of another key.
    pub fn from_step(self, v: f64, rate: impl Fn(&str) -> f64, dt: f64) -> f64 {
        let lambda = |share: f64| {
            if share >= 1.0 {
                // A certain event each step: fast enough that e^(−λΔt)
                // rounds to 0.
                40.0 / dt
            } else {
                -(-share).ln_1p() / dt
            }
        };
        // λ(f·s)/λ(s), or f when s = 0.
        let ratio = |f: f64, s: f64| {
            if s > 0.0 {
                lambda((f * s).min(1.0)) / lambda(s)
            } else {
                f
            }
        };
        match self {
            Rate => lambda(v),
            Asymmetry(r) => ratio(v, rate(r)),
            Boost(r, a) => ratio(1.0 + v, rate(r) * rate(a)) - 1.0,
            Weeks | WholeWeeks => v * dt * WEEKS_PER_YEAR,
            Share | Weight | Count => v,
        }
    }
}

macro_rules! section {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : f64 = $default:expr => $unit:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $($(#[$fm])* pub $field: f64,)*
        }
        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }
        impl $name {
            /// Every key of the section with its unit.
            pub const UNITS: &'static [(&'static str, Unit)] = &[$((stringify!($field), $unit)),*];

            /// The value of a key by name.
            pub fn get(&self, key: &str) -> Option<f64> {
                match key {
                    $(stringify!($field) => Some(self.$field),)*
                    _ => None,
                }
            }

            /// The section for a step of `dt` years.
            pub fn per_step(&self, dt: f64) -> Self {
                let rate = |k: &str| self.get(k).expect("a unit names a key of its own section");
                Self { $($field: $unit.per_step(self.$field, rate, dt),)* }
            }

            /// The section from per-step values (format 1) for a step of `dt` years.
            pub fn from_step(&self, dt: f64) -> Self {
                let rate = |k: &str| self.get(k).expect("a unit names a key of its own section");
                Self { $($field: $unit.from_step(self.$field, rate, dt),)* }
            }
        }
    };
}

section! {
    /// Thresholded engagement: p = p_max·σ((w_m m + w_b b + κ(w_c c + w_p P) + w_s S − θ)/τ).
    Engagement {
        /// p_max: the largest share of the time anyone learns intentionally, even in the best culture.
        ceiling: f64 = 0.8 => Share,
        /// w_m: weight of personal mastery.
        mastery: f64 = 1.0 => Weight,
        /// w_b: weight of the employee's belief in the learning culture.
        belief: f64 = 2.0 => Weight,
        /// w_c: weight of the team's local culture (scaled by the coupling κ).
        culture: f64 = 3.0 => Weight,
        /// w_p: weight of the team's learning practice (scaled by κ).
        practice: f64 = 1.5 => Weight,
        /// w_s: weight of the leader support reaching the team.
        support: f64 = 2.0 => Weight,
        /// θ: the threshold the weighted drive must pass.
        threshold: f64 = 4.7 => Weight,
        /// τ: softness of the threshold (smaller = sharper).
        softness: f64 = 0.2 => Weight,
        /// T_h: habit, the mean number of weeks an engagement state lasts
        /// before it is reconsidered (ψ = e^(−Δt/T_h) of the states carry
        /// over from one step to the next; 0 = a fresh decision every step).
        habit_weeks: f64 = 8.0 => Weeks,
    }
}

section! {
    /// Knowledge growth, forgetting and drawing on codified knowledge.
    Learning {
        /// r: rate per year at which an engaged employee's knowledge closes
        /// its gap to 1.
        rate: f64 = 3.95 => Rate,
        /// r_i: rate per year at which knowledge grows from daily work for
        /// an employee who is not learning intentionally (informal learning).
        informal: f64 = 0.79 => Rate,
        /// δ: rate per year of forgetting / obsolescence of individual
        /// knowledge (0.76: a half-life of 11 months, the mixed measure of
        /// Tatel & Ackerman 2025). r, r_i, ρ and the community's ρ_cop are
        /// 7.6 times their values at δ = 0.1, so a person's steady
        /// knowledge is where it was (engaged r/(r + δ) = 0.84, informal
        /// r_i/(r_i + δ) = 0.51), reached 7.6 times faster (docs/MODEL.md
        /// section 5).
        forgetting: f64 = 0.76 => Rate,
        /// ρ: rate per year at which anyone closes the gap to the codified stock.
        draw: f64 = 0.76 => Rate,
        /// τ_w: share of the working week an employee who is learning
        /// intentionally spends on learning instead of work (the
        /// `performance` output, k·(1 − τ_w·e); 0.2: a day a week, an
        /// assumption).
        time_share: f64 = 0.2 => Share,
    }
}

section! {
    /// Belief in the learning culture: social influence with trust asymmetry.
    Belief {
        /// λ⁺: rate per year at which belief rises toward its target.
        rate: f64 = 0.52 => Rate,
        /// λ⁻/λ⁺: how much faster belief falls than it rises (Slovic 1993).
        asymmetry: f64 = 3.0 => Asymmetry("rate"),
        /// ω_p: weight of peers (influence-weighted team belief).
        peers: f64 = 1.0 => Weight,
        /// ω_l: weight of the leader's signal (the support reaching the team).
        leader: f64 = 2.0 => Weight,
        /// ω_c: weight of the local culture (scaled by κ).
        culture: f64 = 1.0 => Weight,
        /// ω_x: weight of an engaged employee's own experience of support.
        experience: f64 = 1.0 => Weight,
        /// Weeks during which a newcomer is being socialized.
        socialization_weeks: f64 = 26.0 => Weeks,
        /// Extra multiple of the belief rate while being socialized.
        socialization_boost: f64 = 3.0 => Boost("rate", "asymmetry"),
        /// ε: share of the team's learning practice P (against leader
        /// support S) in an engaged employee's experience of learning,
        /// X = (1 − ε)·S + ε·P (mastery experiences, Bandura 1977).
        experience_practice: f64 = 0.5 => Share,
        /// λ_s: share of the distance to the outcome that one salient
        /// experience of learning (a project's success, 1, or failure, 0)
        /// moves belief; a disappointment moves it λ⁻/λ⁺ times as far.
        salient: f64 = 0.25 => Share,
    }
}

section! {
    /// Team practice, local culture, the organization's culture stock and the loop.
    Culture {
        /// κ: strength of the reinforcing loop (culture → engagement and belief); 0 switches it off.
        coupling: f64 = 1.0 => Weight,
        /// α_P: rate per year at which team practice follows the team's engagement.
        practice_rate: f64 = 2.7 => Rate,
        /// α_c⁺: rate per year at which local culture rises toward its target.
        rate: f64 = 1.05 => Rate,
        /// α_c⁻/α_c⁺: how much faster local culture falls than it rises.
        asymmetry: f64 = 3.0 => Asymmetry("rate"),
        /// v_P: weight of team practice in the local-culture target.
        from_practice: f64 = 0.3 => Share,
        /// v_B: weight of the team's mean belief.
        from_belief: f64 = 0.3 => Share,
        /// v_S: weight of the leader support reaching the team.
        from_support: f64 = 0.3 => Share,
        /// v_O: weight of the organization's culture.
        from_org: f64 = 0.1 => Share,
        /// α_C: rate per year at which the organization's culture stock follows the teams.
        org_rate: f64 = 5.5 => Rate,
        /// Local culture above which a team counts as a learning team (`teams_high`).
        high_threshold: f64 = 0.5 => Share,
        /// ω_O: weight of the organization's culture C in the culture an
        /// employee perceives, c̃ = (1 − ω_O)·c_t + ω_O·C, which drives
        /// engagement, belief, leaving and misfit (cross-level climate).
        perceived_org: f64 = 0.5 => Share,
    }
}

section! {
    /// Leader support, its gating through the hierarchy, and leader dynamics.
    Leadership {
        /// A superior whose direct support (alignment × commitment) is at or above this passes full support down.
        gate: f64 = 0.4 => Share,
        /// Share of support that still passes under a fully non-aligned superior.
        gate_floor: f64 = 0.3 => Share,
        /// μ⁺: rate per year at which an adapting leader's alignment rises toward its target.
        alignment_rate: f64 = 0.16 => Rate,
        /// μ⁻/μ⁺: how much faster alignment falls than it rises.
        asymmetry: f64 = 3.0 => Asymmetry("alignment_rate"),
        /// Hazard per year that a leader leaves and is replaced (0.078: 7.5% a year).
        turnover: f64 = 0.078 => Rate,
        /// μ_b: weight of the share of learning teams in the unit a leader
        /// leads in the target of their alignment, against weight 1 for
        /// their superior's alignment (upward influence).
        upward: f64 = 1.0 => Weight,
        /// μ_0: weight of the leader's own conviction (the alignment they
        /// brought to the seat) in that target.
        conviction: f64 = 2.0 => Weight,
        /// Share of successors promoted from within: they bring their
        /// unit's mean belief as alignment (the others come from the pool).
        internal: f64 = 0.5 => Share,
        /// T_L: taking charge, the time constant in weeks in which a new
        /// leader's support comes to reach the people below: the share
        /// r = r₀ + (1 − r₀)(1 − e^(−t/T_L)) of it does, t weeks after they
        /// took the seat (26 weeks: informed by Gabarro's 1987 first stage,
        /// taking hold, of three to six months; docs/MODEL.md E32). 0: off,
        /// every leader in charge at once.
        taking_charge: f64 = 26.0 => Weeks,
        /// r₀: the share of their support a leader from outside the unit
        /// (the pool, or placed by an event) brings to bear in their first
        /// week in the seat.
        first_support: f64 = 0.5 => Share,
        /// r₀ of a successor promoted from within (E27): insiders know the
        /// unit and its people and take charge faster (Gabarro 1987); 1:
        /// in charge at once.
        first_support_internal: f64 = 1.0 => Share,
    }
}

section! {
    /// Employee turnover and hiring.
    Turnover {
        /// h₀: hazard per year of leaving in a perfect culture while engaged (0.078: 7.5% a year).
        base: f64 = 0.078 => Rate,
        /// η_c: extra leaving multiplier per unit of missing local culture (1 − c).
        culture_effect: f64 = 1.0 => Weight,
        /// η_e: extra leaving multiplier for an employee who is not engaged.
        engagement_effect: f64 = 0.5 => Weight,
        /// η_f: extra leaving multiplier per unit of misfit |b − c| between
        /// an employee's belief and their team's culture (attrition).
        misfit_effect: f64 = 1.0 => Weight,
        /// s_A: attraction and selection, the share of the gap between a
        /// hire's drawn belief and the organization's culture C that is
        /// closed when they join.
        selection: f64 = 0.3 => Share,
        /// Hazard per year that a vacancy is filled (15: a vacancy lasts 1/15 year, about 3.5 weeks, on average).
        fill_rate: f64 = 15.0 => Rate,
        /// g: hazard per year that a slot left vacant at the start
        /// (`init.vacant`, room to grow) is filled: the organization grows
        /// by up to init.vacant of its slots (0: it does not grow). Once
        /// filled, the slot is like any other (a leaver's vacancy is
        /// refilled at fill_rate).
        growth: f64 = 0.0 => Rate,
    }
}

section! {
    /// Formalizing informal learning into a codified knowledge stock.
    Formalization {
        /// φ: rate per year at which engaged learning is codified (stock follows mean knowledge).
        rate: f64 = 1.05 => Rate,
        /// δ_c: rate per year of obsolescence of the codified stock.
        decay: f64 = 0.05 => Rate,
        /// Share of the gap to the codified stock a newcomer closes at onboarding.
        onboarding: f64 = 0.5 => Share,
        /// f_i: hazard per year that an employee's informal learning is
        /// made explicit (reflected on, written down): the step in which it
        /// happens counts as intentional learning ("making the unseen
        /// seen"), and habit (E21) carries it on. A hazard, not a share of
        /// steps: habit makes each occasion last T_h weeks whatever the
        /// step length (1.05 a year: 2% of the weeks).
        informal: f64 = 1.05 => Rate,
    }
}

section! {
    /// Learnathon projects (the event itself is on the timeline).
    Learnathon {
        /// Weeks a project runs before it is evaluated (counted in whole steps).
        duration: f64 = 8.0 => WholeWeeks,
        /// Hazard per year that a project without management commitment is terminated.
        termination: f64 = 8.5 => Rate,
        /// Share of the distance to 1 that knowledge gains after a successful project.
        success_knowledge: f64 = 0.1 => Share,
        /// Team practice gained per successful project, per team member.
        practice_boost: f64 = 0.5 => Weight,
    }
}

section! {
    /// Communities of practice (started on the timeline).
    Community {
        /// Number of communities; each member belongs to one, across teams.
        communities: f64 = 4.0 => Count,
        /// Share of a member's peers, practice and support that comes from the community.
        peers: f64 = 0.5 => Share,
        /// Rate per year at which a member closes the gap to the community's mean knowledge.
        knowledge: f64 = 1.22 => Rate,
    }
}

section! {
    /// Initial conditions of the organization.
    Init {
        /// Initial local culture of every team and of the organization.
        culture: f64 = 0.2 => Share,
        /// Initial learning practice of every team.
        practice: f64 = 0.1 => Share,
        /// Initial codified knowledge stock.
        codified: f64 = 0.0 => Share,
        /// Share of the slots left vacant at the start, chosen at random:
        /// the organization's room to grow, filled at turnover.growth.
        vacant: f64 = 0.0 => Share,
    }
}

impl Leadership {
    /// r₀ of E32: the share of their support a new leader brings to bear
    /// in their first week, from within the unit (E27) or from outside;
    /// 1 when taking charge is off (T_L = 0).
    pub fn first_charge(&self, from_within: bool) -> f64 {
        if self.taking_charge <= 0.0 {
            1.0
        } else if from_within {
            self.first_support_internal
        } else {
            self.first_support
        }
    }
}

/// All numeric parameter sections of the model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// `[engagement]`
    pub engagement: Engagement,
    /// `[learning]`
    pub learning: Learning,
    /// `[belief]`
    pub belief: Belief,
    /// `[culture]`
    pub culture: Culture,
    /// `[leadership]`
    pub leadership: Leadership,
    /// `[turnover]`
    pub turnover: Turnover,
    /// `[formalization]`
    pub formalization: Formalization,
    /// `[learnathon]`
    pub learnathon: Learnathon,
    /// `[community]`
    pub community: Community,
    /// `[init]`
    pub init: Init,
}

/// Calls `$m!` with every section as `(field, Type)`.
macro_rules! for_sections {
    ($m:ident) => {
        $m! {
            (engagement, Engagement),
            (learning, Learning),
            (belief, Belief),
            (culture, Culture),
            (leadership, Leadership),
            (turnover, Turnover),
            (formalization, Formalization),
            (learnathon, Learnathon),
            (community, Community),
            (init, Init)
        }
    };
}

macro_rules! params_impl {
    ($(($f:ident, $t:ident)),*) => {
        impl Params {
            /// Every key (`section.key`) with its unit, in file order.
            pub fn units() -> Vec<(String, Unit)> {
                let mut out = Vec::new();
                $(for (k, u) in $t::UNITS {
                    out.push((format!("{}.{k}", stringify!($f)), *u));
                })*
                out
            }

            /// All sections for a step of `dt` years: what the model reads.
            pub fn per_step(&self, dt: f64) -> Self {
                Self { $($f: self.$f.per_step(dt),)* }
            }

            /// All sections from per-step values (format 1) for a step of `dt` years.
            pub fn from_step(&self, dt: f64) -> Self {
                Self { $($f: self.$f.from_step(dt),)* }
            }

            /// The value of key `section.key`.
            pub fn get(&self, path: &str) -> Option<f64> {
                let (section, key) = path.split_once('.')?;
                match section {
                    $(stringify!($f) => self.$f.get(key),)*
                    _ => None,
                }
            }
        }
    };
}
for_sections! {params_impl}

/// The unit of key `section.key` of the parameter sections.
pub fn unit_of(path: &str) -> Option<Unit> {
    let (section, key) = path.split_once('.')?;
    let units: &[(&str, Unit)] = match section {
        "engagement" => Engagement::UNITS,
        "learning" => Learning::UNITS,
        "belief" => Belief::UNITS,
        "culture" => Culture::UNITS,
        "leadership" => Leadership::UNITS,
        "turnover" => Turnover::UNITS,
        "formalization" => Formalization::UNITS,
        "learnathon" => Learnathon::UNITS,
        "community" => Community::UNITS,
        "init" => Init::UNITS,
        _ => return None,
    };
    units.iter().find(|(k, _)| *k == key).map(|(_, u)| *u)
}

mod check;

pub use check::RATE_MAX;

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: f64 = 7.0 / 365.25;

    #[test]
    fn a_rate_compounds_exactly() {
        // 0.52 per year: per week 1 − e^(−0.52·7/365.25); 52.18 weeks of
        // it close the same share of a gap as one year, 1 − e^(−0.52).
        let w = Rate.per_step(0.52, |_| 0.0, WEEK);
        assert!((w - (1.0 - (-0.52f64 * WEEK).exp())).abs() < 1e-15);
        let year = 1.0 - (1.0 - w).powf(1.0 / WEEK);
        assert!((year - (1.0 - (-0.52f64).exp())).abs() < 1e-12);
        // A day's and a month's steps make the same year.
        for dt in [1.0 / 365.25, 1.0 / 12.0] {
            let s = Rate.per_step(0.52, |_| 0.0, dt);
            assert!((1.0 - (1.0 - s).powf(1.0 / dt) - year).abs() < 1e-12);
        }
    }

    #[test]
    fn an_asymmetry_compounds_with_its_rate() {
        // The model's falling share is rate × asymmetry per step: it must
        // be 1 − e^(−3λΔt).
        let lambda = 1.05;
        let r = Rate.per_step(lambda, |_| 0.0, 0.25);
        let a = Asymmetry("rate").per_step(3.0, |_| lambda, 0.25);
        assert!((r * a - (1.0 - (-3.0 * lambda * 0.25f64).exp())).abs() < 1e-14);
        // With both the boost and the asymmetry, the falling share is
        // exact: 1 − e^(−4·3·λΔt).
        let rates = |k: &str| if k == "rate" { lambda } else { 3.0 };
        let b = Boost("rate", "asymmetry").per_step(3.0, rates, 0.25);
        let a = Asymmetry("rate").per_step(3.0, rates, 0.25);
        assert!((r * (1.0 + b) * a - (1.0 - (-12.0 * lambda * 0.25f64).exp())).abs() < 1e-14);
        // Without a rate the multiplier is the ratio itself.
        assert_eq!(Asymmetry("rate").per_step(3.0, |_| 0.0, 0.25), 3.0);
    }

    #[test]
    fn durations_convert_to_steps() {
        assert!((Weeks.per_step(26.0, |_| 0.0, WEEK) - 26.0).abs() < 1e-12);
        assert!((Weeks.per_step(26.0, |_| 0.0, 1.0 / 365.25) - 182.0).abs() < 1e-9);
        assert_eq!(WholeWeeks.per_step(8.0, |_| 0.0, 1.0 / 12.0), 2.0);
        assert_eq!(WholeWeeks.per_step(1.0, |_| 0.0, 0.25), 1.0);
        assert_eq!(Share.per_step(0.3, |_| 0.0, 0.25), 0.3);
    }

    #[test]
    fn from_step_inverts_per_step() {
        let weekly = Params::default().per_step(WEEK);
        let back = weekly.from_step(WEEK);
        for (path, _) in Params::units() {
            let (a, b) = (
                Params::default().get(&path).unwrap(),
                back.get(&path).unwrap(),
            );
            assert!(
                (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                "{path}: {a} vs {b}"
            );
        }
        // Format 1's weekly 0.01 is 0.5244 per year.
        let r = Rate.from_step(0.01, |_| 0.0, WEEK);
        assert!((r - 0.524_41).abs() < 1e-5, "{r}");
        // A certain event each step stays certain.
        assert_eq!(
            Rate.per_step(Rate.from_step(1.0, |_| 0.0, WEEK), |_| 0.0, WEEK),
            1.0
        );
    }

    #[test]
    fn every_key_has_a_unit() {
        let units = Params::units();
        let toml = toml::Table::try_from(Params::default()).unwrap();
        let n: usize = toml.values().map(|t| t.as_table().unwrap().len()).sum();
        assert_eq!(units.len(), n);
        assert_eq!(unit_of("belief.asymmetry"), Some(Asymmetry("rate")));
        assert_eq!(
            unit_of("belief.socialization_boost"),
            Some(Boost("rate", "asymmetry"))
        );
        assert_eq!(unit_of("learning.rate"), Some(Rate));
        assert_eq!(unit_of("learning.nope"), None);
    }
}
