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
mod convert;
pub mod keys;
mod locate;
pub mod migrate;
pub mod orgchart;
pub mod raw;
pub mod survey;

use crate::model::Models;
use crate::model::learning_culture::{LearningCulture, Setup};
use crate::validate::Problems;
use raw::RawScenario;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Everything that can be wrong with a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read (and is no bundled scenario's name).
    #[error("failed to read scenario '{}': {error}{hint}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error (shown once: it is part of this message, not a
        /// separate cause).
        error: std::io::Error,
        /// `; did you mean ...` and where the bundled names are listed.
        hint: String,
    },
    /// Not valid TOML.
    #[error("{place}: {message}")]
    Parse {
        /// `file:line:column` of the problem.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// An `extends` chain is broken (missing base, cycle).
    #[error("{origin}: {message}")]
    Extends {
        /// The file whose `extends` failed.
        origin: Source,
        /// What is wrong.
        message: String,
    },
    /// A `--set` override is malformed.
    #[error("--set {arg}: {message}")]
    Override {
        /// The argument as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// Values break the rules (or keys are unknown).
    #[error("{origin}: {} problem(s):\n{}", problems.0.len(), list(origin, problems, places))]
    Invalid {
        /// Where the scenario came from.
        origin: Source,
        /// Every problem found.
        problems: Problems,
        /// `file:line:column` of each problem's key, where written.
        places: Vec<Option<String>>,
    },
}

fn list(source: &Source, problems: &Problems, places: &[Option<String>]) -> String {
    problems
        .0
        .iter()
        .enumerate()
        .map(|(i, p)| match places.get(i).and_then(Option::as_ref) {
            Some(place) => format!("  {place}: {p}"),
            None => format!("  {source}: {p}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One file of an `extends` chain.
#[derive(Debug, Clone)]
struct Layer {
    source: Source,
    text: String,
}

/// The files of a scenario, the scenario itself first, then what it
/// extends; and the command line's `--set` overrides, each with the key
/// path it set (`events[4].at` for `events.shock.at=300`), so a problem
/// with a value from the command line is blamed on the command line.
#[derive(Debug, Clone)]
struct Layers(Vec<Layer>, Vec<(String, String)>);

/// A TOML syntax error at its place: `file:line:col: TOML syntax: ...`.
fn syntax(source: &Source, text: &str, e: &toml::de::Error) -> ScenarioError {
    let place = match e.span() {
        Some(span) => {
            let (line, col) = locate::line_col(text, span.start);
            format!("{source}:{line}:{col}")
        }
        None => source.to_string(),
    };
    ScenarioError::Parse {
        place,
        message: format!("TOML syntax: {}", e.message().trim_end()),
    }
}

/// `; did you mean the bundled scenario "x"?` and where to find them all.
fn name_hint(name: &str) -> String {
    let names: Vec<String> = bundled::BUNDLED
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    let stem = name.trim_end_matches(".toml");
    match keys::closest(stem, &names) {
        Some(n) => format!(
            "; did you mean the bundled scenario \"{n}\"? (`culturesim list` shows them all)"
        ),
        None => "; `culturesim list` shows the bundled scenarios".to_string(),
    }
}

/// Read a scenario file, or take the bundled scenario of that name when no
/// such file exists (a bare name, with or without `.toml`).
pub fn read(path: &Path) -> Result<(String, Source), ScenarioError> {
    match crate::limits::read_input(path) {
        Ok(text) => Ok((text, Source::File(path.to_path_buf()))),
        // A file that exists but is too large (or not text) is not a
        // bundled name.
        Err(error) if path.exists() => Err(ScenarioError::Read {
            path: path.to_path_buf(),
            hint: String::new(),
            error,
        }),
        Err(error) => {
            let name = path.to_string_lossy();
            let name = name.trim_end_matches(".toml");
            match bundled::get(name) {
                Some(text) if path.components().count() == 1 => {
                    Ok((text.to_string(), Source::Bundled(name.to_string())))
                }
                _ => Err(ScenarioError::Read {
                    path: path.to_path_buf(),
                    hint: if path.components().count() == 1 {
                        name_hint(name)
                    } else {
                        String::new()
                    },
                    error,
                }),
            }
        }
    }
}

impl Layers {
    /// Read `text` and every scenario it extends.
    fn resolve(text: &str, source: Source) -> Result<Self, ScenarioError> {
        let mut layers = vec![Layer {
            source,
            text: text.to_string(),
        }];
        loop {
            let last = layers.last().expect("at least one layer");
            let table: toml::Table =
                toml::from_str(&last.text).map_err(|e| syntax(&last.source, &last.text, &e))?;
            let Some(ext) = table.get("extends") else {
                return Ok(Self(layers, Vec::new()));
            };
            let err = |message: String| ScenarioError::Extends {
                origin: last.source.clone(),
                message,
            };
            let ext = ext
                .as_str()
                .ok_or_else(|| err("extends must be a file name in quotes".into()))?;
            // A bare name that is no file beside this one names a bundled
            // scenario (`extends = "snow-in-the-sun"`).
            let bundled_name = (!ext.contains(['/', '\\']))
                .then(|| ext.trim_end_matches(".toml"))
                .filter(|n| bundled::get(n).is_some());
            let beside = |p: &Path| p.parent().unwrap_or(Path::new(".")).join(ext);
            let next = match (&last.source, bundled_name) {
                (Source::File(p), None) => {
                    let path = beside(p);
                    let text = crate::limits::read_input(&path).map_err(|e| {
                        let hint = if ext.contains(['/', '\\']) {
                            String::new()
                        } else {
                            name_hint(ext)
                        };
                        err(format!(
                            "extends = \"{ext}\": cannot read '{}': {e}{hint}",
                            path.display()
                        ))
                    })?;
                    Layer {
                        source: Source::File(path),
                        text,
                    }
                }
                (Source::File(p), Some(_)) if beside(p).is_file() => {
                    let path = beside(p);
                    let text = crate::limits::read_input(&path).map_err(|e| {
                        err(format!(
                            "extends = \"{ext}\": cannot read '{}': {e}",
                            path.display()
                        ))
                    })?;
                    Layer {
                        source: Source::File(path),
                        text,
                    }
                }
                (_, Some(name)) => Layer {
                    source: Source::Bundled(name.to_string()),
                    text: bundled::get(name).expect("checked").to_string(),
                },
                (Source::Bundled(_), None) => {
                    return Err(err(format!(
                        "extends = \"{ext}\": no bundled scenario of that name{}",
                        name_hint(ext)
                    )));
                }
                (Source::Memory { .. }, None) => {
                    return Err(err(format!(
                        "extends = \"{ext}\": a scenario held in memory can extend a bundled scenario only{}",
                        name_hint(ext)
                    )));
                }
            };
            let same = |a: &Source, b: &Source| match (a, b) {
                (Source::File(x), Source::File(y)) => {
                    x == y
                        || (x.canonicalize().ok().is_some()
                            && x.canonicalize().ok() == y.canonicalize().ok())
                }
                _ => a == b,
            };
            if layers.iter().any(|l| same(&l.source, &next.source)) {
                let chain: Vec<String> = layers
                    .iter()
                    .map(|l| l.source.to_string())
                    .chain([next.source.to_string()])
                    .collect();
                return Err(err(format!(
                    "extends forms a cycle: {}",
                    chain.join(" -> ")
                )));
            }
            layers.push(next);
        }
    }

    /// Unknown keys of every file, each at its place.
    fn unknown_keys(&self, found: &mut Found) {
        for l in &self.0 {
            for k in keys::unknown_keys(&l.text) {
                let (line, col) = locate::line_col(&l.text, k.offset);
                found.push(
                    Some(format!("{}:{line}:{col}", l.source)),
                    k.path.clone(),
                    k.message(),
                );
            }
        }
    }

    /// The `[[events]]` tables of each file (the scenario's own first).
    fn events(&self) -> Vec<Vec<toml::Value>> {
        self.0
            .iter()
            .map(|l| {
                toml::from_str::<toml::Table>(&l.text)
                    .ok()
                    .and_then(|mut t| t.remove("events"))
                    .and_then(|e| match e {
                        toml::Value::Array(a) => Some(a),
                        _ => None,
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Event ids used twice within one file (each file on its own: across
    /// files, the same id is how a file changes an inherited event), and an
    /// event without a `kind` whose id names no inherited event (a typo in
    /// the id: `shok` for `shock`).
    fn check_ids(&self, found: &mut Found) {
        let events = self.events();
        for (n, l) in self.0.iter().enumerate() {
            let inherited: Vec<String> = events[n + 1..]
                .iter()
                .flatten()
                .filter_map(|e| e.get("id").and_then(toml::Value::as_str))
                .map(str::to_string)
                .collect();
            let mut seen = std::collections::HashMap::new();
            for (i, e) in events[n].iter().enumerate() {
                let Some(id) = e.get("id").and_then(toml::Value::as_str) else {
                    continue;
                };
                let path = format!("events[{i}].id");
                let place = || {
                    locate::locate(&l.text, &path)
                        .map(|(line, col)| format!("{}:{line}:{col}", l.source))
                };
                // One file alone: the conversion reports duplicates.
                if let Some(first) = seen.insert(id.to_string(), i)
                    && self.0.len() > 1
                {
                    found.push(
                        place(),
                        path.clone(),
                        format!("\"{id}\" is already the id of events[{first}] in this file; ids must be unique"),
                    );
                } else if n + 1 < self.0.len()
                    && e.get("kind").is_none()
                    && !inherited.iter().any(|x| x == id)
                {
                    let hint = match keys::closest(id, &inherited) {
                        Some(k) => format!("did you mean \"{k}\"? "),
                        None => String::new(),
                    };
                    found.push(
                        place(),
                        path.clone(),
                        format!(
                            "must be the id of an inherited event (or the event needs a kind), got \"{id}\"; {hint}(inherited ids: {})",
                            if inherited.is_empty() {
                                "none".to_string()
                            } else {
                                inherited.join(", ")
                            }
                        ),
                    );
                }
            }
        }
    }

    /// The merged TOML tree: each file over the one it extends.
    fn merged(&self) -> Result<toml::Table, ScenarioError> {
        let mut acc = toml::Table::new();
        for l in self.0.iter().rev() {
            let t: toml::Table =
                toml::from_str(&l.text).map_err(|e| syntax(&l.source, &l.text, &e))?;
            merge(&mut acc, t);
        }
        acc.remove("extends");
        Ok(acc)
    }

    /// Read a file named by key `key` (e.g. `org.chart`), relative to the
    /// scenario file that writes the key (or from the bundled set).
    fn read_beside(&self, key: &str, name: &str) -> Result<(String, String), String> {
        let layer = self
            .0
            .iter()
            .find(|l| locate::locate(&l.text, key).is_some())
            .unwrap_or(&self.0[0]);
        match &layer.source {
            Source::File(p) => {
                let path = p.parent().unwrap_or(Path::new(".")).join(name);
                crate::limits::read_input(&path)
                    .map(|t| (t, path.display().to_string()))
                    .map_err(|e| format!("cannot read '{}': {e}", path.display()))
            }
            Source::Bundled(_) => bundled::get_file(name)
                .map(|t| (t.to_string(), format!("<bundled>/{name}")))
                .ok_or_else(|| format!("no bundled file named '{name}'")),
            Source::Memory { name: shown, files } => files
                .get(name)
                .map(|t| (t.clone(), name.to_string()))
                .ok_or_else(|| {
                    format!("no file named '{name}' comes with {shown} (files are not read here)")
                }),
        }
    }

    /// Where `path` was written: the command line when a `--set` set it
    /// (or a table holding it), else `file:line:column` of the first file
    /// that writes it.
    fn place(&self, path: &str) -> Option<String> {
        if let Some((_, arg)) = self.1.iter().rev().find(|(set, _)| covers(set, path)) {
            return Some(format!("--set {arg}"));
        }
        self.0.iter().find_map(|l| {
            locate::locate(&l.text, path).map(|(line, col)| format!("{}:{line}:{col}", l.source))
        })
    }

    /// Where a message about `path` points: [`Self::place`], except in text
    /// held in memory, which is no file the reader could open.
    fn shown_place(&self, path: &str) -> Option<String> {
        match self.0[0].source {
            Source::Memory { .. } if !self.1.iter().any(|(set, _)| covers(set, path)) => None,
            _ => self.place(path),
        }
    }

    fn invalid(&self, problems: Problems) -> ScenarioError {
        let places = problems
            .0
            .iter()
            .map(|p| self.shown_place(&p.path))
            .collect();
        ScenarioError::Invalid {
            origin: self.0[0].source.clone(),
            problems,
            places,
        }
    }
}

impl Layers {
    /// A learning-culture file in format 1 (values per step) is refused:
    /// every key it must change, at its place, with the value it becomes
    /// (what `culturesim migrate` writes).
    fn format1(&self, found: &mut Found) {
        let tables: Vec<Option<toml::Table>> = self
            .0
            .iter()
            .map(|l| toml::from_str(&l.text).ok())
            .collect();
        let model = tables
            .iter()
            .flatten()
            .find_map(|t| t.get("model").and_then(toml::Value::as_str))
            .unwrap_or("learning-culture");
        if model == "march1991" {
            return;
        }
        for (n, l) in self.0.iter().enumerate() {
            let Some(t) = &tables[n] else { continue };
            if t.get("format").and_then(toml::Value::as_integer) != Some(1) {
                continue;
            }
            let inherited = tables[n + 1..]
                .iter()
                .flatten()
                .find_map(|t| t.get("time_unit").and_then(toml::Value::as_str));
            let Ok(m) = migrate::migrate(&l.text, inherited) else {
                continue;
            };
            let shown = match &l.source {
                Source::File(p) => p.display().to_string(),
                other => other.to_string(),
            };
            for c in m.changes {
                let place = locate::locate(&l.text, &c.path)
                    .map(|(line, col)| format!("{}:{line}:{col}", l.source))
                    .or_else(|| Some(l.source.to_string()));
                let message = if c.path == "format" {
                    format!(
                        "format 1 (values per step) is no longer read: `culturesim migrate {shown} -o NEW.toml` writes the format-2 file (the same runs), or change by hand: write format = 2 and"
                    )
                } else {
                    c.message
                };
                found.push(place, c.path, message);
            }
        }
    }
}

/// The `time_unit` of the scenario that `text` (at `path`) extends, if it
/// extends one that can be read and states one.
pub fn inherited_time_unit(text: &str, path: &Path) -> Option<String> {
    let layers = Layers::resolve(text, Source::File(path.to_path_buf())).ok()?;
    layers.0[1..].iter().find_map(|l| {
        toml::from_str::<toml::Table>(&l.text)
            .ok()?
            .get("time_unit")?
            .as_str()
            .map(str::to_string)
    })
}

/// Problems found so far, each with its place where known.
#[derive(Debug, Default)]
struct Found {
    problems: Problems,
    places: Vec<Option<String>>,
}

impl Found {
    fn push(&mut self, place: Option<String>, path: String, message: String) {
        self.problems.push(path, message);
        self.places.push(place);
    }

    fn into_error(self, origin: &Source) -> Result<(), ScenarioError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid {
                origin: origin.clone(),
                problems: self.problems,
                places: self.places,
            })
        }
    }
}

/// Whether a value set at key path `set` covers key path `path` (the same
/// key, or a table or array entry holding it): `events[6]` covers
/// `events[6].at`.
fn covers(set: &str, path: &str) -> bool {
    path == set
        || path
            .strip_prefix(set)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Deep merge: tables merge key by key; in `events`, an entry whose `id`
/// matches an inherited event is merged into it and any other entry is
/// appended; anything else is replaced by the overriding file's value.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            // A distribution is one value: a new `dist` replaces it whole.
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) if !o.contains_key("dist") => {
                merge(b, o)
            }
            (Some(toml::Value::Array(b)), toml::Value::Array(o)) if k == "events" => {
                for e in o {
                    let id = e
                        .get("id")
                        .and_then(toml::Value::as_str)
                        .map(str::to_string);
                    let target = id.as_deref().and_then(|id| {
                        b.iter_mut()
                            .find(|x| x.get("id").and_then(toml::Value::as_str) == Some(id))
                    });
                    match (target, e) {
                        (Some(toml::Value::Table(t)), toml::Value::Table(o)) => merge(t, o),
                        (_, e) => b.push(e),
                    }
                }
            }
            (_, v) => {
                base.insert(k, v);
            }
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

/// Caps on the size of a run, for scenarios that come from the network
/// (`culturesim serve`): a request must not be able to exhaust the machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Most employees.
    pub employees: u32,
    /// Most replicates.
    pub replicates: u32,
    /// Most steps.
    pub steps: u32,
    /// Most agent-steps in all: employees × steps × replicates.
    pub work: u64,
}

impl Limits {
    /// Check the sizes a scenario asks for (before anything is built).
    fn check(&self, raw: &RawScenario, p: &mut Problems) {
        let hint = "on this server (see culturesim serve --help)";
        if raw.model != "learning-culture" {
            p.push(
                "model",
                format!(
                    "must be \"learning-culture\" {hint}: the live page shows that model (run \"{}\" with culturesim run or sweep), got \"{}\"",
                    raw.model, raw.model
                ),
            );
            return;
        }
        if raw.replicates > self.replicates {
            p.push(
                "replicates",
                format!(
                    "must be at most {} {hint}, got {}",
                    self.replicates, raw.replicates
                ),
            );
        }
        if raw.steps() > self.steps {
            p.push(
                if raw.steps.is_some() {
                    "steps"
                } else {
                    "duration"
                },
                format!(
                    "must be at most {} steps {hint}, got {} steps",
                    self.steps,
                    raw.steps()
                ),
            );
        }
        if raw.org.chart.is_none() {
            if raw.org.employees > self.employees {
                p.push(
                    "org.employees",
                    format!(
                        "must be at most {} {hint}, got {}",
                        self.employees, raw.org.employees
                    ),
                );
            }
            self.check_work(raw.org.employees, raw.steps(), raw.replicates, p);
        }
    }

    /// Check the headcount of a built organization (an org chart's).
    fn check_headcount(&self, s: &Scenario, p: &mut Problems) {
        let Some(model) = s.model.learning_culture() else {
            return;
        };
        let n = u32::try_from(model.org().slots()).unwrap_or(u32::MAX);
        if s.raw.org.chart.is_some() {
            if n > self.employees {
                p.push(
                    "org.chart",
                    format!(
                        "has {n} employees; at most {} are allowed on this server",
                        self.employees
                    ),
                );
            }
            self.check_work(n, s.raw.steps(), s.raw.replicates, p);
        }
    }

    fn check_work(&self, employees: u32, steps: u32, replicates: u32, p: &mut Problems) {
        let work = u64::from(employees) * u64::from(steps) * u64::from(replicates);
        if work > self.work {
            p.push(
                "replicates",
                format!(
                    "times steps times employees must be at most {} on this server, got {replicates} × {steps} × {employees} = {work}; use fewer replicates, steps or employees",
                    self.work
                ),
            );
        }
    }
}

/// The memory and work a scenario asks for with `steps` steps, as
/// problems when above this machine's limits (see [`crate::limits`]).
fn size_problems(raw: &RawScenario, steps: u32, p: &mut Problems) {
    let learning = raw.model == "learning-culture";
    let request = crate::limits::Request {
        employees: if learning && raw.org.chart.is_none() {
            u64::from(raw.org.employees)
        } else {
            0
        },
        steps: u64::from(steps),
        replicates: u64::from(raw.replicates),
        metrics: 16,
        in_flight: crate::engine::Batch::Throughput.size() as u64,
    };
    for (key, message) in request.problems("org.employees") {
        p.push(key, message);
    }
}

impl Scenario {
    /// Check memory and work again for a run cut or stretched to `steps`
    /// steps (`run --steps`), before it starts.
    pub fn check_size(&self, steps: u32) -> Result<(), ScenarioError> {
        let mut problems = Problems::default();
        size_problems(&self.raw, steps, &mut problems);
        if problems.is_empty() {
            return Ok(());
        }
        let places = vec![None; problems.0.len()];
        Err(ScenarioError::Invalid {
            origin: self.source.clone(),
            problems,
            places,
        })
    }
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
        // The sections of registered models are theirs, not the format's:
        // kept beside the typed scenario (the model's own, if it is one).
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

    fn validate(mut raw: RawScenario, layers: &Layers) -> Result<Self, ScenarioError> {
        raw.extends = None;
        let source = layers.0[0].source.clone();
        if raw.model == "march1991" {
            return Self::validate_march(raw, layers);
        }
        if let Some(entry) = crate::model::registry::find(&raw.model) {
            return Self::validate_registered(raw, layers, entry);
        }
        // Empirical distributions read from a CSV column: the values are
        // taken into the resolved scenario, so it stands alone.
        let mut problems = Problems::default();
        raw::for_each_dist(&mut raw, |path, d| {
            if let raw::RawDist::Named(n) = d
                && n.dist == "empirical"
                && let Some(file) = n.file.clone()
            {
                let Some(column) = n.column.clone() else {
                    problems.push(
                        format!("{path}.file"),
                        "needs 'column' too (the CSV column to read)",
                    );
                    return;
                };
                if n.values.is_some() {
                    problems.push(
                        format!("{path}.values"),
                        "give either 'values' or 'file' and 'column', not both",
                    );
                    return;
                }
                match layers
                    .read_beside(&format!("{path}.file"), &file)
                    .and_then(|(text, shown)| csv_column(&text, &shown, &column))
                {
                    Ok(values) => {
                        n.values = Some(values);
                        n.file = None;
                        n.column = None;
                    }
                    Err(e) => problems.push(format!("{path}.file"), e),
                }
            }
        });
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        if raw.org.levels.is_some() && layers.place("org.span").is_some() {
            let mut p = Problems::default();
            p.push(
                "org.span",
                "must not be given together with org.levels (choose one)",
            );
            return Err(layers.invalid(p));
        }
        let mut chart = None;
        let mut chart_text = None;
        if let Some(name) = raw.org.chart.clone() {
            let mut problems = Problems::default();
            for key in ["employees", "team_size", "span", "levels"] {
                if layers.place(&format!("org.{key}")).is_some() {
                    problems.push(
                        format!("org.{key}"),
                        "does not apply when org.chart is given (the chart sets the organization)",
                    );
                }
            }
            match layers.read_beside("org.chart", &name) {
                Ok((text, shown)) => match orgchart::read_chart(&text, &shown) {
                    Ok(c) => {
                        chart = Some(c);
                        chart_text = Some(text);
                    }
                    Err(errors) => {
                        for e in errors {
                            problems.push("org.chart", e);
                        }
                    }
                },
                Err(e) => problems.push("org.chart", e),
            }
            if !problems.is_empty() {
                return Err(layers.invalid(problems));
            }
            // The resolved scenario refers to the copy written beside it.
            raw.org.chart = Some(CHART_COPY.to_string());
        }
        if raw.duration.is_none() && raw.steps.is_none() {
            // The resolved scenario states how long it runs.
            raw.duration = Some(raw::RawTime::Years(raw::DEFAULT_YEARS));
        }
        let (setup, mut problems) = convert::convert(&raw, chart);
        // [survey] and [calibrate] (docs/CALIBRATION.md).
        survey::check(
            raw.survey.as_ref(),
            raw.calibrate.as_ref(),
            f64::from(raw.steps()) * raw.years_per_step(),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        let setup = setup.expect("no problems means a setup");
        // Organization-dependent checks (event scopes naming units).
        let model = LearningCulture::new(setup, raw.seed).map_err(|p| layers.invalid(p))?;
        Ok(Self {
            source,
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::LearningCulture(model),
            raw,
            chart: chart_text,
        })
    }

    /// A scenario of model "march1991": the `[march]` section and the
    /// shared top-level keys; a learning-culture section written in a file
    /// (or changed by `--set`) is a mistake, not silently ignored.
    fn validate_march(mut raw: RawScenario, layers: &Layers) -> Result<Self, ScenarioError> {
        let mut problems = Problems::default();
        learning_culture_sections(&raw, layers, "march1991", "[march]", &mut problems);
        let (model, p) = convert::convert_march(&raw);
        problems.0.extend(p.0);
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        let model = model.expect("no problems means a model");
        // The resolved scenario states every parameter of the section.
        raw.march = Some(model.config().params.clone());
        Ok(Self {
            source: layers.0[0].source.clone(),
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::March1991(model),
            raw,
            chart: None,
        })
    }

    /// A scenario of a registered model: the shared top-level keys and
    /// the model's own section, checked against its declaration.
    fn validate_registered(
        mut raw: RawScenario,
        layers: &Layers,
        entry: &'static dyn crate::model::registry::Entry,
    ) -> Result<Self, ScenarioError> {
        let mut problems = Problems::default();
        let own = format!("[{}]", entry.section());
        learning_culture_sections(&raw, layers, entry.name(), &own, &mut problems);
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        if raw.duration.is_none() && raw.steps.is_none() {
            // The resolved scenario states how long it runs.
            raw.duration = Some(raw::RawTime::Years(raw::DEFAULT_YEARS));
        }
        let (model, section) =
            convert::convert_registered(&raw, entry).map_err(|p| layers.invalid(p))?;
        // The resolved scenario states every parameter of the section.
        raw.plugin = Some(section);
        Ok(Self {
            source: layers.0[0].source.clone(),
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::Registered(model),
            raw,
            chart: None,
        })
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

/// Every learning-culture section that a scenario of another model writes
/// (in a file or by `--set`): a mistake, not silently ignored.
fn learning_culture_sections(
    raw: &RawScenario,
    layers: &Layers,
    model: &str,
    own: &str,
    problems: &mut Problems,
) {
    // Every section at its default (only the sections are compared).
    let d: RawScenario = toml::from_str("name = \"x\"").expect("defaults parse");
    let sections = [
        ("org", raw.org != d.org),
        ("population", raw.population != d.population),
        ("hiring", raw.hiring != d.hiring),
        ("leaders", raw.leaders != d.leaders),
        ("engagement", raw.engagement != d.engagement),
        ("learning", raw.learning != d.learning),
        ("belief", raw.belief != d.belief),
        ("culture", raw.culture != d.culture),
        ("leadership", raw.leadership != d.leadership),
        ("turnover", raw.turnover != d.turnover),
        ("formalization", raw.formalization != d.formalization),
        ("learnathon", raw.learnathon != d.learnathon),
        ("community", raw.community != d.community),
        ("init", raw.init != d.init),
        ("events", !raw.events.is_empty()),
        ("survey", raw.survey.is_some()),
        ("calibrate", raw.calibrate.is_some()),
        ("march", raw.march.is_some()),
    ];
    // March's scenarios have always been free to carry [survey] and
    // [calibrate] (ignored); its own section is [march].
    let march = model == "march1991";
    for (name, changed) in sections {
        if march && ["survey", "calibrate", "march"].contains(&name) {
            continue;
        }
        if changed || layers.place(name).is_some() {
            problems.push(
                name,
                format!(
                    "does not apply to model = \"{model}\" (it belongs to {}; {own} configures this one)",
                    if name == "march" { "model \"march1991\"" } else { "the learning-culture model" }
                ),
            );
        }
    }
}

/// The numbers in column `column` of a CSV text (empty cells skipped).
fn csv_column(text: &str, shown: &str, column: &str) -> Result<Vec<f64>, String> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| format!("{shown}: {e}"))?.clone();
    let idx = headers.iter().position(|h| h == column).ok_or_else(|| {
        format!(
            "{shown} has no column '{column}' (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut values = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{shown}: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        match rec.get(idx).unwrap_or("") {
            "" => {}
            cell => values.push(cell.parse::<f64>().map_err(|_| {
                format!("{shown}:{line}: column '{column}' holds '{cell}', not a number")
            })?),
        }
    }
    if values.is_empty() {
        return Err(format!("{shown}: column '{column}' has no values"));
    }
    Ok(values)
}

/// Write a scenario as readable TOML: top-level keys, then one `[section]`
/// per table with distributions as inline tables, then `[[events]]`.
pub fn to_toml(raw: &RawScenario) -> String {
    let mut value = toml::Table::try_from(raw).expect("a raw scenario always serializes");
    if raw.model == "march1991" {
        // Only what that model reads: the top-level keys, [march], [sweep].
        value.retain(|k, v| !v.is_table() || k == "march" || k == "sweep");
        value.remove("events");
    }
    if let Some(entry) = crate::model::registry::find(&raw.model) {
        // Only what that model reads: the top-level keys, its section,
        // [sweep].
        value.retain(|k, v| !v.is_table() || k == "sweep");
        value.remove("events");
        let sweep = value.remove("sweep");
        value.insert(
            entry.section().to_string(),
            toml::Value::Table(raw.plugin.clone().unwrap_or_default()),
        );
        if let Some(sweep) = sweep {
            value.insert("sweep".into(), sweep);
        }
    }
    let mut out = String::new();
    let mut tables = Vec::new();
    let mut arrays = Vec::new();
    for (k, v) in &value {
        match v {
            toml::Value::Table(t) => tables.push((k, t)),
            toml::Value::Array(a) if a.iter().all(toml::Value::is_table) && !a.is_empty() => {
                arrays.push((k, a))
            }
            toml::Value::Array(a) if a.is_empty() && k == "events" => {}
            v => out.push_str(&format!("{k} = {v}\n")),
        }
    }
    for (k, t) in tables {
        out.push_str(&format!("\n[{k}]\n"));
        let chart = k == "org" && t.contains_key("chart");
        for (k2, v2) in t {
            if chart && ["employees", "team_size", "span", "levels"].contains(&k2.as_str()) {
                continue;
            }
            if k == "org" && t.contains_key("levels") && k2 == "span" {
                continue;
            }
            out.push_str(&format!("{k2} = {v2}\n"));
        }
    }
    for (k, a) in arrays {
        for item in a {
            out.push_str(&format!("\n[[{k}]]\n"));
            for (k2, v2) in item.as_table().expect("checked") {
                out.push_str(&format!("{k2} = {v2}\n"));
            }
        }
    }
    out
}

/// An empty container for a missing key: an array when the next path
/// segment is an index, a table otherwise.
fn empty_for(next: &str) -> toml::Value {
    if next.parse::<usize>().is_ok() {
        toml::Value::Array(Vec::new())
    } else {
        toml::Value::Table(toml::Table::new())
    }
}

/// Apply `key.path=value` to a TOML tree and return the key path it set,
/// as messages write it (`events[4].at`). The value is read as TOML (a
/// number, boolean, string in quotes, array or inline table); anything that
/// does not parse is taken as a bare string. A path segment into an array
/// is an index (`events.1.at=300`; one past the end appends:
/// `events.6={kind="learnathon",at=100}`) or the `id` of an entry
/// (`events.shock.at=300`).
pub fn apply_override(table: &mut toml::Table, arg: &str) -> Result<String, ScenarioError> {
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
    let mut shown = segments[0].to_string();
    let mut cur: &mut toml::Value = {
        let first = segments[0];
        if segments.len() == 1 {
            table.insert(first.to_string(), parsed);
            return Ok(shown);
        }
        table
            .entry(first.to_string())
            .or_insert_with(|| empty_for(segments[1]))
    };
    for (n, seg) in segments.iter().enumerate().skip(1) {
        let last = n == segments.len() - 1;
        cur = match cur {
            toml::Value::Table(t) => {
                shown.push_str(&format!(".{seg}"));
                if last {
                    t.insert(seg.to_string(), parsed);
                    return Ok(shown);
                }
                t.entry(seg.to_string())
                    .or_insert_with(|| empty_for(segments[n + 1]))
            }
            toml::Value::Array(a) => {
                let len = a.len();
                let i = match seg.parse::<usize>() {
                    Ok(i) => i,
                    Err(_) => {
                        let ids: Vec<String> = a
                            .iter()
                            .filter_map(|e| e.get("id").and_then(toml::Value::as_str))
                            .map(str::to_string)
                            .collect();
                        match a
                            .iter()
                            .position(|e| e.get("id").and_then(toml::Value::as_str) == Some(seg))
                        {
                            Some(i) => i,
                            None => {
                                let hint = match keys::closest(seg, &ids) {
                                    Some(k) => format!("did you mean \"{k}\"? "),
                                    None => String::new(),
                                };
                                return Err(err(&format!(
                                    "{}: must be followed by an index or the id of an entry, got \"{seg}\"; {hint}(ids: {})",
                                    segments[..n].join("."),
                                    if ids.is_empty() {
                                        "none".to_string()
                                    } else {
                                        ids.join(", ")
                                    }
                                )));
                            }
                        }
                    }
                };
                shown.push_str(&format!("[{i}]"));
                if i == len && last {
                    a.push(parsed);
                    return Ok(shown);
                }
                let slot = a.get_mut(i).ok_or_else(|| {
                    err(&format!(
                        "index {i} is out of range (the array has {len} entries)"
                    ))
                })?;
                if last {
                    *slot = parsed;
                    return Ok(shown);
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
    Ok(shown)
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
