//! `culturesim compare`: several finished runs (e.g. with and without a
//! community of practice) overlaid in one set of charts — the culture
//! trajectories, the key metrics as small multiples, the final outcomes
//! side by side — and one report with the key numbers of every run in a
//! table and sentences comparing each run with the first.

use super::canvas::{self, Chart, DrawResult, Figure, HouseMesh, Key, LEFT, legend, nice_max, put};
use super::culture::{RIGHT, Y_LABELS, band_polygon, line};
use super::data::RunData;
use super::metrics::{PANELS, draw_panel};
use super::narrative::key_numbers;
use super::report::{cards, esc, figures_html, page_end, page_start};
use super::shock::duration;
use super::style::{self, INK, MUTED};
use super::timeline::{Layout, Point, Timeline, Tone};
use super::{PLOTS, REPORT, Rendered, write_outputs};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Runs to compare, each with its legend name.
pub struct Compared<'a> {
    runs: &'a [RunData],
    labels: &'a [String],
}

impl Compared<'_> {
    fn span(&self) -> f64 {
        self.runs
            .iter()
            .map(RunData::span_years)
            .fold(0.0, f64::max)
    }

    fn keys(&self) -> Vec<(Key, String)> {
        self.labels
            .iter()
            .enumerate()
            .map(|(i, l)| (Key::Line(style::series(i), 5), l.clone()))
            .collect()
    }

    /// One-off events of all runs: shared ones in their usual colour,
    /// those of only some runs in the colour of the first run that has them.
    fn timeline(&self) -> Timeline {
        let mut points: Vec<Point> = Vec::new();
        let all: Vec<Timeline> = self.runs.iter().map(Timeline::of).collect();
        for (i, tl) in all.iter().enumerate() {
            for p in &tl.points {
                let shared = all.iter().all(|t| {
                    t.points
                        .iter()
                        .any(|q| q.label == p.label && (q.year - p.year).abs() < 1e-9)
                });
                if points
                    .iter()
                    .any(|q| q.label.starts_with(&p.label) && (q.year - p.year).abs() < 1e-9)
                {
                    continue;
                }
                let mut p = p.clone();
                if !shared {
                    p.label = format!("{} ({})", p.label, self.labels[i]);
                    p.tone = if i == 0 { p.tone } else { Tone::Neutral };
                }
                points.push(p);
            }
        }
        Timeline {
            points,
            recurring: Vec::new(),
            spans: Vec::new(),
        }
    }
}

/// Culture trajectories overlaid.
struct CultureOverlay<'a>(&'a Compared<'a>);

impl Chart for CultureOverlay<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let c = self.0;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let head = canvas::title(
            area,
            "Learning culture over time, compared",
            "mean of each run's replicates (line) and the middle 50% of them (band)",
        )?;
        legend(area, &c.keys(), w - 36, 44)?;
        let span = c.span();
        let tl = c.timeline();
        let layout = Layout::new(&tl, LEFT + Y_LABELS, w - RIGHT, 0.0, span);
        let lane_top = head + 8;
        let (_, lower) = area.split_vertically(lane_top + layout.height());
        let top = c
            .runs
            .iter()
            .filter_map(|r| r.series.bands("culture"))
            .flat_map(|b| b.p75.iter().copied())
            .filter(|v| !v.is_nan())
            .fold(0.0, f64::max);
        let ymax = nice_max(top + 0.02).min(1.0);
        let mut chart = super::culture::culture_axes(&lower, span, ymax, RIGHT, 6)?;
        let (_, py) = chart.plotting_area().get_pixel_range();
        layout.draw_lines(area, &tl, py.start, py.end)?;
        let series: Vec<(Vec<f64>, &super::data::Bands, RGBColor)> = c
            .runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let b = r.series.bands("culture")?;
                Some((
                    (0..b.len()).map(|s| r.years(s as f64)).collect(),
                    b,
                    style::series(i),
                ))
            })
            .collect();
        for (xs, b, color) in &series {
            chart.draw_series(std::iter::once(Polygon::new(
                band_polygon(xs, &b.p25, &b.p75),
                color.mix(0.18).filled(),
            )))?;
        }
        for (xs, b, color) in &series {
            chart.draw_series(std::iter::once(PathElement::new(
                line(xs, &b.mean),
                color.stroke_width(4),
            )))?;
        }
        layout.draw_lane(area, &tl, lane_top, py.start)?;
        // Final levels at the right end, nudged apart so they do not overlap.
        let mut ends: Vec<(i32, f64, RGBColor)> = series
            .iter()
            .filter_map(|(xs, b, color)| {
                let v = *b.mean.last()?;
                let (x, y) = chart.backend_coord(&(*xs.last()?, v));
                area.draw(&Circle::new((x, y), 7, color.filled())).ok()?;
                Some((y, v, *color))
            })
            .collect();
        ends.sort_by_key(|e| e.0);
        let mut last = i32::MIN;
        let (px, _) = chart.plotting_area().get_pixel_range();
        for (y, v, color) in ends {
            let y = y.max(last + 28);
            last = y;
            put(
                area,
                &format!("{v:.2}"),
                &style::bold(style::NOTE, color),
                HPos::Left,
                VPos::Center,
                (px.end + 14, y),
            )?;
        }
        Ok(())
    }
}

/// Small multiples overlaid.
struct MetricsOverlay<'a>(&'a Compared<'a>);

impl Chart for MetricsOverlay<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let c = self.0;
        let (w, _) = area.dim_in_pixel();
        let head = canvas::title(
            area,
            "Key metrics over time, compared",
            "mean of each run's replicates (line) and the middle 50% (band)",
        )?;
        legend(area, &c.keys(), w as i32 - 36, 44)?;
        let span = c.span();
        let tl = c.timeline();
        let (_, body) = area.split_vertically(head + 6);
        let body = body.margin(0, 0, LEFT - 14, 16);
        let panels = body.split_evenly((2, 4));
        for (i, (p, a)) in PANELS.iter().zip(panels.iter()).enumerate() {
            let series: Vec<(&super::data::Bands, RGBColor)> = c
                .runs
                .iter()
                .enumerate()
                .filter_map(|(k, r)| Some((r.series.bands(p.metric)?, style::series(k))))
                .collect();
            if series.is_empty() {
                continue;
            }
            // Time axes differ only if the runs differ in length; use the longest.
            let longest = c
                .runs
                .iter()
                .max_by(|a, b| a.span_years().total_cmp(&b.span_years()))
                .expect("at least one run");
            let n = series.iter().map(|(b, _)| b.len()).max().unwrap_or(0);
            let xs: Vec<f64> = (0..n).map(|s| longest.years(s as f64)).collect();
            draw_panel(a, p, &series, &xs, span, Some(&tl), i >= 4, false)?;
        }
        Ok(())
    }
}

/// Final culture of every replicate, one row per run.
struct OutcomesOverlay<'a>(&'a Compared<'a>);

impl Chart for OutcomesOverlay<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let c = self.0;
        let head = canvas::title(
            area,
            "How the runs ended, compared",
            "final learning culture of every replicate (dots), the middle 50% (box) and the mean (bar)",
        )?;
        let finals: Vec<Vec<f64>> = c.runs.iter().map(|r| r.series.finals("culture")).collect();
        let (lo, hi) = super::teams::color_range(&finals);
        let (_, lower) = area.split_vertically(head + 10);
        let label_w = c
            .labels
            .iter()
            .map(|l| canvas::text_width(l, &style::bold(style::NOTE, INK)))
            .max()
            .unwrap_or(100)
            .clamp(100, 520)
            + 40;
        let n = c.runs.len();
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(16)
            .x_label_area_size(84)
            .y_label_area_size(label_w)
            .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_desc("learning culture at the end (0–1)")
            .x_label_formatter(&|v| format!("{v:.2}"))
            .house(style::AXIS, style::TICK)
            .draw()?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        for (i, v) in finals.iter().enumerate() {
            let color = style::series(i);
            let row = (n - 1 - i) as f64;
            let mut sorted: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            if sorted.is_empty() {
                continue;
            }
            let q = |p: f64| culturesim_core::analysis::stats::percentile(&sorted, p);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(q(0.25), row + 0.3), (q(0.75), row + 0.7)],
                style::tint(color, 0.75).filled(),
            )))?;
            // Dots, spread vertically by rank so that equal values stay visible.
            let radius = if v.len() <= 50 { 9 } else { 6 };
            chart.draw_series(v.iter().enumerate().filter(|(_, x)| !x.is_nan()).map(
                |(k, &x)| {
                    let jitter = ((k * 7919) % 97) as f64 / 97.0;
                    Circle::new((x, row + 0.32 + 0.36 * jitter), radius, color.filled())
                },
            ))?;
            let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(mean, row + 0.2), (mean, row + 0.8)],
                INK.stroke_width(4),
            )))?;
            let (_, y) = chart.backend_coord(&(lo, row + 0.5));
            put(
                area,
                &c.labels[i],
                &style::bold(style::NOTE, color),
                HPos::Right,
                VPos::Center,
                (px.start - 20, y - 14),
            )?;
            put(
                area,
                &format!("mean {mean:.2}"),
                &style::text(style::SMALL, MUTED),
                HPos::Right,
                VPos::Center,
                (px.start - 20, y + 16),
            )?;
        }
        Ok(())
    }
}

/// The figures of a comparison.
pub fn figures(runs: &[RunData], labels: &[String]) -> anyhow::Result<Vec<Figure>> {
    let c = Compared { runs, labels };
    Ok(vec![
        canvas::render(
            "culture",
            "Learning culture of the compared runs: mean of the replicates with the middle 50%."
                .into(),
            &CultureOverlay(&c),
        )?,
        canvas::render(
            "metrics",
            "The other key metrics of the compared runs: means and middle 50%.".into(),
            &MetricsOverlay(&c),
        )?,
        canvas::render(
            "outcomes",
            "Final learning culture of every replicate of each run.".into(),
            &OutcomesOverlay(&c),
        )?,
    ])
}

/// Sentences comparing every run with the first.
pub fn sentences(runs: &[RunData], labels: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let fin = |r: &RunData, m: &str| r.summary.final_stats(m).map(|s| s.mean);
    let (Some(base), Some(base_label)) = (runs.first(), labels.first()) else {
        return out;
    };
    for (r, l) in runs.iter().zip(labels).skip(1) {
        if let (Some(a), Some(b)) = (fin(base, "culture"), fin(r, "culture")) {
            let word = if b > a + 0.005 {
                "higher"
            } else if b < a - 0.005 {
                "lower"
            } else {
                "about the same"
            };
            out.push(format!(
                "\u{201c}{l}\u{201d} ended with a learning culture of {b:.2}, against {a:.2} for \u{201c}{base_label}\u{201d} ({}{:.2}, {word}).",
                if b >= a { "+" } else { "−" },
                (b - a).abs()
            ));
        }
        let loss = |r: &RunData| r.summary.shock.as_ref().and_then(|s| s.get("loss"));
        let half = |r: &RunData| {
            r.summary
                .shock
                .as_ref()
                .and_then(|s| s.get("years_to_half_loss"))
        };
        if let (Some(a), Some(b)) = (loss(base), loss(r)) {
            out.push(format!(
                "After the shock, \u{201c}{l}\u{201d} lost {:.0}% of its culture at the lowest point, against {:.0}% for \u{201c}{base_label}\u{201d}{}.",
                b * 100.0,
                a * 100.0,
                match (half(base), half(r)) {
                    (Some(x), Some(y)) => format!(
                        "; half of the loss took {} against {}",
                        duration(y),
                        duration(x)
                    ),
                    _ => String::new(),
                }
            ));
        }
        if let (Some(a), Some(b)) = (fin(base, "knowledge"), fin(r, "knowledge")) {
            out.push(format!(
                "Final knowledge: {b:.2} with \u{201c}{l}\u{201d}, {a:.2} with \u{201c}{base_label}\u{201d}."
            ));
        }
    }
    out
}

/// Key numbers of every run as one table (rows: numbers, columns: runs).
fn table(runs: &[RunData], labels: &[String]) -> String {
    let all: Vec<Vec<super::narrative::KeyNumber>> = runs.iter().map(key_numbers).collect();
    let mut rows: Vec<String> = Vec::new();
    for k in all.iter().flatten() {
        if !rows.contains(&k.label) {
            rows.push(k.label.clone());
        }
    }
    let mut h = String::from("<table>\n<tr><th></th>");
    for l in labels {
        h.push_str(&format!("<th class=\"num\">{}</th>", esc(l)));
    }
    h.push_str("</tr>\n");
    for row in rows {
        h.push_str(&format!("<tr><td>{}</td>", esc(&row)));
        for nums in &all {
            let v = nums
                .iter()
                .find(|k| k.label == row)
                .map_or("–".to_string(), |k| k.value.clone());
            h.push_str(&format!("<td class=\"num\">{}</td>", esc(&v)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    h
}

/// The comparison report.
pub fn report(runs: &[RunData], labels: &[String], figs: &[Figure]) -> String {
    let title = labels.join(" vs ");
    let mut h = page_start(&format!("{title} — culturesim comparison"));
    h.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim comparison</p>\n<h1>{}</h1>\n<p class=\"lead\">{} runs compared, the first as the baseline.</p>\n</header>\n",
        esc(&title),
        runs.len()
    ));
    h.push_str("<section id=\"runs\">\n<h2>The runs</h2>\n<ul class=\"findings\">\n");
    for (r, l) in runs.iter().zip(labels) {
        h.push_str(&format!(
            "<li><b>{}</b> — scenario <i>{}</i> ({} runs, {:.1} years, seed {}), from <code>{}</code>. {}</li>\n",
            esc(l),
            esc(&r.summary.scenario),
            r.series.n_runs(),
            r.span_years(),
            r.summary.seed,
            esc(&r.dir.display().to_string()),
            esc(&r.scenario.description)
        ));
    }
    h.push_str("</ul>\n</section>\n<section id=\"key-numbers\">\n<h2>Key numbers</h2>\n");
    h.push_str(&table(runs, labels));
    h.push_str(
        "</section>\n<section id=\"findings\">\n<h2>What differs</h2>\n<ul class=\"findings\">\n",
    );
    for s in sentences(runs, labels) {
        h.push_str(&format!("<li>{}</li>\n", esc(&s)));
    }
    h.push_str("</ul>\n</section>\n<section id=\"figures\">\n<h2>Figures</h2>\n");
    h.push_str(&figures_html(figs, &format!("{PLOTS}/")));
    h.push_str("</section>\n<section id=\"per-run\">\n<h2>Each run</h2>\n");
    for (r, l) in runs.iter().zip(labels) {
        h.push_str(&format!("<h3>{}</h3>\n", esc(l)));
        h.push_str(&cards(&key_numbers(r)));
        if !r.manifest.is_empty() {
            h.push_str(&format!(
                "<details><summary>manifest.json of {}</summary><pre>{}</pre></details>\n",
                esc(l),
                esc(r.manifest.trim_end())
            ));
        }
    }
    h.push_str("</section>\n");
    h.push_str(&page_end());
    h
}

/// Render the comparison of `runs` into `out` (`plots/*.png|svg` and
/// `report.html`).
pub fn render(runs: &[RunData], labels: &[String], out: &Path) -> anyhow::Result<Rendered> {
    let figs = figures(runs, labels)?;
    let html = report(runs, labels, &figs);
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create output folder '{}': {e}", out.display()))?;
    let done = write_outputs(out, &figs, &html)?;
    debug_assert!(done.report.ends_with(REPORT));
    Ok(done)
}
