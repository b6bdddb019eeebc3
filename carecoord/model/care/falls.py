"""Falls equipment: a social-work falls assessment, then equipment that lowers the fall rate.

The assessment is routine work for the locality's social workers (after urgent assessments, in
their hours); the equipment is installed ``install_delay_days`` after it.

Example:
    >>> FallsEquipment(world, params).start(patient, now)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.model.care.common import HOURS
from carecoord.model.clock import FALL, Step
from carecoord.model.patient import Patient
from carecoord.model.services import ROUTINE
from carecoord.model.world import World
from carecoord.recording import M


class FallsEquipment:
    """A social worker's assessment after plan start; the fall-rate multiplier from installation on."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def start(self, p: Patient, now: float) -> None:
        """At plan start: ask for the assessment."""
        self.world.spawn(self._assess(p))

    def _assess(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        f = self.params
        yield from w.service("social_work", p).serve(
            p.locality, f.assessment_hours * HOURS, priority=ROUTINE, patient=p.id, activity="falls_assessment"
        )
        if not p.plan_active or p.clock is None:
            return  # left the caseload (death, care home) while waiting: the time was spent
        now: float = w.env._now
        p.clock.advance(now)
        p.clock.set_step(FALL, "intervention", Step(1.0, [now + f.install_delay_days], [f.fall_rate_ratio]))
        w.rec.count(M.falls_equipment_installs, p.locality, now)
        w.retime(p)
