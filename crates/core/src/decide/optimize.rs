//! The programme portfolio (`culturesim optimize`): which mix of
//! programmes, Learnathons and communities gives the best chance of a
//! self-sustaining culture for what it costs.
//!
//! The decision variables are scenario keys with ranges (`[optimize]`, or,
//! without one, every programme's reach, duration and strength, every
//! Learnathon's participation and commitment and every community's
//! density). A candidate portfolio is the scenario with those values; it
//! is run `replicates` times with the same seeds as every other candidate
//! (common random numbers, [`Seeds::common`]), so two candidates differ
//! by their decision, paired run by run. Its objectives are the share of
//! runs that end in the high-culture basin (culture at the end at or above
//! the threshold), the mean final culture, and the cost
//! ([`super::cost`]); the budget is a constraint. NSGA-II
//! ([`super::nsga2`]) searches the Pareto front of the three.
//!
//! A search that picks the best of many noisy estimates overrates it (the
//! winner's curse), so the front's candidates near the target are run
//! again on fresh seeds (`confirm` runs each), and the minimum effective
//! dose is the cheapest of them whose fresh estimate reaches the target.

use super::cost::{self, Item};
use super::nsga2::{self, Candidate, Range, Settings};
use super::study::{Loader, learning_culture};
use crate::analysis::stats::{Stats, wilson};
use crate::command::{Failure, Progress};
use crate::engine::rng::hash_keys;
use crate::engine::{Model, RunId, Seeds, run_seeded};
use crate::model::learning_culture::events::Kind;
use crate::model::learning_culture::metric;
use crate::scenario::Scenario;

/// A value as `--set` and the tables write it (the shortest form that
/// reads back the same: 0.85, 2).
fn format_value(v: f64) -> String {
    format!("{v}")
}
use crate::scenario::optimize::{RawOptimize, RawVariable};
use anyhow::anyhow;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The typed options of `culturesim optimize` (each overrides the
/// scenario's `[optimize]`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file (or a bundled name).
    pub scenario: PathBuf,
    /// Least chance of the high basin the minimum effective dose must give.
    pub target: Option<f64>,
    /// Most a portfolio may cost.
    pub budget: Option<f64>,
    /// Candidates per generation.
    pub population: Option<u32>,
    /// Generations after the first.
    pub generations: Option<u32>,
    /// Runs per candidate.
    pub replicates: Option<u32>,
    /// Fresh-seed runs per confirmed candidate.
    pub confirm: Option<u32>,
    /// Scenario overrides (`--set`).
    pub set: Vec<String>,
    /// Master seed (overrides the scenario).
    pub seed: Option<u64>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// `--posterior DIR`: each run's replicate r draws its parameters from
    /// the posterior `culturesim calibrate` wrote into DIR, the same draw
    /// for every portfolio (None: the scenario's parameters).
    pub posterior: Option<PathBuf>,
}

/// A decision variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// The key as `--set` takes it.
    pub key: String,
    /// Its column name (`events.ID.field`).
    pub name: String,
    /// Least value.
    pub min: f64,
    /// Greatest value.
    pub max: f64,
    /// Grid spacing.
    pub step: Option<f64>,
    /// The value as the scenario writes it (None: not stated).
    pub written: Option<f64>,
}

/// An estimate of a candidate from its runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Runs.
    pub runs: u32,
    /// Share of runs ending in the high basin.
    pub high: f64,
    /// Its 95% Wilson interval.
    pub high_ci: [f64; 2],
    /// Mean final culture.
    pub culture: f64,
    /// Its 95% interval.
    pub culture_ci: [f64; 2],
}

impl Estimate {
    /// The estimate from final cultures `finals` and threshold `t`.
    pub fn of(finals: &[f64], t: f64) -> Self {
        let n = finals.len();
        let high = finals.iter().filter(|c| **c >= t).count() as f64 / n as f64;
        let s = Stats::of_bounded(finals, Some((0.0, 1.0))).expect("at least one run");
        Self {
            runs: n as u32,
            high,
            high_ci: wilson(high, n as f64, 1.959_963_984_540_054),
            culture: s.mean,
            culture_ci: s.ci95,
        }
    }
}

/// One evaluated portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portfolio {
    /// Its number, in the order evaluated.
    pub id: usize,
    /// The generation that first evaluated it.
    pub generation: u32,
    /// The decision variables' values.
    pub values: Vec<f64>,
    /// Its cost.
    pub cost: f64,
    /// Within the budget.
    pub feasible: bool,
    /// On the Pareto front (feasible, not dominated by any portfolio tried).
    pub front: bool,
    /// From the search's runs.
    pub search: Estimate,
    /// From fresh seeds, when re-evaluated.
    pub confirmed: Option<Estimate>,
    /// Cost by event.
    pub items: Vec<Item>,
}

/// A finished portfolio study.
pub struct Study {
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The decision variables.
    pub variables: Vec<Variable>,
    /// Whether they came from the scenario's `[optimize]` (else derived).
    pub stated: bool,
    /// The settings used (after the command line's options).
    pub settings: RawOptimize,
    /// Runs per candidate.
    pub replicates: u32,
    /// The high-basin threshold.
    pub threshold: f64,
    /// Years of the run.
    pub years: f64,
    /// Every portfolio evaluated.
    pub portfolios: Vec<Portfolio>,
    /// The plan as written (an index into `portfolios`), when every
    /// variable is stated.
    pub written: Option<usize>,
    /// The minimum effective dose (an index), if any confirmed portfolio
    /// reaches the target.
    pub dose: Option<usize>,
    /// The findings, in words.
    pub findings: Vec<String>,
    /// The scenario with the minimum effective dose, resolved.
    pub dose_toml: Option<String>,
}

/// Purpose tag of the confirmation's fresh seeds.
const TAG_CONFIRM: u64 = 0x434F_4E46_4952_4D21;
/// Most front portfolios re-evaluated on fresh seeds.
pub const CONFIRMED: usize = 8;

/// The value at key path `key` of the resolved scenario (`events.ID.x` or
/// `events.N.x`), as a number (a time as years).
fn value_at(raw: &crate::scenario::raw::RawScenario, key: &str) -> Option<f64> {
    let root = toml::Value::try_from(raw).ok()?;
    let mut cur = &root;
    for seg in key.split('.') {
        cur = match cur {
            toml::Value::Table(t) => t.get(seg)?,
            toml::Value::Array(a) => match seg.parse::<usize>() {
                Ok(i) => a.get(i)?,
                Err(_) => a
                    .iter()
                    .find(|e| e.get("id").and_then(|v| v.as_str()) == Some(seg))?,
            },
            _ => return None,
        };
    }
    match cur {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::String(s) => crate::scenario::raw::RawTime::Text(s.clone()).years().ok(),
        _ => None,
    }
}

/// The variables without an `[optimize.variables]`: the scenario's own
/// programmes, Learnathons and communities.
fn derived(s: &Scenario) -> Vec<(String, RawVariable, Option<f64>)> {
    let model = s.model.learning_culture().expect("checked");
    let raw = &s.raw;
    let dt = raw.years_per_step();
    let years = f64::from(model.steps()) * dt;
    let mut out = Vec::new();
    let grid = |min: f64, max: f64, step: f64| RawVariable {
        min,
        max,
        step: Some(step),
    };
    for e in &model.setup().events {
        // Events the model adds itself (not on the scenario's timeline)
        // are not decisions.
        let Some(r) = raw.events.get(e.key as usize) else {
            continue;
        };
        let base = match &r.id {
            Some(id) if !id.contains('.') && !id.is_empty() => format!("events.{id}"),
            _ => format!("events.{}", e.key),
        };
        match &e.kind {
            Kind::Programme {
                reach, duration, ..
            } => {
                let strength = r.strength.unwrap_or(0.52);
                let at = e
                    .when
                    .occurrences(model.steps())
                    .first()
                    .copied()
                    .unwrap_or(0);
                let left = years - f64::from(at) * dt;
                let dur = f64::from(*duration) * dt;
                let hi = left.max(0.25);
                out.push((format!("{base}.reach"), grid(0.0, 1.0, 0.05), Some(*reach)));
                out.push((
                    format!("{base}.duration"),
                    grid(0.25, hi.max(0.25), 0.25),
                    Some(dur),
                ));
                out.push((
                    format!("{base}.strength"),
                    grid(0.0, (3.0 * strength).max(0.05), 0.01),
                    Some(strength),
                ));
            }
            Kind::Learnathon {
                participation,
                commitment,
            } => {
                out.push((
                    format!("{base}.participation"),
                    grid(0.0, 1.0, 0.05),
                    Some(*participation),
                ));
                out.push((
                    format!("{base}.commitment"),
                    grid(0.0, 1.0, 0.05),
                    Some(*commitment),
                ));
            }
            Kind::Community { density } => {
                out.push((
                    format!("{base}.density"),
                    grid(0.0, 1.0, 0.05),
                    Some(*density),
                ));
            }
            _ => {}
        }
    }
    out
}

/// The scenario with the portfolio `x` (as `--set` overrides after `set`).
fn sets(base: &[String], vars: &[Variable], x: &[f64]) -> Vec<String> {
    let mut s = base.to_vec();
    for (v, value) in vars.iter().zip(x) {
        s.push(format!("{}={}", v.key, format_value(*value)));
    }
    s
}

/// Final culture of replicates `0..n` of `model` under master seed `seed`.
fn finals(model: &crate::model::learning_culture::LearningCulture, seed: u64, n: u32) -> Vec<f64> {
    (0..n)
        .into_par_iter()
        .map(|replicate| {
            let out = run_seeded(
                model,
                Seeds::common(
                    seed,
                    RunId {
                        point: 0,
                        replicate,
                    },
                ),
            );
            out.row(out.len() - 1)[metric::CULTURE]
        })
        .collect()
}

/// Run the study: every problem of the input is a usage error, found
/// before anything runs.
pub fn study(o: &Options, progress: &dyn Progress) -> Result<Study, Failure> {
    let input = Failure::Input;
    let mut base_sets = o.set.clone();
    if let Some(s) = o.seed {
        base_sets.push(format!("seed={s}"));
    }
    let loader = Loader::new(&o.scenario, o.posterior.as_deref())?;
    // Without the posterior first: the settings say how many replicates
    // the posterior's draws must cover.
    let plain = Loader {
        posterior: None,
        ..loader.clone()
    };
    let scenario = plain.load(&base_sets, None)?;
    let model = learning_culture("optimize", &scenario)?;
    let mut settings = scenario.raw.optimize.clone().unwrap_or_default();
    if let Some(t) = o.target {
        settings.target = t;
    }
    if o.budget.is_some() {
        settings.budget = o.budget;
    }
    if let Some(p) = o.population {
        settings.population = p;
    }
    if let Some(g) = o.generations {
        settings.generations = g;
    }
    if o.replicates.is_some() {
        settings.replicates = o.replicates;
    }
    if let Some(c) = o.confirm {
        settings.confirm = c;
    }
    // The command line's values obey the section's rules.
    let mut p = crate::validate::Problems::default();
    crate::scenario::optimize::check(&settings, &mut p);
    if let Some(pr) = p.0.first() {
        let flag = pr.path.trim_start_matches("optimize.").replace('_', "-");
        return Err(input(anyhow!("--{flag} (or {}): {}", pr.path, pr.message)));
    }
    let stated = !settings.variables.is_empty();
    let raw_vars: Vec<(String, RawVariable, Option<f64>)> = if stated {
        settings
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), value_at(&scenario.raw, k)))
            .collect()
    } else {
        derived(&scenario)
    };
    if raw_vars.is_empty() {
        return Err(input(anyhow!(
            "scenario '{}' has no programme, Learnathon or community of practice to optimize, and no [optimize.variables]",
            scenario.name()
        )));
    }
    let variables: Vec<Variable> = raw_vars
        .into_iter()
        .map(|(key, v, written)| Variable {
            name: crate::scenario::column_name(&scenario.raw, &key),
            key,
            min: v.min,
            max: v.max,
            step: v.step,
            written,
        })
        .collect();
    let ranges: Vec<Range> = variables
        .iter()
        .map(|v| Range {
            lo: v.min,
            hi: v.max,
            step: v.step,
        })
        .collect();
    let threshold = settings
        .threshold
        .unwrap_or(model.stated_params().culture.high_threshold);
    let replicates = settings.replicates.unwrap_or(scenario.replicates);
    let seed = scenario.seed;
    let years = f64::from(model.steps()) * scenario.raw.years_per_step();
    // With a posterior, replicate r of every portfolio (and of every
    // confirmation) draws the same particle: the draws cover them all.
    let draws = replicates.max(settings.confirm);
    if let Some(p) = &loader.posterior
        && let Some(v) = variables.iter().find(|v| p.keys.contains(&v.key))
    {
        return Err(input(anyhow!(
            "decision variable {} is a parameter of the posterior in '{}': a portfolio cannot choose what the posterior draws; drop it from [optimize.variables], or drop --posterior",
            v.key,
            p.origin.display()
        )));
    }
    let scenario = match &loader.posterior {
        Some(_) => loader.load(&base_sets, Some(draws))?,
        None => scenario,
    };
    // The scenario with portfolio `x`, with the posterior's draws when
    // `drawn` (a cost does not depend on them). Each variable must be a
    // key the scenario takes, at both ends.
    let load = |x: &[f64], drawn: bool| -> Result<(Scenario, Vec<Item>), Failure> {
        let overrides = sets(&base_sets, &variables, x);
        let s = if drawn {
            loader.load(&overrides, Some(draws))?
        } else {
            plain.load(&overrides, None)?
        };
        let m = s.model.learning_culture().expect("the same model");
        let items = cost::items(m, &s.raw, &settings.cost).map_err(|m| input(anyhow!("{m}")))?;
        Ok((s, items))
    };
    let build = |x: &[f64]| load(x, true);
    for (end, x) in [
        (
            "min",
            ranges.iter().map(|r| r.snap(r.lo)).collect::<Vec<_>>(),
        ),
        ("max", ranges.iter().map(|r| r.snap(r.hi)).collect()),
    ] {
        build(&x).map_err(|e| {
            input(anyhow!(
                "the decision variables at their {end} ({}) make the scenario invalid: {e}",
                variables
                    .iter()
                    .zip(&x)
                    .map(|(v, x)| format!("{}={}", v.name, format_value(*x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    }
    let written_x: Option<Vec<f64>> = variables.iter().map(|v| v.written).collect();
    // A budget that no portfolio meets is refused before anything runs:
    // the cheapest of the corners, the plan and a Latin sample.
    if let Some(b) = settings.budget {
        let mut tries: Vec<Vec<f64>> = vec![ranges.iter().map(|r| r.snap(r.lo)).collect()];
        tries.extend(written_x.clone());
        let (probe, _) = nsga2::search(
            &ranges,
            &tries,
            &Settings::new(64, 0, seed),
            &mut |xs, _| {
                xs.iter()
                    .map(|x| {
                        let c = load(x, false).map_or(f64::INFINITY, |(_, i)| cost::total(&i));
                        (vec![c], 0.0)
                    })
                    .collect()
            },
        );
        let cheapest = probe
            .iter()
            .min_by(|a, b| a.f[0].total_cmp(&b.f[0]))
            .expect("candidates");
        if cheapest.f[0] > b {
            return Err(input(anyhow!(
                "--budget (or optimize.budget) {b}: no portfolio in the variables' ranges costs that little; the cheapest of {} tried costs {:.1} {} ({})",
                probe.len(),
                cheapest.f[0],
                settings.cost.unit,
                variables
                    .iter()
                    .zip(&cheapest.x)
                    .map(|(v, x)| format!("{}={}", v.name, format_value(*x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let pool = crate::command::pool(o.threads)?;
    let n = settings.population as usize;
    let population = Settings::new(n, settings.generations, seed);
    let total =
        population.population as u64 * u64::from(settings.generations + 1) * u64::from(replicates)
            + (CONFIRMED as u64 + 1) * u64::from(settings.confirm);
    progress.begin(total, 0);
    let mut evaluated: Vec<(Vec<Item>, Estimate)> = Vec::new();
    let mut failure: Option<Failure> = None;
    let seeds: Vec<Vec<f64>> = written_x.iter().cloned().collect();
    let (archive, _) = pool.install(|| {
        nsga2::search(&ranges, &seeds, &population, &mut |xs, g| {
            progress.message(format!(
                "generation {g}/{}, {} portfolios",
                settings.generations,
                evaluated.len() + xs.len()
            ));
            let built: Vec<Result<(Scenario, Vec<Item>), Failure>> =
                xs.par_iter().map(|x| build(x)).collect();
            let mut out = Vec::with_capacity(xs.len());
            for b in built {
                match b {
                    Ok((s, items)) => {
                        let m = s.model.learning_culture().expect("the same model");
                        let f = finals(m, seed, replicates);
                        progress.advance(u64::from(replicates));
                        let e = Estimate::of(&f, threshold);
                        let c = cost::total(&items);
                        let violation = settings.budget.map_or(0.0, |b| (c - b).max(0.0));
                        out.push((vec![-e.high, -e.culture, c], violation));
                        evaluated.push((items, e));
                    }
                    Err(e) => {
                        failure.get_or_insert(e);
                        out.push((vec![0.0, 0.0, f64::INFINITY], f64::INFINITY));
                        evaluated.push((Vec::new(), Estimate::of(&[0.0], threshold)));
                    }
                }
            }
            out
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    // The front the report shows is cost against the chance of the high
    // basin (the search's third objective, the mean final culture, only
    // breaks ties): a portfolio is on it if no feasible one is as cheap and
    // as likely to end high, and better in one (or in culture at a tie).
    // Of exact ties the first evaluated stays.
    let feasible: Vec<(usize, &Candidate)> = archive
        .iter()
        .enumerate()
        .filter(|(_, c)| c.violation == 0.0)
        .collect();
    let beats = |(i, a): (usize, &Candidate), (j, b): (usize, &Candidate)| {
        let (ha, hb, ca, cb, ma, mb) = (-a.f[0], -b.f[0], a.f[2], b.f[2], -a.f[1], -b.f[1]);
        ca <= cb && ha >= hb && (ca < cb || ha > hb || ma > mb || (ma == mb && i < j))
    };
    let front_keys: Vec<Vec<f64>> = feasible
        .iter()
        .filter(|&&b| !feasible.iter().any(|&a| beats(a, b)))
        .map(|(_, c)| c.x.clone())
        .collect();
    let mut portfolios: Vec<Portfolio> = archive
        .iter()
        .zip(evaluated)
        .enumerate()
        .map(|(id, (c, (items, e)))| Portfolio {
            id,
            generation: c.generation,
            values: c.x.clone(),
            cost: c.f[2],
            feasible: c.violation == 0.0,
            front: front_keys.contains(&c.x),
            search: e,
            confirmed: None,
            items,
        })
        .collect();
    let written = written_x.as_ref().and_then(|w| {
        let snapped: Vec<f64> = w.iter().zip(&ranges).map(|(v, r)| r.snap(*v)).collect();
        portfolios.iter().position(|p| p.values == snapped)
    });
    // Confirm on fresh seeds: the cheapest front portfolios whose search
    // estimate is within reach of the target, and the plan as written.
    let mut front: Vec<usize> = portfolios
        .iter()
        .filter(|p| p.front)
        .map(|p| p.id)
        .collect();
    front.sort_by(|&a, &b| {
        portfolios[a]
            .cost
            .total_cmp(&portfolios[b].cost)
            .then(a.cmp(&b))
    });
    let near = |p: &Portfolio| p.search.high_ci[1] >= settings.target;
    let mut confirm: Vec<usize> = front
        .iter()
        .copied()
        .filter(|&i| near(&portfolios[i]))
        .take(CONFIRMED)
        .collect();
    if confirm.is_empty() {
        // None near the target: the most likely to end high.
        if let Some(&best) = front.iter().max_by(|&&a, &&b| {
            portfolios[a]
                .search
                .high
                .total_cmp(&portfolios[b].search.high)
                .then(b.cmp(&a))
        }) {
            confirm.push(best);
        }
    }
    if let Some(w) = written
        && !confirm.contains(&w)
    {
        confirm.push(w);
    }
    let fresh = hash_keys(seed, &[TAG_CONFIRM]);
    progress.message(format!(
        "confirming {} portfolios on fresh seeds",
        confirm.len()
    ));
    for &i in &confirm {
        let (s, _) = build(&portfolios[i].values)?;
        let m = s.model.learning_culture().expect("the same model");
        let f = pool.install(|| finals(m, fresh, settings.confirm));
        progress.advance(u64::from(settings.confirm));
        portfolios[i].confirmed = Some(Estimate::of(&f, threshold));
    }
    progress.finish();
    let dose: Option<usize> = confirm
        .iter()
        .copied()
        .filter(|&i| portfolios[i].front)
        .filter(|&i| {
            portfolios[i]
                .confirmed
                .as_ref()
                .is_some_and(|c| c.high >= settings.target)
        })
        .min_by(|&a, &b| {
            portfolios[a]
                .cost
                .total_cmp(&portfolios[b].cost)
                .then(a.cmp(&b))
        });
    let dose_toml = match dose {
        Some(d) => Some(load(&portfolios[d].values, false)?.0.resolved_toml()),
        None => None,
    };
    let mut s = Study {
        scenario,
        dose_toml,
        variables,
        stated,
        settings,
        replicates,
        threshold,
        years,
        portfolios,
        written,
        dose,
        findings: Vec::new(),
    };
    s.findings = s.findings();
    Ok(s)
}

/// "72% [66%, 77%]".
fn pct(e: &Estimate) -> String {
    format!(
        "{:.0}% [{:.0}%, {:.0}%]",
        100.0 * e.high,
        100.0 * e.high_ci[0],
        100.0 * e.high_ci[1]
    )
}

impl Study {
    /// A portfolio's values as `name=value`, joined.
    pub fn describe(&self, p: &Portfolio) -> String {
        self.variables
            .iter()
            .zip(&p.values)
            .map(|(v, x)| format!("{}={}", v.name, format_value(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The cost in the cost model's unit ("1,234 person-weeks").
    pub fn money(&self, c: f64) -> String {
        let whole = c.round() as i64;
        let digits = whole.abs().to_string();
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{grouped} {}", self.settings.cost.unit)
    }

    /// The front, cheapest first.
    pub fn front(&self) -> Vec<&Portfolio> {
        let mut f: Vec<&Portfolio> = self.portfolios.iter().filter(|p| p.front).collect();
        f.sort_by(|a, b| a.cost.total_cmp(&b.cost).then(a.id.cmp(&b.id)));
        f
    }

    fn findings(&self) -> Vec<String> {
        let t = self.settings.target;
        let basin = format!(
            "ending in the high-culture basin (culture at least {} at year {:.1})",
            format_value(self.threshold),
            self.years
        );
        let mut out = Vec::new();
        match self.dose {
            Some(i) => {
                let p = &self.portfolios[i];
                let c = p.confirmed.as_ref().expect("a dose is confirmed");
                let sure = if c.high_ci[0] >= t {
                    "its interval clears the target"
                } else {
                    "its interval still reaches below the target: more runs (--confirm) would settle it"
                };
                out.push(format!(
                    "The cheapest portfolio found with at least a {:.0}% chance of {basin} costs {}: {}. On {} fresh runs its chance is {} ({sure}); in the search it was {:.0}% of {} runs.",
                    100.0 * t,
                    self.money(p.cost),
                    self.describe(p),
                    c.runs,
                    pct(c),
                    100.0 * p.search.high,
                    p.search.runs
                ));
            }
            None => {
                let best = self
                    .portfolios
                    .iter()
                    .filter(|p| p.confirmed.is_some() && p.front)
                    .max_by(|a, b| {
                        let (x, y) = (a.confirmed.as_ref(), b.confirmed.as_ref());
                        x.map(|e| e.high)
                            .unwrap_or(0.0)
                            .total_cmp(&y.map(|e| e.high).unwrap_or(0.0))
                    });
                match best {
                    Some(p) => out.push(format!(
                        "No portfolio tried reaches a {:.0}% chance of {basin}{}. The most likely to end high costs {} and does so in {} of fresh runs: {}.",
                        100.0 * t,
                        self.settings
                            .budget
                            .map_or(String::new(), |b| format!(" within the budget of {}", self.money(b))),
                        self.money(p.cost),
                        pct(p.confirmed.as_ref().expect("confirmed")),
                        self.describe(p)
                    )),
                    None => out.push(format!(
                        "No portfolio tried reaches a {:.0}% chance of {basin}.",
                        100.0 * t
                    )),
                }
            }
        }
        if let Some(w) = self.written {
            let p = &self.portfolios[w];
            let c = p.confirmed.as_ref().expect("the plan is confirmed");
            let verdict = match self.dose {
                Some(d) if self.portfolios[d].cost < p.cost => format!(
                    "; the minimum effective dose costs {:.0}% less",
                    100.0 * (1.0 - self.portfolios[d].cost / p.cost.max(f64::MIN_POSITIVE))
                ),
                _ => String::new(),
            };
            out.push(format!(
                "The plan as written costs {} and ends high in {} of fresh runs{verdict}.",
                self.money(p.cost),
                pct(c),
            ));
        }
        let front = self.front();
        if let (Some(a), Some(z)) = (front.first(), front.last()) {
            out.push(format!(
                "The Pareto front has {} portfolios of the {} evaluated ({} generations of {}, {} runs each, the same seeds for all): from {} ({:.0}% high) to {} ({:.0}% high).",
                front.len(),
                self.portfolios.len(),
                self.settings.generations + 1,
                self.settings.population,
                self.replicates,
                self.money(a.cost),
                100.0 * a.search.high,
                self.money(z.cost),
                100.0 * z.search.high
            ));
        }
        let drift: Vec<f64> = self
            .portfolios
            .iter()
            .filter_map(|p| p.confirmed.as_ref().map(|c| p.search.high - c.high))
            .collect();
        if !drift.is_empty() {
            let mean = drift.iter().sum::<f64>() / drift.len() as f64;
            out.push(format!(
                "Robustness: on fresh seeds the {} re-evaluated end high {:.1} points {} often than in the search (mean over them){}.",
                if drift.len() == 1 { "one portfolio".to_string() } else { format!("{} portfolios", drift.len()) },
                100.0 * mean.abs(),
                if mean >= 0.0 { "less" } else { "more" },
                if mean > 0.05 {
                    ": the search's estimates are optimistic (the winner's curse); trust the fresh ones"
                } else {
                    ""
                }
            ));
        }
        if !self.stated {
            out.push(
                "Decision variables: the scenario's own programmes (reach, duration, strength), Learnathons (participation, commitment) and communities (density); name others in [optimize.variables].".into(),
            );
        }
        out
    }

    /// The study's data files (name, bytes): portfolios.csv, front.csv,
    /// optimize.json and, with a minimum effective dose, dose.toml.
    pub fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut v = vec![
            ("portfolios.csv".to_string(), self.csv(false).into_bytes()),
            ("front.csv".into(), self.csv(true).into_bytes()),
            ("optimize.json".into(), self.json()),
        ];
        if let Some(t) = &self.dose_toml {
            v.push(("dose.toml".into(), t.clone().into_bytes()));
        }
        v
    }

    /// portfolios.csv (every portfolio) or front.csv (the front, cheapest
    /// first).
    pub fn csv(&self, front_only: bool) -> String {
        let mut s = String::from("id,generation");
        for v in &self.variables {
            let _ = write!(s, ",{}", v.name);
        }
        s.push_str(",cost,feasible,front,runs,high,high_lo,high_hi,culture,culture_lo,culture_hi,confirm_runs,confirm_high,confirm_high_lo,confirm_high_hi,confirm_culture\n");
        let rows: Vec<&Portfolio> = if front_only {
            self.front()
        } else {
            self.portfolios.iter().collect()
        };
        for p in rows {
            let _ = write!(s, "{},{}", p.id, p.generation);
            for x in &p.values {
                let _ = write!(s, ",{}", format_value(*x));
            }
            let e = &p.search;
            let _ = write!(
                s,
                ",{},{},{},{},{},{},{},{},{},{}",
                p.cost,
                p.feasible,
                p.front,
                e.runs,
                e.high,
                e.high_ci[0],
                e.high_ci[1],
                e.culture,
                e.culture_ci[0],
                e.culture_ci[1]
            );
            match &p.confirmed {
                Some(c) => {
                    let _ = writeln!(
                        s,
                        ",{},{},{},{},{}",
                        c.runs, c.high, c.high_ci[0], c.high_ci[1], c.culture
                    );
                }
                None => s.push_str(",,,,,\n"),
            }
        }
        s
    }

    /// optimize.json: settings, variables, the front, the dose and the
    /// findings.
    pub fn json(&self) -> Vec<u8> {
        let ids = |f: Option<usize>| f.map(|i| &self.portfolios[i]);
        let by_name = |p: &Portfolio| -> BTreeMap<String, f64> {
            self.variables
                .iter()
                .zip(&p.values)
                .map(|(v, x)| (v.name.clone(), *x))
                .collect()
        };
        let json = serde_json::json!({
            "scenario": self.scenario.name(),
            "seed": self.scenario.seed,
            "settings": self.settings,
            "replicates": self.replicates,
            "threshold": self.threshold,
            "variables": self.variables,
            "variables_stated": self.stated,
            "findings": self.findings,
            "dose": ids(self.dose).map(|p| serde_json::json!({"portfolio": p, "values": by_name(p)})),
            "as_written": ids(self.written).map(|p| serde_json::json!({"portfolio": p, "values": by_name(p)})),
            "front": self.front().iter().map(|p| p.id).collect::<Vec<_>>(),
        });
        let json = super::study::with_posterior(json, &self.scenario);
        serde_json::to_vec_pretty(&json).expect("a portfolio study serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            scenario: PathBuf::from("consultant-org-chart"),
            population: Some(8),
            generations: Some(1),
            replicates: Some(4),
            confirm: Some(8),
            threads: Some(2),
            ..Options::default()
        }
    }

    #[test]
    fn bad_input_is_refused_before_anything_runs() {
        for (edit, said) in [
            (
                (|o: &mut Options| o.target = Some(1.5)) as fn(&mut Options),
                "--target (or optimize.target): must be a probability in (0, 1]",
            ),
            (|o| o.population = Some(2), "--population"),
            (|o| o.budget = Some(-1.0), "--budget"),
            (
                |o| o.scenario = PathBuf::from("march1991-fig1"),
                "optimize needs the learning-culture model",
            ),
        ] {
            let mut o = options();
            edit(&mut o);
            let e = study(&o, &()).err().expect("refused");
            assert!(matches!(e, Failure::Input(_)), "{e}");
            assert!(e.to_string().contains(said), "{said}: {e}");
        }
    }

    #[test]
    fn value_at_reads_ids_indices_and_times() {
        let s =
            super::super::study::load_for(std::path::Path::new("snow-in-the-sun"), &[], None, None)
                .unwrap();
        assert_eq!(value_at(&s.raw, "events.practice.reach"), Some(0.8));
        assert_eq!(value_at(&s.raw, "events.1.reach"), Some(0.8));
        assert_eq!(value_at(&s.raw, "events.practice.duration"), Some(2.5));
        assert_eq!(value_at(&s.raw, "events.nope.reach"), None);
    }

    #[test]
    fn a_small_study_evaluates_confirms_and_writes_its_tables() {
        let s = study(&options(), &()).unwrap();
        // Two programmes × reach, duration, strength.
        assert_eq!(s.variables.len(), 6);
        assert!(s.written.is_some(), "the plan as written is a candidate");
        let w = &s.portfolios[s.written.unwrap()];
        assert!(w.confirmed.as_ref().is_some_and(|c| c.runs == 8));
        assert!(s.portfolios.iter().any(|p| p.front));
        assert_eq!(s.csv(false).lines().count(), 1 + s.portfolios.len());
        assert!(s.portfolios.len() <= 16);
        // The zero portfolio (every variable at its min) costs least.
        let cheapest = s
            .portfolios
            .iter()
            .min_by(|a, b| a.cost.total_cmp(&b.cost))
            .unwrap();
        assert!(cheapest.cost <= w.cost);
    }
}
