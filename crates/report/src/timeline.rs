//! The scenario's timeline on a time chart: programmes as bars in a lane
//! above the plot, one-off events (a new manager, a turnover wave) as
//! labelled vertical lines, recurring events (annual Learnathons) as light
//! lines labelled once. Labels are packed into rows so that none overlap.

use super::canvas::{DrawResult, dashed_line, put, rounded_rect, text_width};
use super::data::{Marker, RunData, ScenarioEvent};
use super::style::{self, GREEN, INK, ORANGE, VERMILLION};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// How an event is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    /// Hurts the culture (non-aligned manager, turnover wave, budget cut).
    Harm,
    /// Helps it (aligned manager, community of practice, Learnathon).
    Help,
    /// Anything else.
    Neutral,
}

impl Tone {
    /// Line and label colour.
    pub fn color(self) -> RGBColor {
        match self {
            Tone::Harm => VERMILLION,
            Tone::Help => GREEN,
            Tone::Neutral => INK,
        }
    }
}

/// A one-off event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Point {
    /// When, in years.
    pub year: f64,
    /// Label.
    pub label: String,
    /// Colour class.
    pub tone: Tone,
}

/// A recurring event (all occurrences share a label).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recurring {
    /// Every occurrence, in years.
    pub years: Vec<f64>,
    /// Label, e.g. "Learnathon (every year)".
    pub label: String,
    /// Colour class.
    pub tone: Tone,
}

/// A programme that runs for a while.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Span {
    /// Start, in years.
    pub from: f64,
    /// End, in years.
    pub to: f64,
    /// Label.
    pub label: String,
}

/// Everything on a run's timeline.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Timeline {
    /// One-off events.
    pub points: Vec<Point>,
    /// Recurring events.
    pub recurring: Vec<Recurring>,
    /// Programmes.
    pub spans: Vec<Span>,
}

/// Whether an event kind is a programme that runs for a duration.
fn is_programme(kind: &str) -> bool {
    matches!(
        kind,
        "learning_leadership" | "learning_practice" | "personal_mastery"
    )
}

/// The scenario event a marker comes from.
pub fn event_of<'a>(m: &Marker, events: &'a [ScenarioEvent]) -> Option<&'a ScenarioEvent> {
    events.iter().find(|e| {
        e.kind == m.kind
            && e.label == m.label
            && match e.every {
                Some(p) => m.step >= e.at && (m.step - e.at).is_multiple_of(p.max(1)),
                None => e.at == m.step,
            }
    })
}

/// Whether a marker helps or hurts.
pub fn tone_of(m: &Marker, e: Option<&ScenarioEvent>) -> Tone {
    match m.kind.as_str() {
        "replace_leader" => match e.and_then(|e| e.alignment) {
            Some(a) if a >= 0.5 => Tone::Help,
            Some(_) => Tone::Harm,
            None if m.shock => Tone::Harm,
            None => Tone::Neutral,
        },
        "turnover_wave" | "budget_cut" | "reorganization" => Tone::Harm,
        "learnathon" => match e.and_then(|e| e.commitment) {
            Some(c) if c < 0.5 => Tone::Harm,
            _ => Tone::Help,
        },
        "community_of_practice" => Tone::Help,
        _ => Tone::Neutral,
    }
}

/// Human phrase for a period in years ("every year", "every 6 months").
pub fn period_phrase(years: f64) -> String {
    if (years - 1.0).abs() < 0.02 {
        "every year".into()
    } else if years > 1.0 {
        format!("every {years:.1} years")
    } else {
        format!("every {:.0} months", years * 12.0)
    }
}

impl Timeline {
    /// The timeline of a finished run (events after the last step are left out).
    pub fn of(run: &RunData) -> Self {
        Self::from_parts(
            &run.summary.markers,
            &run.scenario.events,
            run.years_per_step(),
            run.span_years(),
        )
    }

    /// The timeline of `markers` (with the `events` they come from), for
    /// steps of `y` years, up to year `end`.
    pub fn from_parts(markers: &[Marker], events: &[ScenarioEvent], y: f64, end: f64) -> Self {
        let mut tl = Timeline::default();
        for m in markers {
            // A leader replacement at step 0 sets up the initial state.
            if m.kind == "replace_leader" && m.step == 0 {
                continue;
            }
            let year = f64::from(m.step) * y;
            if year > end {
                continue;
            }
            let e = event_of(m, events);
            if is_programme(&m.kind) || e.and_then(|e| e.duration).is_some() {
                let dur = e.and_then(|e| e.duration).unwrap_or(0);
                tl.spans.push(Span {
                    from: year,
                    to: (f64::from(m.step + dur) * y).min(end),
                    label: m.label.clone(),
                });
                continue;
            }
            let tone = tone_of(m, e);
            let recurring = e.is_some_and(|e| e.every.is_some())
                || markers
                    .iter()
                    .filter(|o| o.label == m.label && o.kind == m.kind)
                    .count()
                    > 1;
            if recurring {
                if let Some(r) = tl
                    .recurring
                    .iter_mut()
                    .find(|r| r.label.starts_with(&m.label) && r.tone == tone)
                {
                    r.years.push(year);
                } else {
                    tl.recurring.push(Recurring {
                        years: vec![year],
                        label: m.label.clone(),
                        tone,
                    });
                }
            } else {
                tl.points.push(Point {
                    year,
                    label: m.label.clone(),
                    tone,
                });
            }
        }
        for r in &mut tl.recurring {
            if let Some(p) = events
                .iter()
                .find(|e| r.label == e.label && e.every.is_some())
                .and_then(|e| e.every)
            {
                r.label = format!("{} ({})", r.label, period_phrase(f64::from(p) * y));
            } else if r.years.len() > 1 {
                r.label = format!("{} (×{})", r.label, r.years.len());
            }
        }
        tl
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty() && self.recurring.is_empty() && self.spans.is_empty()
    }
}

/// Height of one row in the lane.
const ROW: i32 = 38;

/// Where each lane item goes.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Programme bars: (span index, row).
    spans: Vec<(usize, usize)>,
    /// Point labels: (x of the line, label, tone, row, bold, right-aligned).
    labels: Vec<(i32, String, Tone, usize, bool, bool)>,
    span_rows: usize,
    label_rows: usize,
    x0: i32,
    x1: i32,
    years: (f64, f64),
}

impl Layout {
    /// Lay out `tl` over a plot spanning pixels `x0..x1` for years `from..to`.
    pub fn new(tl: &Timeline, x0: i32, x1: i32, from: f64, to: f64) -> Self {
        let mut l = Layout {
            spans: Vec::new(),
            labels: Vec::new(),
            span_rows: 0,
            label_rows: 0,
            x0,
            x1,
            years: (from, to),
        };
        let note = style::text(style::NOTE, INK);
        let strong = style::bold(style::NOTE, INK);
        // Programme bars, greedily packed into rows.
        let mut rows: Vec<i32> = Vec::new();
        for (i, s) in tl.spans.iter().enumerate() {
            let a = l.x(s.from);
            let b = l.x(s.to).max(a + 4);
            let w = text_width(&s.label, &note) + 16;
            let end = if b - a >= w { b } else { a + w + 8 };
            let row = place(&mut rows, a, end + 10);
            l.spans.push((i, row));
        }
        l.span_rows = rows.len();
        // Labels of points and of the first occurrence of recurring events.
        let mut items: Vec<(i32, String, Tone, bool)> = Vec::new();
        for p in &tl.points {
            items.push((l.x(p.year), p.label.clone(), p.tone, true));
        }
        for r in &tl.recurring {
            if let Some(&first) = r.years.first() {
                items.push((l.x(first), r.label.clone(), r.tone, false));
            }
        }
        items.sort_by_key(|i| i.0);
        let mut taken: Vec<Vec<(i32, i32)>> = Vec::new();
        for (x, label, tone, strong_label) in items {
            let w = text_width(&label, if strong_label { &strong } else { &note }) + 8;
            let right_aligned = x + w > x1 + 40;
            let (a, b) = if right_aligned {
                (x - w - 6, x - 2)
            } else {
                (x, x + w)
            };
            let mut row = 0;
            loop {
                if row == taken.len() {
                    taken.push(Vec::new());
                }
                if taken[row].iter().all(|&(p, q)| b + 12 <= p || a >= q + 12) {
                    taken[row].push((a, b));
                    break;
                }
                row += 1;
            }
            l.labels
                .push((x, label, tone, row, strong_label, right_aligned));
        }
        l.label_rows = taken.len();
        l
    }

    /// Pixel x of a time in years.
    fn x(&self, year: f64) -> i32 {
        let (a, b) = self.years;
        let t = if b > a { (year - a) / (b - a) } else { 0.0 };
        self.x0 + (t * f64::from(self.x1 - self.x0)).round() as i32
    }

    /// Height the lane needs above the plot.
    pub fn height(&self) -> i32 {
        let h = (self.span_rows + self.label_rows) as i32 * ROW;
        if h > 0 { h + 8 } else { 0 }
    }

    /// Draw the event lines over the plot (from `plot_top` to
    /// `plot_bottom`); call before the data so the data stay on top.
    pub fn draw_lines<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        tl: &Timeline,
        plot_top: i32,
        plot_bottom: i32,
    ) -> DrawResult<DB> {
        for r in &tl.recurring {
            let c = style::tint(r.tone.color(), 0.5);
            for &year in &r.years {
                let x = self.x(year);
                if x < self.x0 || x > self.x1 {
                    continue;
                }
                dashed_line(
                    area,
                    (x, plot_top),
                    (x, plot_bottom),
                    c.stroke_width(2),
                    6.0,
                    6.0,
                )?;
            }
        }
        for p in &tl.points {
            let x = self.x(p.year);
            area.draw(&PathElement::new(
                vec![(x, plot_top), (x, plot_bottom)],
                p.tone.color().stroke_width(3),
            ))?;
        }
        Ok(())
    }

    /// Draw the lane above the plot: programme bars and event labels (from
    /// `top`), with thin leaders down to the plot's top edge.
    pub fn draw_lane<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        tl: &Timeline,
        top: i32,
        plot_top: i32,
    ) -> DrawResult<DB> {
        let note = style::text(style::NOTE, INK);
        for &(i, row) in &self.spans {
            let s = &tl.spans[i];
            let (a, b) = (self.x(s.from), self.x(s.to).max(self.x(s.from) + 4));
            let y = top + row as i32 * ROW;
            area.draw(&Polygon::new(
                rounded_rect(a, y + 2, b, y + ROW - 2, 8),
                style::tint(ORANGE, 0.55).filled(),
            ))?;
            let w = text_width(&s.label, &note) + 16;
            let x = if b - a >= w { a + 8 } else { b + 8 };
            put(
                area,
                &s.label,
                &note,
                HPos::Left,
                VPos::Center,
                (x, y + ROW / 2),
            )?;
        }
        let label_top = top + self.span_rows as i32 * ROW;
        for (x, label, tone, row, strong, right) in &self.labels {
            let y = label_top + *row as i32 * ROW;
            let color = if *strong {
                tone.color()
            } else {
                style::tint(tone.color(), 0.15)
            };
            let leader = if *strong {
                color
            } else {
                style::tint(tone.color(), 0.5)
            };
            area.draw(&PathElement::new(
                vec![(*x, y + ROW / 2), (*x, plot_top)],
                leader.stroke_width(if *strong { 2 } else { 1 }),
            ))?;
            let st = if *strong {
                style::bold(style::NOTE, color)
            } else {
                style::text(style::NOTE, color)
            };
            let (hx, h) = if *right {
                (x - 8, HPos::Right)
            } else {
                (x + 8, HPos::Left)
            };
            put(area, label, &st, h, VPos::Center, (hx, y + ROW / 2))?;
        }
        Ok(())
    }
}

/// Put an item covering `a..b` into the first row where it fits.
fn place(rows: &mut Vec<i32>, a: i32, b: i32) -> usize {
    for (i, end) in rows.iter_mut().enumerate() {
        if *end <= a {
            *end = b;
            return i;
        }
    }
    rows.push(b);
    rows.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_do_not_overlap() {
        let mut rows = Vec::new();
        assert_eq!(place(&mut rows, 0, 100), 0);
        assert_eq!(place(&mut rows, 50, 120), 1);
        assert_eq!(place(&mut rows, 100, 200), 0);
        assert_eq!(place(&mut rows, 120, 130), 1);
        assert_eq!(place(&mut rows, 110, 130), 2);
    }

    #[test]
    fn periods_in_words() {
        assert_eq!(period_phrase(52.0 * 7.0 / 365.25), "every year");
        assert_eq!(period_phrase(0.5), "every 6 months");
        assert_eq!(period_phrase(2.0), "every 2.0 years");
    }

    #[test]
    fn tones() {
        let m = |kind: &str, shock| Marker {
            step: 5,
            label: "x".into(),
            kind: kind.into(),
            shock,
        };
        assert_eq!(tone_of(&m("replace_leader", true), None), Tone::Harm);
        assert_eq!(tone_of(&m("budget_cut", false), None), Tone::Harm);
        assert_eq!(tone_of(&m("learnathon", false), None), Tone::Help);
        let e = ScenarioEvent {
            kind: "replace_leader".into(),
            label: "x".into(),
            at: 5,
            every: None,
            duration: None,
            alignment: Some(0.9),
            commitment: None,
            scope: None,
        };
        assert_eq!(tone_of(&m("replace_leader", true), Some(&e)), Tone::Help);
    }
}
