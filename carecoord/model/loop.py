"""The event loop of a world, run with Python's cyclic garbage collector paused.

A run makes almost no cyclic garbage: events, requests and finished pathways are freed by reference
counting the moment they are done (``tests/unit/test_world_freed.py`` counts what is left: a few
objects in tens of thousands of events). The collector's passes over the live world (every patient,
clock and process), triggered by the allocations of the loop, found nothing and cost about a tenth of
a region's CPU time (docs/performance.md). The world itself is a web of cycles, collected once after
its run (:func:`carecoord.model.run.run_arm`).
"""

from __future__ import annotations

import gc

import simpy


def run_until(env: simpy.Environment, until: float) -> None:
    """``env.run(until=until)`` with the cyclic collector paused, and left as it was found."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        env.run(until=until)
    finally:
        if collecting:
            gc.enable()


__all__ = ["run_until"]
