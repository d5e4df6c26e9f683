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
}

/// Sobol indices for one factor.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i.
    pub first: f64,
    /// Total index S_Ti.
    pub total: f64,
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
    ee.iter()
        .map(|e| {
            let n = e.len().max(1) as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisIndex { mu_star, mu, sigma }
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

/// Sobol indices from the values `y` of `sobol_design(k, n, seed)`.
pub fn sobol_indices(k: usize, n: usize, y: &[f64]) -> Vec<SobolIndex> {
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let all = &y[..2 * n];
    let mean = all.iter().sum::<f64>() / (2 * n) as f64;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (2 * n) as f64;
    (0..k)
        .map(|i| {
            let fab = &y[(2 + i) * n..(3 + i) * n];
            if var <= 0.0 {
                return SobolIndex {
                    first: 0.0,
                    total: 0.0,
                };
            }
            let first = (0..n).map(|j| fb[j] * (fab[j] - fa[j])).sum::<f64>() / n as f64 / var;
            let total =
                (0..n).map(|j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2.0 * n as f64) / var;
            SobolIndex { first, total }
        })
        .collect()
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
