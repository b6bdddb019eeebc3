"""What several mechanisms share: go-live, who a mechanism covers, a crisis managed at home.

Example:
    >>> covers(world, params.discharge_planning, patient)
    True
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

from carecoord.model.care.plan import MANAGED
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.world import World
from carecoord.recording import M

HOURS: Final = 1.0 / 24.0
YEAR: Final = 365.0


def is_live(world: World, p: Patient) -> bool:
    """Integrated care has gone live in the patient's locality."""
    return world.env._now >= world.params.go_live_days[p.locality]


def covers(world: World, params: Any, p: Patient) -> bool:
    """Whether a mechanism with ``applies_to`` acts on this patient now (False if it is off)."""
    if params is None:
        return False
    if params.applies_to == "everyone":
        return is_live(world, p)
    return p.plan_active


def managed_at_home(world: World, p: Patient, visit: bool = True) -> str:
    """The coordinator manages a crisis at home (with a nurse's treatment visit unless one was just made)."""
    world.rec.count(M.crises_managed_at_home_by_coordinator, p.locality, world.env._now)
    world.rec.log(p.id, world.env._now, "managed_at_home", "coordinator")
    if visit:
        world.spawn(_home_treatment(world, p))
    return MANAGED


def _home_treatment(world: World, p: Patient) -> Generator[Any, Any, None]:
    minutes = world.params.community_nursing.visit_minutes
    yield from world.service("community_nursing", p).serve(
        p.locality, minutes / MINUTES_PER_DAY, patient=p.id, activity="nursing_home_treatment"
    )
    world.rec.count(M.community_nursing_visits, p.locality, world.env._now)
