//! The figures and the report page of `culturesim calibrate`, drawn from
//! the finished calibration's [`Outcome`] only:
//!
//! - `posterior`: the corner plot — on the diagonal each free parameter's
//!   weighted particles against its prior (scaled to the same area), the
//!   90% credible interval shaded; below it every pair of parameters, one
//!   dot per particle (its size by its weight) with the weighted
//!   correlation. A log-uniform or log-normal prior gets a log axis, on the
//!   diagonal and in the scatters alike;
//! - `predictive`: the posterior predictive check — each observed wave
//!   against the 50% and 90% bands of the waves the calibrated model
//!   simulates, one panel per measure;
//! - `forecast`: each branch of the forecast (nothing changes, as planned)
//!   as a median with 50% and 90% bands, the observed waves, the last
//!   wave and the events after it;
//! - `report.html`: the fit statement, key numbers, the parameter table,
//!   the figures, the generations and the closest simulation per measure.
//!
//! [`files`] returns every file as bytes; [`write()`] writes them, each
//! atomically.

use super::canvas::{self, Chart, DrawResult, HouseMesh, Key, LEFT, legend, put, put_boxed};
use super::narrative::KeyNumber;
use super::style::{self, AXIS_LINE, BLUE, INK, MUTED, ORANGE, VERMILLION};
use culturesim_core::calibrate::Outcome;
use culturesim_core::calibrate::forecast::{Band, Forecast, Predicted};
use culturesim_core::calibrate::observations::{Instrument, Measure};
use culturesim_core::calibrate::prior::Prior;
use culturesim_core::calibrate::summary::{NOT_IDENTIFIED, weighted_quantile};
use culturesim_core::export::atomic;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// The figures' file stems, in report order.
pub const FIGURES: [&str; 3] = ["posterior", "predictive", "forecast"];

// ---------------------------------------------------------------------
// Axes of the corner plot.

/// One parameter's axis: its range (in the parameter's units), whether it
/// is logarithmic and its ticks. Drawing happens in axis units `u` (the
/// logarithm of the value on a log axis), so that a histogram's bins, the
/// prior's density and the scatters share one coordinate.
#[derive(Debug, Clone, PartialEq)]
struct Axis {
    log: bool,
    lo: f64,
    hi: f64,
    /// Tick values (parameter units).
    ticks: Vec<f64>,
    /// Decimals of a linear axis' tick labels (None: shortest form).
    decimals: Option<usize>,
}

impl Axis {
    fn u(&self, x: f64) -> f64 {
        if self.log { x.ln() } else { x }
    }

    fn x(&self, u: f64) -> f64 {
        if self.log { u.exp() } else { u }
    }

    fn range(&self) -> (f64, f64) {
        (self.u(self.lo), self.u(self.hi))
    }

    fn contains(&self, x: f64) -> bool {
        x.is_finite() && (!self.log || x > 0.0) && x >= self.lo && x <= self.hi
    }

    fn label(&self, u: f64) -> String {
        let x = self.x(u);
        match self.decimals {
            Some(d) => format!("{x:.d$}"),
            None => short(x),
        }
    }

    fn coord(&self) -> Ticked {
        let (a, b) = self.range();
        Ticked {
            inner: (a..b).into(),
            ticks: self.ticks.iter().map(|t| self.u(*t)).collect(),
        }
    }
}

/// A linear coordinate with given ticks (plotters' `WithKeyPoints` does
/// not take a label formatter on `f64`).
struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(v, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

impl ValueFormatter<f64> for Ticked {
    fn format(v: &f64) -> String {
        short(*v)
    }
}

/// `v` with at most four significant digits, without trailing zeros.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let e = v.abs().log10().floor() as i32;
    let d = (3 - e).clamp(0, 8) as usize;
    let s = format!("{v:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `v` with three significant digits (tables).
fn sig(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let e = v.abs().log10().floor() as i32;
    let d = (2 - e).clamp(0, 8) as usize;
    format!("{v:.d$}")
}

/// `m` × 10^`e`, exact for decimal `m` (dividing by a power of ten for
/// negative `e`: 2 / 10 is 0.2 exactly).
fn decade(m: f64, e: i32) -> f64 {
    if e < 0 {
        m / 10f64.powi(-e)
    } else {
        m * 10f64.powi(e)
    }
}

/// Whether `u` lies inside [`a`, `b`] away from its ends by 7% of the
/// span (tick labels at a panel's edge would run into its neighbour's).
fn inner(u: f64, a: f64, b: f64) -> bool {
    let m = 0.07 * (b - a);
    u >= a + m - 1e-12 && u <= b - m + 1e-12
}

/// Ticks of a linear axis over [`a`, `b`] (about `n`), with the decimals
/// that tell them apart.
fn linear_ticks(a: f64, b: f64, n: usize) -> (Vec<f64>, usize) {
    for k in [n, n + 1, 2 * n] {
        let raw = (b - a) / k as f64;
        if !(raw.is_finite() && raw > 0.0) {
            break;
        }
        let e = raw.log10().floor() as i32;
        let f = raw / decade(1.0, e);
        let m = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .find(|m| *m >= f - 1e-9)
            .unwrap_or(10.0);
        let (m, e) = if m == 10.0 { (1.0, e + 1) } else { (m, e) };
        let step = decade(m, e);
        let decimals = (-e).max(0) as usize + usize::from(m == 2.5);
        let ticks: Vec<f64> = ((a / step).ceil() as i64..=(b / step).floor() as i64)
            .map(|i| i as f64 * step)
            .filter(|u| inner(*u, a, b))
            .collect();
        if ticks.len() >= 2 {
            return (ticks, decimals);
        }
    }
    let mid = 0.5 * (a + b);
    (vec![mid], canvas::decimals(b - a))
}

/// Every other element of `v` (or every k-th) until at most `max` remain.
fn thin(v: Vec<f64>, max: usize) -> Vec<f64> {
    if v.len() <= max {
        return v;
    }
    let k = v.len().div_ceil(max);
    v.into_iter().step_by(k).collect()
}

/// Ticks of a log axis over [`lo`, `hi`] (positive): powers of ten, else
/// 1-2-5 steps, else every digit; a span too narrow for any of them gets
/// linear ticks.
fn log_ticks(lo: f64, hi: f64, n: usize) -> Axis {
    let (a, b) = (lo.ln(), hi.ln());
    let candidates = |ms: &[f64]| -> Vec<f64> {
        let (e0, e1) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
        (e0..=e1)
            .flat_map(|e| ms.iter().map(move |m| decade(*m, e)))
            .filter(|x| inner(x.ln(), a, b))
            .collect()
    };
    let digits: Vec<f64> = (1..10).map(f64::from).collect();
    for (ms, least) in [(&[1.0][..], 3), (&[1.0, 2.0, 5.0][..], 2), (&digits[..], 2)] {
        let v = candidates(ms);
        if v.len() >= least {
            return Axis {
                log: true,
                lo,
                hi,
                ticks: thin(v, n + 1),
                decimals: None,
            };
        }
    }
    let (ticks, decimals) = linear_ticks(lo, hi, n);
    let ticks = ticks
        .into_iter()
        .filter(|x| *x > 0.0 && inner(x.ln(), a, b))
        .collect();
    Axis {
        log: true,
        lo,
        hi,
        ticks,
        decimals: Some(decimals),
    }
}

/// Whether a parameter with this prior is drawn on a log axis.
fn is_log(p: &Prior) -> bool {
    matches!(p, Prior::LogUniform(..) | Prior::LogNormal(..))
}

/// The prior's support (infinite ends where it has none; a log-normal's
/// lower end is the log axis' -∞).
fn support(p: &Prior) -> (f64, f64) {
    match *p {
        Prior::Uniform(a, b) | Prior::LogUniform(a, b) => (a, b),
        Prior::Normal { min, max, .. } => (min, max),
        Prior::LogNormal(..) => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// The axis of a parameter with prior `p` and weighted particles `xs`,
/// `ws`: the prior's support; an open end is the weighted 0.5% or 99.5%
/// quantile of the particles, widened by 15% of their span; then 3% of
/// padding on each side.
fn param_axis(p: &Prior, xs: &[f64], ws: &[f64], n: usize) -> Axis {
    let log = is_log(p);
    let to_u = |x: f64| if log { x.ln() } else { x };
    let from_u = |u: f64| if log { u.exp() } else { u };
    let (smin, smax) = support(p);
    let (mut lo, mut hi) = if smin.is_finite() && smax.is_finite() {
        (smin, smax)
    } else {
        let (x, w): (Vec<f64>, Vec<f64>) = xs
            .iter()
            .zip(ws)
            .filter(|(x, w)| x.is_finite() && (!log || **x > 0.0) && w.is_finite())
            .map(|(x, w)| (*x, *w))
            .unzip();
        let (q0, q1) = if x.is_empty() {
            (1.0, if log { 10.0 } else { 2.0 })
        } else {
            (
                weighted_quantile(&x, &w, 0.005),
                weighted_quantile(&x, &w, 0.995),
            )
        };
        let (u0, u1) = (to_u(q0), to_u(q1));
        let span = u1 - u0;
        (
            if smin.is_finite() {
                smin
            } else {
                from_u(u0 - 0.15 * span)
            },
            if smax.is_finite() {
                smax
            } else {
                from_u(u1 + 0.15 * span)
            },
        )
    };
    if !above(hi, lo) {
        let c = lo;
        if log {
            (lo, hi) = (c / 1.2, c * 1.2);
        } else {
            let e = (c.abs() * 0.05).max(1e-6);
            (lo, hi) = (c - e, c + e);
        }
    }
    let (u0, u1) = (to_u(lo), to_u(hi));
    let pad = 0.03 * (u1 - u0);
    let (lo, hi) = (from_u(u0 - pad), from_u(u1 + pad));
    if log {
        log_ticks(lo, hi, n)
    } else {
        let (ticks, decimals) = linear_ticks(lo, hi, n);
        Axis {
            log,
            lo,
            hi,
            ticks,
            decimals: Some(decimals),
        }
    }
}

/// Whether `a` > `b` (false when either is NaN).
fn above(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)
}

/// The prior's density in axis units (on a log axis, the density of the
/// logarithm: p(x)·x), up to a constant.
fn prior_in_axis(p: &Prior, log: bool, u: f64) -> f64 {
    if log {
        let x = u.exp();
        p.density(x) * x
    } else {
        p.density(u)
    }
}

/// Where (in axis units) nearly all of the prior's mass lies, to
/// normalize its density over.
fn prior_mass_span(p: &Prior, log: bool) -> (f64, f64) {
    let (a, b) = match *p {
        Prior::Uniform(a, b) => (a, b),
        Prior::LogUniform(a, b) => (a, b),
        Prior::Normal { mean, sd, min, max } => {
            (min.max(mean - 10.0 * sd), max.min(mean + 10.0 * sd))
        }
        Prior::LogNormal(mu, sigma) => {
            let (a, b) = (mu - 10.0 * sigma, mu + 10.0 * sigma);
            return if log { (a, b) } else { (0.0, b.exp()) };
        }
    };
    if log { (a.ln(), b.ln()) } else { (a, b) }
}

/// The prior's density on `axis`, normalized to area 1 over its whole
/// support, at `points` points across the axis (empty when it cannot be
/// normalized).
fn prior_curve(p: &Prior, axis: &Axis, points: usize) -> Vec<(f64, f64)> {
    let (a, b) = prior_mass_span(p, axis.log);
    if !(a.is_finite() && b.is_finite() && b > a) {
        return Vec::new();
    }
    let n = 4000;
    let h = (b - a) / n as f64;
    let z: f64 = (0..=n)
        .map(|i| {
            let v = prior_in_axis(p, axis.log, a + h * i as f64);
            if i == 0 || i == n { 0.5 * v } else { v }
        })
        .sum::<f64>()
        * h;
    if !(z.is_finite() && z > 0.0) {
        return Vec::new();
    }
    let (u0, u1) = axis.range();
    let at = |u: f64| (u, prior_in_axis(p, axis.log, u) / z);
    // A finite end of the support inside the axis is drawn as a vertical
    // step, not as a ramp between two samples.
    let (smin, smax) = support(p);
    let lo = (smin.is_finite() && (!axis.log || smin > 0.0))
        .then(|| axis.u(smin))
        .filter(|e| *e > u0 && *e < u1);
    let hi = smax
        .is_finite()
        .then(|| axis.u(smax))
        .filter(|e| *e > u0 && *e < u1);
    let mut out = Vec::with_capacity(points + 7);
    if let Some(e) = lo {
        out.extend([(u0, 0.0), (e, 0.0), at(e)]);
    }
    out.extend(
        (0..=points)
            .map(|i| u0 + (u1 - u0) * i as f64 / points as f64)
            .filter(|u| lo.is_none_or(|e| *u > e) && hi.is_none_or(|e| *u < e))
            .map(at),
    );
    if let Some(e) = hi {
        out.extend([at(e), (e, 0.0), (u1, 0.0)]);
    }
    out
}

/// A weighted histogram of `xs` on `axis` (in axis units) over the part
/// of the axis within the prior's support (so that no bin straddles its
/// end): each bin's (left, right, density), the density such that the
/// bars' area is the weight inside (of a total of 1).
fn histogram(
    axis: &Axis,
    prior: &Prior,
    xs: &[f64],
    ws: &[f64],
    bins: usize,
) -> Vec<(f64, f64, f64)> {
    let (smin, smax) = support(prior);
    let (u0, u1) = (
        axis.u(axis.lo.max(smin)).max(axis.range().0),
        axis.u(axis.hi.min(smax)).min(axis.range().1),
    );
    if !above(u1, u0) {
        return Vec::new();
    }
    let bw = (u1 - u0) / bins as f64;
    let total: f64 = ws.iter().filter(|w| w.is_finite()).sum();
    let mut mass = vec![0.0; bins];
    for (x, w) in xs.iter().zip(ws) {
        if !axis.contains(*x) || !w.is_finite() {
            continue;
        }
        let u = axis.u(*x);
        if u < u0 || u > u1 {
            continue;
        }
        let k = (((u - u0) / bw).floor() as usize).min(bins - 1);
        mass[k] += w;
    }
    mass.iter()
        .enumerate()
        .map(|(k, m)| {
            let l = u0 + bw * k as f64;
            (l, l + bw, if total > 0.0 { m / total / bw } else { 0.0 })
        })
        .collect()
}

/// `text`, shortened from the left with an ellipsis until it fits `width`
/// pixels in `st`.
fn fit_text(text: &str, st: &TextStyle<'_>, width: i32) -> String {
    if canvas::text_width(text, st) <= width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for k in 1..chars.len() {
        let s: String = std::iter::once('…')
            .chain(chars[k..].iter().copied())
            .collect();
        if canvas::text_width(&s, st) <= width {
            return s;
        }
    }
    "…".into()
}

// ---------------------------------------------------------------------
// The corner plot.

/// Space between panels.
const GAP: i32 = 16;
/// Width of the left column's tick labels and parameter name.
const YL: i32 = 118;
/// Height of the bottom row's tick labels and parameter name.
const XL: i32 = 92;
/// Top of the grid (below title, subtitle and legend).
const TOP: i32 = 176;

/// Where the corner plot's panels lie.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Grid {
    d: usize,
    pw: i32,
    ph: i32,
    x0: i32,
    y0: i32,
    w: i32,
    h: i32,
}

impl Grid {
    /// The grid of `d` parameters: one wide panel for one; square-ish
    /// panels of 260–400 px for more (the figure grows past 1600 px wide
    /// from six parameters on).
    fn of(d: usize) -> Self {
        let d = d.max(1);
        let (w, h) = (style::W as i32, style::H as i32);
        if d == 1 {
            let x0 = LEFT + 20;
            return Self {
                d,
                pw: w - x0 - 48,
                ph: h - TOP - XL - 24,
                x0,
                y0: TOP,
                w,
                h,
            };
        }
        let n = d as i32;
        let ph = (1200 / n).clamp(260, 400);
        let x0 = LEFT + YL;
        let w = (x0 + n * ph + (n - 1) * GAP + 40).max(w);
        let pw = (w - x0 - 40 - (n - 1) * GAP) / n;
        Self {
            d,
            pw,
            ph,
            x0,
            y0: TOP,
            w,
            h: TOP + n * ph + (n - 1) * GAP + XL + 24,
        }
    }

    /// Top-left corner of panel (row `i`, column `j`).
    fn at(&self, i: usize, j: usize) -> (i32, i32) {
        (
            self.x0 + j as i32 * (self.pw + GAP),
            self.y0 + i as i32 * (self.ph + GAP),
        )
    }
}

/// The corner plot of a calibration's posterior.
pub struct CornerChart<'a> {
    o: &'a Outcome,
    grid: Grid,
    axes: Vec<Axis>,
    /// Each parameter's particle values.
    columns: Vec<Vec<f64>>,
}

impl<'a> CornerChart<'a> {
    /// The chart of `o`.
    pub fn new(o: &'a Outcome) -> Self {
        let d = o.names.len();
        let grid = Grid::of(d);
        let w = &o.posterior.weights;
        let columns: Vec<Vec<f64>> = (0..d)
            .map(|i| {
                o.posterior
                    .thetas
                    .iter()
                    .map(|t| t.get(i).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        let n = if d == 1 {
            8
        } else if grid.pw.min(grid.ph) >= 300 {
            4
        } else {
            3
        };
        let axes = o
            .priors
            .iter()
            .zip(&columns)
            .map(|(p, xs)| param_axis(p, xs, w, n))
            .collect();
        Self {
            o,
            grid,
            axes,
            columns,
        }
    }

    /// Histogram bins of parameter `i`: the 90% credible interval holds
    /// 60% of Rice's rule on the effective sample size (so that a narrow
    /// posterior gets as many bars as a wide one), 8 to 80 across the axis.
    fn bins(&self, i: usize) -> usize {
        let ess = self
            .o
            .report
            .generations
            .last()
            .map_or(self.o.posterior.weights.len() as f64, |g| g.ess);
        let within = (1.2 * ess.max(1.0).cbrt()).max(5.0);
        let ax = &self.axes[i];
        let (u0, u1) = ax.range();
        let ci = self
            .o
            .report
            .params
            .get(i)
            .filter(|s| ax.contains(s.q05) && ax.contains(s.q95))
            .map_or(u1 - u0, |s| ax.u(s.q95) - ax.u(s.q05));
        if !above(ci, 0.0) {
            return 8;
        }
        ((within * (u1 - u0) / ci).round() as usize).clamp(8, 80)
    }
}

type Corner = Cartesian2d<Ticked, Ticked>;

/// A panel of the corner plot whose plotting area is exactly `pw` × `ph`
/// at (`x`, `y`): tick labels and the parameter's name on the left
/// (`y_desc`) and at the bottom (`x_desc`) only where given.
#[allow(clippy::too_many_arguments)]
fn corner_panel<'b, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &Grid,
    (x, y): (i32, i32),
    xa: &Axis,
    ya: &Axis,
    x_desc: Option<&str>,
    y_desc: Option<&str>,
    cell: &'b mut Option<DrawingArea<DB, Shift>>,
) -> Result<ChartContext<'b, DB, Corner>, DrawingAreaErrorKind<DB::ErrorType>> {
    let yl = if y_desc.is_some() { YL } else { 0 };
    let xl = if x_desc.is_some() { XL } else { 0 };
    let area = cell.insert(root.clone().shrink((x - yl, y), (g.pw + yl, g.ph + xl)));
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(xl)
        .y_label_area_size(yl)
        .build_cartesian_2d(xa.coord(), ya.coord())?;
    let xf = |u: &f64| xa.label(*u);
    let yf = |u: &f64| ya.label(*u);
    let mut mesh = chart.configure_mesh();
    mesh.house(style::SMALL, style::SMALL)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf);
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    if let Some(d) = y_desc {
        mesh.y_desc(d);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The frame around a panel's plotting area.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &Grid,
    (x, y): (i32, i32),
) -> DrawResult<DB> {
    root.draw(&Rectangle::new(
        [(x, y), (x + g.pw, y + g.ph)],
        AXIS_LINE.stroke_width(1),
    ))
}

impl Chart for CornerChart<'_> {
    fn size(&self) -> (u32, u32) {
        (self.grid.w as u32, self.grid.h as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let o = self.o;
        let g = &self.grid;
        let d = g.d.min(o.names.len());
        let generation = o.report.generations.last();
        let subtitle = if o.report.fits {
            format!(
                "{} · the {} particles of generation {} (effective {:.0}); r: weighted correlation",
                o.scenario,
                o.posterior.thetas.len(),
                generation.map_or(0, |g| g.generation),
                generation.map_or(0.0, |g| g.ess)
            )
        } else {
            format!(
                "{} · no parameter set fits the data: the least bad region of the priors, not a fit",
                o.scenario
            )
        };
        canvas::title(area, "Posterior of the free parameters", &subtitle)?;
        legend(
            area,
            &[
                (Key::Box(style::tint(BLUE, 0.45)), "posterior".into()),
                (Key::Line(ORANGE, 4), "prior (same area)".into()),
                (
                    Key::Box(style::tint(BLUE, 0.86)),
                    "90% credible interval".into(),
                ),
                (Key::Line(INK, 2), "median".into()),
                (
                    Key::Dot(style::tint(BLUE, 0.35)),
                    "particles (size: weight)".into(),
                ),
            ],
            g.w - 40,
            TOP - 38,
        )?;
        if d == 0 {
            return Ok(());
        }
        let ws = &o.posterior.weights;
        let wmax = ws
            .iter()
            .copied()
            .filter(|w| w.is_finite())
            .fold(0.0, f64::max);
        let small = style::text(style::SMALL, INK);
        let bold = style::bold(style::SMALL, INK);
        let warn = style::text(style::SMALL, VERMILLION);
        let muted = style::text(style::SMALL, MUTED);
        // Heavier particles drawn last (on top).
        let mut order: Vec<usize> = (0..ws.len()).collect();
        order.sort_by(|&a, &b| ws[a].total_cmp(&ws[b]).then(a.cmp(&b)));
        for i in 0..d {
            for j in 0..=i {
                let at = g.at(i, j);
                let bottom = i + 1 == d;
                let x_desc = bottom.then(|| o.names[j].as_str());
                let mut cell = None;
                if i == j {
                    let ax = &self.axes[i];
                    let s = o.report.params.get(i);
                    let hist = histogram(ax, &o.priors[i], &self.columns[i], ws, self.bins(i));
                    let curve = prior_curve(&o.priors[i], ax, 240);
                    let top = hist
                        .iter()
                        .map(|h| h.2)
                        .chain(curve.iter().map(|c| c.1))
                        .filter(|v| v.is_finite())
                        .fold(0.0, f64::max)
                        .max(1e-12);
                    // Room above the data for the name and notes.
                    let lines = 2 + if s.is_some_and(|s| !s.identified) {
                        2
                    } else {
                        0
                    };
                    let room = f64::from(16 + 30 * lines) / f64::from(g.ph);
                    let ymax = top / (1.0 - room.min(0.6));
                    let dens = Axis {
                        log: false,
                        lo: 0.0,
                        hi: ymax,
                        ticks: Vec::new(),
                        decimals: Some(0),
                    };
                    let y_desc = None;
                    let mut chart =
                        corner_panel(area, g, at, ax, &dens, x_desc, y_desc, &mut cell)?;
                    if let Some(s) = s {
                        let (a, b) = (ax.u(s.q05.max(ax.lo)), ax.u(s.q95.min(ax.hi)));
                        if a.is_finite() && b.is_finite() && b >= a {
                            chart.draw_series(std::iter::once(Rectangle::new(
                                [(a, 0.0), (b, ymax)],
                                style::tint(BLUE, 0.86).filled(),
                            )))?;
                        }
                    }
                    chart.draw_series(hist.iter().filter(|h| h.2 > 0.0).map(|&(l, r, v)| {
                        Rectangle::new([(l, 0.0), (r, v)], style::tint(BLUE, 0.45).filled())
                    }))?;
                    chart.draw_series(hist.iter().filter(|h| h.2 > 0.0).map(|&(l, r, v)| {
                        Rectangle::new([(l, 0.0), (r, v)], BLUE.stroke_width(1))
                    }))?;
                    if let Some(s) = s
                        && ax.contains(s.median)
                    {
                        let m = ax.u(s.median);
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(m, 0.0), (m, top * 1.02)],
                            INK.stroke_width(2),
                        )))?;
                    }
                    if !curve.is_empty() {
                        chart.draw_series(std::iter::once(PathElement::new(
                            curve,
                            ORANGE.stroke_width(4),
                        )))?;
                    }
                    let (x, y) = at;
                    let width = g.pw - 24;
                    put(
                        area,
                        &fit_text(&o.names[i], &bold, width),
                        &bold,
                        HPos::Left,
                        VPos::Top,
                        (x + 12, y + 8),
                    )?;
                    if let Some(s) = s {
                        put(
                            area,
                            &fit_text(
                                &format!("90%: {} – {}", sig(s.q05), sig(s.q95)),
                                &muted,
                                width,
                            ),
                            &muted,
                            HPos::Left,
                            VPos::Top,
                            (x + 12, y + 36),
                        )?;
                        if !s.identified {
                            let one = "not identified (posterior ≈ prior)";
                            let rows: Vec<&str> = if canvas::text_width(one, &warn) <= width {
                                vec![one]
                            } else {
                                vec!["not identified", "(posterior ≈ prior)"]
                            };
                            for (k, r) in rows.iter().enumerate() {
                                put(
                                    area,
                                    &fit_text(r, &warn, width),
                                    &warn,
                                    HPos::Left,
                                    VPos::Top,
                                    (x + 12, y + 64 + 28 * k as i32),
                                )?;
                            }
                        }
                    }
                } else {
                    let (xa, ya) = (&self.axes[j], &self.axes[i]);
                    let y_desc = (j == 0).then(|| o.names[i].as_str());
                    let mut chart = corner_panel(area, g, at, xa, ya, x_desc, y_desc, &mut cell)?;
                    chart.draw_series(
                        order
                            .iter()
                            .filter(|&&k| {
                                xa.contains(self.columns[j][k]) && ya.contains(self.columns[i][k])
                            })
                            .map(|&k| {
                                let r = if wmax > 0.0 {
                                    2.0 + 6.0 * (ws[k] / wmax).max(0.0).sqrt()
                                } else {
                                    3.0
                                };
                                Circle::new(
                                    (xa.u(self.columns[j][k]), ya.u(self.columns[i][k])),
                                    r.round() as i32,
                                    BLUE.mix(0.4).filled(),
                                )
                            }),
                    )?;
                    if let Some(r) = o.report.correlations.get(i * d + j).copied()
                        && r.is_finite()
                    {
                        let st = if r.abs() >= 0.5 { &bold } else { &small };
                        let text = if r.abs() < 0.005 {
                            "r = 0.00".to_string()
                        } else {
                            format!("r = {r:+.2}")
                        };
                        let (tx, ty) = (at.0 + g.pw - 12, at.1 + 10);
                        // A see-through box: the particles behind stay visible.
                        area.draw(&Rectangle::new(
                            [
                                (tx - canvas::text_width(&text, st) - 6, ty - 3),
                                (tx + 6, ty + style::SMALL as i32 + 3),
                            ],
                            WHITE.mix(0.7).filled(),
                        ))?;
                        put(area, &text, st, HPos::Right, VPos::Top, (tx, ty))?;
                    }
                }
                frame(area, g, at)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------
// Panels over time (predictive check, forecast).

type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// What a panel over time shows.
struct Frame {
    title: String,
    x: (f64, f64),
    y: (f64, f64),
    y_decimals: usize,
    x_desc: bool,
}

/// Draw a panel's title and mesh; the chart to draw into.
fn time_frame<'b, DB: DrawingBackend>(
    area: &'b DrawingArea<DB, Shift>,
    f: &Frame,
) -> Result<ChartContext<'b, DB, Plane>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = area.dim_in_pixel();
    let bold = style::bold(style::NOTE, INK);
    put(
        area,
        &fit_text(&f.title, &bold, w as i32 - 28),
        &bold,
        HPos::Left,
        VPos::Top,
        (14, 8),
    )?;
    let span = f.x.1 - f.x.0;
    let decimals = f.y_decimals;
    let y_fmt = move |v: &f64| format!("{v:.decimals$}");
    let x_fmt = move |v: &f64| canvas::year_label(*v, span);
    let mut chart = ChartBuilder::on(area)
        .margin_top(46)
        .margin_right(24)
        .margin_left(4)
        .margin_bottom(if f.x_desc { 4 } else { 10 })
        .x_label_area_size(if f.x_desc { 66 } else { 36 })
        .y_label_area_size(80)
        .build_cartesian_2d(f.x.0..f.x.1, f.y.0..f.y.1)?;
    let mut mesh = chart.configure_mesh();
    mesh.house(style::SMALL, style::SMALL)
        .x_labels(7)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if f.x_desc {
        mesh.x_desc("time (years)");
    }
    mesh.draw()?;
    Ok(chart)
}

/// A tidy range around [`lo`, `hi`]: 12% of padding (at least 4% of the
/// level, so that noise does not look dramatic), kept within `bounds`,
/// but for 3% of room beyond a bound the data reach (a dot on it would
/// sit on the frame).
fn padded(lo: f64, hi: f64, bounds: (f64, f64)) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (bounds.0.max(0.0), bounds.1.min(1.0).max(bounds.0 + 1.0));
    }
    let pad = ((hi - lo) * 0.12)
        .max(hi.abs().max(lo.abs()) * 0.04)
        .max(1e-6);
    let (mut a, mut b) = ((lo - pad).max(bounds.0), (hi + pad).min(bounds.1));
    if b <= a {
        return (a - 0.5, a + 0.5);
    }
    let room = 0.03 * (b - a);
    if lo - bounds.0 < room {
        a -= room;
    }
    if bounds.1 - hi < room {
        b += room;
    }
    (a, b)
}

/// Rows and columns of `n` small multiples on a 16:9 sheet.
fn layout(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 => (1, 3),
        4 => (2, 2),
        5 | 6 => (2, 3),
        n => (2, n.div_ceil(2)),
    }
}

/// "DLOQ-7" for `dloq7`, "LOS" for `los`.
fn instrument_title(name: &str) -> String {
    match name.strip_prefix("dloq") {
        Some(k) => format!("DLOQ-{k}"),
        None => name.to_uppercase(),
    }
}

/// The first culture-score instrument of the observations.
fn first_instrument(o: &Outcome) -> Option<Instrument> {
    o.data.iter().find_map(|d| match d.measure {
        Measure::Culture(i) => Some(i),
        _ => None,
    })
}

// ---------------------------------------------------------------------
// The posterior predictive check.

/// One panel of the predictive check: a measure (and instrument).
struct Group<'a> {
    title: String,
    scale: f64,
    bounds: (f64, f64),
    waves: Vec<&'a Predicted>,
}

/// The panels of the predictive check, in the order culture (each
/// instrument), engagement, turnover, headcount.
fn groups(f: &Forecast) -> Vec<Group<'_>> {
    let mut out: Vec<(usize, String, Group<'_>)> = Vec::new();
    for p in &f.predictive {
        let rank = match p.measure.as_str() {
            "culture" => 0,
            "engagement" => 1,
            "turnover" => 2,
            "headcount" => 3,
            _ => 4,
        };
        let key = format!("{}/{}/{}", p.measure, p.instrument, p.unit);
        if let Some((_, _, g)) = out.iter_mut().find(|(_, k, _)| *k == key) {
            g.waves.push(p);
            continue;
        }
        let (title, scale, bounds) = match p.measure.as_str() {
            "culture" => {
                let (lo, hi) = Instrument::parse(&p.instrument)
                    .map_or((f64::NEG_INFINITY, f64::INFINITY), Instrument::range);
                let title = if lo.is_finite() {
                    format!(
                        "{} culture score ({}–{})",
                        instrument_title(&p.instrument),
                        short(lo),
                        short(hi)
                    )
                } else {
                    format!("{} culture score", instrument_title(&p.instrument))
                };
                (title, 1.0, (lo, hi))
            }
            "engagement" => ("engaged share (%)".to_string(), 100.0, (0.0, 100.0)),
            "turnover" => ("turnover (% a year)".to_string(), 100.0, (0.0, 100.0)),
            "headcount" => ("headcount (people)".to_string(), 1.0, (0.0, f64::INFINITY)),
            m => (m.to_string(), 1.0, (f64::NEG_INFINITY, f64::INFINITY)),
        };
        let title = if p.unit.is_empty() {
            title
        } else {
            format!("{title}, {}", p.unit)
        };
        out.push((
            rank,
            key,
            Group {
                title,
                scale,
                bounds,
                waves: vec![p],
            },
        ));
    }
    // A stable sort keeps the instruments in the order they appear.
    out.sort_by_key(|(rank, _, _)| *rank);
    out.into_iter().map(|(_, _, g)| g).collect()
}

/// The smallest gap between distinct times (1 when there is one time).
fn min_gap(times: &[f64]) -> f64 {
    let mut t: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
    t.sort_by(f64::total_cmp);
    t.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let g = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    if g.is_finite() { g } else { 1.0 }
}

/// The posterior predictive check of a calibration.
pub struct PredictiveChart<'a> {
    o: &'a Outcome,
    f: &'a Forecast,
}

impl<'a> PredictiveChart<'a> {
    /// The chart of `o`'s forecast `f`.
    pub fn new(o: &'a Outcome, f: &'a Forecast) -> Self {
        Self { o, f }
    }
}

impl Chart for PredictiveChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let f = self.f;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        canvas::title(
            area,
            "Posterior predictive check",
            &format!(
                "{} · {} of {} observations inside their 90% band · {}, each with its own posterior draw",
                self.o.scenario,
                f.inside,
                f.predictive.len(),
                canvas::runs(f.runs as usize)
            ),
        )?;
        let outside = f.predictive.iter().any(|p| !p.inside);
        let mut keys = vec![
            (
                Key::Box(style::tint(BLUE, 0.55)),
                "middle 50% of simulated waves".to_string(),
            ),
            (Key::Line(style::tint(BLUE, 0.3), 4), "90%".to_string()),
            (Key::Line(BLUE, 3), "median".to_string()),
            (Key::Dot(INK), "observed".to_string()),
        ];
        if outside {
            keys.push((Key::Dot(VERMILLION), "outside its 90% band".to_string()));
        }
        legend(area, &keys, w - 36, 138)?;
        let groups = groups(f);
        if groups.is_empty() {
            return Ok(());
        }
        let (rows, cols) = layout(groups.len());
        let (_, body) = area.split_vertically(160);
        let body = body.margin(0, 0, LEFT - 14, 16);
        let cells = body.split_evenly((rows, cols));
        for (k, (g, cell)) in groups.iter().zip(cells.iter()).enumerate() {
            let times: Vec<f64> = g.waves.iter().map(|p| p.time).collect();
            let gap = min_gap(&times);
            let (t0, t1) = times
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| {
                    (a.min(*t), b.max(*t))
                });
            let pad = (0.6 * gap).max(0.25);
            let x = ((t0 - pad).max(0.0).min(t0 - 0.1 * gap), t1 + pad);
            let k_ = g.scale;
            let lo = g
                .waves
                .iter()
                .flat_map(|p| [p.q[0], p.observed])
                .fold(f64::INFINITY, f64::min)
                * k_;
            let hi = g
                .waves
                .iter()
                .flat_map(|p| [p.q[4], p.observed])
                .fold(f64::NEG_INFINITY, f64::max)
                * k_;
            let y = padded(lo, hi, g.bounds);
            let frame = Frame {
                title: g.title.clone(),
                x,
                y,
                y_decimals: canvas::decimals(y.1 - y.0),
                x_desc: k / cols + 1 == rows,
            };
            let mut chart = time_frame(cell, &frame)?;
            let hw = 0.2 * gap;
            for p in &g.waves {
                let q = p.q.map(|v| v * k_);
                let t = p.time;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, q[0]), (t, q[4])],
                    style::tint(BLUE, 0.3).stroke_width(4),
                )))?;
                for e in [q[0], q[4]] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(t - 0.4 * hw, e), (t + 0.4 * hw, e)],
                        style::tint(BLUE, 0.3).stroke_width(3),
                    )))?;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(t - hw, q[1]), (t + hw, q[3])],
                    style::tint(BLUE, 0.55).filled(),
                )))?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t - hw, q[2]), (t + hw, q[2])],
                    BLUE.stroke_width(3),
                )))?;
            }
            for p in &g.waves {
                let c = if p.inside { INK } else { VERMILLION };
                let at = (p.time, p.observed * k_);
                chart.draw_series(std::iter::once(Circle::new(at, 8, c.filled())))?;
                chart.draw_series(std::iter::once(Circle::new(at, 9, WHITE.stroke_width(2))))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------
// The forecast.

/// The forecast of a calibration.
pub struct ForecastChart<'a> {
    o: &'a Outcome,
    f: &'a Forecast,
}

impl<'a> ForecastChart<'a> {
    /// The chart of `o`'s forecast `f`.
    pub fn new(o: &'a Outcome, f: &'a Forecast) -> Self {
        Self { o, f }
    }
}

/// The grid index from which branch `b` differs from the first branch (in
/// any quantity); None when it never does. Before it the branches are the
/// same runs (paired on draws and seeds, the same events).
fn divergence(f: &Forecast, b: usize) -> Option<usize> {
    let (base, other) = (f.branches.first()?, f.branches.get(b)?);
    let same = |x: &Band, y: &Band| {
        (x.mean - y.mean).abs() <= 1e-12
            && x.q.iter().zip(&y.q).all(|(a, c)| (a - c).abs() <= 1e-12)
    };
    let n = base.series.iter().map(|s| s.bands.len()).min().unwrap_or(0);
    (0..n).find(|&k| {
        base.series.iter().any(|s| {
            other
                .series
                .iter()
                .find(|t| t.metric == s.metric)
                .is_some_and(|t| t.bands.get(k).is_some_and(|y| !same(&s.bands[k], y)))
        })
    })
}

/// The short name of a branch.
fn branch_short(name: &str) -> &str {
    match name {
        "nothing-changes" => "nothing changes",
        "as-planned" => "as planned",
        n => n,
    }
}

/// A label beside a vertical line at pixel `x`: on the side `left_first`
/// asks for if it fits inside [`left`, `right`], else on the other, else
/// shortened on the wider one.
#[allow(clippy::too_many_arguments)]
fn line_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    st: &TextStyle<'static>,
    (x, y): (i32, i32),
    left: i32,
    right: i32,
    left_first: bool,
) -> DrawResult<DB> {
    let w = canvas::text_width(text, st);
    let fits_right = x + 10 + w <= right - 4;
    let fits_left = x - 10 - w >= left + 4;
    if fits_right && !(left_first && fits_left) {
        put_boxed(root, text, st, HPos::Left, VPos::Top, (x + 10, y))
    } else if fits_left {
        put_boxed(root, text, st, HPos::Right, VPos::Top, (x - 10, y))
    } else if right - x > x - left {
        let t = fit_text(text, st, right - x - 18);
        put_boxed(root, &t, st, HPos::Left, VPos::Top, (x + 10, y))
    } else {
        let t = fit_text(text, st, x - left - 18);
        put_boxed(root, &t, st, HPos::Right, VPos::Top, (x - 10, y))
    }
}

impl Chart for ForecastChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (o, f) = (self.o, self.f);
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        canvas::title(
            area,
            "Forecast from the calibrated posterior",
            &if o.report.fits {
                format!(
                    "{} · {} to year {:.1}, each with its own posterior draw; median with the middle 50% and 90% of runs",
                    o.scenario,
                    canvas::runs(f.runs as usize),
                    f.horizon
                )
            } else {
                format!(
                    "{} · no parameter set fits the data: not a prediction; {} to year {:.1}",
                    o.scenario,
                    canvas::runs(f.runs as usize),
                    f.horizon
                )
            },
        )?;
        let color = |b: usize| style::series(b);
        let branch_keys: Vec<(Key, String)> = f
            .branches
            .iter()
            .enumerate()
            .map(|(b, br)| (Key::Line(color(b), 4), br.label.clone()))
            .collect();
        legend(area, &branch_keys, w - 36, 136)?;
        let mut keys = vec![
            (Key::Box(style::tint(BLUE, 0.7)), "50% of runs".to_string()),
            (Key::Box(style::tint(BLUE, 0.86)), "90% of runs".to_string()),
            (Key::Dot(INK), "observed wave".to_string()),
            (Key::Dashed(INK, 2), "last wave".to_string()),
        ];
        if f.branches.len() > 1 && !f.later_events.is_empty() {
            keys.push((
                Key::Line(style::tint(color(1), 0.3), 3),
                "later event".to_string(),
            ));
        }
        legend(area, &keys, w - 36, 178)?;
        let Some(first) = f.branches.first() else {
            return Ok(());
        };
        let inst = first_instrument(o);
        // The panels: (metric, title, scale, bounds, observed (time, value)).
        let mut panels = Vec::new();
        for s in &first.series {
            let p = match s.metric.as_str() {
                "culture" => (
                    "culture",
                    "learning culture (model, 0–1)".to_string(),
                    1.0,
                    (0.0, 1.0),
                    Vec::new(),
                ),
                "score" => {
                    let (lo, hi) = inst.map_or((f64::NEG_INFINITY, f64::INFINITY), |i| i.range());
                    let name = inst.map_or("survey".to_string(), |i| instrument_title(&i.name()));
                    (
                        "score",
                        if lo.is_finite() && hi.is_finite() {
                            format!("{name} score ({}–{})", short(lo), short(hi))
                        } else {
                            format!("{name} score")
                        },
                        1.0,
                        (lo, hi),
                        o.data
                            .iter()
                            .filter(|d| {
                                Some(d.measure) == inst.map(Measure::Culture) && d.unit.is_none()
                            })
                            .map(|d| (d.time, d.value))
                            .collect(),
                    )
                }
                "engagement" => (
                    "engagement",
                    "engaged share (%)".to_string(),
                    100.0,
                    (0.0, 100.0),
                    o.data
                        .iter()
                        .filter(|d| d.measure == Measure::Engagement && d.unit.is_none())
                        .map(|d| (d.time, d.value * 100.0))
                        .collect(),
                ),
                _ => continue,
            };
            panels.push(p);
        }
        let (rows, cols) = layout(panels.len());
        let (_, body) = area.split_vertically(204);
        let body = body.margin(0, 0, LEFT - 14, 16);
        let cells = body.split_evenly((rows, cols));
        let starts: Vec<usize> = (0..f.branches.len())
            .map(|b| {
                if b == 0 {
                    0
                } else {
                    divergence(f, b).map_or(usize::MAX, |k| k.saturating_sub(1))
                }
            })
            .collect();
        let event_time = starts
            .get(1)
            .filter(|k| **k != usize::MAX)
            .and_then(|k| first.series.first()?.bands.get(*k))
            .map(|b| b.time);
        let note = style::text(style::SMALL, INK);
        for (n, ((metric, title, scale, bounds, observed), cell)) in
            panels.iter().zip(cells.iter()).enumerate()
        {
            let series: Vec<(usize, &[Band])> = f
                .branches
                .iter()
                .enumerate()
                .filter_map(|(b, br)| {
                    let s = br.series.iter().find(|s| s.metric == *metric)?;
                    let from = starts[b].min(s.bands.len());
                    Some((b, &s.bands[from..]))
                })
                .collect();
            let lo = series
                .iter()
                .flat_map(|(_, bs)| bs.iter().map(|b| b.q[0]))
                .map(|v| v * scale)
                .chain(observed.iter().map(|p| p.1))
                .fold(f64::INFINITY, f64::min);
            let hi = series
                .iter()
                .flat_map(|(_, bs)| bs.iter().map(|b| b.q[4]))
                .map(|v| v * scale)
                .chain(observed.iter().map(|p| p.1))
                .fold(f64::NEG_INFINITY, f64::max);
            let mut y = padded(lo, hi, *bounds);
            // The first panel labels the vertical lines, in a strip kept
            // free of data at its top.
            let labelled = n == 0;
            let bottom = n / cols + 1 == rows;
            if labelled {
                let (_, ch) = cell.dim_in_pixel();
                let plot_h = ch as i32 - 46 - if bottom { 70 } else { 46 };
                let strip = 18 + 34 * (1 + i32::from(event_time.is_some()));
                let frac = (f64::from(strip) / f64::from(plot_h.max(1))).min(0.5);
                y.1 = y.0 + (y.1 - y.0) / (1.0 - frac);
            }
            let frame = Frame {
                title: title.clone(),
                x: (0.0, f.horizon.max(1e-9)),
                y,
                y_decimals: canvas::decimals(y.1 - y.0),
                x_desc: bottom,
            };
            let mut chart = time_frame(cell, &frame)?;
            for &(b, bs) in &series {
                let xs: Vec<f64> = bs.iter().map(|b| b.time).collect();
                let q = |k: usize| -> Vec<f64> { bs.iter().map(|b| b.q[k] * scale).collect() };
                let c = color(b);
                chart.draw_series(std::iter::once(Polygon::new(
                    super::culture::band_polygon(&xs, &q(0), &q(4)),
                    c.mix(0.16).filled(),
                )))?;
                chart.draw_series(std::iter::once(Polygon::new(
                    super::culture::band_polygon(&xs, &q(1), &q(3)),
                    c.mix(0.3).filled(),
                )))?;
            }
            let (px, py) = chart.plotting_area().get_pixel_range();
            let lines: Vec<(f64, RGBColor, bool, String)> =
                std::iter::once((f.last_wave, INK, true, "last wave".to_string()))
                    .chain(event_time.map(|t| {
                        (
                            t,
                            style::tint(color(1), 0.3),
                            false,
                            f.later_events.join("; "),
                        )
                    }))
                    .collect();
            for (t, c, dashed, _) in &lines {
                if !(*t >= frame.x.0 && *t <= frame.x.1) {
                    continue;
                }
                if *dashed {
                    let (x, _) = chart.backend_coord(&(*t, y.0));
                    canvas::dashed_line(
                        area,
                        (x, py.start),
                        (x, py.end),
                        c.stroke_width(2),
                        9.0,
                        7.0,
                    )?;
                } else {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(*t, y.0), (*t, y.1)],
                        c.stroke_width(3),
                    )))?;
                }
            }
            for &(b, bs) in &series {
                let pts: Vec<(f64, f64)> = bs.iter().map(|x| (x.time, x.q[2] * scale)).collect();
                chart.draw_series(std::iter::once(PathElement::new(
                    pts,
                    color(b).stroke_width(3),
                )))?;
            }
            for &p in observed {
                chart.draw_series(std::iter::once(Circle::new(p, 8, INK.filled())))?;
                chart.draw_series(std::iter::once(Circle::new(p, 9, WHITE.stroke_width(2))))?;
            }
            for (k, (t, _, dashed, label)) in lines.iter().enumerate() {
                if !labelled || label.is_empty() || !(*t >= frame.x.0 && *t <= frame.x.1) {
                    continue;
                }
                let (x, _) = chart.backend_coord(&(*t, y.0));
                line_label(
                    area,
                    label,
                    &note,
                    (x, py.start + 10 + 34 * k as i32),
                    px.start,
                    px.end,
                    *dashed,
                )?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------
// The page and the files.

/// Every figure of the calibration `o`: the corner plot, and, when it has a
/// forecast, the predictive check and the forecast.
pub fn figures(o: &Outcome) -> anyhow::Result<Vec<canvas::Figure>> {
    let d = o.names.len();
    let mut figs = vec![canvas::render(
        FIGURES[0],
        format!(
            "The posterior of the {d} free parameter{}: on the diagonal each parameter's weighted particles (bars) against its prior (line, scaled to the same area), the 90% credible interval shaded and the median marked{}; below it every pair of parameters, one dot per particle (larger: more weight), r their weighted correlation.",
            if d == 1 { "" } else { "s" },
            if o.priors.iter().any(is_log) {
                "; a log-uniform or log-normal prior is drawn on a log axis"
            } else {
                ""
            }
        ),
        &CornerChart::new(o),
    )?];
    if let Some(f) = o
        .report
        .forecast
        .as_ref()
        .filter(|f| !f.branches.is_empty())
    {
        figs.push(canvas::render(
            FIGURES[1],
            format!(
                "Posterior predictive check: each observed wave (dot) against the waves the calibrated model simulates at that time (box: the middle 50%, whisker: 90%, line: median; {}, each with its own posterior draw and seeds, and fresh sampling error). {} of {} observations lie inside their 90% band.",
                canvas::runs(f.runs as usize),
                f.inside,
                f.predictive.len()
            ),
            &PredictiveChart::new(o, f),
        )?);
        figs.push(canvas::render(
            FIGURES[2],
            format!(
                "Forecast to year {:.1}: for each branch the median (line) and the bands that hold the middle 50% and 90% of {}, each with its own posterior draw; dots are the observed waves, the dashed line is the last wave (year {:.1}){}.",
                f.horizon,
                canvas::runs(f.runs as usize),
                f.last_wave,
                if f.later_events.is_empty() || f.branches.len() < 2 {
                    String::new()
                } else {
                    format!(
                        "; the branches part at the first event after it ({})",
                        f.later_events.join(", ")
                    )
                }
            ),
            &ForecastChart::new(o, f),
        )?);
    }
    Ok(figs)
}

/// The statement as a sentence (capitalized, with a full stop).
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The key numbers of a calibration.
fn key_numbers(o: &Outcome) -> Vec<KeyNumber> {
    let r = &o.report;
    let mut out = Vec::new();
    if let Some(f) = &r.forecast {
        let n = f.predictive.len();
        out.push(KeyNumber {
            value: format!("{} of {n}", f.inside),
            label: "observations inside their 90% band".into(),
            detail: format!(
                "posterior predictive check, {}",
                canvas::runs(f.runs as usize)
            ),
            alarm: n > 0 && (f.inside as f64) < 0.75 * n as f64,
        });
        for b in &f.branches {
            if let Some(e) = b
                .series
                .iter()
                .find(|s| s.metric == "culture")
                .and_then(|s| s.bands.last())
            {
                out.push(KeyNumber {
                    value: format!("{:.2}", e.mean),
                    label: format!("final culture, {}", branch_short(&b.name)),
                    detail: format!(
                        "year {:.1}; 90% of runs {:.2}–{:.2}",
                        f.horizon, e.q[0], e.q[4]
                    ),
                    alarm: false,
                });
            }
        }
    }
    let d = r.params.len();
    out.push(KeyNumber {
        value: format!(
            "{} of {d}",
            r.params.iter().filter(|p| p.identified).count()
        ),
        label: "parameters the waves identify".into(),
        detail: format!(
            "posterior sd at most {:.0}% of the prior's",
            100.0 * NOT_IDENTIFIED
        ),
        alarm: false,
    });
    out.push(KeyNumber {
        value: format!("{:.2}", r.best_distance),
        label: "closest simulation (standard errors)".into(),
        detail: if r.fits {
            "within the fit threshold".into()
        } else {
            "above the fit threshold: no fit".into()
        },
        alarm: !r.fits,
    });
    out.push(KeyNumber {
        value: r.simulations.to_string(),
        label: "simulations".into(),
        detail: format!(
            "{} generation{} of {} particles",
            r.generations.len(),
            if r.generations.len() == 1 { "" } else { "s" },
            o.particles
        ),
        alarm: false,
    });
    out
}

/// report.html of the calibration `o` with its figures `figs`.
pub fn page(o: &Outcome, figs: &[canvas::Figure]) -> String {
    use crate::report::{cards, esc, figures_html, page_end, page_start};
    let r = &o.report;
    let mut h = page_start(&format!("{} — calibration", o.scenario));
    h.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim calibrate</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">{} particles · {} generation{} · {} simulations · {} observations · seed {}</p>\n</header>\n",
        esc(&o.scenario),
        esc(&o.description),
        o.particles,
        r.generations.len(),
        if r.generations.len() == 1 { "" } else { "s" },
        r.simulations,
        o.data.len(),
        o.seed
    ));
    h.push_str("<section id=\"fit\">\n<h2>Does the model fit the waves?</h2>\n");
    if r.fits {
        h.push_str(&format!(
            "<p class=\"lead\">{}</p>\n",
            esc(&sentence(&r.statement))
        ));
    } else {
        h.push_str(&format!(
            "<div class=\"card shock\"><p class=\"lead harm\">Warning: {}</p><p>No parameter set fits the data: do not read the posterior below as a fit, nor the forecast as a prediction.</p></div>\n",
            esc(&sentence(&r.statement))
        ));
    }
    if let Some(s) = &r.stopped {
        h.push_str(&format!("<p class=\"meta\">{}</p>\n", esc(&sentence(s))));
    }
    h.push_str("</section>\n<section id=\"key-numbers\">\n<h2>Key numbers</h2>\n");
    h.push_str(&cards(&key_numbers(o)));
    h.push_str("</section>\n<section id=\"parameters\">\n<h2>The free parameters</h2>\n<table>\n<tr><th>parameter</th><th>prior</th><th class=\"num\">mean</th><th class=\"num\">median</th><th class=\"num\">90% interval</th><th class=\"num\">sd / prior sd</th><th>identified</th></tr>\n");
    for p in &r.params {
        let id = if p.identified {
            "<td>yes</td>".to_string()
        } else {
            "<td class=\"harm\">no (posterior ≈ prior)</td>".to_string()
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{:.2}</td>{id}</tr>\n",
            esc(&p.name),
            esc(&p.prior),
            sig(p.mean),
            sig(p.median),
            sig(p.q05),
            sig(p.q95),
            p.sd_ratio
        ));
    }
    h.push_str("</table>\n</section>\n<section id=\"figures\">\n<h2>Figures</h2>\n");
    h.push_str(&figures_html(figs, "plots/"));
    h.push_str("</section>\n<section id=\"generations\">\n<h2>The sampler, generation by generation</h2>\n<table>\n<tr><th class=\"num\">generation</th><th class=\"num\">tolerance</th><th class=\"num\">simulations</th><th class=\"num\">acceptance</th><th class=\"num\">effective sample size</th></tr>\n");
    for g in &r.generations {
        h.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}%</td><td class=\"num\">{:.0}</td></tr>\n",
            g.generation,
            g.tolerance
                .map_or("– (prior)".to_string(), |t| format!("{t:.3}")),
            g.simulations,
            100.0 * g.acceptance,
            g.ess
        ));
    }
    h.push_str("</table>\n");
    if let Some(sc) = &r.screen {
        h.push_str(&format!(
            "<p>The mean-field pre-filter (history matching, docs/CALIBRATION.md) ruled out {} proposals without an agent run: its pilot of {} paired runs set the map's bias and error on {} observations (culture scores and engagement), and a proposal whose second largest implausibility is above {} was dropped. Its posterior is the one within the plausible region.</p>\n",
            sc.screened, sc.pilot, sc.observations, sc.cutoff
        ));
    }
    h.push_str("</section>\n<section id=\"measures\">\n<h2>The closest simulation, measure by measure</h2>\n<table>\n<tr><th>measure</th><th class=\"num\">waves</th><th class=\"num\">observed (mean)</th><th class=\"num\">closest simulation (mean)</th><th class=\"num\">root mean square (standard errors)</th></tr>\n");
    for m in &r.measures {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>\n",
            esc(&m.measure),
            m.waves,
            sig(m.observed),
            sig(m.simulated),
            m.rms
        ));
    }
    h.push_str("</table>\n");
    if let Some(f) = r.forecast.as_ref().filter(|f| !f.predictive.is_empty()) {
        h.push_str(&format!(
            "<details><summary>Every observation against its predictive band ({} of {} inside)</summary>\n<table>\n<tr><th class=\"num\">line</th><th class=\"num\">year</th><th>measure</th><th class=\"num\">observed</th><th class=\"num\">median</th><th class=\"num\">50% band</th><th class=\"num\">90% band</th><th>inside 90%</th></tr>\n",
            f.inside,
            f.predictive.len()
        ));
        for p in &f.predictive {
            let measure = if p.instrument.is_empty() {
                p.measure.clone()
            } else {
                format!("{} ({})", p.measure, p.instrument)
            };
            let measure = if p.unit.is_empty() {
                measure
            } else {
                format!("{measure}, {}", p.unit)
            };
            h.push_str(&format!(
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{} – {}</td>{}</tr>\n",
                p.line,
                short(p.time),
                esc(&measure),
                sig(p.observed),
                sig(p.q[2]),
                sig(p.q[1]),
                sig(p.q[3]),
                sig(p.q[0]),
                sig(p.q[4]),
                if p.inside {
                    "<td>yes</td>"
                } else {
                    "<td class=\"harm\">no</td>"
                }
            ));
        }
        h.push_str("</table>\n</details>\n");
    }
    h.push_str("</section>\n<section id=\"how-to-read\">\n<h2>How to read this</h2>\n");
    h.push_str(&format!(
        "<p>The posterior is what the waves say about each free parameter, given its prior and the model. Where a parameter's posterior is about as wide as its prior (sd above {:.0}% of the prior's, marked <em>not identified</em>), the waves do not inform it: its value comes from the prior, not from the data, and a wider or different prior would change it. Correlated parameters (r far from 0) trade off against each other: the data pin down a combination of them rather than each one. The predictive bands and the forecast carry both the uncertainty about the parameters (each run draws its own particle) and the run-to-run variation of the model; about 90% of the observations should lie inside their 90% band. A forecast assumes that the model's mechanisms hold past the last wave and that nothing but the events it names changes. The numbers behind this page are in summary.csv, posterior.csv, generations.csv, predictive.csv and forecast.csv beside it.</p>\n",
        100.0 * NOT_IDENTIFIED
    ));
    h.push_str("</section>\n");
    h.push_str(&page_end());
    h
}

/// The drawn files of the calibration `o` (name relative to the output
/// folder, bytes): plots/posterior, plots/predictive and plots/forecast
/// (each .svg then .png; the last two when it has a forecast), then
/// report.html.
pub fn files(o: &Outcome) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let figs = figures(o)?;
    let html = page(o, &figs);
    let mut out = Vec::new();
    for f in figs {
        out.push((
            format!("{}/{}.svg", crate::PLOTS, f.name),
            f.svg.into_bytes(),
        ));
        out.push((format!("{}/{}.png", crate::PLOTS, f.name), f.png));
    }
    out.push((crate::REPORT.to_string(), html.into_bytes()));
    Ok(out)
}

/// Draw the calibration `o` into its output folder `dir`: every file of
/// [`files`], each written atomically.
pub fn write(dir: &Path, o: &Outcome) -> anyhow::Result<()> {
    use anyhow::Context;
    let plots = dir.join(crate::PLOTS);
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("cannot create folder '{}'", plots.display()))?;
    for (name, bytes) in files(o)? {
        atomic::write(&dir.join(name), &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use culturesim_core::calibrate::{Calibration, Options};
    use culturesim_core::scenario::Source;
    use std::sync::OnceLock;

    /// A tiny real calibration of the bundled example (20 particles, one
    /// generation after the prior's, 20 forecast runs), run once.
    fn outcome() -> &'static Outcome {
        static O: OnceLock<Outcome> = OnceLock::new();
        O.get_or_init(|| {
            let text = culturesim_core::scenario::bundled::get("calibrate-example")
                .expect("the bundled example");
            let data = include_str!("../../../scenarios/survey-waves.csv");
            let mut cal = Calibration::load(
                text,
                Source::Bundled("calibrate-example".into()),
                data,
                "survey-waves.csv",
                &Options {
                    particles: Some(20),
                    generations: Some(1),
                    ..Default::default()
                },
            )
            .expect("the example loads");
            cal.forecast_runs = 20;
            let dir = std::env::temp_dir().join(format!(
                "culturesim-report-calibrate-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let o = cal.run(&dir, false, &|_| {}).expect("the calibration runs");
            let _ = std::fs::remove_dir_all(&dir);
            o
        })
    }

    fn text(files: &[(String, Vec<u8>)], name: &str) -> String {
        let (_, b) = files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"));
        String::from_utf8(b.clone()).expect("utf-8")
    }

    #[test]
    fn calibrate_files_are_the_figures_and_the_page() {
        let o = outcome();
        let files = files(o).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "plots/posterior.svg",
                "plots/posterior.png",
                "plots/predictive.svg",
                "plots/predictive.png",
                "plots/forecast.svg",
                "plots/forecast.png",
                "report.html"
            ]
        );
        for (n, b) in &files {
            if n.ends_with(".svg") {
                let s = std::str::from_utf8(b).unwrap();
                assert!(s.starts_with("<svg"), "{n}");
                assert!(s.trim_end().ends_with("</svg>"), "{n}");
            }
            if n.ends_with(".png") {
                assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{n}");
            }
        }
        let d = o.names.len();
        assert_eq!(d, 4);
        let corner = text(&files, "plots/posterior.svg");
        for name in &o.names {
            // The diagonal's title, and the axis name of its column (and
            // of its row, but for the first).
            assert!(corner.matches(name.as_str()).count() >= 2, "{name}");
        }
        // One correlation per pair below the diagonal.
        assert_eq!(corner.matches("r = ").count(), d * (d - 1) / 2);
        let predictive = text(&files, "plots/predictive.svg");
        assert!(predictive.contains("of 20 observations inside their 90% band"));
        let forecast = text(&files, "plots/forecast.svg");
        assert!(forecast.contains("last wave"));
        assert!(forecast.contains("a non-aligned CEO in year 6"));
        let html = text(&files, "report.html");
        assert!(html.contains("culturesim calibrate"));
        for name in &o.names {
            assert!(html.contains(name.as_str()), "{name}");
        }
        let statement = crate::report::esc(&sentence(&o.report.statement));
        assert!(html.contains(&statement));
        for f in FIGURES {
            assert!(html.contains(&format!("id=\"fig-{f}\"")), "{f}");
        }
    }

    #[test]
    fn calibrate_page_warns_when_nothing_fits() {
        let mut o = outcome().clone();
        o.report.fits = false;
        o.report.statement = "no parameter set fits the data: x".into();
        let figs = figures(&o).unwrap();
        let html = page(&o, &figs);
        assert!(html.contains("Warning: No parameter set fits the data: x."));
        assert!(html.contains("do not read the posterior below as a fit"));
        assert!(figs[0].svg.contains("not a fit"));
        assert!(figs[2].svg.contains("not a prediction"));
    }

    #[test]
    fn calibrate_files_are_deterministic() {
        let o = outcome();
        assert_eq!(files(o).unwrap(), files(o).unwrap());
    }

    #[test]
    fn calibrate_write_puts_every_file_in_place() {
        let o = outcome();
        let dir = std::env::temp_dir().join(format!(
            "culturesim-report-calibrate-write-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        write(&dir, o).unwrap();
        for (name, bytes) in files(o).unwrap() {
            assert_eq!(std::fs::read(dir.join(&name)).unwrap(), bytes, "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn calibrate_axes_follow_the_prior() {
        let w = [0.25; 4];
        let a = param_axis(&Prior::Uniform(0.3, 1.0), &[0.5, 0.6, 0.7, 0.8], &w, 4);
        assert!(!a.log);
        assert!(a.lo < 0.3 && a.lo > 0.25 && a.hi > 1.0 && a.hi < 1.05);
        assert_eq!(a.ticks, vec![0.4, 0.6000000000000001, 0.8]);
        assert_eq!(a.label(0.4), "0.4");
        let l = param_axis(&Prior::LogUniform(1.0, 12.0), &[2.0, 3.0, 4.0, 5.0], &w, 4);
        assert!(l.log);
        assert_eq!(l.ticks, vec![2.0, 5.0, 10.0]);
        assert_eq!(l.label(5f64.ln()), "5");
        // An unbounded prior: the particles' span, widened.
        let n = param_axis(
            &Prior::Normal {
                mean: 0.0,
                sd: 10.0,
                min: f64::NEG_INFINITY,
                max: f64::INFINITY,
            },
            &[1.0, 2.0, 3.0, 4.0],
            &w,
            4,
        );
        assert!(
            n.lo < 1.0 && n.lo > 0.0 && n.hi > 4.0 && n.hi < 5.0,
            "{n:?}"
        );
        // One-sided: the finite end stays.
        let h = param_axis(&Prior::LogNormal(0.0, 1.0), &[1.0, 2.0, 3.0, 4.0], &w, 4);
        assert!(h.log && h.lo > 0.5 && h.hi < 6.0, "{h:?}");
    }

    #[test]
    fn calibrate_prior_curve_has_unit_area_and_the_histogram_the_weight() {
        let u = Prior::Uniform(0.0, 2.0);
        let a = param_axis(&u, &[0.5, 1.5], &[0.5, 0.5], 4);
        let c = prior_curve(&u, &a, 200);
        let inside: Vec<&(f64, f64)> = c.iter().filter(|p| p.1 > 0.0).collect();
        assert!(
            inside.iter().all(|p| (p.1 - 0.5).abs() < 1e-3),
            "{inside:?}"
        );
        let h = histogram(&a, &u, &[0.5, 1.5, 1.6], &[0.5, 0.25, 0.25], 10);
        assert_eq!((h[0].0, h[9].1), (0.0, 2.0));
        let area: f64 = h.iter().map(|(l, r, v)| (r - l) * v).sum();
        assert!((area - 1.0).abs() < 1e-12);
        // Log axis: a log-uniform prior is flat in the logarithm.
        let lu = Prior::LogUniform(1.0, 100.0);
        let la = param_axis(&lu, &[2.0, 50.0], &[0.5, 0.5], 4);
        let lc = prior_curve(&lu, &la, 100);
        let k = 1.0 / 100f64.ln();
        assert!(
            lc.iter()
                .filter(|p| p.1 > 0.0)
                .all(|p| (p.1 - k).abs() < 1e-3 * k)
        );
    }

    #[test]
    fn calibrate_small_helpers() {
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(0.30000000000000004), "0.3");
        assert_eq!(sig(0.12763), "0.128");
        assert_eq!(sig(4.5593), "4.56");
        assert_eq!(sig(496.0), "496");
        assert_eq!(instrument_title("dloq7"), "DLOQ-7");
        assert_eq!(instrument_title("los"), "LOS");
        assert_eq!(min_gap(&[1.0, 2.0, 2.0, 4.0]), 1.0);
        assert_eq!(min_gap(&[3.0]), 1.0);
        assert_eq!(sentence("no fit"), "No fit.");
        assert_eq!(layout(4), (2, 2));
        assert_eq!(Grid::of(1).w, 1600);
        assert!(Grid::of(8).w > 1600);
    }
}
