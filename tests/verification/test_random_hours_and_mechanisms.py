"""Hypothesis properties over random opening hours and random mechanism parameters.

``tests/property/test_conservation.py`` already draws random sizes, capacities and mechanisms
switched on or off (with default parameters and default hours). What it does not vary, and this
file does:

* a bare :class:`~carecoord.model.services.Service` with random opening hours (any set of days,
  any half-hour opening and closing), random capacity and random requests: work starts only
  when the service is open for that request; with room to spare, exactly at the first open
  minute at or after the request (worked out here in whole minutes, independently of the
  package); never more places in use than the capacity;
* whole runs with random opening hours for GP, community nursing, social work and home care
  and random values of every mechanism parameter: the invariants of ``check_invariants``
  (conservation of patients and days, nothing negative, nothing over capacity), every start of
  work within the hours, timestamps that never decrease, and an all-off arm identical to the
  baseline (common random numbers).

Examples are few and scenarios small; ``derandomize=True`` keeps the run reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import Any

import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecoord.calendar import Calendar, OpeningHours
from carecoord.model.services import Service
from carecoord.recording import Recorder
from carecoord.scenario.base import ALL_DAYS, DAY_INDEX, OpeningHoursSpec

START = dt.date(2014, 4, 1)  # a Tuesday
SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHoursSpec:
    """Any non-empty set of days, opening and closing on the half hour (open < close)."""
    days = draw(st.lists(st.sampled_from(ALL_DAYS), min_size=1, max_size=7, unique=True))
    open_half = draw(st.integers(0, 46))
    close_half = draw(st.integers(open_half + 1, 48))
    return OpeningHoursSpec(days=days, open_hour=open_half / 2, close_hour=close_half / 2)


def next_open_minute(spec: OpeningHoursSpec, minute: int, any_day: bool) -> int:
    """First minute at or after ``minute`` when work may start (whole minutes, day 0 a Tuesday)."""
    open_min, close_min = round(spec.open_hour * 60), round(spec.close_hour * 60)
    days = {DAY_INDEX[d] for d in spec.days}
    for day in range(minute // 1440, minute // 1440 + 8):
        if any_day or (START.weekday() + day) % 7 in days:
            start = max(minute, day * 1440 + open_min)
            if start < day * 1440 + close_min:
                return start
    raise AssertionError("no open day in a week")


@SETTINGS
@given(
    spec=opening_hours(),
    capacity=st.one_of(st.none(), st.integers(1, 3)),
    requests=st.lists(
        st.tuples(st.integers(0, 21 * 1440), st.integers(1, 600), st.booleans()), min_size=1, max_size=40
    ),
)
def test_service_starts_work_only_when_open(
    open_at, spec: OpeningHoursSpec, capacity: int | None, requests: list[tuple[int, int, bool]]
) -> None:
    """Random hours, capacity and requests (minute asked, minutes of work, seven-day or not)."""
    horizon = 21 + 8 + sum(m for _, m, _ in requests) // 1440 + 8  # room to serve everything
    calendar = Calendar(START, horizon_days=horizon, warm_up_days=0)
    env = simpy.Environment()
    service = Service(env, "gp", capacity, OpeningHours(spec, calendar), Recorder(calendar, 1, 0), "gp:random")
    started: dict[int, float] = {}
    in_use: list[int] = [0, 0]  # now, peak

    def request(i: int, minute: int, work: int, any_day: bool) -> Generator[Any, Any, None]:
        yield env.timeout(minute / 1440)
        held = yield from service.acquire(0, any_day)
        started[i] = env.now
        in_use[0] += 1
        in_use[1] = max(in_use)
        yield env.timeout(work / 1440)
        in_use[0] -= 1
        service.release(held)

    for i, (minute, work, any_day) in enumerate(requests):
        env.process(request(i, minute, work, any_day))
    env.run(until=horizon)
    assert sorted(started) == list(range(len(requests))), "every request was served"
    for i, (minute, _, any_day) in enumerate(requests):
        t = started[i]
        assert t >= minute / 1440 - 1e-12
        assert open_at(spec, START.weekday(), t, any_day), (i, minute, t, spec)
        if capacity is None or len(requests) <= capacity:  # nobody waits for anybody: start at the first open minute
            assert abs(t * 1440 - next_open_minute(spec, minute, any_day)) < 1e-6, (i, minute, t * 1440)
    if capacity is not None:
        assert in_use[1] <= capacity
        assert service.recorder.peak_in_use["gp:random"] <= capacity


def fraction() -> st.SearchStrategy[str]:
    """A probability, as the override text."""
    return st.integers(0, 1000).map(lambda i: f"{i / 1000:g}")


def ratio(high: float) -> st.SearchStrategy[str]:
    """A non-negative multiplier up to ``high``."""
    return st.integers(0, round(high * 100)).map(lambda i: f"{i / 100:g}")


@st.composite
def hours_override(draw: st.DrawFn, service: str) -> str:
    spec = draw(opening_hours())
    days = ", ".join(spec.days)
    return f"services.{service}.hours={{days: [{days}], open_hour: {spec.open_hour}, close_hour: {spec.close_hour}}}"


@st.composite
def random_scenarios(draw: st.DrawFn) -> list[str]:
    """A small tiny-scenario variant with random hours and random values of every mechanism parameter."""
    duration = draw(st.integers(60, 200))
    onset = draw(st.integers(0, 60))
    mech = "arms.integrated.mechanisms"
    return [
        f"simulation.duration_days={duration}",
        f"simulation.warm_up_days={draw(st.integers(0, duration // 2))}",
        f"simulation.seed={draw(st.integers(0, 2**31 - 1))}",
        f"localities.east.cohort_size={draw(st.integers(5, 50))}",
        f"localities.west.cohort_size={draw(st.integers(5, 50))}",
        "localities.west.go_live=2014-04-01",
        *(draw(hours_override(s)) for s in ("gp", "community_nursing", "social_work", "home_care")),
        f"services.gp.capacity={draw(st.sampled_from(['', '1', '2']))}",
        f"services.social_work.capacity={draw(st.sampled_from(['', '1']))}",
        f"services.hospital.capacity={draw(st.sampled_from(['', '3', '10']))}",
        f"{mech}.enrolment.coordinators={draw(st.integers(0, 2))}",
        f"{mech}.enrolment.caseload={draw(st.integers(1, 30))}",
        f"{mech}.enrolment.min_admissions_last_year={draw(st.integers(0, 2))}",
        f"{mech}.enrolment.min_age={draw(st.sampled_from(['', '60', '80']))}",
        f"{mech}.enrolment.enrolment_days={draw(st.sampled_from(['', '10', '60']))}",
        f"{mech}.enrolment.discharge_at_review_if_stable_days={draw(st.sampled_from(['', '30']))}",
        f"{mech}.enrolment.reenrol_after_days={draw(st.sampled_from(['', '0', '20']))}",
        f"{mech}.enrolment.mdt_interval_days={draw(st.integers(1, 28))}",
        f"{mech}.proactive_visits.interval_days={draw(st.sampled_from([1, 7, 30]))}",
        f"{mech}.proactive_visits.detection_window_days={draw(st.integers(0, 30))}",
        f"{mech}.proactive_visits.sensitivity={draw(fraction())}",
        f"{mech}.proactive_visits.prevented_fraction={draw(fraction())}",
        f"{mech}.proactive_visits.escalation_probability={draw(fraction())}",
        f"{mech}.medication_review.crisis_rate_ratio={draw(ratio(1.5))}",
        f"{mech}.medication_review.onset_days={onset}",
        f"{mech}.medication_review.full_effect_days={onset + draw(st.integers(0, 120))}",
        f"{mech}.rapid_response.max_response_hours={draw(st.sampled_from([0.5, 2, 24]))}",
        f"{mech}.rapid_response.avoidance_probability={draw(fraction())}",
        f"{mech}.night_visits.social_crisis_rate_ratio={draw(ratio(2.0))}",
        f"{mech}.falls_equipment.fall_rate_ratio={draw(ratio(1.5))}",
        f"{mech}.falls_equipment.install_delay_days={draw(st.integers(0, 30))}",
        f"{mech}.discharge_planning.plan_ahead={draw(st.booleans())}",
        f"{mech}.discharge_planning.seven_day={draw(st.booleans())}",
        f"{mech}.shared_assessment.assessments_per_referral={draw(st.integers(1, 3))}",
        f"{mech}.home_care_first.residential_ratio={draw(fraction())}",
        f"{mech}.home_care_first.extra_hours_per_week={draw(st.integers(0, 20))}",
        f"{mech}.case_finding.admission_probability={draw(fraction())}",
        f"{mech}.case_finding.home_care_referral_probability={draw(fraction())}",
    ]


@SETTINGS
@given(overrides=random_scenarios(), replication=st.integers(0, 3))
def test_random_hours_and_mechanism_parameters(
    load_tiny, run_instrumented, check_invariants, open_at, overrides: list[str], replication: int
) -> None:
    """Conservation, capacity, hours, ordered timestamps and CRN identity under random parameters."""
    scenario = load_tiny(*overrides)
    weekday0 = scenario.simulation.start_date.weekday()
    runs = {arm: run_instrumented(scenario, arm, replication) for arm in ("baseline", "all_off", "integrated")}
    for arm, run in runs.items():
        check_invariants(scenario, run.cohort, run.recorder)
        sw = scenario.services.social_work.hours  # weekend social workers: these hours on Sat and Sun
        weekend = OpeningHoursSpec(days=["sat", "sun"], open_hour=sw.open_hour, close_hour=sw.close_hour)
        for grant in run.grants:
            spec = (
                weekend if grant.service == "social_work_weekend" else getattr(scenario.services, grant.service).hours
            )
            assert open_at(spec, weekday0, grant.time, grant.any_day), (arm, grant, spec)
        times = [g.time for g in run.grants]
        assert times == sorted(times), arm
    base, off = runs["baseline"].recorder, runs["all_off"].recorder
    assert off.values == base.values
    assert off.stays == base.stays
    assert off.state_days == base.state_days
    assert [(g.key, g.time, g.any_day) for g in runs["all_off"].grants] == [
        (g.key, g.time, g.any_day) for g in runs["baseline"].grants
    ]
