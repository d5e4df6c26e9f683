//! The employee pass is compiled several ways (AVX-512, AVX2, the x86-64
//! baseline, and the one-slot-at-a-time reference). They must agree to the
//! bit: the same seed gives the same output on every machine. These tests
//! run the real model with each kernel this processor supports, side by
//! side with the reference, and compare the whole state after every step.

use culturesim::engine::{Model, RunId, Seeds};
use culturesim::model::learning_culture::state::State;
use culturesim::model::learning_culture::{Kernel, LearningCulture};
use culturesim::scenario::Scenario;

fn model(overrides: &[&str]) -> LearningCulture {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = Scenario::default_with(&o).expect("scenario");
    s.model
        .learning_culture()
        .expect("learning culture")
        .clone()
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Everything an employee pass writes, as exact bits.
fn fingerprint(s: &State) -> Vec<Vec<u64>> {
    let e = &s.emp;
    let wide = |v: Vec<u32>| v.into_iter().map(u64::from).collect::<Vec<u64>>();
    let mut out = vec![
        wide(bits(&e.knowledge)),
        wide(bits(&e.mastery)),
        wide(bits(&e.belief)),
        wide(bits(&e.influence)),
        e.engaged.iter().map(|&x| u64::from(x)).collect(),
        e.active.iter().map(|&x| u64::from(x)).collect(),
        e.project.iter().map(|&x| u64::from(x)).collect(),
        e.tenure.iter().map(|&x| u64::from(x)).collect(),
        e.community.iter().map(|&x| u64::from(x)).collect(),
        wide(bits(&s.practice)),
        wide(bits(&s.culture)),
        vec![s.org_culture.to_bits(), s.codified.to_bits()],
        wide(bits(&s.alignment)),
        wide(bits(&s.conviction)),
    ];
    for t in &s.tally {
        out.push(vec![
            u64::from(t.active),
            u64::from(t.engaged),
            u64::from(t.leavers),
            u64::from(t.hires),
            u64::from(t.successes),
            u64::from(t.failures),
            u64::from(t.participants),
            u64::from(t.knowledge.to_bits()),
            u64::from(t.belief.to_bits()),
            u64::from(t.weighted_belief.to_bits()),
            u64::from(t.influence.to_bits()),
            u64::from(t.knowledge_lost.to_bits()),
            u64::from(t.engaged_knowledge.to_bits()),
        ]);
    }
    out
}

/// Run `steps` steps from `from` with every available kernel beside the
/// reference; panic at the first step where any state differs. Returns how
/// many kernels were compared.
fn agree(base: &LearningCulture, from: u32, steps: u32) -> usize {
    let seeds = Seeds::new(
        11,
        RunId {
            point: 0,
            replicate: 3,
        },
    );
    let mut reference = base.clone();
    assert!(reference.set_kernel(Kernel::Scalar));
    let mut runs: Vec<(Kernel, LearningCulture, State)> =
        [Kernel::Avx512, Kernel::Avx2, Kernel::Baseline, Kernel::Auto]
            .into_iter()
            .filter_map(|k| {
                let mut m = base.clone();
                m.set_kernel(k).then(|| {
                    let s = m.init(&seeds);
                    (k, m, s)
                })
            })
            .collect();
    let mut r = reference.init(&seeds);
    let mut obs_r = vec![0.0; reference.metrics().len()];
    let mut obs = obs_r.clone();
    for step in from..from + steps {
        reference.step(&mut r, step, &seeds);
        reference.observe(&r, &mut obs_r);
        let want = fingerprint(&r);
        for (k, m, s) in &mut runs {
            m.step(s, step, &seeds);
            m.observe(s, &mut obs);
            assert!(
                fingerprint(s) == want,
                "kernel {k:?} differs from the reference at step {step}"
            );
            assert_eq!(
                obs.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                obs_r.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "kernel {k:?}: observations differ at step {step}"
            );
        }
    }
    runs.len()
}

#[test]
fn every_kernel_matches_the_reference_through_every_mechanism() {
    // Programmes (weeks 0-156), a Learnathon at week 40 (projects end,
    // succeed and fail), communities of practice, a reorganization, a
    // turnover wave (vacancies to fill) and leader shocks, in teams of
    // ordinary size.
    let m = model(&[
        "org.employees=6000",
        "events.6={kind=\"community_of_practice\",at=\"30w\",density=0.4}",
        "events.7={kind=\"reorganization\",at=\"45w\",fraction=0.2}",
        "events.8={kind=\"turnover_wave\",at=\"48w\",fraction=0.3}",
        "events.9={kind=\"budget_cut\",at=\"50w\",scope=\"random:5\",cut=0.5}",
        "events.10={kind=\"replace_leader\",at=\"52w\",scope=\"lowest:3\",alignment=0.1}",
    ]);
    let n = agree(&m, 0, 64);
    // Baseline and Auto at least; AVX2 and AVX-512 where the processor has them.
    assert!(n >= 2, "compared {n} kernels");
}

#[test]
fn kernels_agree_on_teams_larger_than_a_chunk_and_in_a_fading_organization() {
    // Teams of 200-700 slots span several chunks of the pass; heavy
    // turnover with slow filling leaves many vacancies; a
    // tenth of the slots is room to grow (E30), filled at its own rate.
    let m = model(&[
        "org.employees=5000",
        "org.team_size={dist=\"uniform\",min=200,max=700}",
        "turnover.base=2.6764",
        "turnover.fill_rate=2.6764",
        "learnathon.duration=3",
        "init.vacant=0.1",
        "turnover.growth=1.5",
    ]);
    agree(&m, 36, 30);
}

#[test]
fn kernels_agree_with_every_new_mechanism_switched_on() {
    // Habit, informal learning, informal learning made explicit, misfit
    // attrition, attraction and selection of hires, upward influence on
    // leaders with their conviction, and successors promoted from within:
    // each takes a branch-free path in the chunk pass that the reference
    // takes one slot at a time.
    let m = model(&[
        "org.employees=6000",
        "engagement.habit_weeks=6",
        "learning.informal=0.1568",
        "formalization.informal=2.676",
        "turnover.misfit_effect=2",
        "turnover.selection=0.4",
        "leadership.upward=1",
        "leadership.conviction=1",
        "leadership.internal=0.5",
        "leadership.turnover=1.0541",
        "events.6={kind=\"community_of_practice\",at=\"30w\",density=0.4}",
        "events.7={kind=\"turnover_wave\",at=\"48w\",fraction=0.3}",
    ]);
    let n = agree(&m, 0, 64);
    assert!(n >= 2, "compared {n} kernels");
}
