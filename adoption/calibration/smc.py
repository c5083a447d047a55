"""The default sampler: tempered SMC with pseudo-marginal MCMC moves (``method = "smc"``).

A resample-move SMC sampler (Del Moral, Doucet & Jasra 2006; Chopin 2002). The
likelihood of a parameter set is estimated by one simulation (the noise model's
:func:`~adoption.calibration.noise.log_likelihood` of its statistics); its expectation
over the simulator's randomness is the likelihood of the noise model, so the sampler
targets the exact posterior under the noise model. Stage by stage, the particles are
re-weighted from ``L^beta`` to ``L^beta'`` with ``beta'`` chosen so that the effective
sample size stays at ``Settings.target_ess`` of the population, resampled, and moved
by ``Settings.moves`` random-walk Metropolis-Hastings steps (one simulation each). With a
one-simulation estimate of the likelihood, a move at ``beta < 1`` leaves prior ×
E[L̂^beta] invariant, not exactly the tempered posterior (a bridge, not a target); at
``beta = 1`` (the last stage) it is exact. Importance weights never involve a proposal
density, which in 12 dimensions made the weights of the earlier ABC-SMC
(:mod:`adoption.calibration.pyabc_method`) degenerate.

This module owns the sampler, the unbounded parameter scale it moves on
(:class:`ParameterSpace`) and the SQLite record of its generations (:class:`_Store`,
which makes a run resumable). Simulations run in :class:`adoption.pool.Pool`; the
result is a :class:`~adoption.calibration.result.Posterior`.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from adoption.calibration.noise import integrated, log_likelihood, prior_draws
from adoption.calibration.result import Posterior
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import Simulator
from adoption.calibration.targets import Prior
from adoption.errors import UserError
from adoption.model.params import Params
from adoption.model.sizes import batch_runs
from adoption.pool import Pool, bar_disabled

#: Columns of the per-generation record of the SMC sampler (``generations.csv``).
STAGE_COLUMNS = (
    "t",
    "beta",
    "epsilon",
    "ess",
    "unique_particles",
    "acceptance_rate",
    "samples",
    "wall_time",
    "population_end_time",
    "step_scale",
)


class ParameterSpace:
    """The calibrated parameters on an unbounded scale: ``z = logit(F(x))``, ``F`` the prior CDF.

    Under the prior every ``z`` is independently standard logistic, whatever the prior's
    family, so the prior density is known in closed form; bounds disappear, so a Gaussian
    random walk needs no reflection, and a posterior piled against a bound becomes a tail.
    """

    def __init__(self, priors: dict[str, Prior]):
        self.names = list(priors)
        self._frozen = [priors[name].frozen() for name in self.names]

    def natural(self, z: np.ndarray) -> dict[str, float]:
        """One point ``z`` -> ``{parameter: value}`` in the parameters' own units."""
        u = np.clip(expit(np.asarray(z, dtype=np.float64)), 1e-15, 1 - 1e-15)
        return {n: float(f.ppf(v)) for n, f, v in zip(self.names, self._frozen, u, strict=True)}

    def natural_frame(self, z: np.ndarray) -> pd.DataFrame:
        """Points (rows of ``z``) -> a DataFrame with one column per parameter."""
        u = np.clip(expit(np.asarray(z, dtype=np.float64)), 1e-15, 1 - 1e-15)
        return pd.DataFrame(
            {
                n: f.ppf(u[:, j])
                for j, (n, f) in enumerate(zip(self.names, self._frozen, strict=True))
            }
        )

    @staticmethod
    def log_prior(z: np.ndarray) -> np.ndarray:
        """Log prior density of ``z`` (standard logistic in every coordinate), per row."""
        a = np.abs(np.asarray(z, dtype=np.float64))
        return np.sum(-a - 2 * np.log1p(np.exp(-a)), axis=-1)


class _LogLikelihood:
    """``[(z, seed), ...] -> [(log-likelihood, observation draw)]``: picklable for workers.

    The observation parameters change no run, so each simulation's likelihood is averaged
    over :data:`Settings.observation_points` quasi-random draws of them from their priors
    (they are integrated out: Rao-Blackwellisation), and one draw is kept with the
    particle, picked in proportion to its likelihood (:func:`~adoption.calibration.noise.
    integrated`), from a generator seeded by the simulation's seed.
    """

    def __init__(self, targets: pd.DataFrame, settings: Settings, space: ParameterSpace,
                 observation_priors: dict[str, Prior]):  # fmt: skip
        self.simulator = Simulator(targets, settings)
        self.space = space
        self.reporting_sd = settings.reporting_sd
        self.draws = prior_draws(observation_priors, settings.observation_points, settings.seed)
        self.observed = list(observation_priors)  # the integrated parameters

    def __call__(self, jobs: tuple[tuple[np.ndarray, int], ...]) -> list[tuple[float, int]]:
        points = [self.space.natural(z) for z, _ in jobs]
        seeds = [int(seed) for _, seed in jobs]
        runs = self.simulator.run_many(list(zip(points, seeds, strict=True)))
        out = []
        for stats, seed in zip(runs, seeds, strict=True):
            loglik = log_likelihood(stats, self.simulator.targets, self.reporting_sd, self.draws)
            out.append(integrated(loglik, np.random.default_rng([seed, 1])))
        return out

    def observation_frame(self, index: np.ndarray) -> pd.DataFrame:
        """The kept observation draws of particles (one row each; parameters with a prior)."""
        return pd.DataFrame({n: self.draws[n][index] for n in self.observed})


class _Store:
    """A run's generations in SQLite: one row per generation, one row per particle and generation.

    A generation's particles are written before its record, so a run interrupted
    mid-write resumes from the last generation whose record exists.
    """

    def __init__(self, path: Path, names: list[str]):
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(str(path))
        self.names = names
        self.columns = ", ".join(f'"z_{n}" REAL' for n in names)

    def reset(self) -> None:
        with self.connection as c:
            c.execute("DROP TABLE IF EXISTS smc_stages")
            c.execute("DROP TABLE IF EXISTS smc_particles")
            c.execute(f"CREATE TABLE smc_stages ({', '.join(STAGE_COLUMNS)})")
            c.execute(
                f"CREATE TABLE smc_particles (t INTEGER, particle INTEGER, loglik REAL, "
                f"draw INTEGER, {self.columns})"
            )

    def save(self, record: dict, z: np.ndarray, loglik: np.ndarray, draw: np.ndarray) -> None:
        t = int(record["t"])
        rows = [(t, i, float(loglik[i]), int(draw[i]), *map(float, z[i])) for i in range(len(z))]
        marks = ", ".join("?" * (4 + len(self.names)))
        with self.connection as c:
            c.execute("DELETE FROM smc_particles WHERE t >= ?", (t,))
            c.executemany(f"INSERT INTO smc_particles VALUES ({marks})", rows)
        with self.connection as c:
            values = [record[k] for k in STAGE_COLUMNS]
            c.execute(f"INSERT INTO smc_stages VALUES ({', '.join('?' * len(values))})", values)

    def load(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray] | None:
        """The records, and the last generation's points, log-likelihoods and draws."""
        try:
            stages = pd.read_sql("SELECT * FROM smc_stages ORDER BY t", self.connection)
        except Exception:  # noqa: BLE001 - no such table: nothing to resume
            return None
        if stages.empty:
            return None
        last = int(stages["t"].iloc[-1])
        particles = pd.read_sql(
            "SELECT * FROM smc_particles WHERE t = ? ORDER BY particle",
            self.connection,
            params=(last,),
        )
        columns = [f"z_{n}" for n in self.names]
        if list(particles.columns[3:]) != ["draw", *columns]:
            raise UserError("--resume", "parameters", "the database was run with other priors")
        z, loglik = particles[columns].to_numpy(), particles["loglik"].to_numpy()
        return stages, z, loglik, particles["draw"].to_numpy()

    def close(self) -> None:
        self.connection.close()


def _ess_log(log_weights: np.ndarray) -> float:
    """Effective sample size of weights given by their logarithms (-inf: weight 0)."""
    finite = np.isfinite(log_weights)
    if not finite.any():
        return 0.0
    w = np.exp(log_weights[finite] - log_weights[finite].max())
    return float(w.sum() ** 2 / np.sum(w**2))


def _next_beta(loglik: np.ndarray, beta: float, target: float) -> float:
    """The largest inverse temperature <= 1 whose re-weighting keeps ESS >= ``target``."""
    increment = np.where(np.isfinite(loglik), loglik, -np.inf)
    if _ess_log((1.0 - beta) * increment) >= target:
        return 1.0
    low, high = beta, 1.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if _ess_log((mid - beta) * increment) >= target else (low, mid)
    return low


def _systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of the particles kept by systematic resampling (one uniform draw)."""
    n = len(weights)
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights / weights.sum()), positions), n - 1)


def _calibrate_smc(targets, priors, settings: Settings, db: Path, resume, progress) -> Posterior:
    """Tempered SMC with pseudo-marginal random-walk Metropolis-Hastings moves.

    Generation 0 samples the prior. Each later generation (stage) raises the inverse
    temperature ``beta`` as far as keeps an effective sample size of
    ``target_ess * population_size`` (to 1 at the last allowed generation), re-weights
    the particles by ``L^(beta' - beta)``, resamples them (systematic resampling) and
    moves every particle ``moves`` times: a Gaussian random-walk step in
    :class:`ParameterSpace` with the particles' covariance times ``(2.38 / sqrt(d))^2``
    and an adaptive factor, accepted with probability
    ``min(1, prior(z') L'^beta / (prior(z) L^beta))``. ``L`` is one simulation's
    likelihood, kept with its particle until a move is accepted (pseudo-marginal MCMC: the
    chain targets the posterior under the exact noise-model likelihood). Random numbers
    come from ``(seed, generation)``, so a resumed run, or one with any number of
    workers, gives the same particles as an uninterrupted one.
    """
    from tqdm.auto import tqdm

    observation = Params.observation_only()
    space = ParameterSpace({n: p for n, p in priors.items() if n not in observation})
    store = _Store(db, space.names)
    state = _start(store, db, resume, settings.population_size)
    records = state[0].to_dict("records") if state else []
    quiet = bar_disabled(progress)
    bar = tqdm(total=settings.max_generations, initial=len(records), unit="gen", disable=quiet)
    function = _LogLikelihood(
        targets, settings, space, {n: p for n, p in priors.items() if n in observation}
    )
    lost = "every finished generation is kept in the database"
    try:
        with Pool(function, settings.workers, settings.scheduler, lost=lost) as pool:
            sampler = _Sampler(pool, space, settings, function.simulator.households)
            if state is None:
                record, z, loglik, draw = sampler.prior()
                _keep(store, records, bar, record, z, loglik, draw)
            else:
                z, loglik, draw = state[1], state[2], state[3]
            beta, scale = float(records[-1]["beta"]), float(records[-1]["step_scale"])
            t = int(records[-1]["t"])
            while beta < 1.0:
                t += 1
                record, z, loglik, draw = sampler.stage(t, beta, scale, z, loglik, draw)
                beta, scale = record["beta"], record["step_scale"]
                _keep(store, records, bar, record, z, loglik, draw)
                bar.set_postfix_str(f"beta={beta:.3g}, ESS={record['ess']:.0f}", refresh=True)
    finally:
        bar.close()
        store.close()
    generations = pd.DataFrame(records)
    generations["particles"] = settings.population_size
    n = settings.population_size
    particles = pd.concat([space.natural_frame(z), function.observation_frame(draw)], axis=1)
    return Posterior(particles, np.full(n, 1.0 / n), generations, settings, str(db))


def _start(store: _Store, db: Path, resume: bool, population: int):
    """The state to resume from (:meth:`_Store.load`), or None after emptying the store."""
    if not resume:
        store.reset()
        return None
    state = store.load()
    if state is None:
        store.close()
        raise UserError(db, "--resume", "no SMC run in this database to resume")
    if len(state[1]) != population:
        store.close()
        problem = f"the run there has {len(state[1])} particles: resume it with that --population"
        raise UserError(db, "--resume", problem)
    return state


def _keep(store: _Store, records: list, bar, record: dict, z, loglik, draw) -> None:
    """A finished generation: into the database and the records, one step of the bar."""
    store.save(record, z, loglik, draw)
    records.append(record)
    bar.update(1)


class _Sampler:
    """The generations of one run, each from its own random stream ``(seed, generation)``."""

    def __init__(self, pool: Pool, space: ParameterSpace, settings: Settings, households: int):
        self.pool, self.space, self.settings = pool, space, settings
        self.n, self.d = settings.population_size, len(space.names)
        self.households = households

    def simulate(self, z: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Log-likelihoods of one simulation at each point, and their observation draws.

        Seeds are drawn from ``rng``.

        The simulations go to the workers in batches (:func:`adoption.model.sizes.batch_runs`);
        a simulation's result does not depend on its batch.
        """
        seeds = rng.integers(2**31 - 1, size=len(z))
        jobs = list(zip(z, seeds, strict=True))
        size = batch_runs(self.households, len(jobs), self.pool.workers)
        batches = [tuple(jobs[i : i + size]) for i in range(0, len(jobs), size)]
        pairs = [pair for batch in self.pool.map(batches) for pair in batch]
        return np.array([p[0] for p in pairs], np.float64), np.array([p[1] for p in pairs], int)

    def prior(self) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
        """Generation 0: a sample of the prior: its record, points, log-likelihoods, draws."""
        start = time.perf_counter()
        rng = np.random.default_rng([self.settings.seed, 0])
        z = rng.logistic(size=(self.n, self.d))
        loglik, draw = self.simulate(z, rng)
        if not np.isfinite(loglik).any():
            raise RuntimeError("no prior simulation has a finite likelihood")
        record = _stage_record(0, 0.0, float(self.n), z, np.nan, self.n, start, 1.0)
        return record, z, loglik, draw

    def stage(self, t: int, beta: float, scale: float, z, loglik, draw):
        """Generation ``t``: re-weight to the next temperature, resample, move.

        Returns:
            The generation's record, points, log-likelihoods and observation draws.
        """
        start = time.perf_counter()
        rng = np.random.default_rng([self.settings.seed, t])
        if t >= self.settings.max_generations - 1:
            new_beta = 1.0
        else:
            new_beta = _next_beta(loglik, beta, self.settings.target_ess * self.n)
        log_w = (new_beta - beta) * np.where(np.isfinite(loglik), loglik, -np.inf)
        ess = _ess_log(log_w)
        keep = _systematic_resample(np.exp(log_w - np.max(log_w)), rng)
        particles = (z[keep], loglik[keep], draw[keep])
        z, loglik, draw, scale, acceptance = self.move(*particles, new_beta, scale, rng)
        samples = self.n * self.settings.moves
        record = _stage_record(t, new_beta, ess, z, acceptance, samples, start, scale)
        return record, z, loglik, draw

    def move(self, z, loglik, draw, beta: float, scale: float, rng: np.random.Generator):
        """``Settings.moves`` Metropolis-Hastings moves of every particle at temperature ``beta``.

        The step size adapts towards an acceptance rate of 0.25. Returns the points, their
        log-likelihoods and observation draws, the step scale and the mean acceptance rate.
        """
        cov = np.atleast_2d(np.cov(z.T)) + 1e-9 * np.eye(self.d)
        accepted = []
        for _ in range(self.settings.moves):
            step = 2.38 / np.sqrt(self.d) * scale
            proposal = z + rng.multivariate_normal(np.zeros(self.d), cov * step**2, size=self.n)
            proposed, proposed_draw = self.simulate(proposal, rng)
            with np.errstate(invalid="ignore"):
                log_ratio = (
                    self.space.log_prior(proposal)
                    + beta * proposed
                    - self.space.log_prior(z)
                    - beta * loglik
                )
            take = np.isfinite(proposed) & (
                np.log(rng.random(self.n)) < np.nan_to_num(log_ratio, nan=np.inf)
            )
            z, loglik = np.where(take[:, None], proposal, z), np.where(take, proposed, loglik)
            draw = np.where(take, proposed_draw, draw)
            accepted.append(take.mean())
            scale *= np.exp(take.mean() - 0.25)  # towards 25 % acceptance
        return z, loglik, draw, scale, float(np.mean(accepted))


def _stage_record(t, beta, ess, z, acceptance, samples, start, scale) -> dict:
    """One row of :data:`STAGE_COLUMNS`; ``start`` is the generation's ``perf_counter``."""
    return {
        "t": t,
        "beta": beta,
        "epsilon": 1.0 / beta if beta > 0 else np.inf,
        "ess": ess,
        "unique_particles": len(np.unique(z, axis=0)),
        "acceptance_rate": acceptance,
        "samples": samples,
        "wall_time": time.perf_counter() - start,
        "population_end_time": datetime.now().isoformat(sep=" "),
        "step_scale": scale,
    }
