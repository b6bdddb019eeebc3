"""Proactive visits and coordinators' contacts served in daily rounds (carecoord.model.care.rounds).

The rounds are driven here with real patients set up by hand (a round reads only their locality,
location and plan) on a real :class:`Service` and :class:`Recorder`, so each rule is checked by exact counting:
visits at each due round while at home on the plan, none while away or after the plan, staff time
equal to visits x minutes, sessions no longer than the open day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import simpy

from carecoord.calendar import Calendar, OpeningHours
from carecoord.cohort import PatientRecord
from carecoord.locations import HOME, HOSPITAL
from carecoord.model.care.rounds import Rounds, blocks
from carecoord.model.far import FarWaits
from carecoord.model.patient import Patient
from carecoord.model.services import Service
from carecoord.recording import M, Recorder
from carecoord.scenario.base import daily_hours, weekday_hours

OPEN = 8.0 / 24.0  # the services below open at 08:00
MINUTES = 45.0


def person(pid: int) -> Patient:
    """A patient at home in locality 0 (a round reads only that and the plan's state)."""
    p = Patient(pid, PatientRecord(0, pid, 80.0, 0, False, False, (), 0.0, 0.0))
    p.location = HOME
    return p


class Setup:
    """One locality's nursing service, a recorder with the event log on, and the rounds."""

    def __init__(self, hours: Any, capacity: int | None, interval: float, horizon: float, n: int):
        self.calendar = Calendar(dt.date(2014, 4, 7), horizon_days=int(horizon), warm_up_days=0)  # a Monday
        self.env = simpy.Environment()
        self.rec = Recorder(self.calendar, 1, n, log_events=True)
        hours = OpeningHours(hours, self.calendar)
        self.service = Service(self.env, "community_nursing", capacity, hours, self.rec, "community_nursing:0")
        # The rounds are booked to the horizon, and the run goes on until every session has finished (a world's
        # run stops at its horizon): the sessions' waits, made by the far waits, may end long after it.
        far = FarWaits(self.env, 10 * horizon)
        world = SimpleNamespace(env=self.env, horizon=horizon, rec=self.rec, far=far)
        self.sessions: list[tuple[float, float, int]] = []  # (start, end, visits)
        self.rounds = Rounds(world, [self.service], MINUTES, interval, "proactive_visit", self._served)
        self.patients = [person(i) for i in range(n)]

    def _served(self, loc: int, block: list[Any], start: float) -> None:
        self.sessions.append((start, self.env.now, len(block)))

    def start_plan(self, p: Patient, at: float, spread: bool = True) -> Generator[Any, Any, None]:
        """Start a plan at ``at`` (``spread=False``: first visit on the first round, so plans started
        together make one crowded round, as the session tests need)."""
        yield self.env.timeout(at)
        p.caseload_request = object()
        p.plan_start = at
        self.rounds.start(p, at, spread)

    def run(self) -> dict[int, list[float]]:
        """Run to the end (every session finishes); each patient's visit start times, in order."""
        self.env.run()
        visits: dict[int, list[float]] = {p.id: [] for p in self.patients}
        assert self.rec.events is not None
        for (pid, _, activity, _), start in zip(self.rec.events, self.rec.event_starts, strict=True):
            assert activity == "proactive_visit"
            visits[pid].append(start)
        return visits


def first_round(t0: float) -> float:
    """The first daily 08:00 round strictly after ``t0`` (a service open every day)."""
    day = math.floor(t0)
    return day + OPEN if t0 < day + OPEN else day + 1 + OPEN


def test_blocks_split_a_day_evenly_into_as_few_sessions_as_fit() -> None:
    assert blocks(0, 13) == []
    assert blocks(13, 13) == [13]
    assert blocks(14, 13) == [7, 7]
    assert blocks(27, 13) == [9, 9, 9]
    assert blocks(5, 1) == [1] * 5


@pytest.mark.parametrize("interval", [1.0, 7.0, 14.0, 30.0])
def test_visits_every_interval_while_at_home_on_the_plan(interval: float) -> None:
    """Interval theory, counted exactly: a patient whose plan starts at t0 is visited at the rounds of
    days f, f + interval, f + 2 x interval, ... before the horizon (f: a round of the first interval
    after t0, the least booked: see the next test). So the visits per patient-year on the plan at home
    are 365.25 / interval to within one visit."""
    horizon = 400.0
    setup = Setup(daily_hours(8.0, 18.0), None, interval, horizon, 60)
    starts = np.random.default_rng(11).uniform(0.0, horizon / 2, len(setup.patients))
    for p, t0 in zip(setup.patients, starts, strict=True):
        setup.env.process(setup.start_plan(p, float(t0)))
    visits = setup.run()
    total_visits, plan_years = 0, 0.0
    for p, t0 in zip(setup.patients, starts, strict=True):
        earliest = first_round(float(t0))
        f = math.floor(visits[p.id][0]) + OPEN  # the round of the first visit
        assert earliest <= f < earliest + interval
        expected = [f + k * interval for k in range(math.ceil((horizon - f) / interval))]
        assert len(visits[p.id]) == len(expected)
        # Unlimited nurses: each visit of a session follows the one before (visits of a block in turn).
        assert all(abs(v - e) < 1.0 for v, e in zip(visits[p.id], expected, strict=True))
        assert [math.floor(v) for v in visits[p.id]] == [math.floor(e) for e in expected]
        total_visits += len(expected)
        plan_years += (horizon - t0) / 365.25
    rate = total_visits / plan_years
    # Each patient's count is within one visit of (horizon - t0) / interval.
    assert abs(rate - 365.25 / interval) <= len(setup.patients) / plan_years


@pytest.mark.parametrize(("n", "interval"), [(60, 14.0), (9, 14.0), (30, 7.0)])
def test_plans_started_together_spread_their_first_visits_over_the_first_interval(n: int, interval: float) -> None:
    """Plans agreed at one meeting (all at t0): each first visit goes on the least-booked round of the
    first interval, the earliest of those on a tie, so the first visits fill the interval's rounds
    evenly (counts differ by at most one, earliest days first), and every visit after stays on its
    patient's lattice. Without the spreading all would be visited on the first round, and every
    interval after, together."""
    horizon = 3 * interval + 2
    setup = Setup(daily_hours(8.0, 18.0), None, interval, horizon, n)
    for p in setup.patients:
        setup.env.process(setup.start_plan(p, 0.5))
    visits = setup.run()
    first = math.floor(first_round(0.5))
    rounds = [first + k for k in range(int(interval))]  # the days of the first interval's rounds
    on = [sum(1 for days in visits.values() if math.floor(days[0]) == r) for r in rounds]
    low, extra = divmod(n, len(rounds))
    assert on == [low + 1] * extra + [low] * (len(rounds) - extra)
    for days in visits.values():
        assert np.diff(np.floor(days)).tolist() == [interval] * (len(days) - 1)


def test_weekday_service_keeps_a_weekly_visit_on_its_weekday() -> None:
    """Nurses on weekdays only: a 7-day interval keeps each patient on one weekday, 7 days apart."""
    setup = Setup(weekday_hours(8.0, 18.0), None, 7.0, 200.0, 30)
    for i, p in enumerate(setup.patients):
        setup.env.process(setup.start_plan(p, 0.3 * i))
    visits = setup.run()
    for days in visits.values():
        assert len(days) >= 25
        assert all(setup.calendar.weekday(math.floor(d)) < 5 for d in days)
        assert np.diff(np.floor(days)).tolist() == [7.0] * (len(days) - 1)


def test_no_visit_while_away_and_the_next_one_due_an_interval_after_the_skipped_round() -> None:
    """Away on days [30.5, 61.5): the rounds in between skip the patient; each skipped round makes the
    next due an interval later, so the visits after the return stay on the same 7-day lattice."""
    setup = Setup(daily_hours(8.0, 18.0), None, 7.0, 150.0, 1)
    p = setup.patients[0]
    setup.env.process(setup.start_plan(p, 2.5))

    def away() -> Generator[Any, Any, None]:
        yield setup.env.timeout(30.5)
        p.location = HOSPITAL
        yield setup.env.timeout(31.0)
        p.location = HOME

    setup.env.process(away())
    days = [math.floor(v) for v in setup.run()[0]]
    lattice = [3 + 7 * k for k in range(21) if 3 + 7 * k < 150]
    assert days == [d for d in lattice if not 30.5 <= d + OPEN < 61.5]
    assert len(days) == len(lattice) - 5  # the rounds of days 31, 38, 45, 52 and 59 were skipped


def test_no_visit_after_the_plan_ends_and_a_new_plan_restarts_the_visits() -> None:
    """Plan A from day 0.5 to 40.2, none until 60.7, plan B from then: visits only while a plan lasts,
    the ended plan's next visit (due day 43) is dropped, B's first is at the round after it starts."""
    setup = Setup(daily_hours(8.0, 18.0), None, 7.0, 120.0, 1)
    p = setup.patients[0]
    setup.env.process(setup.start_plan(p, 0.5))

    def end_and_restart() -> Generator[Any, Any, None]:
        yield setup.env.timeout(40.2)
        p.caseload_request, p.plan_start = None, None
        yield from setup.start_plan(p, 60.7 - 40.2)

    setup.env.process(end_and_restart())
    days = [math.floor(v) for v in setup.run()[0]]
    assert days == [1 + 7 * k for k in range(6)] + [61 + 7 * k for k in range(9) if 61 + 7 * k < 120]


def test_a_replaced_plan_leaves_one_visit_a_round() -> None:
    """A new plan replacing the old one mid-way (no gap): the old plan's visits stop at once, so the
    patient is never visited twice in a round."""
    setup = Setup(daily_hours(8.0, 18.0), None, 7.0, 120.0, 1)
    p = setup.patients[0]
    setup.env.process(setup.start_plan(p, 0.5))
    setup.env.process(setup.start_plan(p, 10.6))  # replaces the first plan (a new caseload place)
    days = [math.floor(v) for v in setup.run()[0]]
    assert days == [1, 8] + [11 + 7 * k for k in range(16) if 11 + 7 * k < 120]


def test_staff_time_equals_visits_times_minutes_on_a_busy_service() -> None:
    """Two nurses on weekdays (08:00-18:00) and 300 weekly visits of 45 minutes: more work than hours,
    so sessions queue (routine work waits for a nurse, across closed days). Every session is at most an
    open day of visits; staff time is exactly the visits made x 45 minutes; every session starts in
    opening hours, at or after its round."""
    setup = Setup(weekday_hours(8.0, 18.0), 2, 7.0, 120.0, 300)
    for i, p in enumerate(setup.patients):
        setup.env.process(setup.start_plan(p, 0.01 * i, spread=False))
    visits = setup.run()
    made = sum(len(v) for v in visits.values())
    assert made == sum(n for _, _, n in setup.sessions)
    staff = setup.rec.total(M.staff_hours_community_nursing, include_warm_up=True)
    assert staff == pytest.approx(made * MINUTES / 60.0, rel=1e-12)
    per_session = math.floor(10 * 60 / MINUTES)
    hours = setup.service.hours
    for start, end, n in setup.sessions:
        assert 1 <= n <= per_session
        assert end - start == pytest.approx(n * MINUTES / 1440.0)
        assert hours.is_open(start)
    waited = [start - (math.floor(start) + OPEN) for start, _, _ in setup.sessions]
    assert max(waited) > 0  # the service was busy: some sessions waited for a nurse


def test_every_patient_of_a_session_is_counted_waiting() -> None:
    """One nurse, one round of 30 visits (sessions of at most 13: 10, 10 and 10), nothing else: the
    service's wait hours are each session's wait from the round (08:00) to its start, once per visit in
    it, so the mean wait per use (visit) that the run's warnings read is the patients' mean wait."""
    setup = Setup(daily_hours(8.0, 18.0), 1, 7.0, 5.0, 30)
    for p in setup.patients:
        setup.env.process(setup.start_plan(p, 0.0, spread=False))
    setup.run()
    assert [n for _, _, n in setup.sessions] == [10, 10, 10]
    expected = sum(n * (start - OPEN) * 24.0 for start, _, n in setup.sessions)
    assert expected > 0  # the second and third sessions waited for the one nurse
    waited = setup.rec.total(M.wait_hours_community_nursing, include_warm_up=True)
    assert waited == pytest.approx(expected, rel=1e-12)


def test_urgent_work_waits_only_for_the_visit_in_progress() -> None:
    """One nurse, a round of 10 visits of 45 minutes from 08:00 (day 1). An urgent 30-minute request
    at 09:00 waits for the visit in progress (09:00 is 60 minutes in: the second visit ends at 09:30),
    takes the nurse, and the round's other 8 visits follow from 10:00. Staff time: every visit made
    and the urgent work, nothing counted twice."""
    setup = Setup(daily_hours(8.0, 18.0), 1, 7.0, 5.0, 10)
    for p in setup.patients:
        setup.env.process(setup.start_plan(p, 0.5, spread=False))
    urgent: list[float] = []

    def crisis() -> Generator[Any, Any, None]:
        yield setup.env.timeout(1 + 9 / 24)
        yield from setup.service.serve(0, 30 / 1440)  # URGENT by default
        urgent.append(setup.env.now)

    setup.env.process(crisis())
    visits = sorted(v for vs in setup.run().values() for v in vs)
    minute = 1 / 1440
    assert urgent == pytest.approx([1 + 10 / 24])
    expected = [1 + OPEN + 45 * k * minute for k in range(2)] + [1 + 10 / 24 + 45 * k * minute for k in range(8)]
    assert visits == pytest.approx(expected)
    staff = setup.rec.total(M.staff_hours_community_nursing, include_warm_up=True)
    assert staff == pytest.approx(10 * MINUTES / 60 + 0.5, rel=1e-12)
    assert [n for _, _, n in setup.sessions] == [2, 8]
