"""The background death hazard per tier: solved so that total mortality equals the input."""

from __future__ import annotations

import pytest

from carecoord.cohort import generate_cohort
from carecoord.locations import HOME, HOSPITAL, INTERMEDIATE
from carecoord.model.clock import CRISIS, DEATH, FALL
from carecoord.model.run import build_world
from carecoord.mortality import background_mortality, crisis_fatality, fall_fatality
from carecoord.rates import DAYS_PER_YEAR, crisis_admission_probability


def test_fatal_crises_are_the_admitted_share_that_die(load_tiny) -> None:
    """Fatality per crisis = in-hospital mortality x the baseline's admission chance (falls likewise)."""
    s = load_tiny()
    m = s.services.hospital.in_hospital_mortality
    assert crisis_fatality(s) == pytest.approx(m * crisis_admission_probability(s))
    assert fall_fatality(s) == pytest.approx(m * s.cohort.events.fall_admission_probability)


def test_without_fatal_crises_the_background_is_the_input(load_tiny) -> None:
    s = load_tiny("services.hospital.in_hospital_mortality=0")
    b = background_mortality(s)
    assert not b.problems
    for tier, rate in zip(s.cohort.tiers, b.home_per_day, strict=True):
        assert rate * DAYS_PER_YEAR == pytest.approx(tier.mortality_per_year)


def test_crisis_deaths_plus_background_make_the_input(load_tiny) -> None:
    s = load_tiny("cohort.tiers.moderate.mortality_per_year=0.2", "cohort.tiers.high.mortality_per_year=0.3")
    b = background_mortality(s)
    assert not b.problems
    for t, tier in enumerate(s.cohort.tiers):
        assert 0 < b.crisis_deaths_per_year[t] < tier.mortality_per_year
        assert b.home_per_day[t] * DAYS_PER_YEAR + b.crisis_deaths_per_year[t] == pytest.approx(tier.mortality_per_year)


def test_an_input_below_the_crisis_deaths_is_reported(load_tiny) -> None:
    s = load_tiny("cohort.tiers.high.mortality_per_year=0.001")
    b = background_mortality(s)
    assert b.home_per_day[1] == 0.0
    assert len(b.problems) == 1 and b.problems[0].startswith("cohort.tiers.1.mortality_per_year")


def test_away_from_home_the_fatal_crises_and_falls_run_on_as_a_death_hazard(load_tiny) -> None:
    """In hospital and intermediate care no crisis or fall starts, but the patient's fatal share of them (at the
    rates of home, spell multiplier included) runs on the death clock: total death hazard = background + that."""
    scenario = load_tiny()
    world = build_world(scenario, generate_cohort(scenario, 0), "baseline", 0)
    fatality = world.fatality
    assert fatality.crisis > 0 and fatality.fall > 0
    for p in world.patients[:20]:
        home = world.rates(p, HOME)
        p.start_clock(0.0, [1.0] * len(home), home)
        assert p.clock is not None
        spell = p.clock.steps[CRISIS]["spell"].value(0.0)
        expected = home[DEATH] + home[CRISIS] * spell * fatality.crisis + home[FALL] * fatality.fall
        for place in (HOSPITAL, INTERMEDIATE):
            away = world.rates(p, place)
            assert away[CRISIS] == away[FALL] == 0.0
            assert away[DEATH] == pytest.approx(expected)
