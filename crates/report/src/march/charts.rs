//! The two chart types of March's (1991) model: [`ParamLines`] (a metric
//! against a swept parameter, one line per value of a second one, with 95%
//! CIs) and [`Trajectories`] (means over time with the band of the middle
//! 50% of runs for a single line), and the axis names of its metrics and
//! parameters.

use crate::canvas::{self, Chart, DrawResult, HouseMesh, Key, LEFT};
use crate::style;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Axis names of March's metrics.
pub(super) fn describe(metric: &str) -> &str {
    match metric {
        "code_knowledge" => "code knowledge (Σ code·reality / m)",
        "knowledge" => "mean individual knowledge",
        "code_correct" => "share of dimensions the code has right",
        "knowledge_fast" => "knowledge of fast learners",
        "knowledge_slow" => "knowledge of slow learners",
        other => other,
    }
}

/// Parameter names without the section, in March's notation.
pub(super) fn short(name: &str) -> String {
    let n = name.strip_prefix("march.").unwrap_or(name);
    match n {
        "fast_share" => "share of fast learners".into(),
        "p1" => "socialization rate p1".into(),
        "p2" => "code learning rate p2".into(),
        "p3" => "turnover p3".into(),
        "p4" => "turbulence p4".into(),
        other => other.into(),
    }
}

/// A point of a line: x, mean, 95% CI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Parameter value.
    pub x: f64,
    /// Mean over runs.
    pub mean: f64,
    /// 95% CI of the mean (low, high).
    pub ci: (f64, f64),
}

/// One line of a [`ParamLines`] chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Its points, in increasing x.
    pub dots: Vec<Dot>,
}

/// A metric against a parameter, one line per group.
pub struct ParamLines<'a> {
    /// Title.
    pub title: &'a str,
    /// Subtitle.
    pub subtitle: &'a str,
    /// X axis description.
    pub x_desc: &'a str,
    /// Y axis description.
    pub y_desc: &'a str,
    /// The lines.
    pub lines: &'a [Line],
}

const DASHES: [(f64, f64); 4] = [(0.0, 0.0), (14.0, 8.0), (4.0, 6.0), (20.0, 6.0)];

impl Chart for ParamLines<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(area, self.title, self.subtitle)?;
        let legend_h = if self.lines.len() > 1 { 50 } else { 0 };
        let (_, lower) = area.split_vertically(top + 10 + legend_h);
        let dots = self.lines.iter().flat_map(|l| &l.dots);
        let (xlo, xhi, ylo, yhi) = dots.fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), p| (a.min(p.x), b.max(p.x), c.min(p.ci.0), d.max(p.ci.1)),
        );
        let (xlo, xhi) = if xlo.is_finite() {
            (xlo, xhi)
        } else {
            (0.0, 1.0)
        };
        let (ylo, yhi) = if ylo.is_finite() {
            (ylo, yhi)
        } else {
            (0.0, 1.0)
        };
        let xpad = ((xhi - xlo) * 0.04).max(1e-3);
        let ypad = ((yhi - ylo) * 0.1).max(0.01);
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(40)
            .margin_top(6)
            .margin_bottom(10)
            .x_label_area_size(80)
            .y_label_area_size(110)
            .build_cartesian_2d(xlo - xpad..xhi + xpad, ylo - ypad..yhi + ypad)?;
        let xd = canvas::decimals(xhi - xlo);
        let yd = canvas::decimals(yhi - ylo + 2.0 * ypad);
        chart
            .configure_mesh()
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .x_labels(8)
            .y_labels(7)
            .x_label_formatter(&|v| format!("{v:.xd$}"))
            .y_label_formatter(&|v| format!("{v:.yd$}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        let mut keys = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let c = style::series(i);
            let w = 4;
            let path: Vec<(f64, f64)> = line.dots.iter().map(|d| (d.x, d.mean)).collect();
            let (dash, gap) = DASHES[i % DASHES.len()];
            if dash == 0.0 {
                chart.draw_series(std::iter::once(PathElement::new(path, c.stroke_width(w))))?;
                keys.push((Key::Line(c, w), line.label.clone()));
            } else {
                let base = lower.get_base_pixel();
                let pixels: Vec<(i32, i32)> = path
                    .iter()
                    .map(|&p| {
                        let (x, y) = chart.backend_coord(&p);
                        (x - base.0, y - base.1)
                    })
                    .collect();
                for pair in pixels.windows(2) {
                    canvas::dashed_line(&lower, pair[0], pair[1], c.stroke_width(w), dash, gap)?;
                }
                keys.push((Key::Dashed(c, w), line.label.clone()));
            }
            for d in &line.dots {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(d.x, d.ci.0), (d.x, d.ci.1)],
                    c.mix(0.7).stroke_width(3),
                )))?;
                chart.draw_series(std::iter::once(Circle::new((d.x, d.mean), 6, c.filled())))?;
            }
        }
        if self.lines.len() > 1 {
            let (w, _) = area.dim_in_pixel();
            canvas::legend(area, &keys, w as i32 - 40, top + 30)?;
        }
        Ok(())
    }
}

/// A metric's mean over time.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Mean at every step from 0.
    pub mean: Vec<f64>,
    /// The band of the middle 50% of runs (25th and 75th percentiles).
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// Means over time, one line per series.
pub struct Trajectories<'a> {
    /// Title.
    pub title: &'a str,
    /// Subtitle.
    pub subtitle: &'a str,
    /// Y axis description.
    pub y_desc: &'a str,
    /// The series.
    pub series: &'a [Series],
}

impl Chart for Trajectories<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(area, self.title, self.subtitle)?;
        let (_, lower) = area.split_vertically(top + 60);
        let len = self.series.iter().map(|s| s.mean.len()).max().unwrap_or(1);
        let xmax = (len.max(2) - 1) as f64;
        let values = self.series.iter().flat_map(|s| {
            s.mean.iter().chain(
                s.band
                    .iter()
                    .flat_map(|(lo, hi)| lo.iter().chain(hi.iter())),
            )
        });
        let (ylo, yhi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let (ylo, yhi) = if ylo.is_finite() {
            (ylo.min(0.0), yhi.max(0.0))
        } else {
            (0.0, 1.0)
        };
        let ypad = ((yhi - ylo) * 0.06).max(0.01);
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(40)
            .margin_top(6)
            .margin_bottom(10)
            .x_label_area_size(80)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..xmax, ylo - ypad..yhi + ypad)?;
        let yd = canvas::decimals(yhi - ylo + 2.0 * ypad);
        chart
            .configure_mesh()
            .x_desc("period")
            .y_desc(self.y_desc)
            .x_labels(8)
            .y_labels(7)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.yd$}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        let mut keys = Vec::new();
        for (i, s) in self.series.iter().enumerate() {
            let c = style::series(i);
            if let Some((lo, hi)) = &s.band {
                let mut poly: Vec<(f64, f64)> =
                    hi.iter().enumerate().map(|(t, &v)| (t as f64, v)).collect();
                poly.extend(lo.iter().enumerate().rev().map(|(t, &v)| (t as f64, v)));
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    style::tint(c, 0.75).filled(),
                )))?;
                keys.push((
                    Key::Box(style::tint(c, 0.75)),
                    format!("{}: middle 50% of runs", s.label),
                ));
            }
            let path: Vec<(f64, f64)> = s
                .mean
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(t, &v)| (t as f64, v))
                .collect();
            chart.draw_series(std::iter::once(PathElement::new(path, c.stroke_width(4))))?;
            keys.push((Key::Line(c, 4), s.label.clone()));
        }
        let (w, _) = area.dim_in_pixel();
        canvas::legend(area, &keys, w as i32 - 40, top + 30)?;
        Ok(())
    }
}
