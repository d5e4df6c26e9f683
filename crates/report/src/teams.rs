//! Figure 3, the teams heatmap: the local culture of every team (rows, in
//! org-chart order and grouped by division) over time (columns, in years),
//! averaged over runs, on the viridis scale — so a consultant sees where
//! the snow melts first. Events are drawn as in the culture chart.

use super::canvas::{self, Chart, DrawResult, LEFT, put, year_label};
use super::data::RunData;
use super::style::{self, AXIS_LINE, INK, MUTED, WHITE_LINE};
use super::timeline::{Layout, Point, Recurring, Timeline};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Levels the colour scale is quantized to (keeps the SVG small: equal
/// neighbouring cells merge into one rectangle).
pub const LEVELS: f64 = 48.0;

/// Width of the division label area.
const Y_LABELS: i32 = 150;
/// Room on the right for the colour bar.
const RIGHT: i32 = 190;

/// The teams heatmap of one run.
pub struct TeamsChart<'a> {
    run: &'a RunData,
    timeline: Timeline,
}

impl<'a> TeamsChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self {
            run,
            timeline: Timeline::of(run),
        }
    }
}

/// The colour scale's range: the data's range widened to tenths, at least
/// 0.3 wide, within [0, 1].
pub fn color_range(values: &[Vec<f64>]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .flatten()
        .filter(|v| !v.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    // In tenths, as integers.
    let mut a = ((lo * 10.0 + 1e-9).floor() as i32).clamp(0, 10);
    let mut b = ((hi * 10.0 - 1e-9).ceil() as i32).clamp(0, 10);
    while b - a < 3 {
        if a > 0 {
            a -= 1;
        }
        if b - a < 3 && b < 10 {
            b += 1;
        }
    }
    (f64::from(a) / 10.0, f64::from(b) / 10.0)
}

/// Quantize a position on the colour scale (0..1).
pub fn quantize(v: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        (v.clamp(0.0, 1.0) * LEVELS).round() / LEVELS
    }
}

/// Runs of equal quantized values in a row: (first column, past-the-end
/// column, value).
pub fn runs(row: &[f64], (lo, hi): (f64, f64)) -> Vec<(usize, usize, f64)> {
    let mut out: Vec<(usize, usize, f64)> = Vec::new();
    for (i, &v) in row.iter().enumerate() {
        let q = quantize((v - lo) / (hi - lo));
        match out.last_mut() {
            Some(last) if last.1 == i && (last.2 == q || (last.2.is_nan() && q.is_nan())) => {
                last.1 = i + 1;
            }
            _ => out.push((i, i + 1, q)),
        }
    }
    out
}

/// Groups of consecutive rows sharing the first `depth` parts of their
/// unit path: (name, first row, past-the-end row).
pub fn groups(names: &[String], depth: usize) -> Vec<(String, usize, usize)> {
    let key = |n: &str| n.split('.').take(depth).collect::<Vec<_>>().join(".");
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let k = key(n);
        match out.last_mut() {
            Some(last) if last.0 == k => last.2 = i + 1,
            _ => out.push((k, i, i + 1)),
        }
    }
    out
}

/// The divisions of the heatmap's rows: from teams.csv's `division`
/// column (an org chart's names are not paths), else from the path names.
pub fn divisions(t: &super::data::Teams) -> Vec<(String, usize, usize)> {
    if t.divisions.len() == t.names.len() && !t.names.is_empty() {
        groups(&t.divisions, usize::MAX)
    } else {
        groups(&t.names, 1)
    }
}

/// The departments (second-level groups) of the heatmap's rows, when the
/// names are paths (`u1.2.3`); none for an org chart's names.
pub fn departments(t: &super::data::Teams) -> Vec<(String, usize, usize)> {
    let paths = t.divisions.len() != t.names.len()
        || t.names.iter().zip(&t.divisions).all(|(n, d)| {
            n.strip_prefix(d.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with('.'))
        });
    if paths {
        groups(&t.names, 2)
    } else {
        Vec::new()
    }
}

impl Chart for TeamsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let t = &run.teams;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let divisions = divisions(t);
        let head = canvas::title(
            area,
            "Where the culture melts first: every team over time",
            &format!(
                "{} · local culture of {} teams in {} divisions (mean of {}), rows in org-chart order",
                run.summary.scenario,
                t.names.len(),
                divisions.len(),
                canvas::runs(run.series.n_runs())
            ),
        )?;
        if t.names.is_empty() || t.steps.is_empty() {
            return no_data(area, w);
        }
        let span = run.span_years();
        let (x0, x1) = (LEFT + Y_LABELS, w - RIGHT);
        // Only one-off events and programmes here; recurring ones as ticks.
        let tl = Timeline {
            points: self.timeline.points.clone(),
            recurring: Vec::new(),
            spans: self.timeline.spans.clone(),
        };
        let layout = Layout::new(&tl, x0, x1, 0.0, span);
        let lane_top = head + 8;
        let chart_top = lane_top + layout.height();
        let (_, lower) = area.split_vertically(chart_top);
        let n = t.names.len();
        let x_fmt = move |v: &f64| year_label(*v, span);
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(RIGHT)
            .margin_top(6)
            .margin_bottom(16)
            .x_label_area_size(78)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(0f64..span, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_x_mesh()
            .y_labels(0)
            .x_labels(if span >= 4.0 {
                (span.ceil() as usize + 1).min(12)
            } else {
                6
            })
            .x_label_formatter(&x_fmt)
            .x_desc("time (years)")
            .axis_desc_style(style::text(style::AXIS, INK))
            .label_style(style::text(style::TICK, INK))
            .axis_style(AXIS_LINE.stroke_width(2))
            .draw()?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (top, bottom) = (py.start, py.end);
        let years = run.years_per_step();
        let to_x = |year: f64| {
            px.start + ((year / span).clamp(0.0, 1.0) * f64::from(px.end - px.start)).round() as i32
        };
        let row_y =
            |r: usize| top + ((r as f64 / n as f64) * f64::from(bottom - top)).round() as i32;
        // Column edges: each sample holds until the next one.
        let range = color_range(&t.values);
        let mut edges: Vec<i32> = t
            .steps
            .iter()
            .map(|&s| to_x(f64::from(s) * years))
            .collect();
        edges.push(px.end);
        cells(area, &t.values, &edges, &row_y, range)?;
        boundaries(area, t, &divisions, &px, &row_y)?;
        events(
            area,
            &tl.points,
            &self.timeline.recurring,
            &to_x,
            top,
            bottom,
        )?;
        layout.draw_lane(area, &tl, lane_top, top)?;
        colour_bar(area, px.end, top, bottom, range)?;
        Ok(())
    }
}

/// The message in place of the map when teams.csv is missing (`w`: the
/// chart's width).
fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, w: i32) -> DrawResult<DB> {
    put(
        area,
        "no team data (teams.csv is missing)",
        &style::text(style::AXIS, MUTED),
        HPos::Center,
        VPos::Center,
        (w / 2, 450),
    )?;
    Ok(())
}

/// The map's cells: in each row of `values` (at the rows `row_y`), the
/// runs of one colour (over the colour `range`) between the column
/// `edges`.
fn cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    values: &[Vec<f64>],
    edges: &[i32],
    row_y: &dyn Fn(usize) -> i32,
    range: (f64, f64),
) -> DrawResult<DB> {
    for (r, row) in values.iter().enumerate() {
        let (ya, yb) = (row_y(r), row_y(r + 1));
        for (a, b, v) in runs(row, range) {
            let (xa, xb) = (edges[a], edges[b]);
            if xb <= xa {
                continue;
            }
            area.draw(&Rectangle::new(
                [(xa, ya), (xb, yb)],
                style::viridis(v).filled(),
            ))?;
        }
    }
    Ok(())
}

/// The events over the map (from `top` to `bottom`, a year at `to_x`):
/// one-off `points` as white lines with the event's colour at the edges,
/// `recurring` ones as ticks above the map.
fn events<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[Point],
    recurring: &[Recurring],
    to_x: &dyn Fn(f64) -> i32,
    top: i32,
    bottom: i32,
) -> DrawResult<DB> {
    for p in points {
        let x = to_x(p.year);
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            WHITE_LINE.stroke_width(5),
        ))?;
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            p.tone.color().stroke_width(2),
        ))?;
    }
    for r in recurring {
        for &year in &r.years {
            let x = to_x(year);
            area.draw(&PathElement::new(
                vec![(x, top - 10), (x, top)],
                style::tint(r.tone.color(), 0.3).stroke_width(3),
            ))?;
        }
    }
    Ok(())
}

/// The department lines, and the division lines with each division's name
/// and number of teams, at the rows `row_y` of the map over `px`.
fn boundaries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &super::data::Teams,
    divisions: &[(String, usize, usize)],
    px: &std::ops::Range<i32>,
    row_y: &dyn Fn(usize) -> i32,
) -> DrawResult<DB> {
    // Department and division boundaries.
    for (_, a, _) in departments(t).iter().skip(1) {
        let y = row_y(*a);
        area.draw(&PathElement::new(
            vec![(px.start, y), (px.end, y)],
            WHITE_LINE.mix(0.45).stroke_width(1),
        ))?;
    }
    for (name, a, b) in divisions {
        let (ya, yb) = (row_y(*a), row_y(*b));
        if *a > 0 {
            area.draw(&PathElement::new(
                vec![(px.start - 12, ya), (px.end, ya)],
                WHITE_LINE.stroke_width(4),
            ))?;
            area.draw(&PathElement::new(
                vec![(px.start - 12, ya), (px.start, ya)],
                AXIS_LINE.stroke_width(2),
            ))?;
        }
        let mid = (ya + yb) / 2;
        let teams = b - a;
        put(
            area,
            name,
            &style::bold(style::NOTE, INK),
            HPos::Right,
            VPos::Center,
            (px.start - 16, mid - 13),
        )?;
        put(
            area,
            &format!("{teams} team{}", if teams == 1 { "" } else { "s" }),
            &style::text(style::SMALL, MUTED),
            HPos::Right,
            VPos::Center,
            (px.start - 16, mid + 15),
        )?;
    }
    Ok(())
}

/// The colour bar of local culture right of the map (at `x`, from `top`
/// to `bottom`) over the colour `range`.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: i32,
    top: i32,
    bottom: i32,
    range: (f64, f64),
) -> DrawResult<DB> {
    // Colour bar.
    let (cx0, cx1) = (x + 40, x + 72);
    let steps = (bottom - top).max(1);
    for i in 0..steps {
        let v = 1.0 - f64::from(i) / f64::from(steps - 1).max(1.0);
        area.draw(&Rectangle::new(
            [(cx0, top + i), (cx1, top + i + 1)],
            style::viridis(quantize(v)).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(cx0, top), (cx1, bottom)],
        AXIS_LINE.stroke_width(1),
    ))?;
    let (lo, hi) = range;
    let ticks = ((hi - lo) * 10.0).round() as i32;
    let every = if ticks > 6 { 2 } else { 1 };
    for k in (0..=ticks).filter(|k| k % every == 0) {
        let v = lo + f64::from(k) / 10.0;
        let y = bottom - (((v - lo) / (hi - lo) * f64::from(bottom - top)).round() as i32);
        area.draw(&PathElement::new(
            vec![(cx1, y), (cx1 + 8, y)],
            AXIS_LINE.stroke_width(2),
        ))?;
        put(
            area,
            &format!("{v:.1}"),
            &style::text(style::TICK, INK),
            HPos::Left,
            VPos::Center,
            (cx1 + 12, y),
        )?;
    }
    put(
        area,
        "local culture",
        &style::text(style::SMALL, INK),
        HPos::Center,
        VPos::Bottom,
        ((cx0 + cx1) / 2 + 20, top - 14),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_cells_merge() {
        let r = runs(&[0.1, 0.1001, 0.5, f64::NAN, f64::NAN, 0.5], (0.0, 1.0));
        assert_eq!(r.len(), 4);
        assert_eq!((r[0].0, r[0].1), (0, 2));
        assert_eq!((r[1].0, r[1].1, r[1].2), (2, 3, 0.5));
        assert_eq!((r[2].0, r[2].1), (3, 5));
    }

    #[test]
    fn color_ranges() {
        assert_eq!(color_range(&[vec![0.21, 0.58]]), (0.2, 0.6));
        assert_eq!(color_range(&[vec![0.2, 0.21]]), (0.1, 0.4));
        assert_eq!(color_range(&[vec![0.0, 0.05]]), (0.0, 0.3));
        assert_eq!(color_range(&[vec![0.95, 1.0]]), (0.7, 1.0));
        assert_eq!(color_range(&[vec![f64::NAN]]), (0.0, 1.0));
    }

    #[test]
    fn unit_groups() {
        let names: Vec<String> = ["u1.1.1", "u1.1.2", "u1.2.1", "u2.1.1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            groups(&names, 1),
            vec![("u1".to_string(), 0, 3), ("u2".to_string(), 3, 4)]
        );
        assert_eq!(groups(&names, 2).len(), 3);
        // An org chart's names are not paths: its divisions come from teams.csv.
        let t = super::super::data::Teams {
            names: ["ceo-office", "ops-1", "ops-2", "product-1"]
                .map(String::from)
                .to_vec(),
            divisions: ["ceo-office", "p002", "p002", "p027"]
                .map(String::from)
                .to_vec(),
            ..Default::default()
        };
        let d: Vec<(String, usize, usize)> = divisions(&t);
        assert_eq!(
            d,
            vec![
                ("ceo-office".to_string(), 0, 1),
                ("p002".to_string(), 1, 3),
                ("p027".to_string(), 3, 4)
            ]
        );
        assert!(departments(&t).is_empty());
        let t = super::super::data::Teams {
            divisions: ["u1", "u1", "u1", "u2"].map(String::from).to_vec(),
            names,
            ..Default::default()
        };
        assert_eq!(divisions(&t).len(), 2);
        assert_eq!(departments(&t).len(), 3);
    }
}
