//! Figure 4, final outcomes across replicates: a histogram of each run's
//! final culture (large) and of final knowledge and belief (small). When the
//! runs split into two groups — a scenario whose runs either "kept it" or
//! "lost it" — the split is marked and both groups are counted; the level
//! just before the shock is marked for reference.

use super::canvas::{self, Chart, DrawResult, HouseMesh, dashed_line, put};
use super::culture::XyChart;
use super::data::RunData;
use super::style::{self, BLUE, GREEN, INK, MUTED, PURPLE, VERMILLION};
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
/// values is at least `min_gap` wide and at least half the spread within
/// the wider side, and each side holds at least two runs and 10% of them.
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
    let min_side = 2.max((n as f64 * 0.1).ceil() as usize);
    let spread_low = v[i] - v[0];
    let spread_high = v[n - 1] - v[i + 1];
    (gap >= min_gap
        && low >= min_side
        && high >= min_side
        && gap >= 0.5 * spread_low.max(spread_high))
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
        .house(tick + 2.0, tick)
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
    bars(&mut chart, (lo, width, &counts), color)?;
    // Lines first, then labels beside them: each label takes the first row
    // (right of its line, else left) where it overlaps no other label and
    // crosses no other line.
    let (plot_x, _) = chart.plotting_area().get_pixel_range();
    let base = area.get_base_pixel();
    let (left_edge, right_edge) = (plot_x.start - base.0, plot_x.end - base.0);
    let lines = mark_lines(area, &chart, marks, ymax)?;
    mark_labels(area, marks, &lines, left_edge, right_edge)
}

/// The histogram's bars (`lo`, bin `width`, `counts`) in `color`, with
/// thin white gaps between them.
fn bars<DB: DrawingBackend>(
    chart: &mut XyChart<'_, DB>,
    (lo, width, counts): (f64, f64, &[usize]),
    color: RGBColor,
) -> DrawResult<DB> {
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
    Ok(())
}

/// The dashed line of each of the `marks` from the top of the chart
/// (`ymax`) to 0; returns each line's pixel x and top y within `area`.
fn mark_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &XyChart<'_, DB>,
    marks: &[(f64, String, RGBColor)],
    ymax: f64,
) -> Result<Vec<(i32, i32)>, DrawingAreaErrorKind<DB::ErrorType>> {
    let base = area.get_base_pixel();
    let lines: Vec<(i32, i32)> = marks
        .iter()
        .map(|(x, _, _)| {
            let (px, py0) = chart.backend_coord(&(*x, ymax));
            (px - base.0, py0 - base.1)
        })
        .collect();
    for ((x, _, c), (px, py0)) in marks.iter().zip(&lines) {
        let (_, py1) = chart.backend_coord(&(*x, 0.0));
        dashed_line(
            area,
            (*px, *py0),
            (*px, py1 - base.1),
            c.stroke_width(3),
            10.0,
            7.0,
        )?;
    }
    Ok(lines)
}

/// The labels of the `marks` beside their `lines` (pixel x, top y): each
/// takes the first row (right of its line, else left) where it overlaps no
/// other label, crosses no other line and stays within the plot's edges.
fn mark_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    marks: &[(f64, String, RGBColor)],
    lines: &[(i32, i32)],
    left_edge: i32,
    right_edge: i32,
) -> DrawResult<DB> {
    let mut taken: Vec<(usize, i32, i32)> = Vec::new();
    for (k, ((_, label, c), (px, py0))) in marks.iter().zip(lines).enumerate() {
        let st = style::bold(style::NOTE, *c);
        let w = canvas::text_width(label, &st) + 10;
        let fits = |row: usize, a: i32, b: i32| {
            a >= left_edge
                && b <= right_edge
                && taken
                    .iter()
                    .all(|&(r, p, q)| r != row || b + 8 <= p || a >= q + 8)
                && lines
                    .iter()
                    .enumerate()
                    .all(|(j, &(lx, _))| j == k || lx < a - 4 || lx > b + 4)
        };
        let mut choice = None;
        'rows: for row in 0..4 {
            for right in [true, false] {
                let (a, b) = if right {
                    (*px + 4, *px + 10 + w)
                } else {
                    (*px - 10 - w, *px - 4)
                };
                if fits(row, a, b) {
                    choice = Some((row, right, a, b));
                    break 'rows;
                }
            }
        }
        let (row, right, a, b) = choice.unwrap_or_else(|| {
            let row = (0..)
                .find(|&r| taken.iter().all(|&(t, ..)| t != r))
                .unwrap_or(0);
            (row, true, *px + 4, *px + 10 + w)
        });
        taken.push((row, a, b));
        canvas::put_boxed(
            area,
            label,
            &st,
            if right { HPos::Left } else { HPos::Right },
            VPos::Top,
            (
                if right { px + 10 } else { px - 10 },
                py0 + 6 + 34 * row as i32,
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
        // Two wide groups with a gap between them are two basins.
        let mut two: Vec<f64> = (0..21).map(|i| 0.27 + 0.006 * f64::from(i)).collect();
        two.extend((0..11).map(|i| 0.62 + 0.01 * f64::from(i)));
        let s = split(&two, 0.08).unwrap();
        assert_eq!((s.low, s.high), (21, 11));
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
