"""The coordinators' work with patients who have a care plan: regular contacts and crisis triage.

Split from :mod:`carecoord.model.care.enrolment` (who joins the caseload and when) so that each
module has one job: this one is what a coordinator does for a patient once the plan has started.
:class:`CoordinatorWork` is a mixin: the enrolment provides ``world``, ``params`` (the arm's
enrolment spec) and ``teams`` (each locality's coordinators, None without a caseload).

Example:
    >>> env.process(enrolment.contacts(patient))
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.locations import HOME
from carecoord.model.care.common import HOURS
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, ROUTINE, URGENT, Service
from carecoord.model.world import World
from carecoord.recording import M


class CoordinatorWork:
    """Regular contacts and crisis triage by a locality's coordinators (mixed into the enrolment)."""

    world: World
    params: Any
    teams: list[Service | None]

    def contacts(self, p: Patient) -> Generator[Any, Any, None]:
        """The coordinator's regular contacts while the plan lasts (routine work; skipped while away)."""
        w = self.world
        spec = self.params
        team = self.teams[p.locality]
        assert team is not None
        minutes = spec.contact_minutes
        plan = p.caseload_request
        while True:
            yield w.env.timeout(spec.contact_interval_days)
            if not p.plan_active or p.caseload_request is not plan:
                return
            if p.location != HOME:
                continue
            yield from team.serve(
                p.locality, minutes / MINUTES_PER_DAY, priority=ROUTINE, patient=p.id, activity="coordinator_contact"
            )
            w.rec.count(M.coordinator_contacts, p.locality, w.env.now)
            w.rec.count(M.coordinator_hours, p.locality, w.env.now, minutes / 60.0)

    def triage(self, p: Patient) -> Generator[Any, Any, bool]:
        """The single point of contact answers a crisis call: True if the plan's crisis response may act.

        In coordinator hours the call waits up to ``triage_max_wait_hours`` for a coordinator (urgent
        work, before routine contacts, after work in progress); unanswered, the crisis goes on to usual
        care. Once answered the route is decided at once and the coordinator spends ``triage_minutes``
        on the call and on arranging the response, alongside it. Outside coordinator hours nothing
        changes from before coordinators took time: the out-of-hours service holds the care plan and
        its crisis response acts without a coordinator (True, no call counted).
        """
        w = self.world
        team = self.teams[p.locality]
        assert team is not None
        now = w.env.now
        if not team.hours.is_open(now):
            return True
        w.rec.count(M.crisis_triage_calls, p.locality, now)
        spec = self.params
        held = yield from team.acquire(p.locality, patience=spec.triage_max_wait_hours * HOURS, priority=URGENT)
        if held is None:
            return False
        w.rec.count(M.crises_triaged, p.locality, w.env.now)
        w.env.process(self._triage_call(p, team, held))
        return True

    def _triage_call(self, p: Patient, team: Service, held: Any) -> Generator[Any, Any, None]:
        w = self.world
        start = w.env.now
        minutes = self.params.triage_minutes
        w.rec.count(M.coordinator_hours, p.locality, start, minutes / 60.0)
        yield w.env.timeout(minutes / MINUTES_PER_DAY)
        team.release(held)
        if w.rec.events is not None:
            w.rec.log(p.id, w.env.now, "crisis_triage", "coordinator", start)
