"""Case finding: a care plan uncovers unmet need (a home-care referral) or an admission.

Example:
    >>> CaseFinding(world, params).start(patient)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.locations import HOME
from carecoord.model.hospital import admit
from carecoord.model.patient import Patient
from carecoord.model.social_care import arrange_home_care
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import ENROLMENT, MECHANISM, SPARE


class CaseFinding:
    """At plan start: a home-care referral and/or an admission, each with its probability."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def start(self, p: Patient) -> None:
        spec = self.params
        w = self.world
        ep = w.episode(p, ENROLMENT)
        if ep[SPARE] < spec.home_care_referral_probability and p.home_care is None:
            w.spawn(arrange_home_care(w, p))
        if ep[MECHANISM] < spec.admission_probability:

            def admission() -> Generator[Any, Any, None]:
                if p.alive and p.location == HOME:
                    w.rec.count(M.case_finding_admissions, p.locality, w.env._now)
                    yield from admit(w, p, ep, "case_finding")

            w.ask(p, admission)
