//! Invariants for random parameter sets (proptest): every share and level
//! stays in [0, 1], nothing is NaN, and headcount bookkeeping is exact
//! (headcount_t = headcount_{t−1} − leavers_t + hires_t).

use crate::common;
use common::*;
use culturesim::engine::{RunId, run_one};
use culturesim::model::learning_culture::{METRICS, metric};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_parameters(
        coupling in 0.0f64..3.0,
        threshold in 2.0f64..7.0,
        softness in 0.05f64..1.0,
        belief_rate in 0.05f64..2.7,
        asymmetry in 1.0f64..4.0,
        turnover in 0.0f64..0.52,
        fill in 0.0f64..40.0,
        formalization in 0.0f64..11.6,
        wave in 0.0f64..1.0,
        alignment in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let sets = [
            format!("culture.coupling={coupling}"),
            format!("engagement.threshold={threshold}"),
            format!("engagement.softness={softness}"),
            format!("belief.rate={belief_rate}"),
            format!("belief.asymmetry={asymmetry}"),
            format!("turnover.base={turnover}"),
            format!("turnover.fill_rate={fill}"),
            format!("formalization.rate={formalization}"),
            format!("events.6={{kind=\"turnover_wave\",at=\"30w\",fraction={wave}}}"),
            format!("events.7={{kind=\"replace_leader\",at=\"45w\",scope=\"random:3\",alignment={alignment}}}"),
            "events.8={kind=\"reorganization\",at=\"50w\",fraction=0.3}".to_string(),
            "events.9={kind=\"community_of_practice\",at=\"20w\",density=0.5}".to_string(),
            "events.4.at=\"55w\"".to_string(),
            "events.5.at=\"58w\"".to_string(),
            "events.3.start=\"5w\"".to_string(),
            "events.3.every=\"20w\"".to_string(),
            "org.employees=150".to_string(),
            format!("seed={seed}"),
        ];
        let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
        let s = scenario(&refs);
        let mut m = model(&s);
        m.set_steps(60);
        let run = run_one(&m, s.seed, RunId { point: 0, replicate: 0 });
        prop_assert_eq!(run.len(), 61);
        let shares = [
            metric::CULTURE, metric::KNOWLEDGE, metric::ENGAGEMENT, metric::BELIEF,
            metric::ALIGNMENT, metric::TEAMS_HIGH, metric::CODIFIED, metric::PRACTICE, metric::SUPPORT,
        ];
        for n in 0..run.len() {
            let row = run.row(n);
            for (i, v) in row.iter().enumerate() {
                prop_assert!(v.is_finite(), "{} is {} at step {}", METRICS[i], v, n);
            }
            for &i in &shares {
                prop_assert!((0.0..=1.0).contains(&row[i]), "{} = {} at step {}", METRICS[i], row[i], n);
            }
            prop_assert!(row[metric::HEADCOUNT] <= 150.0);
            if n > 0 {
                let prev = run.row(n - 1)[metric::HEADCOUNT];
                prop_assert_eq!(row[metric::HEADCOUNT], prev - row[metric::LEAVERS] + row[metric::HIRES], "bookkeeping at step {}", n);
            }
        }
        // Agent-level state stays in range too.
        let mut ok = true;
        walk(&m, s.seed, 0, |_, st| {
            for i in 0..st.emp.active.len() {
                for v in [st.emp.belief[i], st.emp.knowledge[i], st.emp.mastery[i]] {
                    ok &= (0.0..=1.0).contains(&v);
                }
            }
            for t in 0..st.culture.len() {
                ok &= (0.0..=1.0).contains(&st.culture[t]) && (0.0..=1.0).contains(&st.practice[t]);
            }
        });
        prop_assert!(ok, "an agent or team value left [0, 1]");
    }
}
