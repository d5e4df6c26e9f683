//! Every unknown key and every value of the wrong type in a scenario at
//! once, in plain words, with "did you mean".
//!
//! The scenario's JSON Schema (generated from the serde structs by
//! schemars, the same one `culturesim schema` prints) says which keys each
//! table takes and what type each value has. The TOML text is walked
//! against it with spans, so each unknown key is reported with its line and
//! column and the closest known key; the merged tree (files and `--set`
//! overrides) is walked for types, so a wrong type anywhere is reported as
//! `steps: must be a whole number >= 0, got "ten" (text)`, never in serde's
//! Rust words (`expected u32`).

use super::raw::RawScenario;
use serde_json::Value;
use std::sync::{Mutex, OnceLock};
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

/// The JSON Schema of the built-in scenario format.
pub fn schema_without_plugins() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let s = schemars::schema_for!(RawScenario);
        s.as_value().clone()
    })
}

/// The JSON Schema of the scenario format: the built-in one with the
/// section of every registered model (made again only when a model is
/// registered).
pub fn schema() -> &'static Value {
    static WITH: Mutex<Option<(usize, &'static Value)>> = Mutex::new(None);
    let entries = crate::model::registry::entries();
    if entries.is_empty() {
        return schema_without_plugins();
    }
    let mut cached = WITH.lock().expect("schema lock");
    if let Some((n, v)) = *cached
        && n == entries.len()
    {
        return v;
    }
    let mut v = schema_without_plugins().clone();
    if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
        for e in &entries {
            props.insert(
                e.section().to_string(),
                crate::model::registry::section_schema(*e),
            );
        }
    }
    let v: &'static Value = Box::leak(Box::new(v));
    *cached = Some((entries.len(), v));
    v
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

/// Every value of `table` (a whole scenario tree) whose type the format
/// does not take, and every required key that is missing: (key path,
/// message), in key order.
pub fn wrong_types(table: &toml::Table) -> Vec<(String, String)> {
    let root = schema();
    let mut out = Vec::new();
    check_table(table, root, root, "", &mut out);
    out
}

/// Follow `$ref`s and single `allOf`s (not `anyOf`).
fn deref<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match root
                .get("$defs")
                .and_then(|d| d.get(r.trim_start_matches("#/$defs/")))
            {
                Some(t) => s = t,
                None => return s,
            }
        } else if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = only;
        } else {
            return s;
        }
    }
    s
}

/// The alternatives a value may take at schema `s`, `null` left out (an
/// absent key is how TOML says none).
fn alternatives<'a>(root: &'a Value, s: &'a Value) -> Vec<&'a Value> {
    let s = deref(root, s);
    match s
        .get("anyOf")
        .or_else(|| s.get("oneOf"))
        .and_then(Value::as_array)
    {
        Some(alts) => alts
            .iter()
            .flat_map(|a| alternatives(root, a))
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .collect(),
        None => vec![s],
    }
}

/// The JSON types schema `s` names (`null` left out).
fn types(s: &Value) -> Vec<&str> {
    match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|t| *t != "null")
    .collect()
}

/// Whether `v` has the type of schema `s` (its top level only).
fn fits(v: &toml::Value, s: &Value) -> bool {
    let ts = types(s);
    if ts.is_empty() {
        // A table schema without "type" (properties only), or anything.
        return s.get("properties").is_none() || v.is_table();
    }
    ts.iter().any(|t| match (*t, v) {
        ("integer", toml::Value::Integer(i)) => {
            let min = s.get("minimum").and_then(Value::as_f64);
            let max = match s.get("format").and_then(Value::as_str) {
                Some("uint32") => Some(f64::from(u32::MAX)),
                Some("uint8") => Some(255.0),
                Some("uint16") => Some(65535.0),
                _ => None,
            };
            min.is_none_or(|m| *i as f64 >= m) && max.is_none_or(|m| *i as f64 <= m)
        }
        ("number", toml::Value::Integer(_) | toml::Value::Float(_)) => true,
        ("string", toml::Value::String(_)) => true,
        ("boolean", toml::Value::Boolean(_)) => true,
        ("array", toml::Value::Array(_)) => true,
        ("object", toml::Value::Table(_)) => true,
        _ => false,
    })
}

/// What schema `s` takes, in plain words.
fn wanted(s: &Value) -> String {
    let ts = types(s);
    if ts.is_empty() && s.get("properties").is_some() {
        return "a table".into();
    }
    let words: Vec<String> = ts
        .iter()
        .map(|t| match *t {
            "integer" => {
                let min = s.get("minimum").and_then(Value::as_f64);
                match min {
                    Some(m) => format!("a whole number >= {m}"),
                    None => "a whole number".into(),
                }
            }
            "number" => "a number".into(),
            "string" => "text in quotes".into(),
            "boolean" => "true or false".into(),
            "array" => match s.get("items").map(types).as_deref() {
                Some(["number"]) => "a list of numbers".into(),
                _ => "a list".into(),
            },
            "object" => "a table".into(),
            other => other.into(),
        })
        .collect();
    words.join(" or ")
}

/// A TOML value as a message shows it: `"ten" (text)`, `2.5`, `a table`.
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\" (text)"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format!("{f:?}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => format!("{d} (a date)"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

fn check_value(
    v: &toml::Value,
    s: &Value,
    root: &Value,
    path: &str,
    out: &mut Vec<(String, String)>,
) {
    let alts = alternatives(root, s);
    let Some(fit) = alts.iter().find(|a| fits(v, a)) else {
        let mut words: Vec<String> = alts.iter().map(|a| wanted(a)).collect();
        words.dedup();
        let named_dist = alts
            .iter()
            .any(|a| a.get("properties").is_some_and(|p| p.get("dist").is_some()));
        let what = if named_dist {
            "a number or a table like { dist = \"beta\", a = 2, b = 3 }".to_string()
        } else {
            words.join(" or ")
        };
        out.push((
            path.to_string(),
            format!("must be {what}, got {}", shown(v)),
        ));
        return;
    };
    match v {
        toml::Value::Table(t) => check_table(t, fit, root, path, out),
        toml::Value::Array(items) => {
            if let Some(item) = fit.get("items") {
                for (i, x) in items.iter().enumerate() {
                    check_value(x, item, root, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn check_table(
    t: &toml::Table,
    s: &Value,
    root: &Value,
    path: &str,
    out: &mut Vec<(String, String)>,
) {
    let s = deref(root, s);
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    let props = s.get("properties").and_then(Value::as_object);
    for (k, v) in t {
        match props.and_then(|p| p.get(k)) {
            Some(sub) => check_value(v, sub, root, &at(k), out),
            None => {
                if let Some(extra) = s.get("additionalProperties").filter(|a| a.is_object()) {
                    check_value(v, extra, root, &at(k), out);
                }
            }
        }
    }
    if let Some(req) = s.get("required").and_then(Value::as_array) {
        for k in req.iter().filter_map(Value::as_str) {
            if !t.contains_key(k) {
                let about = props
                    .and_then(|p| p.get(k))
                    .and_then(|p| p.get("description"))
                    .and_then(Value::as_str)
                    .map(|d| {
                        let d: Vec<&str> = d.split_whitespace().collect();
                        format!(" ({})", d.join(" ").trim_end_matches('.'))
                    })
                    .unwrap_or_default();
                out.push((at(k), format!("must be given{about}")));
            }
        }
    }
}

/// A serde message in plain words: Rust type names become what a scenario
/// writes (`expected u32` → `expected a whole number >= 0`).
pub fn plain(message: &str) -> String {
    let mut m = message.trim().to_string();
    for (rust, words) in [
        ("u64", "a whole number >= 0"),
        ("u32", "a whole number >= 0"),
        ("usize", "a whole number >= 0"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("a boolean", "true or false"),
        ("a string", "text in quotes"),
        ("a sequence", "a list"),
        ("a map", "a table"),
        ("struct ", "table "),
        ("unknown field", "unknown key"),
        ("missing field", "missing key"),
    ] {
        m = m.replace(&format!("expected {rust}"), &format!("expected {words}"));
        m = m.replace(rust, words);
    }
    m
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

    fn types_of(text: &str) -> Vec<(String, String)> {
        wrong_types(&toml::from_str(text).unwrap())
    }

    #[test]
    fn every_wrong_type_at_once_in_plain_words() {
        let t = types_of(
            "name = \"x\"\nsteps = \"ten\"\nreplicates = -3\n[learning]\nrate = \"fast\"\n[population]\nmastery = \"high\"\n[[events]]\nkind = \"learnathon\"\nat = true\nadapt = 1\n",
        );
        let got: Vec<String> = t.iter().map(|(p, m)| format!("{p}: {m}")).collect();
        assert_eq!(
            got,
            vec![
                "steps: must be a whole number >= 0, got \"ten\" (text)",
                "replicates: must be a whole number >= 0, got -3",
                "learning.rate: must be a number, got \"fast\" (text)",
                "population.mastery: must be a number or a table like { dist = \"beta\", a = 2, b = 3 }, got \"high\" (text)",
                "events[0].at: must be a number or text in quotes, got true",
                "events[0].adapt: must be true or false, got 1",
            ]
        );
        for (_, m) in &t {
            for rust in ["u32", "f64", "u64", "i64"] {
                assert!(!m.contains(rust), "{m}");
            }
        }
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let t = types_of("steps = 3\n[[events]]\nat = 3\n");
        let paths: Vec<&str> = t.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, vec!["events[0].kind", "name"]);
        assert!(
            t[1].1.starts_with("must be given (Short name"),
            "{}",
            t[1].1
        );
    }

    #[test]
    fn plain_words_for_serde_messages() {
        assert_eq!(
            plain("invalid type: string \"ten\", expected u32"),
            "invalid type: string \"ten\", expected a whole number >= 0"
        );
    }

    #[test]
    fn known_keys_pass() {
        let text = crate::scenario::DEFAULT_SCENARIO;
        assert_eq!(unknown_keys(text), vec![]);
    }
}
