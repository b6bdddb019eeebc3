"""The background death hazard per tier: solved so that total mortality equals the input."""

from __future__ import annotations

import pytest

from carecoord.model.mortality import background_mortality, crises_per_home_year, crisis_fatality, fall_fatality
from carecoord.model.rates import DAYS_PER_YEAR, crisis_admission_probability


def test_fatal_crises_are_the_admitted_share_that_die(load_tiny) -> None:
    """Fatality per crisis = in-hospital mortality x the baseline's admission chance (falls likewise)."""
    s = load_tiny()
    assert crisis_fatality(s) == pytest.approx(
        s.services.hospital.in_hospital_mortality * crisis_admission_probability(s)
    )
    assert fall_fatality(s) == pytest.approx(
        s.services.hospital.in_hospital_mortality * s.cohort.events.fall_admission_probability
    )


def test_without_fatal_crises_the_background_is_the_input_per_year_at_home(load_tiny) -> None:
    s = load_tiny("services.hospital.in_hospital_mortality=0")
    b = background_mortality(s)
    assert not b.problems
    for tier, rate in zip(s.cohort.tiers, b.home_per_day, strict=True):
        # At least the input (time in hospital carries no background hazard), at most ~10% more.
        assert tier.mortality_per_year <= rate * DAYS_PER_YEAR <= 1.1 * tier.mortality_per_year


def test_crisis_deaths_plus_background_make_the_input(load_tiny) -> None:
    s = load_tiny("cohort.tiers.moderate.mortality_per_year=0.2", "cohort.tiers.high.mortality_per_year=0.3")
    b = background_mortality(s)
    assert not b.problems
    for t, tier in enumerate(s.cohort.tiers):
        crisis_deaths = b.crisis_deaths_per_year[t]
        assert 0 < crisis_deaths < tier.mortality_per_year
        share_home = crisis_deaths / (
            crisis_fatality(s) * crises_per_home_year(s, _rate(s, t))[0] + fall_fatality(s) * _falls(s)
        )
        assert share_home * b.home_per_day[t] * DAYS_PER_YEAR + crisis_deaths == pytest.approx(tier.mortality_per_year)


def test_an_input_below_the_crisis_deaths_is_reported(load_tiny) -> None:
    s = load_tiny("cohort.tiers.high.mortality_per_year=0.001")
    b = background_mortality(s)
    assert b.home_per_day[1] == 0.0
    assert len(b.problems) == 1 and b.problems[0].startswith("cohort.tiers.1.mortality_per_year")


def _rate(s, t: int) -> float:
    from carecoord.model.rates import crisis_rates_per_day

    return crisis_rates_per_day(s)[t] * DAYS_PER_YEAR


def _falls(s) -> float:
    from carecoord.model.mortality import _mean_fall_rate_per_year

    return _mean_fall_rate_per_year(s)
