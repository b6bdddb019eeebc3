"""Shared fixtures: the tiny two-locality scenario, variants of it, and cached runs.

Every test that simulates starts from ``tests/data/tiny.yaml`` (a few hundred patients, 18
months) and changes it only through ``--set``-style overrides, the way a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from carecoord.cohort import generate_cohort
from carecoord.model.run import run_arm
from carecoord.recording import Recorder
from carecoord.scenario import Scenario, load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
TINY = TESTS / "data" / "tiny.yaml"
CARECOORD = Path(sys.executable).parent / "carecoord"

LoadTiny = Callable[..., Scenario]
RunArms = Callable[[Scenario, int], dict[str, Recorder]]
RunCli = Callable[..., subprocess.CompletedProcess[str]]

_RUNS: dict[tuple[str, int], dict[str, Recorder]] = {}


def run_all_arms(scenario: Scenario, replication: int) -> dict[str, Recorder]:
    """Every arm of one replication on one cohort, with the event log on (cached per worker)."""
    key = (scenario.model_dump_json(), replication)
    if key not in _RUNS:
        cohort = generate_cohort(scenario, replication)
        _RUNS[key] = {arm: run_arm(scenario, cohort, arm, replication, log_events=True) for arm in scenario.arm_names}
    return _RUNS[key]


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    """Path of the tiny scenario file."""
    return TINY


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Root of the repository (where scenarios/ and docs/ live)."""
    return REPO


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The tiny scenario as written."""
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def load_tiny() -> LoadTiny:
    """Load the tiny scenario with ``path=value`` overrides: ``load_tiny("simulation.seed=3")``."""

    def load(*overrides: str) -> Scenario:
        return load_scenario(TINY, list(overrides))

    return load


@pytest.fixture(scope="session")
def run_arms() -> RunArms:
    """Run every arm of a replication (cached): ``run_arms(scenario, 0)["baseline"]``."""
    return run_all_arms


@pytest.fixture(scope="session")
def run_cli() -> RunCli:
    """Run the installed ``carecoord`` console script in a subprocess (an 80-column terminal)."""

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
        return subprocess.run(
            [str(CARECOORD), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=300,
            check=False,
        )

    return run
