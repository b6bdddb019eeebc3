"""Time-limited enrolment: discharge from the caseload frees the place for the next (issue 9 item 3).

``tests/data/trace.yaml`` with two identical patients and ONE caseload place: patient 0 (first on
ties) is enrolled at go-live (day 0), patient 1 waits. Every time below follows from the scenario's
numbers, so the traces are asserted exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.cohort import generate_cohort
from carecoord.model.run import run_arm
from carecoord.recording import M, Recorder
from carecoord.scenario import load_scenario

TRACE = Path(__file__).resolve().parents[1] / "data" / "trace.yaml"
E = "arms.coordinated.mechanisms.enrolment"
ONE_PLACE = ("localities.0.cohort_size=2", f"{E}.caseload=1")
HORIZON = 400.0


def run(*overrides: str) -> Recorder:
    scenario = load_scenario(TRACE, [*ONE_PLACE, *overrides])
    assert scenario.simulation.horizon_days == HORIZON
    return run_arm(scenario, generate_cohort(scenario, 0), "coordinated", 0, log_events=True)


def events(rec: Recorder, activity: str, patient: int | None = None) -> list[tuple[int, float]]:
    assert rec.events is not None
    return [(p, t) for p, t, a, _ in rec.events if a == activity and (patient is None or p == patient)]


def total(rec: Recorder, metric: str) -> float:
    return rec.total(getattr(M, metric), include_warm_up=True)


def test_the_place_is_released_on_day_n_and_the_next_is_enrolled() -> None:
    """90-day enrolment, no re-enrolment: patient 0 holds the place days 0-90, patient 1 days 90-180."""
    rec = run(f"{E}.enrolment_days=90")
    assert events(rec, "enrolled") == [(0, 0.0), (1, 90.0)]
    assert events(rec, "caseload_discharge_time_limit") == [(0, 90.0), (1, 180.0)]
    # The plan closed: no coordinator contact or review for patient 0 after the discharge.
    late = [t for p, t in events(rec, "coordinator_contact") + events(rec, "care_plan_reviewed") if p == 0]
    assert late and max(late) < 90.0
    assert total(rec, "caseload_discharges") == 2
    assert total(rec, "patients_enrolled") == 2
    assert total(rec, "caseload_reenrolments") == 0
    assert total(rec, "enrolment_wait_days") == pytest.approx(90.0)  # patient 1's wait
    assert total(rec, "waiting_list_days") == pytest.approx(90.0)
    assert total(rec, "enrolled_days") == pytest.approx(180.0)


def test_for_life_without_a_limit() -> None:
    """Without enrolment_days the first patient keeps the place to the end; the second waits throughout."""
    rec = run()
    assert events(rec, "enrolled") == [(0, 0.0)]
    assert total(rec, "caseload_discharges") == 0
    assert total(rec, "waiting_list_days") == pytest.approx(HORIZON)  # still waiting at the end: censored
    assert total(rec, "enrolment_wait_days") == 0


def test_reenrolment_after_the_set_delay_when_a_place_is_free() -> None:
    """30-day enrolment, re-enrolment 10 days after discharge: the two alternate every 30 days; each
    rejoins the list 10 days after their discharge and waits 20 more days for the place."""
    rec = run(f"{E}.enrolment_days=30", f"{E}.reenrol_after_days=10")
    enrolled = events(rec, "enrolled")
    assert enrolled == [(k % 2, 30.0 * k) for k in range(14)]  # days 0, 30, ..., 390
    assert events(rec, "caseload_discharge_time_limit") == [(k % 2, 30.0 * (k + 1)) for k in range(13)]
    assert total(rec, "caseload_reenrolments") == 12
    assert total(rec, "enrolment_wait_days") == pytest.approx(30.0 + 12 * 20.0)


def test_no_reenrolment_before_the_delay_even_with_a_free_place() -> None:
    """One patient, one place, 30-day enrolment, re-enrolment after 45 days: a place is free all the
    time, yet the patient is re-enrolled only 45 days after each discharge."""
    scenario = load_scenario(TRACE, [f"{E}.caseload=1", f"{E}.enrolment_days=30", f"{E}.reenrol_after_days=45"])
    rec = run_arm(scenario, generate_cohort(scenario, 0), "coordinated", 0, log_events=True)
    assert [t for _, t in events(rec, "enrolled")] == [75.0 * k for k in range(6)]  # 0, 75, ..., 375


def test_reenrolment_needs_the_criteria_again() -> None:
    """Re-enrolment only if eligible again: with 'an admission in the past 30 days' required, a patient
    rejoins only at an admission after the delay (proactive visits off, so crises are admitted)."""
    rec = run(
        "arms.coordinated.mechanisms.proactive_visits.enabled=false",
        "localities.0.cohort_size=1",
        f"{E}.min_admissions=1",
        f"{E}.lookback_days=30",
        f"{E}.enrolment_days=30",
        f"{E}.reenrol_after_days=10",
    )
    admissions = [t for _, t in rec.admission_log]
    enrolled = [t for _, t in events(rec, "enrolled")]
    discharged = [t for _, t in events(rec, "caseload_discharge_time_limit")]
    assert len(enrolled) >= 2 and len(admissions) >= 3  # the rule was exercised
    for start in enrolled:  # each enrolment: an admission within the past 30 days
        assert any(start - 30.0 <= a <= start for a in admissions)
    for end, again in zip(discharged, enrolled[1:], strict=False):
        assert again >= end + 10.0
        # Enrolled at the delay's end if an admission in the 30 days before it, else at the next admission.
        ready = end + 10.0
        recent = any(ready - 30.0 <= a <= ready for a in admissions)
        expected = ready if recent else min(a for a in admissions if a > ready)
        assert again == pytest.approx(expected)


def test_discharge_at_review_only_when_stable() -> None:
    """At each care-plan review a patient without an admission in the past 90 days is discharged (and the
    place passes on at once); one with an admission keeps it. Proactive visits are off, so enrolled
    patients are admitted too and both outcomes happen."""
    rec = run(
        "arms.coordinated.mechanisms.proactive_visits.enabled=false",
        f"{E}.discharge_at_review_if_stable_days=90",
        f"{E}.reenrol_after_days=0",
    )
    admissions: dict[int, list[float]] = {0: [], 1: []}
    for p, t in rec.admission_log:
        admissions[p].append(t)
    discharges = set(events(rec, "caseload_discharge_stable"))
    kept = 0
    for p, t in events(rec, "care_plan_reviewed"):
        stable = not any(t - 90.0 <= a <= t for a in admissions[p])
        assert ((p, t) in discharges) == stable
        kept += not stable
        if stable:  # the other patient, waiting, is enrolled at the same instant
            assert (1 - p, t) in events(rec, "enrolled")
    assert discharges and kept  # both branches of the rule were exercised


def test_a_plan_is_agreed_only_after_this_enrolments_own_assessment() -> None:
    """5-day enrolments, re-enrolled at once: most end before an MDT meeting, so the meeting's queue holds
    referrals from earlier enrolments. A plan is agreed only for an enrolment whose own first assessment
    is done (day 40's, on a Saturday, is assessed on Monday after the meeting: no plan at that meeting)."""
    scenario = load_scenario(TRACE, [f"{E}.caseload=1", f"{E}.enrolment_days=5", f"{E}.reenrol_after_days=0"])
    rec = run_arm(scenario, generate_cohort(scenario, 0), "coordinated", 0, log_events=True)
    starts = [t for _, t in events(rec, "enrolled")]
    assessed = [t for _, t in events(rec, "coordinator_assessment")]
    agreed = [t for _, t in events(rec, "care_plan_agreed")]
    assert agreed and len(agreed) < len(starts) / 2
    for t in agreed:
        start = max(s for s in starts if s <= t)  # the enrolment holding the place at the meeting
        assert t < start + 5.0
        assert any(start <= a <= t for a in assessed), t
    meetings = [14.0 * k + 0.5 for k in range(29)]  # 09:00 + 3 hours, every 14 days from day 0
    missed = [m for m in meetings if m not in agreed]
    assert 42.5 in missed
