//! The teams × samples matrix of a run for the figures, from
//! [`TeamsFile`]: each team's mean local culture at every sampled step
//! (per-replicate rows are averaged), teams in file (org-chart) order.

use super::LoadError;
use super::series::plottable;
use culturesim_core::export::teams::TeamsFile;
use std::collections::BTreeMap;
use std::path::Path;

/// Mean local culture of each team over time.
#[derive(Debug, Clone, Default)]
pub struct Teams {
    /// Team (or unit) names in file order (left to right in the org chart).
    pub names: Vec<String>,
    /// Each team's division, in the same order (empty for a teams.csv
    /// without a `division` column: divisions then come from path names).
    pub divisions: Vec<String>,
    /// Sampled steps.
    pub steps: Vec<u32>,
    /// team → sample.
    pub values: Vec<Vec<f64>>,
}

impl Teams {
    /// The matrix of `file` (read from `path`); per-replicate rows give
    /// the mean over replicates in each cell.
    pub fn of(file: &TeamsFile, path: &Path) -> Result<Self, LoadError> {
        let per_replicate = file.per_replicate;
        let mut t = Teams::default();
        let mut team_index: BTreeMap<&str, usize> = BTreeMap::new();
        // Per-replicate rows: the steps repeat for every replicate.
        let mut step_index: BTreeMap<u32, usize> = BTreeMap::new();
        let mut counts: Vec<Vec<u32>> = Vec::new();
        let culture_column = 3 + u64::from(per_replicate) + u64::from(file.has_division);
        for row in &file.rows {
            let v = row.culture;
            plottable(v).map_err(|e| LoadError::Value {
                path: path.to_path_buf(),
                what: "teams file",
                line: row.line,
                column: culture_column,
                message: format!("culture {e}"),
            })?;
            let step = row.step;
            let col = if per_replicate {
                let next = step_index.len();
                let c = *step_index.entry(step).or_insert(next);
                if c == t.steps.len() {
                    t.steps.push(step);
                }
                c
            } else {
                if t.steps.last() != Some(&step) {
                    t.steps.push(step);
                }
                t.steps.len() - 1
            };
            let next = team_index.len();
            let r = *team_index.entry(row.team.as_str()).or_insert(next);
            if r == t.names.len() {
                t.names.push(row.team.clone());
                t.values.push(Vec::new());
                if file.has_division {
                    t.divisions.push(row.division.clone());
                }
            }
            let cells = &mut t.values[r];
            if per_replicate {
                // Sums and counts; divided once every row is read.
                if cells.len() <= col {
                    cells.resize(col + 1, 0.0);
                }
                cells[col] += v;
                counts.resize(t.names.len(), Vec::new());
                let c = &mut counts[r];
                if c.len() <= col {
                    c.resize(col + 1, 0);
                }
                c[col] += 1;
            } else {
                cells.resize(col, f64::NAN);
                cells.push(v);
            }
        }
        let n = t.steps.len();
        if per_replicate {
            for (r, c) in t.values.iter_mut().zip(&counts) {
                for (x, &k) in r.iter_mut().zip(c) {
                    *x = if k == 0 { f64::NAN } else { *x / f64::from(k) };
                }
            }
        }
        for r in &mut t.values {
            r.resize(n, f64::NAN);
        }
        Ok(t)
    }
}

/// Parse the text of a teams.csv (see [`Teams::of`]).
pub fn parse_teams(text: &str) -> Result<Teams, LoadError> {
    let path = Path::new("teams.csv");
    let file = TeamsFile::parse(text, path).map_err(LoadError::File)?;
    Teams::of(&file, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_replicate_teams_are_averaged() {
        let t = parse_teams(
            "replicate,step,division,team,culture\n0,0,d,a,0.1\n0,0,e,b,0.2\n0,2,d,a,0.3\n0,2,e,b,0.4\n\
             1,0,d,a,0.3\n1,0,e,b,0.4\n1,2,d,a,0.5\n1,2,e,b,0.6\n",
        )
        .unwrap();
        assert_eq!(t.names, vec!["a", "b"]);
        assert_eq!(t.divisions, vec!["d", "e"]);
        assert_eq!(t.steps, vec![0, 2]);
        let near = |x: f64, y: f64| (x - y).abs() < 1e-12;
        assert!(near(t.values[0][0], 0.2) && near(t.values[0][1], 0.4));
        assert!(near(t.values[1][0], 0.3) && near(t.values[1][1], 0.5));
    }

    #[test]
    fn teams_matrix() {
        let t = parse_teams("step,team,culture\n0,a,0.1\n0,b,0.2\n2,a,0.3\n2,b,0.4\n").unwrap();
        assert_eq!(t.names, vec!["a", "b"]);
        assert_eq!(t.steps, vec![0, 2]);
        assert_eq!(t.values, vec![vec![0.1, 0.3], vec![0.2, 0.4]]);
        assert!(t.divisions.is_empty());
        let t =
            parse_teams("step,division,team,culture\n0,d,a,0.1\n0,e,b,0.2\n2,d,a,0.3\n2,e,b,0.4\n")
                .unwrap();
        assert_eq!(t.divisions, vec!["d", "e"]);
        assert_eq!(t.values, vec![vec![0.1, 0.3], vec![0.2, 0.4]]);
        assert!(parse_teams("step,unit,culture\n").is_err());
        let e = parse_teams("step,division,team,culture\n0,d,a,inf\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 4: culture is inf"), "{e}");
    }
}
