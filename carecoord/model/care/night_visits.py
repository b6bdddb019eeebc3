"""Night visits: home-care visits at night for patients anxious at night, fewer social crises.

Example:
    >>> night = NightVisits(world, params)
    >>> night.start(patient, now)
"""

from __future__ import annotations

from typing import Any

from carecoord.model.clock import SOCIAL, Step
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M


class NightVisits:
    """The social-crisis multiplier while the plan lasts, and the home-care hours it costs."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params
        self.hours_per_day = params.visits_per_week * params.visit_minutes / 60.0 / 7.0

    def start(self, p: Patient, now: float) -> None:
        """At plan start, for a patient anxious at night (clock advanced to ``now``)."""
        if not p.rec.anxious_at_night:
            return
        assert p.clock is not None
        p.clock.set_step(SOCIAL, "intervention", Step(self.params.social_crisis_rate_ratio))
        p.night_since = now

    def stop(self, p: Patient, now: float) -> None:
        """The patient leaves the caseload alive: the visits stop, social crises return to their usual rate."""
        if p.rec.anxious_at_night and p.clock is not None:
            p.clock.advance(now)
            p.clock.set_step(SOCIAL, "intervention", Step(1.0))

    def close(self, p: Patient, end: float) -> None:
        """The plan ends (or the run does): record the visits' home-care hours."""
        if p.night_since is not None:
            self.world.rec.interval(M.home_care_hours, p.locality, p.night_since, end, self.hours_per_day)
            p.night_since = None
