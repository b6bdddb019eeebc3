"""Enrolment: a caseload per locality, a waiting list by risk, the MDT and the coordinators' time.

Patients above the risk threshold join their locality's waiting list from go-live and are
enrolled while coordinators x caseload allows (highest risk first). A coordinator then makes the
first assessment, in coordinators' working hours and one at a time per coordinator (a resource
with one place per coordinator), and the patient waits for an MDT meeting with time and room for a
new plan (:mod:`carecoord.model.mdt`). The meeting agrees the care plan, which ``start_plan`` (given
by the coordinated care) then starts. A go-live therefore enrols over weeks, not in one instant.

Every patient on the caseload costs coordinator time: a regular contact every
``contact_interval_days`` (routine work), a care-plan review at the MDT every
``review_interval_days``, the MDT meetings themselves, and the triage of each crisis call in
coordinator hours (urgent work, :meth:`Enrolment.triage`). A bigger caseload therefore stretches
the same coordinators, and a saturated team answers fewer crisis calls.

Who can join is decided by :class:`~carecoord.model.care.selection.Selection`. Enrolment lasts
for life unless the arm limits it (:class:`~carecoord.model.care.turnover.Turnover`, which also
records the waiting list's time). Regular contacts and crisis triage are the coordinators' work
with patients who have a plan (:class:`~carecoord.model.care.coordinator_work.CoordinatorWork`).

Example:
    >>> enrolment = Enrolment(world, params, start_plan)
    >>> enrolment.on_arrival(patient)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from carecoord.calendar import OpeningHours
from carecoord.locations import PENDING
from carecoord.model.care.case_finding_runs import CaseFindingRuns
from carecoord.model.care.common import HOURS, is_live
from carecoord.model.care.coordinator_work import CoordinatorWork
from carecoord.model.care.selection import Selection
from carecoord.model.care.turnover import Turnover
from carecoord.model.caseload import Caseload, Place
from carecoord.model.mdt import MdtMeeting, MdtTimes
from carecoord.model.patient import Patient, is_gone
from carecoord.model.services import HOURS_PER_DAY, ROUTINE, Service
from carecoord.model.world import World
from carecoord.recording import M


class Enrolment(CoordinatorWork):
    """The coordinators' caseloads and waiting lists, and the MDT that agrees each care plan."""

    def __init__(
        self,
        world: World,
        params: Any,
        start_plan: Callable[[Patient], None],
        end_plan: Callable[[Patient], None] | None = None,
    ):
        self.world = world
        self.params = params
        self.start_plan = start_plan
        self.waiting: dict[int, Place] = {}
        self.turnover = Turnover(world, params, end_plan, self._rejoin)
        self.assessed: dict[int, Place] = {}  # patient -> the caseload place their latest assessment was for
        self.selection = Selection(world, params)
        self.caseload: list[Caseload | None] = []
        self.teams: list[Service | None] = []
        self.meetings: list[MdtMeeting | None] = []
        hours = OpeningHours(params.coordinator_working_hours, world.calendar)
        for loc, name in enumerate(world.params.locality_names):
            if loc not in world.localities:  # run (and recorded) by another world of this arm
                self.caseload.append(None)
                self.teams.append(None)
                self.meetings.append(None)
                continue
            coords = params.coordinators
            n = coords.get(name, 0) if isinstance(coords, dict) else coords
            capacity = n * params.caseload
            self.caseload.append(Caseload(world.env, capacity) if capacity > 0 else None)
            key = f"caseload:{name}"
            world.rec.capacity[key] = float(capacity)
            world.rec.peak_in_use[key] = 0
            team, meeting = None, None
            if capacity > 0:
                team = Service(world.env, "coordinator", n, hours, world.rec, f"coordinators:{name}", world.far)
                places = n * params.new_plans_per_coordinator_per_meeting
                times = MdtTimes(
                    float(world.params.go_live_days[loc]),
                    params.mdt_interval_days,
                    world.horizon,
                    params.mdt_meeting_hours,
                    params.mdt_minutes_per_patient,
                    params.mdt_review_minutes_per_patient,
                )
                meeting = MdtMeeting(
                    world.env, times, places, self._agree, self._review, team, loc, self._meeting_recorder(loc, n)
                )
            self.teams.append(team)
            self.meetings.append(meeting)
        live = [loc for loc, caseload in enumerate(self.caseload) if caseload is not None]
        for loc in live:
            world.env.process(self._go_live(loc))
        interval = params.case_finding_interval_days
        self.found: set[int] = set()  # on the waiting list because a case-finding run found them
        self.runs = (
            None
            if interval is None
            else CaseFindingRuns(world, interval, self.selection, self._eligible, self._found, live)
        )

    def _eligible(self, p: Patient) -> bool:
        if p.enrolment_requested or p.location == PENDING or is_gone(p):
            return False
        return self.selection.meets_criteria(p)

    def _check(self, p: Patient) -> bool:
        """Eligible now? If not, periodic case finding (when on) schedules the patient's birthday."""
        if self._eligible(p):
            return True
        if self.runs is not None and not p.enrolment_requested and not is_gone(p):
            self.runs.checked(p)
        return False

    def _found(self, p: Patient) -> None:
        self.found.add(p.id)
        self._request(p)

    def _live(self, p: Patient) -> bool:
        return self.caseload[p.locality] is not None and is_live(self.world, p)

    def risk(self, p: Patient) -> float:
        """What the risk tool sees (:meth:`Selection.risk`): the waiting list's order."""
        return self.selection.risk(p)

    def _go_live(self, loc: int) -> Generator[Any, Any, None]:
        w = self.world
        go_live = w.params.go_live_days[loc]
        if go_live > 0:
            yield w.far.wait(go_live)
        # Places free at go-live are granted as requests arrive, so the waiting list is joined in
        # order of risk (highest first; ties by patient) for the riskiest to be enrolled first.
        eligible = [p for p in w.patients if p.locality == loc and self._check(p)]
        for p in sorted(eligible, key=lambda p: (-self.risk(p), p.id)):
            self._request(p)

    def on_arrival(self, p: Patient) -> None:
        if self._live(p) and self._check(p):
            self._request(p)

    def on_admission(self, p: Patient) -> None:
        if self._live(p) and self._check(p):
            self._request(p)

    def _request(self, p: Patient) -> None:
        p.enrolment_requested = True
        self.world.spawn(self._enrol(p))

    def _enrol(self, p: Patient) -> Generator[Any, Any, None]:
        w = self.world
        caseload = self.caseload[p.locality]
        assert caseload is not None
        request = caseload.request(priority=-self.risk(p))
        self.waiting[p.id] = request
        self.turnover.joined(p)
        yield request
        self.waiting.pop(p.id, None)
        self.turnover.left_list(p, enrolled=True)
        if is_gone(p):
            caseload.release(request)
            return
        key = f"caseload:{w.params.locality_names[p.locality]}"
        w.rec.peak_in_use[key] = max(w.rec.peak_in_use[key], caseload.peak)
        p.caseload_request = request
        p.enrolled_since = w.env._now
        if p.id not in w.rec.enrolled_at:
            w.rec.enrolled_at[p.id] = w.env._now
            w.rec.enrolment_mark[p.id] = len(w.rec.admission_log)
        else:
            w.rec.count(M.caseload_reenrolments, p.locality, w.env._now)
        w.rec.count(M.patients_enrolled, p.locality, w.env._now)
        if p.id in self.found:
            self.found.discard(p.id)
            w.rec.count(M.patients_enrolled_by_case_finding, p.locality, w.env._now)
        self.turnover.enrolled(p, request)
        w.rec.log(p.id, w.env._now, "enrolled", "coordinator")
        team, meeting = self.teams[p.locality], self.meetings[p.locality]
        assert team is not None and meeting is not None
        yield from self._assess(p, team)
        if p.caseload_request is request and p.alive:
            self.assessed[p.id] = request
            meeting.refer(p)

    def _assess(self, p: Patient, team: Service) -> Generator[Any, Any, None]:
        """The first assessment (routine work), as :meth:`Service.serve` would make it, its wait also
        recorded apart as ``assessment_wait_hours``: at a go-live the whole caseload enrolled on day
        one queues for it, a backlog the outputs show apart from the steady-state waits."""
        w = self.world
        t0: float = w.env._now
        held = yield from team.acquire(p.locality, priority=ROUTINE)  # records the wait in wait_hours_coordinator
        start: float = w.env._now
        if start > t0:
            w.rec.count(M.assessment_wait_hours, p.locality, start, (start - t0) * HOURS_PER_DAY)
        yield w.env.timeout(self.params.initial_assessment_hours * HOURS)
        team.release(held)
        w.rec.count(M.coordinator_hours, p.locality, w.env._now, self.params.initial_assessment_hours)
        if w.rec.events is not None:
            w.rec.log(p.id, w.env._now, "coordinator_assessment", team.name, start)

    def _agree(self, p: Patient) -> bool:
        """The MDT agrees the plan of a patient still on the caseload (False: the place goes to the next)."""
        if p.plan_active or p.caseload_request is None or is_gone(p):
            return False
        if self.assessed.get(p.id) is not p.caseload_request:  # a referral from an earlier enrolment
            return False
        self.world.rec.log(p.id, self.world.env._now, "care_plan_agreed", "mdt")
        self.start_plan(p)
        return True

    def leave(self, p: Patient) -> bool:
        """Leave the waiting list or give back the place; True if a place was held (to close the plan)."""
        pending = self.waiting.pop(p.id, None)
        if pending is not None and not pending.triggered:
            self.found.discard(p.id)
            caseload = self.caseload[p.locality]
            assert caseload is not None
            caseload.cancel(pending)
            self.turnover.left_list(p, enrolled=False)
        return p.caseload_request is not None

    def censor(self, p: Patient, end: float) -> None:
        """The run ends: a patient still on the waiting list counts their days on it up to the end."""
        self.turnover.censor(p, end)

    def let_go(self) -> None:
        """After the run: each waiting list lets go of the enrolments waiting on it (:meth:`Caseload.let_go`)."""
        for caseload in self.caseload:
            if caseload is not None:
                caseload.let_go()

    def _rejoin(self, p: Patient) -> None:
        """After a discharge and the re-enrolment delay: join the list again if eligible (or at an admission)."""
        if p.caseload_request is not None or p.id in self.waiting:
            return
        p.enrolment_requested = False
        if self._live(p) and self._check(p):
            self._request(p)

    def release(self, p: Patient) -> None:
        """Give the caseload place back (after the plan's intervals are closed)."""
        caseload = self.caseload[p.locality]
        assert caseload is not None
        caseload.release(p.caseload_request)
        p.caseload_request = None
        p.plan_start = None

    def mdt(self, p: Patient) -> None:
        """An MDT discussion of the patient (a new plan or a review): its count (the time is the meeting's)."""
        self.world.rec.count(M.mdt_reviews, p.locality, self.world.env._now)

    def _review(self, p: Patient) -> bool:
        """The MDT reviews the plan of a patient who still has one (False: no time is spent)."""
        if not p.plan_active:
            return False
        self.mdt(p)
        w = self.world
        w.rec.log(p.id, w.env._now, "care_plan_reviewed", "mdt")
        self.turnover.reviewed(p)
        return True

    def _meeting_recorder(self, loc: int, coordinators: int) -> Callable[[deque[Any]], None]:
        """Record a meeting held: MDT hours (meeting x attendees x coordinators), coordinator hours, overdue reviews."""
        w = self.world
        spec = self.params

        def record(reviews: deque[Any]) -> None:
            now: float = w.env._now
            w.rec.count(M.mdt_meetings, loc, now)
            w.rec.count(M.mdt_hours, loc, now, spec.mdt_meeting_hours * spec.mdt_attendees * coordinators)
            w.rec.count(M.coordinator_hours, loc, now, spec.mdt_meeting_hours * coordinators)
            overdue = sum(1 for p in reviews if p.plan_active)  # once a meeting, not in the event loop's hot path
            if overdue:
                w.rec.count(M.mdt_reviews_overdue, loc, now, overdue)

        return record

    def reviews(self, p: Patient) -> Generator[Any, Any, None]:
        """Care-plan reviews while the plan lasts: each is put to the next MDT meeting with time for it."""
        interval = self.params.review_interval_days
        meeting = self.meetings[p.locality]
        assert meeting is not None
        plan = p.caseload_request  # this plan's reviews only (a re-enrolled patient has a new one)
        while True:
            yield self.world.far.wait(interval)
            if not p.plan_active or p.caseload_request is not plan:
                return
            meeting.review_due(p)
