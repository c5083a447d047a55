"""Decision outcomes: what a run (or a paired pair of runs) means for a planner, as named numbers.

:func:`run_outcomes` turns one run's forecast values (``(months, places, indicators)``,
:data:`adoption.model.indicators.FORECAST`) into a flat ``{name: number}``: each headline
indicator and the households using a service (any, online, app, cashless) at the
target dates, for the five districts together. Given the paired run without the levers
(same posterior draw and seed), it adds what the levers bought: additional households
at each date, **household-years of use gained** over the gain window — the area
between the two curves, ``Σ_t (a_t − b_t) / 12``, optionally discounted at an annual
rate — the additional cost, and the cost per household-year gained.

Names are ``"<outcome>"`` or ``"<outcome>@<YYYY-MM>"``: e.g. ``households_any@2030-12``,
``household_years_any``, ``cost_per_household_year_vnd``. :func:`household_years` is
the one home of the area computation (``costs.csv`` uses it too). This module computes;
it does not run the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.indicators import FORECAST, HEADLINE

#: Services whose households are counted: name -> indicator.
SERVICES = {
    "any": "households_any",
    "online": "households_online",
    "app": "households_app",
    "cashless": "households_cashless",
}
#: Dates at which levels are reported, if within the period (the planners' target years).
DATES = ("2025-12", "2030-12")
#: What :func:`run_outcomes` reads every month (the rest only at :data:`DATES`).
MONTHLY = (*SERVICES.values(), "cost_vnd")


def dated_steps(months: np.ndarray) -> np.ndarray:
    """Indices of the months of :data:`DATES` within ``months``."""
    return np.flatnonzero(np.isin(months, [parse_month(d) for d in DATES]))


@dataclass(frozen=True)
class Window:
    """The months household-years are counted over, and the annual discount rate."""

    start: int  # month index, inclusive
    end: int  # month index, inclusive
    discount: float = 0.0


def household_years(
    gained: np.ndarray, months: np.ndarray, window: Window, axis: int = 0
) -> np.ndarray:
    """Household-years of ``gained`` households (per month along ``axis``) over ``window``.

    Each month counts 1/12 of a year, discounted by ``(1 + discount) ** -(years since the
    window's start)``.
    """
    inside = (months >= window.start) & (months <= window.end)
    years = (months - window.start) / 12.0
    weight = np.where(inside, (1.0 + window.discount) ** -np.maximum(years, 0.0) / 12.0, 0.0)
    shape = [1] * gained.ndim
    shape[axis] = len(months)
    return np.nansum(gained * weight.reshape(shape), axis=axis)


def present_cost(extra_cost: np.ndarray, months: np.ndarray, window: Window, axis: int = 0):
    """The additional cost to the window's end, discounted as :func:`household_years` is.

    ``extra_cost``: the cumulative additional cost per month along ``axis``. Each month's
    spending is discounted by ``(1 + discount) ** -(years since the window's start)`` (none
    before it), so a cost per household-year divides like by like; with no discount this is
    the cumulative difference at the window's end.
    """
    last = int(np.flatnonzero(months <= window.end)[-1])
    if not window.discount:
        return np.take(extra_cost, last, axis=axis)
    spent = np.diff(extra_cost, axis=axis, prepend=0.0)
    years = np.maximum(months - window.start, 0) / 12.0
    weight = np.where(months <= window.end, (1.0 + window.discount) ** -years, 0.0)
    shape = [1] * spent.ndim
    shape[axis] = len(months)
    return np.nansum(spent * weight.reshape(shape), axis=axis)


def run_outcomes(
    values: np.ndarray,
    months: np.ndarray,
    reference: np.ndarray | None = None,
    *,
    window: Window | None = None,
    dates: Iterable[str] = DATES,
    place: int = -1,
) -> dict[str, float]:
    """The outcomes of one run at one place (the total by default; module docstring).

    Args:
        values: the run's ``(months, places, len(FORECAST))`` values.
        months: the month indices of the run.
        reference: the paired run without levers, same shape, or None.
        window: months of the household-years gained (default: the whole period).
        dates: the target dates ``YYYY-MM`` (those outside the period are skipped).
        place: the place's column (the last, the total, by default).
    """
    window = window or Window(int(months[0]), int(months[-1]))
    k = {name: FORECAST.index(name) for name in FORECAST}
    at = [(d, int(np.flatnonzero(months == parse_month(d))[0])) for d in dates
          if parse_month(d) in months]  # fmt: skip
    out: dict[str, float] = {}
    for date, t in at:
        for name in (*HEADLINE, *SERVICES.values()):
            out[f"{name}@{date}"] = float(values[t, place, k[name]])
    if reference is None:
        return out
    for date, t in at:
        for service, name in SERVICES.items():
            gain = values[t, place, k[name]] - reference[t, place, k[name]]
            out[f"additional_households_{service}@{date}"] = float(gain)
    for service, name in SERVICES.items():
        gained = values[:, place, k[name]].astype(float) - reference[:, place, k[name]]
        out[f"household_years_{service}"] = float(household_years(gained, months, window))
    gap = values[:, place, k["cost_vnd"]].astype(float) - reference[:, place, k["cost_vnd"]]
    out["additional_cost_vnd"] = float(present_cost(gap, months, Window(0, window.end)))  # VND paid
    cost, years = float(present_cost(gap, months, window)), out["household_years_any"]
    out["cost_per_household_year_vnd"] = cost / years if years > 0 else float("inf")
    return out


def outcome_names(months: np.ndarray) -> list[str]:
    """Every name :func:`run_outcomes` gives for a paired pair of runs over ``months``."""
    blank = np.zeros((len(months), 1, len(FORECAST)))
    return list(run_outcomes(blank, months, blank))


def check_outcome(name: str, months: np.ndarray, option: str = "--outcome") -> str:
    """``name`` if it is an outcome of a paired pair of runs over ``months``; else one line."""
    allowed = outcome_names(months)
    if name not in allowed:
        raise UserError(option, "outcome", f"{name!r} unknown; allowed: {', '.join(allowed)}")
    return name


def ensemble_outcomes(scenario, reference=None, window: Window | None = None) -> pd.DataFrame:
    """One row per run of an :class:`~adoption.ensemble.Ensemble` (paired with ``reference``)."""
    rows = []
    for r in range(len(scenario.tasks)):
        paired = None if reference is None else reference.values[r]
        rows.append(run_outcomes(scenario.values[r], scenario.months, paired, window=window))
    return pd.DataFrame(rows)


def lever_window(scenario, discount: float = 0.0) -> Window:
    """From the first lever's start to the period's end (the whole period without levers)."""
    starts = [parse_month(lever.start) for lever in scenario.interventions]
    start = min(starts) if starts else parse_month(scenario.start)
    return Window(start, parse_month(scenario.end), discount)


def describe(window: Window) -> str:
    """``"2027-01 to 2030-12, discounted at 3 % a year"``."""
    text = f"{format_month(window.start)} to {format_month(window.end)}"
    return text + (f", discounted at {window.discount:.0%} a year" if window.discount else "")
