"""Falls equipment: a social-work falls assessment, then equipment that lowers the fall rate.

Example:
    >>> FallsEquipment(world, params).start(patient, now)
"""

from __future__ import annotations

from typing import Any

from carecoord.model.clock import FALL, Step
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M


class FallsEquipment:
    """Assessment staff time at plan start; the fall-rate multiplier from installation on."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def start(self, p: Patient, now: float) -> None:
        """At plan start (the patient's clock is advanced to ``now``)."""
        f = self.params
        assert p.clock is not None
        p.clock.set_step(FALL, "intervention", Step(1.0, [now + f.install_delay_days], [f.fall_rate_ratio]))
        self.world.rec.count(M.falls_equipment_installs, p.locality, now)
        self.world.rec.count(M.staff_hours_social_work, p.locality, now, f.assessment_hours)
