//! manifest.json, the provenance of an output folder, written in one
//! place: the tool, its version and git commit, the scenario and its seed,
//! the runs, the thread count, the command line, the wall time and every
//! file of the folder. `run` and `sweep` (and `merge`) write it; each keeps
//! its own fields (the run's replicate range; the sweep's points, shard and
//! runs.csv digest), so a field of one kind is absent from the other's
//! file (and a sweep's keys are in alphabetical order, a run's in field
//! order: the bytes each command always wrote). [`Manifest::read`] gives
//! typed errors naming the file and field.

use super::atomic;
use crate::command::Provenance;
use serde::{Deserialize, Deserializer, Serialize};
use std::path::{Path, PathBuf};

/// The file name.
pub const FILE: &str = "manifest.json";

/// The runs of a manifest: a run's replicate range, or a sweep's count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Runs {
    /// `run`: point 0, replicates `0..n`.
    Range {
        /// The point (always 0 for `run`).
        point: u32,
        /// The replicates, as `0..n`.
        replicates: String,
    },
    /// `sweep`: how many runs this folder holds (its shard's).
    Count(usize),
}

/// `--posterior` in a manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosteriorUsed {
    /// The calibration folder.
    pub from: String,
    /// The scenario keys its parameters set.
    pub keys: Vec<String>,
    /// The row of posterior.csv (its `particle`) each replicate drew, in
    /// replicate order (later replicates repeat the list).
    pub particle_of_replicate: Vec<usize>,
}

/// The contents of manifest.json. Fields marked "run" or "sweep" are
/// written by that command only (absent from the other's file); a sweep
/// writes its nullable fields as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always "culturesim".
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// Git commit of the build (null when unknown).
    pub git_commit: Option<String>,
    /// Scenario name.
    pub scenario: String,
    /// Where the scenario came from (a path, or `bundled:<name>`).
    pub source: String,
    /// Master seed.
    pub seed: u64,
    /// run: replicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u32>,
    /// run: steps each run ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_run: Option<u32>,
    /// sweep: always true (replicate r has the same streams at every point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_random_numbers: Option<bool>,
    /// sweep: design points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<usize>,
    /// sweep: replicates per point (before adaptive rounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates_per_point: Option<u32>,
    /// sweep: the shard as `K/N` (inner None: the whole sweep, `null`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub shard: Option<Option<String>>,
    /// The runs.
    pub runs: Runs,
    /// Worker threads (0 for a merge).
    pub threads: usize,
    /// The command line.
    pub command_line: Vec<String>,
    /// `--posterior`: where each replicate's parameters were drawn from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorUsed>,
    /// Wall time, rounded to milliseconds.
    pub wall_time_seconds: f64,
    /// sweep: the experiment's identity digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// sweep: SHA-256 of its runs table as written, runs.csv or
    /// runs.parquet (inner None: no runs table).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub runs_sha256: Option<Option<String>>,
    /// Every file of the folder, sorted, manifest.json included.
    pub files: Vec<String>,
}

/// A field that is present (possibly `null`): `Some(value)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file cannot be read.
    #[error("cannot read '{}': {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a manifest (a field is missing, unknown or of the
    /// wrong type, or the JSON is broken).
    #[error("'{}' is not a culturesim manifest: {field}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The field (JSON path; `.` for the whole file).
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Wall time as manifests record it: rounded to milliseconds.
pub fn round_seconds(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

impl Manifest {
    /// The fields every manifest has; the command-specific ones are None.
    pub fn new(
        provenance: &Provenance,
        scenario: &crate::scenario::Scenario,
        runs: Runs,
        threads: usize,
        seconds: f64,
    ) -> Self {
        Self {
            tool: "culturesim".into(),
            version: provenance.version.clone(),
            git_commit: provenance.commit.clone(),
            scenario: scenario.name().to_string(),
            source: scenario.source.to_string(),
            seed: scenario.seed,
            replicates: None,
            steps_run: None,
            common_random_numbers: None,
            points: None,
            replicates_per_point: None,
            shard: None,
            runs,
            threads,
            command_line: provenance.command_line.clone(),
            posterior: scenario
                .model
                .learning_culture()
                .and_then(|m| m.draws())
                .map(|d| PosteriorUsed {
                    from: d.from.clone(),
                    keys: d.keys.clone(),
                    particle_of_replicate: d
                        .by_replicate
                        .iter()
                        .map(|&k| d.particles[k as usize])
                        .collect(),
                }),
            wall_time_seconds: round_seconds(seconds),
            experiment: None,
            runs_sha256: None,
            files: Vec::new(),
        }
    }

    /// The bytes of manifest.json (pretty JSON, no final newline). A run's
    /// keys come in the order of the fields; a sweep's in alphabetical
    /// order, as sweeps have always written them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let bytes = match self.runs {
            Runs::Range { .. } => serde_json::to_vec_pretty(self),
            Runs::Count(_) => {
                serde_json::to_value(self).and_then(|v| serde_json::to_vec_pretty(&v))
            }
        };
        bytes.expect("a manifest serializes")
    }

    /// Write `dir/manifest.json` atomically.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        atomic::write(&dir.join(FILE), &self.to_bytes())
    }

    /// Read `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Self, ManifestError> {
        let path = dir.join(FILE);
        let bytes = std::fs::read(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            ManifestError::Invalid {
                path,
                field,
                message: e.into_inner().to_string(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(sweep: bool) -> Manifest {
        let scenario = crate::scenario::Scenario::default_scenario().unwrap();
        let provenance = Provenance {
            version: "0.1.0".into(),
            commit: None,
            command_line: vec!["culturesim".into(), "run".into()],
        };
        let runs = if sweep {
            Runs::Count(12)
        } else {
            Runs::Range {
                point: 0,
                replicates: "0..32".into(),
            }
        };
        let mut m = Manifest::new(&provenance, &scenario, runs, 2, 1.23456);
        if sweep {
            m.common_random_numbers = Some(true);
            m.points = Some(3);
            m.replicates_per_point = Some(4);
            m.shard = Some(None);
            m.experiment = Some("abc".into());
            m.runs_sha256 = Some(Some("def".into()));
        } else {
            m.replicates = Some(32);
            m.steps_run = Some(522);
        }
        m.files = vec!["manifest.json".into(), "runs.csv".into()];
        m
    }

    #[test]
    fn a_manifest_round_trips_through_its_file() {
        for sweep in [false, true] {
            let d = tempfile::tempdir().unwrap();
            let m = sample(sweep);
            m.write(d.path()).unwrap();
            assert_eq!(Manifest::read(d.path()).unwrap(), m);
            assert_eq!(m.wall_time_seconds, 1.235);
        }
    }

    #[test]
    fn each_command_writes_its_own_fields_in_order() {
        let run = String::from_utf8(sample(false).to_bytes()).unwrap();
        assert!(
            !run.contains("shard") && !run.contains("runs_sha256"),
            "{run}"
        );
        let keys = |t: &str| -> Vec<String> {
            t.lines()
                .filter(|l| l.starts_with("  \""))
                .map(|l| l.trim().split('"').nth(1).unwrap().to_string())
                .collect()
        };
        assert_eq!(
            keys(&run),
            [
                "tool",
                "version",
                "git_commit",
                "scenario",
                "source",
                "seed",
                "replicates",
                "steps_run",
                "runs",
                "threads",
                "command_line",
                "wall_time_seconds",
                "files"
            ]
        );
        let sweep = String::from_utf8(sample(true).to_bytes()).unwrap();
        assert!(sweep.contains("\"shard\": null"), "{sweep}");
        assert!(sweep.contains("\"git_commit\": null"), "{sweep}");
        let mut sorted = keys(&sweep);
        sorted.sort();
        assert_eq!(keys(&sweep), sorted, "a sweep's keys are alphabetical");
        assert_eq!(sorted.len(), 17, "{sorted:?}");
    }

    #[test]
    fn a_broken_manifest_names_its_file_and_field() {
        let d = tempfile::tempdir().unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&sample(true).to_bytes()).unwrap();
        v["seed"] = "many".into();
        std::fs::write(d.path().join(FILE), v.to_string()).unwrap();
        let e = Manifest::read(d.path()).unwrap_err().to_string();
        assert!(e.contains("manifest.json") && e.contains("seed"), "{e}");
        let e = Manifest::read(&d.path().join("nowhere")).unwrap_err();
        assert!(matches!(e, ManifestError::Read { .. }), "{e}");
    }
}
