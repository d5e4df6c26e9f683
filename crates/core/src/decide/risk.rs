//! Culture at risk: which leadership seats matter, and a stress test of
//! future successions.
//!
//! Every run is simulated once up to step `at` and forked ([`super::fork`]):
//! - the *baseline* continues with the scenario's own leader turnover
//!   (successors drawn from `[leaders]`, some promoted from within) and
//!   without its scheduled leader replacements from `at` on. Its culture at
//!   the horizon, over the runs, is the **succession stress test**: the
//!   distribution, its 5th percentile and the probability of tipping
//!   (of the runs above `culture.high_threshold` at the fork, the share
//!   that end below it);
//! - one branch per seat (unit or team): at `at` that seat alone goes to a
//!   non-aligned successor (alignment `alignment`, not adapting). The
//!   paired loss (baseline − branch, final culture, run by run) ranks the
//!   **seats that matter**; the seats that carry 80% of the total loss are
//!   named.

use super::fork::run_from;
use crate::analysis::stats::{Stats, percentile, wilson};
use crate::dist::Dist;
use crate::engine::{Model, RunId, Seeds};
use crate::model::learning_culture::events::{Event, Kind, Scope, When};
use crate::model::learning_culture::org::OrgSource;
use crate::model::learning_culture::{LearningCulture, Setup, metric};
use rayon::prelude::*;
use serde::Serialize;

/// Key of the seat test's random stream (no scenario event has it).
pub const SEAT_KEY: u64 = (1 << 40) + 1;

/// The models of one risk analysis.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Fork step.
    pub at: u32,
    /// Baseline from the fork.
    pub baseline: LearningCulture,
    /// One model per seat: (unit, seat name, model).
    pub seats: Vec<(u32, String, LearningCulture)>,
}

/// The name of unit `u` as an analysis shows it: the unit's name, and the
/// leader's id where an org chart gives one that differs.
pub fn seat_name(model: &LearningCulture, u: usize) -> String {
    let org = model.org();
    let name = org.unit_name[u].clone();
    if let OrgSource::Chart(c) = &model.setup().org {
        let node = org.unit_node[u] as usize;
        if let Some(l) = c.nodes.get(node).and_then(|n| n.leader.clone())
            && l != name
        {
            return format!("{name} ({l})");
        }
    }
    name
}

/// Build the plan: fork at step `at`, horizon `steps` (at most the
/// model's), non-aligned successors of alignment `alignment`. Every
/// branch is a [`LearningCulture::rebuild`] of `model`, so posterior draws
/// carry over: replicate r of every branch steps with the same draw.
pub fn plan(model: &LearningCulture, seed: u64, at: u32, steps: u32, alignment: f64) -> Plan {
    // The baseline: the horizon, and no scheduled replacement from `at` on.
    let base = |s: &mut Setup| {
        s.steps = steps;
        for e in &mut s.events {
            if matches!(e.kind, Kind::ReplaceLeader { .. })
                && matches!(e.when, When::At(t) if t >= at)
            {
                e.when = When::At(u32::MAX);
            }
        }
    };
    let build = |edit: &dyn Fn(&mut Setup)| {
        model
            .rebuild(seed, edit)
            .expect("a variant of a valid model")
    };
    let baseline = build(&base);
    let org = model.org();
    let seats = (0..org.units())
        .map(|u| {
            let seat = |s: &mut Setup| {
                base(s);
                s.events.push(Event {
                    when: When::At(at),
                    scope: Scope::Unit(org.unit_name[u].clone()),
                    kind: Kind::ReplaceLeader {
                        alignment: Dist::Constant(alignment),
                        commitment: None,
                        adapt: false,
                    },
                    label: "non-aligned successor".into(),
                    key: SEAT_KEY,
                });
            };
            (u as u32, seat_name(model, u), build(&seat))
        })
        .collect();
    Plan {
        at,
        baseline,
        seats,
    }
}

/// Steps [`simulate`] ticks.
pub fn total_steps(p: &Plan, replicates: u32) -> u64 {
    let after = u64::from(p.baseline.steps() - p.at);
    u64::from(replicates) * (u64::from(p.at) + after * (1 + p.seats.len() as u64))
}

/// Final culture of the baseline and of every seat branch, per run.
#[derive(Debug, Clone)]
pub struct Finals {
    /// Baseline, per run.
    pub baseline: Vec<f64>,
    /// Culture at the fork, per run.
    pub at_fork: Vec<f64>,
    /// Per seat (plan order), per run.
    pub seats: Vec<Vec<f64>>,
}

/// Run `replicates` runs of every branch of `p`.
pub fn simulate(p: &Plan, seed: u64, replicates: u32, tick: &(dyn Fn() + Sync)) -> Finals {
    let per_run: Vec<(f64, Vec<f64>, f64)> = (0..replicates)
        .into_par_iter()
        .map(|replicate| {
            let seeds = Seeds::new(
                seed,
                RunId {
                    point: 0,
                    replicate,
                },
            );
            let (_, start) = run_from(&p.baseline, seeds, None, Some(p.at), Some(p.at), tick);
            let start = start.expect("the fork is before the horizon");
            let w = p.baseline.metrics().len();
            let fork = start.rows[start.rows.len() - w + metric::CULTURE];
            let last = |m: &LearningCulture| {
                let (out, _) = run_from(m, seeds, Some(start.clone()), None, None, tick);
                out.row(out.len() - 1)[metric::CULTURE]
            };
            let base = last(&p.baseline);
            let seats = p.seats.iter().map(|(_, _, m)| last(m)).collect();
            (base, seats, fork)
        })
        .collect();
    Finals {
        baseline: per_run.iter().map(|r| r.0).collect(),
        at_fork: per_run.iter().map(|r| r.2).collect(),
        seats: (0..p.seats.len())
            .map(|i| per_run.iter().map(|r| r.1[i]).collect())
            .collect(),
    }
}

/// One seat's paired loss.
#[derive(Debug, Clone, Serialize)]
pub struct Seat {
    /// Rank (1: the largest loss).
    pub rank: usize,
    /// Unit index.
    pub unit: u32,
    /// Seat name (org-chart id for a chart).
    pub name: String,
    /// Depth (0: the top).
    pub depth: u16,
    /// Employees below the seat.
    pub headcount: u32,
    /// Mean paired loss of final culture.
    pub loss: f64,
    /// Its 95% interval.
    pub loss_ci: [f64; 2],
    /// Share of the total loss over all seats.
    pub share: f64,
    /// Cumulative share down to this seat.
    pub cumulative: f64,
    /// Among the seats that carry 80% of the total.
    pub top80: bool,
}

/// The succession stress test.
#[derive(Debug, Clone, Serialize)]
pub struct Stress {
    /// Runs.
    pub runs: u32,
    /// Mean culture at the horizon and its 95% interval.
    pub mean: f64,
    /// 95% interval of the mean.
    pub mean_ci: [f64; 2],
    /// Percentiles 5, 50, 95.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Threshold below which a run counts as tipped.
    pub threshold: f64,
    /// Runs above the threshold at the fork (the ones that can tip).
    pub above_at_fork: u32,
    /// Probability of tipping: of the runs above the threshold at the
    /// fork, the share below it at the horizon (NaN when none was above).
    pub tipping: f64,
    /// Wilson 95% interval.
    pub tipping_ci: [f64; 2],
    /// Every run's culture at the horizon, in replicate order.
    pub finals: Vec<f64>,
}

/// The analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// Fork step.
    pub at: u32,
    /// Horizon step.
    pub horizon: u32,
    /// Successor alignment tested.
    pub alignment: f64,
    /// The stress test.
    pub stress: Stress,
    /// Seats, ranked by loss.
    pub seats: Vec<Seat>,
    /// Total of the positive losses.
    pub total_loss: f64,
}

/// Summarize the runs of plan `p`.
pub fn summarize(p: &Plan, f: &Finals, alignment: f64) -> Risk {
    let org = p.baseline.org();
    let n = f.baseline.len();
    let threshold = p.baseline.stated_params().culture.high_threshold;
    let mut sorted = f.baseline.clone();
    sorted.sort_by(f64::total_cmp);
    let st = Stats::of_bounded(&f.baseline, Some((0.0, 1.0))).expect("runs");
    let above = f.at_fork.iter().filter(|&&c| c >= threshold).count();
    let tipped = f
        .at_fork
        .iter()
        .zip(&f.baseline)
        .filter(|(a, b)| **a >= threshold && **b < threshold)
        .count();
    let tipping = if above > 0 {
        tipped as f64 / above as f64
    } else {
        f64::NAN
    };
    let stress = Stress {
        runs: n as u32,
        mean: st.mean,
        mean_ci: st.ci95,
        p5: percentile(&sorted, 0.05),
        p50: percentile(&sorted, 0.5),
        p95: percentile(&sorted, 0.95),
        threshold,
        above_at_fork: above as u32,
        tipping,
        tipping_ci: if above > 0 {
            wilson(tipping, above as f64, 1.959_963_984_540_054)
        } else {
            [f64::NAN, f64::NAN]
        },
        finals: f.baseline.clone(),
    };
    let headcount = |u: usize| {
        let (lo, hi) = org.unit_teams[u];
        org.team_start[hi as usize] - org.team_start[lo as usize]
    };
    let mut seats: Vec<Seat> = p
        .seats
        .iter()
        .zip(&f.seats)
        .map(|((u, name, _), v)| {
            let loss: Vec<f64> = f.baseline.iter().zip(v).map(|(b, x)| b - x).collect();
            let s = Stats::of(&loss).expect("runs");
            Seat {
                rank: 0,
                unit: *u,
                name: name.clone(),
                depth: org.unit_depth[*u as usize],
                headcount: headcount(*u as usize),
                loss: s.mean,
                loss_ci: s.ci95,
                share: 0.0,
                cumulative: 0.0,
                top80: false,
            }
        })
        .collect();
    seats.sort_by(|a, b| b.loss.total_cmp(&a.loss).then(a.unit.cmp(&b.unit)));
    let total: f64 = seats.iter().map(|s| s.loss.max(0.0)).sum();
    let mut cum = 0.0;
    for (i, s) in seats.iter_mut().enumerate() {
        s.rank = i + 1;
        let before = cum;
        s.share = if total > 0.0 {
            s.loss.max(0.0) / total
        } else {
            0.0
        };
        cum += s.share;
        s.cumulative = cum;
        s.top80 = total > 0.0 && s.loss > 0.0 && before < 0.8;
    }
    Risk {
        at: p.at,
        horizon: p.baseline.steps(),
        alignment,
        stress,
        seats,
        total_loss: total,
    }
}

impl Risk {
    /// The findings in plain words; `years` writes a step as years.
    pub fn findings(&self, years: &dyn Fn(u32) -> String) -> Vec<String> {
        let top: Vec<&Seat> = self.seats.iter().filter(|s| s.top80).collect();
        // The first ten by name; seats.csv has the rest.
        let mut names: Vec<String> = top.iter().take(10).map(|s| s.name.clone()).collect();
        if top.len() > 10 {
            names.push(format!("and {} more (seats.csv)", top.len() - 10));
        }
        let s = &self.stress;
        let mut out = vec![format!(
            "{} of {} seats carry 80% of the risk: {}. A non-aligned successor (alignment {}) at {} in the most exposed seat ({}) costs {:.3} of final culture [{:.3}, {:.3}].",
            top.len(),
            self.seats.len(),
            names.join(", "),
            self.alignment,
            years(self.at),
            self.seats.first().map_or("-", |x| x.name.as_str()),
            self.seats.first().map_or(0.0, |x| x.loss),
            self.seats.first().map_or(0.0, |x| x.loss_ci[0]),
            self.seats.first().map_or(0.0, |x| x.loss_ci[1]),
        )];
        let tip = if s.above_at_fork == 0 {
            format!(
                "no run is above {} at {}, so none can tip (the culture has not taken off)",
                s.threshold,
                years(self.at)
            )
        } else {
            format!(
                "of the {} runs above {} at {}, {:.0}% [{:.0}%, {:.0}%] tip below it",
                s.above_at_fork,
                s.threshold,
                years(self.at),
                100.0 * s.tipping,
                100.0 * s.tipping_ci[0],
                100.0 * s.tipping_ci[1],
            )
        };
        out.push(format!(
            "Succession stress test ({} runs of the leader turnover from {} to {}): culture at the horizon {:.3} on average [{:.3}, {:.3}], 5th percentile {:.3}; {tip}.",
            s.runs,
            years(self.at),
            years(self.horizon),
            s.mean,
            s.mean_ci[0],
            s.mean_ci[1],
            s.p5,
        ));
        out
    }
}
