"""The multidisciplinary team meeting: it takes the coordinators' time and has only so much of its own.

A locality's MDT meets every ``interval_days`` from its go-live date, in the coordinators' working hours
(a meeting due at night or at a weekend starts at the next opening). It holds every coordinator for
``meeting_hours``: one URGENT request per coordinator, so the meeting waits for work in progress but
never behind the queue of routine contacts (a saturated team would otherwise never meet, and no plan
would ever be agreed). The meeting's wait for its coordinators (for the opening, or for work in
progress) is theirs, not a patient's, so it is not counted in ``wait_hours_coordinator`` (patients'
hours; counted, it was about a third of a large scenario's steady-state coordinator waits). Each
coordinator's patients are discussed for the whole meeting (one practice MDT per coordinator, at the
same time), so its discussion time is ``meeting_hours`` x 60 minutes x ``tables`` (the number of
coordinators; 1 without a team). It goes first to the care-plan reviews due, ``review_minutes`` each,
then to new plans, ``new_plan_minutes`` each and at most ``places`` of them; reviews not reached roll to
the next meeting (``overdue``) and so do the new plans. Decisions are taken when the meeting ends.
Meetings are scheduled events (one timeout per meeting) and the queues are deques: no polling, no scans.

Example:
    >>> mdt = MdtMeeting(env, MdtTimes(0.0, 14.0, 730.0, 3.0, 15.0, 5.0), places=10, agree=start_plan)
    >>> mdt.refer(patient)  # agreed at the next meeting with time and a place left
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from carecoord.model.services import URGENT, Service


@dataclass(frozen=True, slots=True)
class MdtTimes:
    """When a locality's MDT meets and how its time is shared."""

    first: float  # day of the first meeting (go-live)
    interval_days: float
    horizon: float
    meeting_hours: float
    new_plan_minutes: float
    review_minutes: float


def _agree_all(_: Any) -> bool:
    return True


class MdtMeeting:
    """One locality's MDT: queues of new plans and reviews, and the meetings that discuss them."""

    def __init__(
        self,
        env: simpy.Environment,
        times: MdtTimes,
        places: int,
        agree: Callable[[Any], bool],
        review: Callable[[Any], bool] = _agree_all,
        team: Service | None = None,
        locality: int = 0,
        on_meeting: Callable[[deque[Any]], None] | None = None,
    ):
        """``agree(patient)`` starts the plan and returns False if the patient no longer needs one (died,
        moved to a care home, left the caseload), so the time and place go to the next in line;
        ``review(patient)`` likewise for a review. ``team`` (the locality's coordinators) is held for
        the meeting; ``on_meeting(reviews)`` records a meeting held and the reviews it rolled over."""
        self.env = env
        self.times = times
        self.places = places
        self.agree = agree
        self.review = review
        self.team = team
        self.locality = locality
        self.on_meeting = on_meeting
        self.tables = team.resource.capacity if team is not None and team.resource is not None else 1
        self.queue: deque[Any] = deque()
        self.reviews: deque[Any] = deque()
        self.meetings = 0
        self.agreed: list[int] = []  # plans agreed at each meeting held (a go-live's pace)
        self.reviewed: list[int] = []  # reviews discussed at each meeting held
        self.held_at: list[float] = []  # when each meeting began
        env.process(self._meetings())

    def refer(self, patient: Any) -> None:
        """The coordinator's assessment is done: the patient waits for a meeting."""
        self.queue.append(patient)

    def review_due(self, patient: Any) -> None:
        """The patient's care-plan review is due: discussed at the next meeting with time for it."""
        self.reviews.append(patient)

    def _meetings(self) -> Generator[Any, Any, None]:
        t = self.times.first
        while t < self.times.horizon:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            yield from self._meet()
            t += self.times.interval_days

    def _meet(self) -> Generator[Any, Any, None]:
        env = self.env
        team = self.team
        held: list[Any] = []
        if team is not None and team.resource is not None:
            t0 = env.now
            held = [team.request_place(URGENT) for _ in range(int(team.resource.capacity))]  # places: an int
            yield env.all_of(held)
            for _ in held:  # the meeting's wait for its own coordinators is no patient's wait (docs/model.md)
                team.granted(self.locality, t0, patients=0)
        self.held_at.append(env.now)
        yield env.timeout(self.times.meeting_hours / 24.0)
        self._discuss()
        for request in held:
            assert team is not None
            team.release(request)

    def _discuss(self) -> None:
        times = self.times
        minutes = times.meeting_hours * 60.0 * self.tables
        reviewed = 0
        while self.reviews and minutes >= times.review_minutes:
            if self.review(self.reviews.popleft()):
                reviewed += 1
                minutes -= times.review_minutes
        agreed = 0
        while agreed < self.places and self.queue and minutes >= times.new_plan_minutes:
            if self.agree(self.queue.popleft()):
                agreed += 1
                minutes -= times.new_plan_minutes
        self.meetings += 1
        self.agreed.append(agreed)
        self.reviewed.append(reviewed)
        if self.on_meeting is not None:
            self.on_meeting(self.reviews)
