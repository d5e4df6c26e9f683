//! What can be wrong with a scenario, as one error type whose messages
//! name the file, line, column and key of every problem.

use super::Source;
use super::locate;
use crate::validate::Problems;
use std::path::PathBuf;

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

/// A TOML syntax error at its place: `file:line:col: TOML syntax: ...`.
pub(super) fn syntax(source: &Source, text: &str, e: &toml::de::Error) -> ScenarioError {
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
