//! The bifurcation diagram of a hysteresis scan: equilibrium culture from a
//! low-culture start and from a high-culture start against one parameter,
//! with the bistable range (where the two branches differ) shaded; and
//! [`write_report`], the scan's figure files and report page.

use super::canvas::{self, Chart, DrawResult, HouseMesh, LEFT};
use super::style::{self, AXIS_LINE, BLUE, INK, VERMILLION};
use culturesim_core::export::atomic;
use culturesim_core::sweep::hysteresis::{Options, Scan};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One scanned value: (parameter value, low-start equilibrium, high-start equilibrium).
pub type Branches = [(f64, f64, f64)];

/// The diagram.
pub struct Hysteresis<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Swept key path.
    pub param: &'a str,
    /// The scan.
    pub rows: &'a Branches,
    /// The bistable range, if any.
    pub bistable: Option<(f64, f64)>,
    /// Replicates per branch and value.
    pub replicates: u32,
}

impl Chart for Hysteresis<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let range = match self.bistable {
            Some((a, b)) => format!("bistable for {} in [{a:.3}, {b:.3}]", self.param),
            None => "no bistable range found".to_string(),
        };
        let top = canvas::title(
            area,
            "Two equilibria: where the start decides",
            &format!(
                "{} · equilibrium culture from a low and a high start, mean of {}; {range}",
                self.scenario,
                canvas::runs(self.replicates as usize)
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let lo = self.rows.first().map_or(0.0, |r| r.0);
        let hi = self.rows.last().map_or(1.0, |r| r.0).max(lo + 1e-9);
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
            .x_desc(self.param)
            .y_desc("equilibrium learning culture (0–1)")
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{v:.2}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        if let Some((a, b)) = self.bistable {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, 1.0)],
                style::tint(style::YELLOW, 0.7).filled(),
            )))?;
        }
        for (pick, color, label) in [
            (0usize, VERMILLION, "from a low-culture start"),
            (1, BLUE, "from a high-culture start"),
        ] {
            let pts: Vec<(f64, f64)> = self
                .rows
                .iter()
                .map(|r| (r.0, if pick == 0 { r.1 } else { r.2 }))
                .collect();
            chart
                .draw_series(std::iter::once(PathElement::new(
                    pts.clone(),
                    color.stroke_width(4),
                )))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 40, y)], color.stroke_width(4))
                });
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 7, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .legend_area_size(60)
            .label_font(style::text(style::NOTE, INK))
            .background_style(WHITE.mix(0.9))
            .border_style(AXIS_LINE)
            .draw()?;
        Ok(())
    }
}

pub use culturesim_core::sweep::hysteresis::bistable_range;

/// Draw the bifurcation diagram (hysteresis.svg, hysteresis.png) of scan
/// `s` and its report page into `out` (the folder exists: the core wrote
/// the scan's data files there).
pub fn write_report(out: &Path, a: &Options, s: &Scan) -> anyhow::Result<()> {
    let fig = canvas::render(
        "hysteresis",
        String::new(),
        &Hysteresis {
            scenario: &s.name,
            param: &a.param,
            rows: &s.rows,
            bistable: s.bistable,
            replicates: a.replicates,
        },
    )?;
    atomic::write(&out.join("hysteresis.svg"), fig.svg.as_bytes())?;
    atomic::write(&out.join("hysteresis.png"), &fig.png)?;
    let finding = match s.bistable {
        Some((x, y)) => format!(
            "Bistable for {} from {x} to {y}: there an organization that starts with a low culture settles low and one that starts high stays high (branches more than {} apart). The history decides the outcome.",
            a.param, a.gap
        ),
        None => format!(
            "No bistable range over {} from {} to {}: both starts settle at the same culture (within {}).",
            a.param, a.from, a.to, a.gap
        ),
    };
    let mut table = format!("{:>12}  low start  high start  gap\n", a.param);
    for (v, l, h) in &s.rows {
        table.push_str(&format!("{v:>12.4}  {l:>9.3}  {h:>10.3}  {:.3}\n", h - l));
    }
    let page = crate::sweep::report(
        &crate::sweep::Page {
            kind: "hysteresis",
            name: &s.name,
            description: &format!(
                "Equilibrium culture from a low and from a high start, {} replicates per value, {} steps.",
                a.replicates, a.steps
            ),
            findings: &[finding],
            table: ("equilibrium culture per value", &table),
            prefix: "",
        },
        &[fig],
    );
    atomic::write(&out.join("report.html"), page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagram_renders() {
        let rows = [(0.1, 0.2, 0.2), (0.2, 0.2, 0.6), (0.3, 0.7, 0.7)];
        let f = canvas::render(
            "hysteresis",
            "test".into(),
            &Hysteresis {
                scenario: "x",
                param: "leaders.alignment",
                rows: &rows,
                bistable: bistable_range(&rows, 0.1),
                replicates: 4,
            },
        )
        .unwrap();
        assert!(f.svg.contains("<svg"));
        assert!(f.png.len() > 1000);
    }
}
