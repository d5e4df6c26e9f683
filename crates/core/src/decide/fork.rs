//! Checkpoint and fork: run a model up to a step, keep its state, and
//! continue that state under the same or another configuration.
//!
//! [`run_from`] is the engine's run loop ([`crate::engine::run_loop`],
//! which every run uses): it may start from a kept state ([`Start`]: the
//! state after `step` steps with the observations up to it) and it keeps
//! the state at one step on the way. Continuing a kept state with the same
//! model and seeds gives the uninterrupted run's observations bit for bit:
//! the models draw every random number from streams keyed by (seeds,
//! purpose, step, ...), so after a fork every branch draws the same numbers
//! for the same purposes (common random numbers), and the difference
//! between two branches of one run is the effect of what differs, paired.

use crate::engine::{Model, RunId, RunOutput, Seeds, run_loop};
use rayon::prelude::*;

pub use crate::engine::Start;

/// Run one replicate of `model` with `seeds`, from the start or from
/// `start`, as the engine does ([`run_loop`]); with `keep = Some(k)`, also
/// return the run as it was after `k` steps (when it got there). With
/// `until = Some(u)` the run stops after `u` steps.
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
    let mut kept = None;
    let out = run_loop(
        model,
        seeds,
        start,
        until,
        tick,
        |state, n, rows, groups| {
            if keep == Some(n) {
                kept = Some(Start {
                    state: state.clone(),
                    step: n,
                    rows: rows.to_vec(),
                    groups: groups.to_vec(),
                });
            }
        },
    );
    (out, kept)
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
