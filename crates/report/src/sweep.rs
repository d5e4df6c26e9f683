//! Figures of a sweep: the effect of each swept parameter on a metric
//! (mean and 95% CI per point, lines through the points of a one-parameter
//! design), a heatmap over a two-parameter grid, and a tornado chart of
//! lever importance (sensitivity indices, or the swing of a sweep's main
//! effects). Plus the self-contained report page shared by `sweep`,
//! `sensitivity` and `hysteresis`, and [`render`], which draws a sweep
//! folder's figures, table and page from its files.

use super::canvas::{self, Chart, DrawResult, Figure, HouseMesh, LEFT, put};
use super::report::{esc, figures_html, page_end, page_start};
use super::style::{self, BLUE, INK, MUTED};
use culturesim_core::export::atomic;
use culturesim_core::export::timeseries::format_value;
use culturesim_core::model::Models;
use culturesim_core::sweep::Sweep;
use culturesim_core::sweep::results::{main_effect_swings, point_results};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

pub use culturesim_core::sweep::results::PointResult;

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
    /// 95% intervals of the values, in the order of `bars` (empty: none).
    pub intervals: &'a [(f64, f64)],
}

impl Chart for Tornado<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(
            area,
            "Which levers matter most",
            &format!("{} · {}", self.scenario, self.measure),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        type Bar = (String, f64, Option<(f64, f64)>);
        let mut bars: Vec<Bar> = self
            .bars
            .iter()
            .enumerate()
            .map(|(i, (n, v))| (n.clone(), *v, self.intervals.get(i).copied()))
            .collect();
        bars.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let n = bars.len().max(1);
        let max = bars
            .iter()
            .map(|b| b.2.map_or(b.1, |c| c.1.max(b.1)))
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.1;
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
        for (i, (name, v, ci)) in bars.iter().enumerate() {
            let y = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.18), (v.max(0.0), y + 0.82)],
                style::series(0).filled(),
            )))?;
            let mut end = v.max(0.0);
            if let Some((lo, hi)) = ci {
                let (lo, hi) = (lo.max(0.0), hi.max(0.0));
                for seg in [
                    vec![(lo, y + 0.5), (hi, y + 0.5)],
                    vec![(lo, y + 0.36), (lo, y + 0.64)],
                    vec![(hi, y + 0.36), (hi, y + 0.64)],
                ] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(seg, INK.stroke_width(2))))?;
                }
                end = end.max(hi);
            }
            chart.draw_series(std::iter::once(Text::new(
                format!("  {name}  {v:.3}"),
                (end, y + 0.5),
                label.clone(),
            )))?;
        }
        Ok(())
    }
}

/// A heatmap of a metric over a two-parameter grid: one cell per pair of
/// values (in value order, whatever their spacing), coloured on viridis
/// over the data's range and labelled with the mean.
pub struct Heatmap<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// What the cells show, e.g. "final culture".
    pub measure: &'a str,
    /// The two parameter names (x, then y).
    pub names: [&'a str; 2],
    /// (x value, y value, mean), one per point.
    pub cells: &'a [(f64, f64, f64)],
}

/// The distinct values of `v`, sorted.
fn levels(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut l: Vec<f64> = v.collect();
    l.sort_by(f64::total_cmp);
    l.dedup();
    l
}

impl Chart for Heatmap<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = canvas::title(
            area,
            &format!(
                "{} over {} and {}",
                self.measure, self.names[0], self.names[1]
            ),
            &format!(
                "{} · mean of the replicates at every grid point; darker is lower",
                self.scenario
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let xs = levels(self.cells.iter().map(|c| c.0));
        let ys = levels(self.cells.iter().map(|c| c.1));
        let (nx, ny) = (xs.len().max(1), ys.len().max(1));
        let (lo, hi) = self
            .cells
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| {
                (a.min(c.2), b.max(c.2))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(200)
            .margin_top(6)
            .margin_bottom(16)
            .x_label_area_size(78)
            .y_label_area_size(120)
            .build_cartesian_2d(-0.5f64..nx as f64 - 0.5, -0.5f64..ny as f64 - 0.5)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx.min(12))
            .y_labels(ny.min(12))
            .x_label_formatter(&|v| tick_label(&xs, *v))
            .y_label_formatter(&|v| tick_label(&ys, *v))
            .x_desc(self.names[0])
            .y_desc(self.names[1])
            .house(style::AXIS, style::TICK)
            .draw()?;
        let label = |v: f64| {
            let t = (v - lo) / span;
            let c = if t > 0.6 { INK } else { style::WHITE_LINE };
            canvas::anchored(
                style::bold(
                    if nx * ny > 64 {
                        style::SMALL
                    } else {
                        style::NOTE
                    },
                    c,
                ),
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            )
        };
        for &(x, y, v) in self.cells {
            let i = xs.iter().position(|&a| a == x).unwrap_or(0) as f64;
            let j = ys.iter().position(|&a| a == y).unwrap_or(0) as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)],
                style::viridis((v - lo) / span).filled(),
            )))?;
            if nx * ny <= 144 {
                chart.draw_series(std::iter::once(Text::new(
                    format!("{v:.2}"),
                    (i, j),
                    label(v),
                )))?;
            }
        }
        colour_bar(area, top, lo, span)
    }
}

/// The label of tick `v` on an axis of grid `l`: the level at a whole
/// index (short, or to three decimals), nothing between.
fn tick_label(l: &[f64], v: f64) -> String {
    let i = v.round() as isize;
    if (v - v.round()).abs() < 1e-6 && i >= 0 && (i as usize) < l.len() {
        let x = l[i as usize];
        let short = format!("{x}");
        if short.len() <= 6 {
            short
        } else {
            format!("{x:.3}")
        }
    } else {
        String::new()
    }
}

/// The heatmap's colour bar at the right of `area`, below `top`: values
/// from `lo` to `lo + span`, labelled at both ends and the middle.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    lo: f64,
    span: f64,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let (bx, by0, by1) = (w as i32 - 150, top + 40, h as i32 - 120);
    let steps = 60;
    for s in 0..steps {
        let t0 = f64::from(s) / f64::from(steps);
        let ya = by1 - ((f64::from(by1 - by0)) * t0) as i32;
        let yb = by1 - ((f64::from(by1 - by0)) * (t0 + 1.0 / f64::from(steps))) as i32;
        area.draw(&Rectangle::new(
            [(bx, yb), (bx + 36, ya)],
            style::viridis(t0 + 0.5 / f64::from(steps)).filled(),
        ))?;
    }
    for (t, v) in [(0.0, lo), (0.5, lo + span / 2.0), (1.0, lo + span)] {
        put(
            area,
            &format!("{v:.2}"),
            &style::text(style::SMALL, MUTED),
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
            (bx + 46, by1 - (f64::from(by1 - by0) * t) as i32),
        )?;
    }
    Ok(())
}

/// What one analysis page shows, besides its figures.
pub struct Page<'a> {
    /// Kind of analysis: "sweep", "sensitivity" or "hysteresis".
    pub kind: &'a str,
    /// Scenario name.
    pub name: &'a str,
    /// Scenario description.
    pub description: &'a str,
    /// Findings in plain sentences (one paragraph each).
    pub findings: &'a [String],
    /// Heading and text of the table.
    pub table: (&'a str, &'a str),
    /// Where the figure files are, relative to the page ("plots/" or "").
    pub prefix: &'a str,
}

/// The self-contained report page of a sweep, a sensitivity analysis or a
/// hysteresis scan: findings, figures, then the table.
pub fn report(page: &Page<'_>, figs: &[Figure]) -> String {
    let mut h = page_start(&format!("{} — {}", page.name, page.kind));
    h.push_str(&format!(
        "<header><p class=\"eyebrow\">culturesim {}</p><h1>{}</h1><p class=\"lead\">{}</p></header>\n",
        esc(page.kind),
        esc(page.name),
        esc(page.description)
    ));
    if !page.findings.is_empty() {
        h.push_str("<h2>Findings</h2>\n");
        for f in page.findings {
            h.push_str(&format!("<p>{}</p>\n", esc(f)));
        }
    }
    h.push_str("<h2>Figures</h2>\n");
    h.push_str(&figures_html(figs, page.prefix));
    h.push_str(&format!(
        "<h2>Table</h2>\n<details open><summary>{}</summary><pre>",
        esc(page.table.0)
    ));
    h.push_str(&esc(page.table.1));
    h.push_str("</pre></details>\n");
    h.push_str(&page_end());
    h
}

/// The sweep's figures and report page, from summary.csv alone (so merged
/// shards draw the same bytes): the model's main metric at the end of the
/// runs (final culture; code knowledge for march1991) against each
/// parameter; a heatmap of it (and, for the learning-culture model, of the
/// share of runs that tipped) when two parameters are swept; a tornado of
/// the parameters' main-effect swings when there are several; and the
/// model's own figures and table (march1991: Figures 1–5 of the paper).
pub fn render(out: &Path, sw: &Sweep) -> anyhow::Result<()> {
    use crate::canvas::render as draw;
    let summary = std::fs::read_to_string(out.join("summary.csv"))?;
    let names = &sw.design.names;
    let metric = sw.base.model.primary_metric();
    let (label, long) = metric_labels(&sw.base.model, metric);
    let culture = point_results(&summary, metric, &sw.design.points);
    // Only the learning-culture model has runs that tip.
    let tipped = point_results(&summary, "tipped", &sw.design.points);
    let mut table = point_table(names, metric, &culture, &tipped);
    let points: Vec<PointResult> = culture.iter().map(|c| c.1.clone()).collect();
    let name = sw.base.name();
    let mut findings = Vec::new();
    let mut figs = vec![draw(
        "effects",
        format!(
            "{long} at every sweep point (mean and 95% CI of its replicates) against each swept parameter."
        ),
        &Effects {
            scenario: name,
            metric,
            names,
            points: &points,
        },
    )?];
    findings.extend(range_finding(label, names, &points));
    if !tipped.is_empty() {
        let tipped_runs = tipped.iter().filter(|t| t.1.mean > 0.0).count();
        findings.push(format!(
            "Runs ended in the low-culture basin (tipped) at {tipped_runs} of {} points.",
            tipped.len()
        ));
    }
    if names.len() == 2 {
        figs.extend(heatmaps(name, names, (label, long), &culture, &tipped)?);
    }
    if names.len() > 1 {
        figs.push(swing(name, names, label, &points, &mut findings)?);
    }
    if let Models::March1991(_) = &sw.base.model {
        let m = crate::march::sweep_outputs(
            out,
            &sw.design,
            name,
            &sw.base.raw.description,
            sw.timeseries_every.is_some(),
        )?;
        figs.splice(0..0, m.figures);
        table = format!("{}\n{table}", m.table);
    }
    write_figures(out, &figs)?;
    let page = report(
        &Page {
            kind: "sweep",
            name,
            description: &sw.base.raw.description,
            findings: &findings,
            table: (
                &format!(
                    "mean {label} per point (95% CI){}",
                    if tipped.is_empty() {
                        ""
                    } else {
                        " and share of runs tipped"
                    }
                ),
                &table,
            ),
            prefix: "plots/",
        },
        &figs,
    );
    atomic::write(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}

/// What the figures call a sweep's main metric `metric`: (short, long).
fn metric_labels<'a>(model: &Models, metric: &'a str) -> (&'a str, &'a str) {
    match model {
        Models::LearningCulture(_) => ("final culture", "Final learning culture"),
        Models::March1991(_) => (
            "final code knowledge",
            "Code knowledge at the end of the runs (equilibrium or the step cap)",
        ),
        Models::Registered(_) => (metric, metric),
    }
}

/// The finding of the main metric's range over the `points` (their
/// parameters `names`): lowest and highest mean and where (none without
/// points).
fn range_finding(label: &str, names: &[String], points: &[PointResult]) -> Option<String> {
    let describe = |p: &PointResult| {
        names
            .iter()
            .zip(&p.values)
            .map(|(n, v)| format!("{n} = {}", format_value(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lo = points.iter().min_by(|a, b| a.mean.total_cmp(&b.mean))?;
    let hi = points.iter().max_by(|a, b| a.mean.total_cmp(&b.mean))?;
    Some(format!(
        "{} ranges from {:.3} (at {}) to {:.3} (at {}) over {} points.",
        upper_first(label),
        lo.mean,
        describe(lo),
        hi.mean,
        describe(hi),
        points.len()
    ))
}

/// The tornado of the parameters' main-effect swings of the main metric
/// (`label`) over the `points`, and into `findings` the vital few
/// parameters that carry 80% of the summed swing.
fn swing(
    name: &str,
    names: &[String],
    label: &str,
    points: &[PointResult],
    findings: &mut Vec<String>,
) -> anyhow::Result<Figure> {
    let swings = main_effect_swings(points, names.len());
    let bars: Vec<(String, f64)> = names.iter().cloned().zip(swings).collect();
    let (few, share) = culturesim_core::analysis::sensitivity::vital_few(&bars, 0.8);
    if !few.is_empty() {
        findings.push(format!(
            "{} of {} parameters carry {:.0}% of the summed main-effect swing of {label}: {}.",
            few.len(),
            names.len(),
            100.0 * share,
            few.join(", ")
        ));
    }
    crate::canvas::render(
        "swing",
        format!(
            "How far each parameter moves {label} on its own: the largest minus the smallest mean over its values (its main effect), with the other parameters averaged over the design."
        ),
        &Tornado {
            scenario: name,
            measure: &format!("main-effect swing of {label}"),
            bars: &bars,
            intervals: &[],
        },
    )
}

/// Write each figure's SVG and PNG into `out`/plots.
fn write_figures(out: &Path, figs: &[Figure]) -> anyhow::Result<()> {
    std::fs::create_dir_all(out.join("plots"))?;
    for fig in figs {
        atomic::write(
            &out.join(format!("plots/{}.svg", fig.name)),
            fig.svg.as_bytes(),
        )?;
        atomic::write(&out.join(format!("plots/{}.png", fig.name)), &fig.png)?;
    }
    Ok(())
}

/// The sweep's table: per point, the parameter values, the main metric's
/// mean and 95% CI and (learning culture) the share of runs tipped.
fn point_table(
    names: &[String],
    metric: &str,
    culture: &[(usize, PointResult)],
    tipped: &[(usize, PointResult)],
) -> String {
    let mut table = format!(
        "{:>6}  {}  {metric} (95% CI){}\n",
        "point",
        names.join("  "),
        if tipped.is_empty() { "" } else { "  tipped" }
    );
    for (p, c) in culture {
        let t = tipped.iter().find(|t| t.0 == *p).map(|t| t.1.mean);
        table.push_str(&format!(
            "{p:>6}  {}  {:.3} [{:.3}, {:.3}]{}\n",
            c.values
                .iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join("  "),
            c.mean,
            c.ci.0,
            c.ci.1,
            t.map(|t| format!("  {:.0}%", 100.0 * t))
                .unwrap_or_default()
        ));
    }
    table
}

/// A two-parameter grid's heatmaps: the main metric, and (learning
/// culture) the share of runs tipped.
fn heatmaps(
    name: &str,
    names: &[String],
    (label, long): (&str, &str),
    culture: &[(usize, PointResult)],
    tipped: &[(usize, PointResult)],
) -> anyhow::Result<Vec<Figure>> {
    let mut figs = Vec::new();
    let heat_caption =
        format!("{long} (mean of the replicates) at every point of the two-parameter grid.");
    let mut maps = vec![("heatmap", label, culture, heat_caption.as_str())];
    if !tipped.is_empty() {
        maps.push((
            "tipped",
            "share of runs tipped",
            tipped,
            "Share of runs that ended in the low-culture basin (fewer than half of the teams above the high-culture threshold) at every grid point.",
        ));
    }
    for (fig, metric, rows, caption) in maps {
        let cells: Vec<(f64, f64, f64)> = rows
            .iter()
            .map(|(_, r)| (r.values[0], r.values[1], r.mean))
            .collect();
        figs.push(crate::canvas::render(
            fig,
            caption.into(),
            &Heatmap {
                scenario: name,
                measure: metric,
                names: [&names[0], &names[1]],
                cells: &cells,
            },
        )?);
    }
    Ok(figs)
}

/// `text` with its first letter in upper case.
fn upper_first(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
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
                intervals: &[(0.25, 0.35), (0.05, 0.2)],
            },
        )
        .unwrap();
        assert!(t.svg.contains("<svg"));
        let cells: Vec<(f64, f64, f64)> = (0..12)
            .map(|i| {
                (
                    f64::from(i % 4) * 0.1,
                    f64::from(i / 4),
                    f64::from(i) / 12.0,
                )
            })
            .collect();
        let hm = canvas::render(
            "heatmap",
            "h".into(),
            &Heatmap {
                scenario: "s",
                measure: "final culture",
                names: ["a", "b"],
                cells: &cells,
            },
        )
        .unwrap();
        // Every cell is labelled with its mean.
        assert!(hm.svg.contains("\n0.92\n</text>") && hm.svg.contains("\n0.00\n</text>"));
        let page = report(
            &Page {
                kind: "sweep",
                name: "s",
                description: "d",
                findings: &["It <works>.".to_string()],
                table: ("points", "table"),
                prefix: "plots/",
            },
            &[f, t, hm],
        );
        assert!(page.contains("fig-effects") && page.contains("fig-tornado"));
        assert!(page.contains("fig-heatmap") && page.contains("It &lt;works&gt;."));
    }
}
