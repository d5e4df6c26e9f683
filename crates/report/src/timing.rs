//! The timing curve of `culturesim timing`: against the delay before the
//! remedy, the share of runs that recover (with its Wilson band) and the
//! mean final culture (with its 95% band), the no-harm and never-remedied
//! levels as reference lines, and the critical window shaded; and
//! [`files`], the study's figure files and report page.

use super::canvas::{self, Chart, DrawResult, HouseMesh, LEFT};
use super::culture::XyChart;
use super::style::{self, AXIS_LINE, BLUE, INK, MUTED, VERMILLION};
use culturesim_core::decide::timing::{Row, Timing, Window};
use culturesim_core::decide::timing_study::Study;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The figure.
pub struct TimingChart<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Label of the harmful event.
    pub event: &'a str,
    /// The analysis.
    pub timing: &'a Timing,
    /// Steps per unit of the x axis (e.g. weeks per month).
    pub steps_per_unit: f64,
    /// The x axis unit ("months").
    pub unit: &'a str,
}

impl Chart for TimingChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let t = self.timing;
        let top = canvas::title(
            area,
            "How long can we wait?",
            &format!(
                "{} · {} remedied after each delay; {} per delay, paired with the run without it",
                self.scenario,
                self.event,
                canvas::runs(t.replicates as usize)
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let x = |steps: u32| f64::from(steps) / self.steps_per_unit;
        let rows = &t.rows[2..];
        let lo = rows.first().map_or(0.0, |r| x(r.delay_steps.unwrap_or(0)));
        let hi = rows
            .last()
            .map_or(1.0, |r| x(r.delay_steps.unwrap_or(0)))
            .max(lo + 1e-9);
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(16)
            .x_label_area_size(84)
            .y_label_area_size(110)
            .build_cartesian_2d(lo..hi, 0f64..1f64)?;
        chart
            .configure_mesh()
            .x_desc(format!("delay before the remedy ({})", self.unit))
            .y_desc("share of runs that recover · final culture")
            .x_labels(10)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        if let Window::Between {
            last_ok,
            first_lost,
            ..
        } = t.window
        {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x(last_ok), 0.0), (x(first_lost), 1.0)],
                style::tint(style::YELLOW, 0.6).filled(),
            )))?;
        }
        for (r, color, label) in [
            (&t.rows[0], MUTED, "final culture without the harm"),
            (&t.rows[1], VERMILLION, "final culture, never remedied"),
        ] {
            level(&mut chart, r.final_culture, lo..hi, color, label)?;
        }
        let [share, culture] = delay_points(rows, &x);
        for (pts, color, label) in [
            (&share, BLUE, "share of runs that recover (Wilson 95%)"),
            (&culture, INK, "mean final culture (95% CI)"),
        ] {
            curve(&mut chart, pts, color, label)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .legend_area_size(60)
            .label_font(style::text(style::NOTE, INK))
            .background_style(WHITE.mix(0.9))
            .border_style(AXIS_LINE)
            .draw()?;
        Ok(())
    }
}

/// The points of the two curves at each delay's row (x at `x` of its
/// delay in steps): (x, share that recovers, Wilson low, high) and (x,
/// mean final culture, CI low, high).
fn delay_points(rows: &[Row], x: &dyn Fn(u32) -> f64) -> [Vec<(f64, f64, f64, f64)>; 2] {
    let share = rows
        .iter()
        .map(|r| {
            (
                x(r.delay_steps.unwrap_or(0)),
                r.share,
                r.share_ci[0],
                r.share_ci[1],
            )
        })
        .collect();
    let culture = rows
        .iter()
        .map(|r| {
            (
                x(r.delay_steps.unwrap_or(0)),
                r.final_culture,
                r.final_ci[0],
                r.final_ci[1],
            )
        })
        .collect();
    [share, culture]
}

/// A reference level `y` across the x range `xs`, in the legend as `label`.
fn level<DB: DrawingBackend>(
    chart: &mut XyChart<'_, DB>,
    y: f64,
    xs: std::ops::Range<f64>,
    color: RGBColor,
    label: &str,
) -> DrawResult<DB> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(xs.start, y), (xs.end, y)],
            color.stroke_width(2),
        )))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 40, y)], color.stroke_width(2)));
    Ok(())
}

/// One curve against the delay: its band, its line (in the legend as
/// `label`) and a dot at each delay; `pts` are (x, value, low, high).
fn curve<DB: DrawingBackend>(
    chart: &mut XyChart<'_, DB>,
    pts: &[(f64, f64, f64, f64)],
    color: RGBColor,
    label: &str,
) -> DrawResult<DB> {
    let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
    band.extend(pts.iter().rev().map(|p| (p.0, p.2)));
    chart.draw_series(std::iter::once(Polygon::new(
        band,
        style::tint(color, 0.75).filled(),
    )))?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            pts.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            color.stroke_width(4),
        )))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 40, y)], color.stroke_width(4)));
    chart.draw_series(
        pts.iter()
            .map(|p| Circle::new((p.0, p.1), 7, color.filled())),
    )?;
    Ok(())
}

/// The drawn files of timing study `s`: plots/timing.svg,
/// plots/timing.png and report.html (name, bytes), in that order.
pub fn files(s: &Study) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use crate::report::{esc, page_end, page_start, timing_section};
    let name = s.scenario.name();
    let t = &s.timing;
    let fig = canvas::render(
        "timing",
        format!(
            "Share of runs that recover and final culture against the delay before the remedy of '{}'.",
            s.label
        ),
        &TimingChart {
            scenario: name,
            event: &s.label,
            timing: t,
            steps_per_unit: s.steps_per_unit(),
            unit: s.unit,
        },
    )?;
    let mut page = page_start(&format!("{name} — how long can we wait?"));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim timing</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">event '{}' at step {} · seed {}</p>\n</header>\n",
        esc(name),
        esc(&s.scenario.raw.description),
        esc(&s.event),
        t.event_step,
        s.scenario.seed
    ));
    page.push_str(&timing_section(
        t,
        &s.finding,
        &|d| s.in_unit(f64::from(d)),
        std::slice::from_ref(&fig),
    ));
    page.push_str(&page_end());
    Ok(vec![
        ("plots/timing.svg".into(), fig.svg.into_bytes()),
        ("plots/timing.png".into(), fig.png),
        ("report.html".into(), page.into_bytes()),
    ])
}
