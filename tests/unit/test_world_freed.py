"""A finished arm leaves nothing behind: its world (a web of cycles) is freed by the garbage collector.

Runs of several environments (``shared_services: split``) and of many replications in one process
rely on it. It failed once, compiled only: a mypyc-native subclass of a SimPy event hid the event's
callbacks from the collector, so every finished world stayed in memory (docs/performance.md).
"""

from __future__ import annotations

import gc

import pytest

from carecoord.cohort import generate_cohort
from carecoord.model.run import run_arm
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.scenario.schema import Scenario


def _worlds() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, World))


@pytest.mark.parametrize("arm", ["baseline", "integrated"])
def test_a_finished_arm_frees_its_world(tiny: Scenario, arm: str) -> None:
    cohort = generate_cohort(tiny, 0)
    before = _worlds()  # other tests of this worker may still hold worlds of their own
    recorder = run_arm(tiny, cohort, arm, 0)
    assert recorder.total(M.person_days, include_warm_up=True) > 0  # the run happened; its recorder is kept
    assert _worlds() == before
