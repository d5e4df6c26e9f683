//! Expanding a `[sweep]` section into parameter points: full grid, zipped
//! lists, or Latin hypercube samples (McKay, Beckman & Conover 1979).

use crate::engine::rng::{hash_keys, unit_from_hash};
use crate::scenario::raw::{RawSweep, SweepValues};
use crate::validate::Problems;

/// The points of a design.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Swept key paths, in column order.
    pub names: Vec<String>,
    /// One row of values per point.
    pub points: Vec<Vec<f64>>,
    /// The baseline point of paired differences.
    pub baseline: usize,
}

/// Most points of a design without `--force-size`.
pub const MAX_POINTS: u128 = 1_000_000;

/// Expand `raw` (LHS draws from `seed`). Every problem is reported.
pub fn expand(raw: &RawSweep, seed: u64) -> Result<Design, Problems> {
    let mut p = Problems::default();
    let names: Vec<String> = raw.params.keys().cloned().collect();
    if names.is_empty() {
        p.push("sweep.params", "needs at least one parameter");
    }
    // Count the points before building any (issue 20.5).
    let count = count_points(raw);
    if count > MAX_POINTS && !crate::limits::force_size() {
        let bytes = count.saturating_mul(24 + 8 * names.len() as u128);
        p.push(
            if raw.design == "lhs" {
                "sweep.samples"
            } else {
                "sweep.params"
            },
            format!(
                "the design has {count} points, more than the limit of {MAX_POINTS} (every point is validated before anything runs; the points alone would need about {}); use --force-size to try anyway",
                crate::limits::human_bytes(u64::try_from(bytes).unwrap_or(u64::MAX))
            ),
        );
        return Err(p);
    }
    let points = match raw.design.as_str() {
        "grid" => grid(&lists(raw, &mut p)),
        "zip" => zip(&names, &lists(raw, &mut p), &mut p),
        "lhs" => lhs_design(raw, seed, &mut p),
        other => {
            p.push(
                "sweep.design",
                format!("must be \"grid\", \"zip\" or \"lhs\", got \"{other}\""),
            );
            vec![]
        }
    };
    let baseline = raw.baseline.unwrap_or(0) as usize;
    if !points.is_empty() && baseline >= points.len() {
        p.push(
            "sweep.baseline",
            format!("must name a point below {}, got {baseline}", points.len()),
        );
    }
    if p.is_empty() {
        Ok(Design {
            names,
            points,
            baseline,
        })
    } else {
        Err(p)
    }
}

/// The value lists of a grid or zip design, one per swept key (empty,
/// with a problem, where a key has no values or a range).
fn lists(raw: &RawSweep, p: &mut Problems) -> Vec<Vec<f64>> {
    raw.params
        .iter()
        .map(|(k, v)| match v {
            SweepValues::List(l) if !l.is_empty() => l.clone(),
            SweepValues::List(_) => {
                p.push(format!("sweep.params.{k}"), "needs at least one value");
                vec![]
            }
            SweepValues::Range { .. } => {
                p.push(
                    format!("sweep.params.{k}"),
                    format!(
                        "design \"{}\" needs a list of values, not a range",
                        raw.design
                    ),
                );
                vec![]
            }
        })
        .collect()
}

/// The number of points `raw` asks for, counted without building them.
fn count_points(raw: &RawSweep) -> u128 {
    match raw.design.as_str() {
        "grid" => raw
            .params
            .values()
            .map(|v| match v {
                SweepValues::List(l) => l.len() as u128,
                SweepValues::Range { .. } => 1,
            })
            .fold(1u128, |a, b| a.saturating_mul(b)),
        "zip" => raw.params.values().next().map_or(0, |v| match v {
            SweepValues::List(l) => l.len() as u128,
            SweepValues::Range { .. } => 0,
        }),
        _ => u128::from(raw.samples.unwrap_or(0)),
    }
}

/// Every combination of the `lists`' values (the last key varying fastest).
fn grid(lists: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut pts = vec![vec![]];
    for values in lists {
        pts = pts
            .into_iter()
            .flat_map(|pt: Vec<f64>| {
                values.iter().map(move |&v| {
                    let mut q = pt.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    pts
}

/// The `lists` zipped, point i taking every key's i-th value; lists of
/// different lengths are a problem.
fn zip(names: &[String], lists: &[Vec<f64>], p: &mut Problems) -> Vec<Vec<f64>> {
    let n = lists.first().map_or(0, Vec::len);
    for (k, v) in names.iter().zip(lists) {
        if v.len() != n {
            p.push(
                format!("sweep.params.{k}"),
                format!(
                    "zip needs lists of one length: {} has {}, {} has {n}",
                    k,
                    v.len(),
                    names[0]
                ),
            );
        }
    }
    (0..n)
        .map(|i| {
            lists
                .iter()
                .map(|v| v.get(i).copied().unwrap_or(f64::NAN))
                .collect()
        })
        .collect()
}

/// A Latin hypercube of `samples` points over the keys' ranges (a bad
/// range is a problem, and counts as [0, 0]).
fn lhs_design(raw: &RawSweep, seed: u64, p: &mut Problems) -> Vec<Vec<f64>> {
    let n = raw.samples.unwrap_or(0) as usize;
    if n == 0 {
        p.push("sweep.samples", "lhs needs samples = N (at least 1)");
    }
    let mut ranges = Vec::new();
    for (k, v) in &raw.params {
        match v {
            SweepValues::Range { min, max } if min <= max && min.is_finite() && max.is_finite() => {
                ranges.push((*min, *max))
            }
            SweepValues::Range { min, max } => {
                p.push(
                    format!("sweep.params.{k}"),
                    format!("needs finite min <= max, got min = {min}, max = {max}"),
                );
                ranges.push((0.0, 0.0));
            }
            SweepValues::List(_) => {
                p.push(
                    format!("sweep.params.{k}"),
                    "lhs needs { min = .., max = .. }, not a list",
                );
                ranges.push((0.0, 0.0));
            }
        }
    }
    lhs(n, &ranges, seed)
}

/// Stream tag of Latin hypercube draws ("LHS").
const LHS_TAG: u64 = 0x004C_4853;

/// Latin hypercube: `n` points; for each dimension the n strata
/// [i/n, (i+1)/n) are each used exactly once (a seeded permutation), with a
/// uniform position inside the stratum, scaled to the range.
pub fn lhs(n: usize, ranges: &[(f64, f64)], seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::with_capacity(ranges.len()); n];
    for (d, &(lo, hi)) in ranges.iter().enumerate() {
        // Fisher–Yates with counter-based draws: reproducible anywhere.
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let u = unit_from_hash(hash_keys(seed, &[LHS_TAG, d as u64, i as u64]));
            let j = (u * (i + 1) as f64) as usize;
            perm.swap(i, j.min(i));
        }
        for (i, pt) in points.iter_mut().enumerate() {
            let u = unit_from_hash(hash_keys(seed, &[LHS_TAG, d as u64, (n + i) as u64]));
            let x = (perm[i] as f64 + u) / n as f64;
            pt.push(lo + x * (hi - lo));
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sweep(design: &str, params: &[(&str, SweepValues)], samples: Option<u32>) -> RawSweep {
        RawSweep {
            design: design.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
            samples,
            baseline: None,
            timeseries_every: None,
        }
    }

    #[test]
    fn grid_is_every_combination_last_key_fastest() {
        let d = expand(
            &sweep(
                "grid",
                &[
                    ("a", SweepValues::List(vec![1.0, 2.0])),
                    ("b", SweepValues::List(vec![10.0, 20.0, 30.0])),
                ],
                None,
            ),
            1,
        )
        .unwrap();
        assert_eq!(d.names, vec!["a", "b"]);
        assert_eq!(d.points.len(), 6);
        assert_eq!(d.points[0], vec![1.0, 10.0]);
        assert_eq!(d.points[1], vec![1.0, 20.0]);
        assert_eq!(d.points[5], vec![2.0, 30.0]);
    }

    #[test]
    fn zip_pairs_and_checks_lengths() {
        let d = expand(
            &sweep(
                "zip",
                &[
                    ("a", SweepValues::List(vec![1.0, 2.0])),
                    ("b", SweepValues::List(vec![3.0, 4.0])),
                ],
                None,
            ),
            1,
        )
        .unwrap();
        assert_eq!(d.points, vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
        let e = expand(
            &sweep(
                "zip",
                &[
                    ("a", SweepValues::List(vec![1.0])),
                    ("b", SweepValues::List(vec![3.0, 4.0])),
                ],
                None,
            ),
            1,
        )
        .unwrap_err();
        assert!(e.0.iter().any(|p| p.message.contains("one length")));
    }

    #[test]
    fn lhs_is_stratified_in_every_dimension() {
        let n = 50;
        let pts = lhs(n, &[(0.0, 1.0), (10.0, 20.0)], 7);
        assert_eq!(pts.len(), n);
        for (d, (lo, hi)) in [(0.0, 1.0), (10.0, 20.0)].iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| (((p[d] - lo) / (hi - lo)) * n as f64).floor() as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {d}");
        }
        assert_eq!(pts, lhs(n, &[(0.0, 1.0), (10.0, 20.0)], 7), "reproducible");
        assert_ne!(pts, lhs(n, &[(0.0, 1.0), (10.0, 20.0)], 8));
    }

    #[test]
    fn bad_designs_are_explained() {
        assert!(
            expand(
                &sweep("cube", &[("a", SweepValues::List(vec![1.0]))], None),
                1
            )
            .is_err()
        );
        let e = expand(
            &sweep("lhs", &[("a", SweepValues::List(vec![1.0]))], Some(4)),
            1,
        )
        .unwrap_err();
        assert!(e.0[0].message.contains("min"));
        let e = expand(&sweep("grid", &[], None), 1).unwrap_err();
        assert!(e.0[0].message.contains("at least one parameter"));
    }
}
