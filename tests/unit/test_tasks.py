"""Fire-and-forget work (``carecoord.model.tasks.spawn``) runs as a process would, without its own events."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from carecoord.model.tasks import spawn


def _work(env: simpy.Environment, log: list[tuple[str, float, Any]]) -> Generator[Any, Any, None]:
    log.append(("start", env.now, None))
    value = yield env.timeout(1.0, value="a")
    log.append(("timeout", env.now, value))
    done = env.event()
    done.succeed("b")
    yield env.timeout(0.5)  # the event is processed before the work yields it
    assert done.processed
    value = yield done  # already processed: the work goes on at once
    log.append(("processed", env.now, value))
    failed = env.event()
    failed.fail(ValueError("no place"))
    try:
        yield failed
    except ValueError as error:
        log.append(("failed", env.now, str(error)))
    yield env.timeout(2.0) | env.timeout(3.0)
    log.append(("condition", env.now, None))


def _trace(start: Any) -> tuple[list[tuple[str, float, Any]], int]:
    env = simpy.Environment()
    log: list[tuple[str, float, Any]] = []
    scheduled = 0
    schedule = env.schedule

    def counting(event: simpy.Event, priority: int = 1, delay: float = 0) -> None:
        nonlocal scheduled
        scheduled += 1
        schedule(event, priority, delay)

    env.schedule = counting  # type: ignore[method-assign]
    start(env, _work(env, log))
    env.run()
    return log, scheduled


def test_spawned_work_resumes_as_a_process_does_without_its_two_events() -> None:
    as_process, process_events = _trace(lambda env, work: env.process(work))
    spawned, spawned_events = _trace(lambda env, work: spawn(work))
    assert spawned == as_process
    assert [entry[0] for entry in spawned] == ["start", "timeout", "processed", "failed", "condition"]
    assert process_events - spawned_events == 2  # the process's Initialize and end events


def test_spawned_work_starts_in_the_callers_step() -> None:
    env = simpy.Environment()
    log: list[tuple[str, float, Any]] = []
    spawn(_work(env, log))
    assert log == [("start", 0.0, None)]  # before any event is processed


def test_a_failure_the_work_does_not_handle_stops_the_run() -> None:
    env = simpy.Environment()

    def work() -> Generator[Any, Any, None]:
        event = env.event()
        event.fail(RuntimeError("lost"))
        yield event

    spawn(work())
    with pytest.raises(RuntimeError, match="lost"):
        env.run()
