"""Community digital teams and one-stop offices, as Mesa agents backed by arrays.

Each :class:`CommunityTeam` (tổ công nghệ số cộng đồng, one per village) and
each :class:`OneStopOffice` (bộ phận một cửa: a desk per commune and one per
district) is a ``mesa.Agent`` registered with the model, so ``model.agents``
lists them and a researcher can inspect or change any one of them. Their state
lives in the arrays of :class:`TeamArrays` and :class:`OfficeArrays`, one entry
per agent, and the rules in :mod:`adoption.model.rules` act on all of them at once;
an agent's attributes read and write its entry. There is no per-agent Python
step.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from adoption.model.params import Params
from adoption.model.population import Structure
from adoption.places.profiles import DistrictProfile


@dataclass
class TeamArrays:
    """One entry per village: that village's community team."""

    start: np.ndarray  # int64 month the team starts visiting
    members: np.ndarray  # float64 members
    effectiveness: np.ndarray  # float64 multiplier on visit effects (training)
    visits: np.ndarray  # int64 households visited last month

    @classmethod
    def build(cls, structure: Structure, profiles: list[DistrictProfile], params: Params):
        """Teams from the commune specs: start month and members of each commune's teams."""
        communes = [c for p in profiles for c in p.communes]
        by_commune = structure.village_commune
        n = structure.n_villages
        return cls(
            start=np.array([c.team_start for c in communes], dtype=np.int64)[by_commune],
            members=np.array([c.team_members for c in communes])[by_commune],
            effectiveness=np.full(n, params.team_effectiveness),
            visits=np.zeros(n, dtype=np.int64),
        )


@dataclass
class OfficeArrays:
    """One entry per desk: desks ``0..C-1`` are commune desks, ``C..C+D-1`` district desks.

    The month-by-desk tables are precomputed for the whole calendar (row = step).
    """

    district: np.ndarray  # int district of each desk
    start: np.ndarray  # int64 month the electronic one-stop desk starts
    computers: np.ndarray  # float64 computers per official (at the start of the run)
    online_share: np.ndarray  # (months, desks) share of procedures offered online
    assist: np.ndarray  # (months, desks) probability staff file online for a visitor
    digitise: np.ndarray  # (months, desks) probability a paper file is digitised
    files: np.ndarray  # int64 files received last month
    computers_by_month: np.ndarray  # (months, desks) computers per official (levers raise it)
    training_by_month: np.ndarray  # (months, desks) multiplier on staff_training (levers)
    #: int64 month from which the desk takes no files (a district desk after the 2025 reform)
    closes: np.ndarray | None = None
    #: int64 month from which the desk verifies identities (its electronic start; a commune
    #: centre also from the reform if its district's desk had started)
    verifies: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        structure: Structure,
        profiles: list[DistrictProfile],
        params: Params,
        months: np.ndarray,
    ):
        """Desks of all communes, then the district desks, with their monthly tables."""
        communes = [c for p in profiles for c in p.communes]
        schedules = [c.online_share for c in communes] + [p.online_share for p in profiles]
        start = np.array([c.desk_start for c in communes] + [p.desk_start for p in profiles])
        computers = np.array(
            [c.computers_per_official for c in communes]
            + [p.computers_per_official for p in profiles]
        )
        district = np.concatenate([structure.commune_district, np.arange(structure.n_districts)])
        shape = (len(months), len(start))
        offices = cls(
            district=district,
            start=start,
            computers=computers,
            online_share=np.stack(
                [s.at(months, params.supply_logit_shift) for s in schedules], axis=1
            ),
            assist=np.zeros(shape),
            digitise=np.zeros(shape),
            files=np.zeros(len(start), dtype=np.int64),
            computers_by_month=np.broadcast_to(computers, shape).copy(),
            training_by_month=np.ones(shape),
        )
        never = np.iinfo(np.int64).max
        reform = np.array([p.reform if p.reform is not None else never for p in profiles])
        n_communes = len(communes)
        offices.closes = np.concatenate([np.full(n_communes, never), reform]).astype(np.int64)
        district_start = start[n_communes:][structure.commune_district]
        centre = np.maximum(district_start, reform[structure.commune_district])
        offices.verifies = np.concatenate(
            [np.minimum(start[:n_communes], centre), start[n_communes:]]
        ).astype(np.int64)
        offices.refresh(params, months)
        return offices

    def absorb(self, months: np.ndarray) -> None:
        """From its district desk's closing, a commune desk is a commune service centre.

        It offers what the district desk offered where that is more: procedures online, staff
        who file online for visitors, digitisation (docs/model.md, Procedures).
        """
        if self.closes is None:
            return
        n_communes = len(self.district) - len(np.unique(self.district))  # then district desks
        district_desk = n_communes + self.district[:n_communes]
        after = months[:, None] >= self.closes[district_desk][None, :]
        for table in (self.online_share, self.assist, self.digitise):
            table[:, :n_communes] = np.where(
                after,
                np.maximum(table[:, :n_communes], table[:, district_desk]),
                table[:, :n_communes],
            )

    def refresh(self, params: Params, months: np.ndarray) -> None:
        """Recompute the assist and digitise tables from computers and training by month."""
        elapsed = months[:, None] - self.start[None, :]
        running = elapsed >= 0
        training = params.staff_training * self.training_by_month
        self.assist = np.where(running, np.minimum(1.0, params.assist_prob * training), 0.0)
        build_up = 1 - np.exp(-np.maximum(elapsed, 0) / params.digitise_tau)
        digitise = params.digitise_max * np.minimum(self.computers_by_month, 1.0) * training
        self.digitise = np.clip(np.where(running, digitise * build_up, 0.0), 0.0, 1.0)
        self.absorb(months)


class CommunityTeam(mesa.Agent):
    """A village's community digital-technology team (tổ công nghệ số cộng đồng).

    From its start month, each member visits ``visits_per_member`` households
    a month (scaled with the population); a visit raises the household's skill,
    makes it aware of online services and adds to its clocks for online filing,
    the citizen app, a payment account and cashless bills (``docs/model.md``,
    submodel "Team visits").
    """

    def __init__(self, model: mesa.Model, village: int) -> None:
        super().__init__(model)
        self.village = village

    @property
    def _arrays(self) -> TeamArrays:
        return self.model.teams

    @property
    def start(self) -> int:
        """Month index from which the team visits households."""
        return int(self._arrays.start[self.village])

    @property
    def members(self) -> float:
        """Number of members."""
        return float(self._arrays.members[self.village])

    @members.setter
    def members(self, value: float) -> None:
        self._arrays.members[self.village] = value

    @property
    def effectiveness(self) -> float:
        """Multiplier on every visit effect (raised by training)."""
        return float(self._arrays.effectiveness[self.village])

    @effectiveness.setter
    def effectiveness(self, value: float) -> None:
        self._arrays.effectiveness[self.village] = value

    @property
    def visits(self) -> int:
        """Households visited in the last month."""
        return int(self._arrays.visits[self.village])

    @property
    def active(self) -> bool:
        """Whether the team has started by the model's current month."""
        return self.model.month >= self.start


class OneStopOffice(mesa.Agent):
    """A one-stop desk (bộ phận một cửa) of a commune or of the district.

    Receives procedure files, verifies a visitor's identity once, may file a
    visitor's procedure online at the desk, digitises paper files, and offers
    a share of procedures online (``docs/model.md``, submodel "Procedures").
    """

    def __init__(self, model: mesa.Model, desk: int, name: str, level: str) -> None:
        super().__init__(model)
        self.desk, self.name, self.level = desk, name, level

    @property
    def _arrays(self) -> OfficeArrays:
        return self.model.offices

    @property
    def online_share(self) -> float:
        """Share of procedures this desk offers online in the current month."""
        return float(self._arrays.online_share[self.model.step_index, self.desk])

    @property
    def assist_prob(self) -> float:
        """Probability staff file a visitor's procedure online, in the current month."""
        return float(self._arrays.assist[self.model.step_index, self.desk])

    @property
    def digitise_prob(self) -> float:
        """Probability a paper file is digitised, in the current month."""
        return float(self._arrays.digitise[self.model.step_index, self.desk])

    @property
    def files(self) -> int:
        """Files received in the last month."""
        return int(self._arrays.files[self.desk])
