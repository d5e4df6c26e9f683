//! Figures of a sweep: the effect of each swept parameter on a metric
//! (mean and 95% CI per point, lines through the points of a one-parameter
//! design), and a tornado chart of sensitivity indices. Plus the sweep's
//! self-contained report page.

use super::canvas::{self, Chart, DrawResult, Figure, HouseMesh, LEFT};
use super::report::{esc, figures_html, page_end, page_start};
use super::style::{self, BLUE, INK};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One point of a sweep: its parameter values and the metric's mean and CI.
#[derive(Debug, Clone)]
pub struct PointResult {
    /// Parameter values, in the order of the names.
    pub values: Vec<f64>,
    /// Mean of the metric.
    pub mean: f64,
    /// 95% CI of the mean.
    pub ci: (f64, f64),
}

/// Effect panels: one per parameter (at most four), metric against value.
pub struct Effects<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Metric name.
    pub metric: &'a str,
    /// Parameter names.
    pub names: &'a [String],
    /// The points.
    pub points: &'a [PointResult],
}

impl Chart for Effects<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(
            area,
            &format!("What moves the {}", self.metric),
            &format!(
                "{} · final {} per sweep point: mean and 95% CI of its replicates, against each swept parameter",
                self.scenario, self.metric
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let k = self.names.len().clamp(1, 4);
        let cols = if k == 1 { 1 } else { 2 };
        let rows = k.div_ceil(cols);
        let panels = lower.split_evenly((rows, cols));
        let (ylo, yhi) = self
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.ci.0), b.max(p.ci.1))
            });
        let pad = ((yhi - ylo) * 0.1).max(0.01);
        let (ylo, yhi) = ((ylo - pad).max(0.0), yhi + pad);
        for (d, panel) in panels.iter().enumerate().take(k) {
            let xs: Vec<f64> = self.points.iter().map(|p| p.values[d]).collect();
            let (xlo, xhi) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let xpad = ((xhi - xlo) * 0.05).max(1e-6);
            let mut chart = ChartBuilder::on(panel)
                .margin_left(LEFT)
                .margin_right(30)
                .margin_top(6)
                .margin_bottom(8)
                .x_label_area_size(64)
                .y_label_area_size(90)
                .build_cartesian_2d(xlo - xpad..xhi + xpad, ylo..yhi)?;
            chart
                .configure_mesh()
                .x_desc(self.names[d].as_str())
                .y_desc(self.metric)
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&|v| format!("{v:.3}"))
                .y_label_formatter(&|v| format!("{v:.2}"))
                .house(style::SMALL, style::SMALL)
                .draw()?;
            if self.names.len() == 1 {
                let mut line: Vec<(f64, f64)> =
                    self.points.iter().map(|p| (p.values[0], p.mean)).collect();
                line.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut band: Vec<(f64, f64)> =
                    self.points.iter().map(|p| (p.values[0], p.ci.1)).collect();
                band.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut lower: Vec<(f64, f64)> =
                    self.points.iter().map(|p| (p.values[0], p.ci.0)).collect();
                lower.sort_by(|a, b| b.0.total_cmp(&a.0));
                band.extend(lower);
                chart.draw_series(std::iter::once(Polygon::new(
                    band,
                    style::tint(BLUE, 0.75).filled(),
                )))?;
                chart.draw_series(std::iter::once(PathElement::new(
                    line,
                    BLUE.stroke_width(4),
                )))?;
            }
            for p in self.points {
                let x = p.values[d];
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, p.ci.0), (x, p.ci.1)],
                    BLUE.mix(0.6).stroke_width(2),
                )))?;
                chart.draw_series(std::iter::once(Circle::new((x, p.mean), 5, BLUE.filled())))?;
            }
        }
        Ok(())
    }
}

/// A tornado chart: one bar per factor, longest on top.
pub struct Tornado<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// What the bars measure, e.g. "Morris μ* of final culture".
    pub measure: &'a str,
    /// (factor, value), any order.
    pub bars: &'a [(String, f64)],
}

impl Chart for Tornado<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(
            area,
            "Which levers matter most",
            &format!("{} · {}", self.scenario, self.measure),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let mut bars = self.bars.to_vec();
        bars.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let n = bars.len().max(1);
        let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-9) * 1.1;
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(16)
            .x_label_area_size(70)
            .y_label_area_size(20)
            .build_cartesian_2d(0f64..max * 1.6, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(self.measure)
            .x_labels(6)
            .x_label_formatter(&|v| {
                if *v <= max {
                    format!("{v:.2}")
                } else {
                    String::new()
                }
            })
            .house(style::AXIS, style::TICK)
            .draw()?;
        let label = canvas::anchored(
            style::text(style::TICK, INK),
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        );
        for (i, (name, v)) in bars.iter().enumerate() {
            let y = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.18), (v.max(0.0), y + 0.82)],
                style::series(0).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("  {name}  {v:.3}"),
                (v.max(0.0), y + 0.5),
                label.clone(),
            )))?;
        }
        Ok(())
    }
}

/// The sweep's report page: design, a table of the points, figures.
pub fn report(name: &str, description: &str, table: &str, figs: &[Figure]) -> String {
    let mut h = page_start(&format!("{name} — sweep"));
    h.push_str(&format!(
        "<header><p class=\"eyebrow\">culturesim sweep</p><h1>{}</h1><p class=\"lead\">{}</p></header>\n",
        esc(name),
        esc(description)
    ));
    h.push_str("<h2>Figures</h2>\n");
    h.push_str(&figures_html(figs, "plots/"));
    h.push_str("<h2>Points</h2>\n<details open><summary>mean final values per point (95% CI)</summary><pre>");
    h.push_str(&esc(table));
    h.push_str("</pre></details>\n");
    h.push_str(&page_end());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_render() {
        let names = vec!["a".to_string()];
        let pts: Vec<PointResult> = (0..5)
            .map(|i| PointResult {
                values: vec![i as f64],
                mean: 0.1 * i as f64,
                ci: (0.1 * i as f64 - 0.02, 0.1 * i as f64 + 0.02),
            })
            .collect();
        let f = canvas::render(
            "effects",
            "x".into(),
            &Effects {
                scenario: "s",
                metric: "culture",
                names: &names,
                points: &pts,
            },
        )
        .unwrap();
        assert!(f.svg.contains("<svg") && f.png.len() > 1000);
        let bars = vec![("x".to_string(), 0.3), ("y".to_string(), 0.1)];
        let t = canvas::render(
            "tornado",
            "t".into(),
            &Tornado {
                scenario: "s",
                measure: "μ*",
                bars: &bars,
            },
        )
        .unwrap();
        assert!(t.svg.contains("<svg"));
        let page = report("s", "d", "table", &[f, t]);
        assert!(page.contains("fig-effects") && page.contains("fig-tornado"));
    }
}
