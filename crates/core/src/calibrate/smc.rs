//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC;
//! Toni et al. 2009, with the adaptive tolerances, importance weights and
//! the population-covariance kernel of Beaumont et al. 2009).
//!
//! Generation 0 draws N particles from the prior. Generation g > 0 takes
//! as its tolerance ε_g the `quantile` of generation g−1's distances;
//! proposal k picks a parent θ_j by weight, moves it by a normal kernel
//! with twice the weighted covariance of generation g−1 (Beaumont et al.
//! 2009), simulates, and is accepted when its distance is at most ε_g. The
//! weight of an accepted θ is π(θ) / Σ_j W_j K(θ | θ_j), normalized.
//!
//! Reproducibility: proposals are made in batches of N, each batch in
//! parallel, and proposal k of generation g draws everything from a
//! stream of (seed, g, k) only; the first N accepted in proposal order
//! form the generation. No result depends on the thread count or order.
//! The covariance's Cholesky factor is written out below (a d×d matrix
//! with d the number of free parameters; no linear-algebra crate needed).

use crate::engine::rng::{Stream, hash_keys, mix64};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What the sampler needs from a calibration problem.
pub trait Problem: Sync {
    /// Number of free parameters.
    fn dim(&self) -> usize;
    /// One draw from the prior.
    fn prior_sample(&self, rng: &mut Stream) -> Vec<f64>;
    /// The prior density at θ, up to a constant (0 outside the support).
    fn prior_density(&self, theta: &[f64]) -> f64;
    /// The distance between the data and a simulation at θ, for proposal
    /// `proposal` of generation `generation`; None when the model refuses θ.
    fn distance(&self, theta: &[f64], generation: u32, proposal: u64) -> Option<f64>;
    /// What becomes of proposal `proposal` of `generation` at θ: a
    /// distance, a refusal, or a screening out before any simulation (a
    /// pre-filter). Without a pre-filter, [`Problem::distance`].
    fn assess(&self, theta: &[f64], generation: u32, proposal: u64) -> Assessed {
        match self.distance(theta, generation, proposal) {
            Some(d) => Assessed::Distance(d),
            None => Assessed::Refused,
        }
    }
}

/// The fate of one proposal ([`Problem::assess`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Assessed {
    /// Simulated, at this distance to the data.
    Distance(f64),
    /// The model refuses θ (it counts as a simulation).
    Refused,
    /// Ruled out by a pre-filter, without a simulation.
    Screened,
}

/// One weighted particle. In files its numbers are text in Rust's
/// shortest round-trip form, read back with `str::parse`: exactly the same
/// bits (a JSON number parser need not round-trip the last bit), so a
/// resumed calibration continues from the very same population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// The parameter values, in the order of the free parameters.
    #[serde(with = "exact::vec")]
    pub theta: Vec<f64>,
    /// Normalized importance weight.
    #[serde(with = "exact::one")]
    pub weight: f64,
    /// Its distance to the data.
    #[serde(with = "exact::one")]
    pub distance: f64,
    /// The proposal it came from (its streams: simulating proposal k of
    /// its generation again gives the same simulation).
    pub proposal: u64,
}

/// One finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Generation number, from 0 (the prior).
    pub index: u32,
    /// ε (None for generation 0, which accepts every simulation).
    #[serde(with = "exact::opt")]
    pub tolerance: Option<f64>,
    /// Proposals made (including those outside the prior's support).
    pub proposals: u64,
    /// Simulations run.
    pub simulations: u64,
    /// Proposals a pre-filter ruled out before simulating them.
    #[serde(default)]
    pub screened: u64,
    /// The accepted particles.
    pub particles: Vec<Particle>,
}

impl Generation {
    /// Accepted per simulation.
    pub fn acceptance(&self) -> f64 {
        self.particles.len() as f64 / self.simulations.max(1) as f64
    }

    /// Effective sample size 1 / Σ w².
    pub fn ess(&self) -> f64 {
        1.0 / self
            .particles
            .iter()
            .map(|p| p.weight * p.weight)
            .sum::<f64>()
    }
}

/// Numbers as exact text (see [`Particle`]).
mod exact {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    fn parse<E: Error>(s: &str) -> Result<f64, E> {
        s.parse()
            .map_err(|_| E::custom(format!("not a number: '{s}'")))
    }

    pub mod one {
        use super::*;
        pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&format!("{v}"))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            parse(&String::deserialize(d)?)
        }
    }

    pub mod opt {
        use super::*;
        pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(&format!("{v}")),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| parse(&s))
                .transpose()
        }
    }

    pub mod vec {
        use super::*;
        pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(|x| format!("{x}")))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|s| parse(s))
                .collect()
        }
    }
}

/// Settings of the sampler.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// N: particles per generation.
    pub particles: usize,
    /// The tolerance quantile.
    pub quantile: f64,
    /// A generation needing more than N / min_acceptance simulations stops.
    pub min_acceptance: f64,
    /// Master seed.
    pub seed: u64,
}

/// How a generation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// N particles accepted.
    Done(Generation),
    /// The simulation budget ran out first.
    Stalled {
        /// The tolerance tried.
        tolerance: f64,
        /// Accepted before the budget ran out.
        accepted: usize,
        /// Simulations run.
        simulations: u64,
        /// Proposals a pre-filter ruled out.
        screened: u64,
    },
}

/// Purpose tag of the sampler's streams.
const TAG_SMC: u64 = 0x0041_4243_2D53_4D43;

/// The stream of proposal `k` of generation `g`.
pub fn proposal_stream(seed: u64, g: u32, k: u64) -> Stream {
    let hi = hash_keys(seed, &[TAG_SMC, u64::from(g), k]);
    let lo = mix64(hi ^ 0xA409_3822_299F_31D0);
    Stream::new((u128::from(hi) << 64) | u128::from(lo))
}

/// The lower Cholesky factor of the d×d matrix `a` (row-major), or None
/// when `a` is not positive definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// |L⁻¹ x|²: the squared Mahalanobis length of x under L Lᵀ.
fn mahalanobis2(l: &[f64], d: usize, x: &[f64]) -> f64 {
    let mut y = vec![0.0; d];
    let mut q = 0.0;
    for i in 0..d {
        let mut s = x[i];
        for k in 0..i {
            s -= l[i * d + k] * y[k];
        }
        y[i] = s / l[i * d + i];
        q += y[i] * y[i];
    }
    q
}

/// The weighted mean and covariance (row-major) of a population.
pub fn weighted_moments(ps: &[Particle], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; d];
    for p in ps {
        for (m, x) in mean.iter_mut().zip(&p.theta) {
            *m += p.weight * x;
        }
    }
    let mut cov = vec![0.0; d * d];
    let w2: f64 = ps.iter().map(|p| p.weight * p.weight).sum();
    for p in ps {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] += p.weight * (p.theta[i] - mean[i]) * (p.theta[j] - mean[j]);
            }
        }
    }
    // The unbiased weighted estimate (reliability weights).
    let c = 1.0 / (1.0 - w2).max(1e-12);
    for v in &mut cov {
        *v *= c;
    }
    (mean, cov)
}

/// The kernel's factor: Cholesky of 2Σ, or of its diagonal when Σ is
/// singular (a collapsed parameter gets a tiny width, not none).
fn kernel(prev: &Generation, d: usize) -> Vec<f64> {
    let (mean, cov) = weighted_moments(&prev.particles, d);
    let two: Vec<f64> = cov.iter().map(|v| 2.0 * v).collect();
    cholesky(&two, d).unwrap_or_else(|| {
        let mut l = vec![0.0; d * d];
        for i in 0..d {
            let floor = 1e-12 * (1.0 + mean[i].abs()).powi(2);
            l[i * d + i] = two[i * d + i].max(floor).sqrt();
        }
        l
    })
}

/// The `q` quantile of `xs` (the lower order statistic at ⌈q n⌉).
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

/// A proposal from generation `g`: a parent drawn by weight (`cumulative`,
/// the running sums of the weights), moved by the Gaussian kernel whose
/// covariance has the Cholesky factor `l` (row-major, `d` × `d`).
fn perturb(g: &Generation, l: &[f64], d: usize, cumulative: &[f64], rng: &mut Stream) -> Vec<f64> {
    let total = *cumulative.last().unwrap_or(&1.0);
    let u = rng.random::<f64>() * total;
    let j = cumulative
        .partition_point(|&c| c <= u)
        .min(g.particles.len() - 1);
    let parent = &g.particles[j].theta;
    let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
    (0..d)
        .map(|i| parent[i] + (0..=i).map(|k| l[i * d + k] * z[k]).sum::<f64>())
        .collect()
}

/// The importance weight of each accepted (θ, distance, proposal) after
/// generation `g` (Beaumont 2009): π(θ) / Σ_j w_j K(θ − θ_j), with the
/// kernel of Cholesky factor `l`; not yet normalized.
fn importance_weights<P: Problem>(
    problem: &P,
    g: &Generation,
    l: &[f64],
    accepted: &[(Vec<f64>, f64, u64)],
) -> Vec<f64> {
    let d = problem.dim();
    accepted
        .par_iter()
        .map(|(theta, _, _)| {
            let mut denom = 0.0;
            let mut x = vec![0.0; d];
            for p in &g.particles {
                for i in 0..d {
                    x[i] = theta[i] - p.theta[i];
                }
                denom += p.weight * (-0.5 * mahalanobis2(l, d, &x)).exp();
            }
            problem.prior_density(theta) / denom
        })
        .collect()
}

/// A proposal's candidate (θ, distance, proposal) if it has one, whether
/// it was simulated and whether a pre-filter ruled it out.
type Proposed = (Option<(Vec<f64>, f64, u64)>, bool, bool);

/// Run generation `index` (0: the prior) after `prev`. `tick(accepted,
/// simulations, screened)` is called after each batch.
pub fn generation<P: Problem>(
    problem: &P,
    s: &Settings,
    prev: Option<&Generation>,
    index: u32,
    tick: &(dyn Fn(usize, u64, u64) + Sync),
) -> Outcome {
    let d = problem.dim();
    let n = s.particles;
    let tolerance = prev.map(|g| {
        quantile(
            &g.particles.iter().map(|p| p.distance).collect::<Vec<_>>(),
            s.quantile,
        )
    });
    let l = prev.map(|g| kernel(g, d));
    let cumulative: Vec<f64> = prev
        .map(|g| {
            g.particles
                .iter()
                .scan(0.0, |acc, p| {
                    *acc += p.weight;
                    Some(*acc)
                })
                .collect()
        })
        .unwrap_or_default();
    // (the accepted candidate, whether it was simulated, whether screened out)
    let propose = |k: u64| -> Proposed {
        let mut rng = proposal_stream(s.seed, index, k);
        let theta = match (prev, &l) {
            (Some(g), Some(l)) => perturb(g, l, d, &cumulative, &mut rng),
            _ => problem.prior_sample(&mut rng),
        };
        if problem.prior_density(&theta) <= 0.0 {
            return (None, false, false);
        }
        match problem.assess(&theta, index, k) {
            Assessed::Distance(dist) if dist.is_finite() => (Some((theta, dist, k)), true, false),
            Assessed::Distance(_) | Assessed::Refused => (None, true, false),
            Assessed::Screened => (None, false, true),
        }
    };
    let budget = (n as f64 / s.min_acceptance).ceil() as u64;
    let mut accepted: Vec<(Vec<f64>, f64, u64)> = Vec::with_capacity(n);
    let (mut proposals, mut simulations, mut screened) = (0u64, 0u64, 0u64);
    while accepted.len() < n {
        // A pre-filter that rules out nearly everything must not loop
        // for ever: proposals are capped too.
        let capped = proposals >= 100 * budget.max(n as u64);
        if (simulations >= budget.max(n as u64) || capped) && prev.is_some() {
            return Outcome::Stalled {
                tolerance: tolerance.unwrap_or(f64::INFINITY),
                accepted: accepted.len(),
                simulations,
                screened,
            };
        }
        if prev.is_none() && proposals >= 100 * n as u64 {
            // The prior's draws are refused by the scenario again and again.
            return Outcome::Stalled {
                tolerance: f64::INFINITY,
                accepted: accepted.len(),
                simulations,
                screened,
            };
        }
        let batch: Vec<_> = (proposals..proposals + n as u64)
            .into_par_iter()
            .map(propose)
            .collect();
        for (result, simulated, out) in batch {
            if accepted.len() == n {
                break;
            }
            proposals += 1;
            simulations += u64::from(simulated);
            screened += u64::from(out);
            if let Some((theta, dist, k)) = result
                && tolerance.is_none_or(|e| dist <= e)
            {
                accepted.push((theta, dist, k));
            }
        }
        tick(accepted.len(), simulations, screened);
    }
    // Importance weights.
    let weights: Vec<f64> = match (prev, &l) {
        (Some(g), Some(l)) => importance_weights(problem, g, l, &accepted),
        _ => vec![1.0; accepted.len()],
    };
    let total: f64 = weights.iter().sum();
    let particles = accepted
        .into_iter()
        .zip(weights)
        .map(|((theta, distance, proposal), w)| Particle {
            theta,
            weight: w / total,
            distance,
            proposal,
        })
        .collect();
    Outcome::Done(Generation {
        index,
        tolerance,
        proposals,
        simulations,
        screened,
        particles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// θ ~ U(-5, 5), data y = 1 observed with noise N(0, 1): the posterior
    /// is close to N(1, 1) (the prior is wide).
    struct Gauss;
    impl Problem for Gauss {
        fn dim(&self) -> usize {
            1
        }
        fn prior_sample(&self, rng: &mut Stream) -> Vec<f64> {
            vec![-5.0 + 10.0 * rng.random::<f64>()]
        }
        fn prior_density(&self, t: &[f64]) -> f64 {
            f64::from(u8::from((-5.0..=5.0).contains(&t[0])))
        }
        fn distance(&self, t: &[f64], g: u32, k: u64) -> Option<f64> {
            let mut rng = proposal_stream(99, g, k);
            let e: f64 = StandardNormal.sample(&mut rng);
            Some((t[0] + e - 1.0).abs())
        }
    }

    #[test]
    fn a_gaussian_posterior_is_recovered() {
        let s = Settings {
            particles: 400,
            quantile: 0.5,
            min_acceptance: 0.01,
            seed: 5,
        };
        let mut g = None;
        for i in 0..6 {
            match generation(&Gauss, &s, g.as_ref(), i, &|_, _, _| {}) {
                Outcome::Done(x) => g = Some(x),
                Outcome::Stalled { .. } => panic!("stalled"),
            }
        }
        let g = g.unwrap();
        let (m, c) = weighted_moments(&g.particles, 1);
        assert!((m[0] - 1.0).abs() < 0.25, "mean {}", m[0]);
        // Exact posterior sd 1; ABC with a finite tolerance is a little wider.
        assert!(
            c[0].sqrt() > 0.8 && c[0].sqrt() < 1.35,
            "sd {}",
            c[0].sqrt()
        );
        assert!((g.particles.iter().map(|p| p.weight).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn generations_read_back_bit_for_bit() {
        let g = Generation {
            index: 1,
            tolerance: Some(0.1 + 0.2),
            proposals: 3,
            simulations: 2,
            screened: 1,
            particles: vec![Particle {
                theta: vec![1.0 / 3.0, 2.0f64.sqrt()],
                weight: 0.022_302_270_227_218_77,
                distance: std::f64::consts::PI,
                proposal: 7,
            }],
        };
        let back: Generation = serde_json::from_slice(&serde_json::to_vec(&g).unwrap()).unwrap();
        assert_eq!(back, g);
        assert_eq!(
            back.particles[0].weight.to_bits(),
            g.particles[0].weight.to_bits()
        );
    }

    #[test]
    fn cholesky_of_a_known_matrix() {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]].
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        assert_eq!(l[0], 2.0);
        assert_eq!(l[2], 1.0);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-15);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!((mahalanobis2(&l, 2, &[2.0, 1.0]) - 1.0).abs() < 1e-12);
    }
}
