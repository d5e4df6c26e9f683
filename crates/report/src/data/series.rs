//! The time series of a run for the figures: each metric per run and its
//! quantiles at every step, from [`Timeseries`] (first sweep point only),
//! plus the derived "turnover" (leavers over the past year as a share of
//! the mean headcount, in % per year). Values no figure can show are
//! refused here, naming the file, line, column and metric.

use super::LoadError;
use culturesim_core::analysis::stats::percentile;
use culturesim_core::export::timeseries::Timeseries;
use std::collections::BTreeMap;
use std::path::Path;

/// Quantiles of one metric at every step.
#[derive(Debug, Clone, Default)]
pub struct Bands {
    /// Mean across runs.
    pub mean: Vec<f64>,
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

impl Bands {
    /// Quantiles of `runs` (run × step; shorter runs simply stop counting).
    pub fn of(runs: &[Vec<f64>]) -> Self {
        let steps = runs.iter().map(Vec::len).max().unwrap_or(0);
        let mut b = Bands::default();
        let mut col = Vec::with_capacity(runs.len());
        for s in 0..steps {
            col.clear();
            col.extend(
                runs.iter()
                    .filter_map(|r| r.get(s).copied())
                    .filter(|v| !v.is_nan()),
            );
            col.sort_by(f64::total_cmp);
            let mean = if col.is_empty() {
                f64::NAN
            } else {
                col.iter().sum::<f64>() / col.len() as f64
            };
            b.mean.push(mean);
            b.p5.push(percentile(&col, 0.05));
            b.p25.push(percentile(&col, 0.25));
            b.p50.push(percentile(&col, 0.5));
            b.p75.push(percentile(&col, 0.75));
            b.p95.push(percentile(&col, 0.95));
        }
        b
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether there is no step.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }
}

/// The time series of every metric, per run.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Metric names in file order (plus the derived "turnover").
    pub metrics: Vec<String>,
    /// metric → run → step.
    pub runs: BTreeMap<String, Vec<Vec<f64>>>,
    /// metric → per-step quantiles.
    pub bands: BTreeMap<String, Bands>,
}

impl Series {
    /// Quantiles of `metric`.
    pub fn bands(&self, metric: &str) -> Option<&Bands> {
        self.bands.get(metric)
    }

    /// The final value of `metric` in each run.
    pub fn finals(&self, metric: &str) -> Vec<f64> {
        self.runs
            .get(metric)
            .map(|runs| runs.iter().filter_map(|r| r.last().copied()).collect())
            .unwrap_or_default()
    }

    /// Number of runs.
    pub fn n_runs(&self) -> usize {
        self.runs.values().next().map_or(0, Vec::len)
    }

    /// The runs of the first sweep point of `ts` (read from `path`), a
    /// step being a `time_unit`: every step of every replicate in order,
    /// every value one a figure can show.
    pub fn of(ts: &Timeseries, time_unit: &str, path: &Path) -> Result<Self, LoadError> {
        let bad = |line: u64, column: usize, message: String| LoadError::Value {
            path: path.to_path_buf(),
            what: "time series",
            line,
            column: column as u64,
            message,
        };
        // The first metric's column (after point, replicate, step[, year]).
        let first = if ts.has_year { 5 } else { 4 };
        let mut runs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); ts.metrics.len()];
        let mut index: BTreeMap<u32, usize> = BTreeMap::new();
        let first_point = ts.rows.first().map(|r| r.point);
        for row in ts.rows.iter().filter(|r| Some(r.point) == first_point) {
            let next = index.len();
            let r = *index.entry(row.replicate).or_insert(next);
            for (m, (&v, name)) in row.values.iter().zip(&ts.metrics).enumerate() {
                plottable(v).map_err(|e| bad(row.line, first + m, format!("{name} {e}")))?;
                let runs = &mut runs[m];
                if runs.len() <= r {
                    runs.resize(r + 1, Vec::new());
                }
                let series = &mut runs[r];
                if series.len() != row.step {
                    return Err(bad(
                        row.line,
                        3,
                        format!(
                            "step: expected step {} of replicate {}, got {}",
                            series.len(),
                            row.replicate,
                            row.step
                        ),
                    ));
                }
                series.push(v);
            }
        }
        if index.is_empty() {
            return Err(bad(0, 0, "no rows".into()));
        }
        let mut out = Series::default();
        for (name, r) in ts.metrics.iter().zip(runs) {
            out.metrics.push(name.clone());
            out.runs.insert(name.clone(), r);
        }
        if let (Some(leavers), Some(heads)) = (out.runs.get("leavers"), out.runs.get("headcount")) {
            let window = (1.0 / culturesim_core::scenario::years_per_step(time_unit))
                .round()
                .max(1.0) as usize;
            let turnover: Vec<Vec<f64>> = leavers
                .iter()
                .zip(heads)
                .map(|(l, h)| annual_turnover(l, h, window))
                .collect();
            out.metrics.push("turnover".into());
            out.runs.insert("turnover".into(), turnover);
        }
        out.bands = out
            .runs
            .iter()
            .map(|(k, r)| (k.clone(), Bands::of(r)))
            .collect();
        Ok(out)
    }
}

/// Parse the text of a timeseries.csv (see [`Series::of`]).
pub fn parse_timeseries(text: &str, time_unit: &str) -> Result<Series, LoadError> {
    let path = Path::new("timeseries.csv");
    let ts = Timeseries::parse(text, path).map_err(LoadError::File)?;
    Series::of(&ts, time_unit, path)
}

/// Largest magnitude a plotted value may have: beyond it the axes' key
/// points cannot be computed (plotters loops for a very long time on 1e308)
/// and no metric of a sound run comes near it.
pub const MAX_PLOTTED: f64 = 1e15;

/// Refuse a value no figure can show (not finite, or absurdly large).
pub fn plottable(v: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err(format!(
            "is {v}, not a finite number (the run overflowed: check the scenario's extreme values)"
        ));
    }
    if v.abs() > MAX_PLOTTED {
        return Err(format!(
            "is {v:e}, beyond the ±{MAX_PLOTTED:e} a figure can show (the run overflowed: check the scenario's extreme values)"
        ));
    }
    Ok(())
}

/// Turnover in % per year: leavers in the trailing `window` steps divided by
/// the mean headcount over those steps, scaled to a year (NaN until at
/// least a quarter of a window has passed).
pub fn annual_turnover(leavers: &[f64], headcount: &[f64], window: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(leavers.len());
    let (mut sl, mut sh) = (0.0, 0.0);
    for i in 0..leavers.len() {
        // Step 0 is the initial state: nobody has left yet.
        let l = if i == 0 { 0.0 } else { leavers[i] };
        sl += l;
        sh += headcount[i];
        if i >= window {
            sl -= if i - window == 0 {
                0.0
            } else {
                leavers[i - window]
            };
            sh -= headcount[i - window];
        }
        let n = (i + 1).min(window);
        let steps_with_flow = if i < window { i } else { window };
        if steps_with_flow * 4 < window || sh <= 0.0 {
            out.push(f64::NAN);
        } else {
            let mean_head = sh / n as f64;
            out.push(100.0 * sl / mean_head * window as f64 / steps_with_flow as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_by_hand() {
        let runs = vec![vec![0.0, 1.0], vec![1.0, 2.0], vec![2.0, 3.0], vec![3.0]];
        let b = Bands::of(&runs);
        assert_eq!(b.len(), 2);
        assert_eq!(b.mean, vec![1.5, 2.0]);
        assert_eq!(b.p50, vec![1.5, 2.0]);
        // step 0: values 0..3, p25 at h = 0.75
        assert!((b.p25[0] - 0.75).abs() < 1e-12);
        assert!((b.p95[1] - 2.9).abs() < 1e-12);
    }

    #[test]
    fn the_year_column_is_time_not_a_metric() {
        let csv = "point,replicate,step,year,culture\n0,0,0,0,0.2\n0,0,1,0.5,0.3\n";
        let s = parse_timeseries(csv, "month").unwrap();
        assert_eq!(s.metrics, vec!["culture"]);
        assert_eq!(s.finals("culture"), vec![0.3]);
    }

    #[test]
    fn timeseries_parses_and_derives_turnover() {
        let csv = "point,replicate,step,culture,headcount,leavers\n\
                   0,0,0,0.2,10,0\n0,0,1,0.3,10,1\n0,0,2,0.4,10,1\n\
                   0,1,0,0.2,10,0\n0,1,1,0.5,10,0\n0,1,2,0.6,10,0\n\
                   1,0,0,0.9,10,0\n";
        let s = parse_timeseries(csv, "year").unwrap();
        assert_eq!(s.n_runs(), 2);
        assert_eq!(s.finals("culture"), vec![0.4, 0.6]);
        assert_eq!(s.bands("culture").unwrap().mean[1], 0.4);
        // yearly steps: window 1, turnover = leavers / headcount.
        assert_eq!(s.runs["turnover"][0][1], 10.0);
        assert_eq!(s.runs["turnover"][1][2], 0.0);
        assert!(s.runs["turnover"][0][0].is_nan());
    }

    #[test]
    fn timeseries_errors_name_the_line() {
        let csv = "point,replicate,step,culture\n0,0,0,x\n";
        let e = parse_timeseries(csv, "week").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("culture"), "{e}");
        let csv = "point,replicate,step,culture\n0,0,1,0.5\n";
        let e = parse_timeseries(csv, "week").unwrap_err().to_string();
        assert!(e.contains("line 2, column 3: step: expected step 0"), "{e}");
        let csv = "point,replicate,step,year,culture\n0,0,0,0,1e308\n";
        let e = parse_timeseries(csv, "week").unwrap_err().to_string();
        assert!(e.contains("line 2, column 5: culture is 1e308"), "{e}");
        assert!(parse_timeseries("point,replicate,step,culture\n", "week").is_err());
    }

    #[test]
    fn turnover_window() {
        // 52-step window, one leaver every step out of 100: 52% per year.
        let l = vec![1.0; 200];
        let h = vec![100.0; 200];
        let t = annual_turnover(&l, &h, 52);
        assert!(t[5].is_nan());
        assert!((t[100] - 52.0).abs() < 1e-9);
        assert!((t[20] - 52.0).abs() < 1e-9);
    }
}
