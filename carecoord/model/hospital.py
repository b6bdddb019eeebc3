"""Hospital stays, discharge and the care that discharge (or decline) may wait for.

A stay lasts until the patient is medically fit; if they then need care, they wait in the bed
for social-work assessment(s) and a place (home care, intermediate care, care home): those are
delayed-discharge days. Discharge planned ahead (integrated arm) starts the assessment on
admission and uses seven-day social work.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from statistics import NormalDist
from typing import Any, Final

from librt.vecs import vec

from carecoord.locations import HOME, HOSPITAL, INTERMEDIATE, RESIDENTIAL
from carecoord.model.clock import CRISIS, Step
from carecoord.model.deaths import background_death_due
from carecoord.model.patient import Patient
from carecoord.model.services import Service
from carecoord.model.social_care import (
    arrange_home_care,
    assessments,
    enter_residential,
    secure_place,
    start_home_care,
)
from carecoord.model.trolley import wait_for_bed
from carecoord.model.world import World
from carecoord.recording import M, Stay
from carecoord.streams import CARE_EPISODE, NEEDS, SHORT_STAY, STAY, unit_exponential

_NORMAL: Final = NormalDist()


def length_of_stay(world: World, short_u: float, q: float) -> float:
    """Days to medically fit: a short stay (<1 day) or a lognormal long stay."""
    h = world.params.hospital
    if short_u < h.short_stay_share:
        return 0.1 + 0.8 * q
    z = _NORMAL.inv_cdf(min(max(q, 1e-7), 1 - 1e-7))
    return max(1.0, math.exp(h.log_mean + h.log_sd * z))


def discharge_need(world: World, p: Patient, u: float) -> str:
    """What discharge needs, from one uniform (coupled across arms)."""
    h = world.params.hospital
    residential = h.needs_residential
    kept_home = world.care.residential_ratio(p)
    if u < residential * kept_home:
        return "residential_care"
    if u < residential:
        return "home_care_first"  # kept at home by more home care
    if u < residential + h.needs_intermediate:
        return "intermediate_care"
    if u < residential + h.needs_intermediate + h.needs_home_care:
        return "home_care" if p.home_care is None else "home"
    return "home"


def admit(world: World, p: Patient, ep: vec[float], route: str, fatal: bool = False) -> Generator[Any, Any, None]:
    """An emergency admission; ``ep`` is the episode's uniforms (see carecoord.streams).

    ``fatal``: the episode is one of the fatal ones (carecoord.mortality): the patient dies when the
    stay would have ended. The background hazard, which runs in hospital too, may also come due.
    """
    env = world.env
    rec = world.rec
    now: float = env._now
    from_care_home = p.location == RESIDENTIAL
    rec.count(M.emergency_admissions, p.locality, now)
    rec.tier_admission(p.tier, now)
    rec.admission_log.append((p.id, now))
    if now - p.last_discharge <= world.params.events.readmission_window_days:
        rec.count(M.readmissions_30d, p.locality, now)
    rec.log(p.id, now, "emergency_admission", route)
    p.add_admission(now)
    world.move(p, HOSPITAL)
    hospital = world.service("hospital", p)
    bed = yield from wait_for_bed(world, p, from_care_home)
    if bed is None:
        return  # died in A&E waiting for a bed
    admitted: float = env._now
    world.open_stays[p.id] = [admitted, math.inf]
    stay = length_of_stay(world, ep[SHORT_STAY], ep[STAY])
    if stay < 1.0:
        rec.count(M.short_stay_admissions, p.locality, admitted)
    world.care.on_admission(p)
    need = "residential_care" if from_care_home else discharge_need(world, p, ep[NEEDS])
    dies = fatal
    ahead, any_day = False, False
    if need != "home" and not from_care_home:
        ahead, any_day = world.care.plan_discharge(p)
    # Planned for everyone who needs care: nobody knows yet who will die (the work stops at death).
    planned = env.process(assessments(world, p, any_day=any_day)) if ahead else None
    yield world.far.wait(stay)
    fit: float = env._now
    world.open_stays[p.id][1] = fit
    dies = dies or background_death_due(world, p)
    if dies:
        _close_stay(world, p, admitted, fit, "died")
        hospital.release(bed)
        world.die(p)
        return
    destination = "residential_care" if p.residential_hold is not None else need
    place = None
    if destination != "home" and p.residential_hold is None:
        if planned is not None:
            yield planned
        else:
            yield from assessments(world, p, any_day=any_day)
        place = yield from secure_place(world, p, destination)
        if background_death_due(world, p):  # died while the discharge waited: in hospital
            if place is not None:
                world.service("home_care" if destination.startswith("home_care") else destination, p).release(place)
            _close_stay(world, p, admitted, fit, "died")
            hospital.release(bed)
            world.die(p)
            return
    _close_stay(world, p, admitted, fit, destination)
    hospital.release(bed)
    p.last_discharge = env._now
    rec.log(p.id, env._now, "discharge", destination)
    _go_to(world, p, destination, place, from_care_home)
    if destination == "intermediate_care":
        yield from intermediate_care(world, p, place)


def _close_stay(world: World, p: Patient, admitted: float, fit: float, outcome: str) -> None:
    now: float = world.env._now
    world.open_stays.pop(p.id, None)
    world.rec.stays.append(Stay(p.id, p.locality, admitted, fit, now, outcome))
    world.rec.interval(M.bed_days, p.locality, admitted, now)
    if now > fit:
        world.rec.interval(M.delayed_discharge_days, p.locality, fit, now)
        world.rec.log(p.id, now, "delayed_discharge", "hospital", start=fit)
    world.rec.log(p.id, now, "hospital_stay", "hospital", start=admitted)


def finish_initial_stay(world: World, p: Patient, beds: Service, bed: Any) -> None:
    """A day-one inpatient is fit: close the stay and go home (with the readmission window)."""
    admitted, _ = world.open_stays.pop(p.id)
    world.rec.stays.append(Stay(p.id, p.locality, admitted, world.env._now, world.env._now, "home"))
    world.rec.interval(M.bed_days, p.locality, admitted, world.env._now)
    world.rec.log(p.id, world.env._now, "hospital_stay", "hospital", start=admitted)
    beds.release(bed)
    p.last_discharge = world.env._now
    _return_home(world, p)


def _go_to(world: World, p: Patient, destination: str, place: Any, from_care_home: bool) -> None:
    now: float = world.env._now
    if destination == "residential_care":
        if from_care_home:
            world.move(p, RESIDENTIAL)  # back to the care home the patient came from
        else:  # a new placement: found during this stay, or earlier from the community (held)
            enter_residential(world, p, place if place is not None else p.residential_hold)
        return
    if destination == "intermediate_care":
        world.rec.count(M.intermediate_care_admissions, p.locality, now)
        world.move(p, INTERMEDIATE)
        return
    if destination in ("home_care", "home_care_first") and place is not None:
        extra = world.care.extra_home_care_hours(p) if destination == "home_care_first" else 0.0
        start_home_care(world, p, place, extra)
    elif destination == "home_care_first" and p.home_care is not None:
        world.care.keep_at_home(p)
    _return_home(world, p)


def _return_home(world: World, p: Patient) -> None:
    """Home again: the weeks after discharge carry a raised crisis rate."""
    now: float = world.env._now
    world.move(p, HOME)
    ev = world.params.events
    if p.clock is not None and ev.readmission_window_days > 0:
        window_end = now + ev.readmission_window_days
        p.clock.set_step(CRISIS, "readmission", Step.window(now, window_end, ev.readmission_rate_ratio))
        world.care.after_discharge(p, window_end)


def intermediate_care(world: World, p: Patient, place: Any) -> Generator[Any, Any, None]:
    ic = world.params.intermediate_care
    u_stay, u_home_care = world.draws(p, CARE_EPISODE, 2)
    stay = unit_exponential(u_stay) * ic.mean_stay_days
    start: float = world.env._now
    yield world.far.wait(stay)
    world.rec.log(p.id, world.env._now, "intermediate_care", "intermediate_care", start=start)
    world.service("intermediate_care", p).release(place)
    _return_home(world, p)
    if u_home_care < ic.home_care_after_probability and p.home_care is None:
        world.spawn(arrange_home_care(world, p, assess=False))


__all__ = ["admit", "finish_initial_stay", "intermediate_care", "length_of_stay"]
