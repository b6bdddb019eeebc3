"""The event loop of a world, run with Python's cyclic garbage collector paused.

A run makes almost no cyclic garbage: events, requests and finished pathways are freed by reference
counting the moment they are done (``tests/unit/test_world_freed.py`` counts what is left: a few
objects in tens of thousands of events). The collector's passes over the live world (every patient,
clock and process), triggered by the allocations of the loop, found nothing and cost about a tenth of
a region's CPU time (docs/performance.md). The world itself is a web of cycles: after its run it is
dismantled, so that reference counting frees most of it, and what is left is collected once
(:func:`carecoord.model.run.run_arm`, which keeps the collector paused from the world's building to
that one collection).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import simpy


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, and leave it as it was found (nesting is harmless).

    ``gc.collect()`` still works inside the block: only the automatic passes are paused.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def world_lifetime() -> Iterator[None]:
    """The block builds, runs and drops one world; on leaving it, one collection frees that world.

    Automatic passes stay paused for the whole block: from the building on they find nothing to free,
    and each walks the whole live world (the first allocation after a run, with every object the run
    made still young, set one off). What was alive before the block (cohort, recorder, modules) is
    frozen (``gc.freeze``) while the block runs, so the one collection walks the world alone. Not
    nested with another freezer: if objects are frozen already, nothing is frozen or thawed here.
    The collector's state is the process's: worlds run in several threads of one process at once (a
    Dask worker with several threads) overlap their pauses and freezes, which changes no result but
    may leave a world to a later pass.
    """
    freeze = gc.get_freeze_count() == 0
    with collector_paused():
        if freeze:
            gc.freeze()
        try:
            yield
            gc.collect()
        finally:
            if freeze:
                gc.unfreeze()


def run_until(env: simpy.Environment, until: float) -> None:
    """``env.run(until=until)`` with the cyclic collector paused, and left as it was found."""
    with collector_paused():
        env.run(until=until)


__all__ = ["collector_paused", "run_until", "world_lifetime"]
