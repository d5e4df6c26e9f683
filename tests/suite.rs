//! The one integration-test binary. Every file of `tests/` is a module of
//! it (`autotests = false` in Cargo.toml), so the library is linked into
//! one test executable instead of sixteen: the fresh-machine build of
//! `cargo test --release` compiles and links the library's generic code
//! once (BENCHMARKS.md, "Fresh-machine test time"). The files stay where
//! they are; run one of them with `cargo test --release --test suite
//! FILE::` (e.g. `--test suite slurm::`). `common` holds the helpers they
//! share, compiled once. No test here changes the process's environment or
//! current folder (each drives the binary through its own arguments and
//! temporary folders), so sharing one process is safe.

mod common;

/// The build script, whose [`build_script::describe`] `cli.rs` runs on a
/// folder without git.
#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

#[path = "answers.rs"]
mod answers;
#[path = "behaviours.rs"]
mod behaviours;
#[path = "calibrate.rs"]
mod calibrate;
#[path = "cli.rs"]
mod cli;
#[cfg(feature = "parquet")]
#[path = "columnar.rs"]
mod columnar;
#[path = "communities.rs"]
mod communities;
#[path = "decide.rs"]
mod decide;
#[path = "decide_posterior.rs"]
mod decide_posterior;
#[path = "determinism.rs"]
mod determinism;
#[path = "docs.rs"]
mod docs;
#[path = "extending.rs"]
mod extending;
#[path = "golden.rs"]
mod golden;
#[path = "integrity.rs"]
mod integrity;
#[path = "kernels.rs"]
mod kernels;
#[path = "layers.rs"]
mod layers;
#[path = "levers.rs"]
mod levers;
#[path = "march1991.rs"]
mod march1991;
#[path = "meanfield.rs"]
mod meanfield;
#[path = "mechanisms.rs"]
mod mechanisms;
#[path = "optimize.rs"]
mod optimize;
#[path = "org.rs"]
mod org;
#[path = "patterns.rs"]
mod patterns;
#[path = "patterns2.rs"]
mod patterns2;
#[path = "plots.rs"]
mod plots;
#[path = "properties.rs"]
mod properties;
#[path = "scenarios.rs"]
mod scenarios;
#[path = "serve.rs"]
mod serve;
#[path = "slurm.rs"]
mod slurm;
#[path = "sweeps.rs"]
mod sweeps;
#[path = "validation.rs"]
mod validation;
#[path = "warning.rs"]
mod warning;

/// With `autotests = false` a new file in `tests/` is not a test binary of
/// its own: it runs only if it is a module here. Every `tests/*.rs` file
/// must be listed above, or its tests would silently never run.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let me = include_str!("suite.rs");
    let mut missing = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if stem == "suite" {
            continue;
        }
        n += 1;
        if !me.contains(&format!("#[path = \"{name}\"]\nmod {stem};")) {
            missing.push(name);
        }
    }
    assert!(n >= 16, "only {n} test files found in {}", dir.display());
    assert!(
        missing.is_empty(),
        "tests/suite.rs does not include {missing:?}: add `#[path = \"FILE.rs\"] mod FILE;` for each"
    );
}
