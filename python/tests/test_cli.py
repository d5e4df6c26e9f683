"""Python and the command line write the same bytes and give the same
numbers, command by command (the manifest's record of how the folder was
made aside: command line, commit, threads, wall time)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import culturesim as cs
from conftest import assert_same_folder

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["replicates=3", "org.employees=120"]


def sets(overrides):
    return [a for o in overrides for a in ("--set", o)]


def test_run_writes_the_bytes_the_cli_writes_and_returns_its_values(cli, tmp_path):
    cli("run", "snow-in-the-sun", "--no-plots", "-q", "--seed", "11", *sets(SMALL), "--out", tmp_path / "cli")
    r = cs.run("snow-in-the-sun", seed=11, set=SMALL, out=tmp_path / "py", progress=False)
    assert_same_folder(tmp_path / "cli", tmp_path / "py")
    pd.testing.assert_frame_equal(r.timeseries, pd.read_csv(tmp_path / "cli" / "timeseries.csv"))
    pd.testing.assert_frame_equal(r.teams, pd.read_csv(tmp_path / "cli" / "teams.csv"))
    assert r.summary == json.loads((tmp_path / "cli" / "summary.json").read_text())


def test_a_run_with_figures_is_the_cli_folder_figures_and_report_included(cli, tmp_path):
    cli("run", "snow-in-the-sun", "-q", *sets(SMALL), "--out", tmp_path / "cli")
    cs.run("snow-in-the-sun", set=SMALL, plots=True, out=tmp_path / "py", progress=False)
    # report.html quotes the manifest (and so its command line): compare
    # it without its provenance section.
    for d in ("cli", "py"):
        page = tmp_path / d / "report.html"
        html = page.read_text()
        start = html.index('<section id="provenance">')
        end = html.index("</section>", start)
        page.write_text(html[:start] + html[end:])
    assert_same_folder(tmp_path / "cli", tmp_path / "py")


def test_march_runs_match_the_cli_too(cli, tmp_path):
    cli("run", "march1991-fig1", "--no-plots", "-q", "--replicates", "4", "--out", tmp_path / "cli")
    cs.run("march1991-fig1", replicates=4, out=tmp_path / "py", progress=False)
    assert_same_folder(tmp_path / "cli", tmp_path / "py")


def test_a_sweep_matches_the_cli_and_groups_in_pandas(cli, tmp_path):
    over = ["replicates=2", "org.employees=80"]
    cli("sweep", "snow-in-the-sun-grid", "-q", *sets(over), "--out", tmp_path / "cli")
    r = cs.sweep("snow-in-the-sun-grid", set=over, out=tmp_path / "py", progress=False)
    # The sweep's figures are the CLI's; the data files must match.
    names = sorted(p.name for p in (tmp_path / "cli").iterdir() if p.suffix == ".csv")
    assert "runs.csv" in names
    for f in names:
        assert (tmp_path / "cli" / f).read_bytes() == (tmp_path / "py" / f).read_bytes(), f
    assert len(r.runs) == 25 * 2
    by_point = r.runs.groupby("point")["culture"].mean()
    assert len(by_point) == 25 and by_point.between(0, 1).all()


def test_every_decision_command_matches_the_cli(cli, tmp_path):
    calls = [
        (["hysteresis", "baseline", "--param", "leaders.alignment", "--from", "0.2", "--to", "0.8", "--points", "3", "--steps", "104", "--replicates", "2"],
         lambda out: cs.hysteresis("baseline", "leaders.alignment", 0.2, 0.8, points=3, steps=104, replicates=2, out=out, progress=False),
         ["hysteresis.csv"]),
        (["sensitivity", "snow-in-the-sun-levers", "--samples", "3", "--replicates", "1", "--set", "org.employees=60"],
         lambda out: cs.sensitivity("snow-in-the-sun-levers", samples=3, replicates=1, set=["org.employees=60"], out=out, progress=False),
         None),
        (["timing", "snow-in-the-sun", "--event", "shock", "--delays", "0,12", "--replicates", "4", "--set", "org.employees=80"],
         lambda out: cs.timing("snow-in-the-sun", "shock", delays=[0, 12], replicates=4, set=["org.employees=80"], out=out, progress=False),
         ["timing.csv", "timing-runs.csv", "timing.json", "scenario.toml"]),
        (["risk", "snow-in-the-sun", "--replicates", "2", "--years", "1", "--set", "org.employees=80"],
         lambda out: cs.risk("snow-in-the-sun", replicates=2, years=1, set=["org.employees=80"], out=out, progress=False),
         ["seats.csv", "stress.csv", "risk.json", "scenario.toml"]),
        (["warning", "slow-erosion", "--replicates", "3", "--set", "org.employees=80", "--twin-set", "events.6.enabled=false"],
         lambda out: cs.warning("slow-erosion", replicates=3, set={"org.employees": 80}, twin={"events.6.enabled": False}, out=out, progress=False),
         ["warning.csv", "warning-series.csv", "warning-sensitivity.csv", "warning.json", "scenario.toml"]),
        (["optimize", "consultant-org-chart", "--population", "6", "--generations", "1", "--replicates", "3", "--confirm", "6"],
         lambda out: cs.optimize("consultant-org-chart", population=6, generations=1, replicates=3, confirm=6, out=out, progress=False),
         ["portfolios.csv", "front.csv", "optimize.json", "scenario.toml"]),
    ]
    for i, (args, call, files) in enumerate(calls):
        a, b = tmp_path / f"cli{i}", tmp_path / f"py{i}"
        cli(*args, "-q", "--out", a)
        r = call(b)
        names = files or sorted(p.name for p in b.iterdir() if p.suffix in (".csv", ".json"))
        assert names, args[0]
        for f in names:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f"{args[0]}: {f}"
        assert r.tables, f"{args[0]} returned no table"


def test_calibrate_matches_the_cli(cli, tmp_path):
    scenario = ROOT / "tests" / "fixtures" / "calibrate" / "small.toml"
    truth = tmp_path / "truth"
    cli("run", scenario, "--no-plots", "-q", "--seed", "99", "--set", "leaders.alignment=0.6", "--out", truth)
    over = ["calibrate.particles=20", "calibrate.generations=1"]
    cli("calibrate", scenario, "-q", "--data", truth / "survey.csv", *sets(over), "--out", tmp_path / "cli")
    r = cs.calibrate(scenario, truth / "survey.csv", set=over, out=tmp_path / "py", progress=False)
    fits, statement = r.value
    assert isinstance(fits, bool) and statement
    names = sorted(p.name for p in (tmp_path / "cli").iterdir() if p.suffix in (".csv", ".json"))
    assert "summary.json" in names
    for f in names:
        if f == "manifest.json":
            continue
        assert (tmp_path / "cli" / f).read_bytes() == (tmp_path / "py" / f).read_bytes(), f
    # The observations as a data frame: the same calibration.
    frame = pd.read_csv(truth / "survey.csv")
    again = cs.calibrate(scenario, frame, set=over, progress=False)
    pd.testing.assert_frame_equal(again.posterior, r.posterior)
    # Runs that draw their parameters from the posterior: the CLI's bytes.
    post = tmp_path / "cli"
    cli("run", scenario, "--no-plots", "-q", "--replicates", "6", "--posterior", post, "--out", tmp_path / "run-cli")
    p = cs.run(scenario, replicates=6, posterior=post, out=tmp_path / "run-py", progress=False)
    assert_same_folder(tmp_path / "run-cli", tmp_path / "run-py")
    assert len(p.manifest["posterior"]["particle_of_replicate"]) == 6
    # A decision command carrying the posterior: the CLI's bytes.
    cli("risk", scenario, "-q", "--replicates", "2", "--years", "1", "--posterior", post, "--out", tmp_path / "risk-cli")
    cs.risk(scenario, replicates=2, years=1, posterior=post, out=tmp_path / "risk-py", progress=False)
    for f in ["seats.csv", "risk.json"]:
        assert (tmp_path / "risk-cli" / f).read_bytes() == (tmp_path / "risk-py" / f).read_bytes(), f
    plain = tmp_path / "risk-plain"
    cs.risk(scenario, replicates=2, years=1, out=plain, progress=False)
    assert (plain / "seats.csv").read_bytes() != (tmp_path / "risk-py" / "seats.csv").read_bytes()
    # The mean-field pre-filter: the CLI's bytes, and its screen.json.
    cli("calibrate", scenario, "-q", "--data", truth / "survey.csv", *sets(over), "--prefilter", "mean-field", "--out", tmp_path / "mf-cli")
    cs.calibrate(scenario, truth / "survey.csv", set=over, prefilter="mean-field", out=tmp_path / "mf-py", progress=False)
    for f in ["posterior.csv", "generations.csv", "screen.json"]:
        assert (tmp_path / "mf-cli" / f).read_bytes() == (tmp_path / "mf-py" / f).read_bytes(), f


def test_parquet_tables_are_the_cli_bytes_and_the_csv_values(cli, tmp_path):
    cli("run", "snow-in-the-sun", "--no-plots", "-q", "--format", "parquet", *sets(SMALL), "--out", tmp_path / "cli")
    pq = cs.run("snow-in-the-sun", set=SMALL, format="parquet", out=tmp_path / "py", progress=False)
    assert_same_folder(tmp_path / "cli", tmp_path / "py")
    assert "timeseries.parquet" in pq.files and "timeseries.csv" not in pq.files
    csv = cs.run("snow-in-the-sun", set=SMALL, progress=False)
    # Typed columns (whole numbers as integers), the same values as the CSV.
    assert str(pq.timeseries["step"].dtype).startswith("uint")
    for col in csv.timeseries.columns:
        assert (pq.timeseries[col].astype("float64").fillna(-1.0) == csv.timeseries[col].astype("float64").fillna(-1.0)).all(), col
    with pytest.raises(cs.InputError, match="csv or parquet"):
        cs.run("snow-in-the-sun", set=SMALL, format="xlsx", progress=False)


def test_a_parquet_sweep_matches_the_cli(cli, tmp_path):
    over = ["replicates=2", "org.employees=60"]
    cli("sweep", "snow-in-the-sun-grid", "-q", "--format", "parquet", *sets(over), "--out", tmp_path / "cli")
    r = cs.sweep("snow-in-the-sun-grid", set=over, format="parquet", out=tmp_path / "py", progress=False)
    assert (tmp_path / "cli" / "runs.parquet").read_bytes() == (tmp_path / "py" / "runs.parquet").read_bytes()
    assert len(r.runs) == 50
