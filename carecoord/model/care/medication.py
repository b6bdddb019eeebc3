"""Medication review and self-management support: a crisis rate that falls over months.

Example:
    >>> MedicationReview(world, params).start(patient, now)
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from carecoord.locations import HOME
from carecoord.model.clock import CRISIS, Step
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, ROUTINE
from carecoord.model.world import World
from carecoord.recording import M


class MedicationReview:
    """The review's staff time, the crisis-rate ramp and the nurse-led self-management sessions."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def start(self, p: Patient, now: float) -> None:
        """At plan start (the patient's clock is advanced to ``now``): review, ramp, sessions."""
        spec = self.params
        assert p.clock is not None
        w = self.world
        if spec.review_hours > 0:
            w.spawn(self._review(p))
        # Linear ramp of the crisis-rate multiplier in monthly steps from onset to full effect.
        span = spec.full_effect_days - spec.onset_days
        steps = max(1, math.ceil(span / 30.0))
        times = [now + spec.onset_days + span * i / steps for i in range(steps + 1)]
        values = [1.0 - (1.0 - spec.crisis_rate_ratio) * (i + 1) / (steps + 1) for i in range(steps)]
        values.append(spec.crisis_rate_ratio)
        p.clock.set_step(CRISIS, "intervention", Step(1.0, times, values))
        if spec.self_management_sessions > 0:
            w.spawn(self._self_management(p))

    def _review(self, p: Patient) -> Generator[Any, Any, None]:
        """The review takes a GP's time: routine work, after same-day (urgent) appointments."""
        w = self.world
        hours = self.params.review_hours
        yield from w.service("gp", p).serve(
            p.locality, hours / 24.0, priority=ROUTINE, patient=p.id, activity="medication_review"
        )
        w.rec.count(M.medication_review_hours, p.locality, w.env._now, hours)

    def _self_management(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        spec = self.params
        nursing = w.service("community_nursing", p)
        for _ in range(spec.self_management_sessions):
            yield w.far.wait(7.0)
            if not p.plan_active:
                return
            if p.location == HOME:
                minutes = spec.session_minutes
                yield from nursing.serve(
                    p.locality,
                    minutes / MINUTES_PER_DAY,
                    priority=ROUTINE,
                    patient=p.id,
                    activity="self_management_session",
                )
                w.rec.count(M.community_nursing_visits, p.locality, w.env._now)
