//! Shock metrics: how a series (the culture) responds to a shock at step s.
//!
//! Definitions (docs/MODEL.md, "Shock metrics"), for a series x₀…x_T and a
//! shock taking effect at step s (so x_s is the last value before it):
//! - `pre` = x_s; `trough` = min over n > s; `loss` = (pre − trough)/pre;
//! - `weeks_to_half_loss`: first n > s with x_n ≤ pre − ½(pre − trough), minus s;
//! - `weeks_to_recover`: first n after the trough with x_n ≥ 0.95·pre, minus s
//!   (`None` = never within the run);
//! - `build_weeks`: first n ≤ s with x_n ≥ x₀ + 0.95·(pre − x₀) (the build-up
//!   to the pre-shock level, to within 5% of the rise);
//! - `asymmetry` = build_weeks / weeks_to_half_loss;
//! - `build_half_weeks` and `asymmetry_half`: the same with half of the rise,
//!   so gain and loss are compared over equal shares.
//!
//! Times are counted in steps; the caller converts to its time unit.

use serde::Serialize;

/// Loss below which a shock is considered to have done nothing measurable.
pub const MIN_LOSS: f64 = 0.05;

/// Shock metrics of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShockMetrics {
    /// Level just before the shock.
    pub pre: f64,
    /// Lowest level after the shock.
    pub trough: f64,
    /// Step of the trough.
    pub trough_step: usize,
    /// Share of the pre-shock level lost at the trough.
    pub loss: f64,
    /// Steps from the shock until half of the loss had happened.
    pub weeks_to_half_loss: Option<usize>,
    /// Steps from the shock until the level was back at 95% of `pre`.
    pub weeks_to_recover: Option<usize>,
    /// Steps the build-up took to reach 95% of the rise to `pre`.
    pub build_weeks: Option<usize>,
    /// Steps the build-up took to reach half of the rise to `pre`.
    pub build_half_weeks: Option<usize>,
    /// build_weeks / weeks_to_half_loss.
    pub asymmetry: Option<f64>,
    /// build_half_weeks / weeks_to_half_loss.
    pub asymmetry_half: Option<f64>,
}

/// Shock metrics of `x` for a shock at step `s` (`None` if `s` is not
/// inside the series or nothing follows it).
pub fn shock_metrics(x: &[f64], s: usize) -> Option<ShockMetrics> {
    if s + 1 >= x.len() {
        return None;
    }
    let pre = x[s];
    let (trough_step, trough) =
        x.iter()
            .enumerate()
            .skip(s + 1)
            .fold(
                (s + 1, f64::INFINITY),
                |acc, (n, &v)| if v < acc.1 { (n, v) } else { acc },
            );
    let loss = if pre > 0.0 {
        ((pre - trough) / pre).max(0.0)
    } else {
        0.0
    };
    let material = loss >= MIN_LOSS;
    let weeks_to_half_loss = if material {
        let level = pre - 0.5 * (pre - trough);
        (s + 1..x.len()).find(|&n| x[n] <= level).map(|n| n - s)
    } else {
        None
    };
    let weeks_to_recover = if material {
        (trough_step..x.len())
            .find(|&n| x[n] >= 0.95 * pre)
            .map(|n| n - s)
    } else {
        Some(0)
    };
    let x0 = x[0];
    let rise = pre - x0;
    let first_reach = |share: f64| -> Option<usize> {
        if rise <= 0.0 {
            return None;
        }
        (0..=s).find(|&n| x[n] >= x0 + share * rise)
    };
    let build_weeks = first_reach(0.95);
    let build_half_weeks = first_reach(0.5);
    let ratio = |b: Option<usize>| match (b, weeks_to_half_loss) {
        (Some(b), Some(h)) if h > 0 => Some(b as f64 / h as f64),
        _ => None,
    };
    Some(ShockMetrics {
        pre,
        trough,
        trough_step,
        loss,
        weeks_to_half_loss,
        weeks_to_recover,
        build_weeks,
        build_half_weeks,
        asymmetry: ratio(build_weeks),
        asymmetry_half: ratio(build_half_weeks),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        // Rise 0.2 -> 0.6 over steps 0..=8 (0.05 a step), shock at 8,
        // then fall 0.1 a step to 0.2 and stay.
        let mut x: Vec<f64> = (0..=8).map(|n| 0.2 + 0.05 * n as f64).collect();
        x.extend([0.5, 0.4, 0.3, 0.2, 0.2, 0.2]);
        let m = shock_metrics(&x, 8).unwrap();
        assert!((m.pre - 0.6).abs() < 1e-12);
        assert!((m.trough - 0.2).abs() < 1e-12);
        assert_eq!(m.trough_step, 12);
        assert!((m.loss - 2.0 / 3.0).abs() < 1e-12);
        // half loss level 0.4 reached at step 10 -> 2 steps
        assert_eq!(m.weeks_to_half_loss, Some(2));
        assert_eq!(m.weeks_to_recover, None);
        // 95% of rise: 0.2 + 0.38 = 0.58 -> first at step 8 (0.6); 50%: 0.4 at step 4
        assert_eq!(m.build_weeks, Some(8));
        assert_eq!(m.build_half_weeks, Some(4));
        assert_eq!(m.asymmetry, Some(4.0));
        assert_eq!(m.asymmetry_half, Some(2.0));
    }

    #[test]
    fn recovery_is_found() {
        let x = [0.1, 0.5, 0.5, 0.2, 0.3, 0.48, 0.5];
        let m = shock_metrics(&x, 2).unwrap();
        assert_eq!(m.trough_step, 3);
        // 0.95 * 0.5 = 0.475 first reached at step 5 -> 3 steps after the shock
        assert_eq!(m.weeks_to_recover, Some(3));
    }

    #[test]
    fn no_loss_no_ratio() {
        let x = [0.1, 0.5, 0.5, 0.5, 0.5];
        let m = shock_metrics(&x, 2).unwrap();
        assert_eq!(m.weeks_to_half_loss, None);
        assert_eq!(m.asymmetry, None);
        assert!(shock_metrics(&x, 4).is_none());
    }
}
