//! Scenario files: reading, `--set` overrides, validation into the typed
//! model configuration.
//!
//! A scenario is read as TOML into [`raw::RawScenario`] (unknown keys and
//! wrong types are errors with line and column), overrides are applied to
//! the TOML tree, and a single conversion checks every rule and builds the
//! model's [`Setup`]; all problems are reported at once.

mod convert;
pub mod keys;
mod locate;
pub mod raw;

use crate::model::learning_culture::{LearningCulture, Setup};
use crate::validate::Problems;
use raw::RawScenario;
use std::path::{Path, PathBuf};

/// The default scenario, embedded in the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/snow-in-the-sun.toml");

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// The default scenario built into the binary.
    Embedded,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Embedded => write!(f, "<embedded snow-in-the-sun.toml>"),
        }
    }
}

/// Everything that can be wrong with a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("failed to read scenario '{path}': {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key or a wrong type.
    #[error("{origin}: {message}")]
    Parse {
        /// Where the text came from.
        origin: Source,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A `--set` override is malformed.
    #[error("--set '{arg}': {message}")]
    Override {
        /// The argument as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// Values break the rules.
    #[error("{origin}: {} problem(s):\n{}", problems.0.len(), list(origin, problems, places))]
    Invalid {
        /// Where the scenario came from.
        origin: Source,
        /// Every problem found.
        problems: Problems,
        /// Line and column of each problem's key in the text, where written.
        places: Vec<Option<(usize, usize)>>,
    },
}

fn list(source: &Source, problems: &Problems, places: &[Option<(usize, usize)>]) -> String {
    problems
        .0
        .iter()
        .enumerate()
        .map(|(i, p)| match places.get(i).copied().flatten() {
            Some((line, col)) => format!("  {source}:{line}:{col}: {p}"),
            None => format!("  {source}: {p}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl ScenarioError {
    fn invalid(origin: Source, problems: Problems, text: Option<&str>) -> Self {
        let places = problems
            .0
            .iter()
            .map(|p| text.and_then(|t| locate::locate(t, &p.path)))
            .collect();
        ScenarioError::Invalid {
            origin,
            problems,
            places,
        }
    }
}

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Where it came from.
    pub source: Source,
    /// The scenario as resolved (defaults and overrides applied).
    pub raw: RawScenario,
    /// Master seed.
    pub seed: u64,
    /// Replicates.
    pub replicates: u32,
    /// The model, built and checked against its organization.
    pub model: LearningCulture,
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn from_file(path: &Path, overrides: &[String]) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_str(&text, Source::File(path.to_path_buf()), overrides)
    }

    /// The embedded default scenario, with overrides.
    pub fn default_with(overrides: &[String]) -> Result<Self, ScenarioError> {
        Self::from_str(DEFAULT_SCENARIO, Source::Embedded, overrides)
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> Result<Self, ScenarioError> {
        Self::default_with(&[])
    }

    /// Parse, override and validate scenario text.
    pub fn from_str(
        text: &str,
        source: Source,
        overrides: &[String],
    ) -> Result<Self, ScenarioError> {
        let parse_err = |message: String| ScenarioError::Parse {
            origin: source.clone(),
            message,
        };
        // First pass on the text itself: errors carry line and column.
        let de = toml::Deserializer::parse(text).map_err(|e| parse_err(e.to_string()))?;
        // Every unknown key at once, each with its place and a suggestion.
        let unknown = keys::unknown_keys(text);
        if !unknown.is_empty() {
            let mut problems = Problems::default();
            let mut places = Vec::new();
            for k in &unknown {
                problems.push(k.path.clone(), k.message());
                places.push(Some(locate::line_col(text, k.offset)));
            }
            return Err(ScenarioError::Invalid {
                origin: source,
                problems,
                places,
            });
        }
        let mut raw: RawScenario =
            serde_path_to_error::deserialize(de).map_err(|e| parse_err(describe_path_error(&e)))?;
        if !overrides.is_empty() {
            let mut table: toml::Table =
                toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
            for arg in overrides {
                apply_override(&mut table, arg)?;
            }
            let value = toml::Value::Table(table);
            raw = serde_path_to_error::deserialize(value).map_err(|e| ScenarioError::Parse {
                origin: source.clone(),
                message: format!("after --set: {}", describe_path_error(&e)),
            })?;
        }
        Self::validate(raw, source, Some(text))
    }

    /// Validate an already parsed scenario (e.g. one built in code).
    pub fn from_raw(raw: RawScenario, source: Source) -> Result<Self, ScenarioError> {
        Self::validate(raw, source, None)
    }

    fn validate(
        raw: RawScenario,
        source: Source,
        text: Option<&str>,
    ) -> Result<Self, ScenarioError> {
        let (setup, problems) = convert::convert(&raw);
        if !problems.is_empty() {
            return Err(ScenarioError::invalid(source, problems, text));
        }
        let setup = setup.expect("no problems means a setup");
        // Organization-dependent checks (event scopes naming units).
        let model = LearningCulture::new(setup, raw.seed)
            .map_err(|problems| ScenarioError::invalid(source.clone(), problems, text))?;
        Ok(Self {
            source,
            seed: raw.seed,
            replicates: raw.replicates,
            model,
            raw,
        })
    }

    /// The model configuration.
    pub fn setup(&self) -> &Setup {
        self.model.setup()
    }

    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.raw.name
    }

    /// A copy of the model (for callers that want to own one).
    pub fn build_model(&self) -> Result<LearningCulture, ScenarioError> {
        Ok(self.model.clone())
    }

    /// The resolved scenario as TOML.
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.raw).expect("a raw scenario always serializes")
    }
}

fn describe_path_error<E: std::fmt::Display>(e: &serde_path_to_error::Error<E>) -> String {
    let path = e.path().to_string();
    let inner = e.inner().to_string();
    if path == "." || path.is_empty() {
        inner
    } else {
        format!("at key '{path}': {}", inner.trim_end())
    }
}

/// Apply `key.path=value` to a TOML tree. The value is read as TOML (a
/// number, boolean, string in quotes, array or inline table); anything that
/// does not parse is taken as a bare string. Numeric path segments index
/// arrays (`events.1.at=300`); an index one past the end appends
/// (`events.6={kind="learnathon",at=100}`).
pub fn apply_override(table: &mut toml::Table, arg: &str) -> Result<(), ScenarioError> {
    let err = |message: &str| ScenarioError::Override {
        arg: arg.to_string(),
        message: message.to_string(),
    };
    let (path, value) = arg
        .split_once('=')
        .ok_or_else(|| err("expected key.path=value"))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(err("the key path is empty or has an empty segment"));
    }
    let value = value.trim();
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    let segments: Vec<&str> = path.split('.').collect();
    let mut cur: &mut toml::Value = {
        let first = segments[0];
        if segments.len() == 1 {
            table.insert(first.to_string(), parsed);
            return Ok(());
        }
        table
            .entry(first.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
    };
    for (n, seg) in segments.iter().enumerate().skip(1) {
        let last = n == segments.len() - 1;
        cur = match cur {
            toml::Value::Table(t) => {
                if last {
                    t.insert(seg.to_string(), parsed);
                    return Ok(());
                }
                t.entry(seg.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            }
            toml::Value::Array(a) => {
                let i: usize = seg
                    .parse()
                    .map_err(|_| err(&format!("'{seg}' must be an array index")))?;
                let len = a.len();
                if i == len && last {
                    a.push(parsed);
                    return Ok(());
                }
                let slot = a.get_mut(i).ok_or_else(|| {
                    err(&format!(
                        "index {i} is out of range (the array has {len} entries)"
                    ))
                })?;
                if last {
                    *slot = parsed;
                    return Ok(());
                }
                slot
            }
            _ => {
                return Err(err(&format!(
                    "'{}' is not a table or array",
                    segments[..n].join(".")
                )));
            }
        };
    }
    Ok(())
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
                .contains("culture.coupling must be in [0, 10], got -1"),
            "{e}"
        );
        let e = Scenario::default_with(&["culture.bogus=1".into()]).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let e = Scenario::from_str(
            "name = \"x\"\nsteps = 3\nstpes = 4\n",
            Source::Embedded,
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("stpes"), "{e}");
        assert!(e.contains(":3:1: stpes is not a known key; did you mean `steps`?"), "{e}");
    }

    #[test]
    fn resolved_toml_round_trips() {
        let s = Scenario::default_scenario().unwrap();
        let again = Scenario::from_str(&s.resolved_toml(), Source::Embedded, &[]).unwrap();
        assert_eq!(s.raw, again.raw);
    }
}
