//! Every behaviour of DESIGN.md "Behaviours the model must show", each as
//! its own test on the real model. Tolerances are stated next to each
//! assertion; replicate counts are chosen so that the compared means are
//! several standard errors apart (the gaps measured when the tests were
//! written are noted in comments).

use crate::common;
use common::*;
use culturesim::analysis::shock::shock_metrics;

/// The default scenario's first five years (programmes and Learnathons),
/// without its two leader replacements.
fn build_up(sets: &[&str]) -> Scenario {
    scenario_edit(sets, |raw| {
        raw.events.retain(|e| e.kind != "replace_leader");
        raw.steps = 260;
        raw.replicates = 16;
    })
}
use culturesim::scenario::Scenario;

#[test]
fn loop_on_beats_loop_off() {
    let on = runs(&build_up(&[]));
    let off = runs(&build_up(&["culture.coupling=0"]));
    // Higher: after five years both culture and knowledge are higher with the loop.
    let (c_on, c_off) = (mean_at(&on, "culture", 260), mean_at(&off, "culture", 260));
    let (k_on, k_off) = (
        mean_at(&on, "knowledge", 260),
        mean_at(&off, "knowledge", 260),
    );
    eprintln!("loop on/off: culture {c_on:.3}/{c_off:.3}, knowledge {k_on:.3}/{k_off:.3}");
    assert!(c_on > c_off + 0.1, "culture on {c_on:.3} vs off {c_off:.3}");
    assert!(
        k_on > k_off + 0.05,
        "knowledge on {k_on:.3} vs off {k_off:.3}"
    );
    // Faster: the loop reaches the off-run's final culture level earlier.
    let s_on = mean_series(&on, "culture");
    let reach = s_on.iter().position(|&c| c >= c_off).unwrap();
    assert!(
        reach < 200,
        "loop on reached {c_off:.3} only at week {reach}"
    );
}

/// Equilibrium culture after 20 years from a low and from a high start,
/// with every leader at alignment `a` (commitment 0.8), no events, no leader turnover.
fn branches(a: f64) -> (f64, f64) {
    let base = [
        "events=[]".to_string(),
        "steps=1040".into(),
        "replicates=8".into(),
        "leadership.turnover=0".into(),
        "leaders.commitment=0.8".into(),
        format!("leaders.alignment={a}"),
    ];
    let run_from = |start: [&str; 3]| {
        let mut sets: Vec<&str> = base.iter().map(String::as_str).collect();
        sets.extend(start);
        mean_at(&runs(&scenario(&sets)), "culture", 1040)
    };
    (run_from(START_LOW), run_from(START_HIGH))
}

#[test]
fn bistability_and_hysteresis_over_a_range_of_leadership_support() {
    // Inside the window (alignment 0.65..0.75, support 0.52..0.60) the two
    // starts end in different basins; measured gaps 0.2-0.3.
    for a in [0.65, 0.7, 0.75] {
        let (low, high) = branches(a);
        eprintln!("alignment {a}: low start -> {low:.3}, high start -> {high:.3}");
        assert!(low < 0.5, "a = {a}: low start rose to {low:.3}");
        assert!(high > 0.6, "a = {a}: high start fell to {high:.3}");
        assert!(
            high - low > 0.15,
            "a = {a}: branches {low:.3} / {high:.3} not apart"
        );
    }
    // Outside the window there is one equilibrium: both starts agree within 0.05.
    for a in [0.3, 1.0] {
        let (low, high) = branches(a);
        assert!((high - low).abs() < 0.05, "a = {a}: {low:.3} vs {high:.3}");
    }
}

#[test]
fn snow_in_the_sun_erodes_fast_and_does_not_recover() {
    let s = scenario(&[]);
    let all = runs(&s);
    let culture = mean_series(&all, "culture");
    // Mean trajectory: shock at week 260, aligned manager back at week 364.
    // Peak rates over a quarter of a year (13 weekly steps).
    let m = shock_metrics(&culture, 260, 13).unwrap();
    assert!(m.pre > 0.5, "pre-shock culture {:.3}", m.pre);
    assert!(m.loss > 0.3, "loss {:.3}", m.loss);
    let asym = m.asymmetry.unwrap();
    eprintln!("snow in the sun (mean trajectory): {m:?}");
    assert!(
        asym >= 2.0,
        "like-for-like asymmetry {asym:.2} (build {:?} / lose {:?})",
        m.steps_to_build,
        m.steps_to_lose
    );
    // Per run as well: the like-for-like ratio (the same band of culture
    // built and lost) is defined in nearly every run and at least 2 on
    // average (measured 2.61 [2.52, 2.70] over 32 runs).
    let per_run: Vec<f64> = all
        .iter()
        .filter_map(|r| shock_metrics(&r.series(0), 260, 13).and_then(|m| m.asymmetry))
        .collect();
    assert!(
        per_run.len() * 10 >= all.len() * 9,
        "asymmetry undefined in too many runs"
    );
    let mean = per_run.iter().sum::<f64>() / per_run.len() as f64;
    assert!(mean >= 2.0, "mean per-run asymmetry {mean:.2}");
    // No full recovery: three years after the aligned manager returned, the
    // culture is still below 75% of its pre-shock level.
    let end = *culture.last().unwrap();
    assert!(
        end < 0.75 * m.pre,
        "culture recovered to {end:.3} of {:.3}",
        m.pre
    );
    assert!(m.steps_to_recover.is_none());
}

/// Mean local culture of team `team` and of the whole organization at the
/// end, averaged over replicates, for a high-culture organization whose
/// leader(s) in `scope` are replaced by a non-aligned one at week 52.
fn scoped_shock(scope: &str, community: bool) -> (f64, f64) {
    let mut sets = vec![
        "events=[]".to_string(),
        "events.0={kind=\"replace_leader\",at=52,alignment=0.05,scope=\"SCOPE\"}"
            .replace("SCOPE", scope),
        "steps=208".into(),
        "replicates=12".into(),
        "leadership.turnover=0".into(),
        "leaders.alignment=0.85".into(),
        "leaders.commitment=0.8".into(),
    ];
    if community {
        sets.push("events.1={kind=\"community_of_practice\",at=0,density=0.9}".into());
        sets.push("community.peers=0.7".into());
    }
    sets.extend(START_HIGH.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    let s = scenario(&refs);
    let m = model(&s);
    let team = m.org().find("u1.1.1").expect("team u1.1.1");
    let t = m
        .org()
        .team_unit
        .iter()
        .position(|&u| u as usize == team)
        .unwrap();
    let (mut local, mut org) = (0.0, 0.0);
    for r in 0..s.replicates {
        walk(&m, s.seed, r, |step, st| {
            if step == 208 {
                local += f64::from(st.culture[t]);
                org += st.org_culture;
            }
        });
    }
    let n = f64::from(s.replicates);
    (local / n, org / n)
}

#[test]
fn scope_matters_team_leader_hurts_the_team_top_hurts_everyone() {
    let (team_local, team_org) = scoped_shock("team:u1.1.1", false);
    let (top_local, top_org) = scoped_shock("top", false);
    let (_, none_org) = scoped_shock("team:u1.1.1", false);
    eprintln!(
        "scope: team shock -> team {team_local:.3}, org {team_org:.3}; top shock -> team {top_local:.3}, org {top_org:.3}"
    );
    // A non-aligned team leader: that team's culture falls far below the
    // organization's, the organization barely moves (< 0.03 below no shock
    // elsewhere: here compared with the top-level shock).
    assert!(
        team_local < team_org - 0.15,
        "team {team_local:.3} vs org {team_org:.3}"
    );
    // At the top: everyone falls, the organization far more than with a team-level shock.
    assert!(
        top_org < team_org - 0.2,
        "top-level org {top_org:.3} vs team-level org {team_org:.3}"
    );
    assert!(
        top_local < 0.45,
        "team under a non-aligned top {top_local:.3}"
    );
    assert!(
        (none_org - team_org).abs() < 1e-12,
        "same seed, same result"
    );
}

#[test]
fn community_of_practice_softens_the_local_loss() {
    let (without, _) = scoped_shock("team:u1.1.1", false);
    let (with, _) = scoped_shock("team:u1.1.1", true);
    eprintln!("community of practice: hurt team's culture {with:.3} with, {without:.3} without");
    assert!(
        with > without + 0.03,
        "team culture with CoP {with:.3} vs without {without:.3}"
    );
}

#[test]
fn learnathon_without_commitment_is_worse_than_none() {
    // The default build-up without shocks; Learnathons annually (event 3).
    let culture = |sets: &[&str], keep_learnathon: bool| {
        let s = scenario_edit(sets, |raw| {
            raw.events.retain(|e| {
                e.kind != "replace_leader" && (keep_learnathon || e.kind != "learnathon")
            });
            raw.steps = 260;
            raw.replicates = 16;
        });
        mean_at(&runs(&s), "culture", 260)
    };
    let c_none = culture(&[], false);
    let c_without = culture(&["events.3.commitment=0"], true);
    let c_with = culture(&["events.3.commitment=1"], true);
    eprintln!("learnathon: none {c_none:.3}, without commitment {c_without:.3}, with {c_with:.3}");
    assert!(
        c_without < c_none - 0.03,
        "without commitment {c_without:.3} vs none {c_none:.3}"
    );
    assert!(
        c_with >= c_none - 0.01,
        "with commitment {c_with:.3} vs none {c_none:.3}"
    );
}

/// Share of mean knowledge lost from the week before a 40% turnover wave
/// to its lowest point in the following year.
fn knowledge_loss(formalization: f64) -> f64 {
    let rate = format!("formalization.rate={formalization}");
    let mut sets = vec![
        "events=[]",
        "events.0={kind=\"turnover_wave\",at=260,fraction=0.4}",
        "steps=312",
        "replicates=12",
        "leaders.alignment=0.85",
        rate.as_str(),
    ];
    sets.extend(START_HIGH);
    let k = mean_series(&runs(&scenario(&sets)), "knowledge");
    let pre = k[260];
    let low = k[261..].iter().copied().fold(f64::INFINITY, f64::min);
    (pre - low) / pre
}

#[test]
fn formalization_reduces_knowledge_lost_to_turnover() {
    let without = knowledge_loss(0.0);
    let with = knowledge_loss(0.02);
    eprintln!("knowledge lost to a 40% wave: {without:.3} without formalization, {with:.3} with");
    assert!(without > 0.05, "the wave must cost knowledge: {without:.3}");
    assert!(
        with < 0.8 * without,
        "loss with formalization {with:.3} vs without {without:.3}"
    );
}

#[test]
fn without_the_asymmetry_mechanisms_loss_is_no_faster_than_build() {
    // The knock-out twin of snow in the sun: beliefs, local culture and
    // leader alignment fall exactly as fast as they rise. The like-for-like
    // ratio then lies near 1 (measured 1.29 [1.26, 1.31] over 64 runs,
    // against 2.62 [2.56, 2.67] with the defaults): the asymmetry comes
    // from the three stated mechanisms, not from the metric.
    let s = scenario(&[
        "belief.asymmetry=1",
        "culture.asymmetry=1",
        "leadership.asymmetry=1",
    ]);
    let per_run: Vec<f64> = runs(&s)
        .iter()
        .filter_map(|r| shock_metrics(&r.series(0), 260, 13).and_then(|m| m.asymmetry))
        .collect();
    assert!(
        per_run.len() >= 28,
        "asymmetry defined in {} runs",
        per_run.len()
    );
    let mean = per_run.iter().sum::<f64>() / per_run.len() as f64;
    eprintln!("asymmetry without the mechanisms: {mean:.2}");
    assert!(
        (0.7..=1.4).contains(&mean),
        "mean per-run asymmetry {mean:.2}"
    );
}
