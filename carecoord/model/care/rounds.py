"""Regular work of a care plan served in daily rounds: proactive visits and coordinators' contacts.

Each patient's next visit (or contact) is put in the bucket of the round that serves it: one round
per locality and day, at the service's opening. Buckets are filled when a plan starts and when a
visit is made or skipped, so nothing scans the caseload and nothing polls; a round is one
scheduled event, created with its bucket. A plan's first visit goes on the least-booked round of
its first interval (:meth:`Rounds.start`), so the plans of one meeting are not visited in step.
At the round:

- entries of a plan that has ended or been replaced (``p.caseload_request is not plan``) are
  dropped: nothing is made after the plan ends;
- a patient away from home is skipped, and is due again ``interval`` days after the round's day;
- the patients at home are served in a block: the clinicians' time is booked as sessions on the
  same :class:`~carecoord.model.services.Service` (as routine care does), each session a whole
  number of visits and no longer than the service's open day (at least one visit), using as few
  clinicians as the day's list needs. A session is routine work (priority ROUTINE): urgent requests
  go first, and a session no clinician could start before closing waits for the next opening, like
  any request (its visits are made late, not lost). Urgent work still goes first at every visit, as
  when each visit was its own request: an urgent request that has to wait hands it the clinician of
  the running session whose visit in progress ends first, after that visit; the rest of that
  session's block queues again.

Within a session the visits follow one another (the event log has each visit's own start and end);
their outcome is recorded when the session ends (by then every one of them has happened, so staff
never act on a visit still to come), and each patient is due again ``interval`` days after the day
they were seen, at that day's round. Rounds are daily: at most one visit a day, and an interval
that is not a whole number of days is served at the first round at or after it falls due.

Example:
    >>> rounds = Rounds(world, services, minutes=45.0, interval_days=14.0, activity="proactive_visit",
    ...                 served=on_served)
    >>> rounds.start(patient, due=world.env.now)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import simpy

from carecoord.locations import HOME
from carecoord.model.far import FarWaits
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, ROUTINE, Service
from carecoord.model.tasks import Task

Entry = tuple[Patient, Any]
"""A patient and the plan (caseload place) the visit belongs to."""
Served = Callable[[int, list[Entry], float], None]
"""Called when a session ends: (locality, the block served, the session's start)."""


def _booked(bucket: list[list[Entry] | None], at: float) -> int:
    """How many visits the round at ``at`` has booked."""
    todo = bucket[int(at)]
    return 0 if todo is None else len(todo)


def blocks(visits: int, per_session: int) -> list[int]:
    """Split a day's ``visits`` into as few sessions of at most ``per_session`` visits as will do, evenly."""
    if visits <= 0:
        return []
    n = -(-visits // per_session)
    size, extra = divmod(visits, n)
    return [size + 1] * extra + [size] * (n - extra)


class Rounds:
    """One kind of regular plan work (visits or contacts) of an arm, served in daily rounds per locality."""

    def __init__(
        self,
        world: Any,
        services: list[Service | None],
        minutes: float,
        interval_days: float,
        activity: str,
        served: Served,
    ):
        """``world``: the :class:`~carecoord.model.world.World` (typed loosely, as routine care does);
        ``services[loc]``: the service whose staff do the work in locality ``loc`` (None: no work
        there); ``served``: records the outcome of a block when its session ends."""
        self.world = world
        self.env = world.env
        self._far: FarWaits = world.far  # the world's timeouts (carecoord.model.far), called in C
        self.horizon: float = world.horizon  # read per booking: a compiled float (world is untyped)
        self.services = services
        self.minutes = minutes
        self.visit_days = minutes / MINUTES_PER_DAY
        self.interval = interval_days
        self.activity = activity
        self.served = served
        # A round is at one time of its day (the opening), so its bucket is found by the day's number: a list
        # index, where a dict keyed by the round's time hashed a boxed float at every booking.
        days = int(self.horizon) + 1  # a round is booked only before the horizon
        self.buckets: list[list[list[Entry] | None]] = [[None] * days for _ in services]
        self.running: dict[int, dict[Part, None]] = {}  # per service: the sessions holding a clinician
        for service in services:
            if service is not None and id(service) not in self.running:
                self.running[id(service)] = {}
                if service.resource is not None:
                    assert service.on_urgent_wait is None, "one kind of rounds per service"
                    service.on_urgent_wait = lambda service=service: self._hand_over(service)

    def start(self, p: Patient, due: float, spread: bool = True) -> None:
        """A plan has started: its first visit is on the least-booked round of its first interval
        (``spread=False``: on the first round, as every later visit is).

        The candidates are the first round after now and at or after ``due`` and every round of the
        ``interval`` days from it; the earliest of the least-booked wins. A team spreads a meeting's
        new plans over its lists (assumption; the lists are what it knows): first visits all on the
        round after the meeting would keep every plan of that meeting in step, visited on the same
        days every interval, and a year's visits would fall on a few lumpy days (docs/model.md,
        "Rounds": with the MDT and the visits both every 14 days, 76 round days a year in the pilot).
        """
        now: float = self.env._now
        at = self._round_at(p, due, now)
        if at >= self.horizon:
            return
        bucket = self.buckets[p.locality]
        best, fewest = at, _booked(bucket, at) if spread else 0  # not spread: the first round stands
        service = self.services[p.locality]
        assert service is not None
        end = at + self.interval
        day = at
        while fewest:
            day = service.hours.next_open(float(math.floor(day) + 1))
            if day >= end or day >= self.horizon:
                break
            booked = _booked(bucket, day)
            if booked < fewest:
                best, fewest = day, booked
        self._book(p, p.caseload_request, best, now)

    def _round_at(self, p: Patient, due: float, now: float) -> float:
        """The first round after ``now`` (the environment's time, read by the caller) and at or after ``due``."""
        service = self.services[p.locality]
        assert service is not None
        hours = service.hours
        at = hours.next_open(float(math.floor(due)))
        while at < due or at <= now:  # that day's round has gone (or is going now): the next one
            at = hours.next_open(float(math.floor(at) + 1))
        return at

    def _due(self, p: Patient, plan: Any, due: float, now: float) -> None:
        at = self._round_at(p, due, now)
        if at < self.horizon:
            self._book(p, plan, at, now)

    def _book(self, p: Patient, plan: Any, at: float, now: float) -> None:
        """Put the patient's next visit in the bucket of the round at ``at`` (made with its event)."""
        bucket = self.buckets[p.locality]
        day = int(at)
        todo = bucket[day]
        if todo is None:
            bucket[day] = todo = []
            event: Any = self.world.far.wait(at - now, now)  # held out of SimPy's queue till its day
            event.callbacks.append(lambda _event, loc=p.locality, at=at: self._round(loc, at))
        todo.append((p, plan))

    def _round(self, loc: int, at: float) -> None:
        """The round of one locality and day: skip those away, serve the rest in sessions."""
        block: list[Entry] = []
        day = math.floor(at)
        bucket = self.buckets[loc]
        todo = bucket[day]
        bucket[day] = None
        assert todo is not None  # made with this round's event
        for p, plan in todo:
            if p.caseload_request is not plan or not p.plan_active:
                continue  # the plan ended or was replaced: no more visits for it
            if p.location == HOME:
                block.append((p, plan))
            else:
                self._due(p, plan, day + self.interval, self.env._now)  # away: skipped, due again an interval later
        if not block:
            return
        service = self.services[loc]
        assert service is not None
        hours = service.hours
        open_minutes = MINUTES_PER_DAY if hours.always else (hours.close - hours.open) * MINUTES_PER_DAY
        per_session = max(1, math.floor(open_minutes / self.minutes + 1e-9))
        first = 0
        for size in blocks(len(block), per_session):
            task = Task()  # not a process: see _session
            task.start(self._session(loc, service, block[first : first + size], task))
            first += size

    def _session(self, loc: int, service: Service, block: list[Entry], task: Task) -> Generator[Any, Any, None]:
        """One clinician's session: waits for them (routine priority), then the block's visits in turn.

        A session is a :class:`~carecoord.model.tasks.Task` (``task``), started here in the round's
        step, not a process: nothing waits for it, and its interrupt is a process's. The timing is a
        process's: the round is a routine (NORMAL) event, so when it ran no first-of-the-moment event
        (``Initialize``, ``Interruption``) of its time was left, and the sessions' ``Initialize``
        events would have run next, one after the other, in this order, each session until its first
        wait, with no other event between: what starting them here does, every other event keeping
        its place in SimPy's order. That saves each session's two events (``Initialize``, end).

        Staff time is recorded when the session starts, as :meth:`Service.serve` does for one visit,
        and the wait for the session once per patient of the block (the service's wait hours are
        patients' hours, and its uses are visits: a wait counted once per session would hide a
        growing queue from the run's warnings). Urgent work still goes first at
        every visit, as it did when each visit was its own request: an urgent request that has to
        wait interrupts one running session (:meth:`_hand_over`), which finishes the visit in
        progress, gives the clinician back (the staff time of the visits not made is taken off) and
        queues again, routine, for the rest of its block. With the event log on, each visit is logged
        at its own end by a callback-only event (it resumes nothing, so the results are the same with
        the log on or off).
        """
        env = self.env
        visit = self.visit_days
        interval = self.interval
        running = self.running[id(service)]
        while block:
            asked: float = env._now
            held = yield from service.acquire(loc, priority=ROUTINE)
            start: float = env._now
            if len(block) > 1:  # every patient of the block waited for the session, not only the first
                service.record_wait(loc, asked, len(block) - 1)
            duration = len(block) * visit
            service.staff_time(loc, start, duration)
            part = Part(task, start, len(block))
            if self.world.rec.events is not None:
                self._log(service, block, part)
            running[part] = None
            try:
                yield self._far.wait(duration)
            except simpy.Interrupt:  # urgent work waits: finish the visit in progress, then hand over
                end = start + part.done * visit
                if end > env._now:  # a session is asked once, so nothing interrupts this wait
                    yield env.timeout(end - env._now)
                service.staff_time(loc, env._now, -(len(block) - part.done) * visit)
            running.pop(part, None)
            service.release(held)
            done = block[: part.done]
            if done:
                self.served(loc, done, start)
                now: float = env._now
                for i, (p, plan) in enumerate(done):
                    if p.caseload_request is plan and p.plan_active:
                        self._due(p, plan, math.floor(start + i * visit) + interval, now)
            block = block[part.done :]

    def _hand_over(self, service: Service) -> None:
        """An urgent request waits at ``service``: the running session whose visit in progress ends
        first stops after it (only while the service is open: outside its hours nothing new starts)."""
        now: float = self.env._now
        if not service.hours.is_open(now):
            return
        visit = self.visit_days
        best: Part | None = None
        best_end = math.inf
        for part in self.running[id(service)]:  # at most one session per clinician
            if part.done == part.visits:
                k = max(0, math.ceil((now - part.start) / visit - 1e-9))
                if k < part.visits and part.start + k * visit < best_end:
                    best, best_end = part, part.start + k * visit
        if best is not None:
            best.done = math.ceil((best_end - best.start) / visit - 1e-9)
            best.process.interrupt()

    def _log(self, service: Service, block: list[Entry], part: Part) -> None:
        env = self.env
        rec = self.world.rec
        visit = self.visit_days
        start = part.start
        for i, (p, _) in enumerate(block):
            seen = start + i * visit

            def log(_event: Any, pid: int = p.id, i: int = i, seen: float = seen) -> None:
                if i < part.done:  # not a visit the session handed over before making
                    rec.log(pid, seen + visit, self.activity, service.name, seen)

            env.timeout(seen + visit - env._now).callbacks.append(log)


class Part:
    """A session (or the rest of one) holding a clinician: ``done`` visits will be made (all, unless
    it is asked to hand over to urgent work)."""

    __slots__ = ("done", "process", "start", "visits")

    def __init__(self, process: Task, start: float, visits: int):
        self.process = process
        self.start = start
        self.visits = visits
        self.done = visits


__all__ = ["Rounds", "blocks"]
