//! The mean-field approximation of the model (docs/MODEL.md, "Mean field").
//!
//! For a large, well-mixed organization in which every team sees the same
//! leader support `S` and employees share one personal mastery `m̄`, the
//! population means follow a deterministic map. It mirrors the order of the
//! agent step exactly and replaces each agent-level quantity by its mean;
//! what it leaves out is the spread of beliefs (Jensen's inequality on the
//! engagement threshold) and newcomers' faster socialization.

use super::equations::{
    asymmetric_step, belief_target, codified_next, culture_target, engagement_probability,
    habit_carry, knowledge_next, onboarded_knowledge, perceived_culture, selected_belief,
};
use super::{Coeffs, Params};

/// Mean-field state: population means and stocks.
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

/// Inputs that the agent model draws from distributions.
#[derive(Debug, Clone, Copy)]
pub struct MeanFieldInputs {
    /// Leader support reaching every team.
    pub support: f64,
    /// Personal mastery of everyone (and of hires).
    pub mastery: f64,
    /// Mean belief of hires.
    pub hire_belief: f64,
    /// Mean knowledge of hires before onboarding.
    pub hire_knowledge: f64,
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

    /// One step of the mean-field map.
    pub fn step(&self, p: &Params, x: &MeanFieldInputs) -> Self {
        let co = Coeffs::from_params(p);
        // The culture employees perceive (E28).
        let seen = f64::from(perceived_culture(
            self.culture as f32,
            self.org_culture as f32,
            p.culture.perceived_org as f32,
        ));
        let (s, c, pr, b, k) = (
            x.support as f32,
            seen as f32,
            self.practice as f32,
            self.belief as f32,
            self.knowledge as f32,
        );
        let fresh = f64::from(engagement_probability(
            &co.engagement,
            co.kappa,
            x.mastery as f32,
            b,
            c,
            pr,
            s,
        ));
        // Leaving, by last week's engagement (E7; the misfit term at the
        // means, |B − c|).
        let t = &p.turnover;
        let h_engaged = t.base
            * (1.0
                + t.culture_effect * (1.0 - seen)
                + t.misfit_effect * (self.belief - seen).abs());
        let h_not = h_engaged + t.base * t.engagement_effect;
        let stay_engaged = self.filled * self.engagement * (1.0 - h_engaged);
        let stay = stay_engaged + self.filled * (1.0 - self.engagement) * (1.0 - h_not);
        let hires = t.fill_rate * (1.0 - self.filled);
        // Engagement of the stayers (E2 with habit): the share ψ keeps last
        // week's state, the rest decide afresh; informal learning made
        // explicit engages the share f_i of the others.
        let psi = habit_carry(p.engagement.habit_weeks);
        let before = if stay > 0.0 { stay_engaged / stay } else { 0.0 };
        let habitual = psi * before + (1.0 - psi) * fresh;
        let fi = p.formalization.informal;
        let e = habitual + (1.0 - habitual) * fi;
        let filled = stay + hires;
        // Beliefs of stayers: engaged and non-engaged move toward their targets.
        let br = p.belief.rate as f32;
        let ba = p.belief.asymmetry as f32;
        let te = belief_target(&co.belief, co.kappa, b, s, c, pr, true);
        let tn = belief_target(&co.belief, co.kappa, b, s, c, pr, false);
        let b_stay = e * f64::from(asymmetric_step(b, te, br, ba))
            + (1.0 - e) * f64::from(asymmetric_step(b, tn, br, ba));
        let kc = self.codified as f32;
        let l = &p.learning;
        let (lr, dr, fo) = (
            [l.informal as f32, l.rate as f32],
            l.draw as f32,
            l.forgetting as f32,
        );
        let k_stay = e * f64::from(knowledge_next(k, true, lr, dr, kc, fo))
            + (1.0 - e) * f64::from(knowledge_next(k, false, lr, dr, kc, fo));
        let k_hire = f64::from(onboarded_knowledge(
            x.hire_knowledge as f32,
            kc,
            p.formalization.onboarding as f32,
        ));
        let (belief, knowledge) = if filled > 0.0 {
            (
                (stay * b_stay
                    + hires
                        * f64::from(selected_belief(
                            x.hire_belief as f32,
                            t.selection as f32,
                            self.org_culture as f32,
                        )))
                    / filled,
                (stay * k_stay + hires * k_hire) / filled,
            )
        } else {
            (self.belief, self.knowledge)
        };
        // Engagement among the filled positions (hires are not engaged yet).
        let e_all = if filled > 0.0 { stay * e / filled } else { 0.0 };
        let cu = &p.culture;
        let practice = self.practice + cu.practice_rate * (e_all - self.practice);
        let v = [
            cu.from_practice as f32,
            cu.from_belief as f32,
            cu.from_support as f32,
            cu.from_org as f32,
        ];
        let target = culture_target(v, pr, belief as f32, s, self.org_culture as f32);
        let culture = f64::from(asymmetric_step(
            self.culture as f32,
            target,
            cu.rate as f32,
            cu.asymmetry as f32,
        ));
        let org_culture = self.org_culture + cu.org_rate * (self.culture - self.org_culture);
        let f = &p.formalization;
        let codified = codified_next(self.codified, f.rate, e_all, knowledge, f.decay);
        Self {
            org_culture,
            culture,
            practice,
            belief,
            knowledge,
            codified,
            filled,
            engagement: e_all,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(support: f64) -> MeanFieldInputs {
        MeanFieldInputs {
            support,
            mastery: 0.4,
            hire_belief: 0.4,
            hire_knowledge: 0.3,
        }
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
}
