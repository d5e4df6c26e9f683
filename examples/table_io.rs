//! The write and read time of a folder's tables, CSV against Parquet
//! (BENCHMARKS.md, "Columnar outputs"): read the time series, teams and
//! runs tables of a finished run or sweep folder (either format), then
//! write each whole table REPEATS times into a temporary folder as CSV and
//! as Parquet (atomic files, as the commands write them), read each back,
//! and print the median times and the sizes.
//!
//! `cargo run --release --example table_io -- DIR [REPEATS]`

use culturesim::export::format::{Format, Table, locate};
use culturesim::export::runs::Runs;
use culturesim::export::tables;
use culturesim::export::teams::TeamsFile;
use culturesim::export::timeseries::Timeseries;
use std::path::Path;
use std::time::Instant;

/// The median of `n` timings of `f`, in seconds.
fn median(n: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[n / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: table_io DIR [REPEATS]");
    let n: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    let dir = Path::new(&dir);
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().to_path_buf();
    println!("table       rows       format    size (bytes)   write (s)   read (s)");
    for table in Table::ALL {
        let Ok((path, _)) = locate(dir, table) else {
            continue;
        };
        let (rows, write): (usize, Box<dyn Fn(Format) -> anyhow::Result<()>>) = match table {
            Table::Timeseries => {
                let t = Timeseries::read(&path)?;
                let rows = t.rows.len();
                let o = out.clone();
                (rows, Box::new(move |f| tables::write_timeseries(&o, f, &t)))
            }
            Table::Teams => {
                let t = TeamsFile::read(&path)?;
                let rows = t.rows.len();
                let o = out.clone();
                (rows, Box::new(move |f| tables::write_teams(&o, f, &t)))
            }
            Table::Runs => {
                let t = Runs::read(&path)?;
                let rows = t.rows.len();
                let o = out.clone();
                (rows, Box::new(move |f| tables::write_runs(&o, f, &t)))
            }
        };
        for format in Format::ALL {
            let written = out.join(format.file(table));
            let w = median(n, || write(format).expect("write"));
            let size = std::fs::metadata(&written)?.len();
            let r = median(n, || match table {
                Table::Timeseries => drop(Timeseries::read(&written).expect("read")),
                Table::Teams => drop(TeamsFile::read(&written).expect("read")),
                Table::Runs => drop(Runs::read(&written).expect("read")),
            });
            println!(
                "{:<11} {rows:<10} {:<9} {size:>12}   {w:>9.3}   {r:>8.3}",
                table.stem(),
                format.extension()
            );
        }
    }
    Ok(())
}
