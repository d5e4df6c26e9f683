//! Timeline events: when they happen, whom they reach and what they do.
//!
//! Times here are whole steps and a programme's strength is a share per
//! step: the scenario layer converts the file's real units (`"5y"`, rates
//! per year) when it builds the timeline.
//!
//! Events take effect at the start of their step, before that step's
//! dynamics. A [`Scope`] selects leaders (units); the teams an event reaches
//! are the teams under the selected units.

use super::org::Org;
use crate::dist::Dist;
use crate::engine::Stream;

/// When an event happens.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// Once, at this step.
    At(u32),
    /// Every `every` steps from `start` up to and including `until`.
    Every {
        /// Period in steps (> 0).
        every: u32,
        /// First occurrence.
        start: u32,
        /// Last possible occurrence.
        until: u32,
    },
}

impl When {
    /// The step of the first occurrence.
    pub fn first(&self) -> u32 {
        match *self {
            When::At(s) => s,
            When::Every { start, .. } => start,
        }
    }

    /// Whether the event occurs at `step`.
    pub fn occurs(&self, step: u32) -> bool {
        match *self {
            When::At(s) => s == step,
            When::Every {
                every,
                start,
                until,
            } => step >= start && step <= until && (step - start).is_multiple_of(every),
        }
    }

    /// All occurrences before `steps`.
    pub fn occurrences(&self, steps: u32) -> Vec<u32> {
        match *self {
            When::At(s) => {
                if s < steps {
                    vec![s]
                } else {
                    vec![]
                }
            }
            When::Every {
                every,
                start,
                until,
            } => (start..steps.min(until.saturating_add(1)))
                .step_by(every as usize)
                .collect(),
        }
    }
}

/// Which leaders (and the teams below them) an event reaches.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Every unit and team.
    All,
    /// The top leader (and so the whole organization below).
    Top,
    /// A named unit (any level) and everything below it.
    Unit(String),
    /// A named team.
    Team(String),
    /// `k` leaders drawn at random.
    Random(u32),
    /// A share of the leaders drawn at random.
    Fraction(f64),
    /// The `k` leaders with the lowest alignment at the time.
    Lowest(u32),
    /// The `k` leaders with the highest alignment at the time.
    Highest(u32),
}

impl Scope {
    /// Parse the scenario syntax: `all`, `top`, `unit:NAME`, `team:NAME`,
    /// `random:K`, `fraction:F`, `lowest:K`, `highest:K`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (head, arg) = match s.split_once(':') {
            Some((h, a)) => (h.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let count = |a: Option<&str>| -> Result<u32, String> {
            let a = a.ok_or_else(|| format!("scope '{head}' needs a count, e.g. '{head}:3'"))?;
            match a.parse::<u32>() {
                Ok(k) if k > 0 => Ok(k),
                _ => Err(format!("scope '{s}': count must be a whole number > 0")),
            }
        };
        let name = |a: Option<&str>| -> Result<String, String> {
            match a {
                Some(n) if !n.is_empty() => Ok(n.to_string()),
                _ => Err(format!("scope '{head}' needs a name, e.g. '{head}:u1'")),
            }
        };
        match (head, arg) {
            ("all", None) => Ok(Scope::All),
            ("top", None) => Ok(Scope::Top),
            ("unit", a) => Ok(Scope::Unit(name(a)?)),
            ("team", a) => Ok(Scope::Team(name(a)?)),
            ("random", a) => Ok(Scope::Random(count(a)?)),
            ("lowest", a) => Ok(Scope::Lowest(count(a)?)),
            ("highest", a) => Ok(Scope::Highest(count(a)?)),
            ("fraction", Some(a)) => match a.parse::<f64>() {
                Ok(f) if (0.0..=1.0).contains(&f) => Ok(Scope::Fraction(f)),
                _ => Err(format!("scope '{s}': fraction must be in [0, 1]")),
            },
            _ => Err(format!(
                "unknown scope '{s}'; expected all, top, unit:NAME, team:NAME, random:K, fraction:F, lowest:K or highest:K"
            )),
        }
    }

    /// Check names against the organization.
    pub fn check(&self, org: &Org) -> Result<(), String> {
        match self {
            Scope::Unit(n) => org
                .find(n)
                .map(|_| ())
                .ok_or_else(|| format!("no unit named '{n}' (units are named top, u1, u1.2, ...)")),
            Scope::Team(n) => match org.find(n) {
                Some(u) if org.is_team(u) => Ok(()),
                Some(_) => Err(format!("'{n}' is a unit, not a team; use unit:{n}")),
                None => Err(format!("no team named '{n}'")),
            },
            _ => Ok(()),
        }
    }

    /// The selected units, in increasing order.
    pub fn leaders(&self, org: &Org, alignment: &[f32], rng: &mut Stream) -> Vec<u32> {
        let n = org.units() as u32;
        let mut pick = |k: u32| -> Vec<u32> {
            let k = k.min(n) as usize;
            let mut v: Vec<u32> = rand::seq::index::sample(rng, n as usize, k)
                .into_iter()
                .map(|i| i as u32)
                .collect();
            v.sort_unstable();
            v
        };
        let ranked = |desc: bool, k: u32| -> Vec<u32> {
            let mut ids: Vec<u32> = (0..n).collect();
            ids.sort_by(|&a, &b| {
                let (x, y) = (alignment[a as usize], alignment[b as usize]);
                let o = if desc {
                    y.total_cmp(&x)
                } else {
                    x.total_cmp(&y)
                };
                o.then(a.cmp(&b))
            });
            ids.truncate(k.min(n) as usize);
            ids.sort_unstable();
            ids
        };
        match self {
            Scope::All => (0..n).collect(),
            Scope::Top => vec![0],
            Scope::Unit(name) | Scope::Team(name) => {
                org.find(name).map(|u| vec![u as u32]).unwrap_or_default()
            }
            Scope::Random(k) => pick(*k),
            Scope::Fraction(f) => pick((f * f64::from(n)).round() as u32),
            Scope::Lowest(k) => ranked(false, *k),
            Scope::Highest(k) => ranked(true, *k),
        }
    }
}

/// Mask over teams: the teams under any of `units`.
pub fn teams_under(org: &Org, units: &[u32]) -> Vec<bool> {
    let mut mask = vec![false; org.teams()];
    for &u in units {
        let (lo, hi) = org.unit_teams[u as usize];
        for m in &mut mask[lo as usize..hi as usize] {
            *m = true;
        }
    }
    mask
}

/// The selected units and every unit below them, in increasing order.
pub fn units_under(org: &Org, units: &[u32]) -> Vec<u32> {
    let mut mark = vec![false; org.units()];
    for &u in units {
        mark[u as usize] = true;
    }
    // Parents come before children, so one pass propagates down the tree.
    for v in 1..org.units() {
        if mark[org.unit_parent[v] as usize] {
            mark[v] = true;
        }
    }
    (0..org.units() as u32)
        .filter(|&v| mark[v as usize])
        .collect()
}

/// The three programmes of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Programme {
    /// Learning leadership: raises leaders' alignment and commitment.
    Leadership,
    /// Learning practice teams: raises teams' learning practice.
    Practice,
    /// Personal mastery: raises employees' personal mastery.
    Mastery,
}

impl Programme {
    /// Scenario name of the programme.
    pub fn name(self) -> &'static str {
        match self {
            Programme::Leadership => "learning_leadership",
            Programme::Practice => "learning_practice",
            Programme::Mastery => "personal_mastery",
        }
    }
}

/// Management's review of a programme: the patience lever.
///
/// `after` steps after the programme is launched (or relaunched),
/// management compares the organization's culture C with its value at the
/// launch. If the gain is below `target`, the programme is stopped, and the
/// rest of its budget (its remaining steps) is relaunched `relaunch_after`
/// steps later as a new programme: new membership, reviewed again in the
/// same way ("flavour of the month"). A programme that passes its review
/// runs to the end of its budget. Either way it runs for `duration` steps in
/// all, when the run lasts long enough (docs/MODEL.md, "Programmes").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Review {
    /// Steps from a (re)launch to its review (> 0).
    pub after: u32,
    /// Least gain of C since the (re)launch that counts as a result.
    pub target: f64,
    /// Steps from a stop to the relaunch of the rest of the budget.
    pub relaunch_after: u32,
}

/// What an event does.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Replace the selected leaders with newcomers.
    ReplaceLeader {
        /// Newcomer's alignment with the learning-culture vision.
        alignment: Dist,
        /// Newcomer's commitment (the leader pool's when absent).
        commitment: Option<Dist>,
        /// Whether the newcomer's alignment adapts to their superior's.
        adapt: bool,
    },
    /// A share of the employees in scope leave at once.
    TurnoverWave {
        /// Share that leaves.
        fraction: f64,
        /// If set, exactly the share with the highest effective influence
        /// ι·(½ + k) leaves (ties by slot)
        /// instead of each employee leaving with probability `fraction`.
        most_influential: bool,
    },
    /// A share of the employees in scope move to other teams in scope.
    Reorganization {
        /// Share of employees moved.
        fraction: f64,
        /// Share of team practice (and of local culture's distance from the
        /// organization's) lost in the affected teams.
        disruption: f64,
    },
    /// Leaders in scope lose a share of their commitment (resources).
    BudgetCut {
        /// Share of commitment removed.
        cut: f64,
    },
    /// A Learnathon: employees in scope may start a learning project.
    Learnathon {
        /// Participation level π (see `participation_probability`).
        participation: f64,
        /// Management commitment χ behind the projects.
        commitment: f64,
    },
    /// A community of practice starts: employees in scope join.
    Community {
        /// Share of employees (and of later hires) who join.
        density: f64,
    },
    /// A programme runs for `duration` steps.
    Programme {
        /// Which programme.
        programme: Programme,
        /// Share of the leaders / teams / employees in scope it reaches.
        reach: f64,
        /// Share of the distance to 1 it closes each step (the per-step
        /// form of the scenario's rate per year).
        strength: f64,
        /// Steps it runs (its budget).
        duration: u32,
        /// Management's review; none = patient management, which lets the
        /// programme run its course.
        review: Option<Review>,
    },
}

impl Kind {
    /// Scenario name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::ReplaceLeader { .. } => "replace_leader",
            Kind::TurnoverWave { .. } => "turnover_wave",
            Kind::Reorganization { .. } => "reorganization",
            Kind::BudgetCut { .. } => "budget_cut",
            Kind::Learnathon { .. } => "learnathon",
            Kind::Community { .. } => "community_of_practice",
            Kind::Programme { programme, .. } => programme.name(),
        }
    }
}

/// One timeline entry.
#[derive(Debug, Clone)]
pub struct Event {
    /// When it happens.
    pub when: When,
    /// Whom it reaches.
    pub scope: Scope,
    /// What it does.
    pub kind: Kind,
    /// Label for tables and plots.
    pub label: String,
    /// Key of this event's random streams (its position in the scenario).
    pub key: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn recurring_occurrences() {
        let w = When::Every {
            every: 52,
            start: 10,
            until: 200,
        };
        assert_eq!(w.occurrences(1000), vec![10, 62, 114, 166]);
        assert!(w.occurs(62));
        assert!(!w.occurs(63));
        assert_eq!(When::At(5).occurrences(5), Vec::<u32>::new());
    }

    #[test]
    fn scope_syntax() {
        assert_eq!(Scope::parse("top").unwrap(), Scope::Top);
        assert_eq!(Scope::parse("unit:u2").unwrap(), Scope::Unit("u2".into()));
        assert_eq!(Scope::parse("random:3").unwrap(), Scope::Random(3));
        assert_eq!(
            Scope::parse("fraction:0.25").unwrap(),
            Scope::Fraction(0.25)
        );
        assert!(Scope::parse("random:0").is_err());
        assert!(Scope::parse("fraction:2").is_err());
        assert!(Scope::parse("boss").unwrap_err().contains("unknown scope"));
    }

    #[test]
    fn scope_selection() {
        let org = Org::from_team_sizes(&[2; 9], 3);
        let align: Vec<f32> = (0..org.units()).map(|u| u as f32 / 20.0).collect();
        let mut rng = Stream::seed_from_u64(1);
        assert_eq!(Scope::Top.leaders(&org, &align, &mut rng), vec![0]);
        assert_eq!(Scope::Lowest(2).leaders(&org, &align, &mut rng), vec![0, 1]);
        let r = Scope::Random(4).leaders(&org, &align, &mut rng);
        assert_eq!(r.len(), 4);
        let u2 = org.find("u2").unwrap() as u32;
        let mask = teams_under(&org, &[u2]);
        assert_eq!(mask.iter().filter(|&&m| m).count(), 3);
        // u2 and its three teams
        assert_eq!(units_under(&org, &[u2]).len(), 4);
        assert_eq!(units_under(&org, &[0]).len(), org.units());
        assert!(Scope::Unit("u9".into()).check(&org).is_err());
        assert!(Scope::Team("u1".into()).check(&org).is_err());
        assert!(Scope::Team("u1.1".into()).check(&org).is_ok());
    }
}
