"""Exact event traces of one patient's pathways (SimPy style): a reader learns the model here.

``tests/data/trace.yaml`` has one patient, always-open unlimited services, pathway probabilities of
0 or 1 and stays without spread. Only the times of the patient's own events are random (fixed
seed); every other time in a trace follows from them and from the scenario's durations, so each
trace is asserted exactly (to floating-point rounding).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from span_activities import SPAN_ACTIVITIES

from carecoord.cohort import generate_cohort
from carecoord.model.run import run_arm
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario, load_scenario

TRACE = Path(__file__).resolve().parents[1] / "data" / "trace.yaml"
MINUTE = 1.0 / 1440.0
HOUR = 1.0 / 24.0
Event = tuple[str, float]


def run(arm: str, *overrides: str) -> tuple[Scenario, Recorder]:
    scenario = load_scenario(TRACE, list(overrides))
    return scenario, run_arm(scenario, generate_cohort(scenario, 0), arm, 0, log_events=True)


SPANS = SPAN_ACTIVITIES
"""Rows that only say how long an activity lasted (tests/test_event_log.py checks them); left out here."""


def trace(rec: Recorder, until: float | None = None) -> list[tuple[str, str, float]]:
    """(activity, resource, time) of the log, up to ``until``."""
    assert rec.events is not None
    return [(a, r, t) for _, t, a, r in rec.events if (until is None or t <= until) and a not in SPANS]


def assert_trace(actual: list[tuple[str, str, float]], expected: list[tuple[str, str, float]]) -> None:
    assert [(a, r) for a, r, _ in actual] == [(a, r) for a, r, _ in expected]
    assert [t for *_, t in actual] == pytest.approx([t for *_, t in expected], abs=1e-6)


def test_crisis_gp_admission_delayed_discharge_home_care() -> None:
    """Baseline: crisis -> GP home visit (23.4 min) -> admitted -> medically fit after 5 days ->
    two separate social-work assessments, each 1 day after referral and 3 hours long -> discharged
    with home care. The 2.25 days from fit to discharge are delayed-discharge days."""
    _, rec = run("baseline")
    t0 = rec.events[0][1]
    seen = t0 + 23.4 * MINUTE
    fit = seen + 5.0
    first = fit + 1.0 + 3 * HOUR
    second = first + 1.0 + 3 * HOUR
    assert_trace(
        trace(rec, second),
        [
            ("crisis", "", t0),
            ("gp_home_visit", "gp", seen),
            ("emergency_admission", "gp", seen),
            ("social_work_assessment", "social_work", first),
            ("social_work_assessment", "social_work", second),
            ("discharge", "home_care", second),
        ],
    )
    stay = rec.stays[0]
    assert (stay.admitted, stay.fit, stay.discharged, stay.outcome) == pytest.approx((seen, fit, second, "home_care"))
    assert rec.total(M.delayed_discharge_days, include_warm_up=True) >= second - fit - 1e-9


def test_enrolment_coordinator_assessment_mdt_then_crisis_managed_at_home() -> None:
    """Coordinated care: enrolled at go-live (day 0, a Monday). Day 0's MDT holds the coordinator from
    09:00 (coordinators' start) for its 3 hours, then the 2-hour assessment; the plan is agreed at the
    end of the next meeting (day 14, 12:00). A 45-minute contact every 14 days from the plan's day, in
    the coordinators' daily round (09:00, weekdays): the contact days are meeting days too, and the
    meeting (urgent) holds the coordinator until 12:00, so each contact ends at 12:45. Proactive
    visits (always-open nursing) are in the midnight round, every 7 days from the day after the plan
    (the next round after it started), 45 minutes each. The care-plan review due 90 days after the plan is
    discussed at the next meeting. A crisis within a week of a proactive visit is then detected and
    managed at home, at the instant the baseline patient had it (common random numbers), with no GP or
    hospital; it falls at night, outside coordinator hours, so it is not triaged (as before)."""
    _, base = run("baseline")
    _, rec = run("coordinated")
    t0 = base.events[0][1]
    agreed = 14 + 12 * HOUR
    contact = 45 * MINUTE
    contacts = [14 * k + 12 * HOUR + contact for k in range(2, 8)]  # due at 09:00, after the meeting
    on_review_day = 112 + 12 * HOUR + contact  # the day-112 meeting also reviews the plan
    after_review = 126 + 12 * HOUR + contact
    assert_trace(
        trace(rec, t0 + 1e-6),
        [
            ("enrolled", "coordinator", 0.0),
            ("coordinator_assessment", "coordinator", 14 * HOUR),
            ("care_plan_agreed", "mdt", agreed),
            *[("coordinator_contact", "coordinator", t) for t in contacts],
            ("care_plan_reviewed", "mdt", 112 + 12 * HOUR),  # due on day 104.5; the day-112 meeting
            ("coordinator_contact", "coordinator", on_review_day),
            ("coordinator_contact", "coordinator", after_review),
            ("crisis", "", t0),
            ("managed_at_home", "coordinator", t0),
        ],
    )
    assert rec.total(M.gp_home_visits, include_warm_up=True) == 0
    assert rec.total(M.emergency_admissions, include_warm_up=True) == 0
    visits = [t for _, t, a, _ in rec.events if a == "proactive_visit"]
    assert visits[:3] == pytest.approx([15 + contact, 22 + contact, 29 + contact], abs=1e-9)
    assert all(a != "crisis_triage" for a, _, _ in trace(rec, t0 + 1.0))  # the night crisis: no triage call


RAPID = (
    "arms.1.mechanisms.proactive_visits.enabled=false",
    "arms.1.mechanisms.rapid_response={}",
)


def test_rapid_response_resolves_a_would_be_admission_after_the_visit() -> None:
    """A nurse comes at once (unlimited, always open) and stays 90 minutes; the crisis is managed."""
    _, base = run("baseline")
    t0 = base.events[0][1]
    _, rec = run("coordinated", *RAPID, "arms.1.mechanisms.rapid_response.avoidance_probability=1")
    events = [e for e in trace(rec) if e[2] >= t0 - 1e-6][:2]
    assert_trace(events, [("crisis", "", t0), ("managed_at_home", "coordinator", t0 + 90 * MINUTE)])
    assert rec.total(M.rapid_responses, include_warm_up=True) >= 1


def test_rapid_response_that_cannot_resolve_sends_the_patient_on_at_once() -> None:
    """With no chance of resolving the crisis, usual care starts at the crisis (GP visit 23.4 min
    later, as in the baseline) while the nurse still visits: staff time, no change of route."""
    _, base = run("baseline")
    t0 = base.events[0][1]
    _, rec = run("coordinated", *RAPID, "arms.1.mechanisms.rapid_response.avoidance_probability=0")
    events = [e for e in trace(rec) if e[2] >= t0 - 1e-6][:3]
    seen = t0 + 23.4 * MINUTE
    assert_trace(events, [("crisis", "", t0), ("gp_home_visit", "gp", seen), ("emergency_admission", "gp", seen)])
    assert rec.total(M.rapid_responses, include_warm_up=True) >= 1


def test_discharge_planned_ahead_ends_without_delay() -> None:
    """Assessments start on admission (1 day + 3 hours, twice), so the patient leaves when fit."""
    _, base = run("baseline")
    t0 = base.events[0][1]
    _, rec = run(
        "coordinated",
        "arms.1.mechanisms.proactive_visits.enabled=false",
        "arms.1.mechanisms.discharge_planning={}",
    )
    seen = t0 + 23.4 * MINUTE
    first = seen + 1.0 + 3 * HOUR
    second = first + 1.0 + 3 * HOUR
    events = [e for e in trace(rec) if e[2] >= t0 - 1e-6][:6]
    assert_trace(
        events,
        [
            ("crisis", "", t0),
            ("gp_home_visit", "gp", seen),
            ("emergency_admission", "gp", seen),
            ("social_work_assessment", "social_work", first),
            ("social_work_assessment", "social_work", second),
            ("discharge", "home_care", seen + 5.0),
        ],
    )


def test_joint_retraining_halves_referral_delays_and_shortens_assessments() -> None:
    """System-wide: referral delay x0.5 (12 hours), assessment time x0.8 (2.4 hours)."""
    _, base = run("baseline")
    t0 = base.events[0][1]
    _, rec = run(
        "coordinated",
        "arms.1.mechanisms.proactive_visits.enabled=false",
        "arms.1.mechanisms.enrolment.enabled=false",
        "arms.1.mechanisms.joint_retraining={referral_delay_ratio: 0.5, assessment_hours_ratio: 0.8}",
    )
    fit = t0 + 23.4 * MINUTE + 5.0
    first = fit + 0.5 + 2.4 * HOUR
    second = first + 0.5 + 2.4 * HOUR
    events = [e for e in trace(rec) if e[2] >= t0 - 1e-6][3:6]
    assert_trace(
        events,
        [
            ("social_work_assessment", "social_work", first),
            ("social_work_assessment", "social_work", second),
            ("discharge", "home_care", second),
        ],
    )
    assert rec.total(M.staff_hours_social_work, include_warm_up=True) == pytest.approx(
        0.8 * base.total(M.staff_hours_social_work, include_warm_up=True)
    )


CARE_HOME = ("cohort.initial.in_residential_fraction=1", "services.residential_care.capacity=")


def test_care_home_support_lowers_residents_crisis_rate_and_takes_team_time() -> None:
    """A resident from day one: with the team's crisis-rate ratio 0 no crisis happens once live,
    and the team's time is 20 minutes a week for every resident day after go-live."""
    scenario, base = run("baseline", *CARE_HOME)
    assert any(a == "crisis" for _, _, a, _ in base.events)
    _, rec = run(
        "coordinated",
        *CARE_HOME,
        "arms.1.mechanisms.proactive_visits.enabled=false",
        "arms.1.mechanisms.enrolment.enabled=false",
        "arms.1.mechanisms.care_home_support={crisis_rate_ratio: 0}",
    )
    assert not any(a == "crisis" for _, _, a, _ in rec.events)
    resident_days = rec.total(M.residential_care_days, include_warm_up=True)
    assert resident_days == pytest.approx(scenario.simulation.duration_days)
    assert rec.total(M.care_home_support_hours, include_warm_up=True) == pytest.approx(resident_days * 20 / 60 / 7)


EOL = (
    "arms.1.mechanisms.proactive_visits.enabled=false",
    "arms.1.mechanisms.end_of_life_care={avoidance_probability: 1, prognosis_error_sd: 0, recognition_threshold: 0.2}",
)


@pytest.mark.parametrize(
    ("mortality", "recognised"),
    [(0.5, True), (0.2, False)],  # 12-month mortality 39% (above 20%) and 18% (below)
)
def test_end_of_life_care_acts_on_the_prognosis_not_the_death_date(mortality: float, recognised: bool) -> None:
    """The team recognises the last year of life from the hazard it can see (exact prognosis here):
    above the threshold every crisis after the plan starts is kept at home, below it none is,
    whenever the patient will actually die."""
    _, rec = run("coordinated", *EOL, f"cohort.tiers.high.mortality_per_year={mortality}")
    plan = next(t for _, t, a, _ in rec.events if a == "care_plan_agreed")
    crises = [t for _, t, a, _ in rec.events if a == "crisis" and t > plan]
    kept = [t for _, t, a, _ in rec.events if a == "end_of_life_care_at_home"]
    assert crises, "the patient had crises after the plan started"
    assert kept == (crises if recognised else [])
