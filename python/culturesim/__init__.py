"""culturesim from Python: run, sweep and analyse learning-culture scenarios.

The simulations are culturesim's own (the Rust library the ``culturesim``
command line is built on): the GIL is released while they run, they use
culturesim's worker threads, and the same scenario and seed give the same
numbers as the command line, bit for bit, at any thread count.

Every call writes the command's output folder (``out=``, or a temporary
folder removed after loading) and returns its tables as data frames,
built from Arrow (pyarrow reads the files; no row goes through Python
objects): pandas by default, ``frames="polars"`` or ``frames="arrow"``
on request. JSON files come back as dicts.

>>> import culturesim as cs
>>> r = cs.run("snow-in-the-sun", replicates=4)          # doctest: +SKIP
>>> r.timeseries.groupby("step")["culture"].mean()      # doctest: +SKIP

A scenario is a path, a bundled scenario's name, TOML text, a dict or a
:class:`Scenario`; bad input raises :class:`InputError` (a ``ValueError``)
with the command line's message (file, line, column, key and rule).
"""

from __future__ import annotations

import json
import numbers
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import InputError, RunError

__version__: str = _native.__version__

__all__ = [
    "InputError",
    "RunError",
    "Scenario",
    "Result",
    "bundled",
    "load",
    "run",
    "sweep",
    "sensitivity",
    "hysteresis",
    "timing",
    "risk",
    "warning",
    "optimize",
    "calibrate",
    "__version__",
]

#: What a progress callback receives: units done, units in all, a status.
ProgressCallback = Callable[[int, int, str], Any]
ScenarioLike = Union["Scenario", str, "os.PathLike[str]", Mapping[str, Any]]


def bundled() -> List[str]:
    """The names of the scenarios bundled with culturesim."""
    return list(_native.bundled())


def _literal(value: Any) -> str:
    """A Python value as the TOML literal ``--set`` reads."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):  # float, numpy floats
        v = float(value)
        return "nan" if v != v else ("inf" if v == float("inf") else ("-inf" if v == float("-inf") else repr(v)))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_literal(v)}" for k, v in value.items()) + "}"
    if value is None:
        raise InputError("None has no TOML value: leave the key out")
    raise InputError(f"cannot set a value of type {type(value).__name__}")


def _override(key: str, value: Any = ..., /) -> str:
    if value is ...:
        if "=" not in key:
            raise InputError(f"expected key.path=value or set(key, value), got '{key}'")
        return key
    return f"{key}={_literal(value)}"


class Scenario:
    """A validated scenario, with ``--set``-style overrides.

    Make one with :func:`load` (or :meth:`Scenario.load`). It is immutable:
    :meth:`set` returns a new scenario. ``name`` is its name, ``toml`` the
    resolved scenario (defaults, ``extends`` and overrides applied) and
    :meth:`to_dict` the same as a dict.
    """

    __slots__ = ("_kind", "_value", "_label", "_overrides", "name", "toml", "_json")

    def __init__(self, kind: str, value: str, label: str, overrides: Sequence[str] = ()) -> None:
        self._kind = kind
        self._value = value
        self._label = label
        self._overrides = list(overrides)
        self.name, self.toml, self._json = _native.load(kind, value, label, self._overrides)

    @classmethod
    def load(cls, source: ScenarioLike, *, name: Optional[str] = None) -> "Scenario":
        """A scenario from a path, a bundled name, TOML text or a dict."""
        if isinstance(source, Scenario):
            return source
        if isinstance(source, Mapping):
            text = _native.toml_of_json(json.dumps(source))
            return cls("text", text, name or "<dict>")
        if isinstance(source, os.PathLike):
            return cls("path", os.fspath(source), os.fspath(source))
        if isinstance(source, str):
            if "\n" in source or "=" in source:
                return cls("text", source, name or "<string>")
            return cls("path", source, source)
        raise InputError(
            f"a scenario is a path, a bundled name, TOML text, a dict or a Scenario; got {type(source).__name__}"
        )

    def set(self, key: str, value: Any = ..., /) -> "Scenario":
        """This scenario with one more override: ``set("seed", 7)`` or
        ``set("seed=7")`` (as ``--set``; event ids may name entries:
        ``set("events.shock.at", "6y")``)."""
        return Scenario(self._kind, self._value, self._label, [*self._overrides, _override(key, value)])

    @property
    def overrides(self) -> List[str]:
        """The overrides applied, as ``--set`` arguments."""
        return list(self._overrides)

    def to_dict(self) -> Dict[str, Any]:
        """The resolved scenario as a dict."""
        return json.loads(self._json)

    def __repr__(self) -> str:
        extra = f", overrides={self._overrides!r}" if self._overrides else ""
        return f"Scenario({self.name!r}{extra})"

    def _with(self, **values: Any) -> "Scenario":
        s = self
        for key, value in values.items():
            if value is not None:
                s = s.set(key, value)
        return s

    def _args(self) -> Tuple[str, str, str, List[str]]:
        return self._kind, self._value, self._label, self._overrides


def load(source: ScenarioLike = "snow-in-the-sun", *, name: Optional[str] = None) -> Scenario:
    """A scenario from a path, a bundled name, TOML text or a dict
    (default: the bundled default scenario, snow in the sun)."""
    return Scenario.load(source, name=name)


def _overrides(set: Union[None, Mapping[str, Any], Sequence[str]]) -> List[str]:
    """``{key: value}`` or ``["key=value"]`` as ``--set`` arguments."""
    if not set:
        return []
    if isinstance(set, str):
        set = [set]
    items = set.items() if isinstance(set, Mapping) else [(a, ...) for a in set]
    return [_override(key, value) for key, value in items]


def _scenario(source: Optional[ScenarioLike], set: Union[None, Mapping[str, Any], Sequence[str]], **values: Any) -> Scenario:
    s = load("snow-in-the-sun" if source is None else source)
    for o in _overrides(set):
        s = s.set(o)
    return s._with(**values)


def _path(path: Union[None, str, "os.PathLike[str]"]) -> Optional[str]:
    return None if path is None else os.fspath(path)


def _threads(threads: Optional[int]) -> Optional[int]:
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise InputError(f"threads must be a whole number of at least 1, got {threads!r}")
    return threads


class _Bar:
    """A tqdm bar fed by the library's progress."""

    def __init__(self, unit: str) -> None:
        from tqdm.auto import tqdm  # noqa: PLC0415

        self._bar = tqdm(total=0, unit=f" {unit}", leave=False, dynamic_ncols=True)

    def __call__(self, done: int, total: int, message: str) -> None:
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        if message:
            self._bar.set_postfix_str(message, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def _progress(progress: Union[None, bool, ProgressCallback], unit: str) -> Tuple[Optional[ProgressCallback], Optional[_Bar]]:
    """The callback to pass: the user's, a tqdm bar (when tqdm is
    installed and ``progress`` is None or True), or none."""
    if callable(progress):
        return progress, None
    if progress is False:
        return None, None
    try:
        bar = _Bar(unit)
    except ImportError:
        if progress is True:
            raise InputError("progress=True needs tqdm (pip install tqdm)") from None
        return None, None
    return bar, bar


def _frame(table: Any, frames: str) -> Any:
    try:
        if frames == "pandas":
            return table.to_pandas()
        if frames == "polars":
            import polars  # noqa: PLC0415

            return polars.from_arrow(table)
    except ImportError as e:
        raise InputError(f"frames={frames!r} needs {frames} (pip install {frames}), or use frames='arrow': {e}") from None
    return table


def _read_table(path: Path) -> Any:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # noqa: PLC0415

        return pq.read_table(path)
    import pyarrow.csv as pcsv  # noqa: PLC0415

    return pcsv.read_csv(path)


@dataclass
class Result:
    """What a call produced.

    ``tables`` holds every CSV or Parquet table of the output folder as a
    frame (by file stem: ``"timeseries"``, ``"teams"``, ``"runs"``, ...;
    a table whose stem a JSON file also has, such as summary.csv beside
    summary.json, is ``"<stem>_table"``),
    ``data`` every JSON file as a dict (``"summary"``, ``"manifest"``,
    ...), ``scenario`` the resolved scenario, ``out`` the folder (None when
    it was temporary) and ``files`` what it holds. Attribute access reads
    both: ``r.timeseries`` is ``r.tables["timeseries"]``, ``r.summary`` is
    ``r.data["summary"]``.
    """

    kind: str
    scenario: Dict[str, Any]
    tables: Dict[str, Any] = field(default_factory=dict)
    data: Dict[str, Any] = field(default_factory=dict)
    out: Optional[Path] = None
    files: List[str] = field(default_factory=list)
    info: Dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        for store in ("tables", "data", "info"):
            values = self.__dict__.get(store, {})
            if name in values:
                return values[name]
        raise AttributeError(
            f"{self.kind} result has no '{name}' (tables: {sorted(self.__dict__.get('tables', {}))}, "
            f"data: {sorted(self.__dict__.get('data', {}))}, info: {sorted(self.__dict__.get('info', {}))})"
        )

    def __repr__(self) -> str:
        where = str(self.out) if self.out else "temporary folder (removed)"
        return f"<culturesim {self.kind} of {self.scenario.get('name', '?')!r}: tables {sorted(self.tables)}, {where}>"


def _collect(kind: str, scenario: Scenario, folder: Path, frames: str, keep: bool, info: Dict[str, Any]) -> Result:
    if frames not in ("pandas", "polars", "arrow"):
        raise InputError(f"frames must be 'pandas', 'polars' or 'arrow', got {frames!r}")
    tables: Dict[str, Any] = {}
    data: Dict[str, Any] = {}
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    top = [folder / name for name in files if (folder / name).parent == folder]
    json_stems = {p.stem.replace("-", "_") for p in top if p.suffix == ".json"}
    for p in top:
        stem = p.stem.replace("-", "_")
        if p.suffix in (".csv", ".parquet"):
            # summary.json is `summary`; summary.csv (its flat form) is
            # `summary_table`.
            key = f"{stem}_table" if stem in json_stems else stem
            tables[key] = _frame(_read_table(p), frames)
        elif p.suffix == ".json" and stem != "snapshot":
            data[stem] = json.loads(p.read_text(encoding="utf-8"))
    return Result(kind, scenario.to_dict(), tables, data, folder if keep else None, files, info)


def _call(
    kind: str,
    scenario: Scenario,
    out: Union[None, str, "os.PathLike[str]"],
    frames: str,
    progress: Union[None, bool, ProgressCallback],
    counting: str,
    native: Callable[..., Any],
    **options: Any,
) -> Result:
    """Run ``native`` into ``out`` (or a temporary folder) and collect it."""
    callback, bar = _progress(progress, counting)
    tmp = None
    if out is None:
        tmp = tempfile.mkdtemp(prefix=f"culturesim-{kind}-")
        folder = Path(tmp) / "out"
    else:
        folder = Path(out)
    try:
        value = native(*scenario._args(), folder, progress=callback, **options)
        return _collect(kind, scenario, folder, frames, tmp is None, {"value": value} if value is not None else {})
    finally:
        if bar is not None:
            bar.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run(
    scenario: Optional[ScenarioLike] = None,
    *,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    teams_per_replicate: bool = False,
    plots: bool = False,
    format: str = "csv",
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """Run a scenario (``culturesim run``).

    Returns a :class:`Result` with ``timeseries`` (one row per replicate
    and step), ``teams`` (per team), ``summary`` (dict), ``manifest`` and
    ``scenario`` (the resolved scenario). ``set`` takes overrides as a dict
    (``{"leaders.alignment": 0.8}``) or ``--set`` strings; ``plots=True``
    also draws the figures and report.html (with ``out``);
    ``format="parquet"`` writes the time series and teams as Parquet with
    typed columns (``--format parquet``), read back by pyarrow;
    ``posterior`` (a folder :func:`calibrate` wrote) draws each
    replicate's parameters from its posterior (``--posterior``).
    """
    s = _scenario(scenario, set, replicates=replicates, seed=seed)
    return _call(
        "run", s, out, frames, progress, "steps", _native.run,
        threads=_threads(threads), teams_per_replicate=teams_per_replicate, plots=plots,
        format=format, posterior=None if posterior is None else str(posterior),
    )


def sweep(
    scenario: ScenarioLike,
    *,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    resume: bool = False,
    shard: Optional[Tuple[int, int]] = None,
    ci_width: Optional[float] = None,
    ci_metric: Optional[str] = None,
    max_replicates: int = 0,
    plots: bool = False,
    format: str = "csv",
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """Run a scenario's ``[sweep]`` (``culturesim sweep``): ``runs`` (one
    row per run), ``points`` and ``summary`` (per point), ``timeseries``;
    ``format="parquet"`` writes runs and time series as Parquet;
    ``posterior`` draws each replicate's parameters from a calibration
    (the same draw at every point)."""
    s = _scenario(scenario, set)
    return _call(
        "sweep", s, out, frames, progress, "runs", _native.sweep,
        threads=_threads(threads), resume=resume, shard=shard, ci_width=ci_width,
        ci_metric=ci_metric, max_replicates=max_replicates, plots=plots, format=format,
        posterior=None if posterior is None else str(posterior),
    )


def hysteresis(
    scenario: ScenarioLike,
    param: str,
    start: float,
    stop: float,
    *,
    points: int = 11,
    steps: int = 1040,
    replicates: int = 8,
    gap: float = 0.1,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
) -> Result:
    """Scan ``param`` from ``start`` to ``stop`` from a low and a high start
    (``culturesim hysteresis``); ``info["value"]`` is the bistable range
    or None."""
    s = _scenario(scenario, set)
    return _call(
        "hysteresis", s, out, frames, progress, "runs", _native.hysteresis,
        param=param, start=float(start), stop=float(stop), points=points, steps=steps,
        replicates=replicates, gap=float(gap), seed=seed, threads=_threads(threads), plots=plots,
    )


def sensitivity(
    scenario: ScenarioLike,
    *,
    method: str = "morris",
    samples: Optional[int] = None,
    metric: Optional[str] = None,
    replicates: int = 4,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
) -> Result:
    """Morris or Sobol sensitivity of a metric to the scenario's
    ``[sensitivity]`` factors (``culturesim sensitivity``)."""
    s = _scenario(scenario, set)
    return _call(
        "sensitivity", s, out, frames, progress, "evaluations", _native.sensitivity,
        method=method, samples=samples, metric=metric, replicates=replicates, seed=seed,
        threads=_threads(threads), plots=plots,
    )


def timing(
    scenario: ScenarioLike,
    event: str,
    *,
    delays: Union[str, Sequence[float]] = "0,3,6,9,12,15,18,21,24",
    unit: str = "months",
    tolerance: float = 0.05,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """When to act: the remedy ``event`` after each delay, against never
    and against no harm (``culturesim timing``); ``info["value"]`` is the
    finding."""
    if not isinstance(delays, str):
        delays = ",".join(repr(d) for d in delays)
    s = _scenario(scenario, set)
    return _call(
        "timing", s, out, frames, progress, "steps", _native.timing,
        event=event, delays=delays, unit=unit, tolerance=float(tolerance), replicates=replicates,
        seed=seed, threads=_threads(threads), plots=plots, posterior=_path(posterior),
    )


def risk(
    scenario: ScenarioLike,
    *,
    at: Optional[str] = None,
    years: Optional[float] = None,
    alignment: float = 0.05,
    top: int = 15,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """Which seats matter: each leader seat replaced by a non-aligned
    leader, ranked by the culture lost (``culturesim risk``).
    ``posterior`` as for :func:`timing`."""
    s = _scenario(scenario, set)
    return _call(
        "risk", s, out, frames, progress, "steps", _native.risk,
        at=at, years=years, alignment=float(alignment), top=top, replicates=replicates,
        seed=seed, threads=_threads(threads), plots=plots, posterior=_path(posterior),
    )


def warning(
    scenario: ScenarioLike,
    *,
    start: Optional[str] = None,
    window: str = "3y",
    rolling: float = 50.0,
    bandwidth: Optional[str] = None,
    threshold: Optional[float] = None,
    twin: Union[None, Mapping[str, Any], Sequence[str]] = None,
    teams: bool = False,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """Early warning of a tipping point: rolling variance and lag-1
    autocorrelation before each run's and team's tip, with Kendall's tau,
    and the margin to the mean field's bistable window (``culturesim
    warning``). ``start`` is the CLI's ``--from``; ``twin`` its
    ``--twin-set`` overrides (the knock-out twin). ``posterior`` as for
    :func:`timing`."""
    s = _scenario(scenario, set)
    return _call(
        "warning", s, out, frames, progress, "steps", _native.warning,
        start=start, window=window, rolling=float(rolling), bandwidth=bandwidth,
        threshold=threshold, twin=_overrides(twin), teams=teams, replicates=replicates,
        seed=seed, threads=_threads(threads), plots=plots, posterior=_path(posterior),
    )


def optimize(
    scenario: ScenarioLike,
    *,
    target: Optional[float] = None,
    budget: Optional[float] = None,
    population: Optional[int] = None,
    generations: Optional[int] = None,
    replicates: Optional[int] = None,
    confirm: Optional[int] = None,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    plots: bool = False,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
    posterior: Union[None, str, "os.PathLike[str]"] = None,
) -> Result:
    """Which programmes pay off: NSGA-II over the scenario's programme
    portfolio (or its ``[optimize]`` keys) for the Pareto front of cost
    and the chance of ending in the high-culture basin, every portfolio on
    the same seeds, and the minimum effective dose re-run on fresh seeds
    (``culturesim optimize``). ``tables["portfolios"]`` and
    ``tables["front"]`` are frames; ``data["optimize"]`` the summary.
    ``posterior`` as for :func:`timing`."""
    s = _scenario(scenario, set)
    return _call(
        "optimize", s, out, frames, progress, "runs", _native.optimize,
        target=target, budget=budget, population=population, generations=generations,
        replicates=replicates, confirm=confirm, seed=seed, threads=_threads(threads), plots=plots,
        posterior=_path(posterior),
    )


def calibrate(
    scenario: ScenarioLike,
    data: Union[str, "os.PathLike[str]", Any],
    *,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    start: Optional[str] = None,
    prefilter: Optional[str] = None,
    resume: bool = False,
    seed: Optional[int] = None,
    set: Union[None, Mapping[str, Any], Sequence[str]] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    threads: Optional[int] = None,
    frames: str = "pandas",
    progress: Union[None, bool, ProgressCallback] = None,
) -> Result:
    """Fit the scenario's ``[calibrate]`` parameters to survey waves
    (``data``: a CSV file, or a pandas or polars frame with its columns)
    by ABC-SMC (``culturesim calibrate``); ``prefilter="mean-field"``
    screens proposals by mean-field history matching first
    (``--prefilter``); ``info["value"]`` is ``(fits, statement)``."""
    s = _scenario(scenario, set)
    with tempfile.TemporaryDirectory(prefix="culturesim-data-") as tmp:
        if hasattr(data, "to_csv") or hasattr(data, "write_csv"):
            # A data frame of observations (pandas or polars), as its CSV.
            path = Path(tmp) / "observations.csv"
            if hasattr(data, "write_csv"):
                data.write_csv(path)
            else:
                data.to_csv(path, index=False)
            data = path
        return _call(
            "calibrate", s, out, frames, progress, "particles", _native.calibrate,
            data=os.fspath(data), resume=resume, particles=particles, generations=generations,
            start=start, seed=seed, threads=_threads(threads), prefilter=prefilter,
        )
