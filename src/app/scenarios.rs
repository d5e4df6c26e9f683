//! Commands about scenario files: `validate`, `list`, `new`, `schema`.

use super::Failure;
use crate::export::atomic;
use crate::model::Models;
use crate::model::learning_culture::params;
use crate::scenario::{Scenario, Source, bundled, keys};
use anyhow::anyhow;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `culturesim validate FILE...`: check each file, report all problems.
pub fn validate(files: &[PathBuf], quiet: bool) -> Result<(), Failure> {
    let mut failed = 0;
    for f in files {
        match Scenario::from_file(f, &[]) {
            Ok(_) if quiet => {}
            Ok(s) => match &s.model {
                Models::LearningCulture(m) => {
                    let org = m.org();
                    println!(
                        "ok: {} ({}, {} steps, {} employees in {} teams, {} events)",
                        s.source,
                        s.name(),
                        s.raw.steps(),
                        org.slots(),
                        org.teams(),
                        s.raw
                            .events
                            .iter()
                            .filter(|e| e.enabled != Some(false))
                            .count()
                    );
                }
                Models::March1991(m) => {
                    let p = &m.config().params;
                    println!(
                        "ok: {} ({}, march1991 ({}), m = {}, n = {}, p1 = {}, p2 = {}, p3 = {}, p4 = {}, at most {} periods)",
                        s.source,
                        s.name(),
                        p.variant,
                        p.m,
                        p.n,
                        p.p1,
                        p.p2,
                        p.p3,
                        p.p4,
                        s.raw.steps()
                    );
                }
                Models::Registered(m) => println!(
                    "ok: {} ({}, {}, {} steps)",
                    s.source,
                    s.name(),
                    m.entry().name(),
                    s.raw.steps()
                ),
            },
            Err(e) => {
                failed += 1;
                eprintln!("Error: {e}");
            }
        }
    }
    if failed > 0 {
        return Err(Failure::Input(anyhow!(
            "{failed} of {} scenario file(s) are invalid",
            files.len()
        )));
    }
    Ok(())
}

/// `culturesim list`: the bundled scenarios and their descriptions.
pub fn list() -> Result<(), Failure> {
    let width = bundled::BUNDLED
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0);
    for (name, text) in bundled::BUNDLED {
        let s = Scenario::from_str(text, Source::Bundled(name.to_string()), &[])
            .map_err(|e| Failure::Runtime(anyhow!("bundled scenario {name} is invalid: {e}")))?;
        println!("{name:<width$}  {}", s.raw.description);
    }
    println!(
        "\nrun one with: culturesim run NAME   (copy one with: culturesim new MY-NAME --from NAME)"
    );
    Ok(())
}

/// `culturesim schema`: the JSON Schema of the scenario format.
pub fn schema() -> Result<(), Failure> {
    let text =
        serde_json::to_string_pretty(keys::schema()).map_err(|e| Failure::Runtime(e.into()))?;
    println!("{text}");
    Ok(())
}

/// `culturesim migrate FILE [-o OUT]`: a format-1 scenario in format 2,
/// comments kept; every change is listed on stderr.
pub fn migrate(file: &Path, out: Option<&Path>) -> Result<(), Failure> {
    let text = crate::limits::read_input(file)
        .map_err(|e| Failure::Input(anyhow!("failed to read '{}': {e}", file.display())))?;
    let inherited = crate::scenario::inherited_time_unit(&text, file);
    let m = crate::scenario::migrate::migrate(&text, inherited.as_deref())
        .map_err(|e| Failure::Input(anyhow!("{}: {e}", file.display())))?;
    if m.changes.is_empty() {
        eprintln!(
            "{} is already in format 2: nothing to change",
            file.display()
        );
    }
    for c in &m.changes {
        eprintln!("  {}: {}", c.path, c.message);
    }
    match out {
        Some(o) => {
            atomic::write(o, m.text.as_bytes()).map_err(Failure::Runtime)?;
            eprintln!(
                "wrote {} ({} change(s); check it with: culturesim validate {0})",
                o.display(),
                m.changes.len()
            );
        }
        None => print!("{}", m.text),
    }
    Ok(())
}

/// `culturesim new NAME [--from SCENARIO]`: write a scenario that validates
/// as written (with a copy of its org chart beside it, if it uses one).
pub fn new(
    name: &str,
    from: Option<&Path>,
    out: Option<&Path>,
    force: bool,
) -> Result<(), Failure> {
    let path = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{name}.toml")));
    let refuse = |p: &Path| {
        Failure::Input(anyhow!(
            "'{}' already exists (use --force to replace it)",
            p.display()
        ))
    };
    if path.exists() && !force {
        return Err(refuse(&path));
    }
    let (text, extra) = match from {
        Some(src) => copy_of(src, name)?,
        None => (template(name), None),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", dir.display())))?;
    if let Some((chart_name, chart)) = &extra {
        let chart_path = dir.join(chart_name);
        if chart_path.exists() && !force {
            return Err(refuse(&chart_path));
        }
        atomic::write(&chart_path, chart.as_bytes()).map_err(Failure::Runtime)?;
        println!("wrote {}", chart_path.display());
    }
    // The file must validate as written.
    Scenario::from_str(&text, Source::File(path.clone()), &[])
        .map_err(|e| Failure::Input(anyhow!("the new scenario would not validate: {e}")))?;
    atomic::write(&path, text.as_bytes()).map_err(Failure::Runtime)?;
    println!(
        "wrote {} (check it with: culturesim validate {0}; run it with: culturesim run {0})",
        path.display()
    );
    Ok(())
}

/// An org chart that comes along with a copied scenario: (file name, text).
type Extra = Option<(String, String)>;

/// A copy of an existing scenario under a new name: the text itself when
/// it stands alone (comments kept), the resolved scenario when it extends
/// another; plus its org chart, if it has one.
fn copy_of(src: &Path, name: &str) -> Result<(String, Extra), Failure> {
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
