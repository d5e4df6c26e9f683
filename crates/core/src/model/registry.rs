//! One registration per model: everything culturesim needs to know about a
//! model that is not built in, supplied through the [`Plugin`] trait in the
//! model's own folder (or crate) and registered with one line,
//! [`register`].
//!
//! A plugin declares its parameters once ([`Parameter`]: key, default,
//! range, unit of time, documentation and source). From that one
//! declaration come the scenario section's JSON Schema (so unknown keys get
//! "did you mean" with line and column, and wrong types plain words), the
//! range checks (every problem at once, with the file, place, key and
//! rule), the resolved scenario (every value stated), `culturesim new`'s
//! template, and the documentation table ([`parameter_table`]). Its
//! metrics carry descriptions ([`MetricDoc`]); the figures it wants are
//! declared as data ([`Figure`]) and drawn by the report layer, which also
//! prints the text of its report ([`Plugin::report`]).
//!
//! The step loop of a registered model runs behind one virtual call per
//! step and run ([`super::erased`]), never per agent: a plugin's own loop
//! over its individuals is compiled for it. The built-in models
//! (learning-culture, march1991) keep their static dispatch through
//! [`super::Models`].
//!
//! Registration is process-wide and happens before the first scenario is
//! read (the first line of `main`); a name or section that is taken is
//! refused.

use super::erased::{DynModel, SetSteps};
use crate::engine::Model;
use crate::validate::Problems;
use std::sync::{Arc, RwLock};

/// What kind of value a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A number in `[min, max]`.
    Number {
        /// Value when the scenario does not give one.
        default: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A whole number in `[min, max]`.
    Whole {
        /// Value when the scenario does not give one.
        default: u64,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// One of a list of words.
    Choice {
        /// Value when the scenario does not give one.
        default: &'static str,
        /// The allowed words.
        options: &'static [&'static str],
    },
}

/// One parameter of a plugin's scenario section, declared once.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Key inside the model's section (`socialization`).
    pub key: &'static str,
    /// Kind, default and range.
    pub kind: Kind,
    /// What it means, in one sentence (with its unit: "per year").
    pub doc: &'static str,
    /// Where the default comes from (a citation, or "assumption").
    pub source: &'static str,
}

impl Parameter {
    /// A number in `[min, max]` with a default.
    pub const fn number(
        key: &'static str,
        default: f64,
        min: f64,
        max: f64,
        doc: &'static str,
        source: &'static str,
    ) -> Self {
        Self {
            key,
            kind: Kind::Number { default, min, max },
            doc,
            source,
        }
    }

    /// A whole number in `[min, max]` with a default.
    pub const fn whole(
        key: &'static str,
        default: u64,
        min: u64,
        max: u64,
        doc: &'static str,
        source: &'static str,
    ) -> Self {
        Self {
            key,
            kind: Kind::Whole { default, min, max },
            doc,
            source,
        }
    }

    /// One of `options`, with a default.
    pub const fn choice(
        key: &'static str,
        default: &'static str,
        options: &'static [&'static str],
        doc: &'static str,
        source: &'static str,
    ) -> Self {
        Self {
            key,
            kind: Kind::Choice { default, options },
            doc,
            source,
        }
    }

    /// The default as a TOML value.
    pub fn default_value(&self) -> toml::Value {
        match self.kind {
            Kind::Number { default, .. } => toml::Value::Float(default),
            Kind::Whole { default, .. } => {
                toml::Value::Integer(i64::try_from(default).unwrap_or(i64::MAX))
            }
            Kind::Choice { default, .. } => toml::Value::String(default.into()),
        }
    }

    /// The rule, as messages and tables state it.
    pub fn rule(&self) -> String {
        match self.kind {
            Kind::Number { min, max, .. } => format!("a number in [{min}, {max}]"),
            Kind::Whole { min, max, .. } => format!("a whole number in [{min}, {max}]"),
            Kind::Choice { options, .. } => format!(
                "one of {}",
                options
                    .iter()
                    .map(|o| format!("\"{o}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The JSON Schema of the value (the type walker and `culturesim
    /// schema` read it).
    fn schema(&self) -> serde_json::Value {
        use serde_json::json;
        match self.kind {
            Kind::Number { default, min, max } => json!({
                "type": "number", "description": self.doc,
                "default": default, "minimum": min, "maximum": max,
            }),
            Kind::Whole { default, min, max } => json!({
                "type": "integer", "format": "uint64", "description": self.doc,
                "default": default, "minimum": min, "maximum": max,
            }),
            Kind::Choice { default, options } => json!({
                "type": "string", "description": self.doc,
                "default": default, "enum": options,
            }),
        }
    }

    /// Check one given value against the rule: the problem, if any.
    fn check(&self, v: &toml::Value) -> Option<String> {
        let got = |v: &toml::Value| v.to_string();
        match self.kind {
            Kind::Number { min, max, .. } => {
                let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
                (!(min..=max).contains(&x))
                    .then(|| format!("must be in [{min}, {max}], got {}", got(v)))
            }
            Kind::Whole { min, max, .. } => {
                let x = v.as_integer()?;
                let ok = u64::try_from(x).is_ok_and(|x| (min..=max).contains(&x));
                (!ok).then(|| format!("must be a whole number in [{min}, {max}], got {x}"))
            }
            Kind::Choice { options, .. } => {
                let s = v.as_str()?;
                (!options.contains(&s)).then(|| {
                    let known: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                    let hint = match crate::validate::closest(s, &known) {
                        Some(k) => format!("did you mean \"{k}\"? "),
                        None => String::new(),
                    };
                    format!(
                        "must be {}, got \"{s}\"{}",
                        self.rule(),
                        if hint.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", hint.trim_end())
                        }
                    )
                })
            }
        }
    }
}

/// A metric of a plugin, with its description (tables, reports, docs).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDoc {
    /// Column name in timeseries.csv (the order of [`Model::metrics`]).
    pub name: &'static str,
    /// What it measures, in one sentence.
    pub doc: &'static str,
}

/// A figure a plugin wants in every run's folder and report.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Median and 90% band over replicates of some metrics against time.
    Lines {
        /// File stem (`enculturation` gives enculturation.svg and .png).
        file: &'static str,
        /// Title above the chart.
        title: &'static str,
        /// Label of the value axis.
        y_label: &'static str,
        /// Metrics drawn, each a line with its band.
        metrics: &'static [&'static str],
    },
}

/// The values of a plugin's section: every parameter, checked against its
/// rule (defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Values(Vec<(&'static str, toml::Value)>);

impl Values {
    fn get(&self, key: &str) -> Option<&toml::Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// A number parameter (or a whole one, as a number).
    ///
    /// # Panics
    /// If `key` is not a declared number or whole parameter (a bug of the
    /// plugin, not of a scenario).
    pub fn number(&self, key: &str) -> f64 {
        match self.get(key) {
            Some(toml::Value::Float(x)) => *x,
            Some(toml::Value::Integer(i)) => *i as f64,
            _ => panic!("{key} is not a declared number parameter"),
        }
    }

    /// A whole-number parameter.
    ///
    /// # Panics
    /// If `key` is not a declared whole parameter.
    pub fn whole(&self, key: &str) -> u64 {
        match self.get(key) {
            Some(toml::Value::Integer(i)) => u64::try_from(*i).expect("checked >= 0"),
            _ => panic!("{key} is not a declared whole parameter"),
        }
    }

    /// A choice parameter.
    ///
    /// # Panics
    /// If `key` is not a declared choice parameter.
    pub fn choice(&self, key: &str) -> &str {
        match self.get(key) {
            Some(toml::Value::String(s)) => s,
            _ => panic!("{key} is not a declared choice parameter"),
        }
    }

    /// The section as the resolved scenario writes it (every value).
    pub fn to_table(&self) -> toml::Table {
        self.0
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    }
}

/// The shape of a run, as the scenario's shared keys give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunShape {
    /// Steps to run.
    pub steps: u32,
    /// Years per step (`time_unit`): convert per-year rates with it.
    pub years_per_step: f64,
}

/// A model that is not built in: one implementation of this trait, in the
/// model's own folder or crate, is all culturesim needs (docs/EXTENDING.md
/// walks through one).
pub trait Plugin: Send + Sync + 'static {
    /// The model the engine runs.
    type Model: Model<State: 'static> + SetSteps + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// `model = "..."` in a scenario.
    fn name(&self) -> &'static str;
    /// The scenario section that configures it (`[section]`).
    fn section(&self) -> &'static str;
    /// One sentence: what it models, after whom.
    fn about(&self) -> &'static str;
    /// Its parameters, declared once.
    fn parameters(&self) -> Vec<Parameter>;
    /// Its metrics, with descriptions, in the order of [`Model::metrics`].
    fn metrics(&self) -> Vec<MetricDoc>;
    /// Build the model from checked values. A problem that the ranges
    /// cannot state (two values that do not go together) is returned with
    /// its key path (`section.key`).
    fn build(&self, values: &Values, run: RunShape) -> Result<Self::Model, Problems>;
    /// The metric tables and sweep figures show first (default: the first).
    fn primary_metric(&self) -> &'static str {
        self.metrics().first().map_or("", |m| m.name)
    }
    /// The figures every run gets (default: one per metric).
    fn figures(&self) -> Vec<Figure> {
        Vec::new()
    }
    /// The text of its report (paragraphs separated by blank lines; plain
    /// text, escaped by the report).
    fn report(&self) -> String {
        self.about().to_string()
    }
}

/// A registered plugin, its model type erased (what the scenario layer,
/// the commands and the report hold).
pub trait Entry: Send + Sync {
    /// See [`Plugin::name`].
    fn name(&self) -> &'static str;
    /// See [`Plugin::section`].
    fn section(&self) -> &'static str;
    /// See [`Plugin::about`].
    fn about(&self) -> &'static str;
    /// See [`Plugin::parameters`].
    fn parameters(&self) -> Vec<Parameter>;
    /// See [`Plugin::metrics`].
    fn metrics(&self) -> Vec<MetricDoc>;
    /// See [`Plugin::primary_metric`].
    fn primary_metric(&self) -> &'static str;
    /// See [`Plugin::figures`]; one line figure per metric when the plugin
    /// names none.
    fn figures(&self) -> Vec<Figure>;
    /// See [`Plugin::report`].
    fn report(&self) -> String;
    /// Build the model behind its erased face.
    fn build(&self, values: &Values, run: RunShape) -> Result<Arc<dyn DynModel>, Problems>;
}

impl<P: Plugin> Entry for P {
    fn name(&self) -> &'static str {
        Plugin::name(self)
    }
    fn section(&self) -> &'static str {
        Plugin::section(self)
    }
    fn about(&self) -> &'static str {
        Plugin::about(self)
    }
    fn parameters(&self) -> Vec<Parameter> {
        Plugin::parameters(self)
    }
    fn metrics(&self) -> Vec<MetricDoc> {
        Plugin::metrics(self)
    }
    fn primary_metric(&self) -> &'static str {
        Plugin::primary_metric(self)
    }
    fn figures(&self) -> Vec<Figure> {
        let f = Plugin::figures(self);
        if !f.is_empty() {
            return f;
        }
        Plugin::metrics(self)
            .into_iter()
            .map(|m| Figure::Lines {
                file: m.name,
                title: m.doc,
                y_label: m.name,
                metrics: Box::leak(Box::new([m.name])),
            })
            .collect()
    }
    fn report(&self) -> String {
        Plugin::report(self)
    }
    fn build(&self, values: &Values, run: RunShape) -> Result<Arc<dyn DynModel>, Problems> {
        Ok(Arc::new(Plugin::build(self, values, run)?))
    }
}

/// The models registered in this process, in registration order.
static REGISTRY: RwLock<Vec<&'static dyn Entry>> = RwLock::new(Vec::new());

/// The top-level keys of the scenario format (no section may take one;
/// `scenario::keys` checks this list against the format's schema).
pub const FORMAT_KEYS: [&str; 30] = [
    "belief",
    "calibrate",
    "community",
    "culture",
    "description",
    "duration",
    "engagement",
    "events",
    "extends",
    "formalization",
    "format",
    "hiring",
    "init",
    "leaders",
    "leadership",
    "learnathon",
    "learning",
    "march",
    "model",
    "name",
    "optimize",
    "org",
    "population",
    "replicates",
    "seed",
    "steps",
    "survey",
    "sweep",
    "time_unit",
    "turnover",
];

/// Names and sections the built-in models hold.
const BUILT_IN: [(&str, &str); 2] = [("learning-culture", ""), ("march1991", "march")];

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegisterError {
    /// The model name is taken.
    #[error("a model named \"{0}\" is already registered")]
    Name(String),
    /// The section is a key the scenario format already has.
    #[error("the section [{0}] is already a key of the scenario format")]
    Section(String),
    /// A parameter is declared twice, or its default breaks its rule.
    #[error("parameter {0}")]
    Parameter(String),
}

/// Register a model for this process: the one line a new model needs
/// (`culturesim_core::model::registry::register(MyModel)?` at the start of
/// `main`, before any scenario is read).
pub fn register<P: Plugin>(plugin: P) -> Result<(), RegisterError> {
    let name = Plugin::name(&plugin);
    let section = Plugin::section(&plugin);
    let mut all = REGISTRY.write().expect("registry lock");
    if BUILT_IN.iter().any(|(n, _)| *n == name) || all.iter().any(|e| e.name() == name) {
        return Err(RegisterError::Name(name.into()));
    }
    let taken = FORMAT_KEYS.contains(&section);
    if taken || section.is_empty() || all.iter().any(|e| e.section() == section) {
        return Err(RegisterError::Section(section.into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in Plugin::parameters(&plugin) {
        if !seen.insert(p.key) {
            return Err(RegisterError::Parameter(format!(
                "{section}.{} is declared twice",
                p.key
            )));
        }
        if let Some(why) = p.check(&p.default_value()) {
            return Err(RegisterError::Parameter(format!(
                "{section}.{}: the default {why}",
                p.key
            )));
        }
    }
    all.push(Box::leak(Box::new(plugin)));
    Ok(())
}

/// The registered model called `name`.
pub fn find(name: &str) -> Option<&'static dyn Entry> {
    REGISTRY
        .read()
        .expect("registry lock")
        .iter()
        .copied()
        .find(|e| e.name() == name)
}

/// Every registered model, in registration order.
pub fn entries() -> Vec<&'static dyn Entry> {
    REGISTRY.read().expect("registry lock").clone()
}

/// Every `model = "..."` name a scenario may give: the built-in ones,
/// then the registered ones.
pub fn names() -> Vec<&'static str> {
    BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .chain(entries().iter().map(|e| e.name()))
        .collect()
}

/// The JSON Schema of a registered model's section.
pub fn section_schema(entry: &dyn Entry) -> serde_json::Value {
    let props: serde_json::Map<String, serde_json::Value> = entry
        .parameters()
        .iter()
        .map(|p| (p.key.to_string(), p.schema()))
        .collect();
    serde_json::json!({
        "description": format!("[{}]: the parameters of model \"{}\" ({})", entry.section(), entry.name(), entry.about()),
        "type": "object",
        "additionalProperties": false,
        "properties": props,
    })
}

/// Check a section as written (types already checked against the schema)
/// and fill in the defaults: every range problem at once, each with its
/// key path (`section.key`).
pub fn values(entry: &dyn Entry, given: Option<&toml::Table>) -> Result<Values, Problems> {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    for p in entry.parameters() {
        let v = given
            .and_then(|t| t.get(p.key))
            .cloned()
            .unwrap_or_else(|| p.default_value());
        if let Some(why) = p.check(&v) {
            problems.push(format!("{}.{}", entry.section(), p.key), why);
        }
        // A whole number written for a number parameter reads as a number.
        let v = match (&p.kind, v) {
            (Kind::Number { .. }, toml::Value::Integer(i)) => toml::Value::Float(i as f64),
            (_, v) => v,
        };
        out.push((p.key, v));
    }
    if problems.is_empty() {
        Ok(Values(out))
    } else {
        Err(problems)
    }
}

/// The parameter table of a registered model, in Markdown (key, default,
/// rule, meaning, source): the documentation comes from the declaration.
pub fn parameter_table(entry: &dyn Entry) -> String {
    let mut out =
        String::from("| key | default | allowed | meaning | source |\n|---|---|---|---|---|\n");
    for p in entry.parameters() {
        out.push_str(&format!(
            "| `{}.{}` | {} | {} | {} | {} |\n",
            entry.section(),
            p.key,
            p.default_value(),
            p.rule(),
            p.doc,
            p.source
        ));
    }
    out
}

/// The `[section]` of a new scenario: every parameter at its default, each
/// with its meaning and rule as a comment (`culturesim new --model`).
pub fn template(entry: &dyn Entry) -> String {
    let mut out = format!("[{}]\n", entry.section());
    for p in entry.parameters() {
        out.push_str(&format!("# {} ({}; {})\n", p.doc, p.rule(), p.source));
        out.push_str(&format!("{} = {}\n", p.key, p.default_value()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Seeds;

    /// A one-number model: its state is the step count times `rate`.
    #[derive(Debug, Clone)]
    struct Tiny {
        rate: f64,
        steps: u32,
    }

    impl SetSteps for Tiny {
        fn set_steps(&mut self, steps: u32) {
            self.steps = steps;
        }
    }

    impl Model for Tiny {
        type State = f64;
        fn metrics(&self) -> &[&'static str] {
            &["level"]
        }
        fn steps(&self) -> u32 {
            self.steps
        }
        fn init(&self, _: &Seeds) -> f64 {
            0.0
        }
        fn step(&self, s: &mut f64, _: u32, _: &Seeds) {
            *s += self.rate;
        }
        fn observe(&self, s: &f64, out: &mut [f64]) {
            out[0] = *s;
        }
    }

    struct TinyPlugin {
        name: &'static str,
        section: &'static str,
        params: Vec<Parameter>,
    }

    impl Plugin for TinyPlugin {
        type Model = Tiny;
        fn name(&self) -> &'static str {
            self.name
        }
        fn section(&self) -> &'static str {
            self.section
        }
        fn about(&self) -> &'static str {
            "a test model"
        }
        fn parameters(&self) -> Vec<Parameter> {
            self.params.clone()
        }
        fn metrics(&self) -> Vec<MetricDoc> {
            vec![MetricDoc {
                name: "level",
                doc: "the level",
            }]
        }
        fn build(&self, v: &Values, run: RunShape) -> Result<Tiny, Problems> {
            Ok(Tiny {
                rate: v.number("rate") * run.years_per_step,
                steps: run.steps,
            })
        }
    }

    fn tiny(name: &'static str, section: &'static str) -> TinyPlugin {
        TinyPlugin {
            name,
            section,
            params: vec![
                Parameter::number("rate", 1.0, 0.0, 2.0, "growth per year", "assumption"),
                Parameter::whole("size", 3, 1, 10, "a count", "assumption"),
                Parameter::choice("mode", "a", &["a", "b"], "a mode", "assumption"),
            ],
        }
    }

    #[test]
    fn values_fill_defaults_and_report_every_rule_at_once() {
        let p = tiny("t", "t");
        let v = values(&p, None).unwrap();
        assert_eq!(v.number("rate"), 1.0);
        assert_eq!(v.whole("size"), 3);
        assert_eq!(v.choice("mode"), "a");
        let given: toml::Table = toml::from_str("rate = 3\nsize = 11\nmode = \"bb\"").unwrap();
        let e: Vec<String> = values(&p, Some(&given))
            .unwrap_err()
            .0
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        let e = e.join("\n");
        assert!(e.contains("t.rate: must be in [0, 2], got 3"), "{e}");
        assert!(
            e.contains("t.size: must be a whole number in [1, 10], got 11"),
            "{e}"
        );
        assert!(
            e.contains("t.mode: must be one of \"a\", \"b\", got \"bb\"; did you mean \"b\"?"),
            "{e}"
        );
        // A whole number written for a number parameter is a number.
        let given: toml::Table = toml::from_str("rate = 2").unwrap();
        let v = values(&p, Some(&given)).unwrap();
        assert_eq!(v.to_table()["rate"], toml::Value::Float(2.0));
    }

    #[test]
    fn a_registered_model_runs_on_the_engine_through_its_erased_face() {
        let p: &'static TinyPlugin = Box::leak(Box::new(tiny("t", "t")));
        let v = values(p, None).unwrap();
        let run = RunShape {
            steps: 4,
            years_per_step: 0.5,
        };
        let m = super::super::registered::Registered::new(p, Entry::build(p, &v, run).unwrap());
        let out = crate::engine::run_one(
            &m,
            1,
            crate::engine::RunId {
                point: 0,
                replicate: 0,
            },
        );
        assert_eq!(out.len(), 5);
        assert_eq!(out.row(4)[0], 2.0);
        let mut m = m;
        m.set_steps(2);
        assert_eq!(Model::steps(&m), 2);
    }

    #[test]
    fn a_name_section_or_declaration_that_is_taken_is_refused() {
        assert_eq!(
            register(tiny("march1991", "fresh")),
            Err(RegisterError::Name("march1991".into()))
        );
        assert_eq!(
            register(tiny("fresh", "org")),
            Err(RegisterError::Section("org".into()))
        );
        let mut twice = tiny("fresh", "fresh");
        twice.params.push(twice.params[0].clone());
        assert!(
            matches!(register(twice), Err(RegisterError::Parameter(m)) if m.contains("fresh.rate is declared twice"))
        );
        let mut bad = tiny("fresh", "fresh");
        bad.params[0] = Parameter::number("rate", 5.0, 0.0, 2.0, "x", "assumption");
        assert!(
            matches!(register(bad), Err(RegisterError::Parameter(m)) if m.contains("must be in [0, 2], got 5"))
        );
        assert!(find("fresh").is_none());
    }

    #[test]
    fn the_declaration_gives_the_docs_table_and_the_template() {
        let p = tiny("t", "t");
        let table = parameter_table(&p);
        assert!(
            table
                .contains("| `t.rate` | 1.0 | a number in [0, 2] | growth per year | assumption |"),
            "{table}"
        );
        let t = template(&p);
        assert!(
            t.starts_with("[t]\n# growth per year (a number in [0, 2]; assumption)\nrate = 1.0\n"),
            "{t}"
        );
        let parsed: toml::Table = toml::from_str(&t).unwrap();
        assert!(values(&p, parsed["t"].as_table()).is_ok());
    }
}
