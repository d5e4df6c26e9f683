//! The early-warning study (`culturesim warning`): load the scenario (and
//! its knock-out twin), check the monitoring start, the window, the
//! rolling window, the detrending bandwidth and the threshold, find the
//! mean field's bistable window, run and measure every run and unit
//! ([`super::warning`]), summarize, and give the tables as bytes
//! (warning.csv, warning-series.csv, warning.json). The figure and page
//! are the report crate's; the command writes the folder.

use super::checkpoint::time_in_steps;
use super::study::{Loader, learning_culture};
use super::warning::{
    Branches, Plan, RunResult, Runs, Sensitivity, Warning, sensitivity, sensitivity_finding,
    simulate, summarize, total_steps,
};
use crate::analysis::warning::{Detrend, Tip};
use crate::command::{Failure, Progress};
use crate::engine::Model;
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::events::{Kind, When};
use crate::model::learning_culture::meanfield::{People, bistable_window};
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The default monitored window.
pub const WINDOW: &str = "3y";

/// The default rolling window, in percent of the monitored window: half,
/// the default of Dakos et al. (2012) and of their `earlywarnings` package.
pub const ROLLING: f64 = 50.0;

/// The default detrending bandwidth, in percent of the monitored window:
/// 20%, the default of the `ewstools` package (an assumption, not a
/// property of the model).
pub const BANDWIDTH: f64 = 20.0;

/// The typed options of `culturesim warning`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Scenario file (or a bundled name).
    pub scenario: PathBuf,
    /// Monitoring start (a time; None: the first leader replacement or
    /// budget cut after step 0).
    pub from: Option<String>,
    /// Length of the monitored window (a time).
    pub window: String,
    /// Rolling window, percent of the monitored window.
    pub rolling: f64,
    /// Detrending bandwidth: a time, or "none" (no detrending); None: [`BANDWIDTH`]% of the window.
    pub bandwidth: Option<String>,
    /// Culture below which a unit has tipped (None: `culture.high_threshold`).
    pub threshold: Option<f64>,
    /// Write every team's series, not only the organization's.
    pub teams: bool,
    /// The knock-out twin: `--set`-style overrides applied after `set`
    /// (empty: no twin).
    pub twin: Vec<String>,
    /// Replicates (overrides the scenario).
    pub replicates: Option<u32>,
    /// Scenario overrides (`--set`).
    pub set: Vec<String>,
    /// Master seed (overrides the scenario).
    pub seed: Option<u64>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// `--posterior DIR`: each replicate draws its parameters from the
    /// posterior `culturesim calibrate` wrote into DIR, the same draw in
    /// every branch of the replicate (None: the scenario's parameters).
    pub posterior: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scenario: PathBuf::new(),
            from: None,
            window: WINDOW.into(),
            rolling: ROLLING,
            bandwidth: None,
            threshold: None,
            teams: false,
            twin: Vec::new(),
            replicates: None,
            set: Vec::new(),
            seed: None,
            threads: None,
            posterior: None,
        }
    }
}

/// A finished early-warning study.
pub struct Study {
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The knock-out twin's overrides (empty: none).
    pub twin: Vec<String>,
    /// The settings in steps.
    pub plan: Plan,
    /// Years per step.
    pub dt: f64,
    /// Names of the units: "organization", then the teams.
    pub units: Vec<String>,
    /// The measured runs.
    pub runs: Runs,
    /// The summary.
    pub warning: Warning,
    /// The findings, in words.
    pub findings: Vec<String>,
    /// The organization's τ under other rolling windows and detrendings.
    pub sensitivity: Vec<Sensitivity>,
}

/// Step `s` as "year 6.0".
fn year(s: u32, dt: f64) -> String {
    format!("year {:.1}", f64::from(s) * dt)
}

/// The first leader replacement or budget cut after step 0: where a
/// harm starts, and monitoring with it.
fn first_harm(model: &LearningCulture) -> Option<u32> {
    model
        .setup()
        .events
        .iter()
        .filter(|e| matches!(e.kind, Kind::ReplaceLeader { .. } | Kind::BudgetCut { .. }))
        .map(|e| match e.when {
            When::At(s) => s,
            When::Every { start, .. } => start,
        })
        .filter(|s| *s > 0)
        .min()
}

/// The plan of options `o` for `model`, or the usage error that names the
/// option.
fn plan(o: &Options, model: &LearningCulture, scenario: &Scenario) -> Result<Plan, Failure> {
    let input = Failure::Input;
    let steps = model.steps();
    let unit = scenario.raw.time_unit.as_str();
    let dt = model.years_per_step();
    let years = |s: u32| f64::from(s) * dt;
    let from = match &o.from {
        Some(t) => time_in_steps(t, unit).map_err(|m| input(anyhow!("--from {t}: {m}")))?,
        None => first_harm(model).ok_or_else(|| {
            input(anyhow!(
                "scenario '{}' has no leader replacement or budget cut after the start to monitor from; give --from TIME (e.g. --from 5y)",
                scenario.name()
            ))
        })?,
    };
    if from >= steps {
        return Err(input(anyhow!(
            "--from is step {from}, not before the run's end (step {steps}, {:.1} years)",
            years(steps)
        )));
    }
    let window =
        time_in_steps(&o.window, unit).map_err(|m| input(anyhow!("--window {}: {m}", o.window)))?;
    if window == 0 {
        return Err(input(anyhow!(
            "--window {} is less than one step ({unit}); give a length such as 3y",
            o.window
        )));
    }
    if from + window > steps {
        return Err(input(anyhow!(
            "--window {} from step {from} reaches step {}, beyond the run's end (step {steps}); at most {:.2} years from --from",
            o.window,
            from + window,
            years(steps - from)
        )));
    }
    if !(o.rolling > 0.0 && o.rolling < 100.0) {
        return Err(input(anyhow!(
            "--rolling must be a percentage of the window in (0, 100), got {}",
            o.rolling
        )));
    }
    let rolling = (f64::from(window) * o.rolling / 100.0).round() as u32;
    if rolling < 4 {
        return Err(input(anyhow!(
            "--rolling {}% of a window of {window} steps is {rolling} steps; the rolling statistics need at least 4 (a longer --window or a larger --rolling)",
            o.rolling
        )));
    }
    let detrend = match o.bandwidth.as_deref().map(str::trim) {
        Some("none") => Detrend::None,
        Some(t) => {
            let b = time_in_steps(t, unit)
                .map_err(|m| input(anyhow!("--bandwidth {t}: {m} (or 'none': no detrending)")))?;
            if b == 0 {
                return Err(input(anyhow!(
                    "--bandwidth {t} is less than one step ({unit}); give a time such as 6m, or 'none'"
                )));
            }
            Detrend::Gaussian {
                bandwidth: f64::from(b),
            }
        }
        None => Detrend::Gaussian {
            bandwidth: (f64::from(window) * BANDWIDTH / 100.0).max(1.0),
        },
    };
    let threshold = o
        .threshold
        .unwrap_or(model.stated_params().culture.high_threshold);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(input(anyhow!(
            "--threshold must be a culture level in [0, 1], got {threshold}"
        )));
    }
    Ok(Plan {
        from,
        window,
        rolling,
        detrend,
        threshold,
        team_series: o.teams,
    })
}

/// The knock-out twin's scenario, or the usage error: it must run the
/// same organization for the same number of steps.
fn twin_of(o: &Options, loader: &Loader, scenario: &Scenario) -> Result<Option<Scenario>, Failure> {
    if o.twin.is_empty() {
        return Ok(None);
    }
    let mut set = o.set.clone();
    set.extend(o.twin.iter().cloned());
    let twin = loader
        .load_for(&set, o.seed, o.replicates)
        .map_err(|e| match e {
            Failure::Input(e) => Failure::Input(anyhow!("--twin-set: {e:#}")),
            other => other,
        })?;
    let (a, b) = (
        learning_culture("warning", scenario)?,
        learning_culture("warning", &twin)?,
    );
    if a.groups() != b.groups() || a.steps() != b.steps() {
        return Err(Failure::Input(anyhow!(
            "--twin-set must keep the organization and the duration, so that each run and team is compared with itself: the scenario has {} teams and {} steps, the twin {} teams and {} steps",
            a.groups().len(),
            a.steps(),
            b.groups().len(),
            b.steps()
        )));
    }
    Ok(Some(twin))
}

/// The bistable window of `model`'s parameters and people, computed once
/// per distinct setting (`known` keeps those already computed).
fn edges(
    model: &LearningCulture,
    known: &mut Vec<(String, Option<(f64, f64)>)>,
) -> Option<(f64, f64)> {
    let people = People::of(model.setup());
    let key = format!("{:?}|{people:?}", model.stated_params());
    if let Some((_, w)) = known.iter().find(|(k, _)| *k == key) {
        return *w;
    }
    let w = bistable_window(model.stated_params(), &people);
    known.push((key, w));
    w
}

/// The bistable window of each of the first `replicates` replicates of
/// `model`: its posterior draw's, or, without draws, the model's.
fn windows(
    model: &LearningCulture,
    replicates: u32,
    known: &mut Vec<(String, Option<(f64, f64)>)>,
) -> Vec<Option<(f64, f64)>> {
    match model.draws() {
        None => vec![edges(model, known); replicates as usize],
        Some(d) => {
            let per_draw: Vec<Option<(f64, f64)>> =
                d.models.iter().map(|m| edges(m, known)).collect();
            (0..replicates as usize)
                .map(|r| per_draw[d.by_replicate[r % d.by_replicate.len()] as usize])
                .collect()
        }
    }
}

/// The window a branch reports for runs with windows `w`: each edge the
/// one they all share, else its mean over the runs that have a window
/// (None when none has one); and, when the lower edges differ, the least
/// and the greatest.
fn reported(w: &[Option<(f64, f64)>]) -> (Option<(f64, f64)>, Option<[f64; 2]>) {
    let some: Vec<(f64, f64)> = w.iter().flatten().copied().collect();
    let Some(&(lo, hi)) = some.first() else {
        return (None, None);
    };
    let edge = |first: f64, f: fn(&(f64, f64)) -> f64| {
        if some.iter().all(|x| f(x) == first) {
            first
        } else {
            some.iter().map(f).sum::<f64>() / some.len() as f64
        }
    };
    let range = some.iter().any(|x| x.0 != lo).then(|| {
        [
            some.iter().map(|x| x.0).fold(f64::INFINITY, f64::min),
            some.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max),
        ]
    });
    (Some((edge(lo, |x| x.0), edge(hi, |x| x.1))), range)
}

/// Run the study: every problem of the input is a usage error, found
/// before anything runs.
pub fn study(o: &Options, progress: &dyn Progress) -> Result<Study, Failure> {
    let loader = Loader::new(&o.scenario, o.posterior.as_deref())?;
    let scenario = loader.load_for(&o.set, o.seed, o.replicates)?;
    let model = learning_culture("warning", &scenario)?;
    let plan = plan(o, model, &scenario)?;
    let twin = twin_of(o, &loader, &scenario)?;
    let twin_model = twin
        .as_ref()
        .map(|t| learning_culture("warning", t))
        .transpose()?;
    let pool = crate::command::pool(o.threads)?;
    let replicates = scenario.replicates;
    // Each run's margin is measured from its own parameters' window: the
    // branch's, or its posterior draw's.
    let mut known = Vec::new();
    let mine = pool.install(|| windows(model, replicates, &mut known));
    let theirs = match twin_model {
        Some(t) => pool.install(|| windows(t, replicates, &mut known)),
        None => Vec::new(),
    };
    let lower = |w: &[Option<(f64, f64)>]| -> Vec<Option<f64>> {
        w.iter().map(|x| x.map(|x| x.0)).collect()
    };
    let (window, range) = reported(&mine);
    let twin_edge = reported(&theirs).0.map(|w| w.0);
    let b = Branches {
        scenario: model,
        twin: twin_model,
    };
    progress.begin(total_steps(&b, replicates), 0);
    let runs = pool.install(|| {
        simulate(
            &b,
            scenario.seed,
            replicates,
            &plan,
            [&lower(&mine), &lower(&theirs)],
            &|| progress.advance(1),
        )
    });
    progress.finish();
    let mut warning = summarize(&runs, &plan, window, twin_edge);
    warning.lower_edge_range = range;
    let dt = model.years_per_step();
    let mut findings = warning.findings(&|s| year(s, dt), &o.twin.join(", "));
    let sensitivity = sensitivity(&runs, &plan);
    findings.extend(sensitivity_finding(&sensitivity));
    let mut units = vec!["organization".to_string()];
    units.extend(model.groups());
    Ok(Study {
        twin: o.twin.clone(),
        plan,
        dt,
        units,
        runs,
        warning,
        findings,
        sensitivity,
        scenario,
    })
}

/// A number for a CSV cell: empty when undefined.
fn cell(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        v.to_string()
    }
}

/// Which runs a group means: those that tipped, those that held, or every
/// run (the twin's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Runs whose organization tipped.
    Tipped,
    /// Runs whose organization held.
    Held,
    /// Every run high at the monitoring start.
    High,
}

/// The mean over a group of runs of the organization's series, step by
/// step (NaN where no run of the group has a value).
#[derive(Debug, Clone, Default)]
pub struct GroupSeries {
    /// Runs in the group.
    pub runs: usize,
    /// Culture.
    pub culture: Vec<f64>,
    /// Margin (support − the branch's lower edge).
    pub margin: Vec<f64>,
    /// Rolling variance.
    pub variance: Vec<f64>,
    /// Rolling lag-1 autocorrelation.
    pub ar1: Vec<f64>,
}

fn nan_mean(v: &[f64]) -> f64 {
    let x: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if x.is_empty() {
        f64::NAN
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

impl Study {
    /// The study's data files (name, bytes): warning.csv,
    /// warning-series.csv and warning.json, as `culturesim warning` writes
    /// them.
    pub fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("warning.csv".to_string(), self.csv().into_bytes()),
            ("warning-series.csv".into(), self.series_csv().into_bytes()),
            (
                "warning-sensitivity.csv".into(),
                self.sensitivity_csv().into_bytes(),
            ),
            ("warning.json".into(), self.json()),
        ]
    }

    /// Step `s` as "year 6.0".
    pub fn year(&self, s: u32) -> String {
        year(s, self.dt)
    }

    /// The branches with their runs: ("scenario", runs) and, with a twin,
    /// ("twin", runs).
    pub fn branches(&self) -> Vec<(&'static str, &[RunResult])> {
        let mut v = vec![("scenario", self.runs.scenario.as_slice())];
        if !self.runs.twin.is_empty() {
            v.push(("twin", self.runs.twin.as_slice()));
        }
        v
    }

    /// warning.csv: one row per branch, run and unit.
    pub fn csv(&self) -> String {
        let mut csv = String::from(
            "branch,replicate,unit,outcome,tip_step,tip_year,window_from,window_to,tau_variance,tau_ar1,margin_from,margin_end,margin_min,steps_below_edge\n",
        );
        for (branch, runs) in self.branches() {
            for r in runs {
                for (u, x) in r.units.iter().enumerate() {
                    let (outcome, step) = match x.outcome {
                        Tip::NotHigh => ("not_high", None),
                        Tip::Held => ("held", None),
                        Tip::Tipped { step } => ("tipped", Some(step)),
                    };
                    let _ = writeln!(
                        csv,
                        "{branch},{},{},{outcome},{},{},{},{},{},{},{},{},{},{}",
                        r.replicate,
                        self.units[u].replace(',', ";"),
                        step.map(|s| s.to_string()).unwrap_or_default(),
                        step.map(|s| (s as f64 * self.dt).to_string())
                            .unwrap_or_default(),
                        x.segment[0],
                        x.segment[1],
                        cell(x.tau_variance),
                        cell(x.tau_ar1),
                        cell(x.margin_from),
                        cell(x.margin_end),
                        cell(x.margin_min),
                        x.steps_below
                    );
                }
            }
        }
        csv
    }

    /// warning-series.csv: tidy, one row per branch, run, unit kept and
    /// step (the organization always; every team with `--teams`).
    pub fn series_csv(&self) -> String {
        let mut csv =
            String::from("branch,replicate,unit,step,year,culture,support,margin,variance,ar1\n");
        for (branch, runs) in self.branches() {
            for r in runs {
                let edge = r.edge;
                for (u, s) in &r.series {
                    let name = self.units[*u].replace(',', ";");
                    for (n, c) in s.culture.iter().enumerate() {
                        let margin = edge.map_or(f64::NAN, |e| s.support[n] - e);
                        let _ = writeln!(
                            csv,
                            "{branch},{},{name},{n},{},{c},{},{},{},{}",
                            r.replicate,
                            n as f64 * self.dt,
                            s.support[n],
                            cell(margin),
                            cell(s.variance[n]),
                            cell(s.ar1[n])
                        );
                    }
                }
            }
        }
        csv
    }

    /// warning-sensitivity.csv: one row per choice of rolling window and
    /// detrending and per group (tipped, held, twin).
    pub fn sensitivity_csv(&self) -> String {
        let mut csv = String::from(
            "rolling_percent,rolling_steps,detrend,bandwidth_percent,bandwidth_steps,group,runs,tau_variance,tau_variance_ci_lo,tau_variance_ci_hi,tau_ar1,tau_ar1_ci_lo,tau_ar1_ci_hi\n",
        );
        let w = f64::from(self.plan.window);
        for r in &self.sensitivity {
            let (detrend, pct, steps) = match r.bandwidth_percent {
                None => ("none", String::new(), String::new()),
                Some(b) => (
                    "gaussian",
                    b.to_string(),
                    (w * b / 100.0).max(1.0).to_string(),
                ),
            };
            for (group, v, a) in [
                ("tipped", &r.tipped_variance, &r.tipped_ar1),
                ("held", &r.held_variance, &r.held_ar1),
                ("twin", &r.twin_variance, &r.twin_ar1),
            ] {
                let (Some(v), Some(a)) = (v, a) else {
                    continue;
                };
                let _ = writeln!(
                    csv,
                    "{},{},{detrend},{pct},{steps},{group},{},{},{},{},{},{},{}",
                    r.rolling_percent,
                    r.rolling,
                    v.n,
                    v.mean,
                    v.ci95[0],
                    v.ci95[1],
                    a.mean,
                    a.ci95[0],
                    a.ci95[1]
                );
            }
        }
        csv
    }

    /// warning.json: the settings, the summary and the findings.
    pub fn json(&self) -> Vec<u8> {
        let p = &self.plan;
        let bandwidth = match p.detrend {
            Detrend::None => None,
            Detrend::Gaussian { bandwidth } => Some(bandwidth),
        };
        let json = serde_json::json!({
            "scenario": self.scenario.name(),
            "seed": self.scenario.seed,
            "replicates": self.scenario.replicates,
            "time_unit": self.scenario.raw.time_unit,
            "years_per_step": self.dt,
            "from_step": p.from,
            "window_steps": p.window,
            "rolling_steps": p.rolling,
            "bandwidth_steps": bandwidth,
            "detrend": if bandwidth.is_some() { "gaussian" } else { "none" },
            "threshold": p.threshold,
            "twin": self.twin,
            "findings": self.findings,
            "warning": self.warning,
            "sensitivity": self.sensitivity,
        });
        let json = super::study::with_posterior(json, &self.scenario);
        serde_json::to_vec_pretty(&json).expect("a warning summary serializes")
    }

    /// The mean of the organization's series over group `who` of `branch`.
    pub fn group_series(&self, branch: &str, who: Who) -> GroupSeries {
        let Some((_, runs)) = self.branches().into_iter().find(|b| b.0 == branch) else {
            return GroupSeries::default();
        };
        let keep: Vec<&RunResult> = runs
            .iter()
            .filter(|r| match (who, r.units[0].outcome) {
                (Who::Tipped, Tip::Tipped { .. }) => true,
                (Who::Held, Tip::Held) => true,
                (Who::High, o) => o != Tip::NotHigh,
                _ => false,
            })
            .collect();
        fn org(r: &RunResult) -> &super::warning::UnitSeries {
            &r.series.iter().find(|s| s.0 == 0).expect("kept").1
        }
        let len = keep.iter().map(|r| org(r).culture.len()).max().unwrap_or(0);
        let at = |f: &dyn Fn(&RunResult, &super::warning::UnitSeries, usize) -> f64| -> Vec<f64> {
            (0..len)
                .map(|n| {
                    let v: Vec<f64> = keep
                        .iter()
                        .map(|r| {
                            let s = org(r);
                            if n < s.culture.len() {
                                f(r, s, n)
                            } else {
                                f64::NAN
                            }
                        })
                        .collect();
                    nan_mean(&v)
                })
                .collect()
        };
        GroupSeries {
            runs: keep.len(),
            culture: at(&|_, s, n| s.culture[n]),
            margin: at(&|r, s, n| r.edge.map_or(f64::NAN, |e| s.support[n] - e)),
            variance: at(&|_, s, n| s.variance[n]),
            ar1: at(&|_, s, n| s.ar1[n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            scenario: PathBuf::from("snow-in-the-sun"),
            window: "1y".into(),
            replicates: Some(2),
            set: vec!["org.employees=60".into()],
            threads: Some(2),
            ..Options::default()
        }
    }

    #[test]
    fn runs_that_share_a_window_report_it_and_draws_report_their_mean() {
        let w = Some((0.4, 0.6));
        assert_eq!(reported(&[w, w, w]), (w, None));
        assert_eq!(reported(&[None, None]), (None, None));
        // Draws with other windows: the means over the runs that have one,
        // and the range of the lower edges.
        let (mean, range) = reported(&[w, Some((0.5, 0.6)), None, w]);
        let (lo, hi) = mean.unwrap();
        assert!((lo - 1.3 / 3.0).abs() < 1e-12 && hi == 0.6, "{lo} {hi}");
        assert_eq!(range, Some([0.4, 0.5]));
        // Only the upper edges differ: no range.
        assert_eq!(reported(&[w, Some((0.4, 0.8))]).1, None);
    }

    #[test]
    fn bad_input_is_refused_before_anything_runs() {
        for (edit, said) in [
            (
                (|o: &mut Options| o.from = Some("soon".into())) as fn(&mut Options),
                "--from soon:",
            ),
            (
                |o| o.from = Some("10y".into()),
                "--from is step 522, not before the run's end",
            ),
            (|o| o.window = "6y".into(), "at most 5.00 years from --from"),
            (|o| o.window = "1d".into(), "is less than one step"),
            (|o| o.rolling = 100.0, "--rolling must be a percentage"),
            (
                |o| o.rolling = 1.0,
                "the rolling statistics need at least 4",
            ),
            (
                |o| o.bandwidth = Some("0w".into()),
                "--bandwidth 0w is less than one step",
            ),
            (|o| o.bandwidth = Some("wide".into()), "--bandwidth wide:"),
            (
                |o| o.threshold = Some(1.5),
                "--threshold must be a culture level",
            ),
            (
                |o| o.twin = vec!["org.employees=100".into()],
                "--twin-set must keep the organization",
            ),
            (|o| o.twin = vec!["nope=1".into()], "--twin-set:"),
            (
                |o| o.set.push("events=[]".into()),
                "has no leader replacement or budget cut",
            ),
        ] {
            let mut o = options();
            edit(&mut o);
            let e = study(&o, &()).err().expect("refused");
            assert!(matches!(e, Failure::Input(_)), "{e}");
            assert!(e.to_string().contains(said), "{said}: {e:#}");
        }
    }

    #[test]
    fn a_study_gives_a_row_per_run_and_unit_and_a_series_per_step() {
        let mut o = options();
        o.twin = vec!["events.4.enabled=false".into()];
        let s = study(&o, &()).unwrap();
        // The shock at year 5 starts the monitoring.
        assert_eq!(s.plan.from, 261);
        assert_eq!(s.plan.rolling, 26);
        let units = s.units.len();
        assert!(units > 1);
        assert_eq!(s.csv().lines().count(), 1 + 2 * 2 * units);
        assert_eq!(s.series_csv().lines().count(), 1 + 2 * 2 * 523);
        let json: serde_json::Value = serde_json::from_slice(&s.json()).unwrap();
        assert_eq!(json["from_step"], 261);
        assert!(json["warning"]["lower_edge"].is_number(), "{json}");
        assert!(!s.findings.is_empty());
        let g = s.group_series("twin", Who::High);
        assert_eq!(g.culture.len(), 523);
    }
}
