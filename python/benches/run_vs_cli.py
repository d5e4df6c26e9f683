"""`culturesim.run` from Python against `culturesim run` from the shell:
the same scenario, seed and outputs (no figures), timed side by side.

Python is timed inside the process (what a notebook user waits for: the
simulation, the files, and loading the tables as pandas frames); the CLI as
a whole process (start-up included). Each is run REPEATS times in turn and
the median is printed with the min and max.

    python python/benches/run_vs_cli.py [SCENARIO] [REPEATS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import culturesim as cs

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "culturesim"


def main(scenario: str, repeats: int) -> None:
    py, cli = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats + 1):
            t = time.perf_counter()
            cs.run(scenario, out=Path(tmp) / f"py{i}", progress=False)
            py_s = time.perf_counter() - t
            t = time.perf_counter()
            subprocess.run([BIN, "run", scenario, "-q", "--no-plots", "--out", Path(tmp) / f"cli{i}"], check=True)
            cli_s = time.perf_counter() - t
            if i:  # the first pair warms the caches
                py.append(py_s)
                cli.append(cli_s)
    for name, xs in (("culturesim.run (Python, frames loaded)", py), ("culturesim run (CLI process)", cli)):
        print(f"{name:<40} median {statistics.median(xs):.3f} s  (min {min(xs):.3f}, max {max(xs):.3f})")
    ratios = sorted(p / c for p, c in zip(py, cli))
    print(f"Python / CLI, pair by pair: median {statistics.median(ratios):.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "snow-in-the-sun", int(sys.argv[2]) if len(sys.argv) > 2 else 5)
