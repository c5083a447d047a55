"""The adoption model: households, community teams and one-stop offices of rural districts.

:class:`AdoptionModel` is a ``mesa.Model`` stepped monthly on a calendar
(default 2019-01 to 2030-12). Households are NumPy arrays
(:mod:`adoption.model.population`); teams and offices are Mesa agents whose state is
also held in arrays (:mod:`adoption.model.agents`); each month the rules of
:mod:`adoption.model.rules` update all of them at once, and Mesa's ``DataCollector``
records the indicators of :mod:`adoption.model.indicators`.

Example:
    >>> from adoption import AdoptionModel
    >>> model = AdoptionModel(scale=0.1, rng=1)
    >>> model.run_model()
    >>> table = model.tidy()
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from adoption.calendar import format_month, month_range
from adoption.model import indicators, kernel, reporters, rules
from adoption.model.agents import CommunityTeam, OfficeArrays, OneStopOffice, TeamArrays
from adoption.model.interventions import LeverSetup, build_schedules
from adoption.model.outcomes import MONTHLY as MONTHLY_OUTCOMES
from adoption.model.outcomes import dated_steps as _dated_steps
from adoption.model.params import Params
from adoption.model.population import (
    Households,
    build_households,
    build_structure,
    village_coverage_month,
)
from adoption.model.runspec import RunSpec
from adoption.model.streams import Streams
from adoption.model.units import Units, build_units, place_rows
from adoption.places.profiles import DistrictProfile, check_scale, load_profiles

#: Household flags counted per village each month (they drive peer influence).


def place_table(structure, units: Units | None = None) -> pd.DataFrame:
    """The places reported on, in order: communes, districts, 2025 units, the total.

    The 2025 units (:mod:`adoption.model.units`) are there in forecasts and full records.
    """
    s = structure
    new = place_rows([units]) if units is not None else []
    return pd.DataFrame(
        {
            "place": s.commune_names
            + s.district_names
            + [u["place"] for u in new]
            + [indicators.TOTAL],
            "level": ["commune"] * s.n_communes
            + ["district"] * s.n_districts
            + [u["level"] for u in new]
            + ["total"],
            "district": [s.district_names[d] for d in s.commune_district]
            + s.district_names
            + [u["district"] for u in new]
            + [indicators.TOTAL],
        }
    )


#: The state arrays :meth:`AdoptionModel.release` drops (a released run is read, not stepped).
_STATE = ("households", "teams", "offices", "levers", "draws", "_village", "_innovation",
          "_online_modifier", "_coverage_month", "_base_members", "_base_effectiveness",
          "commune_counts")  # fmt: skip


class AdoptionModel(mesa.Model):
    """Monthly agent-based model of digital public-service adoption.

    Args:
        params, profiles: as in :class:`~adoption.model.runspec.RunSpec` (given first, as most
            callers give them).
        spec: the run (:class:`~adoption.model.runspec.RunSpec`); ``settings`` are its
            attributes by keyword (``AdoptionModel(scale=0.1, rng=1)``) and override it.
        households: start from these households instead of drawing a population (a fork's
            twin: :func:`adoption.decisions.fork.fork` gives it the stepped households of the
            run without levers; the levers' set-up then acts on them). Taken, not copied.
    """

    def __init__(
        self,
        params: Params | None = None,
        profiles: list[DistrictProfile] | None = None,
        *,
        spec: RunSpec | None = None,
        households: Households | None = None,
        **settings,
    ) -> None:
        spec = (spec or RunSpec()).replace(
            **{k: v for k, v in (("params", params), ("profiles", profiles)) if v is not None},
            **settings,
        )
        #: What this run is (a fork is the same spec with other levers).
        self.spec = spec
        rng, scale, commune_scale = spec.rng, spec.scale, spec.commune_scale
        heterogeneity, teams, record = spec.heterogeneity, spec.teams, spec.record
        streams = Streams(rng)
        super().__init__(rng=streams.seed)
        self.params = spec.params if spec.params is not None else Params()
        self.profiles = (
            list(spec.profiles)
            if spec.profiles is not None
            else load_profiles(
                spec.profile_path, list(spec.districts) if spec.districts is not None else None
            )
        )
        check_scale(scale, self.profiles, "AdoptionModel", "scale")
        for name, value in (commune_scale or {}).items():
            check_scale(value, self.profiles, "AdoptionModel", f"commune_scale[{name!r}]")
        self.months = month_range(spec.start, spec.end)
        self.scale, self.streams = scale, streams
        self.use_teams, self.use_offices = teams, spec.offices
        self.structure = build_structure(self.profiles, scale, commune_scale)
        if households is None:
            households = build_households(
                self.structure, self.profiles, self.params, streams, int(self.months[0]),
                heterogeneity,
            )  # fmt: skip
        self.households = households
        #: The month's random draws (:class:`~adoption.model.kernel.Draws`).
        self.draws = kernel.Draws([streams], np.array([0, self.households.n]))
        self._coverage_month = (
            village_coverage_month(self.structure, self.profiles, streams, int(self.months[0]))
            if heterogeneity
            else np.full(self.structure.n_villages, self.months[0])
        )
        self._app_launch = np.array([p.app_launch for p in self.profiles])
        if not heterogeneity:
            self._app_launch[:] = self.months[0]
        self._online_modifier = (1 + self.params.distance_effect * self.households.distance).astype(
            np.float32
        )
        self._innovation = rules.innovation_terms(
            self.households.aware, self.households.attitude, self._online_modifier, self.params
        )
        self.teams = TeamArrays.build(self.structure, self.profiles, self.params)
        if not teams:
            self.teams.start[:] = np.iinfo(np.int64).max
        self.offices = OfficeArrays.build(self.structure, self.profiles, self.params, self.months)
        self.interventions = list(spec.interventions)
        self._base_members = self.teams.members.copy()
        setup = LeverSetup(
            structure=self.structure,
            months=self.months,
            households=self.households,
            offices=self.offices,
            coverage_month=self._coverage_month,
            base_members=self._base_members,
            streams=streams,
            params=self.params,
        )
        self.levers = build_schedules(self.interventions, setup)
        self._add_status_quo_campaigns()
        #: Share of an app household's other adults still without the app, by months since.
        self.app_stay = np.exp(-self.params.app_spread_hazard * np.arange(len(self.months) + 1))
        self._base_effectiveness = self.teams.effectiveness.copy()
        if record == "all":  # many-run tools never look at the agents
            self._create_agents()
        #: The 2025 units a forecast or a full record also reports on (none for the many-run
        #: records, which read only the old places).
        self.units = build_units(self.structure) if record in ("forecast", "all") else Units()
        self.places = place_table(self.structure, self.units)
        self._village = {
            name: rules.village_counts(getattr(self.households, name), self.structure)
            for name in rules.CLOCKS
        }
        self._cost = np.zeros(self.structure.n_communes + self.structure.n_districts)
        self.counts: dict[str, np.ndarray] = {}
        self.commune_counts: dict[str, np.ndarray] = {}
        self.record = record
        #: The indicators :attr:`trace` keeps (record other than "all"), in its order.
        self.kept = spec.indicators or indicators.FORECAST
        if record == "all":
            self.datacollector = mesa.DataCollector(model_reporters=reporters.reporters())
        else:  # only the forecast indicators, into one array (many-run tools)
            self.datacollector = mesa.DataCollector()
            self._measured = indicators.needed(self.kept)
            self._measured_at: dict[int, tuple] = {}
            if record == "outcomes":
                self._measured_at = {int(t): self._measured for t in _dated_steps(self.months)}
                self._measured = indicators.needed(MONTHLY_OUTCOMES)
            dtype = np.float64 if record == "targets" else np.float32
            shape = (len(self.months), len(self.places), len(self.kept))
            self.trace = np.full(shape, np.nan, dtype)

    # -- set-up ------------------------------------------------------------------------------

    def _add_status_quo_campaigns(self) -> None:
        """Dated campaigns of the profiles (no cost: the status quo), combined with the levers'."""
        s = self.structure
        reach = np.zeros((len(self.months), s.n_villages))
        communes = [c for p in self.profiles for c in p.communes]
        for k, commune in enumerate(communes):
            villages = s.village_commune == k
            for month, share in commune.campaigns:
                step = np.searchsorted(self.months, month)
                if step < len(self.months) and self.months[step] == month:
                    reach[step, villages] = share
        if not reach.any():
            return
        levers = self.levers.campaign_reach
        self.levers.campaign_reach = reach if levers is None else 1 - (1 - levers) * (1 - reach)

    def _create_agents(self) -> None:
        if self.use_teams:
            for village in range(self.structure.n_villages):
                CommunityTeam(self, village)
        if self.use_offices:
            s = self.structure
            for desk, name in enumerate(s.commune_names + s.district_names):
                OneStopOffice(self, desk, name, "commune" if desk < s.n_communes else "district")

    # -- time --------------------------------------------------------------------------------

    @property
    def step_index(self) -> int:
        """Index of the current month in :attr:`months` (the month being or last simulated)."""
        return max(self.steps - 1, 0)

    @property
    def month(self) -> int:
        """Current month as an index (see :mod:`adoption.calendar`)."""
        return int(self.months[self.step_index])

    @property
    def date(self) -> str:
        """Current month as ``YYYY-MM``."""
        return format_month(self.month)

    @property
    def commune_scale(self) -> np.ndarray:
        """Simulated households per real household, per commune."""
        s = self.structure
        return s.village_scale[s.commune_village_start]

    @property
    def district_scale(self) -> np.ndarray:
        """Simulated households per real household, per district (the run's ``scale``)."""
        return np.full(self.structure.n_districts, self.scale)

    @property
    def village_start_of_run(self) -> np.ndarray:
        """First village of each run (one run: ``[0]``)."""
        return np.zeros(1, np.int64)

    @property
    def district_start_of_run(self) -> np.ndarray:
        """First district of each run (one run: ``[0]``)."""
        return np.zeros(1, np.int64)

    @property
    def procedure_rates(self) -> list[float]:
        """Each run's monthly probability that a household needs a procedure."""
        return [self.params.procedure_rate]

    @property
    def cost(self) -> np.ndarray:
        """Cumulative cost per desk (commune desks, then district desks), VND."""
        return self._cost

    # -- the monthly step --------------------------------------------------------------------

    def step(self) -> None:
        """Advance one month (:func:`adoption.model.kernel.step`), then keep its indicators."""
        kernel.step(self)
        if self.record == "all":
            self.datacollector.collect(self)
        else:
            for k, name in enumerate(self.kept):
                if name in self.counts:
                    self.trace[self.step_index, :, k] = self.counts[name]
        if self.steps >= len(self.months):
            self.running = False

    # -- running and results -----------------------------------------------------------------

    def run_model(self) -> None:
        """Step through every month of the calendar."""
        while self.running:
            self.step()

    def tidy(self) -> pd.DataFrame:
        """The collected indicators as a long table (see :func:`adoption.model.reporters.tidy`)."""
        return reporters.tidy(self)

    def release(self) -> None:
        """Drop Mesa's class-level references to this model so it can be garbage-collected.

        Mesa 3.3 keeps a per-model agent-id counter in ``mesa.Agent._ids`` (a
        class attribute keyed by model), which holds every model alive. Call
        this after a run when making many models in one process.

        A Mesa model is also in reference cycles of its own, which only Python's cyclic
        collector frees, and it runs rarely when the objects are few and large (a batch of
        runs). So the state arrays go now; what a finished run is read for stays (its
        ``trace``, ``places``, ``months``, ``counts``, ``datacollector``, ``spec``).
        """
        ids = getattr(mesa.Agent, "_ids", None)  # private in Mesa 3.3; absent in later versions
        if isinstance(ids, dict):
            ids.pop(self, None)
        self.remove_all_agents()
        for name in _STATE:
            self.__dict__.pop(name, None)
