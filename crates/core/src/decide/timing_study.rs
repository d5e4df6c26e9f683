//! The timing study (`culturesim timing`): "how long can we wait?" Load
//! the scenario, check the event and the delays, run the branches (no
//! harm, never remedied, remedied after each delay; common random
//! numbers), summarize, and give the tables as bytes (timing.csv,
//! timing-runs.csv, timing.json, scenario.toml). The figure and page are
//! the report crate's; the command writes the folder.

use super::study::{learning_culture, load_with};
use super::timing::{Branches, Finals, Timing, branches, simulate, summarize, total_steps};
use crate::command::{Failure, Progress};
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The units a timing study's delays may be given in: (name, its letter
/// in scenario times), as `culturesim timing --unit` and the Python
/// package name them.
pub const DELAY_UNITS: [(&str, &str); 5] = [
    ("days", "d"),
    ("weeks", "w"),
    ("months", "m"),
    ("quarters", "q"),
    ("years", "y"),
];

/// The unit named `name` (plural, as in [`DELAY_UNITS`]).
pub fn delay_unit(name: &str) -> Option<(&'static str, &'static str)> {
    DELAY_UNITS.iter().copied().find(|(n, _)| *n == name)
}

/// The typed options of `culturesim timing`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file (or a bundled name).
    pub scenario: PathBuf,
    /// The id of the harmful event.
    pub event: String,
    /// Delays before the remedy, comma-separated numbers of `unit`.
    pub delays: String,
    /// The delays' unit: its name ("months") and letter ("m").
    pub unit: (&'static str, &'static str),
    /// A run "recovers" within this of the no-harm culture.
    pub tolerance: f64,
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

/// A finished timing study.
pub struct Study {
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The event's id.
    pub event: String,
    /// The event's label.
    pub label: String,
    /// The delays' unit name.
    pub unit: &'static str,
    /// Years per unit of delay.
    pub unit_years: f64,
    /// Years per step.
    pub dt: f64,
    /// Each delay in steps, and as given ("3 months").
    pub delays: Vec<(u32, String)>,
    /// The branches run.
    pub branches: Branches,
    /// Final culture per branch and replicate.
    pub finals: Finals,
    /// The summary.
    pub timing: Timing,
    /// The finding, in words.
    pub finding: String,
}

/// A delay in whole steps, written in the delays' unit: whole numbers when
/// the step rounding is all that separates them (65 weeks is "15 months"),
/// else one decimal (an interpolated crossing).
fn delay_in(steps: f64, dt: f64, unit_years: f64, unit: &str) -> String {
    let v = steps * dt / unit_years;
    let near = v.round();
    let s = if (v - near).abs() < 0.5 * dt / unit_years + 1e-9 {
        format!("{near:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{s} {unit}")
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
    let model = learning_culture("timing", &scenario)?;
    if !(0.0..=1.0).contains(&o.tolerance) {
        return Err(input(anyhow!(
            "--tolerance must be in [0, 1], got {}",
            o.tolerance
        )));
    }
    // The event, by id, as every scenario message names it.
    let ids: Vec<String> = scenario
        .raw
        .events
        .iter()
        .filter_map(|e| e.id.clone())
        .collect();
    let Some(raw_index) = scenario
        .raw
        .events
        .iter()
        .position(|e| e.id.as_deref() == Some(o.event.as_str()))
    else {
        let hint = crate::scenario::keys::closest(&o.event, &ids)
            .map(|c| format!(" (did you mean '{c}'?)"))
            .unwrap_or_default();
        return Err(input(anyhow!(
            "--event {}: scenario '{}' has no event with that id{hint}; its event ids are: {}",
            o.event,
            scenario.name(),
            if ids.is_empty() {
                "none (give the event an `id = \"...\"`)".to_string()
            } else {
                ids.join(", ")
            }
        )));
    };
    let Some(index) = model
        .setup()
        .events
        .iter()
        .position(|e| e.key == raw_index as u64)
    else {
        return Err(input(anyhow!(
            "--event {}: that event is switched off (enabled = false)",
            o.event
        )));
    };
    let (unit, letter) = (o.unit.0, o.unit.1);
    let time_unit = scenario.raw.time_unit.clone();
    let dt = crate::model::learning_culture::params::years_per_step(&time_unit)
        .expect("a valid scenario's time unit");
    let unit_years = crate::scenario::raw::RawTime::Text(format!("1{letter}"))
        .years()
        .expect("a known unit");
    let mut delays = Vec::new();
    for d in o.delays.split(',') {
        let d = d.trim();
        let v: f64 = d.parse().map_err(|_| {
            input(anyhow!(
                "--delays: '{d}' is not a number (write e.g. --delays 0,3,6 --unit months)"
            ))
        })?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(input(anyhow!("--delays: '{d}' must be a delay >= 0")));
        }
        let steps = (v * unit_years / dt).round() as u32;
        delays.push((steps, format!("{d} {unit}")));
    }
    let in_unit = |steps: f64| delay_in(steps, dt, unit_years, unit);
    let b = branches(model, scenario.seed, index, &o.event, &delays, &|steps| {
        in_unit(f64::from(steps))
    })
    .map_err(|e| input(anyhow!("{e}")))?;
    let pool = crate::command::pool(o.threads)?;
    let replicates = scenario.replicates;
    progress.begin(total_steps(&b, replicates), 0);
    let finals = pool.install(|| simulate(&b, scenario.seed, replicates, &|| progress.advance(1)));
    progress.finish();
    let t = summarize(&b, &finals, o.tolerance);
    let finding = t.finding(&in_unit);
    let label = model.setup().events[index].label.clone();
    Ok(Study {
        event: o.event.clone(),
        label,
        unit,
        unit_years,
        dt,
        delays,
        branches: b,
        finals,
        timing: t,
        finding,
        scenario,
    })
}

impl Study {
    /// The study's data files (name, bytes): timing.csv, timing-runs.csv
    /// and timing.json, as `culturesim timing` writes them.
    pub fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("timing.csv".to_string(), self.csv().into_bytes()),
            ("timing-runs.csv".into(), self.runs_csv().into_bytes()),
            ("timing.json".into(), self.json()),
        ]
    }

    /// A delay of `steps` steps in the delays' unit ("15 months").
    pub fn in_unit(&self, steps: f64) -> String {
        delay_in(steps, self.dt, self.unit_years, self.unit)
    }

    /// Steps per unit of delay.
    pub fn steps_per_unit(&self) -> f64 {
        self.unit_years / self.dt
    }

    /// timing.csv: one row per branch.
    pub fn csv(&self) -> String {
        let unit = self.unit;
        let mut csv = String::from(
            "branch,delay,delay_unit,delay_steps,runs,final_culture,final_ci_lo,final_ci_hi,loss,loss_ci_lo,loss_ci_hi,recovered,recovered_share,share_ci_lo,share_ci_hi\n",
        );
        for r in &self.timing.rows {
            // The delay as given (the steps column says how it was rounded).
            let delay = r
                .delay_steps
                .and_then(|d| self.delays.iter().find(|x| x.0 == d))
                .map(|x| x.1.trim_end_matches(unit).trim().to_string())
                .unwrap_or_default();
            let steps = r.delay_steps.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(
                csv,
                "{},{delay},{unit},{steps},{},{},{},{},{},{},{},{},{},{},{}",
                r.branch,
                self.timing.replicates,
                r.final_culture,
                r.final_ci[0],
                r.final_ci[1],
                r.loss,
                r.loss_ci[0],
                r.loss_ci[1],
                r.recovered,
                r.share,
                r.share_ci[0],
                r.share_ci[1]
            );
        }
        csv
    }

    /// timing-runs.csv: every replicate's final culture per branch.
    pub fn runs_csv(&self) -> String {
        let mut runs =
            String::from("replicate,branch,delay_steps,final_culture,no_harm_final_culture\n");
        for (rep, base) in self.finals.no_harm.iter().enumerate() {
            let _ = writeln!(runs, "{rep},no_harm,,{base},{base}");
            let _ = writeln!(runs, "{rep},never,,{},{base}", self.finals.never[rep]);
            for ((d, _), v) in self.branches.delayed.iter().zip(&self.finals.delayed) {
                let _ = writeln!(runs, "{rep},remedy,{d},{},{base}", v[rep]);
            }
        }
        runs
    }

    /// timing.json: the summary with the scenario, seed, event and finding.
    pub fn json(&self) -> Vec<u8> {
        let json = serde_json::json!({
            "scenario": self.scenario.name(),
            "seed": self.scenario.seed,
            "event": self.event,
            "time_unit": self.scenario.raw.time_unit,
            "delay_unit": self.unit,
            "finding": self.finding,
            "timing": self.timing,
        });
        let json = super::study::with_posterior(json, &self.scenario);
        serde_json::to_vec_pretty(&json).expect("a timing summary serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            scenario: PathBuf::from("snow-in-the-sun"),
            event: "shock".into(),
            delays: "0,12".into(),
            unit: ("months", "m"),
            tolerance: 0.05,
            replicates: Some(2),
            set: vec!["org.employees=60".into()],
            seed: None,
            threads: Some(2),
            posterior: None,
        }
    }

    #[test]
    fn delays_are_written_in_their_unit() {
        // 65 weeks of 7/365.25 years are 14.95 months: "15 months".
        let dt = 7.0 / 365.25;
        assert_eq!(delay_in(65.0, dt, 1.0 / 12.0, "months"), "15 months");
        assert_eq!(delay_in(2.0, 1.0, 1.0, "years"), "2 years");
    }

    #[test]
    fn bad_input_is_refused_before_anything_runs() {
        for (edit, said) in [
            (
                (|o: &mut Options| o.event = "shok".into()) as fn(&mut Options),
                "(did you mean 'shock'?)",
            ),
            (|o| o.tolerance = 2.0, "--tolerance must be in [0, 1]"),
            (
                |o| o.delays = "0,soon".into(),
                "--delays: 'soon' is not a number",
            ),
            (|o| o.delays = "-1".into(), "must be a delay >= 0"),
        ] {
            let mut o = options();
            edit(&mut o);
            let e = study(&o, &()).err().expect("refused");
            assert!(matches!(e, Failure::Input(_)), "{e}");
            assert!(e.to_string().contains(said), "{e}");
        }
    }

    #[test]
    fn a_study_gives_one_row_per_branch_and_replicate() {
        let s = study(&options(), &()).unwrap();
        // no harm, never remedied, and the two delays.
        assert_eq!(s.csv().lines().count(), 1 + 4);
        assert_eq!(s.runs_csv().lines().count(), 1 + 2 * 4);
        assert!(s.csv().contains(",0,months,0,"), "{}", s.csv());
        let json: serde_json::Value = serde_json::from_slice(&s.json()).unwrap();
        assert_eq!(json["event"], "shock");
    }
}
