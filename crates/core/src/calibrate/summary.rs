//! Summaries of a weighted posterior: mean, median, 90% credible interval,
//! standard deviation against the prior's (a parameter whose posterior is
//! about as wide as its prior is reported as not identified by the data),
//! and the weighted correlation matrix.

use super::prior::Prior;
use super::smc::{Particle, weighted_moments};
use serde::Serialize;

/// A posterior whose standard deviation is above this share of the
/// prior's is reported as not identified (posterior ≈ prior).
pub const NOT_IDENTIFIED: f64 = 0.8;

/// One parameter's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSummary {
    /// Key path.
    pub name: String,
    /// The prior, as written.
    pub prior: String,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted median.
    pub median: f64,
    /// 5% quantile.
    pub q05: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// The prior's standard deviation (20,000 seeded draws).
    pub prior_sd: f64,
    /// sd / prior_sd.
    pub sd_ratio: f64,
    /// Whether the data narrow the prior (sd_ratio ≤ [`NOT_IDENTIFIED`]).
    pub identified: bool,
}

/// The weighted `q` quantile of values `x` with weights `w` (the first
/// value whose cumulative weight reaches q).
pub fn weighted_quantile(x: &[f64], w: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    for &i in &idx {
        acc += w[i];
        if acc >= q * total - 1e-12 {
            return x[i];
        }
    }
    x[idx[idx.len() - 1]]
}

/// Summaries of each parameter and the correlation matrix (row-major).
pub fn summarize(
    names: &[String],
    priors: &[Prior],
    ps: &[Particle],
    seed: u64,
) -> (Vec<ParamSummary>, Vec<f64>) {
    let d = names.len();
    let (mean, cov) = weighted_moments(ps, d);
    let w: Vec<f64> = ps.iter().map(|p| p.weight).collect();
    let mut out = Vec::new();
    for i in 0..d {
        let x: Vec<f64> = ps.iter().map(|p| p.theta[i]).collect();
        let mut rng = super::smc::proposal_stream(seed, u32::MAX, i as u64);
        let draws: Vec<f64> = (0..20_000).map(|_| priors[i].sample(&mut rng)).collect();
        let m = draws.iter().sum::<f64>() / draws.len() as f64;
        let prior_sd =
            (draws.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (draws.len() - 1) as f64).sqrt();
        let sd = cov[i * d + i].max(0.0).sqrt();
        let ratio = sd / prior_sd;
        out.push(ParamSummary {
            name: names[i].clone(),
            prior: priors[i].describe(),
            mean: mean[i],
            median: weighted_quantile(&x, &w, 0.5),
            q05: weighted_quantile(&x, &w, 0.05),
            q95: weighted_quantile(&x, &w, 0.95),
            sd,
            prior_sd,
            sd_ratio: ratio,
            identified: ratio <= NOT_IDENTIFIED,
        });
    }
    let mut corr = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            let s = (cov[i * d + i] * cov[j * d + j]).sqrt();
            corr[i * d + j] = if s > 0.0 {
                cov[i * d + j] / s
            } else {
                f64::from(u8::from(i == j))
            };
        }
    }
    (out, corr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let x = [3.0, 1.0, 2.0];
        assert_eq!(weighted_quantile(&x, &[1.0, 1.0, 1.0], 0.5), 2.0);
        assert_eq!(weighted_quantile(&x, &[0.1, 0.1, 0.8], 0.5), 2.0);
        assert_eq!(weighted_quantile(&x, &[0.8, 0.1, 0.1], 0.5), 3.0);
        assert_eq!(weighted_quantile(&x, &[1.0, 1.0, 1.0], 0.05), 1.0);
    }
}
