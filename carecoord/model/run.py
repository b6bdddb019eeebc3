"""Run one replication of one arm: build the world, give it its care plan, start every life.

Example:
    >>> cohort = generate_cohort(scenario, replication=0)
    >>> recorder = run_arm(scenario, cohort, "integrated", replication=0)
"""

from __future__ import annotations

from carecoord.cohort import Cohort
from carecoord.model.care.coordinated import CoordinatedCare
from carecoord.model.pathways import life
from carecoord.model.world import World
from carecoord.recording import Recorder
from carecoord.scenario.schema import Scenario


def build_world(scenario: Scenario, cohort: Cohort, arm: str, replication: int, log_events: bool = False) -> World:
    """The arm's world with its care plan (coordinated care if any mechanism is on), lives not yet started."""
    world = World(scenario, cohort, arm, replication, log_events)
    if world.mechanisms.any_active:
        world.care = CoordinatedCare(world)
    return world


def start_lives(world: World) -> None:
    """Start every patient's life process (in patient order, which fixes SimPy's tie-breaking)."""
    for p in world.patients:
        p.process = world.env.process(life(world, p))


def run_arm(scenario: Scenario, cohort: Cohort, arm: str, replication: int, log_events: bool = False) -> Recorder:
    """Simulate one arm of one replication and return what it recorded."""
    world = build_world(scenario, cohort, arm, replication, log_events)
    start_lives(world)
    return world.finish()


__all__ = ["build_world", "run_arm", "start_lives"]
