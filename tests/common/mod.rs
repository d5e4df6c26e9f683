//! Helpers shared by the integration tests: build scenarios with overrides
//! and average metrics over replicates of the real model.
#![allow(dead_code)]

use culturesim::engine::{Model, RunOutput, run_many};
use culturesim::model::learning_culture::LearningCulture;
use culturesim::scenario::Scenario;

/// The default scenario with `--set`-style overrides.
pub fn scenario(sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Scenario::default_with(&sets).unwrap_or_else(|e| panic!("{e}"))
}

/// The default scenario with overrides, then an edit of the parsed file.
pub fn scenario_edit(
    sets: &[&str],
    edit: impl FnOnce(&mut culturesim::scenario::raw::RawScenario),
) -> Scenario {
    let mut raw = scenario(sets).raw;
    edit(&mut raw);
    Scenario::from_raw(raw, culturesim::scenario::Source::default_scenario())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Build the model of a scenario.
pub fn model(s: &Scenario) -> LearningCulture {
    s.build_model().unwrap_or_else(|e| panic!("{e}"))
}

/// All runs of a scenario (in replicate order).
pub fn runs(s: &Scenario) -> Vec<RunOutput> {
    let m = model(s);
    let mut out = Vec::new();
    run_many(&m, s.seed, 0, s.replicates, 16, |r| {
        out.push(r);
        Ok::<_, ()>(())
    })
    .unwrap();
    out
}

/// Mean over runs of metric `name`, step by step.
pub fn mean_series(runs: &[RunOutput], name: &str) -> Vec<f64> {
    let idx = culturesim::model::learning_culture::METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    let len = runs.iter().map(|r| r.len()).min().unwrap();
    (0..len)
        .map(|n| runs.iter().map(|r| r.row(n)[idx]).sum::<f64>() / runs.len() as f64)
        .collect()
}

/// Mean of metric `name` at step `n`.
pub fn mean_at(runs: &[RunOutput], name: &str, n: usize) -> f64 {
    mean_series(runs, name)[n]
}

/// A high-culture starting point: culture, practice and beliefs high.
pub const START_HIGH: [&str; 3] = [
    "init.culture=0.75",
    "init.practice=0.75",
    "population.belief={dist=\"beta\",a=6,b=2}",
];

/// A low-culture starting point.
pub const START_LOW: [&str; 3] = [
    "init.culture=0.1",
    "init.practice=0.05",
    "population.belief={dist=\"beta\",a=2,b=6}",
];

/// Step a model by hand, calling `look` after every step with the state.
pub fn walk<F: FnMut(u32, &<LearningCulture as Model>::State)>(
    m: &LearningCulture,
    seed: u64,
    replicate: u32,
    mut look: F,
) {
    let seeds = culturesim::engine::Seeds::new(
        seed,
        culturesim::engine::RunId {
            point: 0,
            replicate,
        },
    );
    let mut state = m.init(&seeds);
    look(0, &state);
    for step in 0..m.steps() {
        m.step(&mut state, step, &seeds);
        look(step + 1, &state);
    }
}

/// A Chromium-family browser on the PATH, if one is installed (the browser
/// tests skip, loudly, without one; .ci/run installs Debian's chromium).
pub fn browser() -> Option<std::path::PathBuf> {
    let paths = std::env::var("PATH").ok()?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&paths).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// The browser for a test that needs one. Without one the test cannot
/// pass by skipping: with `CI` set it fails (`.ci/run` installs Debian's
/// chromium); locally it says so on the terminal, past the test harness's
/// capture, with how to install one, and the caller returns.
pub fn browser_or_skip(what: &str) -> Option<std::path::PathBuf> {
    use std::io::Write;
    if let Some(b) = browser() {
        return Some(b);
    }
    let msg = format!(
        "no chromium/chrome on the PATH, so {what} was not tested; install one (apt-get install chromium)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set, so this test must run, not skip: {msg}");
    }
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {msg} ***\n");
    None
}

/// The switches every headless browser test starts Chromium with: no
/// sandbox or GPU (CI containers), and no background networking, updates
/// or sync (the tests must work offline).
pub const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// E24–E29 switched off (their neutral values): what lets a built
/// culture hold (attraction, selection and attrition; upward influence,
/// conviction and successors from within; the organization's culture seen
/// by everyone; the experience of learning).
pub const SUSTAINING_OFF: [&str; 7] = [
    "turnover.misfit_effect=0",
    "turnover.selection=0",
    "leadership.upward=0",
    "leadership.conviction=0",
    "leadership.internal=0",
    "culture.perceived_org=0",
    "belief.experience_practice=0",
];

/// E21–E23 switched off: habit, informal learning, and informal learning
/// made explicit. With [`SUSTAINING_OFF`], every mechanism E21–E29.
pub const LEARNING_MECHANISMS_OFF: [&str; 3] = [
    "engagement.habit_weeks=0",
    "learning.informal=0",
    "formalization.informal=0",
];

/// The index (in team order) of the team unit called `name`.
pub fn team_index(m: &LearningCulture, name: &str) -> usize {
    let unit = m
        .org()
        .find(name)
        .unwrap_or_else(|| panic!("no unit {name}"));
    m.org()
        .team_unit
        .iter()
        .position(|&u| u as usize == unit)
        .unwrap_or_else(|| panic!("{name} is not a team"))
}
