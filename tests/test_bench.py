"""``carecoord bench``: its JSON, its scaled scenarios and how it counts events (never its speed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecoord.bench import BARE_REPEATS, bare_event_rate, default_scenario_path, parse_sizes, scaled_scenario
from carecoord.cli import app
from carecoord.cohort import generate_cohort
from carecoord.model.run import build_world, locality_groups, start_lives
from carecoord.scenario import load_scenario
from carecoord.scenario.capacity import locality_capacity
from carecoord.scenario.services import LOCALITY_SERVICES

TINY = Path(__file__).parent / "data" / "tiny.yaml"


def test_bench_json_has_every_figure():
    result = CliRunner().invoke(app, ["bench", "--sizes", "300", "--years", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in ("bare_events_per_s", "model_events_per_s", "ratio", "patient_years_per_s", "peak_memory_mb"):
        assert isinstance(out[key], float) and out[key] > 0, key
    (size,) = out["sizes"]
    assert size["patients"] == 300 and size["years"] == 0.5 and size["arms"] == 2
    for key in ("wall_s", "cpu_s"):
        assert isinstance(size[key], float) and size[key] > 0, key
    assert size["events"] > size["patients"]  # every life starts with at least one event
    assert size["patients_incl_incident"] >= 300
    # bare SimPy runs with the model's live processes: at least one per life (one environment here)
    assert size["live_processes"] >= size["patients_incl_incident"]
    # timed after each environment's run (one per arm here), as often as makes BARE_REPEATS in all
    runs = size["environments"] * size["arms"]
    assert size["bare_repeats"] == math.ceil(BARE_REPEATS / runs) * runs >= BARE_REPEATS
    assert size["bare_events_per_s_min"] <= size["bare_events_per_s"] <= size["bare_events_per_s_max"]
    # the processor is on record (a ratio is comparable only on the same kind of processor)
    assert isinstance(out["processor"], str) and out["processor"]


def test_bench_rejects_bad_sizes():
    result = CliRunner().invoke(app, ["bench", "--sizes", "1000,ten"])
    assert result.exit_code == 2
    assert "--sizes: 'ten' is not a positive whole number" in result.output
    assert parse_sizes("5000, 20_000") == [5000, 20000]


def test_region_size_is_the_region_benchmark():
    base = load_scenario(default_scenario_path())
    region = scaled_scenario(base, 50_000, 3)
    assert [loc.cohort_size for loc in region.localities] == [loc.cohort_size for loc in base.localities]
    for service in LOCALITY_SERVICES:
        for i in range(5):
            assert locality_capacity(region, service, i) == locality_capacity(base, service, i), service
    assert region.simulation.horizon_days == base.simulation.horizon_days == 1096
    assert region.services.intermediate_care.capacity == base.services.intermediate_care.capacity
    assert region.arm("integrated").mechanisms.enrolment.coordinators == {loc.name: 28 for loc in base.localities}


def test_region_runs_each_locality_in_its_own_environment():
    """The region benchmark uses simulation.shared_services: split, and so does every size scaled from it."""
    base = load_scenario(default_scenario_path())
    assert base.simulation.shared_services == "split"
    assert locality_groups(scaled_scenario(base, 25_001, 1)) == [(0,), (1,), (2,)]
    assert locality_groups(scaled_scenario(base, 1_000, 1)) == [None]  # one locality: one environment


def test_scaled_localities_share_the_patients():
    base = load_scenario(default_scenario_path())
    scaled = scaled_scenario(base, 25_001, 1)
    sizes = [loc.cohort_size for loc in scaled.localities]
    assert sizes == [8334, 8334, 8333]
    assert locality_capacity(scaled, "gp", 0) == round(14 * 8334 / 10_000)  # 14 GPs per 10,000 in the base
    assert scaled.localities[0].incidence_per_year == pytest.approx(833.4)
    assert scaled.simulation.horizon_days == 365


def test_event_count_from_the_id_counter_equals_events_stepped():
    """The bench counts events without touching the loop; here every step is counted to check it."""
    scenario = load_scenario(TINY)
    world = build_world(scenario, generate_cohort(scenario, 0), scenario.arm_names[-1], 0)
    start_lives(world)
    env = world.env
    steps = 0
    step = env.step

    def counting_step() -> None:
        nonlocal steps
        steps += 1
        step()

    env.step = counting_step  # type: ignore[method-assign]
    world.finish()
    # ids handed out (next() returns how many) minus events still queued = events processed
    assert next(env._eid) - len(env._queue) == steps


def test_bare_simpy_steps_each_process_about_once_per_day():
    # 4,096 exponential(1) delays have mean 1 +- 0.016 (one standard error), so 10% is over 6 SE
    out = bare_event_rate(live_processes=500, min_events=50_000, repeats=1)
    assert 0.9 < out["events"] / 50_000 < 1.1


def test_bare_simpy_rate_is_the_median_of_its_timings():
    """Each timing has a fresh environment of its own, so the same events (delays are fixed, not random
    per run); the median rate lies within their spread."""
    once = bare_event_rate(live_processes=300, min_events=30_000, repeats=1)
    out = bare_event_rate(live_processes=300, min_events=30_000, repeats=3)
    assert out["repeats"] == 3
    assert out["events"] == 3 * once["events"]
    assert 0 < out["events_per_s_min"] <= out["events_per_s"] <= out["events_per_s_max"]
