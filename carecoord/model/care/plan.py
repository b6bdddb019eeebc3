"""The care-plan interface: the hooks a patient's pathway offers to integrated care.

:class:`UsualCare` is the separate-services baseline written as a null object: every hook does
what the baseline does (nothing, or the baseline's value), so the pathways call
``world.care.first_response(...)`` and friends without asking which arm they are in.
:class:`~carecoord.model.care.coordinated.CoordinatedCare` overrides the hooks with the
switched-on mechanisms.

Example:
    >>> care = UsualCare(assessments_per_referral=2)
    >>> care.residential_ratio(patient)
    1.0
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

from librt.vecs import vec

from carecoord.model.patient import Patient

MANAGED: Final = "managed"
ADMIT: Final = "admit"
USUAL: Final = "usual"


class UsualCare:
    """Separate services: no coordinator, no care plan; every hook is the baseline's."""

    def __init__(self, assessments_per_referral: int):
        self.assessments_per_referral = assessments_per_referral

    # --- joining and leaving the community ----------------------------------------------
    def on_arrival(self, p: Patient) -> None:
        """The patient has joined the cohort (enrolment may put them on a waiting list)."""

    def on_admission(self, p: Patient) -> None:
        """The patient has been admitted (case management may enrol them now)."""

    def leave(self, p: Patient) -> None:
        """Death or a care-home move: give back a caseload place."""

    def censor(self, p: Patient, end: float) -> None:
        """End of the run: close the care plan's open intervals."""

    def let_go(self) -> None:
        """After the run (:func:`carecoord.model.run.dismantle`): let go of the work waiting in the plan's queues."""

    # --- crisis ---------------------------------------------------------------------------
    def first_response(self, p: Patient, ep: vec[float]) -> Generator[Any, Any, str]:
        """Integrated care's first word on a crisis at home: MANAGED, ADMIT or USUAL (the usual pathway)."""
        return USUAL
        yield  # a generator: the coordinated response takes simulated time

    # --- hospital and discharge -----------------------------------------------------------
    def plan_discharge(self, p: Patient) -> tuple[bool, bool]:
        """(start the assessment on admission, seven-day social work)."""
        return False, False

    def weekend_social_work(self, p: Patient) -> Any:
        """Weekend social workers for seven-day discharge in the patient's locality (None: none)."""
        return None

    def assessments_needed(self, p: Patient) -> int:
        """Social-work assessments a referral needs."""
        return self.assessments_per_referral

    def assessment_ratios(self, p: Patient) -> tuple[float, float]:
        """(referral delay, assessment staff time) multipliers."""
        return 1.0, 1.0

    def after_discharge(self, p: Patient, window_end: float) -> None:
        """Home from hospital; the readmission window closes at ``window_end``."""

    # --- care at home and in care homes -----------------------------------------------------
    def residential_ratio(self, p: Patient) -> float:
        """Multiplier of the chance that a decline or a discharge needs a care home."""
        return 1.0

    def extra_home_care_hours(self, p: Patient) -> float:
        """Weekly hours added to a package that keeps the patient out of a care home."""
        return 0.0

    def keep_at_home(self, p: Patient) -> None:
        """A care-home placement avoided: more home care instead."""

    def care_home_ratio(self, p: Patient) -> float:
        """Crisis-rate multiplier of a care-home resident."""
        return 1.0

    def care_home_support_hours(self, p: Patient, start: float, end: float) -> None:
        """Record support staff time for a resident over [start, end)."""


__all__ = ["ADMIT", "MANAGED", "USUAL", "UsualCare"]
