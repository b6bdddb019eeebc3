"""Waits that end on a later day, held out of SimPy's queue until that day begins.

Most of what SimPy's queue holds is far away: every patient's next event of their life, weeks or
months ahead. Each push and pop of the queue (a binary heap) walks its height, and a short wait (a
visit's 20 minutes) climbs past all those far events to near the top: the queue's comparisons were
about a quarter of the model's instructions. :class:`FarWaits` keeps a wait that ends on a later
day in that day's bucket instead, and puts the whole bucket into SimPy's queue when the day begins
(one event, the day's opener, which then arms the opener of the next day with a bucket): SimPy's
queue holds the rest of the day, and the order of the run is the same.

- **The same times.** A wait of ``delay`` from ``now`` ends at ``now + delay``, the sum SimPy would
  have scheduled. When its day ``d`` begins (the opener fires at a time ``o`` with ``d - 1 < o <= d``,
  and ``d >= 1``), the wait is scheduled with the delay ``at - o``, which is exact (Sterbenz's
  lemma: ``o <= at < d + 1 <= 2 o``), so SimPy's ``o + (at - o)`` is ``at`` again, to the bit.
- **The same order.** SimPy orders events of one time by priority (every wait here is a plain
  timeout's) and then by when they were scheduled; a wait scheduled at its day's opener comes after
  every event of the same time scheduled before that. Only an exact tie of two times can tell: the
  model's far waits end at continuous times (a hazard's solve), and a test checks that the fixed-seed
  numbers are those of waits scheduled at once (tests/unit/test_far.py).
- **Nothing is lost.** A wait whose waiter was interrupted (a life retimed) is still scheduled and
  processed, as a timeout left behind is: the events, and their count, are SimPy's.

Example:
    >>> far = FarWaits(env, horizon=365.0)
    >>> yield far.wait(40.25)  # in SimPy's queue from day 40 on
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any, Final

import simpy
from simpy.events import NORMAL

from carecoord.far_event import FarTimeout

_FAR: Final = FarTimeout  # a final name: a C static when compiled
_NORMAL: Final = NORMAL


class FarWaits:
    """The buckets of one environment's waits, one per day, and the chain of day openers."""

    def __init__(self, env: simpy.Environment, horizon: float):
        self.env = env
        self._timeout: Callable[[float], simpy.Timeout] = env.timeout
        self._schedule: Callable[..., None] = env.schedule
        self._horizon = horizon
        days = int(horizon) + 1  # a wait is held only if it ends before the horizon
        self._events: list[list[Any] | None] = [None] * days  # per day: the waits' events, in order of asking
        self._times: list[list[float] | None] = [None] * days  # and the times they end at
        self._days: list[int] = []  # the days with a bucket (a heap of ints: cheap to compare)
        self._armed = [False] * days  # the days an opener is scheduled for (always the earliest bucket's)
        self._open = int(env.now)  # the last day whose bucket is in SimPy's queue (its waits go there at once)

    def wait(self, delay: float) -> simpy.Event:
        """An event that is processed ``delay`` days from now (``delay >= 0``), as ``env.timeout(delay)``'s."""
        now: float = self.env._now
        at = now + delay  # SimPy's own sum for a timeout
        day = int(at)  # times are never negative
        if day <= self._open or day <= now or at >= self._horizon:
            return self._timeout(delay)  # its day has begun (or it never comes): straight into SimPy's queue
        event = _FAR(self.env)
        events = self._events[day]
        times = self._times[day]
        if events is None or times is None:
            self._events[day] = events = []
            self._times[day] = times = []
            if not self._days or day < self._days[0]:
                self._arm(day, now)  # the new earliest bucket (an opener armed for a later one fires later)
            heapq.heappush(self._days, day)
        events.append(event)
        times.append(at)
        return event

    def _arm(self, day: int, now: float) -> None:
        """Schedule the opener of ``day``: at ``day``, or the float just before it if ``now + (day - now)``
        rounds above it (a bucket's waits end at ``day`` or later, never before their opener)."""
        if self._armed[day]:
            return
        delay = day - now
        if now + delay > day:
            delay = math.nextafter(delay, 0.0)
        opener = self._timeout(delay)
        opener.callbacks.append(lambda _event: self._opened(day))  # type: ignore[union-attr]
        self._armed[day] = True

    def _opened(self, day: int) -> None:
        """A day has begun: its bucket (and any earlier one) into SimPy's queue; arm the next opener."""
        if day > self._open:
            self._open = day
        now: float = self.env._now
        schedule = self._schedule
        days = self._days
        while days and days[0] <= day:
            d = heapq.heappop(days)
            events = self._events[d]
            times = self._times[d]
            assert events is not None and times is not None
            self._events[d] = None
            self._times[d] = None
            for i in range(len(events)):
                schedule(events[i], _NORMAL, times[i] - now)
        if days:
            self._arm(days[0], now)

    def let_go(self) -> None:
        """Drop every wait still held (the run is over; see :func:`carecoord.model.run.dismantle`)."""
        for events in self._events:
            if events is not None:
                for event in events:
                    event.callbacks.clear()
        self._events = []
        self._times = []
        self._days = []


__all__ = ["FarWaits"]
