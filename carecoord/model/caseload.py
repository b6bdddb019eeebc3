"""A coordinator caseload: a fixed number of places and a waiting list ordered by risk.

SimPy's PriorityResource re-sorts its whole queue on every request, which is quadratic when a
locality goes live and thousands join the list at once; this keeps the list in a heap.
Requests are SimPy events, so a process simply yields one.

Example:
    >>> place = caseload.request(priority=-2.5)
    >>> yield place
    >>> caseload.release(place)
"""

from __future__ import annotations

import heapq
import itertools

import simpy
from mypy_extensions import mypyc_attr
from simpy.events import Event  # its own module: mypyc's code for a Python base class imports it from there


# Compiled (mypyc), a subclass of a SimPy (Python) class must stay a Python class: as a native class the
# garbage collector would not see the event's callbacks, and every finished world would stay in memory.
@mypyc_attr(native_class=False)
class Place(Event):
    """A request for a place on the caseload; succeeds when the patient is enrolled."""

    __slots__ = ("cancelled", "holder")

    def __init__(self, env: simpy.Environment):
        super().__init__(env)
        self.cancelled = False
        self.holder = False


class Caseload:
    """Places = coordinators x caseload; the waiting list is served by priority, then arrival."""

    def __init__(self, env: simpy.Environment, capacity: int):
        self.env = env
        self.capacity = capacity
        self.count = 0
        self.peak = 0
        self._queue: list[tuple[float, int, Place]] = []
        self._order = itertools.count()

    def request(self, priority: float) -> Place:
        place = Place(self.env)
        heapq.heappush(self._queue, (priority, next(self._order), place))
        self._grant()
        return place

    def cancel(self, place: Place) -> None:
        """Leave the waiting list (lazy: skipped when it reaches the front)."""
        place.cancelled = True

    def release(self, place: Place) -> None:
        if place.holder:
            place.holder = False
            self.count -= 1
            self._grant()

    def let_go(self) -> None:
        """After the run: each place still waited for lets go of the work waiting for it (a cycle with it)."""
        for _, _, place in self._queue:
            if place.callbacks is not None:
                place.callbacks.clear()

    def _grant(self) -> None:
        while self.count < self.capacity and self._queue:
            _, _, place = heapq.heappop(self._queue)
            if place.cancelled:
                continue
            place.holder = True
            self.count += 1
            self.peak = max(self.peak, self.count)
            place.succeed()
