//! Cross-team linking, in both models. March's model with Fang, Lee &
//! Schilling's (2010) semi-isolated subgroups: the contact rule on its own,
//! the inverted U of equilibrium knowledge over the cross-group linking
//! probability (moderate linking beats none and full mixing, paired, 95%
//! CI), its structural knock-out (one subgroup: linking does nothing) and
//! how slower learning moves the peak toward more mixing. The learning-culture
//! model's communities of practice (E20): culture across community density
//! and weight from none to full mixing, on the default organization and
//! with a hurt division — what mixing buys the hurt unit and what the rest
//! pays.

use crate::common::{self, model, walk};
use culturesim::analysis::stats::Stats;
use culturesim::engine::{Model, RunId, Seeds, run_seeded};
use culturesim::model::march1991::bits::Belief;
use culturesim::model::march1991::{Config, March1991, MarchParams, State, metric, subgroups};
use rayon::prelude::*;

// ------------------------------------------------- March with subgroups

/// The organization of the inverted-U test: m = 64 dimensions, 50
/// individuals in 5 subgroups of 10, learning p1 = 0.5, the literal reading
/// (superiority by knowledge: runs reach equilibrium in a few hundred
/// periods).
fn fls(cross_link: f64, p1: f64) -> MarchParams {
    MarchParams {
        m: 64,
        n: 50,
        p1,
        variant: "literal".into(),
        subgroups: 5,
        cross_link,
        ..Default::default()
    }
}

/// Final `knowledge` of `reps` runs (replicate r with the common random
/// numbers of replicate r, so configurations are paired), and the mean
/// period at which they reached equilibrium (`None` unless every run did).
fn finals(p: &MarchParams, reps: u32) -> (Vec<f64>, Option<f64>) {
    let m = March1991::new(p.clone(), 5000).unwrap();
    let out: Vec<(f64, Option<f64>)> = (0..reps)
        .into_par_iter()
        .map(|r| {
            let o = run_seeded(
                &m,
                Seeds::common(
                    2010,
                    RunId {
                        point: 0,
                        replicate: r,
                    },
                ),
            );
            let last = o.row(o.len() - 1);
            let at = (last[metric::EQUILIBRIUM] == 1.0).then(|| (o.len() - 1) as f64);
            (last[metric::KNOWLEDGE], at)
        })
        .collect();
    let steps: Option<Vec<f64>> = out.iter().map(|x| x.1).collect();
    let mean = steps.map(|v| v.iter().sum::<f64>() / v.len() as f64);
    (out.into_iter().map(|x| x.0).collect(), mean)
}

fn paired(a: &[f64], b: &[f64]) -> Stats {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    Stats::of(&d).unwrap()
}

#[test]
fn contacts_stay_in_the_subgroup_unless_linked_and_never_self() {
    let cfg = |q| Config::new(fls(q, 0.5), 10).unwrap();
    let seeds = Seeds::new(
        3,
        RunId {
            point: 0,
            replicate: 0,
        },
    );
    let mut rng = seeds.stream(&[99]);
    use rand::Rng;
    // cross_link = 0: always a member of one's own subgroup, never oneself,
    // every other member reached.
    let isolated = cfg(0.0);
    let mut seen = [0u32; 50];
    for _ in 0..20_000 {
        let j = subgroups::contact(&isolated, 23, 50, rng.next_u64(), rng.next_u64()).unwrap();
        assert!((20..30).contains(&j) && j != 23, "{j}");
        seen[j] += 1;
    }
    // Each of the 9 others ≈ 20000/9 = 2222 (binomial sd 44): within 5 sd.
    for (j, &c) in seen
        .iter()
        .enumerate()
        .filter(|(j, _)| (20..30).contains(j) && *j != 23)
    {
        assert!((c as f64 - 2222.2).abs() < 222.0, "member {j}: {c}");
    }
    // cross_link = 0.3: a contact outside the subgroup with probability
    // 0.3 · 40/49 = 0.245.
    let linked = cfg(0.3);
    let outside = (0..20_000)
        .filter(|_| {
            let j = subgroups::contact(&linked, 23, 50, rng.next_u64(), rng.next_u64()).unwrap();
            assert_ne!(j, 23);
            !(20..30).contains(&j)
        })
        .count();
    let share = outside as f64 / 20_000.0;
    // sd of the share 0.003: 5 sd.
    assert!((share - 0.3 * 40.0 / 49.0).abs() < 0.015, "{share}");
}

#[test]
fn superior_contacts_pass_on_their_majority_view() {
    // Two subgroups of two, isolated: individual 0 knows less than 1 and
    // learns all of 1's view (p1 = 1, literal: a jump); 1 has nobody
    // superior and keeps its belief; 2 and 3 (the other subgroup) are equal
    // and nobody moves.
    let cfg = Config::new(
        MarchParams {
            m: 4,
            n: 4,
            p1: 1.0,
            variant: "literal".into(),
            subgroups: 2,
            ..Default::default()
        },
        10,
    )
    .unwrap();
    let reality = culturesim::model::march1991::bits::signs(&[1, 1, 1, 1]);
    let b = [
        Belief::from_values(&[1, -1, 0, 0]),
        Belief::from_values(&[1, 1, 1, -1]),
        Belief::from_values(&[-1, 1, 0, 0]),
        Belief::from_values(&[0, 1, -1, 0]),
    ];
    let mut s = State::new(reality, Belief::ZERO, b.to_vec());
    let seeds = Seeds::new(
        1,
        RunId {
            point: 0,
            replicate: 0,
        },
    );
    subgroups::act(&cfg, &mut s, 0, &seeds);
    subgroups::learn(&cfg, &mut s, 0, &seeds);
    assert_eq!(s.beliefs[0], b[1]);
    assert_eq!(s.beliefs[1], b[1]);
    assert_eq!(&s.beliefs[2..], &b[2..]);
    // Subgroup {0, 1} agrees now, {2, 3} has equal knowledge: equilibrium
    // while isolated, not once the subgroups can meet.
    assert!(subgroups::at_equilibrium(&cfg, &s));
    let linked = Config::new(
        MarchParams {
            cross_link: 0.5,
            ..cfg.params.clone()
        },
        10,
    )
    .unwrap();
    assert!(!subgroups::at_equilibrium(&linked, &s));
}

#[test]
fn moderate_cross_group_linking_beats_isolation_and_full_mixing() {
    // Fang, Lee & Schilling (2010): equilibrium knowledge is highest at a
    // moderate chance of cross-group contacts. Measured over 200 paired
    // replicates: 0.392 isolated, 0.971 at cross_link = 0.03, 0.832 fully
    // mixed (docs/MODEL-march1991.md section 10).
    const REPS: u32 = 200;
    let (none, t0) = finals(&fls(0.0, 0.5), REPS);
    let (moderate, t1) = finals(&fls(0.03, 0.5), REPS);
    let (full, t2) = finals(&fls(1.0, 0.5), REPS);
    let (t0, t1, t2) = (t0.unwrap(), t1.unwrap(), t2.unwrap());
    let over_none = paired(&moderate, &none);
    let over_full = paired(&moderate, &full);
    eprintln!(
        "subgroups: knowledge {:.3} isolated, {:.3} moderate, {:.3} full; moderate - none {:.3} {:?}, moderate - full {:.3} {:?}; equilibrium after {t0:.1}, {t1:.1}, {t2:.1} periods",
        Stats::of(&none).unwrap().mean,
        Stats::of(&moderate).unwrap().mean,
        Stats::of(&full).unwrap().mean,
        over_none.mean,
        over_none.ci95,
        over_full.mean,
        over_full.ci95
    );
    assert!(over_none.ci95[0] > 0.3, "moderate vs none {over_none:?}");
    assert!(over_full.ci95[0] > 0.05, "moderate vs full {over_full:?}");
    // The cost of full mixing is premature convergence: the fully mixed
    // organization settles on a consensus in a fraction of the time
    // (measured 26.3 against 59.1 periods); isolated subgroups settle
    // fastest, each on its own small consensus.
    assert!(
        2.0 * t2 < t1 + 1.0 && t0 < t2,
        "periods to equilibrium {t0}, {t1}, {t2}"
    );
}

#[test]
fn one_subgroup_has_nothing_to_isolate_and_the_linking_key_does_nothing() {
    // Knock-out of the structure: with one subgroup every contact comes
    // from the whole organization whatever cross_link is, so the runs are
    // the same draw for draw ...
    let one = |q| MarchParams {
        subgroups: 1,
        ..fls(q, 0.5)
    };
    let (a, _) = finals(&one(0.0), 40);
    let (b, _) = finals(&one(0.03), 40);
    let (c, _) = finals(&one(1.0), 40);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // ... while with five subgroups the key matters (the test above).
    let (moderate, _) = finals(&fls(0.03, 0.5), 40);
    let (full, _) = finals(&fls(1.0, 0.5), 40);
    assert_ne!(moderate, full);
}

#[test]
fn slower_learning_moves_the_best_linking_toward_more_mixing() {
    // Slow learners keep diversity on their own (March's Figure 1 logic),
    // so less isolation is needed: with p1 = 0.1 the best of the measured
    // points is cross_link = 0.3 (0.921), ahead of 0.03 (0.837) and of full
    // mixing (0.856); with p1 = 0.5 it is 0.03 (0.971, against 0.914 at
    // 0.3). The inverted U stays, its peak moves.
    const REPS: u32 = 200;
    let (slow_mod, _) = finals(&fls(0.03, 0.1), REPS);
    let (slow_high, _) = finals(&fls(0.3, 0.1), REPS);
    let (slow_full, _) = finals(&fls(1.0, 0.1), REPS);
    let (mid_mod, _) = finals(&fls(0.03, 0.5), REPS);
    let (mid_high, _) = finals(&fls(0.3, 0.5), REPS);
    let a = paired(&slow_high, &slow_mod);
    let b = paired(&slow_high, &slow_full);
    let c = paired(&mid_mod, &mid_high);
    eprintln!(
        "p1 = 0.1: 0.3 - 0.03 {:.3} {:?}, 0.3 - full {:.3} {:?}; p1 = 0.5: 0.03 - 0.3 {:.3} {:?}",
        a.mean, a.ci95, b.mean, b.ci95, c.mean, c.ci95
    );
    assert!(a.ci95[0] > 0.03, "{a:?}");
    assert!(b.ci95[0] > 0.03, "{b:?}");
    assert!(c.ci95[0] > 0.03, "{c:?}");
}

// ------------------------------- learning culture: communities of practice

/// Per replicate at the last step: mean culture of the teams of division
/// u1, of all other teams, share of all teams above 0.5, mean of all
/// teams, and the between-team standard deviation.
fn team_cultures(s: &culturesim::scenario::Scenario) -> Vec<[f64; 5]> {
    let m = model(s);
    let unit = m.org().find("u1").expect("division u1");
    let (lo, hi) = m.org().unit_teams[unit];
    let (lo, hi) = (lo as usize, hi as usize);
    (0..s.replicates)
        .into_par_iter()
        .map(|r| {
            let mut out = [0.0; 5];
            let last = m.steps();
            walk(&m, s.seed, r, |step, st| {
                if step != last {
                    return;
                }
                let c: Vec<f64> = st.culture.iter().map(|&x| f64::from(x)).collect();
                let rest: Vec<f64> = c[..lo].iter().chain(&c[hi..]).copied().collect();
                out[0] = c[lo..hi].iter().sum::<f64>() / (hi - lo) as f64;
                out[1] = rest.iter().sum::<f64>() / rest.len() as f64;
                out[2] = c.iter().filter(|&&x| x > 0.5).count() as f64 / c.len() as f64;
                let mean = c.iter().sum::<f64>() / c.len() as f64;
                out[3] = mean;
                out[4] =
                    (c.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / c.len() as f64).sqrt();
            });
            out
        })
        .collect()
}

fn column(v: &[[f64; 5]], k: usize) -> Vec<f64> {
    v.iter().map(|x| x[k]).collect()
}

/// The bundled `community-buffer` organization (strong culture, aligned
/// leaders, a non-aligned head of division u1 from week 52, every successor
/// from the pool) with a community of practice of `density` and weight `w`.
fn hurt_division(density: f64, w: f64) -> Vec<[f64; 5]> {
    let sets: Vec<String> = vec![
        "leadership.internal=0".into(),
        format!("events.0.density={density}"),
        format!("community.peers={w}"),
        "replicates=32".into(),
    ];
    let text = culturesim::scenario::bundled::get("community-buffer").unwrap();
    let s = culturesim::scenario::Scenario::from_str(
        text,
        culturesim::scenario::Source::Bundled("community-buffer".into()),
        &sets,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    team_cultures(&s)
}

#[test]
fn a_community_buffers_a_hurt_division_and_the_rest_does_not_pay() {
    // Measured (32 runs): full mixing − none: hurt division +0.294
    // [0.263, 0.324] (0.306 → 0.600), other divisions +0.006 [0.003, 0.009];
    // w = 0: −0.000. The whole curve is in docs/MODEL.md (E20).
    let none = hurt_division(0.0, 1.0);
    let full = hurt_division(1.0, 1.0);
    let hurt = paired(&column(&full, 0), &column(&none, 0));
    let rest = paired(&column(&full, 1), &column(&none, 1));
    eprintln!(
        "hurt division: full mixing - none {:.3} {:?}; rest {:.3} {:?}",
        hurt.mean, hurt.ci95, rest.mean, rest.ci95
    );
    assert!(hurt.ci95[0] > 0.15, "the hurt division gains {hurt:?}");
    assert!(
        rest.ci95[0] > -0.02 && rest.mean.abs() < 0.02,
        "the rest neither pays nor gains much {rest:?}"
    );
    // Knock-out: with weight w = 0 a member takes nothing from the
    // community, and a community of any density changes nothing.
    let idle = hurt_division(1.0, 0.0);
    let d = paired(&column(&idle, 0), &column(&none, 0));
    eprintln!("w = 0: {:.3} {:?}", d.mean, d.ci95);
    assert!(d.mean.abs() < 0.03, "w = 0: {d:?}");
}

/// The default build-up (snow-in-the-sun without its shocks: five years of
/// programmes and Learnathons, the heterogeneous leader pool, every
/// successor from the pool) to week 255, with a community of practice of
/// `density` and weight `w` from week 0.
fn default_build_up(density: f64, w: f64) -> Vec<[f64; 5]> {
    let community = format!("events.6={{kind=\"community_of_practice\",at=0,density={density}}}");
    let peers = format!("community.peers={w}");
    let s = common::scenario_edit(
        &["leadership.internal=0", &community, &peers, "replicates=32"],
        |raw| {
            raw.events.retain(|e| e.kind != "replace_leader");
            raw.duration = Some(culturesim::scenario::raw::RawTime::Text("255w".into()));
        },
    );
    team_cultures(&s)
}

#[test]
fn full_mixing_averages_away_the_islands_of_learning_culture() {
    // Measured here (32 runs): full mixing (density 1, w = 1) − none:
    // culture −0.048 [−0.061, −0.035], between-team sd −0.074 from 0.117;
    // moderate (0.5, 0.5) − none −0.001 [−0.005, 0.002]. The CLI table in
    // docs/MODEL.md (E20) has the whole curve.
    let none = default_build_up(0.0, 1.0);
    let full = default_build_up(1.0, 1.0);
    let culture = paired(&column(&full, 3), &column(&none, 3));
    let high = paired(&column(&full, 2), &column(&none, 2));
    let spread = paired(&column(&full, 4), &column(&none, 4));
    eprintln!(
        "default organization: full mixing - none: culture {:.3} {:?}, share of teams above 0.5 {:.3} {:?}, between-team sd {:.3} {:?} (from {:.3})",
        culture.mean,
        culture.ci95,
        high.mean,
        high.ci95,
        spread.mean,
        spread.ci95,
        Stats::of(&column(&none, 4)).unwrap().mean
    );
    assert!(
        culture.ci95[1] < -0.02,
        "full mixing costs culture {culture:?}"
    );
    // The islands are averaged away: the spread between teams falls by
    // more than half (measured 0.117 → 0.044).
    assert!(spread.ci95[1] < -0.05, "between-team spread {spread:?}");
    // Moderate mixing (density 0.5, w = 0.5) is no better than none: the
    // curve falls, there is no inverted U (and no term was added to make
    // one).
    let moderate = default_build_up(0.5, 0.5);
    let d = paired(&column(&moderate, 3), &column(&none, 3));
    eprintln!("moderate - none {:.3} {:?}", d.mean, d.ci95);
    assert!(d.ci95[0] < 0.0, "moderate mixing beats none {d:?}");
}

// ------------------------------------------------------- the real binary

fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("culturesim").unwrap()
}

#[test]
fn a_subgroup_sweep_from_the_binary_same_bytes_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fls.toml");
    std::fs::write(
        &file,
        "name = \"fls\"\nmodel = \"march1991\"\ntime_unit = \"period\"\nsteps = 5000\nseed = 2010\nreplicates = 40\n\
         [march]\nm = 64\nn = 50\nvariant = \"literal\"\nsubgroups = 5\n\
         [sweep]\ndesign = \"grid\"\n[sweep.params]\n\"march.cross_link\" = [0.0, 0.03, 1.0]\n",
    )
    .unwrap();
    let run = |threads: &str, name: &str| {
        let out = dir.path().join(name);
        bin()
            .args(["sweep", "-q", "--threads", threads])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let a = run("1", "a");
    let b = run("3", "b");
    for f in ["runs.csv", "summary.json", "scenario.toml"] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x == y, "{f} differs between 1 and 3 threads");
    }
    let resolved = std::fs::read_to_string(a.join("scenario.toml")).unwrap();
    assert!(resolved.contains("subgroups = 5"), "{resolved}");
    // The inverted U from the CLI's own runs.csv: mean knowledge per point.
    let runs = std::fs::read_to_string(a.join("runs.csv")).unwrap();
    let mut sum = [0.0; 3];
    for l in runs.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        let p: usize = c[0].parse().unwrap();
        sum[p] += c[4].parse::<f64>().unwrap() / 40.0;
        assert_eq!(c[9], "1", "every run at equilibrium: {l}");
    }
    assert!(sum[1] > sum[0] + 0.3 && sum[1] > sum[2] + 0.05, "{sum:?}");
}

#[test]
fn march_without_the_new_keys_resolves_and_runs_as_before() {
    // Written at their defaults, subgroups and cross_link leave the resolved
    // scenario and every output byte as without them.
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        bin()
            .args(["sweep", "march1991-fig1", "-q", "--set", "replicates=3"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let a = run(&[], "a");
    let b = run(
        &["--set", "march.subgroups=0", "--set", "march.cross_link=0"],
        "b",
    );
    for f in ["runs.csv", "summary.json", "table.txt", "scenario.toml"] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x == y, "{f} differs");
    }
    let resolved = std::fs::read_to_string(a.join("scenario.toml")).unwrap();
    assert!(!resolved.contains("subgroups") && !resolved.contains("cross_link"));
}
