"""Pool the shipped hindcasts' scores: the table of issue 20 (coverage, width, skill).

    .venv/bin/python calibration/hindcast_pool.py [FOLDER ...]
    .venv/bin/python calibration/hindcast_pool.py --bands out/baseline/forecast.csv

Reads ``scores.csv`` of each hindcast folder (the three shipped ones by default) and prints,
per forecaster (the model and the naive ones), on point and approximate figures: coverage of
the 90 % and 50 % intervals, median width of the 90 % interval (all figures, and figures of
the model's own communes and districts), mean 90 % interval score and CRPS, and the model's
skill against each forecaster; then the bounds apart. A figure scored by two hindcasts counts
twice (each is a forecast from another cut-off); the table says how many figures that is.
With ``--bands``, the widths of a forecast's bands at 2025-12 instead: the model's own 90 %
band and the observation band, median over the headline indicators and the five districts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from adoption.calibration.naive import BOUNDS, summary
from adoption.calibration.noise import LEVEL_GROUP
from adoption.calibration.observations import fit_figures
from adoption.files import markdown_frame
from adoption.model.indicators import HEADLINE, TOTAL

HERE = Path(__file__).resolve().parent
SHIPPED = [HERE / f"hindcast-{year}-12" for year in (2021, 2022, 2023)]


def pooled(folders: list[Path]) -> pd.DataFrame:
    """Every hindcast's scores, one row per figure and cut-off, with ``cutoff`` and ``local``."""
    figures = fit_figures().set_index("id")
    level = figures["representativeness"].map(LEVEL_GROUP)
    tables = []
    for folder in folders:
        scores = pd.read_csv(folder / "scores.csv")
        scores["cutoff"] = folder.name.removeprefix("hindcast-")
        scores["local"] = scores["id"].map(level).eq("local").to_numpy()
        tables.append(scores)
    return pd.concat(tables, ignore_index=True)


def table(scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`adoption.calibration.naive.summary` with the local figures' median width."""
    out = summary(scores).set_index("forecaster")
    points = ~scores["kind"].isin(BOUNDS) & scores["local"]
    for name in out.index:
        prefix = "" if name == "model" else f"{name}_"
        width = scores.loc[points, f"{prefix}width_90"].astype(float)
        out.loc[name, "median_width_90_local"] = float(width.median())
        out.loc[name, "points_local"] = int(width.notna().sum())
    return out.reset_index()


def band_widths(path: Path, month: str = "2025-12") -> pd.DataFrame:
    """Widths (points) of the model's 90 % band and the observation band, per district."""
    table = pd.read_csv(path)
    rows = table[(table["date"].str.startswith(month)) & table["indicator"].isin(HEADLINE)
                 & (table["level"] == "district") & (table["place"] != TOTAL)]  # fmt: skip
    return rows.assign(model=100 * (rows["q95"] - rows["q05"]),
                       observation=100 * (rows["obs_q95"] - rows["obs_q05"]))[
        ["place", "indicator", "model", "observation"]]  # fmt: skip


def main(argv: list[str]) -> None:
    """Print the pooled table and one per cut-off (or, with --bands, a forecast's widths)."""
    if argv[:1] == ["--bands"]:
        widths = band_widths(Path(argv[1]))
        print(markdown_frame(widths.groupby("indicator")[["model", "observation"]].median()
                             .round(1).reset_index()))  # fmt: skip
        median = widths[["model", "observation"]].median()
        print(f"median over {len(widths)} (indicator, district): model {median['model']:.1f} "
              f"points, observation {median['observation']:.1f} points")  # fmt: skip
        return
    folders = [Path(a) for a in argv] or SHIPPED
    scores = pooled(folders)
    twice = int(scores["id"].duplicated().sum())
    print(f"{len(scores)} scorings of {scores['id'].nunique()} figures ({twice} repeat a figure)")
    print(markdown_frame(table(scores).round(3)))
    for cutoff, part in scores.groupby("cutoff"):
        print(f"\n{cutoff}:")
        print(markdown_frame(table(part).round(3)))


if __name__ == "__main__":
    main(sys.argv[1:])
