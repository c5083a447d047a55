"""Morris screening of a scenario with SALib, in a few lines around ``Evaluator``.

``adoption sensitivity`` does this (and Sobol) with resumable chunks, noise floors and a
report; this example shows the glue for your own analysis. Run from the repository root::

    python examples/salib_morris.py            # 10 trajectories at 5 % scale, a minute or two
    ADOPTION_EXAMPLE_TINY=1 python examples/salib_morris.py   # seconds (what CI runs)

``ADOPTION_EXAMPLE_TINY=1`` keeps one district and four factors: two that drive the outcome,
a desk-side parameter that changes no household's use (``assist_prob``: mu* 0) and a lever.
"""

import dataclasses
import os

import numpy as np
from SALib.analyze import morris as analyze
from SALib.sample import morris as sample

from adoption.decisions.experiment import Evaluator
from adoption.pool import Pool
from adoption.scenarios.scenario import load_scenario

TINY = os.environ.get("ADOPTION_EXAMPLE_TINY") == "1"
OUTCOME = "household_years_any"

scenario = load_scenario("scenarios/combined.toml")
if TINY:  # one district: the same code, a smaller problem
    scenario = dataclasses.replace(scenario, districts=["Chợ Đồn"])
f = Evaluator(scenario, seeds=[1], scale=0.05, keep=[OUTCOME])  # picklable: inputs -> outcomes
factors = f.factors()  # {name: (low, high)}: priors, Params bounds, lever bounds
if TINY:
    tiny = ("shared_phone_access", "visit_hazard_online", "assist_prob", "lever0.magnitude")
    factors = {name: factors[name] for name in tiny}
problem = {"num_vars": len(factors), "names": list(factors), "bounds": list(factors.values())}

design = sample.sample(problem, 2 if TINY else 10, num_levels=4, seed=1)
if __name__ == "__main__":
    with Pool(f) as pool:  # the project's worker pool (local processes, or a Dask scheduler)
        rows = pool.map([dict(zip(problem["names"], x, strict=True)) for x in design])
    y = [row[OUTCOME] for row in rows]
    result = analyze.analyze(problem, design, np.array(y), num_levels=4, seed=1)
    order = sorted(range(len(factors)), key=lambda i: -result["mu_star"][i])
    print(f"Morris, {OUTCOME}, {len(design)} evaluations")
    for i in order:
        print(f"  {problem['names'][i]:28s} mu* {result['mu_star'][i]:12,.1f}  "
              f"sigma {result['sigma'][i]:12,.1f}")  # fmt: skip
