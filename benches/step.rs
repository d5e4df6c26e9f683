//! Criterion benchmarks: one step of the learning-culture model at 10⁴ and
//! 10⁶ employees (and at 10⁶ with each compilation of the employee pass),
//! an ensemble of small runs (the default scenario, 8
//! replicates), loading and validating a scenario, building a
//! 10⁶-employee organization; and March's (1991) model: one period, and
//! the whole Figure 1 grid (27 points × 80 runs, common random numbers).

use criterion::{Criterion, criterion_group, criterion_main};
use culturesim_benches::bench_steps;
use culturesim_core::engine::{Model, RunId, Seeds, run_many};
use culturesim_core::scenario::Scenario;
use std::hint::black_box;

fn step(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.sample_size(20);
    for n in [10_000u32, 1_000_000] {
        let s = Scenario::default_with(&[format!("org.employees={n}")]).unwrap();
        bench_steps(&mut g, &format!("{n}"), &s.build_model().unwrap(), s.seed);
    }
    g.finish();
}

/// One step at 10⁶ employees with each compilation of the employee pass
/// this processor runs (all give the same bits).
fn kernels(c: &mut Criterion) {
    use culturesim_core::model::learning_culture::Kernel;
    let mut g = c.benchmark_group("kernel-1e6");
    g.sample_size(20);
    let s = Scenario::default_with(&["org.employees=1000000".into()]).unwrap();
    let base = s.model.learning_culture().unwrap();
    for kernel in [
        Kernel::Avx512,
        Kernel::Avx2,
        Kernel::Baseline,
        Kernel::Scalar,
    ] {
        let mut m = base.clone();
        if m.set_kernel(kernel) {
            bench_steps(&mut g, &format!("{kernel:?}"), &m, s.seed);
        }
    }
    g.finish();
}

fn ensemble(c: &mut Criterion) {
    let s = Scenario::default_with(&["replicates=8".into()]).unwrap();
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    g.bench_function("default-8-replicates", |b| {
        b.iter(|| {
            run_many(&s.build_model().unwrap(), s.seed, 0, 8, 8, |r| {
                black_box(r);
                Ok::<_, ()>(())
            })
            .unwrap()
        })
    });
    g.finish();
}

fn load_and_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("load-default-scenario", |b| {
        b.iter(|| black_box(Scenario::default_scenario().unwrap()))
    });
    g.bench_function("build-1e6-organization-and-init", |b| {
        b.iter(|| {
            let s = Scenario::default_with(&["org.employees=1000000".into()]).unwrap();
            let seeds = Seeds::new(
                s.seed,
                RunId {
                    point: 0,
                    replicate: 0,
                },
            );
            black_box(s.build_model().unwrap().init(&seeds));
        })
    });
    g.finish();
}

fn march1991(c: &mut Criterion) {
    use culturesim_core::engine::run_seeded;
    use culturesim_core::sweep::Sweep;
    use rayon::prelude::*;
    let mut g = c.benchmark_group("march1991");
    g.sample_size(10);
    let text = culturesim_core::scenario::bundled::get("march1991-fig1").unwrap();
    let source = culturesim_core::scenario::Source::Bundled("march1991-fig1".into());
    let sw = Sweep::load(text, source, &[]).unwrap();
    let models: Vec<_> = (0..sw.design.points.len() as u32)
        .map(|p| sw.point(p).unwrap().model.march1991().unwrap().clone())
        .collect();
    let m = &models[0];
    let seeds = Seeds::new(
        1,
        RunId {
            point: 0,
            replicate: 0,
        },
    );
    let mut state = m.init(&seeds);
    let mut k = 0u32;
    g.bench_function("period-m30-n50", |b| {
        b.iter(|| {
            // Early periods (the busy ones): restart every 20.
            if k.is_multiple_of(20) {
                state = m.init(&seeds);
            }
            m.step(&mut state, k % 20, &seeds);
            k += 1;
        })
    });
    g.bench_function("fig1-grid-2160-runs", |b| {
        b.iter(|| {
            let runs: Vec<(u32, u32)> = sw.runs();
            let n: usize = runs
                .par_iter()
                .map(|&(p, r)| {
                    let seeds = Seeds::common(
                        sw.base.seed,
                        RunId {
                            point: p,
                            replicate: r,
                        },
                    );
                    run_seeded(&models[p as usize], seeds).len()
                })
                .sum();
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, step, kernels, ensemble, load_and_build, march1991);
criterion_main!(benches);
