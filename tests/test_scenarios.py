"""Every scenario in ``scenarios/`` validates and runs a short horizon without error.

The horizon, warm-up, replications and cohort sizes are shrunk with overrides (as a user would
with ``--set``) so that the whole library is checked in seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.experiment import run_experiment
from carecoord.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml")) + sorted(
    (Path(__file__).resolve().parents[1] / "scenarios" / "examples").glob("*.yaml")
)


def test_there_are_scenarios() -> None:
    """The library is not empty (so the parametrised tests below run)."""
    assert SCENARIOS


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_validates(path: Path) -> None:
    """``carecoord validate`` accepts the file as it is."""
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout


def short_overrides(path: Path) -> list[str]:
    """Overrides for a 120-day run (30 warm-up), one replication, at most 150 patients a locality."""
    scenario = load_scenario(path)
    overrides = [
        "simulation.duration_days=120",
        "simulation.end_date=",
        "simulation.warm_up_days=30",
        "simulation.replications=1",
    ]
    for i, locality in enumerate(scenario.localities):
        overrides.append(f"localities.{i}.cohort_size={min(locality.cohort_size, 150)}")
        overrides.append(f"localities.{i}.incidence_per_year={min(locality.incidence_per_year, 30)}")
    return overrides


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_runs_a_short_horizon(path: Path) -> None:
    """A short run of every arm completes and produces sensible whole-scenario numbers."""
    scenario = load_scenario(path, short_overrides(path))
    result = run_experiment(scenario, workers=1)
    whole = result.replications[result.replications["locality"] == "all"]
    assert set(whole["arm"]) == set(scenario.arm_names)
    values = whole.set_index(["arm", "metric"])["value"]
    for arm in scenario.arm_names:
        assert values[(arm, "person_years")] > 0, arm
        assert values[(arm, "crises")] > 0, arm
        assert math.isfinite(values[(arm, "cost_total")]), arm
        assert values[(arm, "cost_total")] >= 0, arm
