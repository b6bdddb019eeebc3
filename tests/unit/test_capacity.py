"""Capacities resolved per locality: stated, unlimited, or sized to the population (issue 8, item 7)."""

from __future__ import annotations

import datetime as dt

import pytest

from carecoord.calendar import Calendar
from carecoord.cohort import generate_cohort
from carecoord.model.world import World
from carecoord.plausibility import open_hours
from carecoord.scenario import Scenario
from carecoord.scenario.base import weekday_hours
from carecoord.scenario.capacity import (
    FAR_BELOW,
    capacity_fix,
    locality_capacity,
    shared_capacity,
    stated_capacity_problems,
)
from tests.conftest import LoadTiny

DEFAULTS = (
    "services.gp.capacity=by_population",
    "services.community_nursing.capacity=by_population",
    "services.social_work.capacity=by_population",
    "services.home_care.capacity=by_population",
    "services.intermediate_care.capacity=by_population",
)


def _capacities(scenario: Scenario, service: str) -> list[int | None]:
    return [locality_capacity(scenario, service, i) for i in range(len(scenario.localities))]


def test_defaults_are_sized_to_each_locality(load_tiny: LoadTiny) -> None:
    """Without a stated capacity, each locality gets capacity_per_1000_patients x cohort_size / 1,000."""
    scenario = load_tiny(*DEFAULTS, "localities.east.cohort_size=9000")  # west keeps 150 patients
    per_1000 = {s: getattr(scenario.services, s).capacity_per_1000_patients for s in ("gp", "home_care")}
    assert _capacities(scenario, "gp") == [round(9 * per_1000["gp"]), max(1, round(0.15 * per_1000["gp"]))]
    assert _capacities(scenario, "home_care") == [round(9 * per_1000["home_care"]), round(0.15 * per_1000["home_care"])]
    per_place = scenario.services.intermediate_care.capacity_per_1000_patients
    assert shared_capacity(scenario, "intermediate_care") == round(9.15 * per_place)


def test_a_stated_capacity_is_the_locality_capacity(tiny: Scenario) -> None:
    """tiny.yaml states gp: 1 and no capacity_scale: every locality gets 1, whatever its size."""
    assert _capacities(tiny, "gp") == [1, 1]
    assert shared_capacity(tiny, "intermediate_care") == 5


def test_capacity_scale_overrides_population_sizing(load_tiny: LoadTiny) -> None:
    """A given capacity_scale multiplies the stated capacity, or the per-1,000 figure, instead of the size."""
    scenario = load_tiny(
        "services.community_nursing.capacity=by_population",
        "services.community_nursing.capacity_per_1000_patients=4",
        "localities.east.capacity_scale=2.5",
        "localities.west.capacity_scale=0.1",
    )
    assert _capacities(scenario, "community_nursing") == [10, 1]  # 4 x 2.5; 4 x 0.1 rounds to 0, at least 1
    assert _capacities(scenario, "gp") == [round(1 * 2.5), 1]  # stated 1 x 2.5 = 2.5 rounds to 2 (half to even)


def test_empty_capacity_is_unlimited(load_tiny: LoadTiny) -> None:
    scenario = load_tiny("services.gp.capacity=", "services.intermediate_care.capacity=")
    assert _capacities(scenario, "gp") == [None, None]
    assert shared_capacity(scenario, "intermediate_care") is None


def test_the_model_uses_the_resolved_capacities(load_tiny: LoadTiny) -> None:
    """The World builds each locality's service with the resolved capacity (and an arm's additions)."""
    scenario = load_tiny(*DEFAULTS, "localities.east.cohort_size=3000")
    world = World(scenario, generate_cohort(scenario, 0), "baseline", 0)
    assert world.rec.capacity["social_work:east"] == locality_capacity(scenario, "social_work", 0)
    assert world.rec.capacity["social_work:west"] == locality_capacity(scenario, "social_work", 1)
    assert world.rec.capacity["intermediate_care"] == shared_capacity(scenario, "intermediate_care")


@pytest.mark.parametrize(("every_day", "expected"), [(False, 10 * 10.5), (True, 14 * 10.5)])
def test_open_hours_counts_the_results_window(every_day: bool, expected: float) -> None:
    """Two weeks after a one-day warm-up: ten weekdays (or fourteen days) of 08:00-18:30."""
    calendar = Calendar(dt.date(2014, 3, 31), horizon_days=15, warm_up_days=1)  # 31 March 2014 was a Monday
    assert open_hours(weekday_hours(8.0, 18.5), calendar, every_day) == pytest.approx(expected)


def test_out_of_hours_is_sized_to_the_whole_cohort(load_tiny: LoadTiny) -> None:
    """The out-of-hours GP service can be sized per 1,000: all localities' patients, 2 per 1,000 by default."""
    scenario = load_tiny("localities.east.cohort_size=13850", "services.out_of_hours.capacity=by_population")
    assert shared_capacity(scenario, "out_of_hours") == 28  # 14,000 with west's 150, 2 per 1,000
    assert shared_capacity(load_tiny("services.out_of_hours.capacity=3"), "out_of_hours") == 3


def test_the_saturation_hint_names_the_field_that_acts(load_tiny: LoadTiny) -> None:
    """A stated number ignores capacity_per_1000_patients, so the hint says to raise the number (review 4)."""
    stated = capacity_fix(load_tiny(), "social_work", "east")
    assert "capacity is services.social_work.capacity 1" in stated
    assert "raise services.social_work.capacity (a stated number" in stated
    assert "localities.east.capacity_scale" in stated
    sized = capacity_fix(load_tiny("services.social_work.capacity=by_population"), "social_work", "east")
    assert "raise services.social_work.capacity_per_1000_patients" in sized and "(a stated number" not in sized
    shared = capacity_fix(load_tiny(), "intermediate_care", None)
    assert "capacity_scale" not in shared


def test_validate_flags_a_stated_capacity_far_below_the_sizing(load_tiny: LoadTiny) -> None:
    """2 social workers for 14,000 patients is 0.14 per 1,000 against 2: flagged; tiny's own figures are not."""
    big = load_tiny("localities.east.cohort_size=14000", "services.social_work.capacity=2")
    problems = stated_capacity_problems(big)
    social = [text for loc, text in problems if loc == ("services", "social_work", "capacity")]
    assert len(social) == 1 and "2 for 14,000 patients in locality 'east' is 0.14 per 1,000" in social[0]
    per_1000 = big.services.social_work.capacity_per_1000_patients
    west = big.localities[1].cohort_size
    # west: 2 for 150 patients is 13 per 1,000, not far below
    assert 2 / west * 1000 >= FAR_BELOW * per_1000
    assert not any("west" in text for _, text in problems)
