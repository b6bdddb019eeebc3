"""Care-home support: improvement teams lower residents' crisis rate from go-live (system-wide).

Example:
    >>> CareHomeSupport(world, params).crisis_ratio(resident)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.locations import RESIDENTIAL
from carecoord.model.care.common import is_live
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M


class CareHomeSupport:
    """Residents' crisis-rate multiplier once live, and the team's time per resident."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params
        for loc in world.localities:  # the localities this world runs
            world.env.process(self._go_live(loc))

    def crisis_ratio(self, p: Patient) -> float:
        return self.params.crisis_rate_ratio if is_live(self.world, p) else 1.0

    def _go_live(self, loc: int) -> Generator[Any, Any, None]:
        """At go-live, residents' crisis rates change: retime their clocks."""
        w = self.world
        go_live = w.params.go_live_days[loc]
        if go_live > 0:
            yield w.far.wait(go_live)
        for p in w.patients:
            if p.locality == loc and p.alive and p.location == RESIDENTIAL and p.clock is not None:
                p.clock.advance(w.env._now)
                p.clock.set_factors(w.rates(p, RESIDENTIAL))
                w.retime(p)

    def support_hours(self, p: Patient, start: float, end: float) -> None:
        """Record the team's time for a resident over [start, end) once live."""
        start = max(start, float(self.world.params.go_live_days[p.locality]))
        if end > start:
            per_day = self.params.staff_minutes_per_resident_week / 60.0 / 7.0
            self.world.rec.interval(M.care_home_support_hours, p.locality, start, end, per_day)
