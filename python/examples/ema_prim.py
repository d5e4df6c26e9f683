# %% [markdown]
# # culturesim as an EMA Workbench model: where is the culture kept, where is it lost?
#
# The EMA Workbench (Kwakkel 2017) explores a model over its deep
# uncertainties and finds, with PRIM (Friedman & Fisher 1999), the region of
# the inputs where an outcome of interest happens. Here the model is the
# default scenario, snow in the sun: a culture built over five years, then a
# new top manager. The uncertainties are how aligned that manager is and how
# strong the learning-culture loop is; the outcome is whether the
# organization **lost** the culture (ended below 80% of what it had when the
# manager arrived). PRIM then says, in plain limits, which managers melt it.
#
# Run it: `python python/examples/ema_prim.py` (needs `pip install ema_workbench`).

# %%
from __future__ import annotations

import os

import culturesim as cs

#: Size of the study (a quick look by default; EMA_EXPERIMENTS=400 for a real one).
EXPERIMENTS = int(os.environ.get("EMA_EXPERIMENTS", "60"))
#: Smaller organizations and fewer replicates keep the example quick.
BASE = {"org.employees": 100, "replicates": 2}
SHOCK = 261  # the new manager arrives at year 5 (week 261)


def outcomes_of(alignment: float, coupling: float, shock: bool = True) -> dict:
    """One experiment: run the scenario and measure the culture kept."""
    s = cs.load("snow-in-the-sun").set("culture.coupling", coupling)
    if shock:
        s = s.set("events.shock.alignment", alignment)
    else:
        # Knock-out: the incoming manager is as aligned as the one leaving.
        s = s.set("events.shock.alignment", 0.9)
    r = cs.run(s, set=BASE, progress=False)
    mean = r.timeseries.groupby("step")["culture"].mean()
    before, end = mean.loc[SHOCK - 1], mean.iloc[-1]
    return {"final_culture": float(end), "lost": float(end < 0.8 * before)}


def culturesim_model(alignment: float = 0.5, coupling: float = 1.0) -> dict:
    """The function EMA calls (keyword arguments are the uncertainties)."""
    return outcomes_of(alignment, coupling)


def culturesim_model_no_shock(alignment: float = 0.5, coupling: float = 1.0) -> dict:
    """The knock-out twin: the manager's alignment no longer reaches the model."""
    return outcomes_of(alignment, coupling, shock=False)


def explore(function=culturesim_model, experiments: int = EXPERIMENTS, seed: int = 7):
    """Latin-hypercube experiments over the uncertainties, then PRIM on `lost`."""
    from ema_workbench import Model, RealParameter, ScalarOutcome
    from ema_workbench.analysis import prim
    from ema_workbench.em_framework.evaluators import SequentialEvaluator

    model = Model("culturesim", function=function)
    model.uncertainties = [
        RealParameter("alignment", 0.0, 1.0),
        RealParameter("coupling", 0.5, 1.5),
    ]
    model.outcomes = [ScalarOutcome("final_culture"), ScalarOutcome("lost")]
    import numpy as np

    np.random.seed(seed)  # EMA's samplers draw from numpy's global state
    with SequentialEvaluator(model) as evaluator:
        experiments_df, outcomes = evaluator.perform_experiments(scenarios=experiments)
    x = experiments_df[["alignment", "coupling"]]
    y = outcomes["lost"] > 0.5
    box = None
    if y.any() and not y.all():
        finder = prim.Prim(x, y, threshold=0.8)
        box = finder.find_box()
    return x, y, box


# %%
if __name__ == "__main__":
    x, y, box = explore()
    print(f"{int(y.sum())} of {len(y)} experiments lost the culture")
    if box is not None:
        print("PRIM box (where the culture is lost):")
        print(box.box_lims[-1] if hasattr(box, "box_lims") else box)
        print(box.inspect(style="data") if hasattr(box, "inspect") else "")
