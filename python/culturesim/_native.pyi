"""Type stubs of culturesim._native, the extension module (Rust, PyO3).

The public API is :mod:`culturesim`; these are its building blocks. A
scenario is passed as ``(kind, value, name, overrides)``: ``kind`` is
``"path"`` (a file or a bundled name) or ``"text"`` (TOML text named
``name`` in messages); ``overrides`` are ``--set`` arguments. Each command
writes its output folder ``out``.
"""

from os import PathLike
from typing import Callable, List, Optional, Sequence, Tuple, Union

_Path = Union[str, PathLike[str]]
_Progress = Optional[Callable[[int, int, str], object]]

__version__: str

class InputError(ValueError):
    """Bad input (scenario, option or data file); the message names the
    file, line, column, key and rule, as the command line prints it."""

class RunError(RuntimeError):
    """A failure while running (e.g. an output folder that cannot be written)."""

def load(kind: str, value: str, name: str, overrides: Sequence[str]) -> Tuple[str, str, str]:
    """Validate a scenario: ``(name, resolved TOML, resolved as JSON)``."""

def bundled() -> List[str]:
    """The bundled scenarios' names."""

def toml_of_json(json: str) -> str:
    """TOML text of a table given as JSON."""

def run(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    threads: Optional[int] = None, teams_per_replicate: bool = False,
    plots: bool = False, format: str = "csv", progress: _Progress = None,
) -> float:
    """``culturesim run`` into ``out``; returns the wall time in seconds."""

def sweep(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    threads: Optional[int] = None, resume: bool = False,
    shard: Optional[Tuple[int, int]] = None, ci_width: Optional[float] = None,
    ci_metric: Optional[str] = None, max_replicates: int = 0, plots: bool = False,
    format: str = "csv", progress: _Progress = None,
) -> None:
    """``culturesim sweep`` into ``out``."""

def hysteresis(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    param: str, start: float, stop: float, points: int = 11, steps: int = 1040,
    replicates: int = 8, gap: float = 0.1, seed: Optional[int] = None,
    threads: Optional[int] = None, plots: bool = False, progress: _Progress = None,
) -> Optional[Tuple[float, float]]:
    """``culturesim hysteresis`` into ``out``; returns the bistable range."""

def sensitivity(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    method: str = "morris", samples: Optional[int] = None, metric: Optional[str] = None,
    replicates: int = 4, seed: Optional[int] = None, threads: Optional[int] = None,
    plots: bool = False, progress: _Progress = None,
) -> Optional[str]:
    """``culturesim sensitivity`` into ``out``; returns a too-small-sample warning."""

def timing(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    event: str, delays: str = "0,3,6,9,12,15,18,21,24", unit: str = "months",
    tolerance: float = 0.05, replicates: Optional[int] = None, seed: Optional[int] = None,
    threads: Optional[int] = None, plots: bool = False, progress: _Progress = None,
    posterior: Optional[_Path] = None,
) -> str:
    """``culturesim timing`` into ``out``; returns the finding."""

def risk(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    at: Optional[str] = None, years: Optional[float] = None, alignment: float = 0.05,
    top: int = 15, replicates: Optional[int] = None, seed: Optional[int] = None,
    threads: Optional[int] = None, plots: bool = False, progress: _Progress = None,
    posterior: Optional[_Path] = None,
) -> List[str]:
    """``culturesim risk`` into ``out``; returns the findings."""

def warning(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    start: Optional[str] = None, window: str = "3y", rolling: float = 50.0,
    bandwidth: Optional[str] = None, threshold: Optional[float] = None,
    twin: Sequence[str] = (), teams: bool = False, replicates: Optional[int] = None,
    seed: Optional[int] = None, threads: Optional[int] = None, plots: bool = False,
    progress: _Progress = None,
    posterior: Optional[_Path] = None,
) -> List[str]:
    """``culturesim warning`` into ``out``; returns the findings."""

def optimize(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    target: Optional[float] = None, budget: Optional[float] = None,
    population: Optional[int] = None, generations: Optional[int] = None,
    replicates: Optional[int] = None, confirm: Optional[int] = None,
    seed: Optional[int] = None, threads: Optional[int] = None, plots: bool = False,
    progress: _Progress = None,
    posterior: Optional[_Path] = None,
) -> List[str]:
    """``culturesim optimize`` into ``out``; returns the findings."""

def calibrate(
    kind: str, value: str, name: str, overrides: Sequence[str], out: _Path,
    data: _Path, resume: bool = False, particles: Optional[int] = None,
    generations: Optional[int] = None, start: Optional[str] = None,
    seed: Optional[int] = None, threads: Optional[int] = None, progress: _Progress = None,
    prefilter: Optional[str] = None,
) -> Tuple[bool, str]:
    """``culturesim calibrate`` into ``out``; returns (fits, statement)."""
