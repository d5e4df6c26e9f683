//! A folder's tables written in its [`Format`]: the time series, teams and
//! runs tables as `X.csv` or `X.parquet` (never both), each an atomic file
//! in the folder (visible under its name only once committed), streamed
//! run by run. `culturesim run` writes its time series and teams through
//! these; a sweep its Parquet runs and time series (its CSV rows go
//! through part files, for `--resume`); `merge` the whole tables. Errors
//! name the file.
//!
//! Parquet needs the `parquet` feature of culturesim-core (on by
//! default); without it, asking for [`Format::Parquet`] is an error.

use super::atomic::{self, AtomicFile};
use super::format::{Format, Table};
use super::runs::{RunRow, Runs};
use super::teams::{PerReplicateWriter, TeamsFile, means_csv};
use super::timeseries::{Timeseries, TimeseriesWriter};
use crate::analysis::groups::GroupMeans;
use crate::engine::RunOutput;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

#[cfg(feature = "parquet")]
use super::columnar;

/// The error of asking for Parquet in a build without it.
#[cfg_attr(feature = "parquet", allow(dead_code))]
fn unavailable(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot write '{}': this culturesim was built without Parquet support (the `parquet` feature of culturesim-core); use --format csv",
        path.display()
    )
}

/// Check that this build can write `format` (a usage error otherwise).
pub fn check_available(format: Format) -> Result<()> {
    match format.available() {
        true => Ok(()),
        false => Err(unavailable(Path::new(&format.file(Table::Timeseries)))),
    }
}

/// A time series being written into a folder, run by run.
pub struct TimeseriesOut {
    path: PathBuf,
    out: TimeseriesSink,
}

enum TimeseriesSink {
    Csv(TimeseriesWriter<AtomicFile>),
    /// The writer and the years of a step.
    #[cfg(feature = "parquet")]
    Parquet(columnar::TimeseriesParquet<AtomicFile>, f64),
}

impl TimeseriesOut {
    /// Start `timeseries.<format>` in `dir` with the columns
    /// `point,replicate,step,year,<metrics>`; a step lasts
    /// `years_per_step` years.
    pub fn create(
        dir: &Path,
        format: Format,
        metrics: &[&str],
        years_per_step: f64,
    ) -> Result<Self> {
        let path = dir.join(format.file(Table::Timeseries));
        let file = AtomicFile::create(&path)?;
        let out = match format {
            Format::Csv => TimeseriesSink::Csv(
                TimeseriesWriter::new(file, metrics, years_per_step)
                    .with_context(|| format!("failed to write '{}'", path.display()))?,
            ),
            #[cfg(feature = "parquet")]
            Format::Parquet => TimeseriesSink::Parquet(
                columnar::TimeseriesParquet::new(file, metrics, true)
                    .with_context(|| format!("failed to write '{}'", path.display()))?,
                years_per_step,
            ),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(unavailable(&path)),
        };
        Ok(Self { path, out })
    }

    /// The file (its final name).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one run's rows: every `every`-th step and the last (1: every
    /// step).
    pub fn write_run(&mut self, run: &RunOutput, every: u32) -> Result<()> {
        let done = match &mut self.out {
            TimeseriesSink::Csv(w) => w.write_run_every(run, every).map_err(anyhow::Error::from),
            #[cfg(feature = "parquet")]
            TimeseriesSink::Parquet(w, years) => {
                w.write_run(run, every, *years).map_err(anyhow::Error::from)
            }
        };
        done.with_context(|| format!("failed to write '{}'", self.path.display()))
    }

    /// Finish the file and move it into place.
    pub fn commit(self) -> Result<()> {
        let file = match self.out {
            TimeseriesSink::Csv(w) => w.finish().map_err(anyhow::Error::from),
            #[cfg(feature = "parquet")]
            TimeseriesSink::Parquet(w, _) => w.finish().map_err(anyhow::Error::from),
        };
        file.with_context(|| format!("failed to write '{}'", self.path.display()))?
            .commit()
    }
}

/// A per-replicate teams table being written into a folder, run by run
/// (`run --teams-per-replicate`).
pub struct TeamsOut {
    path: PathBuf,
    out: TeamsSink,
}

enum TeamsSink {
    Csv(PerReplicateWriter<AtomicFile>),
    /// The writer, the groups' names and divisions, the stride.
    #[cfg(feature = "parquet")]
    Parquet(
        columnar::TeamsParquet<AtomicFile>,
        Vec<String>,
        Vec<String>,
        u32,
    ),
}

impl TeamsOut {
    /// Start `teams.<format>` in `dir` for groups `names` in `divisions`,
    /// sampled every `stride` steps, one row per replicate.
    pub fn per_replicate(
        dir: &Path,
        format: Format,
        names: Vec<String>,
        divisions: Vec<String>,
        stride: u32,
    ) -> Result<Self> {
        let path = dir.join(format.file(Table::Teams));
        let file = AtomicFile::create(&path)?;
        let out = match format {
            Format::Csv => TeamsSink::Csv(
                PerReplicateWriter::new(file, names, divisions, stride)
                    .with_context(|| format!("failed to write '{}'", path.display()))?,
            ),
            #[cfg(feature = "parquet")]
            Format::Parquet => TeamsSink::Parquet(
                columnar::TeamsParquet::new(file, true, true)
                    .with_context(|| format!("failed to write '{}'", path.display()))?,
                names,
                divisions,
                stride,
            ),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(unavailable(&path)),
        };
        Ok(Self { path, out })
    }

    /// Append one run's group samples (add the runs in replicate order).
    pub fn write_run(&mut self, run: &RunOutput) -> Result<()> {
        let done = match &mut self.out {
            TeamsSink::Csv(w) => w.write_run(run).map_err(anyhow::Error::from),
            #[cfg(feature = "parquet")]
            TeamsSink::Parquet(w, names, divisions, stride) => w
                .write_run(run, names, divisions, *stride)
                .map_err(anyhow::Error::from),
        };
        done.with_context(|| format!("failed to write '{}'", self.path.display()))
    }

    /// Finish the file and move it into place.
    pub fn commit(self) -> Result<()> {
        let file = match self.out {
            TeamsSink::Csv(w) => w.finish().map_err(anyhow::Error::from),
            #[cfg(feature = "parquet")]
            TeamsSink::Parquet(w, ..) => w.finish().map_err(anyhow::Error::from),
        };
        file.with_context(|| format!("failed to write '{}'", self.path.display()))?
            .commit()
    }
}

/// Write `teams.<format>` in `dir`: the means over replicates of
/// `teams`, in `divisions` (`step,division,team,culture`).
pub fn write_team_means(
    dir: &Path,
    format: Format,
    teams: &GroupMeans,
    divisions: &[String],
) -> Result<()> {
    let path = dir.join(format.file(Table::Teams));
    match format {
        Format::Csv => atomic::write(&path, &means_csv(teams, divisions)?),
        #[cfg(feature = "parquet")]
        Format::Parquet => {
            let mut w = columnar::TeamsParquet::new(AtomicFile::create(&path)?, false, true)?;
            w.write_means(teams, divisions)
                .and_then(|()| w.finish())
                .with_context(|| format!("failed to write '{}'", path.display()))?
                .commit()
        }
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(unavailable(&path)),
    }
}

/// A sweep's runs table being written into a folder, run by run.
pub struct RunsOut {
    path: PathBuf,
    out: RunsSink,
}

enum RunsSink {
    Csv(AtomicFile),
    #[cfg(feature = "parquet")]
    Parquet(Box<columnar::RunsParquet<AtomicFile>>),
}

impl RunsOut {
    /// Start `runs.<format>` in `dir` with `columns` after
    /// `point,replicate,steps`.
    pub fn create<S: AsRef<str>>(dir: &Path, format: Format, columns: &[S]) -> Result<Self> {
        let path = dir.join(format.file(Table::Runs));
        let mut file = AtomicFile::create(&path)?;
        let failed = || format!("failed to write '{}'", path.display());
        let out = match format {
            Format::Csv => {
                let mut header = String::from("point,replicate,steps");
                for c in columns {
                    header.push(',');
                    header.push_str(c.as_ref());
                }
                header.push('\n');
                file.write_all(header.as_bytes()).with_context(failed)?;
                RunsSink::Csv(file)
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => RunsSink::Parquet(Box::new(
                columnar::RunsParquet::new(file, columns).with_context(failed)?,
            )),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(unavailable(&path)),
        };
        Ok(Self { path, out })
    }

    /// The file (its final name).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one run.
    pub fn push(&mut self, row: &RunRow) -> Result<()> {
        let done = match &mut self.out {
            RunsSink::Csv(f) => writeln!(f, "{}", row.line_text()).map_err(anyhow::Error::from),
            #[cfg(feature = "parquet")]
            RunsSink::Parquet(w) => w.push_row(row).map_err(anyhow::Error::from),
        };
        done.with_context(|| format!("failed to write '{}'", self.path.display()))
    }

    /// Finish the file and move it into place.
    pub fn commit(self) -> Result<()> {
        let file = match self.out {
            RunsSink::Csv(f) => Ok::<_, anyhow::Error>(f),
            #[cfg(feature = "parquet")]
            RunsSink::Parquet(w) => w.finish().map_err(anyhow::Error::from),
        };
        file.with_context(|| format!("failed to write '{}'", self.path.display()))?
            .commit()
    }
}

/// Write a whole runs table as `runs.<format>` in `dir` (rows in the
/// table's order).
pub fn write_runs(dir: &Path, format: Format, runs: &Runs) -> Result<()> {
    match format {
        Format::Csv => atomic::write(&dir.join(format.file(Table::Runs)), &runs.to_bytes()),
        Format::Parquet => {
            let mut w = RunsOut::create(dir, format, &runs.columns)?;
            for r in &runs.rows {
                w.push(r)?;
            }
            w.commit()
        }
    }
}

/// Write a whole time series as `timeseries.<format>` in `dir`.
pub fn write_timeseries(dir: &Path, format: Format, ts: &Timeseries) -> Result<()> {
    let path = dir.join(format.file(Table::Timeseries));
    match format {
        Format::Csv => atomic::write(&path, &ts.to_bytes()),
        #[cfg(feature = "parquet")]
        Format::Parquet => columnar::write_timeseries(ts, AtomicFile::create(&path)?)
            .with_context(|| format!("failed to write '{}'", path.display()))?
            .commit(),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(unavailable(&path)),
    }
}

/// Write a whole teams table as `teams.<format>` in `dir`.
pub fn write_teams(dir: &Path, format: Format, teams: &TeamsFile) -> Result<()> {
    let path = dir.join(format.file(Table::Teams));
    match format {
        Format::Csv => atomic::write(&path, &teams.to_bytes()),
        #[cfg(feature = "parquet")]
        Format::Parquet => columnar::write_teams(teams, AtomicFile::create(&path)?)
            .with_context(|| format!("failed to write '{}'", path.display()))?
            .commit(),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(unavailable(&path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunId;

    #[test]
    fn each_format_writes_its_own_file_and_reads_back_the_same_rows() {
        let run = RunOutput {
            id: RunId {
                point: 1,
                replicate: 0,
            },
            width: 1,
            rows: vec![0.5, f64::NAN, 0.25, 0.125],
            group_width: 0,
            groups: vec![],
        };
        let mut tables = vec![];
        for format in Format::ALL {
            if !format.available() {
                continue;
            }
            let d = tempfile::tempdir().unwrap();
            let mut ts = TimeseriesOut::create(d.path(), format, &["culture"], 0.5).unwrap();
            ts.write_run(&run, 2).unwrap();
            assert!(!ts.path().exists(), "not visible before the commit");
            ts.commit().unwrap();
            let t = Timeseries::read_in(d.path()).unwrap();
            assert_eq!(
                crate::export::folder::files_in(d.path()).unwrap(),
                [format.file(Table::Timeseries)]
            );
            tables.push(t);
        }
        let steps: Vec<usize> = tables[0].rows.iter().map(|r| r.step).collect();
        assert_eq!(steps, [0, 2, 3], "every 2nd step and the last");
        if let [csv, pq] = &tables[..] {
            assert_eq!(csv.metrics, pq.metrics);
            for (a, b) in csv.rows.iter().zip(&pq.rows) {
                assert_eq!((a.step, a.year.to_bits()), (b.step, b.year.to_bits()));
                assert_eq!(a.values[0].is_nan(), b.values[0].is_nan());
            }
        }
    }
}
