"""Conservation and capacity: time, bed days and admissions add up; no service is over-filled.

Each invariant is checked against records the model keeps independently (counters by month vs
the list of stays vs each patient's time in each place), on scenarios with tight capacities so
that queues actually form, and over random small scenarios with hypothesis.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecoord.cohort import generate_cohort
from carecoord.experiment import ExperimentResult, run_experiment
from carecoord.locations import DEAD, INTERMEDIATE, LOCATIONS, PENDING, RESIDENTIAL
from carecoord.locations import HOSPITAL as STARTS_IN_HOSPITAL
from carecoord.metrics import ALL_METRICS
from carecoord.recording import M, Recorder, Stay
from carecoord.scenario import Scenario

TOL = 1e-6
ARMS = ("baseline", "all_off", "integrated")

# Every capacity small enough to queue (GP slots made long so that one GP is often busy).
TIGHT = (
    "simulation.warm_up_days=0",
    "services.gp.capacity=1",
    "services.gp.appointment_minutes=120",
    "services.gp.home_visit_minutes=180",
    "services.ae.capacity=1",
    "services.community_nursing.capacity=1",
    "services.social_work.capacity=1",
    "services.home_care.capacity=40",  # below the ~45 packages the cohort needs early on, so a queue must form
    "services.hospital.capacity=10",
    "services.intermediate_care.capacity=1",
    "services.residential_care.capacity=8",
    "arms.integrated.mechanisms.enrolment.caseload=10",
)
UNLIMITED_HOSPITAL = ("simulation.warm_up_days=0", "services.hospital.capacity=")
VARIANTS = {"tight": TIGHT, "unlimited-hospital": UNLIMITED_HOSPITAL}


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request: pytest.FixtureRequest, load_tiny) -> Scenario:
    """The tiny scenario without warm-up, with tight capacities or an unlimited hospital."""
    return load_tiny(*VARIANTS[request.param])


def runs_of(scenario: Scenario, run_arms) -> list[tuple[str, int, Recorder]]:
    """(arm, replication, recorder) for both replications of every arm."""
    return [(arm, r, rec) for r in (0, 1) for arm, rec in run_arms(scenario, r).items()]


def initial_inpatients(scenario: Scenario, replication: int) -> set[int]:
    """Patients in hospital on day one (the rest of their stay was not an admission during the run)."""
    patients = generate_cohort(scenario, replication).patients
    return {pid for pid, p in enumerate(patients) if p.initial_location == STARTS_IN_HOSPITAL}


def run_stays(rec: Recorder, inpatients: set[int]) -> list[Stay]:
    """Stays that began with an admission during the run: all but each day-one inpatient's first."""
    first = {pid: min(i for i, s in enumerate(rec.stays) if s.patient == pid) for pid in inpatients}
    assert all(rec.stays[i].admitted == 0.0 for i in first.values())
    skip = set(first.values())
    return [s for i, s in enumerate(rec.stays) if i not in skip]


def check_conservation(scenario: Scenario, rec: Recorder) -> None:
    """The invariants every run of every arm must satisfy (shared with the hypothesis test)."""
    horizon = scenario.simulation.horizon_days
    for pid, days in enumerate(rec.state_days):
        assert math.isclose(sum(days), horizon, abs_tol=TOL), (pid, days)
        assert min(days) >= 0.0, (pid, days)
    for stay in rec.stays:
        assert 0.0 <= stay.admitted <= stay.fit <= stay.discharged <= horizon, stay
    bed_days = math.fsum(s.discharged - s.admitted for s in rec.stays)
    assert math.isclose(rec.total(M.bed_days, include_warm_up=True), bed_days, abs_tol=TOL)
    delayed = math.fsum(s.discharged - s.fit for s in rec.stays if s.fit < s.discharged)
    assert math.isclose(rec.total(M.delayed_discharge_days, include_warm_up=True), delayed, abs_tol=TOL)
    alive_days = math.fsum(sum(d[i] for i in range(len(LOCATIONS)) if i not in (PENDING, DEAD)) for d in rec.state_days)
    assert math.isclose(rec.total(M.person_days, include_warm_up=True), alive_days, rel_tol=1e-9)
    for metric, where in ((M.intermediate_care_days, INTERMEDIATE), (M.residential_care_days, RESIDENTIAL)):
        days = math.fsum(d[where] for d in rec.state_days)
        assert math.isclose(rec.total(metric, include_warm_up=True), days, rel_tol=1e-9, abs_tol=TOL)
    deaths = sum(1 for d in rec.state_days if d[DEAD] > 0)
    assert rec.total(M.deaths, include_warm_up=True) >= deaths  # a death at the very horizon adds 0 days
    for key, peak in rec.peak_in_use.items():
        assert peak <= rec.capacity[key], (key, peak, rec.capacity[key])
    if rec.events:
        times = [e[1] for e in rec.events]
        assert all(a <= b for a, b in itertools.pairwise(times)), "event log goes back in time"
        assert times[0] >= 0.0 and times[-1] <= horizon


def test_conservation_every_arm(variant: Scenario, run_arms) -> None:
    """State days sum to the horizon; bed and delay days equal the stays; peaks within capacity."""
    for _, _, rec in runs_of(variant, run_arms):
        check_conservation(variant, rec)


def test_state_days_sum_to_horizon(variant: Scenario, run_arms) -> None:
    """Each patient is somewhere (not yet eligible, home, ..., dead) for the whole run."""
    horizon = variant.simulation.horizon_days
    for arm, r, rec in runs_of(variant, run_arms):
        sums = [sum(days) for days in rec.state_days]
        assert all(math.isclose(s, horizon, abs_tol=TOL) for s in sums), (arm, r)


def test_bed_days_equal_stays(variant: Scenario, run_arms) -> None:
    """bed_days (all months) = sum over stays of discharged - admitted, stays censored at the horizon."""
    for arm, r, rec in runs_of(variant, run_arms):
        expected = math.fsum(s.discharged - s.admitted for s in rec.stays)
        assert expected > 0
        assert rec.total(M.bed_days, include_warm_up=True) == pytest.approx(expected, abs=TOL), (arm, r)


def test_delayed_discharge_days_equal_stays(variant: Scenario, run_arms) -> None:
    """delayed_discharge_days = sum over stays of discharged - fit where the patient waited."""
    for arm, r, rec in runs_of(variant, run_arms):
        expected = math.fsum(s.discharged - s.fit for s in rec.stays if s.fit < s.discharged)
        assert expected > 0
        assert rec.total(M.delayed_discharge_days, include_warm_up=True) == pytest.approx(expected, abs=TOL), (arm, r)


def test_every_admission_has_a_stay(load_tiny, run_arms) -> None:
    """With beds always free, emergency admissions = stays, less the stays of day-one inpatients.

    Patients in hospital on day one also appear in ``.stays`` (the rest of their stay) but were
    not admitted during the run; every admission during the run opens exactly one stay.
    """
    scenario = load_tiny(*UNLIMITED_HOSPITAL)
    for r in (0, 1):
        inpatients = initial_inpatients(scenario, r)
        assert inpatients
        for arm, rec in run_arms(scenario, r).items():
            admitted = run_stays(rec, inpatients)
            assert rec.total(M.emergency_admissions, include_warm_up=True) == len(admitted), arm


def test_admissions_in_results_window_match_stays(load_tiny, run_arms) -> None:
    """With a warm-up, admissions counted in results months = stays admitted after the warm-up."""
    scenario = load_tiny("services.hospital.capacity=")
    warm_up = scenario.simulation.warm_up_days
    for arm, rec in run_arms(scenario, 0).items():
        after = [s for s in rec.stays if s.admitted >= warm_up]
        assert rec.total(M.emergency_admissions) == len(after), arm


def test_admissions_at_least_stays_when_beds_are_short(load_tiny, run_arms) -> None:
    """With few beds, some admitted patients are still waiting for a bed at the horizon: no stay yet."""
    scenario = load_tiny(*TIGHT)
    for r in (0, 1):
        inpatients = initial_inpatients(scenario, r)
        for arm, rec in run_arms(scenario, r).items():
            admitted = run_stays(rec, inpatients)
            assert rec.total(M.emergency_admissions, include_warm_up=True) >= len(admitted), arm


def test_peaks_within_capacity_and_queues_form(load_tiny, run_arms) -> None:
    """Under tight capacities queues form at every limited service, and none is over-filled."""
    scenario = load_tiny(*TIGHT)
    waited = dict.fromkeys(
        ("gp", "ae", "community_nursing", "social_work", "home_care", "hospital", "intermediate_care"), 0.0
    )
    caseload_full = False
    for _, _, rec in runs_of(scenario, run_arms):
        for key, peak in rec.peak_in_use.items():
            assert peak <= rec.capacity[key], (key, peak)
        for service in waited:
            waited[service] += rec.total(getattr(M, f"wait_hours_{service}"), include_warm_up=True)
        caseload_full |= any(rec.peak_in_use[k] == rec.capacity[k] for k in rec.capacity if k.startswith("caseload:"))
    assert all(hours > 0 for hours in waited.values()), waited
    assert caseload_full


def test_bed_occupancy_within_capacity(load_tiny, run_arms) -> None:
    """Patients in a bed at any instant (from the stays, day-one inpatients included) <= beds.

    ``peak_in_use`` only sees patients who went through the bed resource; counting occupancy
    from the stays themselves checks that nobody holds a bed outside it.
    """
    scenario = load_tiny(*TIGHT, "services.hospital.capacity=3", "cohort.initial.in_hospital_fraction=0.02")
    beds = scenario.services.hospital.capacity
    assert beds is not None
    for arm, r, rec in runs_of(scenario, run_arms):
        changes = sorted([(s.discharged, -1) for s in rec.stays] + [(s.admitted, +1) for s in rec.stays])
        occupied, peak = 0, 0
        for _, change in changes:  # at equal times discharges (-1) come before admissions
            occupied += change
            peak = max(peak, occupied)
        assert peak <= beds, (arm, r, peak)


# --- the tables ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def experiment(tiny: Scenario) -> ExperimentResult:
    """Two replications of the tiny scenario (warm-up included)."""
    return run_experiment(tiny, workers=1)


ADDITIVE = [*ALL_METRICS, "person_years", "admissions_avoided"]


def test_localities_add_up_to_all(experiment: ExperimentResult) -> None:
    """For additive metrics, the 'all' row is the sum of the locality rows."""
    table = experiment.replications[experiment.replications["metric"].isin(ADDITIVE)]
    whole = table[table["locality"] == "all"].set_index(["replication", "arm", "metric"])["value"]
    parts = table[table["locality"] != "all"].groupby(["replication", "arm", "metric"])["value"].sum()
    joined = whole.to_frame("whole").join(parts.rename("parts"))
    assert len(joined) == len(whole)
    assert ((joined["whole"] - joined["parts"]).abs() <= 1e-9 * joined["whole"].abs().clip(lower=1)).all()


def test_monthly_adds_up_to_replication_totals(experiment: ExperimentResult) -> None:
    """Summing the monthly table over months gives the replications table (warm-up excluded)."""
    monthly = experiment.monthly.groupby(["replication", "arm", "locality", "metric"])["value"].sum()
    table = experiment.replications
    totals = table[table["metric"].isin(ALL_METRICS) & (table["locality"] != "all")]
    totals = totals.set_index(["replication", "arm", "locality", "metric"])["value"]
    joined = totals.to_frame("total").join(monthly.rename("monthly")).fillna({"monthly": 0.0})
    assert (joined["total"] != 0).any()
    assert ((joined["total"] - joined["monthly"]).abs() <= 1e-9 * joined["total"].abs().clip(lower=1)).all()


def test_summary_means_are_replication_means(experiment: ExperimentResult) -> None:
    """Summary mean = mean over replications; the paired difference is the mean of differences."""
    whole = experiment.replications[experiment.replications["locality"] == "all"]
    means = whole.groupby(["arm", "metric"])["value"].mean()
    summary = experiment.summary.set_index(["arm", "metric"])
    assert summary["mean"].to_numpy() == pytest.approx(means.loc[summary.index].to_numpy(), nan_ok=True)
    base = whole[whole["arm"] == "baseline"].set_index(["replication", "metric"])["value"]
    for arm in ARMS:
        values = whole[whole["arm"] == arm].set_index(["replication", "metric"])["value"]
        diff = (values - base).groupby(level="metric").mean()
        got = summary.loc[arm, "diff_vs_baseline"].loc[diff.index]
        assert got.to_numpy() == pytest.approx(diff.to_numpy(), nan_ok=True)
    lo, mean, hi = summary["ci_low"], summary["mean"], summary["ci_high"]
    ok = lo.isna() | ((lo <= mean + 1e-9) & (mean <= hi + 1e-9))
    assert ok.all()


# --- random small scenarios ---------------------------------------------------------------------

MECHANISMS = (
    "proactive_visits",
    "medication_review",
    "rapid_response",
    "night_visits",
    "falls_equipment",
    "discharge_planning",
    "shared_assessment",
    "home_care_first",
    "case_finding",
)


def capacity(low: int, high: int) -> st.SearchStrategy[str]:
    """A capacity override value: empty (unlimited) or a small number."""
    return st.one_of(st.just(""), st.integers(low, high).map(str))


@st.composite
def small_scenarios(draw: st.DrawFn) -> list[str]:
    """Overrides that make the tiny scenario a random small valid one."""
    duration = draw(st.integers(60, 240))
    overrides = [
        f"simulation.duration_days={duration}",
        f"simulation.warm_up_days={draw(st.integers(0, duration // 2))}",
        f"simulation.seed={draw(st.integers(0, 2**31 - 1))}",
        f"localities.east.cohort_size={draw(st.integers(0, 60))}",
        f"localities.west.cohort_size={draw(st.integers(1, 60))}",
        f"localities.east.incidence_per_year={draw(st.sampled_from([0, 30, 150]))}",
        f"arms.integrated.mechanisms.enrolment.coordinators={draw(st.integers(0, 2))}",
        f"arms.integrated.mechanisms.enrolment.caseload={draw(st.integers(1, 15))}",
    ]
    for service, (low, high) in {
        "gp": (1, 2),
        "ae": (1, 3),
        "community_nursing": (1, 2),
        "social_work": (1, 2),
        "home_care": (1, 8),
        "hospital": (1, 8),
        "intermediate_care": (1, 3),
        "residential_care": (1, 4),
    }.items():
        overrides.append(f"services.{service}.capacity={draw(capacity(low, high))}")
    switched_off = draw(st.sets(st.sampled_from(MECHANISMS)))
    overrides += [f"arms.integrated.mechanisms.{m}.enabled=false" for m in sorted(switched_off)]
    if draw(st.booleans()):
        overrides.append("localities.west.go_live=2014-04-01")
    return overrides


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=small_scenarios(), replication=st.integers(0, 5))
def test_conservation_random_scenarios(load_tiny, run_arms, overrides: list[str], replication: int) -> None:
    """Any small valid scenario conserves time, bed days and delay days and respects capacity."""
    scenario = load_tiny(*overrides)
    runs = run_arms(scenario, replication)
    assert set(runs) == set(ARMS)
    for rec in runs.values():
        check_conservation(scenario, rec)
    assert runs["all_off"].values == runs["baseline"].values
