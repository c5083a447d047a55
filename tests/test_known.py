"""No look-ahead: a hindcast at cut-off T uses no input dated after T."""

import numpy as np
import pytest

from adoption.calendar import parse_month
from adoption.calibration import hindcast as hindcast_module
from adoption.calibration.observations import fit_figures
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import Simulator
from adoption.model.model import AdoptionModel
from adoption.places.known import SUPPLY_TARGET, known_by, latest_input
from adoption.places.profiles import load_profiles

CUTOFFS = ("2021-12", "2022-12", "2023-12")


@pytest.mark.parametrize("until", CUTOFFS)
def test_no_profile_input_dated_after_the_cutoff_is_kept(until):
    profiles = load_profiles()
    assert latest_input(profiles) > parse_month(until)  # the shipped profiles do hold some
    assert latest_input(known_by(profiles, until)) <= parse_month(until)


@pytest.mark.parametrize("until", CUTOFFS)
def test_a_hindcast_run_offers_what_was_known_then_the_stated_rule(until):
    """The simulator of a hindcast builds its runs from the cut profiles: after the cut-off
    every desk's share of procedures online heads linearly from its value at the cut-off
    for the national target decided before it (80 % by 2025-12), then stays there."""
    later = hindcast_module.split(fit_figures(), until)["later"]
    simulator = Simulator(later, Settings(known_by=until, scale=0.04, district_target_scale=0.04,
                                          target_communes_full_scale=False))  # fmt: skip
    assert latest_input(simulator.profiles) <= parse_month(until)
    model = AdoptionModel(spec=simulator.spec({}, 1))
    cut, goal = parse_month(until), parse_month(SUPPLY_TARGET["month"])
    share = model.offices.online_share
    now = share[model.months == cut][0]
    after = model.months > cut
    progress = np.minimum(1.0, (model.months[after] - cut) / (goal - cut))[:, None]
    expected = now + (np.maximum(now, SUPPLY_TARGET["value"]) - now) * progress
    assert np.allclose(share[after], expected)
    model.release()


def test_before_the_target_was_decided_a_schedule_stays_at_its_last_point():
    profiles = known_by(load_profiles(), "2019-12")
    for profile in profiles:
        assert profile.online_share.months[-1] <= parse_month("2019-12")


def test_the_hindcast_calibrates_with_its_cutoff(monkeypatch, tmp_path):
    seen = []

    def calibrate(figures, priors, settings, **kw):
        seen.append((settings.known_by, figures["date_end"].map(parse_month).max()))
        raise KeyboardInterrupt  # stop here: the rest is tested elsewhere

    monkeypatch.setattr(hindcast_module, "calibrate", calibrate)
    with pytest.raises(KeyboardInterrupt):
        hindcast_module.hindcast("2022-12", tmp_path, Settings(), progress=False)
    assert seen == [("2022-12", seen[0][1])] and seen[0][1] <= parse_month("2022-12")
