//! The hysteresis scan (`culturesim hysteresis`): for each value of one
//! parameter, the equilibrium culture reached from a low-culture and from
//! a high-culture organization (events switched off); the bistable range
//! is where the two branches differ. Runs are (value, branch, replicate)
//! with common random numbers per value. [`write_files`] writes
//! hysteresis.csv and hysteresis.json; the diagram and page are the report
//! crate's.

use crate::command::{Failure, Progress};
use crate::engine::{RunId, Seeds, run_seeded};
use crate::export::atomic;
use crate::model::learning_culture::metric;
use crate::scenario::{Scenario, Source};
use anyhow::anyhow;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Overrides of a low-culture start.
pub const LOW_START: [&str; 3] = [
    "init.culture=0.1",
    "init.practice=0.05",
    "population.belief={dist=\"beta\",a=2,b=6}",
];
/// Overrides of a high-culture start.
pub const HIGH_START: [&str; 3] = [
    "init.culture=0.75",
    "init.practice=0.75",
    "population.belief={dist=\"beta\",a=6,b=2}",
];

/// What to scan (the typed options of `culturesim hysteresis`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file (or a bundled name).
    pub scenario: PathBuf,
    /// The key path scanned.
    pub param: String,
    /// Smallest value.
    pub from: f64,
    /// Largest value.
    pub to: f64,
    /// Values, evenly spaced (at least 2).
    pub points: u32,
    /// Steps of each run (at least 10); the equilibrium is the mean
    /// culture over the last fifth.
    pub steps: u32,
    /// Replicates per branch and value.
    pub replicates: u32,
    /// Branches further apart than this are bistable.
    pub gap: f64,
    /// Scenario overrides (`--set`).
    pub set: Vec<String>,
    /// Master seed (overrides the scenario).
    pub seed: Option<u64>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
}

/// The result of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// Scenario name.
    pub name: String,
    /// Per value: (value, low-start equilibrium, high-start equilibrium).
    pub rows: Vec<(f64, f64, f64)>,
    /// The bistable range, if any.
    pub bistable: Option<(f64, f64)>,
}

/// The bistable range: the smallest and largest scanned values whose
/// branches differ by more than `gap` (None if none do).
pub fn bistable_range(rows: &[(f64, f64, f64)], gap: f64) -> Option<(f64, f64)> {
    let inside: Vec<f64> = rows
        .iter()
        .filter(|r| r.2 - r.1 > gap)
        .map(|r| r.0)
        .collect();
    Some((*inside.first()?, *inside.last()?))
}

/// The scanned values and, per value, the scenarios of the low and the
/// high start.
type Starts = (Vec<f64>, Vec<(Scenario, Scenario)>);

/// Check the options and build the scenario of every value and start
/// (low, high) before anything runs.
fn scenarios(a: &Options) -> Result<Starts, Failure> {
    if a.points < 2 || !(a.from.is_finite() && a.to.is_finite()) || a.from >= a.to {
        return Err(Failure::Input(anyhow!(
            "hysteresis needs --from < --to and --points >= 2"
        )));
    }
    if a.steps < 10 || a.replicates == 0 {
        return Err(Failure::Input(anyhow!(
            "--steps must be at least 10 and --replicates at least 1"
        )));
    }
    let values: Vec<f64> = (0..a.points)
        .map(|i| a.from + (a.to - a.from) * f64::from(i) / f64::from(a.points - 1))
        .collect();
    let build = |v: f64, start: &[&str]| -> Result<Scenario, Failure> {
        let mut sets: Vec<String> = a.set.clone();
        if let Some(seed) = a.seed {
            sets.push(format!("seed={seed}"));
        }
        sets.push("events=[]".into());
        sets.extend(start.iter().map(|s| s.to_string()));
        sets.push(format!(
            "{}={}",
            a.param,
            crate::export::timeseries::format_value(v)
        ));
        let s = match crate::limits::read_input(&a.scenario) {
            Ok(t) => Scenario::from_str(&t, Source::File(a.scenario.clone()), &sets),
            Err(_) => Scenario::from_file(&a.scenario, &sets),
        };
        let mut s = s.map_err(|e| Failure::Input(e.into()))?;
        s.model.set_steps(a.steps);
        Ok(s)
    };
    let mut scenarios = Vec::new();
    for &v in &values {
        scenarios.push((build(v, &LOW_START)?, build(v, &HIGH_START)?));
    }
    Ok((values, scenarios))
}

/// Run the scan: every (value, start, replicate) in parallel, the mean of
/// each branch's equilibria per value, and the bistable range.
pub fn scan(a: &Options, progress: &dyn Progress) -> Result<Scan, Failure> {
    let (values, scenarios) = scenarios(a)?;
    let name = scenarios[0].0.name().to_string();
    let tail = (a.steps as usize / 5).max(1);
    let jobs: Vec<(usize, usize, u32)> = (0..values.len())
        .flat_map(|i| (0..2).flat_map(move |b| (0..a.replicates).map(move |r| (i, b, r))))
        .collect();
    let pool = crate::command::pool(a.threads)?;
    progress.begin(jobs.len() as u64, 0);
    let eq: Vec<f64> = pool.install(|| {
        jobs.par_iter()
            .map(|&(i, b, r)| {
                let s = if b == 0 {
                    &scenarios[i].0
                } else {
                    &scenarios[i].1
                };
                let seeds = Seeds::common(
                    s.seed,
                    RunId {
                        point: i as u32,
                        replicate: r,
                    },
                );
                let run = crate::with_model!(&s.model, m => run_seeded(m, seeds));
                let c = run.series(metric::CULTURE);
                progress.advance(1);
                c[c.len() - tail..].iter().sum::<f64>() / tail as f64
            })
            .collect()
    });
    progress.finish();
    let reps = a.replicates as usize;
    let rows: Vec<(f64, f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let mean = |b: usize| {
                let start = (i * 2 + b) * reps;
                eq[start..start + reps].iter().sum::<f64>() / reps as f64
            };
            (v, mean(0), mean(1))
        })
        .collect();
    let bistable = bistable_range(&rows, a.gap);
    Ok(Scan {
        name,
        rows,
        bistable,
    })
}

/// Make `out` and write hysteresis.csv and hysteresis.json into it.
pub fn write_files(out: &Path, a: &Options, s: &Scan) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow!("cannot create output folder '{}': {e}", out.display()))?;
    let mut csv = format!("{},low_start,high_start,gap\n", a.param);
    for (v, l, h) in &s.rows {
        csv.push_str(&format!("{v},{l},{h},{}\n", h - l));
    }
    atomic::write(&out.join("hysteresis.csv"), csv.as_bytes())?;
    let json = serde_json::json!({
        "scenario": s.name,
        "param": a.param,
        "steps": a.steps,
        "replicates": a.replicates,
        "equilibrium": format!("mean culture over the last {} steps", (a.steps / 5).max(1)),
        "gap": a.gap,
        "bistable": s.bistable.map(|(x, y)| [x, y]),
        "low_start": LOW_START,
        "high_start": HIGH_START,
        "rows": s.rows.iter().map(|(v, l, h)| serde_json::json!({"value": v, "low": l, "high": h})).collect::<Vec<_>>(),
    });
    atomic::write(
        &out.join("hysteresis.json"),
        &serde_json::to_vec_pretty(&json)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_of_differing_branches() {
        let rows = [
            (0.1, 0.2, 0.2),
            (0.2, 0.2, 0.6),
            (0.3, 0.25, 0.7),
            (0.4, 0.7, 0.7),
        ];
        assert_eq!(bistable_range(&rows, 0.1), Some((0.2, 0.3)));
        assert_eq!(bistable_range(&rows[..1], 0.1), None);
    }

    fn options() -> Options {
        Options {
            scenario: PathBuf::from("snow-in-the-sun"),
            param: "culture.coupling".into(),
            from: 0.5,
            to: 1.5,
            points: 2,
            steps: 20,
            replicates: 2,
            gap: 0.1,
            set: vec!["org.employees=60".into()],
            seed: None,
            threads: Some(2),
        }
    }

    #[test]
    fn bad_options_are_refused_before_anything_runs() {
        for edit in [
            (|o: &mut Options| o.points = 1) as fn(&mut Options),
            |o| o.to = o.from,
            |o| o.steps = 9,
            |o| o.replicates = 0,
        ] {
            let mut o = options();
            edit(&mut o);
            assert!(matches!(scan(&o, &()), Err(Failure::Input(_))));
        }
        let mut o = options();
        o.param = "culture.nonsense".into();
        let e = scan(&o, &()).unwrap_err();
        assert!(
            matches!(e, Failure::Input(_)) && e.to_string().contains("nonsense"),
            "{e}"
        );
    }

    #[test]
    fn a_scan_is_the_same_at_any_thread_count_and_starts_differ() {
        let one = scan(
            &Options {
                threads: Some(1),
                ..options()
            },
            &(),
        )
        .unwrap();
        let two = scan(&options(), &()).unwrap();
        assert_eq!(one, two);
        assert_eq!(one.rows.len(), 2);
        for (v, low, high) in &one.rows {
            assert!(
                high > low,
                "at {v} the high start ends higher: {low} vs {high}"
            );
        }
        let d = tempfile::tempdir().unwrap();
        write_files(d.path(), &options(), &one).unwrap();
        let csv = std::fs::read_to_string(d.path().join("hysteresis.csv")).unwrap();
        assert!(
            csv.starts_with("culture.coupling,low_start,high_start,gap\n0.5,"),
            "{csv}"
        );
    }
}
