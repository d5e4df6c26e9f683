//! Scenario files: reading, `extends`, `--set` overrides, validation into
//! the typed model configuration.
//!
//! A scenario is read as TOML (syntax errors and every unknown key are
//! reported with line and column), merged over the scenario it `extends`
//! (recursively, relative to the file), overridden by `--set`, deserialized
//! into [`raw::RawScenario`] and converted once into the model's [`Setup`];
//! every problem is reported at once, each at its place in the file that
//! wrote the key.

pub mod bundled;
mod check;
mod convert;
mod error;
pub mod keys;
mod layers;
mod limits;
mod locate;
pub mod migrate;
pub mod optimize;
pub mod orgchart;
mod overrides;
pub mod raw;
pub mod survey;
pub mod template;
mod time;
mod write;

pub mod posterior;
pub use error::ScenarioError;
pub use layers::{inherited_time_unit, read};
pub use limits::Limits;
pub use overrides::apply_override;
pub use write::to_toml;

use crate::model::Models;
use crate::model::learning_culture::{LearningCulture, Setup};
use crate::validate::Problems;
use layers::{Found, Layer, Layers};
use limits::size_problems;
use raw::RawScenario;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name outputs give a swept key path (points.csv's columns,
/// summary.json's `params`, the figures' axes): `events.<index>.…` becomes
/// `events.<id>.…` when that event has an `id`, so that a column says what
/// it varies (`events.4.alignment` → `events.shock.alignment`); any other
/// key is unchanged. Both spellings set the same value (`--set` and
/// `[sweep.params]` take an index or an id).
pub fn column_name(raw: &raw::RawScenario, key: &str) -> String {
    let mut parts = key.splitn(3, '.');
    let (Some("events"), Some(index), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return key.to_string();
    };
    match index
        .parse::<usize>()
        .ok()
        .and_then(|i| raw.events.get(i))
        .and_then(|e| e.id.as_deref())
    {
        Some(id) if !id.is_empty() && !id.contains('.') => format!("events.{id}.{rest}"),
        _ => key.to_string(),
    }
}

/// Years per step of a `time_unit` (a week for a name that is not a unit:
/// the scenario layer has refused those before anything asks).
pub fn years_per_step(unit: &str) -> f64 {
    crate::model::learning_culture::params::years_per_step(unit).unwrap_or(7.0 / 365.25)
}

/// The default scenario, embedded in the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../../scenarios/snow-in-the-sun.toml");

/// Name of the default scenario.
pub const DEFAULT_NAME: &str = "snow-in-the-sun";

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// A scenario bundled in the binary (its file name without `.toml`).
    Bundled(String),
    /// Text held in memory (the scenario `culturesim serve` edits): it never
    /// reads the file system; a file it names (an org chart) must be one of
    /// `files`, and it cannot `extends` another file.
    Memory {
        /// Name shown in messages.
        name: String,
        /// File name -> text of the files it may name.
        files: Arc<BTreeMap<String, String>>,
    },
}

impl Source {
    /// The default scenario's source.
    pub fn default_scenario() -> Self {
        Source::Bundled(DEFAULT_NAME.to_string())
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Bundled(name) => write!(f, "<bundled>/{name}.toml"),
            Source::Memory { name, .. } => write!(f, "{name}"),
        }
    }
}

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Where it came from.
    pub source: Source,
    /// The scenario as resolved (extends, defaults and overrides applied).
    pub raw: RawScenario,
    /// Master seed.
    pub seed: u64,
    /// Replicates.
    pub replicates: u32,
    /// The model (for the learning-culture model: built and checked
    /// against its organization).
    pub model: Models,
    /// The org chart's text, when the organization comes from one (run
    /// writes it beside the resolved scenario as [`CHART_COPY`]).
    pub chart: Option<String>,
}

/// File name of the org chart copied into a run's output folder.
pub const CHART_COPY: &str = "org-chart.csv";

impl Scenario {
    /// Read and validate a scenario file, or a bundled scenario by name
    /// when no such file exists.
    pub fn from_file(path: &Path, overrides: &[String]) -> Result<Self, ScenarioError> {
        let (text, source) = read(path)?;
        Self::from_str(&text, source, overrides)
    }

    /// The embedded default scenario, with overrides.
    pub fn default_with(overrides: &[String]) -> Result<Self, ScenarioError> {
        Self::from_str(DEFAULT_SCENARIO, Source::default_scenario(), overrides)
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> Result<Self, ScenarioError> {
        Self::default_with(&[])
    }

    /// Parse, resolve `extends`, override and validate scenario text.
    pub fn from_str(
        text: &str,
        source: Source,
        overrides: &[String],
    ) -> Result<Self, ScenarioError> {
        Self::from_str_within(text, source, overrides, None)
    }

    /// [`Self::from_str`], with the size of the run capped by `limits`
    /// (checked before the organization is built, so an oversized request
    /// costs nothing).
    pub fn from_str_within(
        text: &str,
        source: Source,
        overrides: &[String],
        limits: Option<&Limits>,
    ) -> Result<Self, ScenarioError> {
        let mut layers = Layers::resolve(text, source.clone())?;
        let mut found = Found::default();
        layers.format1(&mut found);
        if !found.problems.is_empty() {
            return Err(ScenarioError::Invalid {
                origin: source,
                problems: found.problems,
                places: found.places,
            });
        }
        layers.unknown_keys(&mut found);
        layers.check_ids(&mut found);
        let mut table = layers.merged()?;
        for arg in overrides {
            let path = apply_override(&mut table, arg)?;
            layers.1.push((path, arg.clone()));
        }
        // A model that does not exist (here) explains its sections better
        // than their keys do.
        if let Some(why) = table
            .get("model")
            .and_then(toml::Value::as_str)
            .and_then(convert::unknown_model)
        {
            let mut only = Found::default();
            only.push(layers.shown_place("model"), "model".into(), why);
            only.into_error(&source)?;
        }
        // Every value of the wrong type at once, in plain words (an event
        // whose id named no inherited event is not told again that it
        // lacks a kind).
        let bad_id = found.problems.0.iter().any(|p| p.path.ends_with("].id"));
        for (path, message) in keys::wrong_types(&table) {
            if bad_id && path.starts_with("events[") && path.ends_with("].kind") {
                continue;
            }
            found.push(layers.shown_place(&path), path, message);
        }
        found.into_error(&source)?;
        let plugin = registered_section(&mut table, &layers)?;
        let mut raw: RawScenario = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let path = e.path().to_string();
                let mut p = Problems::default();
                p.push(
                    if path == "." { String::new() } else { path },
                    keys::plain(&e.inner().to_string()),
                );
                layers.invalid(p)
            })?;
        raw.plugin = plugin;
        if let Some(limits) = limits {
            let mut problems = Problems::default();
            limits.check(&raw, &mut problems);
            if !problems.is_empty() {
                return Err(layers.invalid(problems));
            }
        }
        // Memory and work, estimated before anything is built.
        let mut problems = Problems::default();
        size_problems(&raw, raw.steps(), &mut problems);
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        let scenario = Self::validate(raw, &layers)?;
        if let Some(limits) = limits {
            // An org chart's headcount is known once the chart is read.
            let mut problems = Problems::default();
            limits.check_headcount(&scenario, &mut problems);
            if !problems.is_empty() {
                return Err(layers.invalid(problems));
            }
        }
        Ok(scenario)
    }

    /// Validate an already parsed scenario (e.g. one built in code).
    pub fn from_raw(raw: RawScenario, source: Source) -> Result<Self, ScenarioError> {
        let layers = Layers(
            vec![Layer {
                source,
                text: String::new(),
            }],
            Vec::new(),
        );
        Self::validate(raw, &layers)
    }

    /// The learning-culture model's configuration.
    ///
    /// # Panics
    /// If the scenario's model is not "learning-culture".
    pub fn setup(&self) -> &Setup {
        self.model
            .learning_culture()
            .expect("setup() is the learning-culture model's configuration")
            .setup()
    }

    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.raw.name
    }

    /// A copy of the learning-culture model (for callers that want to own
    /// one); an error for a scenario of another model.
    pub fn build_model(&self) -> Result<LearningCulture, ScenarioError> {
        match &self.model {
            Models::LearningCulture(m) => Ok(m.clone()),
            other => {
                let mut p = Problems::default();
                p.push(
                    "model",
                    format!(
                        "is \"{}\"; this needs a learning-culture scenario",
                        other.name()
                    ),
                );
                Err(ScenarioError::Invalid {
                    origin: self.source.clone(),
                    problems: p,
                    places: vec![None],
                })
            }
        }
    }

    /// The resolved scenario as TOML.
    pub fn resolved_toml(&self) -> String {
        to_toml(&self.raw)
    }
}

/// Take the sections of registered models out of the merged tree: they are
/// theirs, not the format's, and are kept beside the typed scenario (the
/// section of the scenario's own model, if it is a registered one). A
/// section of another registered model is a mistake.
fn registered_section(
    table: &mut toml::Table,
    layers: &Layers,
) -> Result<Option<toml::Table>, ScenarioError> {
    let model = table
        .get("model")
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut plugin = None;
    let mut foreign = Problems::default();
    for e in crate::model::registry::entries() {
        if let Some(v) = table.remove(e.section()) {
            if e.name() == model {
                plugin = v.as_table().cloned();
            } else {
                foreign.push(
                    e.section(),
                    format!(
                        "does not apply to model = \"{model}\" (it configures model \"{}\")",
                        e.name()
                    ),
                );
            }
        }
    }
    if !foreign.is_empty() {
        return Err(layers.invalid(foreign));
    }
    Ok(plugin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_loads() {
        let s = Scenario::default_scenario().unwrap();
        assert_eq!(s.name(), "snow-in-the-sun");
        s.build_model().unwrap();
    }

    #[test]
    fn overrides_reach_nested_keys_and_arrays() {
        let s = Scenario::default_with(&[
            "culture.coupling=0".into(),
            "replicates=3".into(),
            "events.0.label=\"x\"".into(),
        ])
        .unwrap();
        assert_eq!(s.raw.culture.coupling, 0.0);
        assert_eq!(s.replicates, 3);
        assert_eq!(s.raw.events[0].label.as_deref(), Some("x"));
    }

    #[test]
    fn bad_overrides_are_explained() {
        let e = Scenario::default_with(&["nokey".into()]).unwrap_err();
        assert!(e.to_string().contains("expected key.path=value"));
        let e = Scenario::default_with(&["events.99.at=3".into()]).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let e = Scenario::default_with(&["culture.coupling=-1".into()]).unwrap_err();
        assert!(
            e.to_string()
                .contains("culture.coupling: must be in [0, 10], got -1"),
            "{e}"
        );
        let e = Scenario::default_with(&["culture.bogus=1".into()]).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let e = Scenario::from_str(
            "name = \"x\"\nsteps = 3\nstpes = 4\n",
            Source::default_scenario(),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("stpes"), "{e}");
        assert!(
            e.contains(":3:1: stpes: is not a known key; did you mean `steps`?"),
            "{e}"
        );
    }

    #[test]
    fn a_march_scenario_resolves_to_its_own_keys_and_round_trips() {
        let text = bundled::get("march1991-fig1").unwrap();
        let s = Scenario::from_str(text, Source::Bundled("march1991-fig1".into()), &[]).unwrap();
        assert_eq!(s.model.name(), "march1991");
        let resolved = s.resolved_toml();
        assert!(resolved.contains("[march]\nm = 30\nn = 50\n"), "{resolved}");
        assert!(resolved.contains("fast_share = 0.0"), "{resolved}");
        for section in ["[org]", "[culture]", "[init]", "[[events]]"] {
            assert!(!resolved.contains(section), "{section} in {resolved}");
        }
        let again = Scenario::from_str(&resolved, Source::default_scenario(), &[]).unwrap();
        assert_eq!(s.raw, again.raw);
    }

    #[test]
    fn resolved_toml_round_trips() {
        let s = Scenario::default_scenario().unwrap();
        let again =
            Scenario::from_str(&s.resolved_toml(), Source::default_scenario(), &[]).unwrap();
        assert_eq!(s.raw, again.raw);
    }
}
