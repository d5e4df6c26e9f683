//! The `culturesim` binary: parse arguments, run, report errors.
//! Exit codes: 0 success, 1 runtime failure, 2 usage or scenario error.
//! A closed output pipe (`culturesim list | head -1`) ends the process
//! quietly by SIGPIPE, like other Unix tools (the shell shows status 141);
//! every command prints only after its files are written.

use clap::Parser;
use culturesim::app::{self, Failure};
use culturesim::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    if !matches!(cli.command, Some(Command::Serve(_))) {
        // The server writes to sockets and must outlive a closed one.
        quiet_on_closed_pipe();
    }
    match app::main(cli) {
        Ok(()) => {}
        Err(Failure::Input(e)) => {
            eprintln!("Error: {e:#}");
            std::process::exit(2);
        }
        Err(Failure::Runtime(e)) => {
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
