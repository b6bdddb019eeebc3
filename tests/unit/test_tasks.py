"""Fire-and-forget work (``carecoord.model.tasks.spawn``) runs as a process would, without its own events."""

from __future__ import annotations

import ast
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy

import carecoord.model
from carecoord.model.tasks import Task, spawn, start_together


def _work(env: simpy.Environment, log: list[tuple[str, float, Any]]) -> Generator[Any, Any, None]:
    log.append(("start", env.now, None))
    value = yield env.timeout(1.0)
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


def _counting_environment() -> tuple[simpy.Environment, list[int]]:
    """An environment that counts the events scheduled on it (in the one-item list returned with it)."""
    env = simpy.Environment()
    scheduled = [0]
    schedule = env.schedule

    def counting(event: simpy.Event, priority: int = 1, delay: float = 0) -> None:
        scheduled[0] += 1
        schedule(event, priority, delay)

    env.schedule = counting  # type: ignore[method-assign]
    return env, scheduled


def _trace(start: Any) -> tuple[list[tuple[str, float, Any]], int]:
    env, scheduled = _counting_environment()
    log: list[tuple[str, float, Any]] = []
    start(env, _work(env, log))
    env.run()
    return log, scheduled[0]


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


def _sleeper(env: simpy.Environment, name: str, log: list[tuple[str, str, float]]) -> Generator[Any, Any, None]:
    """Waits 5 days; an interrupt makes it wait 1 day from then instead (and may come again)."""
    log.append((name, "start", env.now))
    wait = 5.0
    while True:
        try:
            yield env.timeout(wait)
            log.append((name, "slept", env.now))
            return
        except simpy.Interrupt as interrupt:
            log.append((name, f"interrupted:{interrupt.cause}", env.now))
            wait = 1.0


def _interrupt_trace(make: Any) -> tuple[list[tuple[str, str, float]], int]:
    """Two sleepers, one interrupted twice at the same time (the second interrupt comes after it has
    moved on to its next wait), and a same-time event that must come after the interrupt."""
    env, scheduled = _counting_environment()
    log: list[tuple[str, str, float]] = []
    a = make(env, _sleeper(env, "a", log))
    make(env, _sleeper(env, "b", log))

    def interrupter() -> Generator[Any, Any, None]:
        yield env.timeout(2.0)
        env.timeout(0.0).callbacks.append(lambda _e: log.append(("x", "same time", env.now)))
        a.interrupt("first")
        a.interrupt("second")
        yield env.timeout(10.0)

    env.process(interrupter())
    env.run()
    return log, scheduled[0]


def _as_task(env: simpy.Environment, work: Any) -> Task:
    task = Task()
    task.start(work)
    return task


def test_an_interrupted_task_runs_as_an_interrupted_process_does() -> None:
    as_process, process_events = _interrupt_trace(lambda env, work: env.process(work))
    as_task, task_events = _interrupt_trace(_as_task)
    assert as_task == as_process
    # the second interrupt reaches it in its next wait, ahead of the same-time event scheduled before
    assert [e[1] for e in as_task if e[0] == "a"] == ["start", "interrupted:first", "interrupted:second", "slept"]
    assert as_task.index(("x", "same time", 2.0)) > as_task.index(("a", "interrupted:second", 2.0))
    assert process_events - task_events == 4  # two processes' Initialize and end events


def test_an_ended_task_is_not_alive_and_cannot_be_interrupted() -> None:
    env = simpy.Environment()
    log: list[tuple[str, str, float]] = []
    task = _as_task(env, _sleeper(env, "a", log))
    assert task.is_alive
    env.run()
    assert not task.is_alive
    with pytest.raises(RuntimeError):
        task.interrupt()


def test_works_started_together_run_where_their_processes_initialize_events_would() -> None:
    def trace(together: bool) -> list[tuple[str, str, float]]:
        env = simpy.Environment()
        log: list[tuple[str, str, float]] = []
        env.process(_sleeper(env, "before", log))  # started earlier: its Initialize comes first
        env.timeout(0.0).callbacks.append(lambda _e: log.append(("x", "same time", env.now)))
        works = [(Task(), _sleeper(env, name, log)) for name in ("a", "b", "c")]
        if together:
            start_together(env, works)
        else:
            for _, work in works:
                env.process(work)
        env.process(_sleeper(env, "after", log))
        log.append(("-", "before the run", env.now))
        env.run()
        return log

    assert trace(together=True) == trace(together=False)
    assert trace(together=True)[:6] == [
        ("-", "before the run", 0.0),
        ("before", "start", 0.0),
        ("a", "start", 0.0),
        ("b", "start", 0.0),
        ("c", "start", 0.0),
        ("after", "start", 0.0),
    ]


def test_a_waiting_task_is_its_events_callback_once_and_an_interrupt_removes_it() -> None:
    """The task itself (no bound method made at each wait) is the callback; ``interrupt`` finds it by identity."""
    env = simpy.Environment()
    log: list[tuple[str, str, float]] = []
    task = _as_task(env, _sleeper(env, "a", log))
    first = task._target
    assert first is not None and first.callbacks == [task]
    env.run(until=1.0)
    task.interrupt("retime")
    env.run(until=1.5)
    assert task not in first.callbacks  # type: ignore[operator]  # removed at the interrupt, still pending
    second = task._target
    assert second is not None and second is not first and second.callbacks == [task]
    env.run()
    assert log == [("a", "start", 0.0), ("a", "interrupted:retime", 1.0), ("a", "slept", 2.0)]


def _timeout_calls(tree: ast.AST) -> list[ast.Call]:
    """Calls of anything named ``...timeout`` (``env.timeout``; the held ``world.timeout``) and of the far
    waits (``world.far.wait``, a service's and a round's ``_far.wait``, the life's local ``wait``:
    carecoord.model.far)."""
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return [
        c
        for c in calls
        if (isinstance(c.func, ast.Attribute) and c.func.attr.endswith("timeout"))
        or (isinstance(c.func, ast.Name) and (c.func.id.endswith("timeout") or c.func.id == "wait"))
        or (isinstance(c.func, ast.Attribute) and c.func.attr == "wait" and ast.unparse(c.func.value).endswith("far"))
    ]


def test_the_model_gives_no_timeout_a_value() -> None:
    """A task resumes from a timeout with None, unread (Task.__call__): the model's timeouts carry none."""
    sources = sorted((Path(carecoord.model.__file__).parent).rglob("*.py"))
    calls = [(path, call) for path in sources for call in _timeout_calls(ast.parse(path.read_text()))]
    assert len(calls) > 20  # the scan sees the model's timeouts
    with_value = [
        f"{path.name}:{call.lineno}" for path, call in calls if len(call.args) > _arguments(call) or call.keywords
    ]
    assert with_value == []


def _arguments(call: ast.Call) -> int:
    """How many positional arguments carry no value: a timeout's delay; a far wait's delay and the time now."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return 2 if name == "wait" else 1


def test_a_tasks_timeout_resumes_it_with_none() -> None:
    """Unlike a process, a task does not read a timeout's value (the model gives none: the test above)."""
    env = simpy.Environment()
    got: list[Any] = []

    def work() -> Generator[Any, Any, None]:
        got.append((yield env.timeout(1.0, value="not read")))

    spawn(work())
    env.run()
    assert got == [None]
