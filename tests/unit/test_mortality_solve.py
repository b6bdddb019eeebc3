"""The background death hazard per tier: solved so that total mortality equals the input."""

from __future__ import annotations

import pytest

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
