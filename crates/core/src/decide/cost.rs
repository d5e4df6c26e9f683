//! What a portfolio of programmes costs (`culturesim optimize`): the
//! planned cost of every programme, Learnathon and community of practice
//! on a scenario's timeline, within the run, in the cost model's unit
//! (`[optimize.cost]`; docs/DECISIONS.md, "Programme portfolio").
//!
//! - A programme costs participants × weeks × rate × strength / reference
//!   strength: its participants are the share `reach` of the leaders (the
//!   leadership programme, at `leader_week`) or of the employees (practice
//!   teams and personal mastery, at `participant_week`) under its scope,
//!   for the weeks it runs before the run ends.
//! - A Learnathon costs, at each occurrence in the run, the invited share
//!   π of the employees in scope × `learnathon_participant`, plus χ × the
//!   leaders in scope × `learnathon_commitment`.
//! - A community of practice costs its members (the share `density` of
//!   the employees in scope) × the weeks from its start to the run's end ×
//!   `community_member_week`.
//!
//! Leader replacements and shocks cost nothing here. The cost is what is
//! planned, not what the run realizes (a Learnathon's take-up depends on
//! belief and engagement; a reviewed programme may stop and relaunch but
//! runs its budgeted weeks in all).

use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::events::{Kind, Programme, Scope, teams_under, units_under};
use crate::model::learning_culture::org::Org;
use crate::scenario::optimize::RawCost;
use crate::scenario::raw::RawScenario;
use rand::SeedableRng;
use serde::Serialize;

/// One costed event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The event's id (or `events[i]`).
    pub event: String,
    /// Its kind.
    pub kind: &'static str,
    /// Planned participants (per occurrence for a Learnathon).
    pub participants: f64,
    /// Its cost.
    pub cost: f64,
}

/// Weeks per year.
const WEEKS: f64 = 365.25 / 7.0;

/// Leaders (units) and employees under a fixed scope, or why the scope
/// cannot be priced.
fn reach_of(org: &Org, scope: &Scope) -> Result<(Vec<u32>, usize), String> {
    let leaders = match scope {
        Scope::All | Scope::Top | Scope::Unit(_) | Scope::Team(_) => {
            let mut rng = crate::engine::rng::Stream::seed_from_u64(0);
            scope.leaders(org, &[], &mut rng)
        }
        other => {
            return Err(format!(
                "scope {other:?} is drawn during the run; optimize prices programmes with scope all, top, unit:NAME or team:NAME"
            ));
        }
    };
    let teams = teams_under(org, &leaders);
    let employees = (0..org.teams())
        .filter(|&t| teams[t])
        .map(|t| org.team_slots(t).len())
        .sum();
    Ok((units_under(org, &leaders), employees))
}

/// The cost of every priced event of `model` (as `raw` writes it), in
/// timeline order; an error names an event whose scope cannot be priced.
pub fn items(model: &LearningCulture, raw: &RawScenario, c: &RawCost) -> Result<Vec<Item>, String> {
    let org = model.org();
    let steps = crate::engine::Model::steps(model);
    let dt = raw.years_per_step();
    let mut out = Vec::new();
    for e in &model.setup().events {
        let Some(r) = raw.events.get(e.key as usize) else {
            continue;
        };
        let name = r.id.clone().unwrap_or_else(|| format!("events[{}]", e.key));
        let priced = matches!(
            e.kind,
            Kind::Programme { .. } | Kind::Learnathon { .. } | Kind::Community { .. }
        );
        if !priced {
            continue;
        }
        let (units, employees) = reach_of(org, &e.scope).map_err(|m| format!("{name}: {m}"))?;
        let leaders = units.len() as f64;
        let occurrences = e.when.occurrences(steps);
        let (participants, cost) = match &e.kind {
            Kind::Programme {
                programme,
                reach,
                duration,
                ..
            } => {
                let strength = r.strength.unwrap_or(0.52);
                let weeks: f64 = occurrences
                    .iter()
                    .map(|&at| f64::from((*duration).min(steps - at)) * dt * WEEKS)
                    .sum();
                let (who, rate) = match programme {
                    Programme::Leadership => (leaders, c.leader_week),
                    Programme::Practice | Programme::Mastery => {
                        (employees as f64, c.participant_week)
                    }
                };
                let n = reach * who;
                (n, n * weeks * rate * strength / c.reference_strength)
            }
            Kind::Learnathon {
                participation,
                commitment,
            } => {
                let n = participation * employees as f64;
                let each =
                    n * c.learnathon_participant + commitment * leaders * c.learnathon_commitment;
                (n, each * occurrences.len() as f64)
            }
            Kind::Community { density } => {
                let n = density * employees as f64;
                let weeks: f64 = occurrences
                    .iter()
                    .map(|&at| f64::from(steps - at) * dt * WEEKS)
                    .sum();
                (n, n * weeks * c.community_member_week)
            }
            _ => unreachable!("only priced kinds"),
        };
        out.push(Item {
            event: name,
            kind: e.kind.name(),
            participants,
            cost,
        });
    }
    Ok(out)
}

/// The total of `items`.
pub fn total(items: &[Item]) -> f64 {
    items.iter().map(|i| i.cost).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use std::path::Path;

    fn cost_of(set: &[&str]) -> Vec<Item> {
        let sets: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let s = Scenario::from_file(Path::new("snow-in-the-sun"), &sets).unwrap();
        items(
            s.model.learning_culture().unwrap(),
            &s.raw,
            &RawCost::default(),
        )
        .unwrap()
    }

    #[test]
    fn costs_follow_reach_duration_strength_and_occurrences() {
        let base = cost_of(&[]);
        let names: Vec<&str> = base.iter().map(|i| i.event.as_str()).collect();
        assert_eq!(names, ["leadership", "practice", "mastery", "learnathon"]);
        let by = |v: &[Item], n: &str| v.iter().find(|i| i.event == n).unwrap().cost;
        // Half the reach, half the cost; twice the strength, twice.
        let half = cost_of(&["events.mastery.reach=0.25"]);
        assert!((by(&half, "mastery") - 0.5 * by(&base, "mastery")).abs() < 1e-9);
        let strong = cost_of(&["events.practice.strength=1.04"]);
        assert!((by(&strong, "practice") - 2.0 * by(&base, "practice")).abs() < 1e-9);
        // Mastery: 0.5 of 500 employees for 2.5 years at 0.26/0.25.
        let m = by(&base, "mastery");
        let weeks = (2.5f64 / (7.0 / 365.25)).round() * 7.0 / 365.25 * WEEKS;
        let expect = 0.5 * 500.0 * weeks * 1.0 * 0.26 / 0.25;
        assert!((m - expect).abs() / expect < 0.01, "{m} vs {expect}");
        // Ten annual Learnathons in ten years (from 9 months: 10).
        let l = base.iter().find(|i| i.event == "learnathon").unwrap();
        assert!((l.participants - 150.0).abs() < 1e-9);
        // Switched off: no cost.
        let off = cost_of(&["events.learnathon.enabled=false"]);
        assert_eq!(off.len(), 3);
        assert!(total(&off) < total(&base));
    }
}
