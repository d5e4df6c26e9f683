"""Shared by the peers: read a culturesim scenario file (bench.toml), the
parameter defaults of culturesim (src/model/learning_culture/params.rs and
src/scenario/raw.rs), distributions and the generated organization
(src/model/learning_culture/org.rs).

Only what the benchmark scenario uses is supported: a generated
organization (team sizes and span), the events learning_leadership,
learning_practice, personal_mastery, learnathon and replace_leader with
scope `all` or `top`, and `top_alignment`. Anything else raises an error
rather than being silently ignored.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field

import numpy as np

# Defaults of culturesim's `section!` macros (params.rs).
DEFAULTS = {
    "engagement": dict(ceiling=0.8, mastery=1.0, belief=2.0, culture=3.0, practice=1.5,
                       support=2.0, threshold=4.8, softness=0.2),
    "learning": dict(rate=0.01, forgetting=0.002, draw=0.002),
    "belief": dict(rate=0.01, asymmetry=3.0, peers=1.0, leader=2.0, culture=1.0,
                   experience=1.0, socialization_weeks=26.0, socialization_boost=3.0),
    "culture": dict(coupling=1.0, practice_rate=0.05, rate=0.02, asymmetry=3.0,
                    from_practice=0.3, from_belief=0.3, from_support=0.3, from_org=0.1,
                    org_rate=0.1, high_threshold=0.5),
    "leadership": dict(gate=0.4, gate_floor=0.3, alignment_rate=0.003, asymmetry=3.0,
                       turnover=0.0015),
    "turnover": dict(base=0.0015, culture_effect=1.0, engagement_effect=0.5, fill_rate=0.25),
    "formalization": dict(rate=0.02, decay=0.001, onboarding=0.5),
    "learnathon": dict(duration=8.0, termination=0.15, success_belief=0.15,
                       failure_belief=0.3, success_knowledge=0.1, practice_boost=0.5),
    "community": dict(communities=4.0, peers=0.5, knowledge=0.003),
    "init": dict(culture=0.2, practice=0.1, codified=0.0),
}
# Defaults of scenario/raw.rs.
TRAITS_DEFAULT = {
    "mastery": {"dist": "beta", "a": 4.0, "b": 6.0},
    "belief": {"dist": "beta", "a": 3.0, "b": 5.0},
    "knowledge": {"dist": "beta", "a": 2.0, "b": 5.0},
    "influence": {"dist": "pareto", "scale": 1.0, "shape": 1.16},
}
LEADERS_DEFAULT = {
    "alignment": {"dist": "beta", "a": 7.0, "b": 3.0},
    "commitment": {"dist": "beta", "a": 8.0, "b": 2.0},
}
PROGRAMME_KINDS = ("learning_leadership", "learning_practice", "personal_mastery")


class P:
    """Attribute access to one parameter section."""

    def __init__(self, d):
        self.__dict__.update(d)


@dataclass
class Dist:
    """A culturesim distribution (dist.rs): a number or a table."""

    kind: str
    args: dict

    @staticmethod
    def parse(x) -> "Dist":
        if isinstance(x, (int, float)):
            return Dist("constant", {"value": float(x)})
        x = dict(x)
        kind = x.pop("dist")
        if kind not in ("constant", "uniform", "normal", "beta", "lognormal", "pareto",
                        "poisson", "empirical"):
            raise ValueError(f"unknown distribution {kind}")
        return Dist(kind, x)

    def sample_np(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n draws as float64, vectorized."""
        a = self.args
        k = self.kind
        if k == "constant":
            return np.full(n, float(a["value"]))
        if k == "uniform":
            return rng.uniform(a["min"], a["max"], n)
        if k == "beta":
            return rng.beta(a["a"], a["b"], n)
        if k == "pareto":
            # Pareto(scale, shape): scale * U^(-1/shape); numpy's pareto is Lomax.
            return (rng.pareto(a["shape"], n) + 1.0) * a["scale"]
        if k == "poisson":
            return rng.poisson(a["mean"], n).astype(np.float64)
        if k == "lognormal":
            return rng.lognormal(a["mu"], a["sigma"], n)
        if k == "empirical":
            v = np.asarray(a["values"], dtype=np.float64)
            return v[rng.integers(0, len(v), n)]
        if k == "normal":
            lo, hi = a.get("min", -math.inf), a.get("max", math.inf)
            x = rng.normal(a["mean"], a["sd"], n)
            for _ in range(64):
                bad = (x < lo) | (x > hi)
                if not bad.any():
                    return x
                x[bad] = rng.normal(a["mean"], a["sd"], int(bad.sum()))
            bad = (x < lo) | (x > hi)
            x[bad] = min(max(a["mean"], lo), hi)
            return x
        raise ValueError(k)

    def sample_py(self, rnd) -> float:
        """One draw with a stdlib random.Random (used by the Mesa agents)."""
        a = self.args
        k = self.kind
        if k == "constant":
            return float(a["value"])
        if k == "uniform":
            return rnd.uniform(a["min"], a["max"])
        if k == "beta":
            return rnd.betavariate(a["a"], a["b"])
        if k == "pareto":
            return a["scale"] * rnd.paretovariate(a["shape"])
        if k == "lognormal":
            return rnd.lognormvariate(a["mu"], a["sigma"])
        if k == "empirical":
            return float(rnd.choice(a["values"]))
        if k == "normal":
            lo, hi = a.get("min", -math.inf), a.get("max", math.inf)
            for _ in range(64):
                x = rnd.gauss(a["mean"], a["sd"])
                if lo <= x <= hi:
                    return x
            return min(max(a["mean"], lo), hi)
        raise ValueError(f"{k} is not supported per agent")


@dataclass
class Event:
    kind: str
    occurs: set
    scope: str
    args: dict


@dataclass
class Scenario:
    name: str
    steps: int
    seed: int
    replicates: int
    employees: int
    team_size: Dist
    span: int
    params: dict
    population: dict
    hiring: dict
    leaders: dict
    events: list = field(default_factory=list)

    def sec(self, name) -> P:
        return P(self.params[name])


def load(path: str, employees: int | None = None, steps: int | None = None) -> Scenario:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    params = {}
    for sec, d in DEFAULTS.items():
        given = raw.get(sec, {})
        unknown = set(given) - set(d)
        if unknown:
            raise ValueError(f"[{sec}]: unknown keys {unknown}")
        params[sec] = {**d, **{k: float(v) for k, v in given.items()}}
    org = raw.get("org", {})
    if "levels" in org or "chart" in org:
        raise ValueError("the peers support org.span only")
    n_steps = int(steps if steps is not None else raw.get("steps", 520))

    def traits(sec):
        given = raw.get(sec, {})
        return {k: Dist.parse(given.get(k, v)) for k, v in TRAITS_DEFAULT.items()}

    lead_raw = raw.get("leaders", {})
    leaders = {k: Dist.parse(lead_raw.get(k, v)) for k, v in LEADERS_DEFAULT.items()}
    events = []
    if "top_alignment" in lead_raw:
        # convert.rs: the initial top leader is a replacement at step 0, first,
        # keeping a pool draw for commitment and adapting.
        events.append(Event("replace_leader", {0}, "top",
                            {"alignment": Dist.parse(lead_raw["top_alignment"]),
                             "commitment": leaders["commitment"], "adapt": True}))
    for e in raw.get("events", []):
        kind = e["kind"]
        if "at" in e:
            occ = {int(e["at"])} if int(e["at"]) < n_steps else set()
        else:
            every, start = int(e["every"]), int(e.get("start", 0))
            until = int(e.get("until", n_steps - 1))
            occ = set(range(start, min(n_steps, until + 1), every))
        scope = e.get("scope", "top" if kind == "replace_leader" else "all")
        if scope not in ("all", "top"):
            raise ValueError(f"the peers support scope all/top only, got {scope}")
        if kind == "replace_leader":
            args = {"alignment": Dist.parse(e["alignment"]),
                    "commitment": Dist.parse(e["commitment"]) if "commitment" in e
                    else leaders["commitment"],
                    "adapt": bool(e.get("adapt", False))}
        elif kind in PROGRAMME_KINDS:
            args = {"reach": float(e.get("reach", 1.0)), "strength": float(e.get("strength", 0.01)),
                    "duration": int(e.get("duration", 52))}
        elif kind == "learnathon":
            args = {"participation": float(e.get("participation", 0.5)),
                    "commitment": float(e.get("commitment", 1.0))}
        else:
            raise ValueError(f"the peers do not implement event kind {kind}")
        events.append(Event(kind, occ, scope, args))
    return Scenario(
        name=raw["name"], steps=n_steps, seed=int(raw.get("seed", 1)),
        replicates=int(raw.get("replicates", 32)),
        employees=int(employees if employees is not None else org.get("employees", 500)),
        team_size=Dist.parse(org.get("team_size", {"dist": "poisson", "mean": 8.0})),
        span=int(org.get("span", 5)), params=params,
        population=traits("population"), hiring=traits("hiring"), leaders=leaders,
        events=events)


@dataclass
class Org:
    """The generated tree (org.rs): units numbered breadth first (top = 0,
    parents before children, each depth a contiguous range), teams in
    depth-first order, each team a contiguous block of slots."""

    unit_parent: np.ndarray   # int64, -1 for the top
    depth_ranges: list        # [(lo, hi)] of units per depth
    team_unit: np.ndarray     # unit of each team
    team_start: np.ndarray    # slot ranges, len teams + 1
    children: list            # children unit ids per unit

    @property
    def units(self):
        return len(self.unit_parent)

    @property
    def teams(self):
        return len(self.team_unit)

    @property
    def slots(self):
        return int(self.team_start[-1])


def generate_org(sc: Scenario, rng: np.random.Generator) -> Org:
    """Team sizes from the distribution (rounded, >= 1, the last one cut),
    then groups of `span` consecutive nodes, level by level, to one top."""
    n = max(sc.employees, 1)
    sizes = []
    total = 0
    while total < n:
        batch = sc.team_size.sample_np(rng, max(16, (n - total) // 4))
        for s in batch:
            s = int(min(max(round(s), 1), n - total))
            sizes.append(s)
            total += s
            if total >= n:
                break
    span = max(sc.span, 2)
    # Bottom-up levels of nodes; node ids: teams 0..T-1, then groups.
    children_of = [[] for _ in sizes]
    level = list(range(len(sizes)))
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), span):
            children_of.append(level[i:i + span])
            nxt.append(len(children_of) - 1)
        level = nxt
    root = level[0]
    # Breadth-first numbering of units.
    unit_of_node = {root: 0}
    order = [root]
    parent = [-1]
    depth = [0]
    head = 0
    while head < len(order):
        node = order[head]
        for c in children_of[node]:
            unit_of_node[c] = len(order)
            order.append(c)
            parent.append(head)
            depth.append(depth[head] + 1)
        head += 1
    team_unit = np.array([unit_of_node[t] for t in range(len(sizes))], dtype=np.int64)
    depth = np.array(depth)
    ranges = []
    for d in range(int(depth.max()) + 1):
        idx = np.nonzero(depth == d)[0]
        ranges.append((int(idx[0]), int(idx[-1]) + 1))
    children = [[unit_of_node[c] for c in children_of[node]] for node in order]
    team_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return Org(np.array(parent, dtype=np.int64), ranges, team_unit, team_start, children)
