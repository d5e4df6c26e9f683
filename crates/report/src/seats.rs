//! The seats-that-matter figure of `culturesim risk`: the paired loss of
//! final culture when one seat alone goes to a non-aligned successor, for
//! the most exposed seats, with 95% intervals; the seats that carry 80% of
//! the total loss drawn in the shock colour; and [`files`], the study's
//! figure files and report page.

use super::canvas::{self, Chart, DrawResult, HouseMesh, LEFT};
use super::style::{self, BLUE, INK, VERMILLION};
use culturesim_core::decide::risk::Risk;
use culturesim_core::decide::risk_study::Study;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The figure.
pub struct SeatsChart<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// The analysis.
    pub risk: &'a Risk,
    /// Seats shown (the first of the ranking).
    pub shown: usize,
}

impl Chart for SeatsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let r = self.risk;
        let seats = &r.seats[..self.shown.min(r.seats.len())];
        let top = canvas::title(
            area,
            "Which seats matter",
            &format!(
                "{} · loss if that seat alone gets a non-aligned successor ({}); {}, paired; red: 80% of the risk",
                self.scenario,
                r.alignment,
                canvas::runs(r.stress.runs as usize)
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let hi = seats.iter().map(|s| s.loss_ci[1]).fold(0.01f64, f64::max) * 1.1;
        let lo = seats.iter().map(|s| s.loss_ci[0]).fold(0.0f64, f64::min);
        let n = seats.len().max(1);
        let names: Vec<String> = seats.iter().map(|s| s.name.clone()).collect();
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(16)
            .x_label_area_size(110)
            .y_label_area_size(110)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)?;
        chart
            .configure_mesh()
            .x_desc("seat (ranked by loss)")
            .y_desc("loss of final culture")
            .x_labels(n)
            .y_labels(6)
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.2}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        chart.draw_series(seats.iter().enumerate().map(|(i, s)| {
            let c = if s.top80 { VERMILLION } else { BLUE };
            Rectangle::new(
                [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, s.loss)],
                c.filled(),
            )
        }))?;
        chart.draw_series(seats.iter().enumerate().map(|(i, s)| {
            PathElement::new(
                vec![(i as f64, s.loss_ci[0]), (i as f64, s.loss_ci[1])],
                INK.stroke_width(3),
            )
        }))?;
        Ok(())
    }
}
/// The drawn files of risk study `s`: plots/seats.svg, plots/seats.png
/// and report.html (name, bytes), in that order.
pub fn files(s: &Study) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use crate::report::{esc, page_end, page_start, risk_section};
    let name = s.scenario.name();
    let fig = canvas::render(
        "seats",
        format!(
            "Loss of final culture if one seat alone gets a non-aligned successor at {}; the {} most exposed seats.",
            s.year(s.at),
            s.shown
        ),
        &SeatsChart {
            scenario: name,
            risk: &s.risk,
            shown: s.shown,
        },
    )?;
    let mut page = page_start(&format!("{name} — culture at risk"));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim risk</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">seats change hands at {} · horizon {} · seed {}</p>\n</header>\n",
        esc(name),
        esc(&s.scenario.raw.description),
        s.year(s.at),
        s.year(s.horizon),
        s.scenario.seed
    ));
    page.push_str(&risk_section(
        &s.risk,
        &s.findings,
        std::slice::from_ref(&fig),
        s.shown,
    ));
    page.push_str(&page_end());
    Ok(vec![
        ("plots/seats.svg".into(), fig.svg.into_bytes()),
        ("plots/seats.png".into(), fig.png),
        ("report.html".into(), page.into_bytes()),
    ])
}
