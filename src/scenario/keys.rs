//! Every unknown key of a scenario at once, with "did you mean".
//!
//! The scenario's JSON Schema (generated from the serde structs by
//! schemars, the same one `culturesim schema` prints) says which keys each
//! table takes; the TOML text is walked against it with spans, so each
//! unknown key is reported with its line and column and the closest known
//! key.

use super::raw::RawScenario;
use serde_json::Value;
use std::sync::OnceLock;
use toml::de::{DeTable, DeValue};

/// One key that the format does not know.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownKey {
    /// Dotted path of the key, e.g. `belief.asymetry` or `events[1].atx`.
    pub path: String,
    /// Byte offset of the key in the text.
    pub offset: usize,
    /// The closest known key, when one is close enough.
    pub suggestion: Option<String>,
    /// The keys that table takes.
    pub expected: Vec<String>,
}

impl UnknownKey {
    /// The message after the path: `is not a known key; did you mean ...`.
    pub fn message(&self) -> String {
        let hint = match &self.suggestion {
            Some(s) => format!("; did you mean `{s}`?"),
            None => String::new(),
        };
        format!(
            "is not a known key{hint} (this table takes: {})",
            self.expected.join(", ")
        )
    }
}

/// The JSON Schema of the scenario format.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let s = schemars::schema_for!(RawScenario);
        s.as_value().clone()
    })
}

/// Every unknown key in `text` (empty if it does not parse: the parser's
/// own error is reported instead).
pub fn unknown_keys(text: &str) -> Vec<UnknownKey> {
    let Ok(doc) = DeTable::parse(text) else {
        return Vec::new();
    };
    let root = schema();
    let mut out = Vec::new();
    walk_table(doc.get_ref(), root, root, "", &mut out);
    out.sort_by_key(|k| k.offset);
    out
}

/// Follow `$ref`s and pick the object (or array) alternative of `anyOf`.
fn resolve<'a>(root: &'a Value, mut s: &'a Value, want_object: bool) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/$defs/");
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(t) => {
                    s = t;
                    continue;
                }
                None => return s,
            }
        }
        if let Some(alts) = s
            .get("anyOf")
            .or_else(|| s.get("oneOf"))
            .and_then(Value::as_array)
        {
            let pick = alts.iter().find(|a| {
                let a = resolve(root, a, want_object);
                if want_object {
                    a.get("properties").is_some()
                } else {
                    a.get("items").is_some()
                }
            });
            match pick {
                Some(p) => {
                    s = p;
                    continue;
                }
                None => return s,
            }
        }
        if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = only;
            continue;
        }
        return s;
    }
    s
}

fn walk_table(
    t: &DeTable<'_>,
    schema: &Value,
    root: &Value,
    path: &str,
    out: &mut Vec<UnknownKey>,
) {
    let s = resolve(root, schema, true);
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
        let here = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        match props.get(key) {
            Some(sub) => walk_value(v.get_ref(), sub, root, &here, out),
            None if closed => {
                let expected: Vec<String> = props.keys().cloned().collect();
                out.push(UnknownKey {
                    path: here,
                    offset: k.span().start,
                    suggestion: closest(key, &expected),
                    expected,
                });
            }
            None => {}
        }
    }
}

fn walk_value(
    v: &DeValue<'_>,
    schema: &Value,
    root: &Value,
    path: &str,
    out: &mut Vec<UnknownKey>,
) {
    match v {
        DeValue::Table(t) => walk_table(t, schema, root, path, out),
        DeValue::Array(a) => {
            let s = resolve(root, schema, false);
            if let Some(items) = s.get("items") {
                for (i, x) in a.iter().enumerate() {
                    walk_value(x.get_ref(), items, root, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
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
    fn finds_every_unknown_key_with_a_suggestion() {
        let text = "name = \"x\"\nstpes = 3\n[belief]\nasymetry = 3\n[org]\nteam_size = { dist = \"beta\", a = 2, bb = 3 }\n[[events]]\nkind = \"learnathon\"\nat = 3\nparticipaton = 0.5\n[zzz]\n";
        let u = unknown_keys(text);
        let paths: Vec<&str> = u.iter().map(|k| k.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "stpes",
                "belief.asymetry",
                "org.team_size.bb",
                "events[0].participaton",
                "zzz"
            ]
        );
        assert_eq!(u[0].suggestion.as_deref(), Some("steps"));
        assert_eq!(u[1].suggestion.as_deref(), Some("asymmetry"));
        assert_eq!(u[2].suggestion.as_deref(), Some("b"));
        assert_eq!(u[3].suggestion.as_deref(), Some("participation"));
        assert_eq!(u[4].suggestion, None);
        assert!(u[1].message().contains("did you mean `asymmetry`?"));
    }

    #[test]
    fn known_keys_pass() {
        let text = crate::scenario::DEFAULT_SCENARIO;
        assert_eq!(unknown_keys(text), vec![]);
    }
}
