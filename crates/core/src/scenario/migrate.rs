//! Format 1 → format 2: the per-step values of an old scenario file as
//! rates per year and times in real units.
//!
//! Format 1 stated every rate, probability and duration per step (written
//! for weeks) and every event time in steps. [`migrate`] rewrites a file's
//! own keys with the exact inverse of the model's conversion
//! ([`Unit::from_step`]), using the file's `time_unit`, so the migrated
//! file runs as the old one did; comments and layout are kept (toml_edit).
//! The list of [`Change`]s is also what the refusal of a format-1 file
//! tells the reader to change.

use super::raw::RawTime;
use crate::model::learning_culture::params::{self, Params, Unit};
use toml_edit::{DocumentMut, Item, Key, Table, Value};

/// One key rewritten by the migration.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Key path as messages write it (`learning.rate`, `events[2].at`).
    pub path: String,
    /// What to do, e.g. `0.01 per step (week) -> 0.5244 per year: write rate = 0.5244`.
    pub message: String,
}

/// A migrated file.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// The format-2 text.
    pub text: String,
    /// Every key that changed.
    pub changes: Vec<Change>,
}

/// The per-step defaults of format 1 that depend on the step (written for
/// weeks): what a format-1 file that omits the key ran.
const FORMAT1_DEFAULTS: [(&str, f64); 21] = [
    ("learning.rate", 0.01),
    ("learning.forgetting", 0.002),
    ("learning.draw", 0.002),
    ("belief.rate", 0.01),
    ("belief.asymmetry", 3.0),
    ("belief.socialization_weeks", 26.0),
    ("belief.socialization_boost", 3.0),
    ("culture.practice_rate", 0.05),
    ("culture.rate", 0.02),
    ("culture.asymmetry", 3.0),
    ("culture.org_rate", 0.1),
    ("leadership.alignment_rate", 0.003),
    ("leadership.asymmetry", 3.0),
    ("leadership.turnover", 0.0015),
    ("turnover.base", 0.0015),
    ("turnover.fill_rate", 0.25),
    ("formalization.rate", 0.02),
    ("formalization.decay", 0.001),
    ("learnathon.duration", 8.0),
    ("learnathon.termination", 0.15),
    ("community.knowledge", 0.003),
];

/// The format-1 (per-step) value a file ran for `path` if it omits it.
fn format1_default(path: &str) -> f64 {
    FORMAT1_DEFAULTS
        .iter()
        .find(|(k, _)| *k == path)
        .map(|(_, v)| *v)
        .or_else(|| Params::default().get(path))
        .unwrap_or(0.0)
}

/// A number as TOML writes it, rounded to 9 significant digits (enough
/// that the model's f32 per-step values come out as before).
fn round6(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 8 - v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

fn number(item: &Item) -> Option<f64> {
    item.as_float()
        .or_else(|| item.as_integer().map(|i| i as f64))
}

/// Replace the value of `item` by `v`, keeping its decoration (comments).
fn set(item: &mut Item, v: Value) {
    let decor = item.as_value().map(|x| x.decor().clone());
    let mut v = v;
    if let Some(d) = decor {
        *v.decor_mut() = d;
    }
    *item = Item::Value(v);
}

fn float(v: f64) -> Value {
    let v = round6(v);
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// Rename key `old` of `t` to `new` with value `v`, in place (order,
/// comments before the key and after the value kept).
fn rename(t: &mut Table, old: &str, new: &str, v: Value) {
    let items: Vec<(Key, Item)> = t
        .iter()
        .map(|(k, _)| {
            let (key, item) = t.get_key_value(k).expect("listed");
            (key.clone(), item.clone())
        })
        .collect();
    t.clear();
    for (key, mut item) in items {
        if key.get() == old {
            let renamed = Key::new(new).with_leaf_decor(key.leaf_decor().clone());
            set(&mut item, v.clone());
            t.insert_formatted(&renamed, item);
        } else {
            t.insert_formatted(&key, item);
        }
    }
}

/// Migrate the text of a format-1 scenario. `inherited_unit` is the
/// `time_unit` of what the file extends (when it does not state its own).
/// A file already in format 2 comes back unchanged, with no changes.
pub fn migrate(text: &str, inherited_unit: Option<&str>) -> Result<Migrated, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("TOML syntax: {e}"))?;
    // The values as the file states them, read while `doc` changes.
    let original = doc.clone();
    let root = doc.as_table_mut();
    let format = root.get("format").and_then(Item::as_integer).unwrap_or(1);
    if format != 1 {
        return Ok(Migrated {
            text: text.to_string(),
            changes: Vec::new(),
        });
    }
    let mut changes = Vec::new();
    write_format_2(root);
    change(
        &mut changes,
        "format",
        "format 1 stated values per step; write format = 2 (rates per year, times in real units)"
            .into(),
    );
    let march = root.get("model").and_then(Item::as_str) == Some("march1991");
    if march {
        // March's model counts periods: nothing else depends on the step.
        return Ok(Migrated {
            text: doc.to_string(),
            changes,
        });
    }
    let unit = root
        .get("time_unit")
        .and_then(Item::as_str)
        .or(inherited_unit)
        .unwrap_or("week")
        .to_string();
    let dt = params::years_per_step(&unit).ok_or_else(|| {
        format!("time_unit = \"{unit}\" is not day, week, month, quarter or year")
    })?;
    if let Some(n) = root.get("steps").and_then(number) {
        let t = spell(n, &unit);
        rename(root, "steps", "duration", Value::from(t.as_str()));
        change(
            &mut changes,
            "steps",
            format!(
                "format 2 states how long the run lasts: write duration = \"{t}\" instead of steps = {n}"
            ),
        );
    }
    migrate_params(root, &original, &unit, dt, &mut changes)?;
    migrate_events(root, &unit, dt, &mut changes);
    migrate_sweep(root, &unit, dt, &mut changes);
    Ok(Migrated {
        text: doc.to_string(),
        changes,
    })
}

/// Record a change at `path`.
fn change(changes: &mut Vec<Change>, path: &str, message: String) {
    changes.push(Change {
        path: path.to_string(),
        message,
    })
}

/// `n` steps of `unit` as format 2 spells a time (`"26w"`).
fn spell(n: f64, unit: &str) -> String {
    match RawTime::of_steps(n.max(0.0) as u32, unit) {
        RawTime::Text(t) => t,
        RawTime::Years(_) => unreachable!("of_steps spells a unit"),
    }
}

/// Set `format = 2`: in place when the file states a format, else first,
/// with the comment that opened the file above it.
fn write_format_2(root: &mut Table) {
    match root.get_mut("format") {
        Some(item) => set(item, Value::from(2)),
        None => {
            let first = root.iter().next().map(|(k, _)| k.to_string());
            root.insert("format", toml_edit::value(2));
            root.sort_values_by(|a, _, b, _| (b.get() == "format").cmp(&(a.get() == "format")));
            if let Some(first) = first
                && let Some(mut k) = root.key_mut(&first)
            {
                let prefix = k.leaf_decor().prefix().cloned();
                k.leaf_decor_mut().set_prefix("");
                if let (Some(prefix), Some(mut f)) = (prefix, root.key_mut("format")) {
                    f.leaf_decor_mut().set_prefix(prefix);
                }
            }
        }
    }
}

/// Every time-dependent parameter the file states (and, off weeks, the
/// ones it left at format 1's weekly defaults, which it ran per step),
/// converted from per step of `unit` (`dt` years) to format 2's units;
/// `original` is the file as stated.
fn migrate_params(
    root: &mut Table,
    original: &Table,
    unit: &str,
    dt: f64,
    changes: &mut Vec<Change>,
) -> Result<(), String> {
    for (path, unit_of) in Params::units() {
        if !unit_of.is_time() {
            continue;
        }
        let (section, key) = path.split_once('.').expect("section.key");
        let stated = original
            .get(section)
            .and_then(Item::as_table)
            .and_then(|t| t.get(key))
            .and_then(number);
        let old = match stated {
            Some(v) => v,
            None if unit != "week" && format1_default(&path) != 0.0 => format1_default(&path),
            None => continue,
        };
        let other = |k: &str| {
            original
                .get(section)
                .and_then(Item::as_table)
                .and_then(|t| t.get(k))
                .and_then(number)
                .unwrap_or_else(|| format1_default(&format!("{section}.{k}")))
        };
        let new = round6(unit_of.from_step(old, other, dt));
        let what = match unit_of {
            Unit::Rate => "per year",
            Unit::Weeks | Unit::WholeWeeks => "weeks",
            _ => "(of continuous rates)",
        };
        let table = root
            .entry(section)
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("{section} must be a table"))?;
        match table.get_mut(key) {
            Some(item) => set(item, float(new)),
            None => {
                table.insert(key, Item::Value(float(new)));
            }
        }
        let from = if stated.is_some() {
            format!("{old} per step ({unit})")
        } else {
            format!("the weekly default {old} ran per step ({unit})")
        };
        change(
            changes,
            &path,
            format!("{from} is {new} {what} in format 2: write {key} = {new}"),
        );
    }
    Ok(())
}

/// Event times (steps to real units) and programme strengths (per step to
/// per year).
fn migrate_events(root: &mut Table, unit: &str, dt: f64, changes: &mut Vec<Change>) {
    if let Some(events) = root
        .get_mut("events")
        .and_then(Item::as_array_of_tables_mut)
    {
        for (i, e) in events.iter_mut().enumerate() {
            for key in ["at", "every", "start", "until", "duration"] {
                if let Some(item) = e.get_mut(key)
                    && let Some(n) = number(item)
                {
                    let t = spell(n, unit);
                    if n == 0.0 {
                        set(item, Value::from(0));
                    } else {
                        set(item, Value::from(t.as_str()));
                    }
                    change(
                        changes,
                        &format!("events[{i}].{key}"),
                        format!(
                            "{n} steps: format 2 states times in real units: write {key} = \"{t}\""
                        ),
                    );
                }
            }
            if let Some(item) = e.get_mut("strength")
                && let Some(v) = number(item)
            {
                let new = round6(Unit::Rate.from_step(v, |_| 0.0, dt));
                set(item, float(new));
                change(
                    changes,
                    &format!("events[{i}].strength"),
                    format!(
                        "{v} per step ({unit}) is {new} per year in format 2: write strength = {new}"
                    ),
                );
            }
        }
    }
}

/// Swept parameters that depend on the step: their values or bounds,
/// converted like the keys they sweep.
fn migrate_sweep(root: &mut Table, unit: &str, dt: f64, changes: &mut Vec<Change>) {
    if let Some(sp) = root
        .get_mut("sweep")
        .and_then(Item::as_table_mut)
        .and_then(|t| t.get_mut("params"))
        .and_then(Item::as_table_like_mut)
    {
        let keys: Vec<String> = sp.iter().map(|(k, _)| k.to_string()).collect();
        for k in keys {
            let conv: Box<dyn Fn(f64) -> f64> = match params::unit_of(&k) {
                Some(u) if u.is_time() => {
                    if matches!(u, Unit::Asymmetry(_) | Unit::Boost(..)) {
                        let (section, _) = k.split_once('.').expect("section.key");
                        let section = section.to_string();
                        Box::new(move |v| {
                            u.from_step(v, |r| format1_default(&format!("{section}.{r}")), dt)
                        })
                    } else {
                        Box::new(move |v| u.from_step(v, |_| 0.0, dt))
                    }
                }
                _ if k.starts_with("events.")
                    && ["at", "every", "start", "until", "duration"]
                        .iter()
                        .any(|t| k.ends_with(&format!(".{t}"))) =>
                {
                    Box::new(move |v| v * dt)
                }
                _ if k.starts_with("events.") && k.ends_with(".strength") => {
                    Box::new(move |v| Unit::Rate.from_step(v, |_| 0.0, dt))
                }
                _ => continue,
            };
            let Some(item) = sp.get_mut(&k) else { continue };
            let mut done = false;
            if let Some(a) = item.as_array_mut() {
                for v in a.iter_mut() {
                    if let Some(n) = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
                        let decor = v.decor().clone();
                        *v = float(conv(n));
                        *v.decor_mut() = decor;
                        done = true;
                    }
                }
            } else if let Some(t) = item.as_table_like_mut() {
                for end in ["min", "max"] {
                    if let Some(x) = t.get_mut(end)
                        && let Some(n) = number(x)
                    {
                        set(x, float(conv(n)));
                        done = true;
                    }
                }
            }
            if done {
                change(
                    changes,
                    &format!("sweep.params.{k}"),
                    format!(
                        "the swept values were per step ({unit}); write them in format 2's units (converted in the migrated file)"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_file_migrates_with_its_comments() {
        let old = "# a comment\nformat = 1\nname = \"x\"\nsteps = 520   # ten years\n\n[learning]\nrate = 0.01  # weekly\n\n[[events]]\nkind = \"learning_practice\"\nat = 26\nduration = 130\nstrength = 0.01\n";
        let m = migrate(old, None).unwrap();
        let t = &m.text;
        assert!(t.starts_with("# a comment\nformat = 2\n"), "{t}");
        assert!(t.contains("duration = \"520w\"   # ten years\n"), "{t}");
        assert!(t.contains("rate = 0.524412167  # weekly\n"), "{t}");
        assert!(
            t.contains("at = \"26w\"\nduration = \"130w\"\nstrength = 0.524412167\n"),
            "{t}"
        );
        let paths: Vec<_> = m.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "format",
                "steps",
                "learning.rate",
                "events[0].at",
                "events[0].duration",
                "events[0].strength"
            ]
        );
        // Migrating again changes nothing.
        assert!(migrate(t, None).unwrap().changes.is_empty());
    }

    #[test]
    fn a_monthly_file_states_the_weekly_defaults_it_ran_per_month() {
        let m = migrate("format = 1\nname = \"x\"\ntime_unit = \"month\"\n", None).unwrap();
        // Format 1 ran learning.rate 0.01 per month: 0.1206 per year.
        assert!(
            m.text.contains("[learning]\nrate = 0.12060403"),
            "{}",
            m.text
        );
        assert!(m.changes.iter().any(|c| c.path == "turnover.fill_rate"));
    }

    #[test]
    fn an_asymmetry_keeps_its_falling_rate() {
        let m = migrate(
            "name = \"x\"\n[culture]\nrate = 0.02\nasymmetry = 3\n",
            None,
        )
        .unwrap();
        // ln(1 − 0.06)/ln(1 − 0.02): the same falling share per week.
        assert!(m.text.contains("asymmetry = 3.06272831"), "{}", m.text);
    }
}
