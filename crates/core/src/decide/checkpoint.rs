//! `run --save-state-at TIME` and `run --from-state FILE` on the
//! learning-culture model: run every replicate (from a snapshot's states
//! when given), keeping the states at a step in a [`Snapshot`].

use super::fork::{Start, run_many_from};
use crate::engine::RunOutput;
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::params::years_per_step;
use crate::model::learning_culture::snapshot::{Snapshot, SnapshotError, SnapshotRun};
use crate::scenario::raw::RawTime;

/// A time as the command line writes it (`"5y"`, `"260w"`, `"6m"`, or a
/// number of years) in whole steps of `time_unit`.
pub fn time_in_steps(text: &str, time_unit: &str) -> Result<u32, String> {
    let t = text.trim();
    let raw = match t.parse::<f64>() {
        Ok(y) => RawTime::Years(y),
        Err(_) => RawTime::Text(t.to_string()),
    };
    let dt = years_per_step(time_unit).ok_or_else(|| format!("unknown time unit {time_unit}"))?;
    raw.steps(dt)
}

/// Take the states of a snapshot's first `replicates` runs, after
/// checking that `model` (scenario `scenario`, seed `seed`) may continue
/// them and that the snapshot holds that many runs.
pub fn starts(
    snapshot: Snapshot,
    model: &LearningCulture,
    scenario: &str,
    seed: u64,
    replicates: u32,
) -> Result<Vec<Start<crate::model::learning_culture::state::State>>, SnapshotError> {
    snapshot.check(model, scenario, seed)?;
    if snapshot.runs.len() < replicates as usize {
        return Err(SnapshotError::Mismatch(format!(
            "{} replicates; this run asks for {replicates}: run with --replicates {} or fewer",
            snapshot.runs.len(),
            snapshot.runs.len()
        )));
    }
    let step = snapshot.step;
    Ok(snapshot
        .runs
        .into_iter()
        .take(replicates as usize)
        .enumerate()
        .map(|(r, run)| {
            debug_assert_eq!(run.replicate as usize, r);
            Start {
                state: run.state,
                step,
                rows: run.rows,
                groups: run.groups,
            }
        })
        .collect())
}

/// Run replicates `0..replicates` of `model` (from `from` when given), handing
/// each finished run to `sink` in replicate order; with `save_at`, return
/// the snapshot of every run after `save_at` steps.
#[allow(clippy::too_many_arguments)]
pub fn run_checkpointed<E>(
    model: &LearningCulture,
    scenario: &str,
    seed: u64,
    replicates: u32,
    batch: usize,
    from: Option<Vec<Start<crate::model::learning_culture::state::State>>>,
    save_at: Option<u32>,
    tick: &(dyn Fn() + Sync),
    sink: impl FnMut(RunOutput) -> Result<(), E>,
) -> Result<Option<Snapshot>, E> {
    let kept = run_many_from(model, seed, replicates, batch, from, save_at, tick, sink)?;
    Ok(save_at.map(|step| {
        let mut snap = Snapshot::new(model, scenario, seed, step);
        snap.runs = kept
            .into_iter()
            .enumerate()
            .map(|(r, k)| SnapshotRun {
                point: 0,
                replicate: r as u32,
                rows: k.rows,
                groups: k.groups,
                state: k.state,
            })
            .collect();
        snap
    }))
}
