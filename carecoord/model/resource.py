"""The capacity-limited SimPy resource behind a service: opening hours, priorities, fast paths.

A :class:`ScheduledResource` starts no new work while closed (work in progress is finished);
waiting requests are woken at each opening. ``any_day`` requests (seven-day working) ignore the
day of the week but keep the hours. Fast by design: a free place with nobody waiting is taken
without a request or any event, and the work starts at once (:meth:`ScheduledResource.take`), a
release schedules no event and grants a waiting request at once (:meth:`ScheduledResource.give_back`), the
queue is kept sorted by binary insertion and the holders are a dict (docs/performance.md). What those
paths read is kept in a compiled :class:`Places` (the resource itself stays a Python class).
Requests are served as plain SimPy serves them; only the order of events at one instant differs.
The bookkeeping of a service's uses (waits, staff time, peaks) is :mod:`carecoord.model.services`.
"""

from __future__ import annotations

import bisect
import math
from operator import attrgetter
from typing import Any, Final

import simpy
import simpy.events
from mypy_extensions import mypyc_attr
from simpy.resources.resource import PriorityRequest

from carecoord.calendar import OpeningHours

URGENT: Final = 0
"""Priority of unplanned work (a crisis, a rapid response): served before routine work."""
ROUTINE: Final = 1
"""Priority of planned work (proactive visits, reviews, assessments for the care plan)."""

_REQUEST_INIT: Final = PriorityRequest.__init__
"""SimPy's own request initialiser, called directly: compiled, ``super().__init__`` builds a ``super`` object and
looks the method up through it on every request."""
_PENDING: Final = simpy.events.PENDING
"""The value of an event not yet triggered (SimPy's ``Event.triggered`` is ``_value is not PENDING``)."""


@mypyc_attr(native_class=False)  # compiled, a subclass of a SimPy (Python) class stays a Python class
class ServiceRequest(PriorityRequest):
    """A request with a priority that may be served on any day (seven-day working)."""

    def __init__(self, resource: ScheduledResource, any_day: bool = False, priority: int = URGENT):
        self.any_day = any_day
        _REQUEST_INIT(self, resource, priority)


def is_granted(request: simpy.Event) -> bool:
    """``request.triggered`` (a Python property of SimPy's events), read in compiled code."""
    return request._value is not _PENDING


_KEY: Final = attrgetter("key")


@mypyc_attr(native_class=False)  # compiled, a list subclass must stay a Python class
class RequestQueue(list):
    """The waiting requests in order of SimPy's request key (priority, time of request, preempt flag).

    SimPy's ``SortedQueue`` appends and then re-sorts the whole list on every request (a key
    function call per waiting request). Inserting after the last request with a key not above the
    new one gives the same order as that stable sort, in a binary search.
    """

    def append(self, item: Any) -> None:
        bisect.insort_right(self, item, key=_KEY)


@mypyc_attr(native_class=False)  # as ServiceRequest: SimPy's __init__ sets attributes this class retypes
class ScheduledResource(simpy.PriorityResource):
    """A resource that only grants requests while open; urgent requests go before routine ones
    (first come, first served within a priority: SimPy's sorted queue is stable).

    ``_do_put`` is the hook SimPy's ``BaseResource`` documents for custom resources ("implementing
    the request processing behaviour through the methods _do_get() and _do_put()"); the opening
    wake-up and :meth:`give_back` call ``_trigger_put``, which has no public equivalent. A process
    holding the resource while closed would change the order in which SimPy grants same-time
    requests, and so every result.

    Requests that wait are re-examined at each opening of the service while any wait: one
    callback-only event per opening, scheduled when a request has to wait and again at an opening
    that leaves some waiting (a process waking at every opening, waiting or not, took one event a
    day per service).
    """

    # SimPy reads only list methods of its put queue; RequestQueue keeps SortedQueue's order (above).
    PutQueue = RequestQueue  # type: ignore[assignment]

    def __init__(self, env: simpy.Environment, capacity: int, hours: OpeningHours):
        super().__init__(env, capacity)
        self.places = Places(self, env, capacity, hours, self.put_queue)
        self.users: dict[ServiceRequest, None] = self.places.users  # type: ignore[assignment]  # ``count``: len()
        self.hours = hours
        self._wake: simpy.Event | None = None  # the next opening's wake-up, while requests wait

    def request(self, any_day: bool = False, priority: int = URGENT) -> ServiceRequest:  # type: ignore[override]
        request = ServiceRequest(self, any_day, priority)
        if not is_granted(request) and self._wake is None and not self.hours.always:
            self._wake_at_next_opening()
        return request

    def _wake_at_next_opening(self) -> None:
        """Schedule the re-examination of the queue at the first opening after now."""
        now: float = self._env._now
        at = math.floor(now) + self.hours.open
        if at <= now:
            at += 1.0
        self._wake = self._env.timeout(at - now)
        self._wake.callbacks.append(self._opening)  # type: ignore[union-attr]

    def _opening(self, _event: simpy.Event) -> None:
        """An opening: grant what can start now; wake again at the next one while any request waits."""
        self._wake = None
        self._trigger_put(None)
        if self.put_queue:
            self._wake_at_next_opening()

    def _do_put(self, event: ServiceRequest) -> bool:  # type: ignore[override]
        places = self.places  # read once: the rest is read from the compiled Places
        now: float = places.env._now
        hours = places.hours
        if not hours.always:
            if not hours.is_open(now, any_day=True):
                return False  # outside the hours: nothing starts, stop scanning the queue
            if not event.any_day and not hours.works_on_day_of(now):
                return True  # closed today for this request; a seven-day request behind it may start
        users = places.users
        if len(users) < places.capacity:
            users[event] = None
            event.usage_since = now
            event.succeed()
            if len(users) > places.peak:
                places.peak = len(users)
            return True
        return False

    def _do_get(self, event: Any) -> None:  # type: ignore[override]
        """A release: drop the holder (SimPy's ``Resource._do_get`` with the holders in a dict)."""
        self.users.pop(event.request, None)
        event.succeed()

    def take(self, any_day: bool = False) -> Taken | None:
        """Take a free place at once, as a request would be granted now (None: make a request).

        Only when nobody waits: a request made now would then be granted in its own creation
        (``_do_put``), and the place, the holders and the peak end up the same. The caller goes on
        at once (the work starts now): no request, queue insertion, queue scan or callback, and no
        event, where a granted request resumes its process at the request's event later in the same
        instant. Only the order of same-instant events differs from plain SimPy's (one event fewer
        per use; docs/performance.md, "Fewer events").
        """
        return self.places.take(any_day, self._env._now)

    def give_back(self, held: Any) -> None:
        """Release a place without a release event: the queue, if anyone waits, is re-examined at once.

        SimPy's release removes the holder at once and re-examines the queue when its release event
        is processed, later at the same instant; here the waiting request next in order is granted
        now (its process still resumes at the request's event). With nobody waiting there is
        nothing to re-examine. Saves one event per use; what it changes is same-instant order only
        (a request made between the release and SimPy's release event, which SimPy would queue
        behind the waiting ones, finds the place already granted; docs/performance.md).
        """
        self.places.give_back(held)


class Places:
    """A :class:`ScheduledResource`'s holders and what its fast paths read, in a compiled class.

    The resource subclasses SimPy's, so it stays a Python class: compiled, each of its attributes is
    a dictionary look-up (``capacity`` a Python property call). :meth:`take`, :meth:`give_back` and
    ``_do_put`` read them here instead, in C (:class:`~carecoord.model.services.Service` gives back
    and reads the peak here directly). ``waiting`` is the resource's ``put_queue`` (SimPy never replaces it).
    """

    def __init__(
        self, resource: ScheduledResource, env: simpy.Environment, capacity: int, hours: OpeningHours, waiting: Any
    ):
        self.resource = resource
        self.env = env
        self.capacity = capacity
        self.hours = hours
        self.waiting: list[Any] = waiting  # a RequestQueue (a list), kept in SimPy's order
        # The holders, in order of grant: a dict, so that a release is not a scan of a list
        # (home care holds ~1,400 packages in a locality of 10,000).
        self.users: dict[Any, None] = {}
        self.peak = 0

    def take(self, any_day: bool, now: float) -> Taken | None:
        """See :meth:`ScheduledResource.take`; ``now`` is the environment's time (the caller has read it)."""
        users = self.users
        if self.waiting or len(users) >= self.capacity:
            return None
        if not self.hours.is_open(now, any_day):
            return None
        taken = Taken(now)
        users[taken] = None
        if len(users) > self.peak:
            self.peak = len(users)
        return taken

    def give_back(self, held: Any) -> None:
        """See :meth:`ScheduledResource.give_back`."""
        users = self.users
        if held in users:  # what ``users.pop(held, None)`` does, without a method call (no dict ``pop`` in C)
            del users[held]
        if self.waiting:
            self.resource._trigger_put(None)  # what SimPy's release event does when processed


class Taken:
    """A place taken without a request (:meth:`ScheduledResource.take`); released like a request."""

    __slots__ = ("usage_since",)

    def __init__(self, since: float):
        self.usage_since = since


__all__ = ["ROUTINE", "URGENT", "Places", "RequestQueue", "ScheduledResource", "ServiceRequest", "Taken", "is_granted"]
