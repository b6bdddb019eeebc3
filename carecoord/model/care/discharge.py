"""Discharge planning and post-discharge follow-up: the two mechanisms that act at discharge.

Discharge planning starts the social-work assessment on admission; seven-day discharge adds
social workers on duty at weekends in each locality it covers (their own capacity, costed as a
roster in :mod:`carecoord.rosters`) instead of stretching the weekday staff. Transitional care
visits the patient soon after discharge and lowers the raised crisis rate of the readmission
window.

Example:
    >>> ahead, any_day = DischargePlanning(world, params).plan(patient)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from carecoord.calendar import OpeningHours
from carecoord.locations import HOME
from carecoord.model.care.common import covers, is_live
from carecoord.model.clock import CRISIS, Step
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY, Service
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.scenario.base import OpeningHoursSpec


class DischargePlanning:
    """Assessment started on admission, by seven-day social work, for the patients it covers."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params
        self.weekend: list[Service | None] = []
        sw = world.scenario.services.social_work.hours
        hours = OpeningHoursSpec(days=["sat", "sun"], open_hour=sw.open_hour, close_hour=sw.close_hour)
        for loc, name in enumerate(world.params.locality_names):
            workers = world.mechanisms.weekend_social_workers(name)
            team = None
            if workers > 0 and loc in world.localities:  # only the localities this world runs
                opening = OpeningHours(hours, world.calendar)
                key = f"social_work_weekend:{name}"
                team = Service(world.env, "social_work_weekend", workers, opening, world.rec, key, world.far)
            self.weekend.append(team)

    def weekend_team(self, p: Patient) -> Service | None:
        """The weekend social workers of the patient's locality (None: no seven-day discharge there)."""
        return self.weekend[p.locality]

    def plan(self, p: Patient) -> tuple[bool, bool]:
        """(start the assessment on admission, seven-day social work) for this patient."""
        d = self.params
        if not covers(self.world, d, p):
            return False, False
        return d.plan_ahead, d.seven_day


class FollowUp:
    """Transitional care: a nurse's visit within days of discharge, inside the readmission window."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.params = params

    def after_discharge(self, p: Patient, window_end: float) -> None:
        """Home from hospital: ask for the follow-up visit, if transitional care covers the patient.

        Enrolled means holding a caseload place, not yet having a care plan: a coordinator who enrolled
        the patient at an admission follows them up after that discharge, before the next MDT meeting.
        """
        covered = is_live(self.world, p) if self.params.applies_to == "everyone" else p.caseload_request is not None
        if covered:
            self.world.spawn(self._follow_up(p, window_end))

    def _follow_up(self, p: Patient, window_end: float) -> Generator[Any, Any, None]:
        w = self.world
        spec = self.params
        if spec.within_days > 0:
            yield w.far.wait(spec.within_days)
        if not p.alive or p.location != HOME or w.env._now >= window_end:
            return
        nursing = w.service("community_nursing", p)
        patience = window_end - w.env._now
        minutes = spec.visit_minutes
        seen = yield from nursing.serve(
            p.locality, minutes / MINUTES_PER_DAY, patience=patience, patient=p.id, activity="post_discharge_visit"
        )
        now: float = w.env._now
        if not seen or not p.alive or p.location != HOME or now >= window_end or p.clock is None:
            return
        w.rec.count(M.post_discharge_follow_ups, p.locality, now)
        w.rec.log(p.id, now, "post_discharge_follow_up", "community_nursing")
        w.rec.count(M.community_nursing_visits, p.locality, now)
        step = p.clock.steps[CRISIS].get("readmission")
        if step is None or len(step.times) == 0 or step.times[len(step.times) - 1] != window_end:
            return  # a later discharge opened a new window: its own follow-up acts on it
        ratio = w.params.events.readmission_rate_ratio * spec.readmission_rate_ratio
        p.clock.advance(now)
        p.clock.set_step(CRISIS, "readmission", Step.window(now, window_end, ratio))
        w.retime(p)
