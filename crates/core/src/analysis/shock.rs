//! Shock metrics: how a series (the culture) responds to a shock at step s,
//! with build-up and loss compared like for like — the same amount of
//! culture, over the same band of levels.
//!
//! Definitions (docs/MODEL.md, "Shock metrics"), for a series x₀…x_T and a
//! shock taking effect at step s (so x_s is the last value before it):
//! - `pre` = x_s; `trough` = min over n > s; `loss` = (pre − trough)/pre
//!   (a share); the shock is *material* when `loss` ≥ [`MIN_LOSS`];
//! - `rise` = pre − x₀; the culture was *built* when `rise` ≥ [`MIN_RISE`];
//! - the band: ΔC = ½·min(pre − trough, rise), the band of levels
//!   [pre − ΔC, pre] (half of the loss, or half of the rise if less was
//!   built than lost, so the band lies inside both);
//! - `steps_to_lose`: first n > s with x_n ≤ pre − ΔC, minus s;
//! - `steps_to_build`: the build-up's crossing of the same band: from the
//!   last step before the rise first reached `pre` at which x ≤ pre − ΔC,
//!   to that first step with x ≥ pre — so neither the shock's date nor any
//!   delay before the build started counts;
//! - `asymmetry` = steps_to_build / steps_to_lose (the headline);
//! - `build_rate`, `loss_rate`: the steepest mean slope over a window of
//!   `rate_window` steps inside each crossing (the crossing itself if it is
//!   shorter), per step; `asymmetry_rate` = loss_rate / build_rate. (The
//!   *mean* slope over the band is ΔC / time, so its ratio is `asymmetry`.)
//! - `steps_to_half_loss`: first n > s with x_n ≤ pre − ½(pre − trough),
//!   minus s (defined whenever the loss is material, built or not);
//! - `steps_to_recover`: first n after the trough with x_n ≥ 0.95·pre,
//!   minus s (`None` = never within the run).
//!
//! Times are counted in steps here; callers convert them to years.

use serde::Serialize;

/// Loss (a share of the pre-shock level) below which a shock is considered
/// to have done nothing measurable.
pub const MIN_LOSS: f64 = 0.05;

/// Rise of the culture before the shock (pre − x₀, in culture units) below
/// which nothing counts as built.
pub const MIN_RISE: f64 = 0.05;

/// What every surface says when nothing was built before the shock.
pub const NOT_BUILT: &str =
    "no culture was built before the shock, so build and loss cannot be compared";

/// What every surface says when the shock cost less than [`MIN_LOSS`].
pub const NO_LOSS: &str =
    "the shock cost less than 5% of the culture, so there is no loss to compare with the build-up";

/// Shock metrics of one run (times in steps, rates per step).
#[derive(Debug, Clone, PartialEq)]
pub struct ShockMetrics {
    /// Level just before the shock.
    pub pre: f64,
    /// Lowest level after the shock.
    pub trough: f64,
    /// Step of the trough.
    pub trough_step: usize,
    /// Share of the pre-shock level lost at the trough.
    pub loss: f64,
    /// pre − x₀: how much culture was built before the shock.
    pub rise: f64,
    /// `rise` ≥ [`MIN_RISE`].
    pub built: bool,
    /// `loss` ≥ [`MIN_LOSS`].
    pub material: bool,
    /// ΔC, the amount compared (when built and material).
    pub band: Option<f64>,
    /// Steps from the shock until the level fell by ΔC.
    pub steps_to_lose: Option<usize>,
    /// Steps the build-up took to rise through the same band.
    pub steps_to_build: Option<usize>,
    /// First step of the build-up's crossing of the band.
    pub build_start: Option<usize>,
    /// steps_to_build / steps_to_lose.
    pub asymmetry: Option<f64>,
    /// Steepest rise inside the build-up's crossing, per step.
    pub build_rate: Option<f64>,
    /// Steepest fall inside the loss's crossing, per step.
    pub loss_rate: Option<f64>,
    /// loss_rate / build_rate.
    pub asymmetry_rate: Option<f64>,
    /// Steps from the shock until half of the loss had happened.
    pub steps_to_half_loss: Option<usize>,
    /// Steps from the shock until the level was back at 95% of `pre`.
    pub steps_to_recover: Option<usize>,
}

/// Steepest mean slope of `sign`·x over windows of `w` steps inside
/// `[a, b]` (the whole span if it is shorter than `w`).
fn steepest(x: &[f64], a: usize, b: usize, w: usize, sign: f64) -> Option<f64> {
    if b <= a {
        return None;
    }
    let w = w.clamp(1, b - a);
    (a..=b - w)
        .map(|n| sign * (x[n + w] - x[n]) / w as f64)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
}

/// Shock metrics of `x` for a shock at step `s`, with maximal rates
/// measured over windows of `rate_window` steps (`None` if `s` is not
/// inside the series or nothing follows it).
pub fn shock_metrics(x: &[f64], s: usize, rate_window: usize) -> Option<ShockMetrics> {
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
    let rise = pre - x[0];
    let built = rise >= MIN_RISE;
    let fall_to = |level: f64| (s + 1..x.len()).find(|&n| x[n] <= level);
    let steps_to_half_loss = if material {
        fall_to(pre - 0.5 * (pre - trough)).map(|n| n - s)
    } else {
        None
    };
    let steps_to_recover = if material {
        (trough_step..x.len())
            .find(|&n| x[n] >= 0.95 * pre)
            .map(|n| n - s)
    } else {
        Some(0)
    };
    let mut m = ShockMetrics {
        pre,
        trough,
        trough_step,
        loss,
        rise,
        built,
        material,
        band: None,
        steps_to_lose: None,
        steps_to_build: None,
        build_start: None,
        asymmetry: None,
        build_rate: None,
        loss_rate: None,
        asymmetry_rate: None,
        steps_to_half_loss,
        steps_to_recover,
    };
    if !(built && material) {
        return Some(m);
    }
    let band = 0.5 * (pre - trough).min(rise);
    let low = pre - band;
    m.band = Some(band);
    // x_s = pre, so the rise reaches pre at the latest at s; x₀ < low
    // because band ≤ rise/2, so the crossing starts somewhere.
    let end = (0..=s).find(|&n| x[n] >= pre).unwrap_or(s);
    let start = (0..end).rev().find(|&n| x[n] <= low);
    let lost = fall_to(low);
    if let Some(a) = start {
        m.build_start = Some(a);
        m.steps_to_build = Some(end - a);
        m.build_rate = steepest(x, a, end, rate_window, 1.0);
    }
    if let Some(l) = lost {
        m.steps_to_lose = Some(l - s);
        m.loss_rate = steepest(x, s, l, rate_window, -1.0);
    }
    m.asymmetry = match (m.steps_to_build, m.steps_to_lose) {
        (Some(b), Some(l)) if l > 0 => Some(b as f64 / l as f64),
        _ => None,
    };
    m.asymmetry_rate = match (m.loss_rate, m.build_rate) {
        (Some(l), Some(b)) if b > 0.0 && l > 0.0 => Some(l / b),
        _ => None,
    };
    Some(m)
}

/// One run's shock metrics as written to summary.json: times in years,
/// rates in culture units per year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ShockRecord {
    /// Level just before the shock.
    pub pre: f64,
    /// Lowest level after the shock.
    pub trough: f64,
    /// Share of `pre` lost at the trough.
    pub loss: f64,
    /// pre − the level at the start.
    pub rise: f64,
    /// Whether culture was built before the shock (rise ≥ 0.05).
    pub built: bool,
    /// The amount compared, ΔC.
    pub band: Option<f64>,
    /// Years the build-up took to rise through the band.
    pub years_to_build: Option<f64>,
    /// Years the shock took to bring the culture down through the band.
    pub years_to_lose: Option<f64>,
    /// years_to_build / years_to_lose.
    pub asymmetry: Option<f64>,
    /// Steepest rise inside the build-up's crossing, per year.
    pub build_rate_per_year: Option<f64>,
    /// Steepest fall inside the loss's crossing, per year.
    pub loss_rate_per_year: Option<f64>,
    /// loss_rate / build_rate.
    pub asymmetry_rate: Option<f64>,
    /// Years from the shock until half of the loss had happened.
    pub years_to_half_loss: Option<f64>,
    /// Years from the shock until the level was back at 95% of `pre`.
    pub years_to_recover: Option<f64>,
}

impl ShockMetrics {
    /// The record with times in years, for `years_per_step` years a step.
    pub fn record(&self, years_per_step: f64) -> ShockRecord {
        let yr = |n: Option<usize>| n.map(|n| n as f64 * years_per_step);
        let rate = |r: Option<f64>| r.map(|r| r / years_per_step);
        ShockRecord {
            pre: self.pre,
            trough: self.trough,
            loss: self.loss,
            rise: self.rise,
            built: self.built,
            band: self.band,
            years_to_build: yr(self.steps_to_build),
            years_to_lose: yr(self.steps_to_lose),
            asymmetry: self.asymmetry,
            build_rate_per_year: rate(self.build_rate),
            loss_rate_per_year: rate(self.loss_rate),
            asymmetry_rate: self.asymmetry_rate,
            years_to_half_loss: yr(self.steps_to_half_loss),
            years_to_recover: yr(self.steps_to_recover),
        }
    }
}

/// What the runs of a shock allow one to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Build and loss compared in at least half of the runs.
    Compared,
    /// Fewer than half of the runs built culture before the shock.
    NotBuilt,
    /// Fewer than half of the runs lost 5% or more.
    NoLoss,
    /// Built and lost in most runs, but rarely both in the same run.
    Mixed,
}

impl Verdict {
    /// From the shares of runs that built, that lost materially, and for
    /// which the like-for-like ratio is defined.
    pub fn of(built: f64, material: f64, defined: f64) -> Self {
        if defined >= 0.5 {
            Verdict::Compared
        } else if built < 0.5 {
            Verdict::NotBuilt
        } else if material < 0.5 {
            Verdict::NoLoss
        } else {
            Verdict::Mixed
        }
    }

    /// The sentence every surface prints instead of a ratio (`None` when
    /// the ratio is meaningful).
    pub fn note(self) -> Option<&'static str> {
        match self {
            Verdict::Compared => None,
            Verdict::NotBuilt => Some(NOT_BUILT),
            Verdict::NoLoss => Some(NO_LOSS),
            Verdict::Mixed => Some(
                "build and loss can be compared in fewer than half of the runs, so no ratio is given",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `delay` flat steps at `x0`, a linear rise of `rise` over `up` steps,
    /// `hold` steps at the top (the shock at the last of them), a linear
    /// fall of `fall` over `down` steps, then `tail` steps at the bottom.
    #[allow(clippy::too_many_arguments)]
    fn series(
        x0: f64,
        delay: usize,
        rise: f64,
        up: usize,
        hold: usize,
        fall: f64,
        down: usize,
        tail: usize,
    ) -> (Vec<f64>, usize) {
        let mut x = vec![x0; delay + 1];
        x.extend((1..=up).map(|n| x0 + rise * n as f64 / up as f64));
        let top = x0 + rise;
        x.extend(std::iter::repeat_n(top, hold));
        let s = x.len() - 1;
        x.extend((1..=down).map(|n| top - fall * n as f64 / down as f64));
        x.extend(std::iter::repeat_n(top - fall, tail));
        (x, s)
    }

    #[test]
    fn metrics_by_hand() {
        // Rise 0.2 -> 0.6 over steps 0..=8, shock at 8, then a fall to 0.2.
        let x = [
            0.2, 0.25, 0.3, 0.36, 0.41, 0.46, 0.52, 0.56, 0.6, 0.5, 0.39, 0.3, 0.2, 0.2, 0.2,
        ];
        let m = shock_metrics(&x, 8, 1).unwrap();
        assert_eq!((m.pre, m.trough, m.trough_step), (0.6, 0.2, 12));
        assert!((m.loss - 2.0 / 3.0).abs() < 1e-12);
        assert!(m.built && m.material);
        // ΔC = ½·min(0.4, 0.4) = 0.2: the band [0.4, 0.6].
        assert!((m.band.unwrap() - 0.2).abs() < 1e-12);
        // Lost at step 10 (0.39): 2 steps. Built from step 3 (0.36, the last
        // at or below 0.4) to step 8 (first at 0.6): 5 steps.
        assert_eq!(m.steps_to_lose, Some(2));
        assert_eq!(m.build_start, Some(3));
        assert_eq!(m.steps_to_build, Some(5));
        assert_eq!(m.asymmetry, Some(2.5));
        // Steepest one-step rise in 3..=8 is 0.06 (0.46 -> 0.52), fall in
        // 8..=10 is 0.11 (0.5 -> 0.39).
        assert!((m.build_rate.unwrap() - 0.06).abs() < 1e-9);
        assert!((m.loss_rate.unwrap() - 0.11).abs() < 1e-9);
        assert!((m.asymmetry_rate.unwrap() - 0.11 / 0.06).abs() < 1e-9);
        assert_eq!(m.steps_to_half_loss, Some(2));
        assert_eq!(m.steps_to_recover, None);
        let r = m.record(0.5);
        assert_eq!(r.years_to_build, Some(2.5));
        assert_eq!(r.years_to_lose, Some(1.0));
        assert!((r.loss_rate_per_year.unwrap() - 0.22).abs() < 1e-9);
        // With a window of 2 steps: the steepest mean slope over two steps.
        let m2 = shock_metrics(&x, 8, 2).unwrap();
        assert!((m2.build_rate.unwrap() - 0.055).abs() < 1e-9);
        assert!((m2.loss_rate.unwrap() - 0.105).abs() < 1e-9);
    }

    #[test]
    fn a_symmetric_build_and_loss_give_one() {
        // The same slope up and down (0.4 over 41 steps): the band is the
        // upper half, crossed in 21 steps each way.
        let (x, s) = series(0.2, 0, 0.4, 41, 10, 0.4, 41, 20);
        let m = shock_metrics(&x, s, 4).unwrap();
        assert_eq!(m.steps_to_build, Some(21));
        assert_eq!(m.steps_to_lose, Some(21));
        assert_eq!(m.asymmetry, Some(1.0));
        assert!((m.asymmetry_rate.unwrap() - 1.0).abs() < 1e-9);
        // Down three times as steeply (65 steps up, 21 down): 33 vs 11.
        let (x, s) = series(0.2, 0, 0.4, 65, 10, 0.4, 21, 20);
        let m = shock_metrics(&x, s, 4).unwrap();
        assert_eq!(m.asymmetry, Some(3.0));
        assert!((m.asymmetry_rate.unwrap() - 65.0 / 21.0).abs() < 1e-9);
    }

    #[test]
    fn the_shock_date_and_a_delay_before_the_build_do_not_change_the_ratio() {
        let reference = {
            let (x, s) = series(0.2, 0, 0.4, 60, 1, 0.3, 25, 30);
            shock_metrics(&x, s, 4).unwrap()
        };
        for (delay, hold) in [(0, 200), (100, 1), (150, 300)] {
            let (x, s) = series(0.2, delay, 0.4, 60, hold, 0.3, 25, 30);
            let m = shock_metrics(&x, s, 4).unwrap();
            assert_eq!(
                m.asymmetry, reference.asymmetry,
                "delay {delay}, hold {hold}"
            );
            assert_eq!(m.asymmetry_rate, reference.asymmetry_rate);
            assert_eq!(m.steps_to_build, reference.steps_to_build);
        }
        // ΔC = 0.15: the rise is at or below 0.45 up to step 37 of 60 (23
        // steps to the top); the fall (0.012 a step) needs 13 steps.
        assert_eq!(reference.steps_to_build, Some(23));
        assert_eq!(reference.steps_to_lose, Some(13));
    }

    #[test]
    fn less_built_than_lost_compares_half_the_rise() {
        // Rise 0.1 from 0.5, loss 0.4: ΔC = 0.05 (half the rise).
        let (x, s) = series(0.5, 5, 0.1, 11, 5, 0.4, 41, 5);
        let m = shock_metrics(&x, s, 1).unwrap();
        assert!((m.band.unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(m.steps_to_build, Some(6));
        assert_eq!(m.steps_to_lose, Some(6));
    }

    #[test]
    fn nothing_built_nothing_compared() {
        // Starts at its pre-shock level: no rise, a large loss.
        let (x, s) = series(0.7, 0, 0.0, 1, 50, 0.4, 21, 20);
        let m = shock_metrics(&x, s, 4).unwrap();
        assert!(!m.built && m.material);
        assert_eq!(m.band, None);
        assert_eq!(m.steps_to_build, None);
        assert_eq!(m.asymmetry, None);
        assert_eq!(m.asymmetry_rate, None);
        // The loss is still measured.
        assert_eq!(m.steps_to_half_loss, Some(11));
        // A rise just under the minimum is not a build-up either.
        let (x, s) = series(0.6, 0, 0.04, 10, 10, 0.4, 20, 20);
        assert!(!shock_metrics(&x, s, 4).unwrap().built);
        assert_eq!(Verdict::of(0.2, 1.0, 0.0), Verdict::NotBuilt);
        assert_eq!(Verdict::of(0.2, 1.0, 0.0).note(), Some(NOT_BUILT));
        assert_eq!(Verdict::of(1.0, 0.3, 0.3), Verdict::NoLoss);
        assert_eq!(Verdict::of(1.0, 1.0, 0.9).note(), None);
    }

    #[test]
    fn recovery_is_found() {
        let x = [0.1, 0.5, 0.5, 0.2, 0.3, 0.48, 0.5];
        let m = shock_metrics(&x, 2, 1).unwrap();
        assert_eq!(m.trough_step, 3);
        // 0.95 * 0.5 = 0.475 first reached at step 5 -> 3 steps after the shock
        assert_eq!(m.steps_to_recover, Some(3));
    }

    #[test]
    fn no_loss_no_ratio() {
        let x = [0.1, 0.5, 0.5, 0.5, 0.5];
        let m = shock_metrics(&x, 2, 1).unwrap();
        assert!(m.built && !m.material);
        assert_eq!(m.steps_to_half_loss, None);
        assert_eq!(m.asymmetry, None);
        assert!(shock_metrics(&x, 4, 1).is_none());
    }
}
