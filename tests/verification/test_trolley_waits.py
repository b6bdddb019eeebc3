"""Waiting in A&E for a bed keeps a patient's risks and costs running (issue 8, item 8).

With beds capped, a patient whose admission is decided may wait for a bed. During that wait their
death hazard runs at their community rate, so deaths while waiting are a Poisson count whose mean
is the mortality rate times the total time spent waiting (read from the event log): checked within
four standard deviations, on fixed seeds. The wait is costed like a bed hour.
"""

from __future__ import annotations

import math

import pytest

from carecoord.cohort import generate_cohort
from carecoord.metrics import arm_result, cost_weights
from carecoord.model.run import run_arm
from carecoord.recording import M

MORTALITY = 4.0  # per year: high, so that deaths while waiting are common enough to count
SCARCE_BEDS = (
    "services.hospital.capacity=3",
    "cohort.initial.in_hospital_fraction=0",  # nobody starts in a bed: every wait is a trolley wait
    f"cohort.tiers.moderate.mortality_per_year={MORTALITY}",
    f"cohort.tiers.high.mortality_per_year={MORTALITY}",
    f"cohort.events.care_home_mortality_per_year={MORTALITY}",
)


def trolley_exposure(events: list[tuple[int, float, str, str]], horizon: float) -> tuple[float, int, int]:
    """(days spent waiting for a bed, deaths while waiting, crises while waiting) from the event log."""
    start: dict[int, float] = {}
    days, deaths, crises = 0.0, 0, 0
    for pid, t, activity, _ in events:
        if activity == "waiting_for_bed":
            start[pid] = t
        elif activity in ("bed_found", "died_waiting_for_bed") and pid in start:
            days += t - start.pop(pid)
            deaths += activity == "died_waiting_for_bed"
        elif activity == "crisis_while_waiting_for_bed":
            crises += 1
    days += sum(horizon - t for t in start.values())  # waits still open at the end
    return days, deaths, crises


def test_deaths_while_waiting_for_a_bed_follow_the_mortality_rate(load_tiny) -> None:
    scenario = load_tiny(*SCARCE_BEDS)
    exposure, observed, crises = 0.0, 0, 0
    for replication in range(8):
        rec = run_arm(scenario, generate_cohort(scenario, replication), "baseline", replication, log_events=True)
        days, deaths, crisis_count = trolley_exposure(rec.events, rec.calendar.horizon)
        exposure += days
        observed += deaths
        crises += crisis_count
        died = {pid for pid, _, a, _ in rec.events if a == "died_waiting_for_bed"}
        for pid in died:  # the death is recorded, and no stay was opened for that admission
            assert any(p == pid and a == "death" for p, _, a, _ in rec.events)
    expected = MORTALITY / 365.25 * exposure
    assert expected > 5  # enough waiting for the check to mean something
    assert abs(observed - expected) <= 4 * math.sqrt(expected), (observed, expected)
    assert crises > 0  # the crisis clock kept running too


def test_waiting_for_a_bed_is_recorded_and_costed(load_tiny) -> None:
    scenario = load_tiny(*SCARCE_BEDS[:2])
    rec = run_arm(scenario, generate_cohort(scenario, 1), "baseline", 1, log_events=True)
    days, _, _ = trolley_exposure(rec.events, rec.calendar.horizon)
    assert rec.total(M.wait_hours_hospital, include_warm_up=True) == pytest.approx(24 * days)
    assert rec.total(M.wait_hours_hospital) > 0
    per_hour = cost_weights(scenario)["cost_nhs"]["wait_hours_hospital"]
    assert per_hour == scenario.costs.nhs.delayed_discharge_day / 24.0 > 0
    result = arm_result(scenario, "baseline", rec)
    weights = cost_weights(scenario)["cost_nhs"]
    expected = sum(unit * rec.total(getattr(M, metric)) for metric, unit in weights.items())
    assert math.isclose(result.total("cost_nhs"), expected, rel_tol=1e-9)
