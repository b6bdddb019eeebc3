"""Simulation time on a real calendar: days from the start date, weekdays, months, opening hours.

Time is a float in days from midnight of ``start_date``. Results are binned: bin 0 is the
warm-up (excluded from results, possibly empty), bins 1.. are calendar months of the results
window (the first and last may be partial).

Example:
    >>> cal = Calendar(dt.date(2014, 4, 1), horizon_days=365, warm_up_days=0)
    >>> cal.weekday(0.5)  # 1 April 2014 was a Tuesday
    1
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterator
from typing import Final

from carecoord.scenario.base import DAY_INDEX, OpeningHoursSpec


class Calendar:
    """Maps simulation time to weekdays and result bins."""

    def __init__(self, start_date: dt.date, horizon_days: int, warm_up_days: int):
        self.start_date = start_date
        self.horizon = float(horizon_days)
        self.warm_up = float(warm_up_days)
        self._start_weekday = start_date.weekday()
        boundaries = [0.0, float(warm_up_days)]
        labels = ["warm-up"]
        day = warm_up_days
        while day < horizon_days:
            date = start_date + dt.timedelta(days=day)
            labels.append(f"{date.year:04d}-{date.month:02d}")
            nxt = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
            day = min(horizon_days, (nxt - start_date).days)
            boundaries.append(float(day))
        self.bin_starts: list[float] = boundaries[:-1]
        self.bin_ends: list[float] = boundaries[1:]
        self.bin_labels: list[str] = labels
        self._bin_of_day = [self._find_bin(d + 0.5) for d in range(horizon_days + 1)]

    @property
    def n_bins(self) -> int:
        return len(self.bin_labels)

    def weekday(self, t: float) -> int:
        """0 = Monday ... 6 = Sunday."""
        return (self._start_weekday + int(t)) % 7

    def date(self, t: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(t))

    def bin(self, t: float) -> int:
        """Result bin of an instant (0 = warm-up)."""
        day = int(t)
        if day >= len(self._bin_of_day):
            return self.n_bins - 1
        return self._bin_of_day[day]

    def _find_bin(self, t: float) -> int:
        if t < self.warm_up:
            return 0
        return max(1, bisect.bisect_right(self.bin_starts, t) - 1)

    def split(self, t0: float, t1: float) -> Iterator[tuple[int, float]]:
        """Split the interval [t0, t1) into (bin, days) pieces."""
        t1 = min(t1, self.horizon)
        while t0 < t1:
            b = self.bin(t0)
            end = min(t1, self.bin_ends[b])
            if end <= t0:  # t0 sits exactly on a boundary rounded into the previous bin
                b += 1
                end = min(t1, self.bin_ends[b])
            yield b, end - t0
            t0 = end


EPSILON: Final = 1e-9
"""Days (~0.1 ms): opening times like 08:00 = 1/3 day are not exact in binary floating point."""


class OpeningHours:
    """When a service may start new work, in simulation time."""

    def __init__(self, spec: OpeningHoursSpec, calendar: Calendar):
        self.days = frozenset(DAY_INDEX[d] for d in spec.days)
        self._day_bits = sum(1 << d for d in self.days)  # bit w set: open on weekday w (no int boxed to test it)
        self.open = spec.open_hour / 24.0
        self.close = spec.close_hour / 24.0
        self.always = spec.always_open
        self._calendar = calendar
        self._open_from = self.open - EPSILON
        self._open_until = self.close - EPSILON
        self._start_weekday = calendar.start_date.weekday()

    def is_open(self, t: float, any_day: bool = False) -> bool:
        if self.always:
            return True
        day = int(t)  # times are never negative, so this is floor(t); called on every service request
        if not self._open_from <= t - day < self._open_until:
            return False
        return any_day or self._works((self._start_weekday + day) % 7)

    def works_on_day_of(self, t: float) -> bool:
        """Whether the day containing ``t`` is a working day (the hours of the day not checked).

        ``is_open(t)`` is ``is_open(t, any_day=True) and works_on_day_of(t)``: a request that has
        passed the first test needs only this one (``ScheduledResource._do_put``, for every queued request).
        """
        return self.always or self._works((self._start_weekday + int(t)) % 7)

    def next_open(self, t: float, any_day: bool = False) -> float:
        """The first instant at or after ``t`` when the service is open."""
        if self.is_open(t, any_day):
            return t
        day = math.floor(t)
        if t - day >= self.close - EPSILON:
            day += 1
        for _i in range(8):  # named: compiled, ``_`` is an object (each index boxed)
            if any_day or self._works(self._calendar.weekday(day)):
                return max(t, day + self.open)
            day += 1
        raise ValueError("opening hours name no open day")  # pragma: no cover - schema forbids

    def _works(self, weekday: int) -> bool:
        """Whether the service works on ``weekday`` (0 = Monday): ``weekday in self.days``."""
        return ((self._day_bits >> weekday) & 1) == 1

    def openings(self, horizon: float, any_day: bool = True) -> Iterator[float]:
        """Every opening instant before ``horizon`` (used to wake waiting requests)."""
        day = 0
        while day + self.open < horizon:
            if any_day or self._works(self._calendar.weekday(day)):
                yield day + self.open
            day += 1
