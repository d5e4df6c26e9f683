//! Cultural transmission in a formal organization, after Harrison &
//! Carroll (1991), "Keeping the faith: a model of cultural transmission in
//! formal organizations", *Administrative Science Quarterly* 36(4),
//! 552–582: members carry an enculturation level in [0, 1]; the
//! organization selects its hires, socializes its members (formally, and
//! through their peers), enculturation decays without it, and members
//! leave, the less enculturated sooner. The organization grows at a
//! constant rate. (A compact reading for the worked example of
//! docs/EXTENDING.md, not a replication of the paper's tables.)

use culturesim::engine::{Model, Seeds};
use culturesim::model::erased::SetSteps;
use culturesim::model::registry::{Figure, MetricDoc, Parameter, Plugin, RunShape, Values};
use culturesim::validate::Problems;
use rand::RngExt;

/// The registration: name, section, parameters, metrics, figures, report.
pub struct HarrisonCarroll;

/// The model, built from a scenario's `[hc]` section.
#[derive(Debug, Clone)]
pub struct Hc {
    members: u32,
    steps: u32,
    /// Per-step chances and shares (converted once from per-year rates).
    socialize: f64,
    peer: f64,
    decay: f64,
    exit: f64,
    bias: f64,
    growth: f64,
    selection: f64,
    spread: f64,
}

/// One run: every member's enculturation, and the fraction of a hire the
/// growth has accumulated.
#[derive(Debug, Clone)]
pub struct State {
    c: Vec<f64>,
    owed: f64,
}

/// Purposes of the random streams.
const INIT: u64 = 1;
const STEP: u64 = 2;

/// The metrics, in the order `observe` writes them.
const METRICS: [&str; 4] = [
    "enculturation",
    "heterogeneity",
    "headcount",
    "share_enculturated",
];

/// Per-step chance of an event of rate `per_year` in a step of `dt` years.
fn chance(per_year: f64, dt: f64) -> f64 {
    1.0 - (-per_year * dt).exp()
}

impl Plugin for HarrisonCarroll {
    type Model = Hc;

    fn name(&self) -> &'static str {
        "harrison-carroll"
    }

    fn section(&self) -> &'static str {
        "hc"
    }

    fn about(&self) -> &'static str {
        "cultural transmission by selection, socialization and turnover (after Harrison & Carroll 1991)"
    }

    fn parameters(&self) -> Vec<Parameter> {
        const HC: &str = "Harrison & Carroll (1991), assumption for the value";
        vec![
            Parameter::whole(
                "members",
                100,
                1,
                1_000_000,
                "members at the start",
                "assumption",
            ),
            Parameter::number(
                "selection",
                0.3,
                0.0,
                1.0,
                "mean enculturation of a hire (selectivity of hiring)",
                HC,
            ),
            Parameter::number(
                "hire_spread",
                0.2,
                0.0,
                0.5,
                "half-width of the uniform range hires are drawn from around `selection`",
                "assumption",
            ),
            Parameter::number(
                "socialization",
                0.6,
                0.0,
                10.0,
                "formal socialization: rate per year at which enculturation closes its gap to 1",
                HC,
            ),
            Parameter::number(
                "peer_influence",
                0.5,
                0.0,
                10.0,
                "informal socialization: rate per year at which enculturation closes its gap to the peers' mean",
                HC,
            ),
            Parameter::number(
                "decay",
                0.2,
                0.0,
                10.0,
                "decay: rate per year at which enculturation falls toward 0 without socialization",
                HC,
            ),
            Parameter::number(
                "turnover",
                0.15,
                0.0,
                5.0,
                "exits per member per year at enculturation 0.5",
                "assumption",
            ),
            Parameter::number(
                "turnover_bias",
                0.8,
                0.0,
                1.0,
                "how much sooner the less enculturated leave: the exit rate is turnover × (1 + bias × (1 − 2c))",
                HC,
            ),
            Parameter::number(
                "growth",
                0.05,
                -0.5,
                1.0,
                "growth of headcount per year (continuous rate; exits are replaced as well)",
                "assumption",
            ),
        ]
    }

    fn metrics(&self) -> Vec<MetricDoc> {
        vec![
            MetricDoc {
                name: "enculturation",
                doc: "mean enculturation of the members (0–1)",
            },
            MetricDoc {
                name: "heterogeneity",
                doc: "standard deviation of enculturation across members",
            },
            MetricDoc {
                name: "headcount",
                doc: "members",
            },
            MetricDoc {
                name: "share_enculturated",
                doc: "share of members with enculturation above 0.5",
            },
        ]
    }

    fn figures(&self) -> Vec<Figure> {
        vec![
            Figure::Lines {
                file: "enculturation",
                title: "Enculturation and its spread",
                y_label: "enculturation (0–1)",
                metrics: &["enculturation", "heterogeneity", "share_enculturated"],
            },
            Figure::Lines {
                file: "headcount",
                title: "Members",
                y_label: "members",
                metrics: &["headcount"],
            },
        ]
    }

    fn report(&self) -> String {
        "Members carry an enculturation level between 0 and 1. The organization hires around a selectivity level, socializes its members formally (toward full enculturation) and through their peers (toward the members' mean), enculturation decays without socialization, and members leave, the less enculturated sooner.\n\nAfter Harrison & Carroll (1991), Administrative Science Quarterly 36(4): 552–582. Rates are per year and converted once to the step length.".into()
    }

    fn build(&self, v: &Values, run: RunShape) -> Result<Hc, Problems> {
        let dt = run.years_per_step;
        let selection = v.number("selection");
        let spread = v.number("hire_spread");
        let mut p = Problems::default();
        if selection - spread < 0.0 || selection + spread > 1.0 {
            p.push(
                "hc.hire_spread",
                format!(
                    "must keep hires inside [0, 1]: selection ± hire_spread is [{}, {}]",
                    selection - spread,
                    selection + spread
                ),
            );
            return Err(p);
        }
        Ok(Hc {
            members: u32::try_from(v.whole("members")).expect("at most a million"),
            steps: run.steps,
            socialize: chance(v.number("socialization"), dt),
            peer: chance(v.number("peer_influence"), dt),
            decay: chance(v.number("decay"), dt),
            exit: v.number("turnover") * dt,
            bias: v.number("turnover_bias"),
            growth: v.number("growth") * dt,
            selection,
            spread,
        })
    }
}

impl Hc {
    fn hire(&self, rng: &mut impl RngExt) -> f64 {
        self.selection + self.spread * (2.0 * rng.random::<f64>() - 1.0)
    }
}

impl SetSteps for Hc {
    fn set_steps(&mut self, steps: u32) {
        self.steps = steps;
    }
}

impl Model for Hc {
    type State = State;

    fn metrics(&self) -> &[&'static str] {
        &METRICS
    }

    fn steps(&self) -> u32 {
        self.steps
    }

    fn init(&self, seeds: &Seeds) -> State {
        let mut rng = seeds.stream(&[INIT]);
        State {
            c: (0..self.members).map(|_| self.hire(&mut rng)).collect(),
            owed: 0.0,
        }
    }

    fn step(&self, s: &mut State, step: u32, seeds: &Seeds) {
        let mut rng = seeds.stream(&[STEP, u64::from(step)]);
        let n = s.c.len();
        let mean = if n == 0 {
            0.0
        } else {
            s.c.iter().sum::<f64>() / n as f64
        };
        // Socialization (formal, then by peers), then decay.
        for c in &mut s.c {
            *c += self.socialize * (1.0 - *c);
            *c += self.peer * (mean - *c);
            *c -= self.decay * *c;
        }
        // Exits: the less enculturated leave sooner.
        s.c.retain(|&c| {
            let rate = self.exit * (1.0 + self.bias * (1.0 - 2.0 * c));
            rng.random::<f64>() >= 1.0 - (-rate).exp()
        });
        // Hires: every exit is replaced, and the organization grows.
        s.owed += n as f64 * self.growth;
        let mut hires = n - s.c.len();
        while s.owed >= 1.0 {
            s.owed -= 1.0;
            hires += 1;
        }
        while s.owed <= -1.0 && hires > 0 {
            s.owed += 1.0;
            hires -= 1;
        }
        for _ in 0..hires {
            let c = self.hire(&mut rng);
            s.c.push(c);
        }
    }

    fn observe(&self, s: &State, out: &mut [f64]) {
        let n = s.c.len() as f64;
        let mean = s.c.iter().sum::<f64>() / n;
        let var = s.c.iter().map(|c| (c - mean) * (c - mean)).sum::<f64>() / n;
        out[0] = mean;
        out[1] = var.sqrt();
        out[2] = n;
        out[3] = s.c.iter().filter(|&&c| c > 0.5).count() as f64 / n;
    }

    fn may_be_undefined(&self, _m: usize) -> bool {
        // An organization whose members all left has no mean.
        true
    }

    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        vec![Some((0.0, 1.0)), Some((0.0, 0.5)), None, Some((0.0, 1.0))]
    }
}
