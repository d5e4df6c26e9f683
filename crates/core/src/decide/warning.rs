//! Early warning of tipping on the learning-culture model: for every run
//! and every unit (the organization and each team), whether its culture
//! tipped after the monitoring start, the critical-slowing-down
//! indicators of its culture over the monitored window before the tip
//! (rolling variance and lag-1 autocorrelation, and their Kendall τ:
//! [`crate::analysis::warning`]), and its **margin**: how far the support
//! reaching it is above the lower edge of the mean field's bistable window
//! ([`crate::model::learning_culture::meanfield::bistable_window`]).
//!
//! The window of a unit is [from, from + window), cut at its tip when it
//! tips earlier (the indicators never see the tip itself). A *knock-out
//! twin* (the scenario with overrides that remove the harm) runs with the
//! same seeds and is measured over the same window as the same replicate
//! and unit of the scenario: like for like, paired by replicate.

use crate::analysis::stats::{Stats, wilson};
use crate::analysis::warning::{Auc, Detrend, Tip, indicators, tip};
use crate::engine::{Model, RunId, Seeds, run_loop};
use crate::model::learning_culture::{LearningCulture, metric};
use rayon::prelude::*;
use serde::Serialize;

/// The settings of one analysis, in steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Plan {
    /// Monitoring starts here: a unit tips only if it was at or above the
    /// threshold at this step.
    pub from: u32,
    /// Length of the monitored window (steps).
    pub window: u32,
    /// Length of the rolling window of the statistics (steps).
    pub rolling: u32,
    /// Detrending of the window before the statistics.
    pub detrend: Detrend,
    /// Culture level below which a unit has tipped.
    pub threshold: f64,
    /// Keep every team's series for the series file (not just the organization's).
    pub team_series: bool,
}

/// The two branches: the scenario and, optionally, its knock-out twin.
pub struct Branches<'a> {
    /// The scenario's model.
    pub scenario: &'a LearningCulture,
    /// The knock-out twin's model (same organization).
    pub twin: Option<&'a LearningCulture>,
}

/// What one unit of one run gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    /// What its culture did after `from`.
    pub outcome: Tip,
    /// The monitored window [from, to).
    pub segment: [u32; 2],
    /// Kendall's τ of the rolling variance (NaN: window too short).
    pub tau_variance: f64,
    /// Kendall's τ of the rolling lag-1 autocorrelation.
    pub tau_ar1: f64,
    /// Margin (support − lower edge) at `from` (NaN without a window).
    pub margin_from: f64,
    /// Margin at the last step of the window.
    pub margin_end: f64,
    /// Lowest margin over the window.
    pub margin_min: f64,
    /// Steps of the window with the support below the lower edge.
    pub steps_below: u32,
}

/// One unit's series over the whole run (for the series file and the figure).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSeries {
    /// Culture at every step.
    pub culture: Vec<f64>,
    /// Support reaching it at every step.
    pub support: Vec<f64>,
    /// Rolling variance at the last step of each window (NaN elsewhere).
    pub variance: Vec<f64>,
    /// Rolling lag-1 autocorrelation, likewise.
    pub ar1: Vec<f64>,
}

/// One run of one branch.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The replicate.
    pub replicate: u32,
    /// Unit 0 is the organization, unit t + 1 team t.
    pub units: Vec<UnitResult>,
    /// The series of the units kept: (unit, series); the organization
    /// always, the teams with [`Plan::team_series`].
    pub series: Vec<(usize, UnitSeries)>,
    /// The lower edge its margins are measured from: its branch's, or,
    /// with posterior draws, its own draw's (None: no bistable window).
    pub edge: Option<f64>,
}

/// Every run of both branches, in replicate order.
#[derive(Debug, Clone)]
pub struct Runs {
    /// The scenario's runs.
    pub scenario: Vec<RunResult>,
    /// The twin's runs (empty without a twin).
    pub twin: Vec<RunResult>,
}

/// One run's observed culture and support per unit (unit 0 the
/// organization), every step.
fn observe(model: &LearningCulture, seeds: Seeds, tick: &(dyn Fn() + Sync)) -> [Vec<Vec<f64>>; 2] {
    let teams = model.groups().len();
    let mut culture = vec![Vec::new(); teams + 1];
    let mut support = vec![Vec::new(); teams + 1];
    let out = run_loop(model, seeds, None, None, tick, |st, _, _, _| {
        for t in 0..teams {
            culture[t + 1].push(f64::from(st.culture[t]));
            support[t + 1].push(f64::from(st.support[t]));
        }
    });
    culture[0] = out.series(metric::CULTURE);
    support[0] = out.series(metric::SUPPORT);
    [culture, support]
}

/// The indicators and margins of one unit over [from, to).
fn measure(
    culture: &[f64],
    support: &[f64],
    outcome: Tip,
    to: usize,
    plan: &Plan,
    edge: Option<f64>,
) -> (UnitResult, UnitSeries) {
    let from = (plan.from as usize).min(culture.len());
    let to = to.clamp(from, culture.len());
    let ind = indicators(&culture[from..to], plan.rolling as usize, plan.detrend);
    let mut variance = vec![f64::NAN; culture.len()];
    let mut ar1 = vec![f64::NAN; culture.len()];
    let first = from + plan.rolling as usize - 1;
    for (k, (v, a)) in ind.variance.iter().zip(&ind.ar1).enumerate() {
        variance[first + k] = *v;
        ar1[first + k] = *a;
    }
    let margin = |t: usize| edge.map_or(f64::NAN, |e| support[t] - e);
    let window: Vec<f64> = (from..to).map(margin).collect();
    let r = UnitResult {
        outcome,
        segment: [from as u32, to as u32],
        tau_variance: ind.tau_variance,
        tau_ar1: ind.tau_ar1,
        margin_from: if from < support.len() {
            margin(from)
        } else {
            f64::NAN
        },
        margin_end: if to > from { margin(to - 1) } else { f64::NAN },
        margin_min: window.iter().copied().fold(f64::NAN, f64::min),
        steps_below: window.iter().filter(|m| **m < 0.0).count() as u32,
    };
    let s = UnitSeries {
        culture: culture.to_vec(),
        support: support.to_vec(),
        variance,
        ar1,
    };
    (r, s)
}

/// The end of the window of a unit that did `outcome`.
fn window_end(outcome: Tip, plan: &Plan) -> usize {
    let end = (plan.from + plan.window) as usize;
    match outcome {
        Tip::Tipped { step } => end.min(step),
        _ => end,
    }
}

/// Measure one run: every unit's tip, window, indicators and margins;
/// `ends`, when given, fixes each unit's window end (the twin is measured
/// over the scenario's windows).
fn measure_run(
    replicate: u32,
    observed: &[Vec<Vec<f64>>; 2],
    plan: &Plan,
    edge: Option<f64>,
    ends: Option<&[usize]>,
) -> RunResult {
    let [culture, support] = observed;
    let mut units = Vec::with_capacity(culture.len());
    let mut series = Vec::new();
    for (u, (c, s)) in culture.iter().zip(support).enumerate() {
        let outcome = tip(c, plan.from as usize, plan.threshold);
        let end = ends.map_or_else(|| window_end(outcome, plan), |e| e[u]);
        let (r, ser) = measure(c, s, outcome, end, plan, edge);
        units.push(r);
        if u == 0 || plan.team_series {
            series.push((u, ser));
        }
    }
    RunResult {
        replicate,
        units,
        series,
        edge,
    }
}

/// Run `replicates` runs of both branches (master seed `seed`) and measure
/// them, each run's margin against its lower edge (`edges`: the
/// scenario's, the twin's, per replicate: replicate r's is `edges[b][r]`,
/// else None; with posterior draws each replicate has its draw's); the
/// twin's replicate r is measured over the windows of the scenario's
/// replicate r. `tick` counts steps.
pub fn simulate(
    b: &Branches<'_>,
    seed: u64,
    replicates: u32,
    plan: &Plan,
    edges: [&[Option<f64>]; 2],
    tick: &(dyn Fn() + Sync),
) -> Runs {
    let edge = |branch: usize, r: u32| edges[branch].get(r as usize).copied().flatten();
    let pairs: Vec<(RunResult, Option<RunResult>)> = (0..replicates)
        .into_par_iter()
        .map(|replicate| {
            let seeds = Seeds::new(
                seed,
                RunId {
                    point: 0,
                    replicate,
                },
            );
            let mine = measure_run(
                replicate,
                &observe(b.scenario, seeds, tick),
                plan,
                edge(0, replicate),
                None,
            );
            let twin = b.twin.map(|t| {
                let ends: Vec<usize> = mine.units.iter().map(|u| u.segment[1] as usize).collect();
                measure_run(
                    replicate,
                    &observe(t, seeds, tick),
                    plan,
                    edge(1, replicate),
                    Some(&ends),
                )
            });
            (mine, twin)
        })
        .collect();
    let mut runs = Runs {
        scenario: Vec::with_capacity(pairs.len()),
        twin: Vec::new(),
    };
    for (a, t) in pairs {
        runs.scenario.push(a);
        runs.twin.extend(t);
    }
    runs
}

/// Steps [`simulate`] ticks.
pub fn total_steps(b: &Branches<'_>, replicates: u32) -> u64 {
    let one = u64::from(b.scenario.steps());
    let twin = b.twin.map_or(0, |t| u64::from(t.steps()));
    u64::from(replicates) * (one + twin)
}

/// τ over runs: mean and 95% interval, kept inside τ's range [−1, 1]
/// (`Stats::of_bounded`: Student t in the middle, Wilson near a bound).
fn taus(v: &[f64]) -> Option<Stats> {
    Stats::of_bounded(v, Some((-1.0, 1.0)))
}

/// A paired difference of two τ, inside [−2, 2].
fn tau_diffs(v: &[f64]) -> Option<Stats> {
    Stats::of_bounded(v, Some((-2.0, 2.0)))
}

/// The indicators of one group of runs (those that tipped, or held).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Runs in the group.
    pub runs: usize,
    /// Runs whose window was long enough for both τ.
    pub measured: usize,
    /// Kendall's τ of the rolling variance over the runs (95% interval inside [−1, 1]).
    pub tau_variance: Option<Stats>,
    /// Kendall's τ of the rolling lag-1 autocorrelation.
    pub tau_ar1: Option<Stats>,
    /// Margin at the end of the window.
    pub margin_end: Option<Stats>,
}

impl Group {
    fn of(units: &[&UnitResult]) -> Self {
        let pick = |f: fn(&UnitResult) -> f64| -> Vec<f64> { units.iter().map(|u| f(u)).collect() };
        Self {
            runs: units.len(),
            measured: units
                .iter()
                .filter(|u| !u.tau_variance.is_nan() && !u.tau_ar1.is_nan())
                .count(),
            tau_variance: taus(&pick(|u| u.tau_variance)),
            tau_ar1: taus(&pick(|u| u.tau_ar1)),
            margin_end: Stats::of(&pick(|u| u.margin_end)),
        }
    }
}

/// The teams of one branch: every team of every run, by what it did.
#[derive(Debug, Clone, Serialize)]
pub struct Teams {
    /// Teams (over all runs) that tipped.
    pub tipped: usize,
    /// Teams that held.
    pub held: usize,
    /// Teams below the threshold at `from`.
    pub not_high: usize,
    /// Per run, the mean τ of the rolling variance over its tipped teams;
    /// summarized over the runs with at least one (teams of one run are
    /// not independent: the interval is over runs).
    pub tipped_tau_variance: Option<Stats>,
    /// Likewise over the held teams.
    pub held_tau_variance: Option<Stats>,
    /// Likewise for the lag-1 autocorrelation, tipped teams.
    pub tipped_tau_ar1: Option<Stats>,
    /// Likewise for the lag-1 autocorrelation, held teams.
    pub held_tau_ar1: Option<Stats>,
}

/// One branch's summary (the organization's culture of each run).
#[derive(Debug, Clone, Serialize)]
pub struct BranchSummary {
    /// "scenario" or "twin".
    pub branch: &'static str,
    /// Lower edge of this branch's bistable window (its margins are measured
    /// from it; with posterior draws whose windows differ, the mean over
    /// its runs, each measured from its own draw's).
    pub lower_edge: Option<f64>,
    /// Runs.
    pub runs: usize,
    /// Runs that tipped.
    pub tipped: usize,
    /// Runs that held.
    pub held: usize,
    /// Runs below the threshold at `from`.
    pub not_high: usize,
    /// Share of the runs high at `from` that tipped.
    pub tip_share: f64,
    /// Its Wilson 95% interval.
    pub tip_share_ci: [f64; 2],
    /// Earliest, median and latest tip step (runs that tipped).
    pub tip_steps: Option<[u32; 3]>,
    /// The runs that tipped.
    pub tipped_group: Group,
    /// The runs that held.
    pub held_group: Group,
    /// How well τ of the variance tells the runs that tip from those that
    /// hold (AUC; larger in those that tip).
    pub auc_variance: Option<Auc>,
    /// The same for τ of the lag-1 autocorrelation.
    pub auc_ar1: Option<Auc>,
    /// The same for the margin at the window's end (smaller in those that
    /// tip: the AUC of −margin).
    pub auc_margin: Option<Auc>,
    /// The teams.
    pub teams: Teams,
}

/// The scenario against its twin, replicate by replicate.
#[derive(Debug, Clone, Serialize)]
pub struct Paired {
    /// Runs high at `from` in both branches (the pairs compared).
    pub runs: usize,
    /// Runs of the twin that tipped.
    pub twin_tipped: usize,
    /// The twin's τ of the variance (its runs high at `from`, over the
    /// scenario's windows).
    pub twin_tau_variance: Option<Stats>,
    /// The twin's τ of the lag-1 autocorrelation.
    pub twin_tau_ar1: Option<Stats>,
    /// Scenario − twin, τ of the variance (runs high at `from` in both).
    pub tau_variance: Option<Stats>,
    /// Scenario − twin, τ of the lag-1 autocorrelation.
    pub tau_ar1: Option<Stats>,
    /// τ of the variance in the scenario's runs that tipped against the
    /// twin's runs (the same windows): AUC.
    pub auc_variance: Option<Auc>,
    /// The same for the lag-1 autocorrelation.
    pub auc_ar1: Option<Auc>,
}

/// The analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// The settings.
    pub plan: Plan,
    /// Lower edge of the bistable window of support (None: the mean field
    /// has one state at every support).
    pub lower_edge: Option<f64>,
    /// Upper edge.
    pub upper_edge: Option<f64>,
    /// With posterior draws whose lower edges differ: the least and the
    /// greatest lower edge of the scenario's runs (each run's margin is
    /// measured from its own draw's; `lower_edge` and `upper_edge` are
    /// then the means over the runs). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_edge_range: Option<[f64; 2]>,
    /// The scenario, then the twin.
    pub branches: Vec<BranchSummary>,
    /// The scenario against the twin (with a twin).
    pub paired: Option<Paired>,
}

fn is_tipped(u: &UnitResult) -> bool {
    matches!(u.outcome, Tip::Tipped { .. })
}

fn branch_summary(name: &'static str, runs: &[RunResult], edge: Option<f64>) -> BranchSummary {
    let org: Vec<&UnitResult> = runs.iter().map(|r| &r.units[0]).collect();
    let tipped: Vec<&UnitResult> = org.iter().copied().filter(|u| is_tipped(u)).collect();
    let held: Vec<&UnitResult> = org
        .iter()
        .copied()
        .filter(|u| u.outcome == Tip::Held)
        .collect();
    let high = tipped.len() + held.len();
    let share = if high > 0 {
        tipped.len() as f64 / high as f64
    } else {
        f64::NAN
    };
    let mut steps: Vec<u32> = tipped
        .iter()
        .filter_map(|u| match u.outcome {
            Tip::Tipped { step } => Some(step as u32),
            _ => None,
        })
        .collect();
    steps.sort_unstable();
    let vals = |g: &[&UnitResult], f: fn(&UnitResult) -> f64| -> Vec<f64> {
        g.iter().map(|u| f(u)).collect()
    };
    BranchSummary {
        branch: name,
        lower_edge: edge,
        runs: org.len(),
        tipped: tipped.len(),
        held: held.len(),
        not_high: org.len() - high,
        tip_share: share,
        tip_share_ci: wilson(share, high as f64, 1.959_963_984_540_054),
        tip_steps: (!steps.is_empty()).then(|| {
            [
                steps[0],
                steps[steps.len() / 2],
                *steps.last().expect("not empty"),
            ]
        }),
        tipped_group: Group::of(&tipped),
        held_group: Group::of(&held),
        auc_variance: Auc::of(
            &vals(&tipped, |u| u.tau_variance),
            &vals(&held, |u| u.tau_variance),
        ),
        auc_ar1: Auc::of(&vals(&tipped, |u| u.tau_ar1), &vals(&held, |u| u.tau_ar1)),
        auc_margin: Auc::of(
            &vals(&tipped, |u| -u.margin_end),
            &vals(&held, |u| -u.margin_end),
        ),
        teams: teams(runs),
    }
}

fn teams(runs: &[RunResult]) -> Teams {
    let count = |f: &dyn Fn(&UnitResult) -> bool| {
        runs.iter()
            .flat_map(|r| r.units[1..].iter())
            .filter(|u| f(u))
            .count()
    };
    let per_run = |keep: &dyn Fn(&UnitResult) -> bool, f: fn(&UnitResult) -> f64| {
        let means: Vec<f64> = runs
            .iter()
            .filter_map(|r| {
                let v: Vec<f64> = r.units[1..]
                    .iter()
                    .filter(|u| keep(u))
                    .map(f)
                    .filter(|x| !x.is_nan())
                    .collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect();
        taus(&means)
    };
    let held = |u: &UnitResult| u.outcome == Tip::Held;
    Teams {
        tipped: count(&is_tipped),
        held: count(&held),
        not_high: count(&|u| u.outcome == Tip::NotHigh),
        tipped_tau_variance: per_run(&is_tipped, |u| u.tau_variance),
        held_tau_variance: per_run(&held, |u| u.tau_variance),
        tipped_tau_ar1: per_run(&is_tipped, |u| u.tau_ar1),
        held_tau_ar1: per_run(&held, |u| u.tau_ar1),
    }
}

fn paired(runs: &Runs) -> Option<Paired> {
    if runs.twin.is_empty() {
        return None;
    }
    let both: Vec<(&UnitResult, &UnitResult)> = runs
        .scenario
        .iter()
        .zip(&runs.twin)
        .map(|(a, t)| (&a.units[0], &t.units[0]))
        .filter(|(a, t)| a.outcome != Tip::NotHigh && t.outcome != Tip::NotHigh)
        .collect();
    let diff =
        |f: fn(&UnitResult) -> f64| -> Vec<f64> { both.iter().map(|(a, t)| f(a) - f(t)).collect() };
    let tipped: Vec<&UnitResult> = both.iter().map(|p| p.0).filter(|u| is_tipped(u)).collect();
    let twins: Vec<&UnitResult> = both.iter().map(|p| p.1).collect();
    let vals = |g: &[&UnitResult], f: fn(&UnitResult) -> f64| -> Vec<f64> {
        g.iter().map(|u| f(u)).collect()
    };
    Some(Paired {
        runs: both.len(),
        twin_tipped: runs.twin.iter().filter(|r| is_tipped(&r.units[0])).count(),
        twin_tau_variance: taus(&vals(&twins, |u| u.tau_variance)),
        twin_tau_ar1: taus(&vals(&twins, |u| u.tau_ar1)),
        tau_variance: tau_diffs(&diff(|u| u.tau_variance)),
        tau_ar1: tau_diffs(&diff(|u| u.tau_ar1)),
        auc_variance: Auc::of(
            &vals(&tipped, |u| u.tau_variance),
            &vals(&twins, |u| u.tau_variance),
        ),
        auc_ar1: Auc::of(&vals(&tipped, |u| u.tau_ar1), &vals(&twins, |u| u.tau_ar1)),
    })
}

/// Summarize `runs` measured with `plan`; `edges` is the scenario's
/// bistable window, `twin_edge` the lower edge the twin was measured from.
pub fn summarize(
    runs: &Runs,
    plan: &Plan,
    edges: Option<(f64, f64)>,
    twin_edge: Option<f64>,
) -> Warning {
    let mut branches = vec![branch_summary(
        "scenario",
        &runs.scenario,
        edges.map(|e| e.0),
    )];
    if !runs.twin.is_empty() {
        branches.push(branch_summary("twin", &runs.twin, twin_edge));
    }
    Warning {
        plan: *plan,
        lower_edge: edges.map(|e| e.0),
        upper_edge: edges.map(|e| e.1),
        lower_edge_range: None,
        branches,
        paired: paired(runs),
    }
}

/// The rolling windows (percent of the monitored window) of the
/// sensitivity analysis.
pub const SENSITIVITY_ROLLING: [f64; 3] = [25.0, 50.0, 75.0];

/// The detrending bandwidths (percent of the monitored window; None: no
/// detrending) of the sensitivity analysis.
pub const SENSITIVITY_BANDWIDTH: [Option<f64>; 4] = [Some(10.0), Some(20.0), Some(40.0), None];

/// The organization's τ under one choice of rolling window and
/// detrending: the sensitivity analysis Dakos et al. (2012) recommend
/// (their `sensitivity_ews`), on the same runs and windows.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// Rolling window, percent of the monitored window.
    pub rolling_percent: f64,
    /// Rolling window, steps.
    pub rolling: u32,
    /// Bandwidth, percent of the monitored window (None: not detrended).
    pub bandwidth_percent: Option<f64>,
    /// The scenario's runs that tipped: τ of the variance.
    pub tipped_variance: Option<Stats>,
    /// Those that held.
    pub held_variance: Option<Stats>,
    /// The twin's runs (high at the start).
    pub twin_variance: Option<Stats>,
    /// The scenario's runs that tipped: τ of the lag-1 autocorrelation.
    pub tipped_ar1: Option<Stats>,
    /// Those that held.
    pub held_ar1: Option<Stats>,
    /// The twin's runs.
    pub twin_ar1: Option<Stats>,
}

/// The τ of every run's organization, re-measured over its own window
/// (`segment`) with `rolling` steps and `detrend`: (tipped, held, twin),
/// each (τ of the variance, τ of the lag-1 autocorrelation).
fn remeasure(runs: &Runs, rolling: usize, detrend: Detrend) -> [[Vec<f64>; 2]; 3] {
    let mut out: [[Vec<f64>; 2]; 3] = Default::default();
    let groups = [(&runs.scenario, false), (&runs.twin, true)];
    for (branch, twin) in groups {
        for r in branch.iter() {
            let u = &r.units[0];
            let g = match (twin, u.outcome) {
                (_, Tip::NotHigh) => continue,
                (true, _) => 2,
                (false, Tip::Tipped { .. }) => 0,
                (false, Tip::Held) => 1,
            };
            let s = &r.series.iter().find(|s| s.0 == 0).expect("kept").1;
            let [a, b] = [u.segment[0] as usize, u.segment[1] as usize];
            let ind = indicators(&s.culture[a..b], rolling, detrend);
            out[g][0].push(ind.tau_variance);
            out[g][1].push(ind.tau_ar1);
        }
    }
    out
}

/// The sensitivity of the organization's τ to the rolling window and the
/// detrending ([`SENSITIVITY_ROLLING`] × [`SENSITIVITY_BANDWIDTH`]), for
/// `runs` measured with `plan` (each run keeps its window).
pub fn sensitivity(runs: &Runs, plan: &Plan) -> Vec<Sensitivity> {
    let w = f64::from(plan.window);
    let mut out = Vec::new();
    for r in SENSITIVITY_ROLLING {
        let rolling = ((w * r / 100.0).round() as u32).max(4);
        for b in SENSITIVITY_BANDWIDTH {
            let detrend = b.map_or(Detrend::None, |b| Detrend::Gaussian {
                bandwidth: (w * b / 100.0).max(1.0),
            });
            let [t, h, k] = remeasure(runs, rolling as usize, detrend);
            out.push(Sensitivity {
                rolling_percent: r,
                rolling,
                bandwidth_percent: b,
                tipped_variance: taus(&t[0]),
                held_variance: taus(&h[0]),
                twin_variance: taus(&k[0]),
                tipped_ar1: taus(&t[1]),
                held_ar1: taus(&h[1]),
                twin_ar1: taus(&k[1]),
            });
        }
    }
    out
}

/// The range (lowest, highest) of the mean τ picked by `f` over `rows`.
pub fn range(rows: &[Sensitivity], f: fn(&Sensitivity) -> &Option<Stats>) -> Option<[f64; 2]> {
    let v: Vec<f64> = rows
        .iter()
        .filter_map(|r| f(r).as_ref().map(|s| s.mean))
        .collect();
    (!v.is_empty()).then(|| {
        [
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ]
    })
}

/// "rose", "fell" or "showed no clear trend", from a τ's 95% interval.
fn trend(s: &Option<Stats>) -> &'static str {
    match s {
        Some(s) if s.n > 1 && s.ci95[0] > 0.0 => "rose",
        Some(s) if s.n > 1 && s.ci95[1] < 0.0 => "fell",
        _ => "showed no clear trend",
    }
}

/// A τ's mean and interval over the `of` runs of its group, saying how
/// many of them had a window of at least one rolling window (the others
/// tipped too soon to be measured).
fn tau_text(s: &Option<Stats>, of: usize) -> String {
    let short = |n: usize| {
        if n < of {
            format!(
                "; measured in {n} of {of} runs: the others' windows end at an early tip, before a full rolling window"
            )
        } else {
            String::new()
        }
    };
    match s {
        Some(s) if s.n > 1 => format!(
            "Kendall's τ {:+.2} [{:+.2}, {:+.2}]{}",
            s.mean,
            s.ci95[0],
            s.ci95[1],
            short(s.n)
        ),
        Some(s) => format!("Kendall's τ {:+.2}, one run{}", s.mean, short(1)),
        None => format!("no run's window holds a full rolling window, of {of}"),
    }
}

fn auc_text(a: &Option<Auc>, what: &str) -> String {
    match a {
        Some(a) if a.ci95[0] > 0.5 => format!(
            "it tells {what} (AUC {:.2} [{:.2}, {:.2}])",
            a.auc, a.ci95[0], a.ci95[1]
        ),
        Some(a) => format!(
            "it does not tell {what} (AUC {:.2} [{:.2}, {:.2}]; 0.5 is a coin toss)",
            a.auc, a.ci95[0], a.ci95[1]
        ),
        None => String::new(),
    }
}

impl Warning {
    /// The findings in plain words; `year` writes a step as "year 6.0",
    /// `twin` names the knock-out twin's changes.
    pub fn findings(&self, year: &dyn Fn(u32) -> String, twin: &str) -> Vec<String> {
        let p = &self.plan;
        let s = &self.branches[0];
        let mut out = Vec::new();
        let high = s.tipped + s.held;
        let (from, end) = (year(p.from), year(p.from + p.window));
        let mut first = format!(
            "Of the {high} runs whose culture was at or above {} at {from}, {} tipped ({:.0}% [{:.0}%, {:.0}%]): it fell below {} and stayed below it to the end of the run; {} held.",
            p.threshold,
            s.tipped,
            100.0 * s.tip_share,
            100.0 * s.tip_share_ci[0],
            100.0 * s.tip_share_ci[1],
            p.threshold,
            s.held
        );
        if high == 0 {
            first = format!(
                "No run's culture was at or above {} at {from}: nothing could tip.",
                p.threshold
            );
        }
        if s.not_high > 0 && high > 0 {
            first.push_str(&format!(
                " {} runs were below {} already at {from}.",
                s.not_high, p.threshold
            ));
        }
        out.push(first);
        if high == 0 {
            return out;
        }
        let (t, h) = (&s.tipped_group, &s.held_group);
        let which = "the runs that tip from those that hold";
        for (name, tt, ht, auc, note) in [
            (
                "the variance of the culture",
                &t.tau_variance,
                &h.tau_variance,
                &s.auc_variance,
                "",
            ),
            (
                "the lag-1 autocorrelation of the culture",
                &t.tau_ar1,
                &h.tau_ar1,
                &s.auc_ar1,
                " (critical slowing down makes it rise)",
            ),
        ] {
            let mut f = format!("From {from} to {end} (or the tip, if earlier), {name}{note}");
            if s.tipped > 0 {
                f.push_str(&format!(
                    " {} in the runs that tipped ({})",
                    trend(tt),
                    tau_text(tt, s.tipped)
                ));
            }
            if s.held > 0 {
                f.push_str(&format!(
                    "{} {} in the runs that held ({})",
                    if s.tipped > 0 { "; it" } else { "" },
                    trend(ht),
                    tau_text(ht, s.held)
                ));
            }
            let a = auc_text(auc, which);
            if !a.is_empty() {
                f.push_str(&format!(": {a}"));
            }
            f.push('.');
            out.push(f);
        }
        match self.lower_edge {
            None => out.push(
                "The mean field has one stable state at every support at these parameters: there is no lower edge of a bistable window to measure a margin to.".into(),
            ),
            Some(edge) => {
                let m = |g: &Group| {
                    g.margin_end
                        .as_ref()
                        .map_or("–".to_string(), |s| format!("{:+.3}", s.mean))
                };
                let drawn = self.lower_edge_range.map_or(String::new(), |[a, b]| {
                    format!(
                        " (the mean over the runs' posterior draws, which put it between {a:.3} and {b:.3}; each run's margin is measured from its own draw's edge)"
                    )
                });
                let mut f = format!(
                    "The culture can tip where the support falls below {edge:.3}, the lower edge of the mean field's bistable window (section 8 of docs/MODEL.md){drawn}. At the end of the window the margin (support minus that edge) was {} in the runs that tipped and {} in those that held",
                    m(t),
                    m(h)
                );
                let a = auc_text(&s.auc_margin, which);
                if !a.is_empty() {
                    f.push_str(&format!(": {a}"));
                }
                f.push('.');
                out.push(f);
            }
        }
        if let (Some(pd), Some(k)) = (&self.paired, self.branches.get(1)) {
            let high = pd.runs;
            let mut f = format!(
                "The knock-out twin ({twin}), the same runs over the same windows: {} of {} runs tipped; the variance {} ({}), the lag-1 autocorrelation {} ({})",
                pd.twin_tipped,
                k.runs,
                trend(&pd.twin_tau_variance),
                tau_text(&pd.twin_tau_variance, high),
                trend(&pd.twin_tau_ar1),
                tau_text(&pd.twin_tau_ar1, high)
            );
            if let (Some(d), Some(a)) = (&pd.tau_variance, &pd.tau_ar1) {
                f.push_str(&format!(
                    ". Paired by run ({} runs measured in both), the scenario's τ minus the twin's is {:+.2} [{:+.2}, {:+.2}] for the variance and {:+.2} [{:+.2}, {:+.2}] for the lag-1 autocorrelation",
                    d.n, d.mean, d.ci95[0], d.ci95[1], a.mean, a.ci95[0], a.ci95[1]
                ));
            }
            f.push('.');
            out.push(f);
        }
        out
    }
}

/// The sensitivity finding: the ranges of the mean τ over the choices.
pub fn sensitivity_finding(rows: &[Sensitivity]) -> Option<String> {
    let r = |f: fn(&Sensitivity) -> &Option<Stats>| {
        range(rows, f).map(|[a, b]| format!("{a:+.2} to {b:+.2}"))
    };
    let tv = r(|s| &s.tipped_variance)?;
    let mut f = format!(
        "Over {} choices of rolling window (25–75% of the window) and detrending (none, or a Gaussian kernel of 10–40%), the mean τ of the variance was {tv} in the runs that tipped",
        rows.len()
    );
    if let Some(h) = r(|s| &s.held_variance) {
        f.push_str(&format!(", {h} in those that held"));
    }
    if let Some(k) = r(|s| &s.twin_variance) {
        f.push_str(&format!(", {k} in the twin"));
    }
    if let Some(ta) = r(|s| &s.tipped_ar1) {
        f.push_str(&format!(
            "; that of the lag-1 autocorrelation {ta} in the runs that tipped"
        ));
        if let Some(k) = r(|s| &s.twin_ar1) {
            f.push_str(&format!(" and {k} in the twin"));
        }
    }
    f.push_str(" (warning-sensitivity.csv).");
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            from: 2,
            window: 6,
            rolling: 3,
            detrend: Detrend::None,
            threshold: 0.5,
            team_series: false,
        }
    }

    #[test]
    fn a_window_stops_at_the_tip_and_the_margin_is_support_minus_the_edge() {
        let p = plan();
        let c = [0.6, 0.6, 0.7, 0.65, 0.6, 0.55, 0.4, 0.3, 0.2, 0.2, 0.2];
        let s = [0.6, 0.6, 0.6, 0.55, 0.5, 0.45, 0.4, 0.4, 0.4, 0.4, 0.4];
        let outcome = tip(&c, 2, 0.5);
        assert_eq!(outcome, Tip::Tipped { step: 6 });
        let end = window_end(outcome, &p);
        assert_eq!(end, 6);
        let (r, ser) = measure(&c, &s, outcome, end, &p, Some(0.5));
        assert_eq!(r.segment, [2, 6]);
        assert!((r.margin_from - 0.1).abs() < 1e-12);
        assert!((r.margin_end + 0.05).abs() < 1e-12);
        assert!((r.margin_min + 0.05).abs() < 1e-12);
        assert_eq!(r.steps_below, 1);
        // Rolling windows of 3 in [2, 6): two values, at steps 4 and 5.
        assert!(ser.variance[3].is_nan() && !ser.variance[4].is_nan() && !ser.variance[5].is_nan());
        assert!(ser.variance[6].is_nan());
        // Held: the window runs its full length.
        assert_eq!(window_end(Tip::Held, &p), 8);
    }

    #[test]
    fn findings_say_what_the_intervals_say() {
        let unit = |outcome, tv: f64, m: f64| UnitResult {
            outcome,
            segment: [0, 10],
            tau_variance: tv,
            tau_ar1: -tv,
            margin_from: 0.2,
            margin_end: m,
            margin_min: m,
            steps_below: 0,
        };
        let run = |r: u32, u: UnitResult| RunResult {
            replicate: r,
            units: vec![u],
            series: Vec::new(),
            edge: Some(0.46),
        };
        let mut scenario = Vec::new();
        for i in 0..10 {
            let x = f64::from(i) * 0.01;
            scenario.push(run(i, unit(Tip::Tipped { step: 50 }, 0.6 + x, -0.01 - x)));
            scenario.push(run(i + 10, unit(Tip::Held, 0.1 + x, 0.05 + x)));
        }
        let runs = Runs {
            scenario,
            twin: Vec::new(),
        };
        let w = summarize(&runs, &plan(), Some((0.46, 0.61)), None);
        let s = &w.branches[0];
        assert_eq!((s.tipped, s.held, s.not_high), (10, 10, 0));
        assert_eq!(s.auc_variance.unwrap().auc, 1.0);
        assert_eq!(s.auc_margin.unwrap().auc, 1.0);
        let f = w.findings(&|s| format!("step {s}"), "");
        assert!(f[0].starts_with("Of the 20 runs"), "{}", f[0]);
        assert!(f[1].contains("rose in the runs that tipped"), "{}", f[1]);
        assert!(f[1].contains(": it tells the runs that tip"), "{}", f[1]);
        assert!(f[2].contains("fell in the runs that tipped"), "{}", f[2]);
        assert!(f[3].contains("below 0.460"), "{}", f[3]);
    }
}
