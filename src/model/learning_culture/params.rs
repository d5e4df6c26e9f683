//! Numeric parameters of the learning-culture model, section by section.
//!
//! Each section is a plain struct of numbers that mirrors a table of the
//! scenario file (`[engagement]`, `[belief]`, ...). Defaults live in the
//! `Default` impls and are documented, with their sources, in docs/MODEL.md.
//! [`Params::check`] validates every range once at load; the model then
//! trusts the values. Distributions, the organization and the timeline are
//! typed separately (see `super::LearningCulture::new`).

use crate::validate::Problems;
use serde::{Deserialize, Serialize};

macro_rules! section {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty = $default:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }
        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }
    };
}

section! {
    /// Thresholded engagement: p = p_max·σ((w_m m + w_b b + κ(w_c c + w_p P) + w_s S − θ)/τ).
    Engagement {
        /// p_max: the most weeks anyone learns intentionally, even in the best culture.
        ceiling: f64 = 0.8,
        /// w_m: weight of personal mastery.
        mastery: f64 = 1.0,
        /// w_b: weight of the employee's belief in the learning culture.
        belief: f64 = 2.0,
        /// w_c: weight of the team's local culture (scaled by the coupling κ).
        culture: f64 = 3.0,
        /// w_p: weight of the team's learning practice (scaled by κ).
        practice: f64 = 1.5,
        /// w_s: weight of the leader support reaching the team.
        support: f64 = 2.0,
        /// θ: the threshold the weighted drive must pass.
        threshold: f64 = 4.8,
        /// τ: softness of the threshold (smaller = sharper).
        softness: f64 = 0.2,
        /// T_h: habit, the mean number of weeks an engagement state lasts
        /// before it is reconsidered (ψ = e^(−1/T_h) of the weekly states
        /// carry over; 0 = a fresh decision every week).
        habit_weeks: f64 = 8.0,
    }
}

section! {
    /// Knowledge growth, forgetting and drawing on codified knowledge.
    Learning {
        /// r: weekly knowledge gain of an engaged employee, times (1 − k).
        rate: f64 = 0.01,
        /// r_i: weekly knowledge gain from daily work of an employee who is
        /// not learning intentionally (informal learning), times (1 − k).
        informal: f64 = 0.002,
        /// δ: weekly forgetting / obsolescence of individual knowledge.
        forgetting: f64 = 0.002,
        /// Weekly rate at which anyone closes the gap to the codified stock.
        draw: f64 = 0.002,
    }
}

section! {
    /// Belief in the learning culture: social influence with trust asymmetry.
    Belief {
        /// λ⁺: weekly rate at which belief rises toward its target.
        rate: f64 = 0.01,
        /// λ⁻/λ⁺: how much faster belief falls than it rises (Slovic 1993).
        asymmetry: f64 = 3.0,
        /// ω_p: weight of peers (influence-weighted team belief).
        peers: f64 = 1.0,
        /// ω_l: weight of the leader's signal (the support reaching the team).
        leader: f64 = 2.0,
        /// ω_c: weight of the local culture (scaled by κ).
        culture: f64 = 1.0,
        /// ω_x: weight of an engaged employee's own experience of support.
        experience: f64 = 1.0,
        /// Weeks during which a newcomer is being socialized.
        socialization_weeks: f64 = 26.0,
        /// Extra multiple of the belief rate while being socialized.
        socialization_boost: f64 = 3.0,
        /// λ_s: share of the distance to the outcome that one salient
        /// experience of learning (a project's success, 1, or failure, 0)
        /// moves belief; a disappointment moves it λ⁻/λ⁺ times as far.
        salient: f64 = 0.25,
        /// ε: share of the team's learning practice P (against leader
        /// support S) in an engaged employee's experience of learning,
        /// X = (1 − ε)·S + ε·P (mastery experiences, Bandura 1977).
        experience_practice: f64 = 0.5,
    }
}

section! {
    /// Team practice, local culture, the organization's culture stock and the loop.
    Culture {
        /// κ: strength of the reinforcing loop (culture → engagement and belief); 0 switches it off.
        coupling: f64 = 1.0,
        /// α_P: weekly rate at which team practice follows the team's engagement.
        practice_rate: f64 = 0.05,
        /// α_c⁺: weekly rate at which local culture rises toward its target.
        rate: f64 = 0.02,
        /// α_c⁻/α_c⁺: how much faster local culture falls than it rises.
        asymmetry: f64 = 3.0,
        /// v_P: weight of team practice in the local-culture target.
        from_practice: f64 = 0.3,
        /// v_B: weight of the team's mean belief.
        from_belief: f64 = 0.3,
        /// v_S: weight of the leader support reaching the team.
        from_support: f64 = 0.3,
        /// v_O: weight of the organization's culture.
        from_org: f64 = 0.1,
        /// α_C: weekly rate at which the organization's culture stock follows the teams.
        org_rate: f64 = 0.1,
        /// Local culture above which a team counts as a learning team (`teams_high`).
        high_threshold: f64 = 0.5,
        /// ω_O: weight of the organization's culture C in the culture an
        /// employee perceives, c̃ = (1 − ω_O)·c_t + ω_O·C, which drives
        /// engagement, belief, leaving and misfit (cross-level climate).
        perceived_org: f64 = 0.5,
    }
}

section! {
    /// Leader support, its gating through the hierarchy, and leader dynamics.
    Leadership {
        /// A superior whose direct support (alignment × commitment) is at or above this passes full support down.
        gate: f64 = 0.4,
        /// Share of support that still passes under a fully non-aligned superior.
        gate_floor: f64 = 0.3,
        /// μ⁺: weekly rate at which an adapting leader's alignment rises toward their superior's.
        alignment_rate: f64 = 0.003,
        /// μ⁻/μ⁺: how much faster alignment falls than it rises.
        asymmetry: f64 = 3.0,
        /// Weekly probability that a leader leaves and is replaced.
        turnover: f64 = 0.0015,
        /// μ_b: weight of the culture of the unit a leader leads in the
        /// target of their alignment, against weight 1 for their superior's
        /// alignment (upward influence).
        upward: f64 = 1.0,
        /// μ_0: weight of the leader's own conviction (the alignment they
        /// brought to the seat) in that target.
        conviction: f64 = 2.0,
        /// Share of successors promoted from within: they bring their
        /// unit's mean belief as alignment (the others come from the pool).
        internal: f64 = 0.5,
    }
}

section! {
    /// Employee turnover and hiring.
    Turnover {
        /// h₀: weekly probability of leaving in a perfect culture while engaged.
        base: f64 = 0.0015,
        /// η_c: extra leaving multiplier per unit of missing local culture (1 − c).
        culture_effect: f64 = 1.0,
        /// η_e: extra leaving multiplier for an employee who is not engaged.
        engagement_effect: f64 = 0.5,
        /// η_f: extra leaving multiplier per unit of misfit |b − c| between
        /// an employee's belief and their team's culture (attrition).
        misfit_effect: f64 = 1.0,
        /// s_A: attraction and selection, the share of the gap between a
        /// hire's drawn belief and the organization's culture C that is
        /// closed when they join.
        selection: f64 = 0.3,
        /// Weekly probability that a vacancy is filled.
        fill_rate: f64 = 0.25,
    }
}

section! {
    /// Formalizing informal learning into a codified knowledge stock.
    Formalization {
        /// φ: weekly rate at which engaged learning is codified (stock follows mean knowledge).
        rate: f64 = 0.02,
        /// Weekly obsolescence of the codified stock.
        decay: f64 = 0.001,
        /// Share of the gap to the codified stock a newcomer closes at onboarding.
        onboarding: f64 = 0.5,
        /// f_i: weekly probability that an employee's informal learning is
        /// made explicit (reflected on, written down): that week it counts
        /// as intentional learning ("making the unseen seen").
        informal: f64 = 0.02,
    }
}

section! {
    /// Learnathon projects (the event itself is on the timeline).
    Learnathon {
        /// Weeks a project runs before it is evaluated.
        duration: f64 = 8.0,
        /// Weekly probability that a project without management commitment is terminated.
        termination: f64 = 0.15,
        /// Share of the distance to 1 that knowledge gains after a successful project.
        success_knowledge: f64 = 0.1,
        /// Team practice gained per successful project, per team member.
        practice_boost: f64 = 0.5,
    }
}

section! {
    /// Communities of practice (started on the timeline).
    Community {
        /// Number of communities; each member belongs to one, across teams.
        communities: f64 = 4.0,
        /// Share of a member's peers, practice and support that comes from the community.
        peers: f64 = 0.5,
        /// Weekly rate at which a member closes the gap to the community's mean knowledge.
        knowledge: f64 = 0.003,
    }
}

section! {
    /// Initial conditions of the organization.
    Init {
        /// Initial local culture of every team and of the organization.
        culture: f64 = 0.2,
        /// Initial learning practice of every team.
        practice: f64 = 0.1,
        /// Initial codified knowledge stock.
        codified: f64 = 0.0,
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

impl Params {
    /// Check every range; problems are reported with their key paths.
    pub fn check(&self, p: &mut Problems) {
        let e = &self.engagement;
        for (k, v) in [
            ("mastery", e.mastery),
            ("belief", e.belief),
            ("culture", e.culture),
            ("practice", e.practice),
            ("support", e.support),
        ] {
            p.range(&format!("engagement.{k}"), v, 0.0, 100.0);
        }
        p.unit("engagement.ceiling", e.ceiling);
        p.range("engagement.threshold", e.threshold, -100.0, 100.0);
        p.range("engagement.softness", e.softness, 1e-3, 100.0);
        p.range("engagement.habit_weeks", e.habit_weeks, 0.0, 1e6);

        let l = &self.learning;
        p.unit("learning.rate", l.rate);
        p.unit("learning.informal", l.informal);
        p.unit("learning.forgetting", l.forgetting);
        p.unit("learning.draw", l.draw);

        let b = &self.belief;
        p.unit("belief.rate", b.rate);
        p.range("belief.asymmetry", b.asymmetry, 0.0, 100.0);
        if b.rate * b.asymmetry * (1.0 + b.socialization_boost) > 1.0 {
            p.push(
                "belief.asymmetry",
                format!(
                    "times belief.rate and (1 + belief.socialization_boost) must be at most 1 (a step cannot overshoot its target), got {}",
                    b.rate * b.asymmetry * (1.0 + b.socialization_boost)
                ),
            );
        }
        for (k, v) in [
            ("peers", b.peers),
            ("leader", b.leader),
            ("culture", b.culture),
            ("experience", b.experience),
        ] {
            p.range(&format!("belief.{k}"), v, 0.0, 100.0);
        }
        if b.peers + b.leader + b.culture <= 0.0 {
            p.push(
                "belief.peers",
                "belief.peers + belief.leader + belief.culture must be > 0",
            );
        }
        p.range(
            "belief.socialization_weeks",
            b.socialization_weeks,
            0.0,
            1e6,
        );
        p.range(
            "belief.socialization_boost",
            b.socialization_boost,
            0.0,
            100.0,
        );
        p.unit("belief.experience_practice", b.experience_practice);
        p.unit("belief.salient", b.salient);
        if b.salient * b.asymmetry > 1.0 {
            p.push(
                "belief.salient",
                format!(
                    "belief.salient times belief.asymmetry must be at most 1 (a disappointment cannot overshoot), got {}",
                    b.salient * b.asymmetry
                ),
            );
        }

        let c = &self.culture;
        p.range("culture.coupling", c.coupling, 0.0, 10.0);
        p.unit("culture.practice_rate", c.practice_rate);
        p.unit("culture.rate", c.rate);
        p.range("culture.asymmetry", c.asymmetry, 0.0, 100.0);
        if c.rate * c.asymmetry > 1.0 {
            p.push(
                "culture.asymmetry",
                format!(
                    "times culture.rate must be at most 1, got {}",
                    c.rate * c.asymmetry
                ),
            );
        }
        for (k, v) in [
            ("from_practice", c.from_practice),
            ("from_belief", c.from_belief),
            ("from_support", c.from_support),
            ("from_org", c.from_org),
        ] {
            p.unit(&format!("culture.{k}"), v);
        }
        let sum = c.from_practice + c.from_belief + c.from_support + c.from_org;
        if (sum - 1.0).abs() > 1e-9 {
            p.push(
                "culture.from_practice",
                format!(
                    "culture.from_practice + from_belief + from_support + from_org must sum to 1, got {sum}"
                ),
            );
        }
        p.unit("culture.org_rate", c.org_rate);
        p.unit("culture.high_threshold", c.high_threshold);
        p.unit("culture.perceived_org", c.perceived_org);

        let ld = &self.leadership;
        p.range("leadership.gate", ld.gate, 1e-6, 1.0);
        p.unit("leadership.gate_floor", ld.gate_floor);
        p.unit("leadership.alignment_rate", ld.alignment_rate);
        p.range("leadership.asymmetry", ld.asymmetry, 0.0, 100.0);
        if ld.alignment_rate * ld.asymmetry > 1.0 {
            p.push(
                "leadership.asymmetry",
                "times leadership.alignment_rate must be at most 1",
            );
        }
        p.unit("leadership.turnover", ld.turnover);
        p.range("leadership.upward", ld.upward, 0.0, 100.0);
        p.range("leadership.conviction", ld.conviction, 0.0, 100.0);
        p.unit("leadership.internal", ld.internal);

        let t = &self.turnover;
        p.unit("turnover.base", t.base);
        p.range("turnover.culture_effect", t.culture_effect, 0.0, 100.0);
        p.range(
            "turnover.engagement_effect",
            t.engagement_effect,
            0.0,
            100.0,
        );
        p.range("turnover.misfit_effect", t.misfit_effect, 0.0, 100.0);
        if t.base * (1.0 + t.culture_effect + t.engagement_effect + t.misfit_effect) > 1.0 {
            p.push(
                "turnover.base",
                "times (1 + culture_effect + engagement_effect + misfit_effect) must be at most 1 (a weekly probability)",
            );
        }
        p.unit("turnover.selection", t.selection);
        p.unit("turnover.fill_rate", t.fill_rate);

        let f = &self.formalization;
        p.unit("formalization.rate", f.rate);
        p.unit("formalization.decay", f.decay);
        p.unit("formalization.onboarding", f.onboarding);
        p.unit("formalization.informal", f.informal);

        let la = &self.learnathon;
        p.range("learnathon.duration", la.duration, 1.0, 255.0);
        if la.duration.fract() != 0.0 {
            p.push(
                "learnathon.duration",
                format!("must be a whole number of steps, got {}", la.duration),
            );
        }
        p.unit("learnathon.termination", la.termination);
        p.unit("learnathon.success_knowledge", la.success_knowledge);
        p.range("learnathon.practice_boost", la.practice_boost, 0.0, 10.0);

        let cm = &self.community;
        p.range("community.communities", cm.communities, 1.0, 65535.0);
        if cm.communities.fract() != 0.0 {
            p.push(
                "community.communities",
                format!("must be a whole number, got {}", cm.communities),
            );
        }
        p.unit("community.peers", cm.peers);
        p.unit("community.knowledge", cm.knowledge);

        let i = &self.init;
        p.unit("init.culture", i.culture);
        p.unit("init.practice", i.practice);
        p.unit("init.codified", i.codified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let mut p = Problems::default();
        Params::default().check(&mut p);
        assert!(p.is_empty(), "{:?}", p);
    }

    #[test]
    fn every_bad_value_is_reported() {
        let mut params = Params::default();
        params.learning.rate = 1.5;
        params.culture.from_org = 1.5;
        params.init.culture = -0.1;
        let mut p = Problems::default();
        params.check(&mut p);
        let paths: Vec<_> = p.0.iter().map(|x| x.path.as_str()).collect();
        assert!(paths.contains(&"learning.rate"));
        assert!(paths.contains(&"culture.from_org"));
        assert!(paths.contains(&"culture.from_practice"));
        assert!(paths.contains(&"init.culture"));
    }
}
