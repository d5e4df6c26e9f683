"""The learning-culture model of culturesim as a Mesa (3.x) model.

Idiomatic Mesa: one `Employee` agent per employee, one `Team` agent per team
and one `Leader` agent per unit of the hierarchy, all registered with a
`mesa.Model`; each phase of a step is an `AgentSet.do(...)` over one agent
type, and the model's own stocks (culture C, codified knowledge K_c) are
updated in `Model.step`. Agents draw from the model's seeded
`random.Random` (`self.random`). A `mesa.DataCollector` records the four
compared metrics. Leaving removes the agent (`Agent.remove`); hiring creates
a new one in the vacated position.

The order of a step follows src/model/learning_culture/step.rs:
1 events, 2 support, 3 aggregation, 4 employees (then hiring into the
vacancies that existed before the pass, so that, as in culturesim, a
newcomer is not updated in their first week and a position vacated this
week is filled next week at the earliest), 5 teams, 6 organization,
7 leaders. Synchronous reading as in culturesim: teams read their old P and
c, leaders adapt in two stages (plan, then apply). Equation numbers refer to
docs/MODEL.md.
"""

from __future__ import annotations

import math
import time

import mesa
import numpy as np

from common import Org, Scenario, generate_org


def clamp01(x):
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


def asym(x, target, rate, ratio):
    """E4: asymmetric relaxation."""
    lam = rate if target >= x else rate * ratio
    return x + lam * (target - x)


class Programme:
    def __init__(self, kind, members, strength, until):
        self.kind, self.members, self.strength, self.until = kind, members, strength, until


class Leader(mesa.Agent):
    """The leader of one unit (a team's own leader or a manager above)."""

    def __init__(self, model, unit, parent):
        super().__init__(model)
        self.unit = unit
        self.parent = parent
        pool = model.sc.leaders
        self.alignment = clamp01(pool["alignment"].sample_py(self.random))
        self.commitment = clamp01(pool["commitment"].sample_py(self.random))
        self.adapts = True
        self.gate = 1.0
        self._next = self.alignment

    def propagate(self):
        """E1: the product of the gates of every strict ancestor (called in
        breadth-first order, so the parent is done first)."""
        p = self.parent
        if p is None:
            self.gate = 1.0
        else:
            ld = self.model.ld
            d = p.alignment * p.commitment
            self.gate = p.gate * (ld.gate_floor + (1 - ld.gate_floor) * min(1.0, d / ld.gate))

    def plan_adapt(self):
        """E15, stage 1: relax toward the superior's (old) alignment."""
        if self.parent is not None and self.adapts:
            ld = self.model.ld
            self._next = asym(self.alignment, self.parent.alignment, ld.alignment_rate,
                              ld.asymmetry)
        else:
            self._next = self.alignment

    def adapt(self):
        self.alignment = self._next

    def train(self):
        """E16: the learning-leadership programme."""
        for prog in self.model.programmes["learning_leadership"]:
            if self.unit in prog.members:
                s = prog.strength
                self.alignment += s * (1 - self.alignment)
                self.commitment += s * (1 - self.commitment)

    def maybe_leave(self):
        """Leader turnover: replaced from the pool, the successor adapts."""
        if self.random.random() < self.model.ld.turnover:
            pool = self.model.sc.leaders
            self.alignment = clamp01(pool["alignment"].sample_py(self.random))
            self.commitment = clamp01(pool["commitment"].sample_py(self.random))
            self.adapts = True


class Team(mesa.Agent):
    def __init__(self, model, index, leader, slots):
        super().__init__(model)
        self.index = index
        self.leader = leader
        init = model.sc.sec("init")
        self.practice = init.practice
        self.culture = init.culture
        self.old_culture = init.culture
        self.support = 0.0
        self.peer = 0.0
        self.chi = 0.0
        self.members = []
        self.vacancies = []
        self.new_vacancies = []
        self.successes = 0
        self.active = 0
        self.engaged = 0
        self.belief_sum = 0.0
        self.knowledge_sum = 0.0
        for slot in slots:
            self.members.append(Employee(model, self, slot, model.sc.population, initial=True))

    def compute_support(self):
        """E1 (S_t) and E18 (χ_t)."""
        ld = self.model.ld
        lead = self.leader
        self.support = lead.alignment * lead.commitment * lead.gate
        self.chi = self.model.chi * min(1.0, self.support / ld.gate)

    def aggregate(self):
        """Phase 3: peer belief weighted by effective influence ι(½ + k)."""
        w = wb = 0.0
        for e in self.members:
            x = e.influence * (0.5 + e.knowledge)
            w += x
            wb += x * e.belief
        self.peer = wb / w if w > 0 else 0.0
        self.successes = 0

    def hire(self):
        """E8, E9: each vacancy present before the pass is filled with
        probability ν; this week's leavers become vacancies afterwards."""
        model = self.model
        fill = model.tu.fill_rate
        still = []
        for slot in self.vacancies:
            if self.random.random() < fill:
                self.members.append(Employee(model, self, slot, model.sc.hiring, initial=False))
                model.hires += 1
            else:
                still.append(slot)
        self.vacancies = still + self.new_vacancies
        self.new_vacancies = []

    def step(self):
        """E10-E12 from the old P and c and this week's engagement and belief."""
        model = self.model
        cu, la = model.cu, model.la
        n = len(self.members)
        eng = bsum = ksum = 0
        for e in self.members:
            eng += e.engaged
            bsum += e.belief
            ksum += e.knowledge
        self.active, self.engaged = n, eng
        self.belief_sum, self.knowledge_sum = bsum, ksum
        E, B = (eng / n, bsum / n) if n else (0.0, 0.0)
        old_p, old_c = self.practice, self.culture
        p = old_p + cu.practice_rate * (E - old_p)
        if self.successes and n:
            p += la.practice_boost * self.successes / n * (1 - p)
        for prog in model.programmes["learning_practice"]:
            if self.index in prog.members:
                p += prog.strength * (1 - p)
        self.practice = clamp01(p)
        target = (cu.from_practice * old_p + cu.from_belief * B + cu.from_support * self.support
                  + cu.from_org * model.C)
        self.old_culture = old_c
        self.culture = clamp01(asym(old_c, target, cu.rate, cu.asymmetry))


class Employee(mesa.Agent):
    def __init__(self, model, team, slot, traits, initial):
        super().__init__(model)
        r = self.random
        self.team = team
        self.slot = slot
        self.mastery = clamp01(traits["mastery"].sample_py(r))
        self.belief = clamp01(traits["belief"].sample_py(r))
        k0 = clamp01(traits["knowledge"].sample_py(r))
        if initial:
            self.knowledge = k0
            self.tenure = r.randrange(520)
        else:
            # E9: onboarding from the codified stock.
            self.knowledge = clamp01(k0 + model.fo.onboarding * max(0.0, model.Kc - k0))
            self.tenure = 0
        self.influence = max(traits["influence"].sample_py(r), 1e-6)
        self.engaged = 0
        self.project = 0

    def step(self):
        model = self.model
        team = self.team
        r = self.random
        tu, en, ln, be, la = model.tu, model.en, model.ln, model.be, model.la
        # E7: leave first (on last week's engagement).
        h = tu.base * (1 + tu.culture_effect * (1 - team.culture)
                       + tu.engagement_effect * (1 - self.engaged))
        if r.random() < h:
            model.leavers += 1
            team.members.remove(self)
            team.new_vacancies.append(self.slot)
            self.remove()
            return
        b, k = self.belief, self.knowledge
        if self.project > 0:
            # E19: a running Learnathon project; the participant is learning.
            chi = team.chi
            if r.random() < la.termination * (1 - chi):
                self.project = 0
                b -= la.failure_belief * b
            else:
                self.project -= 1
                if self.project == 0:
                    if r.random() < chi:
                        b += la.success_belief * (1 - b)
                        k += la.success_knowledge * (1 - k)
                        team.successes += 1
                    else:
                        b -= la.failure_belief * b
            engaged = 1
        else:
            # E2: thresholded engagement.
            kappa = model.kappa
            drive = (en.mastery * self.mastery + en.belief * b
                     + kappa * (en.culture * team.culture + en.practice * team.practice)
                     + en.support * team.support - en.threshold)
            x = -drive / en.softness
            p = en.ceiling / (1 + math.exp(x)) if x < 700 else 0.0
            engaged = 1 if r.random() < p else 0
        for prog in model.programmes["personal_mastery"]:
            if self.slot in prog.members:
                self.mastery += prog.strength * (1 - self.mastery)
        # E3: knowledge.
        Kc = model.Kc
        k = clamp01(k + engaged * ln.rate * (1 - k) + ln.draw * max(0.0, Kc - k)
                    - ln.forgetting * k)
        # E5, E6: belief.
        kappa = model.kappa
        S = team.support
        wx = be.experience if engaged else 0.0
        target = ((be.peers * team.peer + be.leader * S + kappa * be.culture * team.culture
                   + wx * S) / (be.peers + be.leader + kappa * be.culture + wx))
        rate = be.rate * (1 + be.socialization_boost) if self.tenure < be.socialization_weeks \
            else be.rate
        self.belief = clamp01(asym(b, target, rate, be.asymmetry))
        self.knowledge = k
        self.engaged = engaged
        self.tenure += 1


class LearningCultureModel(mesa.Model):
    def __init__(self, sc: Scenario, org: Org, replicate: int):
        super().__init__(seed=sc.seed * 1_000_003 + replicate)
        self.sc = sc
        self.org = org
        for name in ("engagement", "learning", "belief", "culture", "leadership", "turnover",
                     "formalization", "learnathon"):
            setattr(self, {"engagement": "en", "learning": "ln", "belief": "be",
                           "culture": "cu", "leadership": "ld", "turnover": "tu",
                           "formalization": "fo", "learnathon": "la"}[name], sc.sec(name))
        self.kappa = self.cu.coupling
        init = sc.sec("init")
        self.C = init.culture
        self.Kc = init.codified
        self.chi = 0.0
        self.programmes = {k: [] for k in ("learning_leadership", "learning_practice",
                                        "personal_mastery")}
        self.leavers = self.hires = 0
        # The hierarchy: leaders in breadth-first order (parents first).
        leaders = []
        for u in range(org.units):
            par = int(org.unit_parent[u])
            leaders.append(Leader(self, u, leaders[par] if par >= 0 else None))
        self.leader_list = leaders
        self.team_list = []
        for t in range(org.teams):
            lo, hi = int(org.team_start[t]), int(org.team_start[t + 1])
            self.team_list.append(Team(self, t, leaders[int(org.team_unit[t])], range(lo, hi)))
        self.leader_set = self.agents_by_type[Leader]
        self.team_set = self.agents_by_type[Team]
        self.leader_set.do("propagate")
        self.team_set.do("compute_support")
        n = org.slots
        emps = self.agents_by_type[Employee]
        self.E = 0.0
        self.K = sum(e.knowledge for e in emps) / n
        self.B = sum(e.belief for e in emps) / n
        self.datacollector = mesa.DataCollector(model_reporters={
            "culture": "C", "knowledge": "K", "engagement": "E", "belief": "B"})
        self.datacollector.collect(self)

    def apply_events(self, step):
        r = self.random
        for ev in self.sc.events:
            if step not in ev.occurs:
                continue
            if ev.kind == "replace_leader":
                sel = [self.leader_list[0]] if ev.scope == "top" else self.leader_list
                for lead in sel:
                    lead.alignment = clamp01(ev.args["alignment"].sample_py(r))
                    lead.commitment = clamp01(ev.args["commitment"].sample_py(r))
                    lead.adapts = ev.args["adapt"]
            elif ev.kind == "learnathon":
                self.chi = ev.args["commitment"]
                pi = ev.args["participation"]
                duration = int(self.la.duration)
                for e in self.agents_by_type[Employee]:
                    if e.project == 0 and r.random() < min(1.0, pi * (0.5 + e.belief)):
                        e.project = duration
            else:
                reach = ev.args["reach"]
                n = {"learning_leadership": self.org.units, "learning_practice": self.org.teams,
                     "personal_mastery": self.org.slots}[ev.kind]
                members = {i for i in range(n) if r.random() < reach}
                self.programmes[ev.kind].append(
                    Programme(ev.kind, members, ev.args["strength"], step + ev.args["duration"]))

    def step(self):
        step = self.steps - 1  # Mesa counts steps from 1
        self.leavers = self.hires = 0
        self.apply_events(step)
        self.leader_set.do("propagate")
        self.team_set.do("compute_support")
        self.team_set.do("aggregate")
        self.agents_by_type[Employee].do("step")
        self.team_set.do("hire")
        self.team_set.do("step")
        # Organization: C from the old local cultures weighted by headcount; K_c.
        H = wc = eng = ks = bs = 0
        for t in self.team_list:
            H += t.active
            wc += t.active * t.old_culture
            eng += t.engaged
            ks += t.knowledge_sum
            bs += t.belief_sum
        if H:
            self.C += self.cu.org_rate * (wc / H - self.C)
        Hn = max(H, 1)
        self.E, self.K, self.B = eng / Hn, ks / Hn, bs / Hn
        fo = self.fo
        self.Kc = clamp01(self.Kc + fo.rate * self.E * max(0.0, self.K - self.Kc)
                          - fo.decay * self.Kc)
        # Leaders: adaptation (two stages), the programme, turnover.
        self.leader_set.do("plan_adapt")
        self.leader_set.do("adapt")
        self.leader_set.do("train")
        if self.ld.turnover > 0:
            self.leader_set.do("maybe_leave")
        for kind, progs in self.programmes.items():
            self.programmes[kind] = [p for p in progs if p.until > step + 1]
        self.datacollector.collect(self)


def structure(sc: Scenario) -> Org:
    return generate_org(sc, np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([sc.seed, 1]))))


def run(sc: Scenario, replicates: int, org: Org | None = None, steps: int | None = None):
    """Run `replicates` replicates for `steps` steps (default: the scenario's);
    return (trajectories [R, steps+1, 4] of culture, knowledge, engagement,
    belief; wall seconds of the runs including model construction, structure
    excluded; structure seconds)."""
    t0 = time.perf_counter()
    if org is None:
        org = structure(sc)
    t1 = time.perf_counter()
    steps = sc.steps if steps is None else steps
    out = np.zeros((replicates, steps + 1, 4))
    for r in range(replicates):
        mdl = LearningCultureModel(sc, org, r)
        for _ in range(steps):
            mdl.step()
        df = mdl.datacollector.get_model_vars_dataframe()
        out[r] = df[["culture", "knowledge", "engagement", "belief"]].to_numpy()
    t2 = time.perf_counter()
    return out, t2 - t1, t1 - t0
