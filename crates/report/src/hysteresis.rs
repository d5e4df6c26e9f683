//! The bifurcation diagram of a hysteresis scan: equilibrium culture from a
//! low-culture start and from a high-culture start against one parameter,
//! with the bistable range (where the two branches differ) shaded.

use super::canvas::{self, Chart, DrawResult, HouseMesh, LEFT};
use super::style::{self, AXIS_LINE, BLUE, INK, VERMILLION};
use plotters::coord::Shift;
use plotters::prelude::*;

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

/// The bistable range: the smallest and largest scanned values whose
/// branches differ by more than `gap` (None if none do).
pub fn bistable_range(rows: &Branches, gap: f64) -> Option<(f64, f64)> {
    let inside: Vec<f64> = rows
        .iter()
        .filter(|r| r.2 - r.1 > gap)
        .map(|r| r.0)
        .collect();
    Some((*inside.first()?, *inside.last()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_of_differing_branches() {
        let rows = [
            (0.1, 0.2, 0.2),
            (0.2, 0.2, 0.6),
            (0.3, 0.25, 0.7),
            (0.4, 0.7, 0.7),
        ];
        assert_eq!(bistable_range(&rows, 0.1), Some((0.2, 0.3)));
        assert_eq!(bistable_range(&rows[..1], 0.1), None);
    }

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
