"""Fire-and-forget work: a generator of events run without a SimPy process's own two events.

``env.process(gen)`` schedules an ``Initialize`` event to start the generator and, when it ends, the
process's own end event, whether or not anyone waits for it. Most of the model's short pieces of work
(a nursing follow-up, arranging home care, the end of a package, a routine session) are started and
never waited for or interrupted: those two events are pure machinery (15-20% of all events before).
:func:`spawn` starts such work at once, in the caller's step (the work starts now, as a free place
taken now does), and resumes it from the callbacks of the events it yields, through SimPy's public
event API (``callbacks``, ``processed``, ``ok``, ``value``, ``defused``). It returns nothing to wait
for or interrupt: work that someone yields on or interrupts stays a :class:`simpy.Process`.

Example:
    >>> world.spawn(nursing_follow_up(world, patient))
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

import simpy


class _Task:
    """Steps one generator: each event it yields resumes it when processed (an exception is thrown in
    if the event failed, and propagates out of the run if the generator does not handle it, as an
    unwatched process's failure does)."""

    __slots__ = ("_generator",)

    def __init__(self, generator: Generator[simpy.Event, Any, Any]):
        self._generator = generator

    def resume(self, event: simpy.Event | None) -> None:
        generator = self._generator
        while True:
            try:
                if event is None:
                    target = next(generator)
                elif event.ok:
                    target = generator.send(event.value)
                else:
                    event.defused = True  # handed to the generator, as a process does
                    target = generator.throw(cast(BaseException, event.value))  # the exception it failed with
            except StopIteration:
                return  # done: no end event, nobody waits for it
            if not target.processed:
                target.callbacks.append(self.resume)  # type: ignore[union-attr]
                return
            event = target  # already processed: go on at once, as a process would


def spawn(generator: Generator[simpy.Event, Any, Any]) -> None:
    """Run ``generator`` from now, in this step, until its first wait, then on the events it yields."""
    _Task(generator).resume(None)


__all__ = ["spawn"]
