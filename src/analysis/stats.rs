//! Replicate statistics: mean, standard deviation, 95% confidence interval
//! of the mean (Student t), and percentiles.

use serde::Serialize;

/// Summary of one quantity across replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub sd: f64,
    /// 95% confidence interval of the mean: mean ± t(0.975, n − 1)·sd/√n.
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

impl Stats {
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
    fn empty_and_nan() {
        assert!(Stats::of(&[]).is_none());
        assert!(Stats::of(&[f64::NAN]).is_none());
        let s = Stats::of(&[f64::NAN, 3.0]).unwrap();
        assert_eq!((s.n, s.mean, s.sd), (1, 3.0, 0.0));
    }
}
