//! Collecting every validation problem of an input at once.
//!
//! Checks push a [`Problem`] (key path, rule, value) instead of returning at
//! the first failure, so a user sees all mistakes in one go.

use std::fmt;

/// One violated rule at one key path; shown as `path: rule, got value; hint`.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key path, e.g. `belief.asymmetry` or `events[2].at`.
    pub path: String,
    /// What is wrong, e.g. `must be in [0, 1], got 1.3`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// An accumulator of problems.
#[derive(Debug, Default, Clone)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Record a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Check `lo <= v <= hi`.
    pub fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.push(path, format!("must be in [{lo}, {hi}], got {v}"));
        }
    }

    /// Check `v` is a probability or share in [0, 1].
    pub fn unit(&mut self, path: &str, v: f64) {
        self.range(path, v, 0.0, 1.0);
    }

    /// Check `v >= 0` and finite.
    pub fn non_negative(&mut self, path: &str, v: f64) {
        if !(v.is_finite() && v >= 0.0) {
            self.push(path, format!("must be a finite number >= 0, got {v}"));
        }
    }

    /// Check `v > 0` and finite.
    pub fn positive(&mut self, path: &str, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            self.push(path, format!("must be a finite number > 0, got {v}"));
        }
    }
}

/// The known key closest to `key` by edit distance, if close enough
/// (at most 2 edits, or a third of the key's length for long keys).
pub fn closest(key: &str, known: &[String]) -> Option<String> {
    let limit = (key.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, (*k).clone()))
        .map(|(_, k)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem() {
        let mut p = Problems::default();
        p.unit("a.b", 1.3);
        p.unit("a.c", 0.5);
        p.positive("a.d", 0.0);
        p.non_negative("a.e", f64::NAN);
        assert_eq!(p.0.len(), 3);
        assert_eq!(p.0[0].to_string(), "a.b: must be in [0, 1], got 1.3");
    }
}
