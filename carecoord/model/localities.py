"""What a world builds per locality: its calendar, the arm's recorder and each locality's services.

A world may run some localities only (``simulation.shared_services: split``,
:mod:`carecoord.model.run`): it builds the services of those, and ``None`` for the others (none of
their patients is in it). Shared services are one pool for every locality, or under split each
locality's own piece (:func:`carecoord.scenario.capacity.split_capacities`).

Example:
    >>> services = build_services(world, scenario.arm("baseline").added_capacity)
    >>> services["gp"][0].capacity
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carecoord.calendar import Calendar, OpeningHours
from carecoord.cohort import Cohort
from carecoord.model.services import Service
from carecoord.recording import Recorder
from carecoord.scenario.capacity import is_split, locality_capacity, shared_capacity, split_capacities
from carecoord.scenario.schema import Scenario
from carecoord.scenario.services import LOCALITY_SERVICES, SHARED_SERVICES


def make_calendar(scenario: Scenario) -> Calendar:
    sim = scenario.simulation
    return Calendar(sim.start_date, sim.horizon_days, sim.warm_up_days)


def make_recorder(
    scenario: Scenario, cohort: Cohort, log_events: bool = False, calendar: Calendar | None = None
) -> Recorder:
    """The recorder of one arm of one replication (every locality's, every patient's)."""
    calendar = make_calendar(scenario) if calendar is None else calendar
    n_tiers = len(scenario.cohort.tiers)
    rec = Recorder(calendar, len(scenario.localities), len(cohort.patients), n_tiers, log_events)
    rec.arrival = [p.arrival for p in cohort.patients]
    return rec


def _capacity(base: int | None, added: int | None) -> int | None:
    """A service's capacity in this arm (unlimited stays unlimited; never below one)."""
    if base is None or not added:
        return base
    return max(1, base + added)


def build_services(world: Any, added: Mapping[Any, int]) -> dict[str, list[Service | None]]:
    """Every service by name and locality (``world``: the :class:`~carecoord.model.world.World` being built)."""
    scenario: Scenario = world.scenario
    every = range(len(scenario.localities))

    def own(name: str, capacity: int | None, hours: OpeningHours, i: int) -> Service | None:
        if i not in world.localities:
            return None
        return Service(world.env, name, capacity, hours, world.rec, f"{name}:{scenario.localities[i].name}", world.far)

    services: dict[str, list[Service | None]] = {}
    for name in LOCALITY_SERVICES:
        hours = OpeningHours(getattr(scenario.services, name).hours, world.calendar)
        caps = [_capacity(locality_capacity(scenario, name, i), added.get(name)) for i in every]
        services[name] = [own(name, caps[i], hours, i) for i in every]
    for name in SHARED_SERVICES:
        hours = OpeningHours(getattr(scenario.services, name).hours, world.calendar)
        if is_split(scenario):  # each locality its own piece
            pieces = split_capacities(scenario, name, added.get(name, 0))
            services[name] = [own(name, pieces[i], hours, i) for i in every]
            continue
        capacity = _capacity(shared_capacity(scenario, name), added.get(name))
        shared = Service(world.env, name, capacity, hours, world.rec, name, world.far)
        services[name] = [shared] * len(scenario.localities)
    return services


__all__ = ["build_services", "make_calendar", "make_recorder"]
