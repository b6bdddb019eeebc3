"""A patient's life: competing-risk events and the baseline pathways that answer them.

``life`` is the patient's SimPy process. It waits for the next event on the patient's clocks
(interruptible when an intervention changes a rate), then follows the pathway of that event.
The care plan (``world.care``) gets the first word on a crisis at home; whatever it does not
resolve follows the same separate-services pathway as the baseline.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

import simpy
from librt.vecs import vec

from carecoord.locations import HOME, HOSPITAL, RESIDENTIAL
from carecoord.model.care.plan import ADMIT, MANAGED
from carecoord.model.clock import CRISIS, DECLINE, FALL, SOCIAL
from carecoord.model.deaths import background_death_due
from carecoord.model.hospital import admit, finish_initial_stay, length_of_stay
from carecoord.model.out_of_hours import out_of_hours
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.social_care import arrange_home_care, arrange_residential
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import (
    CONVEYANCE,
    CRISIS_EPISODE,
    CRISIS_ROUTE,
    DECLINE_EPISODE,
    FALL_EPISODE,
    REFERRAL,
    SEVERITY,
    SHORT_STAY,
    SOCIAL_EPISODE,
    STAY,
)

HOURS: Final = 1.0 / 24.0


def life(world: World, p: Patient) -> Generator[Any, Any, None]:
    """The patient's process, from joining the cohort to death or the end of the run.

    A next event due at or after the horizon is not scheduled: the run stops at the horizon (before
    any routine event of that time), so it would never be processed; the life waits on an event
    never triggered instead, still interruptible by a rate change (:meth:`World.retime`). Only the
    ids of later events change, all by the same amount, so their order, and the numbers, stay.
    """
    env = world.env
    if p.rec.arrival > 0:
        yield world.far.wait(p.rec.arrival)  # far: held out of SimPy's queue till its day
    yield from _arrive(world, p)
    # Hoisted out of the loop (it runs once per event of every patient): clock, far waits, horizon.
    clock = p.clock
    assert clock is not None
    far = world.far  # waits held out of SimPy's queue till their day (model/far.py); its method called in C
    horizon = world.horizon
    end = horizon + 1.0
    clocks = world.clock_streams
    while p.alive:
        if p.pending:
            if background_death_due(world, p):  # a death that came due during the last pathway comes first
                world.die(p)
                return
            yield from p.pending.pop(0)()
            continue
        now: float = env._now
        kind, when = clock.next_event(now)  # due times are kept while rates stay: no integration here
        p.waiting = True
        delay = (end if end < when else when) - now  # max(0, min(when, end) - now), without two calls
        if delay < 0.0:
            delay = 0.0
        try:
            if now + delay < horizon:  # the time SimPy would schedule it at
                yield far.wait(delay, now)
            else:  # due at or after the end, where nothing runs: wait for an interrupt alone (no event)
                yield env.event()
        except simpy.Interrupt:
            continue
        p.waiting = False
        fired = now + delay  # ``env._now`` to the bit: SimPy scheduled the timeout at this very sum
        if kind < 0 or fired >= horizon:
            return
        clock.fire(kind, world.unit_exponential(p, clocks[kind]), fired)  # integrates the fired type alone
        # Handlers by name: compiled, a known generator is called and resumed in C (a table's is generic).
        if kind == CRISIS:  # each is given the time it fired at (``env._now``, unread: see ``fired``)
            yield from crisis(world, p, fired)
        elif kind == FALL:
            yield from fall(world, p, fired)
        elif kind == SOCIAL:
            yield from social_crisis(world, p, fired)
        elif kind == DECLINE:
            yield from decline(world, p, fired)
        else:
            yield from death(world, p)


def _arrive(world: World, p: Patient) -> Generator[Any, Any, None]:
    """Join the cohort where the cohort generator put the patient (home, hospital, care home)."""
    targets = [world.unit_exponential(p, s) for s in world.clock_streams]
    world.move(p, HOME)
    p.start_clock(world.env._now, targets, world.rates(p, HOME), world.crisis_time, world.crisis_trend)
    if p.rec.initial_location == RESIDENTIAL:
        held = yield from world.service("residential_care", p).acquire(p.locality)
        p.residential_hold = held
        world.move(p, RESIDENTIAL)
    elif p.rec.initial_home_care:
        world.spawn(arrange_home_care(world, p, assess=False))
    world.care.on_arrival(p)
    if p.rec.initial_location == HOSPITAL:
        yield from _initial_stay(world, p)


def _initial_stay(world: World, p: Patient) -> Generator[Any, Any, None]:
    """A patient in hospital on day one: the rest of their stay, then the usual discharge."""
    world.episode(p, CRISIS_EPISODE)  # the admission that put them here: its draws are used up, in every arm
    world.move(p, HOSPITAL)
    beds = world.service("hospital", p)
    bed = yield from beds.acquire(p.locality)
    world.open_stays[p.id] = [world.env._now, float("inf")]
    yield world.far.wait(p.rec.initial_stay_days)
    finish_initial_stay(world, p, beds, bed)


def crisis(world: World, p: Patient, now: float) -> Generator[Any, Any, None]:
    """An exacerbation: the care plan first, else GP in hours, NHS 111 or 999 out of hours.

    The most severe crises are fatal whatever route they take (carecoord.mortality): in hospital if
    admitted, otherwise at home (or in the care home) when the stay would have ended.
    """
    world.rec.count(M.crises, p.locality, now)
    world.rec.log(p.id, now, "crisis")
    ep = world.episode(p, CRISIS_EPISODE)
    route = world.draws(p, CRISIS_ROUTE, 2)  # NHS 111 or 999, and 111's disposition: always drawn (CRN)
    resident = p.location == RESIDENTIAL
    fatal = ep[SEVERITY] < (world.fatality.resident_crisis if resident else world.fatality.crisis)
    yield from _crisis_pathway(world, p, ep, route, fatal)
    if fatal and p.alive:
        yield from _die_of_episode(world, p, ep)


def _crisis_pathway(
    world: World, p: Patient, ep: vec[float], route: vec[float], fatal: bool
) -> Generator[Any, Any, None]:
    env = world.env
    if p.location == RESIDENTIAL:
        admitted = ep[SEVERITY] < world.params.ae.admission_probability
        yield from _emergency_department(world, p, ep, admitted, fatal)
        return
    outcome = yield from world.care.first_response(p, ep)
    if outcome == MANAGED:
        return
    if outcome == ADMIT:
        world.rec.count(M.escalated_admissions, p.locality, env._now)
        yield from admit(world, p, ep, "coordinator", fatal)
        return
    yield from usual_care(world, p, ep, route, fatal)


def _die_of_episode(world: World, p: Patient, ep: vec[float]) -> Generator[Any, Any, None]:
    """A fatal episode that did not end in hospital: death where the patient is, when the stay would have ended."""
    yield world.far.wait(length_of_stay(world, ep[SHORT_STAY], ep[STAY]))
    if p.alive:
        world.die(p)


def usual_care(
    world: World, p: Patient, ep: vec[float], route: vec[float], fatal: bool = False
) -> Generator[Any, Any, None]:
    """Separate services: the GP if open and free in time; when closed, NHS 111 or 999/A&E."""
    env = world.env
    params = world.params
    gp = world.service("gp", p)
    if gp.hours.is_open(env._now):
        home_visit = p.age >= params.gp.home_visit_age or p.dependency > 0
        minutes = params.gp.home_visit_minutes if home_visit else params.gp.appointment_minutes
        activity = "gp_home_visit" if home_visit else "gp_appointment"
        seen = yield from gp.serve(
            p.locality,
            minutes / MINUTES_PER_DAY,
            patience=params.gp.max_wait_hours * HOURS,
            patient=p.id,
            activity=activity,
        )
        if seen:
            world.rec.count(M.gp_home_visits if home_visit else M.gp_appointments, p.locality, env._now)
            if ep[SEVERITY] < params.gp.admission_probability:
                yield from admit(world, p, ep, "gp", fatal)
            elif ep[REFERRAL] < params.gp.nursing_referral_probability:
                world.spawn(nursing_follow_up(world, p))
            return
    elif route[0] < params.out_of_hours.nhs111_share:
        handled = yield from out_of_hours(world, p, ep, route[1], fatal)
        if handled:
            return
    yield from _emergency_department(world, p, ep, ep[SEVERITY] < params.ae.admission_probability, fatal)


def would_admit(world: World, p: Patient, severity: float) -> bool:
    """Whether usual care would admit this crisis now (the coordinator's counterfactual)."""
    params = world.params
    if world.service("gp", p).hours.is_open(world.env._now):
        return severity < params.gp.admission_probability
    return severity < params.ae.admission_probability


def _emergency_department(
    world: World, p: Patient, ep: vec[float], admitted: bool, fatal: bool = False
) -> Generator[Any, Any, None]:
    now: float = world.env._now
    ae = world.params.ae
    if ep[CONVEYANCE] < ae.conveyance_probability:
        world.rec.count(M.ambulance_conveyances, p.locality, now)
    world.rec.count(M.ae_attendances, p.locality, now)
    yield from world.service("ae", p).serve(
        p.locality, ae.attendance_hours * HOURS, patient=p.id, activity="ae_attendance"
    )
    if admitted:
        yield from admit(world, p, ep, "ae", fatal)


def nursing_follow_up(world: World, p: Patient) -> Generator[Any, Any, None]:
    """Community nursing visits a week apart after a GP referral (skipped while the patient is away)."""
    cn = world.params.community_nursing
    nursing = world.service("community_nursing", p)
    yield world.far.wait(cn.referral_delay_days)
    for visit in range(cn.follow_up_visits):
        if visit:
            yield world.far.wait(7.0)  # none after the last visit: nothing follows it
        if not p.alive or p.location == RESIDENTIAL:
            return
        if p.location == HOME:
            yield from nursing.serve(
                p.locality, cn.visit_minutes / MINUTES_PER_DAY, patient=p.id, activity="nursing_visit"
            )
            world.rec.count(M.community_nursing_visits, p.locality, world.env._now)


def fall(world: World, p: Patient, now: float) -> Generator[Any, Any, None]:
    """A fall (at ``now``): admitted, seen in A&E, or managed at home."""
    ev = world.params.events
    world.rec.count(M.falls, p.locality, now)
    ep = world.episode(p, FALL_EPISODE)
    fatal = ep[SEVERITY] < world.fatality.fall
    if ep[SEVERITY] < ev.fall_admission_probability + ev.fall_ae_probability:
        yield from _emergency_department(world, p, ep, ep[SEVERITY] < ev.fall_admission_probability, fatal)
    if fatal and p.alive:
        yield from _die_of_episode(world, p, ep)


def social_crisis(world: World, p: Patient, now: float) -> Generator[Any, Any, None]:
    """Carer breakdown or night-time anxiety (at ``now``): 999 out of hours, the GP and social work in hours."""
    env = world.env
    ev = world.params.events
    world.rec.count(M.social_crises, p.locality, now)
    ep = world.episode(p, SOCIAL_EPISODE)
    gp = world.service("gp", p)
    if gp.hours.is_open(now):
        minutes = world.params.gp.appointment_minutes
        seen = yield from gp.serve(p.locality, minutes / MINUTES_PER_DAY, patient=p.id, activity="gp_appointment")
        if seen:
            world.rec.count(M.gp_appointments, p.locality, env._now)
        if p.home_care is None:
            world.spawn(arrange_home_care(world, p))
        return
    yield from _emergency_department(world, p, ep, ep[SEVERITY] < ev.social_admission_probability)


def decline(world: World, p: Patient, now: float) -> Generator[Any, Any, None]:
    """A step up in care needs (at ``now``): home care, or a care home for those who already have it."""
    ev = world.params.events
    world.rec.count(M.declines, p.locality, now)
    ep = world.episode(p, DECLINE_EPISODE)
    if p.home_care is None and p.dependency == 0:
        p.dependency = 1
        world.spawn(arrange_home_care(world, p))
        return
    p.dependency = 2
    ratio = world.care.residential_ratio(p)
    if ep[SEVERITY] < ev.residential_on_decline_probability * ratio:
        world.spawn(arrange_residential(world, p))
    elif ep[SEVERITY] < ev.residential_on_decline_probability:
        world.care.keep_at_home(p)
    yield from ()


def death(world: World, p: Patient) -> Generator[Any, Any, None]:
    world.die(p)
    yield from ()


__all__ = ["life", "nursing_follow_up", "usual_care", "would_admit"]
