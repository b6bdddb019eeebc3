"""Routine-care helpers: Poisson counts by inversion, sessions that fit a clinician's day."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import poisson

from carecoord.model.routine import poisson_count, sessions


def test_poisson_count_is_monotone_in_the_uniform_and_the_mean() -> None:
    """Common random numbers: the same uniform gives a count that grows with the mean."""
    u = 0.37
    counts = [poisson_count(u, m) for m in (0.0, 0.5, 2.0, 10.0, 50.0)]
    assert counts[0] == 0
    assert counts == sorted(counts)
    by_uniform = [poisson_count(v, 5.0) for v in (0.01, 0.5, 0.99)]
    assert by_uniform == sorted(by_uniform)


def test_poisson_count_has_the_poisson_mean_and_variance() -> None:
    """Over 20,000 uniforms the mean and variance are 7.3 within 4 standard errors."""
    rng = np.random.default_rng(1)
    counts = np.array([poisson_count(u, 7.3) for u in rng.random(20_000)])
    se_mean = np.sqrt(7.3 / counts.size)
    assert abs(counts.mean() - 7.3) < 4 * se_mean
    se_var = np.sqrt((7.3 + 2 * 7.3**2) / counts.size)  # Var of the sample variance of a Poisson
    assert abs(counts.var(ddof=1) - 7.3) < 4 * se_var


def test_the_sequential_search_agrees_with_scipy() -> None:
    """Small means are inverted by a search: the very same counts as scipy's Poisson quantile."""
    rng = np.random.default_rng(2)
    for mean in (0.3, 4.0, 35.0, 480.0):
        for u in rng.random(300):
            assert poisson_count(float(u), mean) == int(poisson.ppf(u, mean)), (u, mean)


def test_sessions_split_a_day_evenly() -> None:
    assert sessions(0.0, 600.0) == []
    assert sessions(300.0, 600.0) == [300.0]
    assert sessions(600.0, 600.0) == [600.0]
    parts = sessions(1500.0, 600.0)
    assert len(parts) == 3 and sum(parts) == pytest.approx(1500.0) and max(parts) <= 600.0


_NO_IMPORT_IN_THE_LOOP = """
import sys
from carecoord.bench import default_scenario_path, scaled_scenario
from carecoord.cohort import generate_cohort
from carecoord.model.run import build_world, start_lives
from carecoord.scenario import load_scenario

scenario = scaled_scenario(load_scenario(default_scenario_path()), {patients}, {years})
cohort = generate_cohort(scenario, 0)
for arm in scenario.arm_names:
    world = build_world(scenario, cohort, arm, 0)
    start_lives(world)
    before = set(sys.modules)
    world.run()
    print(arm, "scipy.special" in before, sorted(m for m in set(sys.modules) - before if m.startswith("scipy")))
"""


@pytest.mark.parametrize(("patients", "preloaded"), [(10_000, True), (1_000, False)])
def test_a_world_whose_bookings_may_need_scipy_imports_it_before_its_event_loop(patients: int, preloaded: bool) -> None:
    """A locality of 10,000 books hundreds of routine contacts after a weekend (above the sequential search's
    limit): scipy.special is imported while its world is built, and nothing of scipy in its event loop; a
    locality of 1,000 never needs it and does not import it."""
    code = _NO_IMPORT_IN_THE_LOOP.format(patients=patients, years=0.5)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.split("\n")[:2]
    assert lines == [f"baseline {preloaded} []", f"integrated {preloaded} []"]
