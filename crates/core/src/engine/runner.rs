//! Running one model instance, and many replicates in parallel.
//!
//! Replicates are processed in batches: each batch runs in parallel on the
//! rayon pool, then its outputs are passed to the sink in replicate order.
//! Memory is bounded by the batch size, not by the number of replicates,
//! and the order of everything the sink sees is independent of the number
//! of threads.

use super::{Model, RunId, Seeds};
use rayon::prelude::*;

/// The observations of one finished run.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Which run this is.
    pub id: RunId,
    /// Number of metrics per row.
    pub width: usize,
    /// Row-major observations: row `n` is the state after `n` steps.
    pub rows: Vec<f64>,
    /// Number of groups per group sample (0 if the model has none).
    pub group_width: usize,
    /// Group levels every [`group_stride`] steps, row-major
    /// (sample `j` is the state after `j · stride` steps).
    pub groups: Vec<f32>,
}

impl RunOutput {
    /// The run with only its first `width` metrics (all of them when it
    /// has no more).
    pub fn keep_columns(mut self, width: usize) -> RunOutput {
        if width >= self.width {
            return self;
        }
        self.rows = self
            .rows
            .chunks_exact(self.width)
            .flat_map(|r| r[..width].iter().copied())
            .collect();
        self.width = width;
        self
    }

    /// Number of observation rows (steps run + 1).
    pub fn len(&self) -> usize {
        self.rows.len() / self.width.max(1)
    }

    /// Whether the run has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Observation row `n`.
    pub fn row(&self, n: usize) -> &[f64] {
        &self.rows[n * self.width..(n + 1) * self.width]
    }

    /// The first (row, metric) of `model` whose value is not a number it
    /// may produce (an infinity, or NaN where the model does not call a
    /// metric undefined). A run stops at the first such row (see
    /// [`run_seeded`]), so only the last row is looked at.
    pub fn first_non_finite<M: Model>(&self, model: &M) -> Option<(usize, usize)> {
        let last = self.len().checked_sub(1)?;
        self.row(last)
            .iter()
            .enumerate()
            .position(|(m, v)| !allowed(model, m, *v))
            .map(|m| (last, m))
    }

    /// A [`NonFinite`] error when the run produced a value that is not a
    /// finite number (nor an undefined value the model allows).
    pub fn check_finite<M: Model>(&self, model: &M) -> Result<(), NonFinite> {
        match self.first_non_finite(model) {
            None => Ok(()),
            Some((step, m)) => Err(NonFinite {
                id: self.id,
                metric: model
                    .metrics()
                    .get(m)
                    .map_or_else(|| format!("#{m}"), |s| s.to_string()),
                step,
                value: self.row(step)[m],
            }),
        }
    }

    /// The series of metric `m` over all rows.
    pub fn series(&self, m: usize) -> Vec<f64> {
        (0..self.len()).map(|n| self.row(n)[m]).collect()
    }
}

/// Whether `v` is a value metric `m` of `model` may take: a finite number,
/// or NaN ("undefined", written as an empty cell) where the model says so.
fn allowed<M: Model>(model: &M, m: usize, v: f64) -> bool {
    v.is_finite() || (v.is_nan() && model.may_be_undefined(m))
}

/// A run produced a value that is not a finite number (and stopped there).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "run (point {}, replicate {}) produced {value} for {metric} at step {step} and stopped; likely cause: a parameter so large that a sum or product overflows (influence weights, rates or sizes near their limits) — check the scenario's extreme values",
    id.point,
    id.replicate
)]
pub struct NonFinite {
    /// The run.
    pub id: RunId,
    /// The metric's name.
    pub metric: String,
    /// The step (observation row) of the first non-finite value.
    pub step: usize,
    /// The value (NaN or an infinity).
    pub value: f64,
}

/// Steps between two group samples: about 260 samples per run at most.
pub fn group_stride(steps: u32) -> u32 {
    steps.div_ceil(260).max(1)
}

/// How many runs a batch of [`run_many`] (or of a sweep) holds per thread.
///
/// A batch ends with a wait for its slowest run, so more runs per batch
/// waste less; but a batch is also where its caller can stop (a resume
/// checkpoint, a client that hung up), and its outputs are held in memory
/// until it ends (observations and group samples, not states: each thread
/// holds one state at a time).
#[derive(Debug, Clone, Copy)]
pub enum Batch {
    /// Eight runs per thread: for throughput (`run`, `bench`).
    Throughput,
    /// Two runs per thread: for callers that stop between batches (a
    /// sweep's resume checkpoint, the web page's cancellation).
    Responsive,
}

impl Batch {
    /// Runs per batch on the current rayon pool.
    pub fn size(self) -> usize {
        let per_thread = match self {
            Batch::Throughput => 8,
            Batch::Responsive => 2,
        };
        rayon::current_num_threads() * per_thread
    }
}

/// Run one replicate of `model` to the end (or until it stops).
pub fn run_one<M: Model>(model: &M, master_seed: u64, id: RunId) -> RunOutput {
    run_seeded(model, Seeds::new(master_seed, id))
}

/// Run one replicate with the given seeds (e.g. [`Seeds::common`]).
pub fn run_seeded<M: Model>(model: &M, seeds: Seeds) -> RunOutput {
    run_seeded_ticking(model, seeds, &|| {})
}

/// [`run_seeded`], calling `tick` after every step (a progress bar's
/// count; it cannot change the run).
pub fn run_seeded_ticking<M: Model>(
    model: &M,
    seeds: Seeds,
    tick: &(dyn Fn() + Sync),
) -> RunOutput {
    run_loop(model, seeds, None, None, tick, |_, _, _, _| {})
}

/// A run stopped after `step` steps, ready to continue (checkpoint and
/// fork, `crate::decide::fork`).
#[derive(Debug, Clone)]
pub struct Start<S> {
    /// The state after `step` steps.
    pub state: S,
    /// Steps run.
    pub step: u32,
    /// Observations 0..=step, row-major.
    pub rows: Vec<f64>,
    /// Group samples taken up to `step` (every [`group_stride`] steps).
    pub groups: Vec<f32>,
}

/// The run loop of every run: from the beginning (or from `start`) to the
/// model's last step, or its stop condition, or the first value that is
/// not finite (that row ends the run: nothing after it means anything, and
/// the caller reports it, [`RunOutput::check_finite`]); with
/// `until = Some(u)` it stops after `u` steps. `at_step(state, n, rows,
/// groups)` sees the run after every observed step n (the first one
/// included), e.g. to keep a checkpoint; `tick` is called after every step.
pub fn run_loop<M: Model>(
    model: &M,
    seeds: Seeds,
    start: Option<Start<M::State>>,
    until: Option<u32>,
    tick: &(dyn Fn() + Sync),
    mut at_step: impl FnMut(&M::State, u32, &[f64], &[f32]),
) -> RunOutput {
    let id = seeds.id();
    let width = model.metrics().len();
    let steps = until.unwrap_or(u32::MAX).min(model.steps());
    let group_width = model.groups().len();
    let stride = group_stride(model.steps());
    let mut buf = vec![0.0; width];
    let mut gbuf = vec![0.0f32; group_width];
    let mut observe = |state: &M::State, n: u32, rows: &mut Vec<f64>, groups: &mut Vec<f32>| {
        model.observe(state, &mut buf);
        rows.extend_from_slice(&buf);
        if group_width > 0 && n.is_multiple_of(stride) {
            model.observe_groups(state, &mut gbuf);
            groups.extend_from_slice(&gbuf);
        }
    };
    let finite = |rows: &[f64]| {
        rows[rows.len() - width..]
            .iter()
            .enumerate()
            .all(|(m, v)| allowed(model, m, *v))
    };
    let done = |rows: Vec<f64>, groups: Vec<f32>| RunOutput {
        id,
        width,
        rows,
        group_width,
        groups,
    };
    let (mut state, first, mut rows, mut groups) = match start {
        Some(s) => (s.state, s.step, s.rows, s.groups),
        None => {
            let state = model.init(&seeds);
            let mut rows = Vec::with_capacity((steps as usize + 1) * width);
            let mut groups = Vec::with_capacity((steps / stride + 1) as usize * group_width);
            observe(&state, 0, &mut rows, &mut groups);
            if width > 0 && !finite(&rows) {
                return done(rows, groups);
            }
            (state, 0, rows, groups)
        }
    };
    at_step(&state, first, &rows, &groups);
    for step in first..steps {
        model.step(&mut state, step, &seeds);
        observe(&state, step + 1, &mut rows, &mut groups);
        tick();
        at_step(&state, step + 1, &rows, &groups);
        if model.stop(&state, step + 1) || (width > 0 && !finite(&rows)) {
            break;
        }
    }
    done(rows, groups)
}

/// Run `replicates` replicates of point `point` in parallel, handing each
/// finished run to `sink` in replicate order. At most `batch` runs are held
/// in memory at once. Stops at the first error the sink returns.
pub fn run_many<M, E>(
    model: &M,
    master_seed: u64,
    point: u32,
    replicates: u32,
    batch: usize,
    sink: impl FnMut(RunOutput) -> Result<(), E>,
) -> Result<(), E>
where
    M: Model,
{
    run_many_ticking(model, master_seed, point, replicates, batch, &|| {}, sink)
}

/// [`run_many`], calling `tick` after every step of every run (from the
/// worker threads; for a progress bar that counts steps).
pub fn run_many_ticking<M, E>(
    model: &M,
    master_seed: u64,
    point: u32,
    replicates: u32,
    batch: usize,
    tick: &(dyn Fn() + Sync),
    mut sink: impl FnMut(RunOutput) -> Result<(), E>,
) -> Result<(), E>
where
    M: Model,
{
    let batch = batch.max(1) as u32;
    let mut start = 0;
    while start < replicates {
        let end = (start + batch).min(replicates);
        let outputs: Vec<RunOutput> = (start..end)
            .into_par_iter()
            .map(|replicate| {
                let seeds = Seeds::new(master_seed, RunId { point, replicate });
                run_seeded_ticking(model, seeds, tick)
            })
            .collect();
        for out in outputs {
            sink(out)?;
        }
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A random walk: the smallest model that exercises the engine.
    struct Walk;
    impl Model for Walk {
        type State = (f64, crate::engine::Stream);
        fn metrics(&self) -> &[&'static str] {
            &["x"]
        }
        fn steps(&self) -> u32 {
            10
        }
        fn init(&self, seeds: &Seeds) -> Self::State {
            (0.0, seeds.stream(&[0]))
        }
        fn step(&self, s: &mut Self::State, _step: u32, _seeds: &Seeds) {
            s.0 += s.1.random::<f64>() - 0.5;
        }
        fn observe(&self, s: &Self::State, out: &mut [f64]) {
            out[0] = s.0;
        }
        fn stop(&self, s: &Self::State, _step: u32) -> bool {
            s.0.abs() > 1.0
        }
    }

    #[test]
    fn runs_arrive_in_order_and_repeat() {
        let mut first = Vec::new();
        run_many(&Walk, 3, 0, 9, 4, |o| {
            first.push((o.id.replicate, o.rows.clone()));
            Ok::<_, ()>(())
        })
        .unwrap();
        let ids: Vec<u32> = first.iter().map(|r| r.0).collect();
        assert_eq!(ids, (0..9).collect::<Vec<_>>());
        let mut second = Vec::new();
        run_many(&Walk, 3, 0, 9, 1, |o| {
            second.push((o.id.replicate, o.rows));
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(first, second);
    }

    /// A walk that overflows to infinity at step 3.
    struct Overflow;
    impl Model for Overflow {
        type State = f64;
        fn metrics(&self) -> &[&'static str] {
            &["ok", "x"]
        }
        fn steps(&self) -> u32 {
            10
        }
        fn init(&self, _seeds: &Seeds) -> f64 {
            1e300
        }
        fn step(&self, s: &mut f64, _step: u32, _seeds: &Seeds) {
            *s *= 1e3;
        }
        fn observe(&self, s: &f64, out: &mut [f64]) {
            out[0] = 0.5;
            out[1] = *s;
        }
    }

    #[test]
    fn a_non_finite_value_stops_the_run_and_is_named() {
        let out = run_one(
            &Overflow,
            1,
            RunId {
                point: 2,
                replicate: 3,
            },
        );
        // 1e300, 1e303, 1e306, inf: four rows, then the run stops.
        assert_eq!(out.len(), 4);
        let e = out.check_finite(&Overflow).unwrap_err();
        assert_eq!((e.metric.as_str(), e.step), ("x", 3));
        let msg = e.to_string();
        assert!(
            msg.contains("point 2, replicate 3") && msg.contains("inf for x at step 3"),
            "{msg}"
        );
        assert!(
            run_one(
                &Walk,
                1,
                RunId {
                    point: 0,
                    replicate: 0
                }
            )
            .check_finite(&Walk)
            .is_ok()
        );
    }

    #[test]
    fn stop_condition_ends_a_run() {
        let out = run_one(
            &Walk,
            11,
            RunId {
                point: 0,
                replicate: 0,
            },
        );
        let last = out.row(out.len() - 1)[0];
        assert!(out.len() == 11 || last.abs() > 1.0);
        assert!(out.len() >= 2);
    }
}
