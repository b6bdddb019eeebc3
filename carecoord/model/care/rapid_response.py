"""Rapid response: a community nurse at the door within hours of a crisis, while nursing is open.

Example:
    >>> outcome = yield from RapidResponse(world, params).respond(patient, ep, would=True)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.model.care.common import HOURS, managed_at_home
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import MECHANISM


class RapidResponse:
    """A nurse's urgent visit; a crisis that would be admitted is avoided with a probability."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def respond(self, p: Patient, ep: list[float], would: bool) -> Generator[Any, Any, str | None]:
        """'managed' if the visit resolves the crisis, None if it goes on the usual pathway."""
        w = self.world
        rr = self.params
        nursing = w.service("community_nursing", p)
        if not nursing.hours.is_open(w.env.now):
            return None
        served = yield from nursing.serve(
            p.locality, rr.visit_minutes / MINUTES_PER_DAY, patience=rr.max_response_hours * HOURS
        )
        if not served:
            return None
        w.rec.count(M.rapid_responses, p.locality, w.env.now)
        w.rec.count(M.community_nursing_visits, p.locality, w.env.now)
        # Known artefact (issue 8, item 1): every crisis that would not have been admitted counts as managed.
        if not would or ep[MECHANISM] < rr.avoidance_probability:
            return managed_at_home(w, p, visit=False)
        return None
