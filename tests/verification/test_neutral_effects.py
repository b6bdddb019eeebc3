"""The ``neutral`` effect set: every mechanism runs, none changes a patient's outcome (issue 8, item 2).

With ``effects: neutral`` the integrated arm enrols patients, holds MDT meetings, sends nurses,
reviews medication, installs equipment, follows up discharges, recognises the last year of life
... and every patient-outcome metric (admissions, bed days, delayed days, A&E, GP contacts for
crises, deaths, residential admissions, readmissions, waits for a bed or a place), per replication,
per locality and per month, equals the baseline's to 1e-9. Staff-time metrics (nursing visits and
hours, coordinator and MDT hours) differ: that is the mechanisms' cost.

The services the mechanisms share with usual care (GP, community nursing, social work) are
unlimited here, so the team's time cannot delay anyone else: the integrated team has its own
capacity. When a shared service is scarce the team's visits DO make other patients wait longer
(second test): a real effect controlled by a capacity parameter, not an artefact of the code.
"""

from __future__ import annotations

import pytest

from carecoord.recording import METRIC_INDEX, M

# Every metric that describes what happened to patients (not what staff did).
OUTCOMES = (
    "emergency_admissions",
    "short_stay_admissions",
    "readmissions_30d",
    "ae_attendances",
    "ambulance_conveyances",
    "gp_appointments",
    "gp_home_visits",
    "social_work_assessments",
    "home_care_packages_started",
    "intermediate_care_admissions",
    "residential_admissions",
    "deaths",
    "deaths_in_hospital",
    "crises",
    "falls",
    "social_crises",
    "declines",
    "bed_days",
    "delayed_discharge_days",
    "intermediate_care_days",
    "residential_care_days",
    "home_care_days",
    "person_days",
    "wait_hours_ae",
    "wait_hours_home_care",
    "wait_hours_hospital",
    "wait_hours_intermediate_care",
    "wait_hours_residential_care",
)
EVERY_MECHANISM = (
    "arms.integrated.effects=neutral",
    "arms.integrated.mechanisms.care_home_support={}",
    "arms.integrated.mechanisms.joint_retraining={}",
    "arms.integrated.mechanisms.end_of_life_care={}",
)
OWN_TEAM = ("services.gp.capacity=", "services.community_nursing.capacity=", "services.social_work.capacity=")
CAPPED_BEDS = ("services.hospital.capacity=20",)


def outcome_rows(rec, metric: str) -> list[float]:
    """Values of one metric for every (locality, month), warm-up included."""
    stride = rec.n_localities * rec.calendar.n_bins
    start = METRIC_INDEX[metric] * stride
    return [rec.values[i] for i in range(start, start + stride)]


@pytest.mark.parametrize("replication", [0, 1])
@pytest.mark.parametrize("beds", [(), CAPPED_BEDS], ids=["unlimited_beds", "capped_beds"])
def test_neutral_effects_reproduce_every_baseline_outcome(load_tiny, run_arms, replication, beds) -> None:
    scenario = load_tiny(*EVERY_MECHANISM, *OWN_TEAM, *beds)
    runs = run_arms(scenario, replication)
    base, neutral = runs["baseline"], runs["integrated"]
    # Every mechanism really ran and spent staff time.
    for metric in (
        "patients_enrolled",
        "mdt_reviews",
        "mdt_meetings",
        "coordinator_contacts",
        "crisis_triage_calls",
        "crises_triaged",
        "proactive_visits",
        "rapid_responses",
        "coordinator_hours",
    ):
        assert neutral.total(getattr(M, metric), include_warm_up=True) > 0, metric
    assert neutral.total(M.medication_review_hours, include_warm_up=True) > 0
    assert neutral.total(M.staff_hours_community_nursing) > base.total(M.staff_hours_community_nursing)
    assert neutral.total(M.crises_managed_at_home_by_coordinator, include_warm_up=True) == 0
    assert neutral.total(M.escalated_admissions, include_warm_up=True) == 0
    assert neutral.total(M.end_of_life_crises_at_home, include_warm_up=True) == 0
    for metric in OUTCOMES:
        assert outcome_rows(neutral, metric) == pytest.approx(outcome_rows(base, metric), abs=1e-9, rel=0), metric
    assert neutral.tier_admissions == pytest.approx(base.tier_admissions, abs=1e-9, rel=0)
    assert [(s.patient, s.outcome) for s in neutral.stays] == [(s.patient, s.outcome) for s in base.stays]
    times = [t for s in neutral.stays for t in (s.admitted, s.fit, s.discharged)]
    assert times == pytest.approx([t for s in base.stays for t in (s.admitted, s.fit, s.discharged)], abs=1e-9, rel=0)


def test_scarce_shared_nursing_makes_other_patients_wait_longer(load_tiny, run_arms) -> None:
    """One nurse per locality shared with the team: the neutral arm's nursing waits rise (a capacity effect)."""
    scenario = load_tiny(*EVERY_MECHANISM, "services.community_nursing.capacity=1")
    for replication in (0, 1):
        runs = run_arms(scenario, replication)
        base, neutral = runs["baseline"], runs["integrated"]
        assert neutral.total(M.wait_hours_community_nursing) > base.total(M.wait_hours_community_nursing)
