"""The weekly crisis profile as a change of time scale: exact properties of tau and its inverse."""

from __future__ import annotations

import pytest

from carecoord.daycycle import HOURS_PER_WEEK, WeeklyProfile
from carecoord.scenario.cohort import CRISIS_DAY_WEIGHTS, CRISIS_HOUR_WEIGHTS


@pytest.fixture
def profile() -> WeeklyProfile:
    return WeeklyProfile.from_weights(CRISIS_HOUR_WEIGHTS, CRISIS_DAY_WEIGHTS, start_weekday=1)


def test_a_week_of_operational_time_is_a_week(profile: WeeklyProfile) -> None:
    """Mean 1 over the week: tau advances exactly 7 days per week, from any starting point."""
    for t in (0.0, 0.3, 2.75, 10.1):
        assert profile.tau(t + 7.0) - profile.tau(t) == pytest.approx(7.0, abs=1e-12)


def test_inverse_undoes_tau(profile: WeeklyProfile) -> None:
    for t in (0.0, 0.01, 1.4999, 3.2, 6.99, 13.37, 400.123):
        assert profile.inverse(profile.tau(t)) == pytest.approx(t, abs=1e-9)


def test_tau_grows_at_the_hours_weight(profile: WeeklyProfile) -> None:
    """Inside one hour, d tau / dt is that hour's normalised weight (Monday 10:00 is day 6 from a Tuesday)."""
    monday_10 = 6.0 + 10.5 / 24.0
    slope = (profile.tau(monday_10 + 1e-4) - profile.tau(monday_10)) / 1e-4
    mean = sum(CRISIS_DAY_WEIGHTS) * sum(CRISIS_HOUR_WEIGHTS) / HOURS_PER_WEEK
    assert slope == pytest.approx(CRISIS_DAY_WEIGHTS[0] * CRISIS_HOUR_WEIGHTS[10] / mean, rel=1e-9)


def test_flat_profile_is_the_identity() -> None:
    flat = WeeklyProfile.from_weights([1.0] * 24, [1.0] * 7, start_weekday=3)
    assert flat.tau(5.123) == 5.123
    assert flat.inverse(5.123) == 5.123
    assert flat.share_within(range(5), 8.0, 18.5) == pytest.approx(5 * 10.5 / HOURS_PER_WEEK)


def test_share_within_sums_the_weights(profile: WeeklyProfile) -> None:
    """Whole days add to one; 09:00-18:00 every day is the sourced 60%."""
    assert profile.share_within(range(7), 0.0, 24.0) == pytest.approx(1.0)
    assert profile.share_within(range(7), 9.0, 18.0) == pytest.approx(0.60)
    assert profile.share_within([0], 0.0, 24.0) == pytest.approx(16.0 / 100.0)


def test_bad_profiles_are_refused() -> None:
    with pytest.raises(ValueError):
        WeeklyProfile([1.0] * 167, 0)
    with pytest.raises(ValueError):
        WeeklyProfile([1.0] * 167 + [0.0], 0)
