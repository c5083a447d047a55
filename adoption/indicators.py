"""Indicators: what the model reports each month, per commune, district and in total.

Each indicator is a small module-level reporter function of the model,
collected by Mesa's ``DataCollector`` after every step; each returns one value
per place (all communes, then all districts, then "All districts"). Rates are
ratios of counts that are reported too, so that a user can re-aggregate over
months or places; a rate whose denominator is zero is NaN.

Flows (files) count what happened in the month; stocks (households, citizens)
are the state at the end of the month. A commune's files are those of its own
desk; a district's are those of all its desks, district desk included.

:func:`tidy` turns a finished model's collected data into one long pandas
DataFrame ``(date, place, level, district, indicator, value)``.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from .calendar import to_timestamps

TOTAL = "All districts"

#: Headline rates: indicator -> (numerator count, denominator count).
RATES: dict[str, tuple[str, str]] = {
    "online_service_rate": ("files_online", "files_total"),
    "online_payment_rate": ("fees_paid_online", "fee_files"),
    "records_digitisation_rate": ("files_digitised", "files_total"),
    "cashless_bill_rate": ("households_cashless", "households"),
    "app_install_rate": ("citizens_app", "citizens"),
}

#: Counts reported alongside the rates, with their meaning.
COUNTS: dict[str, str] = {
    "files_total": "procedure files received in the month",
    "files_online": "files filed online in the month (by the household or by desk staff)",
    "files_assisted": "files desk staff filed online for a visitor in the month",
    "fee_files": "files that carried a fee in the month",
    "fees_paid_online": "fees paid online in the month",
    "files_digitised": "files digitised (online files count as digital) in the month",
    "fee_files_online": "files filed online that carried a fee in the month",
    "households": "households",
    "households_online": "households able and willing to file online (online filers)",
    "households_app": "households with the citizen app installed",
    "households_cashless": "households paying power/water bills through an app",
    "households_verified": "households whose identity a desk has verified",
    "households_smartphone": "households with a smartphone",
    "households_account": "households with a payment account",
    "households_aware": "households made aware of online services (team visit or campaign)",
    "households_any": "households using at least one of online filing, the app, cashless bills",
    "citizens": "people",
    "citizens_app": "people with the citizen app installed",
    "team_visits": "household visits by community teams in the month",
    "teams_active": "community teams that have started",
    "cost_vnd": "cumulative cost, VND: team running costs, interventions, forgone online fees",
}


def _rate(model, name: str) -> np.ndarray:
    numerator, denominator = RATES[name]
    num, den = model.counts[numerator], model.counts[denominator]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1e-300), np.nan)


def online_service_rate(model) -> np.ndarray:
    """Share of the month's procedure files filed online (dịch vụ công trực tuyến)."""
    return _rate(model, "online_service_rate")


def online_payment_rate(model) -> np.ndarray:
    """Share of the month's fee-bearing files whose fee was paid online (thanh toán trực tuyến)."""
    return _rate(model, "online_payment_rate")


def records_digitisation_rate(model) -> np.ndarray:
    """Share of the month's files held digitally (số hóa hồ sơ)."""
    return _rate(model, "records_digitisation_rate")


def cashless_bill_rate(model) -> np.ndarray:
    """Share of households paying electricity and water bills through an app."""
    return _rate(model, "cashless_bill_rate")


def app_install_rate(model) -> np.ndarray:
    """Share of citizens with the provincial citizen app installed."""
    return _rate(model, "app_install_rate")


def procedures_online_share(model) -> np.ndarray:
    """Share of procedures offered online (level 3/4), weighted by where files go."""
    return model.counts["procedures_online_share"]


def count(model, name: str) -> np.ndarray:
    """The count ``name`` of :data:`COUNTS`, per place."""
    return model.counts[name]


def reporters() -> dict:
    """Model reporters for Mesa's ``DataCollector``: every rate, the supply share, every count."""
    out = {
        f.__name__: f
        for f in (
            online_service_rate,
            online_payment_rate,
            records_digitisation_rate,
            cashless_bill_rate,
            app_install_rate,
            procedures_online_share,
        )
    }
    out.update({name: partial(count, name=name) for name in COUNTS})
    return out


def tidy(model) -> pd.DataFrame:
    """All collected indicators as one long table.

    Returns:
        Columns ``date`` (first day of the month), ``place``, ``level``
        (commune, district, total), ``district``, ``indicator`` and ``value``.
    """
    data = model.datacollector.model_vars
    dates = to_timestamps(model.months[: len(next(iter(data.values())))])
    places = model.places
    frames = []
    for indicator, values in data.items():
        matrix = np.asarray(values, dtype=np.float64)  # (months, places)
        frames.append(
            pd.DataFrame(
                {
                    "date": np.repeat(dates.values, len(places)),
                    "place": np.tile(places["place"].values, len(dates)),
                    "level": np.tile(places["level"].values, len(dates)),
                    "district": np.tile(places["district"].values, len(dates)),
                    "indicator": indicator,
                    "value": matrix.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
