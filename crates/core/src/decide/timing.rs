//! "How long can we wait?": a harmful leader replacement, remedied after
//! each of several delays, measured against the run without the harm.
//!
//! For a `replace_leader` event at one seat (the top, a unit or a team) at
//! step S, every run is simulated up to S once and forked ([`super::fork`])
//! into branches that share its random streams (common random numbers):
//! - *no harm*: the event switched off;
//! - *never remedied*: the event as written;
//! - one branch per delay d: the event, then at S + d the leader replaced
//!   again by a draw from the scenario's leader pool (`[leaders]`,
//!   adapting like any leader).
//!
//! The scenario's own later replacements of the same seat are switched
//! off in every branch (the remedy takes their place). A run *recovers*
//! after delay d when its final culture is within `tolerance` of the same
//! run's final culture without the harm (paired). Shares carry Wilson
//! intervals, means Student t intervals (`crate::analysis::stats`).

use super::fork::{Start, run_from};
use crate::analysis::stats::{Stats, wilson};
use crate::engine::{Model, RunId, Seeds};
use crate::model::learning_culture::events::{Event, Kind, Scope, When};
use crate::model::learning_culture::{LearningCulture, Setup, metric, snapshot::Digest};
use rayon::prelude::*;
use serde::Serialize;

/// Key of the remedy's random stream (no scenario event has it).
pub const REMEDY_KEY: u64 = 1 << 40;

/// Why a timing analysis cannot run.
#[derive(Debug, thiserror::Error)]
pub enum TimingError {
    /// The event is not a leader replacement.
    #[error(
        "event '{id}' is a {kind} event; timing needs a replace_leader event (a harmful new leader)"
    )]
    NotReplacement {
        /// The event id.
        id: String,
        /// Its kind.
        kind: String,
    },
    /// The event does not name one seat.
    #[error(
        "event '{id}' has scope '{scope}'; timing needs one seat: scope = \"top\", \"unit:NAME\" or \"team:NAME\""
    )]
    NotOneSeat {
        /// The event id.
        id: String,
        /// Its scope.
        scope: String,
    },
    /// The event recurs.
    #[error("event '{id}' recurs (every = ...); timing needs a single occurrence (at = ...)")]
    Recurring {
        /// The event id.
        id: String,
    },
    /// The event happens at or after the end of the run.
    #[error("event '{id}' happens at step {at}, not before the run's end (step {steps})")]
    AfterEnd {
        /// The event id.
        id: String,
        /// Its step.
        at: u32,
        /// Steps of the run.
        steps: u32,
    },
    /// A delay puts the remedy beyond the run.
    #[error(
        "delay {delay} puts the remedy at step {at}, beyond the run's last step {last} (the event is at step {event}); the longest delay possible is {max}"
    )]
    DelayBeyond {
        /// The delay as given.
        delay: String,
        /// Step of the remedy.
        at: u32,
        /// Last step of the run.
        last: u32,
        /// Step of the event.
        event: u32,
        /// The longest delay possible, in the delays' unit.
        max: String,
    },
    /// No delays.
    #[error("--delays needs at least one delay")]
    NoDelays,
}

/// The branches of one timing analysis.
#[derive(Debug, Clone)]
pub struct Branches {
    /// Step of the harmful event.
    pub at: u32,
    /// The harm switched off.
    pub no_harm: LearningCulture,
    /// The harm as written, never remedied.
    pub never: LearningCulture,
    /// One model per delay (in steps).
    pub delayed: Vec<(u32, LearningCulture)>,
}

fn scope_name(s: &Scope) -> String {
    match s {
        Scope::Top => "top".into(),
        Scope::Unit(n) => format!("unit:{n}"),
        Scope::Team(n) => format!("team:{n}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Build the branches of `model` (master seed `seed`) for its event at
/// position `index` of the timeline (`id` names it in messages), with
/// remedies after `delays` (steps; `labels[i]` is how delay i was written,
/// `max_label` the longest delay possible, in the same unit, for the
/// message). Every branch is a [`LearningCulture::rebuild`] of `model`,
/// so posterior draws carry over: replicate r of every branch steps with
/// the same draw.
pub fn branches(
    model: &LearningCulture,
    seed: u64,
    index: usize,
    id: &str,
    delays: &[(u32, String)],
    max_label: &dyn Fn(u32) -> String,
) -> Result<Branches, TimingError> {
    let at = harmful_step(model, index, id, delays, max_label)?;
    let never_again = When::At(u32::MAX);
    // Every branch: a rebuild of the model (posterior draws carry over),
    // the seat's later replacements giving way to the remedy, then its own edit.
    let build = |edit: &dyn Fn(&mut Setup)| {
        model
            .rebuild(seed, &|s| {
                give_way(s, index, at, &never_again);
                edit(s);
            })
            .expect("a variant of a valid model is valid")
    };
    let never = build(&|_| {});
    let no_harm = build(&|s| s.events[index].when = never_again.clone());
    // The remedy draws from the pool of the setup it goes into (a
    // posterior draw's own, with draws).
    let remedy = |s: &Setup, d: u32| Event {
        when: When::At(at + d),
        scope: s.events[index].scope.clone(),
        kind: Kind::ReplaceLeader {
            alignment: s.leaders.alignment.clone(),
            commitment: None,
            adapt: true,
        },
        label: "remedy: a leader from the pool".into(),
        key: REMEDY_KEY,
    };
    let delayed = delays
        .iter()
        .map(|&(d, _)| {
            (
                d,
                build(&|s| {
                    let e = remedy(s, d);
                    s.events.push(e);
                }),
            )
        })
        .collect();
    let b = Branches {
        at,
        no_harm,
        never,
        delayed,
    };
    // Every branch continues the same fork (the same world before S).
    let digest = Digest::of(&b.no_harm, at);
    debug_assert!(
        std::iter::once(&b.never)
            .chain(b.delayed.iter().map(|x| &x.1))
            .all(|m| Digest::of(m, at) == digest)
    );
    Ok(b)
}

/// The step of the harmful event at position `index` of `model`'s
/// timeline, once it is known to suit a timing analysis: a single
/// replacement of one seat's leader before the run's end, every remedy
/// after `delays` within the run (the arguments as [`branches`] takes
/// them).
fn harmful_step(
    model: &LearningCulture,
    index: usize,
    id: &str,
    delays: &[(u32, String)],
    max_label: &dyn Fn(u32) -> String,
) -> Result<u32, TimingError> {
    if delays.is_empty() {
        return Err(TimingError::NoDelays);
    }
    let steps = model.steps();
    let e = &model.setup().events[index];
    if !matches!(e.kind, Kind::ReplaceLeader { .. }) {
        return Err(TimingError::NotReplacement {
            id: id.into(),
            kind: e.kind.name().into(),
        });
    }
    if !matches!(e.scope, Scope::Top | Scope::Unit(_) | Scope::Team(_)) {
        return Err(TimingError::NotOneSeat {
            id: id.into(),
            scope: scope_name(&e.scope),
        });
    }
    let When::At(at) = e.when else {
        return Err(TimingError::Recurring { id: id.into() });
    };
    if at >= steps {
        return Err(TimingError::AfterEnd {
            id: id.into(),
            at,
            steps,
        });
    }
    for (d, label) in delays {
        if at + d >= steps {
            return Err(TimingError::DelayBeyond {
                delay: label.clone(),
                at: at + d,
                last: steps - 1,
                event: at,
                max: max_label(steps - 1 - at),
            });
        }
    }
    Ok(at)
}

/// Later replacements of the same seat as the event at position `index`
/// (step `at`) give way to the remedy: in `setup` they move to `never`.
fn give_way(setup: &mut Setup, index: usize, at: u32, never: &When) {
    let scope = setup.events[index].scope.clone();
    for (j, f) in setup.events.iter_mut().enumerate() {
        let later = match f.when {
            When::At(s) => s > at,
            When::Every { start, .. } => start > at,
        };
        if j != index && later && matches!(f.kind, Kind::ReplaceLeader { .. }) && f.scope == scope {
            f.when = never.clone();
        }
    }
}

/// Final culture of every run in every branch, in replicate order.
#[derive(Debug, Clone, Serialize)]
pub struct Finals {
    /// Without the harm.
    pub no_harm: Vec<f64>,
    /// Never remedied.
    pub never: Vec<f64>,
    /// Per delay (same order as [`Branches::delayed`]).
    pub delayed: Vec<Vec<f64>>,
}

/// Run `replicates` runs (master seed `seed`) of every branch: each run up
/// to the event once, then each branch from that state. `tick` counts steps.
pub fn simulate(b: &Branches, seed: u64, replicates: u32, tick: &(dyn Fn() + Sync)) -> Finals {
    let last = |m: &LearningCulture, start: &Start<_>, seeds: Seeds| {
        let (out, _) = run_from(m, seeds, Some(start.clone()), None, None, tick);
        out.row(out.len() - 1)[metric::CULTURE]
    };
    let per_run: Vec<(f64, f64, Vec<f64>)> = (0..replicates)
        .into_par_iter()
        .map(|replicate| {
            let seeds = Seeds::new(
                seed,
                RunId {
                    point: 0,
                    replicate,
                },
            );
            let (_, start) = run_from(&b.no_harm, seeds, None, Some(b.at), Some(b.at), tick);
            let start = start.expect("the event is before the end");
            let no_harm = last(&b.no_harm, &start, seeds);
            let never = last(&b.never, &start, seeds);
            let delayed = b
                .delayed
                .iter()
                .map(|(_, m)| last(m, &start, seeds))
                .collect();
            (no_harm, never, delayed)
        })
        .collect();
    let k = b.delayed.len();
    Finals {
        no_harm: per_run.iter().map(|r| r.0).collect(),
        never: per_run.iter().map(|r| r.1).collect(),
        delayed: (0..k)
            .map(|i| per_run.iter().map(|r| r.2[i]).collect())
            .collect(),
    }
}

/// Steps [`simulate`] ticks: the prefix once, every branch after it.
pub fn total_steps(b: &Branches, replicates: u32) -> u64 {
    let steps = u64::from(b.no_harm.steps());
    let after = steps - u64::from(b.at);
    u64::from(replicates) * (u64::from(b.at) + after * (2 + b.delayed.len() as u64))
}

/// One branch's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `no_harm`, `never` or `remedy`.
    pub branch: &'static str,
    /// Delay in steps (empty for no_harm / never).
    pub delay_steps: Option<u32>,
    /// Mean final culture and its 95% interval.
    pub final_culture: f64,
    /// 95% interval of the mean final culture.
    pub final_ci: [f64; 2],
    /// Mean paired loss (no harm − this branch), final culture.
    pub loss: f64,
    /// 95% interval of the mean paired loss.
    pub loss_ci: [f64; 2],
    /// Runs that recovered (final culture within the tolerance of no harm).
    pub recovered: u32,
    /// Share recovered.
    pub share: f64,
    /// Wilson 95% interval of the share.
    pub share_ci: [f64; 2],
}

/// The analysis: every branch, and the critical window.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Runs per branch.
    pub replicates: u32,
    /// Recovery tolerance on the final culture.
    pub tolerance: f64,
    /// Step of the harmful event.
    pub event_step: u32,
    /// no_harm, never, then one row per delay.
    pub rows: Vec<Row>,
    /// Index (into the delays) of the last delay with most runs
    /// recovering, and of the first without, when the share crosses one half.
    pub window: Window,
}

/// Where the share of runs that recover falls below one half.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Window {
    /// Most runs recover at every delay tried.
    Open,
    /// Most runs do not recover even at the shortest delay.
    Closed,
    /// Between two delays (steps), with the interpolated crossing.
    Between {
        /// Last delay (steps) at which most runs recover.
        last_ok: u32,
        /// First delay (steps) at which most do not.
        first_lost: u32,
        /// Linear interpolation of the crossing of one half (steps).
        crossing: f64,
    },
}

fn row(branch: &'static str, delay: Option<u32>, v: &[f64], base: &[f64], tol: f64) -> Row {
    let n = v.len();
    let s = Stats::of_bounded(v, Some((0.0, 1.0))).expect("at least one run");
    let loss: Vec<f64> = base.iter().zip(v).map(|(b, x)| b - x).collect();
    let l = Stats::of(&loss).expect("at least one run");
    let recovered = base.iter().zip(v).filter(|(b, x)| **x >= **b - tol).count() as u32;
    let share = f64::from(recovered) / n as f64;
    Row {
        branch,
        delay_steps: delay,
        final_culture: s.mean,
        final_ci: s.ci95,
        loss: l.mean,
        loss_ci: l.ci95,
        recovered,
        share,
        share_ci: wilson(share, n as f64, 1.959_963_984_540_054),
    }
}

/// Summarize `finals` of branches `b` with recovery tolerance `tolerance`.
pub fn summarize(b: &Branches, finals: &Finals, tolerance: f64) -> Timing {
    let base = &finals.no_harm;
    let mut rows = vec![
        row("no_harm", None, base, base, tolerance),
        row("never", None, &finals.never, base, tolerance),
    ];
    for ((d, _), v) in b.delayed.iter().zip(&finals.delayed) {
        rows.push(row("remedy", Some(*d), v, base, tolerance));
    }
    let delayed = &rows[2..];
    let window = match delayed.iter().position(|r| r.share < 0.5) {
        None => Window::Open,
        Some(0) => Window::Closed,
        Some(k) => {
            let (a, z) = (&delayed[k - 1], &delayed[k]);
            let (da, dz) = (
                f64::from(a.delay_steps.unwrap_or(0)),
                f64::from(z.delay_steps.unwrap_or(0)),
            );
            let t = if a.share > z.share {
                (a.share - 0.5) / (a.share - z.share)
            } else {
                0.5
            };
            Window::Between {
                last_ok: a.delay_steps.unwrap_or(0),
                first_lost: z.delay_steps.unwrap_or(0),
                crossing: da + t * (dz - da),
            }
        }
    };
    Timing {
        replicates: base.len() as u32,
        tolerance,
        event_step: b.at,
        rows,
        window,
    }
}

impl Timing {
    /// The finding in plain words; `delay` writes a number of steps in the
    /// delays' unit ("9 months").
    pub fn finding(&self, delay: &dyn Fn(f64) -> String) -> String {
        let d = &self.rows[2..];
        let pct = |r: &Row| format!("{:.0}%", 100.0 * r.share);
        match self.window {
            Window::Open => format!(
                "Most runs recover at every delay tried: {} recover after {}. The loss has not become permanent within the delays tried.",
                pct(d.last().expect("a delay")),
                delay(f64::from(d.last().and_then(|r| r.delay_steps).unwrap_or(0)))
            ),
            Window::Closed => format!(
                "Even the quickest remedy ({}) restores the culture in only {} of the runs: the loss is permanent in most runs from the start.",
                delay(f64::from(d[0].delay_steps.unwrap_or(0))),
                pct(&d[0])
            ),
            Window::Between {
                last_ok,
                first_lost,
                crossing,
            } => {
                let a = d
                    .iter()
                    .find(|r| r.delay_steps == Some(last_ok))
                    .expect("listed");
                let z = d
                    .iter()
                    .find(|r| r.delay_steps == Some(first_lost))
                    .expect("listed");
                format!(
                    "After about {} the loss becomes permanent in most runs: {} of the runs recover when the leader is replaced after {}, {} after {}.",
                    delay(crossing),
                    pct(a),
                    delay(f64::from(last_ok)),
                    pct(z),
                    delay(f64::from(first_lost))
                )
            }
        }
    }
}
