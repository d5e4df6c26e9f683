//! `culturesim bench`: parse, run the library's scaling series
//! ([`crate::bench`]) with a progress bar, print its table line by line.

use super::Failure;
use crate::cli::KernelArg;
use crate::model::learning_culture::Kernel;

pub use crate::bench::Options as BenchOptions;

/// The model's kernel for a `--kernel` value.
pub fn kernel(k: KernelArg) -> Kernel {
    match k {
        KernelArg::Auto => Kernel::Auto,
        KernelArg::Avx512 => Kernel::Avx512,
        KernelArg::Avx2 => Kernel::Avx2,
        KernelArg::Baseline => Kernel::Baseline,
        KernelArg::Scalar => Kernel::Scalar,
    }
}

/// Run the series and print it (the bar hidden with `quiet`).
pub fn bench(o: &BenchOptions, quiet: bool) -> Result<(), Failure> {
    let bar = super::progress::Bar::new("agent-steps", quiet);
    // The table goes to stdout, the bar to stderr: a line is printed with
    // the bar out of the way.
    let say = |line: String| bar.0.suspend(|| println!("{line}"));
    crate::bench::bench(o, &bar, &say)
}
