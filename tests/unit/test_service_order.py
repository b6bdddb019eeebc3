"""A place taken without a request (``ScheduledResource.take``) serves everyone as SimPy's request would.

A taken place starts the work at once, in the same step, where a granted request resumes its
process at the request's event later in the same instant: same-instant order differs (by design:
one event fewer per use), nothing else. Patients arrive on a coarse grid nudged apart so that no two
events share an instant, some with patience, on a service with opening hours; every resumption is
traced and compared with the same run where every use makes a SimPy request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from carecoord.calendar import Calendar, OpeningHours
from carecoord.model.resource import ROUTINE, URGENT, ScheduledResource
from carecoord.model.services import Service
from carecoord.recording import Recorder
from carecoord.scenario.base import daily_hours, weekday_hours

HOURS = [weekday_hours(8.0, 18.5), daily_hours(8.0, 22.0), daily_hours(0.0, 24.0)]

visits = st.lists(
    st.tuples(
        st.integers(0, 40),  # arrival, in quarters of a day (ties are common)
        st.integers(1, 4),  # duration, in eighths of a day
        st.sampled_from([URGENT, ROUTINE]),
        st.booleans(),  # seven-day request
        st.sampled_from([None, 0.25, 1.0]),  # patience (days)
        st.booleans(),  # serve (True) or acquire, hold and release (False)
    ),
    min_size=1,
    max_size=30,
)


def _trace(plan: list[tuple[int, int, int, bool, float | None, bool]], capacity: int, hours: int) -> list[tuple]:
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=30, warm_up_days=0)
    env = simpy.Environment()
    service = Service(env, "gp", capacity, OpeningHours(HOURS[hours], calendar), Recorder(calendar, 1, 0), "gp:test")
    trace: list[tuple] = []

    def patient(
        i: int, arrive: int, length: int, priority: int, any_day: bool, patience: float | None, serve: bool
    ) -> Generator[Any, Any, None]:
        yield env.timeout(arrive / 4.0 + i * 1e-6)  # no two patients' events at one instant
        if serve:
            seen = yield from service.serve(0, length / 8.0, any_day, patience, priority)
            trace.append((i, env.now, seen))
            return
        held = yield from service.acquire(0, any_day, patience, priority)
        trace.append((i, env.now, held is not None))
        if held is not None:
            yield env.timeout(length / 8.0)
            service.release(held)
            trace.append((i, env.now, "released"))

    for i, visit in enumerate(plan):
        env.process(patient(i, *visit))
    env.run(until=30)
    assert service.resource is not None
    return [*trace, ("peak", service.resource.places.peak, len(service.resource.users))]


@settings(max_examples=60, deadline=None)
@given(visits, st.integers(1, 3), st.integers(0, len(HOURS) - 1))
def test_taking_a_place_serves_as_requests_do(plan, capacity: int, hours: int) -> None:
    with_take = _trace(plan, capacity, hours)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ScheduledResource, "take", lambda self, any_day=False: None)  # every use a SimPy request
        requests_only = _trace(plan, capacity, hours)
    assert with_take == requests_only


def test_a_place_taken_starts_the_work_without_an_event() -> None:
    """A free place on an open service: the visit's own timeout is the only event after the start."""
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=10, warm_up_days=0)
    env = simpy.Environment()
    service = Service(env, "gp", 1, OpeningHours(HOURS[2], calendar), Recorder(calendar, 1, 0), "gp:test")
    env.process(service.serve(0, 0.5))
    env.step()  # the process starts and takes the place
    assert service.resource is not None and service.resource.count == 1
    assert env.peek() == 0.5  # next: the end of the visit, no zero-delay resumption first
    env.step()
    assert service.resource.count == 0


def test_take_only_when_free_open_and_nobody_waits() -> None:
    """A place is taken at once only if a request made now would be granted at once."""
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=10, warm_up_days=0)  # a Tuesday
    env = simpy.Environment()
    resource = ScheduledResource(env, 1, OpeningHours(weekday_hours(8.0, 18.5), calendar))
    assert resource.take() is None  # midnight: closed
    env.run(until=0.5)
    first = resource.take()
    assert first is not None and resource.count == 1
    assert resource.take() is None  # full
    resource.give_back(first)
    assert resource.count == 0
    waiting = resource.request(priority=ROUTINE)
    assert waiting.triggered  # granted at once
    queued = resource.request()
    assert not queued.triggered
    pending = len(env._queue)
    resource.give_back(waiting)  # somebody waits: the queued request is granted at once
    assert queued.triggered and resource.count == 1 and queued in resource.users
    assert len(env._queue) == pending + 1  # the grant's event only: no release event
    assert resource.take() is None  # the queued request holds the place


def test_waiting_requests_are_woken_at_openings_only_while_any_wait() -> None:
    """Nobody waiting: no event at all; a request made while closed starts at the opening it may use."""
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=14, warm_up_days=0)  # a Tuesday
    env = simpy.Environment()
    resource = ScheduledResource(env, 1, OpeningHours(weekday_hours(8.0, 18.5), calendar))
    assert env.peek() == float("inf")  # no process waking the service every day
    tuesday = resource.request()  # midnight: closed
    env.run(until=1.0)
    assert tuesday.processed and resource.count == 1 and tuesday.usage_since == pytest.approx(8.0 / 24.0)
    resource.give_back(tuesday)
    env.run(until=4.9)  # Saturday night (and the weekend is closed to weekday work)
    weekday, seven_day = resource.request(), resource.request(any_day=True)
    env.run(until=5.0)
    assert not weekday.triggered and not seven_day.triggered  # nothing starts outside the hours
    env.run(until=5.5)
    assert seven_day.processed and seven_day.usage_since == pytest.approx(5.0 + 8.0 / 24.0)  # Sunday
    resource.give_back(seven_day)  # Sunday noon: the place is free, but not for weekday work
    env.run(until=6.0)
    assert not weekday.triggered
    env.run(until=7.0)
    assert weekday.processed and weekday.usage_since == pytest.approx(6.0 + 8.0 / 24.0)  # Monday
    resource.give_back(weekday)
    env.run(until=10.0)
    assert not [e for *_, e in env._queue if isinstance(e, simpy.Timeout)]  # nobody waits: no more wake-ups
