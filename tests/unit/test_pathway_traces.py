"""Exact event traces of a patient's pathways: read these to learn what the model does.

Each test runs one patient through one arm with hand-picked uniforms in place of the random
streams (a :class:`ScriptedBank`), so the path is certain and every time follows from the
scenario's numbers. All services are open around the clock, so the calendar plays no part.
A trace is the event log (``Recorder.log``) interleaved with a few counted activities, in the
order the model produced them; times are compared to the formulas in the comments.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from librt.vecs import vec
from span_activities import SPAN_ACTIVITIES

from carecoord.cohort import Cohort, PatientRecord
from carecoord.model.localities import make_recorder
from carecoord.model.run import build_world, start_lives
from carecoord.recording import RECORDED_METRICS, Recorder
from carecoord.scenario.loader import load_scenario
from carecoord.scenario.schema import Scenario
from carecoord.streams import (
    CRISIS_CLOCK,
    CRISIS_EPISODE,
    DETECTION,
    DIES,
    MECHANISM,
    NEEDS,
    SEVERITY,
    SHORT_STAY,
    STAY,
    StreamBank,
)

MINUTE = 1.0 / 1440.0
HOUR = 1.0 / 24.0
CRISIS_DAY = 2.5  # the patient's first crisis: day 2, noon
NEVER = 1.0 - 1e-12  # a uniform whose exponential target is ~27.6: no second crisis within the run

ALWAYS = "{days: [mon, tue, wed, thu, fri, sat, sun], open_hour: 0, close_hour: 24}"
SCENARIO = f"""
name: trace
simulation: {{start_date: 2014-04-07, duration_days: 40, warm_up_days: 0, replications: 1, seed: 1}}
localities: [{{name: east, cohort_size: 1, incidence_per_year: 0}}]
cohort:
  tiers: [{{name: high, share: 1.0, emergency_admissions_per_person_year: 1.0, mortality_per_year: 0}}]
  crisis_timing: {{hour_of_day_weights: {[1] * 24}, day_of_week_weights: {[1] * 7}}}  # flat: crisis times as below
  events:
    fall_rate_per_year: 0
    fall_rate_per_year_80plus: 0
    social_crisis_rate_per_year: 0
    social_crisis_rate_per_year_alone: 0
    decline_rate_per_year: 0
services:
  gp: {{hours: {ALWAYS}, home_visit_minutes: 24, admission_probability: 0.15}}
  social_work: {{hours: {ALWAYS}, assessment_hours: 3, referral_delay_days: 1, assessments_per_referral: 2}}
  hospital: {{mean_length_of_stay_days: 5, length_of_stay_cv: 1, in_hospital_mortality: 0}}  # no fatal crises
  community_nursing: {{hours: {ALWAYS}, visit_minutes: 40}}
arms:
  - name: baseline
  - name: integrated
    mechanisms:
      enrolment:
        {{coordinators: 1, caseload: 1, mdt_interval_days: 14, mdt_meeting_hours: 3, contact_interval_days: 14,
          contact_minutes: 45, triage_minutes: 20, triage_max_wait_hours: 1}}  # coordinators: weekdays 09-17
      proactive_visits:
        {{interval_days: 14, visit_minutes: 45, detection_window_days: 7, sensitivity: 1, prevented_fraction: 1}}
"""
TRACED = {"home_care_packages_started", "mdt_reviews", "proactive_visits", "community_nursing_visits"}


class ScriptedBank(StreamBank):
    """Stands in for :class:`~carecoord.streams.StreamBank`: scripted uniforms per stream, else ``default``.

    The default (0.999) answers "no" to every probability the pathways test, so only what the
    script says happens. A subclass (none of the bank's own blocks are drawn), so that it also
    stands in for the compiled model's StreamBank.
    """

    def __init__(self, script: dict[int, list[float]], default: float = 0.999):
        self.script = script
        self.default = default

    def draws(self, locality: int, patient: int, stream: int, position: int, n: int) -> vec[float]:
        values = self.script.get(stream, [])
        return vec[float]([values[i] if i < len(values) else self.default for i in range(position, position + n)])

    def draw(self, locality: int, patient: int, stream: int, position: int) -> float:
        return self.draws(locality, patient, stream, position, 1)[0]


class TracingRecorder(Recorder):
    """A recorder that also lists, in the order the model produced them, the event log's rows (but
    those that only say how long something lasted) and the counts of the traced metrics."""

    out: list[tuple[float, str]]

    def log(self, patient: int, t: float, activity: str, resource: str = "", start: float | None = None) -> None:
        if activity not in DURATION_ONLY:  # rows that only say how long something lasted
            self.out.append((t, activity))
        super().log(patient, t, activity, resource, start)

    def count(self, metric: int, locality: int, t: float, value: float = 1.0) -> None:
        if RECORDED_METRICS[metric] in TRACED:
            self.out.append((t, RECORDED_METRICS[metric]))
        super().count(metric, locality, t, value)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = Path(tmp_path_factory.mktemp("trace")) / "trace.yaml"
    path.write_text(SCENARIO)
    return load_scenario(path)


def episode(**values: float) -> list[float]:
    """A crisis episode's ten uniforms: the named positions as given, every other one 'no'."""
    ep = [0.999] * 10
    for name, value in values.items():
        ep[
            {"severity": SEVERITY, "short_stay": SHORT_STAY, "stay": STAY, "dies": DIES, "needs": NEEDS}.get(name, -1)
        ] = value
    return ep


DURATION_ONLY = SPAN_ACTIVITIES


def trace(
    scenario: Scenario, arm: str, script: dict[int, list[float]], crisis_day: float = CRISIS_DAY
) -> list[tuple[float, str]]:
    """Run one patient aged 90 (GP home visits) whose first crisis falls on ``crisis_day``; return the trace."""
    # The first crisis target is -log(1 - 0.5) = log 2, so a rate of log 2 / crisis_day fires it on crisis_day.
    patient = PatientRecord(0, 0, 90.0, 0, False, False, (), math.log(2) / crisis_day, 0.0)
    cohort = Cohort([patient], [1])
    made = make_recorder(scenario, cohort, log_events=True)  # what build_world would make, and traced
    recorder = TracingRecorder(made.calendar, made.n_localities, len(cohort.patients), len(scenario.cohort.tiers), True)
    recorder.arrival = made.arrival
    recorder.out = []
    world = build_world(scenario, cohort, arm, 0, log_events=True, recorder=recorder)
    world.bank = ScriptedBank({CRISIS_CLOCK: [0.5, NEVER], **script})
    start_lives(world)
    world.finish()
    return recorder.out


def assert_trace(got: list[tuple[float, str]], expected: list[tuple[float, str]]) -> None:
    assert [a for _, a in got] == [a for _, a in expected]
    assert [t for t, _ in got] == pytest.approx([t for t, _ in expected], abs=1e-9)


def test_crisis_gp_admission_delayed_discharge_home_care(scenario: Scenario) -> None:
    """Baseline: GP home visit, admitted, fit, waits in the bed for two assessments, home with a package."""
    # Admitted by the GP (severity 0 < 0.15), a long stay at the median (q = 0.5) of a lognormal with
    # mean 5 and CV 1: 5 / sqrt(2) days; survives; discharge needs home care (0.04 + 0.08 <= 0.2 < 0.27).
    ep = episode(severity=0.0, short_stay=0.99, stay=0.5, dies=0.99, needs=0.2)
    got = trace(scenario, "baseline", {CRISIS_EPISODE: ep})
    seen = CRISIS_DAY + 24 * MINUTE  # the GP's 24-minute home visit ends
    fit = seen + 5 / math.sqrt(2)
    first = fit + 1 + 3 * HOUR  # referral delay of a day, then a three-hour assessment
    second = first + 1 + 3 * HOUR  # health, then social care: two assessments in the baseline
    assert_trace(
        got,
        [
            (CRISIS_DAY, "crisis"),
            (seen, "gp_home_visit"),
            (seen, "emergency_admission"),
            (first, "social_work_assessment"),
            (second, "social_work_assessment"),
            (second, "discharge"),  # delayed discharge: (second - fit) days in the bed after fit
            (second, "home_care_packages_started"),
        ],
    )


PLAN_DAY = 14.0  # go-live is day 0 (a Monday); the MDT meets on days 0, 14, 28 ...
AGREED = PLAN_DAY + 12 * HOUR  # the day-14 meeting holds the coordinator 09:00-12:00 and agrees the plan at its end


def test_enrolment_visits_managed_crisis(scenario: Scenario) -> None:
    """Integrated: enrolled on arrival, assessed by the coordinator, plan at the next MDT, visited,
    the crisis the visit saw is triaged by the coordinator and managed at home; regular contacts."""
    # The same crisis as the baseline's admission above, but the visit on day 15 saw it coming
    # (detection 0 < sensitivity 1) and the coordinator prevents it (mechanism 0 < prevented fraction 1).
    ep = episode(severity=0.0, short_stay=0.99, stay=0.5, dies=0.99, needs=0.2)
    ep[DETECTION] = 0.0
    ep[MECHANISM] = 0.0
    crisis = PLAN_DAY + CRISIS_DAY  # Wednesday 12:00: in coordinator hours
    got = trace(scenario, "integrated", {CRISIS_EPISODE: ep}, crisis_day=crisis)
    visit = 45 * MINUTE
    assert_trace(
        got,
        [
            (0.0, "enrolled"),  # a place is free at go-live
            # Day 0's MDT (due at midnight) holds the only coordinator 09:00-12:00 (urgent, before the routine
            # assessment asked for at the same time); the 2-hour assessment follows, too late for that meeting.
            (14 * HOUR, "coordinator_assessment"),
            (AGREED, "care_plan_agreed"),  # the next MDT, at the end of the meeting
            (AGREED, "mdt_reviews"),
            # The nurses' round after the plan (always-open nursing: midnight) makes the first visit.
            (PLAN_DAY + 1 + visit, "proactive_visits"),
            (PLAN_DAY + 1 + visit, "community_nursing_visits"),
            (crisis, "crisis"),  # inside the 7-day detection window after the visit
            (crisis, "managed_at_home"),  # the coordinator answered at once (free): route decided on answering
            (crisis + 20 * MINUTE, "crisis_triage"),  # the call and arranging the response hold the coordinator
            (crisis + 40 * MINUTE, "community_nursing_visits"),  # the nurse's treatment visit
            (AGREED + 14 + visit, "coordinator_contact"),  # 14 days after the plan, a 45-minute contact
            (PLAN_DAY + 1 + 14 + visit, "proactive_visits"),  # the next visit, at the round 14 days later
            (PLAN_DAY + 1 + 14 + visit, "community_nursing_visits"),
        ],
    )


@pytest.mark.parametrize(("patience", "answered"), [(1.0, True), (0.5, False)])
def test_a_coordinator_contact_holds_the_coordinator_from_a_crisis_call(
    tmp_path: Path, patience: float, answered: bool
) -> None:
    """A crisis 10 minutes into the 45-minute regular contact (day 28.5, Monday 12:00) waits 35 minutes
    for the only coordinator: within 1 hour the call is answered when the contact ends and the crisis goes
    on from then; within 30 minutes it is not, and after those 30 minutes the crisis goes on without triage."""
    path = tmp_path / "trace.yaml"
    path.write_text(SCENARIO)
    scenario = load_scenario(path, [f"arms.integrated.mechanisms.enrolment.triage_max_wait_hours={patience}"])
    ep = episode(severity=0.0, short_stay=0.99, stay=0.5, dies=0.99, needs=0.2)  # a GP admission, not detected
    contact_end = AGREED + 14 + 45 * MINUTE
    crisis = AGREED + 14 + 10 * MINUTE
    got = trace(scenario, "integrated", {CRISIS_EPISODE: ep}, crisis_day=crisis)
    after = got[got.index((pytest.approx(crisis), "crisis")) :]
    gp_from = contact_end if answered else crisis + patience * HOUR  # answered, or given up on after the wait
    expected = [(crisis, "crisis"), (contact_end, "coordinator_contact")]
    if answered:
        expected += [(contact_end + 20 * MINUTE, "crisis_triage")]
    expected += [(gp_from + 24 * MINUTE, "gp_home_visit"), (gp_from + 24 * MINUTE, "emergency_admission")]
    assert_trace(sorted(after[: len(expected)]), sorted(expected))


def test_crisis_outside_the_detection_window_takes_the_usual_pathway(scenario: Scenario) -> None:
    """Integrated, but the crisis comes 10 days after the visit (window 7 days): the baseline's admission."""
    ep = episode(severity=0.0, short_stay=0.99, stay=0.5, dies=0.99, needs=0.2)
    ep[DETECTION] = 0.0
    ep[MECHANISM] = 0.0
    day = PLAN_DAY + 10.0
    integrated = trace(scenario, "integrated", {CRISIS_EPISODE: ep}, crisis_day=day)
    baseline = trace(scenario, "baseline", {CRISIS_EPISODE: ep}, crisis_day=day)
    plan = {
        "enrolled",
        "coordinator_assessment",
        "care_plan_agreed",
        "mdt_reviews",
        "proactive_visits",
        "community_nursing_visits",
    }
    assert baseline[:3] == [
        (day, "crisis"),
        (day + 24 * MINUTE, "gp_home_visit"),
        (day + 24 * MINUTE, "emergency_admission"),
    ]
    assert [event for event in integrated if event[1] not in plan] == baseline
