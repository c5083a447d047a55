"""The calibration report: how well the posterior reproduces the targets, and what it learned.

:func:`render_report` writes into ``calibration/report/``:

- ``targets.png`` - each reported figure against the posterior-predictive interval of
  the model's value (with the noise model of :mod:`adoption.calibration`), with z-scores;
- ``marginals.png`` - each parameter's posterior over its prior, with its contraction
  ``1 - posterior variance / prior variance``;
- ``pairs.png`` - the posterior's pairwise scatter;
- ``diagnostics.png`` - per generation: temperature, acceptance rate, effective sample
  size, simulations and wall time;
- ``README.md`` - the page that shows them, says which parameters the data do not
  identify, and lists the settings.

Each figure is a function of tables (returns a matplotlib Figure), so it can be
restyled. This module does not run the calibration.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from adoption.calibration import IDENTIFIED, Posterior, Settings  # noqa: E402
from adoption.calibration.observations import fit_figures  # noqa: E402
from adoption.calibration.posterior import CALIBRATION_DIR  # noqa: E402
from adoption.calibration.predictive import predictive_draws, score_table  # noqa: E402
from adoption.calibration.targets import Prior, load_priors  # noqa: E402
from adoption.files import (
    markdown_frame,
    write_atomic,  # noqa: E402
)


def posterior_predictive(
    posterior: pd.DataFrame,
    targets: pd.DataFrame,
    settings: Settings,
    draws: int = 60,
    seed: int = 1,
) -> pd.DataFrame:
    """Posterior-predictive distribution of each figure's reported value, and its score.

    Draws ``draws`` particles (by weight), simulates each with its own seed, takes the
    model's value at a report month drawn uniformly from the figure's window, and adds
    the observation model's error (:mod:`adoption.calibration.predictive`).

    Returns:
        One row per figure: reported value, kind, predictive mean, quantiles, z on the
        logit scale, whether it lies in the 50 % and 90 % intervals, interval score, CRPS.
    """
    table = score_table(targets, predictive_draws(posterior, targets, settings, draws, seed))
    return table.rename(columns={"draws": "n_draws"})


def targets_figure(predictive: pd.DataFrame) -> Figure:
    """Reported figures (points) against posterior-predictive 50 % and 90 % intervals (bars)."""
    n = len(predictive)
    fig, ax = plt.subplots(figsize=(9, 0.55 * n + 1.6), layout="constrained")
    y = np.arange(n)[::-1]
    ax.hlines(
        y,
        predictive["q05"] * 100,
        predictive["q95"] * 100,
        color="tab:blue",
        lw=2,
        label="posterior predictive, 90 %",
    )
    ax.hlines(
        y,
        predictive["q25"] * 100,
        predictive["q75"] * 100,
        color="tab:blue",
        lw=7,
        alpha=0.6,
        label="50 %",
    )
    markers = {
        "lower_bound": (">", "reported lower bound"),
        "upper_bound": ("<", "reported upper bound"),
    }
    kinds = predictive["kind"].to_numpy()
    for kind, (marker, label) in {**markers, "": ("o", "reported")}.items():
        chosen = (kinds == kind) if kind else ~np.isin(kinds, list(markers))
        if chosen.any():
            ax.plot(predictive.loc[chosen, "reported"] * 100, y[chosen], marker, color="black",
                    ms=9 if kind else 6, linestyle="none", label=label)  # fmt: skip
    labels = [
        f"{r.id}, {r.place} {r.date_start[:4]}  (z = {r.z:+.1f})" for r in predictive.itertuples()
    ]
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlabel("rate (%)")
    ax.set_xlim(0, 100)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    fig.suptitle("Reported figures against the calibrated model")  # centred on the figure
    return fig


def marginals_figure(
    posterior: pd.DataFrame, priors: dict[str, Prior], summary: pd.DataFrame
) -> Figure:
    """Each parameter's weighted posterior histogram over its prior density."""
    names = [c for c in posterior.columns if c != "weight"]
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), layout="constrained")
    contraction = summary.set_index("parameter")["contraction"]
    for ax, name in zip(axes.flat, names, strict=False):
        prior = priors[name].frozen()
        low, high = priors[name].bounds
        grid = np.linspace(low, high, 200)
        ax.hist(
            posterior[name],
            bins=25,
            range=(low, high),
            weights=posterior["weight"],
            density=True,
            color="tab:blue",
            alpha=0.6,
            label="posterior",
        )
        ax.plot(grid, prior.pdf(grid), color="black", lw=1.5, label="prior")
        scale = " (of log10)" if priors[name].distribution == "loguniform" else ""
        ax.set_title(f"{name}\ncontraction{scale} {contraction[name]:.2f}", fontsize=10)
        ax.set_yticks([])
        ax.tick_params(labelsize=8)
        unit = priors[name].unit
        ax.set_xlabel(unit or "value", fontsize=8)
    for ax in axes.flat[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Posterior (bars) over prior (line), by parameter")
    return fig


def pairs_figure(posterior: pd.DataFrame) -> Figure:
    """Pairwise scatter of the posterior particles (marker area by weight)."""
    names = [c for c in posterior.columns if c != "weight"]
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.6 * k, 1.6 * k))
    size = 60 * posterior["weight"] / posterior["weight"].max()
    for i, row in enumerate(names):
        for j, col in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(posterior[row], bins=20, weights=posterior["weight"], color="tab:blue")
            elif i > j:
                ax.scatter(posterior[col], posterior[row], s=size, alpha=0.4, lw=0)
            else:
                ax.axis("off")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == k - 1:
                ax.set_xlabel(col, fontsize=7, rotation=30, ha="right")
            if j == 0:
                ax.set_ylabel(row, fontsize=7, rotation=0, ha="right")
    fig.suptitle("Posterior pair plot (axes span each parameter's posterior range)")
    fig.subplots_adjust(left=0.16, bottom=0.12, top=0.95, wspace=0.05, hspace=0.05)
    return fig


def diagnostics_figure(generations: pd.DataFrame) -> Figure:
    """Per generation: (inverse) temperature, acceptance rate, ESS, simulations, wall time.

    Works for both samplers' records: the SMC sampler's (``beta``, Metropolis-Hastings
    acceptance of the moves, ESS of each re-weighting and distinct particles after the
    moves) and pyabc's (temperature, acceptance of proposals, ESS of the weights).
    """
    smc = "beta" in generations
    panels = [
        ("beta", "inverse temperature β (1 = posterior)", False)
        if smc
        else ("epsilon", "temperature (log scale)", True),
        ("acceptance_rate", "acceptance rate of the moves" if smc else "acceptance rate", False),
        ("ess", "effective sample size", False),
        ("samples", "simulations", False),
        ("wall_time_s", "wall time (s)", False),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(16, 3.2), layout="constrained")
    for ax, (column, label, log) in zip(axes, panels, strict=True):
        ax.plot(generations["t"], generations[column], "o-", label="of the re-weighting")
        if column == "ess" and "unique_particles" in generations:
            ax.plot(
                generations["t"], generations["unique_particles"], "s--", label="distinct particles"
            )
            ax.legend(fontsize=8)
        if column == "acceptance_rate":
            ax.set_ylim(0, max(0.5, float(generations[column].max()) * 1.2))
        if column == "ess" and "particles" in generations:
            ax.set_ylim(0, float(generations["particles"].max()) * 1.05)
        ax.set_xlabel("generation")
        ax.set_title(label, fontsize=10)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    fig.suptitle("Sampler diagnostics per generation")
    return fig


def render_report(folder: str | Path = CALIBRATION_DIR, draws: int = 60, seed: int = 1) -> Path:
    """Render the report of the posterior in ``folder`` into ``folder/report/``.

    Returns:
        The report page's path.
    """
    folder = Path(folder)
    out = folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    priors = load_priors()
    targets = fit_figures()
    posterior = pd.read_csv(folder / "posterior.csv")
    generations = pd.read_csv(folder / "generations.csv")
    settings = _settings(folder / "calibration.toml")
    particles = posterior.drop(columns="weight")
    fitted = Posterior(particles, posterior["weight"].to_numpy(), generations, settings, "")
    summary = fitted.summary(priors)
    write_atomic(folder / "posterior_summary.csv", lambda t: summary.to_csv(t, index=False))
    predictive = posterior_predictive(posterior, targets, settings, draws=draws, seed=seed)
    generations["wall_time_s"] = generations["wall_time"]  # pyabc's seconds per generation
    figures = {
        "targets.png": targets_figure(predictive),
        "marginals.png": marginals_figure(posterior, priors, summary),
        "pairs.png": pairs_figure(posterior),
        "diagnostics.png": diagnostics_figure(generations),
    }
    for name, figure in figures.items():
        write_atomic(out / name, lambda tmp, f=figure: f.savefig(tmp, dpi=100, format="png"))
        plt.close(figure)
    write_atomic(out / "predictive.csv", lambda tmp: predictive.to_csv(tmp, index=False))
    page = _page(predictive, summary, generations, settings, targets, draws, fitted.warning())
    write_atomic(out / "README.md", lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return out / "README.md"


def _settings(path: Path) -> Settings:
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = Settings.__dataclass_fields__
    kwargs = {k: v for k, v in data.items() if k in fields}
    for name in ("scheduler", "known_by"):  # None is written as ""
        kwargs[name] = kwargs.get(name) or None
    return Settings(**kwargs)


def _page(predictive, summary, generations, settings, targets, draws, warning) -> str:
    weak = summary.loc[~summary["identified"], "parameter"].tolist()
    strong = summary.loc[summary["identified"], "parameter"].tolist()
    misfit = predictive.loc[~predictive["inside_90"].astype(bool), "id"].tolist()
    if settings.method == "smc":
        method = (
            'Tempered SMC with pseudo-marginal Metropolis-Hastings moves (`method = "smc"`, '
            f"{settings.moves} moves per particle and stage, target ESS "
            f"{settings.target_ess:.0%}) with the noise model of `adoption/calibration/noise.py`"
        )
    else:
        method = "ABC-SMC (pyabc) with the noise model of `adoption/calibration/noise.py`"
    last = generations.iloc[-1]
    ess_text = f"{last['ess']:.0f}"
    if "unique_particles" in generations:
        ess_text += (
            f" of {settings.population_size} (ESS of the last re-weighting; "
            f"{int(last['unique_particles'])} distinct particles after the moves)"
        )
    lines = [
        "# Calibration report",
        "",
        *([f"> **Warning: {warning}.**", ""] if warning else []),
        f"{method}: {int(generations['samples'].sum()):,} simulations in "
        f"{len(generations)} generations, {settings.population_size} particles, "
        f"{generations['wall_time'].sum() / 60:.1f} min, final temperature "
        f"{generations['epsilon'].iloc[-1]:.3g} (1 = the exact posterior under the noise model), "
        f"final effective sample size {ess_text}.",
        "Regenerate: `adoption calibrate --out calibration --replace` (settings in "
        "`calibration/calibration.toml`), then "
        "`adoption calibration-report`.",
        "",
        "## What the data identify",
        "",
        f"**Not identified by the data** (contraction < {IDENTIFIED}: the posterior is close to "
        f"the prior{'; or the posterior is degenerate' if warning else ''}): "
        f"{', '.join(f'`{w}`' for w in weak) or 'none'}. Forecasts inherit the "
        "prior's uncertainty in these.",
        "",
        f"Identified (contraction ≥ {IDENTIFIED}): "
        f"{', '.join(f'`{s}`' for s in strong) or 'none'}.",
        "",
        "Contraction = 1 − posterior variance / prior variance, of `log10` of the parameter for "
        "log-uniform priors (`contraction_scale`); `contraction_se` is its sampling error.",
        "",
        markdown_frame(summary.round(5)),
        "",
        "![marginals](marginals.png)",
        "",
        "## Targets against the posterior predictive",
        "",
        f"{draws} posterior draws, each at a report month drawn from the figure's window, with "
        "the observation model's error (reporting, sampling, the representativeness offset of "
        "the figure's level, definition and the draw's discrepancy of the figure's level and "
        "family: `docs/methods.md`). z is on the logit scale; a "
        "bound is inside when the interval does not rule it out.",
        "",
        "**Not reproduced** (outside the predictive 90 % interval): "
        f"{', '.join(f'`{m}`' for m in misfit) or 'none'}; inside: "
        f"{predictive['inside_90'].astype(bool).mean():.0%} at 90 %, "
        f"{predictive['inside_50'].astype(bool).mean():.0%} at 50 %.",
        "",
        markdown_frame(predictive.round(4)),
        "",
        "![targets](targets.png)",
        "",
        "## Known limits",
        "",
        "- The texts carry no dates: each target is a window of up to 3.5 years over which the "
        "model's rates move a lot, so predictive intervals are wide and a target can be "
        "matched at some month of its window while missed at others.",
        "- The ~6 % app installs in one May (Lâm Thượng) was a campaign month of unknown year "
        "and reach, which the status-quo model does not simulate; its definition is a "
        "`proxy` (1.0 on the logit scale).",
        "- The discrepancy terms (`obs_sd_local`, `obs_sd_wide` and the family terms "
        "`obs_family_*`) are what the figures say about how far model and reports are apart "
        "beyond reporting, sampling and definition; they are integrated out of each "
        "simulation's likelihood and drawn with each particle. `obs_sd_local` sets the "
        "forecasts' observation band.",
        "- Provinces' and the nation's figures map to the model's districts through calibrated "
        "offsets (`obs_offset_province`; `obs_offset_nation` for shares of people or "
        "households, `obs_offset_nation_files` for shares of files) with their own "
        "uncertainty.",
        "- One `digitise_max` serves Lâm Thượng (63 %) and Trùng Khánh (98.65 %); they pull in "
        "opposite directions.",
        "- Lâm Thượng and Liên Châu (the pilot commune) have no inputs of their own; their "
        "targets pull district-wide parameters.",
        f"- Contractions are estimated from an effective sample of {last['ess']:.0f} "
        "particles (for the SMC sampler, an upper bound: particles that share an ancestor "
        "stay correlated after the moves): `contraction_se` gives their sampling error.",
        "",
        "## Pairs",
        "",
        "![pairs](pairs.png)",
        "",
        "## Diagnostics per generation",
        "",
        markdown_frame(generations.round(4)),
        "",
        "![diagnostics](diagnostics.png)",
        "",
        "## Settings",
        "",
        markdown_frame(pd.DataFrame([settings.to_dict()]).astype(str)),
        "",
    ]
    return "\n".join(lines)
