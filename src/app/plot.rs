//! `culturesim plot DIR` re-renders the figures and report of a finished
//! run from its files; `culturesim compare DIR_A DIR_B ...` overlays
//! several finished runs in one set of charts and one report.

use super::Failure;
use crate::cli::{CompareArgs, PlotArgs};
use crate::plot;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Re-render plots and report of a finished run.
pub fn plot(args: &PlotArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let done = if plot::march::is_march_dir(&args.dir) {
        plot::march::render_run_dir(&args.dir).map_err(Failure::Runtime)?
    } else if let Some(entry) = plot::registered::entry_of_dir(&args.dir) {
        plot::registered::render_run_dir(&args.dir, entry).map_err(Failure::Runtime)?
    } else {
        let run = plot::data::load(&args.dir).map_err(Failure::Input)?;
        plot::render_run(&run).map_err(Failure::Runtime)?
    };
    if !args.quiet {
        println!(
            "{} figures and {} in {:.2} s",
            (done.files.len() - 1) / 2,
            done.report.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Overlay several finished runs.
pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let started = Instant::now();
    if args.dirs.len() < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "compare needs at least two run folders, got {}",
            args.dirs.len()
        )));
    }
    if !args.labels.is_empty() && args.labels.len() != args.dirs.len() {
        return Err(Failure::Input(anyhow::anyhow!(
            "--label was given {} times for {} run folders; give one per folder or none",
            args.labels.len(),
            args.dirs.len()
        )));
    }
    if let Some(d) = args.dirs.iter().find(|d| plot::march::is_march_dir(d)) {
        return Err(Failure::Input(anyhow::anyhow!(
            "compare overlays learning-culture runs; '{}' is a run of model march1991 (compare its points with a [sweep] instead)",
            d.display()
        )));
    }
    let runs = args
        .dirs
        .iter()
        .map(|d| plot::data::load(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::Input)?;
    let labels = if args.labels.is_empty() {
        default_labels(&args.dirs)
    } else {
        args.labels.clone()
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join("compare"));
    let done = plot::compare::render(&runs, &labels, &out).map_err(Failure::Runtime)?;
    if !args.quiet {
        println!(
            "compared {} runs: {} in {:.2} s",
            runs.len(),
            done.report.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Legend names: each folder's name, or its whole path where names repeat.
fn default_labels(dirs: &[PathBuf]) -> Vec<String> {
    let names: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| d.display().to_string())
        })
        .collect();
    names
        .iter()
        .zip(dirs)
        .map(|(n, d)| {
            if names.iter().filter(|m| *m == n).count() > 1 {
                d.display().to_string()
            } else {
                n.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_folder_names() {
        let l = default_labels(&[PathBuf::from("a/with"), PathBuf::from("b/without")]);
        assert_eq!(l, vec!["with", "without"]);
        let l = default_labels(&[PathBuf::from("a/out"), PathBuf::from("b/out")]);
        assert_eq!(l, vec!["a/out", "b/out"]);
    }
}
