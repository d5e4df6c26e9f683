//! `--set key.path=value`: command-line overrides applied to the merged
//! TOML tree before it is typed.

use super::{ScenarioError, keys};

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
                let i = array_index(a, seg, &segments[..n]).map_err(|m| err(&m))?;
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

/// The index a path segment names in an array: a number, or the `id` of
/// an entry (`events.shock`); otherwise what the entries' ids are.
fn array_index(a: &[toml::Value], seg: &str, before: &[&str]) -> Result<usize, String> {
    if let Ok(i) = seg.parse::<usize>() {
        return Ok(i);
    }
    let id_of = |e: &toml::Value| {
        e.get("id")
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    if let Some(i) = a.iter().position(|e| id_of(e).as_deref() == Some(seg)) {
        return Ok(i);
    }
    let ids: Vec<String> = a.iter().filter_map(id_of).collect();
    let hint = match keys::closest(seg, &ids) {
        Some(k) => format!("did you mean \"{k}\"? "),
        None => String::new(),
    };
    Err(format!(
        "{}: must be followed by an index or the id of an entry, got \"{seg}\"; {hint}(ids: {})",
        before.join("."),
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    ))
}
