"""The model's timeouts: those that end in a later eighth of a day held out of SimPy's queue until it begins.

Most of what SimPy's queue holds is far away: every patient's next event of their life, weeks or
months ahead, home-care packages' ends, care-plan reviews. Each push and pop of the queue (a binary
heap) walks its height, and a short wait (a visit's 20 minutes) climbs past all those far events to
near the top: the queue's comparisons were about a quarter of the model's instructions.
:class:`FarWaits` gives a wait that ends in a later slot (an eighth of a day) what SimPy's
:meth:`~simpy.Environment.schedule` would give it when the wait is asked for (the time ``now + delay``
and the next event id) and keeps it in that slot's bucket; the slot's opener (one event, just before the
slot begins) puts the bucket's waits into SimPy's queue, each as the entry SimPy would have made (that
time, the timeout's priority, that id), and arms the opener of the next slot with a bucket. At 10,000
patients SimPy's queue holds about 36 events instead of about 13,000 (with buckets of a whole day, about
125: three quarters of them the day's bucket).

**The run is the same.** SimPy processes its entries in the order of (time, priority, id). A held
entry is the entry SimPy would have made at that moment, and it is in the queue before anything at
its time or later is processed (its opener comes strictly before its slot begins), so every event is
processed in the same order, at the same time, as with ``env.timeout``. The openers are events of
their own (one a slot with a bucket, counted in :attr:`FarWaits.openers`); they take ids too, which moves
every later id by the same amount and so keeps their order. A wait that ends at or after the horizon is
never queued (SimPy would hold it until the run stops, unprocessed): it takes no id, which moves later
ids by one, and counts as no event, as a queued one left at the end does not. ``tests/unit/test_far.py``
checks it against plain timeouts.

A wait that ends in a slot already begun goes into SimPy's queue at once, as the same entry. Each
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
    >>> yield far.wait(40.25)  # in SimPy's queue from just before 40.25 (its slot, 322, begins there)
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from typing import Any, Final, final

import simpy
from mypy_extensions import mypyc_attr
from simpy.events import NORMAL

_NORMAL: Final = NORMAL  # a timeout's priority; final names: C statics when compiled (no look-up per use)
SLOTS_PER_DAY: Final = 8.0
"""A bucket holds the waits that end in one eighth of a day: a power of two, so that ``at * 8`` and ``slot / 8``
are exact, and the queue holds the current eighth's waits rather than the whole day's (docs/performance.md)."""
_next: Final = next
_heappush: Final = heapq.heappush  # called once per held wait: a C static, not a look-up in heapq's dict each time
_heappop: Final = heapq.heappop
Entry = tuple[Any, Any, Any, Any]
"""SimPy's queue entry: (time, priority, event id, event); objects, as they go into SimPy's queue (compiled,
an ``int`` would be unboxed from SimPy's id and boxed again)."""


@final
@mypyc_attr(acyclic=True)  # compiled: not tracked by the cyclic collector (see below)
class FarTimeout:
    """A timeout made by :meth:`FarWaits.wait`: processed when ``env.timeout(delay)`` would be, with no value.

    Not a :class:`simpy.Event` but a compiled object with what SimPy's loop reads and writes of an
    event in its queue (:meth:`simpy.Environment.step`, :meth:`simpy.Process._resume`, the model's
    :class:`~carecoord.model.tasks.Task`): ``callbacks`` (None once processed), ``_ok`` (a timeout never
    fails), ``_value`` (None) and ``env``. Made in C: as a Python subclass of ``simpy.Event`` its
    interpreted ``__init__`` ran for most of a run's events. A yield of it from a task or a SimPy
    process waits for it as for a timeout; it cannot be part of a condition (``|``, ``&``): a race
    against a timeout (patience) uses ``env.timeout``.

    **Why its callbacks are not a list from the start.** A held wait is processed days or months after it
    was asked for, when all it is made of is long out of the processor's caches: each object is a cache miss,
    and each object the cyclic collector tracks is two more when it is freed (unlinking it touches its
    neighbours in the collector's list, objects made about when it was). A task waits by :meth:`add`, kept
    here in C (:attr:`_waiter`); ``callbacks`` is a list made when first read, by SimPy's loop as it
    processes the event (made and freed then, while in cache), or by anyone else who reads it to add a
    callback of their own (a SimPy process does). A held wait's queue entry, likewise, is made when its
    slot opens, from :attr:`at` and :attr:`eid` (:meth:`FarWaits._opened`), not kept from the asking.

    **Not tracked by the cyclic collector** (compiled), for the same reason: freeing a tracked object
    unlinks it from the collector's list, which touches its two neighbours there, objects made about when
    it was made. So the collector never frees a cycle through one. The one cycle it is in, with the task
    waiting for it (which holds it as its target), is broken when it is processed (its callbacks are
    dropped) or, for those still pending when the run ends, by :meth:`FarWaits.let_go` and
    :func:`carecoord.model.run.dismantle` (``tests/unit/test_world_freed.py`` checks a world is freed).
    """

    def __init__(self, env: simpy.Environment, at: float = 0.0) -> None:
        self.env = env
        self._ok = True
        self._value: Any = None
        self._waiter: object = None  # the one callback added by add(), while callbacks has not been read
        self._callbacks: list[Any] | None = None  # the callbacks as a list, once read (or set)
        self._done = False  # processed: callbacks is None
        self.at = at
        """The time it is processed at (SimPy's ``now + delay``)."""
        self.eid = 0
        """Its SimPy event id, while held (:meth:`FarWaits.wait`): an integer in C, boxed again when its entry is
        made (the id object SimPy's counter gave when the wait was asked for would be one more cold read)."""
        self.held_after: FarTimeout | None = None
        """The wait held before it in its slot's bucket, while held (a bucket is a chain: :class:`FarWaits`)."""

    @property
    def callbacks(self) -> list[Any] | None:
        """As :attr:`simpy.Event.callbacks`: the list of callbacks, None once processed."""
        if self._done:
            return None
        listed = self._callbacks
        if listed is None:
            waiter = self._waiter
            listed = [] if waiter is None else [waiter]
            self._waiter = None
            self._callbacks = listed
        return listed

    @callbacks.setter
    def callbacks(self, value: list[Any] | None) -> None:
        self._waiter = None
        self._callbacks = value
        self._done = value is None

    def add(self, callback: object) -> bool:
        """Add ``callback``, as ``callbacks.append(callback)`` does; False (nothing added) once processed."""
        if self._done:
            return False
        if self._callbacks is None and self._waiter is None:
            self._waiter = callback
            return True
        listed = self.callbacks
        assert listed is not None
        listed.append(callback)
        return True

    def drop(self) -> None:
        """Let go of every callback, as ``callbacks.clear()`` (the run is over: see :meth:`FarWaits.let_go`)."""
        self._waiter = None
        if self._callbacks is not None:
            self._callbacks.clear()

    @property
    def triggered(self) -> bool:
        """As :attr:`simpy.Event.triggered`: a timeout is triggered when made."""
        return True

    @property
    def processed(self) -> bool:
        """As :attr:`simpy.Event.processed`: its callbacks have been called."""
        return self._done


class FarWaits:
    """The buckets of one environment's waits, one per eighth of a day, and the chain of their openers."""

    def __init__(self, env: simpy.Environment, horizon: float, hold: bool = True):
        """``hold=False``: every wait is ``env.timeout``'s, queued at once (to compare runs with and without;
        ``hold`` may be changed before the run starts)."""
        self.env = env
        self.hold = hold
        self._timeout: Callable[[float], simpy.Timeout] = env.timeout
        self._queue: list[Any] = env._queue  # SimPy's heap: (time, priority, id, event) entries
        self._ids: Iterator[Any] = env._eid  # SimPy's event ids (itertools.count)
        self._horizon = horizon
        slots = int(horizon * SLOTS_PER_DAY) + 1  # a wait is held only if it ends before the horizon
        # Per slot: its bucket, the last wait asked for, chained to the one before (FarTimeout.held_after). A
        # chain, not a list: adding a wait touches only the new wait and this list, where appending to a slot's
        # list (months ahead) touched that list and its items, long out of the caches (docs/performance.md).
        # Their order does not matter: each goes into SimPy's queue by its time and id.
        self._buckets: list[FarTimeout | None] = [None] * slots
        self._slots: list[int] = []  # the slots with a bucket (a heap of ints: cheap to compare)
        self._armed = [False] * slots  # the slots an opener is scheduled for (always the earliest bucket's)
        self._open = int(env.now * SLOTS_PER_DAY)  # the last slot whose bucket is in SimPy's queue
        self._never: list[Any] = []  # waits that end at or after the horizon: never queued, never processed
        self.openers = 0
        """Openers processed so far: events of the model's machinery, not of its patients (counted apart by
        the bench)."""

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
        slot = int(at * SLOTS_PER_DAY)  # times are never negative
        event = FarTimeout(self.env, at)
        if at >= self._horizon:  # never comes: the run stops first (SimPy would queue it, and never process it)
            self._never.append(event)
            return event
        if slot <= self._open or slot <= now * SLOTS_PER_DAY:
            entry: Entry = (at, _NORMAL, _next(self._ids), event)  # what ``env.schedule`` would push now
            _heappush(self._queue, entry)  # its slot has begun: straight into SimPy's queue
            return event
        event.eid = _next(self._ids)  # the id ``env.schedule`` would give it now; its entry is made at the opening
        last = self._buckets[slot]
        if last is None:
            if not self._slots or slot < self._slots[0]:
                self._arm(slot, now)  # the new earliest bucket (an opener armed for a later one fires later)
            _heappush(self._slots, slot)
        event.held_after = last
        self._buckets[slot] = event
        return event

    def _arm(self, slot: int, now: float) -> None:
        """Schedule the opener of ``slot`` strictly before the slot begins (before any entry of its bucket)."""
        if self._armed[slot]:
            return
        start = slot / SLOTS_PER_DAY  # exact: a power of two
        step = math.ulp(start)
        delay = max(0.0, start - step - now)  # to the float just below the slot's start
        while now + delay >= start:  # SimPy's sum rounded up to the start: a step down (once or twice at most)
            delay = max(0.0, delay - step)
        opener = FarTimeout(self.env, now + delay)
        opener.add(lambda _event: self._opened(slot))
        _heappush(self._queue, (now + delay, _NORMAL, _next(self._ids), opener))  # as env.timeout(delay) would
        self._armed[slot] = True

    def _opened(self, slot: int) -> None:
        """A slot is about to begin: its bucket (and any earlier one) into SimPy's queue; arm the next opener."""
        self.openers += 1
        if slot > self._open:
            self._open = slot
        queue = self._queue
        slots = self._slots
        while slots and slots[0] <= slot:
            d = _heappop(slots)
            event = self._buckets[d]
            self._buckets[d] = None
            while event is not None:  # each wait's entry, as SimPy's schedule would have made it when asked
                entry: Entry = (event.at, _NORMAL, event.eid, event)
                _heappush(queue, entry)
                after = event.held_after
                event.held_after = None  # out of the chain: a processed wait holds no other
                event = after
        if slots:
            self._arm(slots[0], self.env._now)

    def let_go(self) -> None:
        """Drop every wait still held (the run is over; see :func:`carecoord.model.run.dismantle`)."""
        for held in self._buckets:
            while held is not None:
                held.drop()
                after = held.held_after
                held.held_after = None
                held = after
        for event in self._never:
            event.drop()
        self._buckets = []
        self._slots = []
        self._never = []


__all__ = ["FarWaits"]
