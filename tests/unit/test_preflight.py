"""The run-size estimate grows as patients x years x arms x replications, and is refused above the limit.

The rates come from the benchmark (docs/performance.md); here only their arithmetic is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord import preflight
from carecoord.errors import RunTooLargeError
from carecoord.preflight import (
    BYTES_PER_WORKER,
    MAX_MEMORY_SHARE,
    MAX_SECONDS,
    check_size,
    estimate_run,
    seconds_per_patient_year_arm,
)
from carecoord.scenario.loader import load_scenario_source

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"


def _estimate(*overrides: str, workers: int = 1):
    return estimate_run(load_scenario_source(TINY, list(overrides)), workers)


def test_time_is_patient_years_times_arms_times_replications() -> None:
    """No incidence: patient-years = patients x years exactly, and time follows from the benchmark rate."""
    est = _estimate("localities.east.incidence_per_year=0", "localities.west.incidence_per_year=0")
    years = 540 / 365.25
    assert est.patients == 350
    assert est.patient_years == pytest.approx(350 * years)
    assert est.seconds == pytest.approx(350 * years * 3 * 2 * seconds_per_patient_year_arm())


def test_workers_share_the_time_but_add_memory() -> None:
    """Two workers halve the time of two replications and hold two cohorts in memory."""
    one, two = _estimate(workers=1), _estimate(workers=2)
    assert two.seconds == pytest.approx(one.seconds / 2)
    assert two.peak_bytes == pytest.approx(2 * one.peak_bytes)


def test_workers_beyond_replications_share_the_arms() -> None:
    """One replication of three arms on three workers: each arm on its own core, a third of the time."""
    one = _estimate("simulation.replications=1", workers=1)
    three = _estimate("simulation.replications=1", workers=3)
    assert three.arms == 3 and three.workers == 3
    per_worker = three.peak_bytes / 3 - BYTES_PER_WORKER  # each worker holds one arm's patients, not three
    assert per_worker == pytest.approx((one.peak_bytes - BYTES_PER_WORKER) / 3)
    assert three.seconds == pytest.approx(one.seconds / 3)


def test_above_the_time_limit_needs_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long run that fits in memory is refused with a message that says how to go on; --yes lets it run."""
    monkeypatch.setattr(preflight, "_machine_memory", lambda: 1e12)
    big = _estimate("localities.east.cohort_size=10000000")
    assert big.seconds > MAX_SECONDS and big.peak_bytes < MAX_MEMORY_SHARE * 1e12
    with pytest.raises(RunTooLargeError, match="pass --yes"):
        check_size(big, yes=False, source="tiny.yaml")
    check_size(big, yes=True)
    check_size(_estimate(), yes=False)  # the tiny run is well inside


def test_above_the_memory_limit_is_refused_even_with_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """More memory than the machine has cannot be overridden: the run would fail part-way."""
    big = _estimate("localities.east.cohort_size=10000000")
    monkeypatch.setattr(preflight, "_machine_memory", lambda: big.peak_bytes)  # 100% > the 80% limit
    for yes in (False, True):
        with pytest.raises(RunTooLargeError, match="--yes cannot override") as exc:
            check_size(big, yes=yes, source="tiny.yaml")
        assert "pass --yes" not in str(exc.value)
