"""The MDT agrees at most a set number of new plans per meeting, in the meeting's time (issue 8, item 6).

Meetings last ``meeting_hours`` (decisions at the end), discuss the reviews due first and give new
plans the time left; reviews not reached roll over. With a coordinator team the meeting holds
every coordinator for its length, and each coordinator brings that much discussion time.
"""

from __future__ import annotations

import datetime as dt

import simpy

from carecoord.calendar import Calendar, OpeningHours
from carecoord.model.mdt import MdtMeeting, MdtTimes
from carecoord.model.services import ROUTINE, Service
from carecoord.recording import Recorder
from carecoord.scenario.base import weekday_hours

HOUR = 1.0 / 24.0


def times(first: float, interval: float, horizon: float, hours: float = 2.0, new: float = 15.0, review: float = 5.0):
    return MdtTimes(first, interval, horizon, hours, new, review)


def test_meetings_agree_plans_a_few_at_a_time_in_referral_order() -> None:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def agree(name: str) -> bool:
        log.append((env.now, name))
        return True

    mdt = MdtMeeting(env, times(3.0, 14.0, 60.0), places=2, agree=agree)
    for name in "abcde":
        mdt.refer(name)
    env.run(until=60.0)
    end = 2.0 * HOUR  # decisions when the 2-hour meeting ends
    assert log == [(3.0 + end, "a"), (3.0 + end, "b"), (17.0 + end, "c"), (17.0 + end, "d"), (31.0 + end, "e")]
    assert mdt.agreed == [2, 2, 1, 0, 0]  # meetings at 3, 17, 31, 45, 59


def test_a_patient_who_no_longer_needs_a_plan_frees_the_place() -> None:
    env = simpy.Environment()
    log: list[str] = []

    def agree(name: str) -> bool:
        if name == "b":
            return False  # died while waiting
        log.append(name)
        return True

    mdt = MdtMeeting(env, times(0.0, 7.0, 10.0), places=2, agree=agree)
    for name in "abc":
        mdt.refer(name)
    env.run(until=10.0)
    assert log == ["a", "c"]


def test_reviews_go_first_and_new_plans_get_the_time_left() -> None:
    """A 1-hour meeting: 60 minutes. Ten 5-minute reviews leave 10 minutes: no 15-minute new plan fits.
    At the next meeting no review is due: 60 minutes hold 4 new plans, though 5 places are free."""
    env = simpy.Environment()
    rolled: list[int] = []

    mdt = MdtMeeting(
        env, times(0.0, 7.0, 8.0, hours=1.0), places=5, agree=lambda _: True, on_meeting=lambda q: rolled.append(len(q))
    )
    for i in range(10):
        mdt.review_due(f"r{i}")
    for name in "abcde":
        mdt.refer(name)
    env.run(until=8.0)
    assert (mdt.reviewed, mdt.agreed) == ([10, 0], [0, 4])
    assert list(mdt.queue) == ["e"]
    assert rolled == [0, 0]


def test_reviews_not_reached_roll_over() -> None:
    """60 minutes hold twelve 5-minute reviews: of 20 due, 8 wait for the next meeting."""
    env = simpy.Environment()
    overdue: list[int] = []
    mdt = MdtMeeting(
        env,
        times(0.0, 7.0, 8.0, hours=1.0),
        places=5,
        agree=lambda _: True,
        on_meeting=lambda q: overdue.append(len(q)),
    )
    for i in range(20):
        mdt.review_due(i)
    env.run(until=8.0)
    assert mdt.reviewed == [12, 8]
    assert overdue == [8, 0]


def test_the_meeting_holds_every_coordinator_in_working_hours() -> None:
    """Due at midnight on a Monday, the meeting starts at 09:00, holds both coordinators for 2 hours:
    a routine contact asked for at 09:00 starts at 11:00."""
    env = simpy.Environment()
    calendar = Calendar(dt.date(2024, 1, 1), 14, 0)  # 1 January 2024 is a Monday
    rec = Recorder(calendar, 1, 0)
    hours = OpeningHours(weekday_hours(9.0, 17.0), calendar)
    team = Service(env, "coordinator", 2, hours, rec, "coordinators:x")
    mdt = MdtMeeting(env, times(0.0, 14.0, 14.0), places=5, agree=lambda _: True, team=team)
    started: list[float] = []

    def contact() -> simpy.events.Event:
        yield env.timeout(9.0 * HOUR)
        yield from team.serve(0, 0.5 * HOUR, priority=ROUTINE)
        started.append(env.now - 0.5 * HOUR)

    env.process(contact())
    env.run(until=14.0)
    assert mdt.held_at == [9.0 * HOUR]
    assert abs(started[0] - 11.0 * HOUR) < 1e-9


def test_each_coordinator_brings_the_meeting_its_own_discussion_time() -> None:
    """Three coordinators in a 1-hour meeting: 3 x 60 minutes hold twelve 15-minute new plans (one
    coordinator's meeting holds four), so a larger team enrols proportionately faster."""
    env = simpy.Environment()
    calendar = Calendar(dt.date(2024, 1, 1), 14, 0)
    rec = Recorder(calendar, 1, 0)
    hours = OpeningHours(weekday_hours(9.0, 17.0), calendar)
    team = Service(env, "coordinator", 3, hours, rec, "coordinators:x")
    mdt = MdtMeeting(env, times(0.0, 14.0, 14.0, hours=1.0), places=100, agree=lambda _: True, team=team)
    for i in range(20):
        mdt.refer(i)
    env.run(until=14.0)
    assert mdt.tables == 3
    assert mdt.agreed == [12]
