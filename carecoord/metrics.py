"""From what a run recorded to metrics: costs by payer, per-locality and whole-scenario values.

Pure functions of a :class:`~carecoord.recording.Recorder` and the scenario; no SimPy.
Costs are linear in recorded activity, so they are computed month by month the same way as
everything else.

Example:
    >>> result = arm_result(scenario, "integrated", recorder)
    >>> result.total("cost_total")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from carecoord.recording import METRIC_INDEX, RECORDED_METRICS, Recorder
from carecoord.rosters import weekend_social_work_cost
from carecoord.scenario.schema import Scenario

DAYS_PER_YEAR = 365.25
COST_METRICS: tuple[str, ...] = ("cost_nhs", "cost_council", "cost_programme", "cost_total")
ALL_METRICS: tuple[str, ...] = RECORDED_METRICS + COST_METRICS
ALL_INDEX: dict[str, int] = {name: i for i, name in enumerate(ALL_METRICS)}

# Metrics worked out per replication from the totals (not summed by month).
DERIVED_METRICS: tuple[str, ...] = (
    "person_years",
    "emergency_admissions_per_person_year",
    "mean_length_of_stay_days",
    "admissions_avoided",
)


def cost_weights(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Unit cost of each recorded metric, by payer (a linear map from activity to money)."""
    nhs = scenario.costs.nhs
    council = scenario.costs.council
    return {
        "cost_nhs": {
            "emergency_admissions": nhs.emergency_admission_long_stay,
            "short_stay_admissions": nhs.emergency_admission_short_stay - nhs.emergency_admission_long_stay,
            "delayed_discharge_days": nhs.delayed_discharge_day,
            "wait_hours_hospital": nhs.delayed_discharge_day / 24.0,  # a trolley hour costed as a bed hour
            "ae_attendances": nhs.ae_attendance,
            "ambulance_conveyances": nhs.ambulance_conveyance,
            "gp_appointments": nhs.gp_appointment,
            "gp_home_visits": nhs.gp_home_visit,
            "routine_gp_consultations": nhs.gp_appointment,
            "ooh_gp_consultations": nhs.ooh_gp_consultation,
            "nhs111_calls": nhs.nhs111_call,
            "medication_review_hours": nhs.gp_hour,
            "staff_hours_community_nursing": nhs.community_nursing_hour,
            "care_home_support_hours": nhs.community_nursing_hour,
            "intermediate_care_days": nhs.intermediate_care_day,
        },
        "cost_council": {
            "staff_hours_social_work": council.social_work_hour,
            "home_care_hours": council.home_care_hour,
            "residential_care_days": council.residential_care_week / 7.0,
        },
    }


def coordinator_days(scenario: Scenario, arm: str, recorder: Recorder) -> np.ndarray:
    """Coordinator-days in post per (locality, bin): posts from each locality's go-live."""
    enrol = scenario.arm(arm).mechanisms.active("enrolment")
    cal = recorder.calendar
    out = np.zeros((len(scenario.localities), cal.n_bins))
    if enrol is None:
        return out
    for loc, locality in enumerate(scenario.localities):
        coords = enrol.coordinators  # type: ignore[attr-defined]
        n = coords.get(locality.name, 0) if isinstance(coords, dict) else coords
        live = float(scenario.locality_go_live_day(loc))
        for b, days in cal.split(live, cal.horizon):
            out[loc, b] += n * days
    return out


@dataclass
class ArmResult:
    """One arm of one replication, as arrays: values[metric, locality, bin] (bin 0 = warm-up)."""

    arm: str
    values: np.ndarray
    bin_labels: list[str]
    tier_admissions: list[float]
    tier_person_days: list[float]
    peak_in_use: dict[str, int] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    before_after: dict[str, float] | None = None  # see carecoord.before_after
    events: list[tuple[int, float, str, str]] | None = None  # the event log, when it was kept
    event_starts: list[float] | None = None  # each event's start (see Recorder.log)
    population: Any = None  # carecoord.population.PopulationStream, shared by every arm, when localities give one

    def total(self, metric: str, locality: int | None = None) -> float:
        """Sum over the results window (warm-up excluded)."""
        v = self.values[ALL_INDEX[metric], :, 1:] if locality is None else self.values[ALL_INDEX[metric], locality, 1:]
        return float(v.sum())

    def derived(self, locality: int | None = None) -> dict[str, float]:
        person_years = self.total("person_days", locality) / DAYS_PER_YEAR
        admissions = self.total("emergency_admissions", locality)
        return {
            "person_years": person_years,
            "emergency_admissions_per_person_year": admissions / person_years if person_years else float("nan"),
            "mean_length_of_stay_days": self.total("bed_days", locality) / admissions if admissions else float("nan"),
        }


def arm_result(scenario: Scenario, arm: str, recorder: Recorder) -> ArmResult:
    """Recorded counters plus costs by payer, as one array."""
    cal = recorder.calendar
    n_loc = len(scenario.localities)
    recorded = np.asarray(recorder.values, dtype=float).reshape(len(RECORDED_METRICS), n_loc, cal.n_bins)
    values = np.zeros((len(ALL_METRICS), n_loc, cal.n_bins))
    values[: len(RECORDED_METRICS)] = recorded
    for cost, weights in cost_weights(scenario).items():
        for metric, unit in weights.items():
            values[ALL_INDEX[cost]] += unit * recorded[METRIC_INDEX[metric]]
    programme = values[ALL_INDEX["cost_programme"]]
    enrol = scenario.arm(arm).mechanisms.active("enrolment")
    if enrol is not None:
        programme += coordinator_days(scenario, arm, recorder) * enrol.coordinator_annual_cost / DAYS_PER_YEAR  # type: ignore[attr-defined]
        programme += recorded[METRIC_INDEX["mdt_hours"]] * scenario.costs.programme.mdt_hour
        falls = scenario.arm(arm).mechanisms.active("falls_equipment")
        if falls is not None:
            programme += recorded[METRIC_INDEX["falls_equipment_installs"]] * falls.equipment_cost  # type: ignore[attr-defined]
    values[ALL_INDEX["cost_council"]] += weekend_social_work_cost(scenario, arm, cal)
    retraining = scenario.arm(arm).mechanisms.active("joint_retraining")
    if retraining is not None:  # a one-off cost in each locality's go-live month
        per_locality = (
            retraining.staff_trained_per_locality  # type: ignore[attr-defined]
            * retraining.training_hours_per_staff  # type: ignore[attr-defined]
            * scenario.costs.programme.mdt_hour
        )
        for loc in range(n_loc):
            day = scenario.locality_go_live_day(loc)
            if day < cal.horizon:
                programme[loc, cal.bin(day)] += per_locality
    values[ALL_INDEX["cost_total"]] = sum(values[ALL_INDEX[c]] for c in COST_METRICS[:-1])
    return ArmResult(
        arm=arm,
        values=values,
        bin_labels=list(cal.bin_labels),
        tier_admissions=list(recorder.tier_admissions),
        tier_person_days=list(recorder.tier_person_days),
        peak_in_use=dict(recorder.peak_in_use),
        capacity=dict(recorder.capacity),
        events=recorder.events,
        event_starts=recorder.event_starts if recorder.events is not None else None,
    )
