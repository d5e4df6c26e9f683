"""Shared fixtures: the repository, the command-line binary the Python
results are compared with, and its runner.

The binary is ``target/release/culturesim`` of this checkout (or
``$CULTURESIM_BIN``), built or found up to date by cargo first, so the
comparison is always with the CLI of the same source.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    env = os.environ.get("CULTURESIM_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    # Built (or found up to date) from this checkout's source.
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "culturesim"], cwd=ROOT, check=True)
    return target / "release" / "culturesim"


@pytest.fixture(scope="session")
def cli():
    """Run the culturesim binary from the repository root; returns the
    completed process (check=True: a failure fails the test)."""
    binary = _binary()

    def call(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True, check=check
        )

    return call


#: Manifest fields that say how and where a folder was made, not what it holds.
VOLATILE = ("git_commit", "command_line", "threads", "wall_time_seconds")


def folder_bytes(folder: Path) -> dict:
    """Every file of a folder by relative path, with the manifest's
    volatile fields blanked."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "manifest.json":
            m = json.loads(data)
            for key in VOLATILE:
                m.pop(key, None)
            data = json.dumps(m, sort_keys=True).encode()
        files[str(p.relative_to(folder))] = data
    return files


def assert_same_folder(a: Path, b: Path) -> None:
    fa, fb = folder_bytes(a), folder_bytes(b)
    assert sorted(fa) == sorted(fb), "the folders hold different files"
    for name in fa:
        assert fa[name] == fb[name], f"{name} differs between {a} and {b}"
