//! The `culturesim` binary: parse arguments, run, report errors.
//! Exit codes: 0 success, 1 runtime failure, 2 usage or scenario error.

use clap::Parser;
use culturesim::app::{self, Failure};
use culturesim::cli::Cli;

fn main() {
    let cli = Cli::parse();
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
