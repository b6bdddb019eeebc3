"""A finished arm leaves nothing behind: its world (a web of cycles) is freed by the garbage collector.

Runs of several environments (``shared_services: split``) and of many replications in one process
rely on it. It failed twice, compiled only (mypyc), and every finished world stayed in memory: a
native subclass of a SimPy event hid the event's callbacks from the collector, and so did a native
mixin class (``CoordinatorWork``, now a trait) for the attributes it declares (docs/performance.md).

The run itself makes almost no cyclic garbage, which is why the collector may be paused during the
event loop (:mod:`carecoord.model.loop`): that is counted here too.
"""

from __future__ import annotations

import gc

import pytest
import simpy

from carecoord.cohort import generate_cohort
from carecoord.model.caseload import Caseload
from carecoord.model.loop import world_lifetime
from carecoord.model.patient import Patient
from carecoord.model.run import build_world, dismantle, run_arm, start_lives
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.scenario.schema import Scenario


def _alive() -> int:
    """Worlds alive, and environments: the model's timeouts are not tracked by the collector
    (:class:`~carecoord.model.far.FarTimeout`), so a cycle through one would never be freed; each holds
    its environment, which is tracked, and would be counted here."""
    return sum(1 for o in gc.get_objects() if isinstance(o, World | simpy.Environment))


def _worlds() -> int:
    gc.collect()
    return _alive()


@pytest.mark.parametrize("arm", ["baseline", "integrated"])
def test_a_finished_arm_frees_its_world(tiny: Scenario, arm: str) -> None:
    cohort = generate_cohort(tiny, 0)
    before = _worlds()  # other tests of this worker may still hold worlds of their own
    recorder = run_arm(tiny, cohort, arm, 0)
    assert recorder.total(M.person_days, include_warm_up=True) > 0  # the run happened; its recorder is kept
    assert _worlds() == before


@pytest.mark.parametrize("arm", ["baseline", "integrated"])
def test_the_event_loop_makes_almost_no_cyclic_garbage(tiny: Scenario, arm: str) -> None:
    """With the collector paused, what a run leaves for it is a few objects, not some per event.

    Everything the loop makes (events, requests, finished pathways) must be freed by reference
    counting, or pausing the collector during the loop (:mod:`carecoord.model.loop`) would let memory grow with
    the run. One cycle per thousand events would already fail this (the pilot: 0 to 10 objects in
    40,000 to 50,000 events).
    """
    world = build_world(tiny, generate_cohort(tiny, 0), arm, 0)
    start_lives(world)
    gc.collect()
    gc.disable()
    try:
        world.env.run(until=world.horizon)
        events = next(world.env._eid)  # every event scheduled (SimPy's id counter)
        garbage = gc.collect()  # the world is still held: only what the loop threw away is found
    finally:
        gc.enable()
    assert events > 1_000  # the run did something
    assert garbage < events / 1_000


def test_run_arm_frees_each_world_itself_and_leaves_the_collector_as_it_was(tiny: Scenario) -> None:
    """``world_lifetime`` frees the world on leaving the block (no later pass needed) and restores the collector.

    The collector is paused around the call, so no automatic pass can free the world afterwards: a
    world left for a later pass would still be counted here.
    """
    cohort = generate_cohort(tiny, 0)
    before = _worlds()
    gc.disable()
    try:
        run_arm(tiny, cohort, "integrated", 0)
        left = _alive()
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
    assert left == before
    assert gc.get_freeze_count() == 0  # what was frozen for the pass is thawed


def test_world_lifetime_leaves_a_paused_collector_and_others_frozen_objects_alone() -> None:
    gc.disable()
    gc.freeze()  # as a forking server might have done
    frozen = gc.get_freeze_count()
    try:
        with world_lifetime():
            made = [[]]  # a cycle-capable object made inside the block
            made[0].append(made)
            del made
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        gc.enable()


def test_world_lifetime_restores_the_collector_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), world_lifetime():
        raise RuntimeError("a world that failed to build")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def _patients() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, Patient))


def test_a_dismantled_world_frees_its_patients_by_reference_counting(tiny: Scenario) -> None:
    """After :func:`dismantle`, dropping the baseline world frees every patient with no collection.

    Its one collection (``world_lifetime``) then walks only what the care plan and the services still
    hold. Without the dismantling every patient stays, in cycles, until that collection (tested here with
    the collector paused, so only reference counting can free them).
    """
    cohort = generate_cohort(tiny, 0)
    gc.collect()
    before = _patients()
    gc.disable()
    try:
        world = build_world(tiny, cohort, "baseline", 0)
        start_lives(world)
        world.finish()
        assert _patients() - before == len(cohort.patients)
        dismantle(world)
        del world
        left = _patients() - before
    finally:
        gc.enable()
    assert left == 0


def test_a_caseload_lets_go_of_the_enrolments_waiting_for_it() -> None:
    """``dismantle`` reaches a caseload's waiting list through the care plan: each waiting place lets go
    of what waits for it; a place granted is not on the list and keeps its callbacks."""
    env = simpy.Environment()
    caseload = Caseload(env, 1)
    granted, waiting = caseload.request(-2.0), caseload.request(-1.0)
    for place in (granted, waiting):
        place.callbacks.append(lambda _event: None)
    assert granted.triggered and not waiting.triggered
    caseload.let_go()
    assert waiting.callbacks == [] and len(granted.callbacks) == 1
