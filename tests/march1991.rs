//! March's (1991) model on the engine: each rule on hand-made tiny states;
//! the paper's qualitative findings on the real model, each a paired
//! comparison (common random numbers) whose 95% CI must exclude the
//! opposite conclusion; the analytic decay law under turbulence; byte-
//! identical output at any thread count; Figure 1 from the bundled sweep;
//! every sweep option over `march.*` keys; invariants for random
//! parameters (proptest).

use assert_cmd::Command;
use culturesim::analysis::stats::Stats;
use culturesim::engine::{Model, RunId, RunOutput, Seeds, run_seeded};
use culturesim::model::march1991::bits::{Belief, signs};
use culturesim::model::march1991::{Config, March1991, MarchParams, State, Variant, metric, rules};
use rayon::prelude::*;
use std::path::Path;

fn cfg(p: MarchParams) -> Config {
    Config::new(p, 100).unwrap_or_else(|e| panic!("{e:?}"))
}

fn seeds(step_key: u32) -> Seeds {
    Seeds::new(
        11,
        RunId {
            point: 0,
            replicate: step_key,
        },
    )
}

fn tiny(variant: &str) -> MarchParams {
    MarchParams {
        m: 4,
        n: 3,
        p1: 1.0,
        p2: 1.0,
        variant: variant.into(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- rules

#[test]
fn turbulence_flips_each_dimension_with_probability_p4() {
    let r = signs(&[1, 1, -1, -1]);
    for (p4, expect) in [(0.0, r), (1.0, !r & 0b1111)] {
        let c = cfg(MarchParams {
            p4,
            ..tiny("replication")
        });
        let mut s = State::new(r, Belief::ZERO, vec![Belief::ZERO; 3]);
        rules::turbulence(&c, &mut s, 0, &seeds(0));
        assert_eq!(s.reality, expect, "p4 = {p4}");
    }
    // p4 = 0.3 on 64 dimensions over 400 periods: the share of flips.
    let c = cfg(MarchParams {
        m: 64,
        p4: 0.3,
        ..tiny("replication")
    });
    let mut s = State::new(0, Belief::ZERO, vec![]);
    let mut flips = 0u32;
    for t in 0..400 {
        let before = s.reality;
        rules::turbulence(&c, &mut s, t, &seeds(0));
        flips += (before ^ s.reality).count_ones();
    }
    let share = f64::from(flips) / (400.0 * 64.0);
    // Binomial(25600, 0.3): sd of the share 0.0029; 5 sd.
    assert!((share - 0.3).abs() < 0.015, "{share}");
}

#[test]
fn turnover_replaces_individuals_with_uniform_beliefs() {
    let old = Belief::from_values(&[1; 30]);
    let p = MarchParams {
        m: 30,
        n: 2000,
        ..Default::default()
    };
    // p3 = 0: nobody leaves.
    let c = cfg(MarchParams {
        p3: 0.0,
        ..p.clone()
    });
    let mut s = State::new(0, Belief::ZERO, vec![old; 2000]);
    rules::turnover(&c, &mut s, 0, &seeds(0));
    assert!(s.beliefs.iter().all(|&b| b == old));
    // p3 = 0.5: about half leave; newcomers hold -1, 0, +1 a third each.
    let c = cfg(MarchParams { p3: 0.5, ..p });
    rules::turnover(&c, &mut s, 0, &seeds(0));
    let new: Vec<Belief> = s.beliefs.iter().copied().filter(|&b| b != old).collect();
    let left = new.len() as f64 / 2000.0;
    assert!((left - 0.5).abs() < 0.06, "{left}"); // sd 0.011
    let cells = new.len() as f64 * 30.0;
    let zero = new.iter().map(|b| 30 - b.nz.count_ones()).sum::<u32>() as f64 / cells;
    let plus = new.iter().map(|b| b.sign.count_ones()).sum::<u32>() as f64 / cells;
    // About 30 000 cells: sd of a share 0.0027.
    assert!((zero - 1.0 / 3.0).abs() < 0.015, "{zero}");
    assert!((plus - 1.0 / 3.0).abs() < 0.015, "{plus}");
}

#[test]
fn superior_individuals_move_the_code_by_their_majority() {
    // Reality ++++; code +000 scores 1.
    let reality = signs(&[1, 1, 1, 1]);
    let code = Belief::from_values(&[1, 0, 0, 0]);
    let beliefs = vec![
        Belief::from_values(&[1, 1, 1, -1]),   // performance 2: superior
        Belief::from_values(&[-1, -1, -1, 1]), // −2 (1 right): not
        Belief::from_values(&[1, 1, 1, 1]),    // 4: superior
    ];
    for variant in ["replication", "literal"] {
        let c = cfg(tiny(variant));
        let mut s = State::new(reality, code, beliefs.clone());
        rules::act(&c, &mut s, 0, &seeds(0));
        assert_eq!(s.superior, 2, "{variant}");
        rules::learn_code(&c, &mut s, 0, &seeds(0));
        // Dimensions 1 and 2: both superior say +1 (p2 = 1: certain);
        // dimension 3 is a tie: no change.
        assert_eq!(s.code.values(4), [1, 1, 1, 0], "{variant}");
    }
    // p2 = 0: the code never learns.
    let c = cfg(MarchParams {
        p2: 0.0,
        ..tiny("replication")
    });
    let mut s = State::new(reality, code, beliefs);
    rules::act(&c, &mut s, 0, &seeds(0));
    rules::learn_code(&c, &mut s, 0, &seeds(0));
    assert_eq!(s.code, code);
}

#[test]
fn zero_beliefs_act_by_a_fair_coin() {
    let c = cfg(MarchParams {
        m: 64,
        n: 1,
        ..Default::default()
    });
    // A zero belief vector acts at random; the code (all 0) scores 0, so
    // the individual is superior exactly when more than half its coins
    // land on reality.
    let mut superior = 0;
    for t in 0..2000 {
        let mut s = State::new(0, Belief::ZERO, vec![Belief::ZERO]);
        rules::act(&c, &mut s, t, &seeds(0));
        superior += s.superior;
    }
    // P(Binomial(64, 1/2) > 32) = 0.4503; 2000 trials: sd 0.011.
    let share = f64::from(superior) / 2000.0;
    assert!((share - 0.4503).abs() < 0.05, "{share}");
}

#[test]
fn the_code_changes_with_probability_one_minus_one_minus_p2_to_the_k() {
    // Three superior individuals, two saying +1 and one −1 on dimension 0
    // where the code is −1: k = |2 − 1| = 1 (replication), and
    // k = 2 differing − 1 agreeing = 1 (literal).
    let reality = signs(&[1, 1, 1, 1]);
    let code = Belief::from_values(&[-1, -1, -1, -1]);
    let b = |v: [i8; 4]| Belief::from_values(&v);
    let beliefs = vec![b([1, 1, 1, 1]), b([1, -1, 1, 1]), b([-1, 1, 1, 1])];
    let p2 = 0.3;
    for (variant, k) in [("replication", 1), ("literal", 1)] {
        let c = cfg(MarchParams {
            p2,
            ..tiny(variant)
        });
        let trials = 4000;
        let changed: u32 = (0..trials)
            .map(|t| {
                let mut s = State::new(reality, code, beliefs.clone());
                rules::act(&c, &mut s, t, &seeds(1));
                rules::learn_code(&c, &mut s, t, &seeds(1));
                u32::from(s.code.value(0) == 1)
            })
            .sum();
        let rate = f64::from(changed) / f64::from(trials);
        let want = 1.0 - (1.0f64 - p2).powi(k);
        // sd sqrt(0.21 / 4000) = 0.0072; 5 sd.
        assert!((rate - want).abs() < 0.036, "{variant}: {rate} vs {want}");
    }
    // Dimension 3, where all three say +1: k = 3.
    let c = cfg(MarchParams {
        p2,
        ..tiny("replication")
    });
    let changed: u32 = (0..4000)
        .map(|t| {
            let mut s = State::new(reality, code, beliefs.clone());
            rules::act(&c, &mut s, t, &seeds(2));
            rules::learn_code(&c, &mut s, t, &seeds(2));
            u32::from(s.code.value(3) == 1)
        })
        .sum();
    let rate = f64::from(changed) / 4000.0;
    let want = 1.0 - 0.7f64.powi(3);
    assert!((rate - want).abs() < 0.04, "{rate} vs {want}");
}

#[test]
fn the_majority_rule_and_k_of_each_variant() {
    use Variant::*;
    // Majority differs from the code.
    assert_eq!(rules::code_move(1, 3, 5, 0, Replication), Some((-1, 2)));
    assert_eq!(rules::code_move(0, 4, 1, 0, Replication), Some((1, 3)));
    // Same as the code, or a tie: nothing.
    assert_eq!(rules::code_move(-1, 3, 5, 0, Replication), None);
    assert_eq!(rules::code_move(0, 4, 4, 0, Replication), None);
    // Literal: k = #differing − #agreeing (zeros differ from a ±1 code).
    assert_eq!(rules::code_move(1, 3, 5, 4, Literal), Some((-1, 6)));
    assert_eq!(rules::code_move(0, 4, 1, 2, Literal), Some((1, 3)));
    // ... and only k > 0 moves the code (more zeros than non-zeros).
    assert_eq!(rules::code_move(0, 3, 1, 5, Literal), None);
}

#[test]
fn socialization_steps_or_jumps_toward_a_non_zero_code() {
    let code = Belief::from_values(&[1, 1, 1, 0]);
    let start = vec![Belief::from_values(&[-1, 0, 1, -1]); 3];
    for (variant, p1, expect) in [
        ("replication", 1.0, [0, 1, 1, -1]),
        ("literal", 1.0, [1, 1, 1, -1]),
        ("replication", 0.0, [-1, 0, 1, -1]),
        ("literal", 0.0, [-1, 0, 1, -1]),
    ] {
        let c = cfg(MarchParams {
            p1,
            ..tiny(variant)
        });
        let mut s = State::new(0, code, start.clone());
        rules::socialize(&c, &mut s, 0, &seeds(0));
        assert_eq!(s.beliefs[0].values(4), expect, "{variant} p1 = {p1}");
    }
    // p1 = 0.25: each differing dimension moves a quarter of the time, and
    // fast learners (the first individuals) use p1_fast.
    let c = cfg(MarchParams {
        m: 64,
        n: 200,
        p1: 0.25,
        p1_fast: 0.75,
        fast_share: 0.5,
        ..Default::default()
    });
    let code = Belief {
        nz: u64::MAX,
        sign: u64::MAX,
    };
    let mut s = State::new(0, code, vec![Belief::ZERO; 200]);
    rules::socialize(&c, &mut s, 0, &seeds(0));
    let moved = |r: std::ops::Range<usize>| {
        s.beliefs[r.clone()]
            .iter()
            .map(|b| b.nz.count_ones())
            .sum::<u32>() as f64
            / (r.len() as f64 * 64.0)
    };
    // 6400 dimensions per group: sd 0.0054 and 0.0054.
    assert!((moved(0..100) - 0.75).abs() < 0.03, "{}", moved(0..100));
    assert!((moved(100..200) - 0.25).abs() < 0.03, "{}", moved(100..200));
}

#[test]
fn equilibrium_needs_settled_beliefs_and_a_code_nobody_can_beat() {
    let reality = signs(&[1, 1, -1, -1]);
    let code = Belief::from_values(&[1, -1, -1, -1]);
    for variant in ["replication", "literal"] {
        let c = cfg(tiny(variant));
        let s = State::new(reality, code, vec![code; 3]);
        assert!(rules::at_equilibrium(&c, &s), "{variant}");
        // One belief differs from the code: socialization can still act.
        let mut other = vec![code; 3];
        other[1] = Belief::from_values(&[1, 1, -1, -1]);
        let s = State::new(reality, code, other);
        assert!(!rules::at_equilibrium(&c, &s), "{variant}");
        // A code with a 0 that everyone shares: an individual's coin (or
        // knowledge, once a belief there is right) can still beat it.
        let holed = Belief::from_values(&[1, 0, -1, -1]);
        let mut s = State::new(reality, holed, vec![holed; 3]);
        if variant == "literal" {
            s.beliefs[0] = Belief::from_values(&[1, 1, -1, -1]);
            s.beliefs[1] = Belief::from_values(&[1, 1, -1, -1]);
        }
        assert!(!rules::at_equilibrium(&c, &s), "{variant}");
    }
}

// ------------------------------------------------------- the real model

/// Final values of `metric` over `reps` runs (replicate r with the common
/// random numbers of replicate r, so configurations are paired).
fn finals(p: &MarchParams, steps: u32, reps: u32, metric: usize) -> Vec<f64> {
    let m = March1991::new(p.clone(), steps).unwrap();
    (0..reps)
        .into_par_iter()
        .map(|r| {
            let out = run_seeded(
                &m,
                Seeds::common(
                    1991,
                    RunId {
                        point: 0,
                        replicate: r,
                    },
                ),
            );
            out.row(out.len() - 1)[metric]
        })
        .collect()
}

/// Mean and 95% CI of the paired differences a − b.
fn paired(a: &[f64], b: &[f64]) -> Stats {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    Stats::of(&d).unwrap()
}

fn base() -> MarchParams {
    MarchParams {
        m: 30,
        n: 50,
        p2: 0.5,
        ..Default::default()
    }
}

/// Replicates of the qualitative findings: the paired differences measured
/// when the tests were written are 7 to 23 standard errors from zero.
const REPS: u32 = 200;

#[test]
fn slower_socialization_gives_higher_equilibrium_knowledge() {
    for p2 in [0.5, 0.9] {
        let at = |p1| {
            finals(
                &MarchParams { p1, p2, ..base() },
                2000,
                REPS,
                metric::CODE_KNOWLEDGE,
            )
        };
        let (slow, mid, fast) = (at(0.1), at(0.5), at(0.9));
        let a = paired(&slow, &mid);
        let b = paired(&mid, &fast);
        eprintln!(
            "p2 {p2}: p1 0.1 − 0.5 = {:.3} {:?}; 0.5 − 0.9 = {:.3} {:?}",
            a.mean, a.ci95, b.mean, b.ci95
        );
        assert!(a.ci95[0] > 0.0, "p2 {p2}: p1 0.1 vs 0.5: {a:?}");
        assert!(b.ci95[0] > 0.0, "p2 {p2}: p1 0.5 vs 0.9: {b:?}");
    }
}

#[test]
fn a_mix_of_fast_and_slow_learners_beats_one_speed_with_the_same_mean() {
    for share in [0.2, 0.5] {
        let mean_p1 = 0.1 + 0.8 * share;
        let mix = finals(
            &MarchParams {
                p1: 0.1,
                p1_fast: 0.9,
                fast_share: share,
                ..base()
            },
            2000,
            REPS,
            metric::CODE_KNOWLEDGE,
        );
        let uniform = finals(
            &MarchParams {
                p1: mean_p1,
                ..base()
            },
            2000,
            REPS,
            metric::CODE_KNOWLEDGE,
        );
        let d = paired(&mix, &uniform);
        eprintln!(
            "{share} fast: mix − uniform p1 {mean_p1:.2} = {:.3} {:?}",
            d.mean, d.ci95
        );
        assert!(d.ci95[0] > 0.0, "share {share}: {d:?}");
    }
}

#[test]
fn moderate_turnover_helps_fast_socialization_but_not_slow() {
    // Code knowledge at period 20 (March's Figure 4).
    let at = |p1, p3| {
        finals(
            &MarchParams { p1, p3, ..base() },
            20,
            REPS,
            metric::CODE_KNOWLEDGE,
        )
    };
    let fast = paired(&at(0.9, 0.1), &at(0.9, 0.0));
    let slow = paired(&at(0.1, 0.1), &at(0.1, 0.0));
    eprintln!(
        "turnover 0.1 − 0: fast {:.3} {:?}, slow {:.3} {:?}",
        fast.mean, fast.ci95, slow.mean, slow.ci95
    );
    assert!(fast.ci95[0] > 0.0, "fast socialization: {fast:?}");
    assert!(slow.ci95[1] < 0.0, "slow socialization: {slow:?}");
}

fn runs(p: &MarchParams, steps: u32, reps: u32) -> Vec<RunOutput> {
    let m = March1991::new(p.clone(), steps).unwrap();
    (0..reps)
        .into_par_iter()
        .map(|r| {
            run_seeded(
                &m,
                Seeds::common(
                    5,
                    RunId {
                        point: 0,
                        replicate: r,
                    },
                ),
            )
        })
        .collect()
}

#[test]
fn under_turbulence_without_turnover_knowledge_decays_to_chance() {
    let p = MarchParams {
        p1: 0.5,
        p4: 0.02,
        ..base()
    };
    let steps = 300;
    let without = runs(&p, steps, REPS);
    let with = runs(&MarchParams { p3: 0.1, ..p }, steps, REPS);
    let mean_at = |rs: &[RunOutput], t: usize| {
        rs.iter()
            .map(|r| r.row(t)[metric::CODE_CORRECT])
            .sum::<f64>()
            / rs.len() as f64
    };
    let peak = (0..=40).map(|t| mean_at(&without, t)).fold(0.0, f64::max);
    let end = mean_at(&without, steps as usize);
    let kept = mean_at(&with, steps as usize);
    eprintln!("share correct: peak {peak:.3}, end {end:.3}; with turnover {kept:.3}");
    // Chance is 1/2. After the peak (about 0.85) 280 periods of p4 = 0.02
    // leave (1 − 0.04)^280 ≈ 1e-5 of the gap; the mean of 200 runs of 30
    // dimensions has sd ≤ 0.0065: 4 sd.
    assert!(peak > 0.75, "{peak}");
    assert!((end - 0.5).abs() < 0.026, "{end}");
    assert!(kept > 0.7, "with turnover {kept}");
}

#[test]
fn the_frozen_code_decays_exactly_as_the_analytic_law() {
    // Without turnover, once every belief equals a full code nothing can
    // change it (every action equals the code's), so each dimension stays
    // right with probability 1 − p4 a period: the expected share correct τ
    // periods after equilibrium is 1/2 + (K_eq − 1/2)(1 − 2 p4)^τ.
    let p4 = 0.03;
    let reps = 400;
    let lags = 60;
    let p = MarchParams {
        p1: 0.5,
        p4,
        ..base()
    };
    let all = runs(&p, 200, reps);
    let mut observed = vec![0.0; lags + 1];
    let mut predicted = vec![0.0; lags + 1];
    // A wrong law (each dimension flips at rate p4 but never flips back)
    // that the test must tell apart from the right one.
    let mut wrong = vec![0.0; lags + 1];
    let mut used = 0usize;
    for r in &all {
        let Some(t_eq) = (0..r.len()).find(|&t| r.row(t)[metric::EQUILIBRIUM] == 1.0) else {
            continue;
        };
        let row = r.row(t_eq);
        let k_eq = row[metric::CODE_CORRECT];
        let full = (row[metric::CODE_KNOWLEDGE] - (2.0 * k_eq - 1.0)).abs() < 1e-9;
        if !full || t_eq + lags >= r.len() {
            continue;
        }
        // The code is frozen: the state stays at equilibrium.
        assert!(
            (t_eq..r.len()).all(|t| r.row(t)[metric::EQUILIBRIUM] == 1.0),
            "run {} left equilibrium",
            r.id.replicate
        );
        used += 1;
        for tau in 0..=lags {
            observed[tau] += r.row(t_eq + tau)[metric::CODE_CORRECT];
            predicted[tau] += 0.5 + (k_eq - 0.5) * (1.0 - 2.0 * p4).powi(tau as i32);
            wrong[tau] += 0.5 + (k_eq - 0.5) * (1.0 - p4).powi(tau as i32);
        }
    }
    eprintln!("{used} of {reps} runs reached equilibrium with a full code");
    assert!(used >= reps as usize * 9 / 10, "only {used} runs usable");
    // The share correct of one run is a mean of 30 independent dimensions:
    // its sd is at most 1/(2√30); the mean of `used` runs at most
    // 1/(2√(30·used)) (0.0015 for 400 runs). Tolerance: 4 sd at every lag.
    let tol = 4.0 / (2.0 * (30.0 * used as f64).sqrt());
    let mut worst = 0.0f64;
    for tau in 0..=lags {
        let (o, e) = (observed[tau] / used as f64, predicted[tau] / used as f64);
        worst = worst.max((o - e).abs());
        assert!(
            (o - e).abs() < tol,
            "lag {tau}: observed {o:.4}, law {e:.4}, tolerance {tol:.4}"
        );
    }
    let rejected = (0..=lags)
        .map(|tau| ((observed[tau] - wrong[tau]) / used as f64).abs())
        .fold(0.0, f64::max);
    eprintln!(
        "largest gap to the law {worst:.4}, to the wrong law {rejected:.4} (tolerance {tol:.4})"
    );
    assert!(
        rejected > tol,
        "the test cannot tell the law from (1 − p4)^τ"
    );
    // The share moves most of the way to 1/2 within the lags.
    let (first, last) = (observed[0] / used as f64, observed[lags] / used as f64);
    assert!(first - last > 0.1 && last < 0.52, "{first} -> {last}");
}

#[test]
fn runs_stop_at_equilibrium_only_when_nothing_can_move_them() {
    let m = March1991::new(MarchParams { p1: 0.9, ..base() }, 500).unwrap();
    let seeds = Seeds::new(
        3,
        RunId {
            point: 0,
            replicate: 0,
        },
    );
    let run = run_seeded(&m, seeds);
    assert!(run.len() < 100, "stopped after {} periods", run.len() - 1);
    assert_eq!(run.row(run.len() - 1)[metric::EQUILIBRIUM], 1.0);
    // Walking the model by hand: the state at the stop is a fixed point.
    let mut s = m.init(&seeds);
    for t in 0..(run.len() - 1) as u32 {
        m.step(&mut s, t, &seeds);
    }
    let frozen = s.clone();
    for t in 0..50 {
        m.step(&mut s, 1000 + t, &seeds);
        assert_eq!((s.code, &s.beliefs), (frozen.code, &frozen.beliefs));
    }
    // With turbulence the run goes on to the cap.
    let m = March1991::new(
        MarchParams {
            p1: 0.9,
            p4: 0.01,
            ..base()
        },
        150,
    )
    .unwrap();
    assert_eq!(run_seeded(&m, seeds).len(), 151);
}

// ----------------------------------------------------- the command line

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

const FILES: [&str; 6] = [
    "runs.csv",
    "points.csv",
    "summary.csv",
    "summary.json",
    "table.txt",
    "scenario.toml",
];

fn same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs");
    }
}

#[test]
fn figure_1_from_the_bundled_sweep_as_a_plot_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fig1");
    let o = bin()
        .args(["sweep", "march1991-fig1", "--set", "replicates=6", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let table = std::fs::read_to_string(out.join("table.txt")).unwrap();
    assert!(stdout.contains(&table), "{stdout}");
    // Rows p1 = 0.1 .. 0.9, columns p2 = 0.1, 0.5, 0.9, cells mean [CI].
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.trim_start().starts_with("0.") && l.contains(" | "))
        .collect();
    assert_eq!(rows.len(), 9, "{table}");
    assert!(rows.iter().all(|r| r.matches('[').count() == 3), "{table}");
    assert!(table.contains("p2 = 0.1") && table.contains("p2 = 0.9"));
    let png = std::fs::read(out.join("plots/march-knowledge.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("fig-march-knowledge") && report.contains("p2 = 0.5"));
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.starts_with(
        "point,replicate,steps,code_knowledge,knowledge,code_correct,knowledge_fast,knowledge_slow,superior,equilibrium,equilibrium_step\n"
    ));
    assert_eq!(runs.lines().count(), 1 + 27 * 6);
    // Every run ended at equilibrium, at the step it reports.
    for l in runs.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        assert_eq!(c[9], "1", "{l}");
        assert_eq!(c[10], c[2], "{l}");
    }
}

#[test]
fn same_seed_same_bytes_at_any_thread_count_and_shards_merge() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        bin()
            .args(["sweep", "march1991-fig5", "-q", "--set", "replicates=5"])
            .args(["--set", "steps=40", "--threads", threads])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let one = run("1", &[], "t1");
    let three = run("3", &[], "t3");
    let mut files = FILES.to_vec();
    files.push("timeseries.csv");
    files.push("plots/march-trajectories.svg");
    same(&one, &three, &files);
    let a = run("2", &["--shard", "1/2"], "s1");
    let b = run("1", &["--shard", "2/2"], "s2");
    let merged = dir.path().join("merged");
    bin()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    same(&one, &merged, &files);
    // culturesim run: the time series and the figure, 1 vs 2 threads, and
    // `plot DIR` redraws the same figure.
    let r = |threads: &str, name: &str| {
        let out = dir.path().join(name);
        bin()
            .args([
                "run",
                "march1991-fig1",
                "-q",
                "--replicates",
                "7",
                "--threads",
                threads,
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let r1 = r("1", "r1");
    let r2 = r("2", "r2");
    same(
        &r1,
        &r2,
        &[
            "timeseries.csv",
            "summary.json",
            "plots/march-run.svg",
            "report.html",
        ],
    );
    let before = std::fs::read(r1.join("plots/march-run.png")).unwrap();
    std::fs::remove_file(r1.join("plots/march-run.png")).unwrap();
    bin().arg("plot").arg(&r1).arg("-q").assert().success();
    assert_eq!(
        std::fs::read(r1.join("plots/march-run.png")).unwrap(),
        before
    );
}

#[test]
fn bad_march_sweeps_and_overrides_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(
        &f,
        "name = \"s\"\nmodel = \"march1991\"\nreplicates = 2\n[sweep]\n[sweep.params]\n\"march.p1\" = [0.5, 1.5]\n",
    )
    .unwrap();
    bin()
        .args(["sweep", "-q"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "march.p1: must be in [0, 1], got 1.5 (at sweep point 1)",
        ));
    bin()
        .args(["run", "march1991-fig1", "--set", "march.p5=0.1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "march.p5: unknown key `p5`, expected one of `m`, `n`, `p1`",
        ));
    bin()
        .args(["run", "march1991-fig1", "--set", "org.employees=40"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "org: does not apply to model = \"march1991\"",
        ));
}

#[test]
fn every_sweep_design_and_option_works_over_march_keys() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, sweep: &str| {
        let f = dir.path().join(name);
        std::fs::write(
            &f,
            format!(
                "name = \"{name}\"\nmodel = \"march1991\"\ntime_unit = \"period\"\nsteps = 500\nreplicates = 4\nseed = 9\n[march]\nm = 20\nn = 30\n{sweep}"
            ),
        )
        .unwrap();
        f
    };
    let lhs = write(
        "lhs",
        "[sweep]\ndesign = \"lhs\"\nsamples = 5\n[sweep.params]\n\"march.p1\" = { min = 0.1, max = 0.9 }\n\"march.p2\" = { min = 0.2, max = 0.8 }\n",
    );
    let zip = write(
        "zip",
        "[sweep]\ndesign = \"zip\"\n[sweep.params]\n\"march.p1\" = [0.1, 0.9]\n\"march.fast_share\" = [0.5, 0.0]\n",
    );
    for (f, points) in [(&lhs, 5), (&zip, 2)] {
        let out = dir
            .path()
            .join(format!("{}-out", f.file_stem().unwrap().to_string_lossy()));
        bin()
            .args(["sweep", "-q", "--out"])
            .arg(&out)
            .arg(f)
            .assert()
            .success();
        let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 1 + points * 4, "{}", f.display());
    }
    // Adaptive replication watches code_knowledge by default.
    let out = dir.path().join("adaptive");
    bin()
        .args([
            "sweep",
            "-q",
            "--ci-width",
            "0.05",
            "--max-replicates",
            "12",
            "--out",
        ])
        .arg(&out)
        .arg(&zip)
        .assert()
        .success();
    let adaptive = std::fs::read_to_string(out.join("adaptive.json")).unwrap();
    assert!(
        adaptive.contains("\"metric\": \"code_knowledge\""),
        "{adaptive}"
    );
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.lines().count() > 1 + 2 * 4, "no replicates were added");
    // A sweep cut after three runs (as a kill leaves runs.csv.part) resumes
    // to the files of the uninterrupted sweep.
    let full = dir.path().join("zip-out");
    let cut = dir.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    let text = std::fs::read_to_string(full.join("runs.csv")).unwrap();
    let part: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    std::fs::write(cut.join("runs.csv.part"), part).unwrap();
    // A killed sweep leaves its identity beside its part (written first).
    std::fs::copy(full.join("identity.json"), cut.join("identity.json")).unwrap();
    bin()
        .args(["sweep", "-q", "--resume", "--out"])
        .arg(&cut)
        .arg(&zip)
        .assert()
        .success();
    same(&full, &cut, &FILES);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, .. proptest::prelude::ProptestConfig::default() })]

    /// For random parameters: beliefs and the code stay well-formed bit
    /// planes within the m dimensions (a +1 is always non-zero), reality
    /// stays within them, the headcount is n, and every metric is in its
    /// range (the empty group's knowledge is the only NaN).
    #[test]
    fn invariants_hold_for_random_parameters(
        m in 1u32..=64,
        n in 1u32..90,
        p1 in 0.0f64..=1.0,
        p2 in 0.0f64..=1.0,
        p3 in 0.0f64..0.5,
        p4 in 0.0f64..0.2,
        fast_share in 0.0f64..=1.0,
        literal in proptest::bool::ANY,
        seed in 0u64..1000,
    ) {
        let p = MarchParams {
            m, n, p1, p2, p3, p4, fast_share,
            variant: if literal { "literal" } else { "replication" }.into(),
            ..Default::default()
        };
        let model = March1991::new(p.clone(), 40).unwrap();
        let mask = culturesim::model::march1991::bits::dims(m);
        let seeds = Seeds::new(seed, RunId { point: 0, replicate: 0 });
        let mut s = model.init(&seeds);
        let mut out = vec![0.0; 7];
        for t in 0..40 {
            model.step(&mut s, t, &seeds);
            proptest::prop_assert_eq!(s.beliefs.len(), n as usize);
            proptest::prop_assert_eq!(s.reality & !mask, 0);
            for b in s.beliefs.iter().chain([&s.code]) {
                proptest::prop_assert_eq!(b.sign & !b.nz, 0);
                proptest::prop_assert_eq!(b.nz & !mask, 0);
            }
            model.observe(&s, &mut out);
            let fast = p.fast_count();
            for (k, v) in out.iter().enumerate() {
                let empty = (k == metric::KNOWLEDGE_FAST && fast == 0)
                    || (k == metric::KNOWLEDGE_SLOW && fast == n);
                if empty {
                    proptest::prop_assert!(v.is_nan());
                    continue;
                }
                let (lo, hi) = match k {
                    metric::CODE_KNOWLEDGE | metric::KNOWLEDGE | metric::KNOWLEDGE_FAST
                    | metric::KNOWLEDGE_SLOW => (-1.0, 1.0),
                    _ => (0.0, 1.0),
                };
                proptest::prop_assert!(*v >= lo && *v <= hi, "metric {} = {}", k, v);
            }
        }
    }
}
