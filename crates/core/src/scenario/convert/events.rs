//! Events of a scenario (`[[events]]`): their times in whole steps, their
//! scope, the keys each kind takes and the values it needs, and the review
//! of a programme.

use super::super::raw::{RawDist, RawEvent, RawTime};
use super::{dist, one_of, unit_name};
use crate::model::learning_culture::events::{Event, Kind, Programme, Review, Scope, When};
use crate::model::learning_culture::params::{self, Unit};
use crate::validate::Problems;

/// The event kinds a scenario can name.
pub const KINDS: [&str; 9] = [
    "replace_leader",
    "turnover_wave",
    "reorganization",
    "budget_cut",
    "learnathon",
    "community_of_practice",
    "learning_leadership",
    "learning_practice",
    "personal_mastery",
];

/// A time of event `path`'s key `key` in whole steps of `dt` years.
fn time(p: &mut Problems, path: &str, key: &str, t: &Option<RawTime>, dt: f64) -> Option<u32> {
    match t.as_ref().map(|t| t.steps(dt)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(m)) => {
            p.push(format!("{path}.{key}"), m);
            Some(0)
        }
    }
}

/// Default time from a stopped programme to its relaunch: the time to
/// decide on, design and roll out the next initiative (assumption).
pub const RELAUNCH_AFTER_YEARS: f64 = 0.25;

/// Management's review of programme event `path` (`review_after`,
/// `review_target`, `relaunch_after`), whose budget is `duration` steps.
fn review(p: &mut Problems, path: &str, e: &RawEvent, duration: u32, dt: f64) -> Option<Review> {
    let Some(raw_after) = &e.review_after else {
        for (key, given) in [
            ("review_target", e.review_target.is_some()),
            ("relaunch_after", e.relaunch_after.is_some()),
        ] {
            if given {
                p.push(
                    format!("{path}.{key}"),
                    "needs review_after (when management reviews the programme)",
                );
            }
        }
        return None;
    };
    let before = p.0.len();
    let after = time(p, path, "review_after", &e.review_after, dt).unwrap_or(0);
    if p.0.len() == before {
        if after == 0 {
            p.push(
                format!("{path}.review_after"),
                format!(
                    "must be at least one step ({}), got {raw_after}",
                    RawTime::of_steps(1, unit_name(dt))
                ),
            );
        } else if after >= duration && duration > 0 {
            p.push(
                format!("{path}.review_after"),
                format!(
                    "must be shorter than the programme's duration ({duration} steps), got {raw_after} ({after} steps): the review would come after the programme ends"
                ),
            );
        }
    }
    let target = match e.review_target {
        None => {
            p.push(
                format!("{path}.review_after"),
                "needs review_target (the least gain in the organization's culture C since the start that passes the review, e.g. 0.05)",
            );
            0.0
        }
        Some(t) if !(t.is_finite() && (-1.0..=1.0).contains(&t)) => {
            p.push(
                format!("{path}.review_target"),
                format!("must be a gain of culture in [-1, 1], got {t}"),
            );
            0.0
        }
        Some(t) => t,
    };
    let relaunch_after = time(p, path, "relaunch_after", &e.relaunch_after, dt)
        .unwrap_or_else(|| RawTime::Years(RELAUNCH_AFTER_YEARS).steps(dt).unwrap_or(0));
    (p.0.len() == before).then_some(Review {
        after,
        target,
        relaunch_after,
    })
}

/// Event `path` of the scenario, checked (its time, scope, the keys its
/// kind takes and their values), with `steps` steps of `dt` years in the
/// run; `None` with the problems pushed when anything is wrong.
pub(super) fn event(
    p: &mut Problems,
    path: &str,
    e: &RawEvent,
    steps: u32,
    dt: f64,
) -> Option<Event> {
    let before = p.0.len();
    let when = when(p, path, e, steps, dt);
    let scope = scope(p, path, e);
    let allowed = allowed_keys(p, path, e)?;
    only_allowed(p, path, e, allowed);
    let kind = kind(p, path, e, dt, before);
    if p.0.len() > before {
        return None;
    }
    let kind = kind?;
    let label = e
        .label
        .clone()
        .unwrap_or_else(|| kind.name().replace('_', " "));
    Some(Event {
        when: when?,
        scope: scope?,
        kind,
        label,
        key: 0,
    })
}

/// When event `path` happens: once (`at`) or every `every` from `start`
/// until `until`, each before the end of the run.
fn when(p: &mut Problems, path: &str, e: &RawEvent, steps: u32, dt: f64) -> Option<When> {
    // The end of the run in years, for messages.
    let end = format!("{:.4}", f64::from(steps) * dt);
    let end = end.trim_end_matches('0').trim_end_matches('.');
    let at = time(p, path, "at", &e.at, dt);
    let every = time(p, path, "every", &e.every, dt);
    let start = time(p, path, "start", &e.start, dt);
    let until = time(p, path, "until", &e.until, dt);
    match (at, every) {
        (Some(at), None) => {
            if e.start.is_some() || e.until.is_some() {
                p.push(
                    format!("{path}.start"),
                    "start/until belong to recurring events (with 'every'), not to 'at'",
                );
            }
            if at >= steps && e.enabled != Some(false) {
                p.push(
                    format!("{path}.at"),
                    format!(
                        "must be before the end of the run ({end} years, step {steps}), got {} (step {at})",
                        e.at.as_ref().expect("given")
                    ),
                );
            }
            Some(When::At(at))
        }
        (None, Some(every)) => {
            let start = start.unwrap_or(0);
            // Without `until` a recurring event lasts as long as the run
            // (also when `--steps` makes the run longer than `steps`).
            let until = until.unwrap_or(u32::MAX);
            if every == 0 {
                p.push(
                    format!("{path}.every"),
                    format!(
                        "must be at least one step ({}), got {}",
                        RawTime::of_steps(1, unit_name(dt)),
                        e.every.as_ref().expect("given")
                    ),
                );
            }
            if start >= steps && e.enabled != Some(false) {
                p.push(
                    format!("{path}.start"),
                    format!(
                        "must be before the end of the run ({end} years, step {steps}), got {} (step {start})",
                        e.start.as_ref().map_or("0".into(), |t| t.to_string())
                    ),
                );
            }
            if until < start {
                p.push(
                    format!("{path}.until"),
                    format!(
                        "must not be before start ({}), got {}",
                        e.start.as_ref().map_or("0".into(), |t| t.to_string()),
                        e.until.as_ref().expect("until < start only when given")
                    ),
                );
            }
            Some(When::Every {
                every: every.max(1),
                start,
                until,
            })
        }
        (Some(_), Some(_)) => {
            p.push(
                format!("{path}.at"),
                "give either 'at' or 'every', not both",
            );
            None
        }
        (None, None) => {
            p.push(
                path.to_string(),
                "needs 'at' (one-off) or 'every' (recurring)",
            );
            None
        }
    }
}

/// Where event `path` applies (`replace_leader` needs a scope; others
/// apply to everyone by default).
fn scope(p: &mut Problems, path: &str, e: &RawEvent) -> Option<Scope> {
    match e.scope.as_deref() {
        None if e.kind == "replace_leader" => {
            p.push(
                format!("{path}.scope"),
                "replace_leader needs a scope (top, unit:NAME, team:NAME, random:K, ...)",
            );
            None
        }
        None => Some(Scope::All),
        Some(s) => match Scope::parse(s) {
            Ok(sc) => Some(sc),
            Err(m) => {
                p.push(format!("{path}.scope"), m);
                None
            }
        },
    }
}

/// The keys event `path`'s kind takes; `None` (with the problem) for a
/// kind that does not exist.
fn allowed_keys(p: &mut Problems, path: &str, e: &RawEvent) -> Option<&'static [&'static str]> {
    Some(match e.kind.as_str() {
        "replace_leader" => &["alignment", "commitment", "adapt"],
        "turnover_wave" => &["fraction", "select"],
        "reorganization" => &["fraction", "disruption"],
        "budget_cut" => &["cut"],
        "learnathon" => &["participation", "commitment"],
        "community_of_practice" => &["density"],
        "learning_leadership" | "learning_practice" | "personal_mastery" => &[
            "reach",
            "strength",
            "duration",
            "review_after",
            "review_target",
            "relaunch_after",
        ],
        other => {
            p.push(
                format!("{path}.kind"),
                one_of("an event kind", other, &KINDS),
            );
            return None;
        }
    })
}

/// A key given that the event's kind does not take is a problem.
fn only_allowed(p: &mut Problems, path: &str, e: &RawEvent, allowed: &[&str]) {
    let fields = [
        ("alignment", e.alignment.is_some()),
        ("commitment", e.commitment.is_some()),
        ("adapt", e.adapt.is_some()),
        ("fraction", e.fraction.is_some()),
        ("select", e.select.is_some()),
        ("disruption", e.disruption.is_some()),
        ("cut", e.cut.is_some()),
        ("participation", e.participation.is_some()),
        ("density", e.density.is_some()),
        ("reach", e.reach.is_some()),
        ("strength", e.strength.is_some()),
        ("duration", e.duration.is_some()),
        ("review_after", e.review_after.is_some()),
        ("review_target", e.review_target.is_some()),
        ("relaunch_after", e.relaunch_after.is_some()),
    ];
    for (k, on) in fields {
        if on && !allowed.contains(&k) {
            p.push(
                format!("{path}.{k}"),
                format!(
                    "does not apply to kind \"{}\" (it takes {})",
                    e.kind,
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// A share in [0, 1] of event `path` (`key`), with its default.
fn share(p: &mut Problems, path: &str, key: &str, v: Option<f64>, default: f64) -> f64 {
    let v = v.unwrap_or(default);
    p.unit(&format!("{path}.{key}"), v);
    v
}

/// What event `path` does, by kind (one function per kind that checks
/// more than shares).
fn kind(p: &mut Problems, path: &str, e: &RawEvent, dt: f64, before: usize) -> Option<Kind> {
    let share =
        |p: &mut Problems, key: &str, v: Option<f64>, default: f64| share(p, path, key, v, default);
    match e.kind.as_str() {
        "replace_leader" => replace_leader(p, path, e),
        "turnover_wave" => Some(Kind::TurnoverWave {
            fraction: share(p, "fraction", e.fraction, 0.2),
            most_influential: most_influential(p, path, e),
        }),
        "reorganization" => Some(Kind::Reorganization {
            fraction: share(p, "fraction", e.fraction, 0.2),
            disruption: share(p, "disruption", e.disruption, 0.5),
        }),
        "budget_cut" => Some(Kind::BudgetCut {
            cut: share(p, "cut", e.cut, 0.3),
        }),
        "learnathon" => {
            let commitment = learnathon_commitment(p, path, e);
            Some(Kind::Learnathon {
                participation: share(p, "participation", e.participation, 0.5),
                commitment,
            })
        }
        "community_of_practice" => Some(Kind::Community {
            density: share(p, "density", e.density, 0.3),
        }),
        prog => programme(p, path, e, prog, dt, before),
    }
}

/// A new leader: the newcomer's alignment (required) and commitment
/// (the pool's when not given).
fn replace_leader(p: &mut Problems, path: &str, e: &RawEvent) -> Option<Kind> {
    let alignment = match &e.alignment {
        Some(d) => dist(p, &format!("{path}.alignment"), d, (0.0, 1.0), true),
        None => {
            p.push(
                format!("{path}.alignment"),
                "replace_leader needs the newcomer's alignment",
            );
            None
        }
    };
    let commitment = e
        .commitment
        .as_ref()
        .map(|d| dist(p, &format!("{path}.commitment"), d, (0.0, 1.0), true));
    match (alignment, commitment) {
        (Some(alignment), None) => Some(Kind::ReplaceLeader {
            alignment,
            commitment: None,
            adapt: e.adapt.unwrap_or(false),
        }),
        (Some(alignment), Some(Some(c))) => Some(Kind::ReplaceLeader {
            alignment,
            commitment: Some(c),
            adapt: e.adapt.unwrap_or(false),
        }),
        _ => None,
    }
}

/// Who a turnover wave takes: at random, or the most influential first.
fn most_influential(p: &mut Problems, path: &str, e: &RawEvent) -> bool {
    match e.select.as_deref() {
        None | Some("random") => false,
        Some("most_influential") => true,
        Some(other) => {
            p.push(
                format!("{path}.select"),
                format!("must be \"random\" or \"most_influential\", got \"{other}\""),
            );
            false
        }
    }
}

/// A learnathon's commitment: a number in [0, 1] (1 when not given).
fn learnathon_commitment(p: &mut Problems, path: &str, e: &RawEvent) -> f64 {
    let commitment = match &e.commitment {
        None => 1.0,
        Some(RawDist::Constant(v)) => *v,
        Some(_) => {
            p.push(
                format!("{path}.commitment"),
                "a learnathon's commitment is a number in [0, 1]",
            );
            0.0
        }
    };
    p.unit(&format!("{path}.commitment"), commitment);
    commitment
}

/// A development programme (`learning_leadership`, `learning_practice`,
/// `personal_mastery`): its reach, strength (a rate per year, per step
/// here), duration and review.
fn programme(
    p: &mut Problems,
    path: &str,
    e: &RawEvent,
    kind: &str,
    dt: f64,
    before: usize,
) -> Option<Kind> {
    let programme = match kind {
        "learning_leadership" => Programme::Leadership,
        "learning_practice" => Programme::Practice,
        _ => Programme::Mastery,
    };
    let duration = time(p, path, "duration", &e.duration, dt)
        .unwrap_or_else(|| RawTime::Years(1.0).steps(dt).unwrap_or(1));
    if duration == 0 && p.0.len() == before {
        p.push(
            format!("{path}.duration"),
            format!(
                "must last at least one step ({}), got {}",
                RawTime::of_steps(1, unit_name(dt)),
                e.duration.as_ref().expect("0 steps only when given")
            ),
        );
    }
    let strength = e.strength.unwrap_or(0.52);
    if !(strength.is_finite() && (0.0..=params::RATE_MAX).contains(&strength)) {
        p.push(
            format!("{path}.strength"),
            format!(
                "must be a rate per year in [0, {:e}], got {strength}",
                params::RATE_MAX
            ),
        );
    }
    let review = review(p, path, e, duration, dt);
    Some(Kind::Programme {
        programme,
        reach: share(p, path, "reach", e.reach, 1.0),
        strength: Unit::Rate.per_step(strength, |_| 0.0, dt),
        duration,
        review,
    })
}
