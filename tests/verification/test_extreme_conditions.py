"""Extreme-condition tests: what the model must do when a parameter is pushed to its limit.

* No crises, falls or social crises: nothing can send a patient to hospital but the integrated
  arm's case finding, so the baseline has no emergency admission at all.
* Unlimited capacity and always-open services: nobody ever waits for anything.
* Unlimited capacity, real opening hours: waits only for the service to open, so never longer
  than the longest closure (the weekend for weekday social work), per piece of work.
* Every mechanism at full strength (probabilities 1, rate ratios 0, huge caseloads), at zero
  strength, or every crisis admitted and every admission fatal: results stay bounded and
  consistent (see ``check_invariants`` in conftest: no negative counts, nobody in two places,
  deaths <= patients, nothing over capacity).
* A patient who moves into a care home is a residential admission, and a care-home resident
  holds neither a home-care package nor a coordinator's caseload place.

(Zero coordinators reproducing the baseline exactly is in ``tests/property/test_crn.py``.)
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from carecoord.locations import RESIDENTIAL
from carecoord.locations import RESIDENTIAL as STARTS_IN_CARE_HOME
from carecoord.recording import RECORDED_METRICS, M
from carecoord.scenario.base import DAY_INDEX, OpeningHoursSpec

ARMS = ("baseline", "all_off", "integrated")
SERVICES = ("gp", "ae", "community_nursing", "social_work", "home_care", "hospital", "intermediate_care")
ALL_SERVICES = (*SERVICES, "residential_care")
WAITS = [name for name in RECORDED_METRICS if name.startswith("wait_hours_") and name != "wait_hours_coordinator"]
"""Waits for the scenario's services (coordinators are always a finite team: one place per coordinator)."""

NO_EVENTS = (
    "cohort.tiers.moderate.crisis_rate_per_year=0",
    "cohort.tiers.high.crisis_rate_per_year=0",
    "cohort.events.fall_rate_per_year=0",
    "cohort.events.fall_rate_per_year_80plus=0",
    "cohort.events.social_crisis_rate_per_year=0",
    "cohort.events.social_crisis_rate_per_year_alone=0",
)


def test_no_crises_falls_or_social_crises_means_no_emergency_admissions(load_tiny, run_arms) -> None:
    """Zero event rates: no crisis, A&E attendance, GP contact or admission; integrated admits only by case finding."""
    scenario = load_tiny(*NO_EVENTS)
    for replication in (0, 1):
        runs = run_arms(scenario, replication)
        for arm, rec in runs.items():
            for metric in ("crises", "falls", "social_crises", "ae_attendances", "gp_appointments", "gp_home_visits"):
                assert rec.total(getattr(M, metric), include_warm_up=True) == 0, (arm, metric)
            admissions = rec.total(M.emergency_admissions, include_warm_up=True)
            assert admissions == rec.total(M.case_finding_admissions, include_warm_up=True), arm
            assert rec.total(M.escalated_admissions, include_warm_up=True) == 0, arm
            if arm != "integrated":
                assert admissions == 0, arm
        assert runs["integrated"].total(M.patients_enrolled, include_warm_up=True) > 0  # case finding had its chance


def test_unlimited_always_open_services_never_wait(load_tiny, run_arms) -> None:
    """Every capacity unlimited and every service always open: every wait_hours_* metric is exactly 0."""
    overrides = [f"services.{s}.capacity=" for s in ALL_SERVICES] + [f"services.{s}.hours={{}}" for s in ALL_SERVICES]
    scenario = load_tiny(*overrides, "services.social_work.referral_delay_days=0")
    for replication in (0, 1):
        for arm, rec in run_arms(scenario, replication).items():
            waits = {name: rec.total(getattr(M, name), include_warm_up=True) for name in WAITS}
            assert all(w == 0.0 for w in waits.values()), (arm, waits)
            assert rec.total(M.social_work_assessments, include_warm_up=True) > 0  # the services were used


def longest_closure_hours(spec: OpeningHoursSpec) -> float:
    """Longest time between closing and the next opening, from the opening-hours table (hours)."""
    open_days = sorted({DAY_INDEX[d] for d in spec.days})
    starts = [24.0 * (d + 7 * week) for week in (0, 1) for d in open_days]
    intervals = [(day + spec.open_hour, day + spec.close_hour) for day in starts]
    return max(nxt[0] - cur[1] for cur, nxt in itertools.pairwise(intervals))


def test_longest_closure_hours() -> None:
    """Weekdays 09:00-17:00: Friday 17:00 to Monday 09:00 is 64 hours; 08:00-22:00 daily: 10 hours."""
    weekdays = OpeningHoursSpec(days=["mon", "tue", "wed", "thu", "fri"], open_hour=9, close_hour=17)
    assert longest_closure_hours(weekdays) == 64
    assert longest_closure_hours(OpeningHoursSpec(open_hour=8, close_hour=22)) == 10


def test_unlimited_services_wait_only_for_opening(load_tiny, run_arms, figure) -> None:
    """Unlimited capacity, real hours (baseline): no wait but for the service to open.

    GP (used only while open) and the always-open services never wait; each social-work
    assessment or nursing visit waits at most the longest closure of its service.
    """
    scenario = load_tiny(*(f"services.{s}.capacity=" for s in ALL_SERVICES))
    s = scenario.services
    for replication in (0, 1):
        rec = run_arms(scenario, replication)["baseline"]
        for name in ("gp", "ae", "home_care", "hospital", "intermediate_care", "residential_care"):
            assert rec.total(getattr(M, f"wait_hours_{name}"), include_warm_up=True) == 0.0, name
        for name, hours_per_use in (
            ("social_work", s.social_work.assessment_hours),
            ("community_nursing", s.community_nursing.visit_minutes / 60.0),
        ):
            uses = rec.total(getattr(M, f"staff_hours_{name}"), include_warm_up=True) / hours_per_use
            waited = rec.total(getattr(M, f"wait_hours_{name}"), include_warm_up=True)
            longest = longest_closure_hours(getattr(s, name).hours)
            figure(
                f"Wait for opening ({name}, rep {replication}): {waited:.0f} h, {uses:.0f} uses, <= {longest:g} h each"
            )
            assert uses > 0
            assert waited <= uses * longest + 1e-6, (name, waited, uses, longest)


FULL_STRENGTH = (
    "arms.integrated.mechanisms.enrolment.coordinators=5",
    "arms.integrated.mechanisms.enrolment.caseload=1000",
    "arms.integrated.mechanisms.proactive_visits.interval_days=1",
    "arms.integrated.mechanisms.proactive_visits.detection_window_days=1000",
    "arms.integrated.mechanisms.proactive_visits.sensitivity=1",
    "arms.integrated.mechanisms.proactive_visits.prevented_fraction=1",
    "arms.integrated.mechanisms.proactive_visits.escalation_probability=1",
    "arms.integrated.mechanisms.medication_review.crisis_rate_ratio=0",
    "arms.integrated.mechanisms.medication_review.onset_days=0",
    "arms.integrated.mechanisms.medication_review.full_effect_days=0",
    "arms.integrated.mechanisms.rapid_response.avoidance_probability=1",
    "arms.integrated.mechanisms.rapid_response.max_response_hours=1000",
    "arms.integrated.mechanisms.night_visits.social_crisis_rate_ratio=0",
    "arms.integrated.mechanisms.falls_equipment.fall_rate_ratio=0",
    "arms.integrated.mechanisms.falls_equipment.install_delay_days=0",
    "arms.integrated.mechanisms.post_discharge_follow_up.within_days=0",
    "arms.integrated.mechanisms.post_discharge_follow_up.readmission_rate_ratio=0",
    "arms.integrated.mechanisms.home_care_first.residential_ratio=0",
    "arms.integrated.mechanisms.home_care_first.extra_hours_per_week=100",
    "arms.integrated.mechanisms.case_finding.admission_probability=1",
    "arms.integrated.mechanisms.case_finding.home_care_referral_probability=1",
)
ZERO_STRENGTH = (
    "arms.integrated.mechanisms.proactive_visits.sensitivity=0",
    "arms.integrated.mechanisms.proactive_visits.prevented_fraction=0",
    "arms.integrated.mechanisms.proactive_visits.escalation_probability=0",
    "arms.integrated.mechanisms.medication_review.crisis_rate_ratio=1",
    "arms.integrated.mechanisms.rapid_response.avoidance_probability=0",
    "arms.integrated.mechanisms.night_visits.social_crisis_rate_ratio=1",
    "arms.integrated.mechanisms.falls_equipment.fall_rate_ratio=1",
    "arms.integrated.mechanisms.post_discharge_follow_up.readmission_rate_ratio=1",
    "arms.integrated.mechanisms.home_care_first.residential_ratio=1",
    "arms.integrated.mechanisms.case_finding.admission_probability=0",
    "arms.integrated.mechanisms.case_finding.home_care_referral_probability=0",
)
# Every crisis and fall is admitted and fatal. Social crises and case finding admit for needs that are
# not fatal episodes (carecoord.mortality), so they are switched off here.
ALL_ADMITTED_ALL_DIE = (
    "services.gp.admission_probability=1",
    "services.out_of_hours.nhs111_share=0",
    "services.ae.admission_probability=1",
    "cohort.events.fall_admission_probability=1",
    "cohort.events.social_crisis_rate_per_year=0",
    "cohort.events.social_crisis_rate_per_year_alone=0",
    "services.hospital.in_hospital_mortality=1",
    "arms.integrated.mechanisms.case_finding.admission_probability=0",
)
EXTREMES = {
    "full-strength": FULL_STRENGTH,
    "zero-strength": ZERO_STRENGTH,
    "all-admitted-all-die": ALL_ADMITTED_ALL_DIE,
}


@pytest.mark.parametrize("case", list(EXTREMES))
def test_extreme_parameters_give_bounded_consistent_results(load_tiny, run_one, check_invariants, case: str) -> None:
    """Every arm of an extreme scenario satisfies the invariants; full strength reaches everyone."""
    scenario = load_tiny(*EXTREMES[case])
    for arm in ARMS:
        cohort, rec = run_one(scenario, arm, 0)
        check_invariants(scenario, cohort, rec)
        admissions = rec.total(M.emergency_admissions, include_warm_up=True)
        if case == "all-admitted-all-die":
            # Each admission ends in death at medically fit, so nobody is admitted twice;
            # the admitted who have not died yet are those still in hospital at the horizon.
            dead_in_hospital = rec.total(M.deaths_in_hospital, include_warm_up=True)
            censored = sum(1 for s in rec.stays if s.outcome == "censored" and s.admitted > 0)
            assert admissions <= len(cohort.patients)
            assert admissions == dead_in_hospital + censored, arm
        if case == "full-strength" and arm == "integrated":
            enrolled = rec.total(M.patients_enrolled, include_warm_up=True)
            # Case finding admits every enrolled patient once; medication review stops their crises.
            assert enrolled > 100
            assert rec.total(M.case_finding_admissions, include_warm_up=True) <= enrolled
            assert rec.total(M.falls_equipment_installs, include_warm_up=True) <= enrolled


MANY_MOVES = (
    "simulation.warm_up_days=0",
    "cohort.events.decline_rate_per_year=3",
    "cohort.events.residential_on_decline_probability=1",
)


@pytest.fixture(scope="module")
def many_moves(load_tiny, run_instrumented) -> dict[tuple[str, int], Any]:
    """Frequent declines: many patients move into care homes, some from a hospital bed or a home-care queue."""
    scenario = load_tiny(*MANY_MOVES)
    return {(arm, r): run_instrumented(scenario, arm, r) for arm in ("baseline", "integrated") for r in (0, 1)}


def test_every_move_into_a_care_home_is_a_residential_admission(many_moves) -> None:
    """Every patient who spends time in a care home without starting there is one residential admission."""
    for (arm, replication), run in many_moves.items():
        rec = run.recorder
        moved_in = [
            pid
            for pid, days in enumerate(rec.state_days)
            if days[RESIDENTIAL] > 0 and run.cohort.patients[pid].initial_location != STARTS_IN_CARE_HOME
        ]
        admissions = rec.total(M.residential_admissions, include_warm_up=True)
        assert admissions == len(moved_in), (
            f"{arm}, replication {replication}: {len(moved_in)} patients moved into a care home, "
            f"{admissions:.0f} residential admissions counted"
        )


def test_care_home_residents_have_no_home_care_and_no_coordinator(many_moves) -> None:
    """One place at a time: at the end, nobody living in a care home holds a home-care package or a caseload place.

    (A resident admitted to hospital is still a resident: their bed in the care home is kept.)
    """
    problems = {}
    for (arm, replication), run in many_moves.items():
        residents = [p for p in run.world.patients if p.location == RESIDENTIAL]
        assert residents
        with_home_care = [p.id for p in residents if p.home_care is not None]
        on_caseload = [p.id for p in residents if p.caseload_request is not None]
        if with_home_care or on_caseload:
            problems[f"{arm}, replication {replication}"] = {"home care": with_home_care, "caseload": on_caseload}
    assert not problems, f"care-home residents still holding community care: {problems}"
