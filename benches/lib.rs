//! The benchmarks' own package: criterion and what the benchmarks share,
//! kept out of the main crate so that `cargo test` (the README's test
//! command) never compiles criterion and its dependencies. Run the
//! benchmarks with `cargo bench -p culturesim-benches` (BENCHMARKS.md).

use culturesim_core::engine::{Model, RunId, Seeds};

/// Benchmark `m.step` from week 200 on (programmes over, Learnathons and
/// the shock ahead), as `name` in `g`.
pub fn bench_steps<M: Model>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    m: &M,
    seed: u64,
) {
    let seeds = Seeds::new(
        seed,
        RunId {
            point: 0,
            replicate: 0,
        },
    );
    let mut state = m.init(&seeds);
    let mut k = 0u32;
    g.bench_function(name, |b| {
        b.iter(|| {
            m.step(&mut state, 200 + (k % 100), &seeds);
            k += 1;
        })
    });
}
