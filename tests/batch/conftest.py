"""Fixtures for sweeps: experiment files over the tiny scenario, shortened so a unit takes a fraction of a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
SHORT = ["simulation.duration_days=300", "simulation.warm_up_days=60"]
"""Ten months, two of warm-up: both localities go live inside the results window."""

WriteExperiment = Callable[..., Path]


@pytest.fixture
def write_experiment(tmp_path: Path) -> WriteExperiment:
    """Write an experiment file over the tiny scenario: ``write_experiment({"type": "grid", ...}, replications=2)``."""

    def write(design: dict, replications: int = 2, name: str = "experiment", **fields: object) -> Path:
        data = {
            "name": name,
            "scenario": str(TINY),
            "set": [*SHORT, *fields.pop("set", [])],
            "replications": replications,
            **fields,
            "design": design,
        }
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_short():
    """The shortened tiny scenario with more overrides, as an experiment's points load it."""
    from carecoord.scenario import load_scenario

    return lambda *overrides: load_scenario(TINY, [*SHORT, *overrides])
