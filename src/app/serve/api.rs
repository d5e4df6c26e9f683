//! The live page's API. A request names changes to the starting scenario
//! as `--set`-style overrides (plus seed and replicates); the scenario is
//! built by the same code as a scenario file with `--set` — same rules,
//! same messages — within the server's caps, run exactly as `culturesim
//! run` runs it (the same runs, the same summary), and answered with what
//! the page draws: per-step quantiles of the culture and the key metrics,
//! the timeline, the summary (with the shock numbers) and the resolved
//! scenario, which `culturesim run` reproduces.

use super::http::{JSON, Response};
use crate::analysis::unit::ShockedUnit;
use crate::app::{summary_builder, years_per_step};
use crate::engine::{Marker, Model, run_many};
use crate::export::summary::SummaryFile;
use crate::model::learning_culture::org::UnitRow;
use crate::model::learning_culture::{METRICS, metric};
use crate::plot::data::{self, Bands};
use crate::plot::metrics::PANELS;
use crate::plot::timeline::Timeline;
use crate::scenario::{self, Limits, Scenario, Source, bundled};
use anyhow::{Result, anyhow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Replicates the page starts with (fewer if the scenario asks for fewer).
pub const PAGE_REPLICATES: u32 = 20;

/// The scenario the page starts from, and how requests are built on it.
pub struct Base {
    /// Text every request's scenario is built from.
    text: String,
    /// Its source: the bundled scenario itself, or a file's resolved
    /// scenario held in memory (so that no request reads a file).
    source: Source,
    /// The caps.
    limits: Limits,
    /// The starting scenario.
    start: Scenario,
    /// Replicates the page starts with.
    page_replicates: u32,
    /// The mean field's bistable window by parameters and people (the
    /// margin card's lower edge), computed once per setting.
    windows: std::sync::Mutex<BTreeMap<String, Option<(f64, f64)>>>,
    /// `--posterior`: every request's replicates draw their parameters from it.
    posterior: Option<crate::calibrate::Posterior>,
}

/// Body of `POST /api/run` and `POST /api/org`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// `key.path=value` overrides, applied in order, as with `--set`.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Master seed [default: the scenario's].
    pub seed: Option<u64>,
    /// Replicates [default: the scenario's].
    pub replicates: Option<u32>,
}

impl Base {
    /// The starting scenario: a file or bundled name, or the default.
    pub fn load(path: Option<&Path>, limits: Limits) -> Result<Self> {
        let (text, source) = match path {
            None => (
                scenario::DEFAULT_SCENARIO.to_string(),
                Source::default_scenario(),
            ),
            Some(path) => {
                let s = Scenario::from_file(path, &[])?;
                match &s.source {
                    Source::Bundled(name) => (
                        bundled::get(name).unwrap_or_default().to_string(),
                        s.source.clone(),
                    ),
                    _ => {
                        // Resolved once; requests never read the file again.
                        let mut files = BTreeMap::new();
                        if let Some(chart) = &s.chart {
                            files.insert(scenario::CHART_COPY.to_string(), chart.clone());
                        }
                        (
                            s.resolved_toml(),
                            Source::Memory {
                                name: path.display().to_string(),
                                files: Arc::new(files),
                            },
                        )
                    }
                }
            }
        };
        let first = Scenario::from_str(&text, source.clone(), &[])?;
        let page_replicates = first
            .replicates
            .min(PAGE_REPLICATES)
            .min(limits.replicates)
            .max(1);
        let start = Scenario::from_str_within(
            &text,
            source.clone(),
            &[format!("replicates={page_replicates}")],
            Some(&limits),
        )
        .map_err(|e| anyhow!("{e}\n(the live page caps its runs; see culturesim serve --help)"))?;
        Ok(Self {
            text,
            source,
            limits,
            start,
            page_replicates,
            windows: std::sync::Mutex::new(BTreeMap::new()),
            posterior: None,
        })
    }

    /// Draw every request's parameters from `posterior` (checked on the
    /// starting scenario).
    pub fn with_posterior(mut self, posterior: crate::calibrate::Posterior) -> Result<Self> {
        let overrides = [format!("replicates={}", self.page_replicates)];
        let replicates = self.start.replicates;
        posterior.attach(
            &mut self.start,
            &self.text,
            &self.source,
            &overrides,
            replicates,
        )?;
        self.posterior = Some(posterior);
        Ok(self)
    }

    /// Name of the starting scenario.
    pub fn name(&self) -> &str {
        self.start.name()
    }

    /// The scenario of a request: the same path as `run SCENARIO --set ...`.
    pub fn scenario(&self, req: &RunRequest) -> Result<Scenario, scenario::ScenarioError> {
        let mut overrides = req.overrides.clone();
        if let Some(s) = req.seed {
            overrides.push(format!("seed={s}"));
        }
        if let Some(r) = req.replicates {
            overrides.push(format!("replicates={r}"));
        }
        let mut s = Scenario::from_str_within(
            &self.text,
            self.source.clone(),
            &overrides,
            Some(&self.limits),
        )?;
        if let Some(p) = &self.posterior {
            let replicates = s.replicates;
            p.attach(&mut s, &self.text, &self.source, &overrides, replicates)?;
        }
        Ok(s)
    }

    /// `GET /api/scenario`: the starting point of the page.
    pub fn describe(&self) -> Vec<u8> {
        let s = &self.start;
        let panels: Vec<_> = PANELS
            .iter()
            .map(|p| {
                serde_json::json!({
                    "metric": p.metric, "title": p.title, "scale": p.scale,
                    "zero": p.zero, "decimals": p.decimals,
                })
            })
            .collect();
        let body = serde_json::json!({
            "tool": "culturesim",
            "version": env!("CARGO_PKG_VERSION"),
            "name": s.name(),
            "description": s.raw.description,
            "time_unit": s.raw.time_unit,
            "years_per_step": years_per_step(&s.raw.time_unit),
            "steps": s.raw.steps(),
            // Each event's times in steps (the scenario writes real
            // units: "26w", "5y"), for the page's levers.
            "event_steps": event_steps(&s.raw),
            // As text: a browser reads JSON numbers as doubles.
            "seed": s.seed.to_string(),
            "replicates": self.page_replicates,
            "raw": s.raw,
            "toml": s.resolved_toml(),
            "chart": s.chart.is_some(),
            "posterior": self.posterior.as_ref().map(|p| p.describe()),
            "org": OrgInfo::of(s),
            "limits": {
                "employees": self.limits.employees,
                "replicates": self.limits.replicates,
                "steps": self.limits.steps,
                "work": self.limits.work,
            },
            "panels": panels,
        });
        body.to_string().into_bytes()
    }
}

/// The times of every event of `raw` in whole steps: `at`, `every`,
/// `start`, `until`, `duration` (absent or malformed: null).
fn event_steps(raw: &crate::scenario::raw::RawScenario) -> Vec<serde_json::Value> {
    let dt = raw.years_per_step();
    let steps =
        |t: &Option<crate::scenario::raw::RawTime>| t.as_ref().and_then(|t| t.steps(dt).ok());
    raw.events
        .iter()
        .map(|e| {
            serde_json::json!({
                "at": steps(&e.at),
                "every": steps(&e.every),
                "start": steps(&e.start),
                "until": steps(&e.until),
                "duration": steps(&e.duration),
            })
        })
        .collect()
}

/// Most units `/api/org` lists in `tree` (depth first; the rest are left
/// off and `tree_complete` is false).
pub const MAX_TREE_UNITS: usize = 2000;

/// The units a page control can name: the top, the first division and its
/// first team, with their headcounts, and the unit tree the scope picker
/// offers.
#[derive(Debug, Serialize)]
pub struct OrgInfo {
    /// Employee positions.
    pub employees: usize,
    /// Teams.
    pub teams: usize,
    /// Units (teams included).
    pub units: usize,
    /// The top unit.
    pub top: Unit,
    /// The first unit below the top.
    pub unit: Unit,
    /// The first team (inside `unit`).
    pub team: Unit,
    /// Levels from the top to the deepest team, both included.
    pub levels: usize,
    /// The units in depth-first order (as `culturesim org` lists them), at
    /// most [`MAX_TREE_UNITS`].
    pub tree: Vec<UnitRow>,
    /// Whether `tree` holds every unit.
    pub tree_complete: bool,
}

/// A named unit and the people in it.
#[derive(Debug, Serialize)]
pub struct Unit {
    /// Name as scopes write it.
    pub name: String,
    /// Positions under it.
    pub people: usize,
}

/// The learning-culture model of a scenario the server admitted (its
/// limits admit no other model).
fn lc(s: &Scenario) -> &crate::model::learning_culture::LearningCulture {
    s.model
        .learning_culture()
        .expect("the server admits learning-culture scenarios only (Limits::check)")
}

impl OrgInfo {
    /// The organization of a scenario.
    pub fn of(s: &Scenario) -> Self {
        let org = lc(s).org();
        let unit = |u: usize| {
            let (lo, hi) = org.unit_teams[u];
            Unit {
                name: org.unit_name[u].clone(),
                people: (org.team_start[hi as usize] - org.team_start[lo as usize]) as usize,
            }
        };
        let mut listing = crate::app::org::listing(lc(s), usize::MAX);
        let tree_complete = listing.rows.len() <= MAX_TREE_UNITS;
        listing.rows.truncate(MAX_TREE_UNITS);
        Self {
            employees: org.slots(),
            teams: org.teams(),
            units: org.units(),
            top: unit(0),
            unit: unit(if org.units() > 1 { 1 } else { 0 }),
            team: unit(org.team_unit[0] as usize),
            levels: listing.levels,
            tree: listing.rows,
            tree_complete,
        }
    }
}

/// Quantiles of one metric per step, rounded for the wire (5 decimals).
#[derive(Debug, Serialize)]
struct WireBands {
    mean: Vec<Option<f64>>,
    p5: Vec<Option<f64>>,
    p25: Vec<Option<f64>>,
    p50: Vec<Option<f64>>,
    p75: Vec<Option<f64>>,
    p95: Vec<Option<f64>>,
}

impl From<Bands> for WireBands {
    fn from(b: Bands) -> Self {
        let r = |v: Vec<f64>| {
            v.into_iter()
                .map(|x| x.is_finite().then(|| (x * 1e5).round() / 1e5))
                .collect()
        };
        Self {
            mean: r(b.mean),
            p5: r(b.p5),
            p25: r(b.p25),
            p50: r(b.p50),
            p75: r(b.p75),
            p95: r(b.p95),
        }
    }
}

/// Parse a request body (empty means `{}`).
pub fn parse_request(body: &[u8]) -> Result<RunRequest, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(RunRequest::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| Response::error(400, format!("invalid request body: {e}")))
}

/// The scenario of a request, or the 422 that carries its validation message.
fn build(base: &Base, body: &[u8]) -> Result<Scenario, Response> {
    let req = parse_request(body)?;
    base.scenario(&req)
        .map_err(|e| Response::error(422, e.to_string()))
}

/// `POST /api/org`: the organization a request's scenario generates.
pub fn org(base: &Base, body: &[u8]) -> Response {
    match build(base, body) {
        Ok(s) => Response::new(
            200,
            JSON,
            serde_json::to_vec(&OrgInfo::of(&s)).expect("serializes"),
        ),
        Err(r) => r,
    }
}

/// `POST /api/run`: run a request's scenario; `gone` tells whether the
/// client has left (the remaining replicates are then not run).
pub fn run(base: &Base, body: &[u8], gone: &mut dyn FnMut() -> bool) -> Response {
    let scenario = match build(base, body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match simulate(base, &scenario, gone) {
        Ok(Some(bytes)) => Response::new(200, JSON, bytes),
        Ok(None) => Response::error(503, "the client went away"),
        Err(e) => Response::error(500, format!("{e:#}")),
    }
}

/// Metrics whose per-step quantiles are sent: the culture and every panel
/// of the metrics figure ("turnover" is derived from leavers and headcount).
fn wire_metrics() -> Vec<&'static str> {
    let mut v = vec!["culture"];
    v.extend(PANELS.iter().map(|p| p.metric).filter(|m| *m != "turnover"));
    v.extend(["leavers", "headcount"]);
    v.dedup();
    v
}

/// Run the replicates and build the response (None if the client left).
fn simulate(
    base: &Base,
    scenario: &Scenario,
    gone: &mut dyn FnMut() -> bool,
) -> Result<Option<Vec<u8>>> {
    let started = Instant::now();
    let model = lc(scenario);
    let markers = model.markers();
    let mut builder = summary_builder(scenario, model, &markers);
    let names = wire_metrics();
    let index: Vec<usize> = names
        .iter()
        .map(|n| METRICS.iter().position(|m| m == n).expect("a model metric"))
        .collect();
    let mut runs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); names.len()];
    let local = local_unit(scenario);
    let mut local_runs: Vec<Vec<f64>> = Vec::new();
    let mut final_support: Vec<f64> = Vec::new();
    // The request is checked for a hung-up client between batches.
    let batch = crate::engine::Batch::Responsive.size();
    let finished = run_many(
        model,
        scenario.seed,
        0,
        scenario.replicates,
        batch,
        |run| -> Result<(), ()> {
            if gone() {
                return Err(());
            }
            builder.add(&run);
            for (k, &m) in index.iter().enumerate() {
                runs[k].push(run.series(m));
            }
            if let Some(l) = &local {
                local_runs.push(l.series(&run));
            }
            if !run.is_empty() {
                final_support.push(run.row(run.len() - 1)[metric::SUPPORT]);
            }
            Ok(())
        },
    );
    if finished.is_err() {
        return Ok(None);
    }
    let summary = builder.finish();
    let unit = &scenario.raw.time_unit;
    let y = years_per_step(unit);
    let mut series: BTreeMap<&str, WireBands> = BTreeMap::new();
    let window = (1.0 / y).round().max(1.0) as usize;
    let leavers = &runs[names.iter().position(|n| *n == "leavers").expect("sent")];
    let heads = &runs[names.iter().position(|n| *n == "headcount").expect("sent")];
    let turnover: Vec<Vec<f64>> = leavers
        .iter()
        .zip(heads)
        .map(|(l, h)| data::annual_turnover(l, h, window))
        .collect();
    series.insert("turnover", Bands::of(&turnover).into());
    for (name, r) in names.iter().zip(&runs) {
        if *name != "leavers" {
            series.insert(name, Bands::of(r).into());
        }
    }
    let toml = scenario.resolved_toml();
    // What the report shows of the scenario, from the scenario itself.
    let events = data::ScenarioInfo::of(&scenario.raw, String::new()).events;
    let timeline = Timeline::from_parts(&markers, &events, y, f64::from(model.steps().max(1)) * y);
    let response = RunResponse {
        scenario: Info {
            name: scenario.name(),
            description: &scenario.raw.description,
            time_unit: unit,
            years_per_step: y,
            steps: model.steps(),
            seed: scenario.seed.to_string(),
            replicates: scenario.replicates,
        },
        org: OrgInfo::of(scenario),
        summary: SummaryFile::new(scenario.name(), unit, scenario.seed, &markers, &summary),
        series,
        timeline,
        shock_step: first_shock(&markers),
        local: local.map(|l| Local {
            kind: l.kind_word(),
            name: l.name,
            team: l.team,
            depth: l.depth,
            people: l.people,
            every: l.every,
            bands: Bands::of(&local_runs).into(),
        }),
        margin: Margin::of(base.window(model), &final_support),
        toml,
        chart: scenario.chart.as_deref(),
        compute_ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
    };
    Ok(Some(serde_json::to_vec(&response)?))
}

/// The unit that the first shock replaces the leader of, when it is one
/// team or unit (not the top): its local culture is what the shock hits.
fn local_unit(s: &Scenario) -> Option<ShockedUnit> {
    let model = lc(s);
    ShockedUnit::of_model(Some(model), &model.markers())
}

/// Local culture of the unit a scoped shock hits.
#[derive(Serialize)]
struct Local {
    /// "team", "division" or "unit".
    kind: &'static str,
    name: String,
    /// Whether the unit is a team.
    team: bool,
    /// Levels below the top (1: a division).
    depth: u16,
    people: usize,
    /// Steps between two values.
    every: u32,
    bands: WireBands,
}

/// Step of the first shock, if any.
fn first_shock(markers: &[Marker]) -> Option<u32> {
    markers.iter().find(|m| m.shock).map(|m| m.step)
}

/// The margin before tipping: how far the organization's support at the
/// end of the runs is above the lower edge of the mean field's bistable
/// window (docs/DECISIONS.md, "Early warning"); below zero the high
/// state is gone at that support and the culture is expected to tip.
#[derive(Debug, Serialize)]
struct Margin {
    /// Lower edge of the window (None: one state at every support).
    lower_edge: Option<f64>,
    /// Upper edge.
    upper_edge: Option<f64>,
    /// Mean over the runs of the support at the last step.
    support: Option<f64>,
    /// support − lower edge.
    margin: Option<f64>,
}

impl Margin {
    fn of(window: Option<(f64, f64)>, final_support: &[f64]) -> Self {
        let support = (!final_support.is_empty())
            .then(|| final_support.iter().sum::<f64>() / final_support.len() as f64);
        let r = |x: f64| (x * 1e4).round() / 1e4;
        Self {
            lower_edge: window.map(|w| w.0),
            upper_edge: window.map(|w| w.1),
            support: support.map(r),
            margin: support.zip(window).map(|(s, w)| r(s - w.0)),
        }
    }
}

impl Base {
    /// The bistable window of `model`'s parameters and people, computed
    /// once per distinct setting.
    fn window(
        &self,
        model: &crate::model::learning_culture::LearningCulture,
    ) -> Option<(f64, f64)> {
        use crate::model::learning_culture::meanfield::{People, bistable_window};
        let people = People::of(model.setup());
        let key = format!("{:?}|{people:?}", model.stated_params());
        if let Some(w) = self.windows.lock().ok().and_then(|m| m.get(&key).copied()) {
            return w;
        }
        let w = bistable_window(model.stated_params(), &people);
        if let Ok(mut m) = self.windows.lock() {
            m.insert(key, w);
        }
        w
    }
}

#[derive(Serialize)]
struct Info<'a> {
    name: &'a str,
    description: &'a str,
    time_unit: &'a str,
    years_per_step: f64,
    steps: u32,
    /// As text: a browser reads JSON numbers as doubles.
    seed: String,
    replicates: u32,
}

#[derive(Serialize)]
struct RunResponse<'a> {
    scenario: Info<'a>,
    org: OrgInfo,
    /// Exactly what `culturesim run` writes to summary.json.
    summary: SummaryFile,
    series: BTreeMap<&'a str, WireBands>,
    timeline: Timeline,
    shock_step: Option<u32>,
    /// Local culture of the team or unit the shock hits (not for the top).
    local: Option<Local>,
    /// The margin before tipping (the card of that name).
    margin: Margin,
    /// The scenario as resolved: `culturesim run` on it reproduces `summary`.
    toml: String,
    /// The org chart the resolved scenario names (`org-chart.csv`), if any.
    chart: Option<&'a str>,
    compute_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            employees: 1000,
            replicates: 10,
            steps: 600,
            work: 10_000_000,
        }
    }

    #[test]
    fn requests_are_read_strictly() {
        assert!(parse_request(b"").unwrap().overrides.is_empty());
        let r = parse_request(br#"{"overrides":["culture.coupling=0"],"seed":3}"#).unwrap();
        assert_eq!(r.overrides, ["culture.coupling=0"]);
        assert_eq!(r.seed, Some(3));
        let e = parse_request(br#"{"overides":[]}"#).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(String::from_utf8_lossy(&e.body).contains("unknown field"));
        assert_eq!(parse_request(b"[1,2").unwrap_err().status, 400);
    }

    #[test]
    fn the_page_starts_with_at_most_twenty_replicates() {
        let base = Base::load(None, limits()).unwrap();
        assert_eq!(base.page_replicates, 10);
        assert_eq!(base.start.replicates, 10);
        let s = base
            .scenario(&RunRequest {
                overrides: vec!["culture.coupling=0.5".into()],
                seed: Some(9),
                replicates: Some(2),
            })
            .unwrap();
        assert_eq!((s.seed, s.replicates), (9, 2));
        assert_eq!(s.raw.culture.coupling, 0.5);
    }

    #[test]
    fn caps_are_validation_problems() {
        let base = Base::load(None, limits()).unwrap();
        let e = base
            .scenario(&RunRequest {
                overrides: vec!["org.employees=2000".into(), "duration=\"700w\"".into()],
                replicates: Some(11),
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("org.employees: must be at most 1000"), "{e}");
        assert!(e.contains("duration: must be at most 600 steps"), "{e}");
        assert!(e.contains("replicates: must be at most 10"), "{e}");
    }

    #[test]
    fn a_file_is_read_once_and_requests_read_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mine.toml");
        std::fs::write(
            &file,
            "name = \"mine\"\nduration = \"20w\"\nreplicates = 2\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("col.csv"), "x\n0.5\n").unwrap();
        let base = Base::load(Some(&file), limits()).unwrap();
        assert!(matches!(base.source, Source::Memory { .. }));
        std::fs::remove_file(&file).unwrap();
        assert!(base.scenario(&RunRequest::default()).is_ok());
        // A file named in an override is not read, even beside the scenario.
        let e = base
            .scenario(&RunRequest {
                overrides: vec![
                    "population.mastery={dist=\"empirical\",file=\"col.csv\",column=\"x\"}".into(),
                ],
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("no file named 'col.csv'"), "{e}");
        let e = base
            .scenario(&RunRequest {
                overrides: vec!["org.chart=\"/etc/passwd\"".into()],
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("no file named '/etc/passwd'"), "{e}");
    }

    #[test]
    fn a_scoped_shock_reports_the_local_culture_it_hits() {
        let base = Base::load(None, limits()).unwrap();
        let with = |sets: &[&str]| {
            base.scenario(&RunRequest {
                overrides: sets.iter().map(|s| s.to_string()).collect(),
                replicates: Some(1),
                ..Default::default()
            })
            .unwrap()
        };
        assert!(
            local_unit(&with(&[])).is_none(),
            "the top is the whole organization"
        );
        let s = with(&["events.4.scope=\"unit:u1\""]);
        let l = local_unit(&s).unwrap();
        assert_eq!((l.name.as_str(), l.team, l.people), ("u1", false, 111));
        let org = lc(&s).org();
        let (lo, hi) = org.unit_teams[org.find("u1").unwrap()];
        assert_eq!(l.groups.len(), (hi - lo) as usize);
        let run = crate::engine::run_one(
            lc(&s),
            1,
            crate::engine::RunId {
                point: 0,
                replicate: 0,
            },
        );
        let x = l.series(&run);
        // One value every `every` steps, both ends included (522 weekly
        // steps in ten years, every 3: 175).
        assert_eq!(x.len(), (lc(&s).steps() / l.every) as usize + 1);
        assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        let t = local_unit(&with(&["events.4.scope=\"team:u1.1.1\""])).unwrap();
        assert!(t.team && t.groups.len() == 1 && t.people == 11);
    }

    #[test]
    fn the_margin_card_is_the_support_above_the_lower_edge() {
        let base = Base::load(None, limits()).unwrap();
        let with = |sets: &[&str]| {
            base.scenario(&RunRequest {
                overrides: sets.iter().map(|s| s.to_string()).collect(),
                replicates: Some(1),
                ..Default::default()
            })
            .unwrap()
        };
        let s = with(&[]);
        let w = base.window(lc(&s)).expect("the defaults are bistable");
        // Computed once: the second request with the same parameters (but
        // other events) reads the cache.
        assert_eq!(base.window(lc(&with(&["events.4.enabled=false"]))), Some(w));
        assert_eq!(base.windows.lock().unwrap().len(), 1);
        let m = Margin::of(Some(w), &[0.5, 0.6]);
        assert_eq!(m.support, Some(0.55));
        assert!((m.margin.unwrap() - (0.55 - w.0)).abs() < 1e-4);
        // Without the loop there is no tipping point: no margin.
        let off = with(&["culture.coupling=0"]);
        let none = Margin::of(base.window(lc(&off)), &[0.5]);
        assert_eq!((none.lower_edge, none.margin), (None, None));
    }

    #[test]
    fn with_a_posterior_every_request_draws_its_parameters() {
        let post = crate::calibrate::Posterior::new(
            vec!["culture.coupling".into()],
            vec!["culture.coupling".into()],
            vec![vec![0.5], vec![1.5]],
            &[0.5, 0.5],
            "snow-in-the-sun",
        );
        let base = Base::load(None, limits())
            .unwrap()
            .with_posterior(post)
            .unwrap();
        let s = base
            .scenario(&RunRequest {
                replicates: Some(6),
                ..Default::default()
            })
            .unwrap();
        let d = lc(&s)
            .draws()
            .expect("the request's runs draw from the posterior");
        assert_eq!(d.by_replicate.len(), 6);
        assert_eq!(
            d.models.len(),
            2,
            "both particles are drawn in six replicates"
        );
        let described: serde_json::Value = serde_json::from_slice(&base.describe()).unwrap();
        assert!(
            described["posterior"]
                .as_str()
                .unwrap()
                .contains("culture.coupling drawn per replicate")
        );
        // A lever on a parameter of the posterior is refused, not ignored.
        let e = base
            .scenario(&RunRequest {
                overrides: vec!["culture.coupling=1".into()],
                replicates: Some(2),
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a parameter of the posterior"), "{e}");
    }

    #[test]
    fn org_names_the_units_a_control_can_pick() {
        let base = Base::load(None, limits()).unwrap();
        let o = OrgInfo::of(&base.start);
        assert_eq!(o.top.name, "top");
        assert_eq!(o.top.people, 500);
        assert_eq!(o.unit.name, "u1");
        assert!(o.team.name.starts_with("u1."), "{}", o.team.name);
        assert!(o.team.people < o.unit.people && o.unit.people < 500);
        // The picker's tree: every unit, depth first, with teams and headcounts.
        assert!(o.tree_complete);
        assert_eq!(o.tree.len(), o.units);
        assert_eq!(o.tree[0].scope, "top");
        assert_eq!(
            (o.tree[0].teams as usize, o.tree[0].headcount),
            (o.teams, 500)
        );
        assert_eq!(o.tree[1].scope, "unit:u1");
        assert_eq!(o.tree[1].headcount, o.unit.people);
        let team = o.tree.iter().find(|r| r.team).unwrap();
        assert_eq!(
            (team.name.as_str(), team.headcount),
            (o.team.name.as_str(), o.team.people)
        );
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["tree"][1]["division"], "u1");
        assert_eq!(json["levels"], 4);
    }
}
