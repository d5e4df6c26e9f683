//! NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist
//! multiobjective genetic algorithm: NSGA-II", IEEE Trans. Evol. Comput.
//! 6(2)), with Deb's (2000) constraint domination: every objective is
//! minimized; a feasible candidate dominates an infeasible one, and of two
//! infeasible ones the smaller violation wins.
//!
//! Variation is simulated binary crossover (SBX, Deb & Agrawal 1995;
//! distribution index [`Settings::eta_c`]) and polynomial mutation (Deb &
//! Goyal 1996; [`Settings::eta_m`], each variable with probability 1/d),
//! both bounded; parents are chosen by binary tournament on (front,
//! crowding distance). The first generation is a Latin hypercube after the
//! `seeds` the caller gives (e.g. the plan as written).
//!
//! Every random number comes from a stream keyed by (seed, generation), and
//! a generation is evaluated as one batch by the caller, so the search is
//! the same at any thread count. A candidate already evaluated (a grid
//! value met again) is not evaluated twice: with common random numbers
//! it would give the same objectives.

use crate::engine::rng::{Stream, hash_keys, mix64};
use rand::RngExt;
use std::collections::HashMap;

/// A decision variable's range (and grid).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Least value.
    pub lo: f64,
    /// Greatest value.
    pub hi: f64,
    /// Grid spacing from `lo` (None: continuous).
    pub step: Option<f64>,
}

impl Range {
    /// `x` clamped to the range and put on its grid.
    pub fn snap(&self, x: f64) -> f64 {
        let x = x.clamp(self.lo, self.hi);
        match self.step {
            Some(s) if s > 0.0 => {
                let k = ((x - self.lo) / s).round();
                let v = self.lo + k * s;
                let v = if v > self.hi + 1e-12 { v - s } else { v };
                // Nine decimals: 0.85, not 0.8500000000000001.
                ((v * 1e9).round() / 1e9).clamp(self.lo, self.hi)
            }
            _ => x,
        }
    }
}

/// The search's settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Candidates per generation (even; at least 4).
    pub population: usize,
    /// Generations after the first.
    pub generations: u32,
    /// Master seed of the search's streams.
    pub seed: u64,
    /// SBX distribution index (15: Deb & Agrawal 1995's usual choice).
    pub eta_c: f64,
    /// Polynomial mutation distribution index (20).
    pub eta_m: f64,
    /// Probability that a pair of parents is crossed.
    pub crossover: f64,
}

impl Settings {
    /// The usual NSGA-II settings (Deb et al. 2002) for `population` and
    /// `generations`.
    pub fn new(population: usize, generations: u32, seed: u64) -> Self {
        Self {
            population: population.max(4).next_multiple_of(2),
            generations,
            seed,
            eta_c: 15.0,
            eta_m: 20.0,
            crossover: 0.9,
        }
    }
}

/// One evaluated candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its decision variables.
    pub x: Vec<f64>,
    /// Its objectives (all minimized).
    pub f: Vec<f64>,
    /// How far it breaks the constraints (0: feasible).
    pub violation: f64,
    /// The generation that first evaluated it.
    pub generation: u32,
}

/// What the caller's evaluation gives for one candidate: objectives and
/// constraint violation.
pub type Evaluation = (Vec<f64>, f64);

/// The caller's evaluation of one generation: (new candidates,
/// generation) to each one's [`Evaluation`], in order.
pub type Evaluate<'a> = dyn FnMut(&[Vec<f64>], u32) -> Vec<Evaluation> + 'a;

/// Purpose tag of the search's streams.
const TAG_NSGA: u64 = 0x4E53_4741_2D49_4921;

fn stream(seed: u64, generation: u32) -> Stream {
    let hi = hash_keys(seed, &[TAG_NSGA, u64::from(generation)]);
    let lo = mix64(hi ^ 0x9E37_79B9_7F4A_7C15);
    Stream::new((u128::from(hi) << 64) | u128::from(lo))
}

/// Whether `a` constraint-dominates `b` (Deb 2000).
pub fn dominates(a: &Candidate, b: &Candidate) -> bool {
    match (a.violation > 0.0, b.violation > 0.0) {
        (false, true) => true,
        (true, false) => false,
        (true, true) => a.violation < b.violation,
        (false, false) => {
            a.f.iter().zip(&b.f).all(|(x, y)| x <= y) && a.f.iter().zip(&b.f).any(|(x, y)| x < y)
        }
    }
}

/// Fast non-dominated sorting: the fronts, best first, as indices into
/// `pop` (each front in increasing index order).
pub fn fronts(pop: &[&Candidate]) -> Vec<Vec<usize>> {
    let n = pop.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in 0..n {
            if i != j && dominates(pop[i], pop[j]) {
                dominates_list[i].push(j);
            } else if i != j && dominates(pop[j], pop[i]) {
                dominated_by[i] += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        out.push(current);
        current = next;
    }
    out
}

/// Crowding distance of each member of `front` (indices into `pop`), in
/// the order of `front`; the extremes of every objective get infinity.
pub fn crowding(pop: &[&Candidate], front: &[usize]) -> Vec<f64> {
    let n = front.len();
    let mut d = vec![0.0; n];
    if n == 0 {
        return d;
    }
    let m = pop[front[0]].f.len();
    for k in 0..m {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            pop[front[a]].f[k]
                .total_cmp(&pop[front[b]].f[k])
                .then(front[a].cmp(&front[b]))
        });
        let (lo, hi) = (pop[front[order[0]]].f[k], pop[front[order[n - 1]]].f[k]);
        d[order[0]] = f64::INFINITY;
        d[order[n - 1]] = f64::INFINITY;
        if hi > lo {
            for w in 1..n.saturating_sub(1) {
                let (a, b) = (pop[front[order[w - 1]]].f[k], pop[front[order[w + 1]]].f[k]);
                d[order[w]] += (b - a) / (hi - lo);
            }
        }
    }
    d
}

/// Rank (front index) and crowding distance of every member of `pop`.
fn rank_and_crowding(pop: &[&Candidate]) -> (Vec<usize>, Vec<f64>) {
    let mut rank = vec![0; pop.len()];
    let mut crowd = vec![0.0; pop.len()];
    for (r, front) in fronts(pop).iter().enumerate() {
        for (i, c) in front.iter().zip(crowding(pop, front)) {
            rank[*i] = r;
            crowd[*i] = c;
        }
    }
    (rank, crowd)
}

/// The `n` survivors of `pop` (indices): whole fronts while they fit,
/// then the most crowded-apart of the next front.
fn survivors(pop: &[&Candidate], n: usize) -> Vec<usize> {
    let mut keep = Vec::with_capacity(n);
    for front in fronts(pop) {
        if keep.len() + front.len() <= n {
            keep.extend(&front);
        } else {
            let d = crowding(pop, &front);
            let mut order: Vec<usize> = (0..front.len()).collect();
            order.sort_by(|&a, &b| d[b].total_cmp(&d[a]).then(front[a].cmp(&front[b])));
            keep.extend(order.iter().take(n - keep.len()).map(|&k| front[k]));
        }
        if keep.len() >= n {
            break;
        }
    }
    keep
}

/// SBX of one variable pair within [lo, hi] (Deb & Agrawal 1995, the
/// bounded form of Deb's NSGA-II code).
fn sbx(rng: &mut Stream, a: f64, b: f64, lo: f64, hi: f64, eta: f64) -> (f64, f64) {
    if (a - b).abs() < 1e-14 || hi <= lo {
        return (a, b);
    }
    let (y1, y2) = if a < b { (a, b) } else { (b, a) };
    let u: f64 = rng.random();
    let child = |beta: f64| {
        let alpha = 2.0 - beta.powf(-(eta + 1.0));
        if u <= 1.0 / alpha {
            (u * alpha).powf(1.0 / (eta + 1.0))
        } else {
            (1.0 / (2.0 - u * alpha)).powf(1.0 / (eta + 1.0))
        }
    };
    let bq1 = child(1.0 + 2.0 * (y1 - lo) / (y2 - y1));
    let c1 = 0.5 * ((y1 + y2) - bq1 * (y2 - y1));
    let bq2 = child(1.0 + 2.0 * (hi - y2) / (y2 - y1));
    let c2 = 0.5 * ((y1 + y2) + bq2 * (y2 - y1));
    let (c1, c2) = (c1.clamp(lo, hi), c2.clamp(lo, hi));
    if rng.random::<bool>() {
        (c2, c1)
    } else {
        (c1, c2)
    }
}

/// Polynomial mutation of one variable within [lo, hi] (Deb & Goyal 1996).
fn mutate(rng: &mut Stream, y: f64, lo: f64, hi: f64, eta: f64) -> f64 {
    if hi <= lo {
        return lo;
    }
    let (d1, d2) = ((y - lo) / (hi - lo), (hi - y) / (hi - lo));
    let u: f64 = rng.random();
    let p = 1.0 / (eta + 1.0);
    let dq = if u < 0.5 {
        let v = 2.0 * u + (1.0 - 2.0 * u) * (1.0 - d1).powf(eta + 1.0);
        v.powf(p) - 1.0
    } else {
        let v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * (1.0 - d2).powf(eta + 1.0);
        1.0 - v.powf(p)
    };
    (y + dq * (hi - lo)).clamp(lo, hi)
}

/// A Latin hypercube of `n` points in `ranges` (each snapped to its grid).
fn latin(rng: &mut Stream, ranges: &[Range], n: usize) -> Vec<Vec<f64>> {
    let mut cols: Vec<Vec<f64>> = ranges
        .iter()
        .map(|r| {
            let mut strata: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                strata.swap(i, rng.random_range(0..=i));
            }
            strata
                .iter()
                .map(|&s| {
                    let u = (s as f64 + rng.random::<f64>()) / n as f64;
                    r.snap(r.lo + u * (r.hi - r.lo))
                })
                .collect()
        })
        .collect();
    (0..n)
        .map(|i| cols.iter_mut().map(|c| c[i]).collect())
        .collect()
}

/// The key of a candidate's variables (exact bits).
fn key(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Run the search: `seeds` first (snapped), then a Latin hypercube, then
/// `generations` of NSGA-II. `evaluate(batch, generation)` gives each new
/// candidate's objectives and violation, in order. Returns every candidate
/// evaluated, in the order evaluated, and the last population (indices
/// into it).
pub fn search(
    ranges: &[Range],
    seeds: &[Vec<f64>],
    s: &Settings,
    evaluate: &mut Evaluate<'_>,
) -> (Vec<Candidate>, Vec<usize>) {
    let mut archive: Vec<Candidate> = Vec::new();
    let mut seen: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut add = |xs: Vec<Vec<f64>>, g: u32, archive: &mut Vec<Candidate>| -> Vec<usize> {
        let mut fresh: Vec<Vec<f64>> = Vec::new();
        for x in &xs {
            if !seen.contains_key(&key(x)) && !fresh.iter().any(|f| key(f) == key(x)) {
                fresh.push(x.clone());
            }
        }
        let results = if fresh.is_empty() {
            Vec::new()
        } else {
            evaluate(&fresh, g)
        };
        for (x, (f, violation)) in fresh.into_iter().zip(results) {
            seen.insert(key(&x), archive.len());
            archive.push(Candidate {
                x,
                f,
                violation,
                generation: g,
            });
        }
        xs.iter().map(|x| seen[&key(x)]).collect()
    };
    let mut rng = stream(s.seed, 0);
    let n = s.population;
    let mut first: Vec<Vec<f64>> = seeds
        .iter()
        .take(n)
        .map(|x| x.iter().zip(ranges).map(|(v, r)| r.snap(*v)).collect())
        .collect();
    let rest = n - first.len();
    first.extend(latin(&mut rng, ranges, rest));
    let mut pop = add(first, 0, &mut archive);
    let d = ranges.len().max(1);
    for g in 1..=s.generations {
        let mut rng = stream(s.seed, g);
        let members: Vec<&Candidate> = pop.iter().map(|&i| &archive[i]).collect();
        let (rank, crowd) = rank_and_crowding(&members);
        let pick = |rng: &mut Stream| {
            let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
            let better = (rank[a], std::cmp::Reverse(ordered(crowd[a])))
                <= (rank[b], std::cmp::Reverse(ordered(crowd[b])));
            if better { a } else { b }
        };
        let mut children = Vec::with_capacity(n);
        while children.len() < n {
            let (p1, p2) = (pick(&mut rng), pick(&mut rng));
            let (mut c1, mut c2) = (members[p1].x.clone(), members[p2].x.clone());
            if rng.random::<f64>() < s.crossover {
                for (k, r) in ranges.iter().enumerate() {
                    if rng.random::<f64>() < 0.5 {
                        (c1[k], c2[k]) = sbx(&mut rng, c1[k], c2[k], r.lo, r.hi, s.eta_c);
                    }
                }
            }
            for c in [&mut c1, &mut c2] {
                for (k, r) in ranges.iter().enumerate() {
                    if rng.random::<f64>() < 1.0 / d as f64 {
                        c[k] = mutate(&mut rng, c[k], r.lo, r.hi, s.eta_m);
                    }
                    c[k] = r.snap(c[k]);
                }
            }
            children.push(c1);
            children.push(c2);
        }
        let kids = add(children, g, &mut archive);
        let mut union = pop.clone();
        for k in kids {
            if !union.contains(&k) {
                union.push(k);
            }
        }
        let members: Vec<&Candidate> = union.iter().map(|&i| &archive[i]).collect();
        pop = survivors(&members, n).iter().map(|&k| union[k]).collect();
    }
    (archive, pop)
}

/// A float as a totally ordered key (for tournament comparisons).
fn ordered(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(f: &[f64], violation: f64) -> Candidate {
        Candidate {
            x: vec![],
            f: f.to_vec(),
            violation,
            generation: 0,
        }
    }

    #[test]
    fn constraint_domination_and_fronts() {
        let a = cand(&[1.0, 1.0], 0.0);
        let b = cand(&[2.0, 2.0], 0.0);
        let c = cand(&[0.5, 3.0], 0.0);
        let bad = cand(&[0.0, 0.0], 1.0);
        assert!(dominates(&a, &b) && !dominates(&b, &a));
        assert!(!dominates(&a, &c) && !dominates(&c, &a));
        assert!(dominates(&b, &bad), "feasible beats infeasible");
        let pop = [&a, &b, &c, &bad];
        assert_eq!(fronts(&pop), vec![vec![0, 2], vec![1], vec![3]]);
        let d = crowding(&pop, &[0, 2]);
        assert!(d.iter().all(|x| x.is_infinite()));
    }

    /// Schaffer's problem (Deb et al. 2002, SCH): f1 = x², f2 = (x − 2)²;
    /// the Pareto set is x ∈ [0, 2]. The search must put its last
    /// population there, the same at every call.
    #[test]
    fn nsga2_finds_schaffers_pareto_set() {
        let ranges = [Range {
            lo: -10.0,
            hi: 10.0,
            step: None,
        }];
        let s = Settings::new(20, 30, 7);
        let run = || {
            search(&ranges, &[], &s, &mut |xs, _| {
                xs.iter()
                    .map(|x| (vec![x[0] * x[0], (x[0] - 2.0).powi(2)], 0.0))
                    .collect()
            })
        };
        let (archive, pop) = run();
        let inside = pop
            .iter()
            .filter(|&&i| (-0.05..=2.05).contains(&archive[i].x[0]))
            .count();
        assert!(inside >= 19, "{inside} of 20 on the Pareto set");
        assert_eq!(run().0, archive, "the same search twice");
        // Knock-out: without selection (0 generations) the Latin
        // hypercube over [-10, 10] puts most of the population off the set.
        let s0 = Settings::new(20, 0, 7);
        let (a0, p0) = search(&ranges, &[], &s0, &mut |xs, _| {
            xs.iter()
                .map(|x| (vec![x[0] * x[0], (x[0] - 2.0).powi(2)], 0.0))
                .collect()
        });
        let inside0 = p0
            .iter()
            .filter(|&&i| (-0.05..=2.05).contains(&a0[i].x[0]))
            .count();
        assert!(inside0 <= 5, "{inside0}");
    }

    #[test]
    fn grids_snap_and_duplicates_are_evaluated_once() {
        let r = Range {
            lo: 0.0,
            hi: 1.0,
            step: Some(0.25),
        };
        assert_eq!(r.snap(0.3), 0.25);
        assert_eq!(r.snap(0.9), 1.0);
        assert_eq!(r.snap(7.0), 1.0);
        let fine = Range {
            lo: 0.0,
            hi: 1.0,
            step: Some(0.05),
        };
        assert_eq!(fine.snap(0.851), 0.85);
        let mut calls = 0;
        let (archive, _) = search(&[r], &[], &Settings::new(8, 5, 1), &mut |xs, _| {
            calls += xs.len();
            xs.iter().map(|x| (vec![x[0], 1.0 - x[0]], 0.0)).collect()
        });
        assert!(archive.len() <= 5, "only five grid values exist");
        assert_eq!(calls, archive.len());
    }
}
