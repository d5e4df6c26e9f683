//! Range checks of the learning-culture parameters: every value as the
//! scenario states it ([`Params::check`], once at load) and what only the
//! step length can break ([`Params::check_step`], on the per-step values).
//! Each problem names its key path, the rule and the value.

use super::Params;
use super::Unit::*;
use crate::validate::Problems;

/// Largest rate per year a scenario may state (1 − e^(−λΔt) is 1 to
/// within rounding long before).
pub const RATE_MAX: f64 = 1e6;

impl Params {
    /// Check every range of the values as stated (per year, weeks,
    /// shares); problems are reported with their key paths and units, in
    /// this order: by unit kind, then section by section.
    pub fn check(&self, p: &mut Problems) {
        self.check_units(p);
        self.check_engagement(p);
        self.check_belief(p);
        self.check_culture(p);
        self.check_leadership(p);
        self.check_other_sections(p);
    }

    /// The ranges every key's unit kind implies (rates per year, weeks,
    /// whole weeks, asymmetries and boosts).
    fn check_units(&self, p: &mut Problems) {
        for (path, unit) in Self::units() {
            let v = self.get(&path).expect("units() lists existing keys");
            match unit {
                Rate => {
                    if !(v.is_finite() && (0.0..=RATE_MAX).contains(&v)) {
                        p.push(
                            &path,
                            format!("must be a rate per year in [0, {RATE_MAX:e}], got {v}"),
                        );
                    }
                }
                Weeks => {
                    if !(v.is_finite() && (0.0..=1e6).contains(&v)) {
                        p.push(
                            &path,
                            format!("must be a number of weeks in [0, 1e6], got {v}"),
                        );
                    }
                }
                WholeWeeks => {
                    if !(v.is_finite() && v > 0.0 && v <= 1e4) {
                        p.push(
                            &path,
                            format!("must be a number of weeks in (0, 1e4], got {v}"),
                        );
                    }
                }
                Asymmetry(_) | Boost(..) => p.range(&path, v, 0.0, 100.0),
                Share | Weight | Count => {}
            }
        }
    }

    /// The engagement response's weights, ceiling, threshold and softness.
    fn check_engagement(&self, p: &mut Problems) {
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
    }

    /// The belief target's weights (not all zero) and shares, and the
    /// learning time share.
    fn check_belief(&self, p: &mut Problems) {
        let b = &self.belief;
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
        p.unit("belief.experience_practice", b.experience_practice);
        p.unit("belief.salient", b.salient);
        p.unit("learning.time_share", self.learning.time_share);
    }

    /// The coupling and the culture target's weights (shares summing to 1).
    fn check_culture(&self, p: &mut Problems) {
        let c = &self.culture;
        p.range("culture.coupling", c.coupling, 0.0, 10.0);
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
        p.unit("culture.high_threshold", c.high_threshold);
        p.unit("culture.perceived_org", c.perceived_org);
    }

    /// The gate, upward influence, conviction and successors' shares.
    fn check_leadership(&self, p: &mut Problems) {
        let ld = &self.leadership;
        p.range("leadership.gate", ld.gate, 1e-6, 1.0);
        p.unit("leadership.gate_floor", ld.gate_floor);
        p.range("leadership.upward", ld.upward, 0.0, 100.0);
        p.range("leadership.conviction", ld.conviction, 0.0, 100.0);
        p.unit("leadership.internal", ld.internal);
        p.unit("leadership.first_support", ld.first_support);
        p.unit(
            "leadership.first_support_internal",
            ld.first_support_internal,
        );
    }

    /// Turnover effects, formalization, Learnathon, communities and the
    /// initial state.
    fn check_other_sections(&self, p: &mut Problems) {
        let t = &self.turnover;
        p.range("turnover.culture_effect", t.culture_effect, 0.0, 100.0);
        p.range(
            "turnover.engagement_effect",
            t.engagement_effect,
            0.0,
            100.0,
        );
        p.range("turnover.misfit_effect", t.misfit_effect, 0.0, 100.0);
        p.unit("turnover.selection", t.selection);

        let f = &self.formalization;
        p.unit("formalization.onboarding", f.onboarding);

        let la = &self.learnathon;
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

        let i = &self.init;
        p.unit("init.culture", i.culture);
        p.unit("init.practice", i.practice);
        p.unit("init.codified", i.codified);
        p.unit("init.vacant", i.vacant);
    }

    /// Check what only the step length can break, on the per-step values
    /// (`self` is [`Self::per_step`]'s result for steps of one `unit`):
    /// products of a per-step share with multipliers that must stay a
    /// share, and counts of steps the model stores in a byte.
    pub fn check_step(&self, unit: &str, p: &mut Problems) {
        let hint = format!(
            "with time_unit = \"{unit}\" (one step would overshoot); use smaller rates or a shorter time unit"
        );
        let b = &self.belief;
        let x = (b.rate * (1.0 + b.socialization_boost))
            .max(b.rate * b.asymmetry * (1.0 + b.socialization_boost));
        if x > 1.0 {
            p.push(
                "belief.asymmetry",
                format!("times belief.rate and (1 + belief.socialization_boost) gives a share per step of {x:.3}, above 1, {hint}"),
            );
        }
        let x = b.salient * b.asymmetry;
        if x > 1.0 {
            p.push(
                "belief.salient",
                format!("times the belief asymmetry gives a disappointment that moves belief {x:.3} of the way to 0, above 1, {hint}"),
            );
        }
        let t = &self.turnover;
        let x = t.base * (1.0 + t.culture_effect + t.engagement_effect + t.misfit_effect);
        if x > 1.0 {
            p.push(
                "turnover.base",
                format!("times (1 + culture_effect + engagement_effect + misfit_effect) gives a leaving probability per step of {x:.3}, above 1, {hint}"),
            );
        }
        let steps = self.learnathon.duration;
        if steps > 255.0 {
            p.push(
                "learnathon.duration",
                format!("must be at most 255 steps, got {steps} steps with time_unit = \"{unit}\"; use a shorter project or a longer time unit"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: f64 = 7.0 / 365.25;

    #[test]
    fn defaults_are_valid() {
        let mut p = Problems::default();
        Params::default().check(&mut p);
        for unit in [
            ("day", 1.0 / 365.25),
            ("week", WEEK),
            ("month", 1.0 / 12.0),
            ("quarter", 0.25),
        ] {
            Params::default()
                .per_step(unit.1)
                .check_step(unit.0, &mut p);
        }
        assert!(p.is_empty(), "{:?}", p);
    }

    #[test]
    fn every_bad_value_is_reported_with_its_unit() {
        let mut params = Params::default();
        params.learning.rate = -1.5;
        params.culture.from_org = 1.5;
        params.init.culture = -0.1;
        let mut p = Problems::default();
        params.check(&mut p);
        let paths: Vec<_> = p.0.iter().map(|x| x.path.as_str()).collect();
        assert!(paths.contains(&"learning.rate"));
        assert!(paths.contains(&"culture.from_org"));
        assert!(paths.contains(&"culture.from_practice"));
        assert!(paths.contains(&"init.culture"));
        assert_eq!(
            p.0[0].to_string(),
            "learning.rate: must be a rate per year in [0, 1e6], got -1.5"
        );
    }
}
