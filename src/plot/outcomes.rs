//! Figure 4, final outcomes across replicates: a histogram of each run's
//! final culture (large) and of final knowledge and belief (small). When the
//! runs split into two groups — a scenario whose runs either "kept it" or
//! "lost it" — the split is marked and both groups are counted; the level
//! just before the shock is marked for reference.

use super::canvas::{self, Chart, DrawResult, dashed_line, put};
use super::data::RunData;
use super::style::{self, AXIS_LINE, BLUE, GREEN, GRID, INK, MUTED, PURPLE, VERMILLION};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The outcome histograms of one run.
pub struct OutcomesChart<'a> {
    run: &'a RunData,
}

impl<'a> OutcomesChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self { run }
    }
}

/// Two groups of runs separated by a gap in their final values.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Middle of the gap.
    pub at: f64,
    /// Runs below.
    pub low: usize,
    /// Runs above.
    pub high: usize,
}

/// Whether `values` split into two basins: the widest gap between sorted
/// values is at least `min_gap` wide, at least three times the spread
/// within either side, and each side holds at least two runs and 5% of
/// them.
pub fn split(values: &[f64], min_gap: f64) -> Option<Split> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n < 4 {
        return None;
    }
    let (i, gap) = v
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, w[1] - w[0]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (low, high) = (i + 1, n - i - 1);
    let min_side = 2.max((n as f64 * 0.05).ceil() as usize);
    let spread_low = v[i] - v[0];
    let spread_high = v[n - 1] - v[i + 1];
    (gap >= min_gap
        && low >= min_side
        && high >= min_side
        && gap >= 3.0 * spread_low.min(spread_high))
    .then(|| Split {
        at: 0.5 * (v[i] + v[i + 1]),
        low,
        high,
    })
}

/// Bins for a histogram of values in [0, 1]: (start, width, count). The
/// range is the data's, widened to tenths and at least 0.3 wide.
pub fn bins(values: &[f64], n_bins: usize, extra: &[f64]) -> (f64, f64, Vec<usize>) {
    let rows = vec![values.to_vec(), extra.to_vec()];
    let (lo, hi) = super::teams::color_range(&rows);
    let width = (hi - lo) / n_bins as f64;
    let mut counts = vec![0; n_bins];
    for &v in values.iter().filter(|v| !v.is_nan()) {
        let k = (((v - lo) / width).floor().max(0.0) as usize).min(n_bins - 1);
        counts[k] += 1;
    }
    (lo, width, counts)
}

/// Draw one histogram panel; returns nothing. `marks`: (x, label, colour).
#[allow(clippy::too_many_arguments)]
fn histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    values: &[f64],
    n_bins: usize,
    color: RGBColor,
    marks: &[(f64, String, RGBColor)],
    big: bool,
) -> DrawResult<DB> {
    put(
        area,
        title,
        &style::bold(if big { style::AXIS } else { style::NOTE }, INK),
        HPos::Left,
        VPos::Top,
        (if big { 20 } else { 14 }, 8),
    )?;
    let extra: Vec<f64> = marks
        .iter()
        .flat_map(|m| [m.0 - 0.02, m.0 + 0.02])
        .collect();
    let (lo, width, counts) = bins(values, n_bins, &extra);
    let hi = lo + width * n_bins as f64;
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let ymax = (top * 1.25).ceil().max(top + 1.0);
    let tick = if big { style::TICK } else { style::SMALL };
    let mut chart = ChartBuilder::on(area)
        .margin_top(if big { 60 } else { 48 })
        .margin_right(30)
        .margin_left(if big { 16 } else { 4 })
        .margin_bottom(8)
        .x_label_area_size(if big { 84 } else { 70 })
        .y_label_area_size(if big { 100 } else { 70 })
        .build_cartesian_2d(lo..hi, 0f64..ymax)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .axis_desc_style(style::text(tick + 2.0, INK))
        .label_style(style::text(tick, INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS_LINE.stroke_width(2))
        .disable_x_mesh()
        .x_labels(if big { 8 } else { 5 })
        .y_labels(6)
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        });
    if big {
        mesh.y_desc("number of runs");
    }
    mesh.draw()?;
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(k, &c)| {
                let a = lo + width * k as f64;
                Rectangle::new([(a, 0.0), (a + width, c as f64)], color.filled())
            }),
    )?;
    // Thin white gaps between bars.
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(k, &c)| {
                let a = lo + width * k as f64;
                Rectangle::new([(a, 0.0), (a + width, c as f64)], WHITE.stroke_width(1))
            }),
    )?;
    for (i, (x, label, c)) in marks.iter().enumerate() {
        let (px, py0) = chart.backend_coord(&(*x, ymax));
        let (_, py1) = chart.backend_coord(&(*x, 0.0));
        let base = area.get_base_pixel();
        let (px, py0, py1) = (px - base.0, py0 - base.1, py1 - base.1);
        dashed_line(area, (px, py0), (px, py1), c.stroke_width(3), 10.0, 7.0)?;
        let right_side = *x < lo + (hi - lo) * 0.7;
        put(
            area,
            label,
            &style::bold(style::NOTE, *c),
            if right_side { HPos::Left } else { HPos::Right },
            VPos::Top,
            (
                if right_side { px + 10 } else { px - 10 },
                py0 + 6 + 34 * i as i32,
            ),
        )?;
    }
    Ok(())
}

impl Chart for OutcomesChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let n = run.series.n_runs();
        let culture = run.series.finals("culture");
        let sp = split(&culture, 0.08);
        let years = run.span_years();
        let subtitle = match &sp {
            Some(s) => format!(
                "{} · final values of {} after {years:.1} years: the runs split into two basins ({} kept it, {} lost it)",
                run.summary.scenario,
                canvas::runs(n),
                s.high,
                s.low
            ),
            None => format!(
                "{} · final values of {} after {years:.1} years",
                run.summary.scenario,
                canvas::runs(n)
            ),
        };
        let head = canvas::title(area, "How the runs ended", &subtitle)?;
        let (_, body) = area.split_vertically(head + 4);
        let body = body.margin(0, 0, 16, 16);
        let (left, right) = body.split_horizontally((body.dim_in_pixel().0 as f64 * 0.64) as i32);
        let mut marks = Vec::new();
        if let Some(pre) = run.summary.shock.as_ref().and_then(|sh| sh.get("pre")) {
            marks.push((pre, format!("before the shock: {pre:.2}"), MUTED));
        }
        if let Some(s) = &sp {
            marks.push((
                s.at,
                format!("lost it: {} │ kept it: {}", s.low, s.high),
                VERMILLION,
            ));
        }
        if let Some(&start) = run.series.bands("culture").and_then(|b| b.mean.first()) {
            marks.push((start, format!("at the start: {start:.2}"), MUTED));
        }
        if let Some(st) = run.summary.final_stats("culture") {
            marks.push((st.mean, format!("mean {:.2}", st.mean), INK));
        }
        // Keep the marks' labels in left-to-right order.
        marks.sort_by(|a, b| a.0.total_cmp(&b.0));
        histogram(
            &left,
            "final learning culture",
            "learning culture at the end (0–1)",
            &culture,
            30,
            BLUE,
            &marks,
            true,
        )?;
        let panels = right.split_evenly((2, 1));
        histogram(
            &panels[0],
            "final knowledge",
            "knowledge (0–1)",
            &run.series.finals("knowledge"),
            20,
            GREEN,
            &[],
            false,
        )?;
        histogram(
            &panels[1],
            "final belief in learning",
            "belief (0–1)",
            &run.series.finals("belief"),
            20,
            PURPLE,
            &[],
            false,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_basins_are_found() {
        let v = [0.1, 0.12, 0.11, 0.13, 0.7, 0.72, 0.69, 0.71, 0.7];
        let s = split(&v, 0.08).unwrap();
        assert_eq!((s.low, s.high), (4, 5));
        assert!((s.at - 0.41).abs() < 1e-9);
    }

    #[test]
    fn one_basin_is_not_split() {
        let v: Vec<f64> = (0..32).map(|i| 0.3 + 0.002 * f64::from(i)).collect();
        assert!(split(&v, 0.08).is_none());
        // A single outlier is not a basin.
        let mut w = v.clone();
        w.push(0.9);
        assert!(split(&w, 0.08).is_none());
        assert!(split(&[0.1, 0.9], 0.08).is_none());
    }

    #[test]
    fn histogram_bins() {
        let (lo, width, counts) = bins(&[0.31, 0.32, 0.39, 0.55], 10, &[]);
        assert_eq!(lo, 0.3);
        assert!((width - 0.03).abs() < 1e-12);
        assert_eq!(counts.iter().sum::<usize>(), 4);
        assert_eq!(counts[0], 2);
        assert_eq!(counts[9], 0);
    }
}
