//! The one conversion from the file's shape into the model's typed setup.
//! Every rule is checked here and every problem is collected. Times and
//! durations (real units in the file) become whole steps of the scenario's
//! `time_unit` here; the numeric parameters stay in real units until
//! `LearningCulture::new` converts them once for the step length.

mod events;

use events::event;

use super::raw::{NamedDist, RawDist, RawScenario, RawTime, RawTraits};
use crate::dist::Dist;
use crate::model::learning_culture::events::{Event, Kind, Scope, When};
use crate::model::learning_culture::org::{Chart, OrgSource, OrgSpec};
use crate::model::learning_culture::params;
use crate::model::learning_culture::{LeaderPool, Params, Setup, Traits};
use crate::model::march1991::March1991;
use crate::validate::Problems;

/// Convert a raw scenario (with its org chart, already read, if it names
/// one); returns the setup only when there is no problem.
pub fn convert(raw: &RawScenario, chart: Option<Chart>) -> (Option<Setup>, Problems) {
    let mut p = Problems::default();
    common(raw, &mut p);
    let (steps, dt) = run_length(raw, &mut p);
    org_shape(raw, &mut p);
    let team_size = dist(
        &mut p,
        "org.team_size",
        &raw.org.team_size,
        (1.0, f64::INFINITY),
        true,
    );
    let population = traits(&mut p, "population", &raw.population);
    let hiring = traits(&mut p, "hiring", &raw.hiring);
    let alignment = dist(
        &mut p,
        "leaders.alignment",
        &raw.leaders.alignment,
        (0.0, 1.0),
        true,
    );
    let commitment = dist(
        &mut p,
        "leaders.commitment",
        &raw.leaders.commitment,
        (0.0, 1.0),
        true,
    );
    let top = raw
        .leaders
        .top_alignment
        .as_ref()
        .map(|d| dist(&mut p, "leaders.top_alignment", d, (0.0, 1.0), true));
    let params = Params {
        engagement: raw.engagement.clone(),
        learning: raw.learning.clone(),
        belief: raw.belief.clone(),
        culture: raw.culture.clone(),
        leadership: raw.leadership.clone(),
        turnover: raw.turnover.clone(),
        formalization: raw.formalization.clone(),
        learnathon: raw.learnathon.clone(),
        community: raw.community.clone(),
        init: raw.init.clone(),
    };
    params.check(&mut p);
    let events = events(raw, steps, dt, &mut p);
    if !p.is_empty() {
        return (None, p);
    }
    let mut events_all = Vec::new();
    if let Some(Some(top)) = top {
        // The initial top leader is set by a replacement at step 0 that
        // keeps the pool's commitment and adapts like any other leader.
        events_all.push(Event {
            when: When::At(0),
            scope: Scope::Top,
            kind: Kind::ReplaceLeader {
                alignment: top,
                commitment: None,
                adapt: true,
            },
            label: "initial top leader".into(),
            key: u64::MAX,
        });
    }
    events_all.extend(events);
    let setup = Setup {
        params,
        time_unit: raw.time_unit.clone(),
        org: match chart {
            Some(c) => OrgSource::Chart(c),
            None => OrgSource::Generated(OrgSpec {
                employees: raw.org.employees,
                team_size: team_size.expect("checked"),
                span: raw.org.span,
                levels: raw.org.levels,
            }),
        },
        population: population.expect("checked"),
        hiring: hiring.expect("checked"),
        leaders: LeaderPool {
            alignment: alignment.expect("checked"),
            commitment: commitment.expect("checked"),
        },
        events: events_all,
        steps,
    };
    (Some(setup), p)
}

/// The run's length in steps and the years of a step: `time_unit`, and
/// `duration` in real time (format 2 has no `steps`); a section of another
/// model is a mistake.
fn run_length(raw: &RawScenario, p: &mut Problems) -> (u32, f64) {
    if params::years_per_step(&raw.time_unit).is_none() {
        p.push(
            "time_unit",
            format!(
                "must be day, week, month, quarter or year, got \"{}\"",
                raw.time_unit
            ),
        );
    }
    let dt = raw.years_per_step();
    if let Some(s) = raw.steps {
        p.push(
            "steps",
            format!(
                "format 2 states how long the run lasts in real time: write duration = {} instead of steps = {s} (or `culturesim migrate` a format-1 file)",
                RawTime::of_steps(s, &raw.time_unit)
            ),
        );
    }
    let steps = raw.steps();
    if let Some(Err(m)) = raw.duration.as_ref().map(|d| d.steps(dt)) {
        p.push("duration", m);
    } else if steps == 0 {
        p.push(
            "duration",
            format!(
                "must last at least one step ({}), got {}",
                RawTime::of_steps(1, &raw.time_unit),
                raw.duration.as_ref().map_or("0".into(), |d| d.to_string())
            ),
        );
    }
    if raw.march.is_some() {
        p.push(
            "march",
            "applies only to model = \"march1991\" (this scenario's model is \"learning-culture\")",
        );
    }
    (steps, dt)
}

/// The generated organization's shape: employees, levels, span.
fn org_shape(raw: &RawScenario, p: &mut Problems) {
    if raw.org.employees == 0 {
        p.push("org.employees", "must be at least 1");
    }
    if let Some(l) = raw.org.levels
        && l < 2
    {
        p.push(
            "org.levels",
            format!("must be at least 2 (the top and the teams), got {l}"),
        );
    }
    if raw.org.span < 2 {
        p.push(
            "org.span",
            format!("must be at least 2, got {}", raw.org.span),
        );
    }
}

/// The scenario's events in file order, each with its position as the key
/// of its random streams; ids are unique.
fn events(raw: &RawScenario, steps: u32, dt: f64, p: &mut Problems) -> Vec<Event> {
    let mut events = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (i, e) in raw.events.iter().enumerate() {
        if let Some(id) = &e.id
            && let Some(first) = ids.insert(id.clone(), i)
        {
            p.push(
                format!("events[{i}].id"),
                format!("\"{id}\" is already the id of events[{first}]; ids must be unique"),
            );
        }
        if let Some(mut ev) = event(p, &format!("events[{i}]"), e, steps, dt) {
            // Switched-off events keep their place: the random streams of
            // the others are keyed by position and must not shift.
            ev.key = i as u64;
            if e.enabled != Some(false) {
                events.push(ev);
            }
        }
    }
    events
}

/// A value the distribution exceeds with probability at most about 10⁻⁹
/// (the top of its support where that is finite): what a parameter check
/// bounds so that sums over millions of draws stay finite.
fn practical_max(raw: &RawDist, d: &Dist) -> f64 {
    let top = d.support().1;
    let RawDist::Named(n) = raw else {
        return top;
    };
    let get = |v: Option<f64>| v.unwrap_or(f64::NAN);
    match n.dist.as_str() {
        // mu + 6 sigma: the 1 - 1e-9 quantile of the underlying normal.
        "lognormal" => (get(n.mu) + 6.0 * get(n.sigma)).exp(),
        // P(X > x) = (scale / x)^shape = 1e-9.
        "pareto" => get(n.scale) * 1e9f64.powf(1.0 / get(n.shape)),
        "poisson" => get(n.mean) + 10.0 * get(n.mean).sqrt() + 10.0,
        "normal" if top.is_infinite() => top.min(get(n.mean) + 6.0 * get(n.sd)),
        _ => top,
    }
}

/// Largest influence weight a distribution may reach (its 1-in-10⁹ value):
/// a million employees at this weight still sum far below `f32::MAX`.
pub const INFLUENCE_MAX: f64 = 1e12;

/// What is wrong with `model = "{name}"`, if no model has that name (the
/// built-in ones and those registered in this process).
pub fn unknown_model(name: &str) -> Option<String> {
    let names = crate::model::registry::names();
    if names.contains(&name) {
        return None;
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let (last, rest) = quoted.split_last().expect("two built-in models");
    let known: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let hint = super::keys::closest(name, &known)
        .map(|k| format!("; did you mean \"{k}\"?"))
        .unwrap_or_default();
    Some(format!(
        "must be {} or {last}, got \"{name}\"{hint}",
        rest.join(", ")
    ))
}

/// The rules every model shares: format, name, model, steps, replicates.
fn common(raw: &RawScenario, p: &mut Problems) {
    let march = raw.model == "march1991";
    if !(raw.format == 2 || march && raw.format == 1) {
        p.push(
            "format",
            format!(
                "must be 2 (rates per year, times in real units), got {}{}",
                raw.format,
                if raw.format == 1 {
                    "; `culturesim migrate FILE` converts a format-1 file"
                } else {
                    ""
                }
            ),
        );
    }
    if raw.name.trim().is_empty() {
        p.push("name", "must not be empty");
    } else if raw.name.len() > 200 {
        p.push(
            "name",
            format!(
                "must be at most 200 bytes (it names the output folder), got {} bytes",
                raw.name.len()
            ),
        );
    } else if raw.name.contains(['/', '\\']) || raw.name.starts_with('.') {
        p.push(
            "name",
            format!(
                "must be usable as a folder name (no '/', '\\' or leading '.'), got '{}'",
                raw.name
            ),
        );
    }
    if let Some(why) = unknown_model(&raw.model) {
        p.push("model", why);
    }
    if march && raw.steps == Some(0) {
        p.push("steps", "must be at least 1, got 0");
    }
    if raw.replicates == 0 {
        p.push("replicates", "must be at least 1, got 0");
    }
}

/// Convert a scenario of a registered model: the shared rules, a time
/// unit, then its section through the registration's declaration.
pub fn convert_registered(
    raw: &RawScenario,
    entry: &'static dyn crate::model::registry::Entry,
) -> Result<(crate::model::registered::Registered, toml::Table), Problems> {
    use crate::model::registry;
    let mut p = Problems::default();
    common(raw, &mut p);
    let Some(dt) = crate::model::learning_culture::params::years_per_step(&raw.time_unit) else {
        p.push(
            "time_unit",
            one_of(
                "a time unit",
                &raw.time_unit,
                &crate::model::learning_culture::params::TIME_UNITS,
            ),
        );
        return Err(p);
    };
    if raw.steps() == 0 {
        p.push(
            if raw.duration.is_some() {
                "duration"
            } else {
                "steps"
            },
            "must be at least one step, got 0",
        );
    }
    let values = registry::values(entry, raw.plugin.as_ref());
    let values = match values {
        Ok(v) if p.is_empty() => v,
        Ok(_) => return Err(p),
        Err(e) => {
            p.0.extend(e.0);
            return Err(p);
        }
    };
    let run = registry::RunShape {
        steps: raw.steps(),
        years_per_step: dt,
    };
    let model = entry.build(&values, run)?;
    Ok((
        crate::model::registered::Registered::new(entry, model),
        values.to_table(),
    ))
}

/// Convert a scenario of model "march1991": its `[march]` section (the
/// defaults when absent) and the step cap `steps`. The learning-culture
/// sections are checked by the caller, which knows which keys were written.
pub fn convert_march(raw: &RawScenario) -> (Option<March1991>, Problems) {
    let mut p = Problems::default();
    common(raw, &mut p);
    if !["period", "day", "week", "month", "quarter", "year"].contains(&raw.time_unit.as_str()) {
        p.push(
            "time_unit",
            format!(
                "must be period, day, week, month, quarter or year, got \"{}\"",
                raw.time_unit
            ),
        );
    }
    if let Some(d) = &raw.duration {
        p.push(
            "duration",
            format!(
                "march1991 counts periods, not real time: write steps = N (periods) instead of duration = {d}"
            ),
        );
    }
    let params = raw.march.clone().unwrap_or_default();
    let mut section = Problems::default();
    params.check(&mut section);
    p.0.extend(section.0);
    if !p.is_empty() {
        return (None, p);
    }
    match March1991::new(params, raw.steps()) {
        Ok(m) => (Some(m), p),
        Err(e) => (None, e),
    }
}

fn traits(p: &mut Problems, path: &str, t: &RawTraits) -> Option<Traits> {
    let mastery = dist(p, &format!("{path}.mastery"), &t.mastery, (0.0, 1.0), true);
    let belief = dist(p, &format!("{path}.belief"), &t.belief, (0.0, 1.0), true);
    let knowledge = dist(
        p,
        &format!("{path}.knowledge"),
        &t.knowledge,
        (0.0, 1.0),
        true,
    );
    let influence = dist(
        p,
        &format!("{path}.influence"),
        &t.influence,
        (0.0, f64::INFINITY),
        false,
    );
    // Influence weights are summed over the organization in f32: bound
    // them so that no sum or product overflows to infinity (issue 20.4).
    if let Some(d) = &influence {
        let top = practical_max(&t.influence, d);
        if top.is_nan() || top > INFLUENCE_MAX {
            p.push(
                format!("{path}.influence"),
                format!(
                    "must stay below {INFLUENCE_MAX:e} (weighted sums over the organization must stay finite), got a distribution reaching about {top:.3e}; use a smaller value, scale, mu or max, or a larger pareto shape"
                ),
            );
        }
    }
    Some(Traits {
        mastery: mastery?,
        belief: belief?,
        knowledge: knowledge?,
        influence: influence?,
    })
}

/// Convert a distribution. `bounds` is the range the values must lie in;
/// with `clamped`, values outside are clamped by the model and only a
/// distribution that lies entirely outside is an error.
pub(super) fn dist(
    p: &mut Problems,
    path: &str,
    d: &RawDist,
    bounds: (f64, f64),
    clamped: bool,
) -> Option<Dist> {
    let built = match d {
        RawDist::Constant(v) => Ok(Dist::Constant(*v)),
        RawDist::Named(n) => named(n),
    };
    match built {
        Ok(d) => {
            let (lo, hi) = d.support();
            let inside = if clamped {
                hi >= bounds.0 && lo <= bounds.1
            } else {
                lo >= bounds.0 && hi <= bounds.1
            };
            let constant_bad = matches!(d, Dist::Constant(v) if !(v >= bounds.0 && v <= bounds.1));
            if !inside || constant_bad {
                p.push(
                    path,
                    format!(
                        "must produce values in [{}, {}], got a distribution over [{lo}, {hi}]",
                        bounds.0, bounds.1
                    ),
                );
                None
            } else {
                Some(d)
            }
        }
        Err(msg) => {
            p.push(path, msg);
            None
        }
    }
}

/// The time unit of a step of `dt` years (for messages).
pub(super) fn unit_name(dt: f64) -> &'static str {
    params::TIME_UNITS
        .into_iter()
        .find(|u| params::years_per_step(u) == Some(dt))
        .unwrap_or("week")
}

/// The distributions a scenario can name.
pub const DISTS: [&str; 8] = [
    "constant",
    "uniform",
    "normal",
    "beta",
    "lognormal",
    "pareto",
    "poisson",
    "empirical",
];

/// `must name a distribution, got "possion"; did you mean "poisson"? (one
/// of: constant, uniform, ...)`.
pub fn one_of(what: &str, got: &str, known: &[&str]) -> String {
    let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    let hint = match super::keys::closest(got, &known) {
        Some(k) => format!("did you mean \"{k}\"? "),
        None => String::new(),
    };
    format!(
        "must name {what}, got \"{got}\"; {hint}(one of: {})",
        known.join(", ")
    )
}

fn named(n: &NamedDist) -> Result<Dist, String> {
    let need =
        |v: Option<f64>, key: &str| v.ok_or_else(|| format!("dist = \"{}\" needs '{key}'", n.dist));
    let allowed: &[&str] = match n.dist.as_str() {
        "constant" => &["value"],
        "uniform" => &["min", "max"],
        "normal" => &["mean", "sd", "min", "max"],
        "beta" => &["a", "b"],
        "lognormal" => &["mu", "sigma"],
        "pareto" => &["scale", "shape"],
        "poisson" => &["mean"],
        "empirical" => &["values", "file", "column"],
        other => {
            return Err(one_of("a distribution", other, &DISTS));
        }
    };
    let present = [
        ("value", n.value.is_some()),
        ("min", n.min.is_some()),
        ("max", n.max.is_some()),
        ("mean", n.mean.is_some()),
        ("sd", n.sd.is_some()),
        ("a", n.a.is_some()),
        ("b", n.b.is_some()),
        ("mu", n.mu.is_some()),
        ("sigma", n.sigma.is_some()),
        ("scale", n.scale.is_some()),
        ("shape", n.shape.is_some()),
        ("values", n.values.is_some()),
        ("file", n.file.is_some()),
        ("column", n.column.is_some()),
    ];
    if let Some((k, _)) = present.iter().find(|(k, on)| *on && !allowed.contains(k)) {
        return Err(format!(
            "dist = \"{}\" does not take '{k}' (it takes {})",
            n.dist,
            allowed.join(", ")
        ));
    }
    let r = match n.dist.as_str() {
        "constant" => Ok(Dist::Constant(need(n.value, "value")?)),
        "uniform" => Dist::uniform(need(n.min, "min")?, need(n.max, "max")?),
        "normal" => Dist::normal(
            need(n.mean, "mean")?,
            need(n.sd, "sd")?,
            n.min.unwrap_or(f64::NEG_INFINITY),
            n.max.unwrap_or(f64::INFINITY),
        ),
        "beta" => Dist::beta(need(n.a, "a")?, need(n.b, "b")?),
        "lognormal" => Dist::lognormal(need(n.mu, "mu")?, need(n.sigma, "sigma")?),
        "pareto" => Dist::pareto(need(n.scale, "scale")?, need(n.shape, "shape")?),
        "poisson" => Dist::poisson(need(n.mean, "mean")?),
        _ => Dist::empirical(n.values.clone().unwrap_or_default()),
    };
    r.map_err(|e| e.to_string())
}
