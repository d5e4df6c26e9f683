//! Plain-language findings and key numbers, generated from the measured
//! metrics of a run (never from the scenario's intentions): how fast the
//! culture was lost after the shock compared like for like with how fast
//! the same amount was built (or that nothing was built, so nothing can be
//! compared), the same for the unit a shock hits, whether it recovered, how
//! the teams and the runs ended.

use super::data::{RunData, ShockStats, Stats};
use super::outcomes::split;
use super::shock::duration;
use super::timeline::{Timeline, Tone};

/// One key number for the report's cards.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyNumber {
    /// The number as shown ("4.7×", "0.32").
    pub value: String,
    /// What it is.
    pub label: String,
    /// A detail line (confidence interval, definition).
    pub detail: String,
    /// Whether it tells of a loss (drawn in the shock colour).
    pub alarm: bool,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Index and value of the maximum of a series (NaNs skipped).
fn argmax(v: &[f64]) -> Option<(usize, f64)> {
    v.iter()
        .copied()
        .enumerate()
        .filter(|(_, x)| !x.is_nan())
        .fold(None, |acc: Option<(usize, f64)>, (i, x)| match acc {
            Some((_, m)) if m >= x => acc,
            _ => Some((i, x)),
        })
}

/// The key numbers of a run, in display order.
pub fn key_numbers(run: &RunData) -> Vec<KeyNumber> {
    let mut out = Vec::new();
    let y = run.years_per_step();
    if let Some(st) = run.summary.final_stats("culture") {
        out.push(KeyNumber {
            value: format!("{:.2}", st.mean),
            label: "final learning culture".into(),
            detail: format!("95% CI {:.2}–{:.2}, {} runs", st.ci95[0], st.ci95[1], st.n),
            alarm: false,
        });
    }
    if let Some((i, peak)) = run.series.bands("culture").and_then(|b| argmax(&b.mean)) {
        out.push(KeyNumber {
            value: format!("{peak:.2}"),
            label: "highest culture (mean)".into(),
            detail: format!("in year {:.1}", i as f64 * y),
            alarm: false,
        });
    }
    if let Some(sh) = &run.summary.shock {
        shock_numbers(&mut out, sh, "", &sh.event.label);
        if let Some(u) = &sh.unit {
            shock_numbers(
                &mut out,
                &u.stats,
                &format!(" in {}", u.title()),
                &sh.event.label,
            );
        }
        out.push(KeyNumber {
            value: pct(sh.recovered_share),
            label: "of runs recovered".into(),
            detail: "back to 95% of the pre-shock level".into(),
            alarm: sh.recovered_share < 0.5,
        });
    }
    if let Some(st) = run.summary.final_stats("teams_high") {
        out.push(KeyNumber {
            value: pct(st.mean),
            label: "of teams above threshold".into(),
            detail: format!(
                "local culture above {:.2} at the end",
                run.scenario.high_threshold
            ),
            alarm: false,
        });
    }
    if let Some(st) = run.summary.final_stats("knowledge") {
        out.push(KeyNumber {
            value: format!("{:.2}", st.mean),
            label: "final knowledge".into(),
            detail: format!("95% CI {:.2}–{:.2}", st.ci95[0], st.ci95[1]),
            alarm: false,
        });
    }
    out
}

/// "95% CI 2.1–2.6" for a statistic of more than one run.
fn ci(st: Option<&Stats>) -> String {
    match st {
        Some(st) if st.n > 1 => format!("95% CI {:.1}–{:.1}", st.ci95[0], st.ci95[1]),
        _ => String::new(),
    }
}

/// The key numbers of one measured series (`whose` is "" for the
/// organization, " in team u1.1.1" for the unit a shock hits).
fn shock_numbers(out: &mut Vec<KeyNumber>, sh: &ShockStats, whose: &str, label: &str) {
    if let Some(note) = &sh.note {
        out.push(KeyNumber {
            value: "–".into(),
            label: format!("build and loss not compared{whose}"),
            detail: note.clone(),
            alarm: false,
        });
    } else if let (Some(a), Some(band)) = (sh.get("asymmetry"), sh.get("band")) {
        out.push(KeyNumber {
            value: format!("{a:.1}×"),
            label: format!("faster to lose than to build{whose}"),
            detail: format!(
                "like for like: the same {band:.2} of culture; {}",
                ci(sh.stats("asymmetry"))
            ),
            alarm: true,
        });
        if let (Some(b), Some(l)) = (sh.get("years_to_build"), sh.get("years_to_lose")) {
            out.push(KeyNumber {
                value: duration(b),
                label: format!("to build {band:.2} of culture{whose}"),
                detail: "its last stretch before the shock".into(),
                alarm: false,
            });
            out.push(KeyNumber {
                value: duration(l),
                label: format!("to lose the same {band:.2}{whose}"),
                detail: format!("after \u{201c}{label}\u{201d}"),
                alarm: true,
            });
        }
    }
    if let Some(l) = sh.get("loss") {
        out.push(KeyNumber {
            value: pct(l),
            label: format!("lost at the lowest point{whose}"),
            detail: format!(
                "from {:.2} to {:.2}",
                sh.get("pre").unwrap_or(f64::NAN),
                sh.get("trough").unwrap_or(f64::NAN)
            ),
            alarm: true,
        });
    }
}

/// The sentence comparing build-up and loss of one measured series.
fn shock_sentence(sh: &ShockStats, event: &str, shock_year: f64) -> Option<String> {
    let pre = sh.get("pre")?;
    let loss = sh.get("loss").unwrap_or(0.0);
    if loss < 0.05 {
        return Some(format!(
            "\u{201c}{event}\u{201d} in year {shock_year:.1} cost the culture {} of its level of {pre:.2} on average, less than the 5% counted as a loss.",
            pct(loss)
        ));
    }
    let half = sh
        .get("years_to_half_loss")
        .map(|h| format!(", half of that within {}", duration(h)))
        .unwrap_or_default();
    let lost = format!(
        "after \u{201c}{event}\u{201d} in year {shock_year:.1} the culture fell from {pre:.2} to {:.2} at its lowest ({}){half}",
        sh.get("trough").unwrap_or(f64::NAN),
        pct(loss)
    );
    if let Some(note) = &sh.note {
        let rise = sh.get("rise").unwrap_or(0.0);
        return Some(format!(
            "{}; it had risen by only {rise:.2} before the shock: {note}.",
            capitalize(&lost)
        ));
    }
    match (
        sh.get("asymmetry"),
        sh.get("band"),
        sh.get("years_to_build"),
        sh.get("years_to_lose"),
    ) {
        (Some(a), Some(band), Some(b), Some(l)) => {
            let c = ci(sh.stats("asymmetry"));
            Some(format!(
                "{}. Like for like — the same {band:.2} of culture, from {:.2} up to {pre:.2} and back down — the build-up took {} and the loss {}{}: it was lost {a:.1} times faster than it was built{}.",
                capitalize(&lost),
                pre - band,
                duration(b),
                if a >= 2.0 { "only " } else { "" },
                duration(l),
                if c.is_empty() {
                    String::new()
                } else {
                    format!(" ({c})")
                },
            ))
        }
        _ => Some(format!("{}.", capitalize(&lost))),
    }
}

fn decapitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Plain-language findings from the measured numbers.
pub fn sentences(run: &RunData) -> Vec<String> {
    let mut out = Vec::new();
    let y = run.years_per_step();
    let n = run.series.n_runs();
    let years = run.span_years();
    let Some(b) = run.series.bands("culture") else {
        return out;
    };
    let start = b.mean.first().copied().unwrap_or(f64::NAN);
    let end = b.mean.last().copied().unwrap_or(f64::NAN);
    let final_stats = run.summary.final_stats("culture");
    let ci = final_stats
        .map(|s| {
            format!(
                " (95% confidence interval {:.2}–{:.2})",
                s.ci95[0], s.ci95[1]
            )
        })
        .unwrap_or_default();
    out.push(format!(
        "Over {years:.1} years and {}, the organization's learning culture went from {start:.2} to {end:.2}{ci}.",
        super::canvas::runs(n)
    ));
    let timeline = Timeline::of(run);
    if let Some(sh) = &run.summary.shock {
        let s = sh.event.step as usize;
        let shock_year = s as f64 * y;
        out.extend(shock_sentence(sh, &sh.event.label, shock_year));
        if let Some(u) = &sh.unit
            && let Some(t) = shock_sentence(&u.stats, &sh.event.label, shock_year)
        {
            out.push(format!(
                "In {} itself ({} people): {}",
                u.title(),
                u.people,
                decapitalize(&t)
            ));
        }
        out.extend(recovery_sentence(sh, &timeline, n, shock_year));
    } else if let Some((i, peak)) = argmax(&b.mean) {
        if peak > start + 0.02 {
            let half = start + 0.5 * (peak - start);
            if let Some(t) = b.mean.iter().position(|&v| v >= half) {
                out.push(format!(
                    "The culture peaked at {peak:.2} in year {:.1}; it took {} to get halfway there from {start:.2}.",
                    i as f64 * y,
                    duration(t as f64 * y)
                ));
            }
        } else if end < start - 0.02 {
            out.push(format!(
                "The culture never rose above its starting level of {start:.2} and ended lower, at {end:.2}."
            ));
        }
    }
    // Other harmful one-off events, measured on the mean curve.
    out.extend(harm_sentences(run, &timeline, b));
    out.extend(state_sentences(run, final_stats));
    out
}

/// Whether the runs recovered from the shock `sh` at `shock_year` (by a
/// later helpful event, if one came), when the shock cost 5% or more.
fn recovery_sentence(
    sh: &super::data::Shock,
    timeline: &Timeline,
    n: usize,
    shock_year: f64,
) -> Option<String> {
    let later_help = timeline
        .points
        .iter()
        .find(|p| p.tone == Tone::Help && p.year > shock_year);
    let recovered = sh.recovered_share;
    let runs_word = |k: f64| {
        let count = (k * n as f64).round() as usize;
        if count == 0 {
            format!("none of the {n} runs")
        } else if count == n {
            format!("all {n} runs")
        } else {
            format!("{count} of {n} runs")
        }
    };
    let recov = match later_help {
        Some(p) if recovered < 0.5 => format!(
            "When \u{201c}{}\u{201d} came in year {:.1}, the culture did not come back: {} recovered to 95% of the pre-shock level by the end.",
            p.label,
            p.year,
            runs_word(recovered)
        ),
        Some(p) => format!(
            "After \u{201c}{}\u{201d} in year {:.1}, {} recovered to 95% of the pre-shock level.",
            p.label,
            p.year,
            runs_word(recovered)
        ),
        None => format!(
            "By the end, {} had recovered to 95% of the pre-shock level.",
            runs_word(recovered)
        ),
    };
    sh.get("loss").is_some_and(|l| l >= 0.05).then_some(recov)
}

/// The other harmful one-off events (not the measured shock), measured
/// on the mean culture curve `b`.
fn harm_sentences(run: &RunData, timeline: &Timeline, b: &super::data::Bands) -> Vec<String> {
    let mut out = Vec::new();
    let y = run.years_per_step();
    let shock_step = run.summary.shock.as_ref().map(|sh| sh.event.step);
    for p in timeline.points.iter().filter(|p| p.tone == Tone::Harm) {
        let step = (p.year / y).round() as usize;
        if shock_step.is_some_and(|s| s as usize == step) || step + 1 >= b.len() {
            continue;
        }
        let before = b.mean[step];
        let Some((low_at, low)) = b
            .mean
            .iter()
            .copied()
            .enumerate()
            .skip(step + 1)
            .filter(|(_, v)| !v.is_nan())
            .min_by(|a, c| a.1.total_cmp(&c.1))
        else {
            continue;
        };
        if before > 0.0 && (before - low) / before >= 0.05 {
            out.push(format!(
                "After \u{201c}{}\u{201d} in year {:.1}, the culture fell from {before:.2} to {low:.2} (its lowest, in year {:.1}).",
                p.label,
                p.year,
                low_at as f64 * y
            ));
        } else {
            out.push(format!(
                "\u{201c}{}\u{201d} in year {:.1} barely moved the culture ({before:.2} before, never below {low:.2} after).",
                p.label, p.year
            ));
        }
    }
    out
}

/// Where the run ended: teams above the high-culture threshold, knowledge,
/// and whether the runs split into two basins.
fn state_sentences(run: &RunData, final_stats: Option<&Stats>) -> Vec<String> {
    let mut out = Vec::new();
    let (y, n) = (run.years_per_step(), run.series.n_runs());
    if let (Some(th), Some(bt)) = (
        run.summary.final_stats("teams_high"),
        run.series.bands("teams_high"),
    ) {
        let peak = argmax(&bt.mean);
        let threshold = run.scenario.high_threshold;
        let mut s = format!(
            "At the end, {} of teams had a local culture above {threshold:.2}",
            pct(th.mean)
        );
        if let Some((i, p)) = peak.filter(|&(_, p)| p > th.mean + 0.05) {
            s.push_str(&format!(
                ", down from {} in year {:.1}",
                pct(p),
                i as f64 * y
            ));
        }
        s.push('.');
        out.push(s);
    }
    if let (Some(k), Some(kb)) = (
        run.summary.final_stats("knowledge"),
        run.series.bands("knowledge"),
    ) {
        let k0 = kb.mean.first().copied().unwrap_or(f64::NAN);
        let codified = run
            .summary
            .final_stats("codified")
            .map(|c| {
                format!(
                    "; the codified (shared) knowledge stock stood at {:.2}",
                    c.mean
                )
            })
            .unwrap_or_default();
        out.push(format!(
            "Mean knowledge went from {k0:.2} to {:.2}{codified}.",
            k.mean
        ));
    }
    let finals = run.series.finals("culture");
    match split(&finals, 0.08) {
        Some(sp) => out.push(format!(
            "The runs split into two basins: {} of {n} kept a culture above {:.2} and {} lost it — chance decides which way an organization tips.",
            sp.high, sp.at, sp.low
        )),
        None => {
            if let Some(st) = final_stats {
                out.push(format!(
                    "All runs ended in one basin: 90% of them finished with a culture between {:.2} and {:.2}.",
                    st.p5, st.p95
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_skips_nan() {
        assert_eq!(argmax(&[0.1, f64::NAN, 0.5, 0.2]), Some((2, 0.5)));
        assert_eq!(argmax(&[f64::NAN]), None);
        assert_eq!(argmax(&[0.3, 0.3]), Some((0, 0.3)));
    }
}
