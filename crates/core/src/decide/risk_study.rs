//! The risk study (`culturesim risk`): which leadership seats carry the
//! culture's risk, and the succession stress test. Load the scenario,
//! check the fork step, horizon and alignment, fork every seat's
//! succession (common random numbers), summarize, and give the tables as
//! bytes (seats.csv, stress.csv, risk.json). The figure and page are the
//! report crate's; the command writes the folder.

use super::risk::{Finals, Risk, plan, simulate, summarize, total_steps};
use super::study::{learning_culture, load_with};
use crate::command::{Failure, Progress};
use crate::decide::checkpoint::time_in_steps;
use crate::model::learning_culture::events::{Kind, When};
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The typed options of `culturesim risk`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file (or a bundled name).
    pub scenario: PathBuf,
    /// When the seats change hands (a time; None: the first leader
    /// replacement after step 0, else step 0).
    pub at: Option<String>,
    /// Years from `at` to the horizon (None: the run's end).
    pub years: Option<f64>,
    /// The successor's alignment.
    pub alignment: f64,
    /// Seats shown (at least 1).
    pub top: usize,
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

/// A finished risk study.
pub struct Study {
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The fork step.
    pub at: u32,
    /// The horizon step.
    pub horizon: u32,
    /// Years per step.
    pub dt: f64,
    /// Final cultures per seat and replicate.
    pub finals: Finals,
    /// The summary.
    pub risk: Risk,
    /// The findings, in words.
    pub findings: Vec<String>,
    /// Seats shown.
    pub shown: usize,
}

/// Step `s` as "year 4.0".
fn year(s: u32, dt: f64) -> String {
    format!("year {:.1}", f64::from(s) * dt)
}

/// Run the study: every problem of the input is a usage error, found
/// before anything runs.
pub fn study(o: &Options, progress: &dyn Progress) -> Result<Study, Failure> {
    let input = Failure::Input;
    let scenario = load_with(
        &o.scenario,
        &o.set,
        o.seed,
        o.replicates,
        o.posterior.as_deref(),
    )?;
    let model = learning_culture("risk", &scenario)?;
    if !(0.0..=1.0).contains(&o.alignment) {
        return Err(input(anyhow!(
            "--alignment must be in [0, 1], got {}",
            o.alignment
        )));
    }
    let steps = crate::engine::Model::steps(model);
    let time_unit = scenario.raw.time_unit.clone();
    let dt = crate::model::learning_culture::params::years_per_step(&time_unit)
        .expect("a valid scenario's time unit");
    let at = match &o.at {
        Some(t) => time_in_steps(t, &time_unit).map_err(|m| input(anyhow!("--at {t}: {m}")))?,
        None => model
            .setup()
            .events
            .iter()
            .filter(|e| matches!(e.kind, Kind::ReplaceLeader { .. }))
            .filter_map(|e| match e.when {
                When::At(s) if s > 0 => Some(s),
                _ => None,
            })
            .min()
            .unwrap_or(0),
    };
    if at >= steps {
        return Err(input(anyhow!(
            "--at is step {at}, not before the run's end (step {steps}, duration {:.1} years)",
            f64::from(steps) * dt
        )));
    }
    let horizon = match o.years {
        None => steps,
        Some(y) if y > 0.0 && y.is_finite() => {
            let h = at + (y / dt).round() as u32;
            if h > steps {
                return Err(input(anyhow!(
                    "--years {y} puts the horizon at step {h}, beyond the run's end (step {steps}); at most {:.2} years from --at",
                    f64::from(steps - at) * dt
                )));
            }
            h.max(at + 1)
        }
        Some(y) => {
            return Err(input(anyhow!(
                "--years must be a number of years > 0, got {y}"
            )));
        }
    };
    if o.top == 0 {
        return Err(input(anyhow!("--top must be at least 1")));
    }
    let years = |s: u32| year(s, dt);
    let pool = crate::command::pool(o.threads)?;
    let p = pool.install(|| plan(model, scenario.seed, at, horizon, o.alignment));
    let replicates = scenario.replicates;
    progress.begin(total_steps(&p, replicates), 0);
    let finals = pool.install(|| simulate(&p, scenario.seed, replicates, &|| progress.advance(1)));
    progress.finish();
    let r = summarize(&p, &finals, o.alignment);
    let findings = r.findings(&years);
    let shown = o.top.min(r.seats.len());
    Ok(Study {
        scenario,
        at,
        horizon,
        dt,
        finals,
        risk: r,
        findings,
        shown,
    })
}

impl Study {
    /// The study's data files (name, bytes): seats.csv, stress.csv and
    /// risk.json, as `culturesim risk` writes them.
    pub fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("seats.csv".to_string(), self.seats_csv().into_bytes()),
            ("stress.csv".into(), self.stress_csv().into_bytes()),
            ("risk.json".into(), self.json()),
        ]
    }

    /// Step `s` as "year 4.0".
    pub fn year(&self, s: u32) -> String {
        year(s, self.dt)
    }

    /// seats.csv: every seat, most exposed first.
    pub fn seats_csv(&self) -> String {
        let mut seats = String::from(
            "rank,seat,unit,depth,headcount,loss,loss_ci_lo,loss_ci_hi,share,cumulative,top80\n",
        );
        for s in &self.risk.seats {
            let _ = writeln!(
                seats,
                "{},{},{},{},{},{},{},{},{},{},{}",
                s.rank,
                s.name.replace(',', ";"),
                s.unit,
                s.depth,
                s.headcount,
                s.loss,
                s.loss_ci[0],
                s.loss_ci[1],
                s.share,
                s.cumulative,
                s.top80
            );
        }
        seats
    }

    /// stress.csv: the succession stress test per replicate.
    pub fn stress_csv(&self) -> String {
        let r = &self.risk;
        let mut stress = String::from("replicate,culture_at_fork,culture_at_horizon,tipped\n");
        for (i, (c, a)) in r.stress.finals.iter().zip(&self.finals.at_fork).enumerate() {
            let tipped = *a >= r.stress.threshold && *c < r.stress.threshold;
            let _ = writeln!(stress, "{i},{a},{c},{tipped}");
        }
        stress
    }

    /// risk.json: the summary with the scenario, seed and findings.
    pub fn json(&self) -> Vec<u8> {
        let json = serde_json::json!({
            "scenario": self.scenario.name(),
            "seed": self.scenario.seed,
            "time_unit": self.scenario.raw.time_unit,
            "findings": self.findings,
            "risk": self.risk,
        });
        let json = super::study::with_posterior(json, &self.scenario);
        serde_json::to_vec_pretty(&json).expect("a risk summary serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            scenario: PathBuf::from("snow-in-the-sun"),
            at: None,
            years: None,
            alignment: 0.1,
            top: 3,
            replicates: Some(2),
            set: vec!["org.employees=60".into()],
            seed: None,
            threads: Some(2),
            posterior: None,
        }
    }

    #[test]
    fn bad_input_is_refused_before_anything_runs() {
        for (edit, said) in [
            (
                (|o: &mut Options| o.alignment = 1.5) as fn(&mut Options),
                "--alignment must be in [0, 1]",
            ),
            (|o| o.top = 0, "--top must be at least 1"),
            (
                |o| o.years = Some(-1.0),
                "--years must be a number of years > 0",
            ),
            (|o| o.years = Some(100.0), "beyond the run's end"),
            (|o| o.at = Some("20y".into()), "not before the run's end"),
        ] {
            let mut o = options();
            edit(&mut o);
            let e = study(&o, &()).err().expect("refused");
            assert!(matches!(e, Failure::Input(_)), "{e}");
            assert!(e.to_string().contains(said), "{e}");
        }
    }

    #[test]
    fn a_study_ranks_every_seat_and_stresses_every_replicate() {
        let s = study(&options(), &()).unwrap();
        assert_eq!(s.seats_csv().lines().count(), 1 + s.risk.seats.len());
        assert_eq!(s.stress_csv().lines().count(), 1 + 2);
        assert!(s.shown <= 3 && s.shown >= 1);
        assert!(s.at > 0, "the first leader replacement of snow-in-the-sun");
    }
}
