"""Periodic case finding finds patients whose eligibility changed between admissions (issue 9).

The tiny scenario with room on the caseload for everyone, an age criterion (75+) and a cohort
aged 73-77, so that many patients turn 75 during the run. In this model a patient's tier and
conditions are fixed, so ageing into ``min_age`` is the change that makes a patient eligible
between admissions (docs/model.md, "Periodic case finding"). With runs every 30 days, each such
patient who stays at home is found at the first run after their birthday, never before it; with
runs off they are enrolled only at an admission after it. Times follow from the scenario's
numbers, so they are asserted exactly.
"""

from __future__ import annotations

import math

import pytest

from carecoord.cohort import Cohort, PatientRecord, generate_cohort
from carecoord.locations import HOME
from carecoord.model.patient import Patient
from carecoord.model.run import build_world, run_arm, start_lives
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario
from tests.conftest import LoadTiny

E = "arms.integrated.mechanisms.enrolment"
INTERVAL = 30.0
AGES = "cohort.age={mean: 74.5, sd: 1.0, min: 73.0, max: 77.0}"
ENROL_ONLY = (
    "arms=[{name: baseline}, {name: integrated, mechanisms: {enrolment: "
    "{coordinators: 1, caseload: 100000, min_age: 75}}}]"
)
YEAR = 365.25


def run(scenario: Scenario) -> tuple[Cohort, Recorder]:
    cohort = generate_cohort(scenario, 0)
    return cohort, run_arm(scenario, cohort, "integrated", 0, log_events=True)


def events(rec: Recorder, activity: str) -> dict[int, list[float]]:
    assert rec.events is not None
    out: dict[int, list[float]] = {}
    for p, t, a, _ in rec.events:
        if a == activity:
            out.setdefault(p, []).append(t)
    return out


def birthday(scenario: Scenario, r: PatientRecord) -> float:
    """When a patient recorded under 75 turns 75 (ages advance from go-live, or from arrival if later)."""
    since = max(r.arrival, float(scenario.locality_go_live_day(r.locality)))
    return since + (75.0 - r.age) * YEAR


def first_run(scenario: Scenario, r: PatientRecord, when: float) -> float:
    """The first case-finding run of the patient's locality at or after ``when`` (runs: go-live + k x 30)."""
    go_live = float(scenario.locality_go_live_day(r.locality))
    return go_live + max(1, math.ceil((when - go_live) / INTERVAL)) * INTERVAL


def at_home_throughout(rec: Recorder, r: PatientRecord, pid: int, gone: set[int]) -> bool:
    """Never admitted, never moved to a care home or died, and at home from the start."""
    admitted = any(p == pid for p, _ in rec.admission_log)
    return not admitted and pid not in gone and r.initial_location == HOME


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Scenario, Cohort, Recorder]]:
    from carecoord.scenario import load_scenario
    from tests.conftest import TINY

    out = {}
    for name, extra in (("off", ()), ("on", (f"{E}.case_finding_interval_days={INTERVAL:g}",))):
        scenario = load_scenario(TINY, [AGES, ENROL_ONLY, *extra])
        out[name] = (scenario, *run(scenario))
    return out


def test_runs_find_patients_within_one_interval_of_their_birthday_never_before(runs) -> None:
    scenario, cohort, rec = runs["on"]
    found = events(rec, "found_by_case_finding")
    gone = set(events(rec, "death")) | set(events(rec, "residential_admission"))
    horizon = float(scenario.simulation.horizon_days)
    checked = 0
    for pid, r in enumerate(cohort.patients):
        if r.age >= 75.0:
            assert pid not in found, pid  # eligible when first checked: joined at go-live or arrival
            continue
        b = birthday(scenario, r)
        for t in found.get(pid, []):
            assert t >= b, (pid, t, b)  # never before the change: no reading the future
            assert t == first_run(scenario, r, t), (pid, t)  # only at a run
        if at_home_throughout(rec, r, pid, gone) and first_run(scenario, r, b) < horizon:
            assert found.get(pid) == [first_run(scenario, r, b)], (pid, b)
            assert rec.enrolled_at[pid] == first_run(scenario, r, b)  # room for all: enrolled at once
            checked += 1
    assert checked > 20  # enough patients age into the criteria for the check to mean something
    assert rec.total(M.patients_found_by_case_finding, include_warm_up=True) == sum(map(len, found.values()))
    assert rec.total(M.patients_enrolled_by_case_finding, include_warm_up=True) == sum(map(len, found.values()))


def test_without_runs_patients_who_age_in_are_enrolled_only_at_an_admission(runs) -> None:
    scenario, cohort, rec = runs["off"]
    assert events(rec, "found_by_case_finding") == {}
    assert rec.total(M.patients_found_by_case_finding, include_warm_up=True) == 0
    later = 0
    for pid, t in rec.enrolled_at.items():
        r = cohort.patients[pid]
        if r.age >= 75.0:
            continue
        b = birthday(scenario, r)
        assert b <= t, pid
        assert any(p == pid and b <= a <= t for p, a in rec.admission_log), pid
        later += 1
    assert later > 0
    _, _, on = runs["on"]
    assert len(on.enrolled_at) > len(rec.enrolled_at)  # the runs find those who stay at home


def test_runs_that_never_come_change_nothing(load_tiny: LoadTiny) -> None:
    """An interval longer than the run (birthdays are still scheduled, no run is held) gives, to the last
    bit, the numbers of the arm without case finding: the option adds no random draw and moves no event."""
    plain = load_tiny(AGES, ENROL_ONLY.replace("min_age: 75", "min_age: 75, min_admissions: 1"))
    never = load_tiny(
        AGES,
        ENROL_ONLY.replace("min_age: 75", "min_age: 75, min_admissions: 1"),
        f"{E}.case_finding_interval_days=100000",
    )
    (_, a), (_, b) = run(plain), run(never)
    assert a.values == b.values
    assert a.enrolled_at == b.enrolled_at and a.admission_log == b.admission_log
    assert len(a.enrolled_at) > 10


def test_found_patients_join_the_waiting_list_by_risk_when_the_caseload_is_full(load_tiny: LoadTiny) -> None:
    """With 5 places, patients found by a run wait for one (the caseload is never over its size)."""
    full = ENROL_ONLY.replace("caseload: 100000", "caseload: 5")
    _, rec = run(load_tiny(AGES, full, f"{E}.case_finding_interval_days={INTERVAL:g}"))
    found = events(rec, "found_by_case_finding")
    enrolled = rec.total(M.patients_enrolled_by_case_finding, include_warm_up=True)
    assert found and 0 < enrolled < sum(map(len, found.values()))
    assert max(v for k, v in rec.peak_in_use.items() if k.startswith("caseload:")) <= 5


def test_a_run_checks_only_its_candidates_not_the_practice_list(load_tiny: LoadTiny) -> None:
    """A run looks only at the patients marked since the last one: here each patient whose birthday was
    scheduled is checked at most once over the whole run (found, or dropped as not eligible), so the runs'
    checks number at most the birthdays, not patients x runs (a scan would check every patient 10+ times)."""
    scenario = load_tiny(AGES, ENROL_ONLY, f"{E}.case_finding_interval_days={INTERVAL:g}")
    world = build_world(scenario, generate_cohort(scenario, 0), "integrated", 0)
    runs = world.care.enrolment.runs  # type: ignore[attr-defined]
    checks: list[int] = []
    eligible = runs.eligible

    def counted(p: Patient) -> bool:
        checks.append(p.id)
        return eligible(p)

    runs.eligible = counted
    start_lives(world)
    world.finish()
    assert checks, "some patients turn 75 during the run"
    assert len(checks) == len(set(checks))
    assert set(checks) <= runs.birthdays
    assert len(runs.birthdays) < len(world.patients)
