"""Proactive visits: a nurse or matron sees the patient regularly and catches deterioration early.

A crisis within the detection window after a visit was visible at it; a share of those is
detected. A detected would-be admission is managed at home with a probability; a detected
deterioration that would not have been admitted is escalated to hospital with a probability,
and otherwise dealt with by the nurse (no GP or A&E contact) with its own probability
(``resolves_minor_crisis_probability``). One uniform (``MECHANISM``) makes that decision. Visits
are routine work: urgent requests for the same nurses go first.

Example:
    >>> world.env.process(ProactiveVisits(world, params).visits(patient))
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.locations import HOME
from carecoord.model.care.common import managed_at_home
from carecoord.model.care.plan import ADMIT, USUAL
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, ROUTINE
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import DETECTION, MECHANISM


class ProactiveVisits:
    """Regular visits while the care plan lasts, and what they detect at a crisis."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def visits(self, p: Patient) -> Generator[Any, Any, None]:
        """The patient's visits, every ``interval_days`` while the plan is active (skipped while away)."""
        w = self.world
        spec = self.params
        nursing = w.service("community_nursing", p)
        plan = p.caseload_request  # this plan's visits only (a re-enrolled patient has a new one)
        while p.plan_active and p.caseload_request is plan:
            if p.location == HOME:
                seen = yield from nursing.serve(
                    p.locality,
                    spec.visit_minutes / MINUTES_PER_DAY,
                    priority=ROUTINE,
                    patient=p.id,
                    activity="proactive_visit",
                )
                if seen and p.location == HOME and p.plan_active:
                    now = p.last_visit = w.env.now
                    w.rec.count(M.proactive_visits, p.locality, now)
                    w.rec.count(M.community_nursing_visits, p.locality, now)
            yield w.env.timeout(spec.interval_days)

    def detect(self, p: Patient, ep: list[float], would: bool) -> str | None:
        """Outcome of a crisis the last visit detected (None: not visible or not detected)."""
        spec = self.params
        if self.world.env.now - p.last_visit > spec.detection_window_days or ep[DETECTION] >= spec.sensitivity:
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
