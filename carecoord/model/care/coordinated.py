"""Coordinated care: the usual-care hooks answered by the switched-on mechanisms.

Each mechanism is one object built from its compiled parameters (``None`` when switched
off); a hook asks the mechanisms that act on that step of the pathway and falls back to usual
care. A care plan agreed at the MDT starts the plan-level mechanisms in a fixed order.

Example:
    >>> world.care = CoordinatedCare(world)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from librt.vecs import vec

from carecoord.model.care.assessment import JointRetraining, SharedAssessment
from carecoord.model.care.care_homes import CareHomeSupport
from carecoord.model.care.case_finding import CaseFinding
from carecoord.model.care.discharge import DischargePlanning, FollowUp
from carecoord.model.care.end_of_life import EndOfLifeCare
from carecoord.model.care.enrolment import Enrolment
from carecoord.model.care.falls import FallsEquipment
from carecoord.model.care.home_first import HomeCareFirst
from carecoord.model.care.medication import MedicationReview
from carecoord.model.care.night_visits import NightVisits
from carecoord.model.care.plan import MANAGED, USUAL, UsualCare
from carecoord.model.care.proactive import ProactiveVisits
from carecoord.model.care.rapid_response import RapidResponse
from carecoord.model.params import compile_mechanism
from carecoord.model.pathways import would_admit
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import SEVERITY


class CoordinatedCare(UsualCare):
    """Named coordinators, the MDT care plan and the mechanisms the arm switches on."""

    def __init__(self, world: World):
        super().__init__(world.params.social_work.assessments_per_referral)
        self.world = world
        m = world.mechanisms

        def build(name: str, kind: type) -> Any:
            params = compile_mechanism(m.active(name))
            return None if params is None else kind(world, params)

        self.medication: MedicationReview | None = build("medication_review", MedicationReview)
        self.rapid: RapidResponse | None = build("rapid_response", RapidResponse)
        self.night: NightVisits | None = build("night_visits", NightVisits)
        self.falls: FallsEquipment | None = build("falls_equipment", FallsEquipment)
        self.discharge: DischargePlanning | None = build("discharge_planning", DischargePlanning)
        self.shared: SharedAssessment | None = build("shared_assessment", SharedAssessment)
        self.follow_up: FollowUp | None = build("post_discharge_follow_up", FollowUp)
        self.home_first: HomeCareFirst | None = build("home_care_first", HomeCareFirst)
        self.case_finding: CaseFinding | None = build("case_finding", CaseFinding)
        self.proactive: ProactiveVisits | None = build("proactive_visits", ProactiveVisits)
        self.retraining: JointRetraining | None = build("joint_retraining", JointRetraining)
        self.end_of_life: EndOfLifeCare | None = build("end_of_life_care", EndOfLifeCare)
        # Process order matters for SimPy's tie-breaking: care homes go live before caseloads do.
        self.care_homes: CareHomeSupport | None = build("care_home_support", CareHomeSupport)
        enrolment = compile_mechanism(m.active("enrolment"))
        self.enrolment = None if enrolment is None else Enrolment(world, enrolment, self._start_plan, self._end_plan)

    # --- the care plan -----------------------------------------------------------------
    def _start_plan(self, p: Patient) -> None:
        """The MDT has agreed the plan: start its mechanisms (this order is part of the results)."""
        w = self.world
        env = w.env
        now: float = env._now
        assert self.enrolment is not None and p.clock is not None
        p.plan_start = now
        w.routine.update(p)  # the plan may replace some routine contacts
        self.enrolment.mdt(p)
        w.spawn(self.enrolment.reviews(p))
        self.enrolment.start_contacts(p)
        p.clock.advance(now)
        if self.medication is not None:
            self.medication.start(p, now)
        if self.falls is not None:
            self.falls.start(p, now)
        if self.night is not None:
            self.night.start(p, now)
        if self.proactive is not None:
            self.proactive.start(p)
        w.retime(p)
        if self.case_finding is not None:
            self.case_finding.start(p)

    def _end_plan(self, p: Patient) -> None:
        """Discharge from the caseload alive: the plan's visits and contacts stop, the place is released.

        Night visits stop (the social-crisis multiplier returns to 1). What the plan left behind
        stays: installed falls equipment and the medication review's crisis-rate effect (the review
        and self-management sessions were delivered; assumption, docs/model.md).
        """
        assert self.enrolment is not None
        w = self.world
        now: float = w.env._now
        self._close(p, now)
        if self.night is not None:
            self.night.stop(p, now)
        self.enrolment.release(p)
        w.routine.update(p)
        w.retime(p)

    def _close(self, p: Patient, end: float) -> None:
        if p.enrolled_since is not None:
            self.world.rec.interval(M.enrolled_days, p.locality, p.enrolled_since, end)
        if self.night is not None:
            self.night.close(p, end)

    # --- hooks ---------------------------------------------------------------------------
    def on_arrival(self, p: Patient) -> None:
        if self.enrolment is not None:
            self.enrolment.on_arrival(p)

    def on_admission(self, p: Patient) -> None:
        if self.enrolment is not None:
            self.enrolment.on_admission(p)

    def leave(self, p: Patient) -> None:
        if self.enrolment is not None and self.enrolment.leave(p):
            self._close(p, self.world.env._now)
            self.enrolment.release(p)
            self.world.routine.update(p)

    def censor(self, p: Patient, end: float) -> None:
        if p.caseload_request is not None:
            self._close(p, end)
        if self.enrolment is not None:
            self.enrolment.censor(p, end)

    def let_go(self) -> None:
        if self.enrolment is not None:
            self.enrolment.let_go()

    def first_response(self, p: Patient, ep: vec[float]) -> Generator[Any, Any, str]:
        if self.end_of_life is not None and self.end_of_life.at_home(p, ep):
            return MANAGED
        if not p.plan_active:
            return USUAL
        assert self.enrolment is not None
        answered = yield from self.enrolment.triage(p)  # the single point of contact, if a coordinator answers
        if not answered:
            return USUAL
        would = would_admit(self.world, p, ep[SEVERITY])
        if self.proactive is not None:
            outcome = self.proactive.detect(p, ep, would)
            if outcome is not None:
                return outcome
        if self.rapid is not None:
            outcome = yield from self.rapid.respond(p, ep, would)
            if outcome is not None:
                return outcome
        return USUAL

    def plan_discharge(self, p: Patient) -> tuple[bool, bool]:
        return (False, False) if self.discharge is None else self.discharge.plan(p)

    def weekend_social_work(self, p: Patient) -> Any:
        return None if self.discharge is None else self.discharge.weekend_team(p)

    def assessments_needed(self, p: Patient) -> int:
        usual = self.assessments_per_referral
        return usual if self.shared is None else self.shared.needed(p, usual)

    def assessment_ratios(self, p: Patient) -> tuple[float, float]:
        return (1.0, 1.0) if self.retraining is None else self.retraining.ratios(p)

    def after_discharge(self, p: Patient, window_end: float) -> None:
        if self.follow_up is not None:
            self.follow_up.after_discharge(p, window_end)

    def residential_ratio(self, p: Patient) -> float:
        return 1.0 if self.home_first is None else self.home_first.residential_ratio(p)

    def extra_home_care_hours(self, p: Patient) -> float:
        return 0.0 if self.home_first is None else self.home_first.extra_hours()

    def keep_at_home(self, p: Patient) -> None:
        if self.home_first is not None:
            self.home_first.keep_at_home(p)

    def care_home_ratio(self, p: Patient) -> float:
        return 1.0 if self.care_homes is None else self.care_homes.crisis_ratio(p)

    def care_home_support_hours(self, p: Patient, start: float, end: float) -> None:
        if self.care_homes is not None:
            self.care_homes.support_hours(p, start, end)


__all__ = ["CoordinatedCare"]
