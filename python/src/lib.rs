//! `culturesim._native`: the Python extension module of culturesim. Each
//! function here is one of the library's commands (the same functions the
//! `culturesim` binary calls, with the same typed options): it releases
//! the GIL, runs on culturesim's own worker threads, writes the command's
//! output folder and returns where it is. The Python package
//! (`python/culturesim/__init__.py`) loads that folder's tables as Arrow
//! (pandas or polars frames) and its JSON files as dicts.
//!
//! A scenario comes from Python as `(kind, value, name)`: `kind` is
//! `"path"` (a file, or a bundled scenario's name) or `"text"` (TOML text
//! held in memory, named `name` in messages), and `overrides` are `--set`
//! arguments. Errors: bad input (scenario, options, data) raises
//! `InputError` (a `ValueError`) with the command line's message; a
//! failure while running raises `RunError` (a `RuntimeError`).

use culturesim_core::command::{Failure, Progress, Provenance};
use culturesim_core::scenario::{Scenario, Source};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

create_exception!(
    culturesim,
    InputError,
    PyValueError,
    "Bad input: a scenario, option or data file that culturesim refuses (the message names the file, line, key and rule)."
);
create_exception!(
    culturesim,
    RunError,
    PyRuntimeError,
    "A failure while running (e.g. an output folder that cannot be written)."
);

/// A library failure as the Python exception of its kind, with the
/// command line's message (every cause, as `Error: ...` prints it).
fn raise(f: Failure) -> PyErr {
    match f {
        Failure::Input(e) => InputError::new_err(format!("{e:#}")),
        Failure::Runtime(e) => RunError::new_err(format!("{e:#}")),
    }
}

fn input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Input(e.into())
}

/// Where a Python call's scenario comes from: a file or bundled name
/// (`kind` "path"), or TOML text held in memory, named `name` in messages
/// (`kind` "text").
enum Spec<'a> {
    Path(&'a Path),
    Text { text: &'a str, name: &'a str },
}

impl<'a> Spec<'a> {
    fn of(kind: &str, value: &'a str, name: &'a str) -> Result<Self, Failure> {
        match kind {
            "path" => Ok(Spec::Path(Path::new(value))),
            "text" => Ok(Spec::Text { text: value, name }),
            other => Err(input(anyhow::anyhow!(
                "scenario kind must be 'path' or 'text', got '{other}'"
            ))),
        }
    }

    /// A source for text held in memory (it reads no file).
    fn memory(name: &str) -> Source {
        Source::Memory {
            name: name.to_string(),
            files: Arc::new(BTreeMap::new()),
        }
    }

    /// The validated scenario, overrides applied.
    fn scenario(&self, overrides: &[String]) -> Result<Scenario, Failure> {
        match self {
            Spec::Path(p) => Scenario::from_file(p, overrides).map_err(input),
            Spec::Text { text, name } => {
                Scenario::from_str(text, Self::memory(name), overrides).map_err(input)
            }
        }
    }

    /// Its text and source (for the analyses that resolve it themselves).
    fn text(&self) -> Result<(String, Source), Failure> {
        match self {
            Spec::Path(p) => culturesim_core::scenario::read(p).map_err(input),
            Spec::Text { text, name } => Ok((text.to_string(), Self::memory(name))),
        }
    }

    /// A path to it, for the analyses that read their scenario by path:
    /// text is written into `tmp` as `<name>.toml` (it was validated when
    /// loaded, so the file's name shows only in messages about the
    /// analysis' options).
    fn path(&self, tmp: &Path) -> Result<PathBuf, Failure> {
        match self {
            Spec::Path(p) => Ok(p.to_path_buf()),
            Spec::Text { text, name } => {
                let stem: String = name
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = tmp.join(format!("{stem}.toml"));
                std::fs::write(&path, text).map_err(|e| {
                    Failure::Runtime(anyhow::anyhow!("cannot write '{}': {e}", path.display()))
                })?;
                Ok(path)
            }
        }
    }
}

fn scenario(
    kind: &str,
    value: &str,
    name: &str,
    overrides: &[String],
) -> Result<Scenario, Failure> {
    Spec::of(kind, value, name)?.scenario(overrides)
}

fn scenario_path(kind: &str, value: &str, name: &str, tmp: &Path) -> Result<PathBuf, Failure> {
    Spec::of(kind, value, name)?.path(tmp)
}

/// Named files and their bytes (a study's tables, figures and page).
type Files = Vec<(String, Vec<u8>)>;

/// Write a decision study's folder into `out`: its data files, its figure
/// and page when `plots` (drawn by `draw`), and the resolved scenario.
fn write_decision<S>(
    out: &Path,
    scenario: &Scenario,
    kind: &str,
    data: Files,
    plots: bool,
    study: &S,
    draw: fn(&S) -> anyhow::Result<Files>,
) -> Result<(), Failure> {
    let drawn = if plots {
        draw(study).map_err(Failure::Runtime)?
    } else {
        Vec::new()
    };
    culturesim_core::export::files::write_study(Some(out), scenario, kind, data, drawn)?;
    Ok(())
}

/// The tables' format named by Python ("csv" or "parquet").
fn format(name: &str) -> Result<culturesim_core::export::format::Format, Failure> {
    name.parse().map_err(|e: String| input(anyhow::anyhow!(e)))
}

fn temp() -> Result<tempfile::TempDir, Failure> {
    tempfile::tempdir()
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot make a temporary folder: {e}")))
}

/// What the manifest records: this package's version and the Python call.
fn provenance(call: &str) -> Provenance {
    Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: None,
        command_line: vec!["python".into(), call.to_string()],
    }
}

/// Progress as a Python callable `f(done, total, message)`, called at most
/// ten times a second and once at the end, from whichever thread advanced
/// it (it takes the GIL for the call). An exception in it is printed by
/// Python and the run goes on.
struct PyProgress {
    callback: Option<Py<PyAny>>,
    len: AtomicU64,
    done: AtomicU64,
    message: Mutex<String>,
    last: Mutex<Option<Instant>>,
}

impl PyProgress {
    fn new(callback: Option<Py<PyAny>>) -> Self {
        Self {
            callback,
            len: AtomicU64::new(0),
            done: AtomicU64::new(0),
            message: Mutex::new(String::new()),
            last: Mutex::new(None),
        }
    }

    fn emit(&self, force: bool) {
        let Some(cb) = &self.callback else { return };
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if !force && last.is_some_and(|t| now - t < Duration::from_millis(100)) {
                return;
            }
            *last = Some(now);
        }
        let done = self.done.load(Ordering::Relaxed);
        let len = self.len.load(Ordering::Relaxed);
        let msg = self
            .message
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Python::attach(|py| {
            if let Err(e) = cb.call1(py, (done, len, msg)) {
                e.print(py);
            }
        });
    }

    fn set(&self, done: u64, len: u64, message: String) {
        self.done.store(done, Ordering::Relaxed);
        self.len.store(len, Ordering::Relaxed);
        *self.message.lock().unwrap_or_else(|p| p.into_inner()) = message;
        self.emit(false);
    }
}

impl Progress for PyProgress {
    fn begin(&self, len: u64, done: u64) {
        self.len.store(len, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
        self.emit(true);
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.emit(false);
    }
    fn extend(&self, n: u64) {
        self.len.fetch_add(n, Ordering::Relaxed);
    }
    fn message(&self, text: String) {
        *self.message.lock().unwrap_or_else(|p| p.into_inner()) = text;
    }
    fn finish(&self) {
        self.emit(true);
    }
}

/// Validate a scenario; returns `(name, resolved TOML, resolved as JSON)`.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides))]
fn load(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
) -> PyResult<(String, String, String)> {
    let s = py
        .detach(|| scenario(kind, value, name, &overrides))
        .map_err(raise)?;
    let resolved = s.resolved_toml();
    let table: toml::Table = toml::from_str(&resolved)
        .map_err(|e| RunError::new_err(format!("the resolved scenario does not parse: {e}")))?;
    let json = serde_json::to_string(&table)
        .map_err(|e| RunError::new_err(format!("the resolved scenario has no JSON form: {e}")))?;
    Ok((s.name().to_string(), resolved, json))
}

/// TOML text of a table given as JSON (a scenario built as a Python dict).
#[pyfunction]
fn toml_of_json(json: &str) -> PyResult<String> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| InputError::new_err(format!("the scenario dict is not JSON-like: {e}")))?;
    if !value.is_object() {
        return Err(InputError::new_err(
            "a scenario dict must be a mapping of keys",
        ));
    }
    toml::to_string(&value).map_err(|e| {
        InputError::new_err(format!(
            "the scenario dict has no TOML form ({e}); None has no TOML value: leave the key out"
        ))
    })
}

/// The bundled scenarios' names, in `culturesim list` order.
#[pyfunction]
fn bundled() -> Vec<&'static str> {
    culturesim_core::scenario::bundled::BUNDLED
        .iter()
        .map(|(n, _)| *n)
        .collect()
}

/// Run a scenario into `out` (`culturesim run`); returns its wall time in
/// seconds.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, threads=None, teams_per_replicate=false, plots=false, format="csv", progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    threads: Option<usize>,
    teams_per_replicate: bool,
    plots: bool,
    format: &str,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<f64> {
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let spec = Spec::of(kind, value, name)?;
        let mut s = spec.scenario(&overrides)?;
        if let Some(dir) = &posterior {
            let post = culturesim_core::calibrate::Posterior::load(dir).map_err(input)?;
            let (text, source) = spec.text()?;
            let replicates = s.replicates;
            post.attach(&mut s, &text, &source, &overrides, replicates)
                .map_err(input)?;
        }
        let options = culturesim_core::simulate::Options {
            out: Some(out),
            threads,
            teams_per_replicate,
            format: self::format(format)?,
            checkpoints: None,
            provenance: provenance("culturesim.run"),
        };
        let figures: Option<&dyn culturesim_core::simulate::Figures> =
            plots.then_some(&culturesim_report::RunFigures);
        let report = culturesim_core::simulate::run(&s, options, &bar, figures)?;
        report.plots.map_err(|e| {
            Failure::Runtime(e.context("the data files are written, but the plots failed"))
        })?;
        Ok(report.seconds)
    })
    .map_err(raise)
}

/// Run a sweep into `out` (`culturesim sweep`).
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, threads=None, resume=false, shard=None, ci_width=None, ci_metric=None, max_replicates=0, plots=false, format="csv", progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    threads: Option<usize>,
    resume: bool,
    shard: Option<(u32, u32)>,
    ci_width: Option<f64>,
    ci_metric: Option<String>,
    max_replicates: u32,
    plots: bool,
    format: &str,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<()> {
    use culturesim_core::sweep::run::{Options, run};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            out: Some(out),
            resume,
            shard,
            threads,
            set: overrides,
            ci_width,
            ci_metric,
            max_replicates,
            format: self::format(format)?,
            provenance: provenance("culturesim.sweep"),
            posterior,
        };
        let none = |_: &Path, _: &culturesim_core::sweep::Sweep| Ok(());
        if plots {
            run(&o, &bar, &culturesim_report::sweep::render)?;
        } else {
            run(&o, &bar, &none)?;
        }
        Ok(())
    })
    .map_err(raise)
}

/// A hysteresis scan into `out` (`culturesim hysteresis`); returns the
/// bistable range, if any.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, param, start, stop, points=11, steps=1040, replicates=8, gap=0.1, seed=None, threads=None, plots=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn hysteresis(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    param: String,
    start: f64,
    stop: f64,
    points: u32,
    steps: u32,
    replicates: u32,
    gap: f64,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Option<(f64, f64)>> {
    use culturesim_core::sweep::hysteresis::{Options, scan, write_files};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            param,
            from: start,
            to: stop,
            points,
            steps,
            replicates,
            gap,
            set: overrides,
            seed,
            threads,
        };
        let s = scan(&o, &bar)?;
        write_files(&out, &o, &s).map_err(Failure::Runtime)?;
        if plots {
            culturesim_report::hysteresis::write_report(&out, &o, &s).map_err(Failure::Runtime)?;
        }
        Ok(s.bistable)
    })
    .map_err(raise)
}

/// A sensitivity analysis into `out` (`culturesim sensitivity`).
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, method="morris".to_string(), samples=None, metric=None, replicates=4, seed=None, threads=None, plots=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    method: String,
    samples: Option<u32>,
    metric: Option<String>,
    replicates: u32,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Option<String>> {
    use culturesim_core::sweep::sensitivity::{Options, analyse, write_files};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            method,
            samples,
            metric,
            replicates,
            set: overrides,
            seed,
            threads,
        };
        let s = analyse(&o, &bar)?;
        std::fs::create_dir_all(&out).map_err(|e| {
            Failure::Runtime(anyhow::anyhow!("cannot create '{}': {e}", out.display()))
        })?;
        write_files(&out, &s).map_err(Failure::Runtime)?;
        if plots {
            culturesim_report::sensitivity::write_report(&out, &s).map_err(Failure::Runtime)?;
        }
        Ok(s.indices.too_small.clone())
    })
    .map_err(raise)
}

/// A timing study into `out` (`culturesim timing`); returns its finding.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, event, delays="0,3,6,9,12,15,18,21,24".to_string(), unit="months", tolerance=0.05, replicates=None, seed=None, threads=None, plots=false, progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn timing(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    event: String,
    delays: String,
    unit: &str,
    tolerance: f64,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<String> {
    use culturesim_core::decide::timing_study::{DELAY_UNITS, Options, delay_unit, study};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let unit = delay_unit(unit).ok_or_else(|| {
            let names: Vec<&str> = DELAY_UNITS.iter().map(|u| u.0).collect();
            input(anyhow::anyhow!(
                "unit must be one of {}, got '{unit}'",
                names.join(", ")
            ))
        })?;
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            event,
            delays,
            unit,
            tolerance,
            replicates,
            set: overrides,
            seed,
            threads,
            posterior,
        };
        let s = study(&o, &bar)?;
        let data = s.data_files();
        write_decision(
            &out,
            &s.scenario,
            "timing",
            data,
            plots,
            &s,
            culturesim_report::timing::files,
        )?;
        Ok(s.finding.clone())
    })
    .map_err(raise)
}

/// A succession-risk study into `out` (`culturesim risk`); returns its
/// findings.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, at=None, years=None, alignment=0.05, top=15, replicates=None, seed=None, threads=None, plots=false, progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn risk(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    at: Option<String>,
    years: Option<f64>,
    alignment: f64,
    top: usize,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    use culturesim_core::decide::risk_study::{Options, study};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            at,
            years,
            alignment,
            top,
            replicates,
            set: overrides,
            seed,
            threads,
            posterior,
        };
        let s = study(&o, &bar)?;
        let data = s.data_files();
        write_decision(
            &out,
            &s.scenario,
            "risk",
            data,
            plots,
            &s,
            culturesim_report::seats::files,
        )?;
        Ok(s.findings.clone())
    })
    .map_err(raise)
}

/// An early-warning study into `out` (`culturesim warning`); returns its
/// findings.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, start=None, window=culturesim_core::decide::warning_study::WINDOW.to_string(), rolling=culturesim_core::decide::warning_study::ROLLING, bandwidth=None, threshold=None, twin=Vec::new(), teams=false, replicates=None, seed=None, threads=None, plots=false, progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn warning(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    start: Option<String>,
    window: String,
    rolling: f64,
    bandwidth: Option<String>,
    threshold: Option<f64>,
    twin: Vec<String>,
    teams: bool,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    use culturesim_core::decide::warning_study::{Options, study};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            from: start,
            window,
            rolling,
            bandwidth,
            threshold,
            teams,
            twin,
            replicates,
            set: overrides,
            seed,
            threads,
            posterior,
        };
        let s = study(&o, &bar)?;
        let data = s.data_files();
        write_decision(
            &out,
            &s.scenario,
            "warning",
            data,
            plots,
            &s,
            culturesim_report::warning::files,
        )?;
        Ok(s.findings.clone())
    })
    .map_err(raise)
}

/// A programme-portfolio study into `out` (`culturesim optimize`);
/// returns its findings.
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, target=None, budget=None, population=None, generations=None, replicates=None, confirm=None, seed=None, threads=None, plots=false, progress=None, posterior=None))]
#[allow(clippy::too_many_arguments)]
fn optimize(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    target: Option<f64>,
    budget: Option<f64>,
    population: Option<u32>,
    generations: Option<u32>,
    replicates: Option<u32>,
    confirm: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    plots: bool,
    progress: Option<Py<PyAny>>,
    posterior: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    use culturesim_core::decide::optimize::{Options, study};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let tmp = temp()?;
        let o = Options {
            scenario: scenario_path(kind, value, name, tmp.path())?,
            target,
            budget,
            population,
            generations,
            replicates,
            confirm,
            set: overrides,
            seed,
            threads,
            posterior,
        };
        let s = study(&o, &bar)?;
        let data = s.data_files();
        write_decision(
            &out,
            &s.scenario,
            "optimize",
            data,
            plots,
            &s,
            culturesim_report::optimize::files,
        )?;
        Ok(s.findings.clone())
    })
    .map_err(raise)
}

/// An ABC-SMC calibration to survey waves into `out` (`culturesim
/// calibrate`); returns its statement (whether the model fits).
#[pyfunction]
#[pyo3(signature = (kind, value, name, overrides, out, data, resume=false, particles=None, generations=None, start=None, seed=None, threads=None, progress=None, prefilter=None))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    py: Python<'_>,
    kind: &str,
    value: &str,
    name: &str,
    overrides: Vec<String>,
    out: PathBuf,
    data: PathBuf,
    resume: bool,
    particles: Option<u32>,
    generations: Option<u32>,
    start: Option<String>,
    seed: Option<u64>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    prefilter: Option<String>,
) -> PyResult<(bool, String)> {
    use culturesim_core::calibrate::{Calibration, Options, read_observations};
    let bar = PyProgress::new(progress);
    py.detach(|| {
        let (text, source) = Spec::of(kind, value, name)?.text()?;
        let data_text = read_observations(&data)?;
        let opts = Options {
            overrides,
            seed,
            particles,
            generations,
            start,
            prefilter,
        };
        let cal = Calibration::load(
            &text,
            source,
            &data_text,
            &data.display().to_string(),
            &opts,
        )
        .map_err(Failure::from)?;
        let pool = culturesim_core::command::pool(threads)?;
        let total = u64::from(cal.generations + 1) * cal.settings.particles as u64;
        let report = pool
            .install(|| {
                cal.run(&out, resume, &|p| {
                    let done = u64::from(p.generation) * p.particles as u64 + p.accepted as u64;
                    let tol = p
                        .tolerance
                        .map_or("none (prior)".to_string(), |t| format!("{t:.3}"));
                    bar.set(
                        done,
                        total,
                        format!(
                            "generation {}/{}, tolerance {tol}",
                            p.generation, p.generations
                        ),
                    );
                })
            })
            .map_err(Failure::from)?;
        bar.finish();
        culturesim_report::calibrate::write(&out, &report).map_err(|e| {
            Failure::Runtime(e.context(format!(
                "the data files are in '{}', but the plots failed",
                out.display()
            )))
        })?;
        Ok((report.report.fits, report.report.statement.clone()))
    })
    .map_err(raise)
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("RunError", m.py().get_type::<RunError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(bundled, m)?)?;
    m.add_function(wrap_pyfunction!(toml_of_json, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(hysteresis, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(timing, m)?)?;
    m.add_function(wrap_pyfunction!(risk, m)?)?;
    m.add_function(wrap_pyfunction!(warning, m)?)?;
    m.add_function(wrap_pyfunction!(optimize, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    Ok(())
}
