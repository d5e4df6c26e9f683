//! The commands behind the command line, one file per command.

mod bench;
mod calibrate;
mod decide;
mod hysteresis;
pub mod org;
mod plot;
mod progress;
mod run;
mod scenarios;
mod sensitivity;
pub mod serve;
mod sweep;

pub use run::{RunReport, SummaryFile, load, run, summary_builder, years_per_step};

use crate::cli::{Cli, Command, RunArgs};

/// Why a command failed: bad input (exit 2) or a runtime failure (exit 1).
pub use crate::command::Failure;

/// What manifests record of this binary: its version, the git commit it
/// was built from (set by build.rs; none outside a git checkout) and the
/// command line.
pub fn provenance() -> crate::command::Provenance {
    let commit = env!("CULTURESIM_GIT_COMMIT");
    crate::command::Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: (!commit.is_empty()).then(|| commit.to_string()),
        command_line: std::env::args().collect(),
    }
}

/// The library's table format of a `--format` value.
pub fn table_format(f: crate::cli::TableFormat) -> crate::export::format::Format {
    match f {
        crate::cli::TableFormat::Csv => crate::export::format::Format::Csv,
        crate::cli::TableFormat::Parquet => crate::export::format::Format::Parquet,
    }
}

/// Dispatch a parsed command line.
pub fn main(cli: Cli) -> Result<(), Failure> {
    crate::limits::set_force_size(cli.force_size);
    match cli.command {
        Some(Command::Run(args)) => run(&args).map(|_| ()),
        Some(Command::Plot(args)) => plot::plot(&args),
        Some(Command::Compare(args)) => plot::compare(&args),
        Some(Command::Validate { files, quiet }) => scenarios::validate(&files, quiet),
        Some(Command::List) => scenarios::list(),
        Some(Command::New {
            name,
            from,
            model,
            out,
            force,
        }) => scenarios::new(
            &name,
            from.as_deref(),
            model.as_deref(),
            out.as_deref(),
            force,
        ),
        Some(Command::Schema) => scenarios::schema(),
        Some(Command::Migrate { file, out }) => scenarios::migrate(&file, out.as_deref()),
        Some(Command::Org(args)) => org::org(&args),
        Some(Command::Serve(args)) => serve::serve(&args),
        Some(Command::Sweep {
            scenario,
            out,
            resume,
            shard,
            threads,
            set,
            quiet,
            ci_width,
            ci_metric,
            max_replicates,
            format,
            posterior,
        }) => {
            let shard = shard
                .map(|s| sweep::parse_shard(&s))
                .transpose()
                .map_err(|e| Failure::Input(anyhow::anyhow!(e)))?;
            sweep::sweep(
                &sweep::Options {
                    scenario,
                    out,
                    resume,
                    shard,
                    threads,
                    set,
                    ci_width,
                    ci_metric,
                    max_replicates: max_replicates.unwrap_or(0),
                    format: table_format(format),
                    provenance: provenance(),
                    posterior,
                },
                quiet,
            )
        }
        Some(Command::Timing(args)) => decide::timing(&args),
        Some(Command::Risk(args)) => decide::risk(&args),
        Some(Command::Warning(args)) => decide::warning(&args),
        Some(Command::Optimize(args)) => decide::optimize(&args),
        Some(Command::Merge { dirs, out, quiet }) => sweep::merge(&dirs, &out, quiet),
        Some(Command::Sensitivity(args)) => sensitivity::sensitivity(&args),
        Some(Command::Hysteresis(args)) => hysteresis::hysteresis(&args),
        Some(Command::Calibrate(args)) => calibrate::calibrate(&args),
        Some(Command::Bench {
            max,
            steps,
            threads,
            kernel,
            runs,
            quiet,
        }) => bench::bench(
            &bench::BenchOptions {
                max,
                steps,
                threads: threads.unwrap_or_else(rayon::current_num_threads),
                kernel: bench::kernel(kernel),
                runs,
            },
            quiet,
        ),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "culturesim", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd)
                .render(&mut std::io::stdout())
                .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot write the man page: {e}")))
        }
        None => run(&RunArgs::default()).map(|_| ()),
    }
}
