//! culturesim: a fast, reproducible, parallel agent-based simulator of
//! learning-culture dynamics in organizations.
//!
//! This package is the top floor, the command line: [`cli`] declares the
//! arguments and [`app`] runs the commands. The library lives below it:
//! - `culturesim-core` (re-exported here as [`engine`], [`model`],
//!   [`scenario`], [`analysis`], [`calibrate`], [`decide`], [`export`],
//!   [`sweep`], …): engine, models, scenario files, analyses and output
//!   files, with no command line, plotting or HTTP;
//! - `culturesim-report` (re-exported as [`plot`]): figures and
//!   report.html, made from a run's files.
//!
//! A change to what the model does belongs in the core; to how a result is
//! drawn, in the report; to arguments, printing and serving, here.

pub use culturesim_core::{
    analysis, bench, calibrate, command, decide, dist, engine, export, limits, model, scenario,
    simulate, sweep, validate, with_model,
};
pub use culturesim_report as plot;

pub mod app;
pub mod cli;

/// The command line: parse the arguments, run the command, report an
/// error and exit with its code (0 success, 1 runtime failure, 2 usage or
/// scenario error). The `culturesim` binary is this function; a program
/// that registers its own models (docs/EXTENDING.md) calls it after
/// registering them and gets every command for them.
///
/// A closed output pipe (`culturesim list | head -1`) ends the process
/// quietly by SIGPIPE, like other Unix tools (the shell shows status 141);
/// every command prints only after its files are written.
pub fn main() {
    use clap::Parser;
    let cli = cli::Cli::parse();
    if !matches!(cli.command, Some(cli::Command::Serve(_))) {
        // The server writes to sockets and must outlive a closed one.
        quiet_on_closed_pipe();
    }
    match app::main(cli) {
        Ok(()) => {}
        Err(app::Failure::Input(e)) => {
            eprintln!("Error: {e:#}");
            std::process::exit(2);
        }
        Err(app::Failure::Runtime(e)) => {
            eprintln!("Error: {e:#}");
            std::process::exit(1);
        }
    }
}

/// Restore the default action of SIGPIPE (Rust ignores it, so a write to a
/// closed pipe fails and `println!` panics).
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread is spawned;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
