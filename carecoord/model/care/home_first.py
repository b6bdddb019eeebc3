"""Home care first: a patient with a care plan gets more home care instead of a care-home place.

Example:
    >>> HomeCareFirst(world, params).keep_at_home(patient)
"""

from __future__ import annotations

from typing import Any

from carecoord.model.patient import Patient
from carecoord.model.social_care import arrange_home_care
from carecoord.model.world import World


class HomeCareFirst:
    """A lower chance of a care-home placement, made up by extra weekly home-care hours."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def residential_ratio(self, p: Patient) -> float:
        return self.params.residential_ratio if p.plan_active else 1.0

    def extra_hours(self) -> float:
        return self.params.extra_hours_per_week

    def keep_at_home(self, p: Patient) -> None:
        """More hours on an existing package, or a new package with the extra hours."""
        if not p.plan_active:
            return
        extra = self.params.extra_hours_per_week
        if p.home_care is not None:
            self.world.set_home_care_hours(p, p.home_care_hours + extra)
        else:
            self.world.spawn(arrange_home_care(self.world, p, extra_hours=extra))
