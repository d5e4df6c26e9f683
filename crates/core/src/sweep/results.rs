//! The results of a sweep's points as its figures and tables use them: the
//! mean and 95% CI of one metric per point (from summary.csv), and the
//! swing of each parameter's main effect.

/// One point of a sweep: its parameter values and the metric's mean and CI.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Parameter values, in the order of the names.
    pub values: Vec<f64>,
    /// Mean of the metric.
    pub mean: f64,
    /// 95% CI of the mean.
    pub ci: (f64, f64),
}

/// Mean and 95% CI per point of one metric, from summary.csv's text.
pub fn point_results(
    summary: &str,
    metric: &str,
    design: &[Vec<f64>],
) -> Vec<(usize, PointResult)> {
    summary
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            if c.get(1) != Some(&metric) {
                return None;
            }
            let p = c[0].parse::<usize>().ok()?;
            Some((
                p,
                PointResult {
                    values: design.get(p)?.clone(),
                    mean: c[3].parse().ok()?,
                    ci: (c[5].parse().ok()?, c[6].parse().ok()?),
                },
            ))
        })
        .collect()
}

/// The swing of each parameter's main effect: the points grouped by the
/// parameter's value (into at most five rank bins when the values are all
/// different, as in a Latin hypercube), the metric's mean per group, and
/// the largest minus the smallest of those means.
pub fn main_effect_swings(points: &[PointResult], k: usize) -> Vec<f64> {
    (0..k)
        .map(|d| {
            let mut order: Vec<&PointResult> = points.iter().collect();
            order.sort_by(|a, b| a.values[d].total_cmp(&b.values[d]));
            let distinct = {
                let mut v: Vec<f64> = order.iter().map(|p| p.values[d]).collect();
                v.dedup();
                v.len()
            };
            let mut groups: Vec<(f64, usize)> = Vec::new();
            if distinct * 2 <= order.len() {
                let mut last = f64::NAN;
                for p in &order {
                    if p.values[d] != last {
                        groups.push((0.0, 0));
                        last = p.values[d];
                    }
                    let g = groups.last_mut().expect("a group");
                    g.0 += p.mean;
                    g.1 += 1;
                }
            } else {
                let bins = order.len().clamp(1, 5);
                groups = vec![(0.0, 0); bins];
                for (i, p) in order.iter().enumerate() {
                    let g = &mut groups[i * bins / order.len()];
                    g.0 += p.mean;
                    g.1 += 1;
                }
            }
            let means = groups.iter().filter(|g| g.1 > 0).map(|g| g.0 / g.1 as f64);
            let (lo, hi) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), m| {
                (a.min(m), b.max(m))
            });
            if hi >= lo { hi - lo } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(values: &[f64], mean: f64) -> PointResult {
        PointResult {
            values: values.to_vec(),
            mean,
            ci: (mean, mean),
        }
    }

    #[test]
    fn summary_rows_of_one_metric_become_points() {
        let summary = "point,metric,n,mean,sd,ci_lo,ci_hi\n0,culture,4,0.5,0.1,0.4,0.6\n0,tipped,4,0.25,0,0,0.5\n1,culture,4,0.7,0.1,0.65,0.75\n";
        let design = vec![vec![0.1], vec![0.2]];
        let got = point_results(summary, "culture", &design);
        assert_eq!(
            got,
            vec![
                (
                    0,
                    PointResult {
                        values: vec![0.1],
                        mean: 0.5,
                        ci: (0.4, 0.6)
                    }
                ),
                (
                    1,
                    PointResult {
                        values: vec![0.2],
                        mean: 0.7,
                        ci: (0.65, 0.75)
                    }
                )
            ]
        );
        assert_eq!(point_results(summary, "tipped", &design).len(), 1);
    }

    #[test]
    fn a_swing_is_the_range_of_the_group_means() {
        // A 2x2 grid: the first parameter moves the mean by 0.4, the
        // second by 0.1 (hand-computed group means 0.25/0.65, 0.4/0.5).
        let pts = [
            point(&[0.0, 0.0], 0.2),
            point(&[0.0, 1.0], 0.3),
            point(&[1.0, 0.0], 0.6),
            point(&[1.0, 1.0], 0.7),
        ];
        let s = main_effect_swings(&pts, 2);
        assert!(
            (s[0] - 0.4).abs() < 1e-12 && (s[1] - 0.1).abs() < 1e-12,
            "{s:?}"
        );
        // All values different (a Latin hypercube): rank bins, not values.
        let lhs: Vec<PointResult> = (0..10)
            .map(|i| point(&[f64::from(i)], f64::from(i)))
            .collect();
        let s = main_effect_swings(&lhs, 1);
        assert!((s[0] - 8.0).abs() < 1e-12, "{s:?}");
    }
}
