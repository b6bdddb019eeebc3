"""The MDT agrees at most a set number of new plans per meeting (issue 8, item 6: paced enrolment)."""

from __future__ import annotations

import simpy

from carecoord.model.mdt import MdtMeeting


def test_meetings_agree_plans_a_few_at_a_time_in_referral_order() -> None:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def agree(name: str) -> bool:
        log.append((env.now, name))
        return True

    mdt = MdtMeeting(env, first=3.0, interval_days=14.0, places=2, horizon=60.0, agree=agree)
    for name in "abcde":
        mdt.refer(name)
    env.run(until=60.0)
    assert log == [(3.0, "a"), (3.0, "b"), (17.0, "c"), (17.0, "d"), (31.0, "e")]
    assert mdt.agreed == [2, 2, 1, 0, 0]  # meetings at 3, 17, 31, 45, 59


def test_a_patient_who_no_longer_needs_a_plan_frees_the_place() -> None:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def agree(name: str) -> bool:
        if name == "b":
            return False  # died while waiting
        log.append((env.now, name))
        return True

    mdt = MdtMeeting(env, first=0.0, interval_days=7.0, places=2, horizon=10.0, agree=agree)
    for name in "abc":
        mdt.refer(name)
    env.run(until=10.0)
    assert log == [(0.0, "a"), (0.0, "c")]


def test_referrals_after_a_meeting_wait_for_the_next() -> None:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []
    mdt = MdtMeeting(
        env,
        first=0.0,
        interval_days=10.0,
        places=5,
        horizon=30.0,
        agree=lambda n: bool(log.append((env.now, n))) or True,
    )

    def later() -> simpy.events.Event:
        yield env.timeout(4.0)
        mdt.refer("x")

    env.process(later())
    env.run(until=30.0)
    assert log == [(10.0, "x")]
