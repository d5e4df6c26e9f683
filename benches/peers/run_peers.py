#!/usr/bin/env python3
"""culturesim side by side with two peers: the same model in Mesa and in
vectorized numpy (issue 6, "Performance at scale, measured side by side").

    python3 benches/peers/run_peers.py            # everything (about 5-10 minutes)
    python3 benches/peers/run_peers.py --quick    # small sizes, a smoke test

It
1. installs the pinned Python packages with pip if they are missing,
2. builds culturesim (`cargo build --release`; falls back to an existing
   target/release/culturesim if the build fails, e.g. during concurrent work),
3. times culturesim (1 and 2 threads), numpy and Mesa on benches/peers/bench.toml
   at several sizes, 1 replicate each, and prints a throughput table,
4. checks faithfulness: at a moderate size, the mean trajectories of several
   replicates of each peer must stay within a tolerance of culturesim's
   (culture, plus knowledge, engagement and belief as secondary checks),
5. writes benches/peers/results.json.

Exit status: 0 if every peer is faithful, 1 if not, 2 on a setup error.

Timing definitions. culturesim: wall time of the whole process (start-up,
scenario, organization, simulation, writing timeseries.csv etc.), and the
run's own `wall_time_seconds` from manifest.json. Peers: wall time of
organization generation + model construction + all steps inside one Python
process (interpreter start-up and imports excluded). agent-steps per second
= employees x steps / wall seconds. "x culturesim" = culturesim's agent-steps
per second / the peer's (how many times faster culturesim is), against
culturesim with 1 thread and with 2 threads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = HERE / "bench.toml"
BIN = ROOT / "target" / "release" / "culturesim"
PINS = {"numpy": "2.4.6", "mesa": "3.3.1"}
METRICS = ("culture", "knowledge", "engagement", "belief")

# Faithfulness tolerances on the maximum, over the run, of |mean of the peer's
# replicates - mean of culturesim's replicates|, with 16 replicates of 3,000
# employees each. Chosen from measurements (see README.md): two culturesim
# runs that differ only in the master seed (hence in the generated
# organization and in every random stream, as a peer does) differed by at
# most 0.005 (culture), 0.004 (knowledge), 0.010 (engagement) and 0.008
# (belief) over 120 pairs of seeds (median 0.0017, 0.0014, 0.0048, 0.0026).
# The noise is dominated by rare replicates in which leader turnover replaces
# the non-aligned top manager (about 6 % of runs), which end far above the
# rest. The tolerances are about three times those maxima. `culture` (the
# organization's culture stock C) is the primary check; all four must pass.
TOLERANCE = {"culture": 0.015, "knowledge": 0.012, "engagement": 0.03, "belief": 0.025}


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_packages() -> dict:
    """pip-install the pinned versions of what is missing or different."""
    need = []
    for pkg, ver in PINS.items():
        try:
            have = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            have = None
        if have != ver:
            need.append(f"{pkg}=={ver}")
    if need:
        log(f"pip install {' '.join(need)}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *need], check=True)
    return {p: importlib.metadata.version(p) for p in (*PINS, "pandas")}


def build(no_build: bool) -> dict:
    info = {"binary": str(BIN.relative_to(ROOT))}
    if not no_build:
        log("cargo build --release")
        r = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        info["built"] = r.returncode == 0
        if r.returncode != 0:
            if not BIN.exists():
                log("cargo build failed and there is no target/release/culturesim")
                sys.exit(2)
            log("cargo build failed; using the existing target/release/culturesim")
    else:
        info["built"] = False
    if not BIN.exists():
        log("no target/release/culturesim (run without --no-build)")
        sys.exit(2)
    info["version"] = subprocess.run([str(BIN), "--version"], capture_output=True,
                                     text=True).stdout.strip()
    info["git_commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT,
                                        capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "Cargo.toml",
                            "Cargo.lock"], cwd=ROOT, capture_output=True, text=True).stdout
    info["source_tree_modified"] = bool(dirty.strip())
    return info


def run_culturesim(n: int, replicates: int, threads: int, seed: int | None = None,
                   steps: int | None = None):
    """Run culturesim; return (process wall, manifest wall, trajectories
    [replicates][steps+1][4])."""
    import numpy as np

    out = Path(tempfile.mkdtemp(prefix="peers-cs-"))
    cmd = [str(BIN), "run", str(SCENARIO.relative_to(ROOT)), "--set", f"org.employees={n}",
           "--replicates", str(replicates), "--no-plots", "--quiet", "--out", str(out),
           "--threads", str(threads)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if steps is not None:
        cmd += ["--steps", str(steps)]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    wall = time.perf_counter() - t0
    manifest = json.loads((out / "manifest.json").read_text())
    import csv

    rows = {}
    with open(out / "timeseries.csv") as f:
        for r in csv.DictReader(f):
            if r["point"] != "0":
                continue
            rows[(int(r["replicate"]), int(r["step"]))] = [float(r[m]) for m in METRICS]
    shutil.rmtree(out, ignore_errors=True)
    reps = 1 + max(k[0] for k in rows)
    nsteps = 1 + max(k[1] for k in rows)
    traj = np.array([[rows[(r, s)] for s in range(nsteps)] for r in range(reps)])
    return wall, float(manifest["wall_time_seconds"]), traj


def time_peer(module, sc, steps: int):
    """One replicate of a peer; return (wall seconds, seconds of structure,
    construction, steps)."""
    t0 = time.perf_counter()
    org = module.structure(sc)
    t1 = time.perf_counter()
    if module.__name__ == "numpy_model":
        mdl = module.NumpyModel(sc, org, 0)
        t2 = time.perf_counter()
        for s in range(steps):
            mdl.step(s)
    else:
        mdl = module.LearningCultureModel(sc, org, 0)
        t2 = time.perf_counter()
        for _ in range(steps):
            mdl.step()
    t3 = time.perf_counter()
    del mdl
    return t3 - t0, t1 - t0, t2 - t1, t3 - t2


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    ap.add_argument("--no-build", action="store_true", help="use the existing binary")
    ap.add_argument("--sizes", type=str, default="1000,10000,100000,1000000",
                    help="employees for culturesim and numpy")
    ap.add_argument("--mesa-sizes", type=str, default="1000,10000,100000")
    ap.add_argument("--mesa-max-seconds", type=float, default=300.0,
                    help="if the largest Mesa run would take longer, run fewer steps and scale")
    ap.add_argument("--faith-employees", type=int, default=3000)
    ap.add_argument("--faith-replicates", type=int, default=16)
    ap.add_argument("--mesa-faith-replicates", type=int, default=16)
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.mesa_sizes = "1000,10000", "1000,5000"
        args.faith_employees = 2000

    packages = ensure_packages()
    import numpy as np

    sys.path.insert(0, str(HERE))
    import common
    import mesa_model
    import numpy_model

    started = dt.datetime.now(dt.timezone.utc)
    binary = build(args.no_build)
    base = common.load(str(SCENARIO))
    steps = base.steps
    log(f"scenario {SCENARIO.relative_to(ROOT)}: {steps} steps, seed {base.seed}; "
        f"culturesim {binary['version']} ({binary['git_commit'][:10]})")

    # ---- faithfulness ----------------------------------------------------
    n_f, R = args.faith_employees, args.faith_replicates
    log(f"\nFaithfulness: {n_f} employees, {steps} steps; culturesim and numpy {R} replicates, "
        f"Mesa {args.mesa_faith_replicates}")
    _, _, cs = run_culturesim(n_f, R, threads=2)
    _, _, cs_other = run_culturesim(n_f, R, threads=2, seed=base.seed + 1)
    sc_f = common.load(str(SCENARIO), employees=n_f)
    np_traj, _, _ = numpy_model.run(sc_f, R)
    mesa_traj, _, _ = mesa_model.run(sc_f, args.mesa_faith_replicates)
    ref = cs.mean(0)
    faith = {"employees": n_f, "steps": steps, "tolerance": TOLERANCE,
             "replicates": {"culturesim": R, "numpy": R, "mesa": args.mesa_faith_replicates},
             "peers": {}}
    ok = True
    header = f"{'peer':<34}" + "".join(f"{m:>12}" for m in METRICS)
    log(header)
    log(f"{'tolerance':<34}" + "".join(f"{TOLERANCE[m]:>12.3f}" for m in METRICS))
    for name, traj, checked in (("numpy", np_traj, True), ("mesa", mesa_traj, True),
                                (f"culturesim, seed {base.seed + 1} (noise)", cs_other, False)):
        diff = np.abs(traj.mean(0) - ref)
        res = {}
        for i, m in enumerate(METRICS):
            d = diff[:, i]
            res[m] = {"max_abs_diff": float(d.max()), "at_step": int(d.argmax()),
                      "culturesim_mean_at_step": float(ref[d.argmax(), i]),
                      "peer_mean_at_step": float(traj.mean(0)[d.argmax(), i]),
                      "mean_abs_diff": float(d.mean()),
                      "pass": bool(d.max() <= TOLERANCE[m])}
        faithful = all(r["pass"] for r in res.values())
        if checked:
            ok &= faithful
        faith["peers"][name] = {"metrics": res, "faithful": faithful, "checked": checked}
        flag = ("PASS" if faithful else "FAIL") if checked else "(reference)"
        log(f"{name:<34}" + "".join(f"{res[m]['max_abs_diff']:>12.4f}" for m in METRICS)
            + f"  {flag}")
    # a coarse picture of the trajectories
    log("\nmean culture C (culturesim / numpy / Mesa) every 13 weeks:")
    traj_table = []
    for s in range(0, steps + 1, 13):
        row = [float(ref[s, 0]), float(np_traj.mean(0)[s, 0]), float(mesa_traj.mean(0)[s, 0])]
        traj_table.append({"step": s, "culturesim": row[0], "numpy": row[1], "mesa": row[2]})
        log(f"  week {s:>3}: {row[0]:.4f} / {row[1]:.4f} / {row[2]:.4f}")
    faith["culture_every_13_weeks"] = traj_table
    faith["mean_trajectories"] = {
        "culturesim": ref.round(6).tolist(), "numpy": np_traj.mean(0).round(6).tolist(),
        "mesa": mesa_traj.mean(0).round(6).tolist(), "columns": list(METRICS)}

    # ---- timing ----------------------------------------------------------
    sizes = [int(x) for x in args.sizes.split(",")]
    mesa_sizes = [int(x) for x in args.mesa_sizes.split(",")]
    rows = []
    cs_rate = {}
    log(f"\nTiming: {steps} steps, 1 replicate")
    for n in sizes:
        for threads in (1, 2):
            wall, mwall, _ = run_culturesim(n, 1, threads)
            rate = n * steps / wall
            cs_rate[(n, threads)] = rate
            rows.append({"implementation": f"culturesim ({threads} thread{'s' * (threads > 1)})",
                         "employees": n, "steps": steps, "wall_seconds": wall,
                         "manifest_wall_seconds": mwall, "agent_steps_per_second": rate})
            log(f"  culturesim {threads}t {n:>9}: {wall:8.2f} s (manifest {mwall:.3f} s)")
        sc = common.load(str(SCENARIO), employees=n)
        wall, s_org, s_init, s_steps = time_peer(numpy_model, sc, steps)
        rows.append({"implementation": "numpy", "employees": n, "steps": steps,
                     "wall_seconds": wall, "agent_steps_per_second": n * steps / wall,
                     "seconds_structure": s_org, "seconds_init": s_init,
                     "seconds_steps": s_steps})
        log(f"  numpy         {n:>9}: {wall:8.2f} s")
    per_agent_step = None
    for n in mesa_sizes:
        sc = common.load(str(SCENARIO), employees=n)
        run_steps, note = steps, ""
        if per_agent_step is not None:
            estimate = per_agent_step * n * steps
            if estimate > args.mesa_max_seconds:
                run_steps = max(5, int(args.mesa_max_seconds / (per_agent_step * n)))
                note = (f"ran {run_steps} of {steps} steps (estimated {estimate:.0f} s for all); "
                        f"wall_seconds_scaled = structure + init + step time x {steps}/{run_steps}")
        wall, s_org, s_init, s_steps = time_peer(mesa_model, sc, run_steps)
        per_agent_step = s_steps / (n * run_steps)
        scaled = s_org + s_init + s_steps * steps / run_steps
        row = {"implementation": "mesa", "employees": n, "steps": run_steps,
               "wall_seconds": wall, "agent_steps_per_second": n * run_steps / wall,
               "seconds_structure": s_org, "seconds_init": s_init, "seconds_steps": s_steps}
        if note:
            row["note"] = note
            row["wall_seconds_scaled_to_full_run"] = scaled
            row["agent_steps_per_second"] = n * steps / scaled
        rows.append(row)
        log(f"  mesa          {n:>9}: {wall:8.2f} s ({run_steps} steps)")
    for row in rows:
        n = row["employees"]
        for threads in (1, 2):
            c = cs_rate.get((n, threads))
            row[f"x_culturesim_{threads}t"] = (c / row["agent_steps_per_second"]) if c else None

    # ---- table -----------------------------------------------------------
    log("\n| implementation | employees | steps | wall s | agent-steps/s | culturesim(1t)/peer "
        "| culturesim(2t)/peer |")
    log("|---|---:|---:|---:|---:|---:|---:|")
    order = {"culturesim (1 thread)": 0, "culturesim (2 threads)": 1, "numpy": 2, "mesa": 3}
    for row in sorted(rows, key=lambda r: (order[r["implementation"]], r["employees"])):
        x1, x2 = row["x_culturesim_1t"], row["x_culturesim_2t"]
        f = (lambda x: f"{x:.1f}" if x is not None else "-")
        log(f"| {row['implementation']} | {row['employees']:,} | {row['steps']} | "
            f"{row['wall_seconds']:.2f} | {fmt_rate(row['agent_steps_per_second'])} | "
            f"{f(x1)} | {f(x2)} |")

    finished = dt.datetime.now(dt.timezone.utc)
    results = {
        "what": "culturesim vs a Mesa and a numpy implementation of the same model "
                "(benches/peers/run_peers.py)",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": finished.isoformat(timespec="seconds"),
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "steps": steps,
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "note": "2 cores shared with other work while measured; timings are noisy"},
        "packages": packages,
        "culturesim": binary,
        "timing_definitions": {
            "culturesim": "wall time of the process (manifest_wall_seconds: the run's own "
                          "wall_time_seconds, which excludes process start-up)",
            "peers": "organization generation + model construction + steps, in-process",
            "agent_steps_per_second": "employees x steps / wall_seconds",
            "x_culturesim_Nt": "culturesim (N threads) agent-steps/s divided by this row's",
        },
        "timing": rows,
        "faithfulness": faith,
        "all_faithful": ok,
    }
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if not ok:
        log("FAIL: a peer is not faithful to culturesim (see the table above)")
        return 1
    log("all peers faithful")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        log(f"setup error: {e}")
        sys.exit(2)
