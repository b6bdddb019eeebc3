"""Services as capacity-limited SimPy resources with opening hours.

Each service (per locality, or shared) holds a :class:`~carecoord.model.resource.ScheduledResource`
(opening hours, priorities, the fast paths: a free place is taken without a request or an event),
or none when unlimited: then it only waits for opening. Every use records its wait and staff time.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Final

import simpy

from carecoord.calendar import OpeningHours
from carecoord.model.far import FarWaits
from carecoord.model.resource import ROUTINE, URGENT, ScheduledResource, ServiceRequest, is_granted
from carecoord.recording import METRIC_INDEX, Recorder

MINUTES_PER_DAY: Final = 1440.0
HOURS_PER_DAY: Final = 24.0


class Hold:
    """A place held on an unlimited service (stands in for a resource request)."""

    __slots__ = ("since",)

    def __init__(self, since: float):
        self.since = since


class Service:
    """One service in one locality (or shared): serve, hold and release, with recording."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        capacity: int | None,
        hours: OpeningHours,
        recorder: Recorder,
        key: str,
        far: FarWaits | None = None,
    ):
        """``far``: the world's waits (:mod:`carecoord.model.far`), which make the uses' timeouts (None:
        ``env.timeout``)."""
        self.env = env
        self._far = far
        self.name = name
        self.hours = hours
        self.recorder = recorder
        self.key = key
        self.resource = None if capacity is None else ScheduledResource(env, capacity, hours)
        self.places = None if self.resource is None else self.resource.places  # compiled: read in C
        self.in_use = 0
        self._noted = 0  # the highest use this service has noted in the recorder (its peak so far)
        self.on_urgent_wait: Callable[[], None] | None = None
        """Called when an urgent request has to wait (a round's session may then hand over its clinician)."""
        self.on_grant: Callable[[int, float, bool], None] | None = None
        """Called with (locality, time asked, seven-day) at every grant: observers (the verification tests)."""
        self._wait = METRIC_INDEX.get(f"wait_hours_{name}")
        self._staff = METRIC_INDEX.get(f"staff_hours_{name}")
        recorder.capacity[key] = float("inf") if capacity is None else float(capacity)
        recorder.peak_in_use.setdefault(key, 0)

    def serve(
        self,
        locality: int,
        duration_days: float,
        any_day: bool = False,
        patience: float | None = None,
        priority: int = URGENT,
        patient: int = -1,
        activity: str = "",
    ) -> Generator[Any, Any, bool]:
        """Wait for the service, use it for ``duration_days``; False if patience ran out first.

        With an ``activity`` name and the event log on, the contact is logged from the moment the
        clinician began (after any wait) to the moment they finished; nothing is done when it is off.

        A place free now is taken here, as :meth:`acquire` would take it (without its generator: most
        uses find a free place), and the work starts at once; otherwise through :meth:`acquire`.
        Every grant of either passes through :meth:`_grant` once.
        """
        env = self.env
        places = self.places  # the resource's compiled part: its ``take`` is Places.take
        t0: float = env._now
        waited = False
        if places is None and self.hours.is_open(t0, any_day):
            held: Any = Hold(t0)  # unlimited and open: no wait, no event (acquire's first case)
            self._grant(locality, t0, any_day, t0)
        elif places is not None and (held := places.take(any_day, t0)) is not None:
            self._grant(locality, t0, any_day, t0)  # a free place taken now: the work starts now (no event)
        else:
            held = yield from self.acquire(locality, any_day, patience, priority)
            if held is None:
                return False
            waited = True
        start: float = env._now if waited else t0  # no wait: still the time read on the way in
        if self._staff is not None:
            self.recorder.count(self._staff, locality, start, duration_days * HOURS_PER_DAY)
        far = self._far
        yield env.timeout(duration_days) if far is None else far.wait(duration_days, start)
        if places is None:
            self.in_use -= 1  # what ``release`` does with a Hold
        else:
            places.give_back(held)  # ScheduledResource.give_back
        if activity and self.recorder.events is not None:
            self.recorder.log(patient, env._now, activity, self.name, start)
        return True

    def acquire(
        self, locality: int, any_day: bool = False, patience: float | None = None, priority: int = URGENT
    ) -> Generator[Any, Any, Any]:
        """Wait for a place and keep it; None if patience ran out first (``priority``: URGENT or ROUTINE)."""
        env = self.env
        t0: float = env._now
        if self.resource is None:
            start = self.hours.next_open(t0, any_day)
            if patience is not None and start - t0 > patience:
                yield env.timeout(patience)
                return None
            if start > t0:
                yield env.timeout(start - t0)
            held: Any = Hold(env._now)
        else:
            assert self.places is not None
            taken = self.places.take(any_day, t0)  # the resource's ``take``, called in C
            if taken is not None:  # a free place taken now, without an event (ScheduledResource.take)
                self._grant(locality, t0, any_day, t0)
                return taken
            request = self.resource.request(any_day, priority)
            if self.on_urgent_wait is not None and priority == URGENT and not is_granted(request):
                self.on_urgent_wait()  # may grant it: a session handing over its clinician gives back a place
            if patience is None or is_granted(request):  # granted at once: no race against patience
                yield request
            else:
                yield request | env.timeout(patience)
                if not is_granted(request):
                    request.cancel()
                    return None
            held = request
        self._grant(locality, t0, any_day, env._now)
        return held

    def _grant(self, locality: int, t0: float, any_day: bool, now: float) -> None:
        """Book a place just granted (at ``now``) by :meth:`serve` or :meth:`acquire`: the peak in use, the wait
        since ``t0``.

        The one point every such grant passes (``any_day``, whether it was seven-day work, is for
        observers: ``on_grant``, which the verification tests set to see every start of work; the
        compiled Service's methods cannot be wrapped on an instance).
        """
        if self.resource is None:
            self.in_use += 1
            if self.in_use > self._noted:
                self._note(self.in_use)
        else:
            self._note_peak()
        if now > t0:
            self._count_wait(locality, t0, now, 1)
        if self.on_grant is not None:
            self.on_grant(locality, t0, any_day)

    def request_place(self, priority: int = URGENT) -> ServiceRequest:
        """A raw request for a capacity-limited service, for a caller that races it against other events
        (then :meth:`granted` once it succeeds)."""
        assert self.resource is not None
        request = self.resource.request(False, priority)
        if self.on_urgent_wait is not None and priority == URGENT and not is_granted(request):
            self.on_urgent_wait()
        return request

    def granted(self, locality: int, t0: float, patients: int = 1) -> None:
        """Record a request made at ``t0`` with :meth:`request_place` that has just been granted."""
        self._note_peak()
        self.record_wait(locality, t0, patients)

    def record_wait(self, locality: int, t0: float, patients: int = 1) -> None:
        """Record the wait since ``t0`` (hours), of ``patients`` patients who waited for the same place."""
        now: float = self.env._now
        if now > t0:
            self._count_wait(locality, t0, now, patients)

    def _count_wait(self, locality: int, t0: float, now: float, patients: int) -> None:
        if self._wait is not None:
            self.recorder.count(self._wait, locality, now, (now - t0) * HOURS_PER_DAY * patients)

    def _note_peak(self) -> None:
        places = self.places
        assert places is not None
        if places.peak > self._noted:
            self._note(places.peak)

    def _note(self, peak: int) -> None:
        """A new peak of this service: the recorder keeps the highest of every service of its key (the
        localities' worlds of one arm share a recorder). Compared with this service's own last peak first:
        a grant that sets no new peak looks nothing up in the recorder's dict (by name)."""
        self._noted = peak
        if peak > self.recorder.peak_in_use[self.key]:
            self.recorder.peak_in_use[self.key] = peak

    def staff_time(self, locality: int, t: float, duration_days: float) -> None:
        """Record ``duration_days`` of this service's staff time starting at ``t`` (as :meth:`serve` does),
        for work held with :meth:`acquire` (a session of several visits)."""
        if self._staff is not None:
            self.recorder.count(self._staff, locality, t, duration_days * HOURS_PER_DAY)

    def release(self, held: Any) -> None:
        if isinstance(held, Hold):
            self.in_use -= 1
        elif held is not None:
            assert self.places is not None
            self.places.give_back(held)  # ScheduledResource.give_back


__all__ = ["HOURS_PER_DAY", "MINUTES_PER_DAY", "ROUTINE", "URGENT", "Service"]
