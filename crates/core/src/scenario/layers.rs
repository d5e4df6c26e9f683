//! The files of a scenario: reading one (or a bundled scenario by name),
//! its `extends` chain, the deep merge of the chain, and where each key was
//! written (a file's line and column, or a `--set` on the command line), so
//! that every problem is reported at its place.

use super::error::syntax;
use super::{ScenarioError, Source, bundled, keys, locate, migrate};
use crate::validate::Problems;
use std::path::Path;

/// One file of an `extends` chain.
#[derive(Debug, Clone)]
pub(super) struct Layer {
    pub(super) source: Source,
    pub(super) text: String,
}

/// The files of a scenario, the scenario itself first, then what it
/// extends; and the command line's `--set` overrides, each with the key
/// path it set (`events[4].at` for `events.shock.at=300`), so a problem
/// with a value from the command line is blamed on the command line.
#[derive(Debug, Clone)]
pub(super) struct Layers(pub(super) Vec<Layer>, pub(super) Vec<(String, String)>);

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
    pub(super) fn resolve(text: &str, source: Source) -> Result<Self, ScenarioError> {
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
    pub(super) fn unknown_keys(&self, found: &mut Found) {
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
    pub(super) fn events(&self) -> Vec<Vec<toml::Value>> {
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
    pub(super) fn check_ids(&self, found: &mut Found) {
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
    pub(super) fn merged(&self) -> Result<toml::Table, ScenarioError> {
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
    pub(super) fn read_beside(&self, key: &str, name: &str) -> Result<(String, String), String> {
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
    pub(super) fn place(&self, path: &str) -> Option<String> {
        if let Some((_, arg)) = self.1.iter().rev().find(|(set, _)| covers(set, path)) {
            return Some(format!("--set {arg}"));
        }
        self.0.iter().find_map(|l| {
            locate::locate(&l.text, path).map(|(line, col)| format!("{}:{line}:{col}", l.source))
        })
    }

    /// Where a message about `path` points: [`Self::place`], except in text
    /// held in memory, which is no file the reader could open.
    pub(super) fn shown_place(&self, path: &str) -> Option<String> {
        match self.0[0].source {
            Source::Memory { .. } if !self.1.iter().any(|(set, _)| covers(set, path)) => None,
            _ => self.place(path),
        }
    }

    pub(super) fn invalid(&self, problems: Problems) -> ScenarioError {
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
    pub(super) fn format1(&self, found: &mut Found) {
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
pub(super) struct Found {
    pub(super) problems: Problems,
    pub(super) places: Vec<Option<String>>,
}

impl Found {
    pub(super) fn push(&mut self, place: Option<String>, path: String, message: String) {
        self.problems.push(path, message);
        self.places.push(place);
    }

    pub(super) fn into_error(self, origin: &Source) -> Result<(), ScenarioError> {
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
