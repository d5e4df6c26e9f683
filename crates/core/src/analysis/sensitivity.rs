//! Global sensitivity analysis over a box of factors, for any function
//! `f: [0,1]^k → R` given on the unit cube (the caller scales to ranges):
//! Morris elementary effects (Morris 1991; μ* of Campolongo, Cariboni &
//! Saltelli 2007) and Sobol first-order and total indices with Saltelli
//! sampling (Saltelli et al. 2010 estimators: first order
//! S_i = mean(f_B·(f_ABi − f_A)) / V, total S_Ti = mean((f_A − f_ABi)²)/2/V).
//! Designs are built from counter-based draws of a seed, so they are
//! reproducible anywhere.

use crate::engine::rng::{hash_keys, unit_from_hash};
use serde::Serialize;

/// Morris results for one factor.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MorrisIndex {
    /// Mean of the absolute elementary effects (importance).
    pub mu_star: f64,
    /// Mean of the elementary effects (sign).
    pub mu: f64,
    /// Standard deviation of the elementary effects (interaction/nonlinearity).
    pub sigma: f64,
    /// 95% bootstrap interval of `mu_star` (trajectories resampled).
    pub mu_star_ci: (f64, f64),
}

/// Sobol indices for one factor.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i.
    pub first: f64,
    /// Total index S_Ti.
    pub total: f64,
    /// 95% bootstrap interval of `first` (base samples resampled).
    pub first_ci: (f64, f64),
    /// 95% bootstrap interval of `total`.
    pub total_ci: (f64, f64),
}

/// Bootstrap resamples behind the intervals.
pub const BOOTSTRAP: usize = 500;

/// Percentile interval (2.5%, 97.5%) of `v` (sorted in place).
fn interval(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    (q(0.025), q(0.975))
}

/// `BOOTSTRAP` resamples of `0..n` with replacement, drawn from `seed`.
fn resamples(n: usize, seed: u64) -> impl Iterator<Item = Vec<usize>> {
    (0..BOOTSTRAP).map(move |b| {
        (0..n)
            .map(|j| ((u(seed, &[5, b as u64, j as u64]) * n as f64) as usize).min(n - 1))
            .collect()
    })
}

fn u(seed: u64, keys: &[u64]) -> f64 {
    unit_from_hash(hash_keys(seed, keys))
}

/// Morris trajectories: `r` trajectories of k+1 points on a `levels`-level
/// grid (Δ = levels / (2(levels − 1))). Returns the points in evaluation
/// order; `morris_indices` turns their values into indices.
pub fn morris_design(k: usize, r: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    let p = levels.max(2) as f64;
    let delta = p / (2.0 * (p - 1.0));
    let mut pts = Vec::with_capacity(r * (k + 1));
    for t in 0..r {
        // Base point on the grid, low enough that x + Δ stays in [0, 1].
        let mut x: Vec<f64> = (0..k)
            .map(|i| {
                let steps = ((1.0 - delta) * (p - 1.0)).round() as usize + 1;
                let j = (u(seed, &[1, t as u64, i as u64]) * steps as f64) as usize;
                j.min(steps - 1) as f64 / (p - 1.0)
            })
            .collect();
        // Random order of the factors.
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = (u(seed, &[2, t as u64, i as u64]) * (i + 1) as f64) as usize;
            order.swap(i, j.min(i));
        }
        pts.push(x.clone());
        for &i in &order {
            x[i] += delta;
            pts.push(x.clone());
        }
    }
    pts
}

/// Morris indices from the values `y` of `morris_design(k, r, levels, seed)`.
pub fn morris_indices(
    k: usize,
    r: usize,
    levels: usize,
    design: &[Vec<f64>],
    y: &[f64],
) -> Vec<MorrisIndex> {
    let p = levels.max(2) as f64;
    let delta = p / (2.0 * (p - 1.0));
    let mut ee = vec![Vec::with_capacity(r); k];
    for t in 0..r {
        let base = t * (k + 1);
        for s in 0..k {
            let (a, b) = (&design[base + s], &design[base + s + 1]);
            let i = (0..k)
                .find(|&i| (b[i] - a[i]).abs() > 1e-12)
                .expect("one factor moves");
            ee[i].push((y[base + s + 1] - y[base + s]) / delta);
        }
    }
    let mut boot: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP); k];
    for idx in resamples(r, 0x6d6f_7272) {
        for (i, e) in ee.iter().enumerate() {
            let m = idx.iter().map(|&t| e[t].abs()).sum::<f64>() / r as f64;
            boot[i].push(m);
        }
    }
    ee.iter()
        .zip(&mut boot)
        .map(|(e, b)| {
            let n = e.len().max(1) as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisIndex {
                mu_star,
                mu,
                sigma,
                mu_star_ci: interval(b),
            }
        })
        .collect()
}

/// Saltelli design for Sobol indices with `n` base samples: the rows of A,
/// then of B, then of AB_1..AB_k (A with column i from B). n·(k+2) points.
pub fn sobol_design(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let a: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..k).map(|i| u(seed, &[3, j as u64, i as u64])).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..k).map(|i| u(seed, &[4, j as u64, i as u64])).collect())
        .collect();
    let mut pts = a.clone();
    pts.extend(b.iter().cloned());
    for i in 0..k {
        for j in 0..n {
            let mut x = a[j].clone();
            x[i] = b[j][i];
            pts.push(x);
        }
    }
    pts
}

/// First and total Sobol estimates over the base samples `idx`.
fn sobol_estimates(k: usize, n: usize, y: &[f64], idx: &[usize]) -> Vec<(f64, f64)> {
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let m = idx.len() as f64;
    let mean = idx.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
    let var = idx
        .iter()
        .map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m);
    (0..k)
        .map(|i| {
            let fab = &y[(2 + i) * n..(3 + i) * n];
            if var <= 0.0 {
                return (0.0, 0.0);
            }
            // f_B centred: the same expectation, far less variance when
            // the output's mean is large against its spread.
            let first = idx
                .iter()
                .map(|&j| (fb[j] - mean) * (fab[j] - fa[j]))
                .sum::<f64>()
                / m
                / var;
            let total =
                idx.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2.0 * m) / var;
            (first, total)
        })
        .collect()
}

/// Sobol indices from the values `y` of `sobol_design(k, n, seed)`, with
/// 95% bootstrap intervals (the n base samples resampled `BOOTSTRAP` times).
pub fn sobol_indices(k: usize, n: usize, y: &[f64]) -> Vec<SobolIndex> {
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_estimates(k, n, y, &all);
    let mut firsts = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut totals = vec![Vec::with_capacity(BOOTSTRAP); k];
    for idx in resamples(n, 0x736f_626f) {
        for (i, (f, t)) in sobol_estimates(k, n, y, &idx).into_iter().enumerate() {
            firsts[i].push(f);
            totals[i].push(t);
        }
    }
    point
        .into_iter()
        .zip(firsts.iter_mut().zip(&mut totals))
        .map(|((first, total), (f, t))| SobolIndex {
            first,
            total,
            first_ci: interval(f),
            total_ci: interval(t),
        })
        .collect()
}

/// The vital few: the fewest factors whose shares of the summed importance
/// reach `share` (e.g. 0.8), most important first, with the share they
/// reach. Negative importances (noise in an estimator) count as zero.
pub fn vital_few(importance: &[(String, f64)], share: f64) -> (Vec<String>, f64) {
    let mut v: Vec<(String, f64)> = importance
        .iter()
        .map(|(n, x)| (n.clone(), x.max(0.0)))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let sum: f64 = v.iter().map(|x| x.1).sum();
    if sum <= 0.0 {
        return (Vec::new(), 0.0);
    }
    let mut acc = 0.0;
    let mut few = Vec::new();
    for (n, x) in v {
        if acc / sum >= share {
            break;
        }
        acc += x;
        few.push(n);
    }
    (few, acc / sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function on [−π, π]³ (a = 7, b = 0.1), scaled from the unit cube.
    fn ishigami(x: &[f64]) -> f64 {
        let (x1, x2, x3) = (
            PI * (2.0 * x[0] - 1.0),
            PI * (2.0 * x[1] - 1.0),
            PI * (2.0 * x[2] - 1.0),
        );
        x1.sin() + 7.0 * x2.sin().powi(2) + 0.1 * x3.powi(4) * x1.sin()
    }

    #[test]
    fn sobol_recovers_the_ishigami_indices() {
        // Analytic values (Ishigami & Homma 1990; Sobol & Levitan 1999):
        // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        let n = 20_000;
        let pts = sobol_design(3, n, 11);
        let y: Vec<f64> = pts.iter().map(|x| ishigami(x)).collect();
        let s = sobol_indices(3, n, &y);
        let expect = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (i, (f, t)) in expect.iter().enumerate() {
            // Tolerance 0.03: the estimators' standard error at n = 20,000 is about 0.01.
            assert!(
                (s[i].first - f).abs() < 0.03,
                "S{} = {} vs {f}",
                i + 1,
                s[i].first
            );
            assert!(
                (s[i].total - t).abs() < 0.03,
                "ST{} = {} vs {t}",
                i + 1,
                s[i].total
            );
        }
        // The bootstrap intervals cover the analytic values and are tight
        // (half-width about 2 standard errors, so < 0.05 here).
        for (i, (f, t)) in expect.iter().enumerate() {
            let (fl, fh) = s[i].first_ci;
            let (tl, th) = s[i].total_ci;
            assert!(fl <= s[i].first && s[i].first <= fh, "{:?}", s[i]);
            assert!(
                fl - 0.01 <= *f && *f <= fh + 0.01,
                "S{} CI {:?} vs {f}",
                i + 1,
                s[i].first_ci
            );
            assert!(
                tl - 0.01 <= *t && *t <= th + 0.01,
                "ST{} CI {:?} vs {t}",
                i + 1,
                s[i].total_ci
            );
            assert!(fh - fl < 0.1 && th - tl < 0.1, "{:?}", s[i]);
        }
        // Fewer samples, wider intervals.
        let few = sobol_design(3, 500, 11);
        let yf: Vec<f64> = few.iter().map(|x| ishigami(x)).collect();
        let sf = sobol_indices(3, 500, &yf);
        let w = |c: (f64, f64)| c.1 - c.0;
        assert!(
            w(sf[0].total_ci) > 2.0 * w(s[0].total_ci),
            "{:?} vs {:?}",
            sf[0],
            s[0]
        );
    }

    #[test]
    fn vital_few_takes_the_fewest_levers_reaching_the_share() {
        let imp: Vec<(String, f64)> =
            [("a", 0.1), ("b", 0.5), ("c", 0.3), ("d", -0.02), ("e", 0.1)]
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect();
        let (few, share) = vital_few(&imp, 0.8);
        assert_eq!(few, vec!["b", "c"]);
        assert!((share - 0.8).abs() < 1e-12);
        let (few, share) = vital_few(&imp, 0.85);
        assert_eq!(few, vec!["b", "c", "a"]);
        assert!((share - 0.9).abs() < 1e-12);
        assert_eq!(vital_few(&imp[3..4], 0.8).0.len(), 0);
    }

    #[test]
    fn morris_ranks_the_ishigami_factors() {
        // Known ranking by μ*: x1 and x2 matter most, x3 acts only through
        // its interaction with x1 (Campolongo et al. 2007 use this case).
        let (k, r, levels) = (3, 200, 4);
        let pts = morris_design(k, r, levels, 5);
        assert_eq!(pts.len(), r * (k + 1));
        assert!(pts.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        let y: Vec<f64> = pts.iter().map(|x| ishigami(x)).collect();
        let m = morris_indices(k, r, levels, &pts, &y);
        assert!(
            m[0].mu_star > m[2].mu_star && m[1].mu_star > m[2].mu_star,
            "{m:?}"
        );
        for mi in &m {
            assert!(
                mi.mu_star_ci.0 <= mi.mu_star && mi.mu_star <= mi.mu_star_ci.1,
                "{mi:?}"
            );
        }
        // x2's interval lies wholly above x3's: the ranking is not noise.
        assert!(m[1].mu_star_ci.0 > m[2].mu_star_ci.1, "{m:?}");
        // A linear function: every elementary effect equals its coefficient.
        let lin: Vec<f64> = pts.iter().map(|x| 3.0 * x[0] - 2.0 * x[1]).collect();
        let l = morris_indices(k, r, levels, &pts, &lin);
        assert!(
            (l[0].mu - 3.0).abs() < 1e-9
                && (l[1].mu + 2.0).abs() < 1e-9
                && l[2].mu_star.abs() < 1e-9
        );
        assert!(l[0].sigma < 1e-9);
    }
}
