//! Merging the shards of one sweep (`culturesim merge`) into the files of
//! the unsharded sweep: every folder must record the same experiment, each
//! a different shard of one split, every row sound and unedited (the
//! SHA-256 of its runs table in its manifest), no run twice and none
//! missing. The merged folder keeps the shards' format (shards of one
//! sweep share it: it is part of the experiment's identity): CSV rows are
//! copied as written, Parquet tables are read, checked and written again
//! (in the row groups of the unsharded sweep, so the same bytes). The
//! figures are the caller's ([`Figures`]).

use super::Sweep;
use super::files;
use super::identity::Identity;
use super::run::{Figures, SWEEP_FILES, parse_shard};
use crate::command::{Failure, Provenance};
use crate::export::atomic;
use crate::export::folder::{self, FolderLock};
use crate::export::format::{Format, Table};
use crate::export::manifest::Manifest;
use crate::export::runs::Runs;
use crate::export::timeseries::Timeseries;
use crate::scenario::Source;
use anyhow::{Context, anyhow};
use std::path::{Path, PathBuf};

/// What a merge did, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Folders merged.
    pub folders: usize,
    /// Runs in the merged runs table.
    pub runs: usize,
}

/// Merge the shard folders `dirs` into `out` (`culturesim merge DIR...
/// --out OUT`): the files of the unsharded sweep, drawn by `figures`.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    provenance: &Provenance,
    figures: Figures,
) -> Result<Outcome, Failure> {
    let first = dirs
        .first()
        .ok_or_else(|| Failure::Input(anyhow!("merge needs at least one folder")))?;
    check_finished(dirs)?;
    let scenario = read(first, "scenario.toml")?;
    let points = read(first, "points.csv")?;
    let (ids, shards) = identities(dirs)?;
    let sw = Sweep::load(&scenario, Source::File(first.join("scenario.toml")), &[])
        .map_err(|e| Failure::Input(e.into()))?;
    let limits = Limits {
        points: sw.design.points.len() as u64,
        replicates: u64::from(sw.replicates()),
        adaptive: ids[0].adaptive.is_some(),
    };
    if ids[0].format() == Format::Parquet {
        return merge_parquet(dirs, &sw, &scenario, &points, &shards, &limits).and_then(
            |(runs, ts)| {
                let merged = runs.rows.len();
                let tables = Merged::Parquet { runs, ts };
                let adaptive = ids[0].adaptive.clone();
                write_merged(
                    out, first, &sw, &scenario, tables, adaptive, provenance, figures,
                )
                .map(|()| Outcome {
                    folders: dirs.len(),
                    runs: merged,
                })
            },
        );
    }
    let mut runs = Rows::default();
    let mut ts = Rows::default();
    let mut with_ts = true;
    for (d, shard) in dirs.iter().zip(&shards) {
        if read(d, "scenario.toml")? != scenario || read(d, "points.csv")? != points {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of another sweep (its scenario.toml or points.csv differs from '{}')",
                d.display(),
                first.display()
            )));
        }
        let text = read(d, "runs.csv")?;
        runs.add(d, "runs.csv", &text, &limits, *shard)?;
        // And every field as its type reads it (the rows are copied as
        // written, so the merged file keeps their bytes).
        files::Runs::parse(&text, &d.join("runs.csv")).map_err(|e| Failure::Input(e.into()))?;
        // Every row is sound; now check none was edited.
        check_digest(d, "runs.csv", text.as_bytes())?;
        match std::fs::read_to_string(d.join("timeseries.csv")) {
            Ok(t) => {
                ts.add(d, "timeseries.csv", &t, &limits, *shard)?;
                Timeseries::parse(&t, &d.join("timeseries.csv"))
                    .map_err(|e| Failure::Input(e.into()))?;
            }
            Err(_) => with_ts = false,
        }
    }
    files::sort_lines(&mut runs.lines);
    let n = runs.lines.len();
    runs.lines
        .dedup_by(|a, b| files::line_key(a) == files::line_key(b));
    if runs.lines.len() != n {
        return Err(Failure::Input(anyhow!(
            "the folders hold the same runs more than once (merge each shard once)"
        )));
    }
    let expected = sw.runs().len();
    if runs.lines.len() != expected && !limits.adaptive {
        return Err(Failure::Input(anyhow!(
            "the shards hold {} of the sweep's {expected} runs{}; run the missing shards (with --resume) first",
            runs.lines.len(),
            missing_shards(dirs)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        )));
    }
    let merged = runs.lines.len();
    let ts = (with_ts && !ts.lines.is_empty()).then_some(ts);
    let adaptive = ids[0].adaptive.clone();
    let tables = Merged::Csv { runs, ts };
    write_merged(
        out, first, &sw, &scenario, tables, adaptive, provenance, figures,
    )
    .map(|()| Outcome {
        folders: dirs.len(),
        runs: merged,
    })
}

/// A file of a folder, or an input error naming it.
fn read(d: &Path, f: &str) -> Result<String, Failure> {
    std::fs::read_to_string(d.join(f))
        .with_context(|| format!("cannot read '{}'", d.join(f).display()))
        .map_err(Failure::Input)
}

/// A shard that stopped midway (a killed or cancelled task) has
/// runs.csv.part but no runs.csv (a Parquet shard: identity.json but no
/// runs.parquet): name it, and every shard not finished.
fn check_finished(dirs: &[PathBuf]) -> Result<(), Failure> {
    let parquet_unfinished = |d: &Path| {
        !d.join("runs.parquet").exists()
            && Identity::read(d)
                .ok()
                .flatten()
                .is_some_and(|id| id.format() == Format::Parquet)
    };
    let unfinished: Vec<String> = dirs
        .iter()
        .filter(|d| {
            (!d.join("runs.csv").exists() && d.join("runs.csv.part").exists())
                || parquet_unfinished(d)
        })
        .map(|d| format!("'{}'", d.display()))
        .collect();
    if unfinished.is_empty() {
        return Ok(());
    }
    Err(Failure::Input(anyhow!(
        "{} stopped before the end of its shard (runs.csv.part, no runs.csv; or no runs.parquet){}; run the missing shards (with --resume) first",
        unfinished.join(", "),
        missing_shards(dirs)
            .map(|m| format!("; {m}"))
            .unwrap_or_default()
    )))
}

/// Every folder's identity and shard: the same experiment, each a
/// different shard of one split.
#[allow(clippy::type_complexity)]
fn identities(dirs: &[PathBuf]) -> Result<(Vec<Identity>, Vec<Option<(u32, u32)>>), Failure> {
    let first = &dirs[0];
    let ids = dirs
        .iter()
        .map(|d| match Identity::read(d) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(Failure::Input(anyhow!(
                "'{}' has no {}: it is not a sweep folder of this culturesim version",
                d.display(),
                super::identity::FILE
            ))),
            Err(e) => Err(Failure::Input(e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (d, id) in dirs.iter().zip(&ids).skip(1) {
        let diff = ids[0].differences(id, false);
        if !diff.is_empty() {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of another experiment than '{}': {}",
                d.display(),
                first.display(),
                diff.join("; ")
            )));
        }
    }
    let mut shards: Vec<Option<(u32, u32)>> = Vec::new();
    for (d, id) in dirs.iter().zip(&ids) {
        let shard = id.shard.as_deref().and_then(|s| parse_shard(s).ok());
        if shards.contains(&shard) {
            return Err(Failure::Input(anyhow!(
                "'{}' holds {} again (merge each shard once)",
                d.display(),
                shard.map_or("the whole sweep".into(), |(k, n)| format!("shard {k}/{n}"))
            )));
        }
        if let (Some(Some((_, n0))), Some((_, n))) = (shards.first(), shard)
            && *n0 != n
        {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of a {n}-way split, '{}' of a {n0}-way one",
                d.display(),
                first.display()
            )));
        }
        shards.push(shard);
    }
    Ok((ids, shards))
}

/// What a row of a shard may hold: points and replicates of the design.
struct Limits {
    points: u64,
    replicates: u64,
    adaptive: bool,
}

/// The rows of one kind of file (runs.csv or timeseries.csv) across the
/// shards, under one header.
#[derive(Default)]
struct Rows {
    header: Option<String>,
    lines: Vec<String>,
}

impl Rows {
    /// Add the rows of `text`, `d`'s file `name`, checking its header
    /// against the first folder's and every row.
    fn add(
        &mut self,
        d: &Path,
        name: &str,
        text: &str,
        limits: &Limits,
        shard: Option<(u32, u32)>,
    ) -> Result<(), Failure> {
        let mut l = text.lines();
        let h = l.next().unwrap_or("").to_string();
        if self.header.get_or_insert_with(|| h.clone()) != &h {
            return Err(Failure::Input(anyhow!(
                "'{}': {name} header differs",
                d.display()
            )));
        }
        let width = h.split(',').count();
        for (i, line) in l.enumerate() {
            check_row(
                line,
                width,
                limits.points,
                limits.replicates,
                limits.adaptive,
                shard,
            )
            .map_err(|e| Failure::Input(anyhow!("{}:{}: {e}", d.join(name).display(), i + 2)))?;
            self.lines.push(line.to_string());
        }
        Ok(())
    }

    /// The file: the header, then the rows.
    fn text(&self) -> String {
        format!(
            "{}\n{}\n",
            self.header.clone().unwrap_or_default(),
            self.lines.join("\n")
        )
    }
}

/// `d`'s runs table `name` (its bytes `runs`) must be as the sweep wrote
/// it: the SHA-256 its manifest records.
fn check_digest(d: &Path, name: &str, runs: &[u8]) -> Result<(), Failure> {
    let recorded = Manifest::read(d).ok().and_then(|m| m.runs_sha256.flatten());
    match recorded {
        Some(h) if h == super::identity::sha256_bytes(runs) => Ok(()),
        Some(_) => Err(Failure::Input(anyhow!(
            "'{}' was changed after the sweep wrote it (its SHA-256 differs from the one in manifest.json); run that shard again",
            d.join(name).display()
        ))),
        None => Err(Failure::Input(anyhow!(
            "'{}' records no runs_sha256: the shard did not finish, or was written by another culturesim version",
            d.join("manifest.json").display()
        ))),
    }
}

/// Write the merged folder: it is the sweep's own (one writer, no foreign
/// files, nothing left of an earlier merge), with the files of the
/// unsharded sweep, its figures, identity and manifest.
#[allow(clippy::too_many_arguments)]
fn write_merged(
    out: &Path,
    first: &Path,
    sw: &Sweep,
    scenario: &str,
    tables: Merged,
    adaptive: Option<String>,
    provenance: &Provenance,
    figures: Figures,
) -> Result<(), Failure> {
    let format = match &tables {
        Merged::Csv { .. } => Format::Csv,
        Merged::Parquet { .. } => Format::Parquet,
    };
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", out.display())))?;
    let _lock = FolderLock::acquire(out).map_err(Failure::Input)?;
    folder::clean_stale(out, true);
    for f in folder::check_owned(out, SWEEP_FILES).map_err(Failure::Input)? {
        let _ = std::fs::remove_file(out.join(f));
    }
    let write = || -> anyhow::Result<()> {
        let runs = match tables {
            Merged::Csv { runs, ts } => {
                let runs_text = runs.text();
                atomic::write(&out.join("runs.csv"), runs_text.as_bytes())?;
                if let Some(mut ts) = ts {
                    files::sort_lines(&mut ts.lines);
                    atomic::write(&out.join("timeseries.csv"), ts.text().as_bytes())?;
                }
                Runs::parse(&runs_text, &out.join("runs.csv"))?
            }
            Merged::Parquet { runs, ts } => {
                crate::export::tables::write_runs(out, Format::Parquet, &runs)?;
                if let Some(ts) = ts {
                    crate::export::tables::write_timeseries(out, Format::Parquet, &ts)?;
                }
                runs
            }
        };
        files::derive(out, &sw.design, &runs)?;
        atomic::write(&out.join("scenario.toml"), scenario.as_bytes())?;
        figures(out, sw)?;
        if let Ok(chart) = std::fs::read(first.join(crate::scenario::CHART_COPY)) {
            atomic::write(&out.join(crate::scenario::CHART_COPY), &chart)?;
        }
        let id = Identity::of(sw, None, adaptive, format);
        id.write(out)?;
        super::run::write_manifest(out, sw, None, 0, 0.0, &id, provenance)
    };
    write().map_err(Failure::Runtime)
}

/// The merged tables, in the shards' format: CSV lines as written, or
/// Parquet tables read and checked.
enum Merged {
    Csv { runs: Rows, ts: Option<Rows> },
    Parquet { runs: Runs, ts: Option<Timeseries> },
}

/// Read and check the Parquet shards: every shard's runs.parquet unedited
/// (its digest), the same columns in every shard, every run inside the
/// design and its shard, no run twice and none missing; and their
/// timeseries.parquet when every shard has one. The rows come sorted by
/// (point, replicate).
fn merge_parquet(
    dirs: &[PathBuf],
    sw: &Sweep,
    scenario: &str,
    points: &str,
    shards: &[Option<(u32, u32)>],
    limits: &Limits,
) -> Result<(Runs, Option<Timeseries>), Failure> {
    let input = |e: crate::export::ReadError| Failure::Input(e.into());
    let mut runs: Option<Runs> = None;
    let mut ts: Option<Timeseries> = None;
    let mut with_ts = true;
    for (d, shard) in dirs.iter().zip(shards) {
        if read(d, "scenario.toml")? != scenario || read(d, "points.csv")? != points {
            return Err(Failure::Input(anyhow!(
                "'{}' is a shard of another sweep (its scenario.toml or points.csv differs from '{}')",
                d.display(),
                dirs[0].display()
            )));
        }
        let name = Format::Parquet.file(Table::Runs);
        let path = d.join(&name);
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read '{}'", path.display()))
            .map_err(Failure::Input)?;
        let table = Runs::read(&path).map_err(input)?;
        for (i, r) in table.rows.iter().enumerate() {
            check_run(r.point, r.replicate, limits, *shard)
                .and_then(|()| {
                    match r
                        .values
                        .iter()
                        .position(|v| v.is_some_and(|v| !v.is_finite()))
                    {
                        Some(c) => Err(anyhow!(
                            "column {} holds {}, not a finite number",
                            table.columns[c],
                            r.values[c].unwrap_or_default()
                        )),
                        None => Ok(()),
                    }
                })
                .map_err(|e| Failure::Input(anyhow!("{}: row {}: {e}", path.display(), i + 1)))?;
        }
        check_digest(d, &name, &bytes)?;
        match &mut runs {
            None => runs = Some(table),
            Some(all) if all.columns != table.columns => {
                return Err(Failure::Input(anyhow!(
                    "'{}': {name} has other columns than '{}'",
                    d.display(),
                    dirs[0].display()
                )));
            }
            Some(all) => all.rows.extend(table.rows),
        }
        let ts_path = d.join(Format::Parquet.file(Table::Timeseries));
        if !ts_path.exists() {
            with_ts = false;
            continue;
        }
        let table = Timeseries::read(&ts_path).map_err(input)?;
        for (i, r) in table.rows.iter().enumerate() {
            check_run(r.point, r.replicate, limits, *shard).map_err(|e| {
                Failure::Input(anyhow!("{}: row {}: {e}", ts_path.display(), i + 1))
            })?;
        }
        match &mut ts {
            None => ts = Some(table),
            Some(all) if all.metrics != table.metrics || all.has_year != table.has_year => {
                return Err(Failure::Input(anyhow!(
                    "'{}': timeseries.parquet has other columns than '{}'",
                    d.display(),
                    dirs[0].display()
                )));
            }
            Some(all) => all.rows.extend(table.rows),
        }
    }
    let mut runs = runs.expect("at least one folder");
    runs.rows.sort_by_key(|r| (r.point, r.replicate));
    let n = runs.rows.len();
    runs.rows.dedup_by_key(|r| (r.point, r.replicate));
    if runs.rows.len() != n {
        return Err(Failure::Input(anyhow!(
            "the folders hold the same runs more than once (merge each shard once)"
        )));
    }
    let expected = sw.runs().len();
    if runs.rows.len() != expected && !limits.adaptive {
        return Err(Failure::Input(anyhow!(
            "the shards hold {} of the sweep's {expected} runs{}; run the missing shards first",
            runs.rows.len(),
            missing_shards(dirs)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        )));
    }
    let ts = ts.filter(|t| with_ts && !t.rows.is_empty()).map(|mut t| {
        // Stable: each run's rows stay in step order.
        t.rows.sort_by_key(|r| (r.point, r.replicate));
        t
    });
    Ok((runs, ts))
}

/// Check a run of a shard: a point and replicate inside the design (and in
/// the folder's shard).
fn check_run(p: u32, r: u32, limits: &Limits, shard: Option<(u32, u32)>) -> anyhow::Result<()> {
    let (p, r) = (u64::from(p), u64::from(r));
    let (points, replicates) = (limits.points, limits.replicates);
    if p >= points {
        anyhow::bail!("point {p} is outside the design (points 0..{points})");
    }
    if !limits.adaptive && r >= replicates {
        anyhow::bail!("replicate {r} is outside the design (replicates 0..{replicates})");
    }
    if let Some((k, n)) = shard {
        let index = p * replicates + r;
        if index % u64::from(n) != u64::from(k - 1) {
            anyhow::bail!("run (point {p}, replicate {r}) does not belong to shard {k}/{n}");
        }
    }
    Ok(())
}

/// Check one data line of a shard's runs.csv or timeseries.csv: its field
/// count, a point and replicate inside the design (and in the folder's
/// shard), an integer step, and every value a finite number or empty.
fn check_row(
    line: &str,
    width: usize,
    points: u64,
    replicates: u64,
    adaptive: bool,
    shard: Option<(u32, u32)>,
) -> anyhow::Result<()> {
    let cells: Vec<&str> = line.split(',').collect();
    if cells.len() != width {
        anyhow::bail!("has {} fields, the header {width}", cells.len());
    }
    let int = |i: usize, what: &str| -> anyhow::Result<u64> {
        cells[i]
            .parse::<u64>()
            .map_err(|_| anyhow!("{what} must be a whole number, got '{}'", cells[i]))
    };
    let p = int(0, "point")?;
    let r = int(1, "replicate")?;
    int(2, "the third column")?;
    if p >= points {
        anyhow::bail!("point {p} is outside the design (points 0..{points})");
    }
    if !adaptive && r >= replicates {
        anyhow::bail!("replicate {r} is outside the design (replicates 0..{replicates})");
    }
    if let Some((k, n)) = shard {
        let index = p * replicates + r;
        if index % u64::from(n) != u64::from(k - 1) {
            anyhow::bail!("run (point {p}, replicate {r}) does not belong to shard {k}/{n}");
        }
    }
    for (i, c) in cells.iter().enumerate().skip(3) {
        if !c.is_empty() && !c.parse::<f64>().is_ok_and(f64::is_finite) {
            anyhow::bail!("column {} holds '{c}', not a finite number", i + 1);
        }
    }
    Ok(())
}

/// Which shards of `K/N` have no finished folder among `dirs`, from the
/// `shard` of each folder's manifest.json: "shards 1, 2 of 4 are not
/// finished". None when the folders are not shards of one split.
fn missing_shards(dirs: &[PathBuf]) -> Option<String> {
    let mut finished = std::collections::BTreeSet::new();
    let mut of = None;
    for d in dirs {
        let shard = Manifest::read(d)
            .ok()
            .and_then(|m| m.shard.flatten())
            .and_then(|s| parse_shard(&s).ok());
        if let Some((k, n)) = shard {
            if *of.get_or_insert(n) != n {
                return None;
            }
            finished.insert(k);
        }
    }
    let n = of?;
    let missing: Vec<String> = (1..=n)
        .filter(|k| !finished.contains(k))
        .map(|k| k.to_string())
        .collect();
    match missing.len() {
        0 => None,
        1 => Some(format!("shard {} of {n} is not finished", missing[0])),
        _ => Some(format!(
            "shards {} of {n} are not finished",
            missing.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::run::tests::{grid, options};

    fn shard(dir: &Path, seed_line: &str, k: u32) -> PathBuf {
        let sub = dir.join(format!("src{k}"));
        std::fs::create_dir_all(&sub).unwrap();
        let g = grid(&sub, seed_line);
        let out = dir.join(format!("shard{k}"));
        let mut o = options(g, out.clone());
        o.shard = Some((k, 2));
        crate::sweep::run::run(&o, &(), &|_, _| Ok(())).unwrap();
        out
    }

    #[test]
    fn shards_merge_into_the_unsharded_sweep() {
        let d = tempfile::tempdir().unwrap();
        let dirs = vec![shard(d.path(), "", 1), shard(d.path(), "", 2)];
        let whole = d.path().join("whole");
        let g = grid(d.path(), "");
        crate::sweep::run::run(&options(g, whole.clone()), &(), &|_, _| Ok(())).unwrap();
        let out = d.path().join("merged");
        let done = merge(&dirs, &out, &Provenance::default(), &|_, _| Ok(())).unwrap();
        assert_eq!(
            done,
            Outcome {
                folders: 2,
                runs: 6
            }
        );
        for f in ["runs.csv", "points.csv", "summary.csv"] {
            assert_eq!(
                std::fs::read(out.join(f)).unwrap(),
                std::fs::read(whole.join(f)).unwrap(),
                "{f}"
            );
        }
        // Once is enough: the same shard twice is refused.
        let e = merge(
            &[dirs[0].clone(), dirs[0].clone()],
            &d.path().join("twice"),
            &Provenance::default(),
            &|_, _| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(e, Failure::Input(_)));
        assert!(
            e.to_string().contains("again (merge each shard once)"),
            "{e}"
        );
    }

    #[test]
    fn a_shard_of_another_seed_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let dirs = vec![shard(d.path(), "", 1), shard(d.path(), "seed = 7\n", 2)];
        let e = merge(
            &dirs,
            &d.path().join("m"),
            &Provenance::default(),
            &|_, _| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(e, Failure::Input(_)));
        let m = e.to_string();
        assert!(
            m.contains("is a shard of another experiment") && m.contains("seed"),
            "{m}"
        );
        assert!(
            !d.path().join("m/runs.csv").exists(),
            "nothing half-written"
        );
    }
}
