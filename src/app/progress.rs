//! What every long command shares: its worker-thread pool (`--threads`)
//! and its progress bar (`--quiet` hides it, as does a stderr that is not a
//! terminal), which shows the elapsed time and an estimate of the time left.

use super::Failure;
use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

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

/// The template of every bar:
/// `[####    ] 12/40 runs  00:00:03 elapsed, ETA 00:00:07` (counts with
/// thousands separators: `bench` counts agent-steps).
pub const TEMPLATE: &str =
    "{bar:40} {human_pos}/{human_len} {msg}  {elapsed_precise} elapsed, ETA {eta_precise}";

/// A progress bar over `len` units named `unit` ("runs", "steps", ...),
/// drawn on stderr unless `quiet` or stderr is not a terminal.
pub fn bar(len: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(len);
    b.set_style(ProgressStyle::with_template(TEMPLATE).expect("a valid template"));
    b.set_message(unit.to_string());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_shows_elapsed_time_and_eta() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert!(TEMPLATE.contains("{elapsed_precise}") && TEMPLATE.contains("{eta_precise}"));
    }

    #[test]
    fn zero_threads_is_a_usage_error() {
        assert!(matches!(pool(Some(0)), Err(Failure::Input(_))));
        assert_eq!(pool(Some(2)).map(|p| p.current_num_threads()).ok(), Some(2));
    }
}
