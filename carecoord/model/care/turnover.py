"""Caseload turnover: the waiting list's time, and discharge from the caseload alive.

By default a place is held for life. An arm may limit it: ``enrolment_days`` after enrolment, or
at a care-plan review after ``discharge_at_review_if_stable_days`` without an emergency admission,
the patient is discharged from the caseload (``end_plan``, given by the coordinated care, closes
the plan and releases the place, so the next on the waiting list is enrolled at once);
``reenrol_after_days`` later they may join the waiting list again (``rejoin``, given by the
enrolment, checks the criteria). The waiting list's person-days and each enrolled patient's wait
are recorded here too, so turnover and waiting lists can be read from the results.

Example:
    >>> turnover = Turnover(world, params, end_plan, rejoin)
    >>> turnover.joined(patient)
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.recording import M


class Turnover:
    """Waiting-list time and the discharge and re-enrolment rules of one arm's caseloads."""

    def __init__(
        self,
        world: World,
        params: Any,
        end_plan: Callable[[Patient], None] | None,
        rejoin: Callable[[Patient], None],
    ):
        self.world = world
        self.params = params
        self.end_plan = end_plan
        self.rejoin = rejoin
        self.requested_at: dict[int, float] = {}  # patient -> when they joined the waiting list

    def joined(self, p: Patient) -> None:
        """The patient joins a waiting list now."""
        self.requested_at[p.id] = self.world.env._now

    def left_list(self, p: Patient, enrolled: bool) -> None:
        """Record the time spent on the waiting list (its person-days; the wait of those enrolled)."""
        since = self.requested_at.pop(p.id, None)
        if since is None:
            return
        w = self.world
        now: float = w.env._now
        w.rec.interval(M.waiting_list_days, p.locality, since, now)
        if enrolled:
            w.rec.count(M.enrolment_wait_days, p.locality, now, now - since)

    def censor(self, p: Patient, end: float) -> None:
        """The run ends: a patient still on the waiting list counts their days on it up to the end."""
        since = self.requested_at.pop(p.id, None)
        if since is not None:
            self.world.rec.interval(M.waiting_list_days, p.locality, since, end)

    def enrolled(self, p: Patient, place: Any) -> None:
        """The patient holds ``place`` from now: start the clock of a time-limited enrolment."""
        if self.params.enrolment_days is not None:
            self.world.spawn(self._time_limit(p, place))

    def reviewed(self, p: Patient) -> None:
        """A care-plan review: discharge a patient without an admission in the set number of days."""
        stable = self.params.discharge_at_review_if_stable_days
        if stable is not None and p.admissions_since(self.world.env._now - stable) == 0:
            self.discharge(p, "stable")

    def _time_limit(self, p: Patient, place: Any) -> Generator[Any, Any, None]:
        yield self.world.far.wait(self.params.enrolment_days)
        if p.caseload_request is place and p.alive:
            self.discharge(p, "time_limit")

    def discharge(self, p: Patient, reason: str) -> None:
        """Discharge from the caseload: the plan closes, the place goes to the next on the waiting list."""
        w = self.world
        now: float = w.env._now
        w.rec.count(M.caseload_discharges, p.locality, now)
        w.rec.log(p.id, now, f"caseload_discharge_{reason}", "coordinator")
        assert self.end_plan is not None, "time-limited enrolment needs end_plan"
        self.end_plan(p)
        if self.params.reenrol_after_days is not None:
            w.spawn(self._reenrol(p))

    def _reenrol(self, p: Patient) -> Generator[Any, Any, None]:
        yield self.world.far.wait(self.params.reenrol_after_days)
        self.rejoin(p)


__all__ = ["Turnover"]
