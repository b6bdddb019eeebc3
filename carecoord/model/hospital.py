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
from typing import Any

from carecoord.locations import HOME, HOSPITAL, INTERMEDIATE, RESIDENTIAL
from carecoord.model.clock import CRISIS, Step
from carecoord.model.deaths import background_death_due
from carecoord.model.patient import Patient, is_gone
from carecoord.model.services import Service
from carecoord.model.trolley import wait_for_bed
from carecoord.model.world import World
from carecoord.recording import M, Stay
from carecoord.streams import CARE_EPISODE, NEEDS, SHORT_STAY, STAY

_NORMAL = NormalDist()
HOURS = 1.0 / 24.0


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


def admit(world: World, p: Patient, ep: list[float], route: str, fatal: bool = False) -> Generator[Any, Any, None]:
    """An emergency admission; ``ep`` is the episode's uniforms (see carecoord.streams).

    ``fatal``: the episode is one of the fatal ones (carecoord.mortality): the patient dies when the
    stay would have ended. The background hazard, which runs in hospital too, may also come due.
    """
    env = world.env
    rec = world.rec
    now = env.now
    from_care_home = p.location == RESIDENTIAL
    rec.count(M.emergency_admissions, p.locality, now)
    rec.tier_admission(p.rec.tier, now)
    rec.admission_log.append((p.id, now))
    if now - p.last_discharge <= world.params.events.readmission_window_days:
        rec.count(M.readmissions_30d, p.locality, now)
    rec.log(p.id, now, "emergency_admission", route)
    p.admission_times.append(now)
    world.move(p, HOSPITAL)
    hospital = world.service("hospital", p)
    bed = yield from wait_for_bed(world, p, from_care_home)
    if bed is None:
        return  # died in A&E waiting for a bed
    admitted = env.now
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
    yield env.timeout(stay)
    fit = env.now
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
    p.last_discharge = env.now
    rec.log(p.id, env.now, "discharge", destination)
    _go_to(world, p, destination, place, from_care_home)
    if destination == "intermediate_care":
        yield from intermediate_care(world, p, place)


def _close_stay(world: World, p: Patient, admitted: float, fit: float, outcome: str) -> None:
    now = world.env.now
    world.open_stays.pop(p.id, None)
    world.rec.stays.append(Stay(p.id, p.locality, admitted, fit, now, outcome))
    world.rec.interval(M.bed_days, p.locality, admitted, now)
    if now > fit:
        world.rec.interval(M.delayed_discharge_days, p.locality, fit, now)


def finish_initial_stay(world: World, p: Patient, beds: Service, bed: Any) -> None:
    """A day-one inpatient is fit: close the stay and go home (with the readmission window)."""
    admitted, _ = world.open_stays.pop(p.id)
    world.rec.stays.append(Stay(p.id, p.locality, admitted, world.env.now, world.env.now, "home"))
    world.rec.interval(M.bed_days, p.locality, admitted, world.env.now)
    beds.release(bed)
    p.last_discharge = world.env.now
    _return_home(world, p)


def assessments(world: World, p: Patient, any_day: bool) -> Generator[Any, Any, None]:
    """The social-work assessment(s) a referral needs, each after a referral delay."""
    sw = world.params.social_work
    n = world.care.assessments_needed(p)
    delay_ratio, hours_ratio = world.care.assessment_ratios(p)
    weekday = world.service("social_work", p)
    weekend = world.care.weekend_social_work(p) if any_day else None
    for _ in range(n):
        if sw.referral_delay_days > 0:
            yield world.env.timeout(sw.referral_delay_days * delay_ratio)
        if not p.alive:
            return  # cancelled at death: the assessments already done were staff time spent
        now = world.env.now
        service = weekday
        if weekend is not None and weekend.hours.next_open(now) < weekday.hours.next_open(now):
            service = weekend  # seven-day discharge: the weekend social workers take it
        yield from service.serve(p.locality, sw.assessment_hours * hours_ratio * HOURS)
        world.rec.count(M.social_work_assessments, p.locality, world.env.now)
        world.rec.log(p.id, world.env.now, "social_work_assessment", "social_work")


def secure_place(world: World, p: Patient, kind: str) -> Generator[Any, Any, Any]:
    """Wait for a place of the kind discharge needs; returns what is held."""
    if kind in ("home_care", "home_care_first"):
        if p.home_care is None:
            held = yield from world.service("home_care", p).acquire(p.locality)
            return held
        return None
    held = yield from world.service(kind, p).acquire(p.locality)
    return held


def _go_to(world: World, p: Patient, destination: str, place: Any, from_care_home: bool) -> None:
    now = world.env.now
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
    now = world.env.now
    world.move(p, HOME)
    ev = world.params.events
    if p.clock is not None and ev.readmission_window_days > 0:
        window_end = now + ev.readmission_window_days
        p.clock.set_step(CRISIS, "readmission", Step(1.0, [now, window_end], [ev.readmission_rate_ratio, 1.0]))
        world.care.after_discharge(p, window_end)


def intermediate_care(world: World, p: Patient, place: Any) -> Generator[Any, Any, None]:
    ic = world.params.intermediate_care
    u_stay, u_home_care = world.bank.draws(p.locality, p.rec.index, CARE_EPISODE, _take(p, 2), 2)
    stay = -math.log1p(-min(u_stay, 1 - 1e-12)) * ic.mean_stay_days
    yield world.env.timeout(stay)
    world.service("intermediate_care", p).release(place)
    _return_home(world, p)
    if u_home_care < ic.home_care_after_probability and p.home_care is None:
        world.env.process(arrange_home_care(world, p, assess=False))


def _take(p: Patient, n: int) -> int:
    pos = p.cursor[CARE_EPISODE]
    p.cursor[CARE_EPISODE] = pos + n
    return pos


def start_home_care(world: World, p: Patient, held: Any, extra_hours: float = 0.0) -> None:
    """A package starts; it ends at death, a care-home move or its own end."""
    now = world.env.now
    hc = world.params.home_care
    p.home_care = held
    p.home_care_since = now
    p.hours_since = now
    p.home_care_hours = hc.hours_per_week + extra_hours
    p.dependency = max(p.dependency, 1)
    world.rec.count(M.home_care_packages_started, p.locality, now)
    (u,) = world.bank.draws(p.locality, p.rec.index, CARE_EPISODE, _take(p, 1), 1)
    length = -math.log1p(-min(u, 1 - 1e-12)) * hc.mean_package_days
    world.env.process(_package_end(world, p, held, length))


def _package_end(world: World, p: Patient, held: Any, length: float) -> Generator[Any, Any, None]:
    yield world.env.timeout(length)
    if p.home_care is held:
        world.end_home_care(p)


def arrange_home_care(
    world: World, p: Patient, assess: bool = True, extra_hours: float = 0.0
) -> Generator[Any, Any, None]:
    """Community route to home care: assessment(s), then wait for a package slot."""
    if assess:
        yield from assessments(world, p, any_day=False)
    if is_gone(p) or p.home_care is not None:
        return
    held = yield from world.service("home_care", p).acquire(p.locality)
    if is_gone(p) or p.home_care is not None:
        world.service("home_care", p).release(held)
        return
    yield world.env.timeout(world.params.home_care.start_delay_days)
    if is_gone(p):
        world.service("home_care", p).release(held)
        return
    start_home_care(world, p, held, extra_hours)


def arrange_residential(world: World, p: Patient) -> Generator[Any, Any, None]:
    """Community route to a care home: assessment(s), a place, then the move (in the patient's process)."""
    yield from assessments(world, p, any_day=False)
    if is_gone(p):
        return
    held = yield from world.service("residential_care", p).acquire(p.locality)
    if is_gone(p):
        world.service("residential_care", p).release(held)
        return
    p.residential_hold = held

    def move_in() -> Generator[Any, Any, None]:
        if p.alive and p.location == HOME:
            enter_residential(world, p, held)
        yield from ()

    world.ask(p, move_in)


def enter_residential(world: World, p: Patient, held: Any) -> None:
    now = world.env.now
    world.rec.count(M.residential_admissions, p.locality, now)
    world.rec.log(p.id, now, "residential_admission", "residential_care")
    world.leave_community(p)
    p.residential_hold = held
    world.move(p, RESIDENTIAL)
    if p.clock is not None:  # community effects end in a care home: the readmission boost and the care plan's
        for steps in p.clock.steps:
            steps.pop("readmission", None)
            steps.pop("intervention", None)


__all__ = [
    "admit",
    "arrange_home_care",
    "arrange_residential",
    "enter_residential",
    "finish_initial_stay",
    "start_home_care",
]
