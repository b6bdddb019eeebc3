"""Waiting in A&E for a bed (a trolley wait): risks and costs keep running.

When a scenario caps beds, a patient whose admission has been decided may have to wait in A&E
for one. That wait is not a limbo: the patient's crisis and death hazards keep running at the
rates of where they came from (home or care home), a death ends the wait (a death in A&E), a
further crisis while waiting is counted and absorbed into the emergency care already under way,
and the hours waited are recorded (``wait_hours_hospital``, costed per hour). Falls, social
crises and decline are not modelled on a trolley. The wait is a race between the bed request
and the patient's next crisis or death, scheduled from their clocks (never polled).

Example:
    >>> bed = yield from wait_for_bed(world, patient, from_care_home=False)
    >>> if bed is None: return  # died waiting
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from carecoord.locations import HOME, HOSPITAL, RESIDENTIAL
from carecoord.model.clock import CRISIS, DEATH
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import CRISIS_CLOCK


def wait_for_bed(world: World, p: Patient, from_care_home: bool) -> Generator[Any, Any, Any]:
    """Wait for a hospital bed; returns what is held, or None if the patient died waiting."""
    hospital = world.service("hospital", p)
    env = world.env
    if hospital.resource is None or hospital.resource.count < hospital.resource.capacity:
        held = yield from hospital.acquire(p.locality)
        return held
    t0: float = env._now
    request = hospital.request_place()
    world.rec.log(p.id, t0, "waiting_for_bed", "ae")
    world.waiting_for_bed[p.id] = t0
    clock = p.clock
    assert clock is not None
    rates = world.rates(p, RESIDENTIAL if from_care_home else HOME)
    clock.advance(t0)
    clock.set_factors(tuple(r if k in (CRISIS, DEATH) else 0.0 for k, r in enumerate(rates)))
    while not request.triggered:
        crisis_at, death_at = clock.time_to_fire(CRISIS), clock.time_to_fire(DEATH)
        due = min(crisis_at, death_at)
        yield request if due == math.inf else request | env.timeout(max(0.0, due - env._now))
        if request.triggered:
            break
        clock.advance(env._now)
        if death_at <= crisis_at:
            request.cancel()
            del world.waiting_for_bed[p.id]
            hospital.record_wait(p.locality, t0)
            world.rec.log(p.id, env._now, "trolley_wait", "ae", start=t0)
            world.rec.log(p.id, env._now, "died_waiting_for_bed", "ae")
            world.die(p)
            return None
        world.rec.count(M.crises, p.locality, env._now)
        world.rec.log(p.id, env._now, "crisis_while_waiting_for_bed", "ae")
        clock.fire(CRISIS, world.unit_exponential(p, CRISIS_CLOCK))
    del world.waiting_for_bed[p.id]
    clock.advance(env._now)
    clock.set_factors(world.rates(p, HOSPITAL))
    hospital.granted(p.locality, t0)
    world.rec.log(p.id, env._now, "trolley_wait", "ae", start=t0)
    world.rec.log(p.id, env._now, "bed_found", "hospital")
    return request
