"""Deaths the patient's own process cannot see: the background hazard coming due in hospital.

The background death hazard (carecoord.mortality) runs in hospital too, but while a patient is in
a stay their process is busy with it, so the hospital pathway reads the clock at medically fit and
again before discharge: a death that came due then happens in hospital, not at home afterwards.

Example:
    >>> if background_death_due(world, patient): ...
"""

from __future__ import annotations

from carecoord.model.clock import DEATH
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.streams import DEATH_CLOCK


def background_death_due(world: World, p: Patient) -> bool:
    """Whether the death clock came due by now; if so it fires (a fresh target is drawn, as in ``life``)."""
    clock = p.clock
    if clock is None:
        return False
    now: float = world.env._now
    clock.advance(now)
    if clock.time_to_fire(DEATH) > now:
        return False
    clock.fire(DEATH, world.unit_exponential(p, DEATH_CLOCK))
    return True


__all__ = ["background_death_due"]
