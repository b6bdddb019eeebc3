"""Waits held out of SimPy's queue until their eighth of a day (``carecoord.model.far``) end when a timeout would.

What the module claims: the same times to the bit, the same order of events, the same events in
all, and the same fixed-seed results as plain timeouts.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from carecoord.cohort import generate_cohort
from carecoord.model.far import SLOTS_PER_DAY, FarWaits
from carecoord.model.run import build_world, dismantle, start_lives
from carecoord.model.tasks import spawn
from carecoord.recording import Recorder
from carecoord.scenario.schema import Scenario

HORIZON = 60.0


def _trace(plans: list[list[tuple[float, bool]]], held: bool) -> tuple[list[tuple[int, float]], int]:
    """Run one worker per plan, each waiting its delays in turn, and return every wake-up in the order SimPy
    processed them, and the events processed in all. ``held``: the waits marked True are far waits (the
    others plain timeouts, as every wait is when not ``held``)."""
    env = simpy.Environment()
    far = FarWaits(env, HORIZON)
    woken: list[tuple[int, float]] = []

    def worker(k: int, plan: list[tuple[float, bool]]) -> Generator[Any, Any, None]:
        for delay, is_far in plan:
            yield far.wait(delay) if held and is_far else env.timeout(delay)
            woken.append((k, env.now))

    for k, plan in enumerate(plans):
        spawn(worker(k, plan))
    env.run(until=HORIZON)
    events = next(env._eid) - len(env._queue)  # as the bench counts them
    return woken, events


delays = st.one_of(
    st.floats(min_value=0.0, max_value=25.0, allow_nan=False),
    st.integers(min_value=0, max_value=20).map(float),  # whole days: waits that end as a day begins
    st.sampled_from([0.999999999999, 1e-12, 0.5, 0.25, 6.999999999999999]),  # and sums that tie
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(delays, st.booleans()), min_size=1, max_size=6), min_size=1, max_size=8))
def test_far_waits_wake_at_the_same_times_in_the_same_order(plans: list[list[tuple[float, bool]]]) -> None:
    plain, plain_events = _trace(plans, held=False)
    far, far_events = _trace(plans, held=True)
    # Every wake-up at the same time, to the bit, in the same order: ties included, between far waits and
    # plain timeouts alike (workers that wait to the same time wake in the order they asked).
    assert far == plain
    # The events processed: the same waits, and one opener per slot (an eighth of a day) that had a bucket.
    assert plain_events <= far_events <= plain_events + int(HORIZON * SLOTS_PER_DAY)


def test_a_held_entry_is_the_one_simpy_makes() -> None:
    """The entry a far wait puts into SimPy's queue is SimPy's own for a timeout asked at that moment
    (time, priority, id): a SimPy that changed its entries would fail here, not reorder a run quietly."""
    plain_env, far_env = simpy.Environment(), simpy.Environment()
    plain_env.run(until=2.5)
    far_env.run(until=2.5)
    plain = plain_env.timeout(40.25)
    far = FarWaits(far_env, HORIZON)
    held = far.wait(40.25)
    assert all(entry[3] is not held for entry in far_env._queue)  # held out of the queue: only its opener is in
    far_env.run(until=42.75)  # past the opener of its slot (just before 42.75, where the slot begins), not the wait
    (plain_entry,) = [entry for entry in plain_env._queue if entry[3] is plain]
    (held_entry,) = [entry for entry in far_env._queue if entry[3] is held]
    assert held_entry[:3] == plain_entry[:3] and held_entry[:2] == (42.75, simpy.events.NORMAL)


def test_a_wait_past_the_horizon_is_never_queued_and_never_comes() -> None:
    env = simpy.Environment()
    far = FarWaits(env, 10.0)
    never = far.wait(12.5)  # SimPy would queue it and stop the run before it; it takes no event id either
    held = far.wait(9.5)
    queued = [entry[3] for entry in env._queue]
    assert never not in queued and held not in queued  # only the opener of 9.5's slot is queued
    assert len(queued) == 1 and next(env._eid) == 2  # the held wait's id, then the opener's
    assert far.openers == 0
    env.run(until=10.0)
    assert held.processed and not never.processed and far.openers == 1


def test_a_negative_delay_is_refused_as_simpy_refuses_it() -> None:
    env = simpy.Environment()
    with pytest.raises(ValueError, match=r"Negative delay -0\.5"):
        env.timeout(-0.5)  # SimPy's own refusal, which the far waits keep
    with pytest.raises(ValueError, match=r"Negative delay -0\.5"):
        FarWaits(env, HORIZON).wait(-0.5)


def test_a_simpy_process_waits_for_a_far_wait_as_for_a_timeout() -> None:
    """A far wait's event is not a ``simpy.Event``: what SimPy's loop and a process read of it (callbacks,
    ``_ok``, ``_value``) make it processed, and the process resumed with None, when a timeout would be."""
    env = simpy.Environment()
    far = FarWaits(env, HORIZON)
    got: list[tuple[Any, float]] = []
    near, held = far.wait(0.5), far.wait(3.25)  # queued at once; held till day 3
    assert near.triggered and not near.processed and not held.processed

    def sleeper() -> Generator[Any, Any, None]:
        got.append(((yield near), env.now))
        got.append(((yield held), env.now))

    env.process(sleeper())
    env.run(until=HORIZON)
    assert got == [(None, 0.5), (None, 3.25)]
    assert near.processed and held.processed and near.callbacks is None


def test_a_far_waits_callbacks_are_a_list_to_whoever_reads_them() -> None:
    """A task waits by ``add`` (kept in C); ``callbacks`` is then a list with it, in order with what others
    append, as SimPy's loop and processes read it; processed, it is None and ``add`` adds nothing."""
    env = simpy.Environment()
    event = FarWaits(env, HORIZON).wait(0.5)
    first, second, third = object(), object(), object()
    assert event.add(first) and event.add(second)
    assert event.callbacks == [first, second]
    event.callbacks.append(third)  # as a SimPy process adds its resume
    assert event.add(object()) and len(event.callbacks) == 4 and event.callbacks[:3] == [first, second, third]
    event.drop()  # as the world's dismantling does
    assert event.callbacks == [] and not event.processed
    event.callbacks = None  # as SimPy's loop marks it processed
    assert event.processed and event.callbacks is None and not event.add(first)


def _interrupted_run(held: bool) -> tuple[list[tuple[str, float]], bool, int]:
    """A sleeper waits 30 days and is interrupted at 2.25, then waits 1.5: its wake-ups, whether the
    interrupted wait was processed, and the events processed in all."""
    env = simpy.Environment()
    far = FarWaits(env, HORIZON)
    wait: Callable[[float], simpy.Event] = far.wait if held else env.timeout
    log: list[tuple[str, float]] = []
    interrupted = wait(30.0)

    def sleeper() -> Generator[Any, Any, None]:
        try:
            yield interrupted
        except simpy.Interrupt:
            log.append(("interrupted", env.now))
        yield wait(1.5)
        log.append(("woke", env.now))

    proc = env.process(sleeper())

    def waker() -> Generator[Any, Any, None]:
        yield env.timeout(2.25)
        proc.interrupt()

    env.process(waker())
    env.run(until=HORIZON)
    return log, interrupted.processed, next(env._eid) - len(env._queue)


def test_an_interrupted_wait_is_still_processed_as_a_timeout_left_behind_is() -> None:
    plain, far = _interrupted_run(held=False), _interrupted_run(held=True)
    assert far[0] == plain[0] == [("interrupted", 2.25), ("woke", 3.75)]
    assert far[1] and plain[1]  # processed at day 30, waited for by nobody
    assert far[2] == plain[2] + 2  # the same events, and the openers of the slots of 3.75 and 30


def _arm_results(scenario: Scenario, arm: str, held: bool) -> Recorder:
    world = build_world(scenario, generate_cohort(scenario, 0), arm, 0, log_events=True)
    if not held:
        world.far.hold = False  # every wait is env.timeout, straight into SimPy's queue
    start_lives(world)
    recorder = world.finish()
    dismantle(world)
    return recorder


@pytest.mark.parametrize("arm", ["baseline", "integrated"])
def test_the_model_records_the_same_with_its_waits_held_or_not(tiny: Scenario, arm: str) -> None:
    held, plain = _arm_results(tiny, arm, True), _arm_results(tiny, arm, False)
    assert held.events  # the event log is on: every contact, admission and move, with its time
    assert held.events == plain.events and held.event_starts == plain.event_starts
    assert list(held.values) == list(plain.values)  # every metric, locality and month
    assert list(held.location_days) == list(plain.location_days)
    assert _stays(held) == _stays(plain) and _stays(held)


def _stays(recorder: Recorder) -> list[tuple[int, int, float, float, float, str]]:
    return [(s.patient, s.locality, s.admitted, s.fit, s.discharged, s.outcome) for s in recorder.stays]
