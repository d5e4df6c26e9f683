//! The `[march]` section of a scenario: the parameters of March's (1991)
//! mutual-learning model, as written, with their defaults and range checks.
//!
//! [`MarchParams::check`] validates every value once at load and reports
//! every problem with its key path (`march.p1: must be in [0, 1], got 1.3`);
//! [`super::March1991::new`] then turns the section into the typed model
//! (thresholds, learner groups) that never re-checks a range.

use crate::validate::Problems;
use serde::{Deserialize, Serialize};

/// Most dimensions of reality: beliefs are one 64-bit plane per individual.
pub const MAX_DIMENSIONS: u32 = 64;

/// Most individuals.
pub const MAX_INDIVIDUALS: u32 = 100_000;

/// `[march]`: March (1991), "Exploration and Exploitation in Organizational
/// Learning", Organization Science 2(1):71–87. See docs/MODEL-march1991.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MarchParams {
    /// m: dimensions of reality (each +1 or −1 with probability 1/2), 1 to 64.
    pub m: u32,
    /// n: individuals in the organization (beliefs −1, 0 or +1 on every dimension, drawn uniformly).
    pub n: u32,
    /// p1: socialization rate, the per-period chance that a belief moves toward a non-zero code.
    pub p1: f64,
    /// p2: code learning rate; the code adopts the superior group's majority with probability 1 − (1 − p2)^k.
    pub p2: f64,
    /// p3: turnover, the per-period chance that an individual is replaced by one with random beliefs.
    pub p3: f64,
    /// p4: turbulence, the per-period chance that a dimension of reality flips.
    pub p4: f64,
    /// "replication" (the reading that reproduces March's Figure 1, after Christensen 2015: one step toward the code, superiority by acted performance, k = |#(+1) − #(−1)|) or "literal" (the paper's text: beliefs jump to the code, superiority by knowledge, k = #differing − #agreeing).
    pub variant: String,
    /// Share of individuals who are fast learners (socialization rate p1_fast); round(fast_share · n) of them.
    pub fast_share: f64,
    /// Socialization rate of the fast learners.
    pub p1_fast: f64,
    /// Fang, Lee & Schilling (2010): 0 (default) is March's organizational code; S ≥ 1 replaces it by interpersonal learning in S semi-isolated subgroups of equal size n / S (individuals learn from the superior ones among their contacts).
    #[serde(skip_serializing_if = "is_zero_count")]
    pub subgroups: u32,
    /// Fang, Lee & Schilling (2010), with subgroups ≥ 1: the chance that each of an individual's contacts in a period is drawn from the whole organization instead of its own subgroup; 0 isolates the subgroups, 1 mixes them fully.
    #[serde(skip_serializing_if = "is_zero")]
    pub cross_link: f64,
}

/// Whether a key holds its default 0 (left out of the resolved scenario, so
/// scenarios without the subgroup keys resolve to the same bytes as before).
fn is_zero_count(x: &u32) -> bool {
    *x == 0
}

/// Whether a key holds its default 0 (see [`is_zero_count`]).
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Default for MarchParams {
    fn default() -> Self {
        Self {
            m: 30,
            n: 50,
            p1: 0.5,
            p2: 0.5,
            p3: 0.0,
            p4: 0.0,
            variant: "replication".into(),
            fast_share: 0.0,
            p1_fast: 0.9,
            subgroups: 0,
            cross_link: 0.0,
        }
    }
}

/// Which reading of the paper the model follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The reading that reproduces March's Figure 1 (Christensen 2015;
    /// Workiewicz's replication): a belief moves one step toward the code; the superior
    /// group is judged on performance (acted, zero beliefs by a coin flip);
    /// the code takes the majority of their actions with
    /// k = |#(+1) − #(−1)|.
    Replication,
    /// The paper's text read literally: a belief jumps to the code; the
    /// superior group is judged on knowledge (dimensions correct); the code
    /// takes the majority of their non-zero beliefs with k = #(superior
    /// individuals who differ from the code) − #(those who agree).
    Literal,
}

impl Variant {
    /// Parse the scenario's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "replication" => Some(Self::Replication),
            "literal" => Some(Self::Literal),
            _ => None,
        }
    }

    /// The scenario's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Replication => "replication",
            Self::Literal => "literal",
        }
    }
}

impl MarchParams {
    /// Check every range; problems are reported with their key paths.
    pub fn check(&self, p: &mut Problems) {
        if !(1..=MAX_DIMENSIONS).contains(&self.m) {
            p.push(
                "march.m",
                format!(
                    "must be in [1, {MAX_DIMENSIONS}] (beliefs are stored as one 64-bit plane per individual), got {}",
                    self.m
                ),
            );
        }
        if !(1..=MAX_INDIVIDUALS).contains(&self.n) {
            p.push(
                "march.n",
                format!("must be in [1, {MAX_INDIVIDUALS}], got {}", self.n),
            );
        }
        p.unit("march.p1", self.p1);
        p.unit("march.p2", self.p2);
        p.unit("march.p3", self.p3);
        p.unit("march.p4", self.p4);
        p.unit("march.fast_share", self.fast_share);
        p.unit("march.p1_fast", self.p1_fast);
        p.unit("march.cross_link", self.cross_link);
        if self.subgroups > 0 && self.n >= 1 && !self.n.is_multiple_of(self.subgroups) {
            p.push(
                "march.subgroups",
                format!(
                    "must be 0 (no subgroups) or divide march.n = {} (subgroups have equal size n / subgroups), got {}",
                    self.n, self.subgroups
                ),
            );
        }
        if Variant::parse(&self.variant).is_none() {
            p.push(
                "march.variant",
                format!(
                    "must be \"replication\" or \"literal\", got \"{}\"",
                    self.variant
                ),
            );
        }
    }

    /// Number of fast learners: round(fast_share · n) (half away from zero).
    pub fn fast_count(&self) -> u32 {
        ((self.fast_share * f64::from(self.n)).round() as u32).min(self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let mut p = Problems::default();
        MarchParams::default().check(&mut p);
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn every_bad_value_is_reported() {
        let bad = MarchParams {
            m: 65,
            n: 0,
            p1: 1.5,
            p4: -0.1,
            variant: "text".into(),
            ..Default::default()
        };
        let mut p = Problems::default();
        bad.check(&mut p);
        let paths: Vec<&str> = p.0.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "march.m",
                "march.n",
                "march.p1",
                "march.p4",
                "march.variant"
            ]
        );
        let uneven = MarchParams {
            n: 50,
            subgroups: 7,
            cross_link: 1.5,
            ..Default::default()
        };
        let mut q = Problems::default();
        uneven.check(&mut q);
        let msgs: Vec<String> = q.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "march.cross_link: must be in [0, 1], got 1.5",
                "march.subgroups: must be 0 (no subgroups) or divide march.n = 50 (subgroups have equal size n / subgroups), got 7"
            ]
        );
        assert_eq!(p.0[2].to_string(), "march.p1: must be in [0, 1], got 1.5");
    }

    #[test]
    fn fast_count_rounds() {
        let p = MarchParams {
            n: 50,
            fast_share: 0.3,
            ..Default::default()
        };
        assert_eq!(p.fast_count(), 15);
        let p = MarchParams {
            n: 5,
            fast_share: 0.5,
            ..Default::default()
        };
        assert_eq!(p.fast_count(), 3);
    }
}
