//! The decision-support commands' edge: `run --save-state-at` /
//! `--from-state` (reading and checking a snapshot file), and later
//! `timing` and `risk`. Thin: parse, call `crate::decide`, print.

use super::Failure;
use crate::cli::RunArgs;
use crate::decide::checkpoint::{starts, time_in_steps};
use crate::decide::fork::Start;
use crate::model::learning_culture::snapshot::Snapshot;
use crate::model::learning_culture::state::State;
use crate::scenario::Scenario;
use anyhow::anyhow;

/// What `run` does about checkpoints: keep the states at a step, and/or
/// start from a snapshot's states.
pub struct Checkpoints {
    /// Step whose states go into snapshot.json.
    pub save_at: Option<u32>,
    /// Each replicate's start.
    pub from: Option<Vec<Start<State>>>,
    /// Step the runs start from (0 from scratch).
    pub first_step: u32,
}

/// The checkpoint plan of `run ARGS` on `scenario`, or `None` without
/// `--save-state-at` and `--from-state`. Every problem is a usage error
/// that names the option or the file.
pub fn checkpoints(scenario: &Scenario, args: &RunArgs) -> Result<Option<Checkpoints>, Failure> {
    if args.save_state_at.is_none() && args.from_state.is_none() {
        return Ok(None);
    }
    let input = |e: anyhow::Error| Failure::Input(e);
    let Some(model) = scenario.model.learning_culture() else {
        return Err(input(anyhow!(
            "--save-state-at and --from-state need the learning-culture model; scenario '{}' runs {}",
            scenario.name(),
            scenario.model.name()
        )));
    };
    let steps = crate::engine::Model::steps(model);
    let save_at = match &args.save_state_at {
        None => None,
        Some(t) => {
            let s = time_in_steps(t, &scenario.raw.time_unit)
                .map_err(|m| input(anyhow!("--save-state-at {t}: {m}")))?;
            if s > steps {
                return Err(input(anyhow!(
                    "--save-state-at {t} is step {s}, after the run's last step {steps}"
                )));
            }
            Some(s)
        }
    };
    let (from, first_step) = match &args.from_state {
        None => (None, 0),
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| input(anyhow!("cannot read snapshot '{}': {e}", path.display())))?;
            let snap = Snapshot::from_json(&bytes)
                .map_err(|e| input(anyhow!("snapshot '{}' {e}", path.display())))?;
            let step = snap.step;
            if let Some(s) = save_at
                && s < step
            {
                return Err(input(anyhow!(
                    "--save-state-at is step {s}, before the snapshot's step {step} ('{}')",
                    path.display()
                )));
            }
            let v = starts(
                snap,
                model,
                scenario.name(),
                scenario.seed,
                scenario.replicates,
            )
            .map_err(|e| input(anyhow!("snapshot '{}' {e}", path.display())))?;
            (Some(v), step)
        }
    };
    Ok(Some(Checkpoints {
        save_at,
        from,
        first_step,
    }))
}
