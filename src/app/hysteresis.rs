//! `culturesim hysteresis`: parse, run the library's scan
//! (`culturesim_core::sweep::hysteresis`), write its data files and the
//! report crate's diagram and page, print the table.

use super::Failure;
use crate::sweep::hysteresis::{self, Options};
use std::path::Path;

pub use crate::cli::HysteresisArgs;

/// Run the scan.
pub fn hysteresis(a: &HysteresisArgs) -> Result<(), Failure> {
    let o = Options {
        scenario: a.scenario.clone(),
        param: a.param.clone(),
        from: a.from,
        to: a.to,
        points: a.points,
        steps: a.steps,
        replicates: a.replicates,
        gap: a.gap,
        set: a.common.set.clone(),
        seed: a.common.seed,
        threads: a.common.threads,
    };
    let bar = super::progress::Bar::new("runs", a.common.quiet);
    let scan = hysteresis::scan(&o, &bar)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-hysteresis", scan.name)));
    hysteresis::write_files(&out, &o, &scan)
        .and_then(|()| crate::plot::hysteresis::write_report(&out, &o, &scan))
        .map_err(Failure::Runtime)?;
    if a.common.quiet {
        return Ok(());
    }
    println!(
        "{:>12} {:>10} {:>10} {:>8}",
        a.param, "low start", "high start", "gap"
    );
    for (v, l, h) in &scan.rows {
        println!("{v:>12.4} {l:>10.3} {h:>10.3} {:>8.3}", h - l);
    }
    match scan.bistable {
        Some((x, y)) => println!(
            "bistable range: {} in [{x:.4}, {y:.4}] (branches differ by more than {})",
            a.param, a.gap
        ),
        None => println!(
            "no bistable range (no value where the branches differ by more than {})",
            a.gap
        ),
    }
    println!("outputs: {}", out.display());
    Ok(())
}
