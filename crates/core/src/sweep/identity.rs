//! The identity of an experiment: what a sweep folder's runs belong to.
//! `identity.json` is written before the first run and records the tool
//! version, the model, the seed, the replicates, a SHA-256 of the resolved
//! scenario and of the design's points, the time-series stride, the
//! adaptive settings and the shard. `--resume`, `--shard` and `merge`
//! compare it and refuse a mismatch with a message naming what differs
//! (down to the scenario keys), so runs of two experiments never mix.

use super::Sweep;
use crate::export::format::Format;
use crate::export::timeseries::format_value;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// File name of the identity in a sweep folder.
pub const FILE: &str = "identity.json";

/// What a sweep folder's runs belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// Always "culturesim".
    pub tool: String,
    /// The tool version that wrote the runs.
    pub version: String,
    /// The model.
    pub model: String,
    /// The master seed.
    pub seed: u64,
    /// Replicates per point (the first round, with adaptive replication).
    pub replicates: u32,
    /// Number of design points.
    pub points: usize,
    /// SHA-256 of the design: swept names and every point's values.
    pub design_sha256: String,
    /// SHA-256 of the resolved scenario (every key, `--set` applied).
    pub scenario_sha256: String,
    /// Time-series stride (None: no time series).
    pub timeseries_every: Option<u32>,
    /// Adaptive replication settings, if any ("culture ±0.01, at most 50").
    pub adaptive: Option<String>,
    /// The shard (K/N), if the folder holds one.
    pub shard: Option<String>,
    /// The tables' format when it is not CSV (`parquet`; absent: CSV, as
    /// every sweep before `--format` wrote). Shards of one sweep share it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// SHA-256 over everything above but the shard: equal for every shard
    /// of one experiment.
    pub experiment: String,
    /// The resolved scenario itself, to name the keys that differ.
    pub scenario: String,
}

fn sha256(text: &str) -> String {
    sha256_bytes(text.as_bytes())
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Identity {
    /// The identity of `sw` run as `shard` with adaptive settings
    /// `adaptive`, its tables in `format`.
    pub fn of(
        sw: &Sweep,
        shard: Option<(u32, u32)>,
        adaptive: Option<String>,
        format: Format,
    ) -> Self {
        let scenario = sw.base.resolved_toml();
        let mut design = sw.design.names.join(",");
        design.push_str(&format!("\nbaseline={}\n", sw.design.baseline));
        for p in &sw.design.points {
            let row: Vec<String> = p.iter().map(|v| format_value(*v)).collect();
            design.push_str(&row.join(","));
            design.push('\n');
        }
        if let Some(post) = sw.posterior() {
            // The draws are part of the design: a resume or a shard with
            // another posterior is another sweep.
            design.push_str(&format!(
                "posterior={:?}\n{:?}\n{:?}\n",
                post.keys, post.thetas, post.weights
            ));
        }
        let mut id = Self {
            tool: "culturesim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            model: sw.base.model.name().into(),
            seed: sw.base.seed,
            replicates: sw.replicates(),
            points: sw.design.points.len(),
            design_sha256: sha256(&design),
            scenario_sha256: sha256(&scenario),
            timeseries_every: sw.timeseries_every,
            adaptive,
            shard: shard.map(|(k, n)| format!("{k}/{n}")),
            format: (format != Format::Csv).then_some(format),
            experiment: String::new(),
            scenario,
        };
        let mut text = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{:?}\n{:?}",
            id.tool,
            id.version,
            id.model,
            id.seed,
            id.replicates,
            id.design_sha256,
            id.scenario_sha256,
            id.timeseries_every,
            id.adaptive
        );
        // A CSV sweep's digest is the one every earlier version computed.
        if let Some(f) = id.format {
            text.push_str(&format!("\nformat={f}"));
        }
        id.experiment = sha256(&text);
        id
    }

    /// The format of the folder's tables.
    pub fn format(&self) -> Format {
        self.format.unwrap_or_default()
    }

    /// The identity recorded in `dir` (None when there is none).
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE);
        let text = match crate::limits::read_capped(&path, crate::limits::MAX_INPUT_BYTES) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read '{}'", path.display())),
        };
        serde_json::from_str(&text).map(Some).with_context(|| {
            format!(
                "'{}' is not a culturesim identity file (damaged?)",
                path.display()
            )
        })
    }

    /// Write it into `dir` (atomically).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::export::atomic::write(&dir.join(FILE), &bytes)
    }

    /// What differs between `self` (recorded) and `now`, for a message:
    /// empty when they are the same experiment (and, with `shard`, the
    /// same shard).
    pub fn differences(&self, now: &Self, shard: bool) -> Vec<String> {
        let mut d = Vec::new();
        let mut field = |name: &str, was: String, is: String| {
            if was != is {
                d.push(format!("{name}: {was} in the folder, {is} now"));
            }
        };
        field("version", self.version.clone(), now.version.clone());
        field("model", self.model.clone(), now.model.clone());
        field("seed", self.seed.to_string(), now.seed.to_string());
        field(
            "replicates",
            self.replicates.to_string(),
            now.replicates.to_string(),
        );
        field(
            "design points",
            self.points.to_string(),
            now.points.to_string(),
        );
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".into());
        let every = |o: Option<u32>| o.map_or("none".into(), |k| k.to_string());
        field(
            "sweep.timeseries_every",
            every(self.timeseries_every),
            every(now.timeseries_every),
        );
        field(
            "adaptive replication",
            opt(&self.adaptive),
            opt(&now.adaptive),
        );
        field(
            "format",
            self.format().to_string(),
            now.format().to_string(),
        );
        if shard {
            field("shard", opt(&self.shard), opt(&now.shard));
        }
        if self.design_sha256 != now.design_sha256 && self.points == now.points {
            d.push("the design's point values differ".into());
        }
        if self.scenario_sha256 != now.scenario_sha256 {
            let keys = key_differences(&self.scenario, &now.scenario);
            if keys.is_empty() && self.seed == now.seed && self.replicates == now.replicates {
                d.push("the resolved scenario differs".into());
            } else {
                d.extend(keys);
            }
        }
        d
    }
}

/// Scenario keys whose values differ between two resolved scenarios
/// (`seed` left out: it is named on its own), at most eight.
fn key_differences(was: &str, is: &str) -> Vec<String> {
    let flat = |t: &str| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Ok(table) = t.parse::<toml::Table>() {
            flatten("", &toml::Value::Table(table), &mut out);
        }
        out
    };
    let (a, b) = (flat(was), flat(is));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let none = "(not set)".to_string();
    let mut d: Vec<String> = keys
        .into_iter()
        .filter(|k| *k != "seed" && *k != "replicates" && a.get(*k) != b.get(*k))
        .map(|k| {
            format!(
                "{k}: {} in the folder, {} now",
                a.get(k).unwrap_or(&none),
                b.get(k).unwrap_or(&none)
            )
        })
        .collect();
    if d.len() > 8 {
        let more = d.len() - 8;
        d.truncate(8);
        d.push(format!("and {more} more keys"));
    }
    d
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Source;

    fn grid(sets: &[&str]) -> Sweep {
        let text = crate::scenario::bundled::get("snow-in-the-sun-grid").unwrap();
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Sweep::load(text, Source::Bundled("snow-in-the-sun-grid".into()), &sets).unwrap()
    }

    #[test]
    fn a_changed_key_or_seed_is_named() {
        let a = Identity::of(&grid(&["duration=\"400w\""]), None, None, Format::Csv);
        assert!(a.differences(&a.clone(), true).is_empty());
        let b = Identity::of(
            &grid(&["duration=\"400w\"", "seed=5"]),
            None,
            None,
            Format::Csv,
        );
        let d = b.differences(&a, true);
        assert!(d.iter().any(|m| m.starts_with("seed: ")), "{d:?}");
        let c = Identity::of(
            &grid(&["duration=\"400w\"", "org.employees=400"]),
            None,
            None,
            Format::Csv,
        );
        let d = a.differences(&c, true);
        assert!(d.iter().any(|m| m.contains("org.employees")), "{d:?}");
        assert_ne!(a.experiment, c.experiment);
        // Shards of one experiment share `experiment`.
        let s = Identity::of(
            &grid(&["duration=\"400w\""]),
            Some((2, 3)),
            None,
            Format::Csv,
        );
        assert_eq!(s.experiment, a.experiment);
        assert!(s.differences(&a, false).is_empty());
        assert_eq!(s.differences(&a, true).len(), 1);
        // The format is part of the experiment (its shards merge into one
        // folder of one format); a CSV sweep's identity has no `format`.
        let p = Identity::of(&grid(&["duration=\"400w\""]), None, None, Format::Parquet);
        assert_ne!(p.experiment, a.experiment);
        assert_eq!(
            p.differences(&a, false),
            ["format: parquet in the folder, csv now"]
        );
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("\"format\""), "{json}");
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"format\":\"parquet\""), "{json}");
        let back: Identity = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
}
