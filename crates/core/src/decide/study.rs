//! What the decision studies (`timing`, `risk`) share: loading a scenario
//! with `--set`, `--seed` and `--replicates`, the learning-culture model
//! they need. (The command writes a study's folder with
//! [`crate::export::files::write_all`].)

use crate::command::Failure;
use crate::model::learning_culture::LearningCulture;
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::path::Path;

/// Load a scenario for an analysis with `--set`, `--seed` and `--replicates`.
pub fn load_for(
    path: &Path,
    set: &[String],
    seed: Option<u64>,
    replicates: Option<u32>,
) -> Result<Scenario, Failure> {
    let mut overrides = set.to_vec();
    if let Some(s) = seed {
        overrides.push(format!("seed={s}"));
    }
    if let Some(r) = replicates {
        overrides.push(format!("replicates={r}"));
    }
    Scenario::from_file(path, &overrides).map_err(|e| Failure::Input(e.into()))
}

/// The scenario's learning-culture model, or an input error naming the
/// command that needs it.
pub fn learning_culture<'a>(
    command: &str,
    scenario: &'a Scenario,
) -> Result<&'a LearningCulture, Failure> {
    scenario.model.learning_culture().ok_or_else(|| {
        Failure::Input(anyhow!(
            "{command} needs the learning-culture model; scenario '{}' runs {}",
            scenario.name(),
            scenario.model.name()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_study_needs_the_learning_culture_model() {
        let march = load_for(Path::new("march1991-fig1"), &[], Some(3), Some(2)).unwrap();
        assert_eq!((march.seed, march.replicates), (3, 2));
        let e = learning_culture("timing", &march).err().unwrap();
        assert!(
            e.to_string()
                .starts_with("timing needs the learning-culture model"),
            "{e}"
        );
    }
}
