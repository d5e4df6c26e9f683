//! `culturesim sensitivity`: parse, run the library's analysis
//! (`culturesim_core::sweep::sensitivity`: Morris screening or Sobol
//! indices over the `[sweep]` ranges), write its data files and the report
//! crate's figure and page, print the ranking.

use super::Failure;
use crate::sweep::sensitivity::{self, Options};
use anyhow::anyhow;
use std::path::Path;

pub use crate::cli::SensitivityArgs;

/// Run the analysis.
pub fn sensitivity(a: &SensitivityArgs) -> Result<(), Failure> {
    let o = Options {
        scenario: a.scenario.clone(),
        method: a.method.clone(),
        samples: a.samples,
        metric: a.metric.clone(),
        replicates: a.replicates,
        set: a.common.set.clone(),
        seed: a.common.seed,
        threads: a.common.threads,
    };
    let bar = super::progress::Bar::new("evaluations", a.common.quiet);
    let s = sensitivity::analyse(&o, &bar)?;
    let out = a.out.clone().unwrap_or_else(|| {
        Path::new("output").join(format!("{}-sensitivity", s.design.base.name()))
    });
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", out.display())))?;
    sensitivity::write_files(&out, &s)
        .and_then(|()| crate::plot::sensitivity::write_report(&out, &s))
        .map_err(Failure::Runtime)?;
    if !a.common.quiet {
        println!("{}:\n{}{}", s.title(), s.table(), s.indices.pareto);
        if let Some(w) = &s.indices.too_small {
            println!("{w}");
        }
        println!("outputs: {}", out.display());
    }
    Ok(())
}
