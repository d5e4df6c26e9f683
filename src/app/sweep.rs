//! `culturesim sweep` and `culturesim merge`: parse, call the library's
//! sweep runner or shard merge (`culturesim_core::sweep::{run, merge}`,
//! with the report crate's figures), print.

use super::Failure;
use super::progress::Bar;
use crate::sweep::{merge as shards, run};
use std::path::{Path, PathBuf};

pub use run::{Options, parse_shard, read_scenario};

/// Run a sweep (or one shard of it) and print what it did (not with
/// `quiet`).
pub fn sweep(o: &Options, quiet: bool) -> Result<(), Failure> {
    let bar = Bar::new("runs", quiet);
    let done = run::run(o, &bar, &crate::plot::sweep::render)?;
    if quiet {
        return Ok(());
    }
    if let Some(m) = done.capped_message() {
        println!("{m}");
    }
    println!(
        "{}: {} points x {} replicates{}, {} runs{} in {:.2} s",
        done.name,
        done.points,
        done.replicates,
        if done.adaptive { " (adaptive)" } else { "" },
        done.runs,
        done.shard
            .map(|(k, n)| format!(" (shard {k}/{n})"))
            .unwrap_or_default(),
        done.seconds
    );
    if let Some(table) = &done.table
        && done.shard.is_none()
    {
        print!("{table}");
    }
    println!("outputs: {}", done.out.display());
    Ok(())
}

/// `culturesim merge DIR... --out OUT`: the shards of one sweep into the
/// files of the unsharded sweep.
pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<(), Failure> {
    let done = shards::merge(dirs, out, &super::provenance(), &crate::plot::sweep::render)?;
    if !quiet {
        println!(
            "merged {} folders: {} runs -> {}",
            done.folders,
            done.runs,
            out.display()
        );
    }
    Ok(())
}
