//! The programme-portfolio figure of `culturesim optimize`: every
//! portfolio evaluated by its cost and its chance of ending in the
//! high-culture basin, the Pareto front joined, the portfolios re-run on
//! fresh seeds with their 95% intervals, the target and the minimum
//! effective dose marked; and [`files`], the study's figure files and
//! report page.

use super::canvas::{self, Chart, DrawResult, HouseMesh, LEFT};
use super::style::{self, AXIS_LINE, BLUE, INK, MUTED, ORANGE, VERMILLION};
use culturesim_core::decide::optimize::Study;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The figure.
pub struct FrontChart<'a> {
    /// The study.
    pub study: &'a Study,
}

impl Chart for FrontChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let s = self.study;
        let top = canvas::title(
            area,
            "Programme portfolio",
            &format!(
                "{} · {} portfolios, {} each (the same seeds); dots: search, bars: {} fresh runs (95%)",
                s.scenario.name(),
                s.portfolios.len(),
                canvas::runs(s.replicates as usize),
                s.settings.confirm
            ),
        )?;
        let (_, lower) = area.split_vertically(top + 10);
        let hi = s
            .portfolios
            .iter()
            .filter(|p| p.cost.is_finite())
            .map(|p| p.cost)
            .fold(1.0f64, f64::max)
            * 1.05;
        let mut chart = ChartBuilder::on(&lower)
            .margin_left(LEFT)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(16)
            .x_label_area_size(84)
            .y_label_area_size(110)
            .build_cartesian_2d(0f64..hi, 0f64..1.02f64)?;
        let unit = s.settings.cost.unit.clone();
        chart
            .configure_mesh()
            .x_desc(format!("cost ({unit})"))
            .y_desc("chance of ending in the high basin")
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&|v| {
                if hi >= 20_000.0 {
                    format!("{:.0}k", v / 1000.0)
                } else {
                    format!("{v:.0}")
                }
            })
            .y_label_formatter(&|v| format!("{:.0}%", 100.0 * v))
            .house(style::AXIS, style::TICK)
            .draw()?;
        let t = s.settings.target;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, t), (hi, t)],
                ORANGE.stroke_width(3),
            )))?
            .label(format!("target {:.0}%", 100.0 * t))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 40, y)], ORANGE.stroke_width(3)));
        if let Some(b) = s.settings.budget {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(b, 0.0), (b, 1.02)],
                    MUTED.stroke_width(2),
                )))?
                .label("budget")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 40, y)], MUTED.stroke_width(2))
                });
        }
        chart
            .draw_series(
                s.portfolios
                    .iter()
                    .filter(|p| !p.front && p.cost.is_finite())
                    .map(|p| Circle::new((p.cost, p.search.high), 5, MUTED.mix(0.5).filled())),
            )?
            .label("portfolio tried")
            .legend(|(x, y)| Circle::new((x + 20, y), 6, MUTED.mix(0.5).filled()));
        let front = s.front();
        chart
            .draw_series(std::iter::once(PathElement::new(
                front
                    .iter()
                    .map(|p| (p.cost, p.search.high))
                    .collect::<Vec<_>>(),
                BLUE.stroke_width(3),
            )))?
            .label("Pareto front")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 40, y)], BLUE.stroke_width(3)));
        chart.draw_series(
            front
                .iter()
                .map(|p| Circle::new((p.cost, p.search.high), 8, BLUE.filled())),
        )?;
        chart
            .draw_series(s.portfolios.iter().filter_map(|p| {
                p.confirmed.as_ref().map(|c| {
                    PathElement::new(
                        vec![(p.cost, c.high_ci[0]), (p.cost, c.high_ci[1])],
                        INK.stroke_width(3),
                    )
                })
            }))?
            .label("fresh seeds (95%)")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x + 20, y - 12), (x + 20, y + 12)],
                    INK.stroke_width(3),
                )
            });
        chart.draw_series(s.portfolios.iter().filter_map(|p| {
            p.confirmed
                .as_ref()
                .map(|c| Circle::new((p.cost, c.high), 6, INK.filled()))
        }))?;
        if let Some(w) = s.written {
            let p = &s.portfolios[w];
            let y = p.confirmed.as_ref().map_or(p.search.high, |c| c.high);
            chart
                .draw_series(std::iter::once(TriangleMarker::new(
                    (p.cost, y),
                    14,
                    INK.filled(),
                )))?
                .label("the plan as written")
                .legend(|(x, y)| TriangleMarker::new((x + 20, y), 10, INK.filled()));
        }
        if let Some(d) = s.dose {
            let p = &s.portfolios[d];
            let y = p.confirmed.as_ref().map_or(p.search.high, |c| c.high);
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.cost, y),
                    16,
                    VERMILLION.stroke_width(5),
                )))?
                .label("minimum effective dose")
                .legend(|(x, y)| Circle::new((x + 20, y), 10, VERMILLION.stroke_width(4)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .legend_area_size(60)
            .label_font(style::text(style::NOTE, INK))
            .background_style(WHITE.mix(0.9))
            .border_style(AXIS_LINE)
            .draw()?;
        Ok(())
    }
}

/// The report section of portfolio study `s` with its figure `figs`.
pub fn section(s: &Study, figs: &[canvas::Figure]) -> String {
    use crate::report::{esc, figures_html};
    let mut h = String::from(
        "<section id=\"optimize\">\n<h2>Programme portfolio</h2>\n<ul class=\"findings\">\n",
    );
    for f in &s.findings {
        h.push_str(&format!("<li>{}</li>\n", esc(f)));
    }
    h.push_str("</ul>\n");
    h.push_str(&figures_html(figs, "plots/"));
    let head: String = s
        .variables
        .iter()
        .map(|v| format!("<th class=\"num\">{}</th>", esc(&v.name)))
        .collect();
    h.push_str(&format!(
        "<h3>The Pareto front, cheapest first</h3>\n<table>\n<tr><th>portfolio</th>{head}<th class=\"num\">cost ({})</th><th class=\"num\">high basin, search (Wilson 95%)</th><th class=\"num\">mean final culture</th><th class=\"num\">high basin, fresh seeds</th></tr>\n",
        esc(&s.settings.cost.unit)
    ));
    for p in s.front() {
        let mark = if Some(p.id) == s.dose {
            " class=\"harm\""
        } else {
            ""
        };
        let values: String = p
            .values
            .iter()
            .map(|x| {
                format!(
                    "<td class=\"num\">{}</td>",
                    culturesim_core::export::timeseries::format_value(*x)
                )
            })
            .collect();
        let fresh = p.confirmed.as_ref().map_or("–".to_string(), |c| {
            format!(
                "{:.0}% [{:.0}%, {:.0}%] of {}",
                100.0 * c.high,
                100.0 * c.high_ci[0],
                100.0 * c.high_ci[1],
                c.runs
            )
        });
        h.push_str(&format!(
            "<tr><td{mark}>#{}</td>{values}<td class=\"num\">{:.0}</td><td class=\"num\">{:.0}% [{:.0}%, {:.0}%]</td><td class=\"num\">{:.3} [{:.3}, {:.3}]</td><td class=\"num\">{fresh}</td></tr>\n",
            p.id,
            p.cost,
            100.0 * p.search.high,
            100.0 * p.search.high_ci[0],
            100.0 * p.search.high_ci[1],
            p.search.culture,
            p.search.culture_ci[0],
            p.search.culture_ci[1],
        ));
    }
    h.push_str("</table>\n");
    if let Some(d) = s.dose {
        let p = &s.portfolios[d];
        h.push_str("<h3>What the minimum effective dose costs</h3>\n<table>\n<tr><th>event</th><th>kind</th><th class=\"num\">participants</th><th class=\"num\">cost</th></tr>\n");
        for i in &p.items {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.0}</td><td class=\"num\">{:.0}</td></tr>\n",
                esc(&i.event),
                i.kind,
                i.participants,
                i.cost
            ));
        }
        h.push_str("</table>\n<p>The scenario with this portfolio is dose.toml: <code>culturesim run dose.toml</code>.</p>\n");
    }
    let c = &s.settings.cost;
    h.push_str(&format!(
        "<p class=\"meta\">Cost model (assumptions, [optimize.cost]): {} per employee-week and {} per leader-week of a programme at strength {} a year (in proportion to strength); {} per invited employee and {} per leader at full commitment of a Learnathon; {} per member-week of a community. Unit: {}.</p>\n",
        c.participant_week,
        c.leader_week,
        c.reference_strength,
        c.learnathon_participant,
        c.learnathon_commitment,
        c.community_member_week,
        esc(&c.unit)
    ));
    h.push_str("</section>\n");
    h
}

/// The drawn files of portfolio study `s`: plots/optimize.svg,
/// plots/optimize.png and report.html (name, bytes), in that order.
pub fn files(s: &Study) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use crate::report::{esc, page_end, page_start};
    let name = s.scenario.name();
    let fig = canvas::render(
        "optimize",
        format!(
            "Cost against the chance of ending in the high-culture basin (culture at least {} at the end); target {:.0}%.",
            s.threshold,
            100.0 * s.settings.target
        ),
        &FrontChart { study: s },
    )?;
    let mut page = page_start(&format!("{name} — programme portfolio"));
    page.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim optimize</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">{} generations of {} portfolios · {} each · {} fresh runs per confirmed portfolio · seed {}</p>\n</header>\n",
        esc(name),
        esc(&s.scenario.raw.description),
        s.settings.generations + 1,
        s.settings.population,
        canvas::runs(s.replicates as usize),
        s.settings.confirm,
        s.scenario.seed
    ));
    page.push_str(&section(s, std::slice::from_ref(&fig)));
    page.push_str(&page_end());
    Ok(vec![
        ("plots/optimize.svg".into(), fig.svg.into_bytes()),
        ("plots/optimize.png".into(), fig.png),
        ("report.html".into(), page.into_bytes()),
    ])
}
