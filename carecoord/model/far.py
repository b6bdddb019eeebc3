"""The model's timeouts: those that end on a later day held out of SimPy's queue until that day begins.

Most of what SimPy's queue holds is far away: every patient's next event of their life, weeks or
months ahead, home-care packages' ends, care-plan reviews. Each push and pop of the queue (a binary
heap) walks its height, and a short wait (a visit's 20 minutes) climbs past all those far events to
near the top: the queue's comparisons were about a quarter of the model's instructions.
:class:`FarWaits` makes the queue's entry of a wait that ends on a later day when the wait is asked
for, exactly as SimPy's :meth:`~simpy.Environment.schedule` makes it (the time ``now + delay``, the
timeout's priority, the next event id), and keeps it in that day's bucket; the day's opener (one
event, just before the day begins) puts the bucket's entries into SimPy's queue, and arms the opener
of the next day with a bucket. At 10,000 patients SimPy's queue holds about 300 events instead of
about 13,000.

**The run is the same.** SimPy processes its entries in the order of (time, priority, id). A held
entry is the entry SimPy would have made at that moment, and it is in the queue before anything at
its time or later is processed (its opener comes strictly before its day begins), so every event is
processed in the same order, at the same time, as with ``env.timeout``. The openers are events of
their own (one a day with a bucket); they take ids too, which moves every later id by the same
amount and so keeps their order. A wait that ends at or after the horizon is never queued (SimPy
would hold it until the run stops, unprocessed): it takes no id, which moves later ids by one, and
counts as no event, as a queued one left at the end does not. ``tests/unit/test_far.py`` checks it
against plain timeouts.

A wait that ends on a day already begun goes into SimPy's queue at once, as the same entry. Each
wait's event is a :class:`FarTimeout`, made in C: most of the model's timeouts are made here (nine in
ten of a run's events at 10,000 patients), where ``env.timeout`` ran two interpreted functions per timeout
(``Timeout.__init__`` and ``Environment.schedule``).

This relies on SimPy's queue entries being ``(time, priority, id, event)`` in ``env._queue`` and its
ids coming from ``env._eid`` (SimPy 4's ``Environment.schedule``), and on what SimPy's loop reads of
an event (:class:`FarTimeout`); a test compares an entry made here with one SimPy makes, and the
model's event log with its waits made here and by ``env.timeout``, so that a SimPy that changes them
fails loudly rather than reorders a run.

Example:
    >>> far = FarWaits(env, horizon=365.0)
    >>> yield far.wait(40.25)  # in SimPy's queue from just before day 40 on
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from typing import Any, Final, final

import simpy
from simpy.events import NORMAL

_NORMAL: Final = NORMAL  # a timeout's priority; final names: C statics when compiled (no look-up per use)
_next: Final = next
_heappush: Final = heapq.heappush  # called once per held wait: a C static, not a look-up in heapq's dict each time
_heappop: Final = heapq.heappop
Entry = tuple[Any, Any, Any, Any]
"""SimPy's queue entry: (time, priority, event id, event); objects, as they go into SimPy's queue (compiled,
an ``int`` would be unboxed from SimPy's id and boxed again)."""


@final
class FarTimeout:
    """A timeout made by :meth:`FarWaits.wait`: processed when ``env.timeout(delay)`` would be, with no value.

    Not a :class:`simpy.Event` but a compiled object with what SimPy's loop reads and writes of an
    event in its queue (:meth:`simpy.Environment.step`, :meth:`simpy.Process._resume`, the model's
    :class:`~carecoord.model.tasks.Task`): ``callbacks`` (None once processed), ``_ok`` (a timeout never
    fails), ``_value`` (None) and ``env``. Made in C: as a Python subclass of ``simpy.Event`` its
    interpreted ``__init__`` ran for most of a run's events. A yield of it from a task or a SimPy
    process waits for it as for a timeout; it cannot be part of a condition (``|``, ``&``): a race
    against a timeout (patience) uses ``env.timeout``.
    """

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.callbacks: list[Any] | None = []
        self._ok = True
        self._value: Any = None

    @property
    def triggered(self) -> bool:
        """As :attr:`simpy.Event.triggered`: a timeout is triggered when made."""
        return True

    @property
    def processed(self) -> bool:
        """As :attr:`simpy.Event.processed`: its callbacks have been called."""
        return self.callbacks is None


class FarWaits:
    """The buckets of one environment's waits, one per day, and the chain of day openers."""

    def __init__(self, env: simpy.Environment, horizon: float, hold: bool = True):
        """``hold=False``: every wait is ``env.timeout``'s, queued at once (to compare runs with and without;
        ``hold`` may be changed before the run starts)."""
        self.env = env
        self.hold = hold
        self._timeout: Callable[[float], simpy.Timeout] = env.timeout
        self._queue: list[Any] = env._queue  # SimPy's heap: (time, priority, id, event) entries
        self._ids: Iterator[Any] = env._eid  # SimPy's event ids (itertools.count)
        self._horizon = horizon
        days = int(horizon) + 1  # a wait is held only if it ends before the horizon
        self._buckets: list[list[Entry] | None] = [None] * days  # per day: the entries, in order of asking
        self._days: list[int] = []  # the days with a bucket (a heap of ints: cheap to compare)
        self._armed = [False] * days  # the days an opener is scheduled for (always the earliest bucket's)
        self._open = int(env.now)  # the last day whose bucket is in SimPy's queue (its waits go there at once)
        self._never: list[Any] = []  # waits that end at or after the horizon: never queued, never processed

    def wait(self, delay: float, now: float = -1.0) -> Any:
        """A :class:`FarTimeout` processed ``delay`` days from now, where and when ``env.timeout(delay)`` is.

        ``now``: the environment's time, if the caller has read it (else it is read here).
        """
        if not self.hold:
            return self._timeout(delay)
        if delay < 0.0:
            raise ValueError(f"Negative delay {delay}")  # as env.timeout says: a wait never goes back in time
        if now < 0.0:
            now = self.env._now
        at = now + delay  # SimPy's own sum for a timeout
        day = int(at)  # times are never negative
        event = FarTimeout(self.env)
        if at >= self._horizon:  # never comes: the run stops first (SimPy would queue it, and never process it)
            self._never.append(event)
            return event
        entry: Entry = (at, _NORMAL, _next(self._ids), event)  # what ``env.schedule`` would push now
        if day <= self._open or day <= now:
            _heappush(self._queue, entry)  # its day has begun: straight into SimPy's queue
            return event
        bucket = self._buckets[day]
        if bucket is None:
            self._buckets[day] = bucket = []
            if not self._days or day < self._days[0]:
                self._arm(day, now)  # the new earliest bucket (an opener armed for a later one fires later)
            _heappush(self._days, day)
        bucket.append(entry)
        return event

    def _arm(self, day: int, now: float) -> None:
        """Schedule the opener of ``day`` strictly before the day begins (before any entry of its bucket)."""
        if self._armed[day]:
            return
        start = float(day)
        step = math.ulp(start)
        delay = max(0.0, start - step - now)  # to the float just below the day's start
        while now + delay >= start:  # SimPy's sum rounded up to the day: a step down (once or twice at most)
            delay = max(0.0, delay - step)
        opener = FarTimeout(self.env)
        opener.callbacks = [lambda _event: self._opened(day)]
        _heappush(self._queue, (now + delay, _NORMAL, _next(self._ids), opener))  # as env.timeout(delay) would
        self._armed[day] = True

    def _opened(self, day: int) -> None:
        """A day is about to begin: its bucket (and any earlier one) into SimPy's queue; arm the next opener."""
        if day > self._open:
            self._open = day
        queue = self._queue
        days = self._days
        while days and days[0] <= day:
            d = _heappop(days)
            bucket = self._buckets[d]
            assert bucket is not None
            self._buckets[d] = None
            for entry in bucket:
                _heappush(queue, entry)
        if days:
            self._arm(days[0], self.env._now)

    def let_go(self) -> None:
        """Drop every wait still held (the run is over; see :func:`carecoord.model.run.dismantle`)."""
        for bucket in self._buckets:
            if bucket is not None:
                for entry in bucket:
                    entry[3].callbacks.clear()
        for event in self._never:
            event.callbacks.clear()
        self._buckets = []
        self._days = []
        self._never = []


__all__ = ["FarWaits"]
