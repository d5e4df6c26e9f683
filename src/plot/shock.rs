//! Figure 5, build-up and erosion around the first shock (for scenarios
//! that have one): the culture's mean trajectory with the middle 50% of
//! runs, annotated with how long the build-up took (to 95% of the rise),
//! how long it took to lose half of the loss after the shock, the levels
//! before the shock, at half loss and at the trough, and — in a side panel
//! — the asymmetry ratio and the other shock metrics (means over runs, as
//! in summary.json; definitions in docs/MODEL.md, "Shock metrics").

use super::canvas::{
    self, Chart, DrawResult, Key, LEFT, dashed_line, legend, nice_max, put, put_boxed, span_arrow,
};
use super::culture::{Y_LABELS, draw_bands};
use super::data::{RunData, Shock};
use super::style::{self, BLUE, GREEN, INK, MUTED, VERMILLION};
use super::timeline::{Layout, Timeline};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Width of the side panel with the numbers.
const PANEL: i32 = 420;

/// The build-up/erosion chart of one run.
pub struct ShockChart<'a> {
    run: &'a RunData,
    timeline: Timeline,
}

impl<'a> ShockChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self {
            run,
            timeline: Timeline::of(run),
        }
    }
}

/// "1 year", "4.5 years", "6 months" for a duration in years.
pub fn duration(years: f64) -> String {
    if years < 0.95 {
        let months = (years * 12.0).round();
        if months <= 1.0 {
            let weeks = (years * 365.25 / 7.0).round();
            format!("{weeks:.0} week{}", if weeks == 1.0 { "" } else { "s" })
        } else {
            format!("{months:.0} months")
        }
    } else if (years - 1.0).abs() < 0.05 {
        "1 year".into()
    } else {
        format!("{years:.1} years")
    }
}

impl ShockChart<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        sh: &Shock,
        x: i32,
        top: i32,
    ) -> DrawResult<DB> {
        let y = self.run.years_per_step();
        let mut rows: Vec<(String, String, RGBColor)> = Vec::new();
        if let Some(a) = sh.get("asymmetry") {
            rows.push((
                format!("{a:.1}×"),
                "faster to lose than to build".into(),
                VERMILLION,
            ));
        } else {
            rows.push((
                "–".into(),
                "asymmetry not defined (no measurable loss or build-up)".into(),
                MUTED,
            ));
        }
        if let Some(b) = sh.get("build_weeks") {
            rows.push((duration(b * y), "to build (95% of the rise)".into(), BLUE));
        }
        match sh.get("weeks_to_half_loss") {
            Some(h) => rows.push((duration(h * y), "to lose half of it".into(), VERMILLION)),
            None => rows.push(("–".into(), "no loss of 5% or more".into(), MUTED)),
        }
        if let Some(l) = sh.get("loss") {
            rows.push((
                format!("{:.0}%", l * 100.0),
                "lost at the lowest point".into(),
                INK,
            ));
        }
        rows.push((
            format!("{:.0}%", sh.recovered_share * 100.0),
            "of runs recovered to 95%".into(),
            if sh.recovered_share < 0.5 {
                VERMILLION
            } else {
                GREEN
            },
        ));
        if let Some(a) = sh.get("asymmetry_half") {
            rows.push((
                format!("{a:.1}×"),
                "half the rise vs half the loss".into(),
                INK,
            ));
        }
        area.draw(&Rectangle::new(
            [
                (x, top),
                (x + PANEL - 36, top + 22 + 104 * rows.len() as i32),
            ],
            style::tint(BLUE, 0.93).filled(),
        ))?;
        for (i, (big, small, c)) in rows.iter().enumerate() {
            let yy = top + 18 + 104 * i as i32;
            put(
                area,
                big,
                &style::bold(if i == 0 { 56.0 } else { 44.0 }, *c),
                HPos::Left,
                VPos::Top,
                (x + 20, yy),
            )?;
            put(
                area,
                small,
                &style::text(style::NOTE, INK),
                HPos::Left,
                VPos::Top,
                (x + 22, yy + 56),
            )?;
        }
        Ok(())
    }
}

impl Chart for ShockChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let Some(sh) = &run.summary.shock else {
            return Ok(());
        };
        let y = run.years_per_step();
        let shock_year = f64::from(sh.event.step) * y;
        let head = canvas::title(
            area,
            "Hard to gain, easy to lose",
            &format!(
                "{} · learning culture around \u{201c}{}\u{201d} (year {shock_year:.1}); mean of {} and the middle 50%",
                run.summary.scenario,
                sh.event.label,
                canvas::runs(run.series.n_runs())
            ),
        )?;
        let Some(b) = run.series.bands(&sh.metric) else {
            return Ok(());
        };
        legend(
            area,
            &[
                (Key::Line(BLUE, 4), "mean".into()),
                (Key::Box(style::tint(BLUE, 0.75)), "50% of runs".into()),
            ],
            w - PANEL - 10,
            44,
        )?;
        let span = run.span_years();
        let xs: Vec<f64> = (0..b.len()).map(|s| run.years(s as f64)).collect();
        let events = Timeline {
            points: self.timeline.points.clone(),
            recurring: Vec::new(),
            spans: Vec::new(),
        };
        let layout = Layout::new(&events, LEFT + Y_LABELS, w - PANEL, 0.0, span);
        let lane_top = head + 8;
        let (_, lower) = area.split_vertically(lane_top + layout.height());
        let ymax = nice_max(b.p75.iter().copied().fold(0.0, f64::max) * 1.25).min(1.0);
        let mut chart = super::culture::culture_axes(&lower, span, ymax, PANEL, 10)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let coord = chart.as_coord_spec().clone();
        let at = |x: f64, v: f64| coord.translate(&(x, v));
        // Events: the shock and any later leader replacement.
        for p in &self.timeline.points {
            let (x, _) = at(p.year, 0.0);
            area.draw(&PathElement::new(
                vec![(x, py.start), (x, py.end)],
                p.tone.color().stroke_width(3),
            ))?;
        }
        let pre = sh.get("pre");
        let trough = sh.get("trough");
        let levels: Vec<(f64, String, RGBColor)> = match (pre, trough) {
            (Some(p), Some(t)) => vec![
                (p, format!("before the shock: {p:.2}"), INK),
                (
                    p - 0.5 * (p - t),
                    format!("half of the loss: {:.2}", p - 0.5 * (p - t)),
                    VERMILLION,
                ),
                (t, format!("lowest: {t:.2}"), INK),
            ],
            (Some(p), None) => vec![(p, format!("before the shock: {p:.2}"), INK)],
            _ => Vec::new(),
        };
        for (v, _, c) in &levels {
            let (_, yy) = at(0.0, *v);
            dashed_line(
                area,
                (px.start, yy),
                (px.end, yy),
                style::tint(*c, 0.45).stroke_width(2),
                10.0,
                8.0,
            )?;
        }
        draw_bands(&mut chart, &xs, b, BLUE, false, 4)?;
        // Level labels above their lines, at whichever end of the plot
        // keeps them farthest from the curve; stacked labels kept apart.
        let curve: Vec<(i32, i32)> = xs
            .iter()
            .zip(&b.mean)
            .filter(|(_, v)| !v.is_nan())
            .map(|(&x, &v)| at(x, v))
            .collect();
        let mut placed: Vec<(i32, i32, i32)> = Vec::new();
        for (v, label, c) in &levels {
            let st = style::text(style::NOTE, *c);
            let w = canvas::text_width(label, &st) + 16;
            let (_, line_y) = at(0.0, *v);
            let clearance = |x0: i32, x1: i32, y: i32| {
                curve
                    .iter()
                    .filter(|p| p.0 >= x0 && p.0 <= x1)
                    .map(|p| (p.1 - (y - 14)).abs())
                    .min()
                    .unwrap_or(i32::MAX)
            };
            let right = (px.end - 8 - w, px.end - 8);
            let left = (px.start + 8, px.start + 8 + w);
            let mut y = line_y - 6;
            let use_right = clearance(right.0, right.1, y) >= clearance(left.0, left.1, y);
            let (x0, x1) = if use_right { right } else { left };
            while placed
                .iter()
                .any(|&(a, b, py)| a < x1 && x0 < b && (py - y).abs() < 30)
            {
                y += 30;
            }
            placed.push((x0, x1, y));
            put_boxed(
                area,
                label,
                &st,
                if use_right { HPos::Right } else { HPos::Left },
                VPos::Bottom,
                (if use_right { x1 } else { x0 }, y),
            )?;
        }
        // Measuring arrows above the pre-shock level.
        if let Some(p) = pre {
            let arrow_v = p + (ymax - p) * 0.45;
            let (_, ay) = at(0.0, arrow_v);
            if let Some(bw) = sh.get("build_weeks") {
                let (xa, _) = at(0.0, 0.0);
                let (xb, _) = at(bw * y, 0.0);
                span_arrow(area, xa, xb, ay, BLUE)?;
                put_boxed(
                    area,
                    &format!("built up in {}", duration(bw * y)),
                    &style::bold(style::NOTE, BLUE),
                    HPos::Center,
                    VPos::Bottom,
                    ((xa + xb) / 2, ay - 14),
                )?;
                let (_, yp) = at(0.0, p);
                dashed_line(area, (xb, ay), (xb, yp), BLUE.stroke_width(2), 5.0, 5.0)?;
            }
            if let Some(h) = sh.get("weeks_to_half_loss") {
                let (xa, _) = at(shock_year, 0.0);
                let (xb, _) = at(shock_year + h * y, 0.0);
                span_arrow(area, xa, xb, ay, VERMILLION)?;
                let half = pre.zip(trough).map(|(p, t)| p - 0.5 * (p - t)).unwrap_or(p);
                let (_, yh) = at(0.0, half);
                dashed_line(
                    area,
                    (xb, ay),
                    (xb, yh),
                    VERMILLION.stroke_width(2),
                    5.0,
                    5.0,
                )?;
                put_boxed(
                    area,
                    &format!("lost half in {}", duration(h * y)),
                    &style::bold(style::NOTE, VERMILLION),
                    HPos::Left,
                    VPos::Bottom,
                    (xa + 10, ay - 16),
                )?;
            }
        }
        layout.draw_lane(area, &events, lane_top, py.start)?;
        self.panel(area, sh, w - PANEL + 20, py.start)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words() {
        assert_eq!(duration(4.53), "4.5 years");
        assert_eq!(duration(0.97), "1 year");
        assert_eq!(duration(0.5), "6 months");
        assert_eq!(duration(7.0 / 365.25), "1 week");
        assert_eq!(duration(3.0 * 7.0 / 365.25), "3 weeks");
    }
}
