"""The learning-culture model of culturesim, vectorized with numpy.

One array per state column (struct of arrays, like culturesim's `State`):
per slot (employee position), per team and per unit (leader). Every phase of
a step is a handful of whole-array operations; there is no Python loop over
employees or teams (only over hierarchy levels, events and programmes).
Randomness: one `np.random.Generator(PCG64)` per replicate, seeded from the
master seed and the replicate number; the structure has its own generator
(shared by every replicate, as in culturesim).

The order of a step follows src/model/learning_culture/step.rs:
1 events, 2 support, 3 aggregation, 4 employees, 5 teams, 6 organization,
7 leaders. Equation numbers refer to docs/MODEL.md.
"""

from __future__ import annotations

import time

import numpy as np

from common import Org, Scenario, generate_org

F = np.float32


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def structure(sc: Scenario) -> Org:
    return generate_org(sc, rng_for(sc.seed, 1))


class NumpyModel:
    def __init__(self, sc: Scenario, org: Org, replicate: int):
        self.sc = sc
        self.org = org
        self.rng = rng = rng_for(sc.seed, 2, replicate)
        n, T, U = org.slots, org.teams, org.units
        sizes = np.diff(org.team_start)
        self.team_of = np.repeat(np.arange(T), sizes)
        self.starts = org.team_start[:-1]
        pop = sc.population
        self.active = np.ones(n, dtype=bool)
        self.m = np.clip(pop["mastery"].sample_np(rng, n), 0, 1).astype(F)
        self.b = np.clip(pop["belief"].sample_np(rng, n), 0, 1).astype(F)
        self.k = np.clip(pop["knowledge"].sample_np(rng, n), 0, 1).astype(F)
        self.infl = np.maximum(pop["influence"].sample_np(rng, n), 1e-6).astype(F)
        self.tenure = rng.integers(0, 520, n).astype(np.int32)
        self.engaged = np.zeros(n, dtype=bool)
        self.project = np.zeros(n, dtype=np.int16)
        init = sc.sec("init")
        self.practice = np.full(T, init.practice, dtype=F)
        self.culture = np.full(T, init.culture, dtype=F)
        self.a = np.clip(sc.leaders["alignment"].sample_np(rng, U), 0, 1).astype(F)
        self.q = np.clip(sc.leaders["commitment"].sample_np(rng, U), 0, 1).astype(F)
        self.adapts = np.ones(U, dtype=bool)
        self.C = float(init.culture)
        self.Kc = float(init.codified)
        self.chi = 0.0
        self.programmes = []  # (kind, member mask, strength, until)
        self.support = self.compute_support()
        self.event_leavers = 0

    # -- observation ------------------------------------------------------
    def observe(self):
        h = max(int(self.active.sum()), 1)
        return (self.C, float(self.k.sum(dtype=np.float64)) / h,
                float(self.engaged.sum()) / h, float(self.b.sum(dtype=np.float64)) / h)

    # -- phase 2 (E1) -----------------------------------------------------
    def compute_support(self):
        ld = self.sc.sec("leadership")
        org = self.org
        d = self.a * self.q
        g = F(ld.gate_floor) + F(1 - ld.gate_floor) * np.minimum(F(1), d / F(ld.gate))
        gate = np.ones(org.units, dtype=F)
        for lo, hi in org.depth_ranges[1:]:
            par = org.unit_parent[lo:hi]
            gate[lo:hi] = gate[par] * g[par]
        tu = org.team_unit
        return d[tu] * gate[tu]

    # -- phase 1 ----------------------------------------------------------
    def apply_events(self, step):
        rng = self.rng
        sc = self.sc
        U, T, n = self.org.units, self.org.teams, self.org.slots
        for ev in sc.events:
            if step not in ev.occurs:
                continue
            if ev.kind == "replace_leader":
                sel = np.array([0]) if ev.scope == "top" else np.arange(U)
                self.a[sel] = np.clip(ev.args["alignment"].sample_np(rng, len(sel)), 0, 1)
                self.q[sel] = np.clip(ev.args["commitment"].sample_np(rng, len(sel)), 0, 1)
                self.adapts[sel] = ev.args["adapt"]
            elif ev.kind == "learnathon":
                la = sc.sec("learnathon")
                self.chi = ev.args["commitment"]
                cand = np.flatnonzero(self.active & (self.project == 0))
                p = np.minimum(F(1), F(ev.args["participation"]) * (F(0.5) + self.b[cand]))
                start = cand[rng.random(len(cand), dtype=F) < p]
                self.project[start] = int(la.duration)
            else:
                # Programmes: membership drawn once per occurrence (scope all/top
                # reaches every leader, team and slot).
                size = {"learning_leadership": U, "learning_practice": T,
                        "personal_mastery": n}[ev.kind]
                mask = rng.random(size) < ev.args["reach"]
                self.programmes.append((ev.kind, mask, F(ev.args["strength"]),
                                        step + ev.args["duration"]))

    # -- one step -----------------------------------------------------------
    def step(self, step):
        sc, rng = self.sc, self.rng
        org = self.org
        en, ln, be = sc.sec("engagement"), sc.sec("learning"), sc.sec("belief")
        cu, ld, tu = sc.sec("culture"), sc.sec("leadership"), sc.sec("turnover")
        fo, la = sc.sec("formalization"), sc.sec("learnathon")
        kappa = F(cu.coupling)
        self.apply_events(step)
        # 2. support
        S = self.support = self.compute_support()
        # 3. aggregation: peer belief weighted by effective influence (vacancies have 0).
        starts = self.starts
        ieff = self.infl * (F(0.5) + self.k)
        wsum = np.add.reduceat(ieff * self.b, starts)
        isum = np.add.reduceat(ieff, starts)
        peer = np.where(isum > 0, wsum / np.where(isum > 0, isum, 1), F(0)).astype(F)
        chi_t = (F(self.chi) * np.minimum(F(1), S / F(ld.gate))).astype(F)
        # 4. employee pass; per-slot views of the frozen team inputs
        tof = self.team_of
        c_s, P_s, S_s = self.culture[tof], self.practice[tof], S[tof]
        active = self.active
        Kc = F(self.Kc)
        u = rng.random(org.slots, dtype=F)
        vac = ~active
        hire = vac & (u < F(tu.fill_rate))
        h = F(tu.base) * (F(1) + F(tu.culture_effect) * (F(1) - c_s)
                          + F(tu.engagement_effect) * (~self.engaged))
        leave = active & (u < h)
        stay = active & ~leave
        # E19: running Learnathon projects
        b, k, m = self.b, self.k, self.m
        succ = np.zeros(org.slots, dtype=bool)
        proj = np.flatnonzero(stay & (self.project > 0))
        if len(proj):
            chi_p = chi_t[tof[proj]]
            term = rng.random(len(proj), dtype=F) < F(la.termination) * (F(1) - chi_p)
            left = self.project[proj] - 1
            ends = ~term & (left == 0)
            win = ends & (rng.random(len(proj), dtype=F) < chi_p)
            lose = term | (ends & ~win)
            self.project[proj] = np.where(term, 0, left)
            bp, kp = b[proj], k[proj]
            b[proj] = np.where(win, bp + F(la.success_belief) * (F(1) - bp),
                               np.where(lose, bp - F(la.failure_belief) * bp, bp))
            k[proj] = np.where(win, kp + F(la.success_knowledge) * (F(1) - kp), kp)
            succ[proj] = win
        in_proj = np.zeros(org.slots, dtype=bool)
        in_proj[proj] = True
        # E2: engagement (one Bernoulli draw without memory); projects are engaged.
        drive = (F(en.mastery) * m + F(en.belief) * b
                 + kappa * (F(en.culture) * c_s + F(en.practice) * P_s)
                 + F(en.support) * S_s - F(en.threshold))
        p = F(en.ceiling) / (F(1) + np.exp(-drive / F(en.softness)))
        e = in_proj | (stay & (rng.random(org.slots, dtype=F) < p))
        # personal mastery programme (slots; effective next week)
        for kind, mask, s, _ in self.programmes:
            if kind == "personal_mastery":
                r = stay & mask
                m[r] += s * (F(1) - m[r])
        # E3: knowledge
        k_new = k + e * F(ln.rate) * (F(1) - k) + F(ln.draw) * np.maximum(F(0), Kc - k) \
            - F(ln.forgetting) * k
        # E5, E6: belief
        wx = e * F(be.experience)
        target = (F(be.peers) * peer[tof] + F(be.leader) * S_s + kappa * F(be.culture) * c_s
                  + wx * S_s) / (F(be.peers) + F(be.leader) + kappa * F(be.culture) + wx)
        rate = np.where(self.tenure < be.socialization_weeks,
                        F(be.rate * (1 + be.socialization_boost)), F(be.rate))
        lam = np.where(target >= b, rate, rate * F(be.asymmetry))
        b_new = np.clip(b + lam * (target - b), 0, 1)
        np.copyto(b, b_new, where=stay)
        np.copyto(k, np.clip(k_new, 0, 1), where=stay)
        self.engaged = e  # stay only (vacancies, leavers and hires are False)
        self.tenure += stay
        # E7: leavers become vacancies
        lv = np.flatnonzero(leave)
        leavers = len(lv) + self.event_leavers
        for col in (b, k, m, self.infl):
            col[lv] = 0
        self.project[lv] = 0
        self.tenure[lv] = 0
        active[lv] = False
        # E8, E9: hires
        hi = np.flatnonzero(hire)
        if len(hi):
            hp = sc.hiring
            nh = len(hi)
            m[hi] = np.clip(hp["mastery"].sample_np(rng, nh), 0, 1)
            b[hi] = np.clip(hp["belief"].sample_np(rng, nh), 0, 1)
            k0 = np.clip(hp["knowledge"].sample_np(rng, nh), 0, 1).astype(F)
            k[hi] = np.clip(k0 + F(fo.onboarding) * np.maximum(F(0), Kc - k0), 0, 1)
            self.infl[hi] = np.maximum(hp["influence"].sample_np(rng, nh), 1e-6)
            self.tenure[hi] = 0
            self.project[hi] = 0
            active[hi] = True
        # tallies after the pass
        n_t = np.add.reduceat(active.astype(np.int32), starts)
        e_t = np.add.reduceat(e.astype(np.int32), starts)
        b_t = np.add.reduceat(b, starts, dtype=np.float64)
        s_t = np.add.reduceat(succ.astype(np.int32), starts)
        # 5. teams (E10-E12), from the old P and c
        nz = n_t > 0
        nf = np.where(nz, n_t, 1).astype(F)
        E_t = np.where(nz, e_t / nf, F(0)).astype(F)
        B_t = np.where(nz, b_t / nf, 0).astype(F)
        oldP, oldc = self.practice, self.culture
        newP = oldP + F(cu.practice_rate) * (E_t - oldP)
        boost = (s_t > 0) & nz
        newP = np.where(boost, newP + F(la.practice_boost) * (s_t / nf) * (F(1) - newP), newP)
        for kind, mask, s, _ in self.programmes:
            if kind == "learning_practice":
                newP = np.where(mask, newP + s * (F(1) - newP), newP)
        target = (F(cu.from_practice) * oldP + F(cu.from_belief) * B_t
                  + F(cu.from_support) * S + F(cu.from_org) * F(self.C))
        lamc = np.where(target >= oldc, F(cu.rate), F(cu.rate * cu.asymmetry))
        newc = np.clip(oldc + lamc * (target - oldc), 0, 1)
        # 6. organization (E13, E14), C from the old c weighted by this week's headcount
        H = int(n_t.sum())
        if H > 0:
            mean_c = float(np.dot(n_t, oldc.astype(np.float64))) / H
            self.C += cu.org_rate * (mean_c - self.C)
        self.practice = np.clip(newP, 0, 1).astype(F)
        self.culture = newc.astype(F)
        Hn = max(H, 1)
        E = float(e_t.sum()) / Hn
        Kbar = float(k.sum(dtype=np.float64)) / Hn
        self.Kc = min(max(self.Kc + fo.rate * E * max(0.0, Kbar - self.Kc) - fo.decay * self.Kc,
                          0.0), 1.0)
        # 7. leaders (E15, E16)
        old = self.a.copy()
        par = org.unit_parent[1:]
        tgt = old[par]
        cur = old[1:]
        lam = np.where(tgt >= cur, F(ld.alignment_rate), F(ld.alignment_rate * ld.asymmetry))
        self.a[1:] = np.where(self.adapts[1:], cur + lam * (tgt - cur), cur)
        for kind, mask, s, _ in self.programmes:
            if kind == "learning_leadership":
                self.a[mask] += s * (F(1) - self.a[mask])
                self.q[mask] += s * (F(1) - self.q[mask])
        if ld.turnover > 0:
            go = np.flatnonzero(rng.random(org.units, dtype=F) < F(ld.turnover))
            if len(go):
                self.a[go] = np.clip(sc.leaders["alignment"].sample_np(rng, len(go)), 0, 1)
                self.q[go] = np.clip(sc.leaders["commitment"].sample_np(rng, len(go)), 0, 1)
                self.adapts[go] = True
        self.programmes = [x for x in self.programmes if x[3] > step + 1]
        self.event_leavers = 0
        return (self.C, Kbar, E, float(b_t.sum()) / Hn)


def run(sc: Scenario, replicates: int, org: Org | None = None):
    """Run `replicates` replicates; return (trajectories [R, steps+1, 4]
    of culture, knowledge, engagement, belief; wall seconds of the runs,
    structure excluded; structure seconds)."""
    t0 = time.perf_counter()
    if org is None:
        org = structure(sc)
    t1 = time.perf_counter()
    out = np.zeros((replicates, sc.steps + 1, 4))
    for r in range(replicates):
        mdl = NumpyModel(sc, org, r)
        out[r, 0] = mdl.observe()
        for s in range(sc.steps):
            out[r, s + 1] = mdl.step(s)
    t2 = time.perf_counter()
    return out, t2 - t1, t1 - t0
