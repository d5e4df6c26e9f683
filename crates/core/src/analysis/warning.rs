//! Early-warning indicators of tipping: the critical-slowing-down
//! statistics of a culture series before it tips (Scheffer et al. 2009;
//! Dakos et al. 2012), and when a series tips.
//!
//! Near a fold (the lower edge of the bistable window, docs/MODEL.md
//! section 8) the high state recovers ever more slowly from small
//! perturbations, so a series that approaches it grows more variable and
//! more autocorrelated. The recipe of Dakos et al. (2012), on one series:
//! 1. take the segment before the transition;
//! 2. detrend it (here optionally, with a Gaussian kernel smoother:
//!    [`Detrend`]) and keep the residuals;
//! 3. compute the statistic (variance, lag-1 autocorrelation) in a rolling
//!    window ([`rolling`]), each value at the window's last step;
//! 4. measure its trend by Kendall's τ against time ([`kendall_tau`]):
//!    near +1 a steady rise, near 0 no trend.
//!
//! Pure functions over numbers; no I/O. Also here: when a series tips
//! ([`tip`]) and how well a score separates two groups ([`Auc`]).

use serde::Serialize;

/// How a segment is detrended before its rolling statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Detrend {
    /// The statistics of the series itself.
    None,
    /// The residuals after a Gaussian kernel smoother (Nadaraya–Watson)
    /// with this standard deviation, in steps.
    Gaussian {
        /// Kernel standard deviation in steps (> 0).
        bandwidth: f64,
    },
}

/// The Gaussian kernel smoother of `x` with standard deviation `bandwidth`
/// steps: at each step i, Σ_j w_ij x_j / Σ_j w_ij with
/// w_ij = exp(−(i − j)²/(2·bandwidth²)), the kernel cut at 4 bandwidths
/// (weights below 3.4·10⁻⁴); near the ends only the points inside the
/// series count (the weights are renormalized).
pub fn gaussian_smooth(x: &[f64], bandwidth: f64) -> Vec<f64> {
    let n = x.len();
    if n == 0 || bandwidth.is_nan() || bandwidth <= 0.0 {
        return x.to_vec();
    }
    let reach = (4.0 * bandwidth).ceil() as usize;
    let w: Vec<f64> = (0..=reach)
        .map(|d| (-(d as f64).powi(2) / (2.0 * bandwidth * bandwidth)).exp())
        .collect();
    (0..n)
        .map(|i| {
            let (lo, hi) = (i.saturating_sub(reach), (i + reach).min(n - 1));
            let (mut s, mut ws) = (0.0, 0.0);
            for (j, v) in x.iter().enumerate().take(hi + 1).skip(lo) {
                let k = w[i.abs_diff(j)];
                s += k * v;
                ws += k;
            }
            s / ws
        })
        .collect()
}

/// The series `detrend` leaves: `x` itself, or its residuals from the
/// Gaussian smoother.
pub fn detrended(x: &[f64], detrend: Detrend) -> Vec<f64> {
    match detrend {
        Detrend::None => x.to_vec(),
        Detrend::Gaussian { bandwidth } => gaussian_smooth(x, bandwidth)
            .iter()
            .zip(x)
            .map(|(s, v)| v - s)
            .collect(),
    }
}

/// Sample variance, Σ(x − x̄)²/(n − 1); NaN for fewer than 2 values.
pub fn variance(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = x.iter().sum::<f64>() / n as f64;
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64
}

/// Lag-1 autocorrelation, the correlation of x_t with x_{t+1} as
/// `acf` estimates it: Σ_{t<n−1}(x_t − x̄)(x_{t+1} − x̄) / Σ_t(x_t − x̄)²,
/// with one mean over the window. NaN for fewer than 3 values or a
/// constant window.
pub fn lag1_autocorrelation(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 3 {
        return f64::NAN;
    }
    let m = x.iter().sum::<f64>() / n as f64;
    let den: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    if den.is_nan() || den <= 0.0 {
        return f64::NAN;
    }
    let num: f64 = x.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    num / den
}

/// `stat` over every window of `window` consecutive values of `x`: value
/// k belongs to the window ending at k + window − 1 (there are
/// n − window + 1; none if the series is shorter than the window).
pub fn rolling(x: &[f64], window: usize, stat: fn(&[f64]) -> f64) -> Vec<f64> {
    if window == 0 || x.len() < window {
        return Vec::new();
    }
    x.windows(window).map(stat).collect()
}

/// Kendall's τ_b of `y` against time (its index): (concordant − discordant)
/// pairs / √((n₀ − n_ties)·n₀), n₀ = n(n − 1)/2, NaN values left out.
/// +1 when y rises at every step, −1 when it falls, near 0 without a
/// trend; NaN for fewer than 2 values or a constant series. Time has no
/// ties, so concordant − discordant = n₀ − n_ties − 2·(discordant pairs),
/// and the discordant pairs are the inversions of y, counted by a merge
/// sort in O(n log n) (Knight 1966).
pub fn kendall_tau(y: &[f64]) -> f64 {
    let mut v: Vec<f64> = y.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n < 2 {
        return f64::NAN;
    }
    let n0 = (n * (n - 1) / 2) as f64;
    let mut buf = vec![0.0; n];
    let discordant = inversions(&mut v, &mut buf) as f64;
    // v is sorted now: count the tied pairs in runs of equal values.
    let mut ties = 0.0;
    let mut run = 1usize;
    for i in 1..=n {
        if i < n && v[i] == v[i - 1] {
            run += 1;
        } else {
            ties += (run * (run - 1) / 2) as f64;
            run = 1;
        }
    }
    let d = ((n0 - ties) * n0).sqrt();
    if d > 0.0 {
        (n0 - ties - 2.0 * discordant) / d
    } else {
        f64::NAN
    }
}

/// Sort `v` ascending and return its strict inversions: pairs i < j with
/// v[i] > v[j] (equal values are not inversions).
fn inversions(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = {
        let (a, b) = v.split_at_mut(mid);
        let (ba, bb) = buf.split_at_mut(mid);
        inversions(a, ba) + inversions(b, bb)
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            buf[k] = v[j];
            count += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    let k = k + mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

/// The rolling statistics of one segment and their trends.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    /// Rolling variance of the (detrended) segment, one value per window
    /// end (the first at `window − 1`).
    pub variance: Vec<f64>,
    /// Rolling lag-1 autocorrelation, aligned with `variance`.
    pub ar1: Vec<f64>,
    /// Kendall's τ of `variance` against time.
    pub tau_variance: f64,
    /// Kendall's τ of `ar1` against time.
    pub tau_ar1: f64,
}

/// The indicators of `segment` (the series before the tip): detrended
/// with `detrend`, rolling variance and lag-1 autocorrelation over
/// `window` steps, and their Kendall τ.
pub fn indicators(segment: &[f64], window: usize, detrend: Detrend) -> Indicators {
    let r = detrended(segment, detrend);
    let variance = rolling(&r, window, self::variance);
    let ar1 = rolling(&r, window, lag1_autocorrelation);
    Indicators {
        tau_variance: kendall_tau(&variance),
        tau_ar1: kendall_tau(&ar1),
        variance,
        ar1,
    }
}

/// What a series did after the step monitoring began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tip {
    /// Below the threshold when monitoring began: nothing high to tip.
    NotHigh,
    /// At or above the threshold at the end (it may have dipped and come back).
    Held,
    /// Fell below the threshold at `step` and stayed below it to the end.
    Tipped {
        /// The first step of the last stretch below the threshold.
        step: usize,
    },
}

/// Whether `x` tipped after step `from`: it was at or above `threshold`
/// at `from`, and the tip is the first step of its last stretch below the
/// threshold that lasts to the end of the series (so a dip that comes back
/// is not a tip). A series shorter than `from + 1` is [`Tip::NotHigh`].
pub fn tip(x: &[f64], from: usize, threshold: f64) -> Tip {
    if x.len() <= from || x[from] < threshold {
        return Tip::NotHigh;
    }
    match x.iter().rposition(|&v| v >= threshold) {
        Some(last) if last + 1 < x.len() => Tip::Tipped { step: last + 1 },
        _ => Tip::Held,
    }
}

/// The area under the ROC curve of a score that should be larger in the
/// `positive` group than in the `negative` one: the probability that a
/// random positive scores above a random negative, ties counting one half
/// (the Mann–Whitney U / (n₁n₂)), with the standard error of Hanley &
/// McNeil (1982). 0.5: no separation; 1: complete.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Auc {
    /// The area.
    pub auc: f64,
    /// Hanley–McNeil standard error.
    pub se: f64,
    /// AUC ± 1.96·se, clamped to [0, 1].
    pub ci95: [f64; 2],
    /// Positives.
    pub positives: usize,
    /// Negatives.
    pub negatives: usize,
}

impl Auc {
    /// The AUC of `positive` against `negative` (NaNs left out); `None`
    /// when either group is empty.
    pub fn of(positive: &[f64], negative: &[f64]) -> Option<Self> {
        let p: Vec<f64> = positive.iter().copied().filter(|x| !x.is_nan()).collect();
        let q: Vec<f64> = negative.iter().copied().filter(|x| !x.is_nan()).collect();
        let (n1, n2) = (p.len(), q.len());
        if n1 == 0 || n2 == 0 {
            return None;
        }
        let mut u = 0.0;
        for a in &p {
            for b in &q {
                u += match a.partial_cmp(b) {
                    Some(std::cmp::Ordering::Greater) => 1.0,
                    Some(std::cmp::Ordering::Equal) => 0.5,
                    _ => 0.0,
                };
            }
        }
        let a = u / (n1 * n2) as f64;
        let (q1, q2) = (a / (2.0 - a), 2.0 * a * a / (1.0 + a));
        let (f1, f2) = (n1 as f64, n2 as f64);
        let var =
            (a * (1.0 - a) + (f1 - 1.0) * (q1 - a * a) + (f2 - 1.0) * (q2 - a * a)) / (f1 * f2);
        let se = var.max(0.0).sqrt();
        let z = 1.959_963_984_540_054;
        Some(Self {
            auc: a,
            se,
            ci95: [(a - z * se).max(0.0), (a + z * se).min(1.0)],
            positives: n1,
            negatives: n2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_and_autocorrelation_by_hand() {
        // 1, 2, 3, 4: mean 2.5, Σ(x − x̄)² = 5, variance 5/3.
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((variance(&x) - 5.0 / 3.0).abs() < 1e-12);
        // Lag-1: (−1.5·−0.5 + −0.5·0.5 + 0.5·1.5) / 5 = 1.25 / 5 = 0.25.
        assert!((lag1_autocorrelation(&x) - 0.25).abs() < 1e-12);
        // Alternating: −1, 1, −1, 1: (−1 −1 −1)/4 = −0.75.
        assert!((lag1_autocorrelation(&[-1.0, 1.0, -1.0, 1.0]) + 0.75).abs() < 1e-12);
        assert!(lag1_autocorrelation(&[2.0; 5]).is_nan());
        assert!(variance(&[1.0]).is_nan());
    }

    #[test]
    fn kendall_tau_by_hand() {
        assert_eq!(kendall_tau(&[1.0, 2.0, 3.0, 4.0]), 1.0);
        assert_eq!(kendall_tau(&[4.0, 3.0, 2.0, 1.0]), -1.0);
        // 1, 3, 2: pairs (1,3)+ (1,2)+ (3,2)−: (2 − 1)/3.
        assert!((kendall_tau(&[1.0, 3.0, 2.0]) - 1.0 / 3.0).abs() < 1e-12);
        // A tie: 1, 1, 2: (0 + 1 + 1)/√((3 − 1)·3) = 2/√6.
        assert!((kendall_tau(&[1.0, 1.0, 2.0]) - 2.0 / 6f64.sqrt()).abs() < 1e-12);
        assert!(kendall_tau(&[1.0, 1.0]).is_nan());
        assert_eq!(kendall_tau(&[1.0, f64::NAN, 2.0]), 1.0);
    }

    /// Kendall's τ_b by counting every pair: the definition.
    fn tau_by_pairs(y: &[f64]) -> f64 {
        let n = y.len();
        let (mut s, mut ties) = (0i64, 0i64);
        for i in 0..n {
            for j in i + 1..n {
                match y[j].partial_cmp(&y[i]).unwrap() {
                    std::cmp::Ordering::Greater => s += 1,
                    std::cmp::Ordering::Less => s -= 1,
                    std::cmp::Ordering::Equal => ties += 1,
                }
            }
        }
        let n0 = (n * (n - 1) / 2) as i64;
        s as f64 / (((n0 - ties) * n0) as f64).sqrt()
    }

    #[test]
    fn the_merge_sort_tau_is_the_pairwise_tau() {
        let mut state = 12345u64;
        for n in [2usize, 3, 7, 50, 301] {
            let y: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Few distinct values: many ties.
                    ((state >> 33) % 9) as f64
                })
                .collect();
            let (a, b) = (kendall_tau(&y), tau_by_pairs(&y));
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12,
                "n = {n}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn rolling_windows_end_at_their_last_step() {
        let x = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(rolling(&x, 2, variance), vec![0.5, 2.0, 8.0]);
        assert!(rolling(&x, 5, variance).is_empty());
    }

    #[test]
    fn the_smoother_keeps_a_line_and_removes_a_wiggle() {
        // A line is kept away from the ends (a symmetric kernel).
        let line: Vec<f64> = (0..100).map(|i| 0.01 * f64::from(i)).collect();
        let s = gaussian_smooth(&line, 5.0);
        for i in 20..80 {
            assert!((s[i] - line[i]).abs() < 1e-12, "{i}: {}", s[i]);
        }
        // A wiggle of period 2 is smoothed away: the residuals are it.
        let w: Vec<f64> = (0..100)
            .map(|i| line[i] + if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let r = detrended(&w, Detrend::Gaussian { bandwidth: 5.0 });
        assert!((r[50] - 0.1).abs() < 1e-5, "{}", r[50]);
        assert_eq!(detrended(&w, Detrend::None), w);
    }

    /// An AR(1) series x_{t+1} = φ_t x_t + ε_t, with φ_t rising from 0.2
    /// to 0.95 (a system approaching a fold) or constant at 0.2, and
    /// deterministic uniform noise (xorshift from `seed`).
    fn ar1_series(rising: bool, seed: u64) -> Vec<f64> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ seed.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let n = 600;
        let mut x = vec![0.0];
        for t in 0..n {
            let phi = if rising {
                0.2 + 0.75 * f64::from(t) / f64::from(n)
            } else {
                0.2
            };
            let next = phi * x[t as usize] + noise();
            x.push(next);
        }
        x
    }

    #[test]
    fn slowing_down_raises_both_indicators_and_its_twin_does_not() {
        // Overlapping windows make one series' τ noisy (a stationary
        // series can give |τ| ≈ 0.7 by chance): compare means over 40.
        let d = Detrend::Gaussian { bandwidth: 30.0 };
        let mean_taus = |rising: bool| {
            let all: Vec<Indicators> = (0..40)
                .map(|k| indicators(&ar1_series(rising, k), 300, d))
                .collect();
            assert_eq!(all[0].variance.len(), 601 - 300 + 1);
            let m = |f: fn(&Indicators) -> f64| all.iter().map(f).sum::<f64>() / 40.0;
            (m(|i| i.tau_variance), m(|i| i.tau_ar1))
        };
        let (up_var, up_ar1) = mean_taus(true);
        assert!(up_var > 0.6 && up_ar1 > 0.6, "{up_var} {up_ar1}");
        // The knock-out twin: the same noise, no slowing down.
        let (flat_var, flat_ar1) = mean_taus(false);
        assert!(
            flat_var.abs() < 0.15 && flat_ar1.abs() < 0.15,
            "{flat_var} {flat_ar1}"
        );
    }

    #[test]
    fn a_tip_is_the_last_fall_below_the_threshold() {
        let x = [0.6, 0.55, 0.45, 0.52, 0.48, 0.3, 0.2];
        assert_eq!(tip(&x, 0, 0.5), Tip::Tipped { step: 4 });
        assert_eq!(tip(&x, 2, 0.5), Tip::NotHigh);
        assert_eq!(tip(&[0.6, 0.4, 0.6], 0, 0.5), Tip::Held);
        assert_eq!(tip(&[0.6], 3, 0.5), Tip::NotHigh);
    }

    #[test]
    fn auc_by_hand() {
        // Every positive above every negative: 1.
        let a = Auc::of(&[3.0, 4.0], &[1.0, 2.0]).unwrap();
        assert_eq!(a.auc, 1.0);
        // 2 vs {1, 2, 3}: (1 + 0.5 + 0)/3 = 0.5.
        assert!((Auc::of(&[2.0], &[1.0, 2.0, 3.0]).unwrap().auc - 0.5).abs() < 1e-12);
        assert!(Auc::of(&[], &[1.0]).is_none());
        // Hanley–McNeil at A = 0.5, n₁ = n₂ = 10: Q₁ = 1/3, Q₂ = 1/3,
        // var = (0.25 + 9·(1/3 − 1/4)·2)/100 = 1.75/100.
        let p: Vec<f64> = (0..10).map(f64::from).collect();
        let h = Auc::of(&p, &p).unwrap();
        assert!((h.auc - 0.5).abs() < 1e-12);
        assert!((h.se - 0.0175f64.sqrt()).abs() < 1e-12, "{}", h.se);
    }
}
