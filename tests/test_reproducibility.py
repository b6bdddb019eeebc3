"""Same scenario and seed, same numbers: run twice, serially or in parallel.

A replication's results may depend only on (scenario, seed, replication), never on the order
replications finish in or on the number of worker processes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carecoord.experiment import ExperimentResult, run_experiment, run_replication
from carecoord.scenario import Scenario

TABLES = ("replications", "monthly", "summary", "tiers", "capacity")


@pytest.fixture(scope="module")
def scenario(load_tiny) -> Scenario:
    """The tiny scenario with two replications."""
    return load_tiny("simulation.replications=2")


@pytest.fixture(scope="module")
def serial(scenario: Scenario) -> ExperimentResult:
    """One serial run, shared by the comparisons below."""
    return run_experiment(scenario, workers=1)


def assert_same_tables(a: ExperimentResult, b: ExperimentResult) -> None:
    """Every table identical: same rows, same order, same bits."""
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


def test_same_seed_same_tables(scenario: Scenario, serial: ExperimentResult) -> None:
    """Running again with the same seed reproduces every table exactly."""
    assert_same_tables(serial, run_experiment(scenario, workers=1))


def test_serial_equals_parallel(scenario: Scenario, serial: ExperimentResult) -> None:
    """Two worker processes give exactly the tables one process gives."""
    assert_same_tables(serial, run_experiment(scenario, workers=2))


def test_other_seed_other_numbers(load_tiny, serial: ExperimentResult) -> None:
    """A different root seed changes the results (so the seed is actually used)."""
    other = run_experiment(load_tiny("simulation.replications=2", "simulation.seed=7"), workers=1)
    a = serial.replications.set_index(["replication", "arm", "locality", "metric"])["value"]
    b = other.replications.set_index(["replication", "arm", "locality", "metric"])["value"]
    assert a.index.equals(b.index)
    for metric in ("crises", "emergency_admissions", "person_days", "bed_days"):
        differs = a.xs(metric, level="metric") != b.xs(metric, level="metric")
        assert differs.groupby(level="replication").any().all(), metric


def test_replications_differ_from_each_other(serial: ExperimentResult) -> None:
    """Replications are independent draws, not copies of one another."""
    whole = serial.replications.query("locality == 'all' and arm == 'baseline'")
    by_rep = whole.pivot(index="metric", columns="replication", values="value").loc[
        ["crises", "person_days", "bed_days"]
    ]
    assert (by_rep[0] != by_rep[1]).all()


def test_replication_alone_equals_its_place_in_the_experiment(scenario: Scenario, serial: ExperimentResult) -> None:
    """Replication 1 run on its own gives the same arrays as inside the experiment."""
    alone = run_replication(scenario, 1)
    table = serial.replications.query("replication == 1")
    for arm, result in alone.items():
        rows = table[(table["arm"] == arm) & (table["locality"] == "all")].set_index("metric")["value"]
        for metric in ("emergency_admissions", "bed_days", "cost_total", "person_days"):
            assert rows[metric] == result.total(metric)
    again = run_replication(scenario, 1)
    for arm in alone:
        np.testing.assert_array_equal(alone[arm].values, again[arm].values)


def test_arms_apart_equal_arms_together(scenario: Scenario, serial: ExperimentResult) -> None:
    """More workers than replications: each arm runs in a process of its own, with the same numbers.

    The before-and-after table compares arms run in different processes, so it is checked too.
    """
    assert len(scenario.arm_names) >= 2 and not serial.before_after.empty
    apart = run_experiment(scenario, workers=2 * scenario.simulation.replications)
    assert_same_tables(serial, apart)
    pd.testing.assert_frame_equal(serial.before_after, apart.before_after, check_exact=True)
