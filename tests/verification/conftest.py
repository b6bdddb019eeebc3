"""Fixtures of the verification suite: single-arm runs, instrumented services, quotable figures.

Verification tests compare the model with theory (Erlang C, Little's law, Poisson and negative
binomial counts, opening hours, extreme conditions). Every statistical comparison prints the
simulated figure, the theoretical one and the standard error it was judged by; the figures are
collected as ``figure`` user properties and listed at the end of the run in a "verification
figures" section (also in the assertion message when a comparison fails).

Example:
    >>> def test_something(figure, run_one, load_tiny):
    ...     rec = run_one(load_tiny("simulation.warm_up_days=0"), "baseline")
    ...     figure("something: 1.00 vs 1.00 ± 0.01")
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from carecoord.cohort import Cohort, generate_cohort
from carecoord.locations import DEAD, LOCATIONS, PENDING
from carecoord.model.run import build_world, run_arm, start_lives
from carecoord.model.services import Service
from carecoord.model.world import World
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario
from carecoord.scenario.base import DAY_INDEX, OpeningHoursSpec

Figure = Callable[[str], None]
EPS_MINUTES = 1e-4
"""Float noise allowed at opening and closing instants (day + hour / 24 is not exact in binary)."""
RunOne = Callable[..., Recorder]


@dataclass
class Grant:
    """One place granted by a service (the start of a piece of work): when, and whether seven-day."""

    service: str
    key: str
    time: float
    any_day: bool


@dataclass
class InstrumentedRun:
    """A run whose services reported every grant (start of work) to the test."""

    scenario: Scenario
    cohort: Cohort
    world: World
    recorder: Recorder
    grants: list[Grant] = field(default_factory=list)


def spy_on(service: Service, grants: list[Grant]) -> None:
    """Log each grant through ``service.on_grant`` (called by ``_grant``, which ``serve`` and ``acquire`` use)."""

    def grant(locality: int, t0: float, any_day: bool) -> None:
        grants.append(Grant(service.name, service.key, service.env.now, any_day))

    service.on_grant = grant


def instrumented_run(scenario: Scenario, arm: str, replication: int = 0) -> InstrumentedRun:
    """What :func:`carecoord.model.world.run_arm` does, with every service's grants logged."""
    cohort = generate_cohort(scenario, replication)
    world = build_world(scenario, cohort, arm, replication)
    grants: list[Grant] = []
    seen: set[int] = set()
    discharge = getattr(world.care, "discharge", None)
    weekend = [team for team in getattr(discharge, "weekend", []) if team is not None]  # seven-day social work
    for services in [*world.services.values(), weekend]:
        for service in services:
            if id(service) not in seen:  # shared services appear once per locality
                seen.add(id(service))
                spy_on(service, grants)
    start_lives(world)
    recorder = world.finish()
    return InstrumentedRun(scenario, cohort, world, recorder, grants)


_CACHE: dict[tuple[str, str, int, bool], tuple[Cohort, Recorder]] = {}


def run_cached(scenario: Scenario, arm: str, replication: int = 0, log_events: bool = False) -> tuple[Cohort, Recorder]:
    """One arm of one replication and its cohort (cached per worker)."""
    key = (scenario.model_dump_json(), arm, replication, log_events)
    if key not in _CACHE:
        cohort = generate_cohort(scenario, replication)
        _CACHE[key] = (cohort, run_arm(scenario, cohort, arm, replication, log_events=log_events))
    return _CACHE[key]


def check_invariants(scenario: Scenario, cohort: Cohort, rec: Recorder) -> None:
    """What any run must satisfy, however extreme its parameters.

    No negative counter; every patient in exactly one place at a time (their days in each place
    add up to the horizon); stays inside the run and in order; bed-days and delayed days equal to
    the stays; at most one death per patient and no more deaths than patients; no service or
    caseload over capacity.
    """
    horizon = float(scenario.simulation.horizon_days)
    tol = 1e-6 * max(1.0, horizon)
    assert min(rec.values) >= 0.0, [(i, v) for i, v in enumerate(rec.values) if v < 0][:5]
    assert len(rec.state_days) == len(cohort.patients)
    for pid, days in enumerate(rec.state_days):
        assert min(days) >= 0.0, (pid, dict(zip(LOCATIONS, days, strict=True)))
        assert math.isclose(math.fsum(days), horizon, abs_tol=tol), (pid, dict(zip(LOCATIONS, days, strict=True)))
        if cohort.patients[pid].arrival > 0:
            assert days[PENDING] == pytest.approx(min(cohort.patients[pid].arrival, horizon), abs=tol), pid
    for stay in rec.stays:
        assert 0.0 <= stay.admitted <= stay.fit <= stay.discharged <= horizon, stay
    bed_days = math.fsum(s.discharged - s.admitted for s in rec.stays)
    assert math.isclose(rec.total(M.bed_days, include_warm_up=True), bed_days, rel_tol=1e-9, abs_tol=tol)
    delayed = math.fsum(s.discharged - s.fit for s in rec.stays)
    assert math.isclose(rec.total(M.delayed_discharge_days, include_warm_up=True), delayed, rel_tol=1e-9, abs_tol=tol)
    deaths = rec.total(M.deaths, include_warm_up=True)
    died = sum(1 for days in rec.state_days if days[DEAD] > 0)
    arrived = sum(1 for p in cohort.patients if p.arrival < horizon)
    assert deaths == died <= arrived
    assert rec.total(M.deaths_in_hospital, include_warm_up=True) <= deaths
    assert rec.total(M.emergency_admissions, include_warm_up=True) >= 0
    for key, peak in rec.peak_in_use.items():
        assert peak <= rec.capacity[key], (key, peak, rec.capacity[key])


@pytest.fixture(scope="session", name="check_invariants")
def check_invariants_fixture() -> Callable[[Scenario, Cohort, Recorder], None]:
    """:func:`check_invariants` (``check_invariants(scenario, cohort, rec)``)."""
    return check_invariants


@pytest.fixture(scope="session")
def run_one() -> Callable[..., tuple[Cohort, Recorder]]:
    """Run one arm of one replication: ``cohort, rec = run_one(scenario, "baseline", 0, log_events=True)``."""
    return run_cached


@pytest.fixture(scope="session")
def run_instrumented() -> Callable[..., InstrumentedRun]:
    """Run one arm with every service's grants logged: ``run_instrumented(scenario, "integrated").grants``."""
    return instrumented_run


def open_at(spec: OpeningHoursSpec, start_weekday: int, t: float, any_day: bool = False) -> bool:
    """Reference opening hours, independent of the package: may work start at ``t`` (days)?

    Day 0 is weekday ``start_weekday`` (0 = Monday). A seven-day (``any_day``) request ignores
    the day of the week but not the hours. An instant a hair before midnight counts as the next
    day's 00:00.
    """
    minutes = t * 1440.0
    day = math.floor((minutes + EPS_MINUTES) / 1440.0)
    minute = minutes - day * 1440.0
    in_hours = spec.open_hour * 60 - EPS_MINUTES <= minute < spec.close_hour * 60 - EPS_MINUTES
    on_day = any_day or (start_weekday + day) % 7 in {DAY_INDEX[d] for d in spec.days}
    return in_hours and on_day


@pytest.fixture(scope="session", name="open_at")
def open_at_fixture() -> Callable[..., bool]:
    """The reference :func:`open_at` (``open_at(spec, start_weekday, t, any_day)``)."""
    return open_at


@pytest.fixture
def figure(record_property: Callable[[str, object], None]) -> Figure:
    """Record a quotable figure ("what: simulated vs theory ± SE") for the end-of-run summary."""

    def add(text: str) -> None:
        record_property("figure", text)
        print(text)

    return add


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List every recorded figure of the verification tests after the run."""
    lines: list[str] = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", None) != "call":
                continue
            lines += [str(value) for name, value in report.user_properties if name == "figure"]
    if lines:
        terminalreporter.section("verification figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)


# Overrides for a cohort that only has crises, all at home: no deaths, no other events, nobody starts in
# hospital or a care home, no crisis admitted or referred on, GP capacity unlimited (rates can be checked
# against theory without anything else moving patients).
CRISES_ONLY_AT_HOME = (
    "cohort.tiers.moderate.mortality_per_year=0",
    "cohort.tiers.high.mortality_per_year=0",
    "cohort.instability.spell_rate_ratio=1",
    "cohort.events.readmission_rate_ratio=1",
    "cohort.events.fall_rate_per_year=0",
    "cohort.events.fall_rate_per_year_80plus=0",
    "cohort.events.social_crisis_rate_per_year=0",
    "cohort.events.social_crisis_rate_per_year_alone=0",
    "cohort.events.decline_rate_per_year=0",
    "cohort.initial.in_hospital_fraction=0",
    "cohort.initial.in_residential_fraction=0",
    "services.gp.admission_probability=0",
    "services.ae.admission_probability=0",
    "services.out_of_hours.admission_probability=0",
    "services.gp.nursing_referral_probability=0",
    "services.gp.capacity=",
)
