"""End-of-life care: a crisis of a patient recognised as in the last year of life is managed at home.

Recognition uses only what the team can know: the patient's current mortality hazard (the rate the
model gives them now, from their tier and where they live) seen through a clinician's prognosis
with a persistent lognormal error (:mod:`carecoord.model.prognosis`), never the time at which the
patient will die. The error quantile is the patient's own draw from the ``patient.prognosis``
stream, which no other part of the model reads.

Example:
    >>> EndOfLifeCare(world, params).at_home(patient, ep)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from librt.vecs import vec

from carecoord.model.care.common import covers
from carecoord.model.clock import DEATH
from carecoord.model.patient import Patient
from carecoord.model.prognosis import recognised
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import PROGNOSIS, SPARE


class EndOfLifeCare:
    """Palliative care at home instead of the usual pathway, with a probability, once recognised."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def recognises(self, p: Patient) -> bool:
        """Whether the team now sees the patient as in the last year of life."""
        e = self.params
        w = self.world
        assert p.clock is not None
        u = w.bank.draw(p.locality, p.rec.index, PROGNOSIS, 0)
        return recognised(p.clock.rate(DEATH, w.env._now), u, e.prognosis_error_sd, e.recognition_threshold)

    def at_home(self, p: Patient, ep: vec[float]) -> bool:
        """True if this crisis is managed at home with palliative care (a nurse's visit follows)."""
        e = self.params
        w = self.world
        if not covers(w, e, p) or p.clock is None or ep[SPARE] >= e.avoidance_probability:
            return False
        if not self.recognises(p):
            return False
        w.rec.count(M.end_of_life_crises_at_home, p.locality, w.env._now)
        w.rec.log(p.id, w.env._now, "end_of_life_care_at_home", "community_nursing")
        w.spawn(self._palliative_visit(p))
        return True

    def _palliative_visit(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        minutes = self.params.visit_minutes
        yield from w.service("community_nursing", p).serve(
            p.locality, minutes / MINUTES_PER_DAY, patient=p.id, activity="palliative_visit"
        )
        w.rec.count(M.community_nursing_visits, p.locality, w.env._now)
