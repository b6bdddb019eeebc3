"""Proactive visits: a nurse or matron sees the patient regularly and catches deterioration early.

A crisis within the detection window after a visit was visible at it; a share of those is
detected. A detected would-be admission is managed at home with a probability; a detected
deterioration that would not have been admitted is escalated to hospital with a probability,
and otherwise dealt with by the nurse (no GP or A&E contact) with its own probability
(``resolves_minor_crisis_probability``). One uniform (``MECHANISM``) makes that decision. Visits
are routine work, served in daily rounds (:mod:`carecoord.model.care.rounds`): the nurses' time is
booked in sessions at the service's opening, urgent requests for the same nurses go first.

What the rounds changed (docs/model.md): the first visit is at the least-booked round of the
first interval after the plan starts (not at once, and not every plan of a meeting on one day);
the next is due ``interval_days`` after the day the patient was seen (not after the instant the
visit ended), at that day's round; a day's visits are made one
after another in a nurse's session, and their outcome (``last_visit``, the counts) is recorded when
the session ends, ``last_visit`` being the end of the patient's own visit.

Example:
    >>> ProactiveVisits(world, params).start(patient)  # when the care plan starts
"""

from __future__ import annotations

from typing import Any

from librt.vecs import vec

from carecoord.locations import HOME
from carecoord.model.care.common import managed_at_home
from carecoord.model.care.plan import ADMIT, USUAL
from carecoord.model.care.rounds import Entry, Rounds
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import DETECTION, MECHANISM


class ProactiveVisits:
    """Regular visits while the care plan lasts, and what they detect at a crisis."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params
        self.rounds = Rounds(
            world,
            list(world.services["community_nursing"]),
            params.visit_minutes,
            params.interval_days,
            "proactive_visit",
            self._served,
        )

    def start(self, p: Patient) -> None:
        """The plan has started: visits every ``interval_days`` while it lasts (skipped while away)."""
        self.rounds.start(p, self.world.env._now)

    def _served(self, loc: int, block: list[Entry], start: float) -> None:
        """A nurse's session has ended: those still at home on this plan were seen at their visit."""
        w = self.world
        visit = self.rounds.visit_days
        seen = 0
        for i, (p, plan) in enumerate(block):
            if p.location == HOME and p.caseload_request is plan and p.plan_active:
                p.last_visit = start + (i + 1) * visit
                seen += 1
        if seen:
            now: float = w.env._now
            w.rec.count(M.proactive_visits, loc, now, seen)
            w.rec.count(M.community_nursing_visits, loc, now, seen)

    def detect(self, p: Patient, ep: vec[float], would: bool) -> str | None:
        """Outcome of a crisis the last visit detected (None: not visible or not detected)."""
        spec = self.params
        if self.world.env._now - p.last_visit > spec.detection_window_days or ep[DETECTION] >= spec.sensitivity:
            return None
        if would:
            if ep[MECHANISM] < spec.prevented_fraction:
                return managed_at_home(self.world, p)
            return USUAL
        u = ep[MECHANISM]
        if u < spec.escalation_probability:
            return ADMIT
        escalated = spec.escalation_probability
        resolved = escalated + (1.0 - escalated) * spec.resolves_minor_crisis_probability
        return managed_at_home(self.world, p) if u < resolved else USUAL
