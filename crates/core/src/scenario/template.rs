//! New scenario files (`culturesim new`): a fully commented template of
//! the learning-culture model (every key with its default and meaning,
//! from the format's own documentation, the JSON Schema), the template of
//! a registered model (from its one declaration), and a copy of an
//! existing scenario under a new name.

use super::{Scenario, Source, bundled, keys};
use crate::command::Failure;
use crate::model::learning_culture::params;
use anyhow::anyhow;
use serde_json::Value;
use std::path::Path;

/// A new scenario of a registered model: the shared keys, then its section
/// with every parameter at its default (from its one declaration).
pub fn model_template(name: &str, model: &str) -> Result<String, Failure> {
    let Some(entry) = crate::model::registry::find(model) else {
        let names = crate::model::registry::names().join(", ");
        let hint = if model == "march1991" {
            "; start a March (1991) scenario from the bundled one: --from march1991-fig1"
                .to_string()
        } else {
            String::new()
        };
        return Err(Failure::Input(anyhow!(
            "--model {model}: no registered model has that name (known: {names}){hint}"
        )));
    };
    Ok(format!(
        "# A new scenario of model \"{model}\": {}.\nname = \"{name}\"\nmodel = \"{model}\"\nduration = \"10y\"\ntime_unit = \"month\"\nreplicates = 16\n\n{}",
        entry.about(),
        crate::model::registry::template(entry)
    ))
}

/// An org chart that comes along with a copied scenario: (file name, text).
pub type Extra = Option<(String, String)>;

/// A copy of an existing scenario under a new name: the text itself when
/// it stands alone (comments kept), the resolved scenario when it extends
/// another; plus its org chart, if it has one.
pub fn copy_of(src: &Path, name: &str) -> Result<(String, Extra), Failure> {
    let s = Scenario::from_file(src, &[]).map_err(|e| Failure::Input(e.into()))?;
    let original = match &s.source {
        Source::File(p) => crate::limits::read_input(p).map_err(|e| Failure::Runtime(e.into()))?,
        Source::Bundled(n) => bundled::get(n).unwrap_or_default().to_string(),
        Source::Memory { .. } => s.resolved_toml(),
    };
    let table: Option<toml::Table> = toml::from_str(&original).ok();
    let extends = table.as_ref().is_some_and(|t| t.contains_key("extends"));
    if !extends {
        let mut replaced = false;
        let lines: Vec<String> = original
            .lines()
            .map(|l| {
                if !replaced && l.trim_start().starts_with("name") && l.contains('=') {
                    replaced = true;
                    format!("name = {}", toml_string(name))
                } else {
                    l.to_string()
                }
            })
            .collect();
        // The chart keeps the name the text gives it.
        let chart_name = table
            .as_ref()
            .and_then(|t| t.get("org")?.get("chart")?.as_str().map(str::to_string));
        let extra = chart_name.zip(s.chart.clone());
        return Ok((lines.join("\n") + "\n", extra));
    }
    let mut raw = s.raw.clone();
    raw.name = name.to_string();
    let extra = s
        .chart
        .clone()
        .map(|text| (crate::scenario::CHART_COPY.to_string(), text));
    let text = format!(
        "# {name}: a copy of {} with everything it extends resolved.\n{}",
        s.source,
        crate::scenario::to_toml(&raw)
    );
    Ok((text, extra))
}

/// `s` as a TOML string (quoted, escaped).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A fully commented template: every section and key with its default and
/// its meaning (from the format's own documentation, the JSON Schema).
pub fn template(name: &str) -> String {
    let raw = Scenario::from_str(
        &format!("name = {}", toml_string(name)),
        Source::Bundled("template".into()),
        &[],
    )
    .expect("defaults validate")
    .raw;
    let body = crate::scenario::to_toml(&raw);
    let schema = keys::schema();
    let mut out = String::new();
    out.push_str(&format!(
        "# {name}: a culturesim scenario. Every key is shown with its default and\n\
         # meaning; delete what you do not change. Units (format 2): rates are per\n\
         # year, durations in weeks (keys ending in _weeks), times and durations of\n\
         # the run and of events in real units (\"26w\", \"5y\", \"6m\", \"90d\" or a\n\
         # number of years); the model converts them for the step, `time_unit`\n\
         # (a week by default). Reference: docs/SCENARIOS.md, docs/MODEL.md.\n\n"
    ));
    let mut section: Option<String> = None;
    for line in body.lines() {
        let t = line.trim();
        if let Some(sec) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            section = Some(sec.to_string());
            if let Some(d) = description(schema, None, sec) {
                for l in wrap(&d) {
                    out.push_str(&format!("# {l}\n"));
                }
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some((key, _)) = t.split_once('=') {
            let key = key.trim();
            if let Some(d) = description(schema, section.as_deref(), key) {
                let unit = section
                    .as_deref()
                    .and_then(|sec| params::unit_of(&format!("{sec}.{key}")))
                    .map(|u| format!("[{}] ", u.label()))
                    .unwrap_or_default();
                for l in wrap(&format!("{unit}{d}")) {
                    out.push_str(&format!("# {l}\n"));
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(EVENT_EXAMPLES);
    out
}

/// The schema description of `key` in top-level table `section` (or of a
/// top-level key / section when `section` is `None`).
fn description(schema: &Value, section: Option<&str>, key: &str) -> Option<String> {
    let top = schema.get("properties")?;
    let prop = match section {
        None => top.get(key)?,
        Some(sec) => {
            let s = top.get(sec)?;
            let s = deref(schema, s);
            s.get("properties")?.get(key)?
        }
    };
    let d = prop
        .get("description")
        .or_else(|| deref(schema, prop).get("description"))?;
    d.as_str().map(|s| s.replace('\n', " "))
}

/// A schema node with its `$ref` (or `allOf[0].$ref`) followed.
fn deref<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    let r = s.get("$ref").or_else(|| {
        s.get("allOf")
            .and_then(|a| a.get(0))
            .and_then(|x| x.get("$ref"))
    });
    match r.and_then(Value::as_str) {
        Some(r) => root
            .get("$defs")
            .and_then(|d| d.get(r.trim_start_matches("#/$defs/")))
            .unwrap_or(s),
        None => s,
    }
}

/// `text` in lines of at most about 76 characters (for comments).
fn wrap(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if !cur.is_empty() && cur.len() + w.len() > 76 {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The commented examples of events and a sweep at a template's end.
const EVENT_EXAMPLES: &str = r#"
# Timeline events (uncomment and adapt). `at = TIME` for a one-off event,
# or `every = PERIOD` with optional `start` / `until` for a recurring one;
# times are "26w", "5y", "6m", "90d", "2q" or a number of years.
# `scope`: all (default), top, unit:NAME, team:NAME, random:K, fraction:F,
# lowest:K, highest:K (leaders by alignment). Units are named top, u1, u1.2, ...
#
# [[events]]
# kind = "learning_leadership"     # also learning_practice, personal_mastery
# at = 0
# duration = "3y"                  # how long the programme runs
# reach = 1.0                      # share of leaders / teams / employees reached
# strength = 0.21                  # rate per year at which it closes the distance to 1
# review_after = "6m"              # results-focused management reviews it (omit: patient)
# review_target = 0.05             # and stops it if culture gained less; the rest of the
# relaunch_after = "3m"            # budget is relaunched this long after a stop
#
# [[events]]
# kind = "learnathon"
# every = "1y"
# start = "40w"
# participation = 0.3
# commitment = 0.9                 # management commitment; 0 makes it backfire
#
# [[events]]
# kind = "community_of_practice"
# at = "1y"
# density = 0.3                    # share of employees who join
#
# [[events]]
# kind = "replace_leader"
# at = "5y"
# scope = "top"
# alignment = 0.05                 # a number or a distribution
# adapt = false                    # whether the newcomer adapts to their superior
#
# [[events]]
# kind = "turnover_wave"           # select = "most_influential" for the 80:20 case
# at = "6y"
# fraction = 0.2
#
# [[events]]
# kind = "reorganization"
# at = "6y"
# fraction = 0.2
# disruption = 0.5
#
# [[events]]
# kind = "budget_cut"
# at = "6y"
# scope = "unit:u1"
# cut = 0.3

# A design of many runs for `culturesim sweep` (ignored by `run`):
# [sweep]
# design = "grid"                       # or "zip", or "lhs" with samples = N and { min, max } ranges
# [sweep.params]
# "culture.coupling" = [0.0, 0.5, 1.0]
# "leaders.commitment" = [0.6, 0.9]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_validates_and_is_commented() {
        let t = template("my-org");
        Scenario::from_str(&t, Source::Bundled("x".into()), &[]).unwrap();
        assert!(t.contains("name = \"my-org\""));
        assert!(
            t.contains("# [weight] κ: strength of the reinforcing loop"),
            "{t}"
        );
        assert!(t.contains("# [per year] r: rate per year"), "{t}");
        assert!(t.contains("[engagement]"));
        assert!(t.matches("\n# ").count() > 60);
    }
}
