"""Experiments and scenario discovery (PRIM) with the EMA Workbench around ``Evaluator``.

Needs the optional extra: ``pip install -e '.[ema]'``. Run from the repository root::

    python examples/ema_workbench.py             # 100 experiments at 5 % scale, a minute or two
    ADOPTION_EXAMPLE_TINY=1 python examples/ema_workbench.py   # seconds (what CI runs)

The experiments sample the calibrated parameters (uncertainties) over their prior ranges and
run the scenario's own plan (its lever magnitudes, declared as EMA levers, set as one Policy);
PRIM then looks for the parameter box where that plan gains little.
"""

import dataclasses
import os
import sys
from pathlib import Path

# This file shares the package's name: import the package, not this file.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
from ema_workbench import (  # noqa: E402
    Model,
    Policy,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
    perform_experiments,
)
from ema_workbench.analysis import prim  # noqa: E402

from adoption.decisions.experiment import Evaluator  # noqa: E402
from adoption.scenarios.scenario import load_scenario  # noqa: E402

TINY = os.environ.get("ADOPTION_EXAMPLE_TINY") == "1"
OUTCOMES = ["household_years_any", "additional_cost_vnd"]

scenario = load_scenario("scenarios/combined.toml")
if TINY:  # one district: the same code, a smaller problem
    scenario = dataclasses.replace(scenario, districts=["Chợ Đồn"])
f = Evaluator(scenario, seeds=[1], scale=0.05, keep=OUTCOMES)
factors = f.factors()
if TINY:  # three parameters (assist_prob changes no household's use) and one lever
    tiny = ("shared_phone_access", "visit_hazard_online", "assist_prob", "lever0.magnitude")
    factors = {name: factors[name] for name in tiny}
names = {k: k.replace(".", "_") for k in factors}  # EMA names are Python identifiers


def run(**inputs):
    """EMA calls this with keyword arguments; the Evaluator takes our names."""
    return f({k: inputs[v] for k, v in names.items()})


model = Model("adoption", function=run)
model.uncertainties = [RealParameter(names[k], *b) for k, b in factors.items() if "lever" not in k]
model.levers = [RealParameter(names[k], *b) for k, b in factors.items() if "lever" in k]
model.outcomes = [ScalarOutcome(name) for name in OUTCOMES]

# The scenario file's own magnitudes, as one policy (``policies=1`` would draw a random one).
levers = zip(f.lever_names(), scenario.interventions, strict=True)
plan = Policy(scenario.name, **{names[k]: lever.magnitude for k, lever in levers if k in factors})

if __name__ == "__main__":
    n = 8 if TINY else 100
    np.random.seed(1)  # EMA's Latin hypercube draws from NumPy's global generator
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=n, policies=[plan], evaluator=evaluator
        )
    gained = outcomes["household_years_any"]
    print(f"{len(experiments)} experiments; household_years_any median {np.median(gained):,.0f}")
    x = experiments[[names[k] for k in factors if "lever" not in k]]
    box = prim.Prim(x, gained < np.median(gained), threshold=0.5).find_box()
    print(f"PRIM box where the {scenario.name!r} plan gains less than the median:")
    box.inspect(style="table")  # prints the box's limits, coverage and density
