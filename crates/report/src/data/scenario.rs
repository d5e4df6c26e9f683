//! The parts of a run's scenario.toml the figures and the report show:
//! name, description, time unit, events (times in steps), the loop's
//! coupling κ and the high-culture threshold. The file is read as the
//! core's [`RawScenario`], so every default comes from the one
//! declaration of each key (`culture.coupling`, …), never from a copy here.

use culturesim_core::export::ReadError;
use culturesim_core::scenario::raw::{RawDist, RawScenario, RawTime};
use std::path::Path;

/// One event as written in scenario.toml (only what the figures use).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEvent {
    /// Kind.
    pub kind: String,
    /// Label (the kind when absent).
    pub label: String,
    /// First step.
    pub at: u32,
    /// Period, for recurring events.
    pub every: Option<u32>,
    /// Steps a programme runs.
    pub duration: Option<u32>,
    /// replace_leader: the newcomer's alignment when it is a number.
    pub alignment: Option<f64>,
    /// learnathon: management commitment when it is a number.
    pub commitment: Option<f64>,
    /// Scope ("top", "unit:u2", ...).
    pub scope: Option<String>,
}

/// The parts of scenario.toml the report shows.
#[derive(Debug, Clone)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// What a step is.
    pub time_unit: String,
    /// Events as written.
    pub events: Vec<ScenarioEvent>,
    /// culture.coupling (κ): 0 switches the reinforcing loop off.
    pub coupling: f64,
    /// culture.high_threshold.
    pub high_threshold: f64,
    /// The whole file.
    pub toml: String,
}

impl ScenarioInfo {
    /// What the report shows of `raw`, whose text is `toml`.
    pub fn of(raw: &RawScenario, toml: String) -> Self {
        // Event times in steps: format 2 writes real units ("26w", or
        // years), format 1 (older run folders) wrote steps.
        let format1 = raw.format == 1;
        let dt = raw.years_per_step();
        let steps = |t: &Option<RawTime>| -> Option<u32> {
            match (t.as_ref()?, format1) {
                (RawTime::Years(n), true) => Some(n.max(0.0) as u32),
                (t, _) => t.steps(dt).ok(),
            }
        };
        let number = |d: &Option<RawDist>| match d {
            Some(RawDist::Constant(v)) => Some(*v),
            _ => None,
        };
        let events = raw
            .events
            .iter()
            .map(|e| {
                let every = steps(&e.every);
                ScenarioEvent {
                    label: e.label.clone().unwrap_or_else(|| e.kind.replace('_', " ")),
                    kind: e.kind.clone(),
                    at: match every {
                        Some(_) => steps(&e.start).unwrap_or(0),
                        None => steps(&e.at).unwrap_or(0),
                    },
                    every,
                    duration: steps(&e.duration),
                    alignment: number(&e.alignment),
                    commitment: number(&e.commitment),
                    scope: e.scope.clone(),
                }
            })
            .collect();
        Self {
            name: raw.name.clone(),
            description: raw.description.clone(),
            time_unit: raw.time_unit.clone(),
            events,
            coupling: raw.culture.coupling,
            high_threshold: raw.culture.high_threshold,
            toml,
        }
    }
}

/// Parse a run's scenario.toml (`path` names it in errors, with the line,
/// column and key of what is wrong).
pub fn parse(text: &str, path: &Path) -> Result<ScenarioInfo, ReadError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                (line as u64, column as u64)
            })
            .unwrap_or((0, 0));
        ReadError::Invalid {
            path: path.to_path_buf(),
            what: "scenario",
            line,
            column,
            field: String::new(),
            message: e.message().trim_end().to_string(),
        }
    })?;
    Ok(ScenarioInfo::of(&raw, text.to_string()))
}

/// Parse the parts of a resolved scenario the figures use.
pub fn parse_scenario(text: &str) -> Result<ScenarioInfo, ReadError> {
    parse(text, Path::new("scenario.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_events() {
        let s = parse_scenario(
            "name = \"x\"\n[culture]\ncoupling = 0\n\
             [[events]]\nkind = \"learnathon\"\nevery = \"52w\"\nstart = \"40w\"\n\
             [[events]]\nkind = \"replace_leader\"\nat = \"260w\"\nalignment = 0.05\nlabel = \"boss\"\n",
        )
        .unwrap();
        assert_eq!(s.coupling, 0.0);
        assert_eq!(s.time_unit, "week");
        assert_eq!(s.events[0].at, 40);
        assert_eq!(s.events[0].every, Some(52));
        assert_eq!(s.events[0].label, "learnathon");
        assert_eq!(s.events[1].alignment, Some(0.05));
        assert_eq!(s.events[1].label, "boss");
    }

    #[test]
    fn defaults_come_from_the_core_declaration() {
        let s = parse_scenario("name = \"x\"\n").unwrap();
        let defaults = culturesim_core::model::learning_culture::params::Culture::default();
        assert_eq!(s.coupling, defaults.coupling);
        assert_eq!(s.high_threshold, defaults.high_threshold);
    }

    #[test]
    fn a_bad_key_names_the_file_line_and_key() {
        let e = parse(
            "name = \"x\"\n[culture]\ncoupling = \"strong\"\n",
            Path::new("r/scenario.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("'r/scenario.toml' is not a valid scenario: line 3, column 12: "),
            "{e}"
        );
        let e = parse(
            "name = \"x\"\n[culture]\ncuopling = 1\n",
            Path::new("r/scenario.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("cuopling"), "{e}");
    }
}
