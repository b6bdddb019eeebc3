"""Social care that discharge (or a decline at home) may wait for: assessments, home care, care homes.

A referral needs social-work assessment(s), each after a referral delay; then a place (a home-care
package, a care-home bed). Packages end at death, a care-home move or their own end. Moving into a
care home ends community care and the care plan's effects.

Example:
    >>> world.spawn(arrange_home_care(world, patient))
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

from carecoord.locations import HOME, RESIDENTIAL
from carecoord.model.patient import Patient, has_home_care, is_gone
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import CARE_EPISODE, unit_exponential

HOURS: Final = 1.0 / 24.0


def assessments(world: World, p: Patient, any_day: bool) -> Generator[Any, Any, None]:
    """The social-work assessment(s) a referral needs, each after a referral delay."""
    sw = world.params.social_work
    n = world.care.assessments_needed(p)
    delay_ratio, hours_ratio = world.care.assessment_ratios(p)
    weekday = world.service("social_work", p)
    weekend = world.care.weekend_social_work(p) if any_day else None
    for _ in range(n):
        if sw.referral_delay_days > 0:
            yield world.far.wait(sw.referral_delay_days * delay_ratio)
        if not p.alive:
            return  # cancelled at death: the assessments already done were staff time spent
        now: float = world.env._now
        service = weekday
        if weekend is not None and weekend.hours.next_open(now) < weekday.hours.next_open(now):
            service = weekend  # seven-day discharge: the weekend social workers take it
        hours = sw.assessment_hours * hours_ratio * HOURS
        yield from service.serve(p.locality, hours, patient=p.id, activity="social_work_assessment")
        world.rec.count(M.social_work_assessments, p.locality, world.env._now)


def secure_place(world: World, p: Patient, kind: str) -> Generator[Any, Any, Any]:
    """Wait for a place of the kind discharge needs; returns what is held."""
    if kind in ("home_care", "home_care_first"):
        if p.home_care is None:
            held = yield from world.service("home_care", p).acquire(p.locality)
            return held
        return None
    held = yield from world.service(kind, p).acquire(p.locality)
    return held


def start_home_care(world: World, p: Patient, held: Any, extra_hours: float = 0.0) -> None:
    """A package starts; it ends at death, a care-home move or its own end."""
    now: float = world.env._now
    hc = world.params.home_care
    p.home_care = held
    p.home_care_since = now
    p.hours_since = now
    p.home_care_hours = hc.hours_per_week + extra_hours
    p.dependency = max(p.dependency, 1)
    world.rec.count(M.home_care_packages_started, p.locality, now)
    (u,) = world.draws(p, CARE_EPISODE, 1)
    length = unit_exponential(u) * hc.mean_package_days
    if now + length < world.horizon:  # an end at or after the horizon never comes (the run stops there)
        world.spawn(_package_end(world, p, held, length))


def _package_end(world: World, p: Patient, held: Any, length: float) -> Generator[Any, Any, None]:
    yield world.far.wait(length)
    if p.home_care is held:
        world.end_home_care(p)


def arrange_home_care(
    world: World, p: Patient, assess: bool = True, extra_hours: float = 0.0
) -> Generator[Any, Any, None]:
    """Community route to home care: assessment(s), then wait for a package slot."""
    if assess:
        yield from assessments(world, p, any_day=False)
    if is_gone(p) or has_home_care(p):
        return
    held = yield from world.service("home_care", p).acquire(p.locality)
    if is_gone(p) or has_home_care(p):
        world.service("home_care", p).release(held)
        return
    yield world.far.wait(world.params.home_care.start_delay_days)
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
    now: float = world.env._now
    world.rec.count(M.residential_admissions, p.locality, now)
    world.rec.log(p.id, now, "residential_admission", "residential_care")
    world.leave_community(p)
    p.residential_hold = held
    world.move(p, RESIDENTIAL)
    if p.clock is not None:  # community effects end in a care home: the readmission boost and the care plan's
        p.clock.drop_steps("readmission", "intervention")


__all__ = [
    "arrange_home_care",
    "arrange_residential",
    "assessments",
    "enter_residential",
    "secure_place",
    "start_home_care",
]
