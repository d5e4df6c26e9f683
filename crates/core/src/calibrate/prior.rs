//! Priors of the free parameters: sampling (rand_distr) and the density up
//! to a constant (what the ABC-SMC weights need; a truncated normal's
//! normalizing constant is the same for every particle and cancels).

use crate::scenario::survey::RawPrior;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, LogNormal, Normal};

/// A prior.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// Uniform on [min, max].
    Uniform(f64, f64),
    /// Log-uniform on [min, max] (min > 0).
    LogUniform(f64, f64),
    /// Normal(mean, sd), truncated to [min, max].
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower end (may be -inf).
        min: f64,
        /// Upper end (may be +inf).
        max: f64,
    },
    /// LogNormal(mu, sigma).
    LogNormal(f64, f64),
}

impl Prior {
    /// From a checked `RawPrior` (see `scenario::survey::check`).
    pub fn from_raw(r: &RawPrior) -> Self {
        let g = |v: Option<f64>| v.unwrap_or(f64::NAN);
        match r.dist.as_str() {
            "uniform" => Self::Uniform(g(r.min), g(r.max)),
            "loguniform" => Self::LogUniform(g(r.min), g(r.max)),
            "normal" => Self::Normal {
                mean: g(r.mean),
                sd: g(r.sd),
                min: r.min.unwrap_or(f64::NEG_INFINITY),
                max: r.max.unwrap_or(f64::INFINITY),
            },
            _ => Self::LogNormal(g(r.mu), g(r.sigma)),
        }
    }

    /// One draw.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match *self {
            Self::Uniform(a, b) => a + (b - a) * rng.random::<f64>(),
            Self::LogUniform(a, b) => (a.ln() + (b.ln() - a.ln()) * rng.random::<f64>()).exp(),
            Self::Normal { mean, sd, min, max } => {
                let d = Normal::new(mean, sd).expect("a checked prior");
                // Rejection from the normal; a truncation far in the tail
                // falls back to the nearest end after many tries.
                for _ in 0..10_000 {
                    let x: f64 = d.sample(rng);
                    if (min..=max).contains(&x) {
                        return x;
                    }
                }
                mean.clamp(min, max)
            }
            Self::LogNormal(mu, sigma) => LogNormal::new(mu, sigma)
                .expect("a checked prior")
                .sample(rng),
        }
    }

    /// The density at `x`, up to a constant (0 outside the support).
    pub fn density(&self, x: f64) -> f64 {
        match *self {
            Self::Uniform(a, b) => f64::from(u8::from((a..=b).contains(&x))),
            Self::LogUniform(a, b) => {
                if (a..=b).contains(&x) {
                    1.0 / x
                } else {
                    0.0
                }
            }
            Self::Normal { mean, sd, min, max } => {
                if (min..=max).contains(&x) {
                    (-0.5 * ((x - mean) / sd).powi(2)).exp()
                } else {
                    0.0
                }
            }
            Self::LogNormal(mu, sigma) => {
                if x > 0.0 {
                    (-0.5 * ((x.ln() - mu) / sigma).powi(2)).exp() / x
                } else {
                    0.0
                }
            }
        }
    }

    /// How the prior reads in summaries: `uniform(0.05, 0.6)`.
    pub fn describe(&self) -> String {
        use crate::export::timeseries::format_value as f;
        match *self {
            Self::Uniform(a, b) => format!("uniform({}, {})", f(a), f(b)),
            Self::LogUniform(a, b) => format!("loguniform({}, {})", f(a), f(b)),
            Self::Normal { mean, sd, min, max } if min.is_finite() || max.is_finite() => {
                format!("normal({}, {}) on [{}, {}]", f(mean), f(sd), min, max)
            }
            Self::Normal { mean, sd, .. } => format!("normal({}, {})", f(mean), f(sd)),
            Self::LogNormal(mu, sigma) => format!("lognormal({}, {})", f(mu), f(sigma)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn draws_stay_in_the_support_and_have_density() {
        let mut rng = Pcg64Mcg::new(1);
        let priors = [
            Prior::Uniform(0.1, 0.4),
            Prior::LogUniform(0.01, 1.0),
            Prior::Normal {
                mean: 0.5,
                sd: 0.3,
                min: 0.0,
                max: 1.0,
            },
            Prior::LogNormal(0.0, 0.5),
        ];
        for p in &priors {
            for _ in 0..1000 {
                let x = p.sample(&mut rng);
                assert!(p.density(x) > 0.0, "{p:?} {x}");
            }
        }
        assert_eq!(priors[0].density(0.5), 0.0);
        assert_eq!(priors[2].density(-0.1), 0.0);
        assert!((priors[2].density(0.5) - 1.0).abs() < 1e-12);
    }
}
