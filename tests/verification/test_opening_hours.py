"""Services start work only when open: GP in core hours on weekdays, social work 09:00-17:00.

The event log records when an activity *finished*; its start is the finish minus the activity's
fixed duration (a GP appointment or home visit, a social-work assessment). Starts, not finishes,
must fall in opening hours: work in progress at closing time is finished.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator
from typing import Any

import pytest
import simpy

from carecoord.calendar import Calendar, OpeningHours
from carecoord.model.services import Service
from carecoord.recording import Recorder
from carecoord.scenario import Scenario
from carecoord.scenario.base import OpeningHoursSpec, daily_hours, weekday_hours

EPS = 1e-6  # hours; float noise in day + hour / 24
REPLICATIONS = (0, 1)


def hour_of(t: float) -> float:
    """Hour of the day (0-24) of a simulation time."""
    return (t - math.floor(t)) * 24.0


def starts(rec: Recorder, activity: str, duration_days: float) -> list[tuple[int, float]]:
    """(patient, start time) of every logged ``activity``, from its finish and duration."""
    assert rec.events is not None
    return [(pid, t - duration_days) for pid, t, act, _ in rec.events if act == activity]


def first_enrolled(rec: Recorder) -> dict[int, float]:
    """When each patient was first enrolled (from the log)."""
    assert rec.events is not None
    out: dict[int, float] = {}
    for pid, t, act, _ in rec.events:
        if act == "enrolled":
            out.setdefault(pid, t)
    return out


@pytest.fixture(scope="module", params=["1", ""], ids=["limited", "unlimited"])
def scenario(request: pytest.FixtureRequest, load_tiny) -> Scenario:
    """The tiny scenario with limited (a queue) or unlimited GP and social work."""
    return load_tiny(f"services.gp.capacity={request.param}", f"services.social_work.capacity={request.param}")


def test_gp_contacts_start_on_weekdays_in_core_hours(scenario: Scenario, run_arms) -> None:
    """No GP appointment or home visit starts at a weekend or outside 08:00-18:30."""
    gp = scenario.services.gp
    seen = 0
    for r in REPLICATIONS:
        for arm, rec in run_arms(scenario, r).items():
            for activity, minutes in (
                ("gp_appointment", gp.appointment_minutes),
                ("gp_home_visit", gp.home_visit_minutes),
            ):
                for pid, start in starts(rec, activity, minutes / 1440.0):
                    seen += 1
                    assert rec.calendar.weekday(start + EPS / 24) < 5, (arm, r, activity, pid, start)
                    assert gp.hours.open_hour - EPS <= hour_of(start) < gp.hours.close_hour, (arm, activity, start)
    assert seen > 100


def test_baseline_social_work_never_assesses_at_weekends(scenario: Scenario, run_arms) -> None:
    """Separate services: every assessment starts Monday-Friday, 09:00-17:00."""
    sw = scenario.services.social_work
    seen = 0
    for r in REPLICATIONS:
        rec = run_arms(scenario, r)["baseline"]
        for pid, start in starts(rec, "social_work_assessment", sw.assessment_hours / 24.0):
            seen += 1
            assert rec.calendar.weekday(start + EPS / 24) < 5, (r, pid, start)
            assert sw.hours.open_hour - EPS <= hour_of(start) < sw.hours.close_hour, (r, pid, start)
    assert seen > 50


def test_seven_day_social_work_only_for_enrolled_patients(load_tiny, run_arms) -> None:
    """Integrated arm: weekend assessments happen, only 09:00-17:00, only for enrolled patients."""
    scenario = load_tiny(
        "arms.integrated.mechanisms.enrolment.coordinators=3", "arms.integrated.mechanisms.enrolment.caseload=80"
    )
    sw = scenario.services.social_work
    weekend = 0
    for r in REPLICATIONS:
        rec = run_arms(scenario, r)["integrated"]
        enrolled = first_enrolled(rec)
        for pid, start in starts(rec, "social_work_assessment", sw.assessment_hours / 24.0):
            assert sw.hours.open_hour - EPS <= hour_of(start) < sw.hours.close_hour, (r, pid, start)
            if rec.calendar.weekday(start + EPS / 24) >= 5:
                weekend += 1
                assert pid in enrolled and enrolled[pid] <= start, (r, pid, start)
    assert weekend > 0  # seven-day working is visible, so the weekday checks above can fail


# --- a queue waiting for the service to open ------------------------------------------------------

HOURS = {
    "gp 08:00-18:30 weekdays": weekday_hours(8.0, 18.5),
    "nursing 08:00-22:00 daily": daily_hours(8.0, 22.0),
    "social work 09:00-17:00 weekdays": weekday_hours(9.0, 17.0),
}


@pytest.mark.parametrize("capacity", [1, None], ids=["limited", "unlimited"])
@pytest.mark.parametrize("name", list(HOURS))
def test_request_made_while_closed_starts_at_the_next_opening(name: str, capacity: int | None) -> None:
    """A request made at 23:00 with nobody else waiting starts exactly when the service next opens.

    One request on each evening before an open day for eight weeks, each served for ten minutes,
    so no request ever waits for another: any delay past the opening is the service failing to
    wake its queue.
    """
    spec: OpeningHoursSpec = HOURS[name]
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=70, warm_up_days=0)
    env = simpy.Environment()
    hours = OpeningHours(spec, calendar)
    service = Service(env, "gp", capacity, hours, Recorder(calendar, n_localities=1, n_patients=0), "gp:test")
    started: dict[int, tuple[float, float]] = {}

    def patient(day: int) -> Generator[Any, Any, None]:
        yield env.timeout(day + 23.0 / 24.0)
        asked = env.now
        held = yield from service.acquire(0)
        started[day] = (asked, env.now)
        yield env.timeout(10.0 / 1440.0)
        service.release(held)

    days = [d for d in range(56) if hours.next_open(d + 23.0 / 24.0) < d + 2]
    assert len(days) >= 40
    for day in days:
        env.process(patient(day))
    env.run(until=70)
    assert sorted(started) == days
    late = {
        day: (t, hours.next_open(asked)) for day, (asked, t) in started.items() if t > hours.next_open(asked) + 1e-9
    }
    assert not late, f"started after the next opening (day: (start, opening)): {late}"
    for asked, t in started.values():
        assert t >= asked
        assert hours.is_open(t) or math.isclose(hour_of(t), spec.open_hour, abs_tol=EPS)
