"""Rapid response: a community nurse at the door within hours of a crisis, while nursing is open.

The coordinator's single point of contact triages the call. If a response visit could resolve the
crisis at home (a would-be admission with ``avoidance_probability``, any other crisis with
``resolves_minor_crisis_probability``), the patient waits up to ``max_response_hours`` for a nurse
and the crisis is managed if one comes. Otherwise the patient goes on to usual care at once and the
nurse still visits (staff time, no change of route). One uniform (``MECHANISM``) decides, so the
mechanism uses no random numbers of its own. Response visits are urgent work: they go before
routine visits in the nurses' queue.

Example:
    >>> outcome = yield from RapidResponse(world, params).respond(patient, ep, would=True)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from librt.vecs import vec

from carecoord.model.care.common import HOURS, managed_at_home
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, URGENT
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import MECHANISM


class RapidResponse:
    """A nurse's urgent visit that may resolve the crisis at home."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def respond(self, p: Patient, ep: vec[float], would: bool) -> Generator[Any, Any, str | None]:
        """'managed' if the visit resolves the crisis, None if it goes on the usual pathway."""
        w = self.world
        rr = self.params
        if not w.service("community_nursing", p).hours.is_open(w.env._now):
            return None
        chance = rr.avoidance_probability if would else rr.resolves_minor_crisis_probability
        if ep[MECHANISM] >= chance:
            w.spawn(self._visit(p))  # the nurse goes; the patient is sent on at once
            return None
        served = yield from self._visit(p)
        return managed_at_home(w, p, visit=False) if served else None

    def _visit(self, p: Patient) -> Generator[Any, Any, bool]:
        w = self.world
        rr = self.params
        nursing = w.service("community_nursing", p)
        served = yield from nursing.serve(
            p.locality,
            rr.visit_minutes / MINUTES_PER_DAY,
            patience=rr.max_response_hours * HOURS,
            priority=URGENT,
            patient=p.id,
            activity="rapid_response_visit",
        )
        if served:
            w.rec.count(M.rapid_responses, p.locality, w.env._now)
            w.rec.count(M.community_nursing_visits, p.locality, w.env._now)
        return served
