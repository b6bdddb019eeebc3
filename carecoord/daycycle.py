"""When crises happen: a weekly profile by hour and weekday, as a change of time scale.

Crises are not flat over the week: more come on weekday daytimes (and Mondays) than at night. The
crisis hazard runs in *operational time* ``tau(t)``, the integral of a 168-hour profile whose mean
over a week is 1, so a patient's long-run rate is unchanged and only the timing moves. The clock
integrates ``rate x (tau(b) - tau(a))`` over each piece of constant rate and inverts ``tau`` to find
when the next crisis fires: a precomputed cumulative table and a bisection, no random numbers, so
the next-reaction method and common random numbers are kept.

Example:
    >>> profile = WeeklyProfile.from_weights([1.0] * 24, [1.0] * 7, start_weekday=1)
    >>> profile.tau(2.5)   # a flat profile is the identity
    2.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from librt.vecs import vec

from carecoord.bisection import bisect_right
from carecoord.scenario.base import DAY_INDEX, OpeningHoursSpec
from carecoord.scenario.schema import Scenario

HOURS_PER_WEEK: Final = 168  # Final: inlined in the compiled model (a plain global is a dict lookup)


class WeeklyProfile:
    """A piecewise-constant hourly intensity over the week (mean 1) and its cumulative ``tau``.

    Simulation time is days from midnight of the start date, whose weekday (0 = Monday) is
    ``start_weekday``; the table is indexed by the hour of the week from Monday 00:00.
    """

    __slots__ = ("cumulative", "flat", "offset", "weights")

    def __init__(self, weights: Sequence[float], start_weekday: int):
        if len(weights) != HOURS_PER_WEEK or min(weights) <= 0:
            raise ValueError("a weekly profile needs 168 positive hourly weights")
        mean = sum(weights) / HOURS_PER_WEEK
        normalised = [w / mean for w in weights]
        self.flat = all(abs(w - 1.0) < 1e-12 for w in normalised)
        cumulative = [0.0]
        for w in normalised:
            cumulative.append(cumulative[-1] + w / 24.0)  # operational days
        cumulative[-1] = 7.0
        # librt vecs: read as doubles in C when compiled (``tau`` runs on every piece of a crisis clock)
        self.weights = vec[float](normalised)
        self.cumulative = vec[float](cumulative)
        self.offset = float(start_weekday)

    @classmethod
    def from_weights(
        cls, hour_of_day: Sequence[float], day_of_week: Sequence[float], start_weekday: int
    ) -> WeeklyProfile:
        """The product profile: weekday weight x hour-of-day weight (Monday first)."""
        return cls([d * h for d in day_of_week for h in hour_of_day], start_weekday)

    def tau(self, t: float) -> float:
        """Operational time at simulation time ``t`` (days; ``tau(0) = offset``'s position)."""
        if self.flat:
            return t
        s = t + self.offset
        week = math.floor(s / 7.0)
        x = (s - 7.0 * week) * 24.0
        k = int(x)
        if k > HOURS_PER_WEEK - 1:  # min(), without the call: tau runs on every event of a crisis clock
            k = HOURS_PER_WEEK - 1
        return 7.0 * week + self.cumulative[k] + (x - k) * self.weights[k] / 24.0

    def inverse(self, tau: float) -> float:
        """Simulation time at which operational time reaches ``tau``."""
        if self.flat:
            return tau
        week = math.floor(tau / 7.0)
        r = tau - 7.0 * week
        k = bisect_right(self.cumulative, r) - 1
        if k > HOURS_PER_WEEK - 1:
            k = HOURS_PER_WEEK - 1
        x = k + (r - self.cumulative[k]) * 24.0 / self.weights[k]
        return 7.0 * week + x / 24.0 - self.offset

    def share_within(self, days: Sequence[int], open_hour: float, close_hour: float) -> float:
        """Share of a week's crises that fall on ``days`` (0 = Monday) between the two hours."""
        total = 0.0
        for d in set(days):
            a = d * 24.0 + open_hour
            b = d * 24.0 + close_hour
            total += self._hours_integral(b) - self._hours_integral(a)
        return total / HOURS_PER_WEEK

    def _hours_integral(self, x: float) -> float:
        """Integral of the weights from Monday 00:00 to ``x`` hours into the week (in hours)."""
        k = min(int(x), HOURS_PER_WEEK - 1)
        return self.cumulative[k] * 24.0 + (x - k) * self.weights[k]


def crisis_profile(scenario: Scenario) -> WeeklyProfile:
    """The scenario's weekly crisis profile, aligned to its start date's weekday."""
    timing = scenario.cohort.crisis_timing
    return WeeklyProfile.from_weights(
        timing.hour_of_day_weights, timing.day_of_week_weights, scenario.simulation.start_date.weekday()
    )


def crisis_share_open(scenario: Scenario, hours: OpeningHoursSpec) -> float:
    """Share of crises that fall inside a service's opening hours, under the weekly profile."""
    return crisis_profile(scenario).share_within([DAY_INDEX[d] for d in hours.days], hours.open_hour, hours.close_hour)


__all__ = ["HOURS_PER_WEEK", "WeeklyProfile", "crisis_profile", "crisis_share_open"]
