//! `report.html`: one self-contained page (inline CSS and inline SVG
//! figures, no external assets, opens offline) with the scenario's name and
//! description, the key numbers, plain-language findings, every figure,
//! the timeline of events and the provenance (manifest and resolved
//! scenario). The same page layout serves `compare`.

use super::canvas::Figure;
use super::data::RunData;
use super::narrative::{KeyNumber, key_numbers, sentences};
use super::timeline::{Tone, event_of, tone_of};

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's style sheet.
const CSS: &str = r#"
:root { --ink:#222; --muted:#5f5f5f; --line:#e3e3e3; --blue:#0072B2; --verm:#D55E00; --green:#009E73; --orange:#E69F00; --bg:#fafafa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font-family:"DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; font-size:18px; line-height:1.5; }
main { max-width:1280px; margin:0 auto; padding:40px 32px 64px; }
header { border-bottom:4px solid var(--blue); padding-bottom:18px; margin-bottom:28px; }
.eyebrow { text-transform:uppercase; letter-spacing:.08em; color:var(--muted); font-size:15px; margin:0; }
h1 { font-size:44px; margin:4px 0 8px; line-height:1.15; }
h2 { font-size:28px; margin:40px 0 14px; }
.lead { font-size:22px; margin:0 0 10px; max-width:60em; }
.meta { color:var(--muted); font-size:16px; margin:0; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(220px, 1fr)); gap:14px; }
.card { background:#fff; border:1px solid var(--line); border-left:6px solid var(--blue); border-radius:8px; padding:14px 16px; }
.card.shock { border-left-color:var(--verm); }
.card .value { font-size:36px; font-weight:bold; line-height:1.1; }
.card .label { font-weight:bold; margin-top:4px; }
.card .detail { color:var(--muted); font-size:15px; }
ul.findings { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 18px 18px 44px; margin:0; }
ul.findings li { margin:6px 0; max-width:62em; }
figure { background:#fff; border:1px solid var(--line); border-radius:8px; margin:0 0 26px; padding:12px; }
figure svg { display:block; width:100%; height:auto; }
figcaption { color:var(--muted); font-size:16px; padding:8px 6px 2px; }
figcaption a { color:var(--blue); }
table { border-collapse:collapse; background:#fff; width:100%; font-size:16px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f0f0; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.harm { color:var(--verm); font-weight:bold; }
.help { color:var(--green); font-weight:bold; }
details { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin:10px 0; }
summary { cursor:pointer; font-weight:bold; }
pre { overflow-x:auto; font-size:14px; line-height:1.35; }
footer { color:var(--muted); font-size:14px; margin-top:40px; }
@media print { body { background:#fff; } figure, .card, details { break-inside:avoid; } details { display:block; } }
"#;

/// An SVG document made fit for inline use: no fixed size (it scales to
/// the page), an accessible name, and no XML prologue.
pub fn inline_svg(svg: &str, title: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    let Some(end) = body.find('>') else {
        return body.to_string();
    };
    // Keep every attribute of the root but the fixed width and height.
    let mut tag = String::new();
    let mut rest = &body[4..end];
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim();
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        let value = &after[..close];
        if name != "width" && name != "height" {
            tag.push_str(&format!(" {name}=\"{value}\""));
        }
        rest = &after[close + 1..];
    }
    format!(
        "<svg{tag} role=\"img\" aria-label=\"{}\"><title>{}</title>{}",
        esc(title),
        esc(title),
        &body[end + 1..]
    )
}

/// The key-number cards.
pub fn cards(numbers: &[KeyNumber]) -> String {
    let mut h = String::from("<div class=\"cards\">\n");
    for k in numbers {
        let shock = k.alarm;
        h.push_str(&format!(
            "<div class=\"card{}\"><div class=\"value\">{}</div><div class=\"label\">{}</div><div class=\"detail\">{}</div></div>\n",
            if shock { " shock" } else { "" },
            esc(&k.value),
            esc(&k.label),
            esc(&k.detail)
        ));
    }
    h.push_str("</div>\n");
    h
}

/// Figures with captions and links to the PNG/SVG files.
pub fn figures_html(figs: &[Figure], prefix: &str) -> String {
    let mut h = String::new();
    for f in figs {
        h.push_str(&format!(
            "<figure id=\"fig-{name}\">\n{svg}\n<figcaption>{cap} <a href=\"{prefix}{name}.png\">PNG</a> · <a href=\"{prefix}{name}.svg\">SVG</a></figcaption>\n</figure>\n",
            name = f.name,
            svg = inline_svg(&f.svg, &f.caption),
            cap = esc(&f.caption),
        ));
    }
    h
}

/// Page head and opening of the body.
pub fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"culturesim {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

/// Closing of the page.
pub fn page_end() -> String {
    format!(
        "<footer>Made by culturesim {} — an agent-based simulation of learning-culture dynamics. The same scenario and seed give the same numbers; see the manifest.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn timeline_table(run: &RunData) -> String {
    let y = run.years_per_step();
    let mut h = String::from(
        "<table>\n<tr><th>when</th><th>event</th><th>kind</th><th class=\"num\">culture just before (mean)</th></tr>\n",
    );
    let culture = run.series.bands("culture");
    let mut rows = 0;
    for m in &run.summary.markers {
        if m.kind == "replace_leader" && m.step == 0 {
            continue;
        }
        let e = event_of(m, &run.scenario.events);
        let class = match tone_of(m, e) {
            Tone::Harm => " class=\"harm\"",
            Tone::Help if m.kind == "replace_leader" => " class=\"help\"",
            _ => "",
        };
        let before = culture
            .and_then(|b| b.mean.get(m.step as usize))
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "–".into());
        let dur = e
            .and_then(|e| e.duration)
            .map(|d| format!(" (runs {:.1} years)", f64::from(d) * y))
            .unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>year {:.1} ({} {})</td><td{class}>{}{}</td><td>{}</td><td class=\"num\">{before}</td></tr>\n",
            f64::from(m.step) * y,
            esc(&run.summary.time_unit),
            m.step,
            esc(&m.label),
            esc(&dur),
            esc(&m.kind.replace('_', " ")),
        ));
        rows += 1;
    }
    h.push_str("</table>\n");
    if rows == 0 {
        return "<p>This scenario has no events.</p>\n".into();
    }
    h
}

fn provenance(run: &RunData) -> String {
    let mut h = String::new();
    if !run.manifest.is_empty() {
        h.push_str(&format!(
            "<details open><summary>manifest.json (tool version, seed, runs, command line)</summary><pre>{}</pre></details>\n",
            esc(run.manifest.trim_end())
        ));
    }
    h.push_str(&format!(
        "<details><summary>scenario.toml (the scenario as resolved: every parameter)</summary><pre>{}</pre></details>\n",
        esc(run.scenario.toml.trim_end())
    ));
    h
}

/// The report of one run.
pub fn report(run: &RunData, figs: &[Figure]) -> String {
    let name = if run.scenario.name.is_empty() {
        &run.summary.scenario
    } else {
        &run.scenario.name
    };
    let mut h = page_start(&format!("{name} — culturesim report"));
    h.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">culturesim report</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">{} runs · {:.1} years ({} {}s) · seed {}</p>\n</header>\n",
        esc(name),
        esc(&run.scenario.description),
        run.series.n_runs(),
        run.span_years(),
        run.series.bands("culture").map_or(0, |b| b.len().saturating_sub(1)),
        esc(&run.summary.time_unit),
        run.summary.seed,
    ));
    h.push_str("<section id=\"key-numbers\">\n<h2>Key numbers</h2>\n");
    h.push_str(&cards(&key_numbers(run)));
    h.push_str(
        "</section>\n<section id=\"findings\">\n<h2>What happened</h2>\n<ul class=\"findings\">\n",
    );
    for s in sentences(run) {
        h.push_str(&format!("<li>{}</li>\n", esc(&s)));
    }
    h.push_str("</ul>\n</section>\n<section id=\"figures\">\n<h2>Figures</h2>\n");
    h.push_str(&figures_html(figs, "plots/"));
    h.push_str("</section>\n<section id=\"timeline\">\n<h2>Timeline of events</h2>\n");
    h.push_str(&timeline_table(run));
    h.push_str("</section>\n<section id=\"provenance\">\n<h2>Provenance</h2>\n");
    h.push_str(&provenance(run));
    h.push_str("</section>\n");
    h.push_str(&page_end());
    h
}

/// The timing section of `culturesim timing`'s report: the finding in
/// plain words, the table of branches (`delay(steps)` writes a delay in the
/// analysis' unit) and the figures.
pub fn timing_section(
    t: &culturesim_core::decide::timing::Timing,
    finding: &str,
    delay: &dyn Fn(u32) -> String,
    figs: &[Figure],
) -> String {
    let mut h = String::from("<section id=\"timing\">\n<h2>How long can we wait?</h2>\n");
    h.push_str(&format!("<p class=\"lead\">{}</p>\n", esc(finding)));
    h.push_str(&format!(
        "<p>A run recovers when its final culture is within {} of the same run without the harm (paired: the same random numbers). {} runs per branch; 95% intervals (Wilson for shares).</p>\n",
        t.tolerance, t.replicates
    ));
    h.push_str("<table>\n<tr><th>branch</th><th class=\"num\">final culture (95% CI)</th><th class=\"num\">paired loss (95% CI)</th><th class=\"num\">runs that recover (95% CI)</th></tr>\n");
    for r in &t.rows {
        let name = match (r.branch, r.delay_steps) {
            ("no_harm", _) => "without the harm".to_string(),
            ("never", _) => "never remedied".to_string(),
            (_, Some(d)) => format!("remedy after {}", delay(d)),
            _ => r.branch.to_string(),
        };
        let class = if r.share < 0.5 { " class=\"harm\"" } else { "" };
        h.push_str(&format!(
            "<tr><td{class}>{}</td><td class=\"num\">{:.3} [{:.3}, {:.3}]</td><td class=\"num\">{:.3} [{:.3}, {:.3}]</td><td class=\"num\">{:.0}% [{:.0}%, {:.0}%]</td></tr>\n",
            esc(&name),
            r.final_culture,
            r.final_ci[0],
            r.final_ci[1],
            r.loss,
            r.loss_ci[0],
            r.loss_ci[1],
            100.0 * r.share,
            100.0 * r.share_ci[0],
            100.0 * r.share_ci[1],
        ));
    }
    h.push_str("</table>\n");
    h.push_str(&figures_html(figs, "plots/"));
    h.push_str("</section>\n");
    h
}

/// The risk section of `culturesim risk`'s report: the findings, the
/// stress test, the ranked seats and the figures.
pub fn risk_section(
    r: &culturesim_core::decide::risk::Risk,
    findings: &[String],
    figs: &[Figure],
    shown: usize,
) -> String {
    let mut h =
        String::from("<section id=\"risk\">\n<h2>Culture at risk</h2>\n<ul class=\"findings\">\n");
    for f in findings {
        h.push_str(&format!("<li>{}</li>\n", esc(f)));
    }
    let s = &r.stress;
    h.push_str("</ul>\n<h3>Succession stress test</h3>\n<table>\n<tr><th>runs</th><th class=\"num\">mean (95% CI)</th><th class=\"num\">5th percentile</th><th class=\"num\">median</th><th class=\"num\">95th percentile</th><th class=\"num\">tipping (Wilson 95%)</th></tr>\n");
    h.push_str(&format!(
        "<tr><td>{}</td><td class=\"num\">{:.3} [{:.3}, {:.3}]</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.0}% [{:.0}%, {:.0}%]</td></tr>\n</table>\n",
        s.runs, s.mean, s.mean_ci[0], s.mean_ci[1], s.p5, s.p50, s.p95,
        100.0 * s.tipping, 100.0 * s.tipping_ci[0], 100.0 * s.tipping_ci[1]
    ).replace("NaN% [NaN%, NaN%]", "– (none above the threshold at the fork)"));
    h.push_str("<h3>Seats that matter</h3>\n<table>\n<tr><th>rank</th><th>seat</th><th class=\"num\">depth</th><th class=\"num\">people below</th><th class=\"num\">loss (95% CI)</th><th class=\"num\">share of the risk</th><th class=\"num\">cumulative</th></tr>\n");
    for x in r.seats.iter().take(shown) {
        let class = if x.top80 { " class=\"harm\"" } else { "" };
        h.push_str(&format!(
            "<tr><td>{}</td><td{class}>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3} [{:.3}, {:.3}]</td><td class=\"num\">{:.0}%</td><td class=\"num\">{:.0}%</td></tr>\n",
            x.rank, esc(&x.name), x.depth, x.headcount, x.loss, x.loss_ci[0], x.loss_ci[1],
            100.0 * x.share, 100.0 * x.cumulative
        ));
    }
    h.push_str("</table>\n");
    h.push_str(&figures_html(figs, "plots/"));
    h.push_str("</section>\n");
    h
}

/// A τ (or any mean) with its 95% interval, or "–".
fn stat_cell(s: &Option<culturesim_core::analysis::stats::Stats>, signed: bool) -> String {
    match s {
        Some(s) if signed => format!("{:+.2} [{:+.2}, {:+.2}]", s.mean, s.ci95[0], s.ci95[1]),
        Some(s) => format!("{:.3} [{:.3}, {:.3}]", s.mean, s.ci95[0], s.ci95[1]),
        None => "–".into(),
    }
}

/// The early-warning section of `culturesim warning`'s report: the
/// findings, the method in one paragraph, the groups' indicators and
/// margins, the sensitivity table and the figures.
pub fn warning_section(
    s: &culturesim_core::decide::warning_study::Study,
    figs: &[Figure],
) -> String {
    use culturesim_core::analysis::warning::Detrend;
    let p = &s.plan;
    let w = &s.warning;
    let mut h = String::from(
        "<section id=\"warning\">\n<h2>Early warning before tipping</h2>\n<ul class=\"findings\">\n",
    );
    for f in &s.findings {
        h.push_str(&format!("<li>{}</li>\n", esc(f)));
    }
    let detrend = match p.detrend {
        Detrend::None => "not detrended".to_string(),
        Detrend::Gaussian { bandwidth } => format!(
            "detrended by a Gaussian kernel smoother of bandwidth {bandwidth:.1} steps (the residuals are measured)"
        ),
    };
    h.push_str(&format!(
        "</ul>\n<p>A run (or team) <em>tips</em> when its culture, at or above {} at {}, falls below it and stays below it to the end of the run. Its window runs from {} for {} steps, cut at its tip; the culture in it is {detrend}; the variance and the lag-1 autocorrelation are computed in a rolling window of {} steps, and Kendall's τ measures their trend (+1: a steady rise). Critical slowing down near a tipping point raises both (Scheffer et al. 2009; Dakos et al. 2012). The margin is the support reaching the unit minus the lower edge of the mean field's bistable window{}. Intervals are 95% (Student t over runs, kept inside τ's range [−1, 1]; Hanley–McNeil for the AUC, the probability that a run that tips scores above one that holds).</p>\n",
        p.threshold,
        esc(&s.year(p.from)),
        esc(&s.year(p.from)),
        p.window,
        p.rolling,
        w.lower_edge
            .map(|e| format!(" ({e:.3})"))
            .unwrap_or_else(|| " (none at these parameters)".into())
    ));
    h.push_str("<table>\n<tr><th>runs</th><th class=\"num\">n</th><th class=\"num\">τ of the variance</th><th class=\"num\">τ of the lag-1 autocorrelation</th><th class=\"num\">margin at the window's end</th></tr>\n");
    for b in &w.branches {
        for (label, g) in [("tipped", &b.tipped_group), ("held", &b.held_group)] {
            if g.runs == 0 {
                continue;
            }
            let name = if b.branch == "twin" {
                format!("knock-out twin, {label}")
            } else {
                label.to_string()
            };
            let class = if label == "tipped" {
                " class=\"harm\""
            } else {
                ""
            };
            h.push_str(&format!(
                "<tr><td{class}>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                esc(&name),
                g.runs,
                stat_cell(&g.tau_variance, true),
                stat_cell(&g.tau_ar1, true),
                stat_cell(&g.margin_end, false)
            ));
        }
    }
    h.push_str("</table>\n");
    h.push_str(&figures_html(figs, "plots/"));
    if !s.sensitivity.is_empty() {
        h.push_str("<h3>Sensitivity to the rolling window and the detrending</h3>\n<table>\n<tr><th>rolling window</th><th>detrending</th><th class=\"num\">τ variance, tipped</th><th class=\"num\">held</th><th class=\"num\">twin</th><th class=\"num\">τ lag-1 AC, tipped</th><th class=\"num\">held</th><th class=\"num\">twin</th></tr>\n");
        let m = |x: &Option<culturesim_core::analysis::stats::Stats>| {
            x.as_ref()
                .map_or("–".to_string(), |s| format!("{:+.2}", s.mean))
        };
        for r in &s.sensitivity {
            h.push_str(&format!(
                "<tr><td>{:.0}% ({} steps)</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                r.rolling_percent,
                r.rolling,
                r.bandwidth_percent
                    .map_or("none".to_string(), |b| format!("Gaussian, {b:.0}%")),
                m(&r.tipped_variance),
                m(&r.held_variance),
                m(&r.twin_variance),
                m(&r.tipped_ar1),
                m(&r.held_ar1),
                m(&r.twin_ar1)
            ));
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn svg_made_inline() {
        let s = inline_svg(
            "<svg width=\"1600\" height=\"900\" viewBox=\"0 0 1600 900\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>",
            "a <b>",
        );
        assert!(s.starts_with("<svg viewBox=\"0 0 1600 900\" xmlns="), "{s}");
        assert!(!s.contains("width=\"1600\""));
        assert!(s.contains("<title>a &lt;b&gt;</title>"));
        assert!(s.ends_with("<rect/></svg>"));
    }
}
