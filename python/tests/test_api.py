"""The Python API: scenarios from every kind of source, overrides, results,
frame types, progress, the GIL, and errors with the command line's
messages."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyarrow as pa
import pytest

import culturesim as cs

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"replicates": 2, "org.employees": 100}


def test_scenarios_load_from_a_path_a_name_a_string_and_a_dict():
    by_name = cs.load("snow-in-the-sun")
    by_path = cs.load(ROOT / "scenarios" / "snow-in-the-sun.toml")
    text = (ROOT / "scenarios" / "baseline.toml").read_text()
    by_text = cs.load(text)
    assert by_name.name == by_path.name == "snow-in-the-sun"
    assert by_name.to_dict() == by_path.to_dict()
    assert by_text.name == "baseline" and by_text.to_dict() == cs.load("baseline").to_dict()
    d = cs.load("baseline").to_dict()
    assert cs.load(d).to_dict() == d, "a resolved scenario as a dict loads back to itself"
    assert "snow-in-the-sun" in cs.bundled() and "march1991-fig1" in cs.bundled()


def test_set_takes_python_values_and_set_strings_alike():
    s = cs.load("snow-in-the-sun")
    a = s.set("leaders.alignment", 0.8).set("duration", "9y")
    b = s.set("leaders.alignment=0.8").set('duration="9y"')
    assert a.to_dict() == b.to_dict()
    assert a.to_dict()["leaders"]["alignment"] == 0.8
    assert s.to_dict()["leaders"]["alignment"] != 0.8, "set returns a new scenario"
    assert a.overrides == ["leaders.alignment=0.8", 'duration="9y"']
    # Event ids name entries, as with --set.
    assert s.set("events.shock.alignment", 0.1).to_dict()["events"][4]["alignment"] == 0.1


def test_run_returns_frames_a_summary_dict_and_the_resolved_scenario():
    r = cs.run("snow-in-the-sun", set=SMALL, progress=False)
    ts = r.timeseries
    assert list(ts.columns[:4]) == ["point", "replicate", "step", "year"]
    assert sorted(ts["replicate"].unique()) == [0, 1]
    assert ts["step"].max() == 522, "ten years of weekly steps"
    assert ts["culture"].between(0, 1).all()
    assert isinstance(r.summary, dict) and "metrics" in r.summary or "scope" in r.summary
    assert r.scenario["replicates"] == 2 and r.scenario["org"]["employees"] == 100
    assert len(r.teams) > 0
    assert r.out is None, "the temporary folder is gone"
    assert "timeseries.csv" in r.files and "summary.json" in r.files
    with pytest.raises(AttributeError, match="has no 'nope'"):
        _ = r.nope


def test_frames_come_as_pandas_polars_or_arrow_with_the_same_values():
    pd_ts = cs.run("snow-in-the-sun", set=SMALL, progress=False).timeseries
    pl_ts = cs.run("snow-in-the-sun", set=SMALL, progress=False, frames="polars").timeseries
    pa_ts = cs.run("snow-in-the-sun", set=SMALL, progress=False, frames="arrow").timeseries
    import polars as pl

    assert isinstance(pl_ts, pl.DataFrame) and isinstance(pa_ts, pa.Table)
    assert pl_ts["culture"].to_list() == pd_ts["culture"].tolist() == pa_ts["culture"].to_pylist()
    with pytest.raises(cs.InputError, match="frames must be"):
        cs.run("snow-in-the-sun", set=SMALL, progress=False, frames="excel")


def test_the_same_seed_gives_the_same_frames_at_any_thread_count(tmp_path):
    one = cs.run("snow-in-the-sun", set=SMALL, threads=1, progress=False, out=tmp_path / "1")
    two = cs.run("snow-in-the-sun", set=SMALL, threads=2, progress=False, out=tmp_path / "2")
    assert one.timeseries.equals(two.timeseries) and one.teams.equals(two.teams)
    assert (tmp_path / "1" / "timeseries.csv").read_bytes() == (tmp_path / "2" / "timeseries.csv").read_bytes()
    other = cs.run("snow-in-the-sun", set=SMALL, seed=1, progress=False)
    assert not other.timeseries.equals(one.timeseries), "another seed, other runs"


def test_a_progress_callback_sees_the_work_to_its_end():
    seen = []
    cs.run("snow-in-the-sun", set=SMALL, progress=lambda done, total, msg: seen.append((done, total)))
    assert seen, "the callback was called"
    done, total = seen[-1]
    assert total > 0 and done == total
    assert all(d <= t for d, t in seen)


def test_without_a_callback_a_tqdm_bar_shows_the_steps(capsys):
    if not os.environ.get("CI"):
        pytest.importorskip("tqdm")
    cs.run("snow-in-the-sun", set=SMALL)
    err = capsys.readouterr().err
    assert " steps" in err and "100%" in err, err[-500:]
    cs.run("snow-in-the-sun", set=SMALL, progress=False)
    assert capsys.readouterr().err == "", "progress=False is silent"


def test_the_gil_is_released_while_simulating():
    # If the run held the GIL, this thread could not count while it runs.
    t = threading.Thread(target=cs.run, args=("snow-in-the-sun",), kwargs={"set": {"replicates": 4}, "progress": False})
    counted = 0
    t.start()
    while t.is_alive():
        counted += 1
    t.join()
    assert counted > 1000, f"the main thread counted only {counted} while the run ran"


def test_validation_errors_carry_the_command_line_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 2\nname = "bad"\nduration = "1y"\n\n[leaders]\nalignment = 1.5\n')
    with pytest.raises(cs.InputError) as e:
        cs.load(bad)
    msg = str(e.value)
    assert f"{bad}:6:13: leaders.alignment" in msg and "[0, 1]" in msg, msg
    assert isinstance(e.value, ValueError)
    with pytest.raises(cs.InputError, match="snow-in-the-son"):
        cs.load("snow-in-the-son")
    with pytest.raises(cs.InputError, match="expected one of `alignment`"):
        cs.load("snow-in-the-sun").set("leaders.alignmnt", 0.5)
    with pytest.raises(cs.InputError, match="threads must be"):
        cs.run("snow-in-the-sun", set=SMALL, threads=0)
    with pytest.raises(cs.InputError, match="None has no TOML value"):
        cs.load("snow-in-the-sun").set("seed", None)
    with pytest.raises(cs.InputError, match="<string>"):
        cs.load('format = 2\nname = "x"\nreplicates = -1\n')


def test_an_unwritable_output_folder_is_a_run_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises((cs.RunError, cs.InputError)) as e:
        cs.run("snow-in-the-sun", set=SMALL, out=blocker / "out", progress=False)
    assert str(blocker) in str(e.value)
