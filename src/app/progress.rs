//! What every long command shares: its worker-thread pool (`--threads`)
//! and its progress bar (`--quiet` hides it, as does a stderr that is not a
//! terminal), which shows the elapsed time and an estimate of the time left.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A pool of `threads` workers (all cores, or `RAYON_NUM_THREADS`, when
/// absent); `--threads 0` is a usage error.
pub use crate::command::pool;

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

/// A progress bar as the library's [`Progress`](crate::command::Progress):
/// the library says how far it is, the bar draws it.
pub struct Bar(pub ProgressBar);

impl Bar {
    /// A bar over `unit`s, hidden with `quiet` (its length comes with
    /// [`begin`](crate::command::Progress::begin)).
    pub fn new(unit: &str, quiet: bool) -> Self {
        Self(bar(0, unit, quiet))
    }
}

impl crate::command::Progress for Bar {
    fn begin(&self, len: u64, done: u64) {
        self.0.set_length(len);
        self.0.set_position(done);
        self.0.reset_eta();
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn extend(&self, n: u64) {
        self.0.inc_length(n);
    }
    fn message(&self, text: String) {
        self.0.set_message(text);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_shows_elapsed_time_and_eta() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert!(TEMPLATE.contains("{elapsed_precise}") && TEMPLATE.contains("{eta_precise}"));
    }
}
