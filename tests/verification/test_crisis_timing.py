"""When crises happen: the weekly profile moves crises between hours and days, not their yearly rate.

Theory. With everyone at home for the whole run and constant rates, a patient's crises are a Poisson
process with intensity ``rate_i x w(t)`` (``w`` the weekly profile, mean 1). So the crisis count is
Poisson with mean ``sum_i rate_i x (tau(T) - tau(0))`` and the share of crises in each hour of the
day is ``(tau-measure of that hour over the run) / (tau(T) - tau(0))``: multinomial shares, each
within 4 binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.daycycle import crisis_profile
from carecoord.rates import DAYS_PER_YEAR
from carecoord.scenario import Scenario
from tests.verification.conftest import CRISES_ONLY_AT_HOME

Z = 4.0
ALL_AT_HOME = (
    "simulation.duration_days=364",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=3000",
    "localities.west.cohort_size=3000",
    "localities.east.incidence_per_year=0",
    "localities.west.incidence_per_year=0",
    "cohort.tiers.moderate.crisis_rate_per_year=2",
    "cohort.tiers.high.crisis_rate_per_year=4",
    "services.hospital.in_hospital_mortality=0",
    *CRISES_ONLY_AT_HOME,
)


@pytest.fixture(scope="module")
def at_home(load_tiny, run_one) -> tuple[Scenario, np.ndarray, float]:
    """Crisis times (days) and the expected count, everyone at home all year."""
    scenario = load_tiny(*ALL_AT_HOME)
    cohort, rec = run_one(scenario, "baseline", 0, log_events=True)
    assert rec.events is not None
    times = np.array([t for _, t, activity, _ in rec.events if activity == "crisis"])
    profile = crisis_profile(scenario)
    horizon = float(scenario.simulation.horizon_days)
    expected = sum(p.crisis_rate for p in cohort.patients) * (profile.tau(horizon) - profile.tau(0.0))
    return scenario, times, expected


def test_the_yearly_crisis_rate_is_unchanged(at_home, figure) -> None:
    scenario, times, expected = at_home
    horizon = scenario.simulation.horizon_days
    flat = expected / (horizon / 1.0) * horizon  # the same: 364 days are whole weeks, so tau(T) - tau(0) = T
    text = f"Crises with the weekly profile: {len(times)} vs {expected:.1f} ± {math.sqrt(expected):.1f}"
    figure(text)
    assert expected == pytest.approx(flat)
    assert abs(len(times) - expected) <= Z * math.sqrt(expected), text
    assert len(times) / (expected / horizon * DAYS_PER_YEAR) == pytest.approx(len(times) / expected * horizon / 365.25)


def test_crises_by_hour_of_day_follow_the_profile(at_home, figure) -> None:
    scenario, times, _ = at_home
    profile = crisis_profile(scenario)
    horizon = scenario.simulation.horizon_days
    total = profile.tau(float(horizon)) - profile.tau(0.0)
    hours = np.floor((times % 1.0) * 24.0 + 1e-9).astype(int) % 24
    n = len(times)
    for h in range(24):
        share = sum(profile.tau(d + (h + 1) / 24.0) - profile.tau(d + h / 24.0) for d in range(horizon)) / total
        observed = float((hours == h).sum()) / n
        se = math.sqrt(share * (1 - share) / n)
        text = f"Share of crises at {h:02d}:00-{h + 1:02d}:00: {observed:.4f} vs {share:.4f} ± {se:.4f}"
        if h in (4, 10, 17):
            figure(text)
        assert abs(observed - share) <= Z * se, text
    in_hours = float(((hours >= 9) & (hours < 18)).sum()) / n
    assert in_hours == pytest.approx(0.60, abs=Z * math.sqrt(0.6 * 0.4 / n))  # the sourced 60% by day


def test_mondays_carry_their_share(at_home, figure) -> None:
    scenario, times, _ = at_home
    weekday = (scenario.simulation.start_date.weekday() + np.floor(times).astype(int)) % 7
    n = len(times)
    share = 16.0 / 100.0
    observed = float((weekday == 0).sum()) / n
    se = math.sqrt(share * (1 - share) / n)
    text = f"Share of crises on Mondays: {observed:.4f} vs {share} ± {se:.4f}"
    figure(text)
    assert abs(observed - share) <= Z * se, text
