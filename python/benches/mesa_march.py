"""March (1991) in Mesa against culturesim from Python: the same model,
the same cell, timed side by side (a benchmark, not a test).

The Mesa peer is written the way a Mesa user would write it (agents with
NumPy belief vectors, the model's step calling them), following the
"replication" reading culturesim implements (docs/MODEL-march1991.md):
each period individuals act (a fair coin where a belief is 0), the
superior group is those who outperform the code, individuals are
socialized toward the code one step at a time with probability p1 per
dimension, and the code takes the superior group's majority with
probability 1 - (1 - p2)^k. A run stops at equilibrium. Both sides run
Figure 1's cell p1 = p2 = 0.5 (m = 30, n = 50); the mean equilibrium code
knowledge is printed for each with a 95% interval, to show it is the same
model before comparing speed.

    python python/benches/mesa_march.py [RUNS]
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import mesa
import numpy as np

import culturesim as cs

M, N, P1, P2 = 30, 50, 0.5, 0.5


class Individual(mesa.Agent):
    def __init__(self, model: "March") -> None:
        super().__init__(model)
        self.belief = model.rng.integers(-1, 2, size=M)
        self.action = self.belief

    def act(self) -> None:
        coin = self.model.rng.choice((-1, 1), size=M)
        self.action = np.where(self.belief == 0, coin, self.belief)
        self.superior = int(self.action @ self.model.reality) > self.model.code_score

    def socialize(self) -> None:
        code = self.model.code
        differs = (code != 0) & (self.belief != code)
        moved = differs & (self.model.rng.random(M) < P1)
        # One step toward the code: -c -> 0 -> c.
        self.belief = np.where(moved, np.where(self.belief == 0, code, 0), self.belief)

    def best(self) -> int:
        return int(np.sum(np.where(self.belief == 0, 1, self.belief * self.model.reality)))


class March(mesa.Model):
    def __init__(self, seed: int) -> None:
        super().__init__(rng=seed)
        self.reality = self.rng.choice((-1, 1), size=M)
        self.code = np.zeros(M, dtype=int)
        self.code_score = 0
        Individual.create_agents(self, N)
        self.running = True

    def step(self) -> None:
        self.code_score = int(self.code @ self.reality)
        self.agents.do("act")
        superior = [a.action for a in self.agents if a.superior]
        self.agents.do("socialize")
        if superior:
            tally = np.sum(superior, axis=0)
            majority = np.sign(tally)
            change = (majority != 0) & (majority != self.code)
            hit = self.rng.random(M) < 1 - (1 - P2) ** np.abs(tally)
            self.code = np.where(change & hit, majority, self.code)
        self.code_score = int(self.code @ self.reality)
        settled = all(not np.any((self.code != 0) & (a.belief != self.code)) for a in self.agents)
        if settled and all(a.best() <= self.code_score for a in self.agents):
            self.running = False

    def code_knowledge(self) -> float:
        return float(self.code @ self.reality) / M


def mean_ci(xs):
    m = statistics.fmean(xs)
    h = 1.96 * statistics.stdev(xs) / math.sqrt(len(xs))
    return m, m - h, m + h


def main(runs: int) -> None:
    t = time.perf_counter()
    knowledge = []
    for seed in range(runs):
        model = March(seed)
        while model.running and model.steps < 2000:
            model.step()
        knowledge.append(model.code_knowledge())
    mesa_s = time.perf_counter() - t
    s = cs.load("march1991-fig1").set("march.p1", P1).set("march.p2", P2)
    timings = {}
    for threads in (1, 2):
        t = time.perf_counter()
        r = cs.run(s, replicates=runs, threads=threads, progress=False)
        timings[threads] = time.perf_counter() - t
    last = r.timeseries.groupby("replicate")["code_knowledge"].last()
    print(f"{runs} runs of March (1991), p1 = {P1}, p2 = {P2}, m = {M}, n = {N}, to equilibrium")
    print("equilibrium code knowledge  Mesa %.3f [%.3f, %.3f]   culturesim %.3f [%.3f, %.3f]" % (*mean_ci(knowledge), *mean_ci(list(last))))
    print(f"Mesa {mesa.__version__}, 1 thread      {mesa_s:8.3f} s  ({1000 * mesa_s / runs:.1f} ms a run)")
    for threads, secs in timings.items():
        print(f"culturesim from Python, {threads} thread(s) {secs:8.3f} s  ({1000 * secs / runs:.2f} ms a run; {mesa_s / secs:.0f}x Mesa)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
