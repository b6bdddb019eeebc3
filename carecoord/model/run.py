"""Run one replication of one arm: build the world, give it its care plan, start every life.

With ``simulation.shared_services: split`` and several localities, each locality runs in a world
(a SimPy environment) of its own, one after the other, all writing into one recorder: a smaller
heap and working set per environment keep the cost per patient-year flat as a region grows
(docs/performance.md). The rule for the services the localities share is in
:mod:`carecoord.scenario.capacity` and docs/model.md ('Shared services').

Example:
    >>> cohort = generate_cohort(scenario, replication=0)
    >>> recorder = run_arm(scenario, cohort, "integrated", replication=0)
"""

from __future__ import annotations

from carecoord.cohort import Cohort
from carecoord.model.care.coordinated import CoordinatedCare
from carecoord.model.loop import world_lifetime
from carecoord.model.pathways import life
from carecoord.model.tasks import Task, Work, start_together
from carecoord.model.world import World, make_recorder
from carecoord.recording import Recorder
from carecoord.scenario.capacity import is_split
from carecoord.scenario.schema import Scenario


def build_world(
    scenario: Scenario,
    cohort: Cohort,
    arm: str,
    replication: int,
    log_events: bool = False,
    localities: tuple[int, ...] | None = None,
    recorder: Recorder | None = None,
) -> World:
    """The arm's world with its care plan (coordinated care if any mechanism is on), lives not yet started.

    ``localities`` and ``recorder``: see :class:`~carecoord.model.world.World` (None: every locality, a new recorder).
    """
    world = World(scenario, cohort, arm, replication, log_events, localities, recorder)
    if world.mechanisms.any_active:
        world.care = CoordinatedCare(world)
    return world


def start_lives(world: World) -> None:
    """Start every patient's life (in patient order, which fixes SimPy's tie-breaking).

    Each life is a :class:`~carecoord.model.tasks.Task` (interrupted as a process is, when its rates
    change), all started by one event where their processes' ``Initialize`` events ran, in the same
    order (:func:`~carecoord.model.tasks.start_together`): one event instead of one per patient, and no
    end event when a life ends (nothing waits for it), with every other event in the same order.
    """
    works: list[tuple[Task, Work]] = []
    for p in world.patients:
        p.process = task = Task()
        works.append((task, life(world, p)))
    start_together(world.env, works)


def dismantle(world: World) -> None:
    """Break the world's reference cycles through its patients once its run is over (:meth:`World.finish`).

    The world is a web of cycles (each patient holds a life, whose generator holds the patient and the
    world; each pending event holds its waiting task, which holds the event), which only the cyclic
    collector can free, walking every object twice (0.4 s for a world of 13,000 patients). With the lives
    dropped, and the events still queued or waiting in a queue (a service's, a caseload's) made to let go
    of their work, reference counting frees most of the world as it is dropped; the collection after it
    (:func:`~carecoord.model.loop.world_lifetime`) walks what is left, about a tenth of it (docs/performance.md).
    The world runs no further: only the recorder it returned is used.
    """
    for p in world.patients:
        task = p.process
        if task is not None:
            task.drop()
            p.process = None
    world.patients = []
    # SimPy has no public way to discard the events still queued at the horizon. Each holds the work
    # waiting for it (a nursing follow-up, a home-care package...) in a cycle, as a life's did.
    queue = world.env._queue
    for entry in queue:
        entry[3].callbacks.clear()  # entries are (time, priority, id, event)
    queue.clear()
    for services in world.services.values():  # and the work waiting in a service's queue
        for service in services:
            if service is not None and service.resource is not None:
                for request in service.resource.put_queue:
                    request.callbacks.clear()
    world.care.let_go()  # and in the care plan's (a caseload's waiting list)
    world.far.let_go()  # and the waits held for a later day


def locality_groups(scenario: Scenario) -> list[tuple[int, ...] | None]:
    """The localities of each world of an arm, in the order they run: one each under split, else one world."""
    if is_split(scenario):
        return [(i,) for i in range(len(scenario.localities))]
    return [None]


def run_arm(scenario: Scenario, cohort: Cohort, arm: str, replication: int, log_events: bool = False) -> Recorder:
    """Simulate one arm of one replication and return what it recorded."""
    groups = locality_groups(scenario)
    recorder = make_recorder(scenario, cohort, log_events) if len(groups) > 1 else None
    for localities in groups:
        # A world is a web of reference cycles (patients hold their life processes, whose frames hold
        # the world), so dropping it frees nothing until the cyclic collector's next full pass, which
        # may come only after the next arm has built its own world: both would be resident at once.
        # Dismantled, most of it is freed by reference counting as it is dropped; one pass over what is
        # left frees the rest on leaving the block, the only pass of its life (``world_lifetime``;
        # docs/performance.md).
        with world_lifetime():
            world = build_world(scenario, cohort, arm, replication, log_events, localities, recorder)
            start_lives(world)
            recorder = world.finish()
            dismantle(world)
            del world
    assert recorder is not None
    if len(groups) > 1:
        merge_order(recorder)
    return recorder


def merge_order(recorder: Recorder) -> None:
    """Put the lists of worlds run one after the other into one well-defined order (split only).

    Stays and event-log rows go in time order (of discharge; of each row's time), ties in the
    order the localities ran, then in their own order: as one environment would have them,
    except same-time rows of different localities. The admission log stays locality after
    locality (each in time order): ``enrolment_mark`` holds positions in it.
    """
    recorder.stays.sort(key=lambda stay: stay.discharged)
    if recorder.events:
        order = sorted(range(len(recorder.events)), key=lambda i: recorder.events[i][1])  # type: ignore[index]
        recorder.events = [recorder.events[i] for i in order]  # type: ignore[index]
        recorder.event_starts = [recorder.event_starts[i] for i in order]


__all__ = ["build_world", "dismantle", "locality_groups", "merge_order", "run_arm", "start_lives"]
