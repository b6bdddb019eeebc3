"""Periodic case finding: each locality re-runs its risk stratification every N days.

Without it a patient's eligibility is checked only at go-live, on arrival, at an admission and
when a discharged patient may rejoin. Programmes also find cases by re-running their risk tool on
the practice list (the Devon Predictive Model's monthly report, King's Fund 2013), which picks up
patients whose eligibility changed between those moments. At each run the patients found join the
waiting list (or are enrolled at once if a place is free), highest risk first.

A run does not scan the practice list: its cost is linear in the changes. A patient becomes a
*candidate* when something that can make them eligible happens, and each run checks only its
locality's candidates (a dict; cleared at each run). In this model the criteria read the recorded
tier and conditions (fixed for life), the age now, the admissions in the look-back window and
the risk score (tier, conditions and those admissions). So the only things that can make a
patient eligible are an admission, which is checked when it happens (one before go-live by the
go-live check, one during a re-enrolment delay by the rejoin check), and a birthday that reaches
``min_age``, which is scheduled here whenever a check finds the patient too young but of an
eligible tier with the conditions asked for. Tiers do not change during a run (the cohort has no
tier transitions), so a patient ineligible at go-live whose recorded tier is eligible is found at
the first run after the birthday that makes them eligible, or at the admission that does.

A candidate away from home at a run (hospital, intermediate care) stays a candidate for the next
run; one who has died, moved to a care home or already joined the list is dropped, and so is one
who does not meet the criteria (only a later admission, checked at once, could change that). The
run costs no coordinator time: the risk tool runs centrally and no source gives the time it takes.

Example:
    >>> runs = CaseFindingRuns(world, 30.0, selection, eligible, request, live_localities)
    >>> runs.checked(patient)  # a check found the patient not eligible: schedule their birthday
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Final

from carecoord.locations import HOME
from carecoord.model.care.selection import Selection
from carecoord.model.patient import Patient, is_gone
from carecoord.model.world import World
from carecoord.recording import M

BIRTHDAY_SLACK_DAYS: Final = 1e-6
"""A birthday is marked this long after the computed time, so that rounding never leaves the
patient a hair under ``min_age`` at a run held at that very instant."""


class CaseFindingRuns:
    """The case-finding runs of one arm: candidates by locality, and a run every ``interval`` days."""

    def __init__(
        self,
        world: World,
        interval: float,
        selection: Selection,
        eligible: Callable[[Patient], bool],
        request: Callable[[Patient], None],
        localities: list[int],
    ):
        self.world = world
        self.interval = interval
        self.selection = selection
        self.eligible = eligible
        self.request = request
        self.candidates: list[dict[int, Patient]] = [{} for _ in world.params.locality_names]
        self.birthdays: set[int] = set()  # patients whose birthday is scheduled (once each)
        for loc in localities:
            world.env.process(self._runs(loc))

    def mark(self, p: Patient) -> None:
        """Something that can make the patient eligible has happened: check them at the next run."""
        self.candidates[p.locality][p.id] = p

    def checked(self, p: Patient) -> None:
        """A check found the patient not eligible: if only their age stands in the way, schedule the birthday."""
        if p.id in self.birthdays:
            return
        when = self.selection.birthday(p)
        if when is None or when >= self.world.horizon:
            return
        self.birthdays.add(p.id)
        self.world.spawn(self._birthday(p, when + BIRTHDAY_SLACK_DAYS))

    def _birthday(self, p: Patient, when: float) -> Generator[Any, Any, None]:
        yield self.world.far.wait(max(0.0, when - self.world.env.now))
        if p.alive:
            self.mark(p)

    def _runs(self, loc: int) -> Generator[Any, Any, None]:
        w = self.world
        start = float(w.params.go_live_days[loc])
        yield w.far.wait(max(0.0, start - w.env.now) + self.interval)
        while True:
            self.run(loc)
            yield w.far.wait(self.interval)

    def run(self, loc: int) -> None:
        """One run: every candidate at home who meets the criteria joins the list, highest risk first."""
        w = self.world
        found, self.candidates[loc] = self.candidates[loc], {}
        joining = []
        for p in found.values():
            if is_gone(p) or p.enrolment_requested:
                continue
            if p.location != HOME:
                self.candidates[loc][p.id] = p  # away at this run: look again at the next
            elif self.eligible(p):
                joining.append(p)
        for p in sorted(joining, key=lambda p: (-self.selection.risk(p), p.id)):
            w.rec.count(M.patients_found_by_case_finding, loc, w.env.now)
            w.rec.log(p.id, w.env.now, "found_by_case_finding", "coordinator")
            self.request(p)


__all__ = ["CaseFindingRuns"]
