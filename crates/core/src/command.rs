//! What every command of the library shares, and what the command line
//! hands it: [`Failure`] (bad input, exit 2, or a runtime failure, exit 1),
//! [`Progress`] (a progress display the caller owns: the library draws
//! nothing), [`Provenance`] (the tool version, git commit and command line
//! that manifests record, known only to the binary) and [`pool`] (the
//! worker threads of `--threads`).

use anyhow::anyhow;

/// Why a command failed: bad input (exit 2) or a runtime failure (exit 1).
/// The message is the inner error's, with its context chain.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Usage or scenario error.
    #[error("{0:#}")]
    Input(anyhow::Error),
    /// Anything else (I/O, ...).
    #[error("{0:#}")]
    Runtime(anyhow::Error),
}

impl Failure {
    /// A usage or scenario error of `message`.
    pub fn input(message: impl std::fmt::Display) -> Self {
        Self::Input(anyhow!("{message}"))
    }
}

/// A progress display over units of work (runs, steps, particles): the
/// library reports, the caller draws (or not). Every method has a silent
/// default, so `&()` shows nothing.
pub trait Progress: Sync {
    /// The work is `len` units, of which `done` are already done.
    fn begin(&self, len: u64, done: u64) {
        let _ = (len, done);
    }
    /// `n` more units are done.
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// The work grew by `n` units.
    fn extend(&self, n: u64) {
        let _ = n;
    }
    /// A short status line beside the count.
    fn message(&self, text: String) {
        let _ = text;
    }
    /// All done: clear the display.
    fn finish(&self) {}
}

/// No display.
impl Progress for () {}

/// Where an output folder came from, as its manifest records it: the tool
/// version, the git commit it was built from (when known) and the command
/// line. The binary knows these; the library is told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Tool version (`CARGO_PKG_VERSION` of the binary).
    pub version: String,
    /// Git commit of the build, or None when it was not built from git.
    pub commit: Option<String>,
    /// The command line (`std::env::args`).
    pub command_line: Vec<String>,
}

/// A pool of `threads` workers (all cores, or `RAYON_NUM_THREADS`, when
/// absent); `--threads 0` is a usage error.
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(Failure::Input(anyhow!("--threads must be at least 1")));
        }
        b = b.num_threads(n);
    }
    b.build()
        .map_err(|e| Failure::Runtime(anyhow!("cannot start worker threads: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_a_usage_error() {
        assert!(matches!(pool(Some(0)), Err(Failure::Input(_))));
        assert_eq!(pool(Some(2)).map(|p| p.current_num_threads()).ok(), Some(2));
    }

    #[test]
    fn a_failure_shows_its_whole_chain() {
        let e = Failure::Runtime(anyhow!("disk full").context("cannot write 'a.csv'"));
        assert_eq!(e.to_string(), "cannot write 'a.csv': disk full");
    }
}
