"""Work run without a SimPy process's own events: fire-and-forget, interruptible, or started together.

``env.process(gen)`` schedules an ``Initialize`` event to start the generator and, when it ends, the
process's own end event, whether or not anyone waits for it. Most of the model's work (a nursing
follow-up, arranging home care, a round's session, every patient's life) is never waited for: those
two events are pure machinery. A :class:`Task` steps a generator instead, resuming it from the
callbacks of the events it yields, reading their state as :class:`simpy.Process` does (``_ok``,
``_value``, ``callbacks``; see :meth:`Task.__call__`). It has no end event (nobody can wait for it; work that someone
yields on stays a :class:`simpy.Process`) and it starts when told:

- :func:`spawn` starts work at once, in the caller's step (the work starts now, as a free place
  taken now does);
- :func:`start_together` starts many at the time of one scheduled event, in order: where their
  processes' ``Initialize`` events would have run (see there why the order is kept).

A task can be interrupted (:meth:`Task.interrupt`) exactly as a process is: an ``Interrupt`` thrown
into it by an event scheduled first among those of the moment, as :meth:`simpy.Process.interrupt`
schedules its ``Interruption``; so same-time events keep their order.

Example:
    >>> world.spawn(nursing_follow_up(world, patient))
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final, cast

import simpy
from simpy.events import URGENT as FIRST  # SimPy's priority of Initialize and Interruption events

from carecoord.model.far import FarTimeout

Work = Generator[simpy.Event, Any, Any]

_ENDED: Final = object()
"""What :func:`next` returns, as told, for a work that has ended (a work yields only events)."""
_next: Final = next  # compiled, a final name is a C static: no look-up of the builtin at every call
_TIMEOUT: Final = simpy.Timeout
_FAR: Final = FarTimeout  # a timeout held till its day (carecoord.model.far): never fails, no value either
_EVENT: Final = simpy.Event  # final names: C statics, no look-up in the simpy module at every use
_INTERRUPT: Final = simpy.Interrupt


class Task:
    """Steps one generator: each event it yields resumes it when processed (an exception is thrown in
    if the event failed, and propagates out of the run if the generator does not handle it, as an
    unwatched process's failure does)."""

    __slots__ = ("_generator", "_target", "is_alive")

    def __init__(self) -> None:
        self._generator: Work | None = None
        self._target: simpy.Event | FarTimeout | None = None
        self.is_alive = True
        """False once the work has ended (as :attr:`simpy.Process.is_alive`)."""

    def start(self, generator: Work) -> None:
        """Run ``generator`` from now, in this step, until its first wait."""
        self._generator = generator
        self(None)

    def __call__(self, event: simpy.Event | None) -> None:
        """Resume the work from ``event`` (processed; None: start it) to its next wait.

        The task is itself the callback it adds to the event it waits for: SimPy calls it with the
        event. A bound method (``self.resume``) would be a new object at every wait, one allocation
        and one release per event; the task is one object, compared by identity where
        :meth:`_interrupted` removes it.

        Reads the event's ``_ok`` and ``_value`` as :class:`simpy.Process` does (the public ``ok`` and
        ``value`` are Python properties around them: a function call each, on every event of the
        model's busiest loop), and ``callbacks`` (None once processed) for ``processed``. A timeout
        (SimPy's, or one held till its day: :mod:`carecoord.model.far`) resumes the work with None,
        unread: a timeout never fails, and the model gives none a value (``env.timeout(delay)`` only;
        tests/unit/test_tasks.py checks its sources), so the read of its ``_value`` (a generic
        attribute look-up from compiled code) is saved on most events of a run.

        The work is resumed as :meth:`simpy.Process._resume` resumes it (``send``, or ``throw`` for a
        failed event), but by the cheapest call that does the same: ``next(generator, _ENDED)`` when
        the value sent is None (most events: timeouts, granted requests), the C slot of the generator
        (a compiled generator's own ``__next__``), where a ``send`` would be a look-up of the method on
        the generator's type and a parse of its argument, and an end a ``StopIteration`` raised through
        this function (a traceback entry made and caught); ``send`` otherwise (about 1% of the events
        in a run: a patience race's condition, a place on a caseload, a process's end).
        """
        generator = self._generator
        assert generator is not None
        target: Any
        while True:
            try:
                if event is None or type(event) is _TIMEOUT or type(event) is _FAR:  # start; a timeout: no value
                    target = _next(generator, _ENDED)
                elif event._ok:
                    value = event._value
                    target = _next(generator, _ENDED) if value is None else generator.send(value)
                else:
                    event.defused = True  # handed to the generator, as a process does
                    target = generator.throw(cast(BaseException, event._value))  # the exception it failed with
            except StopIteration:
                target = _ENDED
            if target is _ENDED:
                self.is_alive = False  # done: no end event, nobody waits for it
                self._target = None
                self._generator = None
                return
            if type(target) is _FAR:  # most events: the model's own timeouts, waited for in C
                if cast(FarTimeout, target).add(self):  # not processed yet: wait for it
                    self._target = target
                    return
                event = cast(Any, target)  # already processed: go on at once, as a process would
                continue
            # None once processed (SimPy types it a list: read untyped, else compiled code would reject None);
            # typed a list here, compiled code appends to it in C.
            callbacks: list[Any] | None = cast(Any, target).callbacks
            if callbacks is not None:  # not processed yet: wait for it
                callbacks.append(self)
                self._target = target
                return
            event = target  # already processed: go on at once, as a process would

    def interrupt(self, cause: Any = None) -> None:
        """Throw :class:`simpy.Interrupt` (``cause``) into the work, as :meth:`simpy.Process.interrupt` does:
        from an event scheduled now, ahead of the moment's other events (SimPy's ``Interruption``)."""
        target = self._target
        if not self.is_alive or target is None:
            raise RuntimeError("a task that is not waiting cannot be interrupted")
        env = target.env
        event = _EVENT(env)
        event._ok = False  # failed with the Interrupt, and defused: as SimPy's Interruption is made
        event._value = _INTERRUPT(cause)
        event._defused = True
        event.callbacks.append(self._interrupted)  # type: ignore[union-attr]
        env.schedule(event, FIRST)

    def _interrupted(self, event: simpy.Event) -> None:
        if not self.is_alive:  # ended while the interrupt was on its way: it is ignored, as by a process
            return
        target = self._target
        assert target is not None and target.callbacks is not None
        target.callbacks.remove(self)  # no longer waits for it
        self(event)

    def drop(self) -> None:
        """Let go of the work for good (it is never resumed again), when its world is discarded after the run.

        A waiting task and the event it waits for hold each other (the task is among the event's
        callbacks), a cycle only the cyclic collector can free, with the generator and all it holds
        (the patient, the world): dropping them leaves those to reference counting.
        """
        self.is_alive = False
        self._target = None
        self._generator = None


def spawn(generator: Work) -> None:
    """Run ``generator`` from now, in this step, until its first wait, then on the events it yields."""
    Task().start(generator)


def start_together(env: simpy.Environment, works: list[tuple[Task, Work]]) -> None:
    """Start every work of ``works`` in order, at one event scheduled now, first of its moment.

    The same as a process started for each: their ``Initialize`` events would be consecutive (same
    time, same priority, ids in this order) and run one after the other, none other between them
    (an event scheduled by one of them comes later in the order than every one of them), each work
    running until its first wait. One event does the same in the same order, and every other event
    keeps its place in SimPy's order (time, priority, then the order of scheduling).
    """
    if not works:
        return
    event = simpy.Event(env)
    event._ok = True  # a plain succeeded event, scheduled first of its moment as Initialize events are
    event._value = None
    event.callbacks.append(lambda _event: _start_all(works))  # type: ignore[union-attr]
    env.schedule(event, FIRST)


def _start_all(works: list[tuple[Task, Work]]) -> None:
    for task, generator in works:
        task.start(generator)


__all__ = ["Task", "spawn", "start_together"]
