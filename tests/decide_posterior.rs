//! The decision commands (`timing`, `risk`, `warning`, `optimize`) with
//! `--posterior DIR` on the real binary, with posteriors written by hand
//! (calibration.json names the keys, posterior.csv holds the particles:
//! what `culturesim calibrate` writes, without the calibration):
//! - the knock-out twin: a posterior of one particle is exactly `--set` of
//!   its values, byte for byte in every data file (the study's JSON only
//!   adds the record of the posterior);
//! - a posterior of several distinct particles changes every study's
//!   results (the parameter uncertainty is carried), and the branches stay
//!   paired on their draws: timing's no-harm branch is `run --posterior`
//!   of the same scenario without the harm, run by run;
//! - a key both in the posterior and set by `--set`, `--twin-set` or a
//!   decision variable is refused (exit 2, a message naming it), and so is
//!   a folder that is not a calibration's.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

/// The two parameters of the posteriors here.
const KEYS: [&str; 2] = ["turnover.base", "culture.coupling"];

/// The one particle of the knock-out twin, as `--set` takes it.
const SETS: [&str; 4] = [
    "--set",
    "turnover.base=0.12",
    "--set",
    "culture.coupling=0.3",
];

/// A posterior folder `dir/name` of `keys` with `rows` (weight, values).
fn posterior(dir: &Path, name: &str, keys: &[&str], rows: &[(f64, &[f64])]) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    let meta = serde_json::json!({"keys": keys, "params": keys, "scenario": "test"});
    std::fs::write(d.join("calibration.json"), meta.to_string()).unwrap();
    let mut csv = format!("particle,weight,distance,{}\n", keys.join(","));
    for (i, (w, v)) in rows.iter().enumerate() {
        let v: Vec<String> = v.iter().map(f64::to_string).collect();
        csv.push_str(&format!("{i},{w},0,{}\n", v.join(",")));
    }
    std::fs::write(d.join("posterior.csv"), csv).unwrap();
    d
}

/// The one-particle posterior (the values of [`SETS`]) and one of four
/// distinct particles.
fn posteriors(dir: &Path) -> (PathBuf, PathBuf) {
    let one = posterior(dir, "one", &KEYS, &[(1.0, &[0.12, 0.3])]);
    let many = posterior(
        dir,
        "many",
        &KEYS,
        &[
            (0.25, &[0.05, 0.1]),
            (0.25, &[0.25, 0.6]),
            (0.25, &[0.12, 0.3]),
            (0.25, &[0.3, 0.05]),
        ],
    );
    (one, many)
}

/// A small, quick call of each decision command: (command, its data
/// files, its JSON file, the arguments before `--out`).
fn commands() -> Vec<(&'static str, Vec<&'static str>, &'static str, Vec<String>)> {
    let small = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let stated = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/optimize/stated.toml")
        .to_string_lossy()
        .into_owned();
    vec![
        (
            "timing",
            vec!["timing.csv", "timing-runs.csv"],
            "timing.json",
            small(&[
                "timing",
                "snow-in-the-sun",
                "--event",
                "shock",
                "--delays",
                "0,12",
                "--set",
                "org.employees=60",
                "--replicates",
                "6",
            ]),
        ),
        (
            "risk",
            vec!["seats.csv", "stress.csv"],
            "risk.json",
            small(&[
                "risk",
                "snow-in-the-sun",
                "--years",
                "1",
                "--set",
                "org.employees=60",
                "--replicates",
                "6",
            ]),
        ),
        (
            "warning",
            vec![
                "warning.csv",
                "warning-series.csv",
                "warning-sensitivity.csv",
            ],
            "warning.json",
            small(&[
                "warning",
                "slow-erosion",
                "--twin-set",
                "events.6.enabled=false",
                "--set",
                "org.employees=80",
                "--replicates",
                "6",
            ]),
        ),
        (
            "optimize",
            vec!["portfolios.csv", "front.csv"],
            "optimize.json",
            [
                small(&["optimize"]),
                vec![stated],
                small(&[
                    "--population",
                    "4",
                    "--generations",
                    "1",
                    "--replicates",
                    "6",
                    "--confirm",
                    "6",
                ]),
            ]
            .concat(),
        ),
    ]
}

fn study(args: &[String], out: &Path, extra: &[&str]) {
    bin()
        .args(args)
        .args(["--quiet", "--threads", "2", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_one_point_posterior_is_exactly_a_set_in_every_decision_command() {
    let d = tempfile::tempdir().unwrap();
    let (one, _) = posteriors(d.path());
    for (name, files, json_file, args) in commands() {
        let (post, set) = (
            d.path().join(format!("{name}-post")),
            d.path().join(format!("{name}-set")),
        );
        study(&args, &post, &["--posterior", one.to_str().unwrap()]);
        study(&args, &set, &SETS);
        for f in files {
            let a = std::fs::read(post.join(f)).unwrap();
            assert!(a.len() > 100, "{name}: {f}");
            assert!(
                a == std::fs::read(set.join(f)).unwrap(),
                "{name}: {f} differs between --posterior (one particle) and --set"
            );
        }
        let (mut p, s) = (json(&post.join(json_file)), json(&set.join(json_file)));
        let record = p.as_object_mut().unwrap().remove("posterior").unwrap();
        assert_eq!(p, s, "{name}: {json_file}, but for the posterior's record");
        assert!(
            s.get("posterior").is_none(),
            "{name}: no record without one"
        );
        assert_eq!(record["from"], one.to_str().unwrap(), "{name}");
        assert_eq!(record["keys"], serde_json::json!(KEYS), "{name}");
        let picks = record["particle_of_replicate"].as_array().unwrap();
        assert_eq!(picks.len(), 6, "{name}: one draw per replicate");
        assert!(picks.iter().all(|p| p == 0), "{name}");
    }
}

#[test]
fn several_particles_carry_their_uncertainty_into_every_decision_and_stay_paired() {
    let d = tempfile::tempdir().unwrap();
    let (one, many) = posteriors(d.path());
    for (name, files, json_file, args) in commands() {
        let (a, b) = (
            d.path().join(format!("{name}-one")),
            d.path().join(format!("{name}-many")),
        );
        study(&args, &a, &["--posterior", one.to_str().unwrap()]);
        study(&args, &b, &["--posterior", many.to_str().unwrap()]);
        let picks = json(&b.join(json_file))["posterior"]["particle_of_replicate"].clone();
        let mut distinct: Vec<u64> = picks
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap())
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() >= 2, "{name}: draws {picks}");
        // The first data file holds the study's results.
        assert!(
            std::fs::read(a.join(files[0])).unwrap() != std::fs::read(b.join(files[0])).unwrap(),
            "{name}: {} is the same with one particle and with four",
            files[0]
        );
    }
    // Paired on the draws: timing's no-harm branch is `run --posterior` of
    // the scenario without the shock and the return, run by run.
    let plain = d.path().join("plain");
    bin()
        .args(["run", "snow-in-the-sun", "--quiet", "--no-plots"])
        .args(["--set", "org.employees=60", "--replicates", "6"])
        .args(["--set", "events.4.enabled=false"])
        .args(["--set", "events.5.enabled=false"])
        .arg("--posterior")
        .arg(&many)
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    let rows = |p: &Path| -> Vec<Vec<String>> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    };
    let finals: Vec<String> = rows(&plain.join("timeseries.csv"))
        .into_iter()
        .filter(|r| r[2] == "522")
        .map(|r| r[4].clone())
        .collect();
    let no_harm: Vec<String> = rows(&d.path().join("timing-many/timing-runs.csv"))
        .into_iter()
        .filter(|r| r[1] == "no_harm")
        .map(|r| r[3].clone())
        .collect();
    assert_eq!(finals.len(), 6);
    assert_eq!(finals, no_harm);
    let run_picks =
        json(&plain.join("manifest.json"))["posterior"]["particle_of_replicate"].clone();
    let timing_picks =
        json(&d.path().join("timing-many/timing.json"))["posterior"]["particle_of_replicate"]
            .clone();
    assert_eq!(run_picks, timing_picks);
}

#[test]
fn a_key_set_twice_and_a_folder_that_is_no_calibration_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let (one, _) = posteriors(d.path());
    let one = one.to_str().unwrap();
    let refused = |args: &[String], extra: &[&str], wants: &[&str]| {
        let out = d.path().join("refused");
        let a = bin()
            .args(args)
            .args(["--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
            .code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for w in wants {
            assert!(e.contains(w), "'{w}' not in: {e}");
        }
        assert!(!out.exists(), "nothing written: {args:?} {extra:?}");
    };
    let both = [
        "turnover.base: is a parameter of the posterior in '",
        "and 'turnover.base=0.2' sets it too; drop one of them",
    ];
    let cmds = commands();
    for (name, _, _, args) in &cmds {
        refused(
            args,
            &["--posterior", one, "--set", "turnover.base=0.2"],
            &both,
        );
        refused(
            args,
            &["--posterior", "no-such-folder"],
            &["--posterior 'no-such-folder': cannot read"],
        );
        if *name == "warning" {
            // The twin's overrides are checked as well.
            refused(
                args,
                &["--posterior", one, "--twin-set", "turnover.base=0.2"],
                &[&["--twin-set: "][..], &both[..]].concat(),
            );
        }
    }
    // A decision variable the posterior draws.
    let reach = posterior(
        d.path(),
        "reach",
        &["events.practice.reach"],
        &[(1.0, &[0.7])],
    );
    let optimize = &cmds.iter().find(|c| c.0 == "optimize").unwrap().3;
    refused(
        optimize,
        &["--posterior", reach.to_str().unwrap()],
        &[
            "decision variable events.practice.reach is a parameter of the posterior in '",
            "drop it from [optimize.variables], or drop --posterior",
        ],
    );
}
