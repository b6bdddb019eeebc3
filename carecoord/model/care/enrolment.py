"""Enrolment: a caseload per locality, a waiting list by risk, the MDT and care-plan reviews.

Patients above the risk threshold join their locality's waiting list from go-live and are
enrolled while coordinators x caseload allows (highest risk first). A coordinator then makes the
first assessment, in coordinators' working hours and one at a time per coordinator (a resource
with one place per coordinator), and the patient waits for an MDT meeting with room for a new
plan (:mod:`carecoord.model.mdt`: at most ``new_plans_per_coordinator_per_meeting`` x
coordinators per meeting). The meeting agrees the care plan, which ``start_plan`` (given by the
coordinated care) then starts. A go-live therefore enrols over weeks, not in one instant.

Example:
    >>> enrolment = Enrolment(world, params, start_plan)
    >>> enrolment.on_arrival(patient)
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from carecoord.calendar import OpeningHours
from carecoord.locations import PENDING
from carecoord.model.care.common import HOURS, YEAR, is_live
from carecoord.model.caseload import Caseload, Place
from carecoord.model.mdt import MdtMeeting
from carecoord.model.patient import Patient, is_gone
from carecoord.model.services import ROUTINE, Service
from carecoord.model.world import World
from carecoord.recording import M


class Enrolment:
    """The coordinators' caseloads and waiting lists, and the MDT that agrees each care plan."""

    def __init__(self, world: World, params: Any, start_plan: Callable[[Patient], None]):
        self.world = world
        self.params = params
        self.start_plan = start_plan
        self.waiting: dict[int, Place] = {}
        self.tiers = set(params.eligible_tiers or world.params.tier_names)
        self.caseload: list[Caseload | None] = []
        self.teams: list[Service | None] = []
        self.meetings: list[MdtMeeting | None] = []
        hours = OpeningHours(params.coordinator_working_hours, world.calendar)
        for loc, name in enumerate(world.params.locality_names):
            coords = params.coordinators
            n = coords.get(name, 0) if isinstance(coords, dict) else coords
            capacity = n * params.caseload
            self.caseload.append(Caseload(world.env, capacity) if capacity > 0 else None)
            key = f"caseload:{name}"
            world.rec.capacity[key] = float(capacity)
            world.rec.peak_in_use[key] = 0
            team, meeting = None, None
            if capacity > 0:
                team = Service(world.env, "coordinator", n, hours, world.rec, f"coordinators:{name}")
                places = n * params.new_plans_per_coordinator_per_meeting
                first = float(world.params.go_live_days[loc])
                meeting = MdtMeeting(world.env, first, params.mdt_interval_days, places, world.horizon, self._agree)
            self.teams.append(team)
            self.meetings.append(meeting)
        for loc, caseload in enumerate(self.caseload):
            if caseload is not None:
                world.env.process(self._go_live(loc))

    def _eligible(self, p: Patient) -> bool:
        w = self.world
        if p.enrolment_requested or p.location == PENDING or is_gone(p):
            return False
        if w.params.tier_names[p.rec.tier] not in self.tiers:
            return False
        need = self.params.min_admissions_last_year
        return need == 0 or p.admissions_since(w.env.now - YEAR) >= need

    def _live(self, p: Patient) -> bool:
        return self.caseload[p.locality] is not None and is_live(self.world, p)

    def risk(self, p: Patient) -> float:
        """What the risk tool sees: the tier's rate plus the past year's admissions."""
        w = self.world
        return w.params.tier_admissions_per_year[p.rec.tier] + p.admissions_since(w.env.now - YEAR)

    def _go_live(self, loc: int) -> Generator[Any, Any, None]:
        w = self.world
        go_live = w.params.go_live_days[loc]
        if go_live > 0:
            yield w.env.timeout(go_live)
        # Places free at go-live are granted as requests arrive, so the waiting list is joined in
        # order of risk (highest first; ties by patient) for the riskiest to be enrolled first.
        eligible = [p for p in w.patients if p.locality == loc and self._eligible(p)]
        for p in sorted(eligible, key=lambda p: (-self.risk(p), p.id)):
            self._request(p)

    def on_arrival(self, p: Patient) -> None:
        if self._live(p) and self._eligible(p):
            self._request(p)

    def on_admission(self, p: Patient) -> None:
        if self._live(p) and self._eligible(p):
            self._request(p)

    def _request(self, p: Patient) -> None:
        p.enrolment_requested = True
        self.world.env.process(self._enrol(p))

    def _enrol(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        caseload = self.caseload[p.locality]
        assert caseload is not None
        request = caseload.request(priority=-self.risk(p))
        self.waiting[p.id] = request
        yield request
        self.waiting.pop(p.id, None)
        if is_gone(p):
            caseload.release(request)
            return
        key = f"caseload:{w.params.locality_names[p.locality]}"
        w.rec.peak_in_use[key] = max(w.rec.peak_in_use[key], caseload.peak)
        p.caseload_request = request
        p.enrolled_since = w.env.now
        if p.id not in w.rec.enrolled_at:
            w.rec.enrolled_at[p.id] = w.env.now
            w.rec.enrolment_mark[p.id] = len(w.rec.admission_log)
        w.rec.count(M.patients_enrolled, p.locality, w.env.now)
        w.rec.log(p.id, w.env.now, "enrolled", "coordinator")
        spec = self.params
        team, meeting = self.teams[p.locality], self.meetings[p.locality]
        assert team is not None and meeting is not None
        hours = spec.initial_assessment_hours * HOURS
        yield from team.serve(p.locality, hours, priority=ROUTINE, patient=p.id, activity="coordinator_assessment")
        w.rec.count(M.coordinator_hours, p.locality, w.env.now, spec.initial_assessment_hours)
        if p.caseload_request is request and p.alive:
            meeting.refer(p)

    def _agree(self, p: Patient) -> bool:
        """The MDT agrees the plan of a patient still on the caseload (False: the place goes to the next)."""
        if p.plan_active or p.caseload_request is None or is_gone(p):
            return False
        self.world.rec.log(p.id, self.world.env.now, "care_plan_agreed", "mdt")
        self.start_plan(p)
        return True

    def leave(self, p: Patient) -> bool:
        """Leave the waiting list or give back the place; True if a place was held (to close the plan)."""
        pending = self.waiting.pop(p.id, None)
        if pending is not None and not pending.triggered:
            caseload = self.caseload[p.locality]
            assert caseload is not None
            caseload.cancel(pending)
        return p.caseload_request is not None

    def release(self, p: Patient) -> None:
        """Give the caseload place back (after the plan's intervals are closed)."""
        caseload = self.caseload[p.locality]
        assert caseload is not None
        caseload.release(p.caseload_request)
        p.caseload_request = None
        p.plan_start = None

    def mdt(self, p: Patient) -> None:
        """An MDT discussion of the patient: its count and its staff time."""
        w = self.world
        spec = self.params
        w.rec.count(M.mdt_reviews, p.locality, w.env.now)
        w.rec.count(M.mdt_hours, p.locality, w.env.now, spec.mdt_minutes_per_patient * spec.mdt_attendees / 60.0)

    def reviews(self, p: Patient) -> Generator[Any, Any, None]:
        """Care-plan reviews at the MDT while the plan lasts."""
        interval = self.params.review_interval_days
        while True:
            yield self.world.env.timeout(interval)
            if not p.plan_active:
                return
            self.mdt(p)
