"""Common random numbers: an arm that changes nothing gives exactly the baseline's numbers.

Every arm runs on the same cohort with the same per-patient streams, so an arm with no
mechanism at work must reproduce the baseline bit for bit: every counter in every month and
locality, every stay, every patient's time in each place, every logged event. Any difference
would be noise leaking into "admissions avoided".
"""

from __future__ import annotations

import pandas as pd
import pytest

from carecoord.experiment import run_experiment
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario

REPLICATIONS = (0, 1)


def assert_identical_runs(arm: Recorder, baseline: Recorder, *, same_resources: bool = True) -> None:
    """Exact equality of everything a run records (no tolerance)."""
    assert arm.values == baseline.values
    assert arm.stays == baseline.stays
    assert arm.state_days == baseline.state_days
    assert arm.events == baseline.events
    assert arm.tier_admissions == baseline.tier_admissions
    assert arm.tier_person_days == baseline.tier_person_days
    if same_resources:
        assert arm.peak_in_use == baseline.peak_in_use
        assert arm.capacity == baseline.capacity
    else:
        for key, peak in baseline.peak_in_use.items():
            assert arm.peak_in_use[key] == peak, key
        extra = set(arm.peak_in_use) - set(baseline.peak_in_use)
        assert all(arm.peak_in_use[key] == 0 for key in extra), extra


@pytest.mark.parametrize("replication", REPLICATIONS)
def test_all_off_equals_baseline(tiny: Scenario, run_arms, replication: int) -> None:
    """``mechanisms: {}`` (nothing switched on) is the baseline, exactly."""
    runs = run_arms(tiny, replication)
    assert runs["baseline"].total(M.emergency_admissions, include_warm_up=True) > 0  # something to compare
    assert_identical_runs(runs["all_off"], runs["baseline"])


def test_integrated_differs_from_baseline(tiny: Scenario, run_arms) -> None:
    """The comparison above can fail: the integrated arm does change the records."""
    runs = run_arms(tiny, 0)
    assert runs["integrated"].values != runs["baseline"].values
    assert runs["integrated"].events != runs["baseline"].events


def test_all_off_tables_equal_baseline(tiny: Scenario) -> None:
    """In the experiment's tables all_off matches baseline row for row, and avoids nothing."""
    result = run_experiment(tiny, workers=1)

    def rows(frame: pd.DataFrame, arm: str) -> pd.DataFrame:
        return frame[frame["arm"] == arm].drop(columns="arm").reset_index(drop=True)

    for name in ("replications", "monthly", "tiers", "capacity"):
        frame = getattr(result, name)
        pd.testing.assert_frame_equal(rows(frame, "all_off"), rows(frame, "baseline"), check_exact=True, obj=name)
    summary = result.summary.set_index(["arm", "metric"])
    off = summary.loc["all_off"]
    pd.testing.assert_frame_equal(off, summary.loc["baseline"], check_exact=True)
    assert (off["diff_vs_baseline"].dropna() == 0.0).all()
    assert off.loc["admissions_avoided", "mean"] == 0.0


NO_EFFECT = {
    "no coordinators": ["arms.integrated.mechanisms.enrolment.coordinators=0"],
    "no coordinators (map)": ["arms.integrated.mechanisms.enrolment.coordinators={east: 0, west: 0}"],
    "enrolment switched off": ["arms.integrated.mechanisms.enrolment.enabled=false"],
    "go-live after the run": [
        "localities.east.go_live=2016-01-01",
        "localities.west.go_live=2016-01-01",
    ],
}


@pytest.mark.parametrize("case", list(NO_EFFECT))
@pytest.mark.parametrize("replication", REPLICATIONS)
def test_integrated_without_coordinators_equals_baseline(load_tiny, run_arms, case: str, replication: int) -> None:
    """Every mechanism on but nobody enrolled (no coordinators, not live yet): baseline, exactly."""
    scenario = load_tiny(*NO_EFFECT[case])
    runs = run_arms(scenario, replication)
    assert_identical_runs(runs["integrated"], runs["baseline"], same_resources=False)


def test_no_coordinators_costs_nothing_extra(load_tiny) -> None:
    """With zero coordinators the programme costs nothing and every metric's difference is 0."""
    scenario = load_tiny("arms.integrated.mechanisms.enrolment.coordinators=0")
    result = run_experiment(scenario, workers=1)
    summary = result.summary.set_index(["arm", "metric"])
    integrated = summary.loc["integrated"]
    assert (integrated["diff_vs_baseline"].dropna() == 0.0).all()
    assert integrated.loc["cost_programme", "mean"] == 0.0
    pd.testing.assert_series_equal(integrated["mean"], summary.loc["baseline", "mean"], check_exact=True)


def test_go_live_enrols_the_highest_risk_first(tiny: Scenario) -> None:
    """When places run out at go-live, nobody left waiting outranks anybody enrolled then."""
    from carecoord.cohort import generate_cohort
    from carecoord.model.run import build_world, start_lives

    scenario = tiny.model_copy(deep=True)
    world = build_world(scenario, generate_cohort(scenario, 0), "integrated", 0)
    enrolment = world.care.enrolment  # type: ignore[attr-defined]
    go_live = scenario.locality_go_live_day(0)
    assert go_live > 0
    start_lives(world)
    world.env.run(until=go_live)  # up to go-live: the risks the waiting list is ordered by
    risks = {p.id: enrolment.risk(p) for p in world.patients if p.locality == 0}
    world.env.run(until=go_live + 1e-6)
    east = [p for p in world.patients if p.locality == 0 and p.enrolment_requested]
    enrolled = [risks[p.id] for p in east if p.caseload_request is not None]
    waiting = [risks[p.id] for p in east if p.caseload_request is None and p.alive]
    assert enrolled and waiting  # places ran out
    assert max(waiting) <= min(enrolled)
