//! Figure 2, small multiples: the other key metrics over time on one
//! sheet — knowledge, codified knowledge, engagement, belief, leader
//! alignment, teams above the culture threshold, headcount and staff
//! turnover — each as the mean over runs with 50% and 90% bands, one-off
//! events as vertical lines.

use super::canvas::{
    self, Chart, DrawResult, HouseMesh, Key, LEFT, legend, nice_max, put, year_label,
};
use super::culture::{band_polygon, line};
use super::data::{Bands, RunData};
use super::style::{self, BLUE, INK};
use super::timeline::Timeline;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One panel.
#[derive(Debug, Clone, Copy)]
pub struct Panel {
    /// Column of timeseries.csv (or "turnover").
    pub metric: &'static str,
    /// Panel title, with its unit.
    pub title: &'static str,
    /// Multiply values by this (e.g. 100 for %).
    pub scale: f64,
    /// Whether the axis starts at zero.
    pub zero: bool,
    /// Decimals of tick labels.
    pub decimals: usize,
}

/// The panels, in reading order.
pub const PANELS: [Panel; 8] = [
    Panel {
        metric: "knowledge",
        title: "knowledge (0–1)",
        scale: 1.0,
        zero: true,
        decimals: 1,
    },
    Panel {
        metric: "codified",
        title: "codified knowledge (0–1)",
        scale: 1.0,
        zero: true,
        decimals: 1,
    },
    Panel {
        metric: "engagement",
        title: "staff learning now (%)",
        scale: 100.0,
        zero: true,
        decimals: 0,
    },
    Panel {
        metric: "belief",
        title: "belief in learning (0–1)",
        scale: 1.0,
        zero: true,
        decimals: 1,
    },
    Panel {
        metric: "alignment",
        title: "leader alignment (0–1)",
        scale: 1.0,
        zero: true,
        decimals: 1,
    },
    Panel {
        metric: "teams_high",
        title: "teams above threshold (%)",
        scale: 100.0,
        zero: true,
        decimals: 0,
    },
    Panel {
        metric: "headcount",
        title: "headcount (people)",
        scale: 1.0,
        zero: false,
        decimals: 0,
    },
    Panel {
        metric: "turnover",
        title: "staff turnover (% per year)",
        scale: 1.0,
        zero: true,
        decimals: 0,
    },
];

/// The small multiples of one run.
pub struct MetricsChart<'a> {
    run: &'a RunData,
    timeline: Timeline,
}

impl<'a> MetricsChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self {
            run,
            timeline: Timeline::of(run),
        }
    }
}

/// Axis range of a panel: zero or the padded low end, to a tidy high end.
pub fn panel_range(p: &Panel, lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo * p.scale, hi * p.scale);
    if p.zero {
        let top = nice_max(hi.max(1e-9) * 1.05);
        // Shares stay within their natural maximum.
        let cap = if p.scale == 100.0 {
            100.0
        } else if p.decimals == 1 {
            1.0
        } else {
            f64::INFINITY
        };
        (0.0, top.min(cap).max(hi))
    } else {
        // At least ±8% of the level, so that small noise does not look dramatic.
        let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.08).max(1.0);
        ((lo - pad).floor(), (hi + pad).ceil())
    }
}

fn scaled(v: &[f64], k: f64) -> Vec<f64> {
    v.iter().map(|x| x * k).collect()
}

/// Draw one panel of `b` into `area`.
#[allow(clippy::too_many_arguments)]
pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
    series: &[(&Bands, RGBColor)],
    xs: &[f64],
    span: f64,
    timeline: Option<&Timeline>,
    bottom_row: bool,
    outer: bool,
) -> DrawResult<DB> {
    put(
        area,
        p.title,
        &style::bold(style::NOTE, INK),
        HPos::Left,
        VPos::Top,
        (14, 8),
    )?;
    let lo = series
        .iter()
        .flat_map(|(b, _)| if outer { &b.p5 } else { &b.p25 })
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, f64::min);
    let hi = series
        .iter()
        .flat_map(|(b, _)| if outer { &b.p95 } else { &b.p75 })
        .chain(series.iter().flat_map(|(b, _)| &b.mean))
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = if lo.is_finite() && hi.is_finite() {
        panel_range(p, lo, hi)
    } else {
        (0.0, 1.0)
    };
    let decimals = p.decimals;
    let y_fmt = move |v: &f64| format!("{v:.decimals$}");
    let x_fmt = move |v: &f64| year_label(*v, span);
    let mut chart = ChartBuilder::on(area)
        .margin_top(46)
        .margin_right(24)
        .margin_left(4)
        .margin_bottom(if bottom_row { 4 } else { 10 })
        .x_label_area_size(if bottom_row { 66 } else { 36 })
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..span, y0..y1)?;
    let mut mesh = chart.configure_mesh();
    mesh.house(style::SMALL, style::SMALL)
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if bottom_row {
        mesh.x_desc("time (years)");
    }
    mesh.draw()?;
    if let Some(tl) = timeline {
        for e in &tl.points {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(e.year, y0), (e.year, y1)],
                style::tint(e.tone.color(), 0.2).stroke_width(2),
            )))?;
        }
    }
    for (b, color) in series {
        let k = p.scale;
        if outer {
            chart.draw_series(std::iter::once(Polygon::new(
                band_polygon(xs, &scaled(&b.p5, k), &scaled(&b.p95, k)),
                style::tint(*color, 0.82).filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(Polygon::new(
            band_polygon(xs, &scaled(&b.p25, k), &scaled(&b.p75, k)),
            style::tint(*color, if outer { 0.6 } else { 0.72 }).filled(),
        )))?;
    }
    for (b, color) in series {
        chart.draw_series(std::iter::once(PathElement::new(
            line(xs, &scaled(&b.mean, p.scale)),
            color.stroke_width(3),
        )))?;
    }
    Ok(())
}

/// Legend entries for the one-off events of a timeline.
pub fn event_keys(tl: &Timeline) -> Vec<(Key, String)> {
    let mut keys: Vec<(Key, String)> = Vec::new();
    for p in &tl.points {
        if !keys.iter().any(|(_, l)| *l == p.label) {
            keys.push((
                Key::Line(style::tint(p.tone.color(), 0.2), 3),
                p.label.clone(),
            ));
        }
    }
    keys
}

impl Chart for MetricsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let head = canvas::title(
            area,
            "Key metrics over time",
            &format!(
                "{} · mean of {}; bands hold 50% and 90% of runs",
                run.summary.scenario,
                canvas::runs(run.series.n_runs())
            ),
        )?;
        legend(
            area,
            &[
                (Key::Line(BLUE, 3), "mean".into()),
                (Key::Box(style::tint(BLUE, 0.6)), "50%".into()),
                (Key::Box(style::tint(BLUE, 0.82)), "90%".into()),
            ],
            w - 36,
            44,
        )?;
        let keys = event_keys(&self.timeline);
        if !keys.is_empty() {
            legend(area, &keys, w - 36, 88)?;
        }
        let span = run.span_years();
        let (_, body) = area.split_vertically(head + 6);
        let body = body.margin(0, 0, LEFT - 14, 16);
        let panels = body.split_evenly((2, 4));
        for (i, (p, a)) in PANELS.iter().zip(panels.iter()).enumerate() {
            let Some(b) = run.series.bands(p.metric) else {
                continue;
            };
            let xs: Vec<f64> = (0..b.len()).map(|s| run.years(s as f64)).collect();
            draw_panel(
                a,
                p,
                &[(b, BLUE)],
                &xs,
                span,
                Some(&self.timeline),
                i >= 4,
                true,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(panel_range(&PANELS[0], 0.2, 0.55), (0.0, 0.6));
        // Shares never exceed 100%.
        assert_eq!(panel_range(&PANELS[5], 0.0, 0.99), (0.0, 100.0));
        let (lo, hi) = panel_range(&PANELS[6], 480.0, 500.0);
        assert!(lo < 480.0 && hi > 500.0 && lo > 400.0);
    }
}
