"""The multidisciplinary team meeting: where new care plans are agreed, a few at a time.

A locality's MDT meets every ``interval_days`` from its go-live date. Patients whose coordinator
has assessed them wait for a meeting; each meeting agrees at most ``places`` new plans (in the
order the patients became ready, which is the risk order of the waiting list), and the rest wait
for the next one. A go-live therefore enrols over weeks, as a real team would, instead of giving
every patient a plan on the same day. Meetings are scheduled events (one timeout per meeting), and
the queue is a deque: no polling, no scans.

Example:
    >>> mdt = MdtMeeting(env, first=0.0, interval_days=14.0, places=10, horizon=730.0, agree=start_plan)
    >>> mdt.refer(patient)  # agreed at the next meeting with a free place
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy


class MdtMeeting:
    """One locality's MDT: a queue of patients awaiting a plan and the meetings that agree them."""

    def __init__(
        self,
        env: simpy.Environment,
        first: float,
        interval_days: float,
        places: int,
        horizon: float,
        agree: Callable[[Any], bool],
    ):
        """``agree(patient)`` starts the plan and returns False if the patient no longer needs one
        (died, moved to a care home, left the caseload), so the place goes to the next in line."""
        self.env = env
        self.first = first
        self.interval = interval_days
        self.places = places
        self.horizon = horizon
        self.agree = agree
        self.queue: deque[Any] = deque()
        self.meetings = 0
        self.agreed: list[int] = []  # plans agreed at each meeting held (a go-live's pace)
        env.process(self._meetings())

    def refer(self, patient: Any) -> None:
        """The coordinator's assessment is done: the patient waits for a meeting."""
        self.queue.append(patient)

    def _meetings(self) -> Generator[Any, Any, None]:
        t = self.first
        while t < self.horizon:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            self._meet()
            t += self.interval

    def _meet(self) -> None:
        agreed = 0
        while agreed < self.places and self.queue:
            if self.agree(self.queue.popleft()):
                agreed += 1
        self.meetings += 1
        self.agreed.append(agreed)
