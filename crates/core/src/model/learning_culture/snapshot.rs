//! Checkpoints of the learning-culture model: a versioned, self-describing
//! snapshot of every run's full state at one step, and the check that a
//! model may continue from it.
//!
//! A snapshot holds, per run, every column of [`State`] (employees, teams,
//! leaders, programmes and relaunches under way, the stocks, the tallies
//! the next observation reads), the observations up to the step, and the
//! run identity. The model keeps no generator state between steps: every
//! random number is drawn from a stream derived from (master seed, run
//! identity, purpose, step, ...) (see `crate::engine::rng`), so the seed,
//! the run identity and the step *are* the random state, and the
//! timeline's progress is the step too (events fire when
//! `when.occurs(step)`; running programmes carry their own progress).
//!
//! A model may continue a snapshot when its *world* is the snapshot's: the
//! same organization, parameters, trait pools, step length and the same
//! timeline before the step (events that occurred before it, at the same
//! positions). The future timeline may differ: that is what a fork is for.
//! The check names each part that differs ([`Digest::differences`]).

use super::events::Programme;
use super::state::State;
use super::{LearningCulture, OrgSource};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

/// The `format` field of every snapshot file.
pub const FORMAT: &str = "culturesim-snapshot";

/// The layout version this build writes and reads.
pub const VERSION: u32 = 1;

/// Why a snapshot cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes are not a snapshot (or not JSON).
    #[error("is not a culturesim snapshot: {0}")]
    NotSnapshot(String),
    /// A snapshot of another layout version or tool version.
    #[error(
        "was written by culturesim {tool} (snapshot version {version}); this is culturesim {this} (snapshot version {VERSION}): re-create it with this version (`run --save-state-at`)",
        this = env!("CARGO_PKG_VERSION")
    )]
    Version {
        /// The snapshot's layout version.
        version: u32,
        /// The tool version that wrote it.
        tool: String,
    },
    /// A snapshot of another scenario, seed or model world.
    #[error("was written for {0}")]
    Mismatch(String),
}

/// SHA-256 digests of the parts of a model's world, by name
/// (`org`, `params.<section>`, `population`, `hiring`, `leaders`,
/// `time_unit`, `timeline_before`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest(pub BTreeMap<String, String>);

fn sha(text: &str) -> String {
    let h = Sha256::digest(text.as_bytes());
    h.iter().map(|b| format!("{b:02x}")).collect()
}

impl Digest {
    /// The digest of `model`'s world at step `step`: the timeline part
    /// covers the events with an occurrence before `step`, with their
    /// positions (running programmes refer to their event by position).
    pub fn of(model: &LearningCulture, step: u32) -> Self {
        let mut m = BTreeMap::new();
        let s = model.setup();
        let org = model.org();
        m.insert(
            "org".into(),
            sha(&format!(
                "{:?}{:?}{:?}{:?}{:?}{:?}",
                org.unit_parent,
                org.unit_depth,
                org.unit_teams,
                org.unit_name,
                org.team_unit,
                org.team_start
            )),
        );
        if let OrgSource::Chart(c) = &s.org {
            m.insert(
                "org_chart".into(),
                sha(&format!("{:?}{:?}", c.leader_traits, c.member_traits)),
            );
        }
        let p = model.stated_params();
        let sections: [(&str, String); 10] = [
            ("engagement", format!("{:?}", p.engagement)),
            ("learning", format!("{:?}", p.learning)),
            ("belief", format!("{:?}", p.belief)),
            ("culture", format!("{:?}", p.culture)),
            ("leadership", format!("{:?}", p.leadership)),
            ("turnover", format!("{:?}", p.turnover)),
            ("formalization", format!("{:?}", p.formalization)),
            ("learnathon", format!("{:?}", p.learnathon)),
            ("community", format!("{:?}", p.community)),
            ("init", format!("{:?}", p.init)),
        ];
        for (name, text) in sections {
            m.insert(format!("params.{name}"), sha(&text));
        }
        m.insert("population".into(), sha(&format!("{:?}", s.population)));
        m.insert("hiring".into(), sha(&format!("{:?}", s.hiring)));
        m.insert("leaders".into(), sha(&format!("{:?}", s.leaders)));
        m.insert("time_unit".into(), sha(&s.time_unit));
        let mut past = String::new();
        for (i, e) in s.events.iter().enumerate() {
            if !e.when.occurrences(step).is_empty() {
                past.push_str(&format!(
                    "{i}:{:?}|{:?}|{:?}|{};",
                    e.when, e.scope, e.kind, e.key
                ));
            }
        }
        m.insert("timeline_before".into(), sha(&past));
        Self(m)
    }

    /// The names of the parts that differ between `self` and `other`.
    pub fn differences(&self, other: &Digest) -> Vec<String> {
        let mut keys: Vec<&String> = self.0.keys().chain(other.0.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| self.0.get(*k) != other.0.get(*k))
            .cloned()
            .collect()
    }
}

/// One run in a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRun {
    /// Point of the run identity.
    pub point: u32,
    /// Replicate of the run identity.
    pub replicate: u32,
    /// Observations 0..=step, row-major (`metrics` wide).
    pub rows: Vec<f64>,
    /// Group samples taken up to the step, row-major (`groups` wide).
    pub groups: Vec<f32>,
    /// The full state after `step` steps.
    pub state: State,
}

/// A checkpoint of every run of a scenario at one step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub format: String,
    /// Layout version ([`VERSION`]).
    pub version: u32,
    /// The culturesim version that wrote it.
    pub tool_version: String,
    /// The model (`learning-culture`).
    pub model: String,
    /// The scenario's name.
    pub scenario: String,
    /// Master seed of the runs.
    pub seed: u64,
    /// `"per-run"` (streams from master, point, replicate) or `"common"`
    /// (from master and replicate: common random numbers across points).
    pub streams: String,
    /// The state is the one after this many steps (before the events and
    /// dynamics of step `step`).
    pub step: u32,
    /// What a step is.
    pub time_unit: String,
    /// Steps between two group samples of the runs.
    pub group_stride: u32,
    /// What the world of the runs was ([`Digest::of`] at `step`).
    pub digest: Digest,
    /// Names of the observation columns.
    pub metrics: Vec<String>,
    /// Names of the groups sampled.
    pub groups: Vec<String>,
    /// The runs, in replicate order.
    pub runs: Vec<SnapshotRun>,
}

/// The fields read before the rest: a snapshot of another version may not
/// parse as this one.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
    tool_version: Option<String>,
}

impl Snapshot {
    /// An empty snapshot of `model` (scenario `scenario`, seed `seed`) at `step`.
    pub fn new(model: &LearningCulture, scenario: &str, seed: u64, step: u32) -> Self {
        use crate::engine::Model;
        Self {
            format: FORMAT.into(),
            version: VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            model: "learning-culture".into(),
            scenario: scenario.into(),
            seed,
            streams: "per-run".into(),
            step,
            time_unit: model.setup().time_unit.clone(),
            group_stride: crate::engine::group_stride(model.steps()),
            digest: Digest::of(model, step),
            metrics: model.metrics().iter().map(|s| s.to_string()).collect(),
            groups: model.groups(),
            runs: Vec::new(),
        }
    }

    /// The snapshot as JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a snapshot always serializes")
    }

    /// Read a snapshot from JSON bytes, refusing another format or version.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let h: Header =
            serde_json::from_slice(bytes).map_err(|e| SnapshotError::NotSnapshot(e.to_string()))?;
        if h.format.as_deref() != Some(FORMAT) {
            return Err(SnapshotError::NotSnapshot(format!(
                "its \"format\" is {:?}, expected \"{FORMAT}\"",
                h.format.unwrap_or_default()
            )));
        }
        let version = h.version.unwrap_or(0);
        let tool = h.tool_version.unwrap_or_default();
        if version != VERSION || tool != env!("CARGO_PKG_VERSION") {
            return Err(SnapshotError::Version { version, tool });
        }
        serde_json::from_slice(bytes).map_err(|e| SnapshotError::NotSnapshot(e.to_string()))
    }

    /// Whether `model` (of scenario `scenario`, master seed `seed`) may
    /// continue this snapshot; the error says what differs.
    pub fn check(
        &self,
        model: &LearningCulture,
        scenario: &str,
        seed: u64,
    ) -> Result<(), SnapshotError> {
        use crate::engine::Model;
        let who = format!(
            "scenario '{}' (seed {}, step {})",
            self.scenario, self.seed, self.step
        );
        if self.seed != seed {
            return Err(SnapshotError::Mismatch(format!(
                "{who}; this run's seed is {seed}: the seed differs"
            )));
        }
        let mine = Digest::of(model, self.step);
        let diff = self.digest.differences(&mine);
        if !diff.is_empty() {
            return Err(SnapshotError::Mismatch(format!(
                "{who}; scenario '{scenario}' differs in {} (a fork may change only events after step {})",
                diff.join(", "),
                self.step
            )));
        }
        if self.step > model.steps() {
            return Err(SnapshotError::Mismatch(format!(
                "{who}; this run has only {} steps",
                model.steps()
            )));
        }
        let stride = crate::engine::group_stride(model.steps());
        if stride != self.group_stride {
            return Err(SnapshotError::Mismatch(format!(
                "{who} with teams sampled every {} steps; this run ({} steps) samples every {stride}: give it the snapshot run's duration",
                self.group_stride,
                model.steps()
            )));
        }
        if self.streams != "per-run" {
            return Err(SnapshotError::Mismatch(format!(
                "{who} with {} streams; this build continues per-run streams only",
                self.streams
            )));
        }
        Ok(())
    }
}

/// serde for [`Programme`] by its scenario name (the events module has no
/// serde; a checkpoint is the only place a programme is written).
pub mod programme {
    use super::Programme;
    use serde::{Deserialize, Deserializer, Serializer};

    const ALL: [Programme; 3] = [
        Programme::Leadership,
        Programme::Practice,
        Programme::Mastery,
    ];

    /// Write the programme's name.
    pub fn serialize<S: Serializer>(p: &Programme, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(p.name())
    }

    /// Read a programme's name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Programme, D::Error> {
        let name = String::deserialize(d)?;
        ALL.into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown programme \"{name}\"")))
    }
}
