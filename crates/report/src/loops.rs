//! Figure 6, the model's causal-loop diagram (docs/MODEL.md, section 7),
//! drawn with plotters primitives: the reinforcing learning ↔ culture loop
//! R1, belief contagion R2, codified knowledge R3 and the balancing loops
//! B1–B4, with link polarities. The scenario's interventions are drawn as
//! tags on the variables they act on — orange for programmes that build,
//! vermillion for shocks — and those the scenario does not use are listed
//! in grey. With the coupling κ = 0 the R1 links are drawn dashed.

use super::canvas::{
    self, Chart, DrawResult, arrow_head, bezier, dashed_line, put, rounded_rect, text_width,
};
use super::data::RunData;
use super::style::{self, BLUE, GREEN, INK, MUTED, ORANGE, VERMILLION};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A variable in the diagram: (key, label, centre x, centre y).
const NODES: [(&str, &str, i32, i32); 11] = [
    ("K", "codified knowledge", 200, 300),
    ("k", "knowledge", 200, 540),
    ("m", "personal mastery", 520, 210),
    ("E", "learning engagement", 520, 420),
    ("P", "team learning practice", 860, 280),
    ("c", "local team culture", 1180, 420),
    ("C", "organization culture", 1400, 250),
    ("b", "belief in learning", 860, 580),
    ("a", "leader alignment", 230, 780),
    ("S", "leader support", 560, 780),
    ("T", "turnover", 1440, 620),
];

const NODE_H: i32 = 64;

/// Links: (from, to, polarity, bend, part of R1).
const LINKS: [(&str, &str, char, f64, bool); 16] = [
    ("E", "P", '+', 0.0, true),
    ("P", "c", '+', 0.0, true),
    ("c", "b", '+', 0.0, true),
    ("b", "E", '+', 0.0, true),
    ("m", "E", '+', 0.0, false),
    ("E", "K", '+', 0.0, false),
    ("K", "k", '+', 0.0, false),
    ("E", "k", '+', 0.0, false),
    ("c", "C", '+', -0.3, false),
    ("C", "c", '+', -0.3, false),
    ("a", "S", '+', 0.0, false),
    ("S", "E", '+', 0.0, false),
    ("S", "b", '+', 0.0, false),
    ("S", "c", '+', 0.25, false),
    ("c", "T", '−', 0.0, false),
    ("T", "b", '−', 0.0, false),
];

/// An intervention kind: (event kind, default label, target node, harmful, tag centre).
const INTERVENTIONS: [(&str, &str, &str, bool, i32, i32); 10] = [
    (
        "learning_leadership",
        "learning leadership programme",
        "a",
        false,
        230,
        862,
    ),
    (
        "replace_leader-",
        "non-aligned manager",
        "a",
        true,
        150,
        692,
    ),
    ("replace_leader+", "aligned manager", "a", false, 430, 692),
    ("budget_cut", "budget cut", "S", true, 560, 862),
    (
        "learning_practice",
        "learning practice teams",
        "P",
        false,
        860,
        196,
    ),
    ("reorganization", "reorganization", "P", true, 1100, 180),
    (
        "personal_mastery",
        "personal mastery programme",
        "m",
        false,
        520,
        128,
    ),
    ("learnathon", "Learnathon", "E", false, 860, 480),
    (
        "community_of_practice",
        "community of practice",
        "b",
        false,
        860,
        672,
    ),
    ("turnover_wave", "turnover wave", "T", true, 1440, 708),
];

/// The causal-loop diagram for one run's scenario.
pub struct LoopsChart<'a> {
    run: &'a RunData,
}

impl<'a> LoopsChart<'a> {
    /// The diagram for `run`.
    pub fn new(run: &'a RunData) -> Self {
        Self { run }
    }
}

/// Intervention keys active in a scenario, each with the label it has there.
pub fn active(run: &RunData) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for e in &run.scenario.events {
        let key = match e.kind.as_str() {
            "replace_leader" => {
                if e.at == 0 && e.every.is_none() && e.label == "initial top leader" {
                    continue;
                }
                if e.alignment.is_some_and(|a| a >= 0.5) {
                    "replace_leader+"
                } else {
                    "replace_leader-"
                }
            }
            k => match INTERVENTIONS.iter().find(|i| i.0 == k) {
                Some(i) => i.0,
                None => continue,
            },
        };
        if let Some(entry) = out.iter_mut().find(|(k, _)| *k == key) {
            if !entry.1.split(", ").any(|l| l == e.label) {
                entry.1 = format!("{}, {}", entry.1, e.label);
            }
        } else {
            out.push((key, e.label.clone()));
        }
    }
    out
}

fn node(key: &str) -> (i32, i32, i32) {
    let n = NODES.iter().find(|n| n.0 == key).expect("a known node");
    let w = text_width(n.1, &style::bold(style::NOTE, INK)) + 40;
    (n.2, n.3, w)
}

/// Where the segment from the centre of a box towards `toward` leaves the box.
fn border(c: (f64, f64), half_w: f64, half_h: f64, toward: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (toward.0 - c.0, toward.1 - c.1);
    if dx == 0.0 && dy == 0.0 {
        return c;
    }
    let tx = if dx != 0.0 {
        half_w / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy != 0.0 {
        half_h / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty);
    (c.0 + dx * t, c.1 + dy * t)
}

/// Draw a loop badge: a circle with a circular arrow feel, its name and caption.
fn badge<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    caption: &str,
    at: (i32, i32),
    color: RGBColor,
) -> DrawResult<DB> {
    area.draw(&Circle::new(at, 30, style::tint(color, 0.85).filled()))?;
    // A three-quarter ring with a head: the loop's direction.
    let pts: Vec<(i32, i32)> = (0..=27)
        .map(|i| {
            let a = (-60.0 + 10.0 * f64::from(i)).to_radians();
            (
                at.0 + (36.0 * a.cos()).round() as i32,
                at.1 + (36.0 * a.sin()).round() as i32,
            )
        })
        .collect();
    area.draw(&PathElement::new(pts.clone(), color.stroke_width(3)))?;
    let n = pts.len();
    let (p, q) = (pts[n - 2], pts[n - 1]);
    arrow_head(
        area,
        (f64::from(p.0), f64::from(p.1)),
        (
            f64::from(q.0) + f64::from(q.0 - p.0) * 1.5,
            f64::from(q.1) + f64::from(q.1 - p.1) * 1.5,
        ),
        16.0,
        color,
    )?;
    put(
        area,
        name,
        &style::bold(style::NOTE, color),
        HPos::Center,
        VPos::Center,
        at,
    )?;
    for (k, line) in caption.lines().enumerate() {
        put(
            area,
            line,
            &style::text(style::SMALL, color),
            HPos::Center,
            VPos::Top,
            (at.0, at.1 + 42 + 26 * k as i32),
        )?;
    }
    Ok(())
}

impl Chart for LoopsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let run = self.run;
        let coupling = run.scenario.coupling;
        canvas::title(
            area,
            "Why culture is hard to gain and easy to lose",
            &format!(
                "{} · causal loops of the model: + moves the same way, − the opposite way; R reinforcing, B balancing",
                run.summary.scenario
            ),
        )?;
        let active = active(run);
        // Links first, under the boxes.
        links(area, coupling)?;
        badges(area, coupling)?;
        boxes(area, &active)?;
        let inactive = tags(area, &active)?;
        not_in_scenario(area, &inactive)
    }
}

/// The causal links, each with its polarity beside its arrow head (R1's
/// dashed when the loop is switched off, κ = 0).
fn links<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, coupling: f64) -> DrawResult<DB> {
    for (from, to, sign, bend, r1) in LINKS {
        let (fx, fy, fw) = node(from);
        let (tx, ty, tw) = node(to);
        let (a, b) = (
            (f64::from(fx), f64::from(fy)),
            (f64::from(tx), f64::from(ty)),
        );
        let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let ctrl = (mid.0 - dy * bend, mid.1 + dx * bend);
        let start = border(
            a,
            f64::from(fw) / 2.0 + 4.0,
            f64::from(NODE_H) / 2.0 + 4.0,
            ctrl,
        );
        let end = border(
            b,
            f64::from(tw) / 2.0 + 6.0,
            f64::from(NODE_H) / 2.0 + 6.0,
            ctrl,
        );
        let color = if r1 { BLUE } else { style::tint(INK, 0.35) };
        let width = if r1 { 5 } else { 3 };
        let pts: Vec<(i32, i32)> = bezier(start, ctrl, end, 40)
            .into_iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        let n = pts.len();
        let body: Vec<(i32, i32)> = pts[..n - 3].to_vec();
        if r1 && coupling == 0.0 {
            for w in body.windows(2).step_by(2) {
                area.draw(&PathElement::new(w.to_vec(), color.stroke_width(width)))?;
            }
        } else {
            area.draw(&PathElement::new(body, color.stroke_width(width)))?;
        }
        let p = pts[n - 5];
        arrow_head(area, (f64::from(p.0), f64::from(p.1)), end, 22.0, color)?;
        // The polarity, beside the arrow head.
        let q = pts[n - 8];
        let (ux, uy) = (end.0 - f64::from(q.0), end.1 - f64::from(q.1));
        let len = (ux * ux + uy * uy).sqrt().max(1e-9);
        let sx = (f64::from(q.0) - uy / len * 22.0).round() as i32;
        let sy = (f64::from(q.1) + ux / len * 22.0).round() as i32;
        let sc = if sign == '+' { color } else { VERMILLION };
        put(
            area,
            &sign.to_string(),
            &style::bold(30.0, sc),
            HPos::Center,
            VPos::Center,
            (sx, sy),
        )?;
    }
    Ok(())
}

/// The loop badges and the notes of the balancing loops.
fn badges<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, coupling: f64) -> DrawResult<DB> {
    let r1_caption = if coupling == 0.0 {
        "learning ↔ culture\nswitched off (κ = 0)"
    } else {
        "learning ↔ culture"
    };
    badge(area, "R1", r1_caption, (860, 368), BLUE)?;
    badge(area, "R2", "belief contagion", (1060, 680), BLUE)?;
    badge(area, "R3", "", (292, 420), GREEN)?;
    badge(area, "B4", "", (730, 850), VERMILLION)?;
    put(
        area,
        "leader gate",
        &style::text(style::SMALL, VERMILLION),
        HPos::Left,
        VPos::Center,
        (778, 850),
    )?;
    let note = style::text(style::SMALL, MUTED);
    put(
        area,
        "B1 diminishing returns",
        &note,
        HPos::Center,
        VPos::Top,
        (200, 584),
    )?;
    put(
        area,
        "B2 forgetting",
        &note,
        HPos::Center,
        VPos::Top,
        (200, 612),
    )?;
    put(
        area,
        "B3 turnover drain",
        &note,
        HPos::Center,
        VPos::Top,
        (1440, 664),
    )?;
    Ok(())
}

/// The boxes, those an intervention of the scenario targets highlighted.
fn boxes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    active: &[(&'static str, String)],
) -> DrawResult<DB> {
    for (key, label, x, y) in NODES {
        let (_, _, w) = node(key);
        let targeted = active
            .iter()
            .any(|(k, _)| INTERVENTIONS.iter().any(|i| i.0 == *k && i.2 == key));
        let fill = if targeted {
            style::tint(ORANGE, 0.8)
        } else {
            style::tint(BLUE, 0.9)
        };
        let pts = rounded_rect(x - w / 2, y - NODE_H / 2, x + w / 2, y + NODE_H / 2, 14);
        area.draw(&Polygon::new(pts.clone(), fill.filled()))?;
        let mut outline = pts;
        outline.push(outline[0]);
        area.draw(&PathElement::new(
            outline,
            if targeted {
                ORANGE.stroke_width(3)
            } else {
                style::tint(BLUE, 0.4).stroke_width(2)
            },
        ))?;
        put(
            area,
            label,
            &style::bold(style::NOTE, INK),
            HPos::Center,
            VPos::Center,
            (x, y),
        )?;
    }
    Ok(())
}

/// The intervention tags of this scenario; returns the default labels of
/// the interventions it does not have.
fn tags<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    active: &[(&'static str, String)],
) -> Result<Vec<&'static str>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut inactive = Vec::new();
    for (key, default, target, harmful, x, y) in INTERVENTIONS {
        let Some((_, label)) = active.iter().find(|(k, _)| *k == key) else {
            if !key.ends_with('+') {
                inactive.push(default);
            }
            continue;
        };
        let label = if text_width(label, &style::bold(style::SMALL, INK)) > 240 {
            default.to_string()
        } else {
            label.clone()
        };
        let color = if harmful { VERMILLION } else { ORANGE };
        let st = style::bold(style::SMALL, if harmful { style::WHITE_LINE } else { INK });
        let w = text_width(&label, &st) + 28;
        let (tx, ty, tw) = node(target);
        let end = border(
            (f64::from(tx), f64::from(ty)),
            f64::from(tw) / 2.0 + 4.0,
            f64::from(NODE_H) / 2.0 + 4.0,
            (f64::from(x), f64::from(y)),
        );
        let start = border((f64::from(x), f64::from(y)), f64::from(w) / 2.0, 22.0, end);
        let s = (start.0.round() as i32, start.1.round() as i32);
        let e = (end.0.round() as i32, end.1.round() as i32);
        dashed_line(area, s, e, color.stroke_width(3), 8.0, 5.0)?;
        arrow_head(area, start, end, 16.0, color)?;
        area.draw(&Polygon::new(
            rounded_rect(x - w / 2, y - 20, x + w / 2, y + 20, 20),
            if harmful {
                VERMILLION
            } else {
                style::tint(ORANGE, 0.35)
            }
            .filled(),
        ))?;
        put(area, &label, &st, HPos::Center, VPos::Center, (x, y))?;
    }
    Ok(inactive)
}

/// The list of interventions the scenario does not have.
fn not_in_scenario<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    inactive: &[&'static str],
) -> DrawResult<DB> {
    if !inactive.is_empty() {
        // Listed under the turnover box, two to a line when there are many.
        let (w, _) = area.dim_in_pixel();
        let st = style::text(style::SMALL, MUTED);
        let per_line = if inactive.len() > 5 { 2 } else { 1 };
        let mut lines = vec!["not in this scenario:".to_string()];
        lines.extend(inactive.chunks(per_line).map(|c| c.join(", ")));
        for (i, l) in lines.iter().enumerate() {
            put(
                area,
                l,
                &st,
                HPos::Right,
                VPos::Top,
                (w as i32 - 36, 736 + 27 * i as i32),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn border_points() {
        assert_eq!(border((0.0, 0.0), 10.0, 5.0, (100.0, 0.0)), (10.0, 0.0));
        assert_eq!(border((0.0, 0.0), 10.0, 5.0, (0.0, -100.0)), (0.0, -5.0));
        assert_eq!(border((0.0, 0.0), 10.0, 5.0, (20.0, 20.0)), (5.0, 5.0));
    }

    #[test]
    fn every_link_and_tag_names_a_node() {
        for (a, b, ..) in LINKS {
            node(a);
            node(b);
        }
        for i in INTERVENTIONS {
            node(i.2);
        }
    }
}
