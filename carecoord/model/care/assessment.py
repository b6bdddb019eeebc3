"""Shared assessment and joint retraining: the two mechanisms that change social-work assessment.

Shared assessment replaces separate health and social-care assessments by fewer joint ones;
joint retraining shortens the referral delay and the staff time of each assessment.

Example:
    >>> n = SharedAssessment(world, params).needed(patient, usual=2)
"""

from __future__ import annotations

from typing import Any

from carecoord.model.care.common import covers, is_live
from carecoord.model.patient import Patient
from carecoord.model.world import World


class SharedAssessment:
    """Fewer assessments per referral for the patients it covers."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def needed(self, p: Patient, usual: int) -> int:
        return self.params.assessments_per_referral if covers(self.world, self.params, p) else usual


class JointRetraining:
    """Retrained health and social-care staff: shorter referral delays and assessments once live."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def ratios(self, p: Patient) -> tuple[float, float]:
        """(referral delay, assessment staff time) multipliers."""
        if not is_live(self.world, p):
            return 1.0, 1.0
        return self.params.referral_delay_ratio, self.params.assessment_hours_ratio
