//! `teams.csv`: each team's local culture (or a coarser unit's, for very
//! large organizations) every few steps, with the division (the unit below
//! the top) it belongs to. By default the mean over replicates,
//! `step,division,team,culture`; with `run --teams-per-replicate` one row
//! per replicate, `replicate,step,division,team,culture`, streamed as runs
//! finish (the figures then draw the mean of those rows). Older files
//! have no `division`. [`TeamsFile`] reads any of these back and writes
//! the same bytes again.

use crate::analysis::groups::GroupMeans;
use crate::engine::RunOutput;
use crate::export::format::{Format, Table};
use crate::export::{CsvText, ReadError};
use std::io::Write;
use std::path::Path;

/// A whole teams.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamsFile {
    /// Whether rows are per replicate (`run --teams-per-replicate`).
    pub per_replicate: bool,
    /// Whether the file has the `division` column.
    pub has_division: bool,
    /// Rows in file order.
    pub rows: Vec<TeamRow>,
}

/// One team's local culture at one sampled step.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    /// Replicate (0 in a file of means).
    pub replicate: u32,
    /// Step.
    pub step: u32,
    /// The team's division (empty without the column).
    pub division: String,
    /// Team (or unit) name.
    pub team: String,
    /// Local culture (written with 6 decimals).
    pub culture: f64,
    /// Line in the CSV file it was read from (0 when built in code or read
    /// from Parquet).
    pub line: u64,
}

impl TeamsFile {
    /// The header of a file with these columns.
    fn header(&self) -> Vec<&'static str> {
        let mut h = Vec::new();
        if self.per_replicate {
            h.push("replicate");
        }
        h.push("step");
        if self.has_division {
            h.push("division");
        }
        h.extend(["team", "culture"]);
        h
    }

    /// Read the teams table at `path`: `teams.parquet` when its name ends
    /// in `.parquet`, a CSV otherwise.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        if Format::of_path(path) == Some(Format::Parquet) {
            #[cfg(feature = "parquet")]
            return super::columnar::read_teams(path);
            #[cfg(not(feature = "parquet"))]
            return Err(super::no_parquet(path, Table::Teams));
        }
        Self::parse(&ReadError::read_to_string(path)?, path)
    }

    /// The teams table of the folder `dir`: its `teams.parquet` or
    /// `teams.csv` (see [`super::format::locate`]), with its path.
    pub fn read_in(dir: &Path) -> Result<(Self, std::path::PathBuf), ReadError> {
        let path = super::format::locate(dir, Table::Teams)?.0;
        Ok((Self::read(&path)?, path))
    }

    /// Parse the text of a teams.csv (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvText::new(path, "teams file");
        let (header, records) = csv.records(text)?;
        let mut file = Self {
            per_replicate: header.first().is_some_and(|h| h == "replicate"),
            has_division: header.iter().any(|h| h == "division"),
            rows: Vec::with_capacity(records.len()),
        };
        if header != file.header() {
            return Err(csv.error(
                1,
                0,
                "",
                "expected the columns step,division,team,culture (with replicate first for per-replicate rows)",
            ));
        }
        let at = |name: &str| header.iter().position(|h| h == name).expect("checked");
        let (c_step, c_team, c_culture) = (at("step"), at("team"), at("culture"));
        for (line, rec) in &records {
            let line = *line;
            file.rows.push(TeamRow {
                replicate: match file.per_replicate {
                    true => csv.number(line, &header, rec, 0)?,
                    false => 0,
                },
                step: csv.number(line, &header, rec, c_step)?,
                division: match file.has_division {
                    true => rec[at("division")].to_string(),
                    false => String::new(),
                },
                team: rec[c_team].to_string(),
                culture: csv.number(line, &header, rec, c_culture)?,
                line,
            });
        }
        Ok(file)
    }

    /// Write the file: the bytes it was read from, for a file this crate
    /// wrote.
    pub fn write<W: Write>(&self, inner: W) -> csv::Result<W> {
        let mut out = csv::Writer::from_writer(inner);
        out.write_record(self.header())?;
        for r in &self.rows {
            let mut rec = Vec::with_capacity(5);
            if self.per_replicate {
                rec.push(r.replicate.to_string());
            }
            rec.push(r.step.to_string());
            if self.has_division {
                rec.push(r.division.clone());
            }
            rec.push(r.team.clone());
            rec.push(format!("{:.6}", r.culture));
            out.write_record(&rec)?;
        }
        out.into_inner().map_err(|e| e.into_error().into())
    }

    /// The bytes of [`TeamsFile::write`].
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write(Vec::new())
            .expect("writing to memory cannot fail")
    }
}

/// The number a culture cell of teams.csv holds: `v` written with 6
/// decimals and read back (what `teams.parquet` holds too).
pub fn culture_value(v: f64) -> f64 {
    format!("{v:.6}").parse().unwrap_or(v)
}

/// The mean over replicates, `step,division,team,culture`.
pub fn means_csv(teams: &GroupMeans, divisions: &[String]) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["step", "division", "team", "culture"])?;
    for (step, g, v) in teams.means() {
        w.write_record([
            step.to_string(),
            divisions.get(g).cloned().unwrap_or_default(),
            teams.names()[g].clone(),
            format!("{v:.6}"),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Per-replicate rows, `replicate,step,division,team,culture`, one run at
/// a time (add the runs in replicate order).
pub struct PerReplicateWriter<W: Write> {
    out: csv::Writer<W>,
    names: Vec<String>,
    divisions: Vec<String>,
    stride: u32,
}

impl<W: Write> PerReplicateWriter<W> {
    /// Start the file with its header: groups `names` in `divisions`,
    /// sampled every `stride` steps.
    pub fn new(
        inner: W,
        names: Vec<String>,
        divisions: Vec<String>,
        stride: u32,
    ) -> csv::Result<Self> {
        let mut out = csv::Writer::from_writer(inner);
        out.write_record(["replicate", "step", "division", "team", "culture"])?;
        Ok(Self {
            out,
            names,
            divisions,
            stride,
        })
    }

    /// Append the rows of one run (nothing for a run without group samples).
    pub fn write_run(&mut self, run: &RunOutput) -> csv::Result<()> {
        let w = self.names.len();
        if w == 0 || run.group_width != w {
            return Ok(());
        }
        for (j, sample) in run.groups.chunks_exact(w).enumerate() {
            let step = (j as u32 * self.stride).to_string();
            for (g, &v) in sample.iter().enumerate() {
                self.out.write_record([
                    run.id.replicate.to_string().as_str(),
                    &step,
                    self.divisions.get(g).map_or("", String::as_str),
                    &self.names[g],
                    &format!("{:.6}", f64::from(v)),
                ])?;
            }
        }
        Ok(())
    }

    /// Flush and return the inner writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    fn run(replicate: u32, v: f32) -> RunOutput {
        RunOutput {
            id: RunId {
                point: 0,
                replicate,
            },
            width: 0,
            rows: vec![],
            group_width: 2,
            groups: vec![v, 1.0, v, 0.0],
        }
    }

    #[test]
    fn one_row_per_replicate_step_and_team_and_their_mean() {
        let names = vec!["a".to_string(), "b".to_string()];
        let divisions = vec!["d1".to_string(), "d2".to_string()];
        let mut w =
            PerReplicateWriter::new(Vec::new(), names.clone(), divisions.clone(), 5).unwrap();
        let mut g = GroupMeans::new(names, 5);
        for (r, v) in [(0, 0.25f32), (1, 0.5)] {
            w.write_run(&run(r, v)).unwrap();
            g.add(&run(r, v));
        }
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "replicate,step,division,team,culture\n\
             0,0,d1,a,0.250000\n0,0,d2,b,1.000000\n0,5,d1,a,0.250000\n0,5,d2,b,0.000000\n\
             1,0,d1,a,0.500000\n1,0,d2,b,1.000000\n1,5,d1,a,0.500000\n1,5,d2,b,0.000000\n"
        );
        let mean = String::from_utf8(means_csv(&g, &divisions).unwrap()).unwrap();
        assert_eq!(
            mean,
            "step,division,team,culture\n0,d1,a,0.375000\n0,d2,b,1.000000\n5,d1,a,0.375000\n5,d2,b,0.000000\n"
        );
        // Both shapes read back equal and write the same bytes again.
        let path = Path::new("out/teams.csv");
        let per = TeamsFile::parse(&text, path).unwrap();
        assert!(per.per_replicate && per.has_division);
        assert_eq!(per.rows.len(), 8);
        assert_eq!(
            (
                per.rows[5].replicate,
                per.rows[5].step,
                per.rows[5].team.as_str()
            ),
            (1, 0, "b")
        );
        assert_eq!(per.to_bytes(), text.as_bytes());
        let means = TeamsFile::parse(&mean, path).unwrap();
        assert!(!means.per_replicate && means.has_division);
        assert_eq!(means.rows[0].culture, 0.375);
        assert_eq!(means.rows[1].division, "d2");
        assert_eq!(means.to_bytes(), mean.as_bytes());
        assert_eq!(
            TeamsFile::parse(std::str::from_utf8(&means.to_bytes()).unwrap(), path).unwrap(),
            means
        );
        let old = "step,team,culture\n0,a,0.100000\n";
        assert_eq!(
            TeamsFile::parse(old, path).unwrap().to_bytes(),
            old.as_bytes()
        );
    }

    #[test]
    fn a_malformed_teams_file_names_the_file_line_and_column() {
        let path = Path::new("out/teams.csv");
        let e = TeamsFile::parse("step,division,team,culture\n0,d,a,high\n", path)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "'out/teams.csv' is not a valid teams file: line 2, column 4: culture: 'high' is not a number"
        );
        let e = TeamsFile::parse("step,unit,culture\n", path).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 1: expected the columns step,division,team,culture"),
            "{e}"
        );
    }
}
