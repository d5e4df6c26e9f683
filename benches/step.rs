//! Criterion benchmarks: one step of the learning-culture model at 10⁴ and
//! 10⁶ employees, an ensemble of small runs (the default scenario, 8
//! replicates), loading and validating a scenario, and building a
//! 10⁶-employee organization.

use criterion::{Criterion, criterion_group, criterion_main};
use culturesim::engine::{Model, RunId, Seeds, run_many};
use culturesim::scenario::Scenario;
use std::hint::black_box;

fn step(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.sample_size(20);
    for n in [10_000u32, 1_000_000] {
        let s = Scenario::default_with(&[format!("org.employees={n}")]).unwrap();
        let m = &s.model;
        let seeds = Seeds::new(
            s.seed,
            RunId {
                point: 0,
                replicate: 0,
            },
        );
        let mut state = m.init(&seeds);
        let mut k = 0u32;
        g.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                m.step(&mut state, 200 + (k % 100), &seeds);
                k += 1;
            })
        });
    }
    g.finish();
}

fn ensemble(c: &mut Criterion) {
    let s = Scenario::default_with(&["replicates=8".into()]).unwrap();
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    g.bench_function("default-8-replicates", |b| {
        b.iter(|| {
            run_many(&s.model, s.seed, 0, 8, 8, |r| {
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
            black_box(s.model.init(&seeds));
        })
    });
    g.finish();
}

criterion_group!(benches, step, ensemble, load_and_build);
criterion_main!(benches);
