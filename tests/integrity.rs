//! Integrity and resource limits under bad input and faults (issue 20),
//! through the real binary: a sweep folder's experiment identity (resume,
//! shard and merge refuse a mismatch and name it), merge validating every
//! row, a run's folder as one unit (owned, staged and swapped; `kill -9`
//! in a loop never leaves a mix), size limits with their estimates, finite
//! numbers, `plot` refusing absurd values, sound kernel dispatch, and a
//! proptest-driven mutation test of the scenario and org-chart parsers, in
//! the library and through the binary's `validate` and `run`.

use assert_cmd::Command;
use culturesim::scenario::{Scenario, Source, orgchart};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::cargo_bin("culturesim").unwrap();
    c.timeout(Duration::from_secs(300));
    c
}

/// Run the binary; (exit code, stdout + stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A small grid sweep: 3 points x 3 replicates of a 200-person organization.
fn grid(dir: &Path) -> PathBuf {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/snow-in-the-sun.toml");
    let text = format!(
        "extends = {:?}\nname = \"g\"\nreplicates = 3\nduration = \"400w\"\n[org]\nemployees = 200\n[sweep]\ndesign = \"grid\"\n[sweep.params]\n\"culture.coupling\" = [0.5, 1.0, 1.5]\n",
        scenarios.display().to_string()
    );
    let path = dir.join("g.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn resume_and_shard_refuse_another_experiment_and_name_the_difference() {
    let d = tempfile::tempdir().unwrap();
    grid(d.path());
    let (code, msg) = run(d.path(), &["sweep", "g.toml", "--out", "s", "-q"]);
    assert_eq!(code, 0, "{msg}");
    let runs = std::fs::read(d.path().join("s/runs.csv")).unwrap();
    for (extra, named) in [
        (
            vec!["--set", "seed=5"],
            "seed: 20261128 in the folder, 5 now",
        ),
        (
            vec!["--set", "org.employees=300"],
            "org.employees: 200 in the folder, 300 now",
        ),
        (vec!["--shard", "2/3"], "shard: none in the folder, 2/3 now"),
    ] {
        let mut args = vec!["sweep", "g.toml", "--out", "s", "-q", "--resume"];
        args.extend(&extra);
        let (code, msg) = run(d.path(), &args);
        assert_eq!(code, 2, "{extra:?} was not refused: {msg}");
        assert!(msg.contains(named), "{extra:?}: {msg}");
        assert_eq!(
            std::fs::read(d.path().join("s/runs.csv")).unwrap(),
            runs,
            "a refused resume changed the folder"
        );
    }
    // A shard started in another shard's folder (without --resume) is
    // refused too, and the finished shard is kept.
    let (code, _) = run(
        d.path(),
        &["sweep", "g.toml", "--out", "k", "-q", "--shard", "1/3"],
    );
    assert_eq!(code, 0);
    let shard1 = std::fs::read(d.path().join("k/runs.csv")).unwrap();
    let (code, msg) = run(
        d.path(),
        &["sweep", "g.toml", "--out", "k", "-q", "--shard", "2/3"],
    );
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("holds shard 1/3 of this sweep"), "{msg}");
    assert_eq!(std::fs::read(d.path().join("k/runs.csv")).unwrap(), shard1);
    // The same experiment resumes (here: finished, so re-run to the same bytes).
    let (code, msg) = run(
        d.path(),
        &["sweep", "g.toml", "--out", "s", "-q", "--resume"],
    );
    assert_eq!(code, 0, "{msg}");
    assert_eq!(std::fs::read(d.path().join("s/runs.csv")).unwrap(), runs);
}

/// Replace line `n` (1-based) of `path` by `f(line)`, and (with `rehash`)
/// record the new SHA-256 in the manifest, as a careful forger would.
fn edit_line(dir: &Path, n: usize, f: impl Fn(&str) -> String, rehash: bool) {
    let path = dir.join("runs.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[n - 1] = f(&lines[n - 1]);
    let new = lines.join("\n") + "\n";
    std::fs::write(&path, &new).unwrap();
    if rehash {
        let mpath = dir.join("manifest.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
        m["runs_sha256"] = culturesim::sweep::identity::sha256_bytes(new.as_bytes()).into();
        std::fs::write(&mpath, m.to_string()).unwrap();
    }
}

#[test]
fn merge_validates_every_row_and_never_panics() {
    let d = tempfile::tempdir().unwrap();
    grid(d.path());
    for k in ["1/2", "2/2"] {
        let out = format!("sh{}", &k[..1]);
        let (code, msg) = run(
            d.path(),
            &["sweep", "g.toml", "--out", &out, "-q", "--shard", k],
        );
        assert_eq!(code, 0, "{msg}");
    }
    let (code, msg) = run(d.path(), &["sweep", "g.toml", "--out", "whole", "-q"]);
    assert_eq!(code, 0, "{msg}");
    let (code, msg) = run(d.path(), &["merge", "sh1", "sh2", "--out", "m"]);
    assert_eq!(code, 0, "{msg}");
    assert_eq!(
        std::fs::read(d.path().join("m/runs.csv")).unwrap(),
        std::fs::read(d.path().join("whole/runs.csv")).unwrap()
    );
    let copy = |name: &str| {
        let to = d.path().join(name);
        std::fs::create_dir_all(&to).unwrap();
        for f in culturesim::export::folder::files_in(&d.path().join("sh1")).unwrap() {
            let dst = to.join(&f);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            std::fs::copy(d.path().join("sh1").join(&f), dst).unwrap();
        }
        to
    };
    // Each corruption: (folder, edit, rehash, expected words).
    type Edit = fn(&str) -> String;
    let cases: [(&str, Edit, bool, &str); 6] = [
        (
            "edited",
            |l| l.replacen(",0.", ",0.9", 1),
            false,
            "was changed after the sweep wrote it",
        ),
        (
            "point",
            |l| format!("7{}", &l[1..]),
            true,
            "point 7 is outside the design (points 0..3)",
        ),
        (
            "replicate",
            |l| {
                let mut c: Vec<&str> = l.split(',').collect();
                c[1] = "9";
                c.join(",")
            },
            true,
            "replicate 9 is outside the design",
        ),
        (
            "shard",
            |l| {
                let mut c: Vec<&str> = l.split(',').collect();
                c[1] = "1";
                c.join(",")
            },
            true,
            "does not belong to shard 1/2",
        ),
        (
            "value",
            |l| {
                let mut c: Vec<&str> = l.split(',').collect();
                c[4] = "NaN";
                c.join(",")
            },
            true,
            "not a finite number",
        ),
        ("fields", |l| format!("{l},1"), true, "fields, the header"),
    ];
    for (name, edit, rehash, words) in cases {
        let dir = copy(name);
        edit_line(&dir, 2, edit, rehash);
        let (code, msg) = run(d.path(), &["merge", name, "sh2", "--out", "bad"]);
        assert_eq!(code, 2, "{name}: {msg}");
        assert!(msg.contains(words), "{name}: {msg}");
        assert!(!msg.contains("panicked"), "{name}: {msg}");
    }
    // A shard of another experiment is named.
    let (code, msg) = run(
        d.path(),
        &[
            "sweep", "g.toml", "--out", "other", "-q", "--shard", "2/2", "--set", "seed=3",
        ],
    );
    assert_eq!(code, 0, "{msg}");
    let (code, msg) = run(d.path(), &["merge", "sh1", "other", "--out", "bad"]);
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("seed: 20261128 in the folder, 3 now"), "{msg}");
}

#[test]
fn a_run_owns_its_folder() {
    let d = tempfile::tempdir().unwrap();
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "run",
            "--set",
            "replicates=2",
            "--steps",
            "120",
            "--out",
            "r",
            "-q",
        ];
        a.extend_from_slice(extra);
        a
    };
    let (code, msg) = run(d.path(), &args(&[]));
    assert_eq!(code, 0, "{msg}");
    assert!(d.path().join("r/report.html").exists());
    // A second run without plots: the old plots and report go (issue 19.4).
    let (code, msg) = run(d.path(), &args(&["--no-plots", "--seed", "2"]));
    assert_eq!(code, 0, "{msg}");
    let files = culturesim::export::folder::files_in(&d.path().join("r")).unwrap();
    assert_eq!(
        files,
        [
            "manifest.json",
            "scenario.toml",
            "summary.csv",
            "summary.json",
            "teams.csv",
            "timeseries.csv"
        ]
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("r/manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(listed, files, "the manifest lists exactly what is there");
    // A file culturesim did not write: refused, named, kept.
    std::fs::write(d.path().join("r/notes.txt"), "mine").unwrap();
    let (code, msg) = run(d.path(), &args(&[]));
    assert_eq!(code, 2, "{msg}");
    assert!(
        msg.contains("did not write") && msg.contains("'notes.txt'"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("r/notes.txt")).unwrap(),
        "mine"
    );
    // A folder of someone else's files (no manifest): refused.
    std::fs::create_dir_all(d.path().join("home")).unwrap();
    std::fs::write(d.path().join("home/thesis.tex"), "x").unwrap();
    let (code, msg) = run(d.path(), &["run", "--steps", "10", "--out", "home", "-q"]);
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("'thesis.tex'"), "{msg}");
}

/// `kill -9` a run into one folder again and again, alternating two seeds:
/// after every kill the folder is absent or byte-identical to a finished
/// run of the seed its manifest names (never a mix), and the next run
/// removes what the killed one left.
#[cfg(unix)]
#[test]
fn kill_9_in_a_loop_never_leaves_a_mixed_folder() {
    let d = tempfile::tempdir().unwrap();
    let base = [
        "run",
        "--set",
        "replicates=6",
        "--set",
        "org.employees=3000",
        "--steps",
        "300",
        "-q",
    ];
    // (report.html quotes the command line, so it names its folder.)
    let files = [
        "summary.json",
        "timeseries.csv",
        "teams.csv",
        "scenario.toml",
        "plots/culture.svg",
        "plots/outcomes.svg",
    ];
    let mut reference = Vec::new();
    for seed in ["1", "2"] {
        let out = format!("ref{seed}");
        let mut a = base.to_vec();
        a.extend(["--seed", seed, "--out", &out]);
        let (code, msg) = run(d.path(), &a);
        assert_eq!(code, 0, "{msg}");
        reference.push(out);
    }
    let exe = env!("CARGO_BIN_EXE_culturesim");
    let kills = 12;
    let mut seen_old = 0;
    // Meanwhile other runs write beside the killed ones, in the same parent
    // folder: every one of them finishes whole, though each killed run's
    // successor cleans that folder of dead staging folders.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let side = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let out = format!("side{}", n % 2);
                let (code, msg) = run(
                    d.path(),
                    &[
                        "run",
                        "--steps",
                        "40",
                        "--set",
                        "replicates=1",
                        "--set",
                        "org.employees=100",
                        "--no-plots",
                        "--out",
                        &out,
                        "-q",
                    ],
                );
                assert_eq!(code, 0, "side run {n}: {msg}");
                assert!(d.path().join(&out).join("summary.json").is_file());
                n += 1;
            }
            n
        });
        for i in 0..kills {
            let seed = ["1", "2"][i % 2];
            let mut child = std::process::Command::new(exe)
                .current_dir(d.path())
                .args(base)
                .args(["--seed", seed, "--out", "target"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            // Every other run is left time to finish; the others are killed
            // at different moments of their life.
            let ms = if i % 2 == 0 { 2000 } else { 30 + 60 * i as u64 };
            std::thread::sleep(Duration::from_millis(ms));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            let target = d.path().join("target");
            if !target.exists() {
                continue;
            }
            let m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(target.join("manifest.json")).unwrap())
                    .expect("a folder in place always has its manifest");
            let s = m["seed"].as_u64().unwrap();
            seen_old += usize::from(s.to_string() != seed);
            let refdir = d.path().join(&reference[(s - 1) as usize]);
            for f in files {
                assert!(
                    std::fs::read(target.join(f)).unwrap()
                        == std::fs::read(refdir.join(f)).unwrap(),
                    "kill {i}: {f} of the folder is not that of the seed-{s} run its manifest names"
                );
            }
            assert!(target.join("report.html").is_file(), "kill {i}: no report");
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        side.join().unwrap()
    });
    let stale = std::fs::read_dir(d.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".culturesim-stage-")
        })
        .count();
    eprintln!(
        "{kills} kills, {seen_old} mid-run with an older folder in place, {stale} staging folders left, {side} runs beside them all whole"
    );
    assert!(side > 0, "no run went beside the killed ones");
    // The next run in that place removes every staging folder left behind.
    let (code, msg) = run(d.path(), &["run", "--steps", "10", "--out", "target", "-q"]);
    assert_eq!(code, 0, "{msg}");
    let left: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".culturesim-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // Some kills came mid-run (the old folder stayed in place).
    assert!(
        seen_old > 0,
        "no kill landed mid-run; the loop tested nothing"
    );
}

/// The binary with the file-size limit `blocks` (`ulimit -f`, SIGXFSZ
/// ignored so that a write past it fails with EFBIG, as on a full disk).
#[cfg(unix)]
fn run_with_file_limit(dir: &Path, blocks: u32, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_culturesim"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A full disk (here: a file-size limit) during a sweep is reported with
/// the file's name, and the sweep resumes to the bytes of one that never
/// failed; when the plots of a run fail for it, the message names the
/// plot in the run's folder (not the staging folder) and the manifest lists
/// exactly the files that are there.
#[cfg(unix)]
#[test]
fn a_full_disk_is_reported_with_the_files_name() {
    let d = tempfile::tempdir().unwrap();
    grid(d.path());
    let sets = ["--set", "replicates=30", "--set", "org.employees=60"];
    let mut args = vec!["sweep", "g.toml", "--out", "full", "-q"];
    args.extend(sets);
    let (code, msg) = run_with_file_limit(d.path(), 8, &args);
    assert_eq!(code, 1, "{msg}");
    assert!(
        msg.contains("failed to write 'full/runs.csv.part'") && msg.contains("too large"),
        "{msg}"
    );
    args.push("--resume");
    let (code, msg) = run(d.path(), &args);
    assert_eq!(code, 0, "{msg}");
    let mut clean = vec!["sweep", "g.toml", "--out", "clean", "-q"];
    clean.extend(sets);
    let (code, msg) = run(d.path(), &clean);
    assert_eq!(code, 0, "{msg}");
    for f in ["runs.csv", "summary.csv", "points.csv"] {
        assert!(
            std::fs::read(d.path().join("full").join(f)).unwrap()
                == std::fs::read(d.path().join("clean").join(f)).unwrap(),
            "{f} after a full disk and --resume differs from an uninterrupted sweep"
        );
    }
    // A run whose plots do not fit.
    let (code, msg) = run_with_file_limit(
        d.path(),
        100,
        &[
            "run",
            "--steps",
            "30",
            "--set",
            "replicates=1",
            "--out",
            "r",
            "-q",
        ],
    );
    assert_eq!(code, 1, "{msg}");
    assert!(
        msg.contains("the plots failed") && msg.contains("failed to write 'r/plots/"),
        "{msg}"
    );
    assert!(!msg.contains(".culturesim-stage-"), "{msg}");
    let r = d.path().join("r");
    let present = culturesim::export::folder::files_in(&r).unwrap();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(r.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        listed, present,
        "the manifest lists a file that is not there"
    );
    assert!(present.iter().any(|f| f == "timeseries.csv"));
}

#[test]
fn sizes_are_estimated_and_refused_before_anything_is_built() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("huge.toml"),
        "extends = \"../scenarios/snow-in-the-sun.toml\"\nname = \"huge\"\n[org]\nemployees = 1000000000\n",
    )
    .unwrap();
    let huge = d.path().join("huge.toml");
    let text = std::fs::read_to_string(&huge).unwrap().replace(
        "../scenarios/snow-in-the-sun.toml",
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/snow-in-the-sun.toml")
            .display()
            .to_string(),
    );
    std::fs::write(&huge, text).unwrap();
    let (code, msg) = run(d.path(), &["validate", "huge.toml"]);
    assert_eq!(code, 2, "{msg}");
    assert!(
        msg.contains("org.employees: 1000000000 would need about")
            && msg.contains("GB of memory")
            && msg.contains("--force-size"),
        "{msg}"
    );
    let (code, msg) = run(
        d.path(),
        &["run", "--steps", "100000000", "--out", "x", "-q"],
    );
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("100000000 would need about"), "{msg}");
    assert!(!d.path().join("x").exists());
    // An LHS design of 4e9 samples: refused before any point is drawn.
    let lhs = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/snow-in-the-sun-levers.toml");
    let (code, msg) = run(
        d.path(),
        &[
            "sweep",
            lhs.to_str().unwrap(),
            "--set",
            "sweep.samples=4000000000",
            "--out",
            "l",
            "-q",
        ],
    );
    assert_eq!(code, 2, "{msg}");
    assert!(
        msg.contains("sweep.samples") && msg.contains("4000000000 points"),
        "{msg}"
    );
    // An endless file as extends target and as org chart.
    #[cfg(unix)]
    for (key, text) in [
        ("extends", "extends = \"/dev/zero\"\nname = \"z\"\n"),
        ("org.chart", "name = \"z\"\n[org]\nchart = \"/dev/zero\"\n"),
    ] {
        std::fs::write(d.path().join("z.toml"), text).unwrap();
        let (code, msg) = run(d.path(), &["validate", "z.toml"]);
        assert_eq!(code, 2, "{key}: {msg}");
        assert!(msg.contains("larger than the 64 MiB limit"), "{key}: {msg}");
    }
}

/// `--force-size` is the user's consent on the command line, the same for
/// `validate`, `run` and `sweep`: without it a request above the work limit
/// is refused before anything is written; with it the command goes ahead
/// (here: it starts writing, and is killed). (`serve` never lets a request
/// carry it: tests/serve.rs.)
#[cfg(unix)]
#[test]
fn force_size_is_consent_for_validate_run_and_sweep_alike() {
    let d = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/snow-in-the-sun.toml");
    // 1e6 employees x 10,000 steps x 200 replicates = 2e12 agent-steps.
    let big = format!(
        "extends = {:?}\nname = \"big\"\nduration = \"10000w\"\nreplicates = 200\n[org]\nemployees = 1000000\n",
        base.display().to_string()
    );
    std::fs::write(d.path().join("big.toml"), &big).unwrap();
    std::fs::write(
        d.path().join("bigsweep.toml"),
        format!(
            "{big}[sweep]\ndesign = \"grid\"\n[sweep.params]\n\"culture.coupling\" = [0.5, 1.0]\n"
        ),
    )
    .unwrap();
    let refused = "agent-steps, above the limit";
    for args in [
        vec!["validate", "big.toml"],
        vec!["run", "big.toml", "--out", "r", "-q"],
        vec!["sweep", "bigsweep.toml", "--out", "s", "-q"],
    ] {
        let (code, msg) = run(d.path(), &args);
        assert_eq!(code, 2, "{args:?}: {msg}");
        assert!(
            msg.contains(refused) && msg.contains("--force-size"),
            "{args:?}: {msg}"
        );
    }
    assert!(!d.path().join("r").exists() && !d.path().join("s").exists());
    let (code, msg) = run(d.path(), &["validate", "big.toml", "--force-size"]);
    assert_eq!(code, 0, "validate --force-size: {msg}");
    // run and sweep go ahead: they start writing (then are killed).
    for (args, sign) in [
        (
            vec!["run", "big.toml", "--out", "r", "-q", "--force-size"],
            ".culturesim-stage-",
        ),
        (
            vec!["sweep", "bigsweep.toml", "--out", "s", "-q", "--force-size"],
            "s/identity.json",
        ),
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culturesim"))
            .current_dir(d.path())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let mut seen = false;
        while !seen && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
            seen = if sign.starts_with('.') {
                std::fs::read_dir(d.path())
                    .unwrap()
                    .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(sign))
            } else {
                d.path().join(sign).exists()
            };
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{args:?} stopped with {status} instead of running");
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(seen, "{args:?} did not start writing within a minute");
    }
}

#[test]
fn overflowing_parameters_are_refused_at_validation() {
    let d = tempfile::tempdir().unwrap();
    for set in [
        "population.influence=1e38",
        "population.influence={dist=\"pareto\",scale=1.0,shape=0.1}",
        "population.influence={dist=\"lognormal\",mu=700.0,sigma=1.0}",
        "population.influence={dist=\"uniform\",min=0.0,max=1e308}",
    ] {
        let (code, msg) = run(
            d.path(),
            &["run", "--set", set, "--steps", "5", "--out", "n", "-q"],
        );
        assert_eq!(code, 2, "{set}: {msg}");
        assert!(
            msg.contains("population.influence: must stay below 1e12"),
            "{set}: {msg}"
        );
    }
    // The default heavy tail (pareto 1.16) is fine.
    let (code, msg) = run(
        d.path(),
        &[
            "run",
            "--steps",
            "5",
            "--set",
            "replicates=1",
            "--out",
            "ok",
            "-q",
            "--no-plots",
        ],
    );
    assert_eq!(code, 0, "{msg}");
    let name = "n".repeat(201);
    let (code, msg) = run(
        d.path(),
        &[
            "run",
            "--set",
            &format!("name=\"{name}\""),
            "--steps",
            "5",
            "-q",
        ],
    );
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("name: must be at most 200 bytes"), "{msg}");
}

#[test]
fn plot_refuses_absurd_values_instead_of_hanging() {
    let d = tempfile::tempdir().unwrap();
    let (code, msg) = run(
        d.path(),
        &[
            "run",
            "--set",
            "replicates=2",
            "--steps",
            "60",
            "--out",
            "r",
            "-q",
            "--no-plots",
        ],
    );
    assert_eq!(code, 0, "{msg}");
    let ts = d.path().join("r/timeseries.csv");
    let text = std::fs::read_to_string(&ts).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[5].split(',').map(String::from).collect();
    cells[4] = "1e308".into(); // culture (after point, replicate, step, year)
    lines[5] = cells.join(",");
    std::fs::write(&ts, lines.join("\n") + "\n").unwrap();
    // Bounded by the command's timeout: a hang fails the test.
    let (code, msg) = run(d.path(), &["plot", "r"]);
    assert_ne!(code, 0, "{msg}");
    assert!(msg.contains("line 6") && msg.contains("1e308"), "{msg}");
}

/// Each kernel's `#[target_feature]` list is the list its run-time check
/// tests, and the check knows every feature in it.
#[test]
fn kernel_features_match_their_checks() {
    use culturesim::model::learning_culture::Kernel;
    let src = include_str!("../crates/core/src/model/learning_culture/kernel.rs");
    for (kernel, body) in [(Kernel::Avx512, "body_avx512"), (Kernel::Avx2, "body_avx2")] {
        let at = src
            .find(&format!("    {body}\n);"))
            .expect("the compiled! call");
        let attr = src[..at]
            .rfind("#[target_feature(enable = \"")
            .expect("an attribute")
            + 27;
        let end = attr + src[attr..].find('"').unwrap();
        let compiled: Vec<&str> = src[attr..end].split(',').collect();
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            compiled,
            kernel.features(),
            "{body} is compiled with other features than {kernel:?} checks"
        );
        for f in compiled {
            assert!(
                src.contains(&format!(
                    "\"{f}\" => std::arch::is_x86_feature_detected!(\"{f}\")"
                )),
                "the run-time check does not know {f}"
            );
        }
        // Available only if every feature is there.
        #[cfg(target_arch = "x86_64")]
        if kernel.available() {
            assert!(
                std::arch::is_x86_feature_detected!("bmi2")
                    && std::arch::is_x86_feature_detected!("avx2")
            );
        }
    }
}

// Mutation testing of the parsers: take the bundled scenario texts and the
// example org chart, apply random edits (byte flips, cut or doubled lines,
// swapped values, inserted junk), and check that parsing answers with a
// value or an error, never a panic. 600 cases each, well under a minute.

const JUNK: &[&str] = &[
    "1e308",
    "-1",
    "nan",
    "inf",
    "\"\"",
    "[",
    "]]",
    "{",
    "=",
    "0",
    "4294967296",
    "\u{0}",
    "é",
    ",",
    "\n",
    "[[events]]",
    "extends = \"x.toml\"",
    "dist = \"pareto\"",
    "-0.0",
    "18446744073709551616",
];

fn mutate(text: &str, ops: &[(u8, usize, usize)]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for &(op, a, b) in ops {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = a % lines.len();
        match op % 6 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = b % lines.len();
                lines.swap(i, j);
            }
            3 => {
                // Replace the value after '=' (or a CSV cell).
                let l = &lines[i];
                let junk = JUNK[b % JUNK.len()];
                lines[i] = match l.find('=') {
                    Some(k) => format!("{}= {junk}", &l[..k]),
                    None => {
                        let mut c: Vec<&str> = l.split(',').collect();
                        let k = b % c.len().max(1);
                        if c.is_empty() {
                            junk.to_string()
                        } else {
                            c[k] = junk;
                            c.join(",")
                        }
                    }
                };
            }
            4 => lines.insert(i, JUNK[b % JUNK.len()].to_string()),
            _ => {
                // Flip a byte, keeping the text UTF-8.
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let k = b % bytes.len();
                    bytes[k] = b"x=,[]{}\"0.#-"[b % 12];
                }
                lines[i] = String::from_utf8_lossy(&bytes).to_string();
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_never_panic(
        which in 0usize..4,
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        let names = ["snow-in-the-sun", "baseline", "march1991-fig1", "snow-in-the-sun-grid"];
        let text = culturesim::scenario::bundled::get(names[which]).unwrap();
        let m = mutate(text, &ops);
        // Small organizations only: the test is about parsing.
        let _ = Scenario::from_str(&m, Source::Bundled(names[which].into()), &["org.employees=50".into(), "duration=\"20w\"".into()]);
        let _ = Scenario::from_str(&m, Source::Bundled(names[which].into()), &[]).map(|s| s.resolved_toml());
    }

    #[test]
    fn mutated_org_charts_never_panic(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..8),
    ) {
        let text = include_str!("../scenarios/example-org.csv");
        let m = mutate(text, &ops);
        let _ = orgchart::read_chart(&m, "example-org.csv");
    }
}

/// What the binary answered to a mutated input: exit 0, or 2 with a message
/// naming `file` (and never a panic, a crash or a silent failure).
fn check_answer(code: i32, msg: &str, file: &str, what: &str) {
    assert!(
        !msg.contains("panicked") && !msg.contains("RUST_BACKTRACE"),
        "{what}: a panic: {msg}"
    );
    match code {
        0 => {}
        2 => assert!(
            msg.contains(file),
            "{what}: exit 2 without naming '{file}': {msg}"
        ),
        _ => panic!("{what}: exit {code} (0 or 2 expected): {msg}"),
    }
}

// The same mutations through the real binary, on files: `validate` answers
// exit 0 or exit 2 with a message naming the file; what validates also
// runs (shortened, no observations or plots needed) to exit 0, or exits 2
// naming the file. 40 cases each, about 15 s in all.
proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenario_files_get_exit_2_naming_the_file(
        which in 0usize..3,
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..5),
    ) {
        let names = ["snow-in-the-sun", "baseline", "march1991-fig1"];
        let text = culturesim::scenario::bundled::get(names[which]).unwrap();
        let d = tempfile::tempdir().unwrap();
        let file = format!("mutant-{}.toml", names[which]);
        std::fs::write(d.path().join(&file), mutate(text, &ops)).unwrap();
        let (code, msg) = run(d.path(), &["validate", &file]);
        check_answer(code, &msg, &file, "validate");
        if code == 0 {
            let (code, msg) = run(
                d.path(),
                &["run", &file, "--steps", "30", "--set", "replicates=1", "--no-plots", "--out", "o", "-q"],
            );
            check_answer(code, &msg, &file, "run");
        }
    }

    #[test]
    fn mutated_org_chart_files_get_exit_2_naming_the_chart(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        let d = tempfile::tempdir().unwrap();
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        std::fs::copy(scenarios.join("consultant-org-chart.toml"), d.path().join("chart.toml")).unwrap();
        let chart = include_str!("../scenarios/example-org.csv");
        std::fs::write(d.path().join("example-org.csv"), mutate(chart, &ops)).unwrap();
        let (code, msg) = run(d.path(), &["validate", "chart.toml"]);
        check_answer(code, &msg, "chart.toml", "validate");
        if msg.contains("org.chart:") {
            assert!(msg.contains("example-org.csv"), "a chart problem without the chart's name: {msg}");
        }
        if code == 0 {
            let (code, msg) = run(
                d.path(),
                &["run", "chart.toml", "--steps", "30", "--set", "replicates=1", "--no-plots", "--out", "o", "-q"],
            );
            check_answer(code, &msg, "chart.toml", "run");
        }
    }
}
