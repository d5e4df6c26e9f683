//! Checkpoint and fork: run a model up to a step, keep its state, and
//! continue that state under the same or another configuration.
//!
//! [`run_from`] is the engine's run loop ([`crate::engine::run_seeded`])
//! with two additions: it may start from a kept state ([`Start`]: the state
//! after `step` steps with the observations up to it) and it may keep the
//! state at one step on the way. Continuing a kept state with the same
//! model and seeds gives the uninterrupted run's observations bit for bit:
//! the models draw every random number from streams keyed by (seeds,
//! purpose, step, ...), so after a fork every branch draws the same numbers
//! for the same purposes (common random numbers), and the difference
//! between two branches of one run is the effect of what differs, paired.

use crate::engine::{Model, RunId, RunOutput, Seeds, group_stride};
use rayon::prelude::*;

/// A run stopped after `step` steps, ready to continue.
#[derive(Debug, Clone)]
pub struct Start<S> {
    /// The state after `step` steps.
    pub state: S,
    /// Steps run.
    pub step: u32,
    /// Observations 0..=step, row-major.
    pub rows: Vec<f64>,
    /// Group samples taken up to `step` (every [`group_stride`] steps).
    pub groups: Vec<f32>,
}

/// Whether `v` may appear in metric `m` (as in the engine's runner).
fn allowed<M: Model>(model: &M, m: usize, v: f64) -> bool {
    v.is_finite() || (v.is_nan() && model.may_be_undefined(m))
}

/// Run one replicate of `model` with `seeds`, from the start or from
/// `start`, to the model's last step (or its stop condition, or the first
/// value that is not finite, as the engine does); with `keep = Some(k)`,
/// also return the run as it was after `k` steps (when it got there).
/// With `until = Some(u)` the run stops after `u` steps.
pub fn run_from<M: Model>(
    model: &M,
    seeds: Seeds,
    start: Option<Start<M::State>>,
    keep: Option<u32>,
    until: Option<u32>,
    tick: &(dyn Fn() + Sync),
) -> (RunOutput, Option<Start<M::State>>)
where
    M::State: Clone,
{
    let id = seeds.id();
    let width = model.metrics().len();
    let steps = until.unwrap_or(u32::MAX).min(model.steps());
    let group_width = model.groups().len();
    let stride = group_stride(model.steps());
    let mut buf = vec![0.0; width];
    let mut gbuf = vec![0.0f32; group_width];
    let mut observe = |state: &M::State, n: u32, rows: &mut Vec<f64>, groups: &mut Vec<f32>| {
        model.observe(state, &mut buf);
        rows.extend_from_slice(&buf);
        if group_width > 0 && n.is_multiple_of(stride) {
            model.observe_groups(state, &mut gbuf);
            groups.extend_from_slice(&gbuf);
        }
    };
    let finite = |rows: &[f64]| {
        rows[rows.len() - width..]
            .iter()
            .enumerate()
            .all(|(m, v)| allowed(model, m, *v))
    };
    let done = |rows: Vec<f64>, groups: Vec<f32>| RunOutput {
        id,
        width,
        rows,
        group_width,
        groups,
    };
    let (mut state, first, mut rows, mut groups) = match start {
        Some(s) => (s.state, s.step, s.rows, s.groups),
        None => {
            let state = model.init(&seeds);
            let mut rows = Vec::with_capacity((steps as usize + 1) * width);
            let mut groups = Vec::new();
            observe(&state, 0, &mut rows, &mut groups);
            if width > 0 && !finite(&rows) {
                return (done(rows, groups), None);
            }
            (state, 0, rows, groups)
        }
    };
    let snap = |state: &M::State, n: u32, rows: &[f64], groups: &[f32]| Start {
        state: state.clone(),
        step: n,
        rows: rows.to_vec(),
        groups: groups.to_vec(),
    };
    let mut kept = (keep == Some(first)).then(|| snap(&state, first, &rows, &groups));
    for step in first..steps {
        model.step(&mut state, step, &seeds);
        observe(&state, step + 1, &mut rows, &mut groups);
        tick();
        if keep == Some(step + 1) {
            kept = Some(snap(&state, step + 1, &rows, &groups));
        }
        if model.stop(&state, step + 1) || (width > 0 && !finite(&rows)) {
            break;
        }
    }
    (done(rows, groups), kept)
}

/// Run replicates `0..replicates` of point 0 of `model` under master seed
/// `seed` in parallel batches of `batch`, each from `starts[r]` when given
/// (else from the beginning), handing each finished run to `sink` in
/// replicate order; with `keep`, the runs' states after `keep` steps are
/// returned in replicate order.
#[allow(clippy::too_many_arguments)]
pub fn run_many_from<M, E>(
    model: &M,
    seed: u64,
    replicates: u32,
    batch: usize,
    mut starts: Option<Vec<Start<M::State>>>,
    keep: Option<u32>,
    tick: &(dyn Fn() + Sync),
    mut sink: impl FnMut(RunOutput) -> Result<(), E>,
) -> Result<Vec<Start<M::State>>, E>
where
    M: Model,
    M::State: Clone + Sync,
{
    let batch = batch.max(1) as u32;
    let mut kept = Vec::new();
    let mut begin = 0;
    while begin < replicates {
        let end = (begin + batch).min(replicates);
        let firsts: Vec<Option<Start<M::State>>> = match &mut starts {
            Some(v) => v.drain(..(end - begin) as usize).map(Some).collect(),
            None => (begin..end).map(|_| None).collect(),
        };
        let outputs: Vec<(RunOutput, Option<Start<M::State>>)> = firsts
            .into_par_iter()
            .zip(begin..end)
            .map(|(first, replicate)| {
                let seeds = Seeds::new(
                    seed,
                    RunId {
                        point: 0,
                        replicate,
                    },
                );
                run_from(model, seeds, first, keep, None, tick)
            })
            .collect();
        for (out, k) in outputs {
            sink(out)?;
            kept.extend(k);
        }
        begin = end;
    }
    Ok(kept)
}
