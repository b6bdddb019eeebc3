"""The model reads the time as ``env._now``, as SimPy's own classes do (``env.now`` is a Python property
around it: compiled, each read was a generic look-up and a Python call). These tests fail if a SimPy
release stops keeping ``_now`` as the time ``now`` returns."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy


def test_the_private_time_is_the_time_now_returns_at_every_step() -> None:
    env = simpy.Environment()
    seen: list[tuple[Any, Any]] = [(env.now, env._now)]

    def work() -> Generator[Any, Any, None]:
        for delay in (0, 0.25, 1, 2.5, 0):
            yield env.timeout(delay)
            seen.append((env.now, env._now))

    env.process(work())
    env.timeout(1.125).callbacks.append(lambda _event: seen.append((env.now, env._now)))  # type: ignore[union-attr]
    env.run()
    assert seen == [(0, 0), (0, 0), (0.25, 0.25), (1.125, 1.125), (1.25, 1.25), (3.75, 3.75), (3.75, 3.75)]
    assert all(now is private for now, private in seen)  # the same object, int or float as SimPy keeps it


def test_the_private_time_follows_a_start_time_and_a_run_until() -> None:
    env = simpy.Environment(initial_time=7.5)
    assert env._now == env.now == 7.5
    env.timeout(10.0)
    env.run(until=12.25)  # stops between events: the time is the bound
    assert env._now == env.now == 12.25
    env.run()
    assert env._now == env.now == 17.5
