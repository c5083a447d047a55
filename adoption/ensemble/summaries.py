"""Summaries of forecast ensembles: quantiles over runs, paired differences, costs.

Tidy tables with the median, mean and 50 %/90 % intervals over runs, one row per
month x place x indicator (:func:`summarise`); the same for the run-by-run
difference of two paired ensembles (:func:`differences`); and cost per additional
adopting household (:func:`costs`). Values are already in real units (the model
converts them): nothing here knows about the scale.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from adoption.calendar import format_month, parse_month, to_timestamps
from adoption.ensemble.observed import observation_quantiles
from adoption.ensemble.run import Ensemble
from adoption.ensemble.spread import QUANTILES, quantiles
from adoption.model.indicators import FORECAST
from adoption.model.outcomes import SERVICES as OUTCOME_SERVICES
from adoption.model.outcomes import Window, household_years, lever_window, present_cost
from adoption.model.units import LEVELS as UNIT_LEVELS
from adoption.model.units import from_reform

#: Adoption counts costed per additional household: service -> name in the measure.
SERVICES: dict[str, str] = {
    "any": "household",
    "online": "online_filer",
    "app": "app_household",
    "cashless": "cashless_household",
}
#: Months at which costs per additional household are reported (if within the period).
COST_DATES = ("2025-12", "2030-12")


def _table(ensemble: Ensemble, stats: dict[str, np.ndarray], **columns) -> pd.DataFrame:
    """Long table of per-(month, place, indicator) statistics."""
    months, places_ = ensemble.months, ensemble.places
    n_t, n_p, n_k = len(months), len(places_), len(FORECAST)
    frame = pd.DataFrame(
        {
            **columns,
            "date": np.repeat(to_timestamps(months).values, n_p * n_k),
            "place": np.tile(np.repeat(places_["place"].values, n_k), n_t),
            "level": np.tile(np.repeat(places_["level"].values, n_k), n_t),
            "district": np.tile(np.repeat(places_["district"].values, n_k), n_t),
            "indicator": np.tile(np.array(FORECAST, dtype=object), n_t * n_p),
            "runs": len(ensemble.tasks),
            **{name: stats[name].astype(np.float64).ravel() for name in ("mean", *QUANTILES)},
        }
    )
    return frame


def summarise(ensemble: Ensemble) -> pd.DataFrame:
    """Tidy forecast: one row per month x place x indicator, with mean, median and intervals.

    Columns: ``scenario, date, place, level, district, indicator, runs, mean,
    q05, q25, median, q75, q95`` (the model's spread; counts in real units) and
    ``obs_q05, obs_q25, obs_q75, obs_q95``: where a figure reported about the place would
    fall (observation model; shares at districts and the total, else empty:
    :mod:`adoption.ensemble.observed`). Places: communes, districts, the 2025 new communes
    and provinces (levels ``commune_2025``, ``province_2025``; from 2025-07 only:
    :mod:`adoption.model.units`) and the total.
    """
    stats = quantiles(ensemble.values)
    table = _table(ensemble, stats, scenario=ensemble.name)
    for column, values in observation_quantiles(ensemble).items():
        table[column] = values.ravel()
    return from_reform(table)


def _check_paired(a: Ensemble, b: Ensemble) -> None:
    same = [t.seed for t in a.tasks] == [t.seed for t in b.tasks] and [t.draw for t in a.tasks] == [
        t.draw for t in b.tasks
    ]
    if not same or a.values.shape != b.values.shape:
        raise ValueError(
            f"{a.name!r} and {b.name!r} are not paired: they need the same seed, runs, "
            "period, districts, scale and parameter source"
        )


def differences(scenario: Ensemble, versus: Ensemble) -> pd.DataFrame:
    """Paired differences ``scenario - versus``, run by run, summarised like :func:`summarise`.

    Both ensembles must share draws and seeds (same seed, runs, period, places):
    the difference of each pair of runs is then the effect of the levers alone.
    """
    _check_paired(scenario, versus)
    diff = scenario.values - versus.values
    stats = quantiles(diff)
    table = _table(scenario, stats, scenario=scenario.name)
    table.insert(1, "versus", versus.name)
    return from_reform(table)


def costs(scenario: Ensemble, versus: Ensemble, dates: Iterable[str] | None = None) -> pd.DataFrame:
    """Cost and cost per additional adopting household, against ``versus``, per place.

    ``dates`` default to :data:`COST_DATES` within the period and the period's
    last month. An *adopting household* uses at least one of online filing, the citizen app
    and cashless bills (``households_any``). For each run ``r`` and date:
    additional cost = cost_r(scenario) - cost_r(versus) (VND, cumulative since
    the start of the period), additional households = households_any_r(scenario)
    - households_any_r(versus), and their ratio. A run whose levers add no
    household has an unbounded ratio (counted as +inf); a quantile that falls
    on such runs is reported as NaN (unbounded), never as a number.

    The same is reported for each service alone (online filers, app households,
    cashless households): a lever can add online filers without adding
    households that use *some* service. Office levers add online *files*
    rather than households: ``additional_online_files`` (cumulative since the
    start of the period) and ``cost_per_additional_online_file_vnd``.

    Places as in :func:`summarise` but no 2025 new commune: a former district's desk and
    its spending served several of them, so their costs are not counted apart.

    Only the places where a lever acts (some run's cost, households or online files differ
    from the reference there) and the total are kept; money is also given in million VND
    (``median_million_vnd``, ``q05_million_vnd``, ``q95_million_vnd``; empty for other
    measures).

    Returns:
        Long table ``scenario, versus, date, place, level, district, measure, mean,
        q05, q25, median, q75, q95, runs`` (+ the million VND columns) with measures ``cost_vnd``,
        ``additional_cost_vnd``, ``additional_households_{any,online,app,cashless}``,
        ``household_years_{any,online,app,cashless}`` (household-years of use gained from
        the first lever's start to the date, discounted at the scenario's rate),
        ``cost_per_household_year_vnd``, ``cost_per_additional_household_vnd`` (any service),
        ``cost_per_additional_online_filer_vnd``, ``..._app_household_vnd`` and
        ``..._cashless_household_vnd``.
    """
    _check_paired(scenario, versus)
    if dates is None:  # 2025-12 and 2030-12 where in the period, and the period's last month
        dates = [*COST_DATES, format_month(int(scenario.months[-1]))]
    dates = list(dict.fromkeys(dates))
    k_cost = FORECAST.index("cost_vnd")
    a, b = scenario.values, versus.values
    rows = []
    for date in dates:
        month = parse_month(date)
        if month not in scenario.months:
            continue
        t = int(np.flatnonzero(scenario.months == month)[0])
        cost = a[:, t, :, k_cost].astype(np.float64)
        extra_cost = cost - b[:, t, :, k_cost]
        measures = {"cost_vnd": cost, "additional_cost_vnd": extra_cost}
        for service, suffix in SERVICES.items():
            k = FORECAST.index(f"households_{service}")
            extra = (a[:, t, :, k] - b[:, t, :, k]).astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(extra > 0, extra_cost / np.where(extra > 0, extra, 1), np.inf)
            measures[f"additional_households_{service}"] = extra
            measures[f"cost_per_additional_{suffix}_vnd"] = ratio
        window = lever_window(scenario.scenario, scenario.scenario.discount_rate)
        window = Window(window.start, month, window.discount)
        for service, indicator in OUTCOME_SERVICES.items():
            k = FORECAST.index(indicator)
            gained = a[:, :, :, k].astype(np.float64) - b[:, :, :, k]
            measures[f"household_years_{service}"] = household_years(
                gained, scenario.months, window, axis=1
            )
        years = measures["household_years_any"]
        gap = a[:, :, :, k_cost].astype(np.float64) - b[:, :, :, k_cost]
        present = present_cost(gap, scenario.months, window, axis=1)  # discounted as the years
        with np.errstate(invalid="ignore", divide="ignore"):
            measures["cost_per_household_year_vnd"] = np.where(
                years > 0, present / np.where(years > 0, years, 1), np.inf
            )
        k = FORECAST.index("files_online")  # office levers add online files, not households
        files = (a[:, : t + 1, :, k].astype(np.float64) - b[:, : t + 1, :, k]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(files > 0, extra_cost / np.where(files > 0, files, 1), np.inf)
        measures["additional_online_files"] = files
        measures["cost_per_additional_online_file_vnd"] = ratio
        for measure, values in measures.items():
            stats = quantiles(values)
            if measure.startswith("cost_per"):
                stats["mean"] = np.where(np.isinf(values).any(axis=0), np.nan, stats["mean"])
            frame = scenario.places.copy()
            frame.insert(0, "measure", measure)
            frame.insert(0, "date", pd.Timestamp(format_month(month) + "-01"))
            frame.insert(0, "versus", versus.name)
            frame.insert(0, "scenario", scenario.name)
            for name in ("mean", *QUANTILES):
                column = stats[name].astype(np.float64)
                frame[name] = np.where(np.isfinite(column), column, np.nan)
            frame["runs"] = len(scenario.tasks)
            rows.append(frame[frame["level"] != UNIT_LEVELS["commune"]])  # cost: not by new commune
    return (
        _for_planners(from_reform(pd.concat(rows, ignore_index=True))) if rows else pd.DataFrame()
    )


#: Measures that show a lever acting at a place (any run not zero).
_ACTING = ("additional_cost_vnd", "additional_households_any", "additional_online_files")


def _for_planners(table: pd.DataFrame) -> pd.DataFrame:
    """Only the places where a lever acts (and the total); money also in million VND."""
    acting = table["measure"].isin(_ACTING) & ((table["q05"] != 0) | (table["q95"] != 0))
    key = table["place"] + "|" + table["level"] + "|" + table["district"]  # names repeat
    keep = key.isin(set(key[acting])) | (table["level"] == "total")
    table = table[keep.to_numpy()].reset_index(drop=True)
    money = table["measure"].str.endswith("_vnd").to_numpy()
    for column in ("median", "q05", "q95"):
        table[f"{column}_million_vnd"] = np.where(money, table[column] / 1e6, np.nan)
    return table
