//! Validated probability distributions for population traits and structure.
//!
//! A [`Dist`] is built once from checked parameters (see
//! `scenario::raw::RawDist`) and can then be sampled without failing. All
//! sampling goes through `rand_distr`.

use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, LogNormal, Normal, Pareto, Poisson};

/// A distribution over real numbers, validated at construction.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Constant(f64),
    /// Uniform on [lo, hi).
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal, truncated to [lo, hi] by rejection (clamped after 64 tries).
    Normal {
        /// The untruncated normal.
        d: Normal<f64>,
        /// Lower truncation.
        lo: f64,
        /// Upper truncation.
        hi: f64,
    },
    /// Beta(a, b) on [0, 1].
    Beta(Beta<f64>),
    /// Log-normal with parameters of the underlying normal.
    LogNormal(LogNormal<f64>),
    /// Pareto with scale and shape (shape 1.16 gives the 80:20 rule).
    Pareto {
        /// The distribution.
        d: Pareto<f64>,
        /// Its scale (the smallest value).
        scale: f64,
    },
    /// Poisson with the given mean.
    Poisson(Poisson<f64>),
    /// Uniform choice among listed values.
    Empirical(Vec<f64>),
}

/// Why a distribution's parameters were rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

impl Dist {
    /// A uniform distribution; `lo < hi` required.
    pub fn uniform(lo: f64, hi: f64) -> Result<Self, DistError> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(DistError(format!(
                "uniform needs finite lo < hi, got lo = {lo}, hi = {hi}"
            )));
        }
        Ok(Self::Uniform { lo, hi })
    }

    /// A normal distribution truncated to [lo, hi].
    pub fn normal(mean: f64, sd: f64, lo: f64, hi: f64) -> Result<Self, DistError> {
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(DistError(format!(
                "normal bounds are empty: lo = {lo} must be below hi = {hi}"
            )));
        }
        if !(sd > 0.0 && sd.is_finite() && mean.is_finite()) {
            return Err(DistError(format!(
                "normal needs a finite mean and sd > 0, got mean = {mean}, sd = {sd}"
            )));
        }
        let d = Normal::new(mean, sd).map_err(|e| DistError(format!("normal: {e}")))?;
        Ok(Self::Normal { d, lo, hi })
    }

    /// A beta distribution; `a, b > 0` required.
    pub fn beta(a: f64, b: f64) -> Result<Self, DistError> {
        if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
            return Err(DistError(format!(
                "beta needs a > 0 and b > 0, got a = {a}, b = {b}"
            )));
        }
        Beta::new(a, b)
            .map(Self::Beta)
            .map_err(|e| DistError(format!("beta: {e}")))
    }

    /// A log-normal distribution; `sigma >= 0` required.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Self, DistError> {
        if !(sigma >= 0.0 && sigma.is_finite() && mu.is_finite()) {
            return Err(DistError(format!(
                "lognormal needs finite mu and sigma >= 0, got mu = {mu}, sigma = {sigma}"
            )));
        }
        LogNormal::new(mu, sigma)
            .map(Self::LogNormal)
            .map_err(|e| DistError(format!("lognormal: {e}")))
    }

    /// A Pareto distribution; `scale, shape > 0` required.
    pub fn pareto(scale: f64, shape: f64) -> Result<Self, DistError> {
        if !(scale > 0.0 && shape > 0.0 && scale.is_finite() && shape.is_finite()) {
            return Err(DistError(format!(
                "pareto needs scale > 0 and shape > 0, got scale = {scale}, shape = {shape}"
            )));
        }
        Pareto::new(scale, shape)
            .map(|d| Self::Pareto { d, scale })
            .map_err(|e| DistError(format!("pareto: {e}")))
    }

    /// A Poisson distribution; `mean > 0` required.
    pub fn poisson(mean: f64) -> Result<Self, DistError> {
        if !(mean > 0.0 && mean.is_finite()) {
            return Err(DistError(format!("poisson needs mean > 0, got {mean}")));
        }
        Poisson::new(mean)
            .map(Self::Poisson)
            .map_err(|e| DistError(format!("poisson: {e}")))
    }

    /// An empirical distribution over a non-empty list of finite values.
    pub fn empirical(values: Vec<f64>) -> Result<Self, DistError> {
        if values.is_empty() {
            return Err(DistError("empirical needs at least one value".into()));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(DistError(format!(
                "empirical values must be finite, got {v}"
            )));
        }
        Ok(Self::Empirical(values))
    }

    /// Draw one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Self::Constant(v) => *v,
            Self::Uniform { lo, hi } => lo + (hi - lo) * rng.random::<f64>(),
            Self::Normal { d, lo, hi } => {
                for _ in 0..64 {
                    let x = d.sample(rng);
                    if (*lo..=*hi).contains(&x) {
                        return x;
                    }
                }
                d.mean().clamp(*lo, *hi)
            }
            Self::Beta(d) => d.sample(rng),
            Self::LogNormal(d) => d.sample(rng),
            Self::Pareto { d, .. } => d.sample(rng),
            Self::Poisson(d) => d.sample(rng),
            Self::Empirical(v) => v[rng.random_range(0..v.len())],
        }
    }

    /// The smallest and largest values the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Self::Constant(v) => (*v, *v),
            Self::Uniform { lo, hi } => (*lo, *hi),
            Self::Normal { lo, hi, .. } => (*lo, *hi),
            Self::Beta(_) => (0.0, 1.0),
            Self::LogNormal(_) => (0.0, f64::INFINITY),
            Self::Pareto { scale, .. } => (*scale, f64::INFINITY),
            Self::Poisson(_) => (0.0, f64::INFINITY),
            Self::Empirical(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(Dist::beta(0.0, 1.0).is_err());
        assert!(Dist::normal(0.5, 0.1, 1.0, 0.0).is_err());
        assert!(Dist::uniform(1.0, 1.0).is_err());
        assert!(Dist::poisson(-1.0).is_err());
        assert!(Dist::pareto(1.0, 0.0).is_err());
        assert!(Dist::empirical(vec![]).is_err());
    }

    #[test]
    fn samples_respect_support_and_mean() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        let d = Dist::normal(0.5, 0.5, 0.0, 1.0).unwrap();
        let b = Dist::beta(2.0, 3.0).unwrap();
        let mut sum = 0.0;
        for _ in 0..20_000 {
            let x = d.sample(&mut rng);
            assert!((0.0..=1.0).contains(&x));
            sum += b.sample(&mut rng);
        }
        // Beta(2, 3) has mean 0.4; sd of the mean of 20k draws is 0.0014.
        assert!((sum / 20_000.0 - 0.4).abs() < 0.006);
    }
}
