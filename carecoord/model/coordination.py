"""Named-coordinator integrated care: enrolment, the care plan and its mechanisms.

Patients above the risk threshold join a locality's waiting list from its go-live date and are
enrolled while coordinators x caseload allows (highest risk first). An MDT meeting agrees the
care plan; from then on each switched-on mechanism acts on one step of the patient's pathway
with its own parameters and staff time. Mechanisms push admissions down (early detection,
lower crisis rate, rapid response, ...) and up (case finding, escalation after monitoring).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from carecoord.model.caseload import Caseload
from carecoord.model.clock import CRISIS, FALL, SOCIAL, Step
from carecoord.model.clock import DEATH as DEATH_EVENT
from carecoord.model.hospital import admit, arrange_home_care
from carecoord.model.pathways import would_admit
from carecoord.model.patient import is_gone
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.recording import HOME, PENDING, RESIDENTIAL, M
from carecoord.scenario import arms
from carecoord.streams import DETECTION, ENROLMENT, MECHANISM, SEVERITY, SPARE

if TYPE_CHECKING:
    from carecoord.model.patient import Patient
    from carecoord.model.world import World

HOURS = 1.0 / 24.0
YEAR = 365.0


class Coordination:
    """The integrated arm's coordinators and the mechanisms of their care plans."""

    def __init__(self, world: World):
        self.world = world
        m = world.mechanisms
        self.enrolment: arms.EnrolmentSpec | None = m.active("enrolment")  # type: ignore[assignment]
        self.proactive: arms.ProactiveVisitsSpec | None = m.active("proactive_visits")  # type: ignore[assignment]
        self.medication: arms.MedicationReviewSpec | None = m.active("medication_review")  # type: ignore[assignment]
        self.rapid: arms.RapidResponseSpec | None = m.active("rapid_response")  # type: ignore[assignment]
        self.night: arms.NightVisitsSpec | None = m.active("night_visits")  # type: ignore[assignment]
        self.falls: arms.FallsEquipmentSpec | None = m.active("falls_equipment")  # type: ignore[assignment]
        self.discharge: arms.DischargePlanningSpec | None = m.active("discharge_planning")  # type: ignore[assignment]
        self.shared: arms.SharedAssessmentSpec | None = m.active("shared_assessment")  # type: ignore[assignment]
        self.follow_up: arms.PostDischargeFollowUpSpec | None = m.active("post_discharge_follow_up")  # type: ignore[assignment]
        self.home_first: arms.HomeCareFirstSpec | None = m.active("home_care_first")  # type: ignore[assignment]
        self.case_finding: arms.CaseFindingSpec | None = m.active("case_finding")  # type: ignore[assignment]
        self.care_homes: arms.CareHomeSupportSpec | None = m.active("care_home_support")  # type: ignore[assignment]
        self.retraining: arms.JointRetrainingSpec | None = m.active("joint_retraining")  # type: ignore[assignment]
        self.end_of_life: arms.EndOfLifeCareSpec | None = m.active("end_of_life_care")  # type: ignore[assignment]
        scenario = world.scenario
        self.go_live = [scenario.locality_go_live_day(i) for i in range(len(scenario.localities))]
        self.caseload: list[Caseload | None] = [None] * len(scenario.localities)
        self.waiting: dict[int, Any] = {}
        if self.care_homes is not None:
            for loc in range(len(scenario.localities)):
                world.env.process(self._care_home_go_live(loc))
        if self.enrolment is None:
            return
        self.tiers = set(self.enrolment.eligible_tiers or [t.name for t in scenario.cohort.tiers])
        self.caseload = []
        for loc in scenario.localities:
            coords = self.enrolment.coordinators
            n = coords.get(loc.name, 0) if isinstance(coords, dict) else coords
            capacity = n * self.enrolment.caseload
            self.caseload.append(Caseload(world.env, capacity) if capacity > 0 else None)
            key = f"caseload:{loc.name}"
            world.rec.capacity[key] = float(capacity)
            world.rec.peak_in_use[key] = 0
        for loc in range(len(scenario.localities)):
            if self.caseload[loc] is not None:
                world.env.process(self._go_live(loc))

    # --- enrolment ---------------------------------------------------------------------
    def _eligible(self, p: Patient) -> bool:
        w = self.world
        if self.enrolment is None or p.enrolment_requested or p.location == PENDING or is_gone(p):
            return False
        if w.scenario.cohort.tiers[p.rec.tier].name not in self.tiers:
            return False
        need = self.enrolment.min_admissions_last_year
        return need == 0 or p.admissions_since(w.env.now - YEAR) >= need

    def _live(self, p: Patient) -> bool:
        return self.caseload[p.locality] is not None and self.live(p)

    def live(self, p: Patient) -> bool:
        """Integrated care has gone live in the patient's locality."""
        return self.world.env.now >= self.go_live[p.locality]

    def _covers(self, spec: Any, p: Patient) -> bool:
        """Whether a mechanism with ``applies_to`` acts on this patient now."""
        if spec is None:
            return False
        if spec.applies_to == "everyone":
            return self.live(p)
        return p.plan_active

    def _go_live(self, loc: int) -> Generator[Any, Any, None]:
        w = self.world
        if self.go_live[loc] > 0:
            yield w.env.timeout(self.go_live[loc])
        # Places free at go-live are granted as requests arrive, so the waiting list is joined in
        # order of risk (highest first; ties by patient) for the riskiest to be enrolled first.
        eligible = [p for p in w.patients if p.locality == loc and self._eligible(p)]
        for p in sorted(eligible, key=lambda p: (-self._risk(p), p.id)):
            self._request(p)

    def on_arrival(self, p: Patient) -> None:
        if self._live(p) and self._eligible(p):
            self._request(p)

    def on_admission(self, p: Patient) -> None:
        if self._live(p) and self._eligible(p):
            self._request(p)

    def _risk(self, p: Patient) -> float:
        """What the risk tool sees: the tier's rate plus the past year's admissions."""
        tier = self.world.scenario.cohort.tiers[p.rec.tier]
        return tier.emergency_admissions_per_person_year + p.admissions_since(self.world.env.now - YEAR)

    def _request(self, p: Patient) -> None:
        p.enrolment_requested = True
        self.world.env.process(self._enrol(p))

    def _enrol(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        caseload = self.caseload[p.locality]
        assert caseload is not None
        request = caseload.request(priority=-self._risk(p))
        self.waiting[p.id] = request
        yield request
        self.waiting.pop(p.id, None)
        if is_gone(p):
            caseload.release(request)
            return
        key = f"caseload:{w.scenario.localities[p.locality].name}"
        w.rec.peak_in_use[key] = max(w.rec.peak_in_use[key], caseload.peak)
        p.caseload_request = request
        p.enrolled_since = w.env.now
        if p.id not in w.rec.enrolled_at:
            w.rec.enrolled_at[p.id] = w.env.now
            w.rec.enrolment_mark[p.id] = len(w.rec.admission_log)
        w.rec.count(M.patients_enrolled, p.locality, w.env.now)
        w.rec.log(p.id, w.env.now, "enrolled", "coordinator")
        spec = self.enrolment
        w.rec.count(M.coordinator_hours, p.locality, w.env.now, spec.initial_assessment_hours)
        live = self.go_live[p.locality]
        meeting = live + math.ceil((w.env.now - live) / spec.mdt_interval_days) * spec.mdt_interval_days
        if meeting > w.env.now:
            yield w.env.timeout(meeting - w.env.now)
        if not p.plan_active and p.caseload_request is request and p.alive:
            self._start_plan(p)

    def leave(self, p: Patient) -> None:
        """Death or a care-home move: leave the caseload (or the waiting list)."""
        pending = self.waiting.pop(p.id, None)
        if pending is not None and not pending.triggered:
            caseload = self.caseload[p.locality]
            assert caseload is not None
            caseload.cancel(pending)
        if p.caseload_request is None:
            return
        now = self.world.env.now
        self._close(p, now)
        caseload = self.caseload[p.locality]
        assert caseload is not None
        caseload.release(p.caseload_request)
        p.caseload_request = None
        p.plan_start = None

    def censor(self, p: Patient, end: float) -> None:
        if p.caseload_request is not None:
            self._close(p, end)

    def _close(self, p: Patient, end: float) -> None:
        rec = self.world.rec
        if p.enrolled_since is not None:
            rec.interval(M.enrolled_days, p.locality, p.enrolled_since, end)
        if p.night_since is not None and self.night is not None:
            per_day = self.night.visits_per_week * self.night.visit_minutes / 60.0 / 7.0
            rec.interval(M.home_care_hours, p.locality, p.night_since, end, per_day)
            p.night_since = None

    # --- the care plan -----------------------------------------------------------------
    def _mdt(self, p: Patient) -> None:
        w = self.world
        spec = self.enrolment
        w.rec.count(M.mdt_reviews, p.locality, w.env.now)
        w.rec.count(M.mdt_hours, p.locality, w.env.now, spec.mdt_minutes_per_patient * spec.mdt_attendees / 60.0)

    def _start_plan(self, p: Patient) -> None:
        w = self.world
        env = w.env
        now = env.now
        p.plan_start = now
        self._mdt(p)
        env.process(self._reviews(p))
        assert p.clock is not None
        p.clock.advance(now)
        if self.medication is not None:
            self._medication_review(p, now)
        if self.falls is not None:
            f = self.falls
            p.clock.set_step(FALL, "intervention", Step(1.0, [now + f.install_delay_days], [f.fall_rate_ratio]))
            w.rec.count(M.falls_equipment_installs, p.locality, now)
            w.rec.count(M.staff_hours_social_work, p.locality, now, f.assessment_hours)
        if self.night is not None and p.rec.anxious_at_night:
            p.clock.set_step(SOCIAL, "intervention", Step(self.night.social_crisis_rate_ratio))
            p.night_since = now
        if self.proactive is not None:
            env.process(self._proactive_visits(p))
        w.retime(p)
        if self.case_finding is not None:
            self._case_finding(p)

    def _reviews(self, p: Patient) -> Generator[Any, Any, None]:
        interval = self.enrolment.review_interval_days
        while True:
            yield self.world.env.timeout(interval)
            if not p.plan_active:
                return
            self._mdt(p)

    def _medication_review(self, p: Patient, now: float) -> None:
        spec = self.medication
        assert spec is not None and p.clock is not None
        w = self.world
        w.rec.count(M.medication_review_hours, p.locality, now, spec.review_hours)
        # Linear ramp of the crisis-rate multiplier in monthly steps from onset to full effect.
        span = spec.full_effect_days - spec.onset_days
        steps = max(1, math.ceil(span / 30.0))
        times = [now + spec.onset_days + span * i / steps for i in range(steps + 1)]
        values = [1.0 - (1.0 - spec.crisis_rate_ratio) * (i + 1) / (steps + 1) for i in range(steps)]
        values.append(spec.crisis_rate_ratio)
        p.clock.set_step(CRISIS, "intervention", Step(1.0, times, values))
        if spec.self_management_sessions > 0:
            w.env.process(self._self_management(p, spec))

    def _self_management(self, p: Patient, spec: arms.MedicationReviewSpec) -> Generator[Any, Any, None]:
        w = self.world
        nursing = w.service("community_nursing", p)
        for _ in range(spec.self_management_sessions):
            yield w.env.timeout(7.0)
            if not p.plan_active:
                return
            if p.location == HOME:
                yield from nursing.serve(p.locality, spec.session_minutes / MINUTES_PER_DAY)
                w.rec.count(M.community_nursing_visits, p.locality, w.env.now)

    def _proactive_visits(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        spec = self.proactive
        assert spec is not None
        nursing = w.service("community_nursing", p)
        while p.plan_active:
            if p.location == HOME:
                seen = yield from nursing.serve(p.locality, spec.visit_minutes / MINUTES_PER_DAY)
                if seen and p.location == HOME and p.plan_active:
                    p.last_visit = w.env.now
                    w.rec.count(M.proactive_visits, p.locality, w.env.now)
                    w.rec.count(M.community_nursing_visits, p.locality, w.env.now)
            yield w.env.timeout(spec.interval_days)

    def _case_finding(self, p: Patient) -> None:
        spec = self.case_finding
        assert spec is not None
        w = self.world
        ep = w.episode(p, ENROLMENT)
        if ep[SPARE] < spec.home_care_referral_probability and p.home_care is None:
            w.env.process(arrange_home_care(w, p))
        if ep[MECHANISM] < spec.admission_probability:

            def admission() -> Generator[Any, Any, None]:
                if p.alive and p.location == HOME:
                    w.rec.count(M.case_finding_admissions, p.locality, w.env.now)
                    yield from admit(w, p, ep, "case_finding")

            w.ask(p, admission)

    # --- hooks the pathways call -------------------------------------------------------
    def respond_to_crisis(self, p: Patient, ep: list[float]) -> Generator[Any, Any, str]:
        """The coordinator's first response: 'managed', 'admit' or 'usual' (usual care)."""
        w = self.world
        now = w.env.now
        would = would_admit(w, p, ep[SEVERITY])
        pv = self.proactive
        if pv is not None and now - p.last_visit <= pv.detection_window_days and ep[DETECTION] < pv.sensitivity:
            if would:
                if ep[MECHANISM] < pv.prevented_fraction:
                    return self._managed(p)
                return "usual"
            if ep[MECHANISM] < pv.escalation_probability:
                return "admit"
            return self._managed(p)
        rr = self.rapid
        if rr is not None:
            nursing = w.service("community_nursing", p)
            if nursing.hours.is_open(now):
                served = yield from nursing.serve(
                    p.locality, rr.visit_minutes / MINUTES_PER_DAY, patience=rr.max_response_hours * HOURS
                )
                if served:
                    w.rec.count(M.rapid_responses, p.locality, w.env.now)
                    w.rec.count(M.community_nursing_visits, p.locality, w.env.now)
                    if not would or ep[MECHANISM] < rr.avoidance_probability:
                        return self._managed(p, visit=False)
        return "usual"

    def _managed(self, p: Patient, visit: bool = True) -> str:
        w = self.world
        w.rec.count(M.crises_managed_at_home_by_coordinator, p.locality, w.env.now)
        w.rec.log(p.id, w.env.now, "managed_at_home", "coordinator")
        if visit:
            w.env.process(self._home_treatment(p))
        return "managed"

    def _home_treatment(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        cn = w.scenario.services.community_nursing
        yield from w.service("community_nursing", p).serve(p.locality, cn.visit_minutes / MINUTES_PER_DAY)
        w.rec.count(M.community_nursing_visits, p.locality, w.env.now)

    def plan_discharge(self, p: Patient) -> tuple[bool, bool]:
        """(start the assessment on admission, seven-day social work) for this patient."""
        d = self.discharge
        if d is None or not self._covers(d, p):
            return False, False
        return d.plan_ahead, d.seven_day

    def after_discharge(self, p: Patient, window_end: float) -> None:
        """Home from hospital: ask for the follow-up visit of transitional care, if it covers the patient.

        Enrolled means holding a caseload place, not yet having a care plan: a coordinator who enrolled
        the patient at an admission follows them up after that discharge, before the next MDT meeting.
        """
        spec = self.follow_up
        if spec is None:
            return
        covered = self.live(p) if spec.applies_to == "everyone" else p.caseload_request is not None
        if covered:
            self.world.env.process(self._follow_up(p, spec, window_end))

    def _follow_up(
        self, p: Patient, spec: arms.PostDischargeFollowUpSpec, window_end: float
    ) -> Generator[Any, Any, None]:
        w = self.world
        if spec.within_days > 0:
            yield w.env.timeout(spec.within_days)
        if not p.alive or p.location != HOME or w.env.now >= window_end:
            return
        nursing = w.service("community_nursing", p)
        patience = window_end - w.env.now
        seen = yield from nursing.serve(p.locality, spec.visit_minutes / MINUTES_PER_DAY, patience=patience)
        now = w.env.now
        if not seen or not p.alive or p.location != HOME or now >= window_end or p.clock is None:
            return
        w.rec.count(M.post_discharge_follow_ups, p.locality, now)
        w.rec.log(p.id, now, "post_discharge_follow_up", "community_nursing")
        w.rec.count(M.community_nursing_visits, p.locality, now)
        step = p.clock.steps[CRISIS].get("readmission")
        if step is None or not step.times or step.times[-1] != window_end:
            return  # a later discharge opened a new window: its own follow-up acts on it
        ratio = w.scenario.cohort.events.readmission_rate_ratio * spec.readmission_rate_ratio
        p.clock.advance(now)
        p.clock.set_step(CRISIS, "readmission", Step(1.0, [now, window_end], [ratio, 1.0]))
        w.retime(p)

    def assessments_needed(self, p: Patient) -> int:
        if self.shared is not None and self._covers(self.shared, p):
            return self.shared.assessments_per_referral
        return self.world.scenario.services.social_work.assessments_per_referral

    def assessment_ratios(self, p: Patient) -> tuple[float, float]:
        """(referral delay, assessment staff time) multipliers from joint retraining."""
        r = self.retraining
        if r is None or not self.live(p):
            return 1.0, 1.0
        return r.referral_delay_ratio, r.assessment_hours_ratio

    def care_home_ratio(self, p: Patient) -> float:
        """Residents' crisis-rate multiplier from care-home improvement teams."""
        if self.care_homes is None or not self.live(p):
            return 1.0
        return self.care_homes.crisis_rate_ratio

    def _care_home_go_live(self, loc: int) -> Generator[Any, Any, None]:
        """At go-live, residents' crisis rates change: retime their clocks."""
        w = self.world
        if self.go_live[loc] > 0:
            yield w.env.timeout(self.go_live[loc])
        for p in w.patients:
            if p.locality == loc and p.alive and p.location == RESIDENTIAL and p.clock is not None:
                p.clock.advance(w.env.now)
                p.clock.set_factors(w.rates(p, RESIDENTIAL))
                w.retime(p)

    def care_home_support_hours(self, p: Patient, start: float, end: float) -> None:
        """Record the team's time for a resident over [start, end) once live."""
        if self.care_homes is None:
            return
        start = max(start, float(self.go_live[p.locality]))
        if end > start:
            per_day = self.care_homes.staff_minutes_per_resident_week / 60.0 / 7.0
            self.world.rec.interval(M.care_home_support_hours, p.locality, start, end, per_day)

    def end_of_life_at_home(self, p: Patient, ep: list[float]) -> bool:
        """A crisis in the recognised last phase of life, managed at home with palliative care."""
        e = self.end_of_life
        if e is None or not self._covers(e, p) or p.clock is None:
            return False
        if (
            p.clock.time_to_fire(DEATH_EVENT) - self.world.env.now > e.window_days
            or ep[SPARE] >= e.avoidance_probability
        ):
            return False
        w = self.world
        w.rec.count(M.end_of_life_crises_at_home, p.locality, w.env.now)
        w.rec.log(p.id, w.env.now, "end_of_life_care_at_home", "community_nursing")
        w.env.process(self._palliative_visit(p, e))
        return True

    def _palliative_visit(self, p: Patient, e: arms.EndOfLifeCareSpec) -> Generator[Any, Any, None]:
        w = self.world
        yield from w.service("community_nursing", p).serve(p.locality, e.visit_minutes / MINUTES_PER_DAY)
        w.rec.count(M.community_nursing_visits, p.locality, w.env.now)

    def residential_ratio(self, p: Patient) -> float:
        if self.home_first is not None and p.plan_active:
            return self.home_first.residential_ratio
        return 1.0

    def extra_home_care_hours(self, p: Patient) -> float:
        return self.home_first.extra_hours_per_week if self.home_first is not None else 0.0

    def keep_at_home(self, p: Patient) -> None:
        """Home care first: more hours instead of a care-home placement."""
        if self.home_first is None or not p.plan_active:
            return
        extra = self.home_first.extra_hours_per_week
        if p.home_care is not None:
            self.world.set_home_care_hours(p, p.home_care_hours + extra)
        else:
            self.world.env.process(arrange_home_care(self.world, p, extra_hours=extra))
