//! Criterion benchmarks: one step of the learning-culture model at 1e4 and
//! 1e5 employees, and a small ensemble (the default scenario, 8 replicates).

use criterion::{Criterion, criterion_group, criterion_main};
use culturesim::engine::{Model, RunId, Seeds, run_many};
use culturesim::scenario::Scenario;
use std::hint::black_box;

fn step(c: &mut Criterion) {
    for n in [10_000u32, 100_000] {
        let s = Scenario::default_with(&[format!("org.employees={n}")]).unwrap();
        let m = s.build_model().unwrap();
        let seeds = Seeds::new(
            s.seed,
            RunId {
                point: 0,
                replicate: 0,
            },
        );
        let mut state = m.init(&seeds);
        let mut k = 0u32;
        c.bench_function(&format!("step/{n}"), |b| {
            b.iter(|| {
                m.step(&mut state, 100 + (k % 100), &seeds);
                k += 1;
            })
        });
    }
}

fn ensemble(c: &mut Criterion) {
    let s = Scenario::default_with(&["replicates=8".into()]).unwrap();
    let m = s.build_model().unwrap();
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    g.bench_function("default-8-replicates", |b| {
        b.iter(|| {
            run_many(&m, s.seed, 0, 8, 8, |r| {
                black_box(r);
                Ok::<_, ()>(())
            })
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, step, ensemble);
criterion_main!(benches);
