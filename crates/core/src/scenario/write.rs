//! A resolved scenario written back as TOML (what `run` writes as the run
//! folder's scenario.toml and `culturesim new` starts from).

use super::raw::RawScenario;

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
