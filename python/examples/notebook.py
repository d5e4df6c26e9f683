# %% [markdown]
# # culturesim in a notebook
#
# A notebook-style walk through (open it in Jupyter with jupytext, or in VS
# Code, which reads the `# %%` cells; or run it: `python notebook.py`).
# It runs the default scenario, plots its culture with matplotlib, and
# runs a sweep into a pandas group-by. Figures go to `$OUT` (default
# `output/python-notebook`).

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt

import culturesim as cs

OUT = Path(os.environ.get("OUT", "output/python-notebook"))
OUT.mkdir(parents=True, exist_ok=True)
#: Replicates per run (the scenario says 32; fewer for a quick look).
REPLICATES = int(os.environ.get("REPLICATES", "8"))

# %% [markdown]
# ## One scenario: snow in the sun
# Five years of building a learning culture, then a top manager who does not
# share it. `run` returns the time series as a pandas DataFrame (one row per
# replicate and step), the summary as a dict and the resolved scenario.

# %%
scenario = cs.load("snow-in-the-sun")
result = cs.run(scenario, replicates=REPLICATES, progress=False)
ts = result.timeseries
print(result)
print(ts.head())

# %%
by_year = ts.groupby("year")["culture"]
mean, lo, hi = by_year.mean(), by_year.quantile(0.05), by_year.quantile(0.95)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.fill_between(mean.index, lo, hi, alpha=0.25, label="5-95% of replicates")
ax.plot(mean.index, mean, label="mean")
shock = result.summary["shock"]["event"]
ax.axvline(result.timeseries.loc[ts["step"] == shock["step"], "year"].iloc[0], ls="--", c="grey")
ax.set_xlabel("years")
ax.set_ylabel("learning culture")
ax.set_title(f"{scenario.name}: {shock['label']} at year 5")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "culture.png", dpi=120)
loss = result.summary["shock"]["mean"]["loss"]
print(f"culture lost after the shock: {loss['mean']:.3f} [{loss['ci95'][0]:.3f}, {loss['ci95'][1]:.3f}]")

# %% [markdown]
# ## A sweep into a group-by
# The bundled grid varies the incoming manager's alignment and the strength
# of the learning-culture loop. `sweep` returns one row per run (`runs`)
# and the parameter values of each point (`points`): join them on `point`.

# %%
grid = cs.sweep("snow-in-the-sun-grid", set={"replicates": max(2, REPLICATES // 4)}, progress=False)
runs = grid.runs.merge(grid.points, on="point")
print(runs.columns.tolist())
table = runs.groupby(["events.shock.alignment", "culture.coupling"])["culture"].mean().unstack()
print(table.round(3))

# %%
fig, ax = plt.subplots(figsize=(5, 4))
im = ax.imshow(table.values, origin="lower", cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(table.columns)), [f"{c:g}" for c in table.columns])
ax.set_yticks(range(len(table.index)), [f"{a:g}" for a in table.index])
ax.set_xlabel("culture.coupling")
ax.set_ylabel("incoming manager's alignment")
fig.colorbar(im, label="final culture (mean)")
fig.tight_layout()
fig.savefig(OUT / "grid.png", dpi=120)
print(f"figures in {OUT}")
