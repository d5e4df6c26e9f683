//! Figure 1, the culture trajectory: the organization's learning culture
//! over time (in years), the mean over replicates with bands holding the
//! middle 50% and 90% of runs, and every event of the scenario's timeline
//! as a labelled marker.

use super::canvas::{
    self, Chart, DrawResult, HouseMesh, Key, LEFT, legend, nice_max, put, year_label,
};
use super::data::{Bands, RunData};
use super::style::{self, BLUE};
use super::timeline::{Layout, Timeline};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Width of the y label area of time charts.
pub const Y_LABELS: i32 = 110;
/// Right margin of time charts (room for the end label).
pub const RIGHT: i32 = 130;

/// The culture trajectory of one run folder.
pub struct CultureChart<'a> {
    run: &'a RunData,
    timeline: Timeline,
}

impl<'a> CultureChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self {
            run,
            timeline: Timeline::of(run),
        }
    }
}

/// Polygon of a band between `lo` and `hi` (NaNs skipped).
pub fn band_polygon(xs: &[f64], lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = xs
        .iter()
        .zip(hi)
        .filter(|(_, y)| !y.is_nan())
        .map(|(&x, &y)| (x, y))
        .collect();
    pts.extend(
        xs.iter()
            .zip(lo)
            .rev()
            .filter(|(_, y)| !y.is_nan())
            .map(|(&x, &y)| (x, y)),
    );
    pts
}

/// (x, y) pairs of a line, NaNs skipped.
pub fn line(xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    xs.iter()
        .zip(ys)
        .filter(|(_, y)| !y.is_nan())
        .map(|(&x, &y)| (x, y))
        .collect()
}

/// Draw bands and mean line of `b` on `chart`, in `color`.
pub fn draw_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    xs: &[f64],
    b: &Bands,
    color: RGBColor,
    outer: bool,
    width: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if outer {
        chart.draw_series(std::iter::once(Polygon::new(
            band_polygon(xs, &b.p5, &b.p95),
            style::tint(color, 0.82).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(Polygon::new(
        band_polygon(xs, &b.p25, &b.p75),
        style::tint(color, if outer { 0.6 } else { 0.75 }).filled(),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        line(xs, &b.mean),
        color.stroke_width(width),
    )))?;
    Ok(())
}

/// Configure and draw the mesh of a time chart.
/// A chart with real-valued x and y axes.
pub type XyChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The axes every culture-over-time chart shares: years on x, learning
/// culture (0 to `ymax`) on y, `right` pixels kept free on the right.
pub fn culture_axes<'a, DB: DrawingBackend>(
    lower: &'a DrawingArea<DB, Shift>,
    span: f64,
    ymax: f64,
    right: i32,
    top: i32,
) -> Result<XyChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(lower)
        .margin_left(LEFT)
        .margin_right(right)
        .margin_top(top)
        .margin_bottom(16)
        .x_label_area_size(78)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(0f64..span, 0f64..ymax)?;
    time_mesh(
        &mut chart,
        span,
        "learning culture (0–1)",
        &|v| canvas::level_label(*v, ymax),
        style::TICK,
    )?;
    Ok(chart)
}

/// The time-axis mesh of a chart (years on x).
pub fn time_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    span: f64,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    tick: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let x_fmt = move |v: &f64| year_label(*v, span);
    chart
        .configure_mesh()
        .x_desc("time (years)")
        .y_desc(y_desc)
        .house(
            if tick < style::TICK {
                tick + 2.0
            } else {
                style::AXIS
            },
            tick,
        )
        .x_labels(if span >= 4.0 {
            (span.ceil() as usize + 1).min(12)
        } else {
            6
        })
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(y_fmt)
        .draw()
}

impl Chart for CultureChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let n = run.series.n_runs();
        let head = canvas::title(
            area,
            "Learning culture over time",
            &format!(
                "{} · mean of {}; bands hold the middle 50% and 90% of runs",
                run.summary.scenario,
                canvas::runs(n)
            ),
        )?;
        legend(
            area,
            &[
                (Key::Line(BLUE, 4), "mean".into()),
                (Key::Box(style::tint(BLUE, 0.6)), "50% of runs".into()),
                (Key::Box(style::tint(BLUE, 0.82)), "90% of runs".into()),
            ],
            w - 36,
            44,
        )?;
        let Some(b) = run.series.bands("culture") else {
            return Ok(());
        };
        let span = run.span_years();
        let xs: Vec<f64> = (0..b.len()).map(|s| run.years(s as f64)).collect();
        let (x0, x1) = (LEFT + Y_LABELS, w - RIGHT);
        let layout = Layout::new(&self.timeline, x0, x1, 0.0, span);
        let lane_top = head + 8;
        let chart_top = lane_top + layout.height();
        let (_, lower) = area.split_vertically(chart_top);
        let ymax = nice_max(b.p95.iter().copied().fold(0.0, f64::max) + 0.02).min(1.0);
        let mut chart = culture_axes(&lower, span, ymax, RIGHT, 6)?;
        let (_, py) = chart.plotting_area().get_pixel_range();
        layout.draw_lines(area, &self.timeline, py.start, py.end)?;
        draw_bands(&mut chart, &xs, b, BLUE, true, 4)?;
        layout.draw_lane(area, &self.timeline, lane_top, py.start)?;
        // The final level, labelled at the right end.
        if let Some(&last) = b.mean.last() {
            let (cx, cy) = chart.backend_coord(&(span, last));
            area.draw(&Circle::new((cx, cy), 7, BLUE.filled()))?;
            put(
                area,
                &format!("{last:.2}"),
                &style::bold(style::NOTE, BLUE),
                HPos::Left,
                VPos::Center,
                (cx + 14, cy),
            )?;
        }
        Ok(())
    }
}
