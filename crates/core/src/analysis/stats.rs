//! Replicate statistics: mean, standard deviation, 95% confidence interval
//! of the mean, and percentiles. The interval is Student's t for an
//! unbounded quantity; for a share, level or rate bounded in [lo, hi] (a
//! culture level, the share of teams high) it is a Wilson score interval,
//! which never leaves the bounds (see [`wilson`]).

use serde::{Deserialize, Serialize};

/// Summary of one quantity across replicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub sd: f64,
    /// 95% confidence interval of the mean: mean ± t(0.975, n − 1)·sd/√n,
    /// or for a bounded quantity the Wilson score interval ([`wilson`]).
    pub ci95: [f64; 2],
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom
/// (table for df ≤ 30, then the normal approximation refined by one
/// Cornish–Fisher term: z + (z³ + z)/(4·df)).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        _ => {
            let z = 1.959_964;
            z + (z * z * z + z) / (4.0 * df as f64)
        }
    }
}

/// Percentile `q` in [0, 1] of sorted values, linear interpolation between
/// order statistics (Hyndman & Fan 1996, type 7).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Wilson score interval (Wilson 1927) of a proportion `p` in [0, 1]
/// estimated from `n` trials, with quantile `z`:
/// (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
/// It stays within [0, 1] for every p and n, unlike p ± z·√(p(1−p)/n).
pub fn wilson(p: f64, n: f64, z: f64) -> [f64; 2] {
    if !(n > 0.0 && p.is_finite()) {
        return [p, p];
    }
    let p = p.clamp(0.0, 1.0);
    let z2 = z * z;
    let d = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / d;
    let half = z / d * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// The 95% interval of the mean of `n` values in [lo, hi] with mean `mean`
/// and standard deviation `sd`: the Wilson interval of the rescaled mean
/// with the effective sample size that gives its standard error,
/// n_eff = p(1 − p)/se² (Korn & Graubard 1998), and Student's t quantile.
/// Near the middle of the range it is the t interval; near a bound it is
/// asymmetric and never crosses it.
pub fn bounded_ci95(mean: f64, sd: f64, n: usize, lo: f64, hi: f64) -> [f64; 2] {
    let width = hi - lo;
    if n < 2 || width.is_nan() || width <= 0.0 {
        return [mean, mean];
    }
    let p = ((mean - lo) / width).clamp(0.0, 1.0);
    let se = sd / width / (n as f64).sqrt();
    if se.is_nan() || se <= 0.0 || p <= 0.0 || p >= 1.0 {
        // Every value equal (or all at a bound): no spread to show.
        return [mean, mean];
    }
    let n_eff = p * (1.0 - p) / (se * se);
    let [a, b] = wilson(p, n_eff, t975(n - 1));
    [lo + a * width, lo + b * width]
}

impl Stats {
    /// [`Stats::of`] for a quantity bounded in `bounds` (a share, level or
    /// rate): the interval is [`bounded_ci95`], inside the bounds.
    pub fn of_bounded(values: &[f64], bounds: Option<(f64, f64)>) -> Option<Self> {
        let mut s = Self::of(values)?;
        if let Some((lo, hi)) = bounds {
            s.ci95 = bounded_ci95(s.mean, s.sd, s.n, lo, hi);
        }
        Some(s)
    }

    /// Summarize values (NaNs are ignored). `None` if no value is left.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        if n == 0 {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let half = if n > 1 {
            t975(n - 1) * sd / (n as f64).sqrt()
        } else {
            0.0
        };
        Some(Self {
            n,
            mean,
            sd,
            ci95: [mean - half, mean + half],
            p5: percentile(&v, 0.05),
            p50: percentile(&v, 0.5),
            p95: percentile(&v, 0.95),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_by_hand() {
        let s = Stats::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.mean, 2.5);
        // sd = sqrt(5/3) = 1.290994
        assert!((s.sd - 1.290_994).abs() < 1e-6);
        // half-width = 3.182 * 1.290994 / 2 = 2.053972
        assert!((s.ci95[1] - 2.5 - 2.053_972).abs() < 1e-5);
        assert_eq!(s.p50, 2.5);
        // p5: h = 3*0.05 = 0.15 -> 1.15
        assert!((s.p5 - 1.15).abs() < 1e-12);
        assert!((s.p95 - 3.85).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles() {
        assert_eq!(t975(1), 12.706);
        assert!((t975(60) - 2.000).abs() < 0.002);
        assert!((t975(1000) - 1.962).abs() < 0.001);
    }

    #[test]
    fn wilson_by_hand() {
        // p = 0.2, n = 10, z = 1.96: (0.2 + 0.19208 ± 1.96·√(0.016 + 0.0096040)) / 1.38416
        let [a, b] = wilson(0.2, 10.0, 1.96);
        assert!((a - 0.056_681).abs() < 1e-5, "{a}");
        assert!((b - 0.509_843).abs() < 1e-5, "{b}");
        assert_eq!(wilson(0.0, 10.0, 1.96)[0], 0.0);
        assert!(wilson(0.0, 10.0, 1.96)[1] > 0.0);
        assert_eq!(wilson(1.0, 10.0, 1.96)[1], 1.0);
    }

    #[test]
    fn a_share_near_zero_keeps_its_interval_in_bounds() {
        // The case of the report: teams_high 0.049 [-0.010, 0.108] with
        // the t interval (most runs 0, a few high).
        let mut v = vec![0.0; 30];
        v.extend([0.8, 0.8]);
        let t = Stats::of(&v).unwrap();
        assert!(t.ci95[0] < 0.0, "the t interval crosses 0: {:?}", t.ci95);
        let s = Stats::of_bounded(&v, Some((0.0, 1.0))).unwrap();
        assert!(s.ci95[0] >= 0.0 && s.ci95[1] <= 1.0, "{:?}", s.ci95);
        assert!(s.ci95[0] < s.mean && s.mean < s.ci95[1], "{:?}", s.ci95);
        assert_eq!((s.mean, s.sd, s.p50), (t.mean, t.sd, t.p50));
    }

    #[test]
    fn a_share_in_the_middle_gets_about_the_t_interval() {
        let v: Vec<f64> = (0..40)
            .map(|i| 0.4 + 0.2 * f64::from(i % 5) / 4.0)
            .collect();
        let t = Stats::of(&v).unwrap();
        let s = Stats::of_bounded(&v, Some((0.0, 1.0))).unwrap();
        for k in 0..2 {
            assert!(
                (t.ci95[k] - s.ci95[k]).abs() < 1e-3,
                "{:?} vs {:?}",
                t.ci95,
                s.ci95
            );
        }
        // Rescaled bounds: the same interval on [-1, 1] for 2x - 1.
        let w: Vec<f64> = v.iter().map(|x| 2.0 * x - 1.0).collect();
        let r = Stats::of_bounded(&w, Some((-1.0, 1.0))).unwrap();
        assert!((r.ci95[0] - (2.0 * s.ci95[0] - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn a_constant_share_has_a_point_interval() {
        let s = Stats::of_bounded(&[0.0; 8], Some((0.0, 1.0))).unwrap();
        assert_eq!(s.ci95, [0.0, 0.0]);
        let s = Stats::of_bounded(&[0.5], Some((0.0, 1.0))).unwrap();
        assert_eq!(s.ci95, [0.5, 0.5]);
    }

    #[test]
    fn empty_and_nan() {
        assert!(Stats::of(&[]).is_none());
        assert!(Stats::of(&[f64::NAN]).is_none());
        let s = Stats::of(&[f64::NAN, 3.0]).unwrap();
        assert_eq!((s.n, s.mean, s.sd), (1, 3.0, 0.0));
    }
}
