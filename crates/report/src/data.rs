//! A finished run folder, loaded into typed data for the figures and the
//! report: per-step quantiles of every metric across replicates (from
//! `timeseries.csv`), each replicate's final values, the teams × time
//! matrix (`teams.csv`), the summary and markers (`summary.json`), the
//! scenario's name, description and events (`scenario.toml`) and the
//! manifest. Only files are read here, never the model.

use anyhow::{Context, Result, anyhow, bail};
use culturesim_core::analysis::stats::percentile;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Statistics of one quantity across runs (as written in summary.json).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    #[serde(default)]
    pub sd: f64,
    /// 95% confidence interval of the mean.
    #[serde(default)]
    pub ci95: [f64; 2],
    /// 5th percentile.
    #[serde(default)]
    pub p5: f64,
    /// Median.
    #[serde(default)]
    pub p50: f64,
    /// 95th percentile.
    #[serde(default)]
    pub p95: f64,
}

/// An event on the timeline (summary.json `markers`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Marker {
    /// Step at which it takes effect.
    pub step: u32,
    /// Label.
    pub label: String,
    /// Event kind.
    pub kind: String,
    /// Whether it is a shock.
    #[serde(default)]
    pub shock: bool,
}

/// Statistics of one metric.
#[derive(Debug, Clone, Deserialize)]
pub struct MetricSummary {
    /// At the final step.
    pub final_step: Option<Stats>,
}

/// Shock metrics of one series across runs (summary.json `shock`, and its
/// `unit`).
#[derive(Debug, Clone, Deserialize)]
pub struct ShockStats {
    /// `compared`, `not_built`, `no_loss` or `mixed`.
    #[serde(default)]
    pub status: String,
    /// The sentence to print instead of a ratio (absent when compared).
    #[serde(default)]
    pub note: Option<String>,
    /// Statistics of each shock metric (times in years).
    pub mean: BTreeMap<String, Option<Stats>>,
    /// Share of runs that built culture before the shock.
    #[serde(default)]
    pub built_share: f64,
    /// Share of runs whose like-for-like asymmetry is defined.
    #[serde(default)]
    pub defined_share: f64,
    /// Share of runs that recovered to 95% of the pre-shock level.
    pub recovered_share: f64,
}

impl ShockStats {
    /// Mean of shock metric `name`, if defined.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.mean.get(name).and_then(|s| s.as_ref()).map(|s| s.mean)
    }

    /// Statistics of shock metric `name`, if defined.
    pub fn stats(&self, name: &str) -> Option<&Stats> {
        self.mean.get(name).and_then(|s| s.as_ref())
    }

    /// Whether build-up and loss were compared (the ratios mean something).
    pub fn compared(&self) -> bool {
        self.note.is_none()
    }
}

/// The unit or team a shock hits, measured on its own.
#[derive(Debug, Clone, Deserialize)]
pub struct UnitShock {
    /// Its name.
    pub name: String,
    /// "team", "division" or "unit".
    pub kind: String,
    /// Positions in it.
    pub people: usize,
    /// Steps between two values of `trajectory`.
    pub every_steps: u32,
    /// Its local culture, mean over runs.
    pub trajectory: Vec<f64>,
    /// Its shock metrics.
    #[serde(flatten)]
    pub stats: ShockStats,
}

impl UnitShock {
    /// "team u1.1.1".
    pub fn title(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

/// Shock metrics across runs.
#[derive(Debug, Clone, Deserialize)]
pub struct Shock {
    /// The event measured.
    pub event: Marker,
    /// The metric measured.
    pub metric: String,
    /// The organization's shock metrics.
    #[serde(flatten)]
    pub stats: ShockStats,
    /// The unit or team the shock hits, if it is one.
    #[serde(default)]
    pub unit: Option<UnitShock>,
}

impl std::ops::Deref for Shock {
    type Target = ShockStats;
    fn deref(&self) -> &ShockStats {
        &self.stats
    }
}

/// summary.json.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// What a step is.
    pub time_unit: String,
    /// Master seed.
    pub seed: u64,
    /// Events.
    #[serde(default)]
    pub markers: Vec<Marker>,
    /// Number of runs.
    pub runs: usize,
    /// Steps of the longest run.
    pub steps: usize,
    /// Per metric.
    pub metrics: BTreeMap<String, MetricSummary>,
    /// Shock metrics of the first shock, if any.
    #[serde(default)]
    pub shock: Option<Shock>,
}

impl Summary {
    /// Final-step statistics of `metric`.
    pub fn final_stats(&self, metric: &str) -> Option<&Stats> {
        self.metrics.get(metric).and_then(|m| m.final_step.as_ref())
    }
}

/// One event as written in scenario.toml (only what the figures use).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEvent {
    /// Kind.
    pub kind: String,
    /// Label (the kind when absent).
    pub label: String,
    /// First step.
    pub at: u32,
    /// Period, for recurring events.
    pub every: Option<u32>,
    /// Steps a programme runs.
    pub duration: Option<u32>,
    /// replace_leader: the newcomer's alignment when it is a number.
    pub alignment: Option<f64>,
    /// learnathon: management commitment when it is a number.
    pub commitment: Option<f64>,
    /// Scope ("top", "unit:u2", ...).
    pub scope: Option<String>,
}

/// The parts of scenario.toml the report shows.
#[derive(Debug, Clone)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// What a step is.
    pub time_unit: String,
    /// Events as written.
    pub events: Vec<ScenarioEvent>,
    /// culture.coupling (κ): 0 switches the reinforcing loop off.
    pub coupling: f64,
    /// culture.high_threshold.
    pub high_threshold: f64,
    /// The whole file.
    pub toml: String,
}

/// Quantiles of one metric at every step.
#[derive(Debug, Clone, Default)]
pub struct Bands {
    /// Mean across runs.
    pub mean: Vec<f64>,
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

impl Bands {
    /// Quantiles of `runs` (run × step; shorter runs simply stop counting).
    pub fn of(runs: &[Vec<f64>]) -> Self {
        let steps = runs.iter().map(Vec::len).max().unwrap_or(0);
        let mut b = Bands::default();
        let mut col = Vec::with_capacity(runs.len());
        for s in 0..steps {
            col.clear();
            col.extend(
                runs.iter()
                    .filter_map(|r| r.get(s).copied())
                    .filter(|v| !v.is_nan()),
            );
            col.sort_by(f64::total_cmp);
            let mean = if col.is_empty() {
                f64::NAN
            } else {
                col.iter().sum::<f64>() / col.len() as f64
            };
            b.mean.push(mean);
            b.p5.push(percentile(&col, 0.05));
            b.p25.push(percentile(&col, 0.25));
            b.p50.push(percentile(&col, 0.5));
            b.p75.push(percentile(&col, 0.75));
            b.p95.push(percentile(&col, 0.95));
        }
        b
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether there is no step.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }
}

/// The time series of every metric, per run.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Metric names in file order (plus the derived "turnover").
    pub metrics: Vec<String>,
    /// metric → run → step.
    pub runs: BTreeMap<String, Vec<Vec<f64>>>,
    /// metric → per-step quantiles.
    pub bands: BTreeMap<String, Bands>,
}

impl Series {
    /// Quantiles of `metric`.
    pub fn bands(&self, metric: &str) -> Option<&Bands> {
        self.bands.get(metric)
    }

    /// The final value of `metric` in each run.
    pub fn finals(&self, metric: &str) -> Vec<f64> {
        self.runs
            .get(metric)
            .map(|runs| runs.iter().filter_map(|r| r.last().copied()).collect())
            .unwrap_or_default()
    }

    /// Number of runs.
    pub fn n_runs(&self) -> usize {
        self.runs.values().next().map_or(0, Vec::len)
    }
}

/// Mean local culture of each team over time.
#[derive(Debug, Clone, Default)]
pub struct Teams {
    /// Team (or unit) names in file order (left to right in the org chart).
    pub names: Vec<String>,
    /// Each team's division, in the same order (empty for a teams.csv
    /// without a `division` column: divisions then come from path names).
    pub divisions: Vec<String>,
    /// Sampled steps.
    pub steps: Vec<u32>,
    /// team → sample.
    pub values: Vec<Vec<f64>>,
}

/// A finished run folder.
#[derive(Debug, Clone)]
pub struct RunData {
    /// The folder.
    pub dir: PathBuf,
    /// summary.json.
    pub summary: Summary,
    /// scenario.toml.
    pub scenario: ScenarioInfo,
    /// timeseries.csv.
    pub series: Series,
    /// teams.csv (empty when the file is absent).
    pub teams: Teams,
    /// manifest.json as written (empty when absent).
    pub manifest: String,
}

impl RunData {
    /// Years per step.
    pub fn years_per_step(&self) -> f64 {
        culturesim_core::scenario::years_per_step(&self.summary.time_unit)
    }

    /// Time of `step` in years.
    pub fn years(&self, step: f64) -> f64 {
        step * self.years_per_step()
    }

    /// Length of the run in years.
    pub fn span_years(&self) -> f64 {
        let steps = self
            .series
            .bands("culture")
            .map_or(self.summary.steps, |b| b.len().saturating_sub(1));
        self.years(steps.max(1) as f64)
    }
}

fn read(dir: &Path, name: &str) -> Result<String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read '{}' (is '{}' the output folder of a finished `culturesim run`?)",
            path.display(),
            dir.display()
        )
    })
}

/// Load a finished run folder.
pub fn load(dir: &Path) -> Result<RunData> {
    if !dir.is_dir() {
        bail!(
            "'{}' is not a folder (expected the output folder of a finished `culturesim run`)",
            dir.display()
        );
    }
    let summary_text = read(dir, "summary.json")?;
    let summary: Summary = serde_json::from_str(&summary_text).with_context(|| {
        format!(
            "'{}' is not a valid summary",
            dir.join("summary.json").display()
        )
    })?;
    let scenario = parse_scenario(&read(dir, "scenario.toml")?).with_context(|| {
        format!(
            "'{}' is not a valid scenario",
            dir.join("scenario.toml").display()
        )
    })?;
    let series = parse_timeseries(&read(dir, "timeseries.csv")?, summary.time_unit.as_str())
        .with_context(|| {
            format!(
                "'{}' is not a valid time series",
                dir.join("timeseries.csv").display()
            )
        })?;
    let teams = match std::fs::read_to_string(dir.join("teams.csv")) {
        Ok(text) => parse_teams(&text).with_context(|| {
            format!(
                "'{}' is not a valid teams file",
                dir.join("teams.csv").display()
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Teams::default(),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read '{}'", dir.join("teams.csv").display()));
        }
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
    Ok(RunData {
        dir: dir.to_path_buf(),
        summary,
        scenario,
        series,
        teams,
        manifest,
    })
}

/// A number from a TOML value (integer or float).
fn num(v: Option<&toml::Value>) -> Option<f64> {
    match v? {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Parse the parts of a resolved scenario the figures use.
pub fn parse_scenario(text: &str) -> Result<ScenarioInfo> {
    let v: toml::Table = text.parse()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let culture = v.get("culture").and_then(|c| c.as_table());
    // Event times in steps: format 2 writes real units ("26w", or years),
    // format 1 (older run folders) wrote steps.
    let format1 = v.get("format").and_then(toml::Value::as_integer) == Some(1);
    let dt = culturesim_core::model::learning_culture::params::years_per_step(
        v.get("time_unit")
            .and_then(|x| x.as_str())
            .unwrap_or("week"),
    )
    .unwrap_or(7.0 / 365.25);
    let steps_of = |x: Option<&toml::Value>| -> Option<u32> {
        let x = x?;
        if format1 {
            return num(Some(x)).map(|n| n.max(0.0) as u32);
        }
        let t = match x {
            toml::Value::String(s) => culturesim_core::scenario::raw::RawTime::Text(s.clone()),
            other => culturesim_core::scenario::raw::RawTime::Years(num(Some(other))?),
        };
        t.steps(dt).ok()
    };
    let mut events = Vec::new();
    if let Some(list) = v.get("events").and_then(|e| e.as_array()) {
        for e in list {
            let Some(t) = e.as_table() else { continue };
            let kind = t
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("event")
                .to_string();
            let u = |k: &str| steps_of(t.get(k));
            let every = u("every");
            let at = if every.is_some() {
                u("start").unwrap_or(0)
            } else {
                u("at").unwrap_or(0)
            };
            events.push(ScenarioEvent {
                label: t
                    .get("label")
                    .and_then(|l| l.as_str())
                    .map_or_else(|| kind.replace('_', " "), str::to_string),
                kind,
                at,
                every,
                duration: u("duration"),
                alignment: num(t.get("alignment")),
                commitment: num(t.get("commitment")),
                scope: t.get("scope").and_then(|l| l.as_str()).map(str::to_string),
            });
        }
    }
    Ok(ScenarioInfo {
        name: s("name"),
        description: s("description"),
        time_unit: if s("time_unit").is_empty() {
            "week".into()
        } else {
            s("time_unit")
        },
        events,
        coupling: num(culture.and_then(|c| c.get("coupling"))).unwrap_or(1.0),
        high_threshold: num(culture.and_then(|c| c.get("high_threshold"))).unwrap_or(0.5),
        toml: text.to_string(),
    })
}

/// Parse timeseries.csv (first sweep point only) into per-run series and
/// quantiles, adding "turnover": leavers over the past year as a share of
/// the mean headcount, in % per year.
pub fn parse_timeseries(text: &str, time_unit: &str) -> Result<Series> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(ip), Some(ir), Some(is)) = (col("point"), col("replicate"), col("step")) else {
        bail!("missing one of the columns point, replicate, step");
    };
    // `year` (the step in years, after `step`) is time, not a metric.
    let iy = col("year");
    let metric_cols: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| ![Some(ip), Some(ir), Some(is), iy].contains(&Some(*i)))
        .map(|(i, h)| (i, h.to_string()))
        .collect();
    let mut runs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); metric_cols.len()];
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut first_point = None;
    let mut rec = csv::StringRecord::new();
    let mut line = 1;
    while rdr.read_record(&mut rec)? {
        line += 1;
        let field = |i: usize| rec.get(i).unwrap_or("");
        let point: u64 = field(ip)
            .parse()
            .map_err(|_| anyhow!("line {line}: point '{}' is not a number", field(ip)))?;
        if *first_point.get_or_insert(point) != point {
            continue;
        }
        let replicate: u64 = field(ir)
            .parse()
            .map_err(|_| anyhow!("line {line}: replicate '{}' is not a number", field(ir)))?;
        let step: usize = field(is)
            .parse()
            .map_err(|_| anyhow!("line {line}: step '{}' is not a number", field(is)))?;
        let next = index.len();
        let r = *index.entry(replicate).or_insert(next);
        for (m, (i, name)) in metric_cols.iter().enumerate() {
            let v: f64 = field(*i)
                .parse()
                .map_err(|_| anyhow!("line {line}: {name} '{}' is not a number", field(*i)))?;
            plottable(v).map_err(|e| anyhow!("line {line}: {name} {e}"))?;
            let runs = &mut runs[m];
            if runs.len() <= r {
                runs.resize(r + 1, Vec::new());
            }
            let series = &mut runs[r];
            if series.len() != step {
                bail!(
                    "line {line}: expected step {} of replicate {replicate}, got {step}",
                    series.len()
                );
            }
            series.push(v);
        }
    }
    if index.is_empty() {
        bail!("no rows");
    }
    let mut out = Series::default();
    for ((_, name), r) in metric_cols.into_iter().zip(runs) {
        out.metrics.push(name.clone());
        out.runs.insert(name, r);
    }
    if let (Some(leavers), Some(heads)) = (out.runs.get("leavers"), out.runs.get("headcount")) {
        let window = (1.0 / culturesim_core::scenario::years_per_step(time_unit))
            .round()
            .max(1.0) as usize;
        let turnover: Vec<Vec<f64>> = leavers
            .iter()
            .zip(heads)
            .map(|(l, h)| annual_turnover(l, h, window))
            .collect();
        out.metrics.push("turnover".into());
        out.runs.insert("turnover".into(), turnover);
    }
    out.bands = out
        .runs
        .iter()
        .map(|(k, r)| (k.clone(), Bands::of(r)))
        .collect();
    Ok(out)
}

/// Largest magnitude a plotted value may have: beyond it the axes' key
/// points cannot be computed (plotters loops for a very long time on 1e308)
/// and no metric of a sound run comes near it.
pub const MAX_PLOTTED: f64 = 1e15;

/// Refuse a value no figure can show (not finite, or absurdly large).
pub fn plottable(v: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err(format!(
            "is {v}, not a finite number (the run overflowed: check the scenario's extreme values)"
        ));
    }
    if v.abs() > MAX_PLOTTED {
        return Err(format!(
            "is {v:e}, beyond the ±{MAX_PLOTTED:e} a figure can show (the run overflowed: check the scenario's extreme values)"
        ));
    }
    Ok(())
}

/// Turnover in % per year: leavers in the trailing `window` steps divided by
/// the mean headcount over those steps, scaled to a year (NaN until at
/// least a quarter of a window has passed).
pub fn annual_turnover(leavers: &[f64], headcount: &[f64], window: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(leavers.len());
    let (mut sl, mut sh) = (0.0, 0.0);
    for i in 0..leavers.len() {
        // Step 0 is the initial state: nobody has left yet.
        let l = if i == 0 { 0.0 } else { leavers[i] };
        sl += l;
        sh += headcount[i];
        if i >= window {
            sl -= if i - window == 0 {
                0.0
            } else {
                leavers[i - window]
            };
            sh -= headcount[i - window];
        }
        let n = (i + 1).min(window);
        let steps_with_flow = if i < window { i } else { window };
        if steps_with_flow * 4 < window || sh <= 0.0 {
            out.push(f64::NAN);
        } else {
            let mean_head = sh / n as f64;
            out.push(100.0 * sl / mean_head * window as f64 / steps_with_flow as f64);
        }
    }
    out
}

/// Parse teams.csv (`step,division,team,culture`; older files have no
/// `division`; `run --teams-per-replicate` adds `replicate`, and each cell
/// is then the mean over replicates) into a teams × samples matrix.
pub fn parse_teams(text: &str) -> Result<Teams> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_step), Some(c_team), Some(c_value)) =
        (column("step"), column("team"), column("culture"))
    else {
        bail!("line 1: expected the columns step,division,team,culture");
    };
    let c_division = column("division");
    let per_replicate = column("replicate").is_some();
    let mut t = Teams::default();
    let mut team_index: BTreeMap<String, usize> = BTreeMap::new();
    // Per-replicate rows: the steps repeat for every replicate.
    let mut step_index: BTreeMap<u32, usize> = BTreeMap::new();
    let mut counts: Vec<Vec<u32>> = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1;
    while rdr.read_record(&mut rec)? {
        line += 1;
        let (Some(step), Some(team), Some(v)) =
            (rec.get(c_step), rec.get(c_team), rec.get(c_value))
        else {
            bail!("line {line}: expected step,division,team,culture");
        };
        let step: u32 = step
            .parse()
            .map_err(|_| anyhow!("line {line}: step '{step}' is not a number"))?;
        let v: f64 = v
            .parse()
            .map_err(|_| anyhow!("line {line}: culture '{v}' is not a number"))?;
        plottable(v).map_err(|e| anyhow!("line {line}: culture {e}"))?;
        let col = if per_replicate {
            let next = step_index.len();
            let c = *step_index.entry(step).or_insert(next);
            if c == t.steps.len() {
                t.steps.push(step);
            }
            c
        } else {
            if t.steps.last() != Some(&step) {
                t.steps.push(step);
            }
            t.steps.len() - 1
        };
        let next = team_index.len();
        let row = *team_index.entry(team.to_string()).or_insert(next);
        if row == t.names.len() {
            t.names.push(team.to_string());
            t.values.push(Vec::new());
            if let Some(c) = c_division {
                t.divisions.push(rec.get(c).unwrap_or_default().to_string());
            }
        }
        let r = &mut t.values[row];
        if per_replicate {
            // Sums and counts; divided once every row is read.
            if r.len() <= col {
                r.resize(col + 1, 0.0);
            }
            r[col] += v;
            counts.resize(t.names.len(), Vec::new());
            let c = &mut counts[row];
            if c.len() <= col {
                c.resize(col + 1, 0);
            }
            c[col] += 1;
        } else {
            r.resize(col, f64::NAN);
            r.push(v);
        }
    }
    let n = t.steps.len();
    if per_replicate {
        for (r, c) in t.values.iter_mut().zip(&counts) {
            for (x, &k) in r.iter_mut().zip(c) {
                *x = if k == 0 { f64::NAN } else { *x / f64::from(k) };
            }
        }
    }
    for r in &mut t.values {
        r.resize(n, f64::NAN);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_by_hand() {
        let runs = vec![vec![0.0, 1.0], vec![1.0, 2.0], vec![2.0, 3.0], vec![3.0]];
        let b = Bands::of(&runs);
        assert_eq!(b.len(), 2);
        assert_eq!(b.mean, vec![1.5, 2.0]);
        assert_eq!(b.p50, vec![1.5, 2.0]);
        // step 0: values 0..3, p25 at h = 0.75
        assert!((b.p25[0] - 0.75).abs() < 1e-12);
        assert!((b.p95[1] - 2.9).abs() < 1e-12);
    }

    #[test]
    fn per_replicate_teams_are_averaged() {
        let t = parse_teams(
            "replicate,step,division,team,culture\n0,0,d,a,0.1\n0,0,e,b,0.2\n0,2,d,a,0.3\n0,2,e,b,0.4\n\
             1,0,d,a,0.3\n1,0,e,b,0.4\n1,2,d,a,0.5\n1,2,e,b,0.6\n",
        )
        .unwrap();
        assert_eq!(t.names, vec!["a", "b"]);
        assert_eq!(t.divisions, vec!["d", "e"]);
        assert_eq!(t.steps, vec![0, 2]);
        let near = |x: f64, y: f64| (x - y).abs() < 1e-12;
        assert!(near(t.values[0][0], 0.2) && near(t.values[0][1], 0.4));
        assert!(near(t.values[1][0], 0.3) && near(t.values[1][1], 0.5));
    }

    #[test]
    fn the_year_column_is_time_not_a_metric() {
        let csv = "point,replicate,step,year,culture\n0,0,0,0,0.2\n0,0,1,0.5,0.3\n";
        let s = parse_timeseries(csv, "month").unwrap();
        assert_eq!(s.metrics, vec!["culture"]);
        assert_eq!(s.finals("culture"), vec![0.3]);
    }

    #[test]
    fn timeseries_parses_and_derives_turnover() {
        let csv = "point,replicate,step,culture,headcount,leavers\n\
                   0,0,0,0.2,10,0\n0,0,1,0.3,10,1\n0,0,2,0.4,10,1\n\
                   0,1,0,0.2,10,0\n0,1,1,0.5,10,0\n0,1,2,0.6,10,0\n\
                   1,0,0,0.9,10,0\n";
        let s = parse_timeseries(csv, "year").unwrap();
        assert_eq!(s.n_runs(), 2);
        assert_eq!(s.finals("culture"), vec![0.4, 0.6]);
        assert_eq!(s.bands("culture").unwrap().mean[1], 0.4);
        // yearly steps: window 1, turnover = leavers / headcount.
        assert_eq!(s.runs["turnover"][0][1], 10.0);
        assert_eq!(s.runs["turnover"][1][2], 0.0);
        assert!(s.runs["turnover"][0][0].is_nan());
    }

    #[test]
    fn timeseries_errors_name_the_line() {
        let csv = "point,replicate,step,culture\n0,0,0,x\n";
        let e = parse_timeseries(csv, "week").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("culture"), "{e}");
        let csv = "point,replicate,step,culture\n0,0,1,0.5\n";
        assert!(parse_timeseries(csv, "week").is_err());
        assert!(parse_timeseries("point,replicate,step,culture\n", "week").is_err());
    }

    #[test]
    fn turnover_window() {
        // 52-step window, one leaver every step out of 100: 52% per year.
        let l = vec![1.0; 200];
        let h = vec![100.0; 200];
        let t = annual_turnover(&l, &h, 52);
        assert!(t[5].is_nan());
        assert!((t[100] - 52.0).abs() < 1e-9);
        assert!((t[20] - 52.0).abs() < 1e-9);
    }

    #[test]
    fn teams_matrix() {
        let t = parse_teams("step,team,culture\n0,a,0.1\n0,b,0.2\n2,a,0.3\n2,b,0.4\n").unwrap();
        assert_eq!(t.names, vec!["a", "b"]);
        assert_eq!(t.steps, vec![0, 2]);
        assert_eq!(t.values, vec![vec![0.1, 0.3], vec![0.2, 0.4]]);
        assert!(t.divisions.is_empty());
        let t =
            parse_teams("step,division,team,culture\n0,d,a,0.1\n0,e,b,0.2\n2,d,a,0.3\n2,e,b,0.4\n")
                .unwrap();
        assert_eq!(t.divisions, vec!["d", "e"]);
        assert_eq!(t.values, vec![vec![0.1, 0.3], vec![0.2, 0.4]]);
        assert!(parse_teams("step,unit,culture\n").is_err());
    }

    #[test]
    fn scenario_events() {
        let s = parse_scenario(
            "name = \"x\"\n[culture]\ncoupling = 0\n\
             [[events]]\nkind = \"learnathon\"\nevery = \"52w\"\nstart = \"40w\"\n\
             [[events]]\nkind = \"replace_leader\"\nat = \"260w\"\nalignment = 0.05\nlabel = \"boss\"\n",
        )
        .unwrap();
        assert_eq!(s.coupling, 0.0);
        assert_eq!(s.time_unit, "week");
        assert_eq!(s.events[0].at, 40);
        assert_eq!(s.events[0].label, "learnathon");
        assert_eq!(s.events[1].alignment, Some(0.05));
        assert_eq!(s.events[1].label, "boss");
    }
}
