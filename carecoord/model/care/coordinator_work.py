"""The coordinators' work with patients who have a care plan: regular contacts and crisis triage.

Split from :mod:`carecoord.model.care.enrolment` (who joins the caseload and when) so that each
module has one job: this one is what a coordinator does for a patient once the plan has started.
:class:`CoordinatorWork` is a mixin: the enrolment provides ``world``, ``params`` (the arm's
enrolment spec) and ``teams`` (each locality's coordinators, None without a caseload).

Example:
    >>> enrolment.start_contacts(patient)  # when the care plan starts
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from mypy_extensions import trait

from carecoord.model.care.common import HOURS
from carecoord.model.care.rounds import Entry, Rounds
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, URGENT, Service
from carecoord.model.world import World
from carecoord.recording import M


@trait
class CoordinatorWork:
    """Regular contacts and crisis triage by a locality's coordinators (mixed into the enrolment)."""

    world: World
    params: Any
    teams: list[Service | None]

    contact_rounds: Rounds | None = None

    def start_contacts(self, p: Patient) -> None:
        """The plan has started: regular contacts every ``contact_interval_days`` while it lasts.

        Routine work served in daily rounds at the coordinators' opening
        (:mod:`carecoord.model.care.rounds`): the first is due ``contact_interval_days`` after the
        day the plan started, each next one that long after the day of the last (or of the round
        that skipped the patient while away from home).
        """
        if self.contact_rounds is None:
            spec = self.params
            self.contact_rounds = Rounds(
                self.world,
                self.teams,
                spec.contact_minutes,
                spec.contact_interval_days,
                "coordinator_contact",
                self._contacts_made,
            )
        self.contact_rounds.start(p, math.floor(self.world.env._now) + self.params.contact_interval_days)

    def _contacts_made(self, loc: int, block: list[Entry], start: float) -> None:
        """A coordinator's session of contacts has ended: count them and their hours (as one contact each)."""
        w = self.world
        now: float = w.env._now
        n = len(block)
        w.rec.count(M.coordinator_contacts, loc, now, n)
        w.rec.count(M.coordinator_hours, loc, now, n * self.params.contact_minutes / 60.0)

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
        now: float = w.env._now
        if not team.hours.is_open(now):
            return True
        w.rec.count(M.crisis_triage_calls, p.locality, now)
        spec = self.params
        held = yield from team.acquire(p.locality, patience=spec.triage_max_wait_hours * HOURS, priority=URGENT)
        if held is None:
            return False
        w.rec.count(M.crises_triaged, p.locality, w.env._now)
        w.spawn(self._triage_call(p, team, held))
        return True

    def _triage_call(self, p: Patient, team: Service, held: Any) -> Generator[Any, Any, None]:
        w = self.world
        start: float = w.env._now
        minutes = self.params.triage_minutes
        w.rec.count(M.coordinator_hours, p.locality, start, minutes / 60.0)
        yield w.env.timeout(minutes / MINUTES_PER_DAY)
        team.release(held)
        if w.rec.events is not None:
            w.rec.log(p.id, w.env._now, "crisis_triage", "coordinator", start)
