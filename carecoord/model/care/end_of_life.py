"""End-of-life care: a crisis in the recognised last phase of life is managed at home.

Known oracle (issue 8, item 3): "recognised" is read from the patient's exact time of death.

Example:
    >>> EndOfLifeCare(world, params).at_home(patient, ep)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.model.care.common import covers
from carecoord.model.clock import DEATH
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import SPARE


class EndOfLifeCare:
    """Palliative care at home instead of the usual pathway, with a probability, in the last weeks."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def at_home(self, p: Patient, ep: list[float]) -> bool:
        """True if this crisis is managed at home with palliative care (a nurse's visit follows)."""
        e = self.params
        w = self.world
        if not covers(w, e, p) or p.clock is None:
            return False
        if p.clock.time_to_fire(DEATH) - w.env.now > e.window_days or ep[SPARE] >= e.avoidance_probability:
            return False
        w.rec.count(M.end_of_life_crises_at_home, p.locality, w.env.now)
        w.rec.log(p.id, w.env.now, "end_of_life_care_at_home", "community_nursing")
        w.env.process(self._palliative_visit(p))
        return True

    def _palliative_visit(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        minutes = self.params.visit_minutes
        yield from w.service("community_nursing", p).serve(p.locality, minutes / MINUTES_PER_DAY)
        w.rec.count(M.community_nursing_visits, p.locality, w.env.now)
