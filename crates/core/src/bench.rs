//! The standard scaling series of the learning-culture model (`culturesim
//! bench`): organization build and run time from 10³ employees up, with
//! agent-steps per second, nanoseconds per agent-step, peak memory and
//! thread scaling (one large run, and an ensemble of small runs). The
//! lines of the table go to the caller's `say` as they are measured.

use crate::command::{Failure, Progress};
use crate::engine::{Batch, Model, RunId, Seeds, run_many};
use crate::model::learning_culture::Kernel;
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::time::Instant;

/// The typed options of `bench`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest organization (employees).
    pub max: u32,
    /// Steps per timed run.
    pub steps: u32,
    /// Threads for the multi-threaded measurements.
    pub threads: usize,
    /// Compilation of the employee pass.
    pub kernel: Kernel,
    /// Runs in the ensemble measurement.
    pub runs: u32,
}

/// Peak resident memory of this process so far, in bytes (Linux; 0 elsewhere).
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Time one run of the default scenario at `employees` on `threads` threads:
/// (build seconds, init seconds, step seconds). `bar` moves by `employees`
/// agent-steps after every step.
fn time_run(
    employees: u32,
    steps: u32,
    threads: usize,
    kernel: Kernel,
    bar: &dyn Progress,
) -> Result<(f64, f64, f64), Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(anyhow!("cannot start threads: {e}")))?;
    pool.install(|| {
        let t = Instant::now();
        let mut s = Scenario::default_with(&[format!("org.employees={employees}")])
            .map_err(|e| Failure::Runtime(e.into()))?;
        s.model.set_steps(steps);
        let build = t.elapsed().as_secs_f64();
        let m = s
            .model
            .learning_culture_mut()
            .expect("the default scenario is a learning-culture scenario");
        m.set_kernel(kernel);
        let seeds = Seeds::new(
            s.seed,
            RunId {
                point: 0,
                replicate: 0,
            },
        );
        let t = Instant::now();
        let mut state = m.init(&seeds);
        let init = t.elapsed().as_secs_f64();
        let t = Instant::now();
        // Weeks 200.. of the default scenario: programmes over, Learnathons,
        // and the shock at 260 within reach of a long series.
        for k in 0..steps {
            m.step(&mut state, 200 + k, &seeds);
            bar.advance(u64::from(employees));
        }
        Ok((build, init, t.elapsed().as_secs_f64()))
    })
}

/// Run the series; `say` gets each line of the table as it is measured,
/// `bar` counts agent-steps.
pub fn bench(o: &Options, bar: &dyn Progress, say: &dyn Fn(String)) -> Result<(), Failure> {
    check(o)?;
    // The series' sizes, the large run's and the ensemble's: the progress
    // bar counts agent-steps, so that its ETA weighs a 10⁶ run as such.
    let sizes = series_sizes(o.max);
    let big = o.max.min(1_000_000);
    let mut s = Scenario::default_scenario().map_err(|e| Failure::Runtime(e.into()))?;
    let ensemble_steps = s.model.steps();
    let per_run = ENSEMBLE_EMPLOYEES * u64::from(ensemble_steps);
    let total = sizes.iter().map(|&n| u64::from(n)).sum::<u64>() * u64::from(o.steps)
        + 6 * u64::from(big) * u64::from(o.steps)
        + 6 * u64::from(o.runs) * per_run;
    bar.begin(total, 0);
    say(format!(
        "culturesim bench: default scenario, {} steps per run, {} thread(s), {} cores, kernel {:?}",
        o.steps,
        o.threads,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        o.kernel.resolve()
    ));
    scaling_series(o, &sizes, bar, say)?;
    large_run(o, big, bar, say)?;
    // Thread scaling of an ensemble of small runs (best of three, alternating).
    let m = s
        .model
        .learning_culture_mut()
        .expect("the default scenario is a learning-culture scenario");
    m.set_kernel(o.kernel);
    let reps = o.runs;
    let times = time_ensemble(o, m, s.seed, per_run, bar)?;
    bar.finish();
    let agent_steps = f64::from(reps) * ENSEMBLE_EMPLOYEES as f64 * f64::from(s.model.steps());
    say(format!(
        "ensemble of {reps} default runs (500 employees, {} steps, best of 3): {:.3} s on 1 thread, {:.3} s on {} -> speed-up {:.2}x ({:.3e} agent-steps/s)",
        s.model.steps(),
        times[0],
        times[1],
        o.threads,
        times[0] / times[1],
        agent_steps / times[1]
    ));
    Ok(())
}

/// Employees in each run of the default scenario in the ensemble measurement.
const ENSEMBLE_EMPLOYEES: u64 = 500;

/// The usage errors of `o`: a zero count, or a kernel this processor
/// cannot run.
fn check(o: &Options) -> Result<(), Failure> {
    if o.threads == 0 || o.steps == 0 || o.runs == 0 {
        return Err(Failure::Input(anyhow!(
            "--threads, --steps and --runs must be at least 1"
        )));
    }
    if !o.kernel.available() {
        return Err(Failure::Input(anyhow!(
            "--kernel {:?}: this processor cannot run it (it supports {:?})",
            o.kernel,
            Kernel::Auto.resolve()
        )));
    }
    Ok(())
}

/// The organization sizes of the series: 10³, 10⁴, ... up to `max`.
fn series_sizes(max: u32) -> Vec<u32> {
    let mut sizes = Vec::new();
    let mut n = 1_000u32;
    while n <= max {
        sizes.push(n);
        match n.checked_mul(10) {
            Some(m) => n = m,
            None => break,
        }
    }
    sizes
}

/// The table of the scaling series: its header, then one line per size
/// in `sizes`, each run on `o.threads` threads.
fn scaling_series(
    o: &Options,
    sizes: &[u32],
    bar: &dyn Progress,
    say: &dyn Fn(String),
) -> Result<(), Failure> {
    say(format!(
        "{:>10} {:>9} {:>8} {:>9} {:>14} {:>12} {:>12} {:>10}",
        "employees",
        "build s",
        "init s",
        "steps s",
        "agent-steps/s",
        "ns/agent-step",
        "peak MiB",
        "B/employee"
    ));
    let base_rss = peak_rss();
    for &n in sizes {
        let (build, init, run) = time_run(n, o.steps, o.threads, o.kernel, bar)?;
        let agent_steps = f64::from(n) * f64::from(o.steps);
        let rss = peak_rss();
        say(format!(
            "{:>10} {:>9.3} {:>8.3} {:>9.3} {:>14.3e} {:>12.1} {:>12.1} {:>10.1}",
            n,
            build,
            init,
            run,
            agent_steps / run,
            run * 1e9 / agent_steps,
            rss as f64 / (1024.0 * 1024.0),
            rss.saturating_sub(base_rss) as f64 / f64::from(n)
        ));
    }
    Ok(())
}

/// Thread scaling of one large run of `big` employees: its line.
fn large_run(
    o: &Options,
    big: u32,
    bar: &dyn Progress,
    say: &dyn Fn(String),
) -> Result<(), Failure> {
    // Best of three, alternating, so that a slow moment of a shared
    // machine does not decide the ratio.
    let (mut one, mut many) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        one = one.min(time_run(big, o.steps, 1, o.kernel, bar)?.2);
        many = many.min(time_run(big, o.steps, o.threads, o.kernel, bar)?.2);
    }
    say(format!(
        "one run of {big} employees (best of 3): {one:.3} s on 1 thread, {many:.3} s on {} -> speed-up {:.2}x",
        o.threads,
        one / many
    ));
    Ok(())
}

/// Seconds of `o.runs` runs of `m` on 1 thread and on `o.threads` (best of
/// three, alternating); `bar` moves by `per_run` agent-steps a run.
fn time_ensemble(
    o: &Options,
    m: &crate::model::learning_culture::LearningCulture,
    seed: u64,
    per_run: u64,
    bar: &dyn Progress,
) -> Result<[f64; 2], Failure> {
    let mut times = [f64::MAX; 2];
    for _ in 0..3 {
        for (k, threads) in [1, o.threads].into_iter().enumerate() {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| Failure::Runtime(anyhow!("cannot start threads: {e}")))?;
            let t = Instant::now();
            pool.install(|| {
                run_many(m, seed, 0, o.runs, Batch::Throughput.size(), |r| {
                    std::hint::black_box(r);
                    bar.advance(per_run);
                    Ok::<_, ()>(())
                })
            })
            .map_err(|_| Failure::Runtime(anyhow!("ensemble failed")))?;
            times[k] = times[k].min(t.elapsed().as_secs_f64());
        }
    }
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_counts_are_usage_errors_and_a_small_series_prints_its_table() {
        let o = Options {
            max: 1_000,
            steps: 1,
            threads: 1,
            kernel: Kernel::Scalar,
            runs: 1,
        };
        for bad in [
            Options {
                threads: 0,
                ..o.clone()
            },
            Options {
                steps: 0,
                ..o.clone()
            },
            Options {
                runs: 0,
                ..o.clone()
            },
        ] {
            let e = bench(&bad, &(), &|_| {}).unwrap_err();
            assert!(matches!(e, Failure::Input(_)), "{e}");
        }
        let lines = std::sync::Mutex::new(Vec::new());
        bench(&o, &(), &|l| lines.lock().unwrap().push(l)).unwrap();
        let lines = lines.into_inner().unwrap();
        // Title, header, one size (10³), the large run, the ensemble.
        assert_eq!(lines.len(), 5, "{lines:#?}");
        assert!(lines[2].trim_start().starts_with("1000 "), "{}", lines[2]);
        assert!(
            lines[4].starts_with("ensemble of 1 default runs"),
            "{}",
            lines[4]
        );
    }
}
