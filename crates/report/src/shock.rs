//! Figure 5, build-up and erosion around the first shock (for scenarios
//! that have one): the culture's mean trajectory with the middle 50% of
//! runs and, when the shock hits one unit or team, that unit's own mean
//! local culture; the band of levels compared like for like (the same
//! amount of culture built and lost), with arrows where the mean curve
//! crosses it on the way up and on the way down, labelled with how long
//! each crossing took (means over runs, as in summary.json); the levels
//! before the shock and at the trough; and — in a side panel — the
//! like-for-like asymmetry and the other shock metrics, or, when nothing
//! was built before the shock, the sentence saying so (definitions in
//! docs/MODEL.md, "Shock metrics"). Also the same numbers as text: the
//! shock section of `culturesim run`'s printed table ([`table`]).

use super::canvas::{
    self, Chart, DrawResult, Key, LEFT, dashed_line, legend, nice_max, put, put_boxed, span_arrow,
};
use super::culture::{Y_LABELS, draw_bands};
use super::data::{RunData, Shock, ShockStats, UnitShock};
use super::style::{self, BLUE, GREEN, INK, MUTED, VERMILLION};
use super::timeline::{Layout, Timeline};
use culturesim_core::analysis::shock::Verdict;
use culturesim_core::analysis::shock::shock_metrics;
use culturesim_core::analysis::summary::ShockStats as ShockSummary;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Width of the side panel with the numbers.
const PANEL: i32 = 420;

/// The build-up/erosion chart of one run.
pub struct ShockChart<'a> {
    run: &'a RunData,
    timeline: Timeline,
}

impl<'a> ShockChart<'a> {
    /// The chart for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self {
            run,
            timeline: Timeline::of(run),
        }
    }
}

/// "1 year", "4.5 years", "6 months" for a duration in years.
pub fn duration(years: f64) -> String {
    if years < 0.95 {
        let months = (years * 12.0).round();
        if months <= 1.0 {
            let weeks = (years * 365.25 / 7.0).round();
            format!("{weeks:.0} week{}", if weeks == 1.0 { "" } else { "s" })
        } else {
            format!("{months:.0} months")
        }
    } else if (years - 1.0).abs() < 0.05 {
        "1 year".into()
    } else {
        format!("{years:.1} years")
    }
}

/// One row of the side panel: a big value, one or two lines of text.
struct Row {
    big: String,
    small: Vec<String>,
    color: RGBColor,
}

fn row(big: String, small: &str, color: RGBColor) -> Row {
    Row {
        big,
        small: wrap(small, 31),
        color,
    }
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The rows describing the organization's series.
fn series_rows(rows: &mut Vec<Row>, sh: &ShockStats) {
    if let Some(note) = &sh.note {
        rows.push(row("–".into(), note, MUTED));
    } else if let Some(a) = sh.get("asymmetry") {
        rows.push(row(
            format!("{a:.1}×"),
            "faster to lose than to build",
            VERMILLION,
        ));
        if let (Some(b), Some(l), Some(band)) = (
            sh.get("years_to_build"),
            sh.get("years_to_lose"),
            sh.get("band"),
        ) {
            rows.push(row(
                duration(b),
                &format!("to build {band:.2} of culture"),
                BLUE,
            ));
            rows.push(row(
                duration(l),
                &format!("to lose the same {band:.2}"),
                VERMILLION,
            ));
        }
        if let Some(r) = sh.get("asymmetry_rate") {
            rows.push(row(
                format!("{r:.1}×"),
                "steepest fall ÷ steepest rise",
                INK,
            ));
        }
    }
    // Said already when the band is half of the loss.
    if !sh.compared()
        && let Some(h) = sh.get("years_to_half_loss")
    {
        rows.push(row(duration(h), "to lose half of the loss", VERMILLION));
    }
    match sh.get("loss") {
        Some(l) if l >= 0.05 => rows.push(row(
            format!("{:.0}%", l * 100.0),
            "lost at the lowest point",
            INK,
        )),
        _ => rows.push(row("–".into(), "no loss of 5% or more", MUTED)),
    }
}

/// One row for the unit a shock hits: its like-for-like asymmetry, or its
/// loss and why nothing is compared.
fn unit_row(u: &UnitShock) -> Row {
    let loss = u.stats.get("loss").unwrap_or(0.0);
    match (u.stats.compared(), u.stats.get("asymmetry")) {
        (true, Some(a)) => Row {
            big: format!("{a:.1}×"),
            small: vec![
                "faster to lose than to build".into(),
                format!("in {} ({:.0}% lost)", u.title(), loss * 100.0),
            ],
            color: VERMILLION,
        },
        _ => Row {
            big: format!("{:.0}%", loss * 100.0),
            small: vec![
                format!("lost in {},", u.title()),
                match u.stats.status {
                    Verdict::NotBuilt => "where nothing was built before".into(),
                    Verdict::NoLoss => "under 5%: no loss to compare".into(),
                    _ => "build and loss not compared".into(),
                },
            ],
            color: VERMILLION,
        },
    }
}

impl ShockChart<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        sh: &Shock,
        x: i32,
        top: i32,
    ) -> DrawResult<DB> {
        let mut rows: Vec<Row> = Vec::new();
        series_rows(&mut rows, sh);
        rows.push(row(
            format!("{:.0}%", sh.recovered_share * 100.0),
            "of runs recovered to 95%",
            if sh.recovered_share < 0.5 {
                VERMILLION
            } else {
                GREEN
            },
        ));
        if let Some(u) = &sh.unit {
            rows.push(unit_row(u));
        }
        let height = |r: &Row| 60 + 26 * r.small.len() as i32;
        let total: i32 = rows.iter().map(height).sum::<i32>() + 12;
        area.draw(&Rectangle::new(
            [(x, top), (x + PANEL - 36, top + 22 + total)],
            style::tint(BLUE, 0.93).filled(),
        ))?;
        let mut yy = top + 14;
        for (i, r) in rows.iter().enumerate() {
            let big = if i == 0 { 52.0 } else { 40.0 };
            put(
                area,
                &r.big,
                &style::bold(big, r.color),
                HPos::Left,
                VPos::Top,
                (x + 20, yy),
            )?;
            for (k, line) in r.small.iter().enumerate() {
                put(
                    area,
                    line,
                    &style::text(style::NOTE, INK),
                    HPos::Left,
                    VPos::Top,
                    (x + 22, yy + big as i32 + 4 + 26 * k as i32),
                )?;
            }
            yy += height(r) + if i == 0 { 12 } else { 0 };
        }
        Ok(())
    }
}

impl Chart for ShockChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let (w, _) = area.dim_in_pixel();
        let w = w as i32;
        let Some(sh) = &run.summary.shock else {
            return Ok(());
        };
        let head = self.title(area, sh)?;
        let Some(b) = run.series.bands(&sh.metric) else {
            return Ok(());
        };
        keys(area, sh, w)?;
        let span = run.span_years();
        let xs: Vec<f64> = (0..b.len()).map(|s| run.years(s as f64)).collect();
        let events = Timeline {
            points: self.timeline.points.clone(),
            recurring: Vec::new(),
            spans: Vec::new(),
        };
        let layout = Layout::new(&events, LEFT + Y_LABELS, w - PANEL, 0.0, span);
        let lane_top = head + 8;
        let (_, lower) = area.split_vertically(lane_top + layout.height());
        let unit_max = sh
            .unit
            .as_ref()
            .map_or(0.0, |u| u.trajectory.iter().copied().fold(0.0, f64::max));
        let ymax = nice_max(b.p75.iter().copied().fold(unit_max, f64::max) * 1.25).min(1.0);
        let mut chart = super::culture::culture_axes(&lower, span, ymax, PANEL, 10)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let coord = chart.as_coord_spec().clone();
        let at = |x: f64, v: f64| coord.translate(&(x, v));
        // Events: the shock and any later leader replacement.
        for p in &self.timeline.points {
            let (x, _) = at(p.year, 0.0);
            area.draw(&PathElement::new(
                vec![(x, py.start), (x, py.end)],
                p.tone.color().stroke_width(3),
            ))?;
        }
        let pre = sh.get("pre");
        let trough = sh.get("trough");
        let band_low = band_low(sh);
        if let (Some(p), Some(lo)) = (pre, band_low) {
            let (_, y0) = at(0.0, p);
            let (_, y1) = at(0.0, lo);
            area.draw(&Rectangle::new(
                [(px.start, y0), (px.end, y1)],
                style::tint(VERMILLION, 0.93).filled(),
            ))?;
        }
        levels(area, [pre, band_low, trough], &px, &at)?;
        draw_bands(&mut chart, &xs, b, BLUE, false, 4)?;
        if let Some(u) = &sh.unit {
            chart.draw_series(std::iter::once(PathElement::new(
                unit_points(run, u),
                VERMILLION.stroke_width(3),
            )))?;
        }
        arrows(area, run, sh, &b.mean, [pre, band_low], ymax, &at)?;
        layout.draw_lane(area, &events, lane_top, py.start)?;
        self.panel(area, sh, w - PANEL + 20, py.start)?;
        Ok(())
    }
}

impl ShockChart<'_> {
    /// The title and subtitle (the scenario, the shock and its year, the
    /// runs); returns the y below them.
    fn title<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        sh: &Shock,
    ) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
        let run = self.run;
        let shock_year = f64::from(sh.event.step) * run.years_per_step();
        canvas::title(
            area,
            "Hard to gain, easy to lose",
            &format!(
                "{} · learning culture around \u{201c}{}\u{201d} (year {shock_year:.1}); mean of {} and the middle 50%",
                run.summary.scenario,
                sh.event.label,
                canvas::runs(run.series.n_runs())
            ),
        )
    }
}

/// The legend (the mean, the middle 50% and the unit the shock hits),
/// beside the title on a chart `w` wide.
fn keys<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, sh: &Shock, w: i32) -> DrawResult<DB> {
    let mut keys = vec![
        (Key::Line(BLUE, 4), "mean".into()),
        (Key::Box(style::tint(BLUE, 0.75)), "50% of runs".into()),
    ];
    if let Some(u) = &sh.unit {
        keys.push((
            Key::Line(VERMILLION, 3),
            format!("{} itself ({} people)", u.title(), u.people),
        ));
    }
    // Three keys reach into the title: then over the panel instead.
    let right = if keys.len() > 2 {
        w - 10
    } else {
        w - PANEL - 10
    };
    legend(area, &keys, right, 44)
}

/// The bottom of the band compared like for like, [pre − ΔC, pre], when
/// build and loss are compared.
fn band_low(sh: &Shock) -> Option<f64> {
    sh.get("pre")
        .zip(sh.get("band"))
        .filter(|_| sh.compared())
        .map(|(p, d)| p - d)
}

/// The trajectory of the unit a shock hits, as (year, mean local culture).
fn unit_points(run: &RunData, u: &UnitShock) -> Vec<(f64, f64)> {
    let every = f64::from(u.every_steps.max(1));
    u.trajectory
        .iter()
        .enumerate()
        .map(|(j, &v)| (run.years(j as f64 * every), v))
        .collect()
}

/// Dashed lines at the levels before the shock, the bottom of the band
/// compared and the lowest (each when defined), across `px`.
fn levels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    [pre, band_low, trough]: [Option<f64>; 3],
    px: &std::ops::Range<i32>,
    at: &dyn Fn(f64, f64) -> (i32, i32),
) -> DrawResult<DB> {
    let mut levels: Vec<(f64, String, RGBColor)> = Vec::new();
    if let Some(p) = pre {
        levels.push((p, format!("before the shock: {p:.2}"), INK));
    }
    if let Some(lo) = band_low {
        levels.push((lo, format!("compared down to: {lo:.2}"), VERMILLION));
    }
    if let Some(t) = trough {
        levels.push((t, format!("lowest: {t:.2}"), INK));
    }
    for (v, _, c) in &levels {
        let (_, yy) = at(0.0, *v);
        dashed_line(
            area,
            (px.start, yy),
            (px.end, yy),
            style::tint(*c, 0.45).stroke_width(2),
            10.0,
            8.0,
        )?;
    }
    Ok(())
}

/// The measuring arrows above the pre-shock level: where the `mean` curve
/// crosses the compared band on the way up and on the way down, labelled
/// with the means over runs.
fn arrows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &RunData,
    sh: &Shock,
    mean: &[f64],
    [pre, band_low]: [Option<f64>; 2],
    ymax: f64,
    at: &dyn Fn(f64, f64) -> (i32, i32),
) -> DrawResult<DB> {
    let shock_year = f64::from(sh.event.step) * run.years_per_step();
    let s = sh.event.step as usize;
    let on_mean = shock_metrics(mean, s, 1).filter(|_| band_low.is_some());
    if let (Some(p), Some(m)) = (pre, on_mean) {
        let arrow_v = p + (ymax - p) * 0.45;
        let (_, ay) = at(0.0, arrow_v);
        if let (Some(a), Some(n), Some(bw)) =
            (m.build_start, m.steps_to_build, sh.get("years_to_build"))
        {
            let (xa, _) = at(run.years(a as f64), 0.0);
            let (xb, _) = at(run.years((a + n) as f64), 0.0);
            span_arrow(area, xa, xb, ay, BLUE)?;
            put_boxed(
                area,
                &format!("built in {}", duration(bw)),
                &style::bold(style::NOTE, BLUE),
                HPos::Right,
                VPos::Bottom,
                (xb - 10, ay - 16),
            )?;
            let (_, yp) = at(0.0, p);
            dashed_line(area, (xa, ay), (xa, yp), BLUE.stroke_width(2), 5.0, 5.0)?;
        }
        if let (Some(n), Some(l), Some(lo)) = (m.steps_to_lose, sh.get("years_to_lose"), band_low) {
            let (xa, _) = at(shock_year, 0.0);
            let (xb, _) = at(run.years((s + n) as f64), 0.0);
            span_arrow(area, xa, xb, ay, VERMILLION)?;
            let (_, yh) = at(0.0, lo);
            dashed_line(
                area,
                (xb, ay),
                (xb, yh),
                VERMILLION.stroke_width(2),
                5.0,
                5.0,
            )?;
            put_boxed(
                area,
                &format!("lost in {}", duration(l)),
                &style::bold(style::NOTE, VERMILLION),
                HPos::Left,
                VPos::Bottom,
                (xa + 10, ay - 16),
            )?;
        }
    }
    Ok(())
}

/// The shock section of `culturesim run`'s printed table: one column per
/// measured series (`columns`: its heading and its statistics — the
/// organization, and the unit the shock hits), one row per metric, lines
/// without a line break; when nothing was built (or nothing lost) the
/// ratio rows are replaced by the sentence saying so.
pub fn table(columns: &[(String, &ShockSummary)]) -> Vec<String> {
    let any_compared = columns.iter().any(|(_, st)| compared(st));
    let rows = table_rows(any_compared);
    let cells: Vec<Vec<String>> = columns
        .iter()
        .map(|(_, st)| rows.iter().map(|(_, f)| f(st)).collect())
        .collect();
    let labels: Vec<&str> = rows.iter().map(|(l, _)| *l).collect();
    let mut out = aligned(columns, &labels, &cells);
    out.extend(table_notes(columns));
    out
}

/// How a row of [`table`] reads one column's statistics.
type Cell = Box<dyn Fn(&ShockSummary) -> String>;

/// Whether a column's build and loss are compared (no sentence instead).
fn compared(st: &ShockSummary) -> bool {
    st.note.is_none()
}

/// The mean of shock metric `k` times `scale` with `suffix` (and its 95%
/// CI with `ci`, when over more than one run), or "n/a".
fn table_cell(st: &ShockSummary, k: &str, scale: f64, suffix: &str, ci: bool) -> String {
    match st.mean.get(k).and_then(|x| x.as_ref()).cloned() {
        Some(x) if ci && x.n > 1 => format!(
            "{:.2}{suffix} [{:.2}, {:.2}]",
            x.mean * scale,
            x.ci95[0] * scale,
            x.ci95[1] * scale
        ),
        Some(x) => format!("{:.2}{suffix}", x.mean * scale),
        None => "n/a".into(),
    }
}

/// The rows of [`table`], labelled: the levels and the loss, the
/// like-for-like comparison when some column has one (`any_compared`; a
/// dash in the others), the share recovered.
fn table_rows(any_compared: bool) -> Vec<(&'static str, Cell)> {
    let plain = |k: &'static str, scale: f64, suffix: &'static str| -> Cell {
        Box::new(move |st: &ShockSummary| table_cell(st, k, scale, suffix, false))
    };
    let mut rows: Vec<(&'static str, Cell)> = vec![
        ("culture before", plain("pre", 1.0, "")),
        ("rise before the shock", plain("rise", 1.0, "")),
        ("trough", plain("trough", 1.0, "")),
        ("loss", plain("loss", 100.0, "%")),
        (
            "years to lose half of the loss",
            plain("years_to_half_loss", 1.0, ""),
        ),
    ];
    if any_compared {
        let only = |k: &'static str, scale: f64, suffix: &'static str, ci: bool| -> Cell {
            Box::new(move |st: &ShockSummary| {
                if compared(st) {
                    table_cell(st, k, scale, suffix, ci)
                } else {
                    "–".into()
                }
            })
        };
        rows.extend([
            ("amount compared (band)", only("band", 1.0, "", false)),
            ("years to build it", only("years_to_build", 1.0, "", false)),
            ("years to lose it", only("years_to_lose", 1.0, "", false)),
            (
                "asymmetry (like for like)",
                only("asymmetry", 1.0, "x", true),
            ),
            (
                "asymmetry (peak rates)",
                only("asymmetry_rate", 1.0, "x", true),
            ),
        ]);
    }
    rows.push((
        "recovered to 95%",
        Box::new(|st: &ShockSummary| format!("{:.0}% of runs", st.recovered_share * 100.0)),
    ));
    rows
}

/// The heading line and one line per row label in `labels`, the labels
/// left-aligned and each column's `cells` right-aligned under its heading.
fn aligned(
    columns: &[(String, &ShockSummary)],
    labels: &[&str],
    cells: &[Vec<String>],
) -> Vec<String> {
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cw: Vec<usize> = columns
        .iter()
        .zip(cells)
        .map(|((h, _), c)| {
            c.iter()
                .map(|x| x.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = Vec::new();
    let mut head = format!("  {:<lw$}", "");
    for ((h, _), w) in columns.iter().zip(&cw) {
        head.push_str(&format!("  {h:>w$}"));
    }
    out.push(head.trim_end().to_string());
    for (i, label) in labels.iter().enumerate() {
        let mut line = format!("  {label:<lw$}");
        for (c, w) in cells.iter().zip(&cw) {
            line.push_str(&format!("  {:>w$}", c[i]));
        }
        out.push(line);
    }
    out
}

/// The lines under [`table`]: per column, the sentence of why nothing is
/// compared, or the share of runs in which build and loss are.
fn table_notes(columns: &[(String, &ShockSummary)]) -> Vec<String> {
    let mut out = Vec::new();
    for (h, st) in columns {
        if let Some(note) = st.note {
            out.push(format!("  {h}: {note}."));
        } else if st.defined_share < 1.0 {
            out.push(format!(
                "  {h}: build and loss compared in {:.0}% of runs (the others built or lost too little).",
                st.defined_share * 100.0
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words() {
        assert_eq!(duration(4.53), "4.5 years");
        assert_eq!(duration(0.97), "1 year");
        assert_eq!(duration(0.5), "6 months");
        assert_eq!(duration(7.0 / 365.25), "1 week");
        assert_eq!(duration(3.0 * 7.0 / 365.25), "3 weeks");
    }

    /// Statistics of `n` runs with mean `mean` and CI mean ± 0.1.
    fn stats(mean: f64, n: usize) -> culturesim_core::analysis::stats::Stats {
        culturesim_core::analysis::stats::Stats {
            n,
            mean,
            sd: 0.0,
            ci95: [mean - 0.1, mean + 0.1],
            p5: mean,
            p50: mean,
            p95: mean,
        }
    }

    #[test]
    fn the_shock_table_aligns_its_columns_and_says_why_one_is_not_compared() {
        let org = ShockSummary {
            status: Verdict::Compared,
            note: None,
            mean: [
                ("pre", Some(stats(0.5, 3))),
                ("loss", Some(stats(0.25, 3))),
                ("asymmetry", Some(stats(2.0, 3))),
                ("trough", None),
            ]
            .into_iter()
            .collect(),
            built_share: 1.0,
            material_share: 1.0,
            defined_share: 0.5,
            recovered_share: 0.25,
            per_run: Vec::new(),
        };
        let team = ShockSummary {
            status: Verdict::NotBuilt,
            note: Some("nothing was built"),
            ..org.clone()
        };
        let lines = table(&[("organization".into(), &org), ("team t".into(), &team)]);
        // A heading, eleven rows (the comparison's included: one column
        // has it), a note per column.
        assert_eq!(lines.len(), 1 + 11 + 2, "{lines:#?}");
        // Labels 30 wide; the columns 18 ("2.00x [1.90, 2.10]") and 11
        // ("25% of runs") wide, two spaces apart.
        assert_eq!(
            lines[0],
            format!("{}organization{}team t", sp(2 + 30 + 2 + 6), sp(2 + 5))
        );
        assert_eq!(
            lines[1],
            format!("  culture before{}0.50{}0.50", sp(16 + 2 + 14), sp(2 + 7))
        );
        assert_eq!(
            lines[3],
            format!("  trough{}n/a{}n/a", sp(24 + 2 + 15), sp(2 + 8))
        );
        assert_eq!(
            lines[4],
            format!("  loss{}25.00%{}25.00%", sp(26 + 2 + 12), sp(2 + 5))
        );
        assert_eq!(
            lines[9],
            format!(
                "  asymmetry (like for like){}2.00x [1.90, 2.10]{}–",
                sp(5 + 2),
                sp(2 + 10)
            )
        );
        assert_eq!(
            lines[11],
            format!(
                "  recovered to 95%{}25% of runs  25% of runs",
                sp(14 + 2 + 7)
            )
        );
        assert_eq!(
            lines[12],
            "  organization: build and loss compared in 50% of runs (the others built or lost too little)."
        );
        assert_eq!(lines[13], "  team t: nothing was built.");
    }

    #[test]
    fn without_a_comparison_the_shock_table_has_no_ratio_rows() {
        let org = ShockSummary {
            status: Verdict::NoLoss,
            note: Some("no loss"),
            mean: Default::default(),
            built_share: 1.0,
            material_share: 0.0,
            defined_share: 0.0,
            recovered_share: 1.0,
            per_run: Vec::new(),
        };
        let lines = table(&[("organization".into(), &org)]);
        let labels: Vec<&str> = lines[1..7].iter().map(|l| l[2..32].trim_end()).collect();
        assert_eq!(
            labels,
            [
                "culture before",
                "rise before the shock",
                "trough",
                "loss",
                "years to lose half of the loss",
                "recovered to 95%"
            ]
        );
        assert_eq!(
            lines[6],
            format!("  recovered to 95%{}100% of runs", sp(14 + 2))
        );
        assert_eq!(lines[7], "  organization: no loss.");
        assert_eq!(lines.len(), 8);
    }

    /// `n` spaces.
    fn sp(n: usize) -> String {
        " ".repeat(n)
    }
}
