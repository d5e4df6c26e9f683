//! Resource limits: how large an input file may be, and how much memory
//! and work a command may ask for before it allocates anything. Sizes are
//! estimated from the request (employees, steps, replicates, sweep points)
//! with per-unit costs measured on the real binary (see BENCHMARKS.md,
//! "Limits"); a request above this machine's memory, or above the work cap,
//! is refused with the estimate unless the user consents with
//! `--force-size` (which sets [`set_force_size`] for the process).

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Largest input file read (a scenario, an `extends` target, an org chart,
/// an empirical CSV): 64 MiB, several million chart rows.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Bytes per employee of an organization as the scenario holds it (built
/// once, copied into each concurrent run), measured: about 24.
pub const BYTES_PER_EMPLOYEE_TEMPLATE: u64 = 32;
/// Bytes per employee of each run in flight, measured: about 37.
pub const BYTES_PER_EMPLOYEE_RUN: u64 = 48;
/// Bytes per step and metric of a run's observations, held until its batch
/// is written (two copies at the peak: the rows and their formatted text).
pub const BYTES_PER_STEP_METRIC: u64 = 16;
/// Most agent-steps (employees × steps × replicates) without consent:
/// about ten hours on two cores at the measured 3·10⁷ agent-steps per second.
pub const MAX_WORK: u128 = 1_000_000_000_000;
/// Most runs of one sweep (points × replicates) without consent.
pub const MAX_SWEEP_RUNS: u128 = 10_000_000;

static FORCE_SIZE: AtomicBool = AtomicBool::new(false);

/// Consent to requests above the limits (`--force-size`).
pub fn set_force_size(on: bool) {
    FORCE_SIZE.store(on, Ordering::Relaxed);
}

/// Whether the user consented to requests above the limits.
pub fn force_size() -> bool {
    FORCE_SIZE.load(Ordering::Relaxed)
}

/// Read a UTF-8 text file of at most `cap` bytes. A larger file (or an
/// endless one such as `/dev/zero`) is refused after reading `cap + 1`
/// bytes, with a message naming the limit; nothing more is allocated.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    if let Ok(meta) = file.metadata()
        && meta.is_dir()
    {
        return Err(std::io::Error::other("is a folder, not a file"));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "is larger than the {} limit for input files",
            human_bytes(cap)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// [`read_capped`] with [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> std::io::Result<String> {
    read_capped(path, MAX_INPUT_BYTES)
}

/// Total memory of this machine in bytes (Linux: `/proc/meminfo`), if known.
pub fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Memory a command may use without consent: 80% of this machine's memory
/// (16 GiB when it is not known).
pub fn memory_budget() -> u64 {
    machine_memory().map_or(16 << 30, |m| m / 5 * 4)
}

/// `bytes` for people: "55.3 GB", "512.0 MB", or "64 MiB" for an exact
/// number of MiB or GiB (the limits).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 2] = [("GiB", 1 << 30), ("MiB", 1 << 20)];
    for (name, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {name}", bytes / size);
        }
    }
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a run asks for, estimated before anything is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// Employees of the organization.
    pub employees: u64,
    /// Steps per run.
    pub steps: u64,
    /// Replicates (runs).
    pub replicates: u64,
    /// Metrics observed per step.
    pub metrics: u64,
    /// Runs in flight at once (a batch of the parallel runner).
    pub in_flight: u64,
}

impl Request {
    /// Estimated peak memory in bytes (saturating).
    pub fn memory(&self) -> u128 {
        let e = u128::from(self.employees);
        let runs = u128::from(self.in_flight.min(self.replicates).max(1));
        let threads = u128::from(
            (rayon::current_num_threads() as u64)
                .min(self.replicates)
                .max(1),
        );
        e * u128::from(BYTES_PER_EMPLOYEE_TEMPLATE)
            + e * u128::from(BYTES_PER_EMPLOYEE_RUN) * threads
            + u128::from(self.steps)
                * u128::from(self.metrics.max(1))
                * u128::from(BYTES_PER_STEP_METRIC)
                * runs
    }

    /// Agent-steps in all.
    pub fn work(&self) -> u128 {
        u128::from(self.employees.max(1)) * u128::from(self.steps) * u128::from(self.replicates)
    }

    /// Problems with this request (empty when it fits or the user
    /// consented): (key, message) pairs naming the estimate and the limit.
    pub fn problems(&self, employees_key: &str) -> Vec<(String, String)> {
        if force_size() {
            return vec![];
        }
        let mut out = Vec::new();
        let mem = self.memory();
        let budget = memory_budget();
        if mem > u128::from(budget) {
            let have = machine_memory()
                .map(|m| format!("this machine has {}", human_bytes(m)))
                .unwrap_or_else(|| format!("the limit is {}", human_bytes(budget)));
            let key = if self.employees * (BYTES_PER_EMPLOYEE_RUN + BYTES_PER_EMPLOYEE_TEMPLATE)
                >= self.steps * self.metrics * BYTES_PER_STEP_METRIC
            {
                employees_key
            } else {
                "steps"
            };
            let value = if key == "steps" {
                self.steps
            } else {
                self.employees
            };
            out.push((
                key.to_string(),
                format!(
                    "{value} would need about {} of memory ({} employees, {} steps, {} replicates); {have}; use --force-size to try anyway",
                    human_bytes(u64::try_from(mem).unwrap_or(u64::MAX)),
                    self.employees,
                    self.steps,
                    self.replicates
                ),
            ));
        }
        if self.work() > MAX_WORK {
            out.push((
                "replicates".into(),
                format!(
                    "x steps x employees = {:.1e} agent-steps, above the limit of {:.0e} (about ten hours on two cores); use --force-size to try anyway",
                    self.work() as f64,
                    MAX_WORK as f64
                ),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_is_refused_after_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        std::fs::write(&p, vec![b'a'; 1001]).unwrap();
        let e = read_capped(&p, 1000).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        assert_eq!(read_capped(&p, 1001).unwrap().len(), 1001);
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused() {
        let e = read_capped(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(e.to_string().contains("larger than the 1 MiB limit"), "{e}");
    }

    #[test]
    fn estimates_grow_with_the_request() {
        let r = Request {
            employees: 4_000_000_000,
            steps: 100,
            replicates: 1,
            metrics: 17,
            in_flight: 16,
        };
        // At least the measured 61 bytes per employee of one run.
        assert!(r.memory() >= 61_000_000_000, "{}", r.memory());
        let p = r.problems("org.employees");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].1.contains("--force-size"), "{p:?}");
        let small = Request {
            employees: 500,
            ..r
        };
        assert!(small.problems("org.employees").is_empty());
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(64 << 20), "64 MiB");
        assert_eq!(human_bytes(55_300_000_000), "55.3 GB");
    }
}
