//! The early-warning panel of `culturesim warning`: four panels against
//! time, each the mean over the runs that tipped, the runs that held and
//! (with a twin) the knock-out twin's runs — the organization's culture
//! with the threshold, its margin above the lower edge of the bistable
//! window (tips below zero), and, over the monitored window, the rolling
//! variance and lag-1 autocorrelation of the culture; and [`files`], the
//! study's figure files and report page.

use super::canvas::{self, Chart, DrawResult, HouseMesh, Key, LEFT, legend, put, year_label};
use super::culture::line;
use super::style::{self, BLUE, INK, MUTED, VERMILLION};
use culturesim_core::decide::warning_study::{GroupSeries, Study, Who};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One group's curves, its colour and its legend text.
struct Curve {
    series: GroupSeries,
    color: RGBColor,
    label: String,
}

/// The figure.
pub struct WarningChart<'a> {
    /// The study.
    pub study: &'a Study,
}

impl WarningChart<'_> {
    fn curves(&self) -> Vec<Curve> {
        let s = self.study;
        let mut out = Vec::new();
        for (branch, who, color, what) in [
            ("scenario", Who::Tipped, VERMILLION, "runs that tipped"),
            ("scenario", Who::Held, BLUE, "runs that held"),
            ("twin", Who::High, MUTED, "knock-out twin"),
        ] {
            let g = s.group_series(branch, who);
            if g.runs > 0 {
                out.push(Curve {
                    label: format!("{what} ({})", g.runs),
                    series: g,
                    color,
                });
            }
        }
        out
    }
}

/// Finite values of `v` over steps `range`.
fn finite(v: &[f64], range: std::ops::Range<usize>) -> impl Iterator<Item = f64> + '_ {
    v[range.start.min(v.len())..range.end.min(v.len())]
        .iter()
        .copied()
        .filter(|x| x.is_finite())
}

/// The power of ten that brings `max` into [1, 10).
fn power(max: f64) -> i32 {
    if max > 0.0 && max.is_finite() {
        max.log10().floor() as i32
    } else {
        0
    }
}

/// `k` in superscript digits ("⁻⁵").
fn superscript(k: i32) -> String {
    k.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                [d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect()
}

/// What one panel shows.
struct Panel<'a> {
    title: String,
    pick: fn(&GroupSeries) -> &Vec<f64>,
    /// Steps shown.
    steps: std::ops::Range<usize>,
    scale: f64,
    /// A horizontal reference line (level, label).
    reference: Option<(f64, &'a str)>,
    /// The monitored window, in years, shaded.
    shade: Option<(f64, f64)>,
    bottom: bool,
}

impl Chart for WarningChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let s = self.study;
        let p = &s.plan;
        let (w, _) = area.dim_in_pixel();
        let head = canvas::title(
            area,
            "Early warning before tipping",
            &format!(
                "{} · means over {}; the monitored window shaded",
                s.scenario.name(),
                canvas::runs(s.runs.scenario.len())
            ),
        )?;
        let curves = self.curves();
        let keys: Vec<(Key, String)> = curves
            .iter()
            .map(|c| (Key::Line(c.color, 4), c.label.clone()))
            .collect();
        legend(area, &keys, w as i32 - 36, 44)?;
        let (_, body) = area.split_vertically(head + 6);
        let body = body.margin(0, 0, LEFT - 14, 16);
        let panels = body.split_evenly((2, 2));
        let len = curves
            .iter()
            .map(|c| c.series.culture.len())
            .max()
            .unwrap_or(1);
        let (a, b) = (p.from as usize, (p.from + p.window) as usize);
        let y = |n: u32| f64::from(n) * s.dt;
        let vmax = curves
            .iter()
            .flat_map(|c| finite(&c.series.variance, a..b).collect::<Vec<_>>())
            .fold(0.0, f64::max);
        let k = power(vmax);
        let edge = s.warning.lower_edge;
        let edge_label = edge.map(|e| format!("lower edge of the bistable window ({e:.3})"));
        let specs = [
            Panel {
                title: "culture of the organization (0–1)".into(),
                pick: |g| &g.culture,
                steps: 0..len,
                scale: 1.0,
                reference: Some((p.threshold, "tipping threshold")),
                shade: Some((y(p.from), y(p.from + p.window))),
                bottom: false,
            },
            Panel {
                title: "margin: support minus the lower edge".into(),
                pick: |g| &g.margin,
                steps: 0..len,
                scale: 1.0,
                reference: edge_label.as_deref().map(|l| (0.0, l)),
                shade: Some((y(p.from), y(p.from + p.window))),
                bottom: false,
            },
            Panel {
                title: if k == 0 {
                    "rolling variance of the culture".into()
                } else {
                    format!("rolling variance of the culture (×10{})", superscript(k))
                },
                pick: |g| &g.variance,
                steps: a..b,
                scale: 10f64.powi(-k),
                reference: None,
                shade: None,
                bottom: true,
            },
            Panel {
                title: "rolling lag-1 autocorrelation".into(),
                pick: |g| &g.ar1,
                steps: a..b,
                scale: 1.0,
                reference: None,
                shade: None,
                bottom: true,
            },
        ];
        for (spec, a) in specs.iter().zip(panels.iter()) {
            panel(a, spec, &curves, s.dt)?;
        }
        if edge.is_none() {
            put(
                &panels[1],
                "no bistable window at these parameters: no margin to measure",
                &style::text(style::NOTE, MUTED),
                HPos::Center,
                VPos::Center,
                (panels[1].dim_in_pixel().0 as i32 / 2, 200),
            )?;
        }
        Ok(())
    }
}

/// Draw one panel of `curves` into `area`.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel<'_>,
    curves: &[Curve],
    dt: f64,
) -> DrawResult<DB> {
    put(
        area,
        &p.title,
        &style::bold(style::NOTE, INK),
        HPos::Left,
        VPos::Top,
        (14, 8),
    )?;
    let vals: Vec<f64> = curves
        .iter()
        .flat_map(|c| finite((p.pick)(&c.series), p.steps.clone()).collect::<Vec<_>>())
        .map(|v| v * p.scale)
        .chain(p.reference.map(|r| r.0))
        .collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        let pad = 0.08 * (hi - lo);
        (lo - pad, hi + pad)
    } else if lo.is_finite() {
        (lo - 0.5, lo + 0.5)
    } else {
        (0.0, 1.0)
    };
    let (x0, x1) = (
        p.steps.start as f64 * dt,
        (p.steps.end.max(p.steps.start + 1)) as f64 * dt,
    );
    let span = x1 - x0;
    let decimals = canvas::decimals(hi - lo);
    let y_fmt = move |v: &f64| format!("{v:.decimals$}");
    let x_fmt = move |v: &f64| year_label(*v, span);
    let mut chart = ChartBuilder::on(area)
        .margin_top(46)
        .margin_right(24)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(if p.bottom { 66 } else { 40 })
        .y_label_area_size(84)
        .build_cartesian_2d(x0..x1, lo..hi)?;
    let mut mesh = chart.configure_mesh();
    mesh.house(style::SMALL, style::SMALL)
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if p.bottom {
        mesh.x_desc("time (years)");
    }
    mesh.draw()?;
    if let Some((a, b)) = p.shade {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, lo), (b, hi)],
            style::tint(style::YELLOW, 0.7).filled(),
        )))?;
    }
    if let Some((level, label)) = p.reference {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, level), (x1, level)],
            INK.stroke_width(2),
        )))?;
        let (px, py) = chart.backend_coord(&(x0, level));
        let (bx, by) = area.get_base_pixel();
        let (px, py) = (px - bx, py - by);
        put(
            area,
            label,
            &style::text(style::SMALL, INK),
            HPos::Left,
            VPos::Bottom,
            (px + 8, py - 4),
        )?;
    }
    let xs: Vec<f64> = (p.steps.clone()).map(|n| n as f64 * dt).collect();
    for c in curves {
        let v = (p.pick)(&c.series);
        let ys: Vec<f64> = p
            .steps
            .clone()
            .map(|n| v.get(n).map_or(f64::NAN, |x| x * p.scale))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            line(&xs, &ys),
            c.color.stroke_width(3),
        )))?;
    }
    Ok(())
}

/// The drawn files of warning study `s`: plots/warning.svg,
/// plots/warning.png and report.html (name, bytes), in that order.
pub fn files(s: &Study) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use crate::report::{esc, page_end, page_start, warning_section};
    let name = s.scenario.name();
    let fig = canvas::render(
        "warning",
        format!(
            "The organization's culture, its margin above the lower edge of the bistable window, and the rolling variance and lag-1 autocorrelation of its culture over the monitored window ({} to {}), as means over the runs that tipped, the runs that held{}.",
            s.year(s.plan.from),
            s.year(s.plan.from + s.plan.window),
            if s.runs.twin.is_empty() {
                ""
            } else {
                " and the knock-out twin's runs"
            }
        ),
        &WarningChart { study: s },
    )?;
    let mut page = page_start(&format!("{name} — early warning before tipping"));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim warning</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">monitored from step {} for {} steps · seed {}</p>\n</header>\n",
        esc(name),
        esc(&s.scenario.raw.description),
        s.plan.from,
        s.plan.window,
        s.scenario.seed
    ));
    page.push_str(&warning_section(s, std::slice::from_ref(&fig)));
    page.push_str(&page_end());
    Ok(vec![
        ("plots/warning.svg".into(), fig.svg.into_bytes()),
        ("plots/warning.png".into(), fig.png),
        ("report.html".into(), page.into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten() {
        assert_eq!(power(3.2e-5), -5);
        assert_eq!(power(1.0), 0);
        assert_eq!(power(0.0), 0);
        assert_eq!(superscript(-5), "⁻⁵");
        assert_eq!(superscript(12), "¹²");
    }
}
